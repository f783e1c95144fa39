//! `dnschild serve`: the component as a sidecar for log pipelines (Vector, above all).
//!
//! ```text
//! connections ─► reader per connection ─(bounded: batches + a byte budget)─► workers
//!  (tcp, unix)    Lines, bounded lines                                       one component
//!                                                                            instance each
//!        ◄── readers wait, sockets fill, senders block ◄──── writer ◄─(bounded)─┘
//!                                                 stdout | tcp | unix | http POST
//! ```
//!
//! - Every line read is counted as in, and in annotate mode comes out exactly once: with
//!   its alert under `dnschild`, unchanged, or with a `dnschild_error` (see [`crate::annotate`]).
//! - Bytes between reading and writing are bounded by `--buffer-bytes` (one line larger
//!   than that still passes, alone); each connection holds at most one line in progress
//!   (at most `--max-line-bytes`). With one worker, the lines of a connection stay in order.
//! - SIGTERM / SIGINT: stop accepting and reading, evaluate and write what was read, flush,
//!   report the counters, exit 0. A second one exits at once with status 1.
//!   SIGUSR1: report the counters on stderr and go on.

mod counters;
pub mod endpoint;
pub mod health;
pub mod http;
pub mod listen;
pub mod output;
pub mod worker;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::thread::{Builder, JoinHandle};
use std::time::{Duration, Instant};

pub use counters::{Counters, Status};
pub use endpoint::Endpoint;

use crate::plugin::{Plugin, PluginError};
use crate::scan::Mode;

/// Why `serve` could not start (once running, it reports and carries on instead).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// An address on the command line that cannot be used.
    #[error("bad endpoint `{text}`: {why}")]
    BadEndpoint {
        /// As given.
        text: String,
        /// What is expected.
        why: &'static str,
    },
    /// A listening socket could not be opened.
    #[error("cannot listen on {endpoint}: {source}")]
    Bind {
        /// The endpoint.
        endpoint: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A Unix socket path is in use by a live process.
    #[error("{0} is in use by another process")]
    InUse(std::path::PathBuf),
    /// A second component instance could not be made.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// A thread or a signal handler could not be set up.
    #[error("cannot start: {0}")]
    Setup(std::io::Error),
    /// A health endpoint did not answer as expected.
    #[error("health check of {endpoint} failed: {why}")]
    Health {
        /// The endpoint probed.
        endpoint: String,
        /// What went wrong.
        why: String,
    },
}

/// How the counters are written on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// One JSON object per line.
    Json,
    /// One sentence per line.
    Text,
    /// No summary at shutdown (SIGUSR1 and `--stats-interval` still report, as JSON).
    None,
}

/// Options of `dnschild serve`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen (at least one).
    pub listen: Vec<Endpoint>,
    /// Where to write; `None` is stdout.
    pub output: Option<Endpoint>,
    /// Annotate (every event) or alerts only.
    pub mode: Mode,
    /// Component instances evaluating in parallel.
    pub workers: usize,
    /// Lines per call into the component, at most.
    pub batch: usize,
    /// Longest line read into memory; a longer one passes as a `too_large` error.
    pub max_line_bytes: usize,
    /// Bytes of events in flight between reading and writing, at most.
    pub buffer_bytes: usize,
    /// Connections open at once, at most (more wait in the listen backlog).
    pub max_connections: u64,
    /// Where to answer health checks.
    pub health: Option<Endpoint>,
    /// Report the counters this often (`None`: only on SIGUSR1 and at shutdown).
    pub stats_interval: Option<Duration>,
    /// Format of the counters.
    pub report: Report,
    /// Most per-line error messages printed on stderr (all are counted).
    pub max_error_messages: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: Vec::new(),
            output: None,
            mode: Mode::Annotate,
            workers: 1,
            batch: 256,
            max_line_bytes: 4 << 20,
            buffer_bytes: 32 << 20,
            max_connections: 64,
            health: None,
            stats_interval: None,
            report: Report::Json,
            max_error_messages: 100,
        }
    }
}

/// Messages on stderr: notes (always) and per-line errors (the first few).
#[derive(Debug)]
pub struct Log {
    max: u64,
    printed: AtomicU64,
}

impl Log {
    /// A log printing at most `max` per-line errors.
    pub fn new(max: u64) -> Log {
        Log { max, printed: AtomicU64::new(0) }
    }

    /// An operational note (listening, shutting down, output failures).
    pub fn note(&self, msg: &str) {
        eprintln!("dnschild serve: {msg}");
    }

    /// A line that could not be evaluated.
    pub fn record(&self, conn: u64, line: u64, kind: &str, msg: &str) {
        let n = self.printed.fetch_add(1, Relaxed);
        if n < self.max {
            eprintln!("dnschild serve: connection {conn} line {line}: {kind}: {msg}");
        } else if n == self.max {
            eprintln!("dnschild serve: further errors are counted, not printed");
        }
    }
}

fn spawn<F: FnOnce() + Send + 'static>(name: &str, f: F) -> Result<JoinHandle<()>, ServeError> {
    Builder::new().name(name.to_string()).spawn(f).map_err(ServeError::Setup)
}

fn report(counters: &Counters, format: Report, why: &str) {
    let line = if format == Report::Text { counters.to_text() } else { counters.to_json(why) };
    eprintln!("{line}");
}

/// Runs until SIGTERM / SIGINT (or until stdout is closed); returns the exit status:
/// 0 when every line read was written, 1 when some could not be.
pub fn run(first: Plugin, opts: Options) -> Result<u8, ServeError> {
    use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
    let term = Arc::new(AtomicBool::new(false));
    let usr1 = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGINT] {
        // Registered first, so that it sees the flag of an earlier signal: a second one exits at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&term)).map_err(ServeError::Setup)?;
        signal_hook::flag::register(sig, Arc::clone(&term)).map_err(ServeError::Setup)?;
    }
    signal_hook::flag::register(SIGUSR1, Arc::clone(&usr1)).map_err(ServeError::Setup)?;

    let listeners = opts.listen.iter().map(Endpoint::bind).collect::<Result<Vec<_>, _>>()?;
    let health = opts.health.as_ref().map(Endpoint::bind).transpose()?;
    let workers = opts.workers.max(1);
    let mut plugins = Vec::with_capacity(workers);
    for _ in 1..workers {
        plugins.push(first.fork()?);
    }
    plugins.push(first);

    let counters = Arc::new(Counters::new(opts.mode == Mode::Annotate));
    let log = Arc::new(Log::new(opts.max_error_messages));
    let stop = Arc::new(AtomicBool::new(false));
    let budget = Arc::new(listen::Budget::new(opts.buffer_bytes));
    let (in_tx, in_rx) = sync_channel(2 * workers + 2);
    let (out_tx, out_rx) = sync_channel(2 * workers + 2);

    let w = output::Writer::new(opts.output.as_ref(), out_rx, Arc::clone(&counters), Arc::clone(&budget), Arc::clone(&log), Arc::clone(&stop));
    let writer = spawn("writer", move || w.run())?;
    let in_rx = Arc::new(Mutex::new(in_rx));
    let mut threads = Vec::new();
    for (i, plugin) in plugins.into_iter().enumerate() {
        let w = worker::Worker {
            mode: opts.mode,
            rx: Arc::clone(&in_rx),
            tx: out_tx.clone(),
            counters: Arc::clone(&counters),
            budget: Arc::clone(&budget),
            log: Arc::clone(&log),
        };
        threads.push(spawn(&format!("worker-{i}"), move || w.run(plugin))?);
    }
    drop(out_tx);
    let readers = Arc::new(Mutex::new(Vec::new()));
    let shared = listen::Shared {
        stop: Arc::clone(&stop),
        counters: Arc::clone(&counters),
        budget: Arc::clone(&budget),
        tx: in_tx,
        batch: opts.batch.max(1),
        max_line_bytes: opts.max_line_bytes,
        max_connections: opts.max_connections.max(1),
        log: Arc::clone(&log),
        readers: Arc::clone(&readers),
    };
    for l in listeners {
        log.note(&format!("listening on {}", l.local()));
        let sh = shared.clone();
        threads.push(spawn("accept", move || listen::accept_loop(l, sh))?);
    }
    drop(shared);
    let health_done = Arc::new(AtomicBool::new(false));
    if let Some(l) = health {
        log.note(&format!("health checks on {}", l.local()));
        let (c, d) = (Arc::clone(&counters), Arc::clone(&health_done));
        threads.push(spawn("health", move || health::serve(l, c, d))?);
    }
    let target = opts.output.as_ref().map_or_else(|| "stdout".to_string(), Endpoint::to_string);
    let mode = if opts.mode == Mode::Annotate { "annotate" } else { "alerts" };
    log.note(&format!("ready: {workers} worker(s), {mode} mode, writing to {target}"));

    let mut last_stats = Instant::now();
    let mut draining = false;
    while !writer.is_finished() {
        std::thread::sleep(Duration::from_millis(20));
        if usr1.swap(false, Relaxed) {
            report(&counters, opts.report, "signal");
        }
        if opts.stats_interval.is_some_and(|i| last_stats.elapsed() >= i) {
            last_stats = Instant::now();
            report(&counters, opts.report, "interval");
        }
        if !draining && (term.load(Relaxed) || counters.failed()) {
            draining = true;
            counters.set_draining();
            stop.store(true, Relaxed);
            log.note("shutting down: no more connections or reads; writing what was read");
        }
    }
    let _ = writer.join();
    health_done.store(true, Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let rest: Vec<JoinHandle<()>> = std::mem::take(&mut *readers.lock().unwrap_or_else(|p| p.into_inner()));
    for t in rest {
        let _ = t.join();
    }
    if opts.report != Report::None {
        report(&counters, opts.report, "shutdown");
    }
    Ok(u8::from(counters.undeliverable.load(Relaxed) > 0))
}
