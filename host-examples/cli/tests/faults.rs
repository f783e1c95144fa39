//! A plugin fault never takes the host down. A stand-in component with the same WIT world
//! (`fixtures/runaway.wat`) spins forever, grows memory without end, or traps on chosen
//! events; the host stops each one within its budget, reports it on that event alone, and
//! goes on with a fresh instance — through the library and through `dnschild scan`.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dnschild_cli::plugin::{EventFailure, Limits, Plugin};

const OK: &str = r#"{"ok":1}"#;
const SPIN: &str = r#"{"spin":1}"#;
const GROW: &str = r#"{"grow":1}"#;
const TRAP: &str = r#"{"trap":1}"#;

/// The stand-in, built once with the project's wasm-tools.
fn runaway() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = common::repo_root();
        let tools = std::env::var_os("WASM_TOOLS").map(PathBuf::from).unwrap_or_else(|| root.join(".tools/bin/wasm-tools"));
        let out = root.join("target/runaway");
        std::fs::create_dir_all(&out).unwrap();
        let run = |args: &[&std::ffi::OsStr]| {
            let s = Command::new(&tools).args(args).status().unwrap_or_else(|e| panic!("{}: {e} (run `make tools`)", tools.display()));
            assert!(s.success(), "wasm-tools {args:?}");
        };
        let (core, component) = (out.join("runaway.core.wasm"), out.join("runaway.wasm"));
        let wat = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runaway.wat");
        run(&["component".as_ref(), "embed".as_ref(), root.join("wit").as_os_str(), "--world".as_ref(), "dnschild".as_ref(), wat.as_os_str(), "-o".as_ref(), core.as_os_str()]);
        run(&["component".as_ref(), "new".as_ref(), core.as_os_str(), "-o".as_ref(), component.as_os_str()]);
        component
    })
}

fn plugin(limits: Limits) -> Plugin {
    Plugin::with_limits(&std::fs::read(runaway()).unwrap(), runaway(), limits).unwrap()
}

const FAST: Limits = Limits { time_per_call: Duration::from_millis(200), time_per_mib: Duration::from_millis(200), max_memory_bytes: 64 << 20 };

#[test]
fn a_runaway_evaluation_is_stopped_within_its_budget_and_the_next_event_is_served() {
    let mut p = plugin(FAST);
    assert!(p.evaluate(OK).unwrap().is_none());
    let start = Instant::now();
    let failure = p.evaluate(SPIN).unwrap_err();
    let took = start.elapsed();
    assert_eq!(failure.kind(), "plugin_timeout");
    assert!(matches!(&failure, EventFailure::Timeout(m) if m.contains("200")), "{failure:?}");
    assert!(took >= Duration::from_millis(200) && took < Duration::from_secs(5), "stopped after {took:?}");
    assert_eq!(p.reinstantiations, 1);
    assert!(p.evaluate(OK).unwrap().is_none(), "a fresh instance serves the next event");
}

#[test]
fn memory_growth_stops_at_the_cap_as_a_trap() {
    let mut p = plugin(FAST);
    let failure = p.evaluate(GROW).unwrap_err();
    assert_eq!(failure.kind(), "plugin_trap", "{failure:?}");
    assert!(p.evaluate(OK).unwrap().is_none());
    assert_eq!(p.evaluate(TRAP).unwrap_err().kind(), "plugin_trap");
    assert_eq!(p.reinstantiations, 2);
}

#[test]
fn a_batch_that_faults_is_retried_event_by_event_and_only_the_culprits_fail() {
    let mut p = plugin(FAST);
    let batch: Vec<String> = [OK, SPIN, OK, TRAP, GROW, OK].iter().map(|s| s.to_string()).collect();
    let kinds: Vec<&str> = p.evaluate_batch(&batch).iter().map(|v| v.as_ref().map_or_else(EventFailure::kind, |_| "ok")).collect();
    assert_eq!(kinds, ["ok", "plugin_timeout", "ok", "plugin_trap", "plugin_trap", "ok"]);
}

#[test]
fn scan_passes_every_event_through_and_counts_the_faults() {
    let input = [OK, SPIN, OK, TRAP, OK].join("\n") + "\n";
    let dir = common::repo_root().join("target/runaway");
    let file = dir.join("faults.ndjson");
    std::fs::write(&file, &input).unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_dnschild"))
        .args(["scan", "--annotate", "--quiet", "--summary", "json", "--no-progress", "--component"])
        .arg(runaway())
        .arg(&file)
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(2), "records that could not be evaluated, no alert");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5, "every event comes out once");
    let kinds: Vec<Option<&str>> = lines.iter().map(|l| l["dnschild_error"]["kind"].as_str()).collect();
    assert_eq!(kinds, [None, Some("plugin_timeout"), None, Some("plugin_trap"), None]);
    assert_eq!(lines[0], serde_json::json!({"ok": 1}));
    let summary: serde_json::Value = serde_json::from_str(String::from_utf8(out.stderr).unwrap().lines().last().unwrap()).unwrap();
    assert_eq!(summary["errors"], 2, "{summary}");
    assert_eq!(summary["errors_by_kind"], serde_json::json!({"plugin_timeout": 1, "plugin_trap": 1}), "{summary}");
}
