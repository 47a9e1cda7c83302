//! `budkavle build`: every post rendered for every platform it goes to, written to
//! `dist/platforms/<platform>/<id>.{json,txt}` for review in a pull request.
//!
//! Everything is rendered in memory first; only when all of it succeeded is the new tree written
//! beside the old one and swapped in, so a failed build leaves the previous `dist/` untouched.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostics, Error, Result};
use crate::platform::PlatformId;
use crate::project::{Project, par_map};
use crate::render::{self, Rendered};

pub const DIST_DIR: &str = "dist";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub posts: usize,
    pub rendered: usize,
    pub over_limit: usize,
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
    let rendered = render_all(project)?;
    let summary = Summary {
        posts: project.posts.len(),
        rendered: rendered.len(),
        over_limit: rendered.iter().filter(|r| r.over_limit).count(),
    };
    let files = par_map(&rendered, |r| -> Result<[(PathBuf, Vec<u8>); 2]> {
        let base = Path::new(r.platform.name()).join(&r.post);
        let mut json =
            serde_json::to_vec_pretty(r).map_err(|e| Error::Usage(format!("cannot serialise {}: {e}", r.post)))?;
        json.push(b'\n');
        Ok([(base.with_extension("json"), json), (base.with_extension("txt"), r.to_text().into_bytes())])
    });
    let mut all = Vec::with_capacity(files.len() * 2);
    for f in files {
        all.extend(f?);
    }
    replace_dir(&out_dir.join("platforms"), &all)?;
    Ok(summary)
}

/// Writes `files` into a fresh sibling of `target` and swaps it in.
fn replace_dir(target: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let fresh = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(parent)
        .map_err(|e| Error::io("cannot create a folder in", parent, e))?;
    let mut dirs: Vec<PathBuf> = PlatformId::ALL.iter().map(|p| fresh.path().join(p.name())).collect();
    dirs.retain(|d| files.iter().any(|(f, _)| fresh.path().join(f).parent() == Some(d.as_path())));
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|e| Error::io("cannot create", d, e))?;
    }
    let written: Vec<Result<()>> = par_map(files, |(rel, bytes)| {
        let path = fresh.path().join(rel);
        std::fs::write(&path, bytes).map_err(|e| Error::io("cannot write", &path, e))
    });
    written.into_iter().collect::<Result<()>>()?;

    let fresh = fresh.keep();
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = target.exists();
    if had_old {
        std::fs::rename(target, &old).map_err(|e| Error::io("cannot move aside", target, e))?;
    }
    if let Err(e) = std::fs::rename(&fresh, target) {
        if had_old {
            let _ = std::fs::rename(&old, target);
        }
        let _ = std::fs::remove_dir_all(&fresh);
        return Err(Error::io("cannot replace", target, e));
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io("cannot remove", &old, e))?;
    }
    Ok(())
}
