//! The event XML reader: never a panic, errors point inside the input, and what it reads
//! back from an event built around arbitrary text is that text.
#![no_main]

use arbitrary::Arbitrary;
use dnschild::xml::{decode_entities, parse_event};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// Raw bytes read as a whole document.
    raw: &'a [u8],
    /// Text escaped into an event, which must read back unchanged.
    name: String,
    value: String,
    computer: String,
}

/// XML element or attribute text for `s`. Control characters are not XML 1.0 text, so
/// they go in as character references (except NUL, which XML cannot carry at all).
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push_str(&format!("&#x{:x};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fuzz_target!(|input: Input<'_>| {
    if let Ok(text) = std::str::from_utf8(input.raw) {
        if let Err(e) = parse_event(text, 64) {
            assert!(e.offset <= text.len(), "error offset {} past the end of {text:?}", e.offset);
        }
        let _ = decode_entities(text);
    }
    let clean = |s: &str| s.replace('\0', "");
    let (name, value, computer) = (clean(&input.name), clean(&input.value), clean(&input.computer));
    let escaped = escape(&value);
    // CDATA cannot hold `]]>`; without any `]` it cannot end early.
    let cdata = value.replace(']', "");
    assert_eq!(decode_entities(&escaped).as_deref(), Ok(value.as_str()));
    let doc = format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/>\
         <EventID>1</EventID><Computer>{}</Computer></System><EventData><Data Name=\"{}\">{}</Data>\
         <Data Name='Image'><![CDATA[{}]]></Data></EventData></Event>",
        escape(&computer),
        escape(&name),
        escaped,
        cdata
    );
    let ev = parse_event(&doc, 64).unwrap_or_else(|e| panic!("{e} in {doc:?}"));
    assert_eq!(ev.computer.as_deref().unwrap_or(""), computer, "{doc:?}");
    if name != "Image" {
        assert_eq!(ev.data(&name), Some(value.as_str()), "{doc:?}");
    }
    assert_eq!(ev.data("Image"), Some(cdata.as_str()), "{doc:?}");
});
