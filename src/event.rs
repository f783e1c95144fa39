//! The decoded view of one event: the few fields the rule reads, each with the name of
//! the source field it came from (for the alert's explanation).

use alloc::borrow::Cow;

/// The log shape a decoder recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Sysmon or Security event rendered as Windows event XML.
    EventXml,
    /// evtx-style JSON (`Event.System`, `Event.EventData`), as evtx tools write it.
    EvtxJson,
    /// Winlogbeat / Elastic Agent before the ingest pipeline (`winlog.event_data.*`).
    Winlogbeat,
    /// Elastic Common Schema (`process.*`, `process.parent.*`).
    Ecs,
    /// Fluent Bit `in_winevtlog`, default keys with positional `StringInserts`.
    FluentBitWinevtlog,
    /// Fluent Bit `in_winevtlog` with an `EventData` map (5.1+ `event_data_as_map`).
    FluentBitWinevtlogMap,
    /// Fluent Bit `in_winevtlog` with `Render_Event_As_XML` (the XML in `System`).
    FluentBitWinevtlogXml,
    /// Fluent Bit legacy `in_winlog` (`SourceName`, positional `StringInserts`).
    FluentBitWinlog,
    /// NXLog `im_msvistalog` (or a similar flat exporter) as JSON.
    NxlogJson,
    /// Splunk raw Sysmon / Security fields (`EventCode`, `ParentImage`, ...).
    SplunkRaw,
    /// Splunk CIM Endpoint.Processes names (`parent_process_path`, `process_path`, ...).
    SplunkCim,
    /// OCSF Process Activity (class 1007).
    Ocsf,
    /// The seed's normalized names (`actionname`, `PARENTPROCESSNAME`, ...).
    Log360,
}

impl Shape {
    /// Every shape, in the order the JSON decoders try them.
    pub const ALL: [Shape; 13] = [
        Shape::EventXml,
        Shape::EvtxJson,
        Shape::Winlogbeat,
        Shape::Ecs,
        Shape::FluentBitWinevtlog,
        Shape::FluentBitWinevtlogMap,
        Shape::FluentBitWinevtlogXml,
        Shape::FluentBitWinlog,
        Shape::NxlogJson,
        Shape::SplunkRaw,
        Shape::SplunkCim,
        Shape::Ocsf,
        Shape::Log360,
    ];

    /// The stable name used in alerts and configuration.
    pub fn name(self) -> &'static str {
        match self {
            Shape::EventXml => "event_xml",
            Shape::EvtxJson => "evtx_json",
            Shape::Winlogbeat => "winlogbeat",
            Shape::Ecs => "ecs",
            Shape::FluentBitWinevtlog => "fluentbit_winevtlog",
            Shape::FluentBitWinevtlogMap => "fluentbit_winevtlog_map",
            Shape::FluentBitWinevtlogXml => "fluentbit_winevtlog_xml",
            Shape::FluentBitWinlog => "fluentbit_winlog",
            Shape::NxlogJson => "nxlog_json",
            Shape::SplunkRaw => "splunk_raw",
            Shape::SplunkCim => "splunk_cim",
            Shape::Ocsf => "ocsf_process_activity",
            Shape::Log360 => "log360",
        }
    }
}

/// A field value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The source field, e.g. `EventData.ParentImage` or `StringInserts[20]`.
    pub source: Cow<'static, str>,
    /// The decoded value.
    pub value: Cow<'a, str>,
}

impl<'a> Field<'a> {
    /// A field from a fixed source name.
    pub fn new(source: &'static str, value: Cow<'a, str>) -> Self {
        Field { source: Cow::Borrowed(source), value }
    }
}

/// What the event says about being a process start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind<'a> {
    /// The event says it is a process start; the field that says so.
    ProcessStart(Field<'a>),
    /// The event says it is something else; the field that says so.
    Other(Field<'a>),
    /// The shape carries no event type (e.g. Splunk CIM process records, or a flat
    /// record with only process fields): a parent and a child imply a process start.
    Unstated,
}

/// The fields of one event that the rule reads. Absent fields are `None`, never "".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventView<'a> {
    /// The shape that was recognised.
    pub shape: Shape,
    /// Whether the event is a process start.
    pub kind: Kind<'a>,
    /// The parent's image path (or only its file name).
    pub parent_image: Option<Field<'a>>,
    /// The new process's image path (or only its file name).
    pub image: Option<Field<'a>>,
    /// The new process's command line.
    pub command_line: Option<Field<'a>>,
    /// The account the process runs as.
    pub user: Option<Field<'a>>,
    /// The computer the event comes from.
    pub host: Option<Field<'a>>,
    /// When the event happened, as the log wrote it.
    pub time: Option<Field<'a>>,
    /// The image's file name when the log gives it separately (`FILE_NAME`, `process.name`).
    pub file_name: Option<Field<'a>>,
    /// The event's rendered message, when the log carries one.
    pub message: Option<Field<'a>>,
}

impl<'a> EventView<'a> {
    /// An empty view of `shape` with an unstated kind.
    pub fn new(shape: Shape) -> Self {
        EventView {
            shape,
            kind: Kind::Unstated,
            parent_image: None,
            image: None,
            command_line: None,
            user: None,
            host: None,
            time: None,
            file_name: None,
            message: None,
        }
    }
}

/// Wraps a value as a field, dropping empty strings (absent, not "").
pub fn field<'a>(source: &'static str, value: Option<Cow<'a, str>>) -> Option<Field<'a>> {
    value.filter(|v| !v.trim().is_empty()).map(|v| Field::new(source, v))
}
