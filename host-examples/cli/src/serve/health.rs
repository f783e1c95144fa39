//! The health check: `serve --health-listen ENDPOINT` answers every connection with one
//! line of JSON (the counters and a `status`) and closes it; `dnschild health ENDPOINT`
//! is the matching probe for a supervisor (exit 0 only when the status is `ok`).

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use super::endpoint::{Endpoint, Listener};
use super::{Counters, ServeError};

/// Longest health answer read by the probe.
const MAX_ANSWER: u64 = 64 << 10;

/// Answers health connections until `done` is set.
pub fn serve(listener: Listener, counters: Arc<Counters>, done: Arc<AtomicBool>) {
    while !done.load(Relaxed) {
        match listener.accept() {
            Ok(Some((mut s, _))) => {
                let _ = s.set_timeouts(Some(Duration::from_secs(2)));
                let mut line = counters.to_json("health");
                line.push('\n');
                let _ = s.write_all(line.as_bytes());
                let _ = s.shutdown_write();
            }
            Ok(None) | Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The answer of a health endpoint: its JSON line, and whether its status is `ok`.
pub fn probe(endpoint: &Endpoint, timeout: Duration) -> Result<(String, bool), ServeError> {
    let fail = |why: String| ServeError::Health { endpoint: endpoint.to_string(), why };
    if matches!(endpoint, Endpoint::Http { .. }) {
        return Err(fail("the health endpoint is tcp:// or unix:".into()));
    }
    let s = endpoint.connect(timeout).map_err(|e| fail(format!("cannot connect: {e}")))?;
    let mut text = String::new();
    s.take(MAX_ANSWER).read_to_string(&mut text).map_err(|e| fail(format!("cannot read the answer: {e}")))?;
    let line = text.trim().to_string();
    let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| fail(format!("the answer is not JSON ({e}): {line:?}")))?;
    let ok = v["status"] == "ok";
    Ok((line, ok))
}
