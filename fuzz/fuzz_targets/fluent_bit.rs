//! The Fluent Bit record path (the safe logic behind the module's exports): a record is
//! never lost or altered. In annotate mode the reply is the input pointer, or the record's
//! own bytes with one alert member inserted before its final `}` — exactly one JSON object,
//! 0-terminated; alerts-only mode replies with the same text or drops; the verdict is the
//! core's.
#![no_main]

use dnschild_fluent_bit::filter::{Filter, Mode, Reply};
use dnschild_fluent_bit::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let settings = Settings::default();
    let engine = settings.engine.clone();
    let mut filter = Filter::new(settings);
    let annotated = match filter.filter(Mode::Annotate, Some(data), data.len() as u32) {
        Reply::Record => None,
        Reply::Drop => panic!("annotate mode dropped {:?}", String::from_utf8_lossy(data)),
        Reply::Text(t) => Some(t.to_vec()),
    };
    let core_alert = std::str::from_utf8(data).ok().and_then(|t| engine.evaluate(t).ok().flatten());
    match &annotated {
        None => assert!(
            core_alert.is_none() || !data.trim_ascii_start().starts_with(b"{"),
            "an alerting JSON record came back without its alert"
        ),
        Some(out) => {
            let alert = core_alert.expect("a record was changed but the core has no alert");
            // Exactly the record's bytes with `"dnschild":<the core's rendered alert>` inserted
            // before its final `}` (after a comma unless the object was empty), 0-terminated.
            let close = data.iter().rposition(|c| !c.is_ascii_whitespace()).unwrap();
            let open = data.iter().position(|&c| c == b'{').unwrap();
            let sep: &[u8] = if data[open + 1..close].iter().all(u8::is_ascii_whitespace) { b"" } else { b"," };
            let want = [&data[..close], sep, b"\"dnschild\":", engine.render(&alert).as_bytes(), &data[close..], b"\0"].concat();
            assert_eq!(out, &want, "the reply is not the record with its alert spliced in");
            // And Fluent Bit reads it as one JSON object (the core's reader: any number, any depth).
            let body = std::str::from_utf8(&out[..out.len() - 1]).expect("UTF-8");
            let doc = dnschild::json::Doc::parse(body, usize::MAX).expect("the reply is one JSON document");
            assert_eq!(doc.root().kind(), dnschild::json::Kind::Object);
        }
    }
    // Alerts-only: the same text when there is an alert object to write, otherwise a drop.
    match filter.filter(Mode::AlertsOnly, Some(data), data.len() as u32) {
        Reply::Record => panic!("alerts-only mode passed a record through unchanged"),
        Reply::Drop => assert!(annotated.is_none()),
        Reply::Text(t) => {
            if let Some(a) = &annotated {
                assert_eq!(t, a.as_slice());
            }
        }
    }
});
