//! The single writer: output batches to stdout, a socket, or HTTP POST requests.
//!
//! Output lines are counted as out only once written (stdout, socket) or acknowledged
//! with a 2xx status (HTTP). A socket or HTTP target that fails is retried with the same
//! lines, with a growing pause, for as long as it takes: the readers wait meanwhile, so
//! nothing is dropped (after a reconnect the lines of the failed attempt are sent again:
//! at least once). Stdout that is closed cannot come back: then the process shuts down,
//! and the lines it could not write are counted as `undeliverable`.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use super::endpoint::{Endpoint, Stream};
use super::http::HttpClient;
use super::listen::Budget;
use super::worker::OutBatch;
use super::{Counters, Log};

/// Bytes gathered into one write (or one HTTP request) when more output is ready.
pub const CHUNK_BYTES: usize = 1 << 20;
/// Timeout for connecting to, and writing to, a socket or HTTP target.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);

enum Target {
    Stdout,
    Stream { endpoint: Endpoint, conn: Option<Stream> },
    Http(HttpClient),
}

/// The writer thread's state.
pub struct Writer {
    target: Target,
    rx: Receiver<OutBatch>,
    counters: Arc<Counters>,
    budget: Arc<Budget>,
    log: Arc<Log>,
    /// Set when the output is gone for good: the readers stop.
    stop: Arc<AtomicBool>,
}

impl Writer {
    /// A writer to `target` (`None`: stdout).
    pub fn new(target: Option<&Endpoint>, rx: Receiver<OutBatch>, counters: Arc<Counters>, budget: Arc<Budget>, log: Arc<Log>, stop: Arc<AtomicBool>) -> Writer {
        let target = match target {
            None => Target::Stdout,
            Some(Endpoint::Http { authority, path }) => Target::Http(HttpClient::new(authority, path, IO_TIMEOUT)),
            Some(e) => Target::Stream { endpoint: e.clone(), conn: None },
        };
        Writer { target, rx, counters, budget, log, stop }
    }

    /// Writes until every worker is gone.
    pub fn run(mut self) {
        while let Ok(first) = self.rx.recv() {
            let mut group = vec![first];
            let mut size = group[0].text.len();
            while size < CHUNK_BYTES {
                match self.rx.try_recv() {
                    Ok(b) => {
                        size += b.text.len();
                        group.push(b);
                    }
                    Err(_) => break,
                }
            }
            let lines: u64 = group.iter().map(|b| b.lines).sum();
            let bytes: usize = group.iter().map(|b| b.bytes).sum();
            if self.counters.failed() {
                self.counters.undeliverable.fetch_add(lines, Relaxed);
            } else if size > 0 {
                let written = self.deliver(&group);
                if written {
                    self.counters.events_out.fetch_add(lines, Relaxed);
                } else {
                    self.counters.undeliverable.fetch_add(lines, Relaxed);
                }
            }
            self.budget.give(bytes);
        }
        if let Target::Stream { conn: Some(c), .. } = &self.target {
            let _ = c.shutdown_write();
        }
    }

    /// Writes one group; false only when the output is gone for good.
    fn deliver(&mut self, group: &[OutBatch]) -> bool {
        let mut pause = Duration::from_millis(50);
        let mut failures = 0u64;
        loop {
            let r = match &mut self.target {
                Target::Stdout => {
                    let mut out = io::stdout().lock();
                    let r = group.iter().try_for_each(|b| out.write_all(b.text.as_bytes())).and_then(|_| out.flush());
                    if let Err(e) = r {
                        self.log.note(&format!("cannot write to stdout, shutting down: {e}"));
                        self.counters.set_failed();
                        self.stop.store(true, Relaxed);
                        return false;
                    }
                    Ok(())
                }
                Target::Stream { endpoint, conn } => write_stream(endpoint, conn, group),
                Target::Http(client) => {
                    let body: Vec<u8> = group.iter().flat_map(|b| b.text.as_bytes()).copied().collect();
                    client.post(&body).map_err(|e| e.to_string())
                }
            };
            match r {
                Ok(()) => {
                    self.counters.set_retrying(false);
                    return true;
                }
                Err(e) => {
                    failures += 1;
                    self.counters.output_retries.fetch_add(1, Relaxed);
                    self.counters.set_retrying(true);
                    if failures.is_power_of_two() {
                        self.log.note(&format!("output failed ({failures} attempt(s) so far, retrying): {e}"));
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

fn write_stream(endpoint: &Endpoint, conn: &mut Option<Stream>, group: &[OutBatch]) -> Result<(), String> {
    if conn.is_none() {
        *conn = Some(endpoint.connect(IO_TIMEOUT).map_err(|e| format!("cannot connect to {endpoint}: {e}"))?);
    }
    let Some(s) = conn.as_mut() else { return Err("no connection".into()) };
    let r = group.iter().try_for_each(|b| s.write_all(b.text.as_bytes())).and_then(|_| s.flush());
    r.map_err(|e| {
        *conn = None;
        format!("cannot write to {endpoint}: {e}")
    })
}
