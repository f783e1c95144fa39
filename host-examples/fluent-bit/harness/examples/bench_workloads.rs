//! Events/s of the Fluent Bit module in the emulation on the benchmark workloads, beside a
//! module that returns every record at once (the floor): `bench_workloads DIR [SECONDS]`,
//! where DIR holds the NDJSON files `examples/workloads.rs` writes. One JSON line per
//! (host, workload), read by `bench/run.py` (`make bench`). The operator count per record
//! comes from a second, fuel-metered instance and does not depend on the machine.

use std::path::{Path, PathBuf};
use std::time::Instant;

use dnschild_fluent_bit_harness::{Compiled, FilterConfig, FluentBit, PASSTHROUGH_WAT};

fn timed(f: &mut FluentBit, events: &[String], secs: f64) -> (usize, f64) {
    let round = |f: &mut FluentBit| {
        for e in events {
            f.filter("win.sysmon", e.as_bytes()).expect("the emulation itself failed");
        }
    };
    round(f);
    let t = Instant::now();
    let mut n = 0;
    while n == 0 || t.elapsed().as_secs_f64() < secs {
        round(f);
        n += events.len();
    }
    (n, t.elapsed().as_secs_f64())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: bench_workloads DIR [SECONDS]"));
    let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let module_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../dist/dnschild.fluent-bit.wasm");
    let module = std::fs::read(&module_path).unwrap_or_else(|e| panic!("{}: {e} (run `make fluent-bit`)", module_path.display()));
    let hosts = [
        ("fluent bit module, emulation (annotate)", Compiled::from_bytes(&module).unwrap(), Compiled::metered(&module).unwrap(), "dnschild_annotate"),
        ("floor: a module that returns the record", Compiled::from_bytes(PASSTHROUGH_WAT.as_bytes()).unwrap(), Compiled::metered(PASSTHROUGH_WAT.as_bytes()).unwrap(), "f"),
    ];
    for name in ["benign", "candidates_1pct", "positives"] {
        let path = dir.join(format!("{name}.ndjson"));
        let events: Vec<String> = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().map(String::from).collect();
        let bytes: usize = events.iter().map(String::len).sum();
        for (host, compiled, metered, function) in &hosts {
            let mut f = FluentBit::new(compiled, &FilterConfig::new(function)).unwrap();
            let (n, s) = timed(&mut f, &events, secs);
            let mut m = FluentBit::new(metered, &FilterConfig::new(function)).unwrap();
            m.filter("win.sysmon", b"{}").unwrap();
            let before = m.operators_executed();
            for e in &events {
                m.filter("win.sysmon", e.as_bytes()).unwrap();
            }
            let ops = (m.operators_executed() - before) / events.len() as u64;
            println!(
                r#"{{"host":"{host}","workload":"{name}","events":{n},"seconds":{s:.4},"bytes_per_event":{:.1},"wasm_operators_per_event":{ops}}}"#,
                bytes as f64 / events.len() as f64
            );
        }
    }
}
