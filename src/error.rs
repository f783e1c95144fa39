//! Typed errors: why an event could not be evaluated, and why a configuration was refused.

use alloc::string::String;

use crate::json::JsonError;
use crate::xml::XmlError;

/// Why one event could not be evaluated. The event is never dropped by the engine:
/// hosts pass it through and report this error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The event is larger than `max_event_bytes`.
    #[error("event is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The event's size in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The bytes are not UTF-8.
    #[error("event is not valid UTF-8 (first bad byte at {offset})")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The event is empty or only white space.
    #[error("event is empty")]
    Empty,
    /// The event starts with neither `{` (JSON) nor `<` (XML).
    #[error("event is neither a JSON object nor Windows event XML")]
    UnknownFormat,
    /// The event is JSON but not an object (e.g. an array: split it into events first).
    #[error("event is JSON but not an object")]
    NotAnObject,
    /// Malformed JSON (including nesting over the limit).
    #[error("malformed JSON: {0}")]
    Json(#[from] JsonError),
    /// Malformed event XML (including nesting over the limit).
    #[error("malformed event XML: {0}")]
    Xml(#[from] XmlError),
}

impl EventError {
    /// A stable, short name for the kind of error (used in counters and wire formats).
    pub fn kind(&self) -> &'static str {
        match self {
            EventError::TooLarge { .. } => "too_large",
            EventError::InvalidUtf8 { .. } => "invalid_utf8",
            EventError::Empty => "empty",
            EventError::UnknownFormat => "unknown_format",
            EventError::NotAnObject => "not_an_object",
            EventError::Json(e) if e.kind == crate::json::JsonErrorKind::TooDeep => "too_deep",
            EventError::Xml(e) if e.kind == crate::xml::XmlErrorKind::TooDeep => "too_deep",
            EventError::Json(e) if e.kind == crate::json::JsonErrorKind::TooManyValues => "too_many_fields",
            EventError::Xml(e) if e.kind == crate::xml::XmlErrorKind::TooManyElements => "too_many_fields",
            EventError::Json(_) => "malformed_json",
            EventError::Xml(_) => "malformed_xml",
        }
    }
}

/// Why a configuration was refused. Every variant names the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The configuration text is not JSON.
    #[error("configuration is not valid JSON: {0}")]
    Syntax(JsonError),
    /// The top level is not a JSON object.
    #[error("configuration must be a JSON object")]
    NotAnObject,
    /// A key the configuration does not have (often a typo).
    #[error("unknown configuration key `{key}`")]
    UnknownKey {
        /// The dotted key, e.g. `allowlist.child_image`.
        key: String,
    },
    /// A key holds the wrong JSON type.
    #[error("configuration key `{key}` must be {expected}")]
    WrongType {
        /// The dotted key.
        key: String,
        /// What the key must hold.
        expected: &'static str,
    },
    /// A key holds a value outside its allowed set or range.
    #[error("configuration key `{key}` has invalid value `{value}`: {reason}")]
    BadValue {
        /// The dotted key.
        key: String,
        /// The value as given.
        value: String,
        /// What is allowed.
        reason: &'static str,
    },
}

impl ConfigError {
    /// The configuration key the error is about (empty for whole-document errors).
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Syntax(_) | ConfigError::NotAnObject => "",
            ConfigError::UnknownKey { key } | ConfigError::WrongType { key, .. } | ConfigError::BadValue { key, .. } => key,
        }
    }
}
