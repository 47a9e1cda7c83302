//! Turns TOML parse and shape errors into diagnostics a person can act on: the line, and for an
//! unknown key or value the closest known one, since most such errors are typos.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;

/// Key names that hold secrets. A secret in a committed file is public forever, so naming one is
/// its own, louder error rather than a plain unknown key.
const SECRET_KEYS: &[&str] = &[
    "token",
    "access_token",
    "password",
    "app_password",
    "secret",
    "client_secret",
    "api_key",
    "api_secret",
    "access_secret",
    "bearer",
];

/// Parses `text` (which begins at `first_line` of `file`) into `T`.
pub(crate) fn parse<T: DeserializeOwned>(file: &Path, text: &str, first_line: usize) -> Result<T, Diagnostic> {
    toml::from_str(text).map_err(|e| to_diagnostic(file, text, first_line, &e))
}

pub(crate) fn to_diagnostic(file: &Path, text: &str, first_line: usize, e: &toml::de::Error) -> Diagnostic {
    let offset = e.span().map_or(0, |s| s.start);
    let message = e.message().trim().to_string();
    let mut d = Diagnostic::at(file, text, offset, first_line, first_sentence(&message));
    if let Some(hint) = hint_for(&message) {
        d = d.hint(hint);
    }
    if let Some(secret) = unknown_name(&message).filter(|k| is_secret_key(k)) {
        d.message = format!("`{secret}` looks like a secret; secrets must never be written in a committed file");
        d.hint = Some(format!(
            "put the value in an environment variable (for example in your CI's secret store) and name that variable here with `{secret}_env = \"BUDKAVLE_...\"`"
        ));
    }
    d
}

pub(crate) fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEYS.contains(&k.as_str())
}

fn first_sentence(message: &str) -> String {
    // serde lists every expected key after a comma; the hint carries the useful part of that.
    match message.find(", expected") {
        Some(i) if message.starts_with("unknown") => message[..i].to_string(),
        _ => message.to_string(),
    }
}

/// The name in "unknown field `x`" / "unknown variant `x`".
fn unknown_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    rest.split('`').next()
}

/// A hint for every kind of TOML error: most are a wrong form of value, and the fix is to show
/// the right form.
fn hint_for(message: &str) -> Option<String> {
    let m = message.to_ascii_lowercase();
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return Some(format!("add `{field} = …` here; it is required"));
    }
    let expected = |what: &str| m.contains(&format!("expected {what}"));
    let generic = if m.contains("duplicate key") {
        Some("write each key once: remove or rename one of them")
    } else if m.contains("invalid date") || m.contains("invalid time") {
        Some("that date or time does not exist: check the day of the month and the time")
    } else if expected("a sequence") {
        Some("write a list in square brackets: [\"A\", \"B\"]")
    } else if expected("a boolean") {
        Some("write true or false, without quotes")
    } else if m.contains("datetime") {
        Some("write the date without quotes: 2026-12-01T09:00:00")
    } else if expected("a string") || expected("a str") {
        Some("write text in double quotes: \"…\"")
    } else if expected("an integer")
        || expected("i64")
        || expected("u32")
        || expected("u64")
        || expected("usize")
        || expected("f64")
        || expected("a number")
    {
        Some("write a number without quotes")
    } else if expected("a map") || expected("struct") {
        Some("this must be a table: a [section] or { key = value }")
    } else {
        None
    };
    if let Some(h) = generic {
        return Some(h.to_string());
    }
    let Some(unknown) = unknown_name(message) else {
        return Some("the file is TOML: key = \"text\", key = 12, key = true, key = [\"a\", \"b\"]; strings need double quotes and each key comes once".to_string());
    };
    let expected = expected_names(message);
    if expected.is_empty() {
        return None;
    }
    match closest(unknown, expected.iter().map(String::as_str)) {
        Some(best) => Some(format!("did you mean `{best}`? (known: {})", expected.join(", "))),
        None => Some(format!("known: {}", expected.join(", "))),
    }
}

fn expected_names(message: &str) -> Vec<String> {
    let Some(i) = message.find("expected") else { return Vec::new() };
    message[i..].split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The known name nearest to `unknown`, if any is near enough to be a plausible typo.
pub(crate) fn closest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = unknown.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        audiences: Option<Vec<String>>,
    }

    #[test]
    fn unknown_key_suggests_closest() {
        let d = parse::<T>(Path::new("p.md"), "title = \"x\"\naudience = []\n", 2).unwrap_err();
        assert_eq!((d.line, d.column), (3, 1));
        assert!(d.message.contains("unknown field `audience`"), "{}", d.message);
        assert!(d.hint.unwrap().contains("did you mean `audiences`"));
    }

    #[test]
    fn every_error_kind_gets_a_hint() {
        for (src, needle) in [
            ("title = \"x\"\naudiences = \"a\"\n", "square brackets"),
            ("audiences = []\n", "add `title"),
            ("title = \"x\"\ntitle = \"y\"\n", "each key once"),
            ("title = x\n", "TOML"),
        ] {
            let d = parse::<T>(Path::new("p.md"), src, 1).unwrap_err();
            assert!(d.hint.as_deref().unwrap_or("").contains(needle), "{src:?}: {d:?}");
        }
    }

    #[test]
    fn secret_key_is_called_out() {
        let d = parse::<T>(Path::new("s.toml"), "title = \"x\"\ntoken = \"abc\"\n", 1).unwrap_err();
        assert!(d.message.contains("secret"), "{}", d.message);
        assert!(d.hint.unwrap().contains("token_env"));
    }
}
