//! # dnschild
//!
//! Detects a process started by the Windows DNS Server (`dns.exe`) that is not an
//! expected child — the trace of an exploited DNS server (SigRed, CVE-2020-1350) or of
//! abused DnsAdmins rights (a `ServerLevelPluginDll` loaded into dns.exe).
//!
//! This crate is the plain, safe Rust core. Every binding (the WIT component, the
//! Fluent Bit module, wasm-bindgen, Extism) is a thin layer over [`Engine`].
//!
//! ```
//! let engine = dnschild::Engine::default();
//! let event = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe",
//!                 "PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","HOSTNAME":"DNS01"}"#;
//! let alert = engine.evaluate(event).unwrap().expect("an alert");
//! assert_eq!(alert.process_name.as_deref(), Some(r"C:\Windows\System32\cmd.exe"));
//! assert!(engine.render(&alert).contains(r#""id":"dnschild-0001""#));
//! ```
//!
//! ## Architecture
//!
//! ```text
//! bytes ─► fastpath ──(no trace of dns.exe, no escape)──► no alert   (most events end here)
//!             │
//!             ▼
//!          decode: JSON tape (json) or event XML reader (xml) ─► shape decoders (decode)
//!             │
//!             ▼
//!          EventView { kind, parent_image, image, command_line, user, host, time, ... }  (event)
//!             │
//!             ▼
//!          rule::evaluate(view, config) ─► Verdict   (pure, infallible; profiles are data)
//!             │
//!             ▼
//!          Alert (alert) ─► render: native | ECS | OCSF 2004 (render)
//! ```
//!
//! - [`fastpath`] rejects, without parsing, any event that cannot name `dns.exe`.
//! - [`json`] and [`xml`] are iterative readers (no recursion, depth-limited), so hostile
//!   nesting is a typed error, never a stack overflow — this matters in Fluent Bit's 8 KiB
//!   Wasm stack.
//! - [`decode`] holds one decoder per log shape ([`event::Shape`]).
//! - [`path`] canonicalises every Windows path spelling before comparing.
//! - [`config`] is parsed once; [`rule`] only reads it.
//! - [`meta`] is the rule's documentation as data, served by [`render::rule_info_json`].
//! - [`hash`] is XXH64, the alert fingerprint (recomputable anywhere, for de-duplication).
//!
//! The crate uses no platform calls (no files, clock or network) and is `no_std` + `alloc`.

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod alert;
pub mod config;
pub mod decode;
pub mod error;
pub mod event;
pub mod fastpath;
pub mod hash;
pub mod json;
pub mod jsonw;
pub mod meta;
pub mod path;
pub mod render;
pub mod rule;
pub mod xml;

use alloc::string::String;

pub use alert::Alert;
pub use config::{Allowlist, Config, OutputFormat, Profile};
pub use decode::Limits;
pub use error::{ConfigError, EventError};
pub use event::{EventView, Shape};
pub use rule::{Skip, Verdict};

/// The outcome of one event, with the reason when there is no alert.
// One is made per event and consumed at once, so the large `Alert` variant is not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The rule matched.
    Alert(Alert),
    /// The fast path proved the event cannot match (it was not parsed).
    FastReject,
    /// The event is well-formed but not a Windows process event of a known shape.
    Unrecognised,
    /// The rule did not match, and why.
    NoAlert(Shape, Skip),
}

/// A configured rule, ready to evaluate events. Cheap to keep for the life of a host.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: Config,
}

impl Engine {
    /// An engine with a validated configuration.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        config.validate()?;
        Ok(Engine { config })
    }

    /// An engine configured from a JSON document (see [`config`]).
    pub fn from_json_config(text: &str) -> Result<Engine, ConfigError> {
        Engine::new(Config::from_json(text)?)
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Evaluates one event (JSON object or Windows event XML).
    pub fn evaluate(&self, event: &str) -> Result<Option<Alert>, EventError> {
        self.explain(event).map(|o| match o {
            Outcome::Alert(a) => Some(a),
            _ => None,
        })
    }

    /// Evaluates one event given as bytes; invalid UTF-8 is a typed error.
    pub fn evaluate_bytes(&self, event: &[u8]) -> Result<Option<Alert>, EventError> {
        self.check_size(event.len())?;
        let text = core::str::from_utf8(event).map_err(|e| EventError::InvalidUtf8 { offset: e.valid_up_to() })?;
        self.evaluate(text)
    }

    /// Evaluates one event and says why when there is no alert.
    ///
    /// An event that starts like a JSON object or XML but cannot name `dns.exe` is not
    /// parsed (see [`fastpath`]): it yields [`Outcome::FastReject`] even if it is
    /// malformed, since no structure could make it alert. Anything else that is not a
    /// JSON object or XML (empty, an array, plain text) is always a typed error.
    pub fn explain(&self, event: &str) -> Result<Outcome, EventError> {
        self.check_size(event.len())?;
        if fastpath::looks_like_event(event.as_bytes()) && !fastpath::may_match(event.as_bytes()) {
            return Ok(Outcome::FastReject);
        }
        self.explain_full(event)
    }

    /// The full path alone (decode and rule, no fast path): the reference the fast path
    /// is tested against.
    pub fn explain_full(&self, event: &str) -> Result<Outcome, EventError> {
        self.check_size(event.len())?;
        let Some(view) = decode::decode(event, self.config.limits)? else { return Ok(Outcome::Unrecognised) };
        Ok(match rule::evaluate(&view, &self.config) {
            Verdict::Alert { reasons, notes } => Outcome::Alert(Alert::new(&view, self.config.profile, reasons, notes, event)),
            Verdict::NoAlert(skip) => Outcome::NoAlert(view.shape, skip),
        })
    }

    /// Renders an alert in the configured output format (one line of JSON).
    pub fn render(&self, alert: &Alert) -> String {
        render::render(alert, self.config.output)
    }

    fn check_size(&self, size: usize) -> Result<(), EventError> {
        let limit = self.config.limits.max_event_bytes;
        if size > limit {
            return Err(EventError::TooLarge { size, limit });
        }
        Ok(())
    }
}
