//! Shared helpers for the integration tests: where the corpus is, and how to read it.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

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

/// The repository root (this file is shared by the root crate's and the CLI's tests).
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().find(|d| d.join("wit").is_dir() && d.join("src/lib.rs").is_file()).map_or(manifest.clone(), PathBuf::from)
}

/// One authored case from `synthetic_dns_child_cases.jsonl`.
pub struct Case {
    pub case: String,
    pub shape: String,
    pub event: String,
    pub expect: Value,
}

impl Case {
    /// The expected verdict of one logic column.
    pub fn expect(&self, column: &str) -> bool {
        self.expect[column].as_bool().unwrap_or_else(|| panic!("{} {} has no {column}", self.case, self.shape))
    }
}

/// Every synthetic case; JSON events are re-serialised compactly, XML events kept as is.
pub fn synthetic_cases(dir: &std::path::Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("synthetic_dns_child_cases.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let event = match &v["event"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Case {
                case: v["case"].as_str().unwrap().to_string(),
                shape: v["shape"].as_str().unwrap().to_string(),
                event,
                expect: v["expect"].clone(),
            }
        })
        .collect()
}

/// Lines of a JSONL file.
pub fn jsonl(dir: &std::path::Path, name: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(name)).unwrap().lines().filter(|l| !l.trim().is_empty()).map(String::from).collect()
}

/// The `<Event ...>...</Event>` elements of an evtx-rs XML export, in order.
pub fn xml_events(dir: &std::path::Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<Event ").or_else(|| rest.find("<Event>")) {
        let end = rest[start..].find("</Event>").expect("closed event") + start + "</Event>".len();
        out.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    out
}

/// The corpus sources that come in three renderings of the same events.
pub const TRIPLE_SOURCES: [&str; 3] = ["evtx_attack_samples", "evtx_to_mitre_attack", "sigma_regression"];
