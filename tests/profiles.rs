//! Each profile's parent test and exclusions, and each allowlist list, with a near miss
//! for every entry (so a list that matched everything would fail too).

mod builders;

use builders::{ShapeCase, CMD, DNS, SHAPES};
use dnschild::rule::Skip;
use dnschild::{Engine, Outcome, Profile};

const MASQUERADE: &str = "possible masquerade";

/// `Ok(notes)`: an alert with exactly these notes (matched by substring); `Err`: no alert, why.
type Want = Result<&'static [&'static str], Skip>;

const ALERT: Want = Ok(&[]);

fn check(e: &Engine, case: &ShapeCase, parent: &str, child: &str, want: &Want, profile: &str) {
    let got = e.explain(&case.event(parent, child)).unwrap();
    match (&got, want) {
        (Outcome::Alert(a), Ok(notes)) => {
            assert_eq!(a.notes.len(), notes.len(), "{profile} {} {parent} -> {child}: {:?}", case.label, a.notes);
            for (n, w) in a.notes.iter().zip(notes.iter()) {
                assert!(n.contains(w), "{profile} {parent} -> {child}: note {n:?} lacks {w:?}");
                assert!(n.contains(child), "{profile}: the note names the child: {n:?}");
            }
            assert_eq!(a.profile.name(), profile);
            assert!(a.reasons[2].condition.ends_with(&format!("(profile {profile})")), "{:?}", a.reasons[2]);
        }
        (Outcome::NoAlert(shape, skip), Err(w)) => {
            assert_eq!((shape, skip), (&case.shape, w), "{profile} {} {parent} -> {child}", case.label);
        }
        _ => panic!("{profile} {} {parent} -> {child}: got {got:?}, want {want:?}", case.label),
    }
}

#[test]
fn profiles_as_data() {
    let seed: &[(&str, &str, Want)] = &[
        (DNS, r"C:\Windows\System32\WerFault.exe", ALERT),
        (DNS, r"C:\Windows\System32\dnscmd.exe", ALERT),
        (DNS, DNS, ALERT),
        (r"D:\Tools\dns.exe", CMD, ALERT),
        (DNS, r"C:\Users\Public\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, r"C:\Windows\System32\conhost.exe", Err(Skip::ChildExcluded)),
    ];
    let sigma: &[(&str, &str, Want)] = &[
        (DNS, CMD, ALERT),
        (r"\Device\HarddiskVolume2\Windows\System32\dns.exe", CMD, ALERT),
        ("dns.exe", CMD, Err(Skip::ParentNotDns)),
        (r"D:\Tools\dns.exe", CMD, Err(Skip::ParentNotDns)),
        (DNS, r"C:\Windows\System32\WerFault.exe", Err(Skip::ChildExcluded)),
        (DNS, r"C:\Windows\System32\dnscmd.exe", Err(Skip::ChildExcluded)),
        (DNS, DNS, Err(Skip::ChildExcluded)),
        (DNS, r"C:\Windows\System32\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, r"C:\Temp\WerFault.exe", ALERT),
        (DNS, r"C:\Users\Public\conhost.exe", Ok(&[MASQUERADE])),
    ];
    let elastic: &[(&str, &str, Want)] = &[
        (DNS, CMD, ALERT),
        ("dns.exe", CMD, ALERT),
        (DNS, r"C:\Windows\System32\WerFault.exe", ALERT),
        (r"C:\Program Files\ReasonLabs\DNS\ui\DNS.exe", CMD, Err(Skip::ParentExcluded)),
        (r"C:\Program Files\ReasonLabs\DNS\DNS.exe", CMD, ALERT),
        (DNS, r"C:\Program Files\ReasonLabs\EPP\rsHelper.exe", Err(Skip::ChildExcluded)),
        (DNS, r"\Device\HarddiskVolume2\Windows\System32\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, DNS, Err(Skip::ChildExcluded)),
        // Genuine, but outside the profile's exclusions: an alert with no masquerade note.
        (DNS, r"C:\Windows\SysWOW64\conhost.exe", ALERT),
        (DNS, r"\\evil\c$\Windows\System32\conhost.exe", Ok(&[MASQUERADE])),
    ];
    let hardened: &[(&str, &str, Want)] = &[
        (DNS, r"C:\Windows\System32\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, r"C:\Windows\SysWOW64\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, r"\Device\HarddiskVolume2\Windows\System32\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, r"\\?\C:\Windows\System32\conhost.exe", Err(Skip::ChildExcluded)),
        (DNS, r"C:\Users\Public\conhost.exe", Ok(&[MASQUERADE])),
        (DNS, "conhost.exe", Ok(&[MASQUERADE])),
        (DNS, r"C:\Windows\System32\WerFault.exe", ALERT),
        ("dns.exe", CMD, ALERT),
    ];
    // Two shapes with different field names carry every case.
    let carriers = [SHAPES.iter().find(|c| c.label == "xml sysmon").unwrap(), SHAPES.iter().find(|c| c.label == "ecs executable").unwrap()];
    for (name, table) in [("seed", seed), ("sigma-cve-2020-1350", sigma), ("elastic", elastic), ("hardened", hardened)] {
        let e = Engine::from_json_config(&format!(r#"{{"profile":"{name}"}}"#)).unwrap();
        assert_eq!(e.config().profile, Profile::from_name(name).unwrap());
        for case in carriers {
            for (parent, child, want) in table {
                check(&e, case, parent, child, want, name);
            }
        }
    }
}

/// A Log360 event with a host and a command line.
fn event(parent: &str, child: &str, cmd: &str, host: &str) -> String {
    serde_json::json!({"actionname": "Process started", "PARENTPROCESSNAME": parent, "PROCESSNAME": child, "COMMANDLINE": cmd, "HOSTNAME": host})
        .to_string()
}

#[test]
fn allowlist_lists() {
    let helper = r"C:\Program Files\Vendor\dnsplugin-helper.exe";
    // (config, parent, child, command line, host, Some((list, entry)) if allowlisted)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, Option<(&'a str, &'a str)>);
    let cases: &[Case] = &[
        (r#"{"child_images":["werfault.exe"]}"#, DNS, r"C:\Windows\System32\WerFault.exe", "x", "DNS01", Some(("allowlist.child_images", "werfault.exe"))),
        (r#"{"child_images":["werfault.exe"]}"#, DNS, CMD, "x", "DNS01", None),
        (
            r#"{"child_images":["C:\\Program Files\\Vendor\\dnsplugin-helper.exe"]}"#,
            DNS,
            r"\Device\HarddiskVolume1\Program Files\Vendor\DNSPLUGIN-HELPER.EXE",
            "x",
            "DNS01",
            Some(("allowlist.child_images", helper)),
        ),
        (r#"{"child_images":["C:\\Program Files\\Vendor\\dnsplugin-helper.exe"]}"#, DNS, r"D:\Program Files\Vendor\dnsplugin-helper.exe", "x", "DNS01", None),
        (
            r#"{"command_line_contains":["--approved-maintenance"]}"#,
            DNS,
            CMD,
            "helper.exe --APPROVED-Maintenance --quiet",
            "DNS01",
            Some(("allowlist.command_line_contains", "--approved-maintenance")),
        ),
        (r#"{"command_line_contains":["--approved-maintenance"]}"#, DNS, CMD, "helper.exe --approved", "DNS01", None),
        (r#"{"hosts":["DNS-LAB01"]}"#, DNS, CMD, "x", "dns-lab01.corp.example", Some(("allowlist.hosts", "DNS-LAB01"))),
        (r#"{"hosts":["DNS-LAB01"]}"#, DNS, CMD, "x", "DNS-LAB011.corp.example", None),
        (r#"{"hosts":["dns01.corp.example"]}"#, DNS, CMD, "x", "DNS01.CORP.EXAMPLE", Some(("allowlist.hosts", "dns01.corp.example"))),
        (r#"{"hosts":["dns01.corp.example"]}"#, DNS, CMD, "x", "DNS01", None),
        (r#"{"parent_images":["D:\\Lab\\dns.exe"]}"#, r"\Device\HarddiskVolume4\Lab\dns.exe", CMD, "x", "DNS01", Some(("allowlist.parent_images", r"D:\Lab\dns.exe"))),
        (r#"{"parent_images":["D:\\Lab\\dns.exe"]}"#, r"C:\Lab\dns.exe", CMD, "x", "DNS01", None),
        (r#"{"parent_images":["D:\\Lab\\dns.exe"]}"#, DNS, CMD, "x", "DNS01", None),
    ];
    for (list, parent, child, cmd, host, hit) in cases {
        let e = Engine::from_json_config(&format!(r#"{{"allowlist":{list}}}"#)).unwrap();
        let got = e.explain(&event(parent, child, cmd, host)).unwrap();
        match hit {
            Some((list, entry)) => assert_eq!(
                got,
                Outcome::NoAlert(dnschild::Shape::Log360, Skip::Allowlisted { list, entry: entry.to_string() }),
                "{list} {child} {cmd} {host}"
            ),
            None => assert!(matches!(got, Outcome::Alert(_)), "near miss must alert: {list} {parent} {child} {cmd} {host}: {got:?}"),
        }
    }
}

#[test]
fn allowlist_never_rescues_a_non_match() {
    // An allowlist only removes alerts: a conhost child stays ChildExcluded, not Allowlisted.
    let e = Engine::from_json_config(r#"{"allowlist":{"hosts":["DNS01"],"child_images":["conhost.exe"]}}"#).unwrap();
    let got = e.explain(&event(DNS, r"C:\Windows\System32\conhost.exe", "x", "DNS01")).unwrap();
    assert_eq!(got, Outcome::NoAlert(dnschild::Shape::Log360, Skip::ChildExcluded));
}
