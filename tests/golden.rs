//! The alert wire shapes, pinned byte for byte: one fixed positive rendered in each output
//! format, and the rule-info document. `UPDATE_GOLDEN=1 cargo test -p dnschild --test golden`
//! rewrites `tests/golden/*.json`; review the diff before committing it.

use std::path::PathBuf;

use dnschild::{Config, Engine, OutputFormat};
use serde_json::Value;

/// A Sysmon EID 1 in evtx-style JSON: dns.exe starts cmd.exe. Every alert field is filled,
/// and the command line has characters JSON must escape (quotes, backslashes, a tab).
const EVENT: &str = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"DNS01.corp.example","TimeCreated":{"#attributes":{"SystemTime":"2025-06-30T21:45:09.1234567Z"}}},"RenderingInfo":{"Message":"Process Create: cmd.exe"},"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c \"whoami /all\"\t> C:\\Windows\\Temp\\w.txt","User":"NT AUTHORITY\\SYSTEM","ParentImage":"C:\\Windows\\System32\\dns.exe"}}}"##;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// Compares `actual` (plus a final newline) with the golden file, or rewrites it.
fn golden(name: &str, actual: &str) {
    let path = golden_path(name);
    let actual = format!("{actual}\n");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert!(want == actual, "{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)\nwant: {want}\ngot:  {actual}");
}

fn render(format: OutputFormat) -> String {
    let e = Engine::new(Config { output: format, ..Config::default() }).unwrap();
    let alert = e.evaluate(EVENT).unwrap().expect("the fixed event alerts");
    e.render(&alert)
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON: {e}\n{s}"))
}

#[test]
fn native_alert() {
    let out = render(OutputFormat::Native);
    golden("native.json", &out);
    let v = parse(&out);
    assert_eq!(v["rule"]["id"], "dnschild-0001");
    assert_eq!(v["hostname"], "DNS01.corp.example");
    assert_eq!(v["command_line"], "cmd.exe /c \"whoami /all\"\t> C:\\Windows\\Temp\\w.txt");
    assert_eq!(v["parent_process_name"], r"C:\Windows\System32\dns.exe");
    assert_eq!(v["fingerprint"], dnschild::alert::fingerprint(EVENT.as_bytes()));
    assert_eq!(v["explanation"][1]["field"], "Event.EventData.ParentImage");
    assert_eq!(v["notes"], Value::Array(vec![]));
}

#[test]
fn ecs_alert() {
    let out = render(OutputFormat::Ecs);
    golden("ecs.json", &out);
    let v = parse(&out);
    assert_eq!(v["@timestamp"], "2025-06-30T21:45:09.123Z");
    assert_eq!(v["dnschild"]["event_time"], "2025-06-30T21:45:09.1234567Z");
    assert_eq!(v["rule"]["description"], dnschild::meta::SUMMARY);
    assert_eq!(v["event"]["kind"], "alert");
    assert_eq!(v["event"]["category"], serde_json::json!(["process"]));
    assert_eq!(v["event"]["type"], serde_json::json!(["start"]));
    assert_eq!(v["rule"]["name"], "Unusual Child Process of dns.exe");
    assert_eq!(v["threat"]["framework"], "MITRE ATT&CK");
    assert_eq!(v["threat"]["technique"]["id"], serde_json::json!(["T1133"]));
    assert_eq!(v["threat"]["tactic"]["id"], serde_json::json!(["TA0001", "TA0003"]));
    assert_eq!(v["host"]["name"], "DNS01.corp.example");
    assert_eq!(v["process"]["executable"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(v["process"]["name"], "cmd.exe");
    assert_eq!(v["process"]["parent"]["executable"], r"C:\Windows\System32\dns.exe");
    assert_eq!(v["process"]["parent"]["name"], "dns.exe");
    assert_eq!((v["user"]["name"].as_str(), v["user"]["domain"].as_str()), (Some("SYSTEM"), Some("NT AUTHORITY")));
}

#[test]
fn ocsf_detection_finding() {
    let out = render(OutputFormat::Ocsf);
    golden("ocsf.json", &out);
    let v = parse(&out);
    assert_eq!((v["class_uid"].as_i64(), v["category_uid"].as_i64(), v["activity_id"].as_i64()), (Some(2004), Some(2), Some(1)));
    // type_uid = class_uid * 100 + activity_id
    assert_eq!(v["type_uid"].as_i64(), Some(2004 * 100 + 1));
    assert_eq!((v["severity_id"].as_i64(), v["severity"].as_str()), (Some(4), Some("High")));
    // 2025-06-30T21:45:09.123Z in epoch milliseconds.
    assert_eq!(v["time"].as_i64(), Some(1_751_319_909_123));
    assert_eq!(v["metadata"]["version"], "1.3.0");
    assert_eq!(v["finding_info"]["uid"], dnschild::alert::fingerprint(EVENT.as_bytes()));
    assert_eq!(v["finding_info"]["analytic"]["uid"], dnschild::meta::RULE_UUID);
    assert_eq!(v["device"]["hostname"], "DNS01.corp.example");
    let p = &v["evidences"][0]["process"];
    assert_eq!(p["file"]["path"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(p["parent_process"]["file"]["name"], "dns.exe");
    assert_eq!((p["file"]["type_id"].as_i64(), p["parent_process"]["file"]["type_id"].as_i64()), (Some(1), Some(1)));
    assert_eq!((p["user"]["name"].as_str(), p["user"]["domain"].as_str()), (Some("SYSTEM"), Some("NT AUTHORITY")));
}

#[test]
fn a_bare_file_name_is_a_name_not_an_executable_path() {
    let event = r#"{"actionname":"Process started","PARENTPROCESSNAME":"dns.exe","PROCESSNAME":"cmd.exe","USERNAME":"svc-dns"}"#;
    let engine = dnschild::Engine::from_json_config(r#"{"output":"ecs"}"#).unwrap();
    let v = parse(&engine.render(&engine.evaluate(event).unwrap().unwrap()));
    assert_eq!(v["process"]["parent"], serde_json::json!({"name": "dns.exe"}));
    assert_eq!(v["process"], serde_json::json!({"name": "cmd.exe", "parent": {"name": "dns.exe"}}));
    assert_eq!(v["user"], serde_json::json!({"name": "svc-dns"}));
    assert!(v.get("@timestamp").is_none(), "no time in the event, none invented");
}

#[test]
fn rule_info() {
    let out = dnschild::render::rule_info_json();
    golden("rule-info.json", &out);
    let v = parse(&out);
    assert_eq!(v["id"], "dnschild-0001");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["profiles"], serde_json::json!(["seed", "sigma-cve-2020-1350", "elastic", "hardened"]));
    assert_eq!(v["severity"]["label"], "Trouble");
}

#[test]
fn the_fixed_event_and_its_rendering_are_stable() {
    // Rendering twice gives the same bytes (no clock, no randomness), in every format.
    for f in OutputFormat::ALL {
        assert_eq!(render(f), render(f), "{}", f.name());
        assert!(!render(f).contains('\n'), "{}: one line", f.name());
    }
}
