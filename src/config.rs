//! Load-time configuration: exclusion profile, allowlist, output format and limits.
//!
//! Parsed once (from JSON, or built in code) into a validated [`Config`]; evaluation only
//! reads it. Every refusal is a [`ConfigError`] naming the key.
//!
//! ```json
//! {
//!   "profile": "seed",
//!   "output": "native",
//!   "max_event_bytes": 1048576,
//!   "max_depth": 64,
//!   "max_fields": 10000,
//!   "allowlist": {
//!     "child_images": ["C:\\Program Files\\Vendor\\dnsplugin-helper.exe", "werfault.exe"],
//!     "command_line_contains": ["--approved-maintenance"],
//!     "hosts": ["DNS-LAB01"],
//!     "parent_images": ["D:\\Lab\\dns.exe"]
//!   }
//! }
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::decode::Limits;
use crate::error::ConfigError;
use crate::json::{Doc, Kind, Value};
use crate::path::WinPath;

/// Which children of dns.exe are expected and excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The seed rule: any image ending in `\conhost.exe` is excluded (the default).
    #[default]
    Seed,
    /// Sigma b5281f31 (CVE-2020-1350): parent must be `...\System32\dns.exe`; System32
    /// `werfault.exe`, `conhost.exe`, `dnscmd.exe` and `dns.exe` children are excluded.
    SigmaCve20201350,
    /// Elastic 8c37dc0e: System32 `conhost.exe` / `dns.exe` children, the ReasonLabs
    /// product folder, and the ReasonLabs `DNS.exe` parent are excluded.
    Elastic,
    /// Only the genuine `System32` / `SysWOW64` conhost.exe is excluded; a conhost.exe
    /// anywhere else alerts, flagged as a possible masquerade.
    Hardened,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [Profile::Seed, Profile::SigmaCve20201350, Profile::Elastic, Profile::Hardened];

    /// The configuration name (`seed`, `sigma-cve-2020-1350`, `elastic`, `hardened`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Seed => "seed",
            Profile::SigmaCve20201350 => "sigma-cve-2020-1350",
            Profile::Elastic => "elastic",
            Profile::Hardened => "hardened",
        }
    }

    /// The profile with this configuration name.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// How alerts are rendered to JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// dnschild's own alert document (the default).
    #[default]
    Native,
    /// Elastic Common Schema (`rule.*`, `threat.*`, `event.*`, `process.*`).
    Ecs,
    /// OCSF Detection Finding (class_uid 2004).
    Ocsf,
}

impl OutputFormat {
    /// Every format.
    pub const ALL: [OutputFormat; 3] = [OutputFormat::Native, OutputFormat::Ecs, OutputFormat::Ocsf];

    /// The configuration name (`native`, `ecs`, `ocsf`).
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Native => "native",
            OutputFormat::Ecs => "ecs",
            OutputFormat::Ocsf => "ocsf",
        }
    }

    /// The format with this configuration name.
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        OutputFormat::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A child-image allowlist entry: a full path, or a bare file name matching any folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageEntry {
    /// An entry with a folder: the image must be this file.
    Path(WinPath),
    /// An entry without a folder: any image with this (lower-case) file name.
    Name(String),
}

impl ImageEntry {
    /// Parses an entry as written in the configuration.
    pub fn parse(raw: &str) -> ImageEntry {
        let p = WinPath::parse(raw);
        if p.parts().len() <= 1 && p.root == crate::path::Root::Relative {
            ImageEntry::Name(p.file_name().to_string())
        } else {
            ImageEntry::Path(p)
        }
    }

    /// Whether `image` is covered by this entry.
    pub fn matches(&self, image: &WinPath) -> bool {
        match self {
            ImageEntry::Path(p) => p.same_file(image),
            ImageEntry::Name(n) => image.file_name() == n,
        }
    }
}

/// Known, approved activity that must not alert. Each list is "any of".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    /// Child images (paths or bare file names), as written.
    pub child_images: Vec<String>,
    /// Command-line substrings (ASCII case-insensitive).
    pub command_line_contains: Vec<String>,
    /// Host names; an entry without a dot also matches a fully qualified name with that first label.
    pub hosts: Vec<String>,
    /// Parent image paths (a dns.exe at an approved location).
    pub parent_images: Vec<String>,
}

/// A validated configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The exclusion profile.
    pub profile: Profile,
    /// How alerts are rendered.
    pub output: OutputFormat,
    /// Approved activity.
    pub allowlist: Allowlist,
    /// Size and nesting limits.
    pub limits: Limits,
}

const MAX_EVENT_BYTES_CAP: usize = 256 << 20;
const MAX_DEPTH_CAP: usize = 4096;
const MAX_FIELDS_CAP: usize = 1_000_000;

impl Config {
    /// Parses a configuration document. Absent keys keep their defaults.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let doc = Doc::parse(text, 16).map_err(ConfigError::Syntax)?;
        let root = doc.root();
        if root.kind() != Kind::Object {
            return Err(ConfigError::NotAnObject);
        }
        let mut cfg = Config::default();
        for (k, v) in root.members() {
            let key = k.text().unwrap_or_default();
            match key.as_ref() {
                "profile" => {
                    let s = string(v, "profile")?;
                    cfg.profile = Profile::from_name(&s).ok_or_else(|| bad("profile", &s, "one of seed, sigma-cve-2020-1350, elastic, hardened"))?;
                }
                "output" => {
                    let s = string(v, "output")?;
                    cfg.output = OutputFormat::from_name(&s).ok_or_else(|| bad("output", &s, "one of native, ecs, ocsf"))?;
                }
                "max_event_bytes" => cfg.limits.max_event_bytes = number(v, "max_event_bytes", MAX_EVENT_BYTES_CAP)?,
                "max_depth" => cfg.limits.max_depth = number(v, "max_depth", MAX_DEPTH_CAP)?,
                "max_fields" => cfg.limits.max_fields = number(v, "max_fields", MAX_FIELDS_CAP)?,
                "allowlist" => cfg.allowlist = allowlist(v)?,
                other => return Err(ConfigError::UnknownKey { key: other.to_string() }),
            }
        }
        Ok(cfg)
    }

    /// Checks a configuration built in code (the same rules as [`Config::from_json`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let check = |key: &str, n: usize, cap: usize| {
            if n == 0 || n > cap {
                Err(bad(key, &n.to_string(), range_of(key)))
            } else {
                Ok(())
            }
        };
        check("max_event_bytes", self.limits.max_event_bytes, MAX_EVENT_BYTES_CAP)?;
        check("max_depth", self.limits.max_depth, MAX_DEPTH_CAP)?;
        check("max_fields", self.limits.max_fields, MAX_FIELDS_CAP)?;
        let lists = [
            ("allowlist.child_images", &self.allowlist.child_images),
            ("allowlist.command_line_contains", &self.allowlist.command_line_contains),
            ("allowlist.hosts", &self.allowlist.hosts),
            ("allowlist.parent_images", &self.allowlist.parent_images),
        ];
        for (key, list) in lists {
            if let Some(e) = list.iter().find(|e| e.trim().is_empty()) {
                return Err(bad(key, e, "entries must not be empty"));
            }
        }
        Ok(())
    }
}

fn bad(key: &str, value: &str, reason: &'static str) -> ConfigError {
    ConfigError::BadValue { key: key.to_string(), value: value.to_string(), reason }
}

fn string(v: Value<'_, '_>, key: &str) -> Result<String, ConfigError> {
    match v.kind() {
        Kind::String => Ok(v.text().unwrap_or_default().into_owned()),
        _ => Err(ConfigError::WrongType { key: key.to_string(), expected: "a string" }),
    }
}

fn number(v: Value<'_, '_>, key: &str, cap: usize) -> Result<usize, ConfigError> {
    if v.kind() != Kind::Number {
        return Err(ConfigError::WrongType { key: key.to_string(), expected: "a positive integer" });
    }
    let raw = v.text().unwrap_or_default();
    match raw.parse::<usize>() {
        Ok(n) if n > 0 && n <= cap => Ok(n),
        _ => Err(bad(key, &raw, range_of(key))),
    }
}

/// What a numeric key accepts, for its error message.
fn range_of(key: &str) -> &'static str {
    match key {
        "max_event_bytes" => "must be an integer from 1 to 268435456 (256 MiB)",
        "max_depth" => "must be an integer from 1 to 4096",
        "max_fields" => "must be an integer from 1 to 1000000",
        _ => "must be a positive integer within the supported range",
    }
}

fn allowlist(v: Value<'_, '_>) -> Result<Allowlist, ConfigError> {
    if v.kind() != Kind::Object {
        return Err(ConfigError::WrongType { key: "allowlist".to_string(), expected: "an object" });
    }
    let mut a = Allowlist::default();
    for (k, list) in v.members() {
        let name = k.text().unwrap_or_default();
        let key = alloc::format!("allowlist.{name}");
        let slot = match name.as_ref() {
            "child_images" => &mut a.child_images,
            "command_line_contains" => &mut a.command_line_contains,
            "hosts" => &mut a.hosts,
            "parent_images" => &mut a.parent_images,
            _ => return Err(ConfigError::UnknownKey { key }),
        };
        if list.kind() != Kind::Array {
            return Err(ConfigError::WrongType { key, expected: "an array of strings" });
        }
        for item in list.items() {
            let s = string(item, &key).map_err(|_| ConfigError::WrongType { key: key.clone(), expected: "an array of strings" })?;
            if s.trim().is_empty() {
                return Err(bad(&key, &s, "entries must not be empty"));
            }
            slot.push(s);
        }
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_full_document() {
        assert_eq!(Config::from_json("{}").unwrap(), Config::default());
        let c = Config::from_json(
            r#"{"profile":"hardened","output":"ocsf","max_event_bytes":2048,"max_depth":10,"max_fields":300,
                "allowlist":{"child_images":["a.exe"],"command_line_contains":["x"],"hosts":["h"],"parent_images":["D:\\dns.exe"]}}"#,
        )
        .unwrap();
        assert_eq!(c.profile, Profile::Hardened);
        assert_eq!(c.output, OutputFormat::Ocsf);
        assert_eq!(c.limits, Limits { max_event_bytes: 2048, max_depth: 10, max_fields: 300 });
        assert_eq!(c.allowlist.parent_images, ["D:\\dns.exe"]);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn errors_name_the_key() {
        let cases: &[(&str, &str)] = &[
            (r#"{"profil":"seed"}"#, "profil"),
            (r#"{"profile":"strict"}"#, "profile"),
            (r#"{"profile":1}"#, "profile"),
            (r#"{"output":"csv"}"#, "output"),
            (r#"{"max_event_bytes":0}"#, "max_event_bytes"),
            (r#"{"max_event_bytes":"1"}"#, "max_event_bytes"),
            (r#"{"max_depth":1.5}"#, "max_depth"),
            (r#"{"max_fields":0}"#, "max_fields"),
            (r#"{"max_fields":1000001}"#, "max_fields"),
            (r#"{"allowlist":[]}"#, "allowlist"),
            (r#"{"allowlist":{"child_image":[]}}"#, "allowlist.child_image"),
            (r#"{"allowlist":{"hosts":"h"}}"#, "allowlist.hosts"),
            (r#"{"allowlist":{"hosts":[1]}}"#, "allowlist.hosts"),
            (r#"{"allowlist":{"hosts":[" "]}}"#, "allowlist.hosts"),
        ];
        for (src, key) in cases {
            assert_eq!(Config::from_json(src).unwrap_err().key(), *key, "{src}");
        }
        assert_eq!(Config::from_json("[]").unwrap_err(), ConfigError::NotAnObject);
        assert!(matches!(Config::from_json("{").unwrap_err(), ConfigError::Syntax(_)));
    }

    #[test]
    fn image_entries() {
        let exe = WinPath::parse(r"C:\Windows\System32\WerFault.exe");
        assert!(ImageEntry::parse("werfault.exe").matches(&exe));
        assert!(ImageEntry::parse(r"\Device\HarddiskVolume1\Windows\System32\werfault.exe").matches(&exe));
        assert!(!ImageEntry::parse(r"D:\Windows\System32\werfault.exe").matches(&exe));
        assert!(!ImageEntry::parse("cmd.exe").matches(&exe));
    }
}
