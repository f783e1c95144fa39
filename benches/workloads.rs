//! The benchmark workloads, shared by `benches/core.rs` (criterion) and `examples/workloads.rs`
//! (which writes them as NDJSON for the host benchmarks, so every host runs the same bytes):
//! *benign* = every real JSON event of `../shared/corpus` (evtx-rs JSON, Fluent Bit records,
//! NXLog lines); *candidates_1pct* = the same with every 100th event rewritten to a dns.exe
//! parent; *positives* = every event that has a parent image field, rewritten. Without the
//! corpus they are built from `samples/negatives.ndjson` (ours).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

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

/// One named list of events.
pub struct Workload {
    /// `benign`, `candidates_1pct` or `positives`.
    pub name: &'static str,
    /// One event per element.
    pub events: Vec<String>,
}

/// The three workloads.
pub fn workloads() -> Vec<Workload> {
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

