//! Per-call time of the component in wasmtime, beside the native core, on two sample events:
//! `cargo run --release -p dnschild-cli --example percall [-- CALLS [COMPONENT]]`.
//! Prints one JSON line per (host, event) so scripts can put it beside other hosts' numbers.

use std::path::Path;
use std::time::Instant;

use dnschild_cli::plugin::Plugin;

fn sample(file: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples").join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).lines().next().unwrap_or_default().to_string()
}

fn report(host: &str, event: &str, calls: usize, secs: f64) {
    println!(r#"{{"host":"{host}","event":"{event}","calls":{calls},"us_per_call":{:.3}}}"#, secs * 1e6 / calls as f64);
}

fn main() {
    let calls: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let component = std::env::args()
        .nth(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/dnschild.component.wasm"));
    let mut plugin = Plugin::load(&component).unwrap_or_else(|e| panic!("{e}"));
    let engine = dnschild::Engine::default();
    for (name, event) in [("benign", sample("negatives.ndjson")), ("candidate", sample("positives.ndjson"))] {
        let t = Instant::now();
        for _ in 0..calls {
            std::hint::black_box(engine.evaluate(std::hint::black_box(&event)).ok());
        }
        report("native core", name, calls, t.elapsed().as_secs_f64());
        let t = Instant::now();
        for _ in 0..calls {
            std::hint::black_box(plugin.evaluate(&event).ok());
        }
        report("component (wasmtime, single)", name, calls, t.elapsed().as_secs_f64());
        let batch: Vec<String> = vec![event.clone(); 256];
        let rounds = (calls / 256).max(1);
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(plugin.evaluate_batch(&batch));
        }
        report("component (wasmtime, batch 256)", name, rounds * 256, t.elapsed().as_secs_f64());
    }
}
