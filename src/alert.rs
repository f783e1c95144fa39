//! The typed alert: the seed's seven fields, the event time, how the rule matched.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::config::Profile;
use crate::event::{EventView, Field, Shape};
use crate::rule::Reason;

/// One alert. Seed fields the event does not carry are `None` (never "").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Computer the event comes from (seed `HOSTNAME`).
    pub hostname: Option<String>,
    /// Rendered event message (seed `MESSAGE`), when the log carries one.
    pub message: Option<String>,
    /// The child's command line (seed `COMMANDLINE`).
    pub command_line: Option<String>,
    /// The child's file name (seed `FILE_NAME`): as logged, or the last part of its image path.
    pub file_name: Option<String>,
    /// The child's image path (seed `PROCESSNAME`).
    pub process_name: Option<String>,
    /// Account the child runs as (seed `USERNAME`).
    pub user_name: Option<String>,
    /// The parent's image path (seed `PARENTPROCESSNAME`).
    pub parent_process_name: Option<String>,
    /// Event time as the log wrote it.
    pub event_time: Option<String>,
    /// The event time as Unix epoch milliseconds, when it could be read (no zone = UTC).
    pub event_time_ms: Option<i64>,
    /// The log shape that was recognised.
    pub shape: Shape,
    /// The profile in force.
    pub profile: Profile,
    /// Which field satisfied which condition.
    pub reasons: Vec<Reason>,
    /// Extra context for the analyst.
    pub notes: Vec<String>,
    /// XXH64 (seed 0) of the event text, hex: a stable id for de-duplication.
    pub fingerprint: String,
}

fn value(f: &Option<Field<'_>>) -> Option<String> {
    f.as_ref().map(|f| f.value.to_string())
}

/// The longest command line Windows accepts, in characters (`CreateProcess`'s 32,767).
/// An alert keeps at most this much of a command line; see [`Alert::new`].
pub const MAX_COMMAND_LINE_CHARS: usize = 32_767;

/// `command_line` cut to [`MAX_COMMAND_LINE_CHARS`] characters, and a note saying so when cut.
fn bounded_command_line(command_line: Option<String>, notes: &mut Vec<String>) -> Option<String> {
    let mut cl = command_line?;
    if let Some((cut, _)) = cl.char_indices().nth(MAX_COMMAND_LINE_CHARS) {
        let total = cl.chars().count();
        cl.truncate(cut);
        notes.push(alloc::format!(
            "command_line truncated to its first {MAX_COMMAND_LINE_CHARS} of {total} characters (longer than Windows allows)"
        ));
    }
    Some(cl)
}

/// The last component of a path as written (either separator), original case kept.
fn base_name(path: &str) -> &str {
    path.trim().trim_matches('"').rsplit(['\\', '/']).next().unwrap_or(path)
}

impl Alert {
    /// Builds the alert for an event the rule matched.
    ///
    /// A command line longer than Windows allows ([`MAX_COMMAND_LINE_CHARS`]) cannot come
    /// from a real process start; the alert keeps its first 32,767 characters and a note
    /// with the full length. (The allowlist still saw all of it.)
    pub fn new(view: &EventView<'_>, profile: Profile, reasons: Vec<Reason>, mut notes: Vec<String>, raw: &str) -> Alert {
        let file_name = value(&view.file_name)
            .or_else(|| view.image.as_ref().map(|f| base_name(&f.value).to_string()))
            .filter(|s| !s.is_empty());
        let event_time = value(&view.time);
        Alert {
            hostname: value(&view.host),
            message: value(&view.message),
            command_line: bounded_command_line(value(&view.command_line), &mut notes),
            file_name,
            process_name: value(&view.image),
            user_name: value(&view.user),
            parent_process_name: value(&view.parent_image),
            event_time_ms: event_time.as_deref().and_then(parse_time_ms),
            event_time,
            shape: view.shape,
            profile,
            reasons,
            notes,
            fingerprint: fingerprint(raw.as_bytes()),
        }
    }
}

/// The alert fingerprint: XXH64 (seed 0) of the event text, as 16 hex digits.
pub fn fingerprint(bytes: &[u8]) -> String {
    alloc::format!("{:016x}", crate::hash::xxh64(bytes))
}

/// Reads the event times logs use into Unix epoch milliseconds:
/// `2024-01-15T10:20:30.1234567Z`, `2024-01-15 10:20:30.123`, `2024-01-15 10:20:30 +0000`,
/// `...+01:00`, or a bare epoch-milliseconds number. A time without a zone is taken as UTC.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.len() >= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        for k in 0..3 {
            ms = ms * 10 + if k < digits { i64::from(b[i + k] - b'0') } else { 0 };
        }
        i += digits;
    }
    let zone = s[i..].trim();
    let offset_min = match zone {
        "" | "Z" | "z" => 0,
        z => {
            let sign = match z.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let v: i64 = digits.parse().ok()?;
            sign * ((v / 100) * 60 + v % 100)
        }
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000 + ms)
}

/// Unix epoch milliseconds as ISO 8601 UTC with milliseconds, e.g. `2024-01-15T10:20:30.123Z`.
pub fn format_time_ms(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    alloc::format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of `days_from_civil`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let cases: &[(&str, Option<i64>)] = &[
            ("2024-01-15T10:20:30.1234567Z", Some(1_705_314_030_123)),
            ("2024-01-15 10:20:30.123", Some(1_705_314_030_123)),
            ("2024-01-15 10:20:30 +0000", Some(1_705_314_030_000)),
            ("2024-01-15T11:20:30.123+01:00", Some(1_705_314_030_123)),
            ("2024-01-15T05:20:30-0500", Some(1_705_314_030_000)),
            ("1705314030123", Some(1_705_314_030_123)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2024-13-01T00:00:00Z", None),
            ("yesterday", None),
            ("2024-01-15T10:20:30 PST", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time_ms(s), *want, "{s}");
        }
    }

    #[test]
    fn times_round_trip_to_iso() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01T00:00:00.000Z"),
            (1_705_314_030_123, "2024-01-15T10:20:30.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ];
        for (ms, iso) in cases {
            assert_eq!(format_time_ms(*ms), *iso);
            assert_eq!(parse_time_ms(iso), Some(*ms), "{iso}");
        }
    }

    #[test]
    fn fingerprint_is_xxh64_hex() {
        assert_eq!(fingerprint(b""), "ef46db3751d8e999");
        assert_eq!(fingerprint(b"a"), "d24ec4f1a98c6e5b");
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name(r"C:\Windows\System32\CMD.exe"), "CMD.exe");
        assert_eq!(base_name("C:/x/y.exe"), "y.exe");
        assert_eq!(base_name("cmd.exe"), "cmd.exe");
    }
}
