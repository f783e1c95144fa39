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
    /// An `<Event>` element is not closed.
    #[error("unterminated <Event> element")]
    UnterminatedXml,
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
            InputError::UnterminatedXml => "malformed_xml",
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
}

/// Guesses the format from the first bytes of the input (and the file name for `.evtx`).
pub fn sniff(head: &[u8], name: &str) -> Format {
    if head.starts_with(b"ElfFile\0") || name.to_ascii_lowercase().ends_with(".evtx") {
        return Format::Evtx;
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Format::Xml; // UTF-16 text: Windows' own XML exports
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
                    return Some(Record { number: self.line, text: Err(InputError::Io(e.to_string())), bytes: 0 });
                }
            };
            self.line += 1;
            if too_long {
                return Some(Record { number: self.line, text: Err(InputError::LineTooLong(bytes as usize, self.limit)), bytes });
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
            let text = String::from_utf8(line).map_err(|e| InputError::InvalidUtf8(e.utf8_error().valid_up_to()));
            return Some(Record { number: self.line, text, bytes });
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
        Some(Err(e)) => e.is_eof(),
        None => false,
    }
}

/// The records of a whole-document JSON input: an array of objects, or objects one after another.
pub fn json_records(bytes: &[u8]) -> Vec<Record> {
    let text = match std::str::from_utf8(strip_bom(bytes)) {
        Ok(t) => t,
        Err(e) => return vec![Record { number: 1, text: Err(InputError::InvalidUtf8(e.valid_up_to())), bytes: bytes.len() as u64 }],
    };
    let mut out = Vec::new();
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<&serde_json::value::RawValue>>(trimmed) {
            Ok(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push(Record { number: i as u64 + 1, text: Ok(item.get().to_string()), bytes: item.get().len() as u64 });
                }
            }
            Err(e) => out.push(Record { number: 1, text: Err(InputError::Json(e.to_string())), bytes: bytes.len() as u64 }),
        }
        return out;
    }
    let stream = serde_json::Deserializer::from_str(text).into_iter::<&serde_json::value::RawValue>();
    for (i, item) in stream.enumerate() {
        match item {
            Ok(v) => out.push(Record { number: i as u64 + 1, text: Ok(v.get().to_string()), bytes: v.get().len() as u64 }),
            Err(e) => {
                out.push(Record { number: i as u64 + 1, text: Err(InputError::Json(e.to_string())), bytes: 0 });
                break;
            }
        }
    }
    out
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Decodes XML text: UTF-8 (with or without BOM) or UTF-16 with a BOM.
fn xml_text(bytes: &[u8]) -> Result<String, InputError> {
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

/// The `<Event>` elements of a Windows event XML input, in order.
pub fn xml_records(bytes: &[u8]) -> Vec<Record> {
    let text = match xml_text(bytes) {
        Ok(t) => t,
        Err(e) => return vec![Record { number: 1, text: Err(e), bytes: bytes.len() as u64 }],
    };
    let mut out = Vec::new();
    let mut pos = 0;
    let mut n = 0;
    while let Some(start) = find_event_start(&text, pos) {
        n += 1;
        match text[start..].find("</Event>") {
            Some(len) => {
                let end = start + len + "</Event>".len();
                out.push(Record { number: n, text: Ok(text[start..end].to_string()), bytes: (end - pos) as u64 });
                pos = end;
            }
            None => {
                out.push(Record { number: n, text: Err(InputError::UnterminatedXml), bytes: (text.len() - pos) as u64 });
                break;
            }
        }
    }
    if n == 0 && !text.trim().is_empty() {
        // Not event XML at all: hand it to the plugin whole, which says why.
        out.push(Record { number: 1, text: Ok(text), bytes: bytes.len() as u64 });
    }
    out
}

/// The next `<Event` start tag (not `<Events`, `<EventData` or `<EventID`) at or after `from`.
fn find_event_start(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = text[at..].find("<Event") {
        let s = at + i;
        match text.as_bytes().get(s + 6) {
            Some(b'>' | b' ' | b'\t' | b'\r' | b'\n' | b'/') => return Some(s),
            _ => at = s + 6,
        }
    }
    None
}

/// The records of a `.evtx` file, as evtx-style JSON (one line each).
pub fn evtx_records(bytes: Vec<u8>) -> Vec<Record> {
    use evtx::{EvtxParser, ParserSettings};
    let parser = EvtxParser::from_read_seek(Cursor::new(bytes));
    let mut parser = match parser {
        Ok(p) => p.with_configuration(ParserSettings::default().indent(false).num_threads(1)),
        Err(e) => return vec![Record { number: 1, text: Err(InputError::Evtx(e.to_string())), bytes: 0 }],
    };
    parser
        .records_json()
        .enumerate()
        .map(|(i, r)| Record {
            number: i as u64 + 1,
            text: r.map(|rec| rec.data).map_err(|e| InputError::Evtx(e.to_string())),
            bytes: 0,
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
            (b"\xff\xfe<\0", "a", Format::Xml),
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
        let got: Vec<(u64, Result<String, InputError>)> = recs.into_iter().map(|r| (r.number, r.text)).collect();
        assert_eq!(
            got,
            vec![(1, Ok("{\"a\":1}".to_string())), (4, Err(InputError::InvalidUtf8(5))), (5, Ok("{\"c\":3}".to_string()))]
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
        assert_eq!(json_records(b"[{\"a\":1},").len(), 1);
        assert_eq!(json_records(b"[{\"a\":1},")[0].text.as_ref().unwrap_err().kind(), "malformed_json");
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
}
