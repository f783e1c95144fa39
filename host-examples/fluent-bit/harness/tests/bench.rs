//! Cost per record in the emulation (`make bench-fluent-bit`; ignored by `cargo test`).
//!
//! wasmtime compiles the module ahead of time with Cranelift, so these numbers are the
//! module's own work plus the emulated hand-off (two `malloc`s, two copies, the call, the
//! result read and the JSON check, two `free`s) — closer to Fluent Bit's AOT mode than to its
//! interpreter. The floor is a probe module that returns the input pointer at once.

mod common;

use std::time::{Duration, Instant};

use common::*;
use dnschild_fluent_bit_harness::{Compiled, FilterConfig, FluentBit, Verdict};

use dnschild_fluent_bit_harness::PASSTHROUGH_WAT as FLOOR;

/// Runs every record `rounds` times; returns (time, records, Wasm operators executed).
fn time(f: &mut FluentBit, records: &[String], rounds: usize, want: &dyn Fn(&Verdict, bool) -> bool) -> (Duration, usize, u64) {
    let mut n = 0;
    let ops = f.operators_executed();
    let start = Instant::now();
    for _ in 0..rounds {
        for r in records {
            let got = f.filter(TAG, r.as_bytes()).unwrap();
            assert!(want(&got.verdict, got.returned_input));
            n += 1;
        }
    }
    (start.elapsed(), n, f.operators_executed() - ops)
}

fn report(what: &str, records: &[String], (d, n, _): (Duration, usize, u64), metered: (Duration, usize, u64)) {
    let bytes = records.iter().map(String::len).sum::<usize>() / records.len().max(1);
    println!(
        "| {what} | {n} | {bytes} | {:.2} | {} |",
        d.as_secs_f64() * 1e6 / n as f64,
        metered.2 / metered.1.max(1) as u64
    );
}

#[test]
#[ignore = "a benchmark: make bench-fluent-bit"]
fn cost_per_record() {
    let dir = corpus_dir().expect("the benchmark needs the corpus");
    let read = |name: &str| -> Vec<String> { std::fs::read_to_string(dir.join(name)).unwrap().lines().map(String::from).collect() };
    let mut benign = read("evtx_attack_samples.proc_creation.fluentbit_winevtlog_sim.jsonl");
    benign.extend(read("evtx_to_mitre_attack.proc_creation.fluentbit_winevtlog_sim.jsonl"));
    let engine = dnschild::Engine::default();
    let synthetic: Vec<String> = read("synthetic_dns_child_cases.jsonl")
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            match &v["event"] {
                serde_json::Value::String(xml) => serde_json::json!({ "System": xml }).to_string(),
                o => o.to_string(),
            }
        })
        .collect();
    let (hits, misses): (Vec<String>, Vec<String>) = synthetic.into_iter().partition(|r| engine.evaluate(r).unwrap().is_some());

    let module = std::fs::read(module_path()).unwrap();
    let metered = Compiled::metered(&module).unwrap();
    let metered_floor = Compiled::metered(FLOOR.as_bytes()).unwrap();
    let floor = Compiled::from_bytes(FLOOR.as_bytes()).unwrap();
    let run = |c: &Compiled, function: &str, records: &[String], rounds: usize, want: &dyn Fn(&Verdict, bool) -> bool| {
        let mut f = FluentBit::new(c, &FilterConfig::new(function)).unwrap();
        f.filter(TAG, b"{}").unwrap(); // first call: reads the configuration
        time(&mut f, records, rounds, want)
    };
    let same = |_: &Verdict, same: bool| same;
    let alerted = |v: &Verdict, same: bool| *v == Verdict::Replaced && !same;
    let dropped = |v: &Verdict, _: bool| *v == Verdict::Dropped;
    println!("\n| records | count | avg bytes | µs/record | Wasm operators/record |\n|---|---:|---:|---:|---:|");
    report("floor: a probe that returns the input pointer", &benign, run(&floor, "f", &benign, 20, &same), run(&metered_floor, "f", &benign, 1, &same));
    report("annotate: benign (winevtlog shape)", &benign, run(compiled(), ANNOTATE, &benign, 20, &same), run(&metered, ANNOTATE, &benign, 1, &same));
    report("annotate: mentions dns.exe, no alert", &misses, run(compiled(), ANNOTATE, &misses, 2000, &same), run(&metered, ANNOTATE, &misses, 1, &same));
    report("annotate: alerts", &hits, run(compiled(), ANNOTATE, &hits, 2000, &alerted), run(&metered, ANNOTATE, &hits, 1, &alerted));
    report("alerts-only: benign", &benign, run(compiled(), ALERTS, &benign, 20, &dropped), run(&metered, ALERTS, &benign, 1, &dropped));
}
