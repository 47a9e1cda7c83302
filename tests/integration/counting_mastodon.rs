//! Mastodon counting: graphemes of spoiler + text, links 23, `@user@domain` as `@user`
//! (app/validators/status_length_validator.rb).

use budkavle::platform::PlatformId;
use budkavle::platform::count::{Length, count, mastodon_with_spoiler};

/// (description, text, expected chars). Bytes are always the text's UTF-8 length.
const CASES: &[(&str, &str, usize)] = &[
    ("plain", "hej", 3),
    ("empty", "", 0),
    ("blank text counts nothing", " \n ", 0),
    // Links
    ("https link", "https://example.com", 23),
    ("http link", "http://example.com", 23),
    ("short link still costs 23", "https://t.co", 23),
    ("path and query", "Läs https://example.com/blog/2026/release-notes?utm_source=x&a=b mer", 4 + 23 + 4),
    ("long path", "https://example.com/a/really/long/page/that/goes/on/and/on/index.html", 23),
    ("port and fragment", "https://example.com:8443/a#b", 23),
    ("two links", "https://a.example.com https://b.example.org/x", 23 + 1 + 23),
    ("link in parentheses", "(https://example.com/a)", 1 + 23 + 1),
    ("sentence-ending period", "Se https://example.com/a.", 3 + 23 + 1),
    ("Wikipedia parentheses belong to the link", "https://en.wikipedia.org/wiki/Budkavle_(tradition)", 23),
    ("non-ASCII path (Mastodon's path rule, not twitter-text's)", "https://ja.wikipedia.org/wiki/日本 ok", 23 + 3),
    ("gemini link", "gemini://example.org/ok", 23),
    // Bare domains are not links on Mastodon (extract_url_without_protocol: false).
    ("bare domain", "example.com", 11),
    ("bare domain with path", "see budkavle.se/docs", 20),
    ("www domain", "www.example.com", 15),
    // Mentions
    ("local mention", "@anna", 5),
    ("remote mention counts as local", "@anna@example.social", 5),
    ("remote mention in a sentence", "hej @anna@example.social!", 10),
    ("remote mention with subdomain and dashes", "@anna.k@social.my-example.co.uk", 7),
    ("two remote mentions", "@a@x.social @b@y.social", 2 + 1 + 2),
    ("mention and link", "@anna@example.social https://example.com", 5 + 1 + 23),
    ("an e-mail address is no mention", "mail anna@example.social", 24),
    ("mention inside a link is the link", "https://example.social/@anna@example.social", 23),
    // Graphemes
    ("ZWJ family", "👨\u{200D}👩\u{200D}👧\u{200D}👦", 1),
    ("flag", "🇸🇪", 1),
    ("skin tone", "👍🏽", 1),
    ("keycap", "1\u{FE0F}\u{20E3}", 1),
    ("e + combining acute", "e\u{301}", 1),
    ("decomposed å", "a\u{30A}", 1),
    ("precomposed å", "å", 1),
    ("CJK", "日本語", 3),
    ("mixed", "Hej @anna@example.social 👋🏽 läs https://example.com/å 🇸🇪", 4 + 5 + 1 + 1 + 1 + 4 + 23 + 1 + 1),
];

#[test]
fn mastodon_table() {
    let mut failures = Vec::new();
    for &(what, text, chars) in CASES {
        let got = count(PlatformId::Mastodon, text);
        let want = Length { chars, bytes: text.len() };
        if got != want {
            failures.push(format!("{what}: {text:?}: got {got:?}, want {want:?}"));
        }
    }
    println!("mastodon: {} cases", CASES.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn spoiler_counts_with_text() {
    assert_eq!(mastodon_with_spoiler("CW: politik", "https://example.com"), Length { chars: 11 + 23, bytes: 11 + 19 });
    // A blank text still lets the spoiler count.
    assert_eq!(mastodon_with_spoiler("cw", "   ").chars, 2);
    // Links in the spoiler are not shortened: the validator only rewrites the text.
    assert_eq!(mastodon_with_spoiler("https://example.com", "").chars, "https://example.com".len());
    // Without a spoiler it is the plain count.
    assert_eq!(mastodon_with_spoiler("", "@anna@example.social"), count(PlatformId::Mastodon, "@anna@example.social"));
}

/// The 500 limit in practice: 20 long links are 20 × 23, not their full length.
#[test]
fn many_long_links_fit() {
    let link = format!("https://example.com/{}", "p".repeat(80));
    let text = vec![link; 20].join(" ");
    let length = count(PlatformId::Mastodon, &text);
    assert_eq!(length.chars, 20 * 23 + 19);
    assert!(length.chars <= 500);
    assert!(length.bytes > 1_000);
}
