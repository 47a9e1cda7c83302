//! The preview pages themselves: a post's cards per platform beside its findings, the index, and
//! the error page `serve` shows while the repository cannot be loaded.
//!
//! [`Previews`] holds only the templates and interface strings, not the project, so `serve` can
//! keep one across edits and re-render a single post against the project as it now is.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::marked;
use super::{Changed, post_path, template_error};
use crate::check::{Finding, Level};
use crate::error::{Diagnostic, Error, Result};
use crate::escape::html as escape;
use crate::output::Files;
use crate::platform::PlatformId;
use crate::post::Post;
use crate::project::Project;
use crate::render::{self, Rendered};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/preview/base.html")),
    ("post.html", include_str!("../../themes/default/preview/post.html")),
    ("index.html", include_str!("../../themes/default/preview/index.html")),
    ("error.html", include_str!("../../themes/default/preview/error.html")),
    ("calendar.html", include_str!("../../themes/default/preview/calendar.html")),
];

const STYLE: &[u8] = include_bytes!("../../themes/default/preview/preview.css");

/// Interface languages built in, by primary subtag; English is the fallback.
const STRINGS: &[(&str, &str)] = &[
    ("sv", include_str!("../../themes/default/preview/i18n/sv.toml")),
    ("en", include_str!("../../themes/default/preview/i18n/en.toml")),
];

/// Templates and strings, loaded once.
pub(crate) struct Previews {
    tera: tera::Tera,
    base: tera::Context,
    strings: BTreeMap<String, String>,
    style: Vec<u8>,
}

/// Templates and the stylesheet are a few kilobytes; anything far larger is not one.
const MAX_THEME_FILE_BYTES: u64 = 256 * 1024;

/// The HTML of the index's rows, by post id, with the row and the columns it was made from:
/// comparing a row is much cheaper than writing it, and nobody has to say what changed.
#[derive(Default)]
pub(crate) struct RowCache {
    platforms: Vec<(&'static str, &'static str)>,
    html: HashMap<String, (PostRow, String)>,
}

/// One line of the index and of the pull-request summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PostRow {
    pub id: String,
    pub title: String,
    pub lang: String,
    /// The post file, relative to the repository root.
    pub path: PathBuf,
    /// Relative to `dist/previews/`.
    pub url: String,
    pub date: Option<String>,
    pub draft: bool,
    pub cells: Vec<Cell>,
    pub errors: usize,
    pub warnings: usize,
    pub suggestions: usize,
}

/// A post on one platform, as the index summarises it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Cell {
    #[serde(skip)]
    pub id: PlatformId,
    pub platform: &'static str,
    pub name: &'static str,
    pub parts: usize,
    /// The longest part.
    pub length: usize,
    pub limit: usize,
    pub over: bool,
}

#[derive(Serialize)]
struct Card {
    platform: &'static str,
    name: &'static str,
    display_name: String,
    handle: Option<String>,
    initials: String,
    thread_label: String,
    parts: Vec<PartView>,
    over: bool,
    media: Vec<MediaView>,
    link_card: Option<LinkCard>,
    reply_to: Option<String>,
    max_bytes: Option<usize>,
}

#[derive(Serialize)]
struct PartView {
    n: usize,
    label: String,
    over_label: String,
    html: String,
    length: usize,
    limit: usize,
    bytes: usize,
    over: bool,
    over_by: usize,
}

#[derive(Serialize)]
struct MediaView {
    src: String,
    alt: String,
}

#[derive(Serialize)]
struct LinkCard {
    url: String,
    host: String,
    rest: String,
}

#[derive(Serialize)]
struct FindingView {
    level: &'static str,
    rule: String,
    line: usize,
    column: usize,
    platform: Option<&'static str>,
    message: String,
    fix: Option<String>,
}

#[derive(Serialize)]
struct DiagView {
    file: String,
    line: usize,
    column: usize,
    message: String,
    hint: Option<String>,
}

impl Previews {
    pub(crate) fn new(project: &Project) -> Result<Previews> {
        // A theme changes a template or the stylesheet by having a file of that name in its own
        // preview/ folder, like the archive's site/; the rest stay built in. `serve` rebuilds
        // when the theme changes, so a theme author sees an edit at once.
        let dir = project.theme.dir.join("preview");
        let canonical_root = project.root.canonicalize().map_err(|e| Error::io("cannot open", &project.root, e))?;
        let own = |name: &str| -> Result<Option<String>> {
            let rel = dir.join(name);
            if !project.root.join(&rel).is_file() {
                return Ok(None);
            }
            crate::fsutil::read_text(&project.root, &canonical_root, &rel, MAX_THEME_FILE_BYTES)
                .map(Some)
                .map_err(|d| Error::Invalid(vec![d]))
        };
        let mut sources: Vec<(&str, String)> = Vec::with_capacity(TEMPLATES.len());
        for (name, built_in) in TEMPLATES {
            sources.push((name, own(name)?.unwrap_or_else(|| built_in.to_string())));
        }
        let style = own("preview.css")?.map_or_else(|| STYLE.to_vec(), String::into_bytes);
        let mut tera = tera::Tera::default();
        // Tera's own escaping writes `/` as `&#x2F;`, which is right but unreadable in links.
        tera.set_escape_fn(escape);
        tera.add_raw_templates(sources.iter().map(|(n, t)| (*n, t.as_str()))).map_err(|e| {
            let chain = crate::error::chain(&e);
            let name =
                TEMPLATES.iter().map(|(n, _)| *n).find(|n| chain.contains(&format!("'{n}'"))).unwrap_or("base.html");
            Error::Invalid(vec![crate::theme::template_error(&dir.join(name), &e, None)])
        })?;
        let org = project.strategy.organisation();
        let primary = org.lang.split('-').next().unwrap_or("en").to_ascii_lowercase();
        let (lang, text) = STRINGS.iter().find(|(l, _)| *l == primary).unwrap_or(&STRINGS[1]);
        let strings: BTreeMap<String, String> = toml::from_str(text)
            .map_err(|e| Error::Internal(format!("the built-in preview strings for `{lang}` are broken: {e}")))?;
        let mut base = tera::Context::new();
        base.insert("t", &strings);
        base.insert("lang", lang);
        base.insert("org", &org.name);
        Ok(Previews { tera, base, strings, style })
    }

    /// A post's page (path and bytes) and its index row. `findings` are the post's own.
    pub(crate) fn post(
        &self,
        project: &Project,
        post: &Post,
        findings: &[&Finding],
    ) -> std::result::Result<((String, Vec<u8>), PostRow), Diagnostic> {
        let rendered: Vec<Rendered> =
            post.targets().map(|p| render::render(project, post, p)).collect::<std::result::Result<_, _>>()?;
        let row = row(project, post, &rendered, findings);
        let cards: Vec<Card> = rendered.iter().map(|r| self.card(project, post, r)).collect();
        let findings_view: Vec<FindingView> = findings
            .iter()
            .map(|f| FindingView {
                level: f.level.name(),
                rule: f.rule.clone(),
                line: f.line,
                column: f.column,
                platform: f.platform.map(PlatformId::display_name),
                message: f.message.clone(),
                fix: f.fix.clone(),
            })
            .collect();
        let mut ctx = self.base.clone();
        ctx.insert("root", "../../");
        ctx.insert("row", &row);
        ctx.insert("kind", &self.text(&format!("kind_{}", post.kind.name()), &[]));
        ctx.insert("cards", &cards);
        ctx.insert("findings", &findings_view);
        let html = self
            .tera
            .render("post.html", &ctx)
            .map_err(|e| crate::theme::template_error(&project.theme.dir.join("preview/post.html"), &e, None))?;
        Ok(((post_path(&post.id), html.into_bytes()), row))
    }

    /// An interface string with its `{name}` slots filled.
    /// The publishing calendar (`budkavle plan`) as a page: one table per platform.
    pub(crate) fn calendar(&self, cal: &crate::calendar::Calendar) -> Result<Vec<u8>> {
        use crate::calendar::Status;
        let mut ctx = self.base.clone();
        ctx.insert("root", "");
        ctx.insert("cal", cal);
        let until = cal.from.checked_add(jiff::Span::new().days(i64::from(cal.days))).unwrap_or(cal.from);
        ctx.insert("period", &self.text("cal_period", &[("from", &cal.from), ("until", &until), ("days", &cal.days)]));
        let mut platforms = Vec::new();
        for p in &cal.platforms {
            let mut rules = Vec::new();
            if let Some(g) = &p.min_gap {
                rules.push(format!("min_gap {g}"));
            }
            if let Some(m) = p.max_per_day {
                rules.push(format!("max_per_day {m}"));
            }
            if let Some(m) = p.min_per_week {
                rules.push(format!("min_per_week {m}"));
            }
            let rules =
                if rules.is_empty() { String::new() } else { self.text("cal_rules", &[("rules", &rules.join(", "))]) };
            let mut rows = Vec::new();
            for day in &p.days {
                for e in &day.entries {
                    let status = match &e.status {
                        Status::Published => self.text("cal_published", &[]),
                        Status::Scheduled => self.text("cal_scheduled", &[]),
                        Status::Due => self.text("cal_due", &[]),
                        Status::ByHand => self.text("cal_by_hand", &[]),
                        Status::Held { reason } => self.text("cal_held", &[("reason", reason)]),
                    };
                    let mut problems = Vec::new();
                    if let Some(other) = &e.too_close_to {
                        problems.push(self.text("cal_too_close", &[("other", other)]));
                    }
                    if day.crowded {
                        problems.push(self.text("cal_crowded", &[]));
                    }
                    rows.push(serde_json::json!({
                        "date": day.date.to_string(),
                        "time": e.time,
                        "title": e.title,
                        "href": super::post_path(&e.post),
                        "kind": self.text(&format!("kind_{}", e.kind), &[]),
                        "status": status,
                        "problem": if problems.is_empty() { None } else { Some(problems.join("; ")) },
                    }));
                }
            }
            let thin: Vec<String> = p
                .thin_weeks
                .iter()
                .map(|w| self.text("cal_thin", &[("week", &w.week_of), ("n", &w.posts), ("min", &w.min)]))
                .collect();
            platforms.push(serde_json::json!({
                "id": p.platform.name(),
                "name": p.platform.display_name(),
                "rules": rules,
                "rows": rows,
                "thin": thin,
            }));
        }
        ctx.insert("platforms", &platforms);
        let list =
            |items: &[(String, u32)]| items.iter().map(|(id, n)| format!("{id} {n}")).collect::<Vec<_>>().join(", ");
        ctx.insert("goals", &list(&cal.coverage.goals));
        ctx.insert("audiences", &list(&cal.coverage.audiences));
        self.tera.render("calendar.html", &ctx).map(String::into_bytes).map_err(|e| template_error("calendar.html", &e))
    }

    fn text(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.strings.get(key).cloned().unwrap_or_else(|| key.to_string());
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    fn card(&self, project: &Project, post: &Post, r: &Rendered) -> Card {
        let cfg = project.strategy.configured.get(&r.platform);
        let org = &project.strategy.organisation().name;
        let display_name = cfg.and_then(|c| c.display_name.clone()).unwrap_or_else(|| org.clone());
        let handle = cfg.and_then(|c| c.account.as_deref()).map(|a| handle(r.platform, a));
        let initials: String = display_name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
        let parts: Vec<(PartView, Option<String>)> = r
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let m = marked::mark(r.platform, p, r.limit, &self.text("over_label", &[]));
                let total = r.parts.len();
                let view = PartView {
                    n: i + 1,
                    label: self.text("part", &[("n", &(i + 1)), ("total", &total)]),
                    over_label: self.text("over_by", &[("n", &m.over_by)]),
                    html: m.html,
                    length: p.length,
                    limit: r.limit,
                    bytes: p.bytes,
                    over: p.over_limit,
                    over_by: m.over_by,
                };
                (view, m.first_link)
            })
            .collect();
        // Platforms show a card for the first link of a post without images (Instagram none).
        let link_card = if r.media.is_empty() && r.platform != PlatformId::Instagram {
            parts.first().and_then(|(_, l)| l.as_deref()).filter(|u| crate::escape::is_web_url(u)).map(link_card)
        } else {
            None
        };
        let media = r
            .media
            .iter()
            .map(|m| MediaView { src: format!("../../{}", media_name(&m.path)), alt: m.alt.clone() })
            .collect();
        Card {
            platform: r.platform.name(),
            name: r.platform.display_name(),
            display_name,
            handle,
            initials,
            thread_label: self.text("thread", &[("total", &r.parts.len())]),
            over: r.over_limit,
            parts: parts.into_iter().map(|(p, _)| p).collect(),
            media,
            link_card,
            reply_to: post.reply_to().map(str::to_string),
            max_bytes: r.max_bytes,
        }
    }

    /// The index of `rows`; with `changed`, it says which revision they changed since.
    pub(crate) fn index(&self, rows: &[&PostRow], changed: Option<&Changed>) -> Result<Vec<u8>> {
        self.index_with(rows, changed, None)
    }

    /// [`Previews::index`], with the rows' HTML kept in `cache` (for `serve`, where an edit
    /// changes one row of ten thousand).
    pub(crate) fn index_with(
        &self,
        rows: &[&PostRow],
        changed: Option<&Changed>,
        mut cache: Option<&mut RowCache>,
    ) -> Result<Vec<u8>> {
        let mut ctx = self.base.clone();
        ctx.insert("root", "");
        ctx.insert("row_count", &rows.len());
        // A column for each platform some post goes to, in the order of `PlatformId::ALL`.
        let mut columns: Vec<Option<(&'static str, &'static str)>> = vec![None; PlatformId::ALL.len()];
        for c in rows.iter().flat_map(|r| r.cells.iter()) {
            let i = PlatformId::ALL.iter().position(|p| *p == c.id).unwrap_or(0);
            columns[i].get_or_insert((c.platform, c.name));
        }
        let platforms: Vec<(&'static str, &'static str)> = columns.into_iter().flatten().collect();
        ctx.insert("platforms", &platforms);
        if let Some(cache) = cache.as_deref_mut()
            && cache.platforms != platforms
        {
            cache.html.clear();
            cache.platforms.clone_from(&platforms);
        }
        let mut rows_html = String::with_capacity(rows.len() * 400);
        for r in rows {
            match cache.as_deref_mut() {
                None => self.row_html(&mut rows_html, r, &platforms),
                Some(cache) => match cache.html.get(&r.id) {
                    Some((row, html)) if row == *r => rows_html.push_str(html),
                    _ => {
                        let mut html = String::new();
                        self.row_html(&mut html, r, &platforms);
                        rows_html.push_str(&html);
                        cache.html.insert(r.id.clone(), ((*r).clone(), html));
                    }
                },
            }
        }
        ctx.insert("rows_html", &rows_html);
        let lead = match changed {
            Some(c) => self.text("changed_since", &[("n", &rows.len()), ("rev", &c.rev)]),
            None => self.text("all_posts", &[("n", &rows.len())]),
        };
        ctx.insert("lead", &lead);
        ctx.insert("removed", &changed.map(|c| c.removed.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()));
        ctx.insert("calendar_url", &Some("calendar.html"));
        self.tera.render("index.html", &ctx).map(String::into_bytes).map_err(|e| template_error("index.html", &e))
    }

    /// One row of the index table, as the template wrote it before: a loop over ten thousand
    /// rows in Tera took a quarter of a second, this takes milliseconds.
    fn row_html(&self, out: &mut String, r: &PostRow, platforms: &[(&str, &str)]) {
        use std::fmt::Write;
        let t = |key: &str| escape(self.strings.get(key).map_or(key, String::as_str));
        let _ = write!(
            out,
            "<tr data-post=\"{id}\">\n    <th scope=\"row\"><a href=\"{url}\" lang=\"{lang}\">{title}</a>{draft}</th>\n    <td>{date}</td>\n    ",
            id = escape(&r.id),
            url = escape(&r.url),
            lang = escape(&r.lang),
            title = escape(&r.title),
            draft = if r.draft { format!(" <span class=\"pv-badge\">{}</span>", t("draft")) } else { String::new() },
            date = r.date.as_deref().map_or_else(|| t("undated"), escape),
        );
        for (platform, _) in platforms {
            out.push_str("<td>");
            if let Some(c) = r.cells.iter().find(|c| c.platform == *platform) {
                let _ = write!(
                    out,
                    "<span class=\"{}\">{}/{}{}{}</span>",
                    if c.over { "pv-count-over" } else { "" },
                    c.length,
                    c.limit,
                    if c.parts > 1 { format!(" ×{}", c.parts) } else { String::new() },
                    if c.over { format!(" <strong>{}</strong>", t("over_limit")) } else { String::new() },
                );
            }
            out.push_str("</td>");
        }
        out.push_str("\n    <td>");
        let lower = |key: &str| t(key).to_lowercase();
        if r.errors > 0 {
            let _ = write!(out, "<span class=\"pv-error-text\">{} {}</span> ", r.errors, lower("level_error"));
        }
        if r.warnings > 0 {
            let _ = write!(out, "{} {} ", r.warnings, lower("level_warning"));
        }
        if r.suggestions > 0 {
            let _ = write!(out, "{} {}", r.suggestions, lower("level_suggestion"));
        }
        if r.errors + r.warnings + r.suggestions == 0 {
            out.push('–');
        }
        out.push_str("</td>\n  </tr>\n");
    }

    /// The page `serve` shows instead of any page while the repository has problems.
    pub(crate) fn error_page(&self, diags: &[Diagnostic], message: &str) -> Vec<u8> {
        let views: Vec<DiagView> = diags
            .iter()
            .map(|d| DiagView {
                file: d.file.display().to_string(),
                line: d.line,
                column: d.column,
                message: d.message.clone(),
                hint: d.hint.clone(),
            })
            .collect();
        let mut ctx = self.base.clone();
        ctx.insert("root", "/previews/");
        ctx.insert("diags", &views);
        ctx.insert("message", message);
        self.tera.render("error.html", &ctx).map(String::into_bytes).unwrap_or_else(|e| {
            // The built-in template failed: still say what is wrong, in the plainest page.
            let list: String = diags.iter().map(|d| format!("<li>{}</li>", escape(&d.to_string()))).collect();
            format!(
                "<!doctype html><html lang=\"en\"><title>Error</title><main><h1>{}</h1><ul>{list}</ul><p>{}</p></main></html>",
                escape(message),
                escape(&e.to_string())
            )
            .into_bytes()
        })
    }

    pub(crate) fn static_files(&self) -> Files {
        vec![("preview.css".to_string(), self.style.clone())]
    }

    /// The images of every post, copied so the previews need nothing outside their folder.
    pub(crate) fn media_files_of(project: &Project, posts: &[&Post]) -> Result<Files> {
        let paths: BTreeSet<&Path> = posts.iter().flat_map(|p| p.media.iter().map(|m| m.path.as_path())).collect();
        paths
            .into_iter()
            .map(|rel| {
                let bytes = std::fs::read(project.root.join(rel)).map_err(|e| Error::io("cannot read", rel, e))?;
                Ok((media_name(rel), bytes))
            })
            .collect()
    }
}

/// The row of the index for a post.
fn row(project: &Project, post: &Post, rendered: &[Rendered], findings: &[&Finding]) -> PostRow {
    let count = |level| findings.iter().filter(|f| f.level == level).count();
    PostRow {
        id: post.id.clone(),
        title: post.title.clone(),
        lang: post.lang.clone(),
        path: post.path.clone(),
        url: post_path(&post.id),
        date: post
            .date
            .map(|d| d.to_zoned_datetime(project.strategy.timezone.clone()).strftime("%Y-%m-%d %H:%M").to_string()),
        draft: post.draft,
        cells: rendered
            .iter()
            .map(|r| Cell {
                id: r.platform,
                platform: r.platform.name(),
                name: r.platform.display_name(),
                parts: r.parts.len(),
                length: r.parts.iter().map(|p| p.length).max().unwrap_or(0),
                limit: r.limit,
                over: r.over_limit,
            })
            .collect(),
        errors: count(Level::Error),
        warnings: count(Level::Warning),
        suggestions: count(Level::Suggestion),
    }
}

/// How the account is written on the platform: `@name` where handles are shown with one.
fn handle(platform: PlatformId, account: &str) -> String {
    let a = account.trim();
    match platform {
        PlatformId::Facebook | PlatformId::Linkedin => a.to_string(),
        _ if a.starts_with('@') => a.to_string(),
        _ => format!("@{a}"),
    }
}

fn link_card(url: &str) -> LinkCard {
    let without = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, rest) = without.split_once('/').map_or((without, ""), |(h, r)| (h, r));
    LinkCard {
        url: url.to_string(),
        host: host.to_string(),
        rest: if rest.is_empty() { String::new() } else { format!("/{rest}") },
    }
}

/// An image's name under `dist/previews/media/`: its repository path as one safe file name, so
/// two images of the same name in different folders stay apart.
pub(crate) fn media_name(rel: &Path) -> String {
    let flat: String = rel
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("media/{}", flat.trim_start_matches(['.', '-']))
}
