//! The scan loop: records in, batched through the plugin, alerts (or annotated events) out.
//!
//! Nothing is dropped: in annotate mode every record read comes out exactly once, in
//! order, as one line of JSON — unchanged when it has no alert, with a `dnschild` key when
//! it has one, and with a `dnschild_error` key (or wrapped as `event_raw`) when it could
//! not be evaluated. Each bad record is reported on stderr with its file and line/record.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

use crate::input::{self, Format, InputError, Record};
use crate::plugin::{EventFailure, Plugin, Verdict};

/// What `scan` writes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only alerts, one JSON document per line.
    Alerts,
    /// Every event, with its alert (or error) attached.
    Annotate,
}

/// Options of one scan.
#[derive(Debug, Clone)]
pub struct Options {
    /// Alerts only, or every event annotated.
    pub mode: Mode,
    /// Pretty-print alerts (alerts mode only; annotate output stays one event per line).
    pub pretty: bool,
    /// The input format, or `None` to detect it per input.
    pub format: Option<Format>,
    /// Events per call into the plugin.
    pub batch: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Most per-record error messages printed on stderr (all are counted).
    pub max_error_messages: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { mode: Mode::Alerts, pretty: false, format: None, batch: 256, progress: false, max_error_messages: 100 }
    }
}

/// Counts of one scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Inputs opened.
    pub inputs: u64,
    /// Records read (events, including those that could not be evaluated).
    pub events: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Records that could not be evaluated, and inputs that could not be read, by kind.
    pub errors: BTreeMap<&'static str, u64>,
    /// Records written to stdout.
    pub written: u64,
}

impl Summary {
    /// All errors.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The summary as one line of JSON.
    pub fn to_json(&self, seconds: f64) -> String {
        serde_json::json!({
            "inputs": self.inputs, "events": self.events, "alerts": self.alerts,
            "errors": self.error_count(), "errors_by_kind": self.errors, "written": self.written,
            "seconds": (seconds * 1000.0).round() / 1000.0,
        })
        .to_string()
    }

    /// The summary in words.
    pub fn to_text(&self, seconds: f64) -> String {
        let mut s = format!(
            "dnschild: {} input(s), {} event(s), {} alert(s), {} error(s) in {:.2} s",
            self.inputs,
            self.events,
            self.alerts,
            self.error_count(),
            seconds
        );
        if !self.errors.is_empty() {
            let kinds: Vec<String> = self.errors.iter().map(|(k, n)| format!("{k}: {n}")).collect();
            s.push_str(&format!(" ({})", kinds.join(", ")));
        }
        s
    }
}

/// A scan in progress: the plugin, the output, the counters.
pub struct Scanner<'p, W: Write, E: Write> {
    plugin: &'p mut Plugin,
    out: W,
    diag: E,
    opts: Options,
    /// The counts so far.
    pub summary: Summary,
    messages: u64,
    progress: Progress,
}

impl<'p, W: Write, E: Write> Scanner<'p, W, E> {
    /// A scanner writing results to `out` and diagnostics to `diag`.
    pub fn new(plugin: &'p mut Plugin, out: W, diag: E, opts: Options) -> Self {
        let progress = Progress::new(opts.progress);
        Scanner { plugin, out, diag, opts, summary: Summary::default(), messages: 0, progress }
    }

    /// Scans one input called `name` (`-` for stdin); `size` is its length when known.
    pub fn scan(&mut self, name: &str, reader: impl Read, size: Option<u64>) -> std::io::Result<()> {
        self.summary.inputs += 1;
        self.progress.start(name, size);
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let head = match reader.fill_buf() {
            Ok(h) => h.to_vec(),
            Err(e) => {
                self.input_error(name, None, &InputError::Io(e.to_string()));
                return Ok(());
            }
        };
        if input::is_utf16(&head) {
            // UTF-16 text of any format: decoded whole, then read as its content says.
            let decoded = input::read_all(reader).and_then(|b| input::decode_text(&b));
            return match decoded {
                Ok(text) => self.scan_text(name, text.into_bytes()),
                Err(e) => {
                    self.input_error(name, None, &e);
                    Ok(())
                }
            };
        }
        self.scan_reader(name, reader)
    }

    /// Scans text already decoded to UTF-8 (from a UTF-16 input).
    fn scan_text(&mut self, name: &str, text: Vec<u8>) -> std::io::Result<()> {
        let size = text.len() as u64;
        self.progress.start(name, Some(size));
        self.scan_reader(name, BufReader::new(std::io::Cursor::new(text)))
    }

    fn scan_reader(&mut self, name: &str, mut reader: impl BufRead) -> std::io::Result<()> {
        let head = match reader.fill_buf() {
            Ok(h) => h.to_vec(),
            Err(e) => {
                self.input_error(name, None, &InputError::Io(e.to_string()));
                return Ok(());
            }
        };
        let format = self.opts.format.unwrap_or_else(|| input::sniff(&head, name));
        let label = if format == Format::Ndjson { "line" } else { "record" };
        if format == Format::Ndjson && !(self.opts.format.is_none() && input::first_line_is_partial(&head)) {
            let mut batch = Vec::with_capacity(self.opts.batch);
            for rec in input::Lines::new(reader) {
                batch.push(rec);
                if batch.len() >= self.opts.batch {
                    self.run_batch(name, label, &mut batch)?;
                }
            }
            self.run_batch(name, label, &mut batch)?;
        } else {
            let bytes = match input::read_all(reader) {
                Ok(b) => b,
                Err(e) => {
                    self.input_error(name, None, &e);
                    return Ok(());
                }
            };
            let records = match format {
                Format::Evtx => input::evtx_records(bytes),
                Format::Xml => input::xml_records(&bytes),
                Format::Json | Format::Ndjson => input::json_records(&bytes),
            };
            // Progress counts records here: the input was read whole.
            self.progress.start(name, Some(records.len() as u64));
            let mut records = records.into_iter().map(|r| Record { bytes: 1, ..r });
            loop {
                let mut batch: Vec<Record> = records.by_ref().take(self.opts.batch).collect();
                if batch.is_empty() {
                    break;
                }
                self.run_batch(name, label, &mut batch)?;
            }
        }
        Ok(())
    }

    /// Reports an input that could not be opened at all.
    pub fn input_error(&mut self, name: &str, number: Option<(&str, u64)>, e: &InputError) {
        *self.summary.errors.entry(e.kind()).or_default() += 1;
        self.message(name, number, e.kind(), &e.to_string());
    }

    fn message(&mut self, name: &str, at: Option<(&str, u64)>, kind: &str, text: &str) {
        self.messages += 1;
        if self.messages <= self.opts.max_error_messages {
            let place = at.map(|(l, n)| format!(" {l} {n}")).unwrap_or_default();
            self.progress.clear(&mut self.diag);
            let _ = writeln!(self.diag, "dnschild: {name}{place}: {kind}: {text}");
        } else if self.messages == self.opts.max_error_messages + 1 {
            let _ = writeln!(self.diag, "dnschild: further errors are counted, not printed");
        }
    }

    fn run_batch(&mut self, name: &str, label: &str, batch: &mut Vec<Record>) -> std::io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let texts: Vec<String> = batch.iter().filter_map(|r| r.text.as_ref().ok().cloned()).collect();
        let mut verdicts = self.plugin.evaluate_batch(&texts).into_iter();
        for rec in batch.drain(..) {
            self.summary.events += 1;
            self.progress.advance(rec.bytes);
            match &rec.text {
                Err(e) => {
                    *self.summary.errors.entry(e.kind()).or_default() += 1;
                    self.message(name, Some((label, rec.number)), e.kind(), &e.to_string());
                    if self.opts.mode == Mode::Annotate {
                        let line = crate::annotate::input_error(&rec, e);
                        self.write_line(&line)?;
                    }
                }
                Ok(text) => {
                    let verdict = verdicts.next().unwrap_or_else(|| Err(EventFailure::Trap("no verdict returned".into())));
                    self.emit(name, label, rec.number, text, verdict)?;
                }
            }
        }
        self.progress.draw(&mut self.diag, &self.summary);
        Ok(())
    }

    fn emit(&mut self, name: &str, label: &str, number: u64, text: &str, verdict: Verdict) -> std::io::Result<()> {
        match verdict {
            Ok(Some(alert)) => {
                self.summary.alerts += 1;
                match self.opts.mode {
                    Mode::Alerts if self.opts.pretty => {
                        let v: serde_json::Value = serde_json::from_str(&alert.rendered).unwrap_or(serde_json::Value::Null);
                        let pretty = serde_json::to_string_pretty(&v).unwrap_or_else(|_| alert.rendered.clone());
                        self.write_line(&pretty)
                    }
                    Mode::Alerts => self.write_line(&alert.rendered),
                    Mode::Annotate => self.write_line(&crate::annotate::with_alert(text, &alert.rendered)),
                }
            }
            // The component does not parse what it can rule out: a malformed line without a
            // trace of dns.exe has no verdict error, so it is checked here, as `serve` does.
            Ok(None) => match crate::annotate::unchanged_checked(text) {
                Ok(line) if self.opts.mode == Mode::Annotate => self.write_line(&line),
                Ok(_) => Ok(()),
                Err((kind, message)) => {
                    *self.summary.errors.entry(kind).or_default() += 1;
                    self.message(name, Some((label, number)), kind, &message);
                    match self.opts.mode {
                        Mode::Annotate => self.write_line(&crate::annotate::with_error(text, kind, &message)),
                        Mode::Alerts => Ok(()),
                    }
                }
            },
            Err(f) => {
                *self.summary.errors.entry(f.kind()).or_default() += 1;
                self.message(name, Some((label, number)), f.kind(), &f.message());
                match self.opts.mode {
                    Mode::Annotate => self.write_line(&crate::annotate::with_error(text, f.kind(), &f.message())),
                    Mode::Alerts => Ok(()),
                }
            }
        }
    }

    fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        self.summary.written += 1;
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Flushes the output; returns the writer and the error stream.
    pub fn finish(mut self) -> std::io::Result<(W, E)> {
        self.progress.clear(&mut self.diag);
        self.out.flush()?;
        Ok((self.out, self.diag))
    }
}

/// A one-line progress bar on a terminal.
struct Progress {
    on: bool,
    total: Option<u64>,
    done: u64,
    last: Instant,
    drawn: bool,
}

impl Progress {
    fn new(on: bool) -> Self {
        Progress { on, total: None, done: 0, last: Instant::now(), drawn: false }
    }

    fn start(&mut self, _name: &str, size: Option<u64>) {
        self.total = size.filter(|&s| s > 0);
        self.done = 0;
    }

    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
    }

    fn draw(&mut self, diag: &mut impl Write, s: &Summary) {
        if !self.on || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let bar = match self.total {
            Some(t) => {
                let frac = (self.done as f64 / t as f64).min(1.0);
                let filled = (frac * 30.0) as usize;
                format!("[{}{}] {:>3.0}%", "#".repeat(filled), ".".repeat(30 - filled), frac * 100.0)
            }
            None => String::from("[reading]"),
        };
        let _ = write!(diag, "\r{bar} {} events, {} alerts, {} errors ", s.events, s.alerts, s.error_count());
        let _ = diag.flush();
        self.drawn = true;
    }

    fn clear(&mut self, diag: &mut impl Write) {
        if self.drawn {
            let _ = write!(diag, "\r{:78}\r", "");
            self.drawn = false;
        }
    }
}
