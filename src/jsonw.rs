//! A tiny JSON writer for the alert renderers: objects and arrays built with closures,
//! keys in the order written, strings escaped per RFC 8259.

use alloc::string::String;
use core::fmt::Write;

/// Writes a JSON object into `out`.
pub fn object(out: &mut String, f: impl FnOnce(&mut Obj<'_>)) {
    out.push('{');
    let mut o = Obj { out, first: true };
    f(&mut o);
    out.push('}');
}

/// Appends `s` as a JSON string literal.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut from = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(esc);
        }
        from = i + c.len_utf8();
    }
    out.push_str(&s[from..]);
    out.push('"');
}

/// An object being written.
pub struct Obj<'o> {
    out: &'o mut String,
    first: bool,
}

impl Obj<'_> {
    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, k);
        self.out.push(':');
    }

    /// `"k": "v"`
    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        string(self.out, v);
        self
    }

    /// `"k": "v"` when `v` is present; nothing otherwise.
    pub fn opt(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.str(k, v);
        }
        self
    }

    /// `"k": n`
    pub fn num(&mut self, k: &str, n: i64) -> &mut Self {
        self.key(k);
        let _ = write!(self.out, "{n}");
        self
    }

    /// `"k": true|false`
    pub fn bool(&mut self, k: &str, b: bool) -> &mut Self {
        self.key(k);
        self.out.push_str(if b { "true" } else { "false" });
        self
    }

    /// `"k": { ... }`
    pub fn obj(&mut self, k: &str, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.key(k);
        object(self.out, f);
        self
    }

    /// `"k": ["a", "b"]`
    pub fn strs<'s>(&mut self, k: &str, items: impl IntoIterator<Item = &'s str>) -> &mut Self {
        self.arr(k, |a| {
            for s in items {
                a.str(s);
            }
        })
    }

    /// `"k": [ ... ]`
    pub fn arr(&mut self, k: &str, f: impl FnOnce(&mut Arr<'_>)) -> &mut Self {
        self.key(k);
        self.out.push('[');
        let mut a = Arr { out: self.out, first: true };
        f(&mut a);
        self.out.push(']');
        self
    }
}

/// An array being written.
pub struct Arr<'o> {
    out: &'o mut String,
    first: bool,
}

impl Arr<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    /// A string item.
    pub fn str(&mut self, s: &str) {
        self.sep();
        string(self.out, s);
    }

    /// An object item.
    pub fn obj(&mut self, f: impl FnOnce(&mut Obj<'_>)) {
        self.sep();
        object(self.out, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_nesting() {
        let mut s = String::new();
        object(&mut s, |o| {
            o.str("a", "q\"\\\n\u{1}é").num("n", -3).opt("none", None).bool("b", true);
            o.obj("o", |o| {
                o.strs("l", ["x", "y"]);
            });
            o.arr("e", |_| {});
        });
        assert_eq!(s, r#"{"a":"q\"\\\n\u0001é","n":-3,"b":true,"o":{"l":["x","y"]},"e":[]}"#);
    }
}
