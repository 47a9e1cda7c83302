//! Previews for reviewers (`budkavle build --previews`, `budkavle serve`): one HTML page per post
//! that shows it as each platform will — account, text with links, mentions and hashtags marked,
//! images with their alt text, a link card, every thread part with `len/limit`, what is over the
//! limit highlighted — beside the post's check findings; and an index of all posts (or of those a
//! pull request changes, with a Markdown summary for its comment).
//!
//! Everything shown comes from [`crate::render::render`] and [`crate::check`], the code that
//! `build` and `publish` use, so the preview is what will be sent, not a second opinion. Pages
//! are self-contained (relative links, a local stylesheet, copied images): a CI job can publish
//! `dist/previews/` anywhere, and no page loads from another host.

mod changed;
mod marked;
mod page;
mod summary;

pub use changed::{Changed, changed_since};

use std::collections::HashMap;
use std::path::Path;

use crate::check::Finding;
use crate::error::{Diagnostics, Error, Result};
use crate::output::{Files, OutputDir, WriteStats};
use crate::project::{Project, par_map};

pub(crate) use page::{PostRow, Previews, RowCache};

/// The folder under `dist/`.
pub const DIR: &str = "previews";

/// Every preview file in memory, by `/`-separated path relative to `dist/previews/`, so the
/// build can render everything before writing anything. `findings` are those of
/// [`crate::check::check`]; with `changed`, the index lists only the changed posts and a
/// `summary.md` is added for the pull-request comment.
pub fn render(project: &Project, findings: &[Finding], changed: Option<&Changed>) -> Result<Files> {
    render_with_rows(project, findings, changed).map(|(files, _)| files)
}

/// [`render`], plus the index row of every post (`serve` keeps them to re-render the index
/// after an edit without rendering every post again).
pub(crate) fn render_with_rows(
    project: &Project,
    findings: &[Finding],
    changed: Option<&Changed>,
) -> Result<(Files, Vec<PostRow>)> {
    let previews = Previews::new(project)?;
    let by_file = findings_by_file(findings);
    let results = par_map(&project.posts, |post| {
        let own = by_file.get(post.path.as_path()).map(Vec::as_slice).unwrap_or(&[]);
        previews.post(project, post, own)
    });
    let mut diags = Diagnostics::default();
    let mut files = Vec::with_capacity(project.posts.len() + 8);
    let mut rows = Vec::with_capacity(project.posts.len());
    for r in results {
        match r {
            Ok((page, row)) => {
                files.push(page);
                rows.push(row);
            }
            Err(d) => diags.push(d),
        }
    }
    diags.into_result(())?;
    let listed: Vec<&PostRow> = match changed {
        Some(c) => rows.iter().filter(|r| c.contains(&r.path)).collect(),
        None => rows.iter().collect(),
    };
    files.push(("index.html".to_string(), previews.index(&listed, changed)?));
    // The publishing calendar of the next 30 days, as `budkavle plan` shows it.
    let calendar = crate::calendar::calendar(project, jiff::Timestamp::now(), 30)?;
    files.push(("calendar.html".to_string(), previews.calendar(&calendar)?));
    if let Some(c) = changed {
        files.push(("summary.md".to_string(), summary::markdown(project, &listed, c).into_bytes()));
    }
    files.extend(previews.static_files());
    let posts: Vec<&crate::post::Post> = project.posts.iter().collect();
    files.extend(Previews::media_files_of(project, &posts)?);
    Ok((files, rows))
}

/// Writes rendered files into `out_dir` (normally `dist/previews`), touching only changed ones.
pub fn write(files: &[(String, Vec<u8>)], out_dir: &Path) -> Result<WriteStats> {
    let out = OutputDir::open(out_dir)?;
    let written = par_map(files, |(path, bytes)| out.write(path, bytes).map(|_| ()));
    written.into_iter().collect::<Result<()>>()?;
    out.finish()
}

/// Findings grouped by the post file they are about.
pub(crate) fn findings_by_file(findings: &[Finding]) -> HashMap<&Path, Vec<&Finding>> {
    let mut by_file: HashMap<&Path, Vec<&Finding>> = HashMap::new();
    for f in findings {
        by_file.entry(f.file.as_path()).or_default().push(f);
    }
    by_file
}

/// A post's preview page path, relative to `dist/previews/`.
pub(crate) fn post_path(id: &str) -> String {
    format!("p/{id}/index.html")
}

fn template_error(name: &str, e: &tera::Error) -> Error {
    Error::Invalid(vec![crate::theme::template_error(&Path::new("themes/default/preview").join(name), e, None)])
}
