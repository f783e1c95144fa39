//! Soak: a long stream of mixed records through one module instance, as Fluent Bit runs it.
//! Benign and alerting records, malformed, oversized, deeply nested, non-UTF-8, empty and
//! XML records, each carrying a sequence number: every call must give exactly the expected
//! reply (the record unchanged, or the record with its alert), no record is lost or
//! duplicated, the counts by kind add up, and memory stays flat after warm-up.
//!
//! `cargo test` runs a short form (`DNSCHILD_SOAK_RECORDS`, default 200,000); `make soak`
//! runs 10,000,000.

mod common;

use std::collections::BTreeMap;

use common::*;
use dnschild_fluent_bit_harness::Verdict;

const POSITIVE: &str = r#""actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","COMMANDLINE":"cmd.exe /c whoami","HOSTNAME":"DNS01""#;
const BENIGN: &str = r#""ProviderName":"Microsoft-Windows-Sysmon","EventID":1,"Computer":"WS01","StringInserts":["-","2024-01-15 10:20:30.123","{4A7C1E22-0B1F-65A5-2A01-000000001400}","4242","C:\\Windows\\System32\\cmd.exe","C:\\Windows\\explorer.exe"]"#;

/// The kinds of record in the mix, by sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Benign,
    Positive,
    Conhost,
    Malformed,
    Oversized,
    Nested,
    NotUtf8,
    Empty,
    Xml,
}

fn kind(seq: u64) -> Kind {
    match seq {
        _ if seq % 1000 == 7 => Kind::Positive,
        _ if seq % 1000 == 500 => Kind::Conhost,
        _ if seq % 997 == 3 => Kind::Malformed,
        _ if seq % 50_021 == 11 => Kind::Oversized,
        _ if seq % 10_007 == 13 => Kind::Nested,
        _ if seq % 10_009 == 17 => Kind::NotUtf8,
        _ if seq % 20_011 == 19 => Kind::Empty,
        _ if seq % 5_003 == 23 => Kind::Xml,
        _ => Kind::Benign,
    }
}

fn record(seq: u64) -> Vec<u8> {
    match kind(seq) {
        Kind::Benign => format!("{{\"seq\":{seq},{BENIGN}}}").into_bytes(),
        Kind::Positive => format!("{{\"seq\":{seq},{POSITIVE}}}").into_bytes(),
        Kind::Conhost => format!("{{\"seq\":{seq},{}}}", POSITIVE.replace("cmd.exe\",\"COMMANDLINE", "conhost.exe\",\"COMMANDLINE")).into_bytes(),
        Kind::Malformed => format!("{{\"seq\":{seq},\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\dns.exe\",\"Image\":").into_bytes(),
        // Over the default 1 MiB event limit, and naming dns.exe: passed through unread.
        Kind::Oversized => format!("{{\"seq\":{seq},{POSITIVE},\"pad\":\"{}\"}}", "A".repeat(1 << 20)).into_bytes(),
        Kind::Nested => format!("{{\"seq\":{seq},\"x\":{}\"dns.exe\"{}}}", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(),
        Kind::NotUtf8 => {
            let mut r = format!("{{\"seq\":{seq},{POSITIVE}}}").into_bytes();
            r[12] = 0xff;
            r
        }
        Kind::Empty => Vec::new(),
        Kind::Xml => format!("{{\"seq\":{seq},\"System\":\"<Event><System><EventID>1</EventID></System><EventData><Data Name='ParentImage'>dns.exe</Data></EventData>\"}}").into_bytes(),
    }
}

#[test]
fn a_long_mixed_stream_loses_nothing_and_memory_stays_flat() {
    let n: u64 = std::env::var("DNSCHILD_SOAK_RECORDS").ok().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let engine = dnschild::Engine::default();
    let mut f = filter(ANNOTATE, &[]);
    let mut by_kind: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut by_verdict: BTreeMap<&'static str, u64> = BTreeMap::new();
    // Warm-up: the largest records once, so the allocator has seen its biggest blocks.
    for seq in [11, 13, 17, 19, 23, 7] {
        f.filter(TAG, &record(seq)).unwrap();
    }
    let warm = f.memory_pages();
    for seq in 100..100 + n {
        let r = record(seq);
        let got = f.filter(TAG, &r).unwrap();
        let k = kind(seq);
        *by_kind.entry(k).or_default() += 1;
        let want = expected_annotate(&engine, &r, "dnschild");
        assert_eq!(got.output, want, "seq {seq} ({k:?}): reply differs from the expected record");
        let verdict = match (&got.verdict, got.returned_input) {
            (_, true) => "returned_input",
            (Verdict::Replaced, false) => "alert_spliced",
            (v, false) if r.is_empty() && *v == Verdict::Dropped => "empty_in_empty_out",
            (v, false) => panic!("seq {seq} ({k:?}): {v:?}"),
        };
        *by_verdict.entry(verdict).or_default() += 1;
    }
    let spliced = by_verdict.get("alert_spliced").copied().unwrap_or(0);
    assert_eq!(spliced, by_kind[&Kind::Positive], "one alert per positive, none elsewhere");
    assert_eq!(by_verdict.values().sum::<u64>(), n, "every record answered once");
    assert_eq!(f.memory_pages(), warm, "memory grew after warm-up");
    eprintln!("{n} records through the Fluent Bit module: {by_kind:?}; replies {by_verdict:?}; memory {warm} pages throughout");
}
