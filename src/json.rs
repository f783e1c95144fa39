//! A small, iterative JSON reader that builds a flat *tape* of borrowed tokens.
//!
//! Only the handful of fields a rule needs are ever decoded, so the reader does not
//! build a tree of owned values: it validates the whole document once, records where
//! every value starts and ends, and lets callers walk objects by key. Nesting is
//! tracked with an explicit stack (never recursion), so a document nested 100,000
//! levels deep costs a typed [`JsonError`] rather than a stack overflow.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// Why a JSON document was rejected, with the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct JsonError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What went wrong.
    pub kind: JsonErrorKind,
}

/// The kinds of malformed JSON the reader reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JsonErrorKind {
    /// The input ended inside a value.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// A byte that cannot start or continue a value here.
    #[error("unexpected character")]
    UnexpectedChar,
    /// A backslash escape that JSON does not define, or a bad `\u` escape.
    #[error("invalid escape")]
    InvalidEscape,
    /// A raw control character inside a string.
    #[error("control character in string")]
    ControlChar,
    /// A malformed number.
    #[error("invalid number")]
    InvalidNumber,
    /// Something other than white space after the top-level value.
    #[error("trailing characters after the value")]
    TrailingChars,
    /// Containers nested deeper than the configured limit.
    #[error("nesting deeper than the limit")]
    TooDeep,
    /// More values than the configured limit.
    #[error("more values than the limit")]
    TooManyValues,
}

/// The type of one tape token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{ ... }`
    Object,
    /// `[ ... ]`
    Array,
    /// A string; the span excludes the quotes.
    String,
    /// A number; the span is its literal text.
    Number,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
}

/// One token on the tape.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// Whether a string contains backslash escapes (so it must be decoded).
    escaped: bool,
    start: u32,
    end: u32,
    /// Index of the first token after this value (and its children).
    next: u32,
}

/// A validated JSON document: the source text and its tape.
#[derive(Debug)]
pub struct Doc<'a> {
    src: &'a str,
    tape: Vec<Token>,
}

/// A handle on one value inside a [`Doc`].
#[derive(Debug, Clone, Copy)]
pub struct Value<'d, 'a> {
    doc: &'d Doc<'a>,
    idx: usize,
}

impl<'a> Doc<'a> {
    /// Reads `src` as one JSON value, rejecting containers nested deeper than `max_depth`.
    pub fn parse(src: &'a str, max_depth: usize) -> Result<Self, JsonError> {
        Doc::parse_limited(src, max_depth, usize::MAX)
    }

    /// As [`Doc::parse`], also rejecting a document of more than `max_values` values (every
    /// object, array, string, number and literal counts one; object keys do not).
    pub fn parse_limited(src: &'a str, max_depth: usize, max_values: usize) -> Result<Self, JsonError> {
        Parser { b: src.as_bytes(), pos: 0, tape: Vec::new(), stack: Vec::new(), max_depth, values_left: max_values }
            .run()
            .map(|tape| Doc { src, tape })
    }

    /// The top-level value.
    pub fn root(&self) -> Value<'_, 'a> {
        Value { doc: self, idx: 0 }
    }
}

impl<'d, 'a> Value<'d, 'a> {
    fn tok(&self) -> Token {
        self.doc.tape[self.idx]
    }

    /// The value's JSON type.
    pub fn kind(&self) -> Kind {
        self.tok().kind
    }

    /// The member `key` of an object (the last one, if the key repeats), or `None`.
    pub fn get(&self, key: &str) -> Option<Value<'d, 'a>> {
        let t = self.tok();
        if t.kind != Kind::Object {
            return None;
        }
        let mut found = None;
        let mut i = self.idx + 1;
        let end = (t.next as usize).min(self.doc.tape.len());
        while i + 1 < end {
            let k = Value { doc: self.doc, idx: i };
            let v = i + 1;
            if k.key_eq(key) {
                found = Some(Value { doc: self.doc, idx: v });
            }
            i = self.doc.tape[v].next as usize;
        }
        found
    }

    /// The members `keys` of an object, found in one pass over its members (the last one of
    /// a repeated key, as [`Value::get`]); all `None` for anything but an object. Cheaper
    /// than a `get` per key when an object has many members and several are wanted.
    pub fn get_many<const N: usize>(&self, keys: &[&str; N]) -> [Option<Value<'d, 'a>>; N] {
        let mut found = [None; N];
        let src = self.doc.src.as_bytes();
        for (k, v) in self.members() {
            let t = k.tok();
            let decoded;
            let name: &[u8] = if t.escaped {
                decoded = decode_string(k.raw());
                decoded.as_bytes()
            } else {
                src.get(t.start as usize..t.end as usize).unwrap_or_default()
            };
            for (slot, key) in found.iter_mut().zip(keys) {
                if name.len() == key.len() && name == key.as_bytes() {
                    *slot = Some(v);
                }
            }
        }
        found
    }

    /// Follows a path of object keys, e.g. `["Event", "System", "Computer"]`.
    pub fn path(&self, keys: &[&str]) -> Option<Value<'d, 'a>> {
        let mut v = *self;
        for k in keys {
            v = v.get(k)?;
        }
        Some(v)
    }

    /// Iterates over the members of an object as `(key, value)`; empty for non-objects.
    pub fn members(&self) -> impl Iterator<Item = (Value<'d, 'a>, Value<'d, 'a>)> + 'd {
        let t = self.tok();
        let doc = self.doc;
        let end = if t.kind == Kind::Object { t.next as usize } else { self.idx + 1 };
        let mut i = self.idx + 1;
        core::iter::from_fn(move || {
            if i >= end {
                return None;
            }
            let k = Value { doc, idx: i };
            let v = Value { doc, idx: i + 1 };
            i = doc.tape[i + 1].next as usize;
            Some((k, v))
        })
    }

    /// Iterates over the items of an array; empty for non-arrays.
    pub fn items(&self) -> impl Iterator<Item = Value<'d, 'a>> + 'd {
        let t = self.tok();
        let doc = self.doc;
        let end = if t.kind == Kind::Array { t.next as usize } else { self.idx + 1 };
        let mut i = self.idx + 1;
        core::iter::from_fn(move || {
            if i >= end {
                return None;
            }
            let v = Value { doc, idx: i };
            i = doc.tape[i].next as usize;
            Some(v)
        })
    }

    /// Number of items in an array (0 for anything else).
    pub fn len(&self) -> usize {
        self.items().count()
    }

    /// Whether an array has no items (true for anything that is not an array).
    pub fn is_empty(&self) -> bool {
        self.items().next().is_none()
    }

    /// The raw text of a string (without quotes, escapes not decoded) or of a number/literal.
    fn raw(&self) -> &'a str {
        let t = self.tok();
        self.doc.src.get(t.start as usize..t.end as usize).unwrap_or("")
    }

    #[inline]
    fn key_eq(&self, key: &str) -> bool {
        let t = self.tok();
        if t.escaped {
            decode_string(self.raw()) == key
        } else {
            // Lengths first: most keys differ there, and no slice is made for them.
            (t.end - t.start) as usize == key.len() && self.doc.src.as_bytes().get(t.start as usize..t.end as usize) == Some(key.as_bytes())
        }
    }

    /// A string's decoded text, or the literal text of a number; `None` for other types.
    ///
    /// Every `\u` escape is decoded (surrogate pairs joined, lone surrogates become
    /// U+FFFD), so nothing can hide behind an escape.
    pub fn text(&self) -> Option<Cow<'a, str>> {
        let t = self.tok();
        match t.kind {
            Kind::String if t.escaped => Some(Cow::Owned(decode_string(self.raw()))),
            Kind::String | Kind::Number => Some(Cow::Borrowed(self.raw())),
            _ => None,
        }
    }

    /// The value as an integer: a JSON integer, or a string holding one.
    pub fn as_i64(&self) -> Option<i64> {
        self.text()?.trim().parse().ok()
    }

    /// Whether the value is the string `s` (ASCII case-insensitive), or an array holding it.
    pub fn has_str_ci(&self, s: &str) -> bool {
        match self.kind() {
            Kind::Array => self.items().any(|v| v.has_str_ci(s)),
            Kind::String => self.text().is_some_and(|t| t.eq_ignore_ascii_case(s)),
            _ => false,
        }
    }
}

/// The offset of the first byte of `b` that is `"`, `\` or a control character (< 0x20).
///
/// Eight bytes at a time: for each test, `(x - 0x01..) & !x & 0x80..` flags the bytes that are
/// zero (or, for `w - 0x20..`, below 0x20). A flag can be wrong only in a byte after a true
/// one (a borrow runs upward), so the lowest flag of the three is exact.
#[inline]
fn string_special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for c in chunks.by_ref() {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let flags = (zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | (w.wrapping_sub(ONES * 0x20) & !w)) & HIGHS;
        if flags != 0 {
            return Some(base + (flags.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks.remainder().iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| base + p)
}

/// Decodes the escapes of a validated JSON string body.
fn decode_string(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    // Copy the runs between backslashes whole; decode each escape.
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let mut chars = rest[at + 1..].chars();
        decode_escape(&mut chars, &mut out);
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

/// Decodes one escape (the text after its backslash) from `chars` into `out`.
fn decode_escape(chars: &mut core::str::Chars<'_>, out: &mut String) {
    match chars.next() {
        Some('n') => out.push('\n'),
        Some('t') => out.push('\t'),
        Some('r') => out.push('\r'),
        Some('b') => out.push('\u{8}'),
        Some('f') => out.push('\u{c}'),
        Some('u') => {
            let hi = hex4(chars);
            let c = if (0xD800..0xDC00).contains(&hi) {
                // A high surrogate: join with a following `\uDC00..DFFF`, if there is one.
                let mut ahead = chars.clone();
                if ahead.next() == Some('\\') && ahead.next() == Some('u') {
                    let lo = hex4(&mut ahead);
                    if (0xDC00..0xE000).contains(&lo) {
                        *chars = ahead;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        None
                    }
                } else {
                    None
                }
            } else {
                char::from_u32(hi)
            };
            out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        Some(other) => out.push(other), // `\"`, `\\`, `\/`
        None => {}
    }
}

fn hex4(chars: &mut core::str::Chars<'_>) -> u32 {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0);
    }
    v
}

struct Parser<'b> {
    b: &'b [u8],
    pos: usize,
    tape: Vec<Token>,
    /// Tape indices of the open containers.
    stack: Vec<usize>,
    max_depth: usize,
    /// How many more values may be read.
    values_left: usize,
}

impl Parser<'_> {
    fn err(&self, kind: JsonErrorKind) -> JsonError {
        JsonError { offset: self.pos, kind }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_byte(&mut self) -> Result<u8, JsonError> {
        self.skip_ws();
        self.peek().ok_or_else(|| self.err(JsonErrorKind::UnexpectedEnd))
    }

    fn push(&mut self, kind: Kind, escaped: bool, start: usize, end: usize) {
        let next = self.tape.len() as u32 + 1;
        self.tape.push(Token { kind, escaped, start: start as u32, end: end as u32, next });
    }

    fn run(mut self) -> Result<Vec<Token>, JsonError> {
        if self.b.len() >= u32::MAX as usize {
            return Err(self.err(JsonErrorKind::UnexpectedChar));
        }
        // `opened` is true right after a container was opened: its first member (or its
        // closing bracket) comes next. Containers are walked with `self.stack`, not recursion.
        let mut opened = self.value()?;
        while let Some(&open) = self.stack.last() {
            let is_obj = self.tape[open].kind == Kind::Object;
            let close = if is_obj { b'}' } else { b']' };
            let c = self.expect_byte()?;
            if c == close {
                self.close();
                opened = false;
                continue;
            }
            if !opened {
                if c != b',' {
                    return Err(self.err(JsonErrorKind::UnexpectedChar));
                }
                self.pos += 1;
            }
            if is_obj {
                self.key()?;
            }
            opened = self.value()?;
        }
        self.skip_ws();
        if self.pos != self.b.len() {
            return Err(self.err(JsonErrorKind::TrailingChars));
        }
        Ok(self.tape)
    }

    fn close(&mut self) {
        self.pos += 1;
        if let Some(open) = self.stack.pop() {
            let next = self.tape.len() as u32;
            self.tape[open].next = next;
            self.tape[open].end = self.pos as u32;
        }
    }

    /// Reads `"key" :` inside an object.
    fn key(&mut self) -> Result<(), JsonError> {
        if self.expect_byte()? != b'"' {
            return Err(self.err(JsonErrorKind::UnexpectedChar));
        }
        self.string()?;
        if self.expect_byte()? != b':' {
            return Err(self.err(JsonErrorKind::UnexpectedChar));
        }
        self.pos += 1;
        Ok(())
    }

    /// Reads one scalar, or opens a container (returning `true`) without reading into it.
    fn value(&mut self) -> Result<bool, JsonError> {
        let c = self.expect_byte()?;
        self.values_left = self.values_left.checked_sub(1).ok_or_else(|| self.err(JsonErrorKind::TooManyValues))?;
        match c {
            c @ (b'{' | b'[') => {
                if self.stack.len() >= self.max_depth {
                    return Err(self.err(JsonErrorKind::TooDeep));
                }
                let kind = if c == b'{' { Kind::Object } else { Kind::Array };
                self.push(kind, false, self.pos, self.pos);
                self.stack.push(self.tape.len() - 1);
                self.pos += 1;
                Ok(true)
            }
            b'"' => self.string().map(|()| false),
            b't' => self.literal(b"true", Kind::True).map(|()| false),
            b'f' => self.literal(b"false", Kind::False).map(|()| false),
            b'n' => self.literal(b"null", Kind::Null).map(|()| false),
            b'-' | b'0'..=b'9' => self.number().map(|()| false),
            _ => Err(self.err(JsonErrorKind::UnexpectedChar)),
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<(), JsonError> {
        let end = self.pos + word.len();
        if self.b.get(self.pos..end) != Some(word) {
            return Err(self.err(JsonErrorKind::UnexpectedChar));
        }
        self.push(kind, false, self.pos, end);
        self.pos = end;
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - from
    }

    fn number(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            return Err(self.err(JsonErrorKind::InvalidNumber));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err(JsonErrorKind::InvalidNumber));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err(JsonErrorKind::InvalidNumber));
            }
        }
        self.push(Kind::Number, false, start, self.pos);
        Ok(())
    }

    /// Reads a string starting at the opening quote; validates escapes.
    fn string(&mut self) -> Result<(), JsonError> {
        self.pos += 1; // opening quote
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Skip ordinary bytes quickly: one pass finds the quote, a backslash or a
            // control character, whichever comes first.
            match string_special(&self.b[self.pos..]) {
                None => {
                    self.pos = self.b.len();
                    return Err(self.err(JsonErrorKind::UnexpectedEnd));
                }
                Some(off) => self.pos += off,
            }
            if self.b[self.pos] < 0x20 {
                return Err(self.err(JsonErrorKind::ControlChar));
            }
            if self.b[self.pos] == b'"' {
                self.push(Kind::String, escaped, start, self.pos);
                self.pos += 1;
                return Ok(());
            }
            escaped = true;
            self.pos += 1;
            match self.peek() {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                Some(b'u') => {
                    let hex = self.b.get(self.pos + 1..self.pos + 5);
                    if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                        return Err(self.err(JsonErrorKind::InvalidEscape));
                    }
                    self.pos += 5;
                }
                None => return Err(self.err(JsonErrorKind::UnexpectedEnd)),
                Some(_) => return Err(self.err(JsonErrorKind::InvalidEscape)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Doc<'_>, JsonError> {
        Doc::parse(s, 64)
    }

    #[test]
    fn string_special_agrees_with_a_naive_scan() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        // Every byte at every place of buffers up to 17 long, alone and before a later hit.
        for len in 0..=17usize {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut b = vec![b'a'; len];
                    b[at] = byte;
                    assert_eq!(string_special(&b), naive(&b), "{byte:#x} at {at} of {len}");
                    if at + 1 < len {
                        b[len - 1] = b'"';
                        assert_eq!(string_special(&b), naive(&b), "{byte:#x} at {at} of {len}, quote last");
                    }
                }
            }
        }
    }

    #[test]
    fn walks_objects_arrays_and_decodes_escapes() {
        let d = parse(r#"{"a":{"b":[1,"x",{"c":"\u0064ns.exe"}]},"k\u0065y":"v","n":-1.5e3}"#).unwrap();
        let r = d.root();
        let items: Vec<_> = r.path(&["a", "b"]).unwrap().items().collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_i64(), Some(1));
        assert_eq!(items[1].text().unwrap(), "x");
        assert_eq!(items[2].get("c").unwrap().text().unwrap(), "dns.exe");
        assert_eq!(r.get("key").unwrap().text().unwrap(), "v");
        assert_eq!(r.get("n").unwrap().text().unwrap(), "-1.5e3");
        assert_eq!(r.members().count(), 3);
    }

    #[test]
    fn surrogates_and_lone_surrogates() {
        let d = parse(r#"["\ud83d\ude00","\ud800x","\udc00"]"#).unwrap();
        let v: Vec<String> = d.root().items().map(|v| v.text().unwrap().into_owned()).collect();
        assert_eq!(v, ["😀", "\u{FFFD}x", "\u{FFFD}"]);
    }

    #[test]
    fn last_duplicate_key_wins() {
        let d = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(d.root().get("a").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn rejects_malformed_documents() {
        let cases: &[(&str, JsonErrorKind, usize)] = &[
            ("", JsonErrorKind::UnexpectedEnd, 0),
            ("{", JsonErrorKind::UnexpectedEnd, 1),
            ("{\"a\" 1}", JsonErrorKind::UnexpectedChar, 5),
            ("[1,]", JsonErrorKind::UnexpectedChar, 3),
            ("{\"a\":1,}", JsonErrorKind::UnexpectedChar, 7),
            ("\"\\x\"", JsonErrorKind::InvalidEscape, 2),
            ("\"\\u12g4\"", JsonErrorKind::InvalidEscape, 2),
            ("\"a\nb\"", JsonErrorKind::ControlChar, 2),
            ("01", JsonErrorKind::InvalidNumber, 2),
            ("-", JsonErrorKind::InvalidNumber, 1),
            ("1.", JsonErrorKind::InvalidNumber, 2),
            ("{} x", JsonErrorKind::TrailingChars, 3),
            ("tru", JsonErrorKind::UnexpectedChar, 0),
            ("[1 2]", JsonErrorKind::UnexpectedChar, 3),
            ("{\"a\":1]", JsonErrorKind::UnexpectedChar, 6),
        ];
        for (src, kind, offset) in cases {
            assert_eq!(parse(src).unwrap_err(), JsonError { kind: *kind, offset: *offset }, "{src:?}");
        }
    }

    #[test]
    fn deep_nesting_is_a_typed_error_not_a_crash() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().kind, JsonErrorKind::TooDeep);
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(parse(&ok).is_ok());
    }
}
