//! The module's configuration: `dnschild.json`, read once from the `Accessible_Paths` dirs.
//!
//! The file is the core's configuration document (the same keys as the CLI's `--config`:
//! `profile`, `output`, `max_event_bytes`, `max_depth`, `allowlist`) plus one key of its own,
//! `alert_key`: the record key the alert is written under (default `dnschild`; 1 to 64
//! characters from `A-Z a-z 0-9 _ -`).
//!
//! ```json
//! {"alert_key": "dnschild", "profile": "hardened", "allowlist": {"hosts": ["DNS-LAB01"]}}
//! ```
//!
//! An absent file means the defaults. A file that cannot be read or is refused also means
//! the defaults, plus one message on stderr: records keep flowing either way.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use dnschild::json::{Doc, Kind};
use dnschild::{ConfigError, Engine};

/// The configuration file's name, looked up in each preopened (`Accessible_Paths`) directory.
pub const CONFIG_FILE: &str = "dnschild.json";
/// The record key that carries the alert when `alert_key` is not set.
pub const DEFAULT_ALERT_KEY: &str = "dnschild";
/// The largest configuration file read.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;
const MAX_ALERT_KEY_LEN: usize = 64;

/// A loaded configuration: the rule engine and the alert key.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configured rule.
    pub engine: Engine,
    /// The record key the alert is written under.
    pub alert_key: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { engine: Engine::default(), alert_key: DEFAULT_ALERT_KEY.to_string() }
    }
}

/// Why the configuration file could not be read (WASI `errno` values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// `path_open` failed with something other than "no such file".
    #[error("cannot open it (WASI errno {0})")]
    Open(u16),
    /// `fd_read` failed.
    #[error("cannot read it (WASI errno {0})")]
    Read(u16),
    /// The file is over [`MAX_CONFIG_BYTES`].
    #[error("it is larger than {MAX_CONFIG_BYTES} bytes")]
    TooLarge,
}

/// Why a configuration file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("{0}")]
    Read(#[from] ReadError),
    /// The file is not UTF-8.
    #[error("it is not valid UTF-8")]
    InvalidUtf8,
    /// `alert_key` is not a usable key.
    #[error("`alert_key` {value:?} {reason}")]
    AlertKey {
        /// The value found (empty when it was not a string).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The core refused the rest of the document.
    #[error("{0}")]
    Rule(#[from] ConfigError),
}

/// Parses a configuration document.
pub fn parse(bytes: &[u8]) -> Result<Settings, SettingsError> {
    let text = core::str::from_utf8(bytes).map_err(|_| SettingsError::InvalidUtf8)?;
    let doc = Doc::parse(text, 16).map_err(ConfigError::Syntax)?;
    let root = doc.root();
    if root.kind() != Kind::Object {
        return Err(ConfigError::NotAnObject.into());
    }
    let alert_key = match root.get("alert_key") {
        None => DEFAULT_ALERT_KEY.to_string(),
        Some(v) if v.kind() == Kind::String => check_alert_key(&v.text().unwrap_or_default())?,
        Some(_) => return Err(SettingsError::AlertKey { value: String::new(), reason: "must be a string" }),
    };
    let engine = Engine::from_json_config(&without_member(text, "alert_key"))?;
    Ok(Settings { engine, alert_key })
}

/// The settings for what the file lookup found, and the one message to print, if any.
pub fn load(found: Result<Option<Vec<u8>>, ReadError>) -> (Settings, Option<String>) {
    let refused = |e: SettingsError| {
        let msg = format!(
            "[dnschild] ignoring {CONFIG_FILE}: {e}; using the defaults (profile seed, alert key {DEFAULT_ALERT_KEY}). Records still pass.\n"
        );
        (Settings::default(), Some(msg))
    };
    match found {
        Ok(None) => (Settings::default(), None),
        Ok(Some(bytes)) => parse(&bytes).map_or_else(refused, |s| (s, None)),
        Err(e) => refused(e.into()),
    }
}

fn check_alert_key(key: &str) -> Result<String, SettingsError> {
    let bad = |reason| Err(SettingsError::AlertKey { value: key.to_string(), reason });
    if key.is_empty() || key.len() > MAX_ALERT_KEY_LEN {
        return bad("must be 1 to 64 characters long");
    }
    if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return bad("may only use A-Z, a-z, 0-9, `_` and `-`");
    }
    Ok(key.to_string())
}

/// `text` (a JSON object the core's reader accepted) without its top-level members whose
/// key is written exactly `"name"`. One iterative pass over the bytes, tracking strings and
/// nesting; the kept members keep their own bytes.
fn without_member(text: &str, name: &str) -> String {
    let b = text.as_bytes();
    let mut kept: Vec<&str> = Vec::new();
    let (mut depth, mut in_str, mut esc, mut start) = (0usize, false, false, 0usize);
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth == 1 {
                    start = i + 1;
                }
            }
            b'}' | b']' if depth == 1 => {
                kept.extend(member(text, start, i, name));
                depth = 0;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => {
                kept.extend(member(text, start, i, name));
                start = i + 1;
            }
            _ => {}
        }
    }
    format!("{{{}}}", kept.join(","))
}

/// The member text `text[start..end]`, unless it is blank or its key is `name`.
fn member<'t>(text: &'t str, start: usize, end: usize, name: &str) -> Option<&'t str> {
    let m = text.get(start..end)?.trim();
    let rest = m.strip_prefix('"').and_then(|r| r.strip_prefix(name)).and_then(|r| r.strip_prefix('"'));
    match rest {
        _ if m.is_empty() => None,
        Some(r) if r.trim_start().starts_with(':') => None,
        _ => Some(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dnschild::{OutputFormat, Profile};

    #[test]
    fn member_removal_keeps_everything_else() {
        let cases = [
            (r#"{"alert_key":"x"}"#, "{}"),
            (r#"{ "alert_key" : "x" , "profile":"seed"}"#, r#"{"profile":"seed"}"#),
            (r#"{"profile":"seed","alert_key":"x"}"#, r#"{"profile":"seed"}"#),
            (r#"{"allowlist":{"hosts":["a,}\"b"]},"alert_key":"x","output":"ecs"}"#, r#"{"allowlist":{"hosts":["a,}\"b"]},"output":"ecs"}"#),
            (r#"{"alert_keys":1}"#, r#"{"alert_keys":1}"#),
            ("{}", "{}"),
        ];
        for (src, want) in cases {
            assert_eq!(without_member(src, "alert_key"), want, "{src}");
        }
    }

    #[test]
    fn documents() {
        let s = parse(br#"{"alert_key":"dns_alert","profile":"hardened","output":"ecs","allowlist":{"hosts":["H1"]}}"#).unwrap();
        assert_eq!(s.alert_key, "dns_alert");
        assert_eq!(s.engine.config().profile, Profile::Hardened);
        assert_eq!(s.engine.config().output, OutputFormat::Ecs);
        assert_eq!(s.engine.config().allowlist.hosts, ["H1"]);
        let d = parse(b"{}").unwrap();
        assert_eq!((d.alert_key.as_str(), d.engine.config().profile), ("dnschild", Profile::Seed));
    }

    #[test]
    fn refusals() {
        let cases: &[(&[u8], &str)] = &[
            (b"{", "configuration is not valid JSON: "),
            (b"[]", "configuration must be a JSON object"),
            (b"\xff", "it is not valid UTF-8"),
            (br#"{"alert_key":""}"#, "`alert_key` \"\" must be 1 to 64 characters long"),
            (br#"{"alert_key":"a.b"}"#, "`alert_key` \"a.b\" may only use A-Z, a-z, 0-9, `_` and `-`"),
            (br#"{"alert_key":7}"#, "`alert_key` \"\" must be a string"),
            (br#"{"profile":"strict"}"#, "`profile`"),
            (br#"{"alert_key":"k","profil":"seed"}"#, "unknown configuration key `profil`"),
        ];
        for (src, want) in cases {
            let got = parse(src).unwrap_err().to_string();
            assert!(got.contains(want), "{:?}: {got}", String::from_utf8_lossy(src));
        }
    }

    #[test]
    fn loading() {
        let (s, msg) = load(Ok(None));
        assert_eq!((s.alert_key.as_str(), msg), ("dnschild", None));
        let (s, msg) = load(Ok(Some(br#"{"alert_key":"k"}"#.to_vec())));
        assert_eq!((s.alert_key.as_str(), msg), ("k", None));
        let (s, msg) = load(Ok(Some(br#"{"profile":"x","alert_key":"k"}"#.to_vec())));
        assert_eq!(s.alert_key, "dnschild");
        let msg = msg.unwrap();
        assert!(msg.starts_with("[dnschild] ignoring dnschild.json: ") && msg.ends_with("Records still pass.\n"), "{msg}");
        let (_, msg) = load(Err(ReadError::Open(2)));
        assert!(msg.unwrap().contains("cannot open it (WASI errno 2)"));
    }
}
