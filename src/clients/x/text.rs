//! Recognising a post by its text. X does not return the text that was sent: every URL becomes
//! a `https://t.co/…` link (the original is in `entities.urls[].expanded_url`), `&`, `<` and `>`
//! come back as `&amp;`, `&lt;` and `&gt;`, the text is NFC-normalised, and a reply to another
//! account's post gets that account's `@username ` in front
//! (<https://docs.x.com/fundamentals/counting-characters>, the `entities` of the Post object in
//! <https://docs.x.com/x-api/fundamentals/data-dictionary>). Both sides are brought to the sent
//! form before they are compared, and nothing else is forgiven: a post whose text differs in
//! any other way is not the one sent.

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// One `entities.urls[]` item of a Post.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct UrlEntity {
    pub url: String,
    #[serde(default)]
    pub expanded_url: Option<String>,
}

/// Whether the post X stores as `stored` (with its `urls`) is the text `sent`.
pub(super) fn same(sent: &str, stored: &str, urls: &[UrlEntity]) -> bool {
    let sent: String = sent.nfc().collect();
    let sent = sent.trim();
    let stored: String = as_sent(stored, urls, sent).nfc().collect();
    let stored = stored.trim();
    if stored == sent {
        return true;
    }
    // A reply to someone else's post starts with the mention X put in front.
    stored.strip_suffix(sent).is_some_and(|prefix| !sent.is_empty() && only_mentions(prefix))
}

/// `@name ` repeated, nothing else: what X puts in front of a reply.
fn only_mentions(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.split_inclusive(' ').all(|word| {
            word.strip_prefix('@').and_then(|w| w.strip_suffix(' ')).is_some_and(|name| {
                (1..=15).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
        })
}

/// `stored` with the HTML escapes undone and every t.co link replaced by what it stands for.
/// Links X expanded to `http://…` from a bare `example.com/…` are put back the way `sent` wrote
/// them.
pub(super) fn as_sent(stored: &str, urls: &[UrlEntity], sent: &str) -> String {
    // Escapes first: a t.co link has no `&`, but an expanded URL may contain `&amp;` itself.
    let mut text = unescape(stored);
    let mut from = 0;
    for entity in urls {
        let Some(at) = text[from..].find(&entity.url).map(|i| i + from) else { continue };
        let Some(expanded) = entity.expanded_url.as_deref() else { continue };
        let bare = expanded.strip_prefix("http://").filter(|b| !sent.contains(expanded) && sent.contains(b));
        let unslashed = expanded.strip_suffix('/').filter(|u| !sent.contains(expanded) && sent.contains(u));
        let original = bare.or(unslashed).unwrap_or(expanded);
        text.replace_range(at..at + entity.url.len(), original);
        from = at + original.len();
    }
    text
}

/// `&amp;`, `&lt;` and `&gt;` back to the characters, in one pass (so `&amp;lt;` is `&lt;`).
pub(super) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (c, len) = if rest.starts_with("&amp;") {
            ('&', 5)
        } else if rest.starts_with("&lt;") {
            ('<', 4)
        } else if rest.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(tco: &str, expanded: &str) -> UrlEntity {
        UrlEntity { url: tco.into(), expanded_url: Some(expanded.into()) }
    }

    #[test]
    fn the_documented_example_is_recognised() {
        // tests/peers/x/README.md, "Text counting and stored text".
        let sent = "Hej & välkommen https://example.com/a?b=1 <3";
        let stored = "Hej &amp; välkommen https://t.co/RJQSKwXI5Z &lt;3";
        let urls = [url("https://t.co/RJQSKwXI5Z", "https://example.com/a?b=1")];
        assert_eq!(as_sent(stored, &urls, sent), sent);
        assert!(same(sent, stored, &urls));
        assert!(!same("Hej & välkommen https://example.com/a?b=2 <3", stored, &urls));
        assert!(!same(sent, stored, &[]), "an unexpanded t.co link is not the URL sent");
    }

    #[test]
    fn escapes_are_undone_once() {
        assert_eq!(unescape("a &amp;lt; b &lt;&gt; &copy; &"), "a &lt; b <> &copy; &");
        assert!(same("R&D <tag> &amp;", "R&amp;D &lt;tag&gt; &amp;amp;", &[]));
    }

    #[test]
    fn repeated_links_and_bare_domains() {
        let sent = "Se testby.se/snö och https://a.se och https://a.se";
        let stored = "Se https://t.co/1 och https://t.co/2 och https://t.co/3";
        let urls = [
            url("https://t.co/1", "http://testby.se/snö"),
            url("https://t.co/2", "https://a.se"),
            url("https://t.co/3", "https://a.se"),
        ];
        assert!(same(sent, stored, &urls), "{}", as_sent(stored, &urls, sent));
    }

    #[test]
    fn nfc_whitespace_and_reply_mentions() {
        // "ö" composed in the stored text, decomposed in the sent one.
        assert!(same("Sno\u{308}  \n", "Snö", &[]));
        assert!(same("Tack!", "@anna_medborgare Tack!", &[]));
        assert!(same("Tack!", "@a @b_2 Tack!", &[]));
        assert!(!same("Tack!", "Hej Tack!", &[]));
        assert!(!same("Tack!", "@anna.m Tack!", &[]));
        assert!(!same("", "@anna ", &[]));
        assert!(!same("Snö", "Snö!", &[]));
    }
}
