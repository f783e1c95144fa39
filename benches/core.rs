//! The native core on three workloads built from the corpus (benign only, 1% candidates,
//! all positives), beside two baselines over the same bytes: an ASCII-case-insensitive
//! substring scan for `dns.exe` (aho-corasick: the floor any detector pays) and a full
//! `serde_json::Value` parse (what a naive plugin pays). `make bench-native` runs it;
//! criterion prints bytes/s, and the events/s line below each group comes from the same run.
//!
//! Without `../shared/corpus` the workloads are built from `samples/` (ours) instead.

use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dnschild::Engine;

const DNS: &str = r"C:\\Windows\\System32\\dns.exe";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p).map(|t| t.lines().filter(|l| !l.trim().is_empty()).map(String::from).collect()).unwrap_or_default()
}

/// Real benign JSON events (every JSON rendering in the corpus), or the shipped negatives.
fn benign() -> Vec<String> {
    let corpus = repo().join("../shared/corpus");
    let mut out = Vec::new();
    for src in ["evtx_attack_samples", "evtx_to_mitre_attack", "sigma_regression"] {
        out.extend(lines(&corpus.join(format!("{src}.proc_creation.evtxrs.jsonl"))));
        out.extend(lines(&corpus.join(format!("{src}.proc_creation.fluentbit_winevtlog_sim.jsonl"))));
    }
    out.extend(lines(&corpus.join("otrf_security_datasets.proc_creation.nxlog.jsonl")));
    if out.is_empty() {
        eprintln!("corpus not found: benchmarking on samples/negatives.ndjson");
        out = lines(&repo().join("samples/negatives.ndjson"));
    }
    out
}

/// A benign event rewritten so that it mentions dns.exe as its parent (alerts unless its child is conhost).
fn candidate(ev: &str) -> Option<String> {
    for key in [r#""ParentImage":""#, r#""ParentProcessName":""#] {
        if let Some(i) = ev.find(key) {
            return Some(format!("{}{key}{DNS}\",\"was\":\"{}", &ev[..i], &ev[i + key.len()..]));
        }
    }
    None
}

struct Workload {
    name: &'static str,
    events: Vec<String>,
}

fn workloads() -> Vec<Workload> {
    let benign = benign();
    let positives: Vec<String> = benign.iter().filter_map(|e| candidate(e)).collect();
    // 1%: every 100th event is a candidate (most of them alert; conhost children do not).
    let mixed: Vec<String> =
        benign.iter().enumerate().map(|(i, e)| if i % 100 == 0 { candidate(e).unwrap_or_else(|| e.clone()) } else { e.clone() }).collect();
    vec![
        Workload { name: "benign", events: benign },
        Workload { name: "candidates_1pct", events: mixed },
        Workload { name: "positives", events: positives },
    ]
}

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
