//! `budkavle build`: every post rendered for every platform it goes to, written to
//! `dist/platforms/<platform>/<id>.{json,txt}` for review in a pull request, and the public
//! archive in `dist/site/` (see [`crate::site`]).
//!
//! Everything is rendered in memory first; only when all of it succeeded is anything written, so
//! a failed build leaves the previous `dist/` untouched. Writing is incremental (see
//! [`crate::output`]): a rebuild touches only the files whose content changed.

pub mod cache;
pub mod memo;

use std::path::Path;

use crate::error::{Diagnostics, Error, Result};
use crate::output::memo::{Decoder, Encoder, Key, KeyHasher, Memo};
use crate::output::{OutputDir, Previous, WriteStats, content_hash};
use crate::post::Post;
use crate::project::{Project, par_map};
use crate::render::{self, Rendered};

pub const DIST_DIR: &str = "dist";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub posts: usize,
    pub rendered: usize,
    pub over_limit: usize,
    /// `dist/platforms`.
    pub files: WriteStats,
    /// HTML pages of the archive (posts, lists, about, …).
    pub site_pages: usize,
    /// Every file of `dist/site`: pages, feeds, images, styles.
    pub site_files: WriteStats,
    /// What the archive had to leave out and why (no git history, a shallow clone), for the
    /// person building.
    pub notes: Vec<String>,
    /// Post pages of `dist/previews` (0 without `--previews`).
    pub preview_pages: usize,
    /// Every file of `dist/previews`.
    pub preview_files: WriteStats,
    /// Posts whose renderings were kept from the last build ([`Options::incremental`]).
    pub kept_posts: usize,
    /// Files of `dist/site` kept from the last build without rendering them.
    pub kept_site_files: usize,
}

/// What `build` makes besides the platforms and the site.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    pub only: Option<Only>,
    /// Also write the reviewers' previews into `dist/previews` (see [`crate::preview`]).
    pub previews: bool,
    /// List only these posts in the previews index, and write the pull-request summary.
    pub changed: Option<&'a crate::preview::Changed>,
    /// The archive's clock (crisis alerts past their `expires`); `None` reads it
    /// ([`crate::site::now`]).
    pub now: Option<jiff::Timestamp>,
    /// Reuse what the last build into the same folder made and did not change, remembered in
    /// `.budkavle/cache/` (see [`memo`]): a rebuild after one edit renders one post's worth.
    /// The output is the same either way.
    pub incremental: bool,
    /// SHA-256 of each input file's bytes (the posts, the theme, the images), by path relative
    /// to the root, when the caller has them (the build cache read and hashed every file): the
    /// memo's keys use them instead of reading and hashing the files again. A post's must be of
    /// the file as loaded.
    pub digests: Option<&'a Digests>,
}

/// One part of the build, for `build --only`: a pull-request check may want only what the
/// platforms will receive, a site deploy only the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Only {
    Platforms,
    Site,
}

pub fn build(project: &Project, out_dir: &Path, only: Option<Only>) -> Result<Summary> {
    build_with(project, out_dir, &Options { only, ..Options::default() })
}

pub fn build_with(project: &Project, out_dir: &Path, opts: &Options<'_>) -> Result<Summary> {
    let only = opts.only;
    let want_platforms = only != Some(Only::Site);
    let want_site = only != Some(Only::Platforms);
    let root = &project.root;
    // The key of what every output shares (strategy, theme, binary), when the build is
    // incremental. The platforms need it from their start; the archive alone, only for its
    // pages, so without platforms it is worked out beside git's history (see `make_site`).
    let global_key = || opts.incremental.then(|| memo::global_key(project, opts.digests));
    let global = if want_platforms { global_key() } else { None };
    // Whether a part is built from nothing, every unit made: without a memo, or with its folder
    // gone or never written.
    let clean = |part: &str| !opts.incremental || !out_dir.join(part).join(crate::output::MANIFEST).is_file();
    let memo_of = |part: &str| {
        // A memo serves only with the folder its build left, which must still hold every file
        // a unit keeps: with the folder gone (a clean build) reading it is only time.
        if clean(part) { Memo::default() } else { Memo::load(&memo::path(root, out_dir, part)) }
    };

    // Everything is rendered before anything is written: a template error leaves dist/ as it was.
    // Into a part's folder that is not there (a clean build) each file is written as soon as it
    // is made instead, and the folder is removed if the build fails (`write_as_made`).
    // The two parts are independent: made side by side, the one's steps that run on one core
    // (git's history, the manifests) overlap the other's work.
    let make_platforms = || -> Result<_> {
        if !want_platforms {
            return Ok(None);
        }
        let old = memo_of("platforms");
        let mut out = OutputDir::open_trusted(&out_dir.join("platforms"), memo::manifest(&old))?;
        let now = out.write_as_made();
        let units = platform_units(project, global.as_ref(), opts.digests, &old, &out, now)?;
        Ok(Some((out, units)))
    };
    // The ledger's publications and git's versions of every post.
    let make_site = || -> Result<_> {
        if !want_site {
            return Ok((None, Vec::new()));
        }
        let history = opts.incremental.then(|| root.join(cache::DIR).join("history.bin"));
        // Reading git's history is one core's work, and so are parsing the templates and reading
        // the memo and manifest. When the archive is built from nothing (no manifest: every
        // post's page will be rendered), the posts' bodies are made meanwhile too, on whatever
        // core is free: otherwise one core waited for git.
        let bodies_ahead = opts.incremental && clean("site");
        let (record, ((global, memo_and_out), bodies)) = rayon::join(
            || crate::site::Record::load_cached(project, history.as_deref()),
            || {
                rayon::join(
                    || {
                        crate::site::prepare_templates(project);
                        let global = if want_platforms { global } else { global_key() };
                        let old = memo_of("site");
                        let out = OutputDir::open_trusted(&out_dir.join("site"), memo::manifest(&old));
                        (global, out.map(|mut out| (old, out.write_as_made(), out)))
                    },
                    || bodies_ahead.then(|| crate::site::Bodies::ahead(project)),
                )
            },
        );
        let (record, notes) = record?;
        let (old, write_now, out) = memo_and_out?;
        let now = match opts.now {
            Some(now) => now,
            None => crate::site::now()?,
        };
        let (pages, learned) = match global {
            Some(global) => {
                let inc = crate::site::Incremental {
                    global,
                    memo: &old,
                    previous: &out,
                    digests: opts.digests,
                    bodies: bodies.as_ref(),
                    write_now: write_now.then_some(&out as &dyn crate::output::Sink),
                };
                crate::site::render_incremental(project, &record, now, &inc)?
            }
            None => {
                let pages = crate::site::render_at(project, &record, now)?;
                (pages.into_iter().map(|(p, b)| (p, crate::output::Made::New(b))).collect(), Memo::default())
            }
        };
        Ok((Some((out, pages, learned)), notes))
    };
    let (platforms, site) = rayon::join(make_platforms, make_site);
    let platforms = platforms?;
    let (site, notes) = site?;

    let previews = if opts.previews {
        let findings = crate::check::check(project)?;
        crate::preview::render(project, &findings, opts.changed)?
    } else {
        Vec::new()
    };

    // Only now is anything written (but into a new folder). Each rendering is serialised and
    // written in one step, so its JSON and text are never all held in memory at once.
    let mut summary = Summary { posts: project.posts.len(), notes, ..Summary::default() };
    // The two parts fill disjoint fields of the summary, side by side.
    let Summary { kept_posts, rendered, over_limit, files, site_pages, kept_site_files, site_files, .. } = &mut summary;
    let finish = |out: OutputDir, mut learned: Memo, part: &str| -> Result<WriteStats> {
        let (stats, manifest) = out.finish_hashed()?;
        if opts.incremental {
            memo::set_manifest(&mut learned, manifest);
            let _ = learned.save(&memo::path(root, out_dir, part));
        }
        Ok(stats)
    };
    let write_platforms = || -> Result<()> {
        let Some((out, units)) = platforms else { return Ok(()) };
        let mut learned = Memo::default();
        *kept_posts = units.iter().filter(|(_, u)| matches!(u, PlatformUnit::Kept(..))).count();
        out.expect(units.iter().map(|(_, u)| 2 * u.renderings()).sum());
        // Each unit is let go by the thread that wrote it: seventy thousand renderings dropped
        // one after the other at the end were a serial tail of the build.
        let written: Vec<Result<_>> = {
            use rayon::prelude::*;
            units
                .into_par_iter()
                .with_max_len(crate::project::PIECE)
                .map(|(key, unit)| write_platform_unit(&out, unit).map(|p| (key, p)))
                .collect()
        };
        for w in written {
            let (key, done) = w?;
            *rendered += done.renderings;
            *over_limit += done.over_limit;
            if let Some(key) = key {
                learned.insert(key, done.memo);
            }
        }
        *files = finish(out, learned, "platforms")?;
        Ok(())
    };
    let write_site = || -> Result<()> {
        let Some((out, pages, learned)) = site else { return Ok(()) };
        *site_pages = pages.iter().filter(|(path, _)| path.ends_with(".html")).count();
        let mut kept = Vec::new();
        let mut new = Vec::new();
        for (path, made) in pages {
            match made {
                crate::output::Made::Kept(hash) => kept.push((path, hash)),
                crate::output::Made::New(bytes) => new.push((path, bytes)),
                // Written as it was made, into a new folder.
                crate::output::Made::Written(_) => {}
            }
        }
        *kept_site_files = kept.len();
        if !out.keep_all(kept) {
            return Err(Error::Internal("archive files to be kept are not in the output folder".into()));
        }
        // As the platforms' units: each file's bytes are let go by the thread that wrote them.
        let written: Result<()> = {
            use rayon::prelude::*;
            new.into_par_iter()
                .with_max_len(crate::project::PIECE)
                .map(|(path, bytes)| out.write(&path, &bytes).map(|_| ()))
                .collect()
        };
        written?;
        *site_files = finish(out, learned, "site")?;
        Ok(())
    };
    let (platforms, site) = rayon::join(write_platforms, write_site);
    platforms?;
    site?;
    if opts.previews {
        summary.preview_files = crate::preview::write(&previews, &out_dir.join(crate::preview::DIR))?;
        summary.preview_pages = previews.iter().filter(|(path, _)| path.starts_with("p/")).count();
    }
    Ok(summary)
}

/// One post's renderings: kept as the output holds them (with the memo's entry as it was), or
/// made now.
enum PlatformUnit {
    Kept(PlatformMemo, Vec<u8>),
    /// The post's id and its renderings.
    Made(String, Vec<Rendered>),
    /// Written as soon as made, into a new folder ([`OutputDir::write_as_made`]).
    Written(Result<UnitDone>),
}

impl PlatformUnit {
    /// How many renderings the unit records in the output that are not recorded yet.
    fn renderings(&self) -> usize {
        match self {
            PlatformUnit::Kept(kept, _) => kept.renderings.len(),
            PlatformUnit::Made(_, rendered) => rendered.len(),
            PlatformUnit::Written(_) => 0,
        }
    }
}

/// What the memo holds of a post's renderings: for each, its platform and the content hashes
/// of its `.json` and `.txt`; and how many were over a limit.
struct PlatformMemo {
    post: String,
    renderings: Vec<(String, u64, u64)>,
    over_limit: usize,
}

impl PlatformMemo {
    fn files(&self) -> impl Iterator<Item = (String, u64)> + '_ {
        self.renderings.iter().flat_map(|(platform, json, txt)| {
            [(format!("{platform}/{}.json", self.post), *json), (format!("{platform}/{}.txt", self.post), *txt)]
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        e.str(&self.post);
        e.u64(self.over_limit as u64);
        e.u64(self.renderings.len() as u64);
        for (platform, json, txt) in &self.renderings {
            e.str(platform);
            e.u64(*json);
            e.u64(*txt);
        }
        e.finish()
    }

    fn decode(bytes: &[u8]) -> Option<PlatformMemo> {
        let mut d = Decoder::new(bytes);
        let post = d.str()?.to_string();
        let over_limit = usize::try_from(d.u64()?).ok()?;
        let mut renderings = Vec::new();
        for _ in 0..d.u64()? {
            renderings.push((d.str()?.to_string(), d.u64()?, d.u64()?));
        }
        d.is_empty().then_some(PlatformMemo { post, renderings, over_limit })
    }
}

/// A post's renderings depend on its file and on what every post shares (strategy, theme,
/// binary: the global key), nothing else.
fn platform_key(global: &Key, post: &Post, digests: Option<&Digests>) -> Key {
    KeyHasher::new("renderings")
        .key(global)
        .str(&post.path.to_string_lossy())
        .bytes(&crate::site::source_digest(post, digests))
        .finish()
}

type Digests = crate::project::ByPath<[u8; 32]>;

/// Every post's renderings, from the memo where the output holds them, else rendered,
/// collecting every template error; with `write_now`, each post's renderings are written as
/// soon as they are made.
fn platform_units(
    project: &Project,
    global: Option<&Key>,
    digests: Option<&Digests>,
    old: &Memo,
    out: &OutputDir,
    write_now: bool,
) -> Result<Vec<(Option<Key>, PlatformUnit)>> {
    // The folder as the memo's build left it holds every file the memo names.
    let untouched = out.untouched();
    if write_now {
        out.expect(project.posts.iter().map(|p| 2 * p.targets().count()).sum());
    }
    let results = par_map(&project.posts, |post| {
        let key = global.map(|g| platform_key(g, post, digests));
        if let Some(raw) = key.and_then(|k| old.get(&k))
            && let Some(kept) = PlatformMemo::decode(raw)
            && kept.post == post.id
            && (untouched || kept.files().all(|(path, hash)| out.has(&path, hash)))
        {
            return (key, Ok(PlatformUnit::Kept(kept, raw.to_vec())));
        }
        // The shared body's text is made once for all platforms; only a post that fails to
        // render is rendered again platform by platform, to report every platform's error.
        let rendered: std::result::Result<Vec<Rendered>, Vec<crate::error::Diagnostic>> =
            render::render_targets(project, post).or_else(|_| {
                let (ok, errors): (Vec<_>, Vec<_>) =
                    post.targets().map(|p| render::render(project, post, p)).partition(|r| r.is_ok());
                if errors.is_empty() {
                    Ok(ok.into_iter().flatten().collect())
                } else {
                    Err(errors.into_iter().filter_map(|r| r.err()).collect())
                }
            });
        let unit = rendered.map(|r| PlatformUnit::Made(post.id.clone(), r));
        (key, unit.map(|u| if write_now { PlatformUnit::Written(write_platform_unit(out, u)) } else { u }))
    });
    let mut diags = Diagnostics::default();
    let mut units = Vec::with_capacity(results.len());
    for (key, r) in results {
        match r {
            Ok(u) => units.push((key, u)),
            Err(ds) => ds.into_iter().for_each(|d| diags.push(d)),
        }
    }
    diags.into_result(units)
}

/// What a post's renderings came to: how many, how many over a limit, and the memo's entry.
struct UnitDone {
    renderings: usize,
    over_limit: usize,
    memo: Vec<u8>,
}

/// Writes (or keeps) a post's renderings.
fn write_platform_unit(out: &OutputDir, unit: PlatformUnit) -> Result<UnitDone> {
    match unit {
        PlatformUnit::Written(done) => done,
        PlatformUnit::Kept(kept, raw) => {
            if !out.keep_all(kept.files().collect()) {
                return Err(Error::Internal(format!(
                    "the renderings of {} were to be kept but are not there",
                    kept.post
                )));
            }
            // The entry as it was: ten thousand kept posts need not be encoded again.
            Ok(UnitDone { renderings: kept.renderings.len(), over_limit: kept.over_limit, memo: raw })
        }
        PlatformUnit::Made(post, rendered) => {
            let mut memo = PlatformMemo {
                post,
                renderings: Vec::with_capacity(rendered.len()),
                over_limit: rendered.iter().filter(|r| r.over_limit).count(),
            };
            // One buffer each for the JSON, the text and the path, for all the post's renderings.
            let mut json = Vec::with_capacity(4096);
            let mut text = String::with_capacity(2048);
            let mut rel = String::with_capacity(128);
            for r in &rendered {
                json.clear();
                r.write_json(&mut json).map_err(|e| Error::Internal(format!("cannot serialise {}: {e}", r.post)))?;
                json.push(b'\n');
                text.clear();
                r.write_text(&mut text);
                let hashes = (content_hash(&json), content_hash(text.as_bytes()));
                rel.clear();
                rel.push_str(r.platform.name());
                rel.push('/');
                rel.push_str(&r.post);
                let stem = rel.len();
                rel.push_str(".json");
                out.write_hashed(&rel, &json, hashes.0)?;
                rel.truncate(stem);
                rel.push_str(".txt");
                out.write_hashed(&rel, text.as_bytes(), hashes.1)?;
                memo.renderings.push((r.platform.name().to_string(), hashes.0, hashes.1));
            }
            Ok(UnitDone { renderings: memo.renderings.len(), over_limit: memo.over_limit, memo: memo.encode() })
        }
    }
}
