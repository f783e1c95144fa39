//! Decoders: from event text to an [`EventView`], one decoder per log shape.
//!
//! [`decode`] looks at the first byte (`{` JSON, `<` XML), parses with the matching
//! reader and hands the document to the shape decoders. A document that is valid but
//! is no Windows process event of any known shape decodes to `None` (no alert, no error).

mod inserts;
mod shapes;

use alloc::borrow::Cow;
use alloc::format;

use crate::error::EventError;
use crate::event::{field, EventView, Field, Kind, Shape};
use crate::json::Doc;
use crate::xml::{parse_event_limited, XmlEvent};

/// Limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest event accepted, in bytes.
    pub max_event_bytes: usize,
    /// Deepest nesting of JSON containers or XML elements accepted.
    pub max_depth: usize,
    /// Most JSON values (keys not counted) or XML elements accepted in one event.
    pub max_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_event_bytes: 1 << 20, max_depth: 64, max_fields: 10_000 }
    }
}

/// Decodes one event. `Ok(None)`: a well-formed document that is not a Windows process event.
pub fn decode<'a>(text: &'a str, limits: Limits) -> Result<Option<EventView<'a>>, EventError> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    match trimmed.as_bytes().first() {
        None => Err(EventError::Empty),
        Some(b'{') => {
            let doc = Doc::parse_limited(trimmed, limits.max_depth, limits.max_fields).map_err(|e| {
                let mut e = e;
                e.offset += text.len() - trimmed.len();
                EventError::from(e)
            })?;
            shapes::decode_json(&doc, limits)
        }
        Some(b'<') => {
            let ev = parse_event_limited(trimmed, limits.max_depth, limits.max_fields).map_err(|e| {
                let mut e = e;
                e.offset += text.len() - trimmed.len();
                EventError::from(e)
            })?;
            Ok(Some(from_xml(&ev, Shape::EventXml)))
        }
        Some(b'[') => Err(EventError::NotAnObject),
        Some(_) => Err(EventError::UnknownFormat),
    }
}

/// Named values of a flat record: a JSON object, or an XML event's `EventData`.
pub(crate) trait Fields<'a> {
    /// The decoded value of `name`, if present and a string or number.
    fn get(&self, name: &str) -> Option<Cow<'a, str>>;

    /// The values of several names at once (one pass where the record allows it).
    fn get_many<const N: usize>(&self, names: &[&str; N]) -> [Option<Cow<'a, str>>; N] {
        core::array::from_fn(|i| self.get(names[i]))
    }
}

impl<'a> Fields<'a> for crate::json::Value<'_, 'a> {
    fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        crate::json::Value::get(self, name).and_then(|v| v.text())
    }

    fn get_many<const N: usize>(&self, names: &[&str; N]) -> [Option<Cow<'a, str>>; N] {
        crate::json::Value::get_many(self, names).map(|v| v.and_then(|v| v.text()))
    }
}

impl<'a> Fields<'a> for XmlEvent<'a> {
    fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        self.data.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

/// A field whose source name is `prefix` + `name`.
pub(crate) fn named<'a>(prefix: &str, name: &'static str, value: Option<Cow<'a, str>>) -> Option<Field<'a>> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    let source = if prefix.is_empty() { Cow::Borrowed(name) } else { Cow::Owned(format!("{prefix}{name}")) };
    Some(Field { source, value })
}

/// The first of `names` that `f` has (non-empty), as a field.
pub(crate) fn first<'a>(f: &impl Fields<'a>, prefix: &str, names: &[&'static str]) -> Option<Field<'a>> {
    names.iter().find_map(|n| named(prefix, n, f.get(n)))
}

/// The Sysmon EID 1 / Security 4688 `EventData` names the process fields come from.
const EVENT_DATA_NAMES: [&str; 9] =
    ["ParentImage", "ParentProcessName", "Image", "NewProcessName", "CommandLine", "User", "SubjectUserName", "SubjectDomainName", "UtcTime"];

/// Fills the process fields from Sysmon EID 1 / Security 4688 `EventData` names.
pub(crate) fn fill_event_data<'a>(view: &mut EventView<'a>, f: &impl Fields<'a>, prefix: &str) {
    let [parent, parent_4688, image, image_4688, command_line, user, subject_user, subject_domain, utc_time] = f.get_many(&EVENT_DATA_NAMES);
    let n = |i: usize, v| named(prefix, EVENT_DATA_NAMES[i], v);
    view.parent_image = view.parent_image.take().or_else(|| n(0, parent)).or_else(|| n(1, parent_4688));
    view.image = view.image.take().or_else(|| n(2, image)).or_else(|| n(3, image_4688));
    view.command_line = view.command_line.take().or_else(|| n(4, command_line));
    view.user = view.user.take().or_else(|| n(5, user)).or_else(|| subject(prefix, subject_user, subject_domain));
    view.time = view.time.take().or_else(|| n(8, utc_time));
}

/// `SubjectDomainName\SubjectUserName` for Security events (the name alone if no domain).
fn subject<'a>(prefix: &str, name: Option<Cow<'a, str>>, domain: Option<Cow<'a, str>>) -> Option<Field<'a>> {
    let name = name.filter(|n| !n.trim().is_empty())?;
    match domain.filter(|d| !d.trim().is_empty() && d != "-") {
        Some(domain) => Some(Field {
            source: Cow::Owned(format!("{prefix}SubjectDomainName\\{prefix}SubjectUserName")),
            value: Cow::Owned(format!("{domain}\\{name}")),
        }),
        None => named(prefix, "SubjectUserName", Some(name)),
    }
}

/// Process-start test for Windows events: Sysmon EventID 1 or Security EventID 4688.
///
/// When the provider (or, lacking it, the channel) is known it must agree with the
/// EventID; an EventID alone is taken at its word.
pub(crate) fn windows_kind<'a>(event_id: Option<Field<'a>>, provider: Option<Field<'a>>, channel: Option<Field<'a>>) -> Kind<'a> {
    let Some(eid) = event_id else { return Kind::Unstated };
    let n = eid.value.trim().parse::<i64>().ok();
    let (want_provider, want_channel): (&str, fn(&str) -> bool) = match n {
        Some(1) => ("microsoft-windows-sysmon", |c| c.eq_ignore_ascii_case("Microsoft-Windows-Sysmon/Operational")),
        Some(4688) => ("microsoft-windows-security-auditing", |c| c.eq_ignore_ascii_case("Security")),
        _ => return Kind::Other(eid),
    };
    if let Some(p) = provider {
        return if p.value.trim().eq_ignore_ascii_case(want_provider) { Kind::ProcessStart(eid) } else { Kind::Other(p) };
    }
    if let Some(c) = channel {
        return if want_channel(c.value.trim()) { Kind::ProcessStart(eid) } else { Kind::Other(c) };
    }
    Kind::ProcessStart(eid)
}

/// The view of an XML event (also used for Fluent Bit's `Render_Event_As_XML`).
pub(crate) fn from_xml<'a>(ev: &XmlEvent<'a>, shape: Shape) -> EventView<'a> {
    let mut view = EventView::new(shape);
    view.kind = windows_kind(
        field("System.EventID", ev.event_id.clone()),
        field("System.Provider@Name", ev.provider.clone()),
        field("System.Channel", ev.channel.clone()),
    );
    view.host = field("System.Computer", ev.computer.clone());
    view.time = field("System.TimeCreated@SystemTime", ev.time.clone());
    view.message = field("RenderingInfo.Message", ev.message.clone());
    fill_event_data(&mut view, ev, "EventData.");
    view
}

/// Turns a borrowed view into one that owns its text.
pub(crate) fn into_owned(view: EventView<'_>) -> EventView<'static> {
    fn own(f: Field<'_>) -> Field<'static> {
        Field { source: f.source, value: Cow::Owned(f.value.into_owned()) }
    }
    EventView {
        shape: view.shape,
        kind: match view.kind {
            Kind::ProcessStart(f) => Kind::ProcessStart(own(f)),
            Kind::Other(f) => Kind::Other(own(f)),
            Kind::Unstated => Kind::Unstated,
        },
        parent_image: view.parent_image.map(own),
        image: view.image.map(own),
        command_line: view.command_line.map(own),
        user: view.user.map(own),
        host: view.host.map(own),
        time: view.time.map(own),
        file_name: view.file_name.map(own),
        message: view.message.map(own),
    }
}
