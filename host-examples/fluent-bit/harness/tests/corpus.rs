//! The corpus through the emulated filter: every real event comes back byte for byte, and
//! every synthetic case gives its `dnschild_default` verdict with the native core's alert.

mod common;

use common::*;
use dnschild_fluent_bit_harness::Verdict;
use serde_json::Value;

/// Each real event, as Fluent Bit would hand it over: JSON lines as they are, and each
/// `<Event>` of the XML files in the `Render_Event_As_XML` shape `{"System":"<Event...>"}`.
fn real_events(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        if name.ends_with(".jsonl") && !name.starts_with("synthetic") {
            out.extend(text.lines().filter(|l| !l.trim().is_empty()).enumerate().map(|(i, l)| (format!("{name}:{}", i + 1), l.to_string())));
        } else if name.ends_with(".xml") {
            for (i, chunk) in text.split("<Event ").skip(1).enumerate() {
                let end = chunk.rfind("</Event>").unwrap() + "</Event>".len();
                let xml = format!("<Event {}", &chunk[..end]);
                out.push((format!("{name}#{}", i + 1), serde_json::json!({ "System": xml }).to_string()));
            }
        }
    }
    out
}

#[test]
fn real_events_come_back_byte_identical() {
    let Some(dir) = corpus_dir() else { return };
    let events = real_events(&dir);
    let (jsonl, xml) = events.iter().fold((0, 0), |(j, x), (w, _)| if w.contains(".jsonl:") { (j + 1, x) } else { (j, x + 1) });
    // 3 × (1531 + 1214 + 149) evtx-derived lines and XML events, plus 1819 OTRF lines.
    assert_eq!((jsonl, xml), (2 * (1531 + 1214 + 149) + 1819, 1531 + 1214 + 149));
    let mut annotate = filter(ANNOTATE, &[]);
    let mut alerts = filter(ALERTS, &[]);
    for (what, event) in &events {
        let got = annotate.filter(TAG, event.as_bytes()).unwrap();
        assert_eq!(got.verdict, Verdict::Replaced, "{what}");
        assert!(got.returned_input, "{what}: not the input pointer");
        assert!(got.output == event.as_bytes(), "{what}: altered");
        assert_eq!(alerts.filter(TAG, event.as_bytes()).unwrap().verdict, Verdict::Dropped, "{what}");
    }
    assert_eq!(annotate.stderr(), "");
}

/// The synthetic cases as records: JSON events as compact JSON, XML events wrapped in the
/// `Render_Event_As_XML` shape.
fn synthetic(dir: &std::path::Path) -> Vec<(String, String, bool)> {
    let text = std::fs::read_to_string(dir.join("synthetic_dns_child_cases.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let record = match &v["event"] {
                Value::String(xml) => serde_json::json!({ "System": xml }).to_string(),
                obj => obj.to_string(),
            };
            let what = format!("{} {}", v["case"].as_str().unwrap(), v["shape"].as_str().unwrap());
            (what, record, v["expect"]["dnschild_default"].as_bool().unwrap())
        })
        .collect()
}

#[test]
fn synthetic_cases_give_the_default_verdict_and_the_cores_alert() {
    let Some(dir) = corpus_dir() else { return };
    let cases = synthetic(&dir);
    assert_eq!(cases.len(), 50);
    let engine = dnschild::Engine::default();
    let mut annotate = filter(ANNOTATE, &[]);
    let mut alerts = filter(ALERTS, &[]);
    let mut positives = 0;
    for (what, record, expect) in &cases {
        let native = engine.evaluate(record).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(native.is_some(), *expect, "{what}: the native core's verdict");
        let got = annotate.filter(TAG, record.as_bytes()).unwrap();
        assert_eq!(got.verdict, Verdict::Replaced, "{what}");
        let kept = alerts.filter(TAG, record.as_bytes()).unwrap();
        match native {
            Some(alert) => {
                positives += 1;
                let rendered = engine.render(&alert);
                let want = spliced(record, "dnschild", &rendered);
                assert_eq!(String::from_utf8_lossy(&got.output), want, "{what}");
                assert!(!got.returned_input);
                let doc: Value = serde_json::from_slice(&got.output).unwrap();
                assert_eq!(doc["dnschild"], serde_json::from_str::<Value>(&rendered).unwrap(), "{what}");
                assert_eq!(doc["dnschild"]["rule"]["id"].as_str().or(doc["dnschild"]["id"].as_str()), Some("dnschild-0001"), "{what}");
                assert_eq!((kept.verdict, kept.output), (Verdict::Replaced, want.into_bytes()), "{what}: alerts mode");
            }
            None => {
                assert!(got.returned_input && got.output == record.as_bytes(), "{what}: altered");
                assert_eq!(kept.verdict, Verdict::Dropped, "{what}: alerts mode");
            }
        }
    }
    let want_positives = cases.iter().filter(|c| c.2).count();
    assert_eq!(positives, want_positives);
    assert!(positives >= 20, "only {positives} positive cases");
}
