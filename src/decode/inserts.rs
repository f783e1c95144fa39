//! Positional `StringInserts` (Fluent Bit `in_winevtlog` default records and legacy
//! `in_winlog` records): the EventData values in template order, with no names.
//!
//! The layout depends on the provider and on how many values there are (Sysmon's
//! Version stays 5 while fields were added): see `shared/notes/event-shapes.md`.

use alloc::borrow::Cow;
use alloc::format;
use alloc::vec::Vec;

use crate::event::{EventView, Field};
use crate::json::Value;

/// Where the process fields sit in one layout.
struct Layout {
    image: usize,
    command_line: usize,
    user: Option<usize>,
    subject: Option<(usize, usize)>,
    parent: Option<usize>,
    time: Option<usize>,
}

/// Sysmon EID 1 with 22 or 23 values (with OriginalFileName; 23 adds ParentUser).
const SYSMON_22: Layout = Layout { image: 4, command_line: 10, user: Some(12), subject: None, parent: Some(20), time: Some(1) };
/// Sysmon EID 1 with 21 values (no OriginalFileName, so CommandLine on moves down one).
const SYSMON_21: Layout = Layout { image: 4, command_line: 9, user: Some(11), subject: None, parent: Some(19), time: Some(1) };
/// Security 4688 version 2 with ParentProcessName (15 values).
const SECURITY_15: Layout = Layout { image: 5, command_line: 8, user: None, subject: Some((2, 1)), parent: Some(13), time: None };
/// Security 4688 without ParentProcessName (9 or 13 values): the rule cannot be evaluated.
const SECURITY_OLD: Layout = Layout { image: 5, command_line: 8, user: None, subject: Some((2, 1)), parent: None, time: None };

/// Which provider wrote the inserts, as the decoder determined from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    /// Microsoft-Windows-Sysmon, EventID 1
    Sysmon,
    /// Microsoft-Windows-Security-Auditing, EventID 4688
    Security,
}

fn layout(provider: Provider, count: usize) -> Option<&'static Layout> {
    match (provider, count) {
        (Provider::Sysmon, 21) => Some(&SYSMON_21),
        (Provider::Sysmon, n) if n >= 22 => Some(&SYSMON_22),
        (Provider::Security, n) if n >= 15 => Some(&SECURITY_15),
        (Provider::Security, n) if n >= 9 => Some(&SECURITY_OLD),
        _ => None,
    }
}

/// Fills the view's process fields from a `StringInserts` array. Unknown layouts leave
/// the fields absent (so no alert: a guess could point at the wrong value).
pub(crate) fn fill<'a>(view: &mut EventView<'a>, inserts: Value<'_, 'a>, provider: Provider) {
    let values: Vec<Value<'_, 'a>> = inserts.items().collect();
    let Some(l) = layout(provider, values.len()) else { return };
    let at = |i: usize| -> Option<Field<'a>> {
        let v = values.get(i)?.text().filter(|t| !t.trim().is_empty())?;
        Some(Field { source: Cow::Owned(format!("StringInserts[{i}]")), value: v })
    };
    view.image = at(l.image);
    view.command_line = at(l.command_line);
    view.parent_image = l.parent.and_then(at);
    view.time = view.time.take().or_else(|| l.time.and_then(at));
    let user = l.user.and_then(at).or_else(|| {
        let (d, n) = l.subject?;
        let name = at(n)?;
        match at(d).filter(|d| d.value != "-") {
            Some(domain) => Some(Field {
                source: Cow::Owned(format!("StringInserts[{d}]\\StringInserts[{n}]")),
                value: Cow::Owned(format!("{}\\{}", domain.value, name.value)),
            }),
            None => Some(name),
        }
    });
    if user.is_some() {
        view.user = user;
    }
}
