//! Hostile and broken input: every one is a typed error of the exact kind (never a panic or
//! a stack overflow), on the fast path and on the full path alike.

use dnschild::json::{JsonError, JsonErrorKind};
use dnschild::xml::{XmlError, XmlErrorKind};
use dnschild::{Config, Engine, EventError, Limits, Outcome};

fn json_err(kind: JsonErrorKind, offset: usize) -> EventError {
    EventError::Json(JsonError { kind, offset })
}

fn xml_err(kind: XmlErrorKind, offset: usize) -> EventError {
    EventError::Xml(XmlError { kind, offset })
}

/// `event` fails with `want` (and its kind name) through every entry point.
fn fails(e: &Engine, event: &str, want: &EventError, kind: &str) {
    let what = if event.len() > 80 { format!("{}... ({} bytes)", &event[..80], event.len()) } else { event.to_string() };
    assert_eq!(e.explain(event).as_ref(), Err(want), "explain {what}");
    assert_eq!(e.explain_full(event).as_ref(), Err(want), "explain_full {what}");
    assert_eq!(e.evaluate(event).as_ref(), Err(want), "evaluate {what}");
    assert_eq!(e.evaluate_bytes(event.as_bytes()).as_ref(), Err(want), "evaluate_bytes {what}");
    assert_eq!(want.kind(), kind, "{what}");
}

#[test]
fn a_10_mib_event_is_too_large() {
    let e = Engine::default();
    let big = format!(r#"{{"ParentImage":"C:\\Windows\\System32\\dns.exe","pad":"{}"}}"#, "x".repeat(10 << 20));
    fails(&e, &big, &EventError::TooLarge { size: big.len(), limit: 1 << 20 }, "too_large");
    // Even bytes that are not UTF-8 are refused on size first.
    let mut bytes = big.into_bytes();
    bytes[20] = 0xff;
    assert_eq!(e.evaluate_bytes(&bytes), Err(EventError::TooLarge { size: bytes.len(), limit: 1 << 20 }));
}

#[test]
fn the_size_limit_is_inclusive_and_configurable() {
    let e = Engine::from_json_config(r#"{"max_event_bytes":128}"#).unwrap();
    let event = |len: usize| {
        let head = r#"{"actionname":"Process started","PARENTPROCESSNAME":"dns.exe","PROCESSNAME":"cmd.exe","pad":""#;
        format!("{head}{}\"}}", "x".repeat(len - head.len() - 2))
    };
    assert_eq!(event(128).len(), 128);
    assert!(e.evaluate(&event(128)).unwrap().is_some());
    fails(&e, &event(129), &EventError::TooLarge { size: 129, limit: 128 }, "too_large");
}

#[test]
fn deep_json_nesting_is_a_typed_error() {
    let e = Engine::default();
    let n = 100_000;
    // A top-level array is refused before it is read, however deep.
    let arrays = format!("{}\"dns.exe\"{}", "[".repeat(n), "]".repeat(n));
    fails(&e, &arrays, &EventError::NotAnObject, "not_an_object");
    // Inside an object the depth limit (64) stops it: the 64th container opens at byte 5 + 63.
    let in_object = format!("{{\"a\":{}\"dns.exe\"{}}}", "[".repeat(n), "]".repeat(n));
    fails(&e, &in_object, &json_err(JsonErrorKind::TooDeep, 68), "too_deep");
    let objects = format!("{}\"dns.exe\"{}", "{\"a\":".repeat(n), "}".repeat(n));
    fails(&e, &objects, &json_err(JsonErrorKind::TooDeep, 5 * 64), "too_deep");
    // Unterminated nesting is no different.
    let open = format!("{{\"a\":{}", "[".repeat(n)) + "dns.exe";
    fails(&e, &open, &json_err(JsonErrorKind::TooDeep, 68), "too_deep");
    // Without a trace of dns.exe the fast path declines it unread; the full path still refuses it.
    let plain = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
    assert_eq!(e.explain(&plain), Ok(Outcome::FastReject));
    assert_eq!(e.explain_full(&plain), Err(json_err(JsonErrorKind::TooDeep, 68)));
}

#[test]
fn deep_xml_nesting_is_a_typed_error() {
    let e = Engine::default();
    let n = 100_000;
    // `<Event>` is 7 bytes, each `<a>` 3: the 64th open element starts at 7 + 3 * 63.
    let deep = format!("<Event>{}dns.exe", "<a>".repeat(n));
    fails(&e, &deep, &xml_err(XmlErrorKind::TooDeep, 196), "too_deep");
    let closed = format!("<Event>{}dns.exe{}</Event>", "<a>".repeat(n), "</a>".repeat(n));
    fails(&e, &closed, &xml_err(XmlErrorKind::TooDeep, 196), "too_deep");
    // The same inside a Fluent Bit record: the inner XML's offset.
    let fb = format!(r#"{{"System":"<Event>{}dns.exe"}}"#, "<a>".repeat(n));
    fails(&e, &fb, &xml_err(XmlErrorKind::TooDeep, 196), "too_deep");
}

#[test]
fn the_depth_limit_is_configurable() {
    let e = Engine::new(Config { limits: Limits { max_depth: 3, ..Limits::default() }, ..Config::default() }).unwrap();
    let three = r#"{"Event":{"System":{"Computer":"dns.exe"}}}"#;
    assert_eq!(e.explain(three), Ok(Outcome::NoAlert(dnschild::Shape::EvtxJson, dnschild::Skip::NoParent)));
    let four = r#"{"Event":{"System":{"Provider":{"Name":"dns.exe"}}}}"#;
    fails(&e, four, &json_err(JsonErrorKind::TooDeep, 31), "too_deep");
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let e = Engine::default();
    let cases: &[(&[u8], usize)] = &[
        (b"{\"ParentImage\":\"dns.exe\xff\"}", 23),
        (b"\xfe{}", 0),
        (b"{\"a\":\"dns.exe\"}\xe2\x82", 15), // a truncated three-byte sequence at the end
        (b"<Event>dns.exe\xc0\xaf</Event>", 14),  // an overlong encoding of '/'
    ];
    for (bytes, offset) in cases {
        let err = e.evaluate_bytes(bytes).unwrap_err();
        assert_eq!(err, EventError::InvalidUtf8 { offset: *offset }, "{bytes:?}");
        assert_eq!(err.kind(), "invalid_utf8");
    }
}

#[test]
fn malformed_json_is_a_typed_error() {
    let e = Engine::default();
    let cases: &[(&str, JsonErrorKind, usize)] = &[
        (r#"{"ParentImage":"C:\\Windows\\System32\\dns.exe""#, JsonErrorKind::UnexpectedEnd, 47),
        (r#"{"ParentImage":"dns.exe""#, JsonErrorKind::UnexpectedEnd, 24),
        (r#"{"ParentImage":"dns.exe",}"#, JsonErrorKind::UnexpectedChar, 25),
        (r#"{"ParentImage" "dns.exe"}"#, JsonErrorKind::UnexpectedChar, 15),
        (r#"{"ParentImage":"C:\Windows\dns.exe"}"#, JsonErrorKind::InvalidEscape, 19),
        (r#"{"ParentImage":"\u00g4ns.exe"}"#, JsonErrorKind::InvalidEscape, 17),
        ("{\"ParentImage\":\"dns.exe\n\"}", JsonErrorKind::ControlChar, 23),
        (r#"{"ProcessId":01,"ParentImage":"dns.exe"}"#, JsonErrorKind::InvalidNumber, 15),
        (r#"{"ParentImage":"dns.exe"} {}"#, JsonErrorKind::TrailingChars, 26),
        (r#"{"ParentImage":dns.exe}"#, JsonErrorKind::UnexpectedChar, 15),
        // Offsets are bytes and count what precedes the document (a 3-byte BOM, a newline, two spaces).
        ("\u{feff}\n  {\"a\":\"dns.exe\",}", JsonErrorKind::UnexpectedChar, 21),
    ];
    for (event, kind, offset) in cases {
        fails(&e, event, &json_err(*kind, *offset), "malformed_json");
    }
}

#[test]
fn malformed_xml_is_a_typed_error() {
    let e = Engine::default();
    let cases: &[(&str, XmlErrorKind, usize)] = &[
        ("<Event><EventData><Data Name='ParentImage'>dns.exe</Data></Event>", XmlErrorKind::MismatchedTag, 57),
        ("<Event><EventData><Data Name='ParentImage'>dns.exe", XmlErrorKind::UnexpectedEnd, 50),
        ("<Event><EventData><Data Name='ParentImage'>dns.exe&bogus;</Data></EventData></Event>", XmlErrorKind::BadEntity, 50),
        ("<Event><EventData><Data Name='ParentImage'>d&#xZZ;ns.exe</Data></EventData></Event>", XmlErrorKind::BadEntity, 44),
        ("<Event><EventData><Data Name=ParentImage>dns.exe</Data></EventData></Event>", XmlErrorKind::BadTag, 24),
        ("<Other><Data>dns.exe</Data></Other>", XmlErrorKind::NoEvent, 0),
        ("<Events><Event>dns.exe</Event><Event/></Events>", XmlErrorKind::MultipleEvents, 30),
        ("<Event>dns.exe</Event>trailing", XmlErrorKind::TrailingContent, 22),
        ("<Event><!-- dns.exe", XmlErrorKind::UnexpectedEnd, 7),
    ];
    for (event, kind, offset) in cases {
        fails(&e, event, &xml_err(*kind, *offset), "malformed_xml");
    }
    // The XML inside a Fluent Bit record is read too.
    fails(&e, r#"{"System":"<Event><System>dns.exe"}"#, &xml_err(XmlErrorKind::UnexpectedEnd, 22), "malformed_xml");
}

#[test]
fn empty_and_unknown_input() {
    let e = Engine::default();
    for empty in ["", "   ", "\r\n\t", "\u{feff}", "\u{feff} \n"] {
        fails(&e, empty, &EventError::Empty, "empty");
    }
    for text in ["dns.exe", "plain text", "\"dns.exe\"", "42", "null"] {
        fails(&e, text, &EventError::UnknownFormat, "unknown_format");
    }
    for array in ["[]", "[{\"ParentImage\":\"dns.exe\"}]", "  [1]"] {
        fails(&e, array, &EventError::NotAnObject, "not_an_object");
    }
}

#[test]
fn the_field_limit_is_inclusive_for_json_and_xml() {
    let e = Engine::default();
    assert_eq!(Limits::default().max_fields, 10_000);
    // JSON: the root object, three strings and the array are five values; then `n` ones.
    let json = |n: usize| {
        let head = r#"{"actionname":"Process started","PARENTPROCESSNAME":"dns.exe","PROCESSNAME":"cmd.exe","pad":["#;
        (format!("{head}{}]}}", vec!["1"; n].join(",")), head.len())
    };
    let (at_limit, _) = json(10_000 - 5);
    assert!(e.evaluate(&at_limit).unwrap().is_some(), "10,000 values are accepted");
    let (over, head) = json(10_000 - 5 + 1);
    // The 10,001st value is the last `1`: after the head and 9,995 `1,`.
    fails(&e, &over, &json_err(JsonErrorKind::TooManyValues, head + 2 * 9_995), "too_many_fields");

    // XML: Event, System, Provider, EventID, EventData and two Data are seven elements.
    let xml = |n: usize| {
        let head = "<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID></System><EventData>\
                    <Data Name='ParentImage'>C:\\Windows\\System32\\dns.exe</Data><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data>";
        (format!("{head}{}</EventData></Event>", "<Data Name='X'>y</Data>".repeat(n)), head.len())
    };
    let (at_limit, _) = xml(10_000 - 7);
    assert!(e.evaluate(&at_limit).unwrap().is_some());
    let (over, head) = xml(10_000 - 7 + 1);
    let pad = "<Data Name='X'>y</Data>".len();
    fails(&e, &over, &xml_err(XmlErrorKind::TooManyElements, head + pad * 9_993), "too_many_fields");

    // Configurable, with its bounds named as the key.
    let small = Engine::from_json_config(r#"{"max_fields":5}"#).unwrap();
    assert!(small.evaluate(&json(0).0).unwrap().is_some());
    assert_eq!(small.evaluate(&json(1).0).unwrap_err().kind(), "too_many_fields");
    for bad in [r#"{"max_fields":0}"#, r#"{"max_fields":1000001}"#, r#"{"max_fields":"9"}"#] {
        assert_eq!(Engine::from_json_config(bad).unwrap_err().key(), "max_fields", "{bad}");
    }
}

#[test]
fn a_command_line_is_kept_whole_up_to_the_windows_limit_and_cut_with_a_note_past_it() {
    use dnschild::alert::MAX_COMMAND_LINE_CHARS;
    assert_eq!(MAX_COMMAND_LINE_CHARS, 32_767);
    let e = Engine::default();
    // Characters, not bytes: every tenth one is two bytes in UTF-8.
    let line = |n: usize| (0..n).map(|i| if i % 10 == 9 { 'é' } else { 'a' }).collect::<String>();
    let event = |cl: &str| {
        format!(r#"{{"actionname":"Process started","PARENTPROCESSNAME":"dns.exe","PROCESSNAME":"cmd.exe","COMMANDLINE":"{cl}"}}"#)
    };
    let whole = line(32_767);
    let a = e.evaluate(&event(&whole)).unwrap().unwrap();
    assert_eq!(a.command_line.as_deref(), Some(whole.as_str()));
    assert!(a.notes.is_empty(), "{:?}", a.notes);

    let long = line(32_768);
    let a = e.evaluate(&event(&long)).unwrap().unwrap();
    assert_eq!(a.command_line.as_deref(), Some(whole.as_str()), "cut to the first 32,767 characters");
    assert_eq!(a.notes, ["command_line truncated to its first 32767 of 32768 characters (longer than Windows allows)"]);
    // The allowlist still sees the whole line: a marker past the cut still allowlists.
    let marked = format!("{whole}--approved");
    let allow = Engine::from_json_config(r#"{"allowlist":{"command_line_contains":["--approved"]}}"#).unwrap();
    assert_eq!(allow.evaluate(&event(&marked)), Ok(None));
}
