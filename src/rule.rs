//! The rule: a process start whose parent image is `dns.exe` and whose image is not an
//! expected child. The profiles are data (which parents count, which children are
//! excluded); [`evaluate`] is a little logic over them, pure and infallible.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::config::{Allowlist, Config, ImageEntry, Profile};
use crate::event::{EventView, Field, Kind};
use crate::path::WinPath;

/// A path test, on a canonical [`WinPath`].
#[derive(Debug, Clone, Copy)]
pub enum PathTest {
    /// The file name is this (lower-case).
    FileName(&'static str),
    /// The last components are these (`...\System32\dns.exe`).
    Suffix(&'static [&'static str]),
    /// Exactly these components on a local volume (`?:\Windows\System32\conhost.exe`).
    Local(&'static [&'static str]),
    /// Anywhere under this folder on a local volume.
    LocalUnder(&'static [&'static str]),
}

impl PathTest {
    /// Whether `p` passes the test.
    pub fn matches(self, p: &WinPath) -> bool {
        match self {
            PathTest::FileName(n) => p.file_name() == n,
            PathTest::Suffix(s) => p.ends_with(s),
            PathTest::Local(c) => p.is_local(c),
            PathTest::LocalUnder(d) => p.is_local_under(d),
        }
    }
}

/// A profile as data.
#[derive(Debug)]
pub struct ProfileSpec {
    /// What makes the parent "dns.exe", in words (for the explanation).
    pub parent_condition: &'static str,
    /// The parent test.
    pub parent: PathTest,
    /// Parents that are dns.exe by name but known benign.
    pub parent_excluded: &'static [PathTest],
    /// Children that are expected.
    pub child_excluded: &'static [PathTest],
    /// The exclusions, in words.
    pub child_condition: &'static str,
}


/// The data behind each profile.
pub fn spec(profile: Profile) -> &'static ProfileSpec {
    const DNS_NAME: PathTest = PathTest::FileName("dns.exe");
    match profile {
        Profile::Seed => &ProfileSpec {
            parent_condition: "parent image file name is dns.exe",
            parent: DNS_NAME,
            parent_excluded: &[],
            child_excluded: &[PathTest::FileName("conhost.exe")],
            child_condition: "image is not ...\\conhost.exe",
        },
        Profile::SigmaCve20201350 => &ProfileSpec {
            parent_condition: "parent image ends with \\System32\\dns.exe",
            parent: PathTest::Suffix(&["system32", "dns.exe"]),
            parent_excluded: &[],
            child_excluded: &[
                PathTest::Suffix(&["system32", "werfault.exe"]),
                PathTest::Suffix(&["system32", "conhost.exe"]),
                PathTest::Suffix(&["system32", "dnscmd.exe"]),
                PathTest::Suffix(&["system32", "dns.exe"]),
            ],
            child_condition: "image is not \\System32\\ werfault.exe, conhost.exe, dnscmd.exe or dns.exe",
        },
        Profile::Elastic => &ProfileSpec {
            parent_condition: "parent image file name is dns.exe (not ReasonLabs' DNS.exe)",
            parent: DNS_NAME,
            parent_excluded: &[PathTest::Local(&["program files", "reasonlabs", "dns", "ui", "dns.exe"])],
            child_excluded: &[
                PathTest::Local(&["windows", "system32", "conhost.exe"]),
                PathTest::Local(&["windows", "system32", "dns.exe"]),
                PathTest::LocalUnder(&["program files", "reasonlabs"]),
            ],
            child_condition: "image is not ?:\\Windows\\System32\\conhost.exe or dns.exe, nor under ?:\\Program Files\\ReasonLabs\\",
        },
        Profile::Hardened => &ProfileSpec {
            parent_condition: "parent image file name is dns.exe",
            parent: DNS_NAME,
            parent_excluded: &[],
            child_excluded: &[
                PathTest::Local(&["windows", "system32", "conhost.exe"]),
                PathTest::Local(&["windows", "syswow64", "conhost.exe"]),
            ],
            child_condition: "image is not the genuine ?:\\Windows\\System32 or SysWOW64 conhost.exe",
        },
    }
}

/// One condition of the rule and the event field that satisfied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The condition, in words.
    pub condition: String,
    /// The source field (e.g. `EventData.ParentImage`), or `-` when none applies.
    pub field: String,
    /// The field's value.
    pub value: String,
}

impl Reason {
    fn new(condition: &str, f: &Field<'_>) -> Reason {
        Reason { condition: condition.to_string(), field: f.source.to_string(), value: f.value.to_string() }
    }
}

/// Why an event did not alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The event says it is not a process start.
    NotProcessStart,
    /// No parent image is recorded (e.g. Security 4688 version 1).
    NoParent,
    /// The parent is not dns.exe (under the profile's test).
    ParentNotDns,
    /// The parent is a known benign dns.exe.
    ParentExcluded,
    /// The child is expected under the profile.
    ChildExcluded,
    /// An allowlist entry matched; which list and entry.
    Allowlisted {
        /// The allowlist key, e.g. `allowlist.hosts`.
        list: &'static str,
        /// The entry that matched.
        entry: String,
    },
}

/// The outcome of the rule on one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The event matches: the reasons (one per condition) and notes for the analyst.
    Alert {
        /// Which field satisfied which condition.
        reasons: Vec<Reason>,
        /// Extra context, e.g. a conhost.exe outside System32.
        notes: Vec<String>,
    },
    /// No alert, and why.
    NoAlert(Skip),
}

/// Evaluates the rule on a decoded event. Pure and infallible.
pub fn evaluate(view: &EventView<'_>, cfg: &Config) -> Verdict {
    let spec = spec(cfg.profile);
    let start = match &view.kind {
        Kind::ProcessStart(f) => Reason::new("event is a process start", f),
        Kind::Other(_) => return Verdict::NoAlert(Skip::NotProcessStart),
        Kind::Unstated => Reason {
            condition: "event is a process start (implied: the shape records a parent and a child)".to_string(),
            field: "-".to_string(),
            value: view.shape.name().to_string(),
        },
    };
    let Some(parent) = &view.parent_image else { return Verdict::NoAlert(Skip::NoParent) };
    let parent_path = WinPath::parse(&parent.value);
    if !spec.parent.matches(&parent_path) {
        return Verdict::NoAlert(Skip::ParentNotDns);
    }
    if spec.parent_excluded.iter().any(|t| t.matches(&parent_path)) {
        return Verdict::NoAlert(Skip::ParentExcluded);
    }
    let mut reasons = vec![start, Reason::new(spec.parent_condition, parent)];
    let mut notes = Vec::new();
    let child_path = view.image.as_ref().map(|f| WinPath::parse(&f.value));
    match (&view.image, &child_path) {
        (Some(image), Some(child)) => {
            if spec.child_excluded.iter().any(|t| t.matches(child)) {
                return Verdict::NoAlert(Skip::ChildExcluded);
            }
            reasons.push(Reason::new(&format!("{} (profile {})", spec.child_condition, cfg.profile.name()), image));
            let genuine = child.is_local(&["windows", "system32", "conhost.exe"]) || child.is_local(&["windows", "syswow64", "conhost.exe"]);
            if child.file_name() == "conhost.exe" && !genuine {
                notes.push(format!(
                    "conhost.exe outside ?:\\Windows\\System32 and SysWOW64 ({}): possible masquerade",
                    image.value
                ));
            }
        }
        _ => notes.push("the event does not record the child image; the parent alone matched".to_string()),
    }
    if let Some(skip) = allowlisted(view, &parent_path, child_path.as_ref(), &cfg.allowlist) {
        return Verdict::NoAlert(skip);
    }
    Verdict::Alert { reasons, notes }
}

fn allowlisted(view: &EventView<'_>, parent: &WinPath, child: Option<&WinPath>, a: &Allowlist) -> Option<Skip> {
    let hit = |list: &'static str, entry: &String| Some(Skip::Allowlisted { list, entry: entry.clone() });
    if let Some(child) = child {
        if let Some(e) = a.child_images.iter().find(|e| ImageEntry::parse(e).matches(child)) {
            return hit("allowlist.child_images", e);
        }
    }
    if let Some(cmd) = &view.command_line {
        let lower = cmd.value.to_ascii_lowercase();
        if let Some(e) = a.command_line_contains.iter().find(|e| lower.contains(&e.to_ascii_lowercase())) {
            return hit("allowlist.command_line_contains", e);
        }
    }
    if let Some(host) = &view.host {
        let h = host.value.trim();
        let first_label = h.split('.').next().unwrap_or(h);
        if let Some(e) = a.hosts.iter().find(|e| e.eq_ignore_ascii_case(h) || (!e.contains('.') && e.eq_ignore_ascii_case(first_label))) {
            return hit("allowlist.hosts", e);
        }
    }
    if let Some(e) = a.parent_images.iter().find(|e| WinPath::parse(e).same_file(parent)) {
        return hit("allowlist.parent_images", e);
    }
    None
}
