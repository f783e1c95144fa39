//! `dnschild serve` end to end, with the tests playing Vector's part: its `socket` sink
//! (NDJSON with newline framing, a new connection now and then, two at once), its `exec`
//! source (reading serve's stdout), its `socket` and `http_server` sources.

#[path = "support/serve_harness.rs"]
mod harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::*;
use serde_json::{json, Value};

/// One positive in a hundred, the rest benign.
fn light(seq: u64) -> Class {
    if seq % 100 == 7 {
        Class::Positive
    } else {
        Class::Benign
    }
}

#[test]
fn a_million_events_from_two_senders_come_out_once_each_with_bounded_memory() {
    const N: u64 = 1_000_000;
    const PER_CONNECTION: u64 = 100_000;
    let dir = tmpdir("million");
    let (unix, path) = sock(&dir, "in.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let mut serve = Serve::start(&[
        "--listen", "tcp://127.0.0.1:0", "--listen", &unix, "--health-listen", &health_ep,
        "--max-line-bytes", "65536", "--buffer-bytes", "4194304", "-q",
    ]);
    let port = serve.tcp_port(0);
    let started = Instant::now();
    // Nobody reads stdout at first: serve must stop reading, not buffer.
    let gate = Arc::new(AtomicBool::new(false));
    let reader = read_lines_after(serve.stdout(), Arc::clone(&gate), class);
    let a = send(To::Tcp(port), 0..N / 2, PER_CONNECTION, class);
    let b = send(To::Unix(path), N / 2..N, PER_CONNECTION, class);
    let mut last = Value::Null;
    let stalled = (0..50).find_map(|_| {
        std::thread::sleep(Duration::from_millis(200));
        let now = health(&health_ep).1["events_in"].as_u64().unwrap_or(0);
        let same = last.as_u64() == Some(now) && now > 0;
        last = json!(now);
        same.then_some(now)
    });
    let held = stalled.expect("reading never stopped while the output was blocked");
    // 4 MiB of budget at ~290 bytes a line, plus what the stdout pipe holds.
    assert!(held < 20_000, "{held} events read with nobody reading the output");
    assert!(!a.is_finished() && !b.is_finished(), "the senders are blocked too");
    gate.store(true, Ordering::SeqCst);

    assert_eq!((a.join().unwrap(), b.join().unwrap()), (N / 2, N / 2));
    wait_health(&health_ep, |v| v["events_out"] == N, Duration::from_secs(120));
    let (hwm, rss) = serve.memory_kib();
    let elapsed = started.elapsed();
    serve.signal("TERM");
    let seen = reader.join().unwrap();
    let (code, summary) = serve.wait(Duration::from_secs(30));
    eprintln!("1M events in {elapsed:.2?} (incl. the stall); serve VmHWM {hwm} KiB, VmRSS {rss} KiB");

    let want = expected(0..N, class);
    assert_eq!(want[&Class::Positive], 1000);
    assert_eq!(code, Some(0), "{summary}");
    for (k, v) in [("events_in", N), ("events_out", N), ("alerts", 1000), ("connections", 10), ("connection_errors", 0), ("undeliverable", 0)] {
        assert_eq!(summary[k], v, "{k} in {summary}");
    }
    assert_eq!(summary["errors_by_kind"], kinds(&want));
    assert_eq!((seen.lines, seen.not_json, seen.alerts, seen.alerts_on_non_positives), (N, 0, 1000, 0));
    assert_eq!(error_map(&seen), kinds(&want));
    // Over-long lines are skipped as they are read (their text is gone); a line with a bad
    // byte keeps its text, the byte shown as U+FFFD.
    assert_eq!(seen.without_seq, want[&Class::Oversized] + want[&Class::Giant]);
    assert_exactly_once(&seen, 0..N, PER_CONNECTION, class);
    // 1M events are ~200 MB of text (two lines of 8 MiB among them); serve holds a 4 MiB
    // budget, one 64 KiB line per connection and its buffers, beside the wasmtime engine
    // and the compiled component (about 19 MiB at its peak on the reference machine).
    assert!(hwm < 48 * 1024, "serve's peak resident memory is {hwm} KiB");
}

#[test]
fn sigterm_mid_stream_writes_everything_read_and_exits_0() {
    const TOTAL: u64 = 5_000_000;
    let dir = tmpdir("sigterm");
    let (unix, path) = sock(&dir, "in.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let mut serve = Serve::start(&["--listen", &unix, "--health-listen", &health_ep, "-q"]);
    let reader = read_lines(serve.stdout(), light);
    let sender = send(To::Unix(path), 0..TOTAL, u64::MAX, light);
    wait_health(&health_ep, |v| v["events_out"].as_u64() >= Some(100_000), Duration::from_secs(60));
    serve.signal("TERM");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    let seen = reader.join().unwrap();
    let sent = sender.join().unwrap();
    assert_eq!(code, Some(0), "{summary}");
    let read = summary["events_in"].as_u64().unwrap();
    assert!((100_000..TOTAL).contains(&read) && sent < TOTAL, "stopped mid-stream: read {read}, sent {sent}");
    assert_eq!(summary["events_out"], read, "everything read is written");
    assert_eq!(seen.lines, read);
    assert_eq!(summary["undeliverable"], 0);
    // In order, without a gap; the last line may have been cut short by the stop.
    let complete = seen.seqs.len() as u64;
    assert!(seen.truncated <= 1 && complete + seen.truncated == read, "{} complete, {} cut short", complete, seen.truncated);
    assert_eq!(seen.errors.keys().filter(|k| *k != "truncated").count(), 0, "{:?}", seen.errors);
    assert_eq!((seen.without_seq, seen.not_json), (0, 0));
    assert_eq!(seen.seqs, (0..complete).collect::<Vec<_>>());
    let positives = (0..complete).filter(|&s| light(s) == Class::Positive).count() as u64;
    assert_eq!(summary["alerts"], positives);
    assert_eq!(seen.alerts, positives);
}

#[test]
fn alerts_only_mode_and_lines_cut_short() {
    let dir = tmpdir("modes");
    let (unix, path) = sock(&dir, "in.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let mut serve = Serve::start(&["--listen", &unix, "--alerts-only", "--health-listen", &health_ep]);
    let reader = read_lines(serve.stdout(), light);
    assert_eq!(send(To::Unix(path.clone()), 0..1000, 400, light).join().unwrap(), 1000);
    wait_health(&health_ep, |v| v["events_in"] == 1000 && v["events_out"] == 10, Duration::from_secs(30));
    serve.signal("INT");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    let seen = reader.join().unwrap();
    assert_eq!(code, Some(0));
    assert_eq!((summary["events_in"].as_u64(), summary["events_out"].as_u64(), summary["alerts"].as_u64()), (Some(1000), Some(10), Some(10)));
    assert_eq!(summary["mode"], "alerts");
    assert_eq!((seen.lines, seen.alerts, seen.without_seq), (10, 10, 10), "only the alerts themselves");

    // Annotate: a last line without a newline is evaluated when whole, flagged when cut short.
    let mut serve = Serve::start(&["--listen", &unix]);
    let out = serve.stdout();
    for bytes in [&b"{\"a\":1}\n{\"b\":2}"[..], b"{\"c\":3}\n\n{\"seq\":9,\"Imag"] {
        let mut c = UnixStream::connect(&path).unwrap();
        c.write_all(bytes).unwrap();
    }
    let mut lines = Vec::new();
    let mut r = BufReader::new(out);
    for _ in 0..4 {
        let mut l = String::new();
        r.read_line(&mut l).unwrap();
        lines.push(l.trim_end().to_string());
    }
    serve.signal("TERM");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    assert_eq!(code, Some(0));
    lines.sort();
    assert_eq!(lines[..3], ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
    let cut: Value = serde_json::from_str(&lines[3]).unwrap();
    assert_eq!((cut["event_raw"].as_str(), cut["dnschild_error"]["kind"].as_str()), (Some("{\"seq\":9,\"Imag"), Some("truncated")));
    assert_eq!((summary["events_in"].as_u64(), summary["events_out"].as_u64()), (Some(4), Some(4)));
    assert_eq!(summary["errors_by_kind"], json!({"truncated": 1}));
}

#[test]
fn sigusr1_reports_counters_and_health_answers() {
    let dir = tmpdir("usr1");
    let (unix, path) = sock(&dir, "in.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let mut serve = Serve::start(&["--listen", &unix, "--health-listen", &health_ep]);
    let reader = read_lines(serve.stdout(), light);
    assert_eq!(send(To::Unix(path), 0..10, 10, light).join().unwrap(), 10);
    let v = wait_health(&health_ep, |v| v["events_out"] == 10, Duration::from_secs(10));
    assert_eq!((v["status"].as_str(), v["alerts"].as_u64(), v["report"].as_str()), (Some("ok"), Some(1), Some("health")));
    assert_eq!(health(&health_ep).0, Some(0));
    serve.signal("USR1");
    let line = serve.wait_stderr(|l| l.contains("\"report\":\"signal\""), Duration::from_secs(10));
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!((v["events_in"].as_u64(), v["events_out"].as_u64(), v["alerts"].as_u64()), (Some(10), Some(10), Some(1)));
    assert!(serve.child.try_wait().unwrap().is_none(), "SIGUSR1 does not stop serve");
    assert_eq!(health(&health_ep).0, Some(0));
    serve.signal("TERM");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    assert_eq!((code, summary["report"].as_str()), (Some(0), Some("shutdown")));
    assert_eq!(reader.join().unwrap().lines, 10);
    // Nothing listens any more.
    assert!(!dir.join("health.sock").exists() && !dir.join("in.sock").exists(), "socket files are removed");
    assert_eq!(health(&health_ep).0, Some(2));
}

#[test]
fn two_workers_evaluate_every_event_once() {
    let dir = tmpdir("workers");
    let (unix, path) = sock(&dir, "in.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let mut serve = Serve::start(&[
        "--listen", &unix, "--listen", "tcp://127.0.0.1:0", "--health-listen", &health_ep,
        "--workers", "2", "--batch", "64", "--max-line-bytes", "65536", "-q",
    ]);
    let port = serve.tcp_port(0);
    let reader = read_lines(serve.stdout(), class);
    let a = send(To::Unix(path), 0..30_000, 7_000, class);
    let b = send(To::Tcp(port), 30_000..60_000, 30_000, class);
    assert_eq!((a.join().unwrap(), b.join().unwrap()), (30_000, 30_000));
    wait_health(&health_ep, |v| v["events_out"] == 60_000, Duration::from_secs(60));
    serve.signal("TERM");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    let mut seen = reader.join().unwrap();
    assert_eq!(code, Some(0));
    let want = expected(0..60_000, class);
    assert_eq!((summary["events_in"].as_u64(), summary["events_out"].as_u64()), (Some(60_000), Some(60_000)));
    assert_eq!((seen.alerts, summary["alerts"].as_u64()), (want[&Class::Positive], Some(want[&Class::Positive])));
    assert_eq!(error_map(&seen), kinds(&want));
    // Two workers may reorder batches: check the set only.
    seen.seqs.sort_unstable();
    assert_exactly_once(&seen, 0..60_000, 1, class);
}

/// Plays Vector's `http_server` source: answers the first `fail` requests with 503.
/// (request head, body) of each accepted request.
type Requests = Arc<Mutex<Vec<(String, String)>>>;

fn http_server(fail: usize) -> (u16, Requests) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    std::thread::spawn(move || {
        let mut answered = 0;
        for conn in l.incoming().take(20) {
            let Ok(conn) = conn else { continue };
            conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut w = conn.try_clone().unwrap();
            let mut r = BufReader::new(conn);
            loop {
                let mut head = Vec::new();
                loop {
                    let mut l = String::new();
                    if r.read_line(&mut l).unwrap_or(0) == 0 {
                        break;
                    }
                    if l == "\r\n" {
                        break;
                    }
                    head.push(l.trim_end().to_string());
                }
                if head.is_empty() {
                    break;
                }
                let len: usize = head.iter().find_map(|h| h.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.parse().unwrap())).unwrap();
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                answered += 1;
                if answered <= fail {
                    w.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy").unwrap();
                } else {
                    sink.lock().unwrap().push((head.join("\n"), String::from_utf8(body).unwrap()));
                    w.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").unwrap();
                }
            }
        }
    });
    (port, got)
}

#[test]
fn http_output_is_retried_until_accepted() {
    let dir = tmpdir("http");
    let (unix, path) = sock(&dir, "in.sock");
    let (port, got) = http_server(2);
    let target = format!("http://127.0.0.1:{port}/ingest");
    let serve = Serve::start(&["--listen", &unix, "--output-to", &target]);
    assert_eq!(send(To::Unix(path), 0..2000, 2000, light).join().unwrap(), 2000);
    let t = Instant::now();
    let count = || got.lock().unwrap().iter().map(|(_, b)| b.lines().count()).sum::<usize>();
    while count() < 2000 && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    serve.signal("TERM");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    assert_eq!(code, Some(0));
    assert_eq!((summary["events_out"].as_u64(), summary["output_retries"].as_u64(), summary["alerts"].as_u64()), (Some(2000), Some(2), Some(20)));
    let got = got.lock().unwrap();
    assert!(got.iter().all(|(h, _)| h.starts_with("POST /ingest HTTP/1.1") && h.contains("Content-Type: application/x-ndjson")));
    let seqs: Vec<u64> = got.iter().flat_map(|(_, b)| b.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["seq"].as_u64().unwrap()).collect::<Vec<_>>()).collect();
    assert_eq!(seqs, (0..2000).collect::<Vec<_>>(), "each line once, in order, none lost to the 503s");
}

#[test]
fn socket_output_waits_for_its_reader_without_loss() {
    let dir = tmpdir("sockout");
    let (unix, path) = sock(&dir, "in.sock");
    let (out_ep, out_path) = sock(&dir, "out.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let serve = Serve::start(&["--listen", &unix, "--output-to", &out_ep, "--health-listen", &health_ep]);
    assert_eq!(send(To::Unix(path), 0..500, 500, light).join().unwrap(), 500);
    wait_health(&health_ep, |v| v["status"] == "output_retrying", Duration::from_secs(10));
    assert_eq!(health(&health_ep).0, Some(1), "a supervisor sees the output is down");
    // Vector's socket source comes up late.
    let l = UnixListener::bind(&out_path).unwrap();
    let (conn, _) = l.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut r = BufReader::new(conn);
    let mut seqs = Vec::new();
    for _ in 0..500 {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        seqs.push(serde_json::from_str::<Value>(&line).unwrap()["seq"].as_u64().unwrap());
    }
    assert_eq!(seqs, (0..500).collect::<Vec<_>>());
    wait_health(&health_ep, |v| v["status"] == "ok", Duration::from_secs(10));
    serve.signal("TERM");
    let (code, summary) = serve.wait(Duration::from_secs(30));
    assert_eq!((code, summary["events_out"].as_u64(), summary["undeliverable"].as_u64()), (Some(0), Some(500), Some(0)));
    assert!(summary["output_retries"].as_u64().unwrap() >= 1);
}

#[test]
fn closed_stdout_stops_serve_with_status_1_and_counts_what_was_not_written() {
    let dir = tmpdir("epipe");
    let (unix, path) = sock(&dir, "in.sock");
    let mut serve = Serve::start(&["--listen", &unix, "-q"]);
    drop(serve.stdout());
    let _ = send(To::Unix(path), 0..100_000, 100_000, light).join().unwrap();
    let (code, summary) = serve.wait(Duration::from_secs(30));
    assert_eq!((code, summary["status"].as_str()), (Some(1), Some("output_failed")));
    let (read, out, lost) = (summary["events_in"].as_u64().unwrap(), summary["events_out"].as_u64().unwrap(), summary["undeliverable"].as_u64().unwrap());
    assert!(lost > 0 && out + lost == read, "{summary}");
}

#[test]
fn bad_arguments_exit_4() {
    let dir = tmpdir("args");
    let (unix, path) = sock(&dir, "busy.sock");
    let _busy = UnixListener::bind(&path).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dnschild")).args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let wasm = component();
    let cases: &[(&[&str], &str)] = &[
        (&["serve"], "at least one --listen"),
        (&["serve", "--listen", "127.0.0.1:9000"], "--listen takes tcp://HOST:PORT or unix:PATH, not `127.0.0.1:9000`"),
        (&["serve", "--listen", "tcp://127.0.0.1:1", "--pretty"], "`--pretty` is not an option of `dnschild serve`"),
        (&["scan", "--listen", "tcp://127.0.0.1:1"], "`--listen` is not an option of `dnschild scan`"),
        (&["serve", "--listen", &unix, "--component", wasm.to_str().unwrap()], "is in use by another process"),
        (&["serve", "--listen", "tcp://127.0.0.1:1", "--workers", "0"], "bad --workers `0`"),
    ];
    for (args, msg) in cases {
        let (code, err) = run(args);
        assert_eq!(code, Some(4), "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: `{msg}` not in {err}");
    }
}

/// Every event names dns.exe, so none is ruled out by the fast path: half alert, half are conhost.exe.
fn candidates(seq: u64) -> Class {
    if seq.is_multiple_of(2) {
        Class::Positive
    } else {
        Class::Conhost
    }
}

fn benign(_: u64) -> Class {
    Class::Benign
}

/// Events per second of `serve` (Unix socket in, stdout out, one worker) over `lines`
/// (`events` of them), timed from the first byte sent to the `n`th line out.
fn serve_rate(lines: &[u8], events: u64, n: u64, extra: &[&str]) -> f64 {
    let dir = tmpdir("bench");
    let (unix, path) = sock(&dir, "in.sock");
    let mut args = vec!["--listen", unix.as_str(), "-q"];
    args.extend_from_slice(extra);
    let mut serve = Serve::start(&args);
    let out = serve.stdout();
    let counter = std::thread::spawn(move || {
        let mut r = BufReader::with_capacity(1 << 16, out);
        let mut lines = 0u64;
        let mut buf = Vec::new();
        while lines < n {
            buf.clear();
            if r.read_until(b'\n', &mut buf).unwrap_or(0) == 0 {
                break;
            }
            lines += 1;
        }
        (lines, Instant::now())
    });
    let t = Instant::now();
    let mut c = UnixStream::connect(&path).unwrap();
    c.write_all(lines).unwrap();
    drop(c);
    let (got, done) = counter.join().unwrap();
    assert_eq!(got, n);
    serve.signal("TERM");
    let _ = serve.wait(Duration::from_secs(30));
    events as f64 / (done - t).as_secs_f64()
}

#[test]
#[ignore = "a measurement, not a test: `make bench-serve`"]
fn bench_serve_beside_the_native_core() {
    const N: u64 = 1_000_000;
    let engine = dnschild::Engine::new(dnschild::Config::default()).unwrap();
    let mut plugin = dnschild_cli::plugin::Plugin::load(&component()).unwrap();
    println!("| mix | native core | component in-process | serve --annotate | serve --alerts-only |");
    println!("|---|---:|---:|---:|---:|");
    for (name, mix) in [("benign", benign as fn(u64) -> Class), ("candidate", candidates as fn(u64) -> Class)] {
        let events: Vec<String> = (0..N).map(|s| String::from_utf8(line(s, mix)).unwrap()).collect();
        let alerts_want = events.iter().filter(|e| e.contains("cmd.exe")).count();
        // The native core, the same way: every event evaluated, each alert rendered.
        let t = Instant::now();
        let mut alerts = 0;
        for e in &events {
            if let Ok(Some(a)) = engine.evaluate(e) {
                alerts += usize::from(!engine.render(&a).is_empty());
            }
        }
        let native = N as f64 / t.elapsed().as_secs_f64();
        assert_eq!(alerts, alerts_want);
        // The component in wasmtime, batches of 256, no I/O.
        let t = Instant::now();
        let mut alerts = 0;
        for chunk in events.chunks(256) {
            alerts += plugin.evaluate_batch(chunk).iter().filter(|v| matches!(v, Ok(Some(_)))).count();
        }
        let component = N as f64 / t.elapsed().as_secs_f64();
        assert_eq!(alerts, alerts_want);
        let mut bytes = Vec::with_capacity(events.iter().map(|e| e.len() + 1).sum());
        for e in &events {
            bytes.extend_from_slice(e.as_bytes());
            bytes.push(b'\n');
        }
        // A positive last: with one worker its line comes out last, in both modes.
        bytes.extend_from_slice(&line(N, |_| Class::Positive));
        bytes.push(b'\n');
        let annotate = serve_rate(&bytes, N + 1, N + 1, &[]);
        let alerts_only = serve_rate(&bytes, N + 1, alerts_want as u64 + 1, &["--alerts-only"]);
        let k = |r: f64| format!("{:.0}k", r / 1000.0);
        println!("| {name} | {} | {} | {} | {} |", k(native), k(component), k(annotate), k(alerts_only));
    }
}

#[path = "support/vector_config.rs"]
mod vector_config;

/// The example configurations use only documented options, wire the socket sink to the
/// address serve listens on, read serve's output back, and route on the `dnschild` key;
/// and the very command line they give starts a working serve.
#[test]
fn vector_examples_use_documented_options_and_their_command_line_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vector");
    for file in ["vector.yaml", "vector-http.yaml"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let cfg = vector_config::parse(&text);
        let mut exec_cmd = Vec::new();
        let mut sink_targets = Vec::new();
        let mut http_sources = Vec::new();
        for kind in ["sources", "transforms", "sinks"] {
            let Some(vector_config::Yaml::Map(components)) = cfg.get(kind) else { panic!("{file}: no {kind}") };
            for (name, c) in components {
                let ty = c.str("type").unwrap_or_else(|| panic!("{file}: {name} has no type"));
                let allowed = vector_config::documented(kind, ty);
                assert!(!allowed.is_empty(), "{file}: {kind}.{name}: type {ty} is not checked here");
                for key in c.leaf_paths() {
                    let ok = allowed.contains(&key.as_str()) || (ty == "route" && key.starts_with("route.")) || key.starts_with("environment.");
                    assert!(ok, "{file}: {kind}.{name}: `{key}` is not a documented option of {ty}");
                }
                match (kind, ty) {
                    ("sources", "exec") => {
                        assert_eq!((c.str("mode"), c.str("include_stderr"), c.str("decoding.codec")), (Some("streaming"), Some("false"), Some("json")), "{file}: {name}");
                        exec_cmd = c.list("command");
                    }
                    ("sinks", "socket") => {
                        assert_eq!((c.str("encoding.codec"), c.str("framing.method")), (Some("json"), Some("newline_delimited")), "{file}: {name}");
                        sink_targets.push(match c.str("mode") {
                            Some("unix_stream") => format!("unix:{}", c.str("path").unwrap()),
                            Some("tcp") => format!("tcp://{}", c.str("address").unwrap()),
                            m => panic!("{file}: {name}: mode {m:?}"),
                        });
                    }
                    ("sources", "http_server") => {
                        assert_eq!((c.str("decoding.codec"), c.str("framing.method"), c.str("method")), (Some("json"), Some("newline_delimited"), Some("POST")));
                        http_sources.push(format!("http://{}{}", c.str("address").unwrap(), c.str("path").unwrap()));
                    }
                    ("transforms", "route") => assert_eq!(c.str("route.alerts"), Some("exists(.dnschild)"), "{file}: {name}"),
                    _ => {}
                }
            }
        }
        assert_eq!(exec_cmd.get(1).map(String::as_str), Some("serve"), "{file}: the exec source runs dnschild serve");
        let arg = |name: &str| exec_cmd.iter().position(|a| a == name).map(|i| exec_cmd[i + 1].clone());
        assert_eq!(sink_targets, vec![arg("--listen").unwrap()], "{file}: the socket sink sends where serve listens");
        assert_eq!(http_sources, arg("--output-to").into_iter().collect::<Vec<_>>(), "{file}: serve posts where http_server listens");

        // The command line itself, moved into a temp dir and onto free ports.
        let tmp = tmpdir(&format!("vector-{file}"));
        let health_ep = format!("unix:{}", tmp.join("health.sock").display());
        let mut args: Vec<String> = Vec::new();
        let mut it = exec_cmd[2..].iter();
        while let Some(a) = it.next() {
            let v = it.next().unwrap().clone();
            let v = match a.as_str() {
                "--listen" if v.starts_with("unix:") => format!("unix:{}", tmp.join("events.sock").display()),
                "--listen" => "tcp://127.0.0.1:0".into(),
                "--health-listen" => health_ep.clone(),
                "--output-to" => "stdout".into(),
                _ => v,
            };
            args.extend([a.clone(), v]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let serve = Serve::start(&refs);
        assert_eq!(health(&health_ep).0, Some(0), "{file}: serve started from the config's command line is healthy");
        serve.signal("TERM");
        assert_eq!(serve.wait(Duration::from_secs(30)).0, Some(0));
    }
}
