//! Writes the benchmark workloads as NDJSON, one file each, into the directory given
//! (default `target/bench`): `cargo run --release --example workloads [-- DIR]`.
//! The host benchmarks (`make bench`) all read these files, so every host runs the same bytes.

#[path = "../benches/workloads.rs"]
mod workloads;

use std::io::Write;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/bench".into()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let engine = dnschild::Engine::default();
    for w in workloads::workloads() {
        let path = dir.join(format!("{}.ndjson", w.name));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        for e in &w.events {
            out.write_all(e.as_bytes()).and_then(|()| out.write_all(b"\n")).unwrap();
        }
        out.flush().unwrap();
        let bytes: usize = w.events.iter().map(String::len).sum();
        let alerts = w.events.iter().filter(|e| matches!(engine.evaluate(e), Ok(Some(_)))).count();
        println!(r#"{{"workload":"{}","events":{},"bytes":{bytes},"alerts":{alerts}}}"#, w.name, w.events.len());
    }
}
