//! A word-at-a-time pre-scan in front of the core's fast path, for Fluent Bit's interpreter.
//!
//! [`dnschild::fastpath::may_match`] is exact but runs five byte-oriented searches
//! (`memchr`/`memmem` have no SIMD in wasm32 and Fluent Bit's interpreter has none either):
//! about 30 Wasm operators per byte of a benign record. This scan reads the record eight bytes
//! at a time and looks only for the bytes every trigger of `may_match` must contain:
//!
//! - `x`/`X` — the sixth byte of `dns.exe`; then the seven bytes around it are compared;
//! - `u` after `\` — a JSON `\u` escape; `&` before `#` — an XML character reference;
//!   `<` before `!` or `?` — a CDATA section, comment or processing instruction.
//!
//! Each word costs a few dozen operators; only real anchor bytes (found with exact masks and
//! `ctz`) get a closer look. It is conservative: [`may_match`] is `true` whenever the core's `may_match` is (a `\u`
//! after an even run of backslashes, or a leading XML declaration, still count here), so
//! `false` is a proof and `true` sends the record on to the core's exact test.

/// Whether the core's fast path could say "may match" for `bytes` (`false` is a proof that
/// it would not).
pub fn may_match(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for c in chunks.by_ref() {
        let mut m = anchors(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        while m != 0 {
            if trigger_at(bytes, base + (m.trailing_zeros() / 8) as usize) {
                return true;
            }
            m &= m - 1;
        }
        base += 8;
    }
    (base..bytes.len()).any(|i| trigger_at(bytes, i))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The anchor bytes of the little-endian word `w` — `x` (either case), `u`, `&`, `<` —
/// as a mask with the high bit of each such byte set (exact: no carries between bytes).
#[inline(always)]
fn anchors(w: u64) -> u64 {
    // High bit set in each byte of `v` that is not 0.
    let nonzero = |v: u64| ((v & LOW7) + LOW7) | v;
    let splat = |b: u8| ONES * u64::from(b);
    let folded = w | splat(0x20);
    !(nonzero(folded ^ splat(b'x')) & nonzero(w ^ splat(b'u')) & nonzero(w ^ splat(b'&')) & nonzero(w ^ splat(b'<'))) & HIGHS
}

/// Whether a trigger of the core's fast path is anchored at `i`: the `x` of `dns.exe`, the
/// `u` of `\u`, the `&` of `&#`, the `<` of `<!` or `<?`.
fn trigger_at(bytes: &[u8], i: usize) -> bool {
    let next = bytes.get(i + 1).copied();
    match bytes.get(i) {
        // `s` three bytes back first: it rules out the `x` of every other `*.exe` cheaply.
        Some(b'x' | b'X') => {
            i.checked_sub(3).and_then(|p| bytes.get(p)).is_some_and(|&b| b | 0x20 == b's')
                && i.checked_sub(5).and_then(|s| bytes.get(s..i + 2)).is_some_and(|w| w.eq_ignore_ascii_case(b"dns.exe"))
        }
        Some(b'u') => i.checked_sub(1).and_then(|p| bytes.get(p)) == Some(&b'\\'),
        Some(b'&') => next == Some(b'#'),
        Some(b'<') => matches!(next, Some(b'!' | b'?')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{anchors, may_match};
    use dnschild::fastpath;

    #[test]
    fn anchor_masks_are_exact() {
        for b in 0..=255u8 {
            for j in 0..8 {
                let mut bytes = [b'a'; 8];
                bytes[j] = b;
                let want = if matches!(b, b'x' | b'X' | b'u' | b'&' | b'<') { 0x80u64 << (8 * j) } else { 0 };
                assert_eq!(anchors(u64::from_le_bytes(bytes)), want, "byte {b:#x} at {j}");
            }
        }
        assert_eq!(anchors(u64::from_le_bytes(*b"xXu&<<xx")), 0x8080_8080_8080_8080);
    }

    #[test]
    fn table() {
        let cases: &[(&[u8], bool)] = &[
            (b"", false),
            (b"dns.exe", true),
            (b"{\"a\":\"C:\\\\Windows\\\\System32\\\\DNS.EXE\"}", true),
            (b"{\"a\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}", false),
            (b"........dns.ex", false),
            (b".......dns.exe", true), // across a word boundary
            (b"\\u0064", true),
            (b"\\\\users", true), // conservative: an even run still goes to the core
            (b"a &amp; b", false),
            (b"d&#110;s", true),
            (b"<![CDATA[", true),
            (b"<?xml?>", true),
            (b"x", false),
            (b"u#!?&<", false),
            (b"<", false),
            (b"&", false),
        ];
        for (input, want) in cases {
            assert_eq!(may_match(input), *want, "{:?}", String::from_utf8_lossy(input));
        }
    }

    /// Never "no" where the core says "maybe", over many generated inputs.
    #[test]
    fn conservative_against_the_core() {
        let alphabet: &[&[u8]] = &[b"d", b"n", b"s", b".", b"e", b"x", b"X", b"D", b"\\", b"u", b"&", b"#", b"<", b"!", b"?", b"a", b"dns.exe", b"DnS.eXe", b"<?xml version='1.0'?>", b" ", b"\xef\xbb\xbf"];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut maybes = 0;
        for _ in 0..200_000 {
            let len = (next() % 24) as usize;
            let mut s = Vec::new();
            for _ in 0..len {
                s.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if fastpath::may_match(&s) {
                maybes += 1;
                assert!(may_match(&s), "{:?}", String::from_utf8_lossy(&s));
            }
        }
        assert!(maybes > 50_000, "{maybes}");
    }
}
