//! The shipped Fluent Bit configurations name what the module really exports, and the
//! shipped `config/dnschild.json` loads without a message.

mod common;

use common::*;

fn read(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("host-examples/fluent-bit").join(name)).unwrap()
}

/// The value of `key` on each line that sets it (classic `Key value` or YAML `key: value`).
fn values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim().trim_start_matches("- ");
            let (k, v) = l.split_once(|c: char| c == ':' || c.is_whitespace())?;
            k.eq_ignore_ascii_case(key).then(|| v.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
        })
        .collect()
}

#[test]
fn configurations_use_the_module_as_built() {
    let exports = compiled().exports();
    for name in ["fluent-bit.conf", "fluent-bit.yaml", "linux.conf", "linux.yaml"] {
        let text = read(name);
        assert_eq!(values(&text, "function_name"), [ANNOTATE], "{name}");
        assert!(exports.iter().any(|e| e == ANNOTATE));
        assert_eq!(values(&text, "event_format"), ["json"], "{name}");
        let wasm = values(&text, "wasm_path");
        assert!(wasm.len() == 1 && wasm[0].ends_with("dnschild.fluent-bit.wasm"), "{name}: {wasm:?}");
        let rule = values(&text, "rule");
        assert_eq!(rule.len(), 1, "{name}");
        assert!(rule[0].starts_with("$dnschild['rule']['id'] ^dnschild-0001$ dnschild.alert "), "{name}: {rule:?}");
        let accessible = values(&text, "accessible_paths");
        assert!(accessible.len() == 1 && accessible[0].ends_with("config"), "{name}");
    }
    for name in ["fluent-bit.conf", "fluent-bit.yaml"] {
        assert_eq!(values(&read(name), "channels"), ["Microsoft-Windows-Sysmon/Operational,Security"], "{name}");
    }
}

#[test]
fn the_shipped_configuration_loads_and_alerts_under_its_key() {
    let dir = repo_root().join("host-examples/fluent-bit/config");
    let doc: serde_json::Value = serde_json::from_str(&read("config/dnschild.json")).unwrap();
    let key = doc["alert_key"].as_str().unwrap();
    let mut f = filter(ANNOTATE, &[&dir]);
    let rec = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe"}"#;
    let got = f.filter(TAG, rec.as_bytes()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&got.output).unwrap();
    assert_eq!(v[key]["rule"]["id"], "dnschild-0001");
    assert_eq!(f.stderr(), "");
}
