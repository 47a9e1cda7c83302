//! The built-in word lists (`packs/data/*.toml`): entries of inflected `words` with `plain`
//! replacements (one per form, or one for all), each naming its `source`. A run of budkavle no
//! longer reads them: their tables are generated from them (`packs/word_tables.rs`), and this
//! reading is what the generator and the packs' tests use.
//!
//! The lists are TOML in the plainest shape — `[[entry]]` headers, one `key = "string"` or
//! `key = ["string", …]` a line, comments on lines of their own — and are read by hand in that
//! shape: the TOML parser took 3.5 M instructions for the Swedish list alone, more than the rules
//! on a post. A list in any other shape (an escape, a comment after a value) is read by the TOML
//! parser, as is one with a mistake, so its error is TOML's.

use super::Swap;

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WordList {
    pub entry: Vec<WordEntry>,
}

#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WordEntry {
    pub words: Vec<String>,
    pub plain: Plain,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum Plain {
    One(String),
    Each(Vec<String>),
}

impl Default for Plain {
    fn default() -> Self {
        Plain::Each(Vec::new())
    }
}

impl WordList {
    pub(crate) fn parse(text: &str) -> Result<WordList, String> {
        match read_plain(text) {
            Some(list) => Ok(list),
            None => toml::from_str(text).map_err(|e| e.message().to_string()),
        }
    }

    /// The entries as swaps, each with a message made by `message(entry)` (where `%s` is the
    /// matched text, then the replacement). Entries whose forms and replacements do not pair
    /// are left out (a unit test of each pack holds the lists to that).
    pub(crate) fn swaps(&self, message: impl Fn(&WordEntry) -> String) -> Vec<Swap> {
        self.entry
            .iter()
            .filter_map(|e| {
                let replacements = match &e.plain {
                    Plain::One(p) => vec![p.clone()],
                    Plain::Each(ps) if ps.len() == e.words.len() => ps.clone(),
                    Plain::Each(_) => return None,
                };
                (!e.words.is_empty()).then(|| Swap { forms: e.words.clone(), replacements, message: Some(message(e)) })
            })
            .collect()
    }
}

/// The list, when it is written in the plain shape and complete; `None` leaves it to the TOML
/// parser.
fn read_plain(text: &str) -> Option<WordList> {
    let mut entries: Vec<WordEntry> = Vec::new();
    // Which keys the current entry has: words, plain, source, note.
    let mut seen = [false; 4];
    let complete = |seen: &[bool; 4]| seen[0] && seen[1] && seen[2];
    for line in text.lines() {
        let line = line.trim_matches([' ', '\t']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[entry]]" {
            if !entries.is_empty() && !complete(&seen) {
                return None;
            }
            entries.push(WordEntry::default());
            seen = [false; 4];
            continue;
        }
        let entry = entries.last_mut()?;
        let (key, value) = line.split_once('=')?;
        let key = key.trim_end_matches([' ', '\t']);
        let value = value.trim_start_matches([' ', '\t']);
        let slot = ["words", "plain", "source", "note"].iter().position(|k| *k == key)?;
        if std::mem::replace(&mut seen[slot], true) {
            return None;
        }
        match slot {
            0 => entry.words = list(value)?,
            1 if value.starts_with('[') => entry.plain = Plain::Each(list(value)?),
            1 => entry.plain = Plain::One(whole_string(value)?),
            2 => entry.source = whole_string(value)?,
            _ => entry.note = Some(whole_string(value)?),
        }
    }
    (!entries.is_empty() && complete(&seen)).then_some(WordList { entry: entries })
}

/// A basic string without escapes or control characters at the start of `s`, and the rest.
fn string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let end = body.find('"')?;
    let value = &body[..end];
    if value.chars().any(|c| c == '\\' || c.is_control()) {
        return None;
    }
    Some((value.to_string(), &body[end + 1..]))
}

/// `s` as exactly one string.
fn whole_string(s: &str) -> Option<String> {
    let (value, rest) = string(s)?;
    rest.is_empty().then_some(value)
}

/// `s` as exactly one array of strings, `["a", "b"]`, a trailing comma allowed.
fn list(s: &str) -> Option<Vec<String>> {
    let space = [' ', '\t'];
    let mut rest = s.strip_prefix('[')?.trim_start_matches(space);
    let mut out = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix(']') {
            return after.is_empty().then_some(out);
        }
        let (value, after) = string(rest)?;
        out.push(value);
        rest = after.trim_start_matches(space);
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start_matches(space),
            None if rest.starts_with(']') => {}
            None => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_read_by_hand_are_what_toml_reads() {
        for data in [include_str!("../packs/data/klarsprak.toml"), include_str!("../packs/data/plain_en.toml")] {
            let by_hand = read_plain(data).expect("the list is in the plain shape");
            let by_toml: WordList = toml::from_str(data).expect("the list is TOML");
            assert!(by_hand.entry.len() > 100);
            assert_eq!(by_hand, by_toml);
        }
    }

    #[test]
    fn other_shapes_go_to_toml() {
        let ok = "[[entry]]\nwords = [\"a\", \"b\",]\nplain = \"c\"\nsource = \"S\"\n";
        assert_eq!(read_plain(ok), toml::from_str(ok).ok());
        for other in [
            "[[entry]]\nwords = [\"a\\u00e5\"]\nplain = \"c\"\nsource = \"S\"\n",
            "[[entry]]\nwords = [\"a\"] # comment\nplain = \"c\"\nsource = \"S\"\n",
            "[[entry]]\nwords = [\"a\"]\nplain = \"c\"\n",
            "[[entry]]\nwords = [\"a\"]\nwords = [\"b\"]\nplain = \"c\"\nsource = \"S\"\n",
            "[[entry]]\nwords = [\"a\"]\nplain = \"c\"\nsource = \"S\"\nsee = \"x\"\n",
            "[[entry]]\nwords = [\n  \"a\"]\nplain = \"c\"\nsource = \"S\"\n",
            "words = [\"a\"]\n",
            "",
        ] {
            assert_eq!(read_plain(other), None, "{other:?}");
        }
        // What the TOML parser then makes of them stands.
        assert!(WordList::parse("[[entry]]\nwords = [\"a\"]\nplain = \"c\"\n").is_err());
        assert_eq!(
            WordList::parse("[[entry]]\nwords = [\"a\"] # comment\nplain = \"c\"\nsource = \"S\"\n")
                .map(|l| l.entry.len()),
            Ok(1)
        );
    }
}
