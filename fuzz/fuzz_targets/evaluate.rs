//! Evaluate end to end on arbitrary bytes: never a panic, the fast path agrees with the full
//! decoder, bytes and text entry points agree, and an alert renders as JSON in every format.
#![no_main]

use dnschild::{Engine, Outcome, OutputFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let engine = Engine::default();
    let by_bytes = engine.evaluate_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(by_bytes.is_err(), "invalid UTF-8 was evaluated");
        return;
    };
    let fast = engine.explain(text);
    let full = engine.explain_full(text);
    match (&fast, &full) {
        (Ok(Outcome::FastReject), Ok(Outcome::Alert(a))) => panic!("the fast path rejected an alert: {a:?}"),
        (Ok(Outcome::FastReject), _) => {}
        _ => assert_eq!(fast, full, "fast and full paths differ"),
    }
    assert_eq!(by_bytes, engine.evaluate(text));
    if let Ok(Outcome::Alert(alert)) = full {
        for output in [OutputFormat::Native, OutputFormat::Ecs, OutputFormat::Ocsf] {
            let rendered = dnschild::render::render(&alert, output);
            let v: serde_json::Value = serde_json::from_str(&rendered).expect("an alert renders as JSON");
            assert!(v.is_object());
        }
    }
});
