//! What `serve` rebuilds, and how little: the loaded project, kept across edits, and the pages
//! held in memory.
//!
//! An edit to one post reloads that file only, re-checks and re-renders that post, and replaces
//! its preview page and its archive page — milliseconds even with ten thousand posts — and the
//! open pages are told. Then, in a second event, what reads every post: the schedule rules'
//! findings (other posts' pages change when one moves) and the previews index. Then, in a third,
//! the pages of the archive that depend on every post (lists, tags, months, feeds, search index,
//! sitemap): the whole archive is rendered again from the project in memory with the per-unit
//! memo of the last rendering ([`crate::site::render_incremental`]), kept in memory too, so only
//! the units whose inputs changed are rendered, and the served pages stand in for the output
//! folder. What changed is then written to `dist/` through the incremental output
//! ([`super::dist`]). A change to strategy.toml, the theme or the media rebuilds everything at
//! once. A file that cannot be loaded turns every page into an error page naming the problem,
//! until it is fixed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::dist::{self, Mirror};
use super::http::{Files, Shared, url_of};
use crate::check::{self, Finding, Rule};
use crate::error::{Diagnostic, Error, Result};
use crate::output::memo::{Key, KeyHasher, Memo};
use crate::output::{Made, Previous};
use crate::preview::{self, PostRow, Previews, RowCache};
use crate::project::Project;
use crate::site::Record;

/// A complete build, made on start and after settings change.
pub(crate) struct Full {
    pub site: Files,
    pub previews: Files,
    pub rows: HashMap<String, PostRow>,
    /// Every post file's id, to find the pages of a post whose id changed or that was removed.
    pub ids: HashMap<PathBuf, String>,
    /// What each unit of the archive made, for rendering it again after an edit.
    memo: Memo,
    /// The key of what every unit of the archive shares ([`crate::build::memo::global_key`]).
    global: Key,
}

/// Builds everything from the files as they are now. The pages then move into the served
/// maps, not copied: with ten thousand posts they are hundreds of megabytes.
pub(crate) fn full_build(root: &Path) -> Result<(Project, Record, Full)> {
    let project = Project::load(root)?;
    let record = load_record(&project)?;
    let findings = check::check(&project)?;
    let (previews_list, rows) = preview::render_with_rows(&project, &findings, None)?;
    // With an empty memo and nothing to reuse every unit is rendered, as `site::render` does,
    // and the memo learns what each made.
    let global = crate::build::memo::global_key(&project, None);
    let empty = Memo::default();
    let inc = crate::site::Incremental {
        global,
        memo: &empty,
        previous: &crate::output::Nothing,
        digests: None,
        bodies: None,
        write_now: None,
    };
    let (pages, memo) = crate::site::render_incremental(&project, &record, crate::site::now()?, &inc)?;
    let mut site = Files::with_capacity(pages.len());
    for (path, made) in pages {
        match made {
            Made::New(bytes) => site.insert(path, Arc::new(bytes)),
            Made::Kept(_) | Made::Written(_) => {
                return Err(Error::Internal(format!("{path} was not made in memory, in a build of serve's own")));
            }
        };
    }
    let rows: HashMap<String, PostRow> = rows.into_iter().map(|r| (r.id.clone(), r)).collect();
    let ids = project.posts.iter().map(|p| (p.path.clone(), p.id.clone())).collect();
    let previews = previews_list.into_iter().map(|(p, b)| (p, Arc::new(b))).collect();
    Ok((project, record, Full { site, previews, rows, ids, memo, global }))
}

/// The ledger's publications and git's versions, with git's history cached where `build`
/// caches it.
fn load_record(project: &Project) -> Result<Record> {
    let history = project.root.join(crate::build::cache::DIR).join("history.bin");
    Record::load_cached(project, Some(&history)).map(|(record, _)| record)
}

/// What the [`Record`] is made of besides the strategy: git's HEAD, the ledger's files, and
/// which post each file at HEAD is. A commit or a publication made while serving, or an edit
/// that changes a post's id, changes it, and the record is loaded again.
fn record_stamp(project: &Project) -> Key {
    let mut h = KeyHasher::new("record");
    let head = git2::Repository::discover(&project.root)
        .ok()
        .and_then(|repo| repo.head().ok().and_then(|r| r.target()).map(|oid| oid.to_string()));
    h.str(head.as_deref().unwrap_or(""));
    let ledger = project.root.join(crate::ledger::DIR);
    for entry in walkdir::WalkDir::new(&ledger).sort_by_file_name().into_iter().flatten() {
        if let Ok(meta) = entry.metadata()
            && meta.is_file()
        {
            let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            h.str(&entry.path().to_string_lossy()).str(&format!("{} {mtime:?}", meta.len()));
        }
    }
    let mut ids: Vec<(&Path, &str)> = project.posts.iter().map(|p| (p.path.as_path(), p.id.as_str())).collect();
    ids.sort_unstable();
    for (path, id) in ids {
        h.str(&path.to_string_lossy()).str(id);
    }
    h.finish()
}

/// The archive as served, as what an incremental rendering may reuse: a unit the memo knows
/// is kept when the served pages hold exactly what it made.
struct Served<'a> {
    files: &'a Files,
    hashes: &'a HashMap<String, u64>,
}

impl Previous for Served<'_> {
    fn has(&self, rel: &str, hash: u64) -> bool {
        self.hashes.get(rel) == Some(&hash)
    }

    fn bytes(&self, rel: &str, hash: u64) -> Option<Vec<u8>> {
        if !self.has(rel, hash) {
            return None;
        }
        self.files.get(rel).map(|b| b.to_vec())
    }
}

/// What the archive's incremental rendering keeps between edits.
struct Archive {
    /// What each unit made in the last rendering.
    memo: Memo,
    global: Key,
    /// SHA-256 of each post file as loaded, by path, so the units' keys hash only edited posts.
    digests: crate::project::ByPath<[u8; 32]>,
    /// What the record was loaded from ([`record_stamp`]).
    record_stamp: Key,
    /// Posts changed since the last rendering.
    due: bool,
}

/// The rebuilder's state: one owner, on one thread.
pub(crate) struct State {
    pub root: PathBuf,
    project: Option<Project>,
    record: Record,
    rules: Vec<Box<dyn Rule>>,
    previews: Option<Previews>,
    rows: HashMap<String, PostRow>,
    /// The index's rows as HTML, so an edit writes one row again, not ten thousand.
    row_cache: RowCache,
    ids: HashMap<PathBuf, String>,
    /// Files that cannot be loaded, with their problems; the error page lists them all.
    errors: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// Problems between posts (a duplicate id, a relation to no post), as of the last reload.
    cross: Vec<Diagnostic>,
    /// A problem that is not about one post (strategy, theme, the repository).
    global: Option<Vec<Diagnostic>>,
    /// The findings of the rules that compare posts (schedule, cadence), by post file, as the
    /// served preview pages show them. Working them out reads every post, so an edit that
    /// leaves a post's front matter as it was shows the post with these, and [`State::settle`]
    /// works them out again once the edit is on screen.
    across: HashMap<PathBuf, Vec<Finding>>,
    /// Post files whose preview page was rendered with findings across posts that have changed
    /// since: [`State::settle`] renders them again.
    stale: HashSet<PathBuf>,
    /// For rendering the archive again after edits ([`State::lists`]).
    archive: Option<Archive>,
    /// Content hashes of the served pages, as the output's manifest and the memo know them.
    site_hashes: HashMap<String, u64>,
    preview_hashes: HashMap<String, u64>,
    /// `dist/site` and `dist/previews`.
    dist_site: Mirror,
    dist_previews: Mirror,
}

/// What a rebuild changed, for the event to open pages.
#[derive(Default)]
pub(crate) struct Changes {
    pub paths: Vec<String>,
    pub generation: u64,
    /// Where the time of a one-post rebuild went (`load 2ms, check 5ms, …`), for the log.
    pub timings: String,
}

/// Times the steps of a rebuild, for the log line that says where the milliseconds went.
struct Steps {
    last: std::time::Instant,
    out: Vec<String>,
}

impl Steps {
    fn new() -> Steps {
        Steps { last: std::time::Instant::now(), out: Vec::new() }
    }

    fn done(&mut self, step: &str) {
        let now = std::time::Instant::now();
        self.out.push(format!("{step} {:.1?}", now - self.last));
        self.last = now;
    }
}

impl State {
    /// `out` is `dist/`.
    pub(crate) fn new(root: PathBuf, out: &Path) -> State {
        State {
            root,
            archive: None,
            site_hashes: HashMap::new(),
            preview_hashes: HashMap::new(),
            dist_site: Mirror::new(&out.join("site")),
            dist_previews: Mirror::new(&out.join(preview::DIR)),
            project: None,
            record: Record::default(),
            rules: Vec::new(),
            previews: None,
            rows: HashMap::new(),
            row_cache: RowCache::default(),
            ids: HashMap::new(),
            errors: BTreeMap::new(),
            cross: Vec::new(),
            global: None,
            across: HashMap::new(),
            stale: HashSet::new(),
        }
    }

    pub(crate) fn has_project(&self) -> bool {
        self.project.is_some() && self.global.is_none()
    }

    /// Whether posts changed since the archive's lists were last made ([`State::lists`]), and
    /// they can be made now.
    pub(crate) fn lists_due(&self) -> bool {
        self.archive.as_ref().is_some_and(|a| a.due) && !self.broken()
    }

    /// Rebuilds everything; on failure, every page shows why. `dist/` follows with
    /// [`State::write_dist`].
    pub(crate) fn rebuild_all(&mut self, shared: &Shared) -> Changes {
        match full_build(&self.root) {
            Ok((project, record, mut full)) => {
                let digests =
                    project.posts.iter().map(|p| (p.path.clone(), crate::site::source_digest(p, None))).collect();
                self.archive = Some(Archive {
                    memo: std::mem::take(&mut full.memo),
                    global: full.global,
                    digests,
                    record_stamp: record_stamp(&project),
                    due: false,
                });
                // The full build has checked every post with these rules, so they compile.
                self.rules = check::active_rules(&project).unwrap_or_default();
                self.across = across_by_file(&project, &self.rules);
                self.stale.clear();
                self.previews = Previews::new(&project).ok();
                self.rows = std::mem::take(&mut full.rows);
                self.ids = std::mem::take(&mut full.ids);
                self.record = record;
                self.project = Some(project);
                self.errors.clear();
                self.cross.clear();
                self.global = None;
                self.swap(shared, full)
            }
            Err(e) => {
                self.global = Some(diagnostics(e));
                self.show_errors(shared)
            }
        }
    }

    fn swap(&mut self, shared: &Shared, full: Full) -> Changes {
        let mut content = shared.content.write().unwrap_or_else(|p| p.into_inner());
        let mut paths = changed_paths(false, &content.site, &full.site);
        paths.extend(changed_paths(true, &content.previews, &full.previews));
        if content.error.take().is_some() {
            paths.push("*".to_string());
        }
        content.site = full.site;
        content.previews = full.previews;
        self.site_hashes = dist::hashes(&content.site);
        self.preview_hashes = dist::hashes(&content.previews);
        if !paths.is_empty() {
            content.generation += 1;
        }
        Changes { paths, generation: content.generation, timings: String::new() }
    }

    /// The post file `rel` was written, created or removed: its preview page and archive page
    /// are replaced. What shows every post (the previews index) waits for [`State::settle`], so
    /// the edit is on screen first.
    pub(crate) fn post_changed(&mut self, shared: &Shared, rel: &Path) -> Changes {
        let Some(project) = self.project.as_mut() else { return self.show_errors(shared) };
        let Some(previews) = self.previews.as_ref() else { return self.show_errors(shared) };
        let mut steps = Steps::new();
        if let Some(archive) = self.archive.as_mut() {
            archive.due = true;
        }
        let before = self.ids.get(rel).and_then(|id| project.post(id)).filter(|p| p.path == rel).map(schedule_key);
        let reloaded = project.reload_post(rel, self.cross.is_empty());
        steps.done("load");
        match reloaded {
            Err(diags) => {
                // The file keeps its previous post and pages until it loads again.
                self.errors.insert(rel.to_path_buf(), diags);
                return self.show_errors(shared);
            }
            Ok(cross) => {
                self.errors.remove(rel);
                self.cross = cross;
            }
        }

        let mut site_updates: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let mut preview_updates: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let old_id = self.ids.remove(rel);
        let project: &Project = project;
        let post = old_id
            .as_deref()
            .and_then(|id| project.post(id))
            .filter(|p| p.path == rel)
            .or_else(|| project.posts.iter().find(|p| p.path == rel));
        if let Some(old) = &old_id
            && post.is_none_or(|p| &p.id != old)
        {
            self.rows.remove(old);
            preview_updates.push((preview::post_path(old), None));
            site_updates.push((format!("p/{old}/index.html"), None));
        }
        // A post that moved in the schedule, came or went changes what the rules across posts
        // say, about it and about others: work them out now, and mark the others' pages.
        if before.as_ref() != post.map(schedule_key).as_ref() {
            let across = across_by_file(project, &self.rules);
            mark_changed(&self.across, &across, &mut self.stale);
            self.across = across;
            steps.done("across");
        }
        if let Some(archive) = self.archive.as_mut() {
            match post {
                Some(post) => archive.digests.insert(rel.to_path_buf(), crate::site::source_digest(post, None)),
                None => archive.digests.remove(rel),
            };
        }
        if let Some(post) = post {
            self.ids.insert(rel.to_path_buf(), post.id.clone());
            self.stale.remove(rel);
            let outcome = preview_of(project, previews, &self.rules, &self.across, (rel, post));
            steps.done("check and previews");
            match outcome {
                Ok(((path, page), row)) => {
                    preview_updates.push((path, Some(page)));
                    self.rows.insert(post.id.clone(), row);
                }
                Err(d) => {
                    self.errors.entry(rel.to_path_buf()).or_default().push(d);
                    return self.show_errors(shared);
                }
            }
            let pages = crate::site::post_pages(project, &self.record, &[post.id.as_str()]);
            steps.done("archive");
            match pages {
                Ok(pages) if pages.is_empty() => site_updates.push((format!("p/{}/index.html", post.id), None)),
                Ok(pages) => site_updates.extend(pages.into_iter().map(|(p, b)| (p, Some(b)))),
                Err(e) => {
                    self.errors.entry(rel.to_path_buf()).or_default().extend(diagnostics(e));
                    return self.show_errors(shared);
                }
            }
        }
        if self.broken() {
            return self.show_errors(shared);
        }
        let mut changes = self.publish(shared, site_updates, preview_updates);
        changes.timings = steps.out.join(", ");
        changes
    }

    /// After the edits of a burst are on screen: the findings across posts worked out again
    /// (pages shown with ones that changed are rendered again), and the previews index, which
    /// lists every post.
    pub(crate) fn settle(&mut self, shared: &Shared) -> Changes {
        let (Some(project), Some(previews)) = (self.project.as_ref(), self.previews.as_ref()) else {
            return Changes::default();
        };
        if self.broken() {
            return Changes::default();
        }
        let mut steps = Steps::new();
        let across = across_by_file(project, &self.rules);
        mark_changed(&self.across, &across, &mut self.stale);
        self.across = across;
        steps.done("across");
        let mut preview_updates: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let mut stale: Vec<PathBuf> = self.stale.drain().collect();
        stale.sort();
        for rel in stale {
            let Some(post) = self.ids.get(&rel).and_then(|id| project.post(id)) else { continue };
            let outcome = preview_of(project, previews, &self.rules, &self.across, (&rel, post));
            match outcome {
                Ok(((path, page), row)) => {
                    preview_updates.push((path, Some(page)));
                    self.rows.insert(post.id.clone(), row);
                }
                Err(d) => {
                    self.errors.entry(rel).or_default().push(d);
                    return self.show_errors(shared);
                }
            }
        }
        steps.done("pages");
        let rows: Vec<&PostRow> = project.posts.iter().filter_map(|p| self.rows.get(&p.id)).collect();
        match previews.index_with(&rows, None, Some(&mut self.row_cache)) {
            Ok(index) => preview_updates.push(("index.html".to_string(), Some(index))),
            Err(e) => {
                self.global = Some(diagnostics(e));
                return self.show_errors(shared);
            }
        }
        steps.done("index");
        let mut changes = self.publish(shared, Vec::new(), preview_updates);
        changes.timings = steps.out.join(", ");
        changes
    }

    /// After [`State::settle`]: the archive rendered again, every unit whose inputs did not
    /// change kept from the memo (its pages are served already), so the lists, tags, months,
    /// feeds, search index and sitemap are what `build` would make of the files as they are.
    pub(crate) fn lists(&mut self, shared: &Shared) -> Changes {
        if !self.lists_due() {
            return Changes::default();
        }
        let (Some(project), Some(archive)) = (self.project.as_ref(), self.archive.as_mut()) else {
            return Changes::default();
        };
        let mut steps = Steps::new();
        let stamp = record_stamp(project);
        if stamp != archive.record_stamp {
            match load_record(project) {
                Ok(record) => {
                    self.record = record;
                    archive.record_stamp = stamp;
                }
                Err(e) => {
                    self.global = Some(diagnostics(e));
                    return self.show_errors(shared);
                }
            }
        }
        steps.done("record");
        let rendered = crate::site::now().and_then(|now| {
            let content = shared.content.read().unwrap_or_else(|p| p.into_inner());
            let served = Served { files: &content.site, hashes: &self.site_hashes };
            let inc = crate::site::Incremental {
                global: archive.global,
                memo: &archive.memo,
                previous: &served,
                digests: Some(&archive.digests),
                bodies: None,
                write_now: None,
            };
            crate::site::render_incremental(project, &self.record, now, &inc)
        });
        steps.done("render");
        let (pages, memo) = match rendered {
            Ok(done) => done,
            Err(e) => {
                self.global = Some(diagnostics(e));
                return self.show_errors(shared);
            }
        };
        archive.memo = memo;
        archive.due = false;
        let kept = pages.iter().filter(|(_, made)| matches!(made, Made::Kept(_))).count();
        let mut site_updates: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let made: HashSet<&str> = pages.iter().map(|(path, _)| path.as_str()).collect();
        site_updates.extend(self.site_hashes.keys().filter(|p| !made.contains(p.as_str())).map(|p| (p.clone(), None)));
        drop(made);
        site_updates.extend(pages.into_iter().filter_map(|(path, made)| match made {
            Made::New(bytes) => Some((path, Some(bytes))),
            // Served already, exactly so ([`Served::has`]).
            Made::Kept(_) => None,
            Made::Written(_) => None,
        }));
        let made = site_updates.len();
        let mut changes = self.publish(shared, site_updates, Vec::new());
        steps.done(&format!("publish ({kept} files kept, {made} made or removed)"));
        changes.timings = steps.out.join(", ");
        changes
    }

    /// Makes `dist/site` and `dist/previews` what is served, writing only what changed.
    pub(crate) fn write_dist(&mut self, shared: &Shared) -> Result<()> {
        if self.broken() {
            return Ok(());
        }
        let content = shared.content.read().unwrap_or_else(|p| p.into_inner());
        self.dist_site.sync(&content.site, &self.site_hashes)?;
        self.dist_previews.sync(&content.previews, &self.preview_hashes)
    }

    /// Puts rebuilt pages in place and names those that changed.
    fn publish(
        &mut self,
        shared: &Shared,
        site_updates: Vec<(String, Option<Vec<u8>>)>,
        preview_updates: Vec<(String, Option<Vec<u8>>)>,
    ) -> Changes {
        let mut content = shared.content.write().unwrap_or_else(|p| p.into_inner());
        let mut paths = Vec::new();
        if content.error.take().is_some() {
            paths.push("*".to_string());
        }
        apply((&mut content.site, &mut self.site_hashes), site_updates, false, &mut paths);
        apply((&mut content.previews, &mut self.preview_hashes), preview_updates, true, &mut paths);
        if !paths.is_empty() {
            content.generation += 1;
        }
        Changes { paths, generation: content.generation, timings: String::new() }
    }

    fn broken(&self) -> bool {
        !self.errors.is_empty() || !self.cross.is_empty() || self.global.is_some()
    }

    /// Puts the error page in front of every page; open pages reload to show it.
    fn show_errors(&self, shared: &Shared) -> Changes {
        let mut all: Vec<Diagnostic> = self.global.clone().unwrap_or_default();
        all.extend(self.errors.values().flatten().cloned());
        all.extend(self.cross.iter().cloned());
        let message = format!(
            "{} problem{} found; the pages show the last version that built.",
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        );
        let page = match &self.previews {
            Some(p) => p.error_page(&all, &message),
            None => fallback_error_page(&all, &message),
        };
        let mut content = shared.content.write().unwrap_or_else(|p| p.into_inner());
        let same = content.error.as_deref().is_some_and(|old| old == &page);
        if !same {
            content.error = Some(Arc::new(page));
            content.generation += 1;
        }
        Changes {
            paths: if same { Vec::new() } else { vec!["*".to_string()] },
            generation: content.generation,
            timings: String::new(),
        }
    }
}

/// The preview page and index row of the post in file `rel`, with its own findings and what the
/// rules across posts last said about that file (`across`).
fn preview_of(
    project: &Project,
    previews: &Previews,
    rules: &[Box<dyn Rule>],
    across: &HashMap<PathBuf, Vec<Finding>>,
    (rel, post): (&Path, &crate::post::Post),
) -> std::result::Result<((String, Vec<u8>), PostRow), Diagnostic> {
    let across = across.get(rel).map(Vec::as_slice).unwrap_or_default();
    let findings = check::check_one(project, post, rules, across)?;
    let refs: Vec<&Finding> = findings.iter().collect();
    previews.post(project, post, &refs)
}

/// An error page for when not even the preview templates could be loaded (the strategy is
/// broken before the first build).
fn fallback_error_page(diags: &[Diagnostic], message: &str) -> Vec<u8> {
    let esc = crate::escape::html;
    let items: String = diags.iter().map(|d| format!("<li><code>{}</code></li>", esc(&d.to_string()))).collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Something needs fixing</title></head>\
         <body><main><h1>Something needs fixing</h1><p>{}</p><ul>{items}</ul><p>This page reloads by itself when the file is fixed.</p></main></body></html>",
        esc(message)
    )
    .into_bytes()
}

/// Puts `updates` (bytes, or `None` for a file gone) into `files` and their `hashes`, and names
/// the pages that changed in `paths`.
fn apply(
    (files, hashes): (&mut Files, &mut HashMap<String, u64>),
    updates: Vec<(String, Option<Vec<u8>>)>,
    previews: bool,
    paths: &mut Vec<String>,
) {
    for (path, bytes) in updates {
        let changed = match bytes {
            Some(b) => {
                let same = files.get(&path).is_some_and(|old| old.as_slice() == b.as_slice());
                if !same {
                    hashes.insert(path.clone(), crate::output::content_hash(&b));
                    files.insert(path.clone(), Arc::new(b));
                }
                !same
            }
            None => {
                hashes.remove(&path);
                files.remove(&path).is_some()
            }
        };
        if changed {
            paths.push(url_of(previews, &path));
        }
    }
}

fn changed_paths(previews: bool, old: &Files, new: &Files) -> Vec<String> {
    let mut paths: Vec<String> = new
        .iter()
        .filter(|(p, b)| old.get(*p).is_none_or(|o| o.as_slice() != b.as_slice()))
        .map(|(p, _)| url_of(previews, p))
        .collect();
    paths.extend(old.keys().filter(|p| !new.contains_key(*p)).map(|p| url_of(previews, p)));
    paths
}

/// What the rules across posts read of a post, and where they place their findings: its
/// front matter (date, platforms, kind, relations, `ignore`) and file. An edit that keeps these
/// keeps what those rules say, about it and every other post.
fn schedule_key(post: &crate::post::Post) -> (PathBuf, String) {
    (post.path.clone(), post.front_source().to_string())
}

/// The findings of the rules across posts, by post file.
fn across_by_file(project: &Project, rules: &[Box<dyn Rule>]) -> HashMap<PathBuf, Vec<Finding>> {
    let mut by_file: HashMap<PathBuf, Vec<Finding>> = HashMap::new();
    for f in check::check_project(project, rules) {
        by_file.entry(f.file.clone()).or_default().push(f);
    }
    by_file
}

/// Adds to `stale` every file whose findings differ between `old` and `new`.
fn mark_changed(
    old: &HashMap<PathBuf, Vec<Finding>>,
    new: &HashMap<PathBuf, Vec<Finding>>,
    stale: &mut HashSet<PathBuf>,
) {
    for (file, findings) in new {
        if old.get(file) != Some(findings) {
            stale.insert(file.clone());
        }
    }
    stale.extend(old.keys().filter(|f| !new.contains_key(*f)).cloned());
}

/// Any error as diagnostics the error page can list.
pub(crate) fn diagnostics(e: Error) -> Vec<Diagnostic> {
    match e {
        Error::Invalid(d) => d,
        Error::Io { action, path, source } => {
            vec![Diagnostic::file(path.clone(), format!("{action} {}: {source}", path.display()))]
        }
        Error::Usage(m) | Error::Internal(m) => vec![Diagnostic::file("", m)],
    }
}
