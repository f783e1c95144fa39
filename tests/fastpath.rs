//! The fast path never changes a verdict: `Engine::explain` (fast path first) and
//! `Engine::explain_full` (decode and rule only) agree on "alert or not" for generated
//! events of every shape, with parents and children spelled every way the formats allow
//! (random case, JSON `\u` escapes, XML character references, CDATA, comments, processing
//! instructions), with junk spliced in, truncated, and for arbitrary strings and bytes.

mod builders;

use builders::{Enc, SHAPES};
use dnschild::{fastpath, Engine, EventError, Outcome};
use proptest::prelude::*;
use proptest::sample::Index;

fn is_alert(r: &Result<Outcome, EventError>) -> bool {
    matches!(r, Ok(Outcome::Alert(_)))
}

/// Both paths on one event; returns the verdict.
fn agree(e: &Engine, event: &str) -> bool {
    let fast = e.explain(event);
    let full = e.explain_full(event);
    assert_eq!(is_alert(&fast), is_alert(&full), "fast path and full path disagree\nevent: {event:?}\nfast: {fast:?}\nfull: {full:?}");
    if fast != Ok(Outcome::FastReject) {
        assert_eq!(fast, full, "past the fast path the outcome is the full path's");
    }
    is_alert(&full)
}

const PREFIXES: [&str; 9] = [
    r"C:\Windows\System32\",
    r"\\?\C:\Windows\System32\",
    r"\??\C:\Windows\System32\",
    r"\Device\HarddiskVolume2\Windows\System32\",
    r"\\srv01\share$\",
    "C:/Windows/System32/",
    "",
    r"D:\Tools\",
    r"C:\Program Files\Acme DNS\",
];
const PARENT_NAMES: [&str; 9] = ["dns.exe", "dns.exe", "dns.exe", "mydns.exe", "dns.exe.bak", "dns.ex", "dnsexe", "d.ns.exe", "services.exe"];
const CHILD_NAMES: [&str; 7] = ["cmd.exe", "conhost.exe", "powershell.exe", "dns.exe", "WerFault.exe", "rundll32.exe", "conhost.exe.exe"];

/// `s` with the letters at `upper` upper-cased.
fn with_case(s: &str, upper: &[bool]) -> String {
    s.chars().enumerate().map(|(i, c)| if upper.get(i).copied().unwrap_or(false) { c.to_ascii_uppercase() } else { c }).collect()
}

/// A JSON string body for `s`, with the characters at `mask` written as `\u` escapes.
fn json_encode(s: &str, mask: &[bool]) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if mask.get(i).copied().unwrap_or(false) {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&if i % 2 == 0 { format!("\\u{unit:04x}") } else { format!("\\u{unit:04X}") });
            }
        } else {
            out.push_str(&builders::json_body(&c.to_string()));
        }
    }
    out
}

/// XML text for `s`, cut into chunks; each chunk plain, as character references or as
/// CDATA, with a comment or a processing instruction between some chunks.
/// `cuts` are (char position, chunk encoding, separator before the chunk).
fn xml_encode(s: &str, cuts: &[(usize, u8, u8)]) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut bounds: Vec<(usize, u8, u8)> = cuts.iter().map(|&(i, e, sep)| (i.min(chars.len()), e, sep)).collect();
    bounds.sort_by_key(|b| b.0);
    bounds.dedup_by_key(|b| b.0);
    if bounds.first().is_none_or(|b| b.0 != 0) {
        bounds.insert(0, (0, 0, 0));
    }
    let mut out = String::new();
    for (k, &(start, enc, sep)) in bounds.iter().enumerate() {
        let end = bounds.get(k + 1).map_or(chars.len(), |b| b.0);
        let chunk: String = chars[start..end].iter().collect();
        if k > 0 {
            out.push_str(match sep {
                1 => "<!-- cut -->",
                2 => "<?dnschild cut?>",
                _ => "",
            });
        }
        match enc {
            1 => chunk.chars().for_each(|c| out.push_str(&format!("&#{};", c as u32))),
            2 => chunk.chars().for_each(|c| out.push_str(&format!("&#x{:X};", c as u32))),
            3 if !chunk.is_empty() => out.push_str(&format!("<![CDATA[{chunk}]]>")),
            _ => out.push_str(&builders::xml_text(&chunk)),
        }
    }
    out
}

/// How one hole hides its file name: one mechanism at a time, so that the fast path must
/// recognise each on its own, or all of them mixed over the whole path.
#[derive(Debug, Clone)]
struct Hiding {
    mode: u8,
    at: (Index, Index),
    mask: Vec<bool>,
    cuts: Vec<(Index, u8, u8)>,
}

fn hiding() -> impl Strategy<Value = Hiding> {
    (0u8..7, (any::<Index>(), any::<Index>()), prop::collection::vec(prop::bool::weighted(0.3), 64), prop::collection::vec((any::<Index>(), 0u8..4, 0u8..3), 0..4))
        .prop_map(|(mode, at, mask, cuts)| Hiding { mode, at, mask, cuts })
}

/// `prefix` + `name` encoded for a hole of kind `enc`, the name hidden as `h` says.
fn encode_hole(enc: Enc, prefix: &str, name: &str, h: &Hiding) -> String {
    let n = name.chars().count();
    let (a, b) = (h.at.0.index(n + 1), h.at.1.index(n + 1));
    let (lo, hi) = (a.min(b), a.max(b));
    // XML text of the name for modes 2..=5 (one mechanism), plain otherwise.
    let xml_name = match h.mode {
        2 => xml_encode(name, &[(lo, if lo % 2 == 0 { 2 } else { 1 }, 0), (hi, 0, 0)]),
        3 => xml_encode(name, &[(lo, 3, 0), (hi.max(lo + 1), 0, 0)]),
        4 => xml_encode(name, &[(lo, 0, 1)]),
        5 => xml_encode(name, &[(lo, 0, 2)]),
        _ => builders::xml_text(name),
    };
    let no_mask: &[bool] = &[];
    let name_mask = if matches!(h.mode, 1) { &h.mask[..] } else { no_mask };
    let cuts: Vec<(usize, u8, u8)> = {
        let total = prefix.chars().count() + n;
        h.cuts.iter().map(|(i, e, sep)| (i.index(total + 1), *e, *sep)).collect()
    };
    match (enc, h.mode) {
        // Mode 6: cuts and `\u` escapes anywhere in the whole path.
        (Enc::Json, 6) => json_encode(&format!("{prefix}{name}"), &h.mask),
        (Enc::Xml, 6) => xml_encode(&format!("{prefix}{name}"), &cuts),
        (Enc::XmlInJson, 6) => json_encode(&xml_encode(&format!("{prefix}{name}"), &cuts), &h.mask),
        // JSON has only `\u`: every other mode escapes the name's letters between lo and hi.
        (Enc::Json, 0) => json_encode(&format!("{prefix}{name}"), no_mask),
        (Enc::Json, 1) => format!("{}{}", json_encode(prefix, no_mask), json_encode(name, name_mask)),
        (Enc::Json, _) => {
            let mask: Vec<bool> = (0..n).map(|i| i >= lo && i < hi.max(lo + 1)).collect();
            format!("{}{}", json_encode(prefix, no_mask), json_encode(name, &mask))
        }
        (Enc::Xml, _) => format!("{}{xml_name}", builders::xml_text(prefix)),
        // XML inside JSON: the XML mechanism, or (mode 1) `\u` escapes at the JSON layer.
        (Enc::XmlInJson, _) => format!("{}{}", json_encode(&builders::xml_text(prefix), no_mask), json_encode(&xml_name, name_mask)),
    }
}

/// Splices `junk` into `text` at a char boundary near `at`.
fn splice(text: &str, at: Index, junk: &str) -> String {
    let mut i = at.index(text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    format!("{}{junk}{}", &text[..i], &text[i..])
}

fn truncate(text: &str, at: Index) -> String {
    let mut i = at.index(text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    text[..i].to_string()
}

const TOKENS: [&str; 50] = [
    "{", "}", "[", "]", ",", ":", "\"", "\\", "\\\\", r"\u0064", r"\u0044", r"\u006e", "ns.exe", "dns.exe", "DNS.EXE", "d", "n", "s", ".exe",
    "&#x64;", "&#100;", "&amp;", "<![CDATA[", "]]>", "<!--", "-->", "<?", "?>", "<Event>", "</Event>", "<EventID>1</EventID>",
    "<EventData>", "</EventData>", "<Data Name='ParentImage'>", "<Data Name='Image'>", "</Data>", r#""ParentImage":"#, r#""Image":"#,
    r#""PARENTPROCESSNAME":"#, r#""PROCESSNAME":"#, r#""actionname":"Process started","#, r"C:\\Windows\\", r"C:\Windows\", "cmd.exe",
    " ", "\n", "\u{feff}", "é", "1", "null",
];

fn junk() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&TOKENS[..]), 0..6).prop_map(|t| t.concat())
}

/// Everything that decides one generated event.
#[derive(Debug, Clone)]
struct Gen {
    shape: Index,
    parent: (Index, Index, Vec<bool>),
    child: (Index, Index, Vec<bool>),
    hide: (Hiding, Hiding),
    junk: Option<(Index, String)>,
    cut_at: Option<Index>,
}

fn gen() -> impl Strategy<Value = Gen> {
    let name = || (any::<Index>(), any::<Index>(), prop::collection::vec(prop::bool::weighted(0.3), 16));
    (
        any::<Index>(),
        name(),
        name(),
        (hiding(), hiding()),
        prop::option::weighted(0.2, (any::<Index>(), junk())),
        prop::option::weighted(0.1, any::<Index>()),
    )
        .prop_map(|(shape, parent, child, hide, junk, cut_at)| Gen { shape, parent, child, hide, junk, cut_at })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn shaped_events(g in gen()) {
        let e = Engine::default();
        let case = g.shape.get(&SHAPES[..]);
        let parent_name = with_case(g.parent.1.get::<&str>(&PARENT_NAMES), &g.parent.2);
        let child_name = with_case(g.child.1.get::<&str>(&CHILD_NAMES), &g.child.2);
        let (parent_dir, child_dir) = (*g.parent.0.get(&PREFIXES[..]), *g.child.0.get(&PREFIXES[..]));
        let (parent, child) = (format!("{parent_dir}{parent_name}"), format!("{child_dir}{child_name}"));
        let mut event = case.raw(&encode_hole(case.enc, parent_dir, &parent_name, &g.hide.0), &encode_hole(case.enc, child_dir, &child_name, &g.hide.1));
        let intact = g.junk.is_none() && g.cut_at.is_none();
        if let Some((at, j)) = &g.junk {
            event = splice(&event, *at, j);
        }
        if let Some(at) = g.cut_at {
            event = truncate(&event, at);
        }
        let got = agree(&e, &event);
        if intact {
            // The oracle: the seed profile, by file names alone.
            let want = parent_name.eq_ignore_ascii_case("dns.exe") && !child_name.eq_ignore_ascii_case("conhost.exe");
            prop_assert_eq!(got, want, "{} {:?} -> {:?}\n{}", case.label, parent, child, event);
        }
    }

    #[test]
    fn token_soup(tokens in prop::collection::vec(prop::sample::select(&TOKENS[..]), 0..48)) {
        agree(&Engine::default(), &tokens.concat());
    }

    #[test]
    fn arbitrary_strings(s in any::<String>()) {
        agree(&Engine::default(), &s);
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let e = Engine::default();
        match std::str::from_utf8(&bytes) {
            Ok(s) => {
                let via_bytes = matches!(e.evaluate_bytes(&bytes), Ok(Some(_)));
                prop_assert_eq!(via_bytes, is_alert(&e.explain_full(s)));
                agree(&e, s);
            }
            Err(err) => prop_assert_eq!(e.evaluate_bytes(&bytes), Err(EventError::InvalidUtf8 { offset: err.valid_up_to() })),
        }
    }
}

#[test]
fn a_processing_instruction_cannot_hide_dns_exe() {
    // Found while writing these tests: the XML reader skips `<?...?>` and joins the text
    // around it, so the fast path must not reject on the absence of `dns.exe` alone.
    let e = Engine::default();
    let xml = SHAPES.iter().find(|c| c.enc == Enc::Xml).unwrap();
    let fb = SHAPES.iter().find(|c| c.enc == Enc::XmlInJson).unwrap();
    for (case, hole) in [(xml, r"C:\Windows\System32\dn<?x?>s.exe"), (fb, r"C:\\Windows\\System32\\dn<?x?>s.exe")] {
        let event = case.raw(hole, "cmd.exe");
        assert!(!fastpath::mentions_dns_exe(event.as_bytes()));
        assert!(agree(&e, &event), "{}", case.label);
    }
}

#[test]
fn a_leading_xml_declaration_does_not_defeat_the_fast_path() {
    let e = Engine::default();
    let plain = "<?xml version='1.0' encoding='UTF-8'?>\n<Event><System><EventID>1</EventID></System><EventData><Data Name='ParentImage'>C:\\Windows\\explorer.exe</Data></EventData></Event>";
    assert_eq!(e.explain(plain).unwrap(), Outcome::FastReject);
    // A second `<?` after the declaration still goes to the full path.
    let hidden = plain.replace(r"C:\Windows\explorer.exe", r"C:\Windows\System32\dn<?x?>s.exe");
    assert!(matches!(e.explain(&hidden).unwrap(), Outcome::Alert(_)));
    let bom = format!("\u{feff}{hidden}");
    assert!(matches!(e.explain(&bom).unwrap(), Outcome::Alert(_)));
}

#[test]
fn the_generators_reach_every_encoding() {
    // The property above is only as good as its inputs: pin what the encoders produce.
    assert_eq!(json_encode("dns", &[true, false, true]), r"\u0064n\u0073");
    assert_eq!(json_encode("d\\\"", &[false, false, true]), r#"d\\\u0022"#);
    assert_eq!(json_encode("é", &[false]), "é");
    assert_eq!(xml_encode("dns.exe", &[(0, 1, 0)]), "&#100;&#110;&#115;&#46;&#101;&#120;&#101;");
    assert_eq!(xml_encode("dns.exe", &[(2, 2, 0), (4, 3, 1), (5, 0, 2)]), "dn&#x73;&#x2E;<!-- cut --><![CDATA[e]]><?dnschild cut?>xe");
    assert_eq!(xml_encode("a&b", &[]), "a&amp;b");
    assert_eq!(with_case("dns.exe", &[true, false, true]), "DnS.exe");
}
