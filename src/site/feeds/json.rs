//! `/feed.json`: JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>).

use serde::Serialize;

use super::{Base, Dated, entry_html, entry_title, to_json};
use crate::error::Result;
use crate::escape::is_web_url;
use crate::site::Site;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    /// Optional in the format; left out rather than relative when the address is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<String>,
    language: &'a str,
    authors: Vec<Author<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: String,
    url: String,
    title: String,
    content_html: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    date_published: String,
    date_modified: String,
    tags: &'a [String],
    language: &'a str,
    /// Extension (JSON Feed: keys starting with `_`): what the format has no field for.
    #[serde(rename = "_budkavle")]
    budkavle: Extension<'a>,
}

#[derive(Serialize)]
struct Extension<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retracted: Option<&'a str>,
}

pub(super) fn render(site: &Site<'_>, base: &Base, entries: &[Dated<'_>]) -> Result<Vec<u8>> {
    let org = site.project.strategy.organisation();
    let absolute = |path: &str| base.is_absolute().then(|| base.url(path));
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: site.project.strategy.file.site.title.as_deref().unwrap_or(&org.name),
        home_page_url: absolute("/"),
        feed_url: absolute("/feed.json"),
        language: &org.lang,
        authors: vec![Author { name: &org.name, url: org.url.as_deref().filter(|u| is_web_url(u)) }],
        items: entries
            .iter()
            .map(|d| {
                let v = d.view;
                Item {
                    id: base.id(&v.url, &format!("post\n{}", v.id)),
                    url: base.url(&v.url),
                    title: entry_title(site, d),
                    content_html: entry_html(site, base, d),
                    image: v.retracted.is_none().then(|| v.media.first().map(|m| base.url(&m.src))).flatten(),
                    date_published: d.published.to_string(),
                    date_modified: d.updated.to_string(),
                    tags: &v.tags,
                    language: &v.lang,
                    budkavle: Extension { kind: v.kind, retracted: v.retracted.as_deref() },
                }
            })
            .collect(),
    };
    to_json("feed.json", &feed)
}
