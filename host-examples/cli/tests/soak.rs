//! Soak: `dnschild serve` under a long mixed stream from two senders (TCP and Unix, a new
//! connection every 50,000 lines, as Vector's socket sink reconnects), with malformed,
//! oversized (64 KiB limit, two of 8 MiB at seq 333,333 and 777,777) and invalid UTF-8 lines
//! mixed in: every line comes out exactly once, in order per connection; errors are counted
//! by kind; resident memory is the same at the end as after the first tenth.
//!
//! `cargo test` runs a short form (`DNSCHILD_SOAK_EVENTS`, default 300,000); `make soak`
//! runs 10,000,000.

#[path = "support/serve_harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::*;

#[test]
fn a_long_mixed_stream_through_serve_loses_and_duplicates_nothing_with_flat_memory() {
    let n: u64 = std::env::var("DNSCHILD_SOAK_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(300_000);
    const PER_CONNECTION: u64 = 50_000;
    assert_eq!(n % (2 * PER_CONNECTION), 0, "the event count must be a multiple of {}", 2 * PER_CONNECTION);
    let dir = tmpdir("soak");
    let (unix, path) = sock(&dir, "in.sock");
    let (health_ep, _) = sock(&dir, "health.sock");
    let mut serve = Serve::start(&[
        "--listen", "tcp://127.0.0.1:0", "--listen", &unix, "--health-listen", &health_ep,
        "--max-line-bytes", "65536", "--buffer-bytes", "4194304", "-q",
    ]);
    let port = serve.tcp_port(0);
    let started = Instant::now();
    let reader = read_lines(serve.stdout(), class);
    let half = n / 2;
    let a = send(To::Tcp(port), 0..half, PER_CONNECTION, class);
    let b = send(To::Unix(path), half..n, PER_CONNECTION, class);
    // Resident memory once a tenth has gone through, and at the end.
    wait_health(&health_ep, |v| v["events_out"].as_u64().unwrap_or(0) >= n / 10, Duration::from_secs(600));
    let (_, rss_early) = serve.memory_kib();
    assert_eq!((a.join().unwrap(), b.join().unwrap()), (half, n - half));
    wait_health(&health_ep, |v| v["events_out"] == n, Duration::from_secs(1800));
    let (hwm, rss_end) = serve.memory_kib();
    let elapsed = started.elapsed();
    serve.signal("TERM");
    let seen = reader.join().unwrap();
    let (code, summary) = serve.wait(Duration::from_secs(60));
    eprintln!(
        "{n} events through serve in {elapsed:.1?} ({:.0} events/s); VmRSS {rss_early} KiB after a tenth, {rss_end} KiB at the end, VmHWM {hwm} KiB; errors {}",
        n as f64 / elapsed.as_secs_f64(),
        summary["errors_by_kind"]
    );

    let want = expected(0..n, class);
    assert_eq!(code, Some(0), "{summary}");
    for (k, v) in [("events_in", n), ("events_out", n), ("alerts", want[&Class::Positive]), ("connection_errors", 0), ("undeliverable", 0)] {
        assert_eq!(summary[k], v, "{k} in {summary}");
    }
    assert_eq!(summary["errors_by_kind"], kinds(&want));
    assert_eq!((seen.lines, seen.not_json, seen.alerts, seen.alerts_on_non_positives), (n, 0, want[&Class::Positive], 0));
    assert_eq!(error_map(&seen), kinds(&want));
    assert_exactly_once(&seen, 0..n, PER_CONNECTION, class);
    // Flat: what serve holds does not grow with the number of events.
    assert!(rss_end <= rss_early + 8 * 1024, "resident memory grew from {rss_early} KiB to {rss_end} KiB");
    assert!(hwm < 64 * 1024, "peak resident memory {hwm} KiB");
}
