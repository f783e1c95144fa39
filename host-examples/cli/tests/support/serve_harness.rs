//! Playing Vector's part for `dnschild serve`: the `socket` sink (NDJSON, newline framing,
//! reconnects), the `exec` source (reading the child's stdout line by line), and the
//! `socket` / `http_server` sources. Every wait is bounded in time.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const POSITIVE: &str = r#""actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","HOSTNAME":"DNS01""#;
pub const CONHOST: &str = r#""actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\conhost.exe","HOSTNAME":"DNS01""#;
pub const BENIGN: &str = r#""EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\svchost.exe","ParentImage":"C:\\Windows\\services.exe","Computer":"WS-0042.corp.example","User":"NT AUTHORITY\\SYSTEM""#;

/// What line `seq` of the standard mix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Positive,
    Conhost,
    MalformedDns,
    MalformedPlain,
    Oversized,
    Giant,
    BadUtf8,
    Benign,
}

/// The standard mix: 1 positive per 1,000, malformed lines with and without dns.exe,
/// lines over a 64 KiB limit, two 8 MiB lines, invalid UTF-8, and benign events.
pub fn class(seq: u64) -> Class {
    match seq {
        _ if seq % 1000 == 7 => Class::Positive,
        _ if seq % 1000 == 500 => Class::Conhost,
        _ if seq % 997 == 3 => Class::MalformedDns,
        _ if seq % 991 == 5 => Class::MalformedPlain,
        _ if seq % 50_000 == 11 => Class::Oversized,
        _ if seq == 333_333 || seq == 777_777 => Class::Giant,
        _ if seq % 10_007 == 13 => Class::BadUtf8,
        _ => Class::Benign,
    }
}

/// The bytes of line `seq` (without its newline).
pub fn line(seq: u64, mix: fn(u64) -> Class) -> Vec<u8> {
    match mix(seq) {
        Class::Positive => format!("{{\"seq\":{seq},{POSITIVE}}}").into_bytes(),
        Class::Conhost => format!("{{\"seq\":{seq},{CONHOST}}}").into_bytes(),
        Class::MalformedDns => format!("{{\"seq\":{seq},\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\dns.exe\",\"Image\":").into_bytes(),
        Class::MalformedPlain => format!("{{\"seq\":{seq},\"Image\":\"x.exe\",,}}").into_bytes(),
        Class::Oversized => format!("{{\"seq\":{seq},\"pad\":\"{}\"}}", "A".repeat(70_000)).into_bytes(),
        Class::Giant => format!("{{\"seq\":{seq},\"pad\":\"{}\"}}", "B".repeat(8 << 20)).into_bytes(),
        Class::BadUtf8 => {
            let mut v = format!("{{\"seq\":{seq},\"Image\":\"").into_bytes();
            v.extend_from_slice(b"\xff.exe\"}");
            v
        }
        Class::Benign => format!("{{\"seq\":{seq},{BENIGN}}}").into_bytes(),
    }
}

/// Counts of each class over `range`.
pub fn expected(range: std::ops::Range<u64>, mix: fn(u64) -> Class) -> BTreeMap<Class, u64> {
    let mut m = BTreeMap::new();
    for s in range {
        *m.entry(mix(s)).or_insert(0) += 1;
    }
    m
}

pub fn component() -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../dist/dnschild.component.wasm"));
    assert!(p.is_file(), "{} is missing: run `make component` first", p.display());
    p
}

/// A fresh directory for one test's sockets.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dnschild-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A running `dnschild serve`.
pub struct Serve {
    pub child: Child,
    pub stderr: Arc<Mutex<Vec<String>>>,
    stderr_thread: Option<JoinHandle<()>>,
}

impl Serve {
    /// Starts `dnschild serve ARGS`, waits until it is ready (bounded).
    pub fn start(args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dnschild"))
            .arg("serve")
            .arg("--component")
            .arg(component())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        let stderr_thread = std::thread::spawn(move || {
            for l in BufReader::new(err).lines() {
                let Ok(l) = l else { break };
                sink.lock().unwrap().push(l);
            }
        });
        let s = Serve { child, stderr, stderr_thread: Some(stderr_thread) };
        s.wait_stderr(|l| l.contains(" ready: "), Duration::from_secs(30));
        s
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout(&mut self) -> ChildStdout {
        self.child.stdout.take().unwrap()
    }

    /// The first stderr line that satisfies `f`, waiting up to `limit`.
    pub fn wait_stderr(&self, f: impl Fn(&str) -> bool, limit: Duration) -> String {
        let t = Instant::now();
        loop {
            if let Some(l) = self.stderr.lock().unwrap().iter().find(|l| f(l)) {
                return l.clone();
            }
            assert!(t.elapsed() < limit, "stderr never showed the line; so far:\n{}", self.stderr.lock().unwrap().join("\n"));
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The port of the `n`th TCP listener, from the `listening on` lines.
    pub fn tcp_port(&self, n: usize) -> u16 {
        self.wait_stderr(|l| l.contains("listening on tcp://"), Duration::from_secs(5));
        let lines = self.stderr.lock().unwrap().clone();
        let l = lines.iter().filter(|l| l.contains("listening on tcp://")).nth(n).expect("no such TCP listener");
        l.rsplit(':').next().unwrap().trim().parse().unwrap()
    }

    pub fn signal(&self, sig: &str) {
        let st = Command::new("kill").arg(format!("-{sig}")).arg(self.pid().to_string()).status().unwrap();
        assert!(st.success());
    }

    /// Peak and current resident memory (KiB), from /proc.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let field = |name: &str| -> u64 {
            let l = status.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name}"));
            l.split_whitespace().nth(1).unwrap().parse().unwrap()
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Waits (bounded) for the process to exit; its status and the last stderr line as JSON.
    pub fn wait(mut self, limit: Duration) -> (Option<i32>, Value) {
        let t = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if t.elapsed() > limit {
                let _ = self.child.kill();
                panic!("serve did not exit in {limit:?}; stderr:\n{}", self.stderr.lock().unwrap().join("\n"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        self.stderr_thread.take().unwrap().join().unwrap();
        let lines = self.stderr.lock().unwrap().clone();
        let last = lines.last().cloned().unwrap_or_default();
        let v = serde_json::from_str(&last).unwrap_or_else(|e| panic!("last stderr line is not JSON ({e}):\n{}", lines.join("\n")));
        (status.code(), v)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Where a sender connects.
#[derive(Debug, Clone)]
pub enum To {
    Tcp(u16),
    Unix(PathBuf),
}

pub enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Write for Conn {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(b),
            Conn::Unix(s) => s.write(b),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn connect(to: &To) -> Conn {
    let t = Instant::now();
    loop {
        let r = match to {
            To::Tcp(p) => TcpStream::connect(("127.0.0.1", *p)).map(Conn::Tcp),
            To::Unix(p) => UnixStream::connect(p).map(Conn::Unix),
        };
        match r {
            Ok(c) => return c,
            Err(e) if t.elapsed() > Duration::from_secs(10) => panic!("cannot connect to {to:?}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Vector's `socket` sink: each event as one line (`framing.method: newline_delimited`);
/// a new connection every `per_connection` lines. Returns the lines written before a
/// write failed (all of them when none did).
pub fn send(to: To, range: std::ops::Range<u64>, per_connection: u64, mix: fn(u64) -> Class) -> JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut sent = 0;
        let mut w = BufWriter::with_capacity(1 << 16, connect(&to));
        for seq in range {
            if sent > 0 && sent % per_connection == 0 {
                if w.flush().is_err() {
                    return sent;
                }
                drop(w);
                w = BufWriter::with_capacity(1 << 16, connect(&to));
            }
            let mut l = line(seq, mix);
            l.push(b'\n');
            if w.write_all(&l).is_err() {
                return sent;
            }
            sent += 1;
        }
        if w.flush().is_err() {
            return sent.saturating_sub(1);
        }
        sent
    })
}

/// What came out: lines, alerts, errors by kind, every `seq` seen (with how often), in order.
#[derive(Debug, Default)]
pub struct Seen {
    pub lines: u64,
    pub alerts: u64,
    pub alerts_on_non_positives: u64,
    pub errors: BTreeMap<String, u64>,
    pub seqs: Vec<u64>,
    pub without_seq: u64,
    pub not_json: u64,
    /// Lines flagged `truncated` (their seq, if any, is not in `seqs`).
    pub truncated: u64,
}

fn seq_of(v: &Value) -> Option<u64> {
    if let Some(n) = v["seq"].as_u64() {
        return Some(n);
    }
    let raw = v["event_raw"].as_str()?;
    let rest = raw.strip_prefix("{\"seq\":")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Reads NDJSON lines as Vector's `exec` source (or `socket` source) would.
pub fn read_lines(r: impl Read + Send + 'static, mix: fn(u64) -> Class) -> JoinHandle<Seen> {
    read_lines_after(r, Arc::new(AtomicBool::new(true)), mix)
}

/// [`read_lines`], starting only once `gate` is set (at most a minute later).
pub fn read_lines_after(r: impl Read + Send + 'static, gate: Arc<AtomicBool>, mix: fn(u64) -> Class) -> JoinHandle<Seen> {
    std::thread::spawn(move || {
        let t = Instant::now();
        while !gate.load(Ordering::SeqCst) && t.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut seen = Seen::default();
        for l in BufReader::with_capacity(1 << 16, r).lines() {
            let Ok(l) = l else { break };
            seen.lines += 1;
            let Ok(v) = serde_json::from_str::<Value>(&l) else {
                seen.not_json += 1;
                continue;
            };
            if let Some(k) = v["dnschild_error"]["kind"].as_str() {
                *seen.errors.entry(k.to_string()).or_default() += 1;
                if k == "truncated" {
                    seen.truncated += 1;
                    continue;
                }
            }
            let seq = seq_of(&v);
            if v.get("dnschild").is_some() || v["rule"]["id"].is_string() {
                seen.alerts += 1;
                if seq.is_some_and(|s| mix(s) != Class::Positive) {
                    seen.alerts_on_non_positives += 1;
                }
            }
            match seq {
                Some(s) => seen.seqs.push(s),
                None => seen.without_seq += 1,
            }
        }
        seen
    })
}

/// Asks `dnschild health` for the counters.
pub fn health(endpoint: &str) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_dnschild")).args(["health", endpoint]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code(), serde_json::from_str(text.trim()).unwrap_or(Value::Null))
}

/// Polls the health endpoint until `f` holds (bounded).
pub fn wait_health(endpoint: &str, f: impl Fn(&Value) -> bool, limit: Duration) -> Value {
    let t = Instant::now();
    loop {
        let (_, v) = health(endpoint);
        if f(&v) {
            return v;
        }
        assert!(t.elapsed() < limit, "health never matched; last: {v}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn sock(dir: &Path, name: &str) -> (String, PathBuf) {
    let p = dir.join(name);
    (format!("unix:{}", p.display()), p)
}

pub fn kinds(m: &BTreeMap<Class, u64>) -> Value {
    let get = |c| m.get(&c).copied().unwrap_or(0);
    json!({
        "malformed_json": get(Class::MalformedDns) + get(Class::MalformedPlain),
        "too_large": get(Class::Oversized) + get(Class::Giant),
        "invalid_utf8": get(Class::BadUtf8),
    })
}

pub fn error_map(seen: &Seen) -> Value {
    serde_json::to_value(&seen.errors).unwrap()
}

/// Every `seq` in `range` of a class that keeps its text (all but the over-long lines, which
/// are skipped as they are read) comes out exactly once, and within each block of `block`
/// lines (one connection) in the order sent.
pub fn assert_exactly_once(seen: &Seen, range: std::ops::Range<u64>, block: u64, mix: fn(u64) -> Class) {
    let mut count = vec![0u8; (range.end - range.start) as usize];
    let mut last: HashMap<u64, u64> = HashMap::new();
    for &s in &seen.seqs {
        assert!(range.contains(&s), "seq {s} was never sent");
        count[(s - range.start) as usize] += 1;
        if let Some(prev) = last.insert(s / block, s) {
            assert!(s > prev, "seq {s} came after {prev} on the same connection");
        }
    }
    for s in range.clone() {
        let want = u8::from(!matches!(mix(s), Class::Oversized | Class::Giant));
        assert_eq!(count[(s - range.start) as usize], want, "seq {s} ({:?})", mix(s));
    }
}
