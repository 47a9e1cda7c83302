//! A post: its front matter validated against the strategy, and its body parsed once.

mod body;

mod front;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use jiff::Timestamp;

use crate::kind::Kind;
pub use body::{Block, BlockKind, Body, Directive, Inline, Part};
pub use front::{Area, CrisisInfo, FrontMatter, MediaEntry, PlatformOverride};
pub(crate) use front::{Head, front_matter};

use crate::datetime::resolve_datetime;
use crate::id::{is_valid_id, slugify};

use crate::error::{Diagnostic, Diagnostics, line_col};
use crate::platform::PlatformId;
use crate::strategy::Strategy;

/// Posts larger than this are not social-media posts; refusing them early keeps a stray
/// export or binary from stalling a build.
pub const MAX_POST_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Post {
    pub id: String,
    /// Relative to the repository root, `/`-separated on every OS.
    pub path: PathBuf,
    pub title: String,
    /// `None`: publish on merge.
    pub date: Option<Timestamp>,
    pub platforms: Vec<PlatformId>,
    /// Platforms of the strategy this post is not sent to because it does not name its
    /// platforms and lacks what they need, with why ("no image"): shown as a note.
    pub left_out: Vec<(PlatformId, &'static str)>,
    pub goal: Option<String>,
    pub audiences: Vec<String>,
    pub lang: String,
    pub tags: Vec<String>,
    pub kind: Kind,
    pub draft: bool,
    pub media: Vec<Media>,
    pub overrides: BTreeMap<PlatformId, PlatformOverride>,
    pub crisis: Option<CrisisInfo>,
    pub updates: Option<String>,
    pub corrects: Option<String>,
    pub cancels: Option<String>,
    pub retracted: Option<String>,
    pub ignore: Vec<String>,
    pub pin: bool,
    /// Whether `id` was written in the front matter (a rename keeps identity only then).
    pub explicit_id: bool,
    /// The Markdown body, parsed the first time something asks ([`Post::body`]): a rebuild
    /// that keeps what it made of ten thousand unchanged posts never needs theirs.
    body: std::sync::OnceLock<Body>,
    /// Per-platform bodies from `[platform.<name>] text`, parsed like the body.
    pub override_bodies: BTreeMap<PlatformId, Body>,
    /// The whole file, for rules that quote source lines. Shared: the version history's last
    /// version of a post not edited since is this text too ([`crate::git::Version::source`]).
    pub source: std::sync::Arc<String>,
    /// The front matter as written, with positions.
    pub front: FrontMatter,
    /// Byte offset of the front matter in `source`.
    pub front_offset: usize,
    /// Byte offset where the front matter ends (the closing `+++` line).
    pub front_end: usize,
    /// Byte offset of the Markdown body in `source` (after the closing `+++` line).
    pub body_offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// Relative to the repository root.
    pub path: PathBuf,
    pub alt: String,
}

impl Post {
    /// The Markdown body, parsed.
    pub fn body(&self) -> &Body {
        self.body.get_or_init(|| body::parse(&self.source, self.body_offset))
    }

    /// The front matter as written, without the `+++` lines.
    pub fn front_source(&self) -> &str {
        self.source.get(self.front_offset..self.front_end).unwrap_or("")
    }

    /// 1-based line and column of a byte offset in the front matter.
    pub fn front_position(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, self.front_offset + offset)
    }

    /// 1-based line and column of a byte offset in the file.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, offset)
    }

    /// The platforms the post goes to: its own list (or the strategy's, where it fits), minus
    /// `skip` overrides.
    pub fn targets(&self) -> impl Iterator<Item = PlatformId> + '_ {
        self.platforms.iter().copied().filter(|p| !self.overrides.get(p).is_some_and(|o| o.skip))
    }

    /// The body a platform receives: its override when one is written.
    pub fn body_for(&self, platform: PlatformId) -> &Body {
        self.override_bodies.get(&platform).unwrap_or_else(|| self.body())
    }

    pub fn tags_for(&self, platform: PlatformId) -> &[String] {
        self.overrides.get(&platform).and_then(|o| o.tags.as_deref()).unwrap_or(&self.tags)
    }

    /// The id of the post this one replies to, whichever relation it is.
    pub fn reply_to(&self) -> Option<&str> {
        self.updates.as_deref().or(self.corrects.as_deref()).or(self.cancels.as_deref())
    }
}

/// The text `budkavle new` writes where the post's text goes, Swedish and English: `check`
/// reports a post that still holds it, so a scaffold is never published as it is.
pub const PLACEHOLDERS: [&str; 2] = [
    "Skriv inlägget här. En rad med bara --- börjar en ny del i en tråd.",
    "Write the post here. A line with only --- starts a new part of a thread.",
];

/// Everything `load` needs to know about the repository.
pub(crate) struct Context<'a> {
    pub root: &'a Path,
    /// Canonical root, to tell whether a symlink leaves it.
    pub canonical_root: &'a Path,
    pub strategy: &'a Strategy,
    /// What the file system said about each media path, asked once: many posts share a few
    /// images, and resolving a path is several system calls.
    pub media: MediaCache,
}

/// Media paths (relative to the root) and what they resolve to.
pub(crate) type MediaCache = std::sync::Mutex<std::collections::HashMap<PathBuf, MediaFile>>;

#[derive(Debug, Clone)]
pub(crate) enum MediaFile {
    File,
    NotFile,
    Outside(PathBuf),
    Missing,
}

fn media_file(ctx: &Context<'_>, rel: &Path) -> MediaFile {
    if let Some(known) = ctx.media.lock().ok().and_then(|m| m.get(rel).cloned()) {
        return known;
    }
    let found = match ctx.root.join(rel).canonicalize() {
        Ok(real) if real.starts_with(ctx.canonical_root) => {
            if real.is_file() {
                MediaFile::File
            } else {
                MediaFile::NotFile
            }
        }
        Ok(real) => MediaFile::Outside(real),
        Err(_) => MediaFile::Missing,
    };
    if let Ok(mut m) = ctx.media.lock() {
        m.insert(rel.to_path_buf(), found.clone());
    }
    found
}

/// Loads one post file. Problems go to `diags`; a post is returned only if it is usable.
pub(crate) fn load(ctx: &Context<'_>, rel: &Path, diags: &mut Diagnostics) -> Option<Post> {
    // The walk in project.rs refuses links below content/posts, so no canonicalising per post.
    let source = match crate::fsutil::read_inside(&ctx.root.join(rel), rel, MAX_POST_BYTES) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    from_source(ctx, rel, source, diags)
}

/// Parses and validates a post whose text is already read.
pub(crate) fn from_source(ctx: &Context<'_>, rel: &Path, source: String, diags: &mut Diagnostics) -> Option<Post> {
    let split = match front::split(&source) {
        Ok(s) => s,
        Err(e) => {
            let (msg, hint) = e.message();
            let line = if e == front::SplitError::Empty { 0 } else { 1 };
            diags.push(Diagnostic::new(rel, line, 1.min(line), msg).hint(hint));
            return None;
        }
    };
    let front_text = &source[split.front_start..split.front_end];
    let first_line = line_col(&source, split.front_start).0;
    let front: FrontMatter = match crate::toml_diag::parse(rel, front_text, first_line) {
        Ok(f) => f,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let before = diags.0.len();
    let post = Validator { ctx, rel, source: &source, front_start: split.front_start, diags }.build(front, split);
    if diags.0.len() > before {
        return None;
    }
    // The file moves into the post rather than being copied: ten thousand of them are read
    // by every build.
    post.map(|post| Post { source: std::sync::Arc::new(source), ..post })
}

struct Validator<'a, 'd> {
    ctx: &'a Context<'a>,
    rel: &'a Path,
    source: &'a str,
    front_start: usize,
    diags: &'d mut Diagnostics,
}

impl Validator<'_, '_> {
    fn err(&mut self, front_offset: usize, msg: impl Into<String>, hint: impl Into<String>) {
        let (line, col) = line_col(self.source, self.front_start + front_offset);
        self.diags.push(Diagnostic::new(self.rel, line, col, msg).hint(hint));
    }

    fn build(mut self, front: FrontMatter, split: front::Split) -> Option<Post> {
        let f = &front;
        let strategy = self.ctx.strategy;
        let title = f.title.get_ref().trim().to_string();
        if title.is_empty() {
            self.err(f.title.span().start, "the title is empty", "write the title the archive should show");
        }

        let explicit_id = f.id.is_some();
        let id = match &f.id {
            Some(id) => {
                if !is_valid_id(id.get_ref()) {
                    self.err(
                        id.span().start,
                        format!("`{}` is not a valid id", id.get_ref()),
                        format!("use lower-case a-z, digits and `-`, e.g. \"{}\"", slugify(id.get_ref())),
                    );
                }
                id.get_ref().clone()
            }
            None => {
                let stem = self.rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                if !is_valid_id(&stem) {
                    self.diags.push(
                        Diagnostic::new(self.rel, 1, 1, format!("the file name `{stem}` is not a valid post id")).hint(
                            format!(
                                "rename the file to `{}.md` or set `id = \"{}\"` in the front matter",
                                slugify(&stem),
                                slugify(&stem)
                            ),
                        ),
                    );
                }
                stem
            }
        };

        let date = f.date.as_ref().and_then(|d| match resolve_datetime(d.get_ref(), &strategy.timezone) {
            Ok(ts) => Some(ts),
            Err(msg) => {
                self.err(d.span().start, msg, "dates are TOML datetimes: 2026-12-01T09:00:00 (the organisation's time zone) or 2026-12-01T08:00:00Z");
                None
            }
        });

        let mut left_out = Vec::new();
        let platforms = match &f.platforms {
            Some(list) => {
                let mut out = Vec::new();
                for p in list {
                    match self.platform(p.get_ref(), p.span().start) {
                        Some(id) if !out.contains(&id) => out.push(id),
                        _ => {}
                    }
                }
                out
            }
            // Not naming platforms means "wherever it fits": a platform whose requirement the
            // post does not meet (Instagram: an image) is left out with the reason, instead of
            // failing every new text post. Naming the platform keeps the requirement an error.
            None => strategy
                .enabled_platforms()
                .filter(|&id| match crate::platform::get(id).unmet(f.media.len()) {
                    // Skipped by hand already: nothing to say.
                    Some(_) if f.platform.get(id.name()).is_some_and(|o| o.get_ref().skip) => false,
                    Some(reason) => {
                        left_out.push((id, reason));
                        false
                    }
                    None => true,
                })
                .collect(),
        };

        if let Some(goal) = &f.goal
            && !strategy.has_goal(goal.get_ref())
        {
            let known: Vec<&str> = strategy.goal_ids().collect();
            let hint = suggestion(goal.get_ref(), &known, "goals in strategy.toml");
            self.err(goal.span().start, format!("unknown goal `{}`", goal.get_ref()), hint);
        }
        for audience in &f.audiences {
            if !strategy.has_audience(audience.get_ref()) {
                let known: Vec<&str> = strategy.audience_ids().collect();
                let hint = suggestion(audience.get_ref(), &known, "audiences in strategy.toml");
                self.err(audience.span().start, format!("unknown audience `{}`", audience.get_ref()), hint);
            }
        }

        let lang = match &f.lang {
            Some(l) => {
                if !crate::lang::is_tag(l.get_ref()) {
                    self.err(
                        l.span().start,
                        format!("`{}` is not a language tag", l.get_ref()),
                        "use a BCP 47 tag such as \"sv\" or \"en\"",
                    );
                }
                l.get_ref().clone()
            }
            None => strategy.organisation().lang.clone(),
        };

        let mut tags = Vec::new();
        for t in &f.tags {
            let tag = t.get_ref().trim_start_matches('#').to_string();
            if tag.is_empty() || tag.chars().any(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '_')) {
                self.err(t.span().start, format!("`{}` cannot be a hashtag", t.get_ref()), "a hashtag is one word of letters, digits and `_`; write multi-word tags in PascalCase, e.g. \"KrisInfo\"");
            } else {
                tags.push(tag);
            }
        }

        let mut media = Vec::new();
        for m in &f.media {
            if let Some(path) = self.media_path(m.path.get_ref(), m.path.span().start) {
                let alt = m.alt.as_ref().map(|a| a.get_ref().trim().to_string()).unwrap_or_default();
                if alt.is_empty() {
                    let at = m.alt.as_ref().map_or(m.path.span().start, |a| a.span().start);
                    self.err(
                        at,
                        format!("image `{}` has no alt text", m.path.get_ref()),
                        "add `alt = \"…\"` describing what the image shows, for people who cannot see it",
                    );
                }
                media.push(Media { path, alt });
            }
        }

        let mut overrides = BTreeMap::new();
        let mut override_bodies = BTreeMap::new();
        for (name, o) in &f.platform {
            if let Some(id) = self.platform(name, o.span().start) {
                if let Some(text) = &o.get_ref().text {
                    override_bodies.insert(id, parse_body(text));
                }
                overrides.insert(id, o.get_ref().clone());
            }
        }

        if f.kind == Kind::Crisis && f.crisis.is_none() {
            self.err(
                0,
                "a crisis post needs a `[crisis]` table",
                "add [crisis] with event, category, urgency, severity, certainty and area (CAP 1.2)",
            );
        }
        if f.kind != Kind::Crisis
            && let Some(c) = &f.crisis
        {
            self.err(
                c.span().start,
                "`[crisis]` is only for posts with kind = \"crisis\"",
                "set kind = \"crisis\" or remove the [crisis] table",
            );
        }
        if let Some(c) = &f.crisis
            && let Some(exp) = &c.get_ref().expires
            && let Err(msg) = resolve_datetime(exp, &strategy.timezone)
        {
            self.err(
                c.span().start,
                format!("crisis expires: {msg}"),
                "write when the alert stops applying, e.g. expires = 2027-01-20T18:00:00",
            );
        }

        let relations = [("updates", &f.updates), ("corrects", &f.corrects), ("cancels", &f.cancels)];
        let set: Vec<_> = relations.iter().filter(|(_, v)| v.is_some()).collect();
        if set.len() > 1 {
            let (_, v) = set[1];
            self.err(
                v.as_ref().map_or(0, |v| v.span().start),
                "a post can update, correct or cancel one earlier post, not several relations at once",
                "keep one of `updates`, `corrects`, `cancels`",
            );
        }
        for (name, v) in relations {
            if let Some(v) = v {
                if !is_valid_id(v.get_ref()) {
                    self.err(
                        v.span().start,
                        format!("`{name}` must name a post id, and `{}` is not one", v.get_ref()),
                        "write the id of the earlier post (its file name without .md, or its `id`)",
                    );
                } else if *v.get_ref() == id {
                    self.err(
                        v.span().start,
                        format!("a post cannot point at itself with `{name}`"),
                        "name the earlier post this one follows up",
                    );
                }
            }
        }
        if let Some(r) = &f.retracted
            && r.get_ref().trim().is_empty()
        {
            self.err(
                r.span().start,
                "`retracted` needs the reason, shown on the archive's tombstone",
                "write why the post was withdrawn, e.g. retracted = \"Fel datum; se rättelsen\"",
            );
        }

        Some(Post {
            id,
            path: self.rel.to_path_buf(),
            title,
            date,
            platforms,
            left_out,
            goal: f.goal.as_ref().map(|g| g.get_ref().clone()),
            audiences: f.audiences.iter().map(|a| a.get_ref().clone()).collect(),
            lang,
            tags,
            kind: f.kind,
            draft: f.draft,
            media,
            overrides,
            crisis: f.crisis.as_ref().map(|c| c.get_ref().clone()),
            updates: f.updates.as_ref().map(|v| v.get_ref().clone()),
            corrects: f.corrects.as_ref().map(|v| v.get_ref().clone()),
            cancels: f.cancels.as_ref().map(|v| v.get_ref().clone()),
            retracted: f.retracted.as_ref().map(|v| v.get_ref().clone()),
            ignore: f.ignore.iter().map(|v| v.get_ref().clone()).collect(),
            pin: f.pin,
            explicit_id,
            body: std::sync::OnceLock::new(),
            override_bodies,
            // Filled in by `from_source`, which owns the file.
            source: Default::default(),
            front,
            front_offset: self.front_start,
            front_end: split.front_end,
            body_offset: split.body_start,
        })
    }

    fn platform(&mut self, name: &str, offset: usize) -> Option<PlatformId> {
        match name.parse::<PlatformId>() {
            Ok(id) if self.ctx.strategy.configured.contains_key(&id) => Some(id),
            Ok(id) => {
                self.err(
                    offset,
                    format!("platform `{id}` is not configured in strategy.toml"),
                    format!("add [platforms.{id}] to strategy.toml or remove it here"),
                );
                None
            }
            Err(_) => {
                let hint = suggestion(name, &PlatformId::names(), "platforms");
                self.err(offset, format!("unknown platform `{name}`"), hint);
                None
            }
        }
    }

    /// Resolves a media path against the post's folder, refusing anything that leaves the
    /// repository: the build must never read (and publish) files from outside it.
    fn media_path(&mut self, written: &str, offset: usize) -> Option<PathBuf> {
        let p = Path::new(written);
        if written.trim().is_empty() {
            self.err(
                offset,
                "the media path is empty",
                "write the image's path relative to this post, e.g. \"../media/bild.png\"",
            );
            return None;
        }
        if p.is_absolute() || written.starts_with('/') || written.starts_with('\\') {
            self.err(
                offset,
                format!("media path `{written}` is absolute"),
                "write the path relative to this post's file, e.g. \"../../media/bild.jpg\"",
            );
            return None;
        }
        let folder = self.rel.parent().unwrap_or(Path::new(""));
        let mut rel = PathBuf::new();
        for c in folder.join(p).components() {
            match c {
                Component::Normal(n) => rel.push(n),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !rel.pop() {
                        self.err(
                            offset,
                            format!("media path `{written}` leaves the repository"),
                            "keep images inside the repository, e.g. in content/media/",
                        );
                        return None;
                    }
                }
                Component::RootDir | Component::Prefix(_) => {
                    self.err(
                        offset,
                        format!("media path `{written}` is absolute"),
                        "write the path relative to this post's file",
                    );
                    return None;
                }
            }
        }
        match media_file(self.ctx, &rel) {
            MediaFile::File => Some(rel),
            MediaFile::NotFile => {
                self.err(offset, format!("media path `{written}` is not a file"), "name an image file, not a folder");
                None
            }
            MediaFile::Outside(real) => {
                self.err(
                    offset,
                    format!("media path `{written}` is a link to {} outside the repository", real.display()),
                    "copy the image into the repository instead of linking to it",
                );
                None
            }
            MediaFile::Missing => {
                self.err(
                    offset,
                    format!("media file `{}` does not exist", rel.display()),
                    "check the spelling; the path is relative to this post's file",
                );
                None
            }
        }
    }
}

fn suggestion(unknown: &str, known: &[&str], what: &str) -> String {
    if known.is_empty() {
        return format!("there are no {what}");
    }
    match crate::toml_diag::closest(unknown, known.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? (known {what}: {})", known.join(", ")),
        None => format!("known {what}: {}", known.join(", ")),
    }
}

/// Parses Markdown that is not a post file (an override text, a test snippet).
pub(crate) fn parse_body(text: &str) -> Body {
    body::parse(text, 0)
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A post parsed against a small strategy, for unit tests of later stages.
    pub(crate) fn post_from_source(src: &str) -> Post {
        let mut d = Diagnostics::default();
        let strategy = Strategy::from_str(
            Path::new("strategy.toml"),
            "[organisation]\nname = \"T\"\n[platforms.mastodon]\n[platforms.x]\n",
            &mut d,
        )
        .expect("test strategy");
        let root = std::env::current_dir().expect("cwd");
        let ctx = Context { root: &root, canonical_root: &root, strategy: &strategy, media: Default::default() };
        let post = from_source(&ctx, Path::new("content/posts/t.md"), src.to_string(), &mut d);
        assert!(d.0.is_empty(), "{:?}", d.0);
        post.expect("post")
    }
}
