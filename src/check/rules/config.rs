//! Reading one `[[rules]]` table: typed keys, and errors that point at the line of the key at
//! fault (not just the `[[rules]]` header), because a strategy file may hold dozens of rules.

use std::ops::Range;
use std::path::Path;

use regex::{Regex, RegexBuilder};
use toml::Value;
use toml::de::{DeTable, DeValue};

use crate::error::Diagnostic;

/// One rule table with positions of its keys where the source could be re-read with spans.
pub(crate) struct Keys<'a> {
    file: &'a Path,
    text: &'a str,
    table: &'a toml::Table,
    spans: Option<&'a DeTable<'a>>,
    /// The rule table itself (its `[[rules]]` header).
    at: usize,
    pub(crate) kind: String,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> Keys<'a> {
    pub(crate) fn new(
        file: &'a Path,
        text: &'a str,
        table: &'a toml::Table,
        spans: Option<&'a DeTable<'a>>,
        at: usize,
    ) -> Self {
        Keys { file, text, table, spans, at, kind: String::new(), diagnostics: Vec::new() }
    }

    pub(crate) fn table(&self) -> &'a toml::Table {
        self.table
    }

    /// The rule's `[[rules]]` header: where problems with the rule as a whole are reported.
    pub(crate) fn header(&self) -> usize {
        self.at
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    fn span(&self, key: &str) -> Option<(Range<usize>, &'a DeValue<'a>, Range<usize>)> {
        let spans = self.spans?;
        let (k, v) = spans.iter().find(|(k, _)| k.get_ref() == key)?;
        Some((k.span(), v.get_ref(), v.span()))
    }

    /// Where `key` is written, or the rule's header.
    pub(crate) fn key_at(&self, key: &str) -> usize {
        self.span(key).map_or(self.at, |(k, _, _)| k.start)
    }

    /// Where item `index` of the list `key` is written.
    pub(crate) fn item_at(&self, key: &str, index: usize) -> usize {
        match self.span(key) {
            Some((_, DeValue::Array(items), _)) => items.get(index).map_or(self.key_at(key), |v| v.span().start),
            Some((k, _, _)) => k.start,
            None => self.at,
        }
    }

    /// Where `inner` of the table `key` is written (`swap = { "inner" = … }`).
    pub(crate) fn inner_at(&self, key: &str, inner: &str) -> usize {
        match self.span(key) {
            Some((_, DeValue::Table(t), _)) => {
                t.iter().find(|(k, _)| k.get_ref() == inner).map_or(self.key_at(key), |(k, _)| k.span().start)
            }
            Some((k, _, _)) => k.start,
            None => self.at,
        }
    }

    pub(crate) fn error(&mut self, at: usize, message: impl Into<String>, hint: impl Into<String>) {
        let hint = hint.into();
        let mut d = Diagnostic::at(self.file, self.text, at, 1, message);
        if !hint.is_empty() {
            d = d.hint(hint);
        }
        self.diagnostics.push(d);
    }

    /// A key the rule type cannot do without.
    pub(crate) fn missing(&mut self, key: &str, hint: impl Into<String>) {
        let at = self.at;
        let kind = self.kind.clone();
        self.error(at, format!("{} rule needs `{key}`", article(&kind)), hint);
    }

    fn wrong_type(&mut self, key: &str, expected: &str, got: &Value) {
        let at = self.key_at(key);
        self.error(at, format!("`{key}` must be {expected}, not {}", a_type(got)), "");
    }

    pub(crate) fn string(&mut self, key: &str) -> Option<String> {
        match self.table.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.table.get(key)? {
            Value::Boolean(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    pub(crate) fn number(&mut self, key: &str) -> Option<f64> {
        match self.table.get(key)? {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) if f.is_finite() => Some(*f),
            other => {
                self.wrong_type(key, "a number", other);
                None
            }
        }
    }

    pub(crate) fn count(&mut self, key: &str) -> Option<usize> {
        match self.table.get(key)? {
            Value::Integer(i) if *i >= 0 => usize::try_from(*i).ok(),
            other => {
                self.wrong_type(key, "a whole number, 0 or more", other);
                None
            }
        }
    }

    /// A string or a list of strings, each with where it is written.
    pub(crate) fn strings(&mut self, key: &str) -> Option<Vec<(String, usize)>> {
        match self.table.get(key)? {
            Value::String(s) => Some(vec![(s.clone(), self.item_at(key, 0))]),
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push((s.clone(), self.item_at(key, i))),
                        other => {
                            let at = self.item_at(key, i);
                            self.error(at, format!("`{key}` must list strings, not {}", a_type(other)), "");
                            return None;
                        }
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(key, "a string or a list of strings", other);
                None
            }
        }
    }

    /// An inline table of strings (`swap = { "a" = "b" }`), in file order where known, each
    /// pair with where its key is written.
    pub(crate) fn string_pairs(&mut self, key: &str) -> Option<Vec<(String, String, usize)>> {
        let value = self.table.get(key)?;
        let Value::Table(t) = value else {
            self.wrong_type(key, "a table of strings, like { \"word\" = \"replacement\" }", value);
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in t {
            match v {
                Value::String(s) => out.push((k.clone(), s.clone(), self.inner_at(key, k))),
                other => {
                    let at = self.inner_at(key, k);
                    self.error(at, format!("`{key}` values must be strings; `{k}` is {}", a_type(other)), "");
                    return None;
                }
            }
        }
        out.sort_by_key(|p| p.2);
        Some(out)
    }

    /// Compiles a regex the organisation wrote, reporting why it does not compile.
    pub(crate) fn regex(&mut self, source: &str, at: usize, ignorecase: bool, what: &str) -> Option<Regex> {
        match RegexBuilder::new(source).case_insensitive(ignorecase).size_limit(1 << 22).build() {
            Ok(r) => Some(r),
            Err(e) => {
                self.error(
                    at,
                    format!("invalid regex `{source}` in `{what}`: {}", regex_reason(&e)),
                    "regexes use Rust regex syntax (https://docs.rs/regex/latest/regex/#syntax): no look-around or backreferences; escape `(`, `.`, `?` and `|` to match them literally",
                );
                None
            }
        }
    }
}

/// The one-line reason from the regex crate's multi-line message.
fn regex_reason(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => s
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or_else(|| s.lines().last().unwrap_or("syntax error"))
            .to_string(),
        regex::Error::CompiledTooBig(_) => "it is too large once compiled".to_string(),
        other => other.to_string(),
    }
}

fn a_type(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number with a decimal point",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

pub(crate) fn article(kind: &str) -> String {
    match kind.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}
