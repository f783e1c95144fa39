//! The dnschild rule as an Extism plugin: JSON in, JSON out, from any Extism host SDK.
//!
//! Exports (each a one-line trampoline into [`dnschild::Engine`]; this file writes no
//! `unsafe` — only the `#[plugin_fn]` glue that extism-pdk expands to):
//!
//! | function | input | output |
//! |---|---|---|
//! | `evaluate` | one event (a JSON object or Windows event XML) | the alert as JSON (the configured `output` format), or `null` |
//! | `evaluate_batch` | events, each ended by a line break (NDJSON; XML on one line) | a JSON array, one entry per line: an alert, `null`, or `{"error":{"kind","message"}}` |
//! | `configure` | a configuration document (the core's JSON format) | `{"ok":true}` |
//! | `rule_info` | nothing | the rule's documentation as JSON |
//!
//! A bad event or configuration is an Extism error (the call fails, the plugin stays
//! usable) whose message is JSON: `{"kind":"malformed_json","message":"..."}`, or
//! `{"kind":"config","key":"profile","message":"..."}`. Nothing on any input panics.
//!
//! Events are bytes: an event (or a batch line) that is not UTF-8 is an `invalid_utf8` error
//! of that event alone, as in the native core's [`Engine::evaluate_bytes`].
//!
//! The batch framing is exact: every line ends at a `\n`, and so does a last line without
//! one (a `\r` at the end of a line is dropped). `""` is no event, `"\n"` one empty event
//! (an `empty` error), `"a\n\n"` two. A host that ends *every* event with `\n` gets one
//! entry per event, empty ones included; an event that contains a line break needs
//! `evaluate` instead.
//!
//! The configuration in force at load time is the host's Extism config key `config` (a
//! JSON document), read once on first use; `configure` replaces it.

use std::cell::RefCell;

/// The instance's allocator: a small size-class heap instead of dlmalloc (see
/// `bindings/wasm-heap`), for a smaller artifact.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: dnschild_wasm_heap::Heap = dnschild_wasm_heap::Heap::new();


use dnschild::{ConfigError, Engine, EventError};
use extism_pdk::{config, plugin_fn, Error, FnResult, WithReturnCode};

thread_local! {
    /// The instance's engine, built on first use (Wasm has one thread: a plain static).
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Evaluates one event: the rendered alert, or `null`.
#[plugin_fn]
pub fn evaluate(event: Vec<u8>) -> FnResult<String> {
    with_engine(|e| e.evaluate_bytes(&event).map(|a| a.map_or_else(|| "null".to_string(), |a| e.render(&a))).map_err(event_error))
}

/// Evaluates one event per input line; one JSON array entry per line.
#[plugin_fn]
pub fn evaluate_batch(events: Vec<u8>) -> FnResult<String> {
    with_engine(|e| Ok(batch(e, &events)))
}

/// Replaces the configuration.
#[plugin_fn]
pub fn configure(json: String) -> FnResult<String> {
    let engine = Engine::from_json_config(&json).map_err(config_error)?;
    ENGINE.with(|slot| *slot.borrow_mut() = Some(engine));
    Ok(r#"{"ok":true}"#.to_string())
}

/// The rule's documentation.
#[plugin_fn]
pub fn rule_info() -> FnResult<String> {
    Ok(dnschild::render::rule_info_json())
}

/// Runs `f` with the engine, building it from the Extism config key `config` on first use.
fn with_engine(f: impl FnOnce(&Engine) -> Result<String, WithReturnCode<Error>>) -> FnResult<String> {
    ENGINE.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Some(initial_engine()?);
        }
        match slot.as_ref() {
            Some(engine) => f(engine),
            None => Err(failure(r#"{"kind":"internal","message":"no engine"}"#.to_string())),
        }
    })
}

fn initial_engine() -> Result<Engine, WithReturnCode<Error>> {
    match config::get("config") {
        Ok(Some(json)) => Engine::from_json_config(&json).map_err(config_error),
        Ok(None) => Ok(Engine::default()),
        Err(e) => Err(failure(error_json("config", "", &format!("cannot read the Extism config: {e}")))),
    }
}

/// One JSON array over the lines of `events`, one entry per line (see [`lines`]).
fn batch(e: &Engine, events: &[u8]) -> String {
    let mut out = String::with_capacity(16 + events.len() / 8);
    out.push('[');
    for (i, line) in lines(events).enumerate() {
        if i > 0 {
            out.push(',');
        }
        match e.evaluate_bytes(line) {
            Ok(Some(a)) => out.push_str(&e.render(&a)),
            Ok(None) => out.push_str("null"),
            Err(err) => {
                out.push_str(r#"{"error":"#);
                out.push_str(&error_json(err.kind(), "", &err.to_string()));
                out.push('}');
            }
        }
    }
    out.push(']');
    out
}

/// The lines of a batch, without their `\n` or `\r\n`: each ends at a `\n`, and a last line
/// without one counts too. So `""` has no line, `"\n"` one empty line, `"a\n\n"` two.
fn lines(events: &[u8]) -> impl Iterator<Item = &[u8]> {
    events.split_inclusive(|&b| b == b'\n').map(|line| {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    })
}

fn event_error(e: EventError) -> WithReturnCode<Error> {
    failure(error_json(e.kind(), "", &e.to_string()))
}

fn config_error(e: ConfigError) -> WithReturnCode<Error> {
    failure(error_json("config", e.key(), &e.to_string()))
}

fn failure(message: String) -> WithReturnCode<Error> {
    WithReturnCode::new(Error::msg(message), 1)
}

/// `{"kind":..,"message":..}`, with `"key"` for configuration errors.
fn error_json(kind: &str, key: &str, message: &str) -> String {
    let mut out = String::with_capacity(48 + message.len());
    out.push_str(r#"{"kind":"#);
    dnschild::jsonw::string(&mut out, kind);
    if kind == "config" {
        out.push_str(r#","key":"#);
        dnschild::jsonw::string(&mut out, key);
    }
    out.push_str(r#","message":"#);
    dnschild::jsonw::string(&mut out, message);
    out.push('}');
    out
}
