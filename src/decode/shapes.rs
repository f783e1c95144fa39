//! The JSON shapes: which keys identify each one, and where each keeps its fields.
//! Shapes are tried in a fixed order; the first whose identifying keys are present wins.

use alloc::borrow::Cow;
use alloc::format;

use super::inserts::{self, Provider};
use super::{fill_event_data, first, from_xml, into_owned, named, windows_kind, Limits};
use crate::error::EventError;
use crate::event::{EventView, Field, Kind, Shape};
use crate::json::{Doc, Kind as JKind, Value};
use crate::xml::parse_event_limited;

type Decoded<'a> = Result<Option<EventView<'a>>, EventError>;

/// The root keys that tell the shapes apart (see [`decode_json`] for the order they are tried in).
const SHAPE_KEYS: [&str; 18] = [
    "Event",
    "System",
    "class_uid",
    "actionname",
    "PARENTPROCESSNAME",
    "ProviderName",
    "EventData",
    "StringInserts",
    "SourceName",
    "process",
    "winlog",
    "EventCode",
    "parent_process_path",
    "process_path",
    "parent_process_name",
    "EventID",
    "ParentImage",
    "ParentProcessName",
];

/// Decodes a JSON document of any known shape.
pub(super) fn decode_json<'a>(doc: &Doc<'a>, limits: Limits) -> Decoded<'a> {
    let r = doc.root();
    if r.kind() != JKind::Object {
        return Err(EventError::NotAnObject);
    }
    // The identifying keys, found in one pass over the root's members.
    let [event, system, class_uid, actionname, parent_caps, provider_name, event_data, inserts, source_name, process, winlog, event_code, cim_parent_path, cim_path, cim_parent_name, event_id, parent_image, parent_name] =
        r.get_many(&SHAPE_KEYS);
    let obj = |v: Option<Value<'_, '_>>| v.is_some_and(|v| v.kind() == JKind::Object);
    let view = if event.is_some_and(|e| e.get("System").is_some()) {
        evtx_json(r)
    } else if system.is_some_and(|v| v.kind() == JKind::String) {
        return fluent_bit_xml(r, limits);
    } else if class_uid.is_some() {
        ocsf(r)
    } else if actionname.is_some() || parent_caps.is_some() {
        log360(r)
    } else if provider_name.is_some() && obj(event_data) {
        fluent_bit_map(r)
    } else if inserts.is_some() && (provider_name.is_some() || source_name.is_some()) {
        fluent_bit_inserts(r)
    } else if process.is_some_and(|p| p.get_many(&["executable", "name", "parent", "command_line"]).iter().any(Option::is_some)) {
        ecs(r)
    } else if obj(winlog) {
        winlogbeat(r)
    } else if event_code.is_some() {
        splunk_raw(r)
    } else if cim_parent_path.is_some() || cim_path.is_some() || cim_parent_name.is_some() {
        splunk_cim(r)
    } else if event_id.is_some() || parent_image.is_some() || parent_name.is_some() {
        nxlog(r)
    } else {
        return Ok(None);
    };
    Ok(Some(view))
}

/// The text at a path of keys, as a field named by the dotted path.
fn at<'a>(v: Value<'_, 'a>, source: &'static str, path: &[&str]) -> Option<Field<'a>> {
    let t = v.path(path)?.text()?;
    (!t.trim().is_empty()).then(|| Field::new(source, t))
}

/// An EventID that may be a number, a string, or `{"#text": ..}` (with qualifiers).
fn event_id<'a>(v: Option<Value<'_, 'a>>, source: &'static str) -> Option<Field<'a>> {
    let v = v?;
    let v = if v.kind() == JKind::Object { v.get("#text")? } else { v };
    v.text().map(|t| Field::new(source, t))
}

fn evtx_json<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = EventView::new(Shape::EvtxJson);
    let sys = r.path(&["Event", "System"]);
    let s = |source, path: &[&str]| sys.and_then(|s| at(s, source, path));
    view.kind = windows_kind(
        event_id(sys.and_then(|s| s.get("EventID")), "Event.System.EventID"),
        s("Event.System.Provider.#attributes.Name", &["Provider", "#attributes", "Name"]),
        s("Event.System.Channel", &["Channel"]),
    );
    view.host = s("Event.System.Computer", &["Computer"]);
    view.time = s("Event.System.TimeCreated.#attributes.SystemTime", &["TimeCreated", "#attributes", "SystemTime"]);
    view.message = at(r, "Event.RenderingInfo.Message", &["Event", "RenderingInfo", "Message"]);
    if let Some(data) = r.path(&["Event", "EventData"]) {
        fill_event_data(&mut view, &data, "Event.EventData.");
    }
    view
}

fn fluent_bit_xml<'a>(r: Value<'_, 'a>, limits: Limits) -> Decoded<'a> {
    let xml = r.get("System").and_then(|v| v.text()).unwrap_or(Cow::Borrowed(""));
    let ev = parse_event_limited(&xml, limits.max_depth, limits.max_fields)?;
    let mut view = into_owned(from_xml(&ev, Shape::FluentBitWinevtlogXml));
    view.message = view.message.or_else(|| at(r, "Message", &["Message"]).map(|f| into_owned_field(f)));
    Ok(Some(view))
}

fn into_owned_field(f: Field<'_>) -> Field<'static> {
    Field { source: f.source, value: Cow::Owned(f.value.into_owned()) }
}

/// Kind of a record whose EventID and provider sit at the top level (Fluent Bit, NXLog).
fn flat_kind<'a>(r: Value<'_, 'a>) -> Kind<'a> {
    let provider = ["ProviderName", "SourceName"].iter().find_map(|k| named("", k, r.get(k).and_then(|v| v.text())));
    windows_kind(event_id(r.get("EventID"), "EventID"), provider, at(r, "Channel", &["Channel"]))
}

fn fluent_bit_common<'a>(r: Value<'_, 'a>, shape: Shape) -> EventView<'a> {
    let mut view = EventView::new(shape);
    view.kind = flat_kind(r);
    view.host = first(&r, "", &["Computer", "ComputerName"]);
    view.time = first(&r, "", &["TimeCreated", "TimeGenerated"]);
    view.message = first(&r, "", &["Message"]);
    view
}

fn fluent_bit_map<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = fluent_bit_common(r, Shape::FluentBitWinevtlogMap);
    if let Some(data) = r.get("EventData") {
        fill_event_data(&mut view, &data, "EventData.");
    }
    view.user = view.user.or_else(|| first(&r, "", &["UserID"]));
    view
}

fn fluent_bit_inserts<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let legacy = r.get("ProviderName").is_none();
    let mut view = fluent_bit_common(r, if legacy { Shape::FluentBitWinlog } else { Shape::FluentBitWinevtlog });
    let provider = match &view.kind {
        Kind::ProcessStart(eid) if eid.value.trim() == "1" => Some(Provider::Sysmon),
        Kind::ProcessStart(_) => Some(Provider::Security),
        _ => None,
    };
    if let (Some(p), Some(ins)) = (provider, r.get("StringInserts")) {
        inserts::fill(&mut view, ins, p);
    }
    view.user = view.user.or_else(|| first(&r, "", &["UserID"]));
    view
}

fn ocsf<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = EventView::new(Shape::Ocsf);
    let class = r.get("class_uid").and_then(|v| v.as_i64());
    let activity = r.get("activity_id").and_then(|v| v.as_i64());
    let type_uid = r.get("type_uid").and_then(|v| v.as_i64());
    let text = |k: &str| r.get(k).and_then(|v| v.text()).unwrap_or(Cow::Borrowed(""));
    view.kind = match (class, activity, type_uid) {
        (Some(1007), Some(1), _) | (Some(1007), None, Some(100701)) => Kind::ProcessStart(Field::new("activity_id", text("activity_id"))),
        (Some(1007), Some(_), _) => Kind::Other(Field::new("activity_id", text("activity_id"))),
        _ => Kind::Other(Field::new("class_uid", text("class_uid"))),
    };
    view.parent_image = at(r, "actor.process.file.path", &["actor", "process", "file", "path"])
        .or_else(|| at(r, "process.parent_process.file.path", &["process", "parent_process", "file", "path"]))
        .or_else(|| at(r, "actor.process.file.name", &["actor", "process", "file", "name"]))
        .or_else(|| at(r, "process.parent_process.file.name", &["process", "parent_process", "file", "name"]));
    view.image = at(r, "process.file.path", &["process", "file", "path"]).or_else(|| at(r, "process.file.name", &["process", "file", "name"]));
    view.file_name = at(r, "process.file.name", &["process", "file", "name"]);
    view.command_line = at(r, "process.cmd_line", &["process", "cmd_line"]);
    view.user = domain_user(r, "process.user", &["process", "user"]).or_else(|| at(r, "actor.user.name", &["actor", "user", "name"]));
    view.host = at(r, "device.hostname", &["device", "hostname"]).or_else(|| at(r, "device.name", &["device", "name"]));
    view.time = at(r, "time", &["time"]);
    view.message = at(r, "message", &["message"]);
    view
}

/// `domain\name` from an object with `name` and optional `domain` (ECS `user`, OCSF `process.user`).
fn domain_user<'a>(r: Value<'_, 'a>, prefix: &'static str, path: &[&str]) -> Option<Field<'a>> {
    let u = r.path(path)?;
    let name = u.get("name")?.text().filter(|n| !n.trim().is_empty())?;
    match u.get("domain").and_then(|d| d.text()).filter(|d| !d.trim().is_empty()) {
        Some(d) => Some(Field { source: Cow::Owned(format!("{prefix}.domain\\{prefix}.name")), value: Cow::Owned(format!("{d}\\{name}")) }),
        None => Some(Field { source: Cow::Owned(format!("{prefix}.name")), value: name }),
    }
}

fn log360<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = EventView::new(Shape::Log360);
    view.kind = match at(r, "actionname", &["actionname"]) {
        Some(f) if f.value.trim().eq_ignore_ascii_case("Process started") => Kind::ProcessStart(f),
        Some(f) => Kind::Other(f),
        None => Kind::Unstated,
    };
    view.parent_image = first(&r, "", &["PARENTPROCESSNAME"]);
    view.image = first(&r, "", &["PROCESSNAME"]);
    view.command_line = first(&r, "", &["COMMANDLINE"]);
    view.user = first(&r, "", &["USERNAME"]);
    view.host = first(&r, "", &["HOSTNAME"]);
    view.file_name = first(&r, "", &["FILE_NAME"]);
    view.message = first(&r, "", &["MESSAGE"]);
    view.time = first(&r, "", &["TIME", "time", "@timestamp"]);
    view
}

fn ecs<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = winlogbeat(r);
    view.shape = Shape::Ecs;
    let ev_type = r.path(&["event", "type"]);
    let category_ok = r.path(&["event", "category"]).is_none_or(|c| c.has_str_ci("process"));
    if let Some(t) = ev_type {
        let value = if t.kind() == JKind::Array { Cow::Borrowed("start") } else { t.text().unwrap_or_default() };
        let f = Field::new("event.type", value);
        view.kind = if t.has_str_ci("start") && category_ok { Kind::ProcessStart(f) } else { Kind::Other(f) };
    } else if matches!(view.kind, Kind::Unstated) {
        let provider = at(r, "event.provider", &["event", "provider"]);
        view.kind = windows_kind(event_id(r.path(&["event", "code"]), "event.code"), provider, None);
    }
    let parent = at(r, "process.parent.executable", &["process", "parent", "executable"])
        .or_else(|| at(r, "process.parent.name", &["process", "parent", "name"]));
    view.parent_image = parent.or(view.parent_image);
    let image = at(r, "process.executable", &["process", "executable"]).or_else(|| at(r, "process.name", &["process", "name"]));
    view.image = image.or(view.image);
    view.command_line = at(r, "process.command_line", &["process", "command_line"]).or(view.command_line);
    view.file_name = at(r, "process.name", &["process", "name"]);
    view.user = domain_user(r, "user", &["user"]).or(view.user);
    view.host = at(r, "host.name", &["host", "name"]).or(view.host);
    view
}

fn winlogbeat<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = EventView::new(Shape::Winlogbeat);
    let w = r.get("winlog");
    let s = |source, path: &[&str]| w.and_then(|w| at(w, source, path));
    if w.is_some() {
        view.kind = windows_kind(
            event_id(w.and_then(|w| w.get("event_id")), "winlog.event_id"),
            s("winlog.provider_name", &["provider_name"]),
            s("winlog.channel", &["channel"]),
        );
    }
    view.host = s("winlog.computer_name", &["computer_name"]).or_else(|| at(r, "host.name", &["host", "name"]));
    view.time = at(r, "@timestamp", &["@timestamp"]);
    view.message = at(r, "message", &["message"]);
    if let Some(data) = w.and_then(|w| w.get("event_data")) {
        fill_event_data(&mut view, &data, "winlog.event_data.");
    }
    if view.user.is_none() {
        view.user = domain_user(r, "user", &["user"]);
    }
    view
}

/// The channel in a Splunk `source` such as `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`.
fn splunk_channel<'a>(r: Value<'_, 'a>) -> Option<Field<'a>> {
    let src = at(r, "source", &["source"])?;
    let ch = match src.value {
        Cow::Borrowed(s) => Cow::Borrowed(s.rsplit_once(':').map_or(s, |(_, c)| c)),
        Cow::Owned(s) => Cow::Owned(alloc::string::String::from(s.rsplit_once(':').map_or(s.as_str(), |(_, c)| c))),
    };
    Some(Field::new("source", ch))
}

fn splunk_raw<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = splunk_cim(r);
    view.shape = Shape::SplunkRaw;
    let provider = first(&r, "", &["SourceName", "ProviderName"]);
    view.kind = windows_kind(event_id(r.get("EventCode"), "EventCode"), provider, splunk_channel(r));
    let cim = (view.parent_image.take(), view.image.take(), view.command_line.take(), view.user.take());
    fill_event_data(&mut view, &r, "");
    view.parent_image = view.parent_image.or(cim.0);
    view.image = view.image.or(cim.1);
    view.command_line = view.command_line.or(cim.2);
    view.user = view.user.or(cim.3);
    view.host = first(&r, "", &["Computer", "dest", "host"]);
    view
}

fn splunk_cim<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = EventView::new(Shape::SplunkCim);
    view.parent_image = first(&r, "", &["parent_process_path", "parent_process_name"]);
    view.image = first(&r, "", &["process_path", "process_name"]);
    view.file_name = first(&r, "", &["process_name"]);
    view.command_line = first(&r, "", &["process"]);
    view.user = first(&r, "", &["user"]);
    view.host = first(&r, "", &["dest", "host"]);
    view.time = first(&r, "", &["_time"]);
    view
}

/// The NXLog names read besides the `EventData` ones, in one pass (see [`nxlog`]).
const NXLOG_KEYS: [&str; 13] = [
    "ProviderName",
    "SourceName",
    "EventID",
    "Channel",
    "Hostname",
    "Computer",
    "ComputerName",
    "EventTime",
    "TimeCreated",
    "@timestamp",
    "Message",
    "AccountName",
    "Domain",
];

fn nxlog<'a>(r: Value<'_, 'a>) -> EventView<'a> {
    let mut view = EventView::new(Shape::NxlogJson);
    let v = r.get_many(&NXLOG_KEYS);
    let text = |i: usize| named("", NXLOG_KEYS[i], v[i].and_then(|v| v.text()));
    let provider = text(0).or_else(|| text(1));
    view.kind = windows_kind(event_id(v[2], "EventID"), provider, text(3));
    fill_event_data(&mut view, &r, "");
    view.host = text(4).or_else(|| text(5)).or_else(|| text(6));
    view.time = text(7).or_else(|| text(8)).or_else(|| text(9)).or(view.time);
    view.message = text(10);
    if view.user.is_none() {
        let acct = text(11);
        view.user = match (text(12), acct) {
            (Some(d), Some(a)) => Some(Field {
                source: Cow::Borrowed("Domain\\AccountName"),
                value: Cow::Owned(format!("{}\\{}", d.value, a.value)),
            }),
            (None, a) => a,
            (Some(_), None) => None,
        };
    }
    view
}
