//! `inbox import FILE.jsonl`: items from platforms without API access, and from exports.
//!
//! One JSON object a line:
//! `{"platform", "id", "author", "text", "at", "in_reply_to"?, "url"?, "deleted"?}` — `at` in
//! RFC 3339 with an offset (`2026-12-01T09:15:00+01:00` or `…Z`), `id` a string or a number,
//! `deleted: true` for an author's deletion (kept as a new version). Blank lines are skipped.
//! Every bad line is reported (file:line: what, and how to fix it) and then nothing is stored:
//! the file goes in as one transaction or not at all. Importing the same file again adds
//! nothing; a changed text for the same platform and id is a new version.

use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;

use super::{Added, Inbox, Incoming};
#[cfg(test)]
use crate::error::Error;
use crate::error::{Diagnostic, Diagnostics, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    platform: String,
    id: Id,
    author: String,
    text: String,
    at: String,
    #[serde(default)]
    in_reply_to: Option<Id>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    deleted: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

impl Id {
    fn into_string(self) -> String {
        match self {
            Id::Text(s) => s,
            Id::Number(n) => n.to_string(),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    pub new_items: usize,
    pub new_versions: usize,
    pub unchanged: usize,
}

/// The lines of `text` as versions, or a diagnostic for every bad line.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Incoming>> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(raw) {
            Ok(line) => match check(line) {
                Ok(v) => out.push(v),
                Err((msg, hint)) => diags.push(Diagnostic::new(file, n, 1, msg).hint(hint)),
            },
            Err(e) => diags.push(Diagnostic::new(file, n, e.column().max(1), json_message(&e)).hint(json_hint(&e))),
        }
    }
    if out.is_empty() && diags.0.is_empty() {
        diags.push(Diagnostic::file(file, "has no items").hint("write one JSON object a line"));
    }
    diags.into_result(out)
}

fn json_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    // serde_json appends " at line 1 column N": the diagnostic has its own position.
    m.rsplit_once(" at line ").map_or(m.clone(), |(a, _)| a.to_string())
}

fn json_hint(e: &serde_json::Error) -> String {
    let m = e.to_string();
    if m.contains("missing field") {
        "every line needs \"platform\", \"id\", \"author\", \"text\" and \"at\"".into()
    } else if m.contains("unknown field") {
        "the keys are platform, id, author, text, at, and optionally in_reply_to, url, deleted".into()
    } else {
        "write one JSON object a line, e.g. {\"platform\": \"facebook\", \"id\": \"123\", \"author\": \"Anna\", \"text\": \"Hej!\", \"at\": \"2026-12-01T09:15:00+01:00\"}".into()
    }
}

fn check(line: Line) -> std::result::Result<Incoming, (String, String)> {
    let platform = line.platform.trim().to_lowercase();
    if platform.is_empty() || !platform.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err((
            format!("`{}` is not a platform name", line.platform),
            "use a lower-case name such as \"facebook\", \"instagram\" or \"tiktok\"".into(),
        ));
    }
    let id = line.id.into_string();
    if id.trim().is_empty() {
        return Err(("\"id\" is empty".into(), "give the platform's id of the comment".into()));
    }
    let at: Timestamp = line.at.parse().map_err(|_| {
        (
            format!("\"at\": `{}` is not a time with an offset", line.at),
            "write RFC 3339 with the offset, e.g. \"2026-12-01T09:15:00+01:00\" or \"2026-12-01T08:15:00Z\""
                .to_string(),
        )
    })?;
    Ok(Incoming {
        platform,
        id,
        author: line.author,
        text: line.text,
        at,
        in_reply_to: line.in_reply_to.map(Id::into_string),
        url: line.url.filter(|u| !u.is_empty()),
        deleted: line.deleted,
    })
}

impl Inbox {
    /// Imports `text` (the contents of `file`) in one transaction, logging who imported it.
    pub fn import(&mut self, file: &Path, text: &str, by: &str, now: Timestamp) -> Result<Imported> {
        let versions = parse(file, text)?;
        let source = format!(
            "import:{}",
            file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
        );
        self.triage()?;
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| super::store::sql_error(&path, e);
        // Fields, not `self.write()`: the transaction borrows the connection while the
        // settings and rules are read.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
        let triage = self.triage.get().ok_or_else(|| crate::error::Error::Internal("triage not compiled".into()))?;
        let mut stats = Imported::default();
        for v in &versions {
            match Inbox::add_version(&tx, &self.settings, triage, v, &source, now).map_err(sql)? {
                Added::NewItem => stats.new_items += 1,
                Added::NewVersion => stats.new_versions += 1,
                Added::Unchanged => stats.unchanged += 1,
            }
        }
        if stats.new_items + stats.new_versions > 0 {
            let note = format!("{source}: {} new items, {} new versions", stats.new_items, stats.new_versions);
            super::actions::log_in(&tx, None, None, "import", by, now, Some(&note)).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = concat!(
            "{\"platform\":\"facebook\",\"id\":\"1\",\"author\":\"A\",\"text\":\"Hej\",\"at\":\"2026-12-01T09:00:00+01:00\"}\n",
            "\n",
            "{\"platform\":\"facebook\",\"id\":2,\"author\":\"B\",\"text\":\"Hej\",\"at\":\"2026-12-01 09:00\"}\n",
            "{\"platform\":\"facebook\",\"id\":\"3\",\"author\":\"C\",\"txt\":\"Hej\",\"at\":\"2026-12-01T09:00:00Z\"}\n",
            "not json\n",
            "{\"platform\":\"face book\",\"id\":\"4\",\"author\":\"D\",\"text\":\"\",\"at\":\"2026-12-01T09:00:00Z\"}\n",
        );
        let Err(Error::Invalid(d)) = parse(Path::new("in.jsonl"), text) else { panic!() };
        let lines: Vec<usize> = d.iter().map(|d| d.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{d:?}");
        assert!(d[0].message.contains("not a time with an offset"), "{}", d[0]);
        assert!(d[1].message.contains("unknown field `txt`"), "{}", d[1]);
        assert!(d[1].hint.as_deref().unwrap().contains("optionally in_reply_to"));
        assert!(d[3].message.contains("not a platform name"));
        assert!(d.iter().all(|d| d.hint.is_some()));
    }

    #[test]
    fn numbers_and_strings_are_both_ids() {
        let v = parse(
            Path::new("x.jsonl"),
            "{\"platform\":\"X\",\"id\":17,\"author\":\"a\",\"text\":\"t\",\"at\":\"2026-12-01T08:00:00Z\",\"in_reply_to\":16}\n",
        )
        .unwrap();
        assert_eq!((v[0].platform.as_str(), v[0].id.as_str(), v[0].in_reply_to.as_deref()), ("x", "17", Some("16")));
    }
}
