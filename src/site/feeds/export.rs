//! `/export.json`: the open-data export, every archived post with its metadata, where it was
//! published and every committed version. The shape is documented in `docs/export-json.md`;
//! bump `version` only when a field changes meaning or goes away.
//!
//! A retracted post keeps its metadata, reason, platforms and the list of its versions, but
//! not its text (body, source, versions' source): the archive shows a tombstone for it, and
//! the export must not publish again what the tombstone withholds. Git history still has it.

use serde::Serialize;

use super::Base;
use crate::error::{Error, Result};
use crate::output::Made;
use crate::output::memo::Key;
use crate::platform::PlatformId;
use crate::post::{Area, Post};
use crate::site::{PostView, Site};

/// The export without its posts, which are appended one per line.
#[derive(Serialize)]
struct Head<'a> {
    format: &'static str,
    version: u32,
    organisation: Organisation<'a>,
}

#[derive(Serialize)]
struct Organisation<'a> {
    name: &'a str,
    url: Option<&'a str>,
    lang: &'a str,
    timezone: &'a str,
    archive_url: Option<&'a str>,
}

#[derive(Serialize)]
struct ExportPost<'a> {
    id: &'a str,
    url: String,
    file: String,
    title: &'a str,
    lang: &'a str,
    date: Option<String>,
    kind: &'static str,
    goal: Option<&'a str>,
    audiences: &'a [String],
    tags: &'a [String],
    updates: Option<&'a str>,
    corrects: Option<&'a str>,
    cancels: Option<&'a str>,
    updated_by: Vec<&'a str>,
    corrected_by: Vec<&'a str>,
    cancelled_by: Vec<&'a str>,
    retracted: Option<&'a str>,
    crisis: Option<Crisis<'a>>,
    media: Vec<Media>,
    html: Option<&'a str>,
    source: Option<&'a str>,
    platforms: Vec<Platform<'a>>,
    versions: Vec<Version<'a>>,
}

#[derive(Serialize)]
struct Crisis<'a> {
    event: Option<&'a str>,
    category: Option<&'a str>,
    urgency: Option<&'a str>,
    severity: Option<&'a str>,
    certainty: Option<&'a str>,
    area: Option<&'a Area>,
    /// As written in the post (a TOML date-time, possibly without an offset: then it is local
    /// time in the organisation's time zone).
    expires: Option<String>,
    instruction: Option<&'a str>,
    contact: Option<&'a str>,
    web: Option<&'a str>,
}

#[derive(Serialize)]
struct Media {
    url: String,
    alt: String,
}

#[derive(Serialize)]
struct Platform<'a> {
    platform: PlatformId,
    url: Option<&'a str>,
    at: String,
    deleted_at: Option<String>,
}

#[derive(Serialize)]
struct Version<'a> {
    n: usize,
    commit: &'a str,
    date: String,
    /// Present only when the strategy shows authors (`[site] show_authors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    source: Option<&'a str>,
}

pub(super) fn render(site: &Site<'_>, base: &Base) -> Result<(String, Made)> {
    let org = site.project.strategy.organisation();
    let archived: Vec<&Post> = site.posts.iter().map(|a| a.post).collect();

    // Relations point one way in the files; readers want both directions.
    let mut back: Backlinks<'_> = Backlinks::default();
    for p in &archived {
        for (target, rel) in
            [(&p.updates, Relation::Updates), (&p.corrects, Relation::Corrects), (&p.cancels, Relation::Cancels)]
        {
            if let Some(target) = target {
                back.entry((target.as_str(), rel)).or_default().push(&p.id);
            }
        }
    }
    let back_of = |p: &Post, rel| back.get(&(p.id.as_str(), rel)).cloned().unwrap_or_default();

    let head = Head {
        format: "budkavle-export",
        version: 1,
        organisation: Organisation {
            name: &org.name,
            url: org.url.as_deref(),
            lang: &org.lang,
            timezone: org.timezone.get_ref(),
            archive_url: org.archive_url.as_deref(),
        },
    };
    let fail = |e: serde_json::Error| Error::io("cannot write", "export.json", e.into());
    let mut start = crate::json::to_vec(&head).map_err(fail)?;
    // `head` is an object: reopen it to add the posts, one per line, serialised in parallel:
    // the export of a large archive is tens of megabytes, and a changed post changes one line
    // of it, so with a memo the other lines are copied from the last export.
    start.pop();
    start.extend_from_slice(b",\"posts\":[\n");
    // Ten thousand keys: in parallel, as everything else per post.
    let keys: Vec<Key> = match site.keys() {
        Some(k) => crate::project::par_map(&site.posts, |a| {
            let mut h = k.start("export line");
            h.key(k.view(a));
            for rel in [Relation::Updates, Relation::Corrects, Relation::Cancels] {
                h.json(&back_of(a.post, rel));
            }
            h.finish()
        }),
        None => vec![[0; 16]; site.posts.len()],
    };
    site.assembled("export.json", (&start, b",\n", b"\n]}\n"), &keys, |i| {
        let a = &site.posts[i];
        crate::json::to_vec(&export_post(site, base, &back, site.view(a), a.post)).map_err(fail)
    })
}

type Backlinks<'a> = foldhash::HashMap<(&'a str, Relation), Vec<&'a str>>;

fn export_post<'a>(
    site: &'a Site<'_>,
    base: &Base,
    back: &Backlinks<'a>,
    v: &'a PostView,
    p: &'a Post,
) -> ExportPost<'a> {
    let back_of = |rel| back.get(&(p.id.as_str(), rel)).cloned().unwrap_or_default();
    let show_authors = site.project.strategy.file.site.show_authors;
    let keep_text = v.retracted.is_none();
    ExportPost {
        id: &p.id,
        url: base.url(&v.url),
        file: p.path.to_string_lossy().replace('\\', "/"),
        title: &p.title,
        lang: &p.lang,
        date: p.date.map(|d| d.to_string()),
        kind: v.kind,
        goal: p.goal.as_deref(),
        audiences: &p.audiences,
        tags: &p.tags,
        updates: p.updates.as_deref(),
        corrects: p.corrects.as_deref(),
        cancels: p.cancels.as_deref(),
        updated_by: back_of(Relation::Updates),
        corrected_by: back_of(Relation::Corrects),
        cancelled_by: back_of(Relation::Cancels),
        retracted: p.retracted.as_deref(),
        crisis: p.crisis.as_ref().map(|c| Crisis {
            event: c.event.as_deref(),
            category: c.category.as_deref(),
            urgency: c.urgency.as_deref(),
            severity: c.severity.as_deref(),
            certainty: c.certainty.as_deref(),
            area: c.area.as_ref(),
            expires: c.expires.as_ref().map(ToString::to_string),
            instruction: c.instruction.as_deref(),
            contact: c.contact.as_deref(),
            web: c.web.as_deref(),
        }),
        media: v.media.iter().map(|m| Media { url: base.url(&m.src), alt: m.alt.clone() }).collect(),
        html: keep_text.then_some(v.html.as_str()),
        source: keep_text.then_some(p.source.as_str()),
        platforms: site
            .record
            .published
            .get(&p.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|x| Platform {
                platform: x.platform,
                url: x.url.as_deref(),
                at: x.at.to_string(),
                deleted_at: x.deleted_at.map(|t| t.to_string()),
            })
            .collect(),
        versions: site
            .record
            .versions
            .get(&p.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|x| Version {
                n: x.n,
                commit: &x.commit,
                date: x.date.to_string(),
                author: x.author.as_deref().filter(|_| show_authors),
                source: keep_text.then_some(x.source.as_str()),
            })
            .collect(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Relation {
    Updates,
    Corrects,
    Cancels,
}
