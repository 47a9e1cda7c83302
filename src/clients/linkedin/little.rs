//! Reading LinkedIn's "little" text, the format of a post's `commentary`
//! (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format>).
//!
//! The text arrives here already written in it: `crate::platform`'s LinkedIn encoding
//! backslash-escapes the reserved characters `| { } @ [ ] ( ) < > # \ * _ ~` and writes each
//! tag as `{hashtag|\#|Tag}`, so this client never escapes again. What it needs is to *read*
//! little text, for three reasons:
//!
//! - LinkedIn publishes a text with an unescaped reserved character, but drops everything from
//!   that character on, without an error. [`check`] refuses such a text before it is sent.
//! - LinkedIn answers a post's commentary in its own serialisation: escapes kept, every
//!   hashtag as a template (`#word` comes back as `{hashtag|\#|word}`). [`canonical`] writes
//!   both sides of a comparison that way.
//! - A comment's `message.text` is plain text, not little text: [`plain`] is what a reader sees.

use crate::platform::linkedin::{RESERVED, escape_into as escape};

/// The template signs LinkedIn accepts: `#`, escaped `\#`, and the full-width `＃`.
const SIGNS: &[&str] = &["\\#", "#", "\u{ff03}"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Element {
    Text(String),
    Mention { name: String, urn: String },
    Hashtag(String),
}

/// Where a text stops being little text: the character position and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) at: usize,
    pub(crate) why: &'static str,
}

/// The elements up to the end, or up to the first character that fits no element.
fn parse(text: &str) -> (Vec<Element>, Option<Invalid>) {
    let s: Vec<char> = text.chars().collect();
    let mut elements = Vec::new();
    let mut buf = String::new();
    let mut i = 0;
    let flush = |buf: &mut String, elements: &mut Vec<Element>| {
        if !buf.is_empty() {
            elements.push(Element::Text(std::mem::take(buf)));
        }
    };
    while i < s.len() {
        let c = s[i];
        if c == '\\' {
            if let Some(&next) = s.get(i + 1)
                && RESERVED.contains(&next)
            {
                buf.push(next);
                i += 2;
                continue;
            }
            flush(&mut buf, &mut elements);
            return (elements, Some(Invalid { at: i, why: "a backslash not followed by a reserved character" }));
        }
        if !RESERVED.contains(&c) {
            buf.push(c);
            i += 1;
            continue;
        }
        let got = match c {
            '@' => mention(&s, i),
            '#' => hashtag(&s, i + 1),
            '{' => template(&s, i),
            _ => None,
        };
        flush(&mut buf, &mut elements);
        match got {
            Some((element, next)) => {
                elements.push(element);
                i = next;
            }
            None => return (elements, Some(Invalid { at: i, why: "an unescaped reserved character" })),
        }
    }
    flush(&mut buf, &mut elements);
    (elements, None)
}

/// `@[Name](urn:li:…)`, the name with escapes.
fn mention(s: &[char], at: usize) -> Option<(Element, usize)> {
    if s.get(at + 1) != Some(&'[') {
        return None;
    }
    let mut j = at + 2;
    let mut name = String::new();
    while j < s.len() && s[j] != ']' {
        if s[j] == '\\'
            && let Some(&next) = s.get(j + 1)
            && RESERVED.contains(&next)
        {
            name.push(next);
            j += 2;
            continue;
        }
        if RESERVED.contains(&s[j]) {
            return None;
        }
        name.push(s[j]);
        j += 1;
    }
    if s.get(j + 1) != Some(&'(') {
        return None;
    }
    let close = (j + 2..s.len()).find(|&k| s[k] == ')')?;
    let urn: String = s[j + 2..close].iter().collect();
    if !urn.starts_with("urn:li:") || urn.contains([' ', '(']) {
        return None;
    }
    Some((Element::Mention { name, urn }, close + 1))
}

/// `#word` from the character after the sign; a word is letters and digits.
fn hashtag(s: &[char], from: usize) -> Option<(Element, usize)> {
    let end = (from..s.len()).find(|&k| !s[k].is_alphanumeric()).unwrap_or(s.len());
    (end > from).then(|| (Element::Hashtag(s[from..end].iter().collect()), end))
}

/// `{hashtag|#|word}` with any of [`SIGNS`].
fn template(s: &[char], at: usize) -> Option<(Element, usize)> {
    for sign in SIGNS {
        let head: Vec<char> = format!("{{hashtag|{sign}|").chars().collect();
        if s.get(at..at + head.len()) == Some(&head[..]) {
            let from = at + head.len();
            let (element, end) = hashtag(s, from)?;
            return (s.get(end) == Some(&'}')).then_some((element, end + 1));
        }
    }
    None
}

/// Refuses a text LinkedIn would cut short.
pub(crate) fn check(text: &str) -> Result<(), Invalid> {
    match parse(text).1 {
        Some(invalid) => Err(invalid),
        None => Ok(()),
    }
}

/// The text in the form LinkedIn answers it: the elements it keeps (all of them, or those
/// before the first invalid character), text re-escaped, every hashtag a template, without
/// whitespace at either end.
pub(crate) fn canonical(text: &str) -> String {
    let mut out = String::new();
    for element in parse(text).0 {
        match element {
            Element::Text(t) => escape(&t, &mut out),
            Element::Mention { name, urn } => {
                out.push_str("@[");
                escape(&name, &mut out);
                out.push_str("](");
                out.push_str(&urn);
                out.push(')');
            }
            Element::Hashtag(tag) => {
                out.push_str("{hashtag|\\#|");
                out.push_str(&tag);
                out.push('}');
            }
        }
    }
    out.trim().to_string()
}

/// What a reader sees: no escapes, mentions as their names, hashtags as `#word`.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::new();
    for element in parse(text).0 {
        match element {
            Element::Text(t) => out.push_str(&t),
            Element::Mention { name, .. } => out.push_str(&name),
            Element::Hashtag(tag) => {
                out.push('#');
                out.push_str(&tag);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_encoding_is_valid_little_text() {
        // What `platform::get(Linkedin).encode` writes (see its test): escaped, tags as templates.
        let sent = "Fika \\(gratis\\) & \\*kaka\\* \\@ kl. 10\\_00 https://a.se/x\\_\\(y\\) {hashtag|\\#|Exempelstad}";
        assert_eq!(check(sent), Ok(()));
        assert_eq!(canonical(sent), sent);
        assert_eq!(plain(sent), "Fika (gratis) & *kaka* @ kl. 10_00 https://a.se/x_(y) #Exempelstad");
    }

    #[test]
    fn hashtags_compare_in_every_documented_form() {
        let stored = "Om {hashtag|\\#|Technology} och {hashtag|\\#|Återvinning}";
        for sent in [
            "Om #Technology och #Återvinning",
            "Om {hashtag|#|Technology} och {hashtag|\\#|Återvinning}",
            "Om {hashtag|\u{ff03}|Technology} och #Återvinning ",
        ] {
            assert_eq!(canonical(sent), stored, "{sent}");
        }
        assert_eq!(plain(stored), "Om #Technology och #Återvinning");
    }

    #[test]
    fn mentions_keep_their_urn_and_read_as_the_name() {
        let text = "Hello @[Acme \\(AB\\)](urn:li:organization:1234)";
        assert_eq!(check(text), Ok(()));
        assert_eq!(canonical(text), text);
        assert_eq!(plain(text), "Hello Acme (AB)");
    }

    #[test]
    fn an_unescaped_reserved_character_is_where_linkedin_cuts() {
        let text = "Läs mer (källa) här";
        assert_eq!(check(text), Err(Invalid { at: 8, why: "an unescaped reserved character" }));
        assert_eq!(canonical(text), "Läs mer");
        // A tag the platform escaped inside the template does not parse either.
        assert!(check("{hashtag|\\#|a\\_b}").is_err());
        assert!(check("tack\\").is_err());
        assert!(check("e-post: info\\@testby.se").is_ok());
    }
}
