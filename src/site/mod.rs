//! The public transparency archive (`dist/site/`): a static, accessible website of every post
//! with its platforms, versions and relations, plus feeds, a search index and a sitemap
//! (DESIGN §8). Pure function of the project and the [`Record`]; written through
//! [`crate::output::OutputDir`], so a rebuild rewrites only pages whose bytes changed.

mod feeds;
mod html;
mod record;
mod search;
mod versions;

pub use record::{Published, Record, Version};

use std::path::Path;

use serde::Serialize;

use crate::error::{Diagnostic, Error, Result};
use crate::output::{OutputDir, WriteStats};
use crate::project::{Project, par_map};

/// Renders every page into `out_dir` (normally `dist/site`).
pub fn build(project: &Project, record: &Record, out_dir: &Path) -> Result<WriteStats> {
    let site = Site::new(project, record)?;
    let pages = site.pages()?;
    let out = OutputDir::open(out_dir)?;
    let written = par_map(&pages, |(path, bytes)| out.write(path, bytes).map(|_| ()));
    written.into_iter().collect::<Result<()>>()?;
    out.finish()
}

/// Everything the templates see, prepared once.
pub(crate) struct Site<'a> {
    pub project: &'a Project,
    pub record: &'a Record,
    pub tera: tera::Tera,
    pub posts: Vec<PostView>,
}

/// A post as the archive shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PostView {
    pub id: String,
    pub title: String,
    pub lang: String,
    /// RFC 3339 in UTC, and a human date in the organisation's time zone.
    pub date: Option<String>,
    pub date_local: Option<String>,
    /// Sanitised HTML of the body.
    pub html: String,
    pub tags: Vec<String>,
    pub goal: Option<String>,
    pub kind: &'static str,
    pub media: Vec<MediaView>,
    pub published: Vec<Published>,
    pub retracted: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaView {
    /// Site-relative URL of the copied image.
    pub src: String,
    pub alt: String,
}

impl<'a> Site<'a> {
    pub(crate) fn new(project: &'a Project, record: &'a Record) -> Result<Self> {
        let tera = load_templates(project)?;
        let posts = project
            .posts
            .iter()
            .filter(|p| !p.draft)
            .map(|p| html::post_view(project, record, p))
            .collect();
        Ok(Site { project, record, tera, posts })
    }

    /// Every output file, by path relative to the site root.
    pub(crate) fn pages(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut pages = Vec::new();
        let mut ctx = self.base_context();
        ctx.insert("posts", &self.posts);
        pages.push(("index.html".to_string(), self.render("index.html", &ctx)?));
        for post in &self.posts {
            let mut ctx = self.base_context();
            ctx.insert("post", post);
            pages.push((format!("p/{}/index.html", post.id), self.render("post.html", &ctx)?));
        }
        pages.push(("static/style.css".to_string(), self.static_file("style.css")?));
        pages.extend(feeds::pages(self)?);
        pages.extend(search::pages(self)?);
        pages.extend(versions::pages(self)?);
        Ok(pages)
    }

    pub(crate) fn base_context(&self) -> tera::Context {
        let strategy = &self.project.strategy;
        let org = strategy.organisation();
        let mut ctx = tera::Context::new();
        ctx.insert("org", &serde_json::json!({ "name": org.name, "url": org.url, "lang": org.lang }));
        ctx.insert("site_title", strategy.file.site.title.as_deref().unwrap_or(&org.name));
        ctx.insert("lang", &org.lang);
        ctx
    }

    pub(crate) fn render(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>> {
        self.tera.render(template, ctx).map(String::into_bytes).map_err(|e| {
            Error::Invalid(vec![crate::render::theme::template_error(
                &self.project.theme.dir.join("site").join(template),
                &e,
                None,
            )])
        })
    }

    fn static_file(&self, name: &str) -> Result<Vec<u8>> {
        let rel = self.project.theme.dir.join("site/static").join(name);
        std::fs::read(self.project.root.join(&rel)).map_err(|e| Error::io("cannot read", rel, e))
    }
}

/// The site templates of the project's theme. HTML templates are auto-escaped.
fn load_templates(project: &Project) -> Result<tera::Tera> {
    let dir = project.root.join(&project.theme.dir).join("site");
    let mut tera = tera::Tera::default();
    let mut problems = Vec::new();
    let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("cannot read the site templates in", &dir, e))?;
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let mut sources = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "html")) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let rel = project.theme.dir.join("site").join(&name);
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push((name, text)),
            Err(e) => problems.push(Diagnostic::file(&rel, format!("cannot read the template: {e}"))),
        }
    }
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
        problems.push(crate::render::theme::template_error(&project.theme.dir.join("site"), &e, None));
    }
    if problems.is_empty() { Ok(tera) } else { Err(Error::Invalid(problems)) }
}
