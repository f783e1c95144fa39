//! Reading the example Vector configurations (`host-examples/vector/*.yaml`) just enough
//! to check them: Vector silently accepts unknown keys in some components (the socket
//! sink), so the test compares every key with the options Vector documents.
#![allow(dead_code)]

use std::collections::BTreeMap;

/// A YAML value of the subset the examples use: maps, lists of scalars, scalars, `|` blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Map(BTreeMap<String, Yaml>),
    List(Vec<String>),
    Scalar(String),
}

impl Yaml {
    pub fn get(&self, path: &str) -> Option<&Yaml> {
        path.split('.').try_fold(self, |v, k| match v {
            Yaml::Map(m) => m.get(k),
            _ => None,
        })
    }

    pub fn str(&self, path: &str) -> Option<&str> {
        match self.get(path)? {
            Yaml::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn list(&self, path: &str) -> Vec<String> {
        match self.get(path) {
            Some(Yaml::List(l)) => l.clone(),
            _ => Vec::new(),
        }
    }

    /// Every key path below this map (`a.b.c`), leaves only.
    pub fn leaf_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Yaml::Map(m) = self {
            for (k, v) in m {
                match v {
                    Yaml::Map(_) => out.extend(v.leaf_paths().into_iter().map(|p| format!("{k}.{p}"))),
                    _ => out.push(k.clone()),
                }
            }
        }
        out
    }
}

/// Parses the subset; panics (a test failure) on anything else.
pub fn parse(text: &str) -> Yaml {
    let lines: Vec<(usize, String)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| (l.len() - l.trim_start().len(), l.trim().to_string()))
        .collect();
    let mut at = 0;
    let v = block(&lines, &mut at, 0);
    assert_eq!(at, lines.len(), "unparsed YAML from line {at}: {:?}", lines.get(at));
    v
}

fn block(lines: &[(usize, String)], at: &mut usize, indent: usize) -> Yaml {
    if lines.get(*at).is_some_and(|(i, l)| *i == indent && l.starts_with("- ")) {
        let mut items = Vec::new();
        while let Some((i, l)) = lines.get(*at).filter(|(i, l)| *i == indent && l.starts_with("- ")) {
            let _ = i;
            items.push(unquote(&l[2..]));
            *at += 1;
        }
        return Yaml::List(items);
    }
    let mut map = BTreeMap::new();
    while let Some((i, l)) = lines.get(*at) {
        if *i < indent {
            break;
        }
        assert_eq!(*i, indent, "unexpected indentation at {l:?}");
        let (k, v) = l.split_once(':').unwrap_or_else(|| panic!("not a key: {l:?}"));
        let (k, v) = (k.trim().to_string(), v.trim());
        *at += 1;
        let value = if v == "|" {
            let mut s = String::new();
            while let Some((_, l)) = lines.get(*at).filter(|(j, _)| *j > indent) {
                s.push_str(l);
                s.push('\n');
                *at += 1;
            }
            Yaml::Scalar(s)
        } else if v.is_empty() {
            let inner = lines.get(*at).map_or(indent + 2, |(j, _)| *j);
            assert!(inner > indent || lines[*at].1.starts_with("- "), "empty value for {k}");
            block(lines, at, inner)
        } else {
            Yaml::Scalar(unquote(v))
        };
        assert!(map.insert(k.clone(), value).is_none(), "duplicate key {k}");
    }
    Yaml::Map(map)
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))).unwrap_or(s).to_string()
}

/// The options each component type is documented with (Vector 0.58), as leaf key paths.
pub fn documented(kind: &str, component_type: &str) -> &'static [&'static str] {
    match (kind, component_type) {
        ("sources", "exec") => &[
            "type", "command", "mode", "streaming.respawn_on_exit", "streaming.respawn_interval_secs", "decoding.codec",
            "framing.method", "include_stderr", "maximum_buffer_size_bytes", "environment", "clear_environment", "working_directory",
        ],
        ("sources", "http_server") => &[
            "type", "address", "path", "method", "decoding.codec", "framing.method", "response_code", "strict_path", "acknowledgements.enabled",
        ],
        ("sources", "socket") => &["type", "address", "path", "mode", "decoding.codec", "framing.method", "max_length", "connection_limit", "shutdown_timeout_secs"],
        ("sources", "file") => &["type", "include", "exclude", "read_from"],
        ("transforms", "remap") => &["type", "inputs", "source"],
        ("transforms", "route") => &["type", "inputs"],
        ("sinks", "socket") => &["type", "inputs", "address", "path", "mode", "encoding.codec", "framing.method", "send_buffer_bytes", "acknowledgements.enabled"],
        ("sinks", "file") => &["type", "inputs", "path", "encoding.codec"],
        _ => &[],
    }
}
