//! Per shape and per path spelling: the decoders find the parent and the child wherever a
//! shape keeps them, in every spelling of a Windows path, behind every escape the formats
//! allow; events that say they are not process starts never alert; absent fields stay absent.

mod builders;

use builders::{Enc, ShapeCase, CHILD_FORMS, CMD, DNS, PARENT_FORMS, SHAPES};
use dnschild::decode::decode;
use dnschild::fastpath;
use dnschild::rule::{Reason, Skip};
use dnschild::{Alert, Engine, Outcome, Shape};

fn alert(e: &Engine, case: &ShapeCase, event: &str, what: &str) -> Alert {
    match e.explain(event) {
        Ok(Outcome::Alert(a)) => a,
        other => panic!("{} ({what}): expected an alert, got {other:?}\n{event}", case.label),
    }
}

#[test]
fn every_shape_finds_the_parent_in_every_spelling() {
    let e = Engine::default();
    for case in &SHAPES {
        for parent in PARENT_FORMS {
            let a = alert(&e, case, &case.event(parent, CMD), parent);
            assert_eq!(a.shape, case.shape, "{}", case.label);
            assert_eq!(a.parent_process_name.as_deref(), Some(parent), "{}", case.label);
            assert_eq!(a.process_name.as_deref(), Some(CMD), "{}", case.label);
            assert_eq!(a.file_name.as_deref(), Some("cmd.exe"), "{}", case.label);
            assert_eq!(a.command_line.as_deref(), Some("cmd.exe /c whoami"), "{}", case.label);
            assert_eq!(a.hostname.as_deref(), Some(case.host), "{}", case.label);
            assert_eq!(a.user_name.as_deref(), Some(case.user), "{}", case.label);
            assert!(a.notes.is_empty(), "{}: {:?}", case.label, a.notes);
        }
    }
}

#[test]
fn every_shape_finds_the_child_in_every_spelling() {
    let e = Engine::default();
    for case in &SHAPES {
        for child in CHILD_FORMS {
            let a = alert(&e, case, &case.event(DNS, child), child);
            assert_eq!(a.process_name.as_deref(), Some(child), "{}", case.label);
            let want_file = if child.contains("CMD") { "CMD.EXE" } else { "cmd.exe" };
            assert_eq!(a.file_name.as_deref(), Some(want_file), "{} {child}", case.label);
            assert_eq!(a.parent_process_name.as_deref(), Some(DNS), "{}", case.label);
        }
    }
}

#[test]
fn conhost_in_every_spelling_is_excluded_by_the_default_profile() {
    let e = Engine::default();
    for case in &SHAPES {
        for child in CHILD_FORMS {
            let conhost = child.replace("cmd.exe", "conhost.exe").replace("CMD.EXE", "CONHOST.EXE");
            let got = e.explain(&case.event(DNS, &conhost)).unwrap();
            assert_eq!(got, Outcome::NoAlert(case.shape, Skip::ChildExcluded), "{} {conhost}", case.label);
        }
    }
}

#[test]
fn lookalike_parents_are_not_dns_exe() {
    let e = Engine::default();
    let lookalikes = [r"C:\Program Files\Acme\mydns.exe", "mydns.exe", r"C:\Temp\dns.exe.bak", r"C:\dns.exe\cmd.exe", r"C:\Windows\System32\dns.exe.exe"];
    for case in &SHAPES {
        for parent in lookalikes {
            let got = e.explain(&case.event(parent, CMD)).unwrap();
            assert_eq!(got, Outcome::NoAlert(case.shape, Skip::ParentNotDns), "{} {parent}", case.label);
        }
        // dns.exe as the child of services.exe is the service starting, not a child of it.
        let got = e.explain(&case.event(r"C:\Windows\System32\services.exe", DNS)).unwrap();
        assert_eq!(got, Outcome::NoAlert(case.shape, Skip::ParentNotDns), "{} dns.exe as child", case.label);
    }
}

/// Escaped spellings of `C:\Windows\System32\dns.exe` per hole encoding; none contains the
/// plain text `dns.exe`, and each must still alert with the decoded parent.
fn hidden_parents(enc: Enc) -> Vec<String> {
    let json = [r"\u0064ns.exe", r"\u0044NS.exe", r"dns\u002eexe", r"\u0064\u006e\u0073\u002e\u0065\u0078\u0065", r"dn\u0073.ex\u0065"];
    let xml = ["&#x64;ns.exe", "&#100;ns.exe", "dn&#X73;.exe", "dn<![CDATA[s.e]]>xe", "dns<!-- split -->.exe", "dn<?pi x?>s.exe", "<![CDATA[dns]]>&#46;exe"];
    let prefix = match enc {
        Enc::Json | Enc::XmlInJson => r"C:\\Windows\\System32\\",
        Enc::Xml => r"C:\Windows\System32\",
    };
    let names: Vec<String> = match enc {
        Enc::Json => json.iter().map(|s| s.to_string()).collect(),
        Enc::Xml => xml.iter().map(|s| s.to_string()).collect(),
        // The XML references survive the JSON layer; a JSON escape of `&` adds a second layer.
        Enc::XmlInJson => xml.iter().map(|s| s.to_string()).chain([r"\u0026#x64;ns.exe".to_string(), r"d\u006e<![CDATA[s]]>.exe".to_string()]).collect(),
    };
    names.into_iter().map(|n| format!("{prefix}{n}")).collect()
}

#[test]
fn escapes_cannot_hide_dns_exe() {
    let e = Engine::default();
    for case in &SHAPES {
        for hidden in hidden_parents(case.enc) {
            let event = case.raw(&hidden, &builders::encode(case.enc, CMD));
            assert!(!fastpath::mentions_dns_exe(event.as_bytes()), "{}: the test event names dns.exe in plain text", case.label);
            let a = alert(&e, case, &event, &hidden);
            let want = if hidden.contains("0044NS") { r"C:\Windows\System32\DNS.exe" } else { DNS };
            assert_eq!(a.parent_process_name.as_deref(), Some(want), "{} {hidden}", case.label);
        }
    }
}

#[test]
fn events_that_are_not_process_starts_never_alert() {
    let e = Engine::default();
    let cases: &[(&str, Shape, &str)] = &[
        (r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":3},"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Windows\\System32\\dns.exe"}}}"##, Shape::EvtxJson, "Sysmon EID 3"),
        (r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing"}},"EventID":1},"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Windows\\System32\\dns.exe"}}}"##, Shape::EvtxJson, "EID 1 from the wrong provider"),
        (r"<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>4688</EventID></System><EventData><Data Name='NewProcessName'>C:\Windows\System32\cmd.exe</Data><Data Name='ParentProcessName'>C:\Windows\System32\dns.exe</Data></EventData></Event>", Shape::EventXml, "EID 4688 from Sysmon"),
        (r"<Event><System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>4689</EventID></System><EventData><Data Name='ProcessName'>C:\Windows\System32\dns.exe</Data></EventData></Event>", Shape::EventXml, "4689 process exit"),
        (r#"{"winlog":{"event_id":"1","channel":"Security","event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Windows\\System32\\dns.exe"}}}"#, Shape::Winlogbeat, "EID 1 on the Security channel"),
        (r#"{"EventID":4689,"SourceName":"Microsoft-Windows-Security-Auditing","NewProcessName":"C:\\Windows\\System32\\cmd.exe","ParentProcessName":"C:\\Windows\\System32\\dns.exe"}"#, Shape::NxlogJson, "NXLog 4689"),
        (r#"{"ProviderName":"Microsoft-Windows-Sysmon","EventID":5,"StringInserts":["-","t","{G}","2296","C:\\Windows\\System32\\dns.exe"]}"#, Shape::FluentBitWinevtlog, "Fluent Bit Sysmon EID 5"),
        (r#"{"EventCode":"4689","Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Windows\\System32\\dns.exe"}"#, Shape::SplunkRaw, "Splunk EventCode 4689"),
        (r#"{"class_uid":1007,"activity_id":2,"process":{"file":{"path":"C:\\Windows\\System32\\cmd.exe"}},"actor":{"process":{"file":{"path":"C:\\Windows\\System32\\dns.exe"}}}}"#, Shape::Ocsf, "OCSF terminate"),
        (r#"{"class_uid":1007,"type_uid":100703,"process":{"file":{"path":"C:\\Windows\\System32\\cmd.exe"}},"actor":{"process":{"file":{"path":"C:\\Windows\\System32\\dns.exe"}}}}"#, Shape::Ocsf, "OCSF open, by type_uid"),
        (r#"{"class_uid":1001,"activity_id":1,"process":{"file":{"path":"C:\\Windows\\System32\\cmd.exe"}},"actor":{"process":{"file":{"path":"C:\\Windows\\System32\\dns.exe"}}}}"#, Shape::Ocsf, "OCSF file activity"),
        (r#"{"actionname":"Process stopped","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe"}"#, Shape::Log360, "Log360 stop"),
        (r#"{"event":{"category":["process"],"type":["end"]},"process":{"executable":"C:\\Windows\\System32\\cmd.exe","parent":{"executable":"C:\\Windows\\System32\\dns.exe"}}}"#, Shape::Ecs, "ECS end"),
        (r#"{"event":{"category":["network"],"type":["start"]},"process":{"executable":"C:\\Windows\\System32\\cmd.exe","parent":{"executable":"C:\\Windows\\System32\\dns.exe"}}}"#, Shape::Ecs, "ECS network start"),
        (r#"{"event":{"code":"3","provider":"Microsoft-Windows-Sysmon"},"process":{"executable":"C:\\Windows\\System32\\dns.exe","parent":{"executable":"C:\\Windows\\System32\\dns.exe"}}}"#, Shape::Ecs, "ECS Sysmon code 3"),
    ];
    for (event, shape, what) in cases {
        assert_eq!(e.explain(event).unwrap(), Outcome::NoAlert(*shape, Skip::NotProcessStart), "{what}");
    }
}

#[test]
fn absent_and_empty_fields_are_none() {
    let e = Engine::default();
    let minimal = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe"}"#;
    let blank = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","HOSTNAME":"","COMMANDLINE":"  ","USERNAME":"","MESSAGE":"","FILE_NAME":""}"#;
    let xml = r"<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><Computer></Computer></System><EventData><Data Name='Image'>C:\Windows\System32\cmd.exe</Data><Data Name='CommandLine'></Data><Data Name='User'/><Data Name='ParentImage'>C:\Windows\System32\dns.exe</Data></EventData></Event>";
    let inserts = r#"{"ProviderName":"Microsoft-Windows-Security-Auditing","EventID":4688,"Computer":" ","UserID":"","StringInserts":["S-1-5-18","","","0x3e7","0x10","C:\\Windows\\System32\\cmd.exe","%%1936","0x20","","S-1-0-0","-","-","0x0","C:\\Windows\\System32\\dns.exe","S-1-16-16384"]}"#;
    let ecs = r#"{"event":{"type":"start"},"host":{"name":""},"user":{"name":"","domain":"CORP"},"process":{"executable":"C:\\Windows\\System32\\cmd.exe","command_line":"","parent":{"executable":"C:\\Windows\\System32\\dns.exe"}}}"#;
    for event in [minimal, blank, xml, inserts, ecs] {
        let a = match e.explain(event).unwrap() {
            Outcome::Alert(a) => a,
            other => panic!("{other:?}\n{event}"),
        };
        assert_eq!(a.parent_process_name.as_deref(), Some(DNS), "{event}");
        assert_eq!(a.process_name.as_deref(), Some(CMD), "{event}");
        assert_eq!(a.file_name.as_deref(), Some("cmd.exe"), "{event}");
        assert_eq!((a.hostname, a.command_line, a.user_name, a.message), (None, None, None, None), "{event}");
        assert_eq!((a.event_time, a.event_time_ms), (None, None), "{event}");
        let view = decode(event, Default::default()).unwrap().unwrap();
        assert_eq!((view.host, view.command_line, view.user, view.time, view.message), (None, None, None, None, None), "{event}");
    }
    // No child recorded: the parent alone matches, and the alert says so.
    let parent_only = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe"}"#;
    let Outcome::Alert(a) = e.explain(parent_only).unwrap() else { panic!("parent alone must alert") };
    assert_eq!((a.process_name, a.file_name), (None, None));
    assert_eq!(a.notes, ["the event does not record the child image; the parent alone matched"]);
    assert_eq!(a.reasons.len(), 2);
    // A parent that is only white space is no parent.
    let blank_parent = r#"{"actionname":"Process started","PARENTPROCESSNAME":" ","PROCESSNAME":"dns.exe"}"#;
    assert_eq!(e.explain(blank_parent).unwrap(), Outcome::NoAlert(Shape::Log360, Skip::NoParent));
}

#[test]
fn the_explanation_names_each_condition_field_and_value() {
    let e = Engine::default();
    for case in &SHAPES {
        let a = alert(&e, case, &case.event(DNS, CMD), "explanation");
        let start = match case.sources[0] {
            "-" => Reason {
                condition: "event is a process start (implied: the shape records a parent and a child)".into(),
                field: "-".into(),
                value: case.shape.name().into(),
            },
            field => {
                let value = match field {
                    "event.type" => "start",
                    "actionname" => "Process started",
                    "activity_id" => "1",
                    _ if case.template.contains("4688") => "4688",
                    _ => "1",
                };
                Reason { condition: "event is a process start".into(), field: field.into(), value: value.into() }
            }
        };
        let want = vec![
            start,
            Reason { condition: "parent image file name is dns.exe".into(), field: case.sources[1].into(), value: DNS.into() },
            Reason { condition: r"image is not ...\conhost.exe (profile seed)".into(), field: case.sources[2].into(), value: CMD.into() },
        ];
        assert_eq!(a.reasons, want, "{}", case.label);
    }
}

#[test]
fn shape_names_are_stable() {
    let names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        [
            "event_xml", "evtx_json", "winlogbeat", "ecs", "fluentbit_winevtlog", "fluentbit_winevtlog_map", "fluentbit_winevtlog_xml",
            "fluentbit_winlog", "nxlog_json", "splunk_raw", "splunk_cim", "ocsf_process_activity", "log360"
        ]
    );
    // Every shape has a template above.
    for s in Shape::ALL {
        assert!(SHAPES.iter().any(|c| c.shape == s), "{} has no builder", s.name());
    }
}

#[test]
fn unknown_json_documents_are_unrecognised_not_errors() {
    let e = Engine::default();
    let doc = r#"{"note":"C:\\Windows\\System32\\dns.exe started","level":"info"}"#;
    assert_eq!(e.explain(doc).unwrap(), Outcome::Unrecognised);
    assert_eq!(e.evaluate(doc), Ok(None));
}
