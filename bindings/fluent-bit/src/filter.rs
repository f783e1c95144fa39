//! What happens to one record: the safe logic behind both exported functions.
//!
//! A benign record costs one word-at-a-time scan ([`crate::scan`], which defers to the core's
//! [`dnschild::fastpath`] whenever it sees a possible trigger) and nothing else: the answer
//! is [`Reply::Record`], "return the input pointer". Only a record that
//! might name `dns.exe` is decoded; when it matches, the rendered alert is spliced into the
//! record's own bytes, before its final `}`, in the one reused output buffer.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use dnschild::{fastpath, jsonw};

use crate::scan;
use crate::settings::Settings;

/// Which exported function is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every record comes back; a matching one carries its alert.
    Annotate,
    /// Only matching records come back (with their alert); everything else is dropped.
    AlertsOnly,
}

/// What the exported function returns to Fluent Bit.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// The input record pointer: Fluent Bit keeps the record as it was.
    Record,
    /// These bytes (0-terminated, in the module-owned buffer) replace the record.
    Text(&'a [u8]),
    /// An empty string: Fluent Bit drops the record (alerts-only mode).
    Drop,
}

/// The configured filter and its output buffer; one per module instance.
#[derive(Debug)]
pub struct Filter {
    settings: Settings,
    out: Vec<u8>,
}

impl Filter {
    /// A filter with these settings.
    pub fn new(settings: Settings) -> Filter {
        Filter { settings, out: Vec::new() }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Handles one record. `record` is `None` when Fluent Bit could not copy the record in
    /// (its heap was exhausted); `record_len` is the length it reported.
    pub fn filter(&mut self, mode: Mode, record: Option<&[u8]>, record_len: u32) -> Reply<'_> {
        let pass = match mode {
            Mode::Annotate => Reply::Record,
            Mode::AlertsOnly => Reply::Drop,
        };
        let Some(bytes) = record else {
            return match mode {
                Mode::Annotate => self.undelivered(record_len),
                Mode::AlertsOnly => Reply::Drop,
            };
        };
        let engine = &self.settings.engine;
        if bytes.len() > engine.config().limits.max_event_bytes
            || (fastpath::looks_like_event(bytes) && !(scan::may_match(bytes) && fastpath::may_match(bytes)))
        {
            return pass;
        }
        let Ok(text) = core::str::from_utf8(bytes) else { return pass };
        let Ok(Some(alert)) = engine.evaluate(text) else { return pass };
        let rendered = engine.render(&alert);
        // Internal trouble building the output (no memory): keep the record as it came.
        match splice(&mut self.out, bytes, &self.settings.alert_key, &rendered) {
            Some(()) => Reply::Text(&self.out),
            None if mode == Mode::AlertsOnly && wrap(&mut self.out, text, &self.settings.alert_key, &rendered).is_some() => {
                Reply::Text(&self.out)
            }
            None => Reply::Record,
        }
    }

    /// The record never arrived: say so in its place rather than drop it silently.
    fn undelivered(&mut self, record_len: u32) -> Reply<'_> {
        let text = format!(
            "{{\"{}_error\":{{\"kind\":\"record_not_delivered\",\"record_len\":{record_len},\"message\":\"Fluent Bit passed no record (its Wasm heap could not hold it)\"}}}}",
            self.settings.alert_key
        );
        match fill(&mut self.out, &[text.as_bytes()]) {
            Some(()) => Reply::Text(&self.out),
            None => Reply::Record,
        }
    }
}

/// Writes `record` with `"key":alert` inserted before its final `}` into `out`, 0-terminated.
/// `None` when the record does not end in `}` or memory runs out.
pub fn splice(out: &mut Vec<u8>, record: &[u8], key: &str, alert: &str) -> Option<()> {
    let close = record.iter().rposition(|&c| !c.is_ascii_whitespace())?;
    if record[close] != b'}' {
        return None;
    }
    let open = record.iter().position(|&c| c == b'{')?;
    let empty = record.get(open + 1..close)?.iter().all(u8::is_ascii_whitespace);
    let sep: &[u8] = if empty { b"\"" } else { b",\"" };
    let (head, tail) = record.split_at(close);
    fill(out, &[head, sep, key.as_bytes(), b"\":", alert.as_bytes(), tail])
}

/// A record that is not a JSON object (event XML), as `{"event_xml":"...","key":alert}`.
fn wrap(out: &mut Vec<u8>, text: &str, key: &str, alert: &str) -> Option<()> {
    let mut s = String::new();
    s.try_reserve(text.len() + alert.len() + key.len() + 32).ok()?;
    s.push_str("{\"event_xml\":");
    jsonw::string(&mut s, text);
    fill(out, &[s.as_bytes(), b",\"", key.as_bytes(), b"\":", alert.as_bytes(), b"}"])
}

/// Clears `out` and fills it with `parts` and a 0 byte, without aborting on low memory.
fn fill(out: &mut Vec<u8>, parts: &[&[u8]]) -> Option<()> {
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + 1;
    out.clear();
    out.try_reserve(len).ok()?;
    for p in parts {
        out.extend_from_slice(p);
    }
    out.push(0);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HIT: &str = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","HOSTNAME":"DNS01"}"#;

    #[test]
    fn splicing() {
        let mut out = Vec::new();
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"{\"a\":1}", Some(b"{\"a\":1,\"k\":{\"x\":1}}\0")),
            (b"{}", Some(b"{\"k\":{\"x\":1}}\0")),
            (b" { \n } \n", Some(b" { \n \"k\":{\"x\":1}} \n\0")),
            (b"{\"a\":\"}\"} ", Some(b"{\"a\":\"}\",\"k\":{\"x\":1}} \0")),
            (b"<Event/>", None),
            (b"", None),
            (b"}", None),
        ];
        for (rec, want) in cases {
            let got = splice(&mut out, rec, "k", "{\"x\":1}").map(|()| out.clone());
            assert_eq!(got.as_deref(), *want, "{:?}", String::from_utf8_lossy(rec));
        }
    }

    #[test]
    fn modes() {
        let mut f = Filter::new(Settings::default());
        let benign = br#"{"EventID":1,"ParentImage":"C:\\Windows\\explorer.exe"}"#;
        assert_eq!(f.filter(Mode::Annotate, Some(benign), 0), Reply::Record);
        assert_eq!(f.filter(Mode::AlertsOnly, Some(benign), 0), Reply::Drop);
        for bad in [&b"{\"a\":"[..], b"\xff{dns.exe", b"", b"[1]"] {
            assert_eq!(f.filter(Mode::Annotate, Some(bad), 0), Reply::Record);
            assert_eq!(f.filter(Mode::AlertsOnly, Some(bad), 0), Reply::Drop);
        }
        let alert = Settings::default().engine.evaluate(HIT).unwrap().unwrap();
        let want = format!("{},\"dnschild\":{}}}\0", &HIT[..HIT.len() - 1], Settings::default().engine.render(&alert));
        for mode in [Mode::Annotate, Mode::AlertsOnly] {
            assert_eq!(f.filter(mode, Some(HIT.as_bytes()), 0), Reply::Text(want.as_bytes()));
        }
        let xml = "<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID></System><EventData>\
                   <Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='ParentImage'>C:\\Windows\\System32\\dns.exe</Data></EventData></Event>";
        let alert = Settings::default().engine.evaluate(xml).unwrap().expect("the XML event matches");
        assert_eq!(f.filter(Mode::Annotate, Some(xml.as_bytes()), 0), Reply::Record);
        let mut want = String::from("{\"event_xml\":");
        jsonw::string(&mut want, xml);
        want = format!("{want},\"dnschild\":{}}}\0", Settings::default().engine.render(&alert));
        assert_eq!(f.filter(Mode::AlertsOnly, Some(xml.as_bytes()), 0), Reply::Text(want.as_bytes()));
    }

    #[test]
    fn undelivered_record() {
        let mut f = Filter::new(Settings::default());
        let want = b"{\"dnschild_error\":{\"kind\":\"record_not_delivered\",\"record_len\":9000,\"message\":\"Fluent Bit passed no record (its Wasm heap could not hold it)\"}}\0";
        assert_eq!(f.filter(Mode::Annotate, None, 9000), Reply::Text(want));
        assert_eq!(f.filter(Mode::AlertsOnly, None, 9000), Reply::Drop);
    }
}
