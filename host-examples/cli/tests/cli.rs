//! The `dnschild` command end to end: every input format, annotate mode's one-in-one-out
//! promise, bad records reported with their place while the scan goes on, exit codes,
//! and the whole corpus (no alert on real events, the listed verdict on each synthetic case).

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const POSITIVE: &str = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","HOSTNAME":"DNS01"}"#;
const NEGATIVE: &str = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\explorer.exe","PROCESSNAME":"C:\\Windows\\System32\\notepad.exe"}"#;

fn component() -> PathBuf {
    let p = common::repo_root().join("dist/dnschild.component.wasm");
    assert!(p.is_file(), "{} is missing: run `make component` first", p.display());
    p
}

/// Runs `dnschild scan` with `args`, feeding `stdin`; summary as JSON.
fn scan(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnschild"))
        .arg("scan")
        .arg("--component")
        .arg(component())
        .args(["--summary", "json", "--no-progress"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn summary(out: &Output) -> Value {
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("no JSON summary ({e}) in stderr:\n{err}"))
}

fn stdout_lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(String::from).collect()
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dnschild-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn stdin_ndjson_alerts_and_exit_codes() {
    let input = format!("{NEGATIVE}\n{POSITIVE}\n\n{NEGATIVE}\n");
    let out = scan(&[], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 1);
    let alert: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(alert["process_name"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(alert["hostname"], "DNS01");
    assert_eq!(alert["rule"]["id"], "dnschild-0001");
    let s = summary(&out);
    assert_eq!((s["events"].as_u64(), s["alerts"].as_u64(), s["errors"].as_u64()), (Some(3), Some(1), Some(0)));

    let out = scan(&[], format!("{NEGATIVE}\n").as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_records_are_reported_with_their_line_and_the_scan_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"ParentImage\":\"dns.exe\",\"broken\n");
    input.extend_from_slice(b"{\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\dns.exe\",\"Image\":\"x\xff.exe\"}\n");
    input.extend_from_slice(format!("{{\"ParentImage\":\"dns.exe\",\"CommandLine\":\"{}\"}}\n", "A".repeat(10 << 20)).as_bytes());
    input.extend_from_slice(format!("{{\"ParentImage\":\"dns.exe\",\"a\":{}{}}}\n", "[".repeat(100_000), "]".repeat(100_000)).as_bytes());
    input.extend_from_slice(b"[1,2,3]\n");
    input.extend_from_slice(POSITIVE.as_bytes());
    let out = scan(&[], &input);
    assert_eq!(out.status.code(), Some(3), "alerts and errors");
    assert_eq!(stdout_lines(&out).len(), 1, "the positive after the bad lines still alerts");
    let s = summary(&out);
    assert_eq!(s["events"], 6);
    assert_eq!(
        s["errors_by_kind"],
        serde_json::json!({"malformed_json": 1, "invalid_utf8": 1, "too_large": 1, "too_deep": 1, "not_an_object": 1})
    );
    let err = String::from_utf8_lossy(&out.stderr);
    for place in ["<stdin> line 1: malformed_json", "<stdin> line 2: invalid_utf8", "<stdin> line 3: too_large", "<stdin> line 4: too_deep", "<stdin> line 5: not_an_object"] {
        assert!(err.contains(place), "missing `{place}` in:\n{err}");
    }
}

#[test]
fn annotate_passes_every_record_through_once_in_order() {
    let lines = [NEGATIVE.to_string(), POSITIVE.to_string(), "{\"ParentImage\":\"dns.exe\",".into(), "not json at all".into(), "{\"a\":1}".into()];
    let mut input = lines.join("\n").into_bytes();
    input.extend_from_slice(b"\n{\"b\":\"\xff\"}\n");
    let out = scan(&["--annotate"], &input);
    let got = stdout_lines(&out);
    assert_eq!(got.len(), 6);
    assert_eq!(summary(&out)["written"], 6);
    // No alert: the line exactly as it came.
    assert_eq!(got[0], NEGATIVE);
    assert_eq!(got[4], "{\"a\":1}");
    // An alert: the original fields, then the alert under `dnschild`.
    let v: Value = serde_json::from_str(&got[1]).unwrap();
    assert!(got[1].starts_with(&POSITIVE[..POSITIVE.len() - 1]));
    assert_eq!(v["dnschild"]["parent_process_name"], r"C:\Windows\System32\dns.exe");
    // Errors: wrapped, with the kind.
    let v: Value = serde_json::from_str(&got[2]).unwrap();
    assert_eq!((v["event_raw"].as_str(), v["dnschild_error"]["kind"].as_str()), (Some("{\"ParentImage\":\"dns.exe\","), Some("malformed_json")));
    let v: Value = serde_json::from_str(&got[3]).unwrap();
    assert_eq!(v["dnschild_error"]["kind"], "unknown_format");
    let v: Value = serde_json::from_str(&got[5]).unwrap();
    assert_eq!(v["dnschild_error"]["kind"], "invalid_utf8");
    // The line's text is kept, its bad byte shown as U+FFFD.
    assert_eq!(v["event_raw"], "{\"b\":\"\u{fffd}\"}");
}

#[test]
fn a_malformed_line_is_an_error_in_every_mode_even_without_dns_exe() {
    let input = format!("{{\"a\":\n{NEGATIVE}\n");
    for mode in [&["--annotate"][..], &[]] {
        let out = scan(mode, input.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{mode:?}");
        assert_eq!(summary(&out)["errors_by_kind"], serde_json::json!({"malformed_json": 1}), "{mode:?}");
    }
    let got = stdout_lines(&scan(&["--annotate"], input.as_bytes()));
    assert_eq!(got.len(), 2);
    let v: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!((v["event_raw"].as_str(), v["dnschild_error"]["kind"].as_str()), (Some("{\"a\":"), Some("malformed_json")));
}

#[test]
fn utf16_ndjson_as_powershell_writes_it_loses_nothing() {
    let ndjson = [POSITIVE, NEGATIVE, POSITIVE].join("\r\n") + "\r\n";
    for (bom, be) in [([0xff, 0xfe], false), ([0xfe, 0xff], true)] {
        let mut bytes = bom.to_vec();
        bytes.extend(ndjson.encode_utf16().flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() }));
        let out = scan(&["--annotate"], &bytes);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stdout_lines(&out).len(), 3, "every event out once");
        let s = summary(&out);
        assert_eq!((s["events"].as_u64(), s["alerts"].as_u64(), s["errors"].as_u64()), (Some(3), Some(2), Some(0)));
    }
}

#[test]
fn a_truncated_json_array_keeps_its_whole_events() {
    let array = format!("[\n  {POSITIVE},\n  {NEGATIVE},\n  {POSITIVE}\n]");
    let cut = &array[..array.len() - 60];
    let out = scan(&["--annotate"], cut.as_bytes());
    assert_eq!(out.status.code(), Some(3), "alerts and an error");
    let got = stdout_lines(&out);
    assert_eq!(got.len(), 3);
    let last: Value = serde_json::from_str(&got[2]).unwrap();
    assert_eq!(last["dnschild_error"]["kind"], "malformed_json");
    assert!(last["event_raw"].as_str().unwrap().starts_with("{\"actionname\""), "the cut element's text is kept: {last}");
}

#[test]
fn xml_comments_cdata_junk_and_truncation_are_handled_honestly() {
    let hit = |host: &str| format!("<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><Computer>{host}</Computer></System><EventData><Data Name='ParentImage'>C:\\Windows\\System32\\dns.exe</Data><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data></EventData></Event>");
    let xml = format!(
        "<Events><!-- {} -->{}JUNK<Event><System><EventID>1</EventID>\n{}</Events>",
        hit("COMMENTED"),
        hit("A").replace("cmd.exe</Data>", "<![CDATA[cmd.exe</Event>]]></Data>"),
        hit("B")
    );
    let out = scan(&["--annotate"], xml.as_bytes());
    let got: Vec<Value> = stdout_lines(&out).iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let hosts: Vec<Option<&str>> = got.iter().map(|v| v["dnschild"]["hostname"].as_str()).collect();
    assert_eq!(hosts, [Some("A"), None, None, Some("B")], "{got:?}");
    assert_eq!(got[1]["event_raw"], "JUNK");
    assert_eq!(got[2]["dnschild_error"]["kind"], "malformed_xml");
    assert!(got[2]["event_xml"].as_str().unwrap().starts_with("<Event><System><EventID>1"));
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn help_and_argument_mistakes() {
    for cmd in ["scan", "serve", "info", "health"] {
        let out = Command::new(env!("CARGO_BIN_EXE_dnschild")).args([cmd, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{cmd} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
    }
    let out = scan(&["--annotate", "--pretty"], POSITIVE.as_bytes());
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pretty is for alerts"));
    let out = Command::new(env!("CARGO_BIN_EXE_dnschild")).args(["serve", "--listen", "http://127.0.0.1:1/x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen takes tcp://HOST:PORT or unix:PATH"));
    let out = Command::new(env!("CARGO_BIN_EXE_dnschild")).arg("info").env("DNSCHILD_COMPONENT", "/nonexistent.wasm").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DNSCHILD_COMPONENT names /nonexistent.wasm, which is not a file"));
}

#[test]
fn json_array_pretty_json_xml_and_config_flags() {
    let arr = tmp("events.json", format!("[\n {NEGATIVE},\n {POSITIVE}\n]").as_bytes());
    let pretty = tmp("pretty.json", b"{\n  \"actionname\": \"Process started\",\n  \"PARENTPROCESSNAME\": \"dns.exe\",\n  \"PROCESSNAME\": \"C:\\\\Tools\\\\conhost.exe\"\n}\n");
    let xml = tmp(
        "events.xml",
        b"<?xml version='1.0' encoding='utf-8'?>\n<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><Computer>DNS02.example</Computer></System><EventData><Data Name='Image'>C:\\Windows\\System32\\rundll32.exe</Data><Data Name='ParentImage'>C:\\Windows\\System32\\dns.exe</Data></EventData></Event>\n<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>3</EventID></System><EventData><Data Name='Image'>C:\\Windows\\System32\\dns.exe</Data></EventData></Event></Events>",
    );
    let out = scan(&[arr.to_str().unwrap(), pretty.to_str().unwrap(), xml.to_str().unwrap()], b"");
    let alerts: Vec<Value> = stdout_lines(&out).iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let shapes: Vec<&str> = alerts.iter().map(|a| a["shape"].as_str().unwrap()).collect();
    assert_eq!(shapes, ["log360", "event_xml"], "conhost.exe is excluded by the seed profile");
    assert_eq!(alerts[1]["hostname"], "DNS02.example");
    assert_eq!(summary(&out)["events"], 5);
    // --profile hardened: a conhost.exe outside System32 alerts.
    let out = scan(&["--profile", "hardened", "--output", "ecs", pretty.to_str().unwrap()], b"");
    let alerts = stdout_lines(&out);
    assert_eq!(alerts.len(), 1);
    let a: Value = serde_json::from_str(&alerts[0]).unwrap();
    assert_eq!(a["rule"]["ruleset"], "hardened");
    assert_eq!(a["process"]["executable"], r"C:\Tools\conhost.exe");
    // A bad configuration names the key, and nothing is scanned.
    let out = scan(&["--profile", "strict"], POSITIVE.as_bytes());
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("key `profile`"));
    // A missing file is an input error; the other inputs are still scanned.
    let out = scan(&["/nonexistent/x.ndjson", "-"], POSITIVE.as_bytes());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(summary(&out)["errors_by_kind"]["io"], 1);
}

fn synthetic_files(dir: &Path) -> (PathBuf, PathBuf, usize) {
    let cases = common::synthetic_cases(dir);
    let (mut json, mut xml, mut want) = (String::new(), String::from("<Events>\n"), 0);
    for c in &cases {
        if c.event.starts_with('<') {
            xml.push_str(&c.event);
            xml.push('\n');
        } else {
            json.push_str(&c.event);
            json.push('\n');
        }
        want += usize::from(c.expect("dnschild_default"));
    }
    xml.push_str("</Events>\n");
    (tmp("synthetic.ndjson", json.as_bytes()), tmp("synthetic.xml", xml.as_bytes()), want)
}

#[test]
fn whole_corpus_real_events_never_alert_and_synthetic_cases_give_their_verdicts() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            (n.ends_with(".jsonl") || n.ends_with(".xml")) && !n.starts_with("synthetic")
        })
        .collect();
    files.extend(std::fs::read_dir(dir.join("evtx")).unwrap().map(|e| e.unwrap().path()));
    files.sort();
    let args: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let out = scan(&args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let s = summary(&out);
    // 4,713 real events (3 renderings of 2,894 plus 1,819 flat lines) and 1,051 .evtx records.
    assert_eq!((s["inputs"].as_u64(), s["events"].as_u64(), s["alerts"].as_u64()), (Some(15), Some(3 * 2894 + 1819 + 1051), Some(0)));

    let (ndjson, xml, want) = synthetic_files(&dir);
    let out = scan(&[ndjson.to_str().unwrap(), xml.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!((summary(&out)["alerts"].as_u64(), summary(&out)["errors"].as_u64()), (Some(want as u64), Some(0)));
    assert_eq!(want, 35);
}
