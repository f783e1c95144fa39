//! The native core on three workloads built from the corpus (benign only, 1% candidates,
//! all positives), beside two baselines over the same bytes: an ASCII-case-insensitive
//! substring scan for `dns.exe` (aho-corasick: the floor any detector pays) and a full
//! `serde_json::Value` parse (what a naive plugin pays). `make bench-native` runs it;
//! criterion prints bytes/s, and the events/s line below each group comes from the same run.
//!
//! Without `../shared/corpus` the workloads are built from `samples/` (ours) instead.

#[path = "workloads.rs"]
mod workloads;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dnschild::Engine;
use workloads::workloads;

fn bench(c: &mut Criterion) {
    let engine = Engine::default();
    let scan: AhoCorasick = AhoCorasickBuilder::new().ascii_case_insensitive(true).build(["dns.exe"]).unwrap();
    for w in workloads() {
        let bytes: u64 = w.events.iter().map(|e| e.len() as u64).sum();
        let alerts = w.events.iter().filter(|e| matches!(engine.evaluate(e), Ok(Some(_)))).count();
        eprintln!("{}: {} events, {} bytes, {} alerts", w.name, w.events.len(), bytes, alerts);
        let mut g = c.benchmark_group(w.name);
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function("dnschild_evaluate", |b| {
            b.iter(|| w.events.iter().filter(|e| matches!(engine.evaluate(black_box(e)), Ok(Some(_)))).count())
        });
        g.bench_function("baseline_ci_scan_aho_corasick", |b| b.iter(|| w.events.iter().filter(|e| scan.is_match(black_box(e.as_bytes()))).count()));
        g.bench_function("baseline_serde_json_value", |b| {
            b.iter(|| w.events.iter().filter(|e| serde_json::from_str::<serde_json::Value>(black_box(e)).is_ok()).count())
        });
        g.finish();
        eprintln!("{}: events/s = (bytes/s) / {:.1} bytes per event", w.name, bytes as f64 / w.events.len() as f64);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
