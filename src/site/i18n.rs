//! Interface strings of the archive in the organisation's language. Swedish and English are
//! built in (`themes/default/site/i18n/{sv,en}.toml`, embedded so a repository without a copy of
//! the theme still gets them); a theme's own `site/i18n/<lang>.toml` overrides single keys or
//! adds a language, so a team can reword the accessibility statement without touching templates.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::error::{Diagnostic, Error, Result};

const BUILT_IN: [(&str, &str); 2] = [
    ("sv", include_str!("../../themes/default/site/i18n/sv.toml")),
    ("en", include_str!("../../themes/default/site/i18n/en.toml")),
];

/// Language files larger than this are not lists of interface strings.
const MAX_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, Default)]
pub(crate) struct Strings {
    map: BTreeMap<String, String>,
}

impl Strings {
    /// The strings for `lang` (a BCP 47 tag): the built-in file of its primary language (English
    /// when there is none), overlaid by the theme's `<primary>.toml` and then `<tag>.toml`.
    pub(crate) fn load(root: &Path, theme_dir: &Path, lang: &str) -> Result<Strings> {
        let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
        let base = BUILT_IN.iter().find(|(l, _)| *l == primary).unwrap_or(&BUILT_IN[1]);
        let mut strings = Strings::default();
        strings.overlay(Path::new(&format!("themes/default/site/i18n/{}.toml", base.0)), base.1)?;
        let mut names = vec![primary.clone()];
        if lang != primary {
            names.push(lang.to_string());
        }
        let canonical_root = root.canonicalize().map_err(|e| Error::io("cannot open", root, e))?;
        for name in names {
            let rel = theme_dir.join("site/i18n").join(format!("{name}.toml"));
            if !root.join(&rel).is_file() {
                continue;
            }
            let text = crate::fsutil::read_text(root, &canonical_root, &rel, MAX_BYTES)
                .map_err(|d| Error::Invalid(vec![d]))?;
            strings.overlay(&rel, &text)?;
        }
        Ok(strings)
    }

    /// Adds the keys of one language file; values must be strings (flat keys, no tables).
    fn overlay(&mut self, file: &Path, text: &str) -> Result<()> {
        let table: toml::Table = crate::toml_diag::parse(file, text, 1).map_err(|d| Error::Invalid(vec![d]))?;
        let mut problems = Vec::new();
        for (key, value) in table {
            match value {
                toml::Value::String(s) => {
                    self.map.insert(key, s);
                }
                _ => problems.push(
                    Diagnostic::file(file, format!("`{key}` is not a string"))
                        .hint("interface strings are flat: key = \"text\""),
                ),
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::Invalid(problems)) }
    }

    /// The string for `key`, or the key itself so a missing translation shows up on the page
    /// instead of failing the build.
    pub(crate) fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    pub(crate) fn map(&self) -> &BTreeMap<String, String> {
        &self.map
    }

    /// `template` with each `{name}` replaced by its value.
    /// One pass, so a value that itself contains `{name}` is left as written.
    pub(crate) fn fill(template: &str, args: &[(&str, &str)]) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                args.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, close))
            });
            match value {
                Some((v, close)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    pub(crate) fn month_name(&self, month: i8) -> &str {
        const KEYS: [&str; 12] = [
            "month_1", "month_2", "month_3", "month_4", "month_5", "month_6", "month_7", "month_8", "month_9",
            "month_10", "month_11", "month_12",
        ];
        KEYS.get(usize::try_from(month - 1).unwrap_or(0)).map_or("", |k| self.get(k))
    }

    /// A calendar date as people write it ("24 november 2026"), in the organisation's zone.
    pub(crate) fn date(&self, at: Timestamp, tz: &TimeZone) -> String {
        let z = at.to_zoned_datetime(tz.clone());
        Strings::fill(
            self.get("format_date"),
            &[("day", &z.day().to_string()), ("month", self.month_name(z.month())), ("year", &z.year().to_string())],
        )
    }

    /// Date and time ("24 november 2026 kl. 09.00").
    pub(crate) fn datetime(&self, at: Timestamp, tz: &TimeZone) -> String {
        let z = at.to_zoned_datetime(tz.clone());
        Strings::fill(
            self.get("format_datetime"),
            &[
                ("date", &self.date(at, tz)),
                ("hour", &format!("{:02}", z.hour())),
                ("minute", &format!("{:02}", z.minute())),
            ],
        )
    }

    /// "Sida 2 av 5".
    pub(crate) fn page_label(&self, n: usize, total: usize) -> String {
        Strings::fill(self.get("page_n_of"), &[("n", &n.to_string()), ("total", &total.to_string())])
    }

    /// "1 inlägg" / "3 posts".
    pub(crate) fn count(&self, n: usize, one: &str, other: &str) -> String {
        Strings::fill(self.get(if n == 1 { one } else { other }), &[("n", &n.to_string())])
    }

    /// A strategy duration ("4h", "90m", "1d") in words, or as written when it is not one.
    pub(crate) fn duration(&self, written: &str) -> String {
        let Some(d) = crate::strategy::parse_duration(written) else { return written.to_string() };
        let mins = d.as_secs() / 60;
        let (n, one, other) = if mins % (24 * 60) == 0 && mins > 0 {
            (mins / (24 * 60), "duration_day", "duration_days")
        } else if mins % 60 == 0 && mins > 0 {
            (mins / 60, "duration_hour", "duration_hours")
        } else {
            (mins, "duration_minute", "duration_minutes")
        };
        self.count(usize::try_from(n).unwrap_or(0), one, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_in(lang: &str) -> Strings {
        let mut s = Strings::default();
        let (_, text) = BUILT_IN.iter().find(|(l, _)| *l == lang).unwrap();
        s.overlay(Path::new("x.toml"), text).unwrap();
        s
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let sv: Vec<_> = built_in("sv").map.into_keys().collect();
        let en: Vec<_> = built_in("en").map.into_keys().collect();
        assert_eq!(sv, en);
    }

    #[test]
    fn dates_and_durations_in_words() {
        let tz = jiff::tz::db().get("Europe/Stockholm").unwrap();
        let at: Timestamp = "2026-11-24T08:00:00Z".parse().unwrap();
        assert_eq!(built_in("sv").date(at, &tz), "24 november 2026");
        assert_eq!(built_in("sv").datetime(at, &tz), "24 november 2026 kl. 09.00");
        assert_eq!(built_in("en").datetime(at, &tz), "24 November 2026, 09:00");
        assert_eq!(built_in("sv").duration("4h"), "4 timmar");
        assert_eq!(built_in("en").duration("1d"), "1 day");
        assert_eq!(built_in("en").duration("90m"), "90 minutes");
        assert_eq!(built_in("sv").duration("snart"), "snart");
    }
}
