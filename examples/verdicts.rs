//! The native core's verdicts for a list of events: the reference other hosts are held to.
//!
//! `cargo run --release --example verdicts -- [CONFIG_JSON] < events.json`
//!
//! Reads a JSON array of event texts on stdin; prints a JSON array with one entry per
//! event: the rendered alert (a string: the exact bytes a binding must return), `null`,
//! or `{"error": KIND}`.

use std::io::Read;

fn main() {
    let config = std::env::args().nth(1).unwrap_or_else(|| "{}".to_string());
    let engine = match dnschild::Engine::from_json_config(&config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("verdicts: bad configuration: {e}");
            std::process::exit(2);
        }
    };
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("verdicts: cannot read stdin: {e}");
        std::process::exit(2);
    }
    let events: Vec<String> = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("verdicts: stdin is not a JSON array of strings: {e}");
            std::process::exit(2);
        }
    };
    let out: Vec<serde_json::Value> = events
        .iter()
        .map(|ev| match engine.evaluate(ev) {
            Ok(Some(a)) => engine.render(&a).into(),
            Ok(None) => serde_json::Value::Null,
            Err(e) => serde_json::json!({ "error": e.kind() }),
        })
        .collect();
    println!("{}", serde_json::Value::Array(out));
}
