//! `/feed.atom`: Atom 1.0 (RFC 4287), written by hand with [`xml_escape`] or [`xml_attr`] on every value —
//! the format is small and fixed, so a writer crate would add little but a dependency.

use std::fmt::Write;

use jiff::Timestamp;

use super::{Base, Dated, entry_html, entry_title};
use crate::escape::{is_web_url, xml as xml_escape, xml_attr};
use crate::lang::is_tag as is_language_tag;
use crate::site::Site;

pub(super) fn render(site: &Site<'_>, base: &Base, entries: &[Dated<'_>]) -> String {
    let org = site.project.strategy.organisation();
    let title = site.project.strategy.file.site.title.as_deref().unwrap_or(&org.name);
    // No entries, no date to tell: the epoch keeps the feed valid and the build deterministic.
    let updated = entries.iter().map(|d| d.updated).max().unwrap_or(Timestamp::UNIX_EPOCH);

    let mut x = String::with_capacity(2048 + entries.len() * 4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if is_language_tag(&org.lang) {
        let _ = write!(x, " xml:lang=\"{}\"", xml_attr(&org.lang));
    }
    if base.is_absolute() {
        // Relative links a post's own Markdown may hold resolve against the archive.
        let _ = write!(x, " xml:base=\"{}\"", xml_attr(&base.url("/")));
    }
    x.push_str(">\n");
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(&base.id("/", "feed")));
    let _ = writeln!(x, "  <title type=\"text\">{}</title>", xml_escape(title));
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    x.push_str("  <author>\n");
    let _ = writeln!(x, "    <name>{}</name>", xml_escape(&org.name));
    if let Some(url) = org.url.as_deref().filter(|u| is_web_url(u)) {
        let _ = writeln!(x, "    <uri>{}</uri>", xml_escape(url));
    }
    x.push_str("  </author>\n");
    link(&mut x, "  ", "self", "application/atom+xml", &base.url("/feed.atom"));
    link(&mut x, "  ", "alternate", "text/html", &base.url("/"));
    link(&mut x, "  ", "alternate", "application/feed+json", &base.url("/feed.json"));
    let _ = writeln!(x, "  <generator version=\"{}\">budkavle</generator>", env!("CARGO_PKG_VERSION"));

    for d in entries {
        let v = d.view;
        x.push_str("  <entry");
        if is_language_tag(&v.lang) {
            let _ = write!(x, " xml:lang=\"{}\"", xml_attr(&v.lang));
        }
        x.push_str(">\n");
        let _ = writeln!(x, "    <id>{}</id>", xml_escape(&base.id(&v.url, &format!("post\n{}", v.id))));
        let _ = writeln!(x, "    <title type=\"text\">{}</title>", xml_escape(&entry_title(site, d)));
        link(&mut x, "    ", "alternate", "text/html", &base.url(&v.url));
        let _ = writeln!(x, "    <published>{}</published>", d.published);
        let _ = writeln!(x, "    <updated>{}</updated>", d.updated);
        for tag in &v.tags {
            let _ = writeln!(x, "    <category term=\"{}\" label=\"#{}\"/>", xml_attr(tag), xml_attr(tag));
        }
        let _ = writeln!(x, "    <content type=\"html\">{}</content>", xml_escape(&entry_html(site, base, d)));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn link(x: &mut String, indent: &str, rel: &str, media_type: &str, href: &str) {
    let _ = writeln!(x, "{indent}<link rel=\"{rel}\" type=\"{media_type}\" href=\"{}\"/>", xml_attr(href));
}
