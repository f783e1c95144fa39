//! Windows image paths in every spelling a log can carry, reduced to one canonical form.
//!
//! `C:\Windows\System32\dns.exe`, `\\?\C:\Windows\System32\dns.exe`, `\??\C:\...`,
//! `\Device\HarddiskVolume2\Windows\System32\dns.exe`, `\\server\share\...`,
//! `C:/Windows/System32/dns.exe` and a bare `dns.exe` all name a file `dns.exe`; the
//! rule compares file names and directory suffixes of the canonical form, ASCII
//! case-insensitively.

use alloc::string::String;
use alloc::vec::Vec;

/// Where a path is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// A drive letter (`C:\`), lower-cased.
    Drive(u8),
    /// A kernel volume device (`\Device\HarddiskVolumeN\`, shadow copies, `\SystemRoot\`):
    /// a local volume whose letter the log does not say.
    Volume,
    /// A network path (`\\server\share\`, `\Device\Mup\`, `\\?\UNC\`).
    Unc,
    /// No anchor: a bare file name or a relative path.
    Relative,
}

/// A canonical Windows path: its root and its lower-case components, with `.` and `..`
/// resolved and separators normalised. The components are ranges of one lower-cased copy
/// of the path (one allocation for the text, one for the ranges).
#[derive(Debug, Clone)]
pub struct WinPath {
    /// Where the path is anchored.
    pub root: Root,
    /// The path, lower-cased, `/` made `\\`, namespace prefixes removed.
    text: String,
    /// The components after the root, as byte ranges of `text` (for UNC, the server and
    /// share come first).
    parts: Vec<(u32, u32)>,
}

impl PartialEq for WinPath {
    fn eq(&self, other: &WinPath) -> bool {
        self.root == other.root && self.parts().eq(other.parts())
    }
}

impl Eq for WinPath {}

impl WinPath {
    /// Canonicalises `raw` (surrounding white space and double quotes are ignored).
    pub fn parse(raw: &str) -> WinPath {
        let trimmed = raw.trim().trim_matches('"').trim();
        let mut s = String::with_capacity(trimmed.len() + 8);
        s.extend(trimmed.chars().map(|c| if c == '/' { '\\' } else { c.to_ascii_lowercase() }));
        // Namespace prefixes that only say "this is a Win32 path".
        for prefix in [r"\\?\unc\", r"\??\unc\"] {
            if s.starts_with(prefix) {
                s.replace_range(..prefix.len(), r"\\");
            }
        }
        for prefix in [r"\\?\", r"\??\", r"\\.\"] {
            if s.starts_with(prefix) {
                s.replace_range(..prefix.len(), "");
            }
        }
        // The Windows directory by name: spelled out, so it is compared like any other.
        for prefix in [r"\systemroot\", r"%systemroot%\", r"%windir%\"] {
            if s.starts_with(prefix) {
                s.replace_range(..prefix.len() - 1, r"\device\harddiskvolume0\windows");
            }
        }
        let (root, rest) = if let Some(r) = s.strip_prefix(r"\device\mup\") {
            (Root::Unc, r)
        } else if let Some(r) = volume_device_rest(&s) {
            (Root::Volume, r)
        } else if let Some(r) = s.strip_prefix(r"\\") {
            (Root::Unc, r)
        } else if s.len() >= 2 && s.as_bytes()[0].is_ascii_alphabetic() && s.as_bytes()[1] == b':' {
            (Root::Drive(s.as_bytes()[0]), &s[2..])
        } else {
            (Root::Relative, s.as_str())
        };
        let mut parts = Vec::new();
        let mut at = s.len() - rest.len();
        for seg in rest.split('\\') {
            let range = (at as u32, (at + seg.len()) as u32);
            at += seg.len() + 1;
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                _ => parts.push(range),
            }
        }
        WinPath { root, text: s, parts }
    }

    /// The lower-case components after the root.
    pub fn parts(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator + '_ {
        self.parts.iter().map(|&(a, b)| self.text.get(a as usize..b as usize).unwrap_or(""))
    }

    /// The last component (the file name), lower-case; empty if there is none.
    pub fn file_name(&self) -> &str {
        self.parts().next_back().unwrap_or("")
    }

    /// Whether the path's last components are `suffix` (lower-case), e.g. `["system32", "dns.exe"]`.
    pub fn ends_with(&self, suffix: &[&str]) -> bool {
        self.parts.len() >= suffix.len() && self.parts().skip(self.parts.len() - suffix.len()).zip(suffix).all(|(a, b)| a == *b)
    }

    /// Whether the path is on a local volume (a drive letter or a volume device).
    pub fn is_local_volume(&self) -> bool {
        matches!(self.root, Root::Drive(_) | Root::Volume)
    }

    /// Whether the path is exactly `<local volume>\` followed by `components`.
    pub fn is_local(&self, components: &[&str]) -> bool {
        self.is_local_volume() && self.parts.len() == components.len() && self.ends_with(components)
    }

    /// Whether the path lies under `<local volume>\` followed by `dir`.
    pub fn is_local_under(&self, dir: &[&str]) -> bool {
        self.is_local_volume() && self.parts.len() > dir.len() && self.parts().zip(dir).all(|(a, b)| a == *b)
    }

    /// Whether both paths name the same file: equal roots (a `Volume` matches any drive)
    /// and equal components.
    pub fn same_file(&self, other: &WinPath) -> bool {
        let roots = match (self.root, other.root) {
            (Root::Volume, r) | (r, Root::Volume) => matches!(r, Root::Drive(_) | Root::Volume),
            (a, b) => a == b,
        };
        roots && self.parts().eq(other.parts())
    }
}

/// `\device\harddiskvolume<N>\rest` or `\device\harddiskvolumeshadowcopy<N>\rest` → `rest`.
fn volume_device_rest(s: &str) -> Option<&str> {
    let r = s.strip_prefix(r"\device\harddiskvolume")?;
    let r = r.strip_prefix("shadowcopy").unwrap_or(r);
    let digits = r.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    r[digits..].strip_prefix('\\')
}

/// The canonical file name of `raw` (`mydns.exe` and `dns.exe.bak` stay themselves).
pub fn file_name_of(raw: &str) -> String {
    let p = WinPath::parse(raw);
    String::from(p.file_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_system32_dns_exe() {
        let forms = [
            r"C:\Windows\System32\dns.exe",
            r"c:\windows\system32\DNS.EXE",
            r"\\?\C:\Windows\System32\dns.exe",
            r"\??\C:\Windows\System32\dns.exe",
            r"\\.\C:\Windows\System32\dns.exe",
            r"\Device\HarddiskVolume2\Windows\System32\dns.exe",
            r"\Device\HarddiskVolumeShadowCopy7\Windows\System32\dns.exe",
            r"\SystemRoot\System32\dns.exe",
            r"%SystemRoot%\System32\dns.exe",
            "C:/Windows/System32/dns.exe",
            r"C:\Windows\\System32\.\dns.exe",
            r"C:\Windows\Temp\..\System32\dns.exe",
            r#""C:\Windows\System32\dns.exe""#,
        ];
        for f in forms {
            let p = WinPath::parse(f);
            assert_eq!(p.file_name(), "dns.exe", "{f}");
            assert!(p.is_local(&["windows", "system32", "dns.exe"]), "{f}: {p:?}");
            assert!(p.ends_with(&["system32", "dns.exe"]), "{f}");
        }
    }

    #[test]
    fn roots() {
        let cases: &[(&str, Root, &[&str])] = &[
            (r"\\srv\share\tools\dns.exe", Root::Unc, &["srv", "share", "tools", "dns.exe"]),
            (r"\Device\Mup\srv\share\dns.exe", Root::Unc, &["srv", "share", "dns.exe"]),
            (r"\\?\UNC\srv\share\dns.exe", Root::Unc, &["srv", "share", "dns.exe"]),
            ("dns.exe", Root::Relative, &["dns.exe"]),
            (r"System32\dns.exe", Root::Relative, &["system32", "dns.exe"]),
            ("D:/x/Y.EXE", Root::Drive(b'd'), &["x", "y.exe"]),
            ("", Root::Relative, &[]),
            ("-", Root::Relative, &["-"]),
        ];
        for (raw, root, parts) in cases {
            let p = WinPath::parse(raw);
            assert_eq!(p.root, *root, "{raw}");
            assert_eq!(p.parts().collect::<Vec<_>>(), *parts, "{raw}");
        }
    }

    #[test]
    fn lookalike_names_are_not_dns_exe() {
        for raw in ["mydns.exe", r"C:\x\mydns.exe", r"C:\x\dns.exe.bak", r"C:\dns.exe\cmd.exe", "dns.ex", "dns_exe"] {
            assert_ne!(file_name_of(raw), "dns.exe", "{raw}");
        }
    }

    #[test]
    fn unc_is_not_a_local_windows_dir() {
        let p = WinPath::parse(r"\\evil\c$\Windows\System32\conhost.exe");
        assert!(!p.is_local(&["windows", "system32", "conhost.exe"]));
        assert!(p.ends_with(&["system32", "conhost.exe"]));
    }

    #[test]
    fn same_file_treats_volume_as_any_drive() {
        let a = WinPath::parse(r"\Device\HarddiskVolume3\Tools\x.exe");
        assert!(a.same_file(&WinPath::parse(r"D:\Tools\x.exe")));
        assert!(!a.same_file(&WinPath::parse(r"\\srv\Tools\x.exe")));
        assert!(WinPath::parse(r"C:\a.exe").same_file(&WinPath::parse("c:/A.EXE")));
        assert!(!WinPath::parse(r"C:\a.exe").same_file(&WinPath::parse(r"D:\a.exe")));
    }
}
