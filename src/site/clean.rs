//! A post body's HTML, clean: nothing a post contains may add markup or run script in the
//! archive.
//!
//! Markdown that holds raw HTML, images, tables, code blocks or anything else out of the
//! ordinary goes through pulldown-cmark and then ammonia, which parses the HTML, keeps what its
//! allow-lists allow and writes the tree out again. Most posts are paragraphs, lists, emphasis
//! and links, though, and for those ammonia's parse was the largest part of making a post's
//! view (7 % of the archive's build). Such a body is made clean by construction instead:
//! pulldown-cmark escapes every text and attribute it writes, a link's address is checked the
//! way ammonia checks it, and the few places where pulldown-cmark writes HTML differently from
//! ammonia's serialiser (`<br />`, a no-break space, a link's title and `rel`) are written as
//! ammonia writes them. The bytes are ammonia's, which a test holds on every kind of body the
//! short path takes; anything else takes the long one.

use pulldown_cmark::{Event, LinkType, Tag, TagEnd, html};

/// The schemes a link may have; any other link is ammonia's to drop.
const URL_SCHEMES: [&str; 4] = ["https", "http", "mailto", "tel"];

/// Links get `rel` with this value.
const LINK_REL: &str = "noopener noreferrer";

/// The HTML of a body's events (headings already demoted), sanitised.
pub(crate) fn html(events: Vec<Event<'_>>) -> String {
    match by_construction(&events) {
        Some(safe) => {
            let mut out = String::with_capacity(events_len(&events));
            html::push_html(&mut out, safe.into_iter());
            out
        }
        None => {
            let mut raw = String::with_capacity(events_len(&events));
            html::push_html(&mut raw, events.into_iter());
            ammonia(&raw)
        }
    }
}

/// Raw HTML through ammonia.
fn ammonia(raw: &str) -> String {
    // Made once: a builder's default allow-lists are dozens of sets, a fifth of this function's
    // time when made for each of ten thousand posts.
    static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.rm_tags(&["img"]).link_rel(Some(LINK_REL)).url_schemes(URL_SCHEMES.into_iter().collect());
        b
    });
    CLEANER.clean(raw).to_string()
}

/// Room for the HTML: the text and a little markup per event.
fn events_len(events: &[Event<'_>]) -> usize {
    events.iter().map(|e| if let Event::Text(t) = e { t.len() } else { 8 }).sum()
}

/// The events as pulldown-cmark should write them to give ammonia's bytes, when every one is of
/// the kinds whose HTML is known to be safe; `None` sends the body to ammonia.
fn by_construction<'e>(events: &[Event<'e>]) -> Option<Vec<Event<'e>>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        out.push(match event {
            Event::Start(
                Tag::Paragraph
                | Tag::BlockQuote(None)
                | Tag::List(_)
                | Tag::Item
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(None)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link,
            )
            | Event::SoftBreak => event.clone(),
            Event::Start(Tag::Heading { id: None, classes, attrs, .. }) if classes.is_empty() && attrs.is_empty() => {
                event.clone()
            }
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                Event::InlineHtml(link(*link_type, dest_url, title)?.into())
            }
            Event::Text(text) => match escaped_text(text)? {
                Some(html) => Event::InlineHtml(html.into()),
                None => event.clone(),
            },
            Event::Code(code) => match escaped_text(code)? {
                Some(html) => Event::InlineHtml(format!("<code>{html}</code>").into()),
                None => event.clone(),
            },
            // pulldown-cmark writes `<br />`; ammonia's serialiser writes a void element bare.
            Event::HardBreak => Event::InlineHtml("<br>\n".into()),
            _ => return None,
        });
    }
    Some(out)
}

/// Whether the HTML parser would change `text` on its way through ammonia: it drops NUL and
/// turns carriage returns into line feeds. Such text goes to ammonia itself.
fn parser_changes(text: &str) -> bool {
    text.contains(['\0', '\r'])
}

/// Text as ammonia's serialiser writes it, when that differs from pulldown-cmark's escaping
/// (`&`, `<`, `>`): a no-break space is written `&nbsp;`. `Some(None)`: as pulldown-cmark
/// writes it; `None`: for ammonia.
fn escaped_text(text: &str) -> Option<Option<String>> {
    if parser_changes(text) {
        return None;
    }
    Some(text.contains('\u{a0}').then(|| serialised(text, false)))
}

/// `value` escaped as html5ever's serialiser (ammonia's) escapes text, or with `attribute` an
/// attribute's value, which also has its quotes escaped.
fn serialised(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A link's start tag as ammonia writes it, or `None` for one whose address ammonia would drop.
fn link(link_type: LinkType, dest: &str, title: &str) -> Option<String> {
    if parser_changes(dest) || parser_changes(title) {
        return None;
    }
    // The address as pulldown-cmark writes it (percent-encoded, `&amp;`, `&#x27;`), then as the
    // HTML parser reads it back and ammonia checks it.
    let mut href = String::with_capacity(dest.len() + 8);
    if link_type == LinkType::Email {
        href.push_str("mailto:");
    }
    pulldown_cmark_escape::escape_href(&mut href, dest).ok()?;
    let value = href.replace("&#x27;", "'").replace("&amp;", "&");
    match url::Url::parse(&value) {
        Ok(url) if URL_SCHEMES.contains(&url.scheme()) => {}
        Err(url::ParseError::RelativeUrlWithoutBase) => {}
        _ => return None,
    }
    let mut tag = format!("<a href=\"{}\"", serialised(&value, true));
    if !title.is_empty() {
        tag.push_str(" title=\"");
        tag.push_str(&serialised(title, true));
        tag.push('"');
    }
    tag.push_str(" rel=\"");
    tag.push_str(LINK_REL);
    tag.push_str("\">");
    Some(tag)
}

/// The events of `markdown`, for tests.
#[cfg(test)]
fn events(markdown: &str) -> Vec<Event<'_>> {
    super::html::parser(markdown).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What ammonia makes of pulldown-cmark's HTML for `markdown`: what the short path must give.
    fn through_ammonia(markdown: &str) -> String {
        let mut raw = String::new();
        html::push_html(&mut raw, events(markdown).into_iter());
        ammonia(&raw)
    }

    /// Bodies of every kind the short path takes, alone and together.
    const PIECES: &[&str] = &[
        "Snö i natt. Flytta bilen före kl. 07.00.",
        "Tre punkter:\n\n- Barn går gratis.\n- Följ skyltningen.\n- Anmäl dig senast 1 mars.",
        "1. Ett\n2. Två\n\n   Med stycke.\n3. Tre",
        "5. Från fem\n6. Sex",
        "- Lös lista\n\n- med stycken\n  - och en lista i listan\n  - till",
        "> Citat från nämnden\n> på två rader.\n>\n> - och en lista",
        "# Rubrik\n\n## Underrubrik\n\n###### Sjätte",
        "*kursiv*, **fet**, ~~struken~~, `kod <b> & \"citat\"`, ***båda***",
        "Läs [bygglovsguiden](https://www.exempelstad.se/bygga-bo/bygglov) och [kartan](/karta/?a=1&b=2).",
        "[Med titel](https://exempelstad.se \"Kommunens \\\"webb\\\" & <mer>\")",
        "[Apostrof](https://exempelstad.se/o'hara) och [mellanslag](<https://exempelstad.se/a b>)",
        "[Åäö](https://exempelstad.se/åäö?q=ä) och [fragment](#rubrik) och [relativ](../p/x/)",
        "Ring [020-12 34 56](tel:+46201234) eller mejla <info@exempelstad.se>, eller <https://exempelstad.se>.",
        "[Mejl](mailto:info@exempelstad.se?subject=Hej%20d%C3%A5)",
        "Hårt\\\nradbyte och  \nett till.\nMjukt radbyte.",
        "Text med\u{a0}hårt\u{a0}mellanslag, `kod\u{a0}med` och < & > \" ' tecken.",
        "Entiteter: &amp; &lt; &copy; &#39; &quot; &nbsp;slut.",
        "Ett *[länk i kursiv](https://a.se)* och **fet `kod`**.",
        "- [ ] inte en uppgiftslista utan text\n- \\* stjärna",
        "",
        "\n\n   \n",
        "Rader\r\nslutade\r\nmed CR LF",
    ];

    /// Bodies the short path must leave to ammonia, which drops or changes something in them.
    const FOR_AMMONIA: &[&str] = &[
        "<script>alert(1)</script>",
        "Text <b onclick=\"x()\">fet</b> och <!-- budkavle-disable plain-language -->",
        "[klick](javascript:alert(1))",
        "[klick]( JavaScript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        "[ftp](ftp://exempelstad.se/fil)",
        "![bild](https://exempelstad.se/b.png \"titel\")",
        "```rust\nfn main() {}\n```",
        "    indraget kodblock",
        "| a | b |\n|:--|--:|\n| 1 | 2 |",
        "Ovan\n\n---\n\nNedan",
        "Vagnretur&#13;i texten",
    ];

    #[test]
    fn the_short_path_gives_ammonias_bytes() {
        let mut bodies: Vec<String> = PIECES.iter().map(|p| p.to_string()).collect();
        // Every two pieces one after the other, as blocks and run together.
        for a in PIECES {
            for b in PIECES {
                bodies.push(format!("{a}\n\n{b}"));
                bodies.push(format!("{a}\n{b}"));
            }
        }
        for body in &bodies {
            let events = events(body);
            assert!(by_construction(&events).is_some(), "the short path should take {body:?}");
            assert_eq!(html(events), through_ammonia(body), "for {body:?}");
        }
    }

    #[test]
    fn what_ammonia_would_change_goes_to_ammonia() {
        for body in FOR_AMMONIA {
            assert!(by_construction(&events(body)).is_none(), "{body:?} must go to ammonia");
            assert_eq!(html(events(body)), through_ammonia(body));
        }
        let html = html(events("[klick](javascript:alert(1)) <script>x</script>"));
        assert!(!html.contains("javascript") && !html.contains("<script"), "{html}");
    }

    #[test]
    fn the_example_posts_give_ammonias_bytes() {
        let posts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/posts");
        let mut short = 0;
        for entry in walkdir::WalkDir::new(&posts).into_iter().filter_map(|e| e.ok()) {
            if entry.path().extension().is_none_or(|x| x != "md") {
                continue;
            }
            let source = std::fs::read_to_string(entry.path()).expect("reads");
            let body = source.splitn(3, "+++").nth(2).unwrap_or(&source);
            let events = events(body);
            short += usize::from(by_construction(&events).is_some());
            assert_eq!(html(events), through_ammonia(body), "{}", entry.path().display());
        }
        assert!(short > 0, "no example post took the short path");
    }
}
