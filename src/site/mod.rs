//! The public transparency archive (`dist/site/`): a static, accessible website of every post
//! with its platforms, versions and relations, plus feeds, a search index and a sitemap
//! (DESIGN §8). Pure function of the project, the [`Record`] and, for crisis alerts past their
//! `expires`, the time of the build ([`render_at`]); written through
//! [`crate::output::OutputDir`], so a rebuild rewrites only pages whose bytes changed.
//!
//! The default theme's site templates, stylesheet and strings are embedded in the binary, so a
//! repository whose theme has no `site/` folder (one made by `budkavle init`) still gets an
//! archive; a file of the same name in the project's theme wins over the embedded one.

mod clean;
mod context;
mod crisis;
mod feeds;
mod html;
mod i18n;
mod links;
mod pages;
mod record;
mod results;
mod search;
mod versions;

pub use record::Record;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use jiff::Timestamp;
use serde::Serialize;

use crate::error::{Diagnostic, Error, Result};
use crate::output::memo::{Key, KeyHasher, Memo};
use crate::output::{Files, Made, OutputDir, Previous, Sink, WriteStats};
use crate::post::Post;
use crate::project::{ByPath, Project, par_map};

pub(crate) use i18n::Strings;

/// Templates are at most a few kilobytes; anything larger is not one.
const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;

/// Built-in templates of `themes/default/site/`, by name.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/site/base.html")),
    ("macros.html", include_str!("../../themes/default/site/macros.html")),
    ("index.html", include_str!("../../themes/default/site/index.html")),
    ("post.html", include_str!("../../themes/default/site/post.html")),
    ("tombstone.html", include_str!("../../themes/default/site/tombstone.html")),
    ("tags.html", include_str!("../../themes/default/site/tags.html")),
    ("tag.html", include_str!("../../themes/default/site/tag.html")),
    ("archive.html", include_str!("../../themes/default/site/archive.html")),
    ("month.html", include_str!("../../themes/default/site/month.html")),
    ("about.html", include_str!("../../themes/default/site/about.html")),
    ("accessibility.html", include_str!("../../themes/default/site/accessibility.html")),
    ("search.html", include_str!("../../themes/default/site/search.html")),
    ("version.html", include_str!("../../themes/default/site/version.html")),
    ("crisis.html", include_str!("../../themes/default/site/crisis.html")),
    ("results.html", include_str!("../../themes/default/site/results.html")),
    ("results_index.html", include_str!("../../themes/default/site/results_index.html")),
];

/// Built-in files of `themes/default/site/static/`, by name.
const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/site/static/style.css")),
    ("search.js", include_bytes!("../../themes/default/site/static/search.js")),
];

/// Renders every page into `out_dir` (normally `dist/site`).
pub fn build(project: &Project, record: &Record, out_dir: &Path) -> Result<WriteStats> {
    write(&render(project, record)?, out_dir)
}

/// Every file of the site in memory, by `/`-separated path relative to the site root, so a
/// caller can render everything before writing anything.
pub fn render(project: &Project, record: &Record) -> Result<Files> {
    render_at(project, record, clock()?)
}

/// [`render`] as at `now`. The clock decides one thing only: whether a crisis alert's
/// `expires` has passed. Tests and rehearsals fix it here or with `BUDKAVLE_NOW`.
pub fn render_at(project: &Project, record: &Record, now: Timestamp) -> Result<Files> {
    let pages = Site::new(project, record, now, None)?.pages()?;
    pages
        .into_iter()
        .map(|(path, made)| match made {
            Made::New(bytes) => Ok((path, bytes)),
            // Without a memo nothing can be kept, nor written by the site.
            Made::Kept(_) | Made::Written(_) => {
                Err(Error::Internal(format!("{path} was not made in memory, in a build without a memo")))
            }
        })
        .collect()
}

/// What an incremental rendering of the site may reuse: the memo of the last build and the
/// output it went to. See [`render_incremental`].
pub struct Incremental<'m> {
    /// A hash of everything the site depends on besides the posts, the ledger, git and the
    /// clock: strategy.toml, the theme, the media, this binary, the environment (the build's
    /// `memo::global_key`).
    pub global: Key,
    pub memo: &'m Memo,
    pub previous: &'m dyn Previous,
    /// SHA-256 of post files by path, when the caller has them ([`source_digest`]).
    pub digests: Option<&'m ByPath<[u8; 32]>>,
    /// The posts' bodies, when the caller made them ahead ([`Bodies::ahead`]).
    pub bodies: Option<&'m Bodies>,
    /// Where each file is written as soon as it is made ([`Made::Written`]), when the caller
    /// writes into a new folder (`OutputDir::write_as_made`); else every file is returned.
    pub write_now: Option<&'m dyn Sink>,
}

/// The archived posts' bodies as their pages show them (Markdown to clean HTML, the summary and
/// the text the search index is made from: most of making a post's view), made ahead of the
/// site by a caller with a core to spare: a build makes them while git's history is read on the
/// other core, which otherwise waits. Each is taken by the post's view.
pub struct Bodies(Vec<(usize, Mutex<Option<html::Body>>)>);

impl Bodies {
    /// Every archived post's body, made in parallel.
    pub fn ahead(project: &Project) -> Bodies {
        let live: Vec<&Post> = archived_posts(project).collect();
        // Each body is told to its post by the post's address: the same project gives the site.
        Bodies(par_map(&live, |&p| (std::ptr::from_ref(p).addr(), Mutex::new(Some(html::shown_body(p))))))
    }

    /// The body of the archived post at `index`, once, if it is `post`'s.
    fn take(&self, index: usize, post: &Post) -> Option<html::Body> {
        let (of, body) = self.0.get(index)?;
        if *of != std::ptr::from_ref(post).addr() {
            return None;
        }
        body.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The posts the archive shows (not drafts), in the project's order: [`Site::posts`].
fn archived_posts(project: &Project) -> impl Iterator<Item = &Post> {
    project.posts.iter().filter(|p| !p.draft)
}

/// The SHA-256 of a post file's bytes: from `digests` when they have it, else computed.
pub fn source_digest(post: &Post, digests: Option<&ByPath<[u8; 32]>>) -> [u8; 32] {
    use sha2::Digest;
    match digests.and_then(|d| d.get(&post.path)) {
        Some(d) => *d,
        None => sha2::Sha256::digest(post.source.as_bytes()).into(),
    }
}

/// [`render_at`], reusing what did not change: every page is a unit keyed by a hash of what
/// it shows (its posts' files, publications and versions, the settings every page shares, the
/// crisis state), and a unit whose key the memo knows, with the output still holding its files,
/// is kept rather than rendered ([`Made::Kept`]). The search index and the export are put
/// together from the pieces of the previous ones that did not change. Returns the files and the
/// memo of this build. The output is byte for byte what [`render_at`] makes.
pub fn render_incremental(
    project: &Project,
    record: &Record,
    now: Timestamp,
    inc: &Incremental<'_>,
) -> Result<(Vec<(String, Made)>, Memo)> {
    let mut site = Site::new(project, record, now, Some(inc))?;
    let pages = site.pages()?;
    let learned =
        site.memo.take().map(|m| m.learned.into_inner().unwrap_or_else(|p| p.into_inner())).unwrap_or_default();
    Ok((pages, learned))
}

/// Parses the archive's templates ahead of [`render_incremental`], which then finds them parsed
/// (see [`load_templates`]): a build does it beside reading git's history, each on one core,
/// rather than one after the other. A template error is reported by the rendering itself.
pub(crate) fn prepare_templates(project: &Project) {
    let _ = load_templates(project);
}

/// The archive's clock: now, or `BUDKAVLE_NOW` when set.
pub fn now() -> Result<Timestamp> {
    clock()
}

/// The span around `now` in which the archive of `project` stays the same as time passes:
/// between the crisis messages' times and expiries just before and just after it, and, with
/// public results over collected metrics (whose periods end at local midnights, on quarter
/// hours in every time zone), within the quarter hour. `None` is unbounded. The build cache
/// uses a build only inside it.
pub fn time_window(project: &Project, now: Timestamp) -> (Option<Timestamp>, Option<Timestamp>) {
    let chains = crate::crisis::Chains::of(project, |p| p.date);
    let events = chains.iter().flat_map(|c| c.members.iter()).flat_map(|m| [m.at, m.expires]).flatten();
    let (mut from, mut until): (Option<Timestamp>, Option<Timestamp>) = (None, None);
    for t in events {
        if t <= now {
            from = from.max(Some(t));
        } else {
            until = Some(until.map_or(t, |u| u.min(t)));
        }
    }
    let metrics = project.root.join(crate::metrics::DIR);
    let has_metrics = std::fs::read_dir(&metrics).is_ok_and(|mut d| d.next().is_some());
    if results::index_url(project).is_some() && has_metrics {
        let quarter = 15 * 60;
        let start = now.as_second().div_euclid(quarter) * quarter;
        let q_from = Timestamp::from_second(start).ok();
        let q_until = Timestamp::from_second(start + quarter).ok();
        from = from.max(q_from);
        until = match (until, q_until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    (from, until)
}

/// Environment variable that fixes the archive's clock (RFC 3339, e.g. `2027-01-23T08:00:00Z`),
/// like `publish --now`.
pub const NOW_ENV: &str = "BUDKAVLE_NOW";

/// `$BUDKAVLE_NOW`, else the system clock.
pub(crate) fn clock() -> Result<Timestamp> {
    match std::env::var(NOW_ENV) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|e| {
            Error::Usage(format!("{NOW_ENV}={v} is not a time: {e} (write RFC 3339, e.g. 2027-01-23T08:00:00Z)"))
        }),
        _ => Ok(Timestamp::now()),
    }
}

/// The archive pages of the posts `ids` only (`serve`, after an edit): each one's own page,
/// with its relations to other posts. Lists, tags, feeds and search depend on every post; the
/// caller renders those with [`render`] when it can wait. A draft has no page, so none is
/// returned for it.
pub(crate) fn post_pages(project: &Project, record: &Record, ids: &[&str]) -> Result<Files> {
    let site = Site::new(project, record, clock()?, None)?;
    let mut pages: Files = site
        .posts
        .iter()
        .filter(|a| ids.contains(&a.id()))
        .map(|a| pages::post_page(&site, a))
        .collect::<Result<_>>()?;
    localize_links(&mut pages);
    Ok(pages)
}

/// The address at which the archive serves the image at `path` (relative to the repository
/// root): `[organisation] archive_url` and `media/<name>`, the name [`render`] gives it. The
/// archive publishes the image stripped of metadata ([`crate::media::prepare`]), the same bytes
/// `publish` uploads, so a platform that fetches an image by URL (Instagram, Threads) gets
/// exactly what the others were sent. None without an archive address, or for an image no live
/// post shows.
pub fn media_url(project: &Project, path: &Path) -> Option<String> {
    let base = project.strategy.organisation().archive_url.as_deref()?.trim().trim_end_matches('/');
    if !crate::escape::is_web_url(base) {
        return None;
    }
    let names = html::media_names(project.posts.iter().filter(|p| !p.draft));
    names.by_path.get(path).map(|name| format!("{base}/media/{name}"))
}

/// Writes rendered files into `out_dir`, touching only those whose bytes changed.
pub fn write(pages: &[(String, Vec<u8>)], out_dir: &Path) -> Result<WriteStats> {
    let out = OutputDir::open(out_dir)?;
    let written = par_map(pages, |(path, bytes)| out.write(path, bytes).map(|_| ()));
    written.into_iter().collect::<Result<()>>()?;
    out.finish()
}

/// Everything the templates see, prepared once.
pub(crate) struct Site<'a> {
    pub project: &'a Project,
    pub record: &'a Record,
    pub tera: tera::Tera,
    /// Non-draft posts, oldest first (the project's order).
    pub posts: Vec<Archived<'a>>,
    /// Interface strings in the organisation's language.
    pub strings: Strings,
    /// Images to copy: output name under `media/` → file relative to the repository root.
    pub media: BTreeMap<String, PathBuf>,
    /// The same names by file.
    media_by_path: HashMap<PathBuf, String>,
    /// What every page's context starts from, built once: thousands of pages each converting
    /// every interface string again was a tenth of the site's build time.
    contexts: context::Contexts,
    /// When the site is built, for crisis alerts that have expired.
    pub now: Timestamp,
    pub crisis: crisis::Crisis,
    /// Archived posts by id.
    by_id: HashMap<&'a str, usize>,
    /// By post id: the later archived posts whose relation points at it, with its kind.
    related: HashMap<&'a str, Vec<(usize, &'static str)>>,
    /// With a memo: what the pages' keys are made of, and what this build learns.
    memo: Option<MemoState<'a>>,
    /// The posts' bodies, when they were made ahead.
    bodies: Option<&'a Bodies>,
}

/// An archived (non-draft) post: what lists are sorted and grouped by, at once; its full view
/// ([`Site::view`]) only when a page that shows it is rendered.
pub(crate) struct Archived<'a> {
    pub post: &'a Post,
    /// Its place in [`Site::posts`].
    index: usize,
    /// Its `date`, else its first publication.
    pub timestamp: Option<Timestamp>,
    /// Boxed: a view is over a kilobyte, and ten thousand of them inline made the list of
    /// posts fifteen megabytes of fresh memory, touched on one core while [`Site::new`] made it.
    view: OnceLock<Box<PostView>>,
    /// Its [`ListItem`] as template JSON, made by the first list page that shows the post and
    /// lent to the others in turn ([`Site::render_list`]); empty while a page has it. The post's
    /// own page takes it last ([`Site::take_listed`]).
    listed: Mutex<Option<serde_json::Value>>,
}

impl<'a> Archived<'a> {
    pub(crate) fn id(&self) -> &'a str {
        &self.post.id
    }

    pub(crate) fn url(&self) -> String {
        post_url(&self.post.id)
    }

    pub(crate) fn retracted(&self) -> bool {
        self.post.retracted.is_some()
    }
}

/// The site path of a post's page.
pub(crate) fn post_url(id: &str) -> String {
    format!("/p/{id}/")
}

/// The keys of a site rendered with a memo.
struct MemoState<'a> {
    inc: &'a Incremental<'a>,
    /// The settings, templates and strings every page shares, and the base context.
    site: Key,
    /// Per archived post: what its view shows (its file, publications, versions, images'
    /// names, and its relations' posts).
    views: Vec<Key>,
    /// The output is as the memo's build left it ([`Previous::untouched`]).
    untouched: bool,
    learned: Mutex<Memo>,
}

impl MemoState<'_> {
    fn view(&self, a: &Archived<'_>) -> &Key {
        &self.views[a.index]
    }
}

/// A page's key, from the site's shared key and the posts it shows.
pub(crate) struct Keys<'k> {
    state: &'k MemoState<'k>,
}

impl Keys<'_> {
    /// A key of `kind` that starts from the site's shared key.
    pub(crate) fn start(&self, kind: &str) -> KeyHasher {
        let mut h = KeyHasher::new(kind);
        h.key(&self.state.site);
        h
    }

    pub(crate) fn view(&self, a: &Archived<'_>) -> &Key {
        self.state.view(a)
    }
}

/// A post as the archive shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PostView {
    pub id: String,
    pub title: String,
    pub lang: String,
    /// RFC 3339 in UTC, and a human date in the organisation's time zone. For a post without a
    /// `date` this is when it was first published, if it was.
    pub date: Option<String>,
    pub date_local: Option<String>,
    /// "24 november 2026 kl. 09.00", in the interface language.
    pub date_human: Option<String>,
    /// Sanitised HTML of the body; empty for a retracted post.
    pub html: String,
    /// The body as plain text, shortened, for lists; empty for a retracted post.
    pub summary: String,
    /// The words it is found by in the search index ([`search::searchable_text`]), made with
    /// the view: the body's text is at hand then, from the pass that makes `html`.
    #[serde(skip)]
    pub(crate) search_text: String,
    pub tags: Vec<String>,
    pub tag_links: Vec<Link>,
    pub goal: Option<String>,
    /// The goal's description from the strategy: why the post was written, in plain words.
    pub goal_text: Option<String>,
    pub kind: &'static str,
    /// Images, with the URL of the copied file; none for a retracted post.
    pub media: Vec<MediaView>,
    pub published: Vec<crate::ledger::Published>,
    /// `published` as shown: platform names, human times, links only to live posts.
    pub platforms: Vec<PlatformView>,
    pub retracted: Option<String>,
    /// When the post was taken down from the platforms, if the record knows.
    pub retracted_at: Option<String>,
    pub retracted_at_human: Option<String>,
    /// The earlier post this one updates, corrects or cancels.
    pub relation: Option<RelationView>,
    /// Later posts that update, correct or cancel this one, oldest first.
    pub related: Vec<RelationView>,
    /// Every committed version, when there is more than one.
    pub versions: Vec<VersionLink>,
    pub url: String,
    /// `(year, month)` in the organisation's time zone, for the monthly index.
    #[serde(skip)]
    pub month: Option<(i16, i8)>,
    #[serde(skip)]
    pub timestamp: Option<Timestamp>,
}

/// A post as lists (the start pages, tags, months) show it: its view without the body, the
/// publications, the versions and the later posts' relations, which only its own page shows.
/// Lists of ten thousand posts put every item's whole view into their pages' contexts, a
/// twentieth of the archive's build; the fields kept are named as in [`PostView`], so a list
/// template reads `p.title` either way.
#[derive(Serialize)]
pub(crate) struct ListItem<'v> {
    id: &'v str,
    title: &'v str,
    lang: &'v str,
    date: Option<&'v str>,
    date_local: Option<&'v str>,
    date_human: Option<&'v str>,
    summary: &'v str,
    tags: &'v [String],
    tag_links: &'v [Link],
    goal: Option<&'v str>,
    goal_text: Option<&'v str>,
    kind: &'static str,
    media: &'v [MediaView],
    retracted: Option<&'v str>,
    retracted_at: Option<&'v str>,
    retracted_at_human: Option<&'v str>,
    relation: Option<&'v RelationView>,
    url: &'v str,
}

impl PostView {
    /// The view as template JSON for its own page, made from its list item when a list page
    /// left one ([`Site::render_list`]): a [`ListItem`] is the view without the fields added
    /// here, so only those are made, not the score of fields the item has already (a tenth of
    /// making a post's page).
    pub(crate) fn page_value(&self, item: Option<serde_json::Value>) -> serde_json::Result<serde_json::Value> {
        use serde_json::{Value, to_value};
        match item {
            Some(Value::Object(mut fields)) => {
                fields.insert("html".to_string(), to_value(&self.html)?);
                fields.insert("published".to_string(), to_value(&self.published)?);
                fields.insert("platforms".to_string(), to_value(&self.platforms)?);
                fields.insert("related".to_string(), to_value(&self.related)?);
                fields.insert("versions".to_string(), to_value(&self.versions)?);
                Ok(Value::Object(fields))
            }
            _ => to_value(self),
        }
    }
}

impl<'v> From<&'v PostView> for ListItem<'v> {
    fn from(v: &'v PostView) -> ListItem<'v> {
        ListItem {
            id: &v.id,
            title: &v.title,
            lang: &v.lang,
            date: v.date.as_deref(),
            date_local: v.date_local.as_deref(),
            date_human: v.date_human.as_deref(),
            summary: &v.summary,
            tags: &v.tags,
            tag_links: &v.tag_links,
            goal: v.goal.as_deref(),
            goal_text: v.goal_text.as_deref(),
            kind: v.kind,
            media: &v.media,
            retracted: v.retracted.as_deref(),
            retracted_at: v.retracted_at.as_deref(),
            retracted_at_human: v.retracted_at_human.as_deref(),
            relation: v.relation.as_ref(),
            url: &v.url,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaView {
    /// Site-relative URL of the copied image.
    pub src: String,
    pub alt: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformView {
    pub platform: &'static str,
    pub name: &'static str,
    /// The live post; `None` when the platform gave no address or the post was removed.
    pub url: Option<String>,
    pub at: String,
    pub at_human: String,
    pub deleted_at: Option<String>,
    pub deleted_at_human: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelationView {
    /// `updates`, `corrects` or `cancels`.
    pub kind: &'static str,
    /// "Rättar" on the later post, "Rättad av" on the earlier one.
    pub label: String,
    pub id: String,
    pub title: String,
    pub lang: String,
    pub url: String,
    pub date: Option<String>,
    pub date_human: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionLink {
    pub n: usize,
    pub url: String,
    pub date: String,
    pub date_human: String,
}

impl<'a> Site<'a> {
    pub(crate) fn new(
        project: &'a Project,
        record: &'a Record,
        now: Timestamp,
        inc: Option<&'a Incremental<'a>>,
    ) -> Result<Self> {
        let strings = Strings::load(&project.root, &project.theme.dir, &project.strategy.organisation().lang)?;
        let tera = load_templates(project)?;
        let live: Vec<&Post> = archived_posts(project).collect();
        let media = html::media_names(live.iter().copied());
        let posts: Vec<Archived<'a>> = live
            .iter()
            .enumerate()
            .map(|(index, &post)| Archived {
                post,
                index,
                timestamp: html::timestamp(post, record),
                view: OnceLock::new(),
                listed: Mutex::new(None),
            })
            .collect();
        let by_id: HashMap<&str, usize> = posts.iter().map(|a| (a.id(), a.index)).collect();
        let mut related: HashMap<&str, Vec<(usize, &'static str)>> = HashMap::new();
        for a in &posts {
            if let Some((kind, j)) = relation_of(&by_id, a) {
                related.entry(posts[j].id()).or_default().push((a.index, kind));
            }
        }
        let crisis = crisis::Crisis::new(project, record, now);
        let mut base = base_context(project, &strings);
        crisis.add_to_context(&mut base, project, &strings);
        let mut site = Site {
            project,
            record,
            tera,
            posts,
            strings,
            media: media.by_name,
            media_by_path: media.by_path,
            contexts: context::Contexts::new(base),
            now,
            crisis,
            by_id,
            related,
            memo: None,
            bodies: inc.and_then(|i| i.bodies),
        };
        if let Some(inc) = inc {
            site.memo = Some(site.memo_state(inc));
        }
        Ok(site)
    }

    /// The keys of every post's view and of what all pages share.
    fn memo_state(&self, inc: &'a Incremental<'a>) -> MemoState<'a> {
        let mut h = KeyHasher::new("site");
        h.key(&inc.global).json(&self.contexts.base().clone().into_json());
        let site = h.finish();
        let bases: Vec<Key> = par_map(&self.posts, |a| {
            use sha2::Digest;
            let p = a.post;
            let digest = source_digest(p, inc.digests);
            let mut h = KeyHasher::new("post");
            h.str(&p.path.to_string_lossy()).bytes(&digest);
            h.json(&self.record.published.get(&p.id));
            for v in self.record.versions.get(&p.id).map(Vec::as_slice).unwrap_or_default() {
                h.u64(v.n as u64).str(&v.commit).json(&v.date).json(&v.author);
                // A version is most often the file as it is now.
                let version: [u8; 32] =
                    if v.source == p.source { digest } else { sha2::Sha256::digest(v.source.as_bytes()).into() };
                h.bytes(&version);
            }
            for m in &p.media {
                h.str(&m.path.to_string_lossy()).json(&self.media_by_path.get(&m.path));
            }
            h.finish()
        });
        let views = par_map(&self.posts, |a| {
            let mut h = KeyHasher::new("view");
            h.key(&bases[a.index]);
            match relation_of(&self.by_id, a) {
                Some((kind, j)) => h.str(kind).key(&bases[j]),
                None => h.str(""),
            };
            for (i, kind) in self.related.get(a.id()).map(Vec::as_slice).unwrap_or_default() {
                h.str(kind).key(&bases[*i]);
            }
            h.finish()
        });
        MemoState { inc, site, views, untouched: inc.previous.untouched(), learned: Mutex::new(Memo::default()) }
    }

    /// The archived post `id`.
    pub(crate) fn archived(&self, id: &str) -> Option<&Archived<'a>> {
        self.by_id.get(id).map(|&i| &self.posts[i])
    }

    /// The keys of pages, when the site is rendered with a memo.
    pub(crate) fn keys(&self) -> Option<Keys<'_>> {
        self.memo.as_ref().map(|state| Keys { state })
    }

    /// The post as pages show it, made the first time a page needs it.
    pub(crate) fn view<'s>(&'s self, a: &'s Archived<'a>) -> &'s PostView {
        a.view.get_or_init(|| {
            let ahead = self.bodies.and_then(|b| b.take(a.index, a.post));
            let mut v = html::post_view(self.project, self.record, &self.strings, &self.media_by_path, a.post, ahead);
            if let Some((kind, j)) = relation_of(&self.by_id, a) {
                v.relation = Some(self.relation_view(&self.posts[j], kind, &format!("relation_{kind}")));
            }
            let mut related: Vec<RelationView> = self
                .related
                .get(a.id())
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|&(i, kind)| self.relation_view(&self.posts[i], kind, &format!("related_{kind}")))
                .collect();
            related.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
            v.related = related;
            Box::new(v)
        })
    }

    /// The views of `posts`, made in parallel.
    pub(crate) fn views<'s>(&'s self, posts: &[&'s Archived<'a>]) -> Vec<&'s PostView> {
        par_map(posts, |a| self.view(a))
    }

    /// The list item [`Site::render_list`] left for `post`, taken: its own page is made from it
    /// ([`PostView::page_value`]), once no list page is left to render.
    pub(crate) fn take_listed(&self, post: &Archived<'_>) -> Option<serde_json::Value> {
        post.listed.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Renders `template` with `ctx` and `posts` as the list `key` ([`ListItem`]s).
    ///
    /// A post is listed on its start page, its month and each of its tags. Making its item into
    /// template JSON for each of them was a twentieth of the archive's build, so it is made once
    /// and moved into each page's context and back out after the page is rendered. A page that
    /// finds an item lent to another page rendering meanwhile (two tags of one post) makes a
    /// copy of its own.
    pub(crate) fn render_list(
        &self,
        template: &str,
        mut ctx: context::PageContext<'_>,
        key: &str,
        posts: &[&Archived<'a>],
    ) -> Result<Vec<u8>> {
        let items = par_map(posts, |a| {
            // Taken in a statement of its own: the lock is let go before any item is made.
            let lent = a.listed.lock().unwrap_or_else(|p| p.into_inner()).take();
            match lent {
                Some(item) => Ok(item),
                None => serde_json::to_value(ListItem::from(self.view(a))),
            }
        });
        let items = items
            .into_iter()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Internal(format!("a post's list item as template JSON: {e}")))?;
        ctx.insert_value(key, serde_json::Value::Array(items));
        let page = self.render(template, &ctx);
        if let Some(serde_json::Value::Array(items)) = ctx.take(key) {
            for (a, item) in posts.iter().zip(items) {
                a.listed.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(item);
            }
        }
        page
    }

    /// How a related post is linked: its title, language, address and date, as its own view
    /// has them.
    fn relation_view(&self, target: &Archived<'_>, kind: &'static str, label: &str) -> RelationView {
        let tz = &self.project.strategy.timezone;
        RelationView {
            kind,
            label: self.strings.get(label).to_string(),
            id: target.post.id.clone(),
            title: target.post.title.clone(),
            lang: target.post.lang.clone(),
            url: target.url(),
            date: target.timestamp.map(|d| d.to_string()),
            date_human: target.timestamp.map(|d| self.strings.datetime(d, tz)),
        }
    }

    /// A unit of output: files made by `render`, or, when the memo knows the unit's key (made by
    /// `key`) and the output still holds what it made then, those files kept. HTML pages get
    /// their links made relative here ([`links::localize`]).
    pub(crate) fn unit(
        &self,
        key: impl FnOnce(&Keys<'_>) -> Key,
        render: impl FnOnce() -> Result<Files>,
    ) -> Result<Vec<(String, Made)>> {
        let Some(state) = &self.memo else {
            return Ok(render()?.into_iter().map(|(path, bytes)| fresh(path, bytes)).collect());
        };
        let key = key(&Keys { state });
        if let Some(raw) = state.inc.memo.get(&key)
            && let Some(files) = crate::output::memo::decode_files(&mut crate::output::memo::Decoder::new(raw))
            && (state.untouched || files.iter().all(|(path, hash)| state.inc.previous.has(path, *hash)))
        {
            // The entry as it was: ten thousand kept pages need not be encoded again.
            state.learned.lock().unwrap_or_else(|p| p.into_inner()).insert(key, raw.to_vec());
            return Ok(files.into_iter().map(|(path, hash)| (path, Made::Kept(hash))).collect());
        }
        let made: Vec<(String, Made)> =
            render()?.into_iter().map(|(path, bytes)| self.out(fresh(path, bytes))).collect::<Result<_>>()?;
        let files: Vec<(String, u64)> = made.iter().map(|(path, m)| (path.clone(), m.hash())).collect();
        state.learned.lock().unwrap_or_else(|p| p.into_inner()).insert_files(key, &files);
        Ok(made)
    }

    /// A file made of `pieces` between `head` and `tail`, separated by `sep` (the search index,
    /// the export): each piece is named by a key, and with a memo the pieces whose key the last
    /// build had are copied from the file it wrote; `make` makes the others.
    pub(crate) fn assembled(
        &self,
        path: &str,
        (head, sep, tail): (&[u8], &[u8], &[u8]),
        pieces: &[Key],
        make: impl Fn(usize) -> Result<Vec<u8>> + Sync,
    ) -> Result<(String, Made)> {
        use std::borrow::Cow;
        let table_key = crate::output::memo::key_of("assembled", path.as_bytes());
        let old = self.memo.as_ref().and_then(|state| {
            let table = Table::decode(state.inc.memo.get(&table_key)?)?;
            let bytes = state.inc.previous.bytes(path, table.hash)?;
            Some((table, bytes))
        });
        let learn = |table: Table| {
            if let Some(state) = &self.memo {
                state.learned.lock().unwrap_or_else(|p| p.into_inner()).insert(table_key, table.encode());
            }
        };
        // The usual case, a few posts changed in place: the last file edited where they are,
        // rather than copied whole (the export of ten thousand posts is tens of megabytes).
        let (old, spliced) = match old {
            Some((table, bytes)) => match table.splice(bytes, (head, sep, tail), pieces, &make) {
                Ok(done) => (None, Some(done)),
                Err(back) => (back, None),
            },
            None => (None, None),
        };
        if let Some(done) = spliced {
            let (table, bytes) = done?;
            learn(table);
            return Ok((path.to_string(), Made::New(bytes)));
        }
        let Some((table, bytes)) = &old else {
            // Nothing to reuse (a clean build): the pieces are made one after the other straight
            // into the file, each one's buffer freed before the next is made. Made in parallel,
            // every piece was held at once and then copied into the file: the export of ten
            // thousand posts (33 MB) was in memory twice. This runs beside the other kinds of
            // page, which keep the other cores busy.
            return self.concatenated(path, (head, sep, tail), pieces, (0..pieces.len()).map(&make), learn);
        };
        let reuse: HashMap<&Key, &[u8]> = table
            .pieces
            .iter()
            .filter_map(|(k, start, len)| {
                let start = usize::try_from(*start).ok()?;
                Some((k, bytes.get(start..start.checked_add(usize::try_from(*len).ok()?)?)?))
            })
            .collect();
        let indices: Vec<usize> = (0..pieces.len()).collect();
        let made: Vec<Result<Cow<'_, [u8]>>> = par_map(&indices, |&i| match reuse.get(&pieces[i]) {
            Some(bytes) => Ok(Cow::Borrowed(*bytes)),
            None => make(i).map(Cow::Owned),
        });
        self.concatenated(path, (head, sep, tail), pieces, made.into_iter(), learn)
    }

    /// The file of [`Site::assembled`] from its `pieces` in order, one per key of `keys`, and
    /// the table of where each is (learned, with a memo).
    fn concatenated<P: AsRef<[u8]>>(
        &self,
        path: &str,
        parts: (&[u8], &[u8], &[u8]),
        keys: &[Key],
        pieces: impl Iterator<Item = Result<P>>,
        learn: impl Fn(Table),
    ) -> Result<(String, Made)> {
        if let Some(sink) = self.memo.as_ref().and_then(|m| m.inc.write_now) {
            // Straight into the file: the export of ten thousand posts is never held whole.
            let mut file = sink.open(path)?;
            let pieces = lay_out(parts, keys, pieces, |bytes| file.write(bytes))?;
            let hash = file.done()?;
            learn(Table { hash, pieces });
            return Ok((path.to_string(), Made::Written(hash)));
        }
        // Room for every piece if they are about the first one's size: room reserved and never
        // written costs nothing, growing step by step copies.
        let mut pieces = pieces.peekable();
        let first = match pieces.peek() {
            Some(Ok(piece)) => piece.as_ref().len(),
            _ => 0,
        };
        let (head, sep, tail) = parts;
        let mut out = Vec::with_capacity((first + sep.len()) * keys.len() * 3 / 2 + head.len() + tail.len());
        let pieces = lay_out(parts, keys, pieces, |bytes| {
            out.extend_from_slice(bytes);
            Ok(())
        })?;
        if self.memo.is_some() {
            learn(Table { hash: crate::output::content_hash(&out), pieces });
        }
        Ok((path.to_string(), Made::New(out)))
    }

    /// Every output file, by path relative to the site root.
    pub(crate) fn pages(&self) -> Result<Vec<(String, Made)>> {
        // The kinds of page are independent: made side by side, one kind's steps that run on
        // one core overlap the others' work.
        type Kind<'k> = &'k (dyn Fn() -> Result<Vec<(String, Made)>> + Sync);
        let post_pages = pages::post_pages_ahead(self);
        let lists = || pages::pages(self, &post_pages);
        let feeds = || feeds::pages(self);
        let cap = || Ok(feeds::cap::pages(self)?.into_iter().map(|(p, b)| fresh(p, b)).collect());
        let search = || search::pages(self);
        let versions = || versions::pages(self);
        let rest = || {
            let mut rest = crisis::pages(self)?;
            rest.extend(results::pages(self)?.into_iter().map(|(p, b)| fresh(p, b)));
            Ok(rest)
        };
        // The views of the posts whose pages will be rendered (those whose page key, worked out
        // once here, the memo does not know: every post in a clean build or after a change to
        // the theme) are made now, in one pass over the posts, rather than by
        // the first page that needs each: pages of different kinds that needed one view at once
        // waited for each other, and a third of the two cores sat idle while the views were made.
        let needed: Vec<&Archived<'_>> = match &self.memo {
            Some(state) => self
                .posts
                .iter()
                .zip(&post_pages)
                .filter(|(_, page)| page.key.is_none_or(|key| state.inc.memo.get(&key).is_none()))
                .map(|(a, _)| a)
                .collect(),
            None => self.posts.iter().collect(),
        };
        self.views(&needed);
        let kinds: [Kind<'_>; 6] = [&lists, &feeds, &cap, &search, &versions, &rest];
        // Each kind's files are written when it is done, if the build writes as it goes.
        let (made, sitemap_dates) =
            rayon::join(|| par_map(&kinds, |kind| kind().and_then(|f| self.out_all(f))), || feeds::sitemap_dates(self));
        let mut made = made.into_iter();
        let mut next = || made.next().unwrap_or_else(|| Err(Error::Internal("a kind of page went missing".into())));
        let (lists, feeds, cap, search, versions, rest) = (next(), next(), next(), next(), next(), next());
        let mut pages = lists?;
        pages.push(self.out(fresh("static/style.css".to_string(), self.static_file("style.css")?))?);
        pages.extend(feeds?);
        pages.extend(cap?);
        pages.extend(search?);
        pages.extend(versions?);
        pages.extend(rest?);
        // Last: the sitemap lists the pages actually rendered, so it cannot miss a page type.
        // No two files may have one path; that is checked meanwhile, on the other core.
        let (sitemap, seen) = rayon::join(
            || feeds::sitemap(self, &sitemap_dates, pages.iter().map(|(p, _)| p.as_str())),
            || {
                let mut seen = foldhash::HashSet::with_capacity_and_hasher(pages.len() + 2, Default::default());
                match pages.iter().map(|(p, _)| p.as_str()).find(|p| !seen.insert(*p)) {
                    Some(twice) => Err(twice),
                    None => Ok(seen),
                }
            },
        );
        let sitemap = sitemap?;
        let twice = match seen {
            Ok(seen) => sitemap.iter().map(|(p, _)| p.as_str()).find(|p| seen.contains(*p)),
            Err(twice) => Some(twice),
        };
        if let Some(path) = twice {
            return Err(Error::Internal(format!("the site has two files at {path}")));
        }
        pages.extend(self.out_all(sitemap)?);
        Ok(pages)
    }

    /// A file made: written now and let go when the build writes as it goes
    /// ([`Incremental::write_now`]), else returned as it is.
    fn out(&self, (path, made): (String, Made)) -> Result<(String, Made)> {
        match (made, self.memo.as_ref().and_then(|m| m.inc.write_now)) {
            (Made::New(bytes), Some(sink)) => {
                let hash = crate::output::content_hash(&bytes);
                sink.put(&path, &bytes, hash)?;
                Ok((path, Made::Written(hash)))
            }
            (made, _) => Ok((path, made)),
        }
    }

    fn out_all(&self, files: Vec<(String, Made)>) -> Result<Vec<(String, Made)>> {
        files.into_iter().map(|f| self.out(f)).collect()
    }

    /// `org`, `site_title`, `lang`, the interface strings `t`, and `nav` (empty).
    pub(crate) fn base_context(&self) -> context::PageContext<'_> {
        self.contexts.lend()
    }

    pub(crate) fn render(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>> {
        // Into bytes directly: a page is written as bytes, and Tera's `render` checks the whole
        // page is UTF-8 again to make a `String` of it.
        let mut page = Vec::with_capacity(16 * 1024);
        self.tera.render_to(template, ctx, &mut page).map(|()| page).map_err(|e| {
            Error::Invalid(vec![crate::theme::template_error(
                &self.project.theme.dir.join("site").join(template),
                &e,
                None,
            )])
        })
    }

    /// A file of `site/static/`: the project theme's own, else the built-in one.
    pub(crate) fn static_file(&self, name: &str) -> Result<Vec<u8>> {
        let rel = self.project.theme.dir.join("site/static").join(name);
        let abs = self.project.root.join(&rel);
        if abs.is_file() {
            return std::fs::read(&abs).map_err(|e| Error::io("cannot read", rel, e));
        }
        DEFAULT_STATIC
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, bytes)| bytes.to_vec())
            .ok_or_else(|| Error::Invalid(vec![Diagnostic::file(&rel, "the theme has no such file")]))
    }
}

impl Drop for Site<'_> {
    /// The views are let go on every core: ten thousand of them one after the other were a
    /// step on one core at the end of the build.
    fn drop(&mut self) {
        use rayon::prelude::*;
        self.posts.par_iter_mut().for_each(|a| drop(a.view.take()));
    }
}

/// The relation a post's page shows: its first of `updates`, `corrects`, `cancels`, when that
/// post is archived and not the post itself.
fn relation_of(by_id: &HashMap<&str, usize>, a: &Archived<'_>) -> Option<(&'static str, usize)> {
    let p = a.post;
    let (kind, target) = [("updates", &p.updates), ("corrects", &p.corrects), ("cancels", &p.cancels)]
        .into_iter()
        .find_map(|(kind, target)| target.as_deref().map(|t| (kind, t)))?;
    by_id.get(target).copied().filter(|&j| j != a.index).map(|j| (kind, j))
}

/// A file just made: an HTML page gets its links made relative ([`links::localize`]).
fn fresh(path: String, bytes: Vec<u8>) -> (String, Made) {
    let bytes = if path.ends_with(".html") { links::localize(&path, &bytes) } else { bytes };
    (path, Made::New(bytes))
}

/// Writes `pieces` through `write` between `head` and `tail`, separated by `sep`; returns where
/// each piece went (its key, start and length).
fn lay_out<P: AsRef<[u8]>>(
    (head, sep, tail): (&[u8], &[u8], &[u8]),
    keys: &[Key],
    pieces: impl Iterator<Item = Result<P>>,
    mut write: impl FnMut(&[u8]) -> Result<()>,
) -> Result<Vec<(Key, u64, u64)>> {
    let mut table = Vec::with_capacity(keys.len());
    write(head)?;
    let mut at = head.len() as u64;
    for (i, (key, piece)) in keys.iter().zip(pieces).enumerate() {
        let piece = piece?;
        let piece = piece.as_ref();
        if i > 0 {
            write(sep)?;
            at += sep.len() as u64;
        }
        table.push((*key, at, piece.len() as u64));
        write(piece)?;
        at += piece.len() as u64;
    }
    write(tail)?;
    Ok(table)
}

/// Where each piece of an assembled file is in the file the last build wrote.
struct Table {
    hash: u64,
    pieces: Vec<(Key, u64, u64)>,
}

/// An assembled file and the table of its pieces, or the old file and table back when it
/// cannot be edited in place.
type Spliced = std::result::Result<Result<(Table, Vec<u8>)>, Option<(Table, Vec<u8>)>>;

/// At most this many changed pieces are edited into the old file; more are copied into a new one.
const MAX_SPLICES: usize = 32;

impl Table {
    /// `bytes` (the file this table describes) with the pieces whose key changed made again
    /// and edited in where the old ones were, when the file has the same `head`, `sep` and
    /// `tail` around as many pieces as `pieces` and few of them changed.
    fn splice(
        self,
        mut bytes: Vec<u8>,
        (head, sep, tail): (&[u8], &[u8], &[u8]),
        pieces: &[Key],
        make: &(impl Fn(usize) -> Result<Vec<u8>> + Sync),
    ) -> Spliced {
        let n = pieces.len();
        let range = |i: usize| -> Option<std::ops::Range<usize>> {
            let (_, start, len) = self.pieces.get(i)?;
            let start = usize::try_from(*start).ok()?;
            Some(start..start.checked_add(usize::try_from(*len).ok()?)?)
        };
        let fits = || -> Option<bool> {
            if self.pieces.len() != n || !bytes.starts_with(head) || !bytes.ends_with(tail) || n == 0 {
                return Some(false);
            }
            let mut at = head.len();
            for i in 0..n {
                let r = range(i)?;
                let gap = if i == 0 { &[][..] } else { sep };
                if bytes.get(at..r.start)? != gap {
                    return Some(false);
                }
                at = r.end;
            }
            Some(at + tail.len() == bytes.len())
        };
        if !fits().unwrap_or(false) {
            return Err(Some((self, bytes)));
        }
        let changed: Vec<usize> = (0..n).filter(|&i| self.pieces[i].0 != pieces[i]).collect();
        if changed.len() > MAX_SPLICES {
            return Err(Some((self, bytes)));
        }
        let made: Vec<Result<Vec<u8>>> = par_map(&changed, |&i| make(i));
        let mut made_by: HashMap<usize, Vec<u8>> = HashMap::with_capacity(changed.len());
        for (&i, m) in changed.iter().zip(made) {
            match m {
                Ok(m) => made_by.insert(i, m),
                Err(e) => return Ok(Err(e)),
            };
        }
        // From the end, so the places of the pieces before stay where the table says.
        for &i in changed.iter().rev() {
            let Some(r) = range(i) else { return Err(None) };
            drop(bytes.splice(r, made_by[&i].iter().copied()));
        }
        let mut table = Table { hash: 0, pieces: Vec::with_capacity(n) };
        let mut shift: i64 = 0;
        for (i, key) in pieces.iter().enumerate() {
            let (_, start, len) = self.pieces[i];
            let new_len = made_by.get(&i).map_or(len, |m| m.len() as u64);
            let new_start = (start as i64 + shift) as u64;
            shift += new_len as i64 - len as i64;
            table.pieces.push((*key, new_start, new_len));
        }
        table.hash = crate::output::content_hash(&bytes);
        Ok(Ok((table, bytes)))
    }

    fn encode(&self) -> Vec<u8> {
        let mut e = crate::output::memo::Encoder::default();
        e.u64(self.hash);
        e.u64(self.pieces.len() as u64);
        for (k, start, len) in &self.pieces {
            e.raw(k);
            e.u64(*start);
            e.u64(*len);
        }
        e.finish()
    }

    fn decode(bytes: &[u8]) -> Option<Table> {
        let mut d = crate::output::memo::Decoder::new(bytes);
        let hash = d.u64()?;
        let n = d.u64()?;
        let mut pieces = Vec::with_capacity(usize::try_from(n).ok()?.min(1 << 20));
        for _ in 0..n {
            let k: Key = d.raw(16)?.try_into().ok()?;
            pieces.push((k, d.u64()?, d.u64()?));
        }
        d.is_empty().then_some(Table { hash, pieces })
    }
}

/// Every HTML page's links to the archive's own files made relative to the page
/// ([`links::localize`]), so the archive works under any path and from disk.
fn localize_links(pages: &mut Files) {
    use rayon::prelude::*;
    pages.par_iter_mut().filter(|(path, _)| path.ends_with(".html")).for_each(|(path, bytes)| {
        *bytes = links::localize(path, bytes);
    });
}

fn base_context(project: &Project, strings: &Strings) -> tera::Context {
    let strategy = &project.strategy;
    let org = strategy.organisation();
    let mut ctx = tera::Context::new();
    ctx.insert(
        "org",
        &serde_json::json!({ "name": org.name, "url": org.url.as_deref().filter(|u| crate::escape::is_web_url(u)), "lang": org.lang }),
    );
    ctx.insert("site_title", strategy.file.site.title.as_deref().unwrap_or(&org.name));
    ctx.insert("lang", &org.lang);
    ctx.insert("t", strings.map());
    // A page reads a score of the hundred and fifty strings by name: each is then one look-up,
    // not a search of the strings' keys (vendor/tera/PATCHED.md).
    ctx.index_fields("t");
    // Which item of the main menu is the current page; pages that are none leave it empty.
    ctx.insert("nav", "");
    ctx.insert("results_url", &results::index_url(project));
    ctx
}

/// The built-in site templates overlaid by the project theme's `site/*.html`: a team overrides
/// one template by writing a file of that name, and keeps the rest. HTML templates are
/// auto-escaped.
fn load_templates(project: &Project) -> Result<tera::Tera> {
    let dir_rel = project.theme.dir.join("site");
    let dir = project.root.join(&dir_rel);
    let mut sources: BTreeMap<String, String> =
        DEFAULT_TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    let mut problems = Vec::new();
    if dir.is_dir() {
        let canonical_root = project.root.canonicalize().map_err(|e| Error::io("cannot open", &project.root, e))?;
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("cannot read the site templates in", &dir, e))?;
        let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "html") && p.is_file()) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match crate::fsutil::read_text(&project.root, &canonical_root, &dir_rel.join(&name), MAX_TEMPLATE_BYTES) {
                Ok(text) => {
                    sources.insert(name, text);
                }
                Err(d) => problems.push(d),
            }
        }
    }
    // `serve` renders an edited post's page on every save, and parsing the templates took
    // longer than the page: the last set parsed is kept, and used again while the sources match.
    static PARSED: std::sync::Mutex<Option<(BTreeMap<String, String>, tera::Tera)>> = std::sync::Mutex::new(None);
    if problems.is_empty()
        && let Some((parsed, tera)) = &*PARSED.lock().unwrap_or_else(|p| p.into_inner())
        && *parsed == sources
    {
        return Ok(tera.clone());
    }
    let mut tera = tera::Tera::default();
    tera.register_filter("fill", fill_filter);
    tera.set_escape_fns(crate::escape::html, crate::escape::html_into);
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
        // Tera names the template in the error chain; place it at the one it names if it can.
        let named = crate::error::chain(&e);
        let file =
            sources.keys().find(|n| named.contains(&format!("'{n}'"))).map_or(dir_rel.clone(), |n| dir_rel.join(n));
        let source = sources.iter().find(|(n, _)| named.contains(&format!("'{n}'"))).map(|(_, t)| t.as_str());
        problems.push(crate::theme::template_error(&file, &e, source));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    *PARSED.lock().unwrap_or_else(|p| p.into_inner()) = Some((sources, tera.clone()));
    Ok(tera)
}

/// `{{ t.key | fill(org=org.name) }}`: puts values into an interface string's `{org}` slots, so
/// translations can order words as their language needs. The result is escaped like any value.
fn fill_filter(value: &tera::Value, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let template = value.as_str().ok_or_else(|| tera::Error::msg("`fill` is for strings"))?;
    let mut args: Vec<(&String, String)> = args
        .iter()
        .map(|(k, v)| {
            (k, v.as_str().map_or_else(|| if v.is_null() { String::new() } else { v.to_string() }, str::to_string))
        })
        .collect();
    args.sort();
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(tera::Value::String(Strings::fill(template, &pairs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A post's page made from its list item holds exactly what the view itself makes: the item
    /// and the fields only the page has are the whole view.
    #[test]
    fn a_page_made_from_its_list_item_is_the_whole_view() {
        let at = |s: &str| s.parse::<Timestamp>().expect("a timestamp");
        let relation = RelationView {
            kind: "update",
            label: "Uppdaterar".into(),
            id: "a".into(),
            title: "Snöröjning".into(),
            lang: "sv".into(),
            url: "/p/a/".into(),
            date: Some("2026-11-24T08:00:00Z".into()),
            date_human: Some("24 november 2026".into()),
        };
        let view = PostView {
            id: "b".into(),
            title: "Snöröjning <i natt>".into(),
            lang: "sv".into(),
            date: Some("2026-11-25T08:00:00Z".into()),
            date_local: Some("2026-11-25 09:00".into()),
            date_human: Some("25 november 2026 kl. 09.00".into()),
            html: "<p>Vi plogar &amp; sandar.</p>".into(),
            summary: "Vi plogar & sandar.".into(),
            search_text: "vi plogar".into(),
            tags: vec!["Snö".into()],
            tag_links: vec![Link { name: "Snö".into(), url: "/tags/sno/".into() }],
            goal: Some("service".into()),
            goal_text: Some("Invånarna vet vad som händer".into()),
            kind: "news",
            media: vec![MediaView { src: "/media/a.png".into(), alt: "En plog".into() }],
            published: vec![crate::ledger::Published {
                platform: crate::platform::PlatformId::Mastodon,
                url: Some("https://social.example/@kommun/1".into()),
                at: at("2026-11-25T08:01:00Z"),
                deleted_at: Some(at("2026-11-26T08:00:00Z")),
            }],
            platforms: vec![PlatformView {
                platform: "mastodon",
                name: "Mastodon",
                url: None,
                at: "2026-11-25T08:01:00Z".into(),
                at_human: "25 november".into(),
                deleted_at: Some("2026-11-26T08:00:00Z".into()),
                deleted_at_human: Some("26 november".into()),
            }],
            retracted: None,
            retracted_at: None,
            retracted_at_human: None,
            relation: Some(relation.clone()),
            related: vec![relation],
            versions: vec![VersionLink {
                n: 1,
                url: "/p/b/v/1/".into(),
                date: "2026-11-25T08:00:00Z".into(),
                date_human: "25 november".into(),
            }],
            url: "/p/b/".into(),
            month: Some((2026, 11)),
            timestamp: Some(at("2026-11-25T08:00:00Z")),
        };
        let whole = serde_json::to_value(&view).expect("JSON");
        let item = serde_json::to_value(ListItem::from(&view)).expect("JSON");
        assert_ne!(item, whole, "an item is less than the whole view");
        assert_eq!(view.page_value(Some(item)).expect("JSON"), whole);
        assert_eq!(view.page_value(None).expect("JSON"), whole);
    }
}
