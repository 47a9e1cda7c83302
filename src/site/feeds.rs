//! Machine-readable views of the archive: Atom and JSON feeds of the latest posts, a sitemap of
//! every page, and the open-data export of every post and version.
//!
//! Everything here needs absolute URLs, which only the organisation knows: `archive_url` (the
//! site is served at the root of that host, since every page links site-relatively). Without
//! it no URL is guessed — a wrong guess would send readers to the organisation's own site —, so
//! feed links stay root-relative (valid references, resolved by readers against the feed's own
//! address), entry ids become stable `urn:uuid:` names, and no sitemap is written (the
//! protocol allows only absolute URLs).
//!
//! Retracted posts stay in the feeds as entries with their usual id whose title says so and
//! whose content is only the reason: a reader that already fetched the post learns of the
//! retraction, and the retracted text is not sent out again.
//!
//! Nothing reads the clock: a feed's `updated` is that of its newest entry, so an unchanged
//! project builds byte-identical feeds.

mod atom;
pub(super) mod cap;
mod export;
mod json;
mod sitemap;

use jiff::Timestamp;

use crate::error::{Error, Result};
use crate::escape::is_web_url;
use crate::output::Made;
use crate::output::memo::Key;
use crate::project::par_map;
use crate::site::{Archived, PostView, Site, fresh};

/// How many posts the Atom and JSON feeds carry.
const FEED_LEN: usize = 50;

pub(crate) fn pages(site: &Site<'_>) -> Result<Vec<(String, Made)>> {
    let base = Base::of(site);
    let dates = dates(site);
    let latest = &dates[..dates.len().min(FEED_LEN)];
    let views = par_map(latest, |d| site.view(d.archived));
    let latest: Vec<Dated<'_>> =
        latest.iter().zip(views).map(|(d, view)| Dated { view, published: d.published, updated: d.updated }).collect();
    Ok(vec![
        fresh("feed.atom".to_string(), atom::render(site, &base, &latest).into_bytes()),
        fresh("feed.json".to_string(), json::render(site, &base, &latest)?),
        export::render(site, &base)?,
    ])
}

/// What the sitemap needs besides the paths of the pages, worked out while the pages are made:
/// the sitemap itself is made last ([`sitemap`]), when nothing is left to run beside it, so
/// only what needs the paths is left for then.
pub(crate) struct SitemapDates {
    /// The part of the sitemap's key that is not the paths: when each post and version last
    /// changed. With a memo only.
    key: Option<Key>,
    /// Each page's last change by its URL path; empty when no sitemap is written (the archive's
    /// absolute address is unknown).
    lastmod: sitemap::LastModified,
}

pub(crate) fn sitemap_dates(site: &Site<'_>) -> SitemapDates {
    let dates = dates(site);
    let key = site.keys().map(|k| {
        let mut h = k.start("sitemap dates");
        // Times as nanoseconds, not JSON: ten thousand posts' worth of serialising was most
        // of the sitemap's key.
        let time = |h: &mut crate::output::memo::KeyHasher, t: &Timestamp| {
            h.bytes(&t.as_nanosecond().to_le_bytes());
        };
        for d in &dates {
            h.str(d.archived.id());
            time(&mut h, &d.updated);
            for v in site.record.versions.get(d.archived.id()).map(Vec::as_slice).unwrap_or_default() {
                h.u64(v.n as u64);
                time(&mut h, &v.date);
            }
        }
        h.finish()
    });
    let lastmod = if Base::of(site).is_absolute() { sitemap::last_modified(site, &dates) } else { Default::default() };
    SitemapDates { key, lastmod }
}

/// `sitemap.xml` (and its parts, past 50,000 URLs) listing every page among `paths`, the
/// site-relative output paths of the whole site: built from what was actually rendered, so no
/// page kind can be forgotten and no slug or pagination rule has to be repeated here. Empty
/// when the archive's absolute address is unknown. `Site::pages` calls it last.
pub(crate) fn sitemap<'p>(
    site: &Site<'_>,
    dates: &SitemapDates,
    paths: impl IntoIterator<Item = &'p str>,
) -> Result<Vec<(String, Made)>> {
    let paths: Vec<&str> = paths.into_iter().collect();
    site.unit(
        |k| {
            // Which pages there are, and when each post and version last changed.
            let mut h = k.start("sitemap");
            for p in &paths {
                h.str(p);
            }
            if let Some(key) = &dates.key {
                h.key(key);
            }
            h.finish()
        },
        || Ok(sitemap::render(&Base::of(site), &dates.lastmod, paths.iter().copied())),
    )
}

/// Where the archive lives, when the organisation said so.
struct Base {
    /// `scheme://host[/…]` without a trailing slash.
    absolute: Option<String>,
    /// Seeds the `urn:uuid:` ids used when there is no absolute URL.
    org: String,
}

impl Base {
    fn of(site: &Site<'_>) -> Base {
        let org = site.project.strategy.organisation();
        let absolute = org
            .archive_url
            .as_deref()
            .map(str::trim)
            .filter(|u| is_web_url(u))
            .map(|u| u.trim_end_matches('/').to_string());
        Base { absolute, org: org.name.clone() }
    }

    fn is_absolute(&self) -> bool {
        self.absolute.is_some()
    }

    /// The URL of a site-absolute `path` (which starts with `/`): absolute when known (with
    /// `archive_url`'s path), else relative to the site root, where the feeds are — so a reader
    /// resolves it against the feed's own address, under whatever path the archive is served.
    fn url(&self, path: &str) -> String {
        self.url_in("feed.atom", path)
    }

    /// [`Base::url`] for a file at `doc` (relative to the site root) that is not at the root.
    fn url_in(&self, doc: &str, path: &str) -> String {
        let path = percent_encode_path(path);
        match &self.absolute {
            Some(base) => format!("{base}{path}"),
            None => match path.strip_prefix('/') {
                Some(rest) => {
                    let relative = format!("{}{rest}", super::links::root(doc));
                    if relative.is_empty() { "./".to_string() } else { relative }
                }
                None => path,
            },
        }
    }

    /// A permanent id: the absolute URL when there is one, else a name derived from the
    /// organisation and `what`, so it stays the same from build to build.
    fn id(&self, path: &str, what: &str) -> String {
        if self.is_absolute() { self.url(path) } else { urn_uuid(&format!("budkavle\n{}\n{what}", self.org)) }
    }
}

/// A post with the dates the feeds need.
struct Dates<'a> {
    archived: &'a Archived<'a>,
    /// When it went (or goes) out: its `date`, else the first platform publication, else its
    /// first commit.
    published: Timestamp,
    /// The latest of `published`, the last committed version and any removal from a platform.
    updated: Timestamp,
}

/// [`Dates`] with the post's view, for the feeds' entries.
struct Dated<'a> {
    view: &'a PostView,
    published: Timestamp,
    updated: Timestamp,
}

/// Every archived post that has a date, newest first (ties by id, for a stable order).
/// Undated posts without a publication or a commit are not out yet and have no place in a feed.
fn dates<'a>(site: &'a Site<'a>) -> Vec<Dates<'a>> {
    let mut dated: Vec<Dates<'a>> = site
        .posts
        .iter()
        .filter_map(|archived| {
            let post = archived.post;
            let published_on = site.record.published.get(&post.id).map(Vec::as_slice).unwrap_or_default();
            let versions = site.record.versions.get(&post.id).map(Vec::as_slice).unwrap_or_default();
            let published = post
                .date
                .or_else(|| published_on.iter().map(|p| p.at).min())
                .or_else(|| versions.first().map(|v| v.date))?;
            let updated = std::iter::once(published)
                .chain(versions.last().map(|v| v.date))
                .chain(published_on.iter().filter_map(|p| p.deleted_at))
                .max()
                .unwrap_or(published);
            Some(Dates { archived, published, updated })
        })
        .collect();
    dated.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| a.archived.id().cmp(b.archived.id())));
    dated
}

/// Content HTML for a feed entry: the sanitised body and the post's images (absolute when the
/// archive's address is known), or for a retracted post only the reason.
fn entry_html(site: &Site<'_>, base: &Base, d: &Dated<'_>) -> String {
    if let Some(reason) = &d.view.retracted {
        let label = site.strings.get("retracted_badge");
        return format!("<p><strong>{}:</strong> {}</p>", crate::escape::html(label), crate::escape::html(reason));
    }
    let mut html = d.view.html.clone();
    for m in &d.view.media {
        html.push_str(&format!(
            "\n<p><img src=\"{}\" alt=\"{}\"></p>",
            crate::escape::html(&base.url(&m.src)),
            crate::escape::html(&m.alt)
        ));
    }
    html
}

/// The title a feed shows: a retracted post says so first (in the interface language, as on
/// its tombstone page).
fn entry_title(site: &Site<'_>, d: &Dated<'_>) -> String {
    match d.view.retracted {
        Some(_) => format!("{}: {}", site.strings.get("retracted_badge"), d.view.title),
        None => d.view.title.clone(),
    }
}

/// Pretty JSON with a final newline: readable in a browser and in diffs of `dist/`.
fn to_json(name: &str, value: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::io("cannot write", name, e.into()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Percent-encodes a site-relative path so it is a valid URI (sitemaps require it; page paths
/// may carry non-ASCII tag names).
fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_percent_encoded(&mut out, path);
    out
}

/// [`percent_encode_path`] appended to `out`. What it writes is ASCII letters, digits,
/// `/ - . _ ~` and `%XX`: nothing XML escapes.
fn push_percent_encoded(out: &mut String, path: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

/// An RFC 9562 version 8 (name-based, custom hash) UUID URN from SHA-256 of `name`.
fn urn_uuid(name: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_stable_and_well_formed() {
        let a = urn_uuid("x");
        assert_eq!(a, urn_uuid("x"));
        assert_ne!(a, urn_uuid("y"));
        let hex = a.trim_start_matches("urn:uuid:");
        let groups: Vec<usize> = hex.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&hex[14..15], "8", "version 8: {a}");
        assert!(matches!(&hex[19..20], "8" | "9" | "a" | "b"), "RFC variant: {a}");
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(percent_encode_path("/tags/snöröjning/"), "/tags/sn%C3%B6r%C3%B6jning/");
        assert_eq!(percent_encode_path("/p/a-b_c.d~/"), "/p/a-b_c.d~/");
    }
}
