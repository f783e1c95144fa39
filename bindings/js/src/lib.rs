//! The dnschild rule for JavaScript, through wasm-bindgen (`wasm32-unknown-unknown`).
//!
//! This is the raw layer: every export is a short trampoline into [`dnschild::Engine`] that
//! takes and returns strings, so the JavaScript side parses one JSON document per call.
//! The idiomatic API (`evaluate(eventOrObject)`, `Error` subclasses with a `kind`, ...)
//! lives in `bindings/js/package/api.js`, which is the only caller of this module.
//!
//! | export | returns |
//! |---|---|
//! | `new RawDetector()` | an engine with the default configuration |
//! | `configure(json)` | nothing; a refused document throws a [`Failure`] (`kind: "config"`, `key`) and the previous configuration stays |
//! | `evaluate(event)` | the alert rendered in the configured output format, or `undefined` |
//! | `evaluateBatch(events)` | a JSON array, one entry per event: an alert, `null`, or `{"error":{"kind","message"}}` |
//! | `explain(event)` | `{"verdict":"alert","alert":{..native..},"rendered":"..."}`, `{"verdict":"no_alert","shape","reason","detail"}`, `{"verdict":"fast_reject"}` or `{"verdict":"unrecognised"}` |
//! | `configJson()` | the configuration in force, as the core's JSON document |
//! | `ruleInfo()` | the rule's documentation as JSON |
//!
//! Events are accepted as any JavaScript value and converted here: a value that is not a
//! string is a typed [`Failure`] with kind `invalid_input`, never a wasm-bindgen exception
//! or a trap. Nothing in this crate panics on any input (the core is panic-free, and the
//! release profile aborts, so a panic would be a trap rather than an unwinding error).

use dnschild::{jsonw, ConfigError, Engine, EventError, Outcome, Skip};
use wasm_bindgen::prelude::*;

/// The instance's allocator: a small size-class heap instead of dlmalloc (see
/// `bindings/wasm-heap`), for a smaller artifact.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: dnschild_wasm_heap::Heap = dnschild_wasm_heap::Heap::new();


/// Why a call failed: thrown to JavaScript, where `api.js` turns it into a
/// `DnschildEventError` or `DnschildConfigError`.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// A stable short name: an event error kind (`malformed_json`, `too_large`, ...,
    /// `invalid_input` for a value that is not a string) or `config`.
    pub kind: String,
    /// For `config`: the dotted key that was refused (`""` for the whole document).
    pub key: String,
    /// What went wrong, in words.
    pub message: String,
}

impl Failure {
    fn event(e: &EventError) -> Failure {
        Failure { kind: e.kind().into(), key: String::new(), message: e.to_string() }
    }

    fn config(e: &ConfigError) -> Failure {
        Failure { kind: "config".into(), key: e.key().into(), message: e.to_string() }
    }

    fn invalid_input(what: &str) -> Failure {
        Failure { kind: "invalid_input".into(), key: String::new(), message: format!("{what} must be a string") }
    }
}

/// One configured engine. JavaScript keeps one per configuration and calls it many times.
#[wasm_bindgen]
#[derive(Debug, Clone, Default)]
pub struct RawDetector {
    engine: Engine,
}

#[wasm_bindgen]
impl RawDetector {
    /// An engine with the default configuration (profile `seed`, output `native`).
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawDetector {
        RawDetector::default()
    }

    /// Replaces the configuration with a JSON document; on a refusal the old one stays.
    pub fn configure(&mut self, json: JsValue) -> Result<(), Failure> {
        let text = json.as_string().ok_or_else(|| Failure::invalid_input("the configuration"))?;
        self.engine = Engine::from_json_config(&text).map_err(|e| Failure::config(&e))?;
        Ok(())
    }

    /// The configuration in force as a JSON document (the format `configure` takes).
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        config_json(self.engine.config())
    }

    /// The alert for one event in the configured output format, or `undefined`.
    pub fn evaluate(&self, event: JsValue) -> Result<Option<String>, Failure> {
        let text = event.as_string().ok_or_else(|| Failure::invalid_input("an event"))?;
        match self.engine.evaluate(&text) {
            Ok(alert) => Ok(alert.map(|a| self.engine.render(&a))),
            Err(e) => Err(Failure::event(&e)),
        }
    }

    /// Evaluates many events; one JSON array entry per event, in order. Never throws:
    /// an event that cannot be evaluated is an `{"error":{...}}` entry.
    #[wasm_bindgen(js_name = evaluateBatch)]
    pub fn evaluate_batch(&self, events: Vec<JsValue>) -> String {
        let mut out = String::with_capacity(2 + events.len() * 8);
        out.push('[');
        for (i, event) in events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let result = match event.as_string() {
                Some(text) => self.engine.evaluate(&text).map_err(|e| Failure::event(&e)),
                None => Err(Failure::invalid_input("an event")),
            };
            match result {
                Ok(Some(alert)) => out.push_str(&self.engine.render(&alert)),
                Ok(None) => out.push_str("null"),
                Err(f) => {
                    out.push_str(r#"{"error":{"kind":"#);
                    jsonw::string(&mut out, &f.kind);
                    out.push_str(r#","message":"#);
                    jsonw::string(&mut out, &f.message);
                    out.push_str("}}");
                }
            }
        }
        out.push(']');
        out
    }

    /// The outcome of one event with the reason when there is no alert (see the table above).
    pub fn explain(&self, event: JsValue) -> Result<String, Failure> {
        let text = event.as_string().ok_or_else(|| Failure::invalid_input("an event"))?;
        let outcome = self.engine.explain(&text).map_err(|e| Failure::event(&e))?;
        let mut out = String::with_capacity(256);
        match &outcome {
            Outcome::Alert(a) => {
                // The native alert is a JSON object written by the core: embedded as is.
                out.push_str(r#"{"verdict":"alert","rendered":"#);
                jsonw::string(&mut out, &self.engine.render(a));
                out.push_str(r#","alert":"#);
                out.push_str(&dnschild::render::render(a, dnschild::OutputFormat::Native));
                out.push('}');
            }
            Outcome::FastReject => out.push_str(r#"{"verdict":"fast_reject"}"#),
            Outcome::Unrecognised => out.push_str(r#"{"verdict":"unrecognised"}"#),
            Outcome::NoAlert(shape, skip) => {
                let (reason, detail) = skip_name(skip);
                jsonw::object(&mut out, |o| {
                    o.str("verdict", "no_alert").str("shape", shape.name()).str("reason", reason).str("detail", &detail);
                });
            }
        }
        Ok(out)
    }
}

/// The rule's documentation (description, MITRE mapping, false positives, ...) as JSON.
#[wasm_bindgen(js_name = ruleInfo)]
pub fn rule_info() -> String {
    dnschild::render::rule_info_json()
}

/// A stable name for why there is no alert, and a sentence for people.
fn skip_name(skip: &Skip) -> (&'static str, String) {
    match skip {
        Skip::NotProcessStart => ("not_process_start", "the event is not a process start".into()),
        Skip::NoParent => ("no_parent", "the event records no parent image, so the rule cannot be evaluated".into()),
        Skip::ParentNotDns => ("parent_not_dns", "the parent is not dns.exe under this profile".into()),
        Skip::ParentExcluded => ("parent_excluded", "the parent is a dns.exe this profile excludes".into()),
        Skip::ChildExcluded => ("child_excluded", "the child is expected under this profile".into()),
        Skip::Allowlisted { list, entry } => ("allowlisted", format!("{list} entry {entry:?} matched")),
    }
}

/// The configuration as the document `Engine::from_json_config` reads.
fn config_json(c: &dnschild::Config) -> String {
    let mut out = String::with_capacity(128);
    jsonw::object(&mut out, |o| {
        o.str("profile", c.profile.name())
            .str("output", c.output.name())
            .num("max_event_bytes", c.limits.max_event_bytes as i64)
            .num("max_depth", c.limits.max_depth as i64)
            .num("max_fields", c.limits.max_fields as i64);
        o.obj("allowlist", |o| {
            let a = &c.allowlist;
            o.strs("child_images", a.child_images.iter().map(String::as_str))
                .strs("command_line_contains", a.command_line_contains.iter().map(String::as_str))
                .strs("hosts", a.hosts.iter().map(String::as_str))
                .strs("parent_images", a.parent_images.iter().map(String::as_str));
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips() {
        let doc = r#"{"profile":"hardened","output":"ecs","max_event_bytes":4096,"max_depth":8,"max_fields":500,"allowlist":{"child_images":["a.exe"],"command_line_contains":[],"hosts":["H"],"parent_images":[]}}"#;
        let e = Engine::from_json_config(doc).unwrap();
        assert_eq!(config_json(e.config()), doc);
    }

    #[test]
    fn every_skip_has_a_distinct_name() {
        let skips = [
            Skip::NotProcessStart,
            Skip::NoParent,
            Skip::ParentNotDns,
            Skip::ParentExcluded,
            Skip::ChildExcluded,
            Skip::Allowlisted { list: "allowlist.hosts", entry: "DNS01".into() },
        ];
        let mut names: Vec<_> = skips.iter().map(|s| skip_name(s).0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), skips.len());
        assert_eq!(skip_name(&skips[5]).1, r#"allowlist.hosts entry "DNS01" matched"#);
    }
}
