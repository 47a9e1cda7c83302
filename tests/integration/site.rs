//! The archive site without a browser (issue 4: pages, safety, theme, incremental builds): each
//! test renders a content repository with `budkavle::site::render` (or the binary) and reads the
//! HTML it produced with the small tag scanner below.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use budkavle::PlatformId;
use budkavle::git::Version;
use budkavle::ledger::Published;
use budkavle::site::Record;
use common::{Repo, bin, copy_dir};

type Pages = BTreeMap<String, Vec<u8>>;

fn render(repo: &Repo, record: &Record) -> Pages {
    render_project(&repo.load(), record)
}

fn render_project(project: &budkavle::Project, record: &Record) -> Pages {
    match budkavle::site::render(project, record) {
        Ok(files) => files.into_iter().collect(),
        Err(budkavle::Error::Invalid(d)) => panic!("render failed: {d:#?}"),
        Err(e) => panic!("render failed: {e}"),
    }
}

fn page<'a>(pages: &'a Pages, path: &str) -> &'a str {
    let bytes = pages.get(path).unwrap_or_else(|| panic!("no {path} in {:?}", pages.keys().collect::<Vec<_>>()));
    std::str::from_utf8(bytes).expect("pages are UTF-8")
}

fn html_pages(pages: &Pages) -> impl Iterator<Item = (&String, &str)> {
    pages.iter().filter(|(p, _)| p.ends_with(".html")).map(|(p, b)| (p, std::str::from_utf8(b).expect("UTF-8")))
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("timestamp")
}

fn published(platform: PlatformId, url: Option<&str>, at: &str) -> Published {
    Published { platform, url: url.map(str::to_string), at: ts(at), deleted_at: None }
}

fn version(n: usize, date: &str) -> Version {
    Version { n, commit: format!("{n:040}"), date: ts(date), author: Some("Anna".into()), source: Default::default() }
}

// ---------------------------------------------------------------------------------------------
// A small HTML scanner: start tags with their attributes (entities decoded), and the text of
// <style> elements. Enough to read what budkavle writes and what ammonia lets through.

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e < 12);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "sol" => Some('/'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn scan(html: &str) -> (Vec<Tag>, Vec<String>) {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut styles = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end =
            html[i..].find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').map_or(html.len(), |e| i + e);
        let name = html[i..name_end].to_ascii_lowercase();
        let mut j = name_end;
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            let start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j] as char;
                    let end = html[j + 1..].find(quote).map_or(html.len(), |e| j + 1 + e);
                    value = decode(&html[j + 1..end]);
                    j = end + 1;
                } else {
                    let start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode(&html[start..j]);
                }
            }
            attrs.push((attr, value));
        }
        if name == "style" {
            let end = html[j.min(html.len())..].find("</style").map_or(html.len(), |e| j + e);
            styles.push(html[j.min(end)..end].to_string());
        }
        tags.push(Tag { name, attrs });
        i = j.min(html.len());
    }
    (tags, styles)
}

/// Whether a URL, as a browser would resolve it on this site, points at another host.
fn is_external(url: &str) -> bool {
    let u: String = url.trim().chars().filter(|c| !c.is_ascii_control()).collect::<String>().to_ascii_lowercase();
    u.starts_with("http:")
        || u.starts_with("https:")
        || u.starts_with("//")
        || u.starts_with("/\\")
        || u.starts_with("\\")
}

/// Every `url(...)` and `@import` target in CSS.
fn css_urls(css: &str) -> Vec<String> {
    let lower = css.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("url(") {
        let start = from + i + 4;
        let end = lower[start..].find(')').map_or(lower.len(), |e| start + e);
        out.push(css[start..end].trim().trim_matches(|c| c == '"' || c == '\'').to_string());
        from = end;
    }
    from = 0;
    while let Some(i) = lower[from..].find("@import") {
        let start = from + i + 7;
        let rest = css[start..].trim_start();
        let target = rest.trim_start_matches("url(").trim_start_matches(['"', '\'']);
        let end = target.find(['"', '\'', ')', ';', ' ']).unwrap_or(target.len());
        out.push(target[..end].to_string());
        from = start;
    }
    out
}

/// Every resource a page would load from another host, described for the failure message.
fn external_resources(path: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if path.ends_with(".css") {
        for url in css_urls(text) {
            if is_external(&url) {
                found.push(format!("{path}: CSS loads {url}"));
            }
        }
        return found;
    }
    if !path.ends_with(".html") {
        return found;
    }
    let (tags, styles) = scan(text);
    for tag in &tags {
        if matches!(tag.name.as_str(), "iframe" | "frame" | "object" | "embed" | "applet") {
            found.push(format!("{path}: <{}> element", tag.name));
        }
        for (name, value) in &tag.attrs {
            let resource = match name.as_str() {
                "src" | "poster" | "data" | "background" | "xlink:href" => vec![value.clone()],
                "srcset" | "imagesrcset" => {
                    value.split(',').filter_map(|c| c.split_whitespace().next()).map(str::to_string).collect()
                }
                "href" if matches!(tag.name.as_str(), "link" | "base") => vec![value.clone()],
                "style" => css_urls(value),
                _ => Vec::new(),
            };
            for url in resource.iter().filter(|u| is_external(u)) {
                found.push(format!("{path}: <{} {name}> loads {url}", tag.name));
            }
        }
    }
    for css in styles {
        for url in css_urls(&css).iter().filter(|u| is_external(u)) {
            found.push(format!("{path}: <style> loads {url}"));
        }
        if css.to_ascii_lowercase().contains("@import") {
            found.push(format!("{path}: <style> has an @import"));
        }
    }
    found
}

fn assert_no_external_resources(pages: &Pages) {
    let found: Vec<String> = pages
        .iter()
        .filter_map(|(p, b)| std::str::from_utf8(b).ok().map(|t| (p, t)))
        .flat_map(|(p, t)| external_resources(p, t))
        .collect();
    assert!(found.is_empty(), "resources from other hosts:\n{}", found.join("\n"));
}

/// What every page must have (accessibility landmarks and the links the contract promises).
fn assert_page_structure(path: &str, html: &str) {
    let (tags, _) = scan(html);
    let count = |name: &str| tags.iter().filter(|t| t.name == name).count();
    let html_tag = tags.iter().find(|t| t.name == "html").unwrap_or_else(|| panic!("{path}: no <html>"));
    assert!(html_tag.attr("lang").is_some_and(|l| !l.is_empty()), "{path}: <html> has no lang");
    assert_eq!(count("h1"), 1, "{path}: exactly one h1");
    for landmark in ["header", "nav", "main", "footer"] {
        assert!(count(landmark) >= 1, "{path}: no <{landmark}>");
    }
    assert_eq!(count("main"), 1, "{path}: one <main>");
    // Each chart of a results page is an SVG with its own <title> (its accessible name).
    assert!(count("title") - count("svg") == 1, "{path}: one <title>");
    let main_id = tags.iter().find(|t| t.name == "main").and_then(|t| t.attr("id")).unwrap_or_default().to_string();
    let links: Vec<&str> = tags.iter().filter(|t| t.name == "a").filter_map(|t| t.attr("href")).collect();
    assert_eq!(links.first().copied(), Some(format!("#{main_id}").as_str()), "{path}: the first link skips to main");
    assert!(
        links.iter().any(|l| l.ends_with("tillganglighet/index.html")),
        "{path}: no link to the accessibility statement"
    );
    assert!(!tags.iter().any(|t| t.name == "table" && t.attr("role") == Some("presentation")), "{path}: layout table");
    for img in tags.iter().filter(|t| t.name == "img") {
        assert!(img.attr("alt").is_some(), "{path}: <img> without alt");
    }
}

const POST_A: &str = r#"+++
title = "Snöröjning på Storgatan"
date = 2026-11-23T09:00:00
goal = "info"
tags = ["Snöröjning", "Storgatan"]

[[media]]
path = "../media/plog.png"
alt = "En plogbil på Storgatan."
+++

Vi plogar **Storgatan** natten mot torsdag. [Läs mer](https://www.testby.se/sno).
"#;

const POST_B: &str = r#"+++
title = "Rättelse: natten mot fredag"
date = 2026-11-24T09:00:00
tags = ["snöröjning"]
corrects = "a"
+++

Vi skrev fel natt. Det är natten mot fredag.
"#;

const POST_C: &str = r#"+++
title = "Boka plats på marknaden"
date = 2026-10-02T10:00:00
tags = ["Marknad"]
retracted = "Fel datum i inlägget."

[[media]]
path = "../media/hemlig.png"
alt = "Affisch"
+++

HEMLIG TEXT SOM INTE SKA SYNAS.
"#;

const POST_EN: &str = r#"+++
title = "Snow clearing tonight"
date = 2026-11-23T10:00:00
lang = "en"
tags = ["SnowClearing"]
updates = "a"
+++

We clear **Storgatan** tonight.
"#;

const DRAFT: &str = "+++\ntitle = \"Utkast som inte ska synas\"\ndate = 2026-11-25T09:00:00\ndraft = true\ntags = [\"Utkast\"]\ncancels = \"a\"\n+++\n\nUTKASTTEXT\n";

/// A real PNG whose text chunks (place, author, GPS) the archive must not publish.
fn plough_png() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/text-chunks.png")).unwrap()
}

fn example_repo() -> Repo {
    let repo = Repo::new("");
    repo.file("content/media/plog.png", &plough_png());
    repo.file("content/media/hemlig.png", b"\x89PNG secret");
    repo.post("a.md", POST_A);
    repo.post("b.md", POST_B);
    repo.post("c.md", POST_C);
    repo.post("en.md", POST_EN);
    repo.post("draft.md", DRAFT);
    repo
}

fn example_record() -> Record {
    let mut deleted =
        published(PlatformId::Mastodon, Some("https://social.testby.se/@testby/3"), "2026-10-02T08:00:00Z");
    deleted.deleted_at = Some(ts("2026-10-03T07:15:00Z"));
    Record {
        published: HashMap::from([
            (
                "a".to_string(),
                vec![
                    published(PlatformId::Mastodon, Some("https://social.testby.se/@testby/1"), "2026-11-23T08:00:05Z"),
                    published(PlatformId::Bluesky, None, "2026-11-23T08:00:09Z"),
                ],
            ),
            ("c".to_string(), vec![deleted]),
        ]),
        versions: HashMap::from([(
            "a".to_string(),
            vec![version(1, "2026-11-20T10:00:00Z"), version(2, "2026-11-21T10:00:00Z")],
        )]),
    }
}

#[test]
fn every_page_of_the_archive_is_built() {
    let repo = example_repo();
    let pages = render(&repo, &example_record());
    for path in [
        "index.html",
        "p/a/index.html",
        "p/b/index.html",
        "p/c/index.html",
        "p/en/index.html",
        "tags/index.html",
        "tags/snorojning/index.html",
        "tags/storgatan/index.html",
        "tags/marknad/index.html",
        "tags/snowclearing/index.html",
        "arkiv/index.html",
        "arkiv/2026/10/index.html",
        "arkiv/2026/11/index.html",
        "om/index.html",
        "tillganglighet/index.html",
        "static/style.css",
        "media/plog.png",
    ] {
        assert!(pages.contains_key(path), "{path} missing from {:?}", pages.keys().collect::<Vec<_>>());
    }
    let safe = budkavle::media::prepare(Path::new("plog.png"), &plough_png()).unwrap().bytes;
    assert_eq!(pages["media/plog.png"], safe, "images are published as publish uploads them, without metadata");
    assert_ne!(safe, plough_png(), "the fixture has text chunks to strip");
    assert!(!pages.contains_key("media/hemlig.png"), "a retracted post's images are not published");
    assert!(!pages.contains_key("page/2/index.html"), "four posts fit on one page");

    // Drafts appear nowhere, not even as a relation or a tag.
    for (path, bytes) in &pages {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("UTKASTTEXT") && !text.contains("Utkast som inte"), "the draft leaks into {path}");
        assert!(!text.contains("HEMLIG TEXT"), "the retracted body leaks into {path}");
        assert!(!path.contains("draft") && !path.contains("utkast"), "{path}");
    }
    for (path, html) in html_pages(&pages) {
        assert_page_structure(path, html);
    }

    let a = page(&pages, "p/a/index.html");
    assert!(a.contains(r#"<article class="post" lang="sv">"#), "{a}");
    assert!(a.contains("<h1>Snöröjning på Storgatan</h1>"));
    assert!(a.contains(r#"<time datetime="2026-11-23T08:00:00Z">23 november 2026 kl. 09.00</time>"#), "{a}");
    assert!(a.contains("Vi plogar <strong>Storgatan</strong>"));
    assert!(a.contains(r#"<img src="../../media/plog.png" alt="En plogbil på Storgatan.">"#), "{a}");
    // Platforms: a link to the live post with the time, and a platform that gave no address.
    assert!(a.contains(r#"<a href="https://social.testby.se/@testby/1">Se inlägget på Mastodon</a>"#), "{a}");
    assert!(a.contains("23 november 2026 kl. 09.00</time>") && a.contains("Bluesky"), "{a}");
    // Tags, goal in words, versions.
    assert!(a.contains(r#"<a href="../../tags/snorojning/index.html">Snöröjning</a>"#), "{a}");
    assert!(a.contains("<dd>Informera</dd>"), "{a}");
    assert!(
        a.contains(r#"<a href="../../p/a/v/1/index.html">Version 1</a>"#)
            && a.contains(r#"<a href="../../p/a/v/2/index.html">Version 2</a>"#)
    );
    assert!(!a.contains("Anna"), "authors are shown only when the strategy says so");
    // Relations both ways: the earlier post lists every later one.
    assert!(
        a.contains(
            r#"<strong>Rättad av:</strong> <a href="../../p/b/index.html" lang="sv">Rättelse: natten mot fredag</a>"#
        ),
        "{a}"
    );
    assert!(
        a.contains(
            r#"<strong>Uppdaterad av:</strong> <a href="../../p/en/index.html" lang="en">Snow clearing tonight</a>"#
        ),
        "{a}"
    );
    let b = page(&pages, "p/b/index.html");
    assert!(
        b.contains(r#"<strong>Rättar:</strong> <a href="../../p/a/index.html" lang="sv">Snöröjning på Storgatan</a>"#),
        "{b}"
    );
    assert!(b.contains("Inlägget har inte publicerats i någon kanal ännu."), "{b}");
    assert!(!b.contains("Versioner"), "one version: no list");
    let en = page(&pages, "p/en/index.html");
    assert!(en.contains(r#"<article class="post" lang="en">"#) && en.contains(r#"<html lang="sv">"#), "{en}");
    assert!(en.contains("<strong>Uppdaterar:</strong>"), "interface strings stay Swedish: {en}");

    // The tombstone: title, date, reason, when it was removed; no body, no images, no live link.
    let c = page(&pages, "p/c/index.html");
    assert!(c.contains("<h1>Boka plats på marknaden</h1>") && c.contains("Inlägget är tillbakadraget"), "{c}");
    assert!(c.contains("Fel datum i inlägget.") && c.contains("3 oktober 2026 kl. 09.15"), "{c}");
    assert!(!c.contains("<img") && !c.contains("https://social.testby.se/@testby/3"), "{c}");

    // Lists: newest first; the retracted post is listed and marked.
    let index = page(&pages, "index.html");
    let order: Vec<usize> = ["p/b/", "p/en/", "p/a/", "p/c/"].iter().map(|u| index.find(u).expect(u)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first: {order:?}");
    assert!(index.contains("Tillbakadraget"));
    let tag = page(&pages, "tags/snorojning/index.html");
    assert!(
        tag.contains("/p/a/") && tag.contains("/p/b/") && !tag.contains("/p/c/"),
        "one tag whatever the case: {tag}"
    );
    assert!(tag.contains("Tagg: Snöröjning"), "{tag}");
    let tags = page(&pages, "tags/index.html");
    assert!(
        tags.contains(
            r#"<a href="../tags/snorojning/index.html">Snöröjning</a> <span class="count">(2 inlägg)</span>"#
        ),
        "{tags}"
    );
    let archive = page(&pages, "arkiv/index.html");
    assert!(
        archive.contains(
            r#"<a href="../arkiv/2026/11/index.html">november 2026</a> <span class="count">(3 inlägg)</span>"#
        ),
        "{archive}"
    );
    assert!(archive.contains(r#"<a href="../arkiv/2026/10/index.html">oktober 2026</a>"#), "{archive}");
    let november = page(&pages, "arkiv/2026/11/index.html");
    assert!(november.contains("/p/a/") && november.contains("/p/b/") && november.contains("/p/en/"));
    assert!(
        november.contains(r#"<a href="../../../arkiv/2026/10/index.html" rel="prev">Äldre: oktober 2026</a>"#),
        "{november}"
    );

    // About: accounts with links, goals and the interaction policy in words.
    let about = page(&pages, "om/index.html");
    assert!(about.contains(r#"<a href="https://www.testby.se">Testby kommun</a>"#), "{about}");
    assert!(about.contains("<strong>Mastodon</strong>") && about.contains("<li>Informera</li>"), "{about}");
}

#[test]
fn the_accessibility_statement_has_every_field_digg_asks_for() {
    let repo = Repo::new("[interaction]\nresponse_time = \"2d\"\n");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml"))
        .unwrap()
        .replace("[organisation]\n", "[organisation]\ncontact_email = \"webb@testby.se\"\nphone = \"0123-45 00 00\"\n");
    repo.file("strategy.toml", strategy.as_bytes());
    repo.post(
        "a.md",
        POST_A.replace("[[media]]\npath = \"../media/plog.png\"\nalt = \"En plogbil på Storgatan.\"\n", "").as_str(),
    );
    repo.post("old.md", "+++\ntitle = \"Gammalt\"\ndate = 2025-03-01T09:00:00\n+++\n\nHej.\n");
    let pages = render(&repo, &Record::default());
    let s = page(&pages, "tillganglighet/index.html");
    for needle in [
        "<h1>Tillgänglighetsredogörelse</h1>",
        "Testby kommun står bakom webbplatsen",
        "<a href=\"https://arkiv.testby.se\">https://arkiv.testby.se</a>",
        "lagen (2018:1937) om tillgänglighet till digital offentlig service",
        "delvis förenlig",
        "WCAG 2.1 nivå AA",
        "EN 301 549",
        "Innehåll som inte är tillgängligt",
        "Bristande förenlighet med lagkraven",
        "Oskäligt betungande anpassning",
        "Innehåll som inte omfattas av lagkraven",
        "<a href=\"mailto:webb@testby.se\">webb@testby.se</a>",
        "<a href=\"tel:0123450000\">0123-45 00 00</a>",
        "Vi svarar inom 2 dagar.",
        "Tillsyn",
        "Myndigheten för digital förvaltning (Digg)",
        "<a href=\"https://www.digg.se/tdosanmalan\">",
        "självskattning",
        "axe-core",
        // Dated by the latest post, not the clock: the same repository gives the same page.
        "<time datetime=\"2026-11-23\">23 november 2026</time>",
        "Arkivets första inlägg publicerades 1 mars 2025.",
    ] {
        assert!(s.contains(needle), "`{needle}` missing from the statement:\n{s}");
    }
    assert_eq!(render(&repo, &Record::default())["tillganglighet/index.html"], pages["tillganglighet/index.html"]);
}

#[test]
fn the_start_page_is_paginated_newest_first() {
    let repo = Repo::new("");
    for i in 1..=45 {
        repo.post(
            &format!("p{i:02}.md"),
            &format!("+++\ntitle = \"Inlägg {i}\"\ndate = 2026-01-01T09:00:00\n+++\n\nText {i}.\n")
                .replace("2026-01-01", &format!("2026-{:02}-{:02}", 1 + (i - 1) / 28, 1 + (i - 1) % 28)),
        );
    }
    let pages = render(&repo, &Record::default());
    let first = page(&pages, "index.html");
    let second = page(&pages, "page/2/index.html");
    let third = page(&pages, "page/3/index.html");
    assert!(!pages.contains_key("page/4/index.html") && !pages.contains_key("page/1/index.html"));
    let count = |html: &str| html.matches(r#"class="post-item""#).count();
    assert_eq!((count(first), count(second), count(third)), (20, 20, 5));
    assert!(first.find("p/p45/").unwrap() < first.find("p/p44/").unwrap(), "newest first");
    assert!(second.contains("/p/p25/") && second.contains("/p/p06/") && third.contains("/p/p01/"));
    assert!(
        first.contains(r#"<a href="page/2/index.html" rel="next">Äldre inlägg</a>"#) && !first.contains("rel=\"prev\"")
    );
    assert!(second.contains(r#"<a href="../../index.html" rel="prev">Nyare inlägg</a>"#));
    assert!(second.contains(r#"<a href="../../page/3/index.html" rel="next">"#) && second.contains("Sida 2 av 3"));
    assert!(third.contains(r#"<a href="../../page/2/index.html" rel="prev">"#) && !third.contains("rel=\"next\""));
    assert!(second.contains("<title>Sida 2 av 3 – Testby kommun</title>"), "{second}");
    // Every post is reachable without JavaScript through the monthly index.
    let months: String = pages
        .iter()
        .filter(|(p, _)| p.starts_with("arkiv/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    for i in 1..=45 {
        assert!(months.contains(&format!("/p/p{i:02}/")), "p{i:02} is in no month page");
    }
}

#[test]
fn the_interface_follows_the_organisations_language() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml"))
        .unwrap()
        .replace("[organisation]\n", "[organisation]\nlang = \"en-GB\"\n");
    repo.file("strategy.toml", strategy.as_bytes());
    repo.file("content/media/plog.png", b"png");
    repo.post("a.md", POST_A);
    repo.post(
        "sv.md",
        "+++\ntitle = \"Svenskt inlägg\"\nlang = \"sv\"\ndate = 2026-11-25T09:00:00\ncorrects = \"a\"\n+++\n\nHej.\n",
    );
    let pages = render(&repo, &Record::default());
    let a = page(&pages, "p/a/index.html");
    assert!(a.contains(r#"<html lang="en-GB">"#) && a.contains("Skip to content"), "{a}");
    assert!(a.contains("23 November 2026, 09:00") && a.contains("<strong>Corrected by:</strong>"), "{a}");
    let sv = page(&pages, "p/sv/index.html");
    assert!(sv.contains(r#"<article class="post" lang="sv">"#) && sv.contains("<strong>Corrects:</strong>"), "{sv}");
    assert!(page(&pages, "tillganglighet/index.html").contains("<h1>Accessibility statement</h1>"));
    assert!(page(&pages, "arkiv/index.html").contains("November 2026"));
}

const PAYLOAD_POST: &str = r#"+++
title = "</title><script>alert('title')</script> \"quoted\" <img src=x onerror=alert(1)>"
date = 2026-11-23T09:00:00
tags = ["Tagg_1"]
goal = "evil"

[[media]]
path = "../media/x.png"
alt = "\"><script>alert('alt')</script><img src=x onerror=alert(2)>"
+++

<script>alert('body')</script>

[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [vb](vbscript:msgbox(1)) [ok](https://ok.example/)

<a href="jav&#x09;ascript:alert(4)">tab</a> <a href=" javascript:alert(5)">space</a>

<img src="https://evil.example/pixel.png" onerror="alert(6)">

<iframe src="https://evil.example/"></iframe>

<svg onload="alert(7)"><script>alert(8)</script></svg>

<style>@import url(https://evil.example/x.css); body { background: url(https://evil.example/bg.png) }</style>

<link rel="stylesheet" href="https://evil.example/x.css">

<div style="background:url(https://evil.example/y.png)" onclick="alert(9)">div</div>

<form action="javascript:alert(10)"><button formaction="javascript:alert(11)">b</button></form>

![pic](https://evil.example/md.png)

<object data="https://evil.example/o.swf"></object> <p srcset="https://evil.example/s.png 1x">s</p>

<math><mi xlink:href="javascript:alert(12)">m</mi></math>
"#;

fn payload_repo() -> Repo {
    let repo = Repo::new(
        "[[goals]]\nid = \"evil\"\ndescription = \"<script>alert('goal')</script>\"\n\n[interaction]\nguidelines = \"</dd><script>alert('policy')</script>\"\n",
    );
    repo.file("content/media/x.png", b"png");
    repo.post("x.md", PAYLOAD_POST);
    repo.post("y.md", "+++\ntitle = \"Y\"\ndate = 2026-11-24T09:00:00\nretracted = \"<script>alert('reason')</script>\"\ncorrects = \"x\"\n+++\n\nY.\n");
    repo
}

fn payload_record() -> Record {
    Record {
        published: HashMap::from([(
            "x".to_string(),
            vec![
                published(PlatformId::Mastodon, Some("javascript:alert(13)"), "2026-11-23T08:00:00Z"),
                published(
                    PlatformId::Bluesky,
                    Some("https://bsky.app/x\" onmouseover=\"alert(14)"),
                    "2026-11-23T08:00:00Z",
                ),
                published(PlatformId::X, Some("  JaVaScRiPt:alert(15)"), "2026-11-23T08:00:00Z"),
            ],
        )]),
        versions: HashMap::new(),
    }
}

#[test]
fn script_payloads_in_posts_come_out_inert() {
    let repo = payload_repo();
    let pages = render(&repo, &payload_record());
    assert!(pages.contains_key("p/x/index.html"));
    for (path, html) in html_pages(&pages) {
        let (tags, styles) = scan(html);
        for tag in &tags {
            match tag.name.as_str() {
                // The one script of the site: search, on the search page only.
                "script" => assert!(
                    path == "sok/index.html" && tag.attr("src") == Some("../static/search.js"),
                    "{path}: a script: {tag:?}"
                ),
                "iframe" | "object" | "embed" | "svg" | "math" | "style" | "base" | "meta"
                    if tag.name != "meta" || tag.attr("http-equiv").is_some() =>
                {
                    panic!("{path}: <{}> from a post: {tag:?}", tag.name)
                }
                "form" | "button" | "input" => {
                    assert_eq!(path, "sok/index.html", "{path}: <{}> from a post", tag.name)
                }
                "link" => assert!(
                    tag.attr("href").is_some_and(|h| !h.contains(':') && !h.starts_with("//")),
                    "{path}: {tag:?}"
                ),
                _ => {}
            }
            for (name, value) in &tag.attrs {
                assert!(!name.starts_with("on"), "{path}: event handler {name}={value:?} on <{}>", tag.name);
                let squashed: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                let lower = squashed.to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(!lower.starts_with(scheme), "{path}: {scheme} URL in <{} {name}>", tag.name);
                }
            }
        }
        assert!(styles.is_empty(), "{path}: a <style> element");
        // What the payloads said is still there, as text.
        if path == "p/x/index.html" {
            assert!(html.contains("&lt;&#x2F;title&gt;") || html.contains("&lt;/title&gt;&lt;script&gt;"), "{html}");
            assert!(html.contains("&lt;script&gt;alert(&#39;goal&#39;)&lt;/script&gt;"), "the goal is escaped: {html}");
            assert!(html.contains(r#"<a href="https://ok.example/" rel="noopener noreferrer">ok</a>"#), "{html}");
            assert!(!html.contains("https://bsky.app/x"), "a ledger URL that is not one is not linked: {html}");
            assert_eq!(html.matches("<title>").count(), 1);
        }
    }
    let about = page(&pages, "om/index.html");
    assert!(about.contains("&lt;/dd&gt;&lt;script&gt;alert(&#39;policy&#39;)&lt;/script&gt;"), "{about}");
    assert!(page(&pages, "p/y/index.html").contains("&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;"));
    assert_no_external_resources(&pages);
}

#[test]
fn no_page_loads_anything_from_another_host() {
    // The scanner itself finds what it is meant to find.
    let bad = r#"<html><head><link rel="stylesheet" href="//cdn.example/x.css"><style>@import "https://f.example/a.css";</style></head>
<body><img src="https://t.example/p.gif"><img srcset="/a.png 1x, https://t.example/b.png 2x"><script src="HTTPS://x.example/a.js"></script>
<iframe src="/local"></iframe><div style="background:url('http://x.example/bg.png')"></div><a href="https://ok.example/">fine</a></body></html>"#;
    let found = external_resources("bad.html", bad);
    assert_eq!(found.len(), 8, "{found:#?}");
    assert!(!found.iter().any(|f| f.contains("ok.example")), "plain links are allowed: {found:#?}");
    assert_eq!(external_resources("x.css", "a{background:url(//x.example/a.png)} b{background:url(/ok.png)}").len(), 1);
    let fixture =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/external.html"));
    if let Ok(fixture) = fixture {
        assert!(!external_resources("external.html", &fixture).is_empty(), "the broken fixture page is caught");
    }

    // The test repositories and the example repository: every page, the stylesheet included.
    assert_no_external_resources(&render(&example_repo(), &example_record()));
    assert_no_external_resources(&render(&payload_repo(), &payload_record()));
    let example = budkavle::Project::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the example repository loads");
    assert_no_external_resources(&render_project(&example, &Record::default()));
}

#[test]
fn the_example_repository_builds_its_archive() {
    let example = budkavle::Project::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the example repository loads");
    let pages = render_project(&example, &Record::default());
    let html: Vec<(&String, &str)> = html_pages(&pages).collect();
    for (path, text) in &html {
        assert_page_structure(path, text);
    }
    let posts = example.posts.iter().filter(|p| !p.draft).count();
    let post_pages = html.iter().filter(|(p, _)| p.starts_with("p/") && p.matches('/').count() == 2).count();
    assert_eq!(post_pages, posts, "one page per published post");
    assert!(pages.contains_key("page/2/index.html"), "more than 20 posts: a second start page");
    let retracted = page(&pages, "p/2026-11-julmarknad-marknadsplats/index.html");
    assert!(retracted.contains("Inlägget är tillbakadraget") && !retracted.contains("Säljer du hantverk"));
    let first = page(&pages, "p/2027-01-kokningsrekommendation-norra-exempelstad/index.html");
    for later in ["uppdatering-1", "uppdatering-2", "upphor"] {
        assert!(
            first.contains(&format!("/p/2027-01-kokningsrekommendation-{later}/")),
            "the crisis chain links {later}"
        );
    }
    assert!(first.contains("Inställd av:") && first.contains("Uppdaterad av:"));
    assert!(!pages.keys().any(|p| p.contains("sportlov")), "the draft is not in the archive");
    for post in example.posts.iter().filter(|p| p.retracted.is_none() && !p.draft) {
        for m in &post.media {
            let name = m.path.file_name().unwrap().to_string_lossy().to_lowercase();
            let original = std::fs::read(example.root.join(&m.path)).unwrap();
            assert_eq!(pages[&format!("media/{name}")], budkavle::media::prepare(&m.path, &original).unwrap().bytes);
        }
    }
}

/// `(inode, mtime)` of every file: a file replaced through a rename gets a new inode, so this
/// tells a rewrite from an untouched file even within the file system's time resolution.
#[cfg(unix)]
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let meta = e.metadata().unwrap();
            (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), (meta.ino(), meta.modified().unwrap()))
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_rebuild_rewrites_only_the_pages_that_show_a_changed_post() {
    let repo = example_repo();
    for i in 0..25 {
        repo.post(
            &format!("n{i:02}.md"),
            &format!(
                "+++\ntitle = \"Nyhet {i}\"\ndate = 2026-09-{:02}T09:00:00\ntags = [\"Nyhet\"]\n+++\n\nText {i}.\n",
                i + 1
            ),
        );
    }
    let out = repo.path().join("dist/site");
    let record = example_record();
    let first = budkavle::site::build(&repo.load(), &record, &out).unwrap();
    assert_eq!(first.unchanged, 0);
    let before = snapshot(&out);

    // Nothing changed: nothing written, not one file touched (so no page carries a build time).
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = budkavle::site::build(&repo.load(), &record, &out).unwrap();
    assert_eq!((again.written, again.removed), (0, 0), "{again:?}");
    assert_eq!(snapshot(&out), before);

    // One post's text changes: its page, the lists that show its summary, its tag and month
    // pages and the feeds are rewritten; nothing else.
    repo.post("b.md", &POST_B.replace("Det är natten mot fredag.", "Det är natten mot fredag 27 november."));
    let stats = budkavle::site::build(&repo.load(), &record, &out).unwrap();
    let after = snapshot(&out);
    let changed: BTreeSet<&str> =
        after.iter().filter(|(p, v)| before.get(*p) != Some(v)).map(|(p, _)| p.as_str()).collect();
    assert_eq!(stats.written, changed.len(), "{changed:?}");
    assert!(changed.contains("p/b/index.html"), "{changed:?}");
    let allowed = |p: &str| {
        matches!(
            p,
            "p/b/index.html"
                | "index.html"
                | "tags/snorojning/index.html"
                | "arkiv/2026/11/index.html"
                | "feed.atom"
                | "feed.json"
                | "export.json"
                | "search-index.json"
                | "sitemap.xml"
        ) || p.starts_with("p/b/v/")
    };
    let unexpected: Vec<&&str> = changed.iter().filter(|p| !allowed(p)).collect();
    assert!(unexpected.is_empty(), "rewritten though they do not show the post: {unexpected:?}");
    for untouched in [
        "p/a/index.html",
        "page/2/index.html",
        "tags/index.html",
        "arkiv/index.html",
        "om/index.html",
        "tillganglighet/index.html",
        "static/style.css",
        "media/plog.png",
    ] {
        assert_eq!(after.get(untouched), before.get(untouched), "{untouched} was rewritten");
    }
}

#[test]
fn a_theme_overrides_single_templates_styles_and_strings() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml"))
        .unwrap()
        .replace("[organisation]\n", "[organisation]\ntheme = \"egen\"\n");
    repo.file("strategy.toml", strategy.as_bytes());
    // Only the platform templates and the three files the team changes: everything else of the
    // site comes from the built-in default theme.
    copy_dir(&repo.path().join("themes/default/platforms"), &repo.path().join("themes/egen/platforms"));
    repo.file(
        "themes/egen/site/about.html",
        b"{% extends \"base.html\" %}{% block main %}<h1>Egen om-sida</h1><p>{{ org.name }}</p>{% endblock main %}",
    );
    repo.file("themes/egen/site/static/style.css", b"body { color: black; }\n");
    repo.file("themes/egen/site/i18n/sv.toml", "nav_home = \"Hem\"\n".as_bytes());
    repo.post("a.md", "+++\ntitle = \"A\"\ndate = 2026-11-23T09:00:00\n+++\n\nHej.\n");
    let pages = render(&repo, &Record::default());
    let about = page(&pages, "om/index.html");
    assert!(about.contains("<h1>Egen om-sida</h1><p>Testby kommun</p>"), "{about}");
    assert!(
        about.contains(">Hem</a>") && about.contains("Till innehållet"),
        "one string changed, the rest kept: {about}"
    );
    assert_eq!(pages["static/style.css"], b"body { color: black; }\n");
    assert!(page(&pages, "p/a/index.html").contains("<h1>A</h1>"), "built-in templates fill the rest");

    // A broken override is reported at its file.
    repo.file(
        "themes/egen/site/tag.html",
        b"{% extends \"base.html\" %}{% block main %}{{ tag.name }{% endblock main %}",
    );
    let err = budkavle::site::render(&repo.load(), &Record::default()).unwrap_err();
    let budkavle::Error::Invalid(d) = err else { panic!("{err}") };
    assert!(d[0].file.ends_with("themes/egen/site/tag.html"), "{d:?}");
}

#[test]
fn build_writes_the_site_beside_the_platforms() {
    let repo = example_repo();
    let root = repo.path().to_str().unwrap();
    let out = bin().args(["--root", root, "build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("built the archive:") && err.contains("pages into"), "{err}");
    assert!(repo.path().join("dist/site/index.html").is_file());
    assert!(repo.path().join("dist/site/p/a/index.html").is_file());
    assert!(repo.path().join("dist/platforms/mastodon/a.json").is_file());
    let out = bin().args(["--root", root, "build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(0 files written"), "a second build writes nothing: {err}");

    // A repository made by `budkavle init` has no site templates: the built-in theme builds it.
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("ny");
    assert!(bin().args(["init", fresh.to_str().unwrap(), "--name", "Nya kommunen"]).output().unwrap().status.success());
    let out = bin().args(["--root", fresh.to_str().unwrap(), "build"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(fresh.join("dist/site/tillganglighet/index.html").is_file());
}
