//! `budkavle build`: every post rendered for every platform it goes to, written to
//! `dist/platforms/<platform>/<id>.{json,txt}` for review in a pull request, and the public
//! archive in `dist/site/` (see [`crate::site`]).
//!
//! Everything is rendered in memory first; only when all of it succeeded is anything written, so
//! a failed build leaves the previous `dist/` untouched. Writing is incremental (see
//! [`crate::output`]): a rebuild touches only the files whose content changed.

pub mod cache;

use std::path::Path;

use crate::error::{Diagnostics, Error, Result};
use crate::output::{OutputDir, WriteStats};
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
}

/// Renders every post × target platform, collecting every template error.
pub fn render_all(project: &Project) -> Result<Vec<Rendered>> {
    let results =
        par_map(&project.posts, |post| post.targets().map(|p| render::render(project, post, p)).collect::<Vec<_>>());
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    for r in results.into_iter().flatten() {
        match r {
            Ok(r) => out.push(r),
            Err(d) => diags.push(d),
        }
    }
    diags.into_result(out)
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
    // Everything is rendered before anything is written: a template error leaves dist/ as it was.
    let rendered = if want_platforms { render_all(project)? } else { Vec::new() };
    // The ledger's publications and git's versions of every post.
    let (site, notes) = if want_site {
        let (record, notes) = crate::site::Record::load_with_notes(project)?;
        let now = match opts.now {
            Some(now) => now,
            None => crate::site::now()?,
        };
        (crate::site::render_at(project, &record, now)?, notes)
    } else {
        (Vec::new(), Vec::new())
    };

    let previews = if opts.previews {
        let findings = crate::check::check(project)?;
        crate::preview::render(project, &findings, opts.changed)?
    } else {
        Vec::new()
    };

    // Only now is anything written. Each rendering is serialised and written in one step, so
    // its JSON and text are never all held in memory at once.
    let files = if want_platforms {
        let out = OutputDir::open(&out_dir.join("platforms"))?;
        let written = par_map(&rendered, |r| -> Result<()> {
            let base = format!("{}/{}", r.platform.name(), r.post);
            let mut json = serde_json::to_vec_pretty(r)
                .map_err(|e| Error::Internal(format!("cannot serialise {}: {e}", r.post)))?;
            json.push(b'\n');
            out.write(&format!("{base}.json"), &json)?;
            out.write(&format!("{base}.txt"), r.to_text().as_bytes())?;
            Ok(())
        });
        written.into_iter().collect::<Result<()>>()?;
        out.finish()?
    } else {
        WriteStats::default()
    };
    let site_files = if want_site { crate::site::write(&site, &out_dir.join("site"))? } else { WriteStats::default() };
    let preview_files = if opts.previews {
        crate::preview::write(&previews, &out_dir.join(crate::preview::DIR))?
    } else {
        WriteStats::default()
    };
    Ok(Summary {
        posts: project.posts.len(),
        rendered: rendered.len(),
        over_limit: rendered.iter().filter(|r| r.over_limit).count(),
        files,
        site_pages: site.iter().filter(|(path, _)| path.ends_with(".html")).count(),
        site_files,
        notes,
        preview_pages: previews.iter().filter(|(path, _)| path.starts_with("p/")).count(),
        preview_files,
    })
}
