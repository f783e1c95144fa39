//! Shared by the harness tests: where the module and the corpus are, one compiled module,
//! scratch directories, and the expected annotate output computed with the native core.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use dnschild_fluent_bit_harness::{Compiled, FilterConfig, FluentBit};

/// The exported function that keeps every record.
pub const ANNOTATE: &str = "dnschild_annotate";
/// The exported function that keeps only alerts.
pub const ALERTS: &str = "dnschild_alerts";
/// The tag the records are filtered under.
pub const TAG: &str = "win.sysmon";

/// The repository root (this crate is `host-examples/fluent-bit/harness`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().unwrap()
}

/// `dist/dnschild.fluent-bit.wasm` (or `$DNSCHILD_FLUENT_BIT_WASM`); missing is a failure.
pub fn module_path() -> PathBuf {
    let path = std::env::var_os("DNSCHILD_FLUENT_BIT_WASM").map(PathBuf::from).unwrap_or_else(|| repo_root().join("dist/dnschild.fluent-bit.wasm"));
    assert!(path.is_file(), "{} is missing: run `make fluent-bit` first", path.display());
    path
}

/// The module, compiled once per test binary.
pub fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| Compiled::from_file(&module_path()).unwrap())
}

/// A filter instance running `function` with these `Accessible_Paths`.
pub fn filter(function: &str, dirs: &[&Path]) -> FluentBit {
    let mut cfg = FilterConfig::new(function);
    cfg.accessible_paths = dirs.iter().map(|d| d.to_path_buf()).collect();
    FluentBit::new(compiled(), &cfg).unwrap()
}

/// `../shared/corpus` beside the repository (or `$DNSCHILD_CORPUS`), if present.
/// Under CI (`CI` set) a missing corpus is a failure, not a skip.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DNSCHILD_CORPUS").map(PathBuf::from).unwrap_or_else(|| repo_root().join("../shared/corpus"));
    if dir.join("synthetic_dns_child_cases.jsonl").is_file() {
        Some(dir)
    } else {
        assert!(std::env::var_os("CI").is_none(), "CI is set but the corpus is missing at {}", dir.display());
        eprintln!("corpus not found at {}: corpus tests skipped", dir.display());
        None
    }
}

/// A fresh, empty scratch directory.
pub fn scratch_dir(what: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("dnschild-fb-{}-{what}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `record` with `"key":alert` spliced in before its final `}` (what annotate must return).
pub fn spliced(record: &str, key: &str, alert: &str) -> String {
    let close = record.rfind('}').unwrap();
    let body = record[..close].trim_end();
    let sep = if body.trim_start() == "{" { "" } else { "," };
    format!("{}{sep}\"{key}\":{alert}{}", &record[..close], &record[close..])
}

/// What annotate must return for `record` under `engine`: the spliced alert, or the record.
pub fn expected_annotate(engine: &dnschild::Engine, record: &[u8], key: &str) -> Vec<u8> {
    match engine.evaluate_bytes(record) {
        Ok(Some(alert)) if std::str::from_utf8(record).is_ok_and(|t| t.trim_end().ends_with('}')) => {
            spliced(std::str::from_utf8(record).unwrap(), key, &engine.render(&alert)).into_bytes()
        }
        _ => record.to_vec(),
    }
}
