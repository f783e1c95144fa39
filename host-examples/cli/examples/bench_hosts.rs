//! Events/s of the native core and of the component in wasmtime (one call per event, and
//! batches of 256) on the benchmark workloads: `bench_hosts DIR [SECONDS]`, where DIR holds
//! the NDJSON files `examples/workloads.rs` writes. One JSON line per (host, workload), read
//! by `bench/run.py` (`make bench`).

use std::path::Path;
use std::time::Instant;

use dnschild_cli::plugin::Plugin;

/// Runs `round` (which handles every event once) until `secs` have passed; (events, seconds).
fn timed(events: usize, secs: f64, mut round: impl FnMut()) -> (usize, f64) {
    round(); // warm-up
    let t = Instant::now();
    let mut n = 0;
    while n == 0 || t.elapsed().as_secs_f64() < secs {
        round();
        n += events;
    }
    (n, t.elapsed().as_secs_f64())
}

fn report(host: &str, workload: &str, (events, seconds): (usize, f64), bytes: usize, count: usize) {
    let bytes_per_event = bytes as f64 / count.max(1) as f64;
    println!(
        r#"{{"host":"{host}","workload":"{workload}","events":{events},"seconds":{seconds:.4},"bytes_per_event":{bytes_per_event:.1}}}"#
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: bench_hosts DIR [SECONDS]");
    let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let component = std::env::var_os("DNSCHILD_COMPONENT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/dnschild.component.wasm"));
    let mut plugin = Plugin::load(&component).unwrap_or_else(|e| panic!("{e}"));
    let engine = dnschild::Engine::default();
    for name in ["benign", "candidates_1pct", "positives"] {
        let path = Path::new(&dir).join(format!("{name}.ndjson"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make bench`)", path.display()));
        let events: Vec<String> = text.lines().map(String::from).collect();
        let bytes: usize = events.iter().map(String::len).sum();
        let n = events.len();
        let r = timed(n, secs, || {
            for e in &events {
                std::hint::black_box(engine.evaluate(std::hint::black_box(e)).ok());
            }
        });
        report("native core", name, r, bytes, n);
        let r = timed(n, secs, || {
            for e in &events {
                std::hint::black_box(plugin.evaluate(e).ok());
            }
        });
        report("component, wasmtime (one call per event)", name, r, bytes, n);
        let r = timed(n, secs, || {
            for chunk in events.chunks(256) {
                std::hint::black_box(plugin.evaluate_batch(chunk));
            }
        });
        report("component, wasmtime (batches of 256)", name, r, bytes, n);
    }
}
