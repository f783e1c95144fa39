//! The native core over `../shared/corpus`: the authored cases give their listed verdicts
//! under each profile, the 4,713 real events give no alert, every real event decodes to
//! the same parent and child as an independent reading of its evtx-rs JSON, and the same
//! real events alert once their parent is rewritten to dns.exe.

mod common;

use dnschild::decode::decode;
use dnschild::rule::Skip;
use dnschild::{Config, Engine, Outcome, Profile};
use serde_json::Value;

fn engine(profile: Profile) -> Engine {
    Engine::new(Config { profile, ..Config::default() }).unwrap()
}

/// Verdicts where our profile differs from the reference rule's literal test only because
/// of how a path is spelled: (case, profile, our verdict, why).
const SPELLING_DIFFERENCES: &[(&str, Profile, bool, &str)] = &[
    (
        "C14",
        Profile::SigmaCve20201350,
        true,
        "C:/Windows/System32/dns.exe: Sigma's literal `endswith \\System32\\dns.exe` misses forward slashes; we normalise them",
    ),
    (
        "C14",
        Profile::Elastic,
        true,
        "C:/Windows/System32/dns.exe: Elastic's process.parent.name would be the whole forward-slash path; we take the file name",
    ),
];

#[test]
fn synthetic_cases_default_profile() {
    let Some(dir) = common::corpus_dir() else { return };
    let cases = common::synthetic_cases(&dir);
    assert_eq!(cases.len(), 50);
    let e = engine(Profile::Seed);
    let mut alerts = 0;
    for c in &cases {
        let got = e.evaluate(&c.event).unwrap_or_else(|err| panic!("{} {}: {err}", c.case, c.shape));
        assert_eq!(got.is_some(), c.expect("dnschild_default"), "{} {}", c.case, c.shape);
        alerts += usize::from(got.is_some());
    }
    assert_eq!(alerts, 35);
}

#[test]
fn synthetic_cases_reference_profiles() {
    let Some(dir) = common::corpus_dir() else { return };
    let cases = common::synthetic_cases(&dir);
    for (profile, column) in [(Profile::SigmaCve20201350, "sigma_b5281f31_cve_2020_1350"), (Profile::Elastic, "elastic_8c37dc0e")] {
        let e = engine(profile);
        for c in &cases {
            let got = e.evaluate(&c.event).unwrap().is_some();
            let want = SPELLING_DIFFERENCES
                .iter()
                .find(|(case, p, _, _)| *case == c.case && *p == profile)
                .map_or_else(|| c.expect(column), |d| d.2);
            assert_eq!(got, want, "{} {} under {}", c.case, c.shape, profile.name());
        }
    }
    // The named differences really are differences from the reference column.
    for (case, profile, ours, _) in SPELLING_DIFFERENCES {
        let column = if *profile == Profile::Elastic { "elastic_8c37dc0e" } else { "sigma_b5281f31_cve_2020_1350" };
        let c = cases.iter().find(|c| c.case == *case).unwrap();
        assert_ne!(c.expect(column), *ours, "{case}");
    }
}

#[test]
fn hardened_profile_flags_conhost_outside_system32() {
    let Some(dir) = common::corpus_dir() else { return };
    let e = engine(Profile::Hardened);
    for c in common::synthetic_cases(&dir) {
        let got = e.evaluate(&c.event).unwrap();
        match c.case.as_str() {
            "C08" => {
                let a = got.unwrap_or_else(|| panic!("C08 {} must alert under hardened", c.shape));
                assert!(a.notes.iter().any(|n| n.contains("possible masquerade")), "{:?}", a.notes);
            }
            "C09" | "C10" => assert!(got.is_none(), "{} {}: genuine conhost", c.case, c.shape),
            _ => assert_eq!(got.is_some(), c.expect("dnschild_default"), "{} {}", c.case, c.shape),
        }
    }
}

/// Every real event, with the file it came from.
fn real_events(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for src in common::TRIPLE_SOURCES {
        for suffix in ["evtxrs.jsonl", "fluentbit_winevtlog_sim.jsonl"] {
            let name = format!("{src}.proc_creation.{suffix}");
            out.extend(common::jsonl(dir, &name).into_iter().map(|l| (name.clone(), l)));
        }
        let name = format!("{src}.proc_creation.xml");
        out.extend(common::xml_events(dir, &name).into_iter().map(|x| (name.clone(), x)));
    }
    let name = "otrf_security_datasets.proc_creation.nxlog.jsonl";
    out.extend(common::jsonl(dir, name).into_iter().map(|l| (name.to_string(), l)));
    out
}

#[test]
fn real_events_never_alert_under_any_profile() {
    let Some(dir) = common::corpus_dir() else { return };
    let events = real_events(&dir);
    // 3 renderings of 1531 + 1214 + 149 events, plus 1819 flat lines.
    assert_eq!(events.len(), 3 * (1531 + 1214 + 149) + 1819);
    for p in Profile::ALL {
        let e = engine(p);
        for (file, ev) in &events {
            assert_eq!(e.evaluate(ev), Ok(None), "{file} under {}", p.name());
        }
    }
}

/// The parent and child of an evtx-rs JSON line, read with serde_json (the reference).
fn reference_fields(line: &str) -> (Option<String>, Option<String>) {
    let v: Value = serde_json::from_str(line).unwrap();
    let data = &v["Event"]["EventData"];
    let get = |names: &[&str]| names.iter().find_map(|n| data[*n].as_str().filter(|s| !s.is_empty()).map(String::from));
    (get(&["ParentImage", "ParentProcessName"]), get(&["Image", "NewProcessName"]))
}

#[test]
fn real_events_decode_to_the_same_parent_and_child_in_every_rendering() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut checked = 0;
    for src in common::TRIPLE_SOURCES {
        let json = common::jsonl(&dir, &format!("{src}.proc_creation.evtxrs.jsonl"));
        let fb = common::jsonl(&dir, &format!("{src}.proc_creation.fluentbit_winevtlog_sim.jsonl"));
        let xml = common::xml_events(&dir, &format!("{src}.proc_creation.xml"));
        assert_eq!((json.len(), fb.len()), (xml.len(), xml.len()));
        for (i, ((j, f), x)) in json.iter().zip(&fb).zip(&xml).enumerate() {
            let (parent, child) = reference_fields(j);
            for (what, text) in [("evtxrs", j), ("fluentbit", f), ("xml", x)] {
                let view = decode(text, Default::default()).unwrap().unwrap_or_else(|| panic!("{src}[{i}] {what}: unrecognised"));
                assert!(matches!(view.kind, dnschild::event::Kind::ProcessStart(_)), "{src}[{i}] {what}: {:?}", view.kind);
                let got_parent = view.parent_image.map(|f| f.value.into_owned());
                let got_child = view.image.map(|f| f.value.into_owned());
                assert_eq!(got_parent, parent, "{src}[{i}] {what} parent");
                assert_eq!(got_child, child, "{src}[{i}] {what} child");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * (1531 + 1214 + 149));
}

/// Rewrites every occurrence of the parent image in an event's text to dns.exe.
fn with_dns_parent(text: &str, parent: &str, json: bool) -> String {
    let dns = r"C:\Windows\System32\dns.exe";
    if json {
        let esc = |s: &str| serde_json::to_string(s).unwrap();
        text.replace(&esc(parent), &esc(dns))
    } else {
        let xml_escaped = parent.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        text.replace(&format!(">{xml_escaped}</Data>"), &format!(">{dns}</Data>"))
    }
}

#[test]
fn real_events_alert_once_their_parent_is_dns_exe() {
    let Some(dir) = common::corpus_dir() else { return };
    let e = engine(Profile::Seed);
    let (mut alerts, mut no_parent, mut conhost) = (0, 0, 0);
    for src in common::TRIPLE_SOURCES {
        let json = common::jsonl(&dir, &format!("{src}.proc_creation.evtxrs.jsonl"));
        let fb = common::jsonl(&dir, &format!("{src}.proc_creation.fluentbit_winevtlog_sim.jsonl"));
        let xml = common::xml_events(&dir, &format!("{src}.proc_creation.xml"));
        for (i, ((j, f), x)) in json.iter().zip(&fb).zip(&xml).enumerate() {
            let (parent, child) = reference_fields(j);
            // No parent, or a placeholder such as `?`, `-` or `System` that also spells other
            // fields' text: only paths are rewritten.
            let Some(parent) = parent.filter(|p| p.contains('\\')) else {
                no_parent += 1;
                assert_eq!(e.explain(j).unwrap(), Outcome::FastReject, "{src}[{i}]");
                continue;
            };
            let is_conhost = child.as_deref().is_some_and(|c| c.to_ascii_lowercase().ends_with("\\conhost.exe"));
            conhost += usize::from(is_conhost);
            // A process that started a copy of itself: the rewrite turns the child into dns.exe too.
            let child = if child.as_deref() == Some(parent.as_str()) { Some(r"C:\Windows\System32\dns.exe".to_string()) } else { child };
            for (what, text, is_json) in [("evtxrs", j, true), ("fluentbit", f, true), ("xml", x, false)] {
                let mutated = with_dns_parent(text, &parent, is_json);
                let out = e.explain(&mutated).unwrap();
                match (&out, is_conhost) {
                    (Outcome::Alert(a), false) => {
                        assert_eq!(a.parent_process_name.as_deref(), Some(r"C:\Windows\System32\dns.exe"));
                        assert_eq!(a.process_name, child, "{src}[{i}] {what}");
                        alerts += 1;
                    }
                    (Outcome::NoAlert(_, Skip::ChildExcluded), true) => {}
                    _ => panic!("{src}[{i}] {what}: {out:?}"),
                }
            }
        }
    }
    // Pinned counts: events with no parent path (4688 v1 / 13-field v2, `?`, `-`, `System`), conhost children.
    assert_eq!((no_parent, conhost), (910, 115), "counts of the corpus changed");
    assert_eq!(alerts, 3 * (1531 + 1214 + 149 - 910 - 115));
}

#[test]
fn nxlog_lines_decode_and_alert_with_a_dns_parent() {
    let Some(dir) = common::corpus_dir() else { return };
    let e = engine(Profile::Seed);
    let mut alerts = 0;
    for (i, line) in common::jsonl(&dir, "otrf_security_datasets.proc_creation.nxlog.jsonl").iter().enumerate() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let key = ["ParentImage", "ParentProcessName"].into_iter().find(|k| v[*k].as_str().is_some_and(|s| !s.is_empty()));
        let Some(key) = key else { continue };
        v[key] = Value::String(r"C:\Windows\System32\dns.exe".into());
        let child = ["Image", "NewProcessName"].iter().find_map(|k| v[*k].as_str().map(String::from));
        let is_conhost = child.as_deref().is_some_and(|c| c.to_ascii_lowercase().ends_with("\\conhost.exe"));
        let got = e.evaluate(&v.to_string()).unwrap();
        assert_eq!(got.is_some(), !is_conhost, "line {}: {line}", i + 1);
        alerts += usize::from(got.is_some());
    }
    assert!(alerts > 1000, "only {alerts} nxlog lines alerted");
}
