//! The archive's HTML pages: the paginated start page, one page per post (a tombstone for a
//! retracted one), tags, the monthly index that reaches every post without JavaScript, the
//! about page and the accessibility statement; plus the images the posts show.
//!
//! Nothing here reads the clock: every page is a function of the posts, the strategy, the
//! record and the build's one `now` (only for crisis alerts past their expiry), so an unchanged
//! repository produces byte-identical pages and a rebuild writes none.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::escape::is_web_url;
use crate::output::memo::Key;
use crate::output::{Files, Made};
use crate::platform::PlatformId;
use crate::project::par_map;
use crate::site::html::{newest_first, tag_slug};
use crate::site::{Archived, Keys, Site, Strings, fresh};
use crate::strategy::PlatformConfig;

/// Posts per start page: enough to skim, few enough to load fast on a phone.
pub(crate) const PER_PAGE: usize = 20;

/// What a post's page is made from besides its view, worked out ahead of the pages
/// ([`post_pages_ahead`]): what it says of the post's crisis chain, and, with a memo, its key.
pub(crate) struct PostPage {
    notice: Option<serde_json::Value>,
    pub(crate) key: Option<Key>,
}

/// [`PostPage`] of every archived post, by its place in [`Site::posts`]: the build tells from
/// the keys which posts' pages it will render before it renders any page.
pub(crate) fn post_pages_ahead(site: &Site<'_>) -> Vec<PostPage> {
    par_map(&site.posts, |post| {
        let notice = notice(site, post);
        let key = site.keys().map(|k| post_page_key(&k, post, &notice));
        PostPage { notice, key }
    })
}

pub(crate) fn pages<'s>(site: &'s Site<'s>, post_pages: &[PostPage]) -> Result<Vec<(String, Made)>> {
    // The images first: made safe to publish (decoded to check them), they were a step on few
    // cores at the very end of the build.
    let media = media_files(site)?;
    let mut newest: Vec<&Archived<'s>> = site.posts.iter().collect();
    newest.sort_by(|a, b| newest_first(a, b));
    // The list pages first: each post's page is then made from the item they left for it, and
    // the items are let go one by one as the posts' pages are made, not all held beside them.
    let mut files = start_pages(site, &newest)?;
    files.extend(tag_pages(site, &newest)?);
    files.extend(archive_pages(site, &newest)?);
    let posts = par_map(&site.posts, |post| {
        let page = &post_pages[post.index];
        site.unit(
            |k| page.key.unwrap_or_else(|| post_page_key(k, post, &page.notice)),
            || Ok(vec![post_page_with(site, post, &page.notice)?]),
        )
    });
    for p in posts {
        files.extend(p?);
    }
    files.push(fresh("om/index.html".into(), about_page(site)?));
    files.push(fresh("tillganglighet/index.html".into(), accessibility_page(site, &newest)?));
    files.extend(media);
    Ok(files)
}

/// The site path of page `n` (1-based) of the start page.
pub(crate) fn start_page_url(n: usize) -> String {
    if n <= 1 { "/".to_string() } else { format!("/page/{n}/") }
}

fn start_pages<'s>(site: &'s Site<'s>, newest: &[&'s Archived<'s>]) -> Result<Vec<(String, Made)>> {
    let total = newest.len().div_ceil(PER_PAGE).max(1);
    let numbers: Vec<usize> = (1..=total).collect();
    let pages = par_map(&numbers, |&n| {
        let chunk = newest.get((n - 1) * PER_PAGE..(n * PER_PAGE).min(newest.len())).unwrap_or(&[]);
        let path = if n == 1 { "index.html".to_string() } else { format!("page/{n}/index.html") };
        site.unit(
            |k| {
                let mut h = k.start("start page");
                h.u64(n as u64).u64(total as u64);
                for a in chunk {
                    h.key(k.view(a));
                }
                h.finish()
            },
            || {
                let mut ctx = site.base_context();
                ctx.insert("nav", "home");
                ctx.insert("page", &n);
                ctx.insert("pages", &total);
                ctx.insert("page_label", &site.strings.page_label(n, total));
                ctx.insert("newer_url", &(n > 1).then(|| start_page_url(n - 1)));
                ctx.insert("older_url", &(n < total).then(|| start_page_url(n + 1)));
                Ok(vec![(path, site.render_list("index.html", ctx, "posts", chunk)?)])
            },
        )
    });
    let mut files = Vec::new();
    for page in pages {
        files.extend(page?);
    }
    Ok(files)
}

/// What a post's page says of the crisis chain it belongs to, if any.
fn notice(site: &Site<'_>, post: &Archived<'_>) -> Option<serde_json::Value> {
    site.crisis.post_notice(post.id(), &site.strings, &site.project.strategy.timezone)
}

fn post_page_key(k: &Keys<'_>, post: &Archived<'_>, notice: &Option<serde_json::Value>) -> Key {
    k.start("post page").key(k.view(post)).json(notice).finish()
}

pub(crate) fn post_page(site: &Site<'_>, post: &Archived<'_>) -> Result<(String, Vec<u8>)> {
    post_page_with(site, post, &notice(site, post))
}

fn post_page_with(
    site: &Site<'_>,
    post: &Archived<'_>,
    notice: &Option<serde_json::Value>,
) -> Result<(String, Vec<u8>)> {
    let view = site.view(post);
    let mut ctx = site.base_context();
    let value = view
        .page_value(site.take_listed(post))
        .map_err(|e| Error::Internal(format!("the view of {} as template JSON: {e}", view.id)))?;
    ctx.insert_value("post", value);
    ctx.insert("crisis", notice);
    let template = if view.retracted.is_some() { "tombstone.html" } else { "post.html" };
    Ok((format!("p/{}/index.html", view.id), site.render(template, &ctx)?))
}

#[derive(Serialize)]
struct TagEntry<'a> {
    name: String,
    url: String,
    count: usize,
    count_label: String,
    #[serde(skip)]
    posts: Vec<&'a Archived<'a>>,
}

/// Tags by slug: spellings that differ only in case or accents ("Snöröjning", "snoröjning") are
/// one tag, named as most posts write it.
fn tags<'a>(site: &Site<'_>, newest: &[&'a Archived<'a>]) -> Vec<TagEntry<'a>> {
    let mut by_slug: BTreeMap<String, (BTreeMap<&'a str, usize>, Vec<&'a Archived<'a>>)> = BTreeMap::new();
    for post in newest {
        let mut seen = Vec::new();
        for tag in &post.post.tags {
            let slug = tag_slug(tag);
            let entry = by_slug.entry(slug.clone()).or_default();
            *entry.0.entry(tag.as_str()).or_default() += 1;
            if !seen.contains(&slug) {
                entry.1.push(post);
                seen.push(slug);
            }
        }
    }
    let mut tags: Vec<TagEntry<'a>> = by_slug
        .into_iter()
        .map(|(slug, (spellings, posts))| {
            let name = spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(n, _)| n.to_string())
                .unwrap_or_default();
            TagEntry {
                name,
                url: format!("/tags/{slug}/"),
                count: posts.len(),
                count_label: site.strings.count(posts.len(), "post_count_one", "post_count_other"),
                posts,
            }
        })
        .collect();
    tags.sort_by(|a, b| (a.name.to_lowercase(), &a.url).cmp(&(b.name.to_lowercase(), &b.url)));
    tags
}

fn tag_pages<'s>(site: &'s Site<'s>, newest: &[&'s Archived<'s>]) -> Result<Vec<(String, Made)>> {
    let tags = tags(site, newest);
    let mut ctx = site.base_context();
    ctx.insert("nav", "tags");
    ctx.insert("tags", &tags);
    let mut files = vec![fresh("tags/index.html".to_string(), site.render("tags.html", &ctx)?)];
    let pages = par_map(&tags, |tag| {
        site.unit(
            |k| {
                let mut h = k.start("tag page");
                h.json(tag);
                for a in &tag.posts {
                    h.key(k.view(a));
                }
                h.finish()
            },
            || {
                let mut ctx = site.base_context();
                ctx.insert("tag", tag);
                let path = format!("{}index.html", tag.url.trim_start_matches('/'));
                Ok(vec![(path, site.render_list("tag.html", ctx, "posts", &tag.posts)?)])
            },
        )
    });
    for page in pages {
        files.extend(page?);
    }
    Ok(files)
}

#[derive(Serialize)]
struct MonthEntry {
    year: i16,
    month: i8,
    name: String,
    title: String,
    url: String,
    count: usize,
    count_label: String,
}

#[derive(Serialize)]
struct YearEntry {
    year: i16,
    months: Vec<MonthEntry>,
}

pub(crate) fn month_url(year: i16, month: i8) -> String {
    format!("/arkiv/{year:04}/{month:02}/")
}

fn archive_pages<'s>(site: &'s Site<'s>, newest: &[&'s Archived<'s>]) -> Result<Vec<(String, Made)>> {
    let tz = &site.project.strategy.timezone;
    let mut by_month: BTreeMap<(i16, i8), Vec<&Archived<'s>>> = BTreeMap::new();
    let mut undated = Vec::new();
    for post in newest {
        match post.timestamp {
            Some(t) => {
                let z = t.to_zoned_datetime(tz.clone());
                by_month.entry((z.year(), z.month())).or_default().push(post);
            }
            None => undated.push(*post),
        }
    }
    let strings = &site.strings;
    let entry = |(year, month): (i16, i8), count: usize| MonthEntry {
        year,
        month,
        name: strings.month_name(month).to_string(),
        title: Strings::fill(
            strings.get("month_title"),
            &[("month", strings.month_name(month)), ("year", &year.to_string())],
        ),
        url: month_url(year, month),
        count,
        count_label: strings.count(count, "post_count_one", "post_count_other"),
    };
    let mut years: Vec<YearEntry> = Vec::new();
    for (&(year, month), posts) in by_month.iter().rev() {
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearEntry { year, months: Vec::new() });
        }
        if let Some(y) = years.last_mut() {
            y.months.push(entry((year, month), posts.len()));
        }
    }
    let mut ctx = site.base_context();
    ctx.insert("nav", "archive");
    ctx.insert("years", &years);
    ctx.insert("total_label", &strings.count(newest.len(), "post_count_one", "post_count_other"));
    let mut files =
        vec![fresh("arkiv/index.html".to_string(), site.render_list("archive.html", ctx, "undated", &undated)?)];
    let keys: Vec<(i16, i8)> = by_month.keys().copied().collect();
    let indices: Vec<usize> = (0..keys.len()).collect();
    let pages = par_map(&indices, |&i| {
        let key = keys[i];
        let posts = &by_month[&key];
        let month = entry(key, posts.len());
        let older = i.checked_sub(1).map(|j| entry(keys[j], by_month[&keys[j]].len()));
        let newer = keys.get(i + 1).map(|k| entry(*k, by_month[k].len()));
        site.unit(
            |k| {
                let mut h = k.start("month page");
                h.json(&month).json(&older).json(&newer);
                for a in posts {
                    h.key(k.view(a));
                }
                h.finish()
            },
            || {
                let mut ctx = site.base_context();
                ctx.insert("month", &month);
                ctx.insert("older", &older);
                ctx.insert("newer", &newer);
                let path = format!("{}index.html", month_url(key.0, key.1).trim_start_matches('/'));
                Ok(vec![(path, site.render_list("month.html", ctx, "posts", posts)?)])
            },
        )
    });
    for page in pages {
        files.extend(page?);
    }
    Ok(files)
}

#[derive(Serialize)]
struct Account {
    platform: &'static str,
    name: &'static str,
    handle: String,
    url: Option<String>,
}

/// The public profile of an account, when the strategy says enough to find it. Handles with
/// anything but the characters platforms allow in them get no link rather than a guessed one.
fn profile_url(platform: PlatformId, cfg: &PlatformConfig) -> Option<String> {
    let safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let handle = cfg.account.as_deref().map(|a| a.trim().trim_start_matches('@'));
    let url = match platform {
        PlatformId::Mastodon => {
            let account = handle?;
            let (user, base) = match account.split_once('@') {
                Some((user, host)) if safe(host) => (user, format!("https://{host}")),
                Some(_) => return None,
                None => {
                    let instance = cfg.instance.as_ref()?.get_ref().trim_end_matches('/');
                    if !instance.strip_prefix("https://").is_some_and(safe) {
                        return None;
                    }
                    (account, instance.to_string())
                }
            };
            safe(user).then(|| format!("{base}/@{user}"))?
        }
        PlatformId::Bluesky => handle.filter(|h| safe(h)).map(|h| format!("https://bsky.app/profile/{h}"))?,
        PlatformId::X => handle.filter(|h| safe(h)).map(|h| format!("https://x.com/{h}"))?,
        PlatformId::Instagram => handle.filter(|h| safe(h)).map(|h| format!("https://www.instagram.com/{h}/"))?,
        PlatformId::Threads => handle.filter(|h| safe(h)).map(|h| format!("https://www.threads.net/@{h}"))?,
        PlatformId::Facebook => {
            cfg.page_id.as_deref().filter(|p| safe(p)).map(|p| format!("https://www.facebook.com/{p}"))?
        }
        PlatformId::Linkedin => cfg
            .page_id
            .as_deref()
            .and_then(|p| p.strip_prefix("urn:li:organization:"))
            .filter(|n| safe(n))
            .map(|n| format!("https://www.linkedin.com/company/{n}/"))?,
    };
    Some(url)
}

fn accounts(site: &Site<'_>) -> Vec<Account> {
    site.project
        .strategy
        .platforms
        .iter()
        .map(|(&platform, cfg)| Account {
            platform: platform.name(),
            name: platform.display_name(),
            handle: cfg
                .account
                .clone()
                .or_else(|| cfg.display_name.clone())
                .unwrap_or_else(|| site.project.strategy.organisation().name.clone()),
            url: profile_url(platform, cfg),
        })
        .collect()
}

/// Who to contact, for the about page and the accessibility statement.
fn contact(site: &Site<'_>) -> serde_json::Value {
    let org = site.project.strategy.organisation();
    let email = org.contact_email.as_deref().filter(|e| e.contains('@') && !e.chars().any(char::is_whitespace));
    let phone = org.phone.as_deref();
    // `tel:` wants digits and `+` only.
    let tel: Option<String> = phone.map(|p| p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect());
    serde_json::json!({
        "email": email,
        "phone": phone,
        "tel": tel.filter(|t| !t.is_empty()),
        "address": org.address,
        "org_number": org.org_number,
    })
}

fn about_page(site: &Site<'_>) -> Result<Vec<u8>> {
    let strategy = &site.project.strategy;
    let interaction = &strategy.file.interaction;
    let mut ctx = site.base_context();
    ctx.insert("nav", "about");
    ctx.insert("accounts", &accounts(site));
    ctx.insert("goals", &strategy.file.goals.iter().map(|g| g.description.as_str()).collect::<Vec<_>>());
    ctx.insert("audiences", &strategy.file.audiences.iter().map(|a| a.description.as_str()).collect::<Vec<_>>());
    ctx.insert("response_time", &interaction.response_time.as_ref().map(|d| site.strings.duration(d.get_ref())));
    ctx.insert("office_hours", &interaction.office_hours.as_ref().map(|h| h.get_ref()));
    ctx.insert("guidelines", &interaction.guidelines);
    ctx.insert("keep", &interaction.keep.as_ref().and_then(|k| retention(site, k.get_ref())));
    ctx.insert("contact", &contact(site));
    site.render("about.html", &ctx)
}

/// `[interaction] keep` ("2y", "18mo", "90d") in words, for the comment policy (§3 lagen
/// (1998:112)); `None` when it is not a plain retention period (the inbox refuses it then).
fn retention(site: &Site<'_>, written: &str) -> Option<String> {
    let span: jiff::Span = written.trim().parse().ok()?;
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    let mut parts = Vec::new();
    if span.get_years() > 0 {
        parts.push(site.strings.count(n(span.get_years().into()), "duration_year", "duration_years"));
    }
    if span.get_months() > 0 {
        parts.push(site.strings.count(n(span.get_months().into()), "duration_month", "duration_months"));
    }
    if span.get_weeks() > 0 {
        parts.push(site.strings.count(n(i64::from(span.get_weeks()) * 7), "duration_day", "duration_days"));
    }
    if span.get_days() > 0 {
        parts.push(site.strings.count(n(span.get_days().into()), "duration_day", "duration_days"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The accessibility statement (DIGG's model for lag (2018:1937)). Its dates come from the
/// posts, not the clock: the statement is reviewed with each build, and the latest post is the
/// last time the site changed in substance.
fn accessibility_page(site: &Site<'_>, newest: &[&Archived<'_>]) -> Result<Vec<u8>> {
    let tz = &site.project.strategy.timezone;
    let org = site.project.strategy.organisation();
    let dated: Vec<jiff::Timestamp> = newest.iter().filter_map(|p| p.timestamp).collect();
    let latest = dated.iter().max().copied();
    let first = dated.iter().min().copied();
    let mut ctx = site.base_context();
    ctx.insert("statement_date", &latest.map(|d| d.to_zoned_datetime(tz.clone()).date().to_string()));
    ctx.insert("statement_date_human", &latest.map(|d| site.strings.date(d, tz)));
    ctx.insert("first_date_human", &first.map(|d| site.strings.date(d, tz)));
    ctx.insert("site_url", &org.archive_url.as_deref().filter(|u| is_web_url(u)));
    ctx.insert("contact", &contact(site));
    ctx.insert(
        "response_time",
        &site.project.strategy.file.interaction.response_time.as_ref().map(|d| site.strings.duration(d.get_ref())),
    );
    site.render("accessibility.html", &ctx)
}

/// The images, stripped of metadata exactly as `publish` strips them before an upload: the
/// archive is as public as the platforms, and Instagram and Threads fetch their copy from here
/// ([`super::media_url`]). An image that cannot be made safe is left out of the archive, as it
/// is held back from the platforms, rather than published with where it was taken.
/// Each image is a unit of its name and file: the image's bytes are among what every page's key
/// holds (the build's global key hashes the media).
fn media_files(site: &Site<'_>) -> Result<Vec<(String, Made)>> {
    let list: Vec<(&String, &std::path::PathBuf)> = site.media.iter().collect();
    let files = par_map(&list, |(name, rel)| {
        site.unit(
            |k| k.start("media").str(name).str(&rel.to_string_lossy()).finish(),
            || {
                let bytes =
                    std::fs::read(site.project.root.join(rel)).map_err(|e| Error::io("cannot read", *rel, e))?;
                Ok(crate::media::prepare(rel, &bytes)
                    .ok()
                    .map(|safe| (format!("media/{name}"), safe.bytes))
                    .into_iter()
                    .collect::<Files>())
            },
        )
    });
    let mut out = Vec::new();
    for file in files {
        out.extend(file?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(account: Option<&str>, page_id: Option<&str>) -> PlatformConfig {
        let mut text = String::new();
        if let Some(a) = account {
            text.push_str(&format!("account = {}\n", toml::Value::String(a.into())));
        }
        if let Some(p) = page_id {
            text.push_str(&format!("page_id = {}\n", toml::Value::String(p.into())));
        }
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn profile_links_from_handles() {
        let url = |p, a: Option<&str>, id: Option<&str>| profile_url(p, &cfg(a, id));
        assert_eq!(
            url(PlatformId::Mastodon, Some("@kommun@social.example.se"), None).as_deref(),
            Some("https://social.example.se/@kommun")
        );
        assert_eq!(
            url(PlatformId::Bluesky, Some("kommun.se"), None).as_deref(),
            Some("https://bsky.app/profile/kommun.se")
        );
        assert_eq!(url(PlatformId::X, Some("@kommun"), None).as_deref(), Some("https://x.com/kommun"));
        assert_eq!(
            url(PlatformId::Linkedin, None, Some("urn:li:organization:42")).as_deref(),
            Some("https://www.linkedin.com/company/42/")
        );
        assert_eq!(url(PlatformId::X, Some("\"><script>"), None), None);
        assert_eq!(url(PlatformId::Facebook, Some("Kommunen"), None), None);
    }
}
