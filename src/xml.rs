//! A reader for one Windows event rendered as XML (`<Event>`, as `EvtRender`, Sysmon,
//! evtx tools, Splunk's `XmlWinEventLog` and Fluent Bit's `Render_Event_As_XML` write it).
//!
//! It is not a general XML parser: it checks that tags nest and close, decodes the five
//! named entities, numeric character references, CDATA and comments (so no text can
//! hide behind them), and keeps only the `System` values and `EventData/Data` pairs a
//! rule can use. Nesting is tracked with a depth counter and a stack of names, never
//! recursion.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// Why an event's XML was rejected, with the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct XmlError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What went wrong.
    pub kind: XmlErrorKind,
}

/// The kinds of malformed event XML the reader reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum XmlErrorKind {
    /// The input ended inside a tag or before every element was closed.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// A malformed tag or attribute.
    #[error("malformed tag")]
    BadTag,
    /// An end tag that does not match the open element.
    #[error("mismatched end tag")]
    MismatchedTag,
    /// An unknown or malformed `&...;` reference.
    #[error("invalid entity reference")]
    BadEntity,
    /// The document holds no `<Event>` element.
    #[error("no <Event> element")]
    NoEvent,
    /// More than one `<Event>`: split the stream into single events first.
    #[error("more than one <Event> element")]
    MultipleEvents,
    /// Elements nested deeper than the configured limit.
    #[error("nesting deeper than the limit")]
    TooDeep,
    /// More elements than the configured limit.
    #[error("more elements than the limit")]
    TooManyElements,
    /// Text outside the root element.
    #[error("content outside the root element")]
    TrailingContent,
}

/// The fields of one `<Event>` that the decoders use. Values are entity-decoded.
#[derive(Debug, Default)]
pub struct XmlEvent<'a> {
    /// `System/Provider/@Name`
    pub provider: Option<Cow<'a, str>>,
    /// `System/EventID` text
    pub event_id: Option<Cow<'a, str>>,
    /// `System/Version` text
    pub version: Option<Cow<'a, str>>,
    /// `System/TimeCreated/@SystemTime`
    pub time: Option<Cow<'a, str>>,
    /// `System/Computer` text
    pub computer: Option<Cow<'a, str>>,
    /// `System/Channel` text
    pub channel: Option<Cow<'a, str>>,
    /// `RenderingInfo/Message` text, when the renderer included it
    pub message: Option<Cow<'a, str>>,
    /// `EventData/Data` elements as `(Name, text)`, in document order
    pub data: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> XmlEvent<'a> {
    /// The text of `EventData/Data[@Name=name]` (the last one, if the name repeats).
    pub fn data(&self, name: &str) -> Option<&str> {
        self.data.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_ref())
    }
}

/// Where the reader is inside the event, as far as the decoders care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    None,
    EventId,
    Version,
    Computer,
    Channel,
    Message,
    Data,
}

/// Reads exactly one `<Event>` (optionally inside one wrapper such as `<Events>`).
pub fn parse_event(src: &str, max_depth: usize) -> Result<XmlEvent<'_>, XmlError> {
    parse_event_limited(src, max_depth, usize::MAX)
}

/// As [`parse_event`], also rejecting a document of more than `max_elements` elements.
pub fn parse_event_limited(src: &str, max_depth: usize, max_elements: usize) -> Result<XmlEvent<'_>, XmlError> {
    let mut elements_left = max_elements;
    let b = src.as_bytes();
    let mut pos = 0usize;
    let mut ev = XmlEvent::default();
    let mut stack: Vec<&str> = Vec::new();
    let mut events = 0usize;
    let mut saw_root = false;
    // Text being gathered for the current slot, and the pending Data name.
    let mut slot = Slot::None;
    let mut text: Option<Cow<'_, str>> = None;
    let mut data_name: Option<Cow<'_, str>> = None;
    let err = |offset, kind| XmlError { offset, kind };

    while pos < b.len() {
        if b[pos] != b'<' {
            let end = memchr::memchr(b'<', &b[pos..]).map_or(b.len(), |o| pos + o);
            let raw = &src[pos..end];
            if stack.is_empty() {
                if !raw.trim().is_empty() {
                    return Err(err(pos, XmlErrorKind::TrailingContent));
                }
            } else if slot != Slot::None {
                let decoded = decode_entities(raw).map_err(|o| err(pos + o, XmlErrorKind::BadEntity))?;
                append(&mut text, decoded);
            }
            pos = end;
            continue;
        }
        let rest = &src[pos..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").ok_or(err(pos, XmlErrorKind::UnexpectedEnd))?;
            pos += end + 3;
        } else if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").ok_or(err(pos, XmlErrorKind::UnexpectedEnd))?;
            if stack.is_empty() {
                return Err(err(pos, XmlErrorKind::TrailingContent));
            }
            if slot != Slot::None {
                append(&mut text, Cow::Borrowed(&rest[9..end]));
            }
            pos += end + 3;
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            // XML declaration, processing instruction or DOCTYPE: skipped (no entities are defined).
            let end = rest.find('>').ok_or(err(pos, XmlErrorKind::UnexpectedEnd))?;
            pos += end + 1;
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').ok_or(err(pos, XmlErrorKind::UnexpectedEnd))?;
            let name = r[..end].trim_end();
            let open = stack.pop().ok_or(err(pos, XmlErrorKind::MismatchedTag))?;
            if name != open {
                return Err(err(pos, XmlErrorKind::MismatchedTag));
            }
            finish_slot(&mut ev, &mut slot, &mut text, &mut data_name, stack.len());
            pos += 2 + end + 1;
        } else {
            let tag_start = pos;
            elements_left = elements_left.checked_sub(1).ok_or(err(tag_start, XmlErrorKind::TooManyElements))?;
            let (tag, after) = read_tag(src, pos).map_err(|(o, k)| err(o, k))?;
            pos = after;
            if stack.is_empty() && saw_root {
                return Err(err(tag_start, XmlErrorKind::TrailingContent));
            }
            saw_root = true;
            let local = local_name(tag.name);
            // The <Event> is the root, or sits directly inside one wrapper element.
            let in_event = stack.iter().position(|n| local_name(n) == "Event");
            if local == "Event" && in_event.is_none() && stack.len() <= 1 {
                events += 1;
                if events > 1 {
                    return Err(err(tag_start, XmlErrorKind::MultipleEvents));
                }
            }
            if let Some(base) = in_event {
                let depth = stack.len() - base; // 1 = child of <Event>
                let parent = stack.last().map(|n| local_name(n)).unwrap_or("");
                match (depth, parent, local) {
                    (2, "System", "Provider") => ev.provider = tag.attr("Name")?,
                    (2, "System", "TimeCreated") => ev.time = tag.attr("SystemTime")?,
                    (2, "System", "EventID") => slot = Slot::EventId,
                    (2, "System", "Version") => slot = Slot::Version,
                    (2, "System", "Computer") => slot = Slot::Computer,
                    (2, "System", "Channel") => slot = Slot::Channel,
                    (2, "RenderingInfo", "Message") => slot = Slot::Message,
                    (2, "EventData", "Data") => {
                        slot = Slot::Data;
                        data_name = tag.attr("Name")?;
                    }
                    _ => {}
                }
                if slot != Slot::None {
                    text = None;
                }
            }
            if tag.self_closing {
                finish_slot(&mut ev, &mut slot, &mut text, &mut data_name, stack.len());
            } else {
                if stack.len() >= max_depth {
                    return Err(err(tag_start, XmlErrorKind::TooDeep));
                }
                stack.push(tag.name);
            }
        }
    }
    if !stack.is_empty() {
        return Err(err(b.len(), XmlErrorKind::UnexpectedEnd));
    }
    if events == 0 {
        return Err(err(0, XmlErrorKind::NoEvent));
    }
    Ok(ev)
}

fn append<'a>(text: &mut Option<Cow<'a, str>>, more: Cow<'a, str>) {
    match text {
        None => *text = Some(more),
        Some(t) => t.to_mut().push_str(&more),
    }
}

/// Stores the gathered text when the element that owns the current slot closes.
fn finish_slot<'a>(
    ev: &mut XmlEvent<'a>,
    slot: &mut Slot,
    text: &mut Option<Cow<'a, str>>,
    data_name: &mut Option<Cow<'a, str>>,
    _depth: usize,
) {
    if *slot == Slot::None {
        return;
    }
    let value = text.take().unwrap_or(Cow::Borrowed(""));
    match *slot {
        Slot::EventId => ev.event_id = Some(value),
        Slot::Version => ev.version = Some(value),
        Slot::Computer => ev.computer = Some(value),
        Slot::Channel => ev.channel = Some(value),
        Slot::Message => ev.message = Some(value),
        Slot::Data => {
            if let Some(name) = data_name.take() {
                ev.data.push((name, value));
            }
        }
        Slot::None => {}
    }
    *slot = Slot::None;
}

struct Tag<'a> {
    name: &'a str,
    /// Raw attribute text between the name and `>` / `/>`.
    attrs: &'a str,
    attrs_at: usize,
    self_closing: bool,
}

impl<'a> Tag<'a> {
    /// The decoded value of attribute `want` (matched by local name).
    fn attr(&self, want: &str) -> Result<Option<Cow<'a, str>>, XmlError> {
        let mut found = None;
        let mut s = self.attrs;
        let mut at = self.attrs_at;
        loop {
            let t = s.trim_start();
            at += s.len() - t.len();
            s = t;
            if s.is_empty() {
                return Ok(found);
            }
            let bad = XmlError { offset: at, kind: XmlErrorKind::BadTag };
            let eq = s.find('=').ok_or(bad.clone())?;
            let name = s[..eq].trim();
            let after = s[eq + 1..].trim_start();
            let q = after.chars().next().ok_or(bad.clone())?;
            if q != '"' && q != '\'' {
                return Err(bad);
            }
            let close = after[1..].find(q).ok_or(bad)?;
            let raw = &after[1..1 + close];
            if local_name(name) == want {
                let value_at = at + (s.len() - after.len()) + 1;
                found = Some(decode_entities(raw).map_err(|o| XmlError { offset: value_at + o, kind: XmlErrorKind::BadEntity })?);
            }
            let consumed = s.len() - after.len() + 1 + close + 1;
            at += consumed;
            s = &s[consumed..];
        }
    }
}

/// Reads `<name attrs...>` or `<name .../>` starting at `pos`; returns the tag and the offset after it.
fn read_tag(src: &str, pos: usize) -> Result<(Tag<'_>, usize), (usize, XmlErrorKind)> {
    let b = src.as_bytes();
    let mut i = pos + 1;
    // Find the closing '>' outside quoted attribute values.
    let mut quote = 0u8;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b'>' {
            break;
        } else if c == b'<' {
            return Err((i, XmlErrorKind::BadTag));
        }
        i += 1;
    }
    if i >= b.len() {
        return Err((pos, XmlErrorKind::UnexpectedEnd));
    }
    let inner = &src[pos + 1..i];
    let (inner, self_closing) = match inner.strip_suffix('/') {
        Some(s) => (s, true),
        None => (inner, false),
    };
    let name_len = inner.find(|c: char| c.is_ascii_whitespace()).unwrap_or(inner.len());
    let name = &inner[..name_len];
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')) {
        return Err((pos + 1, XmlErrorKind::BadTag));
    }
    Ok((Tag { name, attrs: &inner[name_len..], attrs_at: pos + 1 + name_len, self_closing }, i + 1))
}

fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Decodes `&amp; &lt; &gt; &quot; &apos; &#N; &#xH;`; on error returns the offending offset.
pub fn decode_entities(raw: &str) -> Result<Cow<'_, str>, usize> {
    let Some(first) = raw.find('&') else { return Ok(Cow::Borrowed(raw)) };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut i = first;
    while i < raw.len() {
        let rest = &raw[i..];
        if !rest.starts_with('&') {
            let next = rest.find('&').unwrap_or(rest.len());
            out.push_str(&rest[..next]);
            i += next;
            continue;
        }
        let semi = rest.find(';').filter(|&s| s <= 12).ok_or(i)?;
        let name = &rest[1..semi];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => {
                let num = name.strip_prefix('#').ok_or(i)?;
                let v = match num.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                Some(v.and_then(char::from_u32).filter(|&c| c != '\0').ok_or(i)?)
            }
        };
        if let Some(c) = c {
            out.push(c);
        }
        i += semi + 1;
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYSMON: &str = "<?xml version='1.0'?><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
        <System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/>\
        <EventID>1</EventID><Version>5</Version><TimeCreated SystemTime='2024-01-15T10:20:30.1Z'/>\
        <Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>DNS01</Computer></System>\
        <EventData><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data>\
        <Data Name=\"ParentImage\">C:\\Windows\\System32\\&#x64;n<![CDATA[s]]><!-- x -->.exe</Data>\
        <Data Name='CommandLine'>a &amp; b &lt;c&gt; &#34;d&#34;</Data><Data Name='Empty'/><Data Name='E2'></Data></EventData></Event>";

    #[test]
    fn reads_system_and_event_data() {
        let ev = parse_event(SYSMON, 32).unwrap();
        assert_eq!(ev.provider.as_deref(), Some("Microsoft-Windows-Sysmon"));
        assert_eq!(ev.event_id.as_deref(), Some("1"));
        assert_eq!(ev.version.as_deref(), Some("5"));
        assert_eq!(ev.time.as_deref(), Some("2024-01-15T10:20:30.1Z"));
        assert_eq!(ev.computer.as_deref(), Some("DNS01"));
        assert_eq!(ev.channel.as_deref(), Some("Microsoft-Windows-Sysmon/Operational"));
        assert_eq!(ev.data("Image"), Some(r"C:\Windows\System32\cmd.exe"));
        assert_eq!(ev.data("ParentImage"), Some(r"C:\Windows\System32\dns.exe"));
        assert_eq!(ev.data("CommandLine"), Some("a & b <c> \"d\""));
        assert_eq!(ev.data("Empty"), Some(""));
        assert_eq!(ev.data("E2"), Some(""));
        assert_eq!(ev.data("Nope"), None);
    }

    #[test]
    fn wrapper_and_prefixed_names() {
        let ev = parse_event("<Events>\n<e:Event xmlns:e='x'><e:System><e:EventID>4688</e:EventID></e:System></e:Event>\n</Events>", 32).unwrap();
        assert_eq!(ev.event_id.as_deref(), Some("4688"));
    }

    #[test]
    fn rejects_malformed_xml() {
        let cases: &[(&str, XmlErrorKind)] = &[
            ("<Event><System></Event>", XmlErrorKind::MismatchedTag),
            ("<Event><System>", XmlErrorKind::UnexpectedEnd),
            ("<Event><EventData><Data Name='a'>&bogus;</Data></EventData></Event>", XmlErrorKind::BadEntity),
            ("<Event><EventData><Data Name='a'>&#0;</Data></EventData></Event>", XmlErrorKind::BadEntity),
            ("<Event><System><Provider Name=x/></System></Event>", XmlErrorKind::BadTag),
            ("<Event></Event><Event></Event>", XmlErrorKind::TrailingContent),
            ("<Events><Event></Event><Event></Event></Events>", XmlErrorKind::MultipleEvents),
            ("<Other/>", XmlErrorKind::NoEvent),
            ("<Event>", XmlErrorKind::UnexpectedEnd),
            ("<Event><!-- x", XmlErrorKind::UnexpectedEnd),
            ("< Event/>", XmlErrorKind::BadTag),
            ("<Event></Event>junk", XmlErrorKind::TrailingContent),
        ];
        for (src, kind) in cases {
            assert_eq!(parse_event(src, 32).map(|_| ()).unwrap_err().kind, *kind, "{src}");
        }
    }

    #[test]
    fn deep_nesting_is_a_typed_error() {
        let deep = "<a>".repeat(100_000);
        assert_eq!(parse_event(&deep, 64).unwrap_err().kind, XmlErrorKind::TooDeep);
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("&#100;&#x6E;&#X73;.exe").unwrap(), "dns.exe");
        assert_eq!(decode_entities("plain").unwrap(), "plain");
        assert!(decode_entities("a & b").is_err());
        assert!(decode_entities("&#xD800;").is_err());
    }
}
