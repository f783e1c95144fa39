//! The dnschild rule as a WebAssembly component (`wit/dnschild.wit`, world `dnschild`).
//!
//! Built for `wasm32-unknown-unknown` and wrapped with `wasm-tools component new`, so
//! the component imports nothing. Each export is a one-line trampoline into
//! [`dnschild::Engine`]; this file only converts between WIT and core types.
//! This file writes no `unsafe`: the only unsafe code is the canonical-ABI glue that
//! `wit_bindgen::generate!` expands to (which is why `unsafe_code` cannot be forbidden here).

wit_bindgen::generate!({ path: "../../wit", world: "dnschild" });

/// The instance's allocator: a small size-class heap instead of dlmalloc (see
/// `bindings/wasm-heap`), for a smaller artifact.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: dnschild_wasm_heap::Heap = dnschild_wasm_heap::Heap::new();

use core::cell::RefCell;

use dnschild::{meta, Engine, EventError, OutputFormat, Profile};
use exports::dnschild::detector::rule as w;

struct Component;

thread_local! {
    /// The one engine of this instance (Wasm has one thread: this is a plain static).
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
}

impl w::Guest for Component {
    fn configure(config: w::Config) -> Result<(), w::ConfigError> {
        install(Engine::new(core_config(config)))
    }

    fn configure_json(json: String) -> Result<(), w::ConfigError> {
        install(Engine::from_json_config(&json))
    }

    fn current_config() -> w::Config {
        ENGINE.with(|e| wit_config(e.borrow().config()))
    }

    fn evaluate(event: String) -> Result<Option<w::Alert>, w::EventError> {
        ENGINE.with(|e| evaluate(&e.borrow(), &event))
    }

    fn evaluate_batch(events: Vec<String>) -> Vec<Result<Option<w::Alert>, w::EventError>> {
        ENGINE.with(|e| {
            let engine = e.borrow();
            events.iter().map(|ev| evaluate(&engine, ev)).collect()
        })
    }

    fn info() -> w::RuleInfo {
        rule_info()
    }
}

export!(Component);

fn install(engine: Result<Engine, dnschild::ConfigError>) -> Result<(), w::ConfigError> {
    let engine = engine.map_err(|e| w::ConfigError { key: e.key().to_string(), message: e.to_string() })?;
    ENGINE.with(|e| *e.borrow_mut() = engine);
    Ok(())
}

fn evaluate(engine: &Engine, event: &str) -> Result<Option<w::Alert>, w::EventError> {
    match engine.evaluate(event) {
        Ok(a) => Ok(a.map(|a| wit_alert(engine, &a))),
        Err(e) => Err(wit_error(&e)),
    }
}

fn wit_error(e: &EventError) -> w::EventError {
    use dnschild::{json::JsonErrorKind, xml::XmlErrorKind};
    match e {
        EventError::TooLarge { size, .. } => w::EventError::TooLarge(*size as u64),
        EventError::Empty => w::EventError::Empty,
        EventError::UnknownFormat | EventError::InvalidUtf8 { .. } => w::EventError::UnknownFormat,
        EventError::NotAnObject => w::EventError::NotAnObject,
        EventError::Json(j) if j.kind == JsonErrorKind::TooDeep => w::EventError::TooDeep(j.offset as u64),
        EventError::Xml(x) if x.kind == XmlErrorKind::TooDeep => w::EventError::TooDeep(x.offset as u64),
        EventError::Json(j) if j.kind == JsonErrorKind::TooManyValues => w::EventError::TooManyFields(j.offset as u64),
        EventError::Xml(x) if x.kind == XmlErrorKind::TooManyElements => w::EventError::TooManyFields(x.offset as u64),
        EventError::Json(j) => w::EventError::MalformedJson(j.to_string()),
        EventError::Xml(x) => w::EventError::MalformedXml(x.to_string()),
    }
}

fn wit_profile(p: Profile) -> w::Profile {
    match p {
        Profile::Seed => w::Profile::Seed,
        Profile::SigmaCve20201350 => w::Profile::SigmaCve20201350,
        Profile::Elastic => w::Profile::Elastic,
        Profile::Hardened => w::Profile::Hardened,
    }
}

fn wit_alert(engine: &Engine, a: &dnschild::Alert) -> w::Alert {
    w::Alert {
        rule_id: meta::RULE_ID.into(),
        rule_name: meta::RULE_NAME.into(),
        severity: meta::SEVERITY.label.into(),
        severity_score: meta::SEVERITY.score,
        hostname: a.hostname.clone(),
        message: a.message.clone(),
        command_line: a.command_line.clone(),
        file_name: a.file_name.clone(),
        process_name: a.process_name.clone(),
        user_name: a.user_name.clone(),
        parent_process_name: a.parent_process_name.clone(),
        event_time: a.event_time.clone(),
        shape: a.shape.name().into(),
        profile: wit_profile(a.profile),
        tactics: meta::TACTICS.iter().map(|t| t.id.into()).collect(),
        techniques: meta::TECHNIQUES.iter().map(|t| t.id.into()).collect(),
        explanation: a
            .reasons
            .iter()
            .map(|r| w::Reason { condition: r.condition.clone(), field: r.field.clone(), value: r.value.clone() })
            .collect(),
        notes: a.notes.clone(),
        fingerprint: a.fingerprint.clone(),
        rendered: engine.render(a),
    }
}

fn core_config(c: w::Config) -> dnschild::Config {
    dnschild::Config {
        profile: match c.profile {
            w::Profile::Seed => Profile::Seed,
            w::Profile::SigmaCve20201350 => Profile::SigmaCve20201350,
            w::Profile::Elastic => Profile::Elastic,
            w::Profile::Hardened => Profile::Hardened,
        },
        output: match c.output {
            w::OutputFormat::Native => OutputFormat::Native,
            w::OutputFormat::Ecs => OutputFormat::Ecs,
            w::OutputFormat::Ocsf => OutputFormat::Ocsf,
        },
        allowlist: dnschild::Allowlist {
            child_images: c.allowlist.child_images,
            command_line_contains: c.allowlist.command_line_contains,
            hosts: c.allowlist.hosts,
            parent_images: c.allowlist.parent_images,
        },
        limits: dnschild::Limits {
            max_event_bytes: c.max_event_bytes as usize,
            max_depth: c.max_depth as usize,
            max_fields: c.max_fields as usize,
        },
    }
}

fn wit_config(c: &dnschild::Config) -> w::Config {
    w::Config {
        profile: wit_profile(c.profile),
        output: match c.output {
            OutputFormat::Native => w::OutputFormat::Native,
            OutputFormat::Ecs => w::OutputFormat::Ecs,
            OutputFormat::Ocsf => w::OutputFormat::Ocsf,
        },
        allowlist: w::Allowlist {
            child_images: c.allowlist.child_images.clone(),
            command_line_contains: c.allowlist.command_line_contains.clone(),
            hosts: c.allowlist.hosts.clone(),
            parent_images: c.allowlist.parent_images.clone(),
        },
        max_event_bytes: u32::try_from(c.limits.max_event_bytes).unwrap_or(u32::MAX),
        max_depth: u32::try_from(c.limits.max_depth).unwrap_or(u32::MAX),
        max_fields: u32::try_from(c.limits.max_fields).unwrap_or(u32::MAX),
    }
}

fn reference(id: &str, name: &str, description: &str) -> w::Reference {
    w::Reference { id: id.into(), name: name.into(), description: description.into() }
}

fn rule_info() -> w::RuleInfo {
    w::RuleInfo {
        id: meta::RULE_ID.into(),
        name: meta::RULE_NAME.into(),
        version: meta::RULE_VERSION.into(),
        description: meta::DESCRIPTION.into(),
        severity: meta::SEVERITY.label.into(),
        severity_score: meta::SEVERITY.score,
        tactics: meta::TACTICS.iter().map(|t| reference(t.id, t.name, t.reference)).collect(),
        techniques: meta::TECHNIQUES.iter().map(|t| reference(t.id, t.name, t.reference)).collect(),
        false_positives: meta::FALSE_POSITIVES.iter().map(|s| (*s).into()).collect(),
        next_steps: meta::NEXT_STEPS.iter().map(|s| (*s).into()).collect(),
        mitigations: meta::MITIGATIONS.iter().map(|m| reference(m.id, m.name, m.description)).collect(),
        standards: meta::STANDARDS.iter().map(|s| reference(s.id, s.framework, s.description)).collect(),
        references: meta::REFERENCES.iter().map(|s| (*s).into()).collect(),
        json: dnschild::render::rule_info_json(),
    }
}
