//! The fast path: decide, without parsing, that an event cannot match.
//!
//! A process can only be a child of `dns.exe` if the event names `dns.exe` somewhere.
//! The text can hide those seven characters only behind an escape: a JSON `\u` escape,
//! an XML character reference (`&#...;`), or an XML CDATA section, comment or processing
//! instruction splitting the name (`dn<![CDATA[s]]>.exe`, `dn<?x?>s.exe`: the XML reader
//! skips the markup and joins the text around it). So an event with no ASCII-case-insensitive
//! `dns.exe` and none of those escapes is rejected here; everything else goes to the
//! full decoder. The property tests in `tests/fastpath.rs` hold this against the full
//! path.

/// Whether `bytes` could be an event whose parent is `dns.exe`.
///
/// `false` is a proof: the full path would give no alert. `true` only means "look closer".
pub fn may_match(bytes: &[u8]) -> bool {
    mentions_dns_exe(bytes) || has_hiding_escape(bytes)
}

/// The bytes after the white space and byte-order marks that [`crate::decode::decode`] skips.
fn skip_leading(mut b: &[u8]) -> &[u8] {
    loop {
        match b {
            [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] | [0xEF, 0xBB, 0xBF, rest @ ..] => b = rest,
            _ => return b,
        }
    }
}

/// Whether `bytes` starts like an event the decoders read: a JSON object (`{`) or XML (`<`),
/// after leading white space and a byte-order mark. Only such events are fast-rejected;
/// anything else (empty, an array, plain text) is a typed error on every path.
pub fn looks_like_event(bytes: &[u8]) -> bool {
    matches!(skip_leading(bytes).first(), Some(b'{' | b'<'))
}

/// Whether `bytes` contains `dns.exe`, ASCII case-insensitively.
///
/// Scans for the rare byte `x`/`X` with `memchr2` and checks the seven bytes around it.
pub fn mentions_dns_exe(bytes: &[u8]) -> bool {
    // "dns.exe": the first 'x' is at index 5.
    for i in memchr::memchr2_iter(b'x', b'X', bytes) {
        if let Some(w) = i.checked_sub(5).and_then(|s| bytes.get(s..i + 2)) {
            if w.eq_ignore_ascii_case(b"dns.exe") {
                return true;
            }
        }
    }
    false
}

/// Whether `bytes` holds an escape that could spell part of `dns.exe`: a JSON `\\u`
/// escape (a `u` after an odd run of backslashes), `&#`, `<!` or `<?`.
pub fn has_hiding_escape(bytes: &[u8]) -> bool {
    // One pass for the XML markers: each `&` or `<` is checked against the byte after it.
    let body = after_xml_declaration(bytes);
    let skipped = bytes.len() - body.len();
    let xml_marker = memchr::memchr2_iter(b'&', b'<', bytes).any(|i| match (bytes[i], bytes.get(i + 1)) {
        (b'&', Some(b'#')) | (b'<', Some(b'!')) => true,
        // A leading `<?...>` declaration stands before the root element and cannot join text.
        (b'<', Some(b'?')) => i >= skipped,
        _ => false,
    });
    if xml_marker {
        return true;
    }
    memchr::memmem::find_iter(bytes, b"\\u").any(|i| {
        // `i` is the backslash just before `u`; count the whole run that ends there.
        let run = bytes[..=i].iter().rev().take_while(|&&c| c == b'\\').count();
        run % 2 == 1
    })
}

/// `bytes` after a leading `<?...>` (an XML declaration, skipped to its first `>` as the XML
/// reader does): it stands before the root element, so it cannot join text.
fn after_xml_declaration(bytes: &[u8]) -> &[u8] {
    let rest = skip_leading(bytes);
    if !rest.starts_with(b"<?") {
        return bytes;
    }
    memchr::memchr(b'>', rest).map_or(bytes, |end| &rest[end + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, bool)] = &[
            ("", false),
            ("dns.exe", true),
            ("DNS.EXE", true),
            ("x", false),
            ("...\\\\Dns.Exe\"", true),
            ("C:\\\\Windows\\\\System32\\\\cmd.exe", false),
            ("mydns.exe", true), // mentions it; the decoder decides
            ("dns.ex", false),
            ("dns-exe", false),
            ("\\u0064ns.exe", true),
            ("C:\\\\users\\\\x", false),  // an escaped backslash followed by 'u'
            ("C:\\\\\\users", true),     // odd run: a real \u
            ("d&#110;s.exe", true),
            ("a &amp; b", false),
            ("dn<![CDATA[s]]>.exe", true),
            ("dn<?x?>s.exe", true), // a processing instruction inside the text also joins it
            ("<?xml version='1.0'?><Event/>", false), // a leading declaration cannot
            ("\u{feff}<?xml version='1.0'?>\n<Event>dn<?x?>s.exe</Event>", true),
            ("<Data>dn</Data>", false),
        ];
        for (input, want) in cases {
            assert_eq!(may_match(input.as_bytes()), *want, "{input:?}");
        }
    }

    #[test]
    fn what_looks_like_an_event() {
        for (input, want) in [("{}", true), ("<Event/>", true), (" \r\n\t{", true), ("\u{feff}<", true), ("", false), ("  ", false), ("[{}]", false), ("x{", false)] {
            assert_eq!(looks_like_event(input.as_bytes()), want, "{input:?}");
        }
    }
}
