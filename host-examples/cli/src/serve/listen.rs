//! Accepting connections and reading newline-delimited events from them.
//!
//! One thread per listener accepts; one thread per connection reads lines (bounded by
//! `max_line_bytes`, a longer line is reported, never held) and hands them on in batches
//! over a bounded channel. Before a line is handed on, its bytes are taken from the shared
//! [`Budget`]; they are given back only once its output line is written. So when the
//! output is slow, the readers wait, stop reading their sockets, and the senders' writes
//! block in turn: nothing is buffered without bound.

use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::endpoint::{Listener, Stream};
use super::{Counters, Log};
use crate::input::{InputError, Lines, Record};

/// How often a blocked read or accept looks at the shutdown flag.
pub const POLL: Duration = Duration::from_millis(50);
/// Bytes counted per record on top of its text, so that many tiny records are bounded too.
pub const RECORD_OVERHEAD: usize = 64;

/// Bytes of event text in flight between the readers and the output, with an upper bound.
#[derive(Debug)]
pub struct Budget {
    used: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Budget {
        Budget { used: Mutex::new(0), freed: Condvar::new(), limit }
    }

    /// Takes `n` bytes if they fit now. One record larger than the whole budget fits
    /// when nothing else is in flight, so a big line slows things down but never stalls them.
    pub fn try_take(&self, n: usize) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if *used == 0 || *used + n <= self.limit {
            *used += n;
            true
        } else {
            false
        }
    }

    /// Takes `n` bytes, waiting for them to be given back.
    pub fn take(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while !(*used == 0 || *used + n <= self.limit) {
            used = self.freed.wait(used).unwrap_or_else(|p| p.into_inner());
        }
        *used += n;
    }

    /// Gives `n` bytes back.
    pub fn give(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        *used = used.saturating_sub(n);
        self.freed.notify_all();
    }

    /// Bytes in flight now.
    pub fn used(&self) -> usize {
        *self.used.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One line as read, ready for evaluation.
#[derive(Debug)]
pub enum Item {
    /// An event's text.
    Event(String),
    /// The last line of a connection, cut short (no newline, not a whole JSON value).
    Truncated(String),
    /// A line that could not be read (not UTF-8, over the line limit); its text is the error.
    Unreadable(Record),
}

/// Lines of one connection, in order.
#[derive(Debug)]
pub struct InBatch {
    /// The connection's number (1-based, in accept order).
    pub conn: u64,
    /// (line number, line).
    pub items: Vec<(u64, Item)>,
    /// Budget bytes these lines hold.
    pub bytes: usize,
}

/// What every connection reader shares.
#[derive(Clone)]
pub struct Shared {
    /// Set at shutdown: stop accepting and reading.
    pub stop: Arc<AtomicBool>,
    /// The counters.
    pub counters: Arc<Counters>,
    /// The in-flight byte budget.
    pub budget: Arc<Budget>,
    /// Where batches go.
    pub tx: SyncSender<InBatch>,
    /// Lines per batch, at most.
    pub batch: usize,
    /// Longest line read into memory.
    pub max_line_bytes: usize,
    /// Most connections open at once; more wait in the listen backlog.
    pub max_connections: u64,
    /// The error log on stderr.
    pub log: Arc<Log>,
    /// The connection readers, joined at shutdown.
    pub readers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

/// Accepts connections until the shutdown, one reader thread each.
pub fn accept_loop(listener: Listener, sh: Shared) {
    let name = listener.local();
    while !sh.stop.load(Relaxed) {
        if sh.counters.active.load(Relaxed) >= sh.max_connections {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        match listener.accept() {
            Ok(Some((stream, peer))) => {
                let id = sh.counters.connections.fetch_add(1, Relaxed) + 1;
                sh.counters.active.fetch_add(1, Relaxed);
                let conn_sh = sh.clone();
                let spawned = std::thread::Builder::new().name(format!("conn-{id}")).spawn(move || {
                    read_connection(stream, id, &peer, &conn_sh);
                    conn_sh.counters.active.fetch_sub(1, Relaxed);
                });
                match spawned {
                    Ok(h) => {
                        let mut readers = sh.readers.lock().unwrap_or_else(|p| p.into_inner());
                        readers.retain(|h| !h.is_finished());
                        readers.push(h);
                    }
                    Err(e) => {
                        sh.counters.active.fetch_sub(1, Relaxed);
                        sh.log.note(&format!("{name}: cannot start a reader thread, connection {id} closed: {e}"));
                    }
                }
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                sh.log.note(&format!("{name}: accept failed: {e}"));
                std::thread::sleep(POLL);
            }
        }
    }
}

/// A socket reader that waits out read timeouts, counts bytes, reports the end of the
/// stream at shutdown (what is already buffered is still read), and remembers its last byte.
struct Patient<'a> {
    inner: Stream,
    stop: &'a AtomicBool,
    counters: &'a Counters,
    last: Option<u8>,
    ended: bool,
}

impl Read for Patient<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.ended || self.stop.load(Relaxed) {
                self.ended = true;
                return Ok(0);
            }
            match self.inner.read(buf) {
                Ok(0) => {
                    self.ended = true;
                    return Ok(0);
                }
                Ok(n) => {
                    self.last = Some(buf[n - 1]);
                    self.counters.bytes_in.fetch_add(n as u64, Relaxed);
                    return Ok(n);
                }
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Whether `buf` holds a whole line that is not blank (so the next read will not block).
pub fn has_complete_line(buf: &[u8]) -> bool {
    let mut rest = buf;
    while let Some(i) = memchr::memchr(b'\n', rest) {
        if !rest[..i].iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

fn read_connection(stream: Stream, id: u64, peer: &str, sh: &Shared) {
    if let Err(e) = stream.set_read_timeout(Some(POLL)) {
        sh.log.note(&format!("connection {id} from {peer}: cannot set a read timeout: {e}"));
    }
    let patient = Patient { inner: stream, stop: &sh.stop, counters: &sh.counters, last: None, ended: false };
    let mut lines = Lines::with_limit(BufReader::with_capacity(1 << 16, patient), sh.max_line_bytes);
    let mut pending = InBatch { conn: id, items: Vec::with_capacity(sh.batch), bytes: 0 };
    while let Some(rec) = lines.next() {
        let item = match rec.text {
            Ok(text) => {
                let p = lines.get_ref().get_ref();
                let unterminated = p.ended && p.last != Some(b'\n');
                if unterminated && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err() {
                    Item::Truncated(text)
                } else {
                    Item::Event(text)
                }
            }
            Err(InputError::Io(e)) => {
                // The connection broke (reset by the peer, ...): not an event.
                sh.counters.connection_errors.fetch_add(1, Relaxed);
                sh.log.note(&format!("connection {id} from {peer}: read error after line {}: {e}", rec.number - 1));
                continue;
            }
            Err(e) => Item::Unreadable(Record { text: Err(e), ..rec }),
        };
        let cost = RECORD_OVERHEAD
            + match &item {
                Item::Event(t) | Item::Truncated(t) => t.len(),
                Item::Unreadable(_) => 0,
            };
        if !sh.budget.try_take(cost) {
            // Hand on what this reader holds before waiting, or the readers could starve each other.
            if !send(sh, &mut pending) {
                return;
            }
            sh.budget.take(cost);
        }
        sh.counters.events_in.fetch_add(1, Relaxed);
        pending.items.push((rec.number, item));
        pending.bytes += cost;
        if (pending.items.len() >= sh.batch || !has_complete_line(lines.get_ref().buffer())) && !send(sh, &mut pending) {
            return;
        }
    }
    send(sh, &mut pending);
}

/// Hands the pending batch on; false when the workers are gone (then its bytes are given back).
fn send(sh: &Shared, pending: &mut InBatch) -> bool {
    if pending.items.is_empty() {
        return true;
    }
    let batch = InBatch { conn: pending.conn, items: std::mem::take(&mut pending.items), bytes: std::mem::take(&mut pending.bytes) };
    match sh.tx.send(batch) {
        Ok(()) => true,
        Err(e) => {
            let lost = e.0;
            sh.counters.undeliverable.fetch_add(lost.items.len() as u64, Relaxed);
            sh.budget.give(lost.bytes);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_lines() {
        assert!(!has_complete_line(b""));
        assert!(!has_complete_line(b"{\"a\":1}"));
        assert!(!has_complete_line(b"\n \r\n\t\n{\"a\""));
        assert!(has_complete_line(b"{\"a\":1}\n"));
        assert!(has_complete_line(b"\n\n x\n"));
    }

    #[test]
    fn budget_bounds_and_lets_one_big_record_through() {
        let b = Budget::new(100);
        assert!(b.try_take(60));
        assert!(!b.try_take(60));
        assert!(b.try_take(40));
        b.give(100);
        assert_eq!(b.used(), 0);
        assert!(b.try_take(1000), "alone, a record over the budget still goes");
        assert!(!b.try_take(1));
        b.give(1000);
        let b = Arc::new(b);
        assert!(b.try_take(100));
        let waiter = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || b.take(50))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "take waits while the budget is spent");
        b.give(100);
        waiter.join().unwrap();
        assert_eq!(b.used(), 50);
    }
}
