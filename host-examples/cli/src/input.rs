//! Input formats: turning a file or stdin into a stream of event records.
//!
//! NDJSON is streamed line by line (so stdin works as a pipe); a JSON array, a stream of
//! pretty-printed JSON objects, Windows event XML (`<Event>`s, with or without an `<Events>`
//! wrapper, UTF-8 or UTF-16) and `.evtx` files are read whole. `.evtx` records are decoded
//! here, on the host, into evtx-style JSON; the plugin never sees the binary format.

use std::io::{BufRead, Cursor, Read};

/// The input formats `scan` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// A JSON array of objects, or JSON objects one after another (pretty-printed or not).
    Json,
    /// Windows event XML: one or many `<Event>` elements, optionally inside `<Events>`.
    Xml,
    /// A binary Windows event log file.
    Evtx,
}

impl Format {
    /// The format named `name` on the command line.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            "evtx" => Some(Format::Evtx),
            _ => None,
        }
    }
}

/// Why a record or a whole input could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The bytes of a record are not UTF-8.
    #[error("record is not valid UTF-8 (first bad byte at {0})")]
    InvalidUtf8(usize),
    /// A line longer than the reader accepts; it was skipped to its end.
    #[error("line is {0} bytes or more, over the {1}-byte line limit")]
    LineTooLong(usize, usize),
    /// The file could not be read.
    #[error("read error: {0}")]
    Io(String),
    /// The JSON document (array or object stream) is malformed; the rest of the file is skipped.
    #[error("malformed JSON document: {0}")]
    Json(String),
    /// An `<Event>` element is not closed (before the next one starts, or the input ends).
    #[error("unterminated <Event> element")]
    UnterminatedXml,
    /// Text or markup outside any `<Event>` element.
    #[error("content outside any <Event> element")]
    OutsideEvent,
    /// The `.evtx` file or one of its records could not be decoded.
    #[error("evtx: {0}")]
    Evtx(String),
}

impl InputError {
    /// A stable short name for counters.
    pub fn kind(&self) -> &'static str {
        match self {
            InputError::InvalidUtf8(_) => "invalid_utf8",
            InputError::LineTooLong(..) => "too_large",
            InputError::Io(_) => "io",
            InputError::Json(_) => "malformed_json",
            InputError::UnterminatedXml | InputError::OutsideEvent => "malformed_xml",
            InputError::Evtx(_) => "evtx",
        }
    }
}

/// One record read from an input: where it was, and its text (or why it has none).
#[derive(Debug)]
pub struct Record {
    /// Line number (NDJSON), or the record's position (1-based) in the other formats.
    pub number: u64,
    /// The event text, or why it could not be read.
    pub text: Result<String, InputError>,
    /// Bytes of input this record consumed (for progress).
    pub bytes: u64,
    /// When `text` is an error: the record's text as far as it could be read (invalid UTF-8
    /// decoded lossily), so that annotate mode can pass it on; empty when nothing was kept.
    pub raw: String,
}

impl Record {
    /// A record with its text.
    pub fn ok(number: u64, text: String, bytes: u64) -> Record {
        Record { number, text: Ok(text), bytes, raw: String::new() }
    }

    /// A record that could not be read, keeping `raw`.
    pub fn err(number: u64, e: InputError, raw: String, bytes: u64) -> Record {
        Record { number, text: Err(e), bytes, raw }
    }
}

/// Guesses the format from the first bytes of the input (and the file name for `.evtx`).
pub fn sniff(head: &[u8], name: &str) -> Format {
    if head.starts_with(b"ElfFile\0") || name.to_ascii_lowercase().ends_with(".evtx") {
        return Format::Evtx;
    }
    let first = head.iter().copied().find(|b| !(b.is_ascii_whitespace() || matches!(b, 0xef | 0xbb | 0xbf)));
    match first {
        Some(b'<') => Format::Xml,
        Some(b'[') => Format::Json,
        _ => Format::Ndjson,
    }
}

/// Longest NDJSON line read into memory; a longer one is skipped and reported.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Streams the lines of an NDJSON input. Blank lines are skipped; a first line that is not
/// a whole JSON value (a pretty-printed object) switches to whole-document JSON reading.
pub struct Lines<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    failed: bool,
    limit: usize,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`.
    pub fn new(reader: R) -> Self {
        Lines::with_limit(reader, MAX_LINE_BYTES)
    }

    /// Lines of `reader`, each of at most `limit` bytes (a longer one is skipped and reported).
    pub fn with_limit(reader: R, limit: usize) -> Self {
        Lines { reader, line: 0, buf: Vec::new(), failed: false, limit }
    }

    /// The reader (for a look at what it has buffered).
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Reads one line of at most `limit` bytes into `buf`; returns (bytes consumed, too long).
    fn read_line(&mut self) -> std::io::Result<Option<(u64, bool)>> {
        self.buf.clear();
        let mut consumed = 0u64;
        let mut too_long = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(if consumed == 0 { None } else { Some((consumed, too_long)) });
            }
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                let room = self.limit.saturating_sub(self.buf.len());
                if take > room {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.reader.consume(take);
            consumed += take as u64;
            if done {
                return Ok(Some((consumed, too_long)));
            }
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.failed {
            return None;
        }
        loop {
            let (bytes, too_long) = match self.read_line() {
                Ok(Some(r)) => r,
                Ok(None) => return None,
                Err(e) => {
                    self.line += 1;
                    // Stop after reporting: a broken reader would fail forever.
                    self.failed = true;
                    return Some(Record::err(self.line, InputError::Io(e.to_string()), String::new(), 0));
                }
            };
            self.line += 1;
            if too_long {
                return Some(Record::err(self.line, InputError::LineTooLong(bytes as usize, self.limit), String::new(), bytes));
            }
            let mut line = std::mem::take(&mut self.buf);
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            if self.line == 1 && line.starts_with(b"\xef\xbb\xbf") {
                line.drain(..3);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(match String::from_utf8(line) {
                Ok(text) => Record::ok(self.line, text, bytes),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    Record::err(self.line, InputError::InvalidUtf8(at), String::from_utf8_lossy(e.as_bytes()).into_owned(), bytes)
                }
            });
        }
    }
}

/// Whether an NDJSON-looking input is really pretty-printed JSON: its first line is not a
/// whole JSON value, but the text from there on reads as one value spread over several
/// lines (or one that runs past `head`). A first line that is simply malformed keeps the
/// input NDJSON, so that the bad line is reported and the following lines are scanned.
pub fn first_line_is_partial(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let rest = &head[start..];
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    if !line.starts_with(b"{") || serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok() {
        return false;
    }
    let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<serde::de::IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => true,
        // Running out of input is pretty-printing cut by the end of `head` only when the first
        // line is a lone `{`; otherwise it is a broken line of NDJSON (`{"a":` and then more).
        Some(Err(e)) => e.is_eof() && line.trim_ascii() == b"{",
        None => false,
    }
}

/// The records of a whole-document JSON input: an array of objects, or objects one after
/// another. Both are read element by element, so a document cut short keeps every whole
/// element before the cut; the rest is one error record that keeps its text.
pub fn json_records(bytes: &[u8]) -> Vec<Record> {
    let text = match std::str::from_utf8(strip_bom(bytes)) {
        Ok(t) => t,
        Err(e) => {
            let raw = String::from_utf8_lossy(strip_bom(bytes)).into_owned();
            return vec![Record::err(1, InputError::InvalidUtf8(e.valid_up_to()), raw, bytes.len() as u64)];
        }
    };
    let mut out = Vec::new();
    let trimmed = text.trim_start();
    let (mut rest, array) = match trimmed.strip_prefix('[') {
        Some(r) => (r, true),
        None => (trimmed, false),
    };
    loop {
        rest = rest.trim_start();
        let number = out.len() as u64 + 1;
        if rest.is_empty() {
            if array {
                out.push(Record::err(number, InputError::Json("the array is not closed".into()), String::new(), 0));
            }
            break;
        }
        if array && rest.starts_with(']') {
            if !rest[1..].trim().is_empty() {
                out.push(Record::err(number, InputError::Json("text after the array".into()), rest[1..].trim().to_string(), 0));
            }
            break;
        }
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<&serde_json::value::RawValue>();
        match values.next() {
            Some(Ok(v)) => {
                out.push(Record::ok(number, v.get().to_string(), v.get().len() as u64));
                rest = &rest[values.byte_offset()..];
                if array {
                    let after = rest.trim_start();
                    match after.strip_prefix(',') {
                        Some(r) => rest = r,
                        None if after.starts_with(']') => rest = after,
                        None => rest = after, // reported on the next turn as malformed
                    }
                }
            }
            Some(Err(e)) => {
                out.push(Record::err(number, InputError::Json(e.to_string()), rest.trim_end().to_string(), rest.len() as u64));
                break;
            }
            None => break,
        }
    }
    out
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Whether `head` starts with a UTF-16 byte-order mark (Windows PowerShell 5's `>` and
/// `Out-File`, and Event Viewer's XML exports, write UTF-16).
pub fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff])
}

/// Decodes text: UTF-8 (with or without BOM) or UTF-16 with a BOM.
pub fn decode_text(bytes: &[u8]) -> Result<String, InputError> {
    let utf16 = |be: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| if be { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16(&units).map_err(|_| InputError::InvalidUtf8(0))
    };
    if bytes.starts_with(&[0xff, 0xfe]) {
        return utf16(false);
    }
    if bytes.starts_with(&[0xfe, 0xff]) {
        return utf16(true);
    }
    String::from_utf8(strip_bom(bytes).to_vec()).map_err(|e| InputError::InvalidUtf8(e.utf8_error().valid_up_to()))
}

/// The `<Event>` elements of a Windows event XML input, in order (see [`crate::xmlsplit`]).
pub fn xml_records(bytes: &[u8]) -> Vec<Record> {
    match decode_text(bytes) {
        Ok(text) => crate::xmlsplit::split(&text),
        Err(e) => vec![Record::err(1, e, String::from_utf8_lossy(bytes).into_owned(), bytes.len() as u64)],
    }
}

/// The records of a `.evtx` file, as evtx-style JSON (one line each).
pub fn evtx_records(bytes: Vec<u8>) -> Vec<Record> {
    use evtx::{EvtxParser, ParserSettings};
    let parser = EvtxParser::from_read_seek(Cursor::new(bytes));
    let mut parser = match parser {
        Ok(p) => p.with_configuration(ParserSettings::default().indent(false).num_threads(1)),
        Err(e) => return vec![Record::err(1, InputError::Evtx(e.to_string()), String::new(), 0)],
    };
    parser
        .records_json()
        .enumerate()
        .map(|(i, r)| match r {
            Ok(rec) => Record::ok(i as u64 + 1, rec.data, 0),
            Err(e) => Record::err(i as u64 + 1, InputError::Evtx(e.to_string()), String::new(), 0),
        })
        .collect()
}

/// Reads a whole input into memory (for the formats that are not streamed).
pub fn read_all(mut r: impl Read) -> Result<Vec<u8>, InputError> {
    let mut v = Vec::new();
    r.read_to_end(&mut v).map_err(|e| InputError::Io(e.to_string()))?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        let cases: &[(&[u8], &str, Format)] = &[
            (b"ElfFile\0....", "x", Format::Evtx),
            (b"anything", "Security.EVTX", Format::Evtx),
            (b"  <Events>", "a.txt", Format::Xml),
            (b"\xef\xbb\xbf<Event>", "a", Format::Xml),
            (b"\n[{\"a\":1}]", "a", Format::Json),
            (b"{\"a\":1}\n", "a", Format::Ndjson),
            (b"", "-", Format::Ndjson),
        ];
        for (head, name, want) in cases {
            assert_eq!(sniff(head, name), *want, "{head:?}");
        }
    }

    #[test]
    fn ndjson_lines_numbers_blank_lines_and_bad_bytes() {
        let input = b"{\"a\":1}\r\n\n  \n{\"b\":\xff}\n{\"c\":3}";
        let recs: Vec<Record> = Lines::new(&input[..]).collect();
        let got: Vec<(u64, Result<String, InputError>, String)> = recs.into_iter().map(|r| (r.number, r.text, r.raw)).collect();
        assert_eq!(
            got,
            vec![
                (1, Ok("{\"a\":1}".to_string()), String::new()),
                (4, Err(InputError::InvalidUtf8(5)), "{\"b\":\u{fffd}}".to_string()),
                (5, Ok("{\"c\":3}".to_string()), String::new())
            ]
        );
    }

    #[test]
    fn pretty_json_is_detected_and_split() {
        let input = b"{\n  \"a\": 1\n}\n{\n  \"b\": [2]\n}\n";
        assert!(first_line_is_partial(input));
        assert!(!first_line_is_partial(b"{\"a\":1}\n{\"b\":2}\n"));
        assert!(!first_line_is_partial(b"{\"a\":\"broken\n{\"b\":2}\n"), "a malformed first line stays NDJSON");
        assert!(first_line_is_partial(b"{\n  \"a\": \"cut short by the end of the buffer"));
        let texts: Vec<String> = json_records(input).into_iter().map(|r| r.text.unwrap()).collect();
        assert_eq!(texts, ["{\n  \"a\": 1\n}", "{\n  \"b\": [2]\n}"]);
        let arr: Vec<String> = json_records(b"[{\"a\":1}, {\"b\":2}]").into_iter().map(|r| r.text.unwrap()).collect();
        assert_eq!(arr, ["{\"a\":1}", "{\"b\":2}"]);
        // Cut short: every whole element is kept; the cut is one error that keeps its text.
        let cut = json_records(b"[{\"a\":1},\n {\"b\":2}, {\"c\":");
        let got: Vec<(Result<String, &str>, &str)> = cut.iter().map(|r| (r.text.clone().map_err(|e| e.kind()), r.raw.as_str())).collect();
        assert_eq!(got, [(Ok("{\"a\":1}".into()), ""), (Ok("{\"b\":2}".into()), ""), (Err("malformed_json"), "{\"c\":")]);
        assert_eq!(json_records(b"[{\"a\":1}").len(), 2, "an array that is not closed is reported");
        assert_eq!(json_records(b"[{\"a\":1}] x")[1].raw, "x");
        assert_eq!(json_records(b"[]").len(), 0);
    }

    #[test]
    fn xml_events_with_and_without_wrapper() {
        let xml = "<?xml version='1.0'?><Events><Event xmlns='x'><System><EventID>1</EventID></System></Event>\n<Event><EventData/></Event></Events>";
        let texts: Vec<String> = xml_records(xml.as_bytes()).into_iter().map(|r| r.text.unwrap()).collect();
        assert_eq!(texts, ["<Event xmlns='x'><System><EventID>1</EventID></System></Event>", "<Event><EventData/></Event>"]);
        let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain("<Event>a</Event>".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(xml_records(&utf16)[0].text.as_deref(), Ok("<Event>a</Event>"));
        assert_eq!(xml_records(b"<Event><System>")[0].text, Err(InputError::UnterminatedXml));
    }

    /// A record as (text or error kind, raw text kept).
    type Part = (Result<String, &'static str>, String);

    /// The parts of each XML record.
    fn xml_parts(xml: &str) -> Vec<Part> {
        xml_records(xml.as_bytes()).into_iter().map(|r| (r.text.map_err(|e| e.kind()), r.raw)).collect()
    }

    #[test]
    fn xml_splitting_accounts_for_every_part_of_the_document() {
        let ok = |s: &str| (Ok(s.to_string()), String::new());
        let bad = |raw: &str| (Err("malformed_xml"), raw.to_string());
        let cases: Vec<(&str, Vec<Part>)> = vec![
            // A commented-out event is not an event.
            ("<!-- <Event>a</Event> --><Event>b</Event>", vec![ok("<Event>b</Event>")]),
            // `</Event>` inside CDATA or an attribute value is not the end.
            ("<Event><Data><![CDATA[</Event>]]></Data></Event>", vec![ok("<Event><Data><![CDATA[</Event>]]></Data></Event>")]),
            ("<Event a='</Event>'>x</Event>", vec![ok("<Event a='</Event>'>x</Event>")]),
            // A truncated event does not swallow the next one.
            ("<Event><System>\n<Event>b</Event>", vec![bad("<Event><System>"), ok("<Event>b</Event>")]),
            // Text between events is reported, with its text.
            ("<Event>a</Event>JUNK<Event>b</Event>", vec![ok("<Event>a</Event>"), bad("JUNK"), ok("<Event>b</Event>")]),
            ("<Other>x</Other>", vec![bad("<Other>x</Other>")]),
            // Namespace prefixes, the wrapper, a declaration, white space.
            ("<?xml version='1.0'?>\n<Events>\n<e:Event xmlns:e='x'>a</e:Event>\n</Events>\n", vec![ok("<e:Event xmlns:e='x'>a</e:Event>")]),
            ("<Event/><Event>x</Event>", vec![ok("<Event/>"), ok("<Event>x</Event>")]),
            // A DOCTYPE goes with the next event, so the plugin sees what it declares.
            ("<!DOCTYPE Event [<!ENTITY d \"dns.exe\">]><Event>&d;</Event>", vec![ok("<!DOCTYPE Event [<!ENTITY d \"dns.exe\">]>\n<Event>&d;</Event>")]),
        ];
        for (xml, want) in cases {
            assert_eq!(xml_parts(xml), want, "{xml}");
        }
    }
}
