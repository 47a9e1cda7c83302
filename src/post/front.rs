//! The TOML front matter of a post, exactly as written. Positions are kept (`Spanned`) so later
//! stages — validation here, rules in `check` — can point at the very value they object to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::kind::Kind;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Spanned<String>,
    pub id: Option<Spanned<String>>,
    pub date: Option<Spanned<toml::value::Datetime>>,
    pub platforms: Option<Vec<Spanned<String>>>,
    pub goal: Option<Spanned<String>>,
    #[serde(default)]
    pub audiences: Vec<Spanned<String>>,
    pub lang: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub media: Vec<MediaEntry>,
    #[serde(default)]
    pub platform: BTreeMap<String, Spanned<PlatformOverride>>,
    pub crisis: Option<Spanned<CrisisInfo>>,
    pub updates: Option<Spanned<String>>,
    pub corrects: Option<Spanned<String>>,
    pub cancels: Option<Spanned<String>>,
    pub retracted: Option<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Pin a crisis post on platforms that allow it.
    #[serde(default)]
    pub pin: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaEntry {
    pub path: Spanned<String>,
    pub alt: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformOverride {
    /// Replaces the body on this platform (Markdown, like the body).
    pub text: Option<String>,
    #[serde(default)]
    pub skip: bool,
    /// Replaces the post's `tags` on this platform.
    pub tags: Option<Vec<String>>,
}

/// CAP 1.2 `<info>` values for a crisis post; validated by the `crisis` rules of `check`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisInfo {
    pub event: Option<String>,
    pub category: Option<String>,
    pub urgency: Option<String>,
    pub severity: Option<String>,
    pub certainty: Option<String>,
    pub area: Option<Area>,
    pub expires: Option<toml::value::Datetime>,
    pub instruction: Option<String>,
    pub contact: Option<String>,
    pub web: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub description: String,
    /// CAP polygon: "lat,lon lat,lon …", first and last pair equal.
    pub polygon: Option<String>,
    /// CAP circle: "lat,lon radius-km".
    pub circle: Option<String>,
}

/// Where the front matter and the body lie in the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    /// Byte range of the TOML between the `+++` lines.
    pub front_start: usize,
    pub front_end: usize,
    /// Byte offset where the Markdown body begins.
    pub body_start: usize,
}

/// Why a file's front matter cannot even be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SplitError {
    Empty,
    Yaml,
    Missing,
    Unclosed,
}

impl SplitError {
    pub(crate) fn message(&self) -> (&'static str, &'static str) {
        match self {
            SplitError::Empty => (
                "the file is empty",
                "a post starts with `+++`, a TOML front matter with at least `title = \"…\"`, `+++`, then the text",
            ),
            SplitError::Yaml => (
                "front matter is YAML (`---`); budkavle reads TOML between `+++` lines",
                "replace both `---` lines with `+++` and write `key = \"value\"` instead of `key: value` (lists: `tags = [\"A\", \"B\"]`)",
            ),
            SplitError::Missing => (
                "the file has no front matter",
                "start the file with a line `+++`, then `title = \"…\"`, then a closing `+++`",
            ),
            SplitError::Unclosed => (
                "front matter opened with `+++` is never closed",
                "add a line with only `+++` after the last front-matter key",
            ),
        }
    }
}

pub(crate) fn split(text: &str) -> Result<Split, SplitError> {
    let trimmed = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - trimmed.len();
    if trimmed.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first_line = trimmed.lines().next().unwrap_or("").trim_end();
    if first_line == "---" {
        return Err(SplitError::Yaml);
    }
    if first_line != "+++" {
        return Err(SplitError::Missing);
    }
    let front_start = bom + trimmed.find('\n').map_or(trimmed.len(), |i| i + 1);
    let mut pos = front_start;
    for line in text[front_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok(Split { front_start, front_end: pos, body_start: pos + line.len() });
        }
        pos += line.len();
    }
    Err(SplitError::Unclosed)
}

/// The front matter of a text as written (between the `+++` lines) and the byte offset where
/// the body starts; `None` when the text has no complete front matter. For versions read back
/// from git, which are only read, never reported on.
pub(crate) fn front_matter(text: &str) -> Option<(&str, usize)> {
    split(text).ok().map(|s| (&text[s.front_start..s.front_end], s.body_start))
}

/// What git history needs of every old version of a post: the id it had and whether it was a
/// draft. Parsed as TOML like the post itself, so a version means in history what it meant
/// when it was written; a version whose front matter does not parse reads as the default.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub(crate) struct Head {
    pub id: Option<String>,
    pub draft: bool,
}

impl Head {
    pub(crate) fn of(text: &str) -> Head {
        let Some((front, _)) = front_matter(text) else { return Head::default() };
        // History holds every version of every post: parse only where a top-level `id` or
        // `draft` can be (a key starts its line), which most versions do not have.
        let may_have = front.lines().any(|l| {
            let key = l.trim_start().trim_start_matches(['"', '\'']);
            key.starts_with("id") || key.starts_with("draft")
        });
        if !may_have {
            return Head::default();
        }
        toml::from_str(front).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let text = "+++\ntitle = \"A\"\n+++\nBody\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.front_start..s.front_end], "title = \"A\"\n");
        assert_eq!(&text[s.body_start..], "Body\n");
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nBody";
        let s = split(text).unwrap();
        assert_eq!(&text[s.front_start..s.front_end], "title = \"A\"\r\n");
        assert_eq!(&text[s.body_start..], "Body");
    }

    #[test]
    fn head_of_a_version() {
        let text = "+++\ntitle = \"A\"\nid = \"x-1\" # kept\ndraft = true # later\n[media]\nid = \"no\"\n+++\nBody\n";
        assert_eq!(Head::of(text), Head { id: Some("x-1".into()), draft: true });
        let multiline = "+++\ntitle = \"\"\"\nid = \"in\"\n\"\"\"\n+++\n";
        assert_eq!(Head::of(multiline), Head::default());
        assert_eq!(Head::of("no front matter"), Head::default());
        assert_eq!(Head::of("+++\n\"id\" = \"q\"\n+++\n"), Head { id: Some("q".into()), draft: false });
        assert_eq!(front_matter("+++\ntitle = \"A\"\n+++\nBody"), Some(("title = \"A\"\n", 20)));
    }

    #[test]
    fn split_errors() {
        assert_eq!(split("").unwrap_err(), SplitError::Empty);
        assert_eq!(split("---\ntitle: a\n---\n").unwrap_err(), SplitError::Yaml);
        assert_eq!(split("+++\ntitle = \"a\"\n").unwrap_err(), SplitError::Unclosed);
        assert_eq!(split("Hello").unwrap_err(), SplitError::Missing);
    }
}
