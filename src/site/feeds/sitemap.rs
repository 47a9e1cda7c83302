//! `/sitemap.xml` (sitemaps.org protocol 0.9). A sitemap holds at most 50,000 URLs, so a larger
//! archive gets a sitemap index at `/sitemap.xml` pointing at `/sitemaps/<n>.xml`.

use std::fmt::Write;

use jiff::Timestamp;

use super::{Base, Dates};
use crate::escape::xml as xml_escape;
use crate::output::Files;
use crate::site::Site;

const MAX_URLS: usize = 50_000;
const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// `lastmod`: [`last_modified`], worked out beside the pages ([`super::sitemap_dates`]).
pub(super) fn render<'p>(base: &Base, lastmod: &LastModified, paths: impl IntoIterator<Item = &'p str>) -> Files {
    if !base.is_absolute() {
        return Vec::new();
    }
    let mut pages: Vec<String> = paths.into_iter().filter_map(page_url).collect();
    pages.sort();
    pages.dedup();

    let urlset = |pages: &[String]| {
        // The sitemap is made after every other page, while nothing else runs: its ten thousand
        // entries are made side by side, a thousand at a time.
        let chunks: Vec<&[String]> = pages.chunks(1024).collect();
        // Each address written straight into its chunk: a page's address is the base, escaped
        // once here, and its path, which percent-encoding leaves with nothing to escape in XML.
        let base_xml = base.absolute.as_deref().map(xml_escape).unwrap_or_default();
        let entries = crate::project::par_map(&chunks, |chunk| {
            let mut x = String::with_capacity(chunk.len() * 120);
            for page in *chunk {
                x.push_str("  <url><loc>");
                x.push_str(&base_xml);
                super::push_percent_encoded(&mut x, page);
                x.push_str("</loc>");
                if let Some(t) = lastmod.get(page.as_str()) {
                    let _ = write!(x, "<lastmod>{t}</lastmod>");
                }
                x.push_str("</url>\n");
            }
            x
        });
        let mut x = String::with_capacity(entries.iter().map(String::len).sum::<usize>() + 200);
        let _ = writeln!(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"{NS}\">");
        for entry in &entries {
            x.push_str(entry);
        }
        x.push_str("</urlset>\n");
        x.into_bytes()
    };
    if pages.len() <= MAX_URLS {
        return vec![("sitemap.xml".to_string(), urlset(&pages))];
    }
    let mut files = Vec::new();
    let mut index = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"{NS}\">\n");
    for (i, chunk) in pages.chunks(MAX_URLS).enumerate() {
        let path = format!("sitemaps/{}.xml", i + 1);
        let _ = writeln!(index, "  <sitemap><loc>{}</loc></sitemap>", xml_escape(&base.url(&format!("/{path}"))));
        files.push((path, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("sitemap.xml".to_string(), index.into_bytes()));
    files
}

/// The URL path of an output file that is a page (`<dir>/index.html`); feeds, JSON, images and
/// style sheets are not pages.
fn page_url(path: &str) -> Option<String> {
    if path == "index.html" {
        Some("/".to_string())
    } else {
        path.strip_suffix("/index.html").map(|d| format!("/{d}/"))
    }
}

/// When each page last changed, by URL path: tens of thousands of them, so a fast hash.
pub(super) type LastModified = foldhash::HashMap<String, Timestamp>;

/// When each post page and version page last changed; other pages (lists, tags, months) change
/// whenever a post does, which a crawler learns by visiting the post pages anyway.
pub(super) fn last_modified(site: &Site<'_>, dates: &[Dates<'_>]) -> LastModified {
    let mut lastmod = LastModified::with_capacity_and_hasher(dates.len() * 2, Default::default());
    for d in dates {
        let url = d.archived.url();
        for v in site.record.versions.get(d.archived.id()).map(Vec::as_slice).unwrap_or_default() {
            lastmod.insert(format!("{url}v/{}/", v.n), v.date);
        }
        lastmod.insert(url, d.updated);
    }
    lastmod
}

#[cfg(test)]
mod tests {
    use super::page_url as to_url;

    #[test]
    fn index_paths_become_directory_urls() {
        assert_eq!(to_url("index.html").as_deref(), Some("/"));
        assert_eq!(to_url("p/a/v/2/index.html").as_deref(), Some("/p/a/v/2/"));
        assert_eq!(to_url("feed.atom"), None);
        assert_eq!(to_url("static/style.css"), None);
    }
}
