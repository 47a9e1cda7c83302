//! `budkavle build`: every post rendered for every platform it goes to, written to
//! `dist/platforms/<platform>/<id>.{json,txt}` for review in a pull request.
//!
//! Everything is rendered in memory first; only when all of it succeeded is anything written, so
//! a failed build leaves the previous `dist/` untouched. Writing is incremental (see
//! [`crate::output`]): a rebuild touches only the files whose content changed.

use std::path::Path;

use crate::error::{Diagnostics, Error, Result};
use crate::output::{OutputDir, WriteStats};
use crate::project::{Project, par_map};
use crate::render::{self, Rendered};

pub const DIST_DIR: &str = "dist";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub posts: usize,
    pub rendered: usize,
    pub over_limit: usize,
    pub files: WriteStats,
}

/// Renders every post × target platform, collecting every template error.
pub fn render_all(project: &Project) -> Result<Vec<Rendered>> {
    let results = par_map(&project.posts, |post| {
        render::targets(post).map(|p| render::render(project, post, p)).collect::<Vec<_>>()
    });
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

pub fn build(project: &Project, out_dir: &Path) -> Result<Summary> {
    // Everything is rendered before anything is written: a template error leaves dist/ as it was.
    let rendered = render_all(project)?;
    let out = OutputDir::open(&out_dir.join("platforms"))?;
    let written = par_map(&rendered, |r| -> Result<()> {
        let base = format!("{}/{}", r.platform.name(), r.post);
        let mut json =
            serde_json::to_vec_pretty(r).map_err(|e| Error::Usage(format!("cannot serialise {}: {e}", r.post)))?;
        json.push(b'\n');
        out.write(&format!("{base}.json"), &json)?;
        out.write(&format!("{base}.txt"), r.to_text().as_bytes())?;
        Ok(())
    });
    written.into_iter().collect::<Result<()>>()?;
    let files = out.finish()?;
    Ok(Summary {
        posts: project.posts.len(),
        rendered: rendered.len(),
        over_limit: rendered.iter().filter(|r| r.over_limit).count(),
        files,
    })
}
