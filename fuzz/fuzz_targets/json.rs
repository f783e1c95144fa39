//! The JSON reader against serde_json, the reference: the same documents are accepted, and
//! every string, number, key and structure reads back the same.
#![no_main]

use dnschild::json::{Doc, JsonErrorKind, Kind, Value};
use libfuzzer_sys::fuzz_target;

const DEPTH: usize = 64;

/// Whether our value and serde's are the same tree.
fn same(ours: Value<'_, '_>, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (ours.kind(), theirs) {
        (Kind::Null, J::Null) => true,
        (Kind::True, J::Bool(true)) | (Kind::False, J::Bool(false)) => true,
        (Kind::Number, J::Number(_)) => ours.text().is_some(),
        (Kind::String, J::String(s)) => ours.text().as_deref() == Some(s.as_str()),
        (Kind::Array, J::Array(items)) => {
            ours.len() == items.len() && ours.items().zip(items).all(|(a, b)| same(a, b))
        }
        (Kind::Object, J::Object(map)) => {
            // serde keeps the last of a repeated key, and so does `get`.
            map.iter().all(|(k, v)| ours.get(k).is_some_and(|o| same(o, v)))
                && ours.members().all(|(k, _)| k.text().is_some_and(|k| map.contains_key(k.as_ref())))
        }
        _ => false,
    }
}

/// Whether `text` holds a `\uD800`–`\uDFFF` escape (which serde_json only takes in pairs).
fn has_surrogate_escape(text: &str) -> bool {
    text.as_bytes().windows(4).any(|w| w[0] == b'\\' && w[1] == b'u' && w[2] | 0x20 == b'd' && matches!(w[3] | 0x20, b'8'..=b'9' | b'a'..=b'f'))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = Doc::parse(text, DEPTH);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(doc), Ok(value)) => assert!(same(doc.root(), value), "different trees for {text:?}"),
        (Err(e), Ok(_)) => assert_eq!(e.kind, JsonErrorKind::TooDeep, "we refused what serde_json reads: {text:?}: {e}"),
        // Valid JSON that serde_json refuses by choice: a lone surrogate escape (we read it as
        // U+FFFD, so nothing can hide behind it) or a number beyond f64 (we keep its text).
        (Ok(_), Err(e)) => assert!(
            has_surrogate_escape(text) || e.to_string().contains("number out of range"),
            "we accepted what serde_json refuses: {text:?}: {e}"
        ),
        (Err(_), Err(_)) => {}
    }
    if let Err(e) = ours {
        assert!(e.offset <= text.len(), "error offset {} past the end of {text:?}", e.offset);
    }
});
