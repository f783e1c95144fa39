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
            let (body, nul) = out.split_at(out.len() - 1);
            assert_eq!(nul, [0], "reply is not 0-terminated");
            assert!(!body.contains(&0), "a 0 byte inside the reply would cut it short");
            let close = data.iter().rposition(|c| !c.is_ascii_whitespace()).unwrap();
            assert!(body.starts_with(&data[..close]), "the record's bytes before its final }} changed");
            assert!(body.ends_with(&data[close..]), "the record's bytes from its final }} on changed");
            let value: serde_json::Value = serde_json::from_slice(body).expect("the reply is one JSON object");
            let inserted = &value["dnschild"];
            let want: serde_json::Value = serde_json::from_str(&engine.render(&alert)).unwrap();
            assert_eq!(inserted, &want, "the inserted alert is not the core's");
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
