//! The built component (`dist/dnschild.component.wasm`) in wasmtime, held against the
//! native core: it imports nothing, and gives the same alerts, byte for byte, on every
//! synthetic case under every profile and on every real corpus event.

#[path = "../../../tests/common/mod.rs"]
mod common;

use dnschild::{Config, Engine, Profile};
use dnschild_cli::plugin::{EventError, Plugin, PluginError};

fn component_path() -> std::path::PathBuf {
    let p = common::repo_root().join("dist/dnschild.component.wasm");
    assert!(p.is_file(), "{} is missing: run `make component` first", p.display());
    p
}

fn plugin(profile: Profile) -> Plugin {
    let mut p = Plugin::load(&component_path()).unwrap();
    p.configure_json(&format!(r#"{{"profile":"{}"}}"#, profile.name())).unwrap();
    p
}

fn native(profile: Profile) -> Engine {
    Engine::new(Config { profile, ..Config::default() }).unwrap()
}

/// The component's answer and the native core's, as comparable text.
fn both(p: &mut Plugin, e: &Engine, event: &str) -> (Result<Option<String>, String>, Result<Option<String>, String>) {
    let wasm = p.evaluate(event).map(|a| a.map(|a| a.rendered)).map_err(|f| f.kind().to_string());
    let core = e.evaluate(event).map(|a| a.map(|a| e.render(&a))).map_err(|err| err.kind().to_string());
    (wasm, core)
}

#[test]
fn imports_nothing_and_exports_the_rule_interface() {
    let p = Plugin::load(&component_path()).unwrap();
    assert_eq!(p.imports(), Vec::<String>::new());
    assert_eq!(p.exports(), ["dnschild:detector/rule@0.1.0"]);
}

#[test]
fn synthetic_cases_match_the_native_core_under_every_profile() {
    let Some(dir) = common::corpus_dir() else { return };
    let cases = common::synthetic_cases(&dir);
    for profile in Profile::ALL {
        let (mut p, e) = (plugin(profile), native(profile));
        let mut alerts = 0;
        for c in &cases {
            let (wasm, core) = both(&mut p, &e, &c.event);
            assert_eq!(wasm, core, "{} {} under {}", c.case, c.shape, profile.name());
            alerts += usize::from(matches!(wasm, Ok(Some(_))));
            if profile == Profile::Seed {
                assert_eq!(matches!(wasm, Ok(Some(_))), c.expect("dnschild_default"), "{} {}", c.case, c.shape);
            }
        }
        // The same as the native corpus test pins: 35 alerts under the default profile.
        if profile == Profile::Seed {
            assert_eq!(alerts, 35);
        }
    }
}

#[test]
fn real_events_give_no_alert_and_batches_agree_with_single_calls() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut p = plugin(Profile::Seed);
    let mut events: Vec<String> = Vec::new();
    for src in common::TRIPLE_SOURCES {
        events.extend(common::jsonl(&dir, &format!("{src}.proc_creation.evtxrs.jsonl")));
        events.extend(common::jsonl(&dir, &format!("{src}.proc_creation.fluentbit_winevtlog_sim.jsonl")));
        events.extend(common::xml_events(&dir, &format!("{src}.proc_creation.xml")));
    }
    events.extend(common::jsonl(&dir, "otrf_security_datasets.proc_creation.nxlog.jsonl"));
    assert_eq!(events.len(), 3 * (1531 + 1214 + 149) + 1819);
    for chunk in events.chunks(500) {
        for v in p.evaluate_batch(chunk) {
            assert!(matches!(v, Ok(None)), "{:?}", v.map(|a| a.map(|a| a.rendered)));
        }
    }
    // The same events with a dns.exe parent: every alert is the native core's, byte for byte.
    let e = native(Profile::Seed);
    let dns = serde_json::to_string(r"C:\Windows\System32\dns.exe").unwrap();
    let mut alerts = 0;
    for line in common::jsonl(&dir, "evtx_attack_samples.proc_creation.evtxrs.jsonl") {
        let mutated = line.replacen(r#""ParentImage":""#, &format!(r#""ParentImage":{dns},"was":""#), 1);
        let single = both(&mut p, &e, &mutated);
        assert_eq!(single.0, single.1, "{mutated}");
        let batch = p.evaluate_batch(std::slice::from_ref(&mutated)).remove(0).map(|a| a.map(|a| a.rendered));
        assert_eq!(batch.map_err(|f| f.kind().to_string()), single.0);
        alerts += usize::from(matches!(single.0, Ok(Some(_))));
    }
    assert!(alerts > 1000, "{alerts}");
}

#[test]
fn bad_input_is_a_typed_error_and_the_instance_keeps_working() {
    let mut p = plugin(Profile::Seed);
    let positive = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe"}"#;
    // Each bad event names dns.exe, so the fast path cannot pass over it (see `Engine::explain`).
    let huge = format!(r#"{{"ParentImage":"dns.exe","CommandLine":"{}"}}"#, "A".repeat(10 << 20));
    let nested_in_object = format!(r#"{{"ParentImage":"dns.exe","a":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let nested_xml = format!("<Event><!-- dns.exe -->{}{}</Event>", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let cases: Vec<(&str, String, &str)> = vec![
        ("10 MiB", huge, "too_large"),
        ("nested arrays", "[".repeat(100_000) + &"]".repeat(100_000), "not_an_object"),
        ("nested arrays in an object", nested_in_object, "too_deep"),
        ("nested XML", nested_xml, "too_deep"),
        ("malformed JSON", r#"{"PARENTPROCESSNAME":"dns.exe""#.into(), "malformed_json"),
        ("malformed XML", "<Event><System><EventID>1</System></Event> dns.exe".into(), "malformed_xml"),
        ("empty", "  ".into(), "empty"),
        ("text", "dns.exe started cmd.exe".into(), "unknown_format"),
    ];
    for (what, event, kind) in &cases {
        let got = p.evaluate(event);
        assert_eq!(got.as_ref().map(|_| ()).map_err(|f| f.kind()), Err(*kind), "{what}");
        assert!(p.evaluate(positive).unwrap().is_some(), "after {what}");
    }
    assert!(matches!(p.evaluate(&cases[0].1), Err(dnschild_cli::plugin::EventFailure::Event(EventError::TooLarge(n))) if n > 10 << 20));
    assert_eq!(p.reinstantiations, 0, "no input may trap the component");
}

#[test]
fn configuration_errors_name_the_key_and_keep_the_old_configuration() {
    let mut p = plugin(Profile::Hardened);
    for (json, key) in [(r#"{"profile":"strict"}"#, "profile"), (r#"{"allowlist":{"host":[]}}"#, "allowlist.host"), ("[]", "")] {
        match p.configure_json(json) {
            Err(PluginError::Config { key: k, .. }) => assert_eq!(k, key, "{json}"),
            other => panic!("{json}: {other:?}"),
        }
    }
    let cfg = p.current_config().unwrap();
    assert!(matches!(cfg.profile, dnschild_cli::plugin::exports::dnschild::detector::rule::Profile::Hardened));
    assert_eq!(cfg.max_event_bytes, 1 << 20);
    assert_eq!(cfg.max_fields, 10_000);
    let info = p.info().unwrap();
    assert_eq!(info.id, "dnschild-0001");
    let mitigations: Vec<&str> = info.mitigations.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(mitigations, ["M1042", "M1035", "M1032", "M1030"]);
    assert_eq!(info.standards[0].id, "DE.CM-01");
    assert_eq!(info.techniques[0].id, "T1133");
}
