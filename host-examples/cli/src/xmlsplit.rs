//! Splits a Windows event XML document into its `<Event>` elements.
//!
//! The splitter knows just enough XML to find element boundaries honestly: comments, CDATA
//! sections, processing instructions and quoted attribute values are skipped as units, so a
//! `</Event>` inside a CDATA value or an `<Event>` inside a comment is not a boundary. Every
//! part of the document is accounted for:
//!
//! - each `<Event>` (any namespace prefix) up to its matching end tag is one record;
//! - an `<Event>` that is not closed before the next `<Event>` starts, or before the end of
//!   the input, is a record with an `unterminated <Event>` error that keeps its text;
//! - text or elements outside any `<Event>` (other than white space, comments, the XML
//!   declaration and an `<Events>` wrapper) are a record with an error that keeps the text;
//! - a `<!DOCTYPE ...>` is handed on in front of the next event, so the plugin sees (and
//!   refuses) what it declares, as it does when it gets the whole document from another host.

use crate::input::{InputError, Record};

/// The records of an XML document, in order.
pub fn split(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut pending_doctype: Option<&str> = None;
    let mut outside_start: Option<usize> = None;
    while pos < text.len() {
        let Some(lt) = text[pos..].find('<').map(|i| pos + i) else {
            if !text[pos..].trim().is_empty() {
                outside_start.get_or_insert(pos);
            }
            break;
        };
        if lt > pos && !text[pos..lt].trim().is_empty() {
            outside_start.get_or_insert(pos);
        }
        let rest = &text[lt..];
        if let Some(end) = unit_end(rest) {
            // A comment, CDATA, processing instruction or DOCTYPE outside any event.
            if rest.starts_with("<![CDATA[") {
                outside_start.get_or_insert(lt);
            } else if rest.starts_with("<!DOCTYPE") {
                pending_doctype = Some(&rest[..end]);
            }
            pos = lt + end;
            continue;
        }
        match tag_at(rest) {
            Some(Tag { name, end, closing, self_closing }) if local(name) == "Event" && !closing => {
                flush_outside(&mut out, text, &mut outside_start, lt);
                let start = lt;
                let event_end = if self_closing { Some(lt + end) } else { event_close(text, lt + end, name) };
                let prefix = pending_doctype.take().map(|d| format!("{d}\n")).unwrap_or_default();
                match event_end {
                    Some(e) => {
                        push(&mut out, Ok(format!("{prefix}{}", &text[start..e])), "");
                        pos = e;
                    }
                    None => {
                        // Not closed: up to the next `<Event` start, or the end.
                        let cut = next_event_start(text, lt + end).unwrap_or(text.len());
                        push(&mut out, Err(InputError::UnterminatedXml), text[start..cut].trim_end());
                        pos = cut;
                    }
                }
            }
            // The wrapper and its end tag (and a stray `</Event>`, reported below as text).
            Some(Tag { name, end, .. }) if local(name) == "Events" => pos = lt + end,
            Some(Tag { end, .. }) => {
                outside_start.get_or_insert(lt);
                pos = lt + end;
            }
            None => {
                outside_start.get_or_insert(lt);
                pos = lt + 1;
            }
        }
    }
    flush_outside(&mut out, text, &mut outside_start, text.len());
    out
}

/// Adds a record: its text, or an error with the raw text it keeps.
fn push(out: &mut Vec<Record>, text: Result<String, InputError>, raw: &str) {
    let number = out.len() as u64 + 1;
    let bytes = text.as_ref().map_or(raw.len(), String::len) as u64;
    let raw = if text.is_err() { raw.to_string() } else { String::new() };
    out.push(Record { number, text, bytes, raw });
}

/// Reports the text outside any event since `from` (up to `to`), if it is not blank.
fn flush_outside(out: &mut Vec<Record>, text: &str, from: &mut Option<usize>, to: usize) {
    if let Some(s) = from.take() {
        let junk = text[s..to].trim();
        if !junk.is_empty() {
            push(out, Err(InputError::OutsideEvent), junk);
        }
    }
}

/// A start or end tag.
struct Tag<'a> {
    name: &'a str,
    /// Bytes up to and including its `>`.
    end: usize,
    closing: bool,
    self_closing: bool,
}

/// The tag at the start of `s` (which starts with `<`), quoted attribute values skipped.
fn tag_at(s: &str) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let closing = b.get(1) == Some(&b'/');
    let name_start = if closing { 2 } else { 1 };
    let name_len = s[name_start..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(s.len() - name_start);
    if name_len == 0 {
        return None;
    }
    let mut i = name_start + name_len;
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (None, b'>') => {
                let self_closing = !closing && b[i - 1] == b'/';
                return Some(Tag { name: &s[name_start..name_start + name_len], end: i + 1, closing, self_closing });
            }
            (None, b'<') => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The length of a comment, CDATA section, processing instruction or DOCTYPE at the start
/// of `s`, or `None` if `s` starts with none of them (or one that is not closed).
fn unit_end(s: &str) -> Option<usize> {
    let close = |open: &str, close: &str| s.strip_prefix(open).map(|r| r.find(close).map(|i| open.len() + i + close.len()));
    if let Some(r) = close("<!--", "-->").or_else(|| close("<![CDATA[", "]]>")).or_else(|| close("<?", "?>")) {
        return r;
    }
    if s.starts_with("<!DOCTYPE") {
        // An internal subset in brackets may hold `>`.
        return match (s.find('['), s.find('>')) {
            (Some(open), Some(gt)) if open < gt => s[open..].find("]").and_then(|c| s[open + c..].find('>').map(|g| open + c + g + 1)),
            (_, Some(gt)) => Some(gt + 1),
            _ => None,
        };
    }
    None
}

/// Where the `<Event>` whose start tag ends at `from` is closed (just past its end tag),
/// or `None` if another `<Event` starts first or the input ends.
fn event_close(text: &str, from: usize, name: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut pos = from;
    while let Some(i) = text[pos..].find('<') {
        let at = pos + i;
        let rest = &text[at..];
        if let Some(end) = unit_end(rest) {
            pos = at + end;
            continue;
        }
        let tag = tag_at(rest)?;
        pos = at + tag.end;
        if local(tag.name) == "Event" && !tag.closing {
            return None; // an event inside an event: the first one was cut short
        }
        match (tag.closing, tag.self_closing) {
            (true, _) if depth == 0 => return (tag.name == name).then_some(pos),
            (true, _) => depth -= 1,
            (false, false) => depth += 1,
            (false, true) => {}
        }
    }
    None
}

/// The next `<Event` start tag (any prefix) at or after `from`.
fn next_event_start(text: &str, from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(i) = text[pos..].find('<') {
        let at = pos + i;
        if tag_at(&text[at..]).is_some_and(|t| !t.closing && local(t.name) == "Event") {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}
