//! The counters of a running `serve`: shared by every thread, reported as one JSON line.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Instant;

/// What a health check answers: the state of the whole process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Accepting, evaluating and writing.
    Ok,
    /// The last attempt to write to the output failed; it is being retried (nothing is dropped).
    OutputRetrying,
    /// The output is gone for good (stdout closed): lines read from now on cannot be written.
    OutputFailed,
    /// A shutdown was asked for: no more accepting or reading, what was read is being written.
    Draining,
}

impl Status {
    /// The name in the JSON reports.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::OutputRetrying => "output_retrying",
            Status::OutputFailed => "output_failed",
            Status::Draining => "draining",
        }
    }
}

/// Counters of one `serve` run. Every field only grows, except `active` and the status.
#[derive(Debug)]
pub struct Counters {
    started: Instant,
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Connections open now.
    pub active: AtomicU64,
    /// Connections that ended with a read error (reset by the peer, ...).
    pub connection_errors: AtomicU64,
    /// Records read (every line, including those that could not be evaluated).
    pub events_in: AtomicU64,
    /// Bytes read from the connections.
    pub bytes_in: AtomicU64,
    /// Lines written to the output (in annotate mode: equal to `events_in` once drained).
    pub events_out: AtomicU64,
    /// Alerts raised.
    pub alerts: AtomicU64,
    /// Batches handed to the component.
    pub batches: AtomicU64,
    /// Failed attempts to write to a socket or HTTP output (each one retried).
    pub output_retries: AtomicU64,
    /// Lines that could not be written because the output is gone for good.
    pub undeliverable: AtomicU64,
    /// Times a component instance was rebuilt after a trap.
    pub reinstantiations: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    retrying: AtomicBool,
    failed: AtomicBool,
    draining: AtomicBool,
    mode: AtomicU8,
}

impl Counters {
    /// Fresh counters, the clock starting now.
    pub fn new(annotate: bool) -> Counters {
        Counters {
            started: Instant::now(),
            connections: AtomicU64::new(0),
            active: AtomicU64::new(0),
            connection_errors: AtomicU64::new(0),
            events_in: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            events_out: AtomicU64::new(0),
            alerts: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            output_retries: AtomicU64::new(0),
            undeliverable: AtomicU64::new(0),
            reinstantiations: AtomicU64::new(0),
            errors: Mutex::new(BTreeMap::new()),
            retrying: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            draining: AtomicBool::new(false),
            mode: AtomicU8::new(u8::from(annotate)),
        }
    }

    /// Adds the error counts of one batch.
    pub fn add_errors(&self, kinds: &BTreeMap<&'static str, u64>) {
        if kinds.is_empty() {
            return;
        }
        let mut all = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        for (k, n) in kinds {
            *all.entry(k).or_default() += n;
        }
    }

    /// Errors by kind so far.
    pub fn errors(&self) -> BTreeMap<&'static str, u64> {
        self.errors.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Marks the output as failing (being retried) or working again.
    pub fn set_retrying(&self, on: bool) {
        self.retrying.store(on, Relaxed);
    }

    /// Marks the output as gone for good.
    pub fn set_failed(&self) {
        self.failed.store(true, Relaxed);
    }

    /// Whether the output is gone for good.
    pub fn failed(&self) -> bool {
        self.failed.load(Relaxed)
    }

    /// Marks the start of the shutdown.
    pub fn set_draining(&self) {
        self.draining.store(true, Relaxed);
    }

    /// The state of the process, worst first.
    pub fn status(&self) -> Status {
        if self.failed.load(Relaxed) {
            Status::OutputFailed
        } else if self.draining.load(Relaxed) {
            Status::Draining
        } else if self.retrying.load(Relaxed) {
            Status::OutputRetrying
        } else {
            Status::Ok
        }
    }

    /// One JSON object with every counter; `report` says why it is written
    /// (`shutdown`, `signal`, `interval`, `health`).
    pub fn to_json(&self, report: &str) -> String {
        let errors = self.errors();
        let error_total: u64 = errors.values().sum();
        serde_json::json!({
            "report": report,
            "status": self.status().name(),
            "mode": if self.mode.load(Relaxed) == 1 { "annotate" } else { "alerts" },
            "uptime_seconds": (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            "connections": self.connections.load(Relaxed),
            "active_connections": self.active.load(Relaxed),
            "connection_errors": self.connection_errors.load(Relaxed),
            "events_in": self.events_in.load(Relaxed),
            "bytes_in": self.bytes_in.load(Relaxed),
            "events_out": self.events_out.load(Relaxed),
            "alerts": self.alerts.load(Relaxed),
            "errors": error_total,
            "errors_by_kind": errors,
            "batches": self.batches.load(Relaxed),
            "output_retries": self.output_retries.load(Relaxed),
            "undeliverable": self.undeliverable.load(Relaxed),
            "reinstantiations": self.reinstantiations.load(Relaxed),
        })
        .to_string()
    }

    /// The counters in words (for `--summary text`).
    pub fn to_text(&self) -> String {
        let errors = self.errors();
        let mut s = format!(
            "dnschild serve: {}: {} connection(s), {} event(s) in, {} out, {} alert(s), {} error(s)",
            self.status().name(),
            self.connections.load(Relaxed),
            self.events_in.load(Relaxed),
            self.events_out.load(Relaxed),
            self.alerts.load(Relaxed),
            errors.values().sum::<u64>(),
        );
        if !errors.is_empty() {
            let kinds: Vec<String> = errors.iter().map(|(k, n)| format!("{k}: {n}")).collect();
            s.push_str(&format!(" ({})", kinds.join(", ")));
        }
        let lost = self.undeliverable.load(Relaxed);
        if lost > 0 {
            s.push_str(&format!("; {lost} line(s) could not be written"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_order_and_report() {
        let c = Counters::new(true);
        assert_eq!(c.status(), Status::Ok);
        c.set_retrying(true);
        assert_eq!(c.status(), Status::OutputRetrying);
        c.set_draining();
        assert_eq!(c.status(), Status::Draining);
        c.set_failed();
        assert_eq!(c.status(), Status::OutputFailed);
        c.events_in.fetch_add(3, Relaxed);
        c.add_errors(&BTreeMap::from([("malformed_json", 2)]));
        c.add_errors(&BTreeMap::from([("malformed_json", 1), ("too_large", 1)]));
        let v: serde_json::Value = serde_json::from_str(&c.to_json("shutdown")).unwrap();
        assert_eq!(v["events_in"], 3);
        assert_eq!(v["errors"], 4);
        assert_eq!(v["errors_by_kind"], serde_json::json!({"malformed_json": 3, "too_large": 1}));
        assert_eq!((v["report"].as_str(), v["status"].as_str(), v["mode"].as_str()), (Some("shutdown"), Some("output_failed"), Some("annotate")));
    }
}
