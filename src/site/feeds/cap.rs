//! `/cap/<id>.xml`: the CAP 1.2 alert of every crisis post in the archive (see [`crate::cap`]),
//! and `/cap/index.atom`: an Atom 1.0 index of them, newest first, each entry linking its alert
//! (`application/cap+xml`) and the post's page — the shape alert aggregators read.
//!
//! A crisis post is published here when it is not a draft or retracted and has a `sent` time:
//! its `date`, else its first publication. One whose `[crisis]` values CAP does not allow has no
//! alert (`budkavle check` reports those values; the `crisis` rules), rather than failing the
//! whole archive. The index is written also when it is empty, so readers can subscribe before
//! a crisis. Nothing reads the clock: the feed's `updated` is its newest alert's `sent` (the
//! epoch for an empty one).

use std::fmt::Write;

use jiff::Timestamp;

use super::Base;
use crate::cap::{self, Alert};
use crate::error::Result;
use crate::escape::{xml as xml_escape, xml_attr};
use crate::kind::Kind;
use crate::lang::is_tag as is_language_tag;
use crate::output::Files;
use crate::post::Post;
use crate::site::Site;

/// Where the alerts go in the site.
pub(crate) const DIR: &str = "cap";
/// The index of the alerts, relative to the site root.
const INDEX: &str = "cap/index.atom";

pub(crate) fn pages(site: &Site<'_>) -> Result<Files> {
    let project = site.project;
    let published = &site.record.published;
    let sent_of = |p: &Post| p.date.or_else(|| published.get(&p.id)?.iter().map(|x| x.at).min());
    let chains = crate::crisis::Chains::of(project, |p| p.date);
    let mut alerts: Vec<(&Post, Alert)> = project
        .posts
        .iter()
        .filter(|p| p.kind == Kind::Crisis && !p.draft && p.retracted.is_none())
        .filter(|p| sent_of(p).is_some())
        .filter_map(|p| cap::build::alert_in(project, &chains, p, &sent_of).ok().map(|a| (p, a)))
        .collect();
    alerts.sort_by(|a, b| (b.1.sent.timestamp(), &a.0.id).cmp(&(a.1.sent.timestamp(), &b.0.id)));
    let mut out: Files =
        alerts.iter().map(|(p, a)| (format!("{DIR}/{}.xml", p.id), cap::to_xml(a).into_bytes())).collect();
    out.push((INDEX.to_string(), index(site, &Base::of(site), &alerts).into_bytes()));
    Ok(out)
}

fn index(site: &Site<'_>, base: &Base, alerts: &[(&Post, Alert)]) -> String {
    let org = site.project.strategy.organisation();
    let title = site.project.strategy.file.site.title.as_deref().unwrap_or(&org.name);
    let updated = alerts.iter().map(|(_, a)| a.sent.timestamp()).max().unwrap_or(Timestamp::UNIX_EPOCH);
    let mut x = String::with_capacity(1024 + alerts.len() * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if is_language_tag(&org.lang) {
        let _ = write!(x, " xml:lang=\"{}\"", xml_attr(&org.lang));
    }
    x.push_str(">\n");
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(&base.id("/cap/index.atom", "cap")));
    let _ = writeln!(x, "  <title type=\"text\">{}</title>", xml_escape(&format!("{title}: CAP 1.2")));
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    x.push_str("  <author>\n");
    let _ = writeln!(x, "    <name>{}</name>", xml_escape(&org.name));
    x.push_str("  </author>\n");
    link(&mut x, "  ", "self", "application/atom+xml", &base.url_in(INDEX, "/cap/index.atom"));
    link(&mut x, "  ", "alternate", "text/html", &base.url_in(INDEX, "/"));
    let _ = writeln!(x, "  <generator version=\"{}\">budkavle</generator>", env!("CARGO_PKG_VERSION"));
    for (post, alert) in alerts {
        let info = alert.infos.first();
        x.push_str("  <entry");
        if let Some(lang) = info.and_then(|i| i.language.as_deref()).filter(|l| is_language_tag(l)) {
            let _ = write!(x, " xml:lang=\"{}\"", xml_attr(lang));
        }
        x.push_str(">\n");
        let path = format!("/{DIR}/{}.xml", post.id);
        let _ = writeln!(x, "    <id>{}</id>", xml_escape(&base.id(&path, &format!("cap\n{}", alert.identifier))));
        let headline = info.and_then(|i| i.headline.clone()).unwrap_or_else(|| post.title.clone());
        let _ = writeln!(x, "    <title type=\"text\">{}</title>", xml_escape(&headline));
        link(&mut x, "    ", "alternate", "application/cap+xml", &base.url_in(INDEX, &path));
        link(&mut x, "    ", "related", "text/html", &base.url_in(INDEX, &format!("/p/{}/", post.id)));
        let sent = alert.sent.to_string();
        let _ = writeln!(x, "    <published>{sent}</published>");
        let _ = writeln!(x, "    <updated>{sent}</updated>");
        let _ = writeln!(x, "    <category term=\"{}\"/>", alert.msg_type.as_str());
        if let Some(i) = info {
            let area = i.areas.iter().map(|a| a.area_desc.as_str()).collect::<Vec<_>>().join("; ");
            let summary = if area.is_empty() { i.event.clone() } else { format!("{} – {area}", i.event) };
            let _ = writeln!(x, "    <summary type=\"text\">{}</summary>", xml_escape(&summary));
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn link(x: &mut String, indent: &str, rel: &str, media_type: &str, href: &str) {
    let _ = writeln!(x, "{indent}<link rel=\"{rel}\" type=\"{media_type}\" href=\"{}\"/>", xml_attr(href));
}
