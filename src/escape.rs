//! Escaping for the markup budkavle writes, and which URLs may become links. One home, because
//! the archive, its feeds, CAP alerts and the previews must agree: an escaper that forgets one
//! character in one of them is a hole in all of them.

/// Escapes text for HTML content and double-quoted attributes: `& < > " '` are what can end a
/// text or a quoted attribute.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let _ = html_runs(s, |run| -> Result<(), std::convert::Infallible> {
        out.push_str(run);
        Ok(())
    });
    out
}

/// [`html`] written to `out`: the archive's templates escape every value straight into the page
/// (`tera::Tera::set_escape_fns`), rather than into a string of its own first.
pub fn html_into(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    html_runs(s, |run| out.write_all(run.as_bytes()))
}

/// The pieces of `s` escaped for HTML, in order, to `push`: the one home of [`html`]'s rules.
///
/// Every value of every archive page goes through here: the text between the characters to
/// escape is one piece (they are ASCII, so a byte index is a character boundary).
fn html_runs<E>(s: &str, mut push: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    // Most values hold none of them: two vectorised searches find the first (if any) faster
    // than the loop below looks at each byte, and the text before it goes at once.
    let bytes = s.as_bytes();
    let first = match (memchr::memchr3(b'&', b'<', b'>', bytes), memchr::memchr2(b'"', b'\'', bytes)) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return push(s),
    };
    push(&s[..first])?;
    let mut copied = first;
    for (i, b) in s.bytes().enumerate().skip(first) {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        push(&s[copied..i])?;
        push(entity)?;
        copied = i + 1;
    }
    push(&s[copied..])
}

/// Escapes text for XML element content. XML 1.0 cannot carry most control characters even
/// as references, so they become U+FFFD rather than making the document ill-formed; a carriage
/// return is written as a reference because parsers turn a literal one into a line feed.
pub fn xml(text: &str) -> String {
    escape_xml(text, false)
}

/// Escapes text for an XML attribute value: also tabs and line feeds, which attribute-value
/// normalisation would otherwise turn into spaces.
pub fn xml_attr(text: &str) -> String {
    escape_xml(text, true)
}

fn escape_xml(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether a URL from configuration or the ledger may become a link: only web addresses, so a
/// `javascript:` or `data:` URL can never reach an `href`, and nothing a URL may not contain
/// (spaces, quotes, angle brackets) that would only be there to break out of an attribute.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_what_ends_a_text_or_attribute() {
        assert_eq!(html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(html("Snöröjning <på> 🎄&ÅÄÖ"), "Snöröjning &lt;på&gt; 🎄&amp;ÅÄÖ");
        assert_eq!(html(""), "");
        assert_eq!(html("&"), "&amp;");
        assert_eq!(html("Inget att byta här"), "Inget att byta här");
        assert_eq!(
            html("Vägarbete 'Storgatan' & \"Torget\""),
            "Vägarbete &#39;Storgatan&#39; &amp; &quot;Torget&quot;"
        );
        assert_eq!(html("slut>"), "slut&gt;");
    }

    #[test]
    fn html_into_writes_what_html_returns() {
        let texts = ["", "&", "Inget att byta här", "<a href=\"x\">'&'</a>", "slut>", "🎄&ÅÄÖ<", "''\"\"<<>>&&"];
        for text in texts {
            let mut out = Vec::new();
            html_into(text, &mut out).expect("writes to memory");
            assert_eq!(String::from_utf8(out).expect("UTF-8"), html(text), "{text}");
        }
    }

    #[test]
    fn xml_leaves_no_markup_and_no_illegal_characters() {
        let s = xml("a<b>&\"c\"'d' ]]> \u{1}\u{b}\u{FFFF} 🎄\r\n\t");
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos; ]]&gt; \u{FFFD}\u{FFFD}\u{FFFD} 🎄&#13;\n\t");
        assert_eq!(xml_attr("a\tb\nc\"<"), "a&#9;b&#10;c&quot;&lt;");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert!(is_web_url("https://exempelstad.se/a?b=c"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://x.se/\"onmouseover=\""));
    }
}
