//! The configuration parser: never a panic; a document it accepts passes validation and
//! builds an engine; a refusal names a key.
#![no_main]

use dnschild::{Config, ConfigError, Engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Config::from_json(text) {
        Ok(cfg) => {
            assert_eq!(cfg.validate(), Ok(()), "accepted but invalid: {text:?}");
            let engine = Engine::new(cfg).expect("a parsed configuration builds an engine");
            // A configured engine evaluates: the allowlist and profile are usable as parsed.
            let _ = engine.evaluate(r#"{"actionname":"Process started","PARENTPROCESSNAME":"dns.exe","PROCESSNAME":"cmd.exe"}"#);
        }
        Err(e) => {
            // A syntax error has no key; an unknown key may be the empty key `""`.
            let keyless = matches!(e, ConfigError::Syntax(_) | ConfigError::NotAnObject | ConfigError::UnknownKey { .. });
            assert!(keyless || !e.key().is_empty(), "refusal names no key: {e}");
            assert!(!e.to_string().is_empty());
        }
    }
    // The same text through the engine's own entry point gives the same answer.
    assert_eq!(Engine::from_json_config(text).is_ok(), Config::from_json(text).is_ok());
});
