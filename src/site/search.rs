//! Search without a server: `/search-index.json` holds every archived post's words, and
//! `/static/search.js` on `/sok/` searches it in the browser (and keeps working offline once the
//! index has loaded). Without JavaScript the page points to the monthly index, which reaches
//! every post.
//!
//! Words are normalised the same way here and in `search.js`: Unicode NFC, lower case, split at
//! every character that is neither alphabetic nor numeric (Rust's `char::is_alphanumeric`, the
//! script's `[^\p{Alphabetic}\p{N}]`). Diacritics are kept — in Swedish å, ä and ö are letters
//! of their own, and "sno" should not find "snö". A query matches a post when every query word
//! is the start of some word of the post, so "snö" finds "Snöröjning".

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::output::Made;
use crate::output::memo::Key;
use crate::post::Post;
use crate::site::html::newest_first;
use crate::site::{Archived, PostView, Site, fresh};

pub(crate) fn pages(site: &Site<'_>) -> Result<Vec<(String, Made)>> {
    let mut ctx = site.base_context();
    ctx.insert("nav", "search");
    Ok(vec![
        index(site)?,
        fresh("sok/index.html".to_string(), site.render("search.html", &ctx)?),
        fresh("static/search.js".to_string(), site.static_file("search.js")?),
    ])
}

/// Where the index is, relative to the site root.
const INDEX: &str = "search-index.json";

/// The index is `{"version":2,"posts":[…]}`: compact JSON, the posts newest first (the order
/// results are shown in), each entry serialised on its own so an unchanged post's entry is
/// copied from the last index ([`Site::assembled`]). Version 2: `url` relative to the index, no
/// longer site-absolute.
const HEAD: &[u8] = b"{\"version\":2,\"posts\":[";
const TAIL: &[u8] = b"]}\n";

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    title: &'a str,
    /// The post's page relative to the index (`p/<id>/index.html`), which `search.js` resolves
    /// against the index's own address: right under any path and from disk.
    url: String,
    /// RFC 3339 (UTC) for `<time datetime>`, and as people read it in the interface language.
    date: Option<&'a str>,
    date_human: Option<&'a str>,
    lang: &'a str,
    tags: &'a [String],
    /// Every distinct normalised word of the post, in order of first appearance, separated by
    /// single spaces.
    text: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    retracted: bool,
}

fn index(site: &Site<'_>) -> Result<(String, Made)> {
    let mut posts: Vec<&Archived<'_>> = site.posts.iter().collect();
    posts.sort_by(|a, b| newest_first(a, b));
    let keys: Vec<Key> = match site.keys() {
        Some(k) => crate::project::par_map(&posts, |a| k.start("search entry").key(k.view(a)).finish()),
        None => vec![[0; 16]; posts.len()],
    };
    // Compact: the index is the one file a visitor downloads in full.
    site.assembled(INDEX, (HEAD, b",", TAIL), &keys, |i| {
        let v = site.view(posts[i]);
        let entry = Entry {
            id: &v.id,
            title: &v.title,
            url: super::links::relative(INDEX, &v.url),
            date: v.date.as_deref(),
            date_human: v.date_human.as_deref(),
            lang: &v.lang,
            tags: &v.tags,
            text: &v.search_text,
            retracted: v.retracted.is_some(),
        };
        crate::json::to_vec(&entry).map_err(|e| Error::io("cannot write", INDEX, e.into()))
    })
}

/// The words a post is found by: its title, tags, body text and image descriptions. A
/// retracted post is found only by its title and the reason, as its tombstone page shows.
/// `body` is the body's readable text ([`crate::site::html::Body::text`]).
pub(crate) fn searchable_text(view: &PostView, body: &str, post: &Post) -> String {
    let mut text = String::new();
    text.push_str(&view.title);
    for tag in &view.tags {
        text.push(' ');
        text.push_str(tag);
    }
    match &view.retracted {
        Some(reason) => {
            text.push(' ');
            text.push_str(reason);
        }
        None => {
            text.push(' ');
            text.push_str(body);
            for m in &post.media {
                text.push(' ');
                text.push_str(&m.alt);
            }
        }
    }
    let lower = lower_nfc(&text);
    // foldhash, not SipHash: a set per post of its every word; SipHash was half this function.
    let mut seen = foldhash::HashSet::with_capacity_and_hasher(lower.len() / 6, Default::default());
    let mut out = String::with_capacity(lower.len());
    for word in words(&lower).filter(|w| seen.insert(*w)) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The search words of `text`, as the index has them and as `search.js` splits a query.
#[cfg(test)]
fn normalise(text: &str) -> Vec<String> {
    words(&lower_nfc(text)).map(str::to_string).collect()
}

/// NFC, then lower case (which keeps NFC text composed for the scripts an archive meets).
/// Most text is already NFC, and checking is cheaper than normalising.
fn lower_nfc(text: &str) -> String {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if below_combining_marks(text) || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        lower(text)
    } else {
        lower(&text.nfc().collect::<String>())
    }
}

/// Whether every character of `text` is below U+0300, where the combining marks begin: such
/// text is NFC as it is (Latin-1 and Latin Extended, Swedish among them, have no character that
/// composes with the one before). One pass over the bytes, which the compiler makes wide, where
/// the character-by-character check was a tenth of making the search words. A character from
/// U+0300 on is written with a first byte from 0xCC on.
fn below_combining_marks(text: &str) -> bool {
    !text.bytes().any(|b| b >= 0xCC)
}

/// `str::to_lowercase`, with each run of ASCII lowered at once: most of a Swedish post is ASCII
/// between its å, ä and ö, and the standard function goes a character at a time (half the time
/// of making a post's search words).
fn lower(text: &str) -> String {
    // A capital sigma lowers by its neighbours (a final ς); the standard function knows how.
    if text.contains('Σ') {
        return text.to_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(ascii);
        let start = out.len();
        out.push_str(run);
        out[start..].make_ascii_lowercase();
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_lowercase());
        }
        rest = chars.as_str();
    }
    out
}

/// Splits at every character that is neither alphabetic nor numeric, as `search.js` does with
/// `[^\p{Alphabetic}\p{N}]`.
fn words(lower: &str) -> impl Iterator<Item = &str> {
    lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// Whether a post with index text `text` matches `query` the way `search.js` decides: every
/// query word starts some word of the post. Kept beside `normalise` so the tests pin the rule.
#[cfg(test)]
fn matches(text: &str, query: &str) -> bool {
    let hay = format!(" {text}");
    let words = normalise(query);
    !words.is_empty() && words.iter().all(|w| hay.contains(&format!(" {w}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_nfc_with_diacritics_kept() {
        assert_eq!(
            normalise("Snöröjning på #Storgatan, kl. 07–16!"),
            ["snöröjning", "på", "storgatan", "kl", "07", "16"]
        );
        // A decomposed "ö" (o + combining diaeresis) is the same word as a composed one.
        assert_eq!(normalise("Sno\u{308}ro\u{308}jning"), ["snöröjning"]);
        assert_eq!(normalise("e-tjänst ÅÄÖ Ærø"), ["e", "tjänst", "åäö", "ærø"]);
        assert!(normalise(" --- !! ").is_empty());
    }

    /// The shortcut agrees with the full check on either side of U+0300, and says nothing of
    /// text past it.
    #[test]
    fn text_below_the_combining_marks_is_nfc() {
        use unicode_normalization::{IsNormalized, is_nfc_quick};
        for text in ["", "Snöröjning på Storgatan", "Ærø ÿ ž ǅ ɏ ʯ ˿", "\u{2ff}"] {
            assert!(below_combining_marks(text), "{text}");
            assert_eq!(is_nfc_quick(text.chars()), IsNormalized::Yes, "{text}");
        }
        for text in ["Sno\u{308}", "\u{300}", "Ω", "日本", "🙂"] {
            assert!(!below_combining_marks(text), "{text}");
        }
        assert_eq!(normalise("Sno\u{308}ro\u{308}jning å"), ["snöröjning", "å"]);
    }

    #[test]
    fn lower_is_the_standard_lower_case() {
        for text in [
            "",
            "Snöröjning PÅ Storgatan, KL. 07–16!",
            "ÅÄÖ Ærø ÉCOLE İstanbul ǅ ﬃ ẞ 🙂 Ⅻ",
            "ΣΑΣ ΟΔΥΣΣΕΥΣ Σ aΣ",
            "ABC\u{301}DEF Ω x",
            "only ascii TEXT 123",
        ] {
            assert_eq!(lower(text), text.to_lowercase(), "{text}");
        }
    }

    #[test]
    fn prefix_and_all_words() {
        let text = "snöröjning på storgatan i natt";
        assert!(matches(text, "snö"));
        assert!(matches(text, "SNÖ"));
        assert!(matches(text, "snö storg"));
        assert!(!matches(text, "snö biblioteket"), "every word must match");
        assert!(!matches(text, "röjning"), "words match at their start only");
        assert!(!matches(text, "sno"), "diacritics are kept");
        assert!(!matches(text, ""));
    }

    #[test]
    fn markdown_text_without_markup_or_link_targets() {
        let out = crate::site::html::body(
            "Vi **plo**gar [huvudgatorna](https://example.org/gator) i natt.<!-- budkavle-disable x -->\n\n- ett\n- två\n\n---\n\n`kod`",
        )
        .text;
        let words = normalise(&out);
        assert_eq!(words, ["vi", "plogar", "huvudgatorna", "i", "natt", "ett", "två", "kod"]);
    }
}
