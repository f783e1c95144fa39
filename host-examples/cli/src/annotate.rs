//! Annotate mode's output lines: the event as it came, plus what dnschild made of it.
//!
//! A JSON object keeps its own bytes; the alert is spliced in before the closing brace
//! under `dnschild` (an error under `dnschild_error`). Anything that is not a JSON object
//! (event XML, malformed lines) is wrapped: `{"event_xml": ...}` or `{"event_raw": ...}`.
//! Every output line is one line: JSON allows no raw line break inside a string, so line
//! breaks in a pretty-printed object are white space and become spaces.

use crate::input::{InputError, Record};

/// The key that carries the alert.
pub const ALERT_KEY: &str = "dnschild";
/// The key that carries an evaluation error.
pub const ERROR_KEY: &str = "dnschild_error";

/// A record that had no alert, checked: `Err((kind, message))` when it looks like a JSON
/// object but is not one. The component does not parse an object it can rule out (no
/// `dns.exe` in it), so such a line has no verdict error; a host that promises to flag every
/// malformed line (`serve`) uses this, at no extra cost, instead of [`unchanged`].
pub fn unchanged_checked(text: &str) -> Result<String, (&'static str, String)> {
    let t = text.trim();
    if !t.starts_with('{') {
        return Ok(wrap(text, None));
    }
    match serde_json::from_str::<serde::de::IgnoredAny>(t) {
        Ok(_) if t.ends_with('}') => Ok(one_line(t)),
        Ok(_) => Ok(wrap(text, None)),
        Err(e) => Err(("malformed_json", format!("malformed JSON: {e}"))),
    }
}

/// A record that had no alert.
pub fn unchanged(text: &str) -> String {
    match object_body(text) {
        Some(_) => one_line(text.trim()),
        None => wrap(text, None),
    }
}

/// A record with its rendered alert attached.
pub fn with_alert(text: &str, rendered: &str) -> String {
    attach(text, ALERT_KEY, rendered)
}

/// A record the plugin could not evaluate.
pub fn with_error(text: &str, kind: &str, message: &str) -> String {
    attach(text, ERROR_KEY, &error_json(kind, message))
}

/// A record that could not even be read (bad bytes, an over-long line).
pub fn input_error(rec: &Record, e: &InputError) -> String {
    let raw = match &rec.text {
        Ok(t) => t.clone(),
        Err(_) => rec.raw.clone(),
    };
    wrap(&raw, Some((ERROR_KEY, &error_json(e.kind(), &e.to_string()))))
}

fn error_json(kind: &str, message: &str) -> String {
    serde_json::json!({ "kind": kind, "message": message }).to_string()
}

fn attach(text: &str, key: &str, value_json: &str) -> String {
    match object_body(text) {
        Some(body) => {
            let body = one_line(body);
            let sep = if body.trim().is_empty() { "" } else { "," };
            format!("{{{body}{sep}\"{key}\":{value_json}}}")
        }
        None => wrap(text, Some((key, value_json))),
    }
}

/// The text between the braces of a well-formed JSON object, or `None`.
fn object_body(text: &str) -> Option<&str> {
    let t = text.trim();
    if !(t.starts_with('{') && t.ends_with('}')) {
        return None;
    }
    serde_json::from_str::<serde::de::IgnoredAny>(t).ok()?;
    Some(&t[1..t.len() - 1])
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn wrap(text: &str, extra: Option<(&str, &str)>) -> String {
    let key = if text.trim_start().starts_with('<') { "event_xml" } else { "event_raw" };
    let mut out = format!("{{\"{key}\":{}", serde_json::Value::from(text));
    if let Some((k, v)) = extra {
        out.push_str(&format!(",\"{k}\":{v}"));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, String, &str)] = &[
            ("{\"a\":1}", with_alert("{\"a\":1}", "{\"r\":2}"), "{\"a\":1,\"dnschild\":{\"r\":2}}"),
            ("{}", with_alert("{}", "{}"), "{\"dnschild\":{}}"),
            ("pretty", with_alert("{\n \"a\": 1\n}\n", "{}"), "{  \"a\": 1 ,\"dnschild\":{}}"),
            ("xml", with_alert("<Event/>", "{}"), "{\"event_xml\":\"<Event/>\",\"dnschild\":{}}"),
            ("unchanged", unchanged(" {\"a\":\"x\\ny\"} "), "{\"a\":\"x\\ny\"}"),
            ("bad json", with_error("{\"a\":", "malformed_json", "m"), "{\"event_raw\":\"{\\\"a\\\":\",\"dnschild_error\":{\"kind\":\"malformed_json\",\"message\":\"m\"}}"),
            ("too large object", with_error("{\"a\":1}", "too_large", "m"), "{\"a\":1,\"dnschild_error\":{\"kind\":\"too_large\",\"message\":\"m\"}}"),
        ];
        assert_eq!(unchanged_checked(" {\"a\":1}\n"), Ok("{\"a\":1}".to_string()));
        assert_eq!(unchanged_checked("<Event/>"), Ok("{\"event_xml\":\"<Event/>\"}".to_string()));
        assert_eq!(unchanged_checked("{\"a\":").map_err(|e| e.0), Err("malformed_json"));
        for (what, got, want) in cases {
            assert_eq!(got, want, "{what}");
            assert!(serde_json::from_str::<serde_json::Value>(got).is_ok(), "{what}: {got}");
        }
    }
}
