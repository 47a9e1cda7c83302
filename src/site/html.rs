//! Post bodies as safe HTML: Markdown through pulldown-cmark, made clean ([`super::clean`]), so
//! nothing a post, title, tag or alt text contains can add markup or run script in the archive.
//! Also the rest of a post's view: its dates in words, platforms, tags, goal, images and
//! relations.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};

use crate::escape::is_web_url;
use crate::post::Post;
use crate::project::Project;
use crate::site::{Archived, Link, MediaView, PlatformView, PostView, Record, Strings, VersionLink};

/// Lists show this much of a post's text.
const SUMMARY_CHARS: usize = 200;

/// A post's body as the archive shows it: its page's HTML, its summary in lists and its words
/// in the search index. One pass of the Markdown parser makes all three; a pass for each was 3 %
/// of the archive's build.
#[derive(Default)]
pub(crate) struct Body {
    /// As [`markdown_to_html`] makes it.
    pub html: String,
    /// For lists (see [`Summary`]).
    pub summary: String,
    /// The readable text (see [`readable`]).
    pub text: String,
}

pub(crate) fn body(markdown: &str) -> Body {
    let mut summary_text = Summary::default();
    let mut text = String::new();
    let events = parser(markdown).inspect(|e| {
        summary_text.push(e);
        if let Some(piece) = readable(e) {
            text.push_str(piece);
        }
    });
    let html = html_of(events);
    Body { html, summary: summary_text.cut(), text }
}

pub(super) fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES)
}

/// Markdown → sanitised HTML. Links get `rel="noopener noreferrer"`; images in the body are
/// dropped (a post's images are its `[[media]]`, shown with their alt text).
pub(crate) fn markdown_to_html(markdown: &str) -> String {
    html_of(parser(markdown))
}

fn html_of<'e>(events: impl Iterator<Item = Event<'e>>) -> String {
    // The page's title is its only h1; headings in a post start one level below it.
    let events = events.map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    super::clean::html(events.collect())
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// A summary: the text of a Markdown body without markup, cut at a word near `SUMMARY_CHARS`.
/// Raw HTML in the body is left out rather than shown as text. Taken as the parser's events
/// come, up to twice what is shown: enough to cut from.
#[derive(Default)]
struct Summary {
    text: String,
    chars: usize,
}

impl Summary {
    fn full(&self) -> bool {
        self.chars > SUMMARY_CHARS * 2
    }

    fn push(&mut self, event: &Event<'_>) {
        if self.full() {
            return;
        }
        let piece = match event {
            Event::Start(Tag::Image { .. }) => " ",
            _ => match readable(event) {
                Some(piece) => piece,
                None => return,
            },
        };
        self.text.push_str(piece);
        self.chars += piece.chars().count();
    }

    /// The words up to `SUMMARY_CHARS`, with an ellipsis when some were left out.
    fn cut(self) -> String {
        let mut out = String::new();
        let mut chars = 0;
        for word in self.text.split_whitespace() {
            let len = word.chars().count();
            if chars + len + 1 > SUMMARY_CHARS {
                out.push('…');
                return out;
            }
            if !out.is_empty() {
                out.push(' ');
                chars += 1;
            }
            out.push_str(word);
            chars += len;
        }
        out
    }
}

/// The text a reader sees of a body's event, for summaries and the search index: raw HTML
/// (such as `budkavle-disable` comments) and link targets are not words. Block ends separate
/// words (a space); inline ends (emphasis, links) may fall inside one.
fn readable<'e>(event: &'e Event<'_>) -> Option<&'e str> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t),
        Event::SoftBreak
        | Event::HardBreak
        | Event::Rule
        | Event::End(
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::TableCell
            | TagEnd::TableRow
            | TagEnd::TableHead,
        ) => Some(" "),
        _ => None,
    }
}

/// Output names of every image the archive shows (retracted posts' are not copied).
pub(crate) struct MediaNames {
    pub by_path: HashMap<PathBuf, String>,
    pub by_name: BTreeMap<String, PathBuf>,
}

/// Gives each image a name under `media/` that is safe in a URL and a file system: the file name
/// as a slug; two different files with the same slug are told apart by a hash of their path, so
/// the names do not depend on which posts exist.
pub(crate) fn media_names<'p>(posts: impl Iterator<Item = &'p Post>) -> MediaNames {
    // Posts share a few images: gathered by their bytes in a hash set first (hashing a `Path`
    // walks its components), only the distinct ones are sorted.
    let paths: std::collections::HashSet<&std::ffi::OsStr> =
        posts.filter(|p| p.retracted.is_none()).flat_map(|p| p.media.iter().map(|m| m.path.as_os_str())).collect();
    let paths: BTreeSet<&Path> = paths.into_iter().map(Path::new).collect();
    let mut by_slug: BTreeMap<String, Vec<&Path>> = BTreeMap::new();
    for path in &paths {
        by_slug.entry(media_slug(path, None)).or_default().push(path);
    }
    let mut names = MediaNames { by_path: HashMap::new(), by_name: BTreeMap::new() };
    for (slug, same) in by_slug {
        for path in &same {
            let name = if same.len() == 1 { slug.clone() } else { media_slug(path, Some(path_hash(path))) };
            names.by_path.insert(path.to_path_buf(), name.clone());
            names.by_name.insert(name, path.to_path_buf());
        }
    }
    names
}

fn media_slug(path: &Path, suffix: Option<String>) -> String {
    let stem = path.file_stem().map(|s| crate::id::slugify(&s.to_string_lossy())).unwrap_or_default();
    let stem = if stem.is_empty() { "media".to_string() } else { stem };
    let ext: String = path
        .extension()
        .map(|e| {
            e.to_string_lossy().chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
        })
        .unwrap_or_default();
    let stem = match suffix {
        Some(s) => format!("{stem}-{s}"),
        None => stem,
    };
    if ext.is_empty() { stem } else { format!("{stem}.{ext}") }
}

fn path_hash(path: &Path) -> String {
    let digest = Sha256::digest(path.to_string_lossy().as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// A tag's address: its slug, or a hash for a tag with no letters a slug can keep.
pub(crate) fn tag_slug(tag: &str) -> String {
    let slug = crate::id::slugify(tag);
    if slug.is_empty() {
        let digest = Sha256::digest(tag.trim().to_lowercase().as_bytes());
        format!("tag-{}", digest.iter().take(4).map(|b| format!("{b:02x}")).collect::<String>())
    } else {
        slug
    }
}

pub(crate) fn tag_url(tag: &str) -> String {
    format!("/tags/{}/", tag_slug(tag))
}

/// The body a post's view shows: none for a retracted post.
pub(crate) fn shown_body(post: &Post) -> Body {
    if post.retracted.is_some() {
        Body::default()
    } else {
        body(&strip_directives(post.source.get(post.body_offset..).unwrap_or("")))
    }
}

/// The post as the archive shows it; `shown` is its [`shown_body`] when the caller made it
/// already.
pub(crate) fn post_view(
    project: &Project,
    record: &Record,
    strings: &Strings,
    media_names: &HashMap<PathBuf, String>,
    post: &Post,
    shown: Option<Body>,
) -> PostView {
    let tz = &project.strategy.timezone;
    let published = record.published.get(&post.id).cloned().unwrap_or_default();
    let timestamp = timestamp(post, record);
    let retracted = post.retracted.is_some();
    let shown = shown.unwrap_or_else(|| shown_body(post));
    let retracted_at = if retracted { published.iter().filter_map(|p| p.deleted_at).max() } else { None };
    let platforms = published
        .iter()
        .map(|p| PlatformView {
            platform: p.platform.name(),
            name: p.platform.display_name(),
            url: p.url.clone().filter(|u| p.deleted_at.is_none() && is_web_url(u)),
            at: p.at.to_string(),
            at_human: strings.datetime(p.at, tz),
            deleted_at: p.deleted_at.map(|d| d.to_string()),
            deleted_at_human: p.deleted_at.map(|d| strings.datetime(d, tz)),
        })
        .collect();
    let versions = record.versions.get(&post.id).filter(|v| v.len() > 1).map_or_else(Vec::new, |v| {
        v.iter()
            .map(|v| VersionLink {
                n: v.n,
                url: format!("/p/{}/v/{}/", post.id, v.n),
                date: v.date.to_string(),
                date_human: strings.datetime(v.date, tz),
            })
            .collect()
    });
    let goal_text = post
        .goal
        .as_ref()
        .and_then(|g| project.strategy.file.goals.iter().find(|x| x.id.get_ref() == g).map(|x| x.description.clone()));
    let mut view = PostView {
        id: post.id.clone(),
        title: post.title.clone(),
        lang: post.lang.clone(),
        date: timestamp.map(|d| d.to_string()),
        date_local: timestamp.map(|d| d.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()),
        date_human: timestamp.map(|d| strings.datetime(d, tz)),
        html: shown.html,
        summary: shown.summary,
        search_text: String::new(),
        tags: post.tags.clone(),
        tag_links: post.tags.iter().map(|t| Link { name: t.clone(), url: tag_url(t) }).collect(),
        goal: post.goal.clone(),
        goal_text,
        kind: post.kind.name(),
        media: if retracted {
            Vec::new()
        } else {
            post.media
                .iter()
                .filter_map(|m| {
                    let name = media_names.get(&m.path)?;
                    Some(MediaView { src: format!("/media/{name}"), alt: m.alt.clone() })
                })
                .collect()
        },
        published,
        platforms,
        retracted: post.retracted.clone(),
        retracted_at: retracted_at.map(|d| d.to_string()),
        retracted_at_human: retracted_at.map(|d| strings.datetime(d, tz)),
        relation: None,
        related: Vec::new(),
        versions,
        url: super::post_url(&post.id),
        month: timestamp.map(|d| {
            let z = d.to_zoned_datetime(tz.clone());
            (z.year(), z.month())
        }),
        timestamp,
    };
    view.search_text = super::search::searchable_text(&view, &shown.text, post);
    view
}

/// When a post went out: its `date`; a post without one went out when it was merged, so its
/// first publication is its date.
pub(crate) fn timestamp(post: &Post, record: &Record) -> Option<Timestamp> {
    post.date.or_else(|| record.published.get(&post.id)?.iter().map(|p| p.at).min())
}

/// Latest first, undated posts (not yet published) before dated ones as the newest.
pub(crate) fn newest_first(a: &Archived<'_>, b: &Archived<'_>) -> std::cmp::Ordering {
    let key = |p: &Archived<'_>| (p.timestamp.is_none(), p.timestamp.unwrap_or(Timestamp::MIN));
    key(b).cmp(&key(a)).then_with(|| b.id().cmp(a.id()))
}

fn strip_directives(body: &str) -> String {
    body.lines().filter(|l| !l.trim_start().starts_with("<!-- budkavle-")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_cannot_get_through() {
        let html = markdown_to_html(
            "Hej <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> <a href=\"https://a.se\" onclick=\"alert(1)\">a</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror") && !html.contains("onclick"), "{html}");
        assert!(html.contains("href=\"https://a.se\""), "{html}");
    }

    #[test]
    fn one_pass_makes_the_page_summary_and_words() {
        let markdown = "# Rubrik\n\nVi **plogar** [gatorna](https://example.org) i natt.\n\n> Citat\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<b>rå</b>";
        let b = body(markdown);
        assert_eq!(b.html, markdown_to_html(markdown));
        assert!(b.html.starts_with("<h2>Rubrik</h2>"), "{}", b.html);
        // Table cells and quotes are words of their own (summaries ran them together before).
        assert_eq!(b.summary, "Rubrik Vi plogar gatorna i natt. Citat a b 1 2 rå");
        assert_eq!(
            b.text.split_whitespace().collect::<Vec<_>>(),
            ["Rubrik", "Vi", "plogar", "gatorna", "i", "natt.", "Citat", "a", "b", "1", "2", "rå"]
        );
    }

    #[test]
    fn summaries_are_plain_and_short() {
        let summary = |markdown: &str| body(markdown).summary;
        assert_eq!(summary("Hej **du**!\n\n- ett\n- två\n\n<b>x</b>"), "Hej du! ett två x");
        let long = summary(&"ord ".repeat(100));
        assert!(long.ends_with('…') && long.chars().count() <= SUMMARY_CHARS + 1, "{long}");
    }

    #[test]
    fn media_names_are_slugs_and_never_collide() {
        let a = Path::new("content/media/Bild på torget.JPG");
        let b = Path::new("content/other/bild-pa-torget.jpg");
        assert_eq!(media_slug(a, None), "bild-pa-torget.jpg");
        assert_eq!(media_slug(b, None), "bild-pa-torget.jpg");
        assert_ne!(media_slug(a, Some(path_hash(a))), media_slug(b, Some(path_hash(b))));
        assert_eq!(tag_slug("Snöröjning"), "snorojning");
        assert!(tag_slug("🎄").starts_with("tag-"));
    }
}
