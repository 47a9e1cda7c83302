//! One page per committed version of a post, `/p/<id>/v/<n>/`, for posts with at least two
//! versions: the text as it was, and what changed since the version before, so a reader can
//! see how a statement changed without reading git.
//!
//! The diff is by word, with runs of changed words joined across the spaces between them, so
//! a reworded phrase reads as one removal and one addition rather than a word-by-word
//! patchwork. Each `<ins>`/`<del>` starts with a visually hidden label ("Tillagt:",
//! "Borttaget:"): screen readers do not announce the elements themselves.
//!
//! A retracted post has no version pages: its text was taken down, and its tombstone says so.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::error::Result;
use crate::git::Version;
use crate::output::{Files, Made};
use crate::project::par_map;
use crate::site::html::markdown_to_html;
use crate::site::{Archived, PostView, Site};

/// Texts larger than this are compared by line: a word diff of a huge text is slow and no
/// easier to read.
const WORD_DIFF_MAX_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Serialize)]
struct VersionView {
    n: usize,
    total: usize,
    url: String,
    /// RFC 3339 (UTC) and as people write it, in the organisation's time zone.
    date: String,
    date_human: String,
    /// Only when `[site] show_authors`.
    author: Option<String>,
    commit: String,
    commit_short: String,
    /// The title and language this version had.
    title: String,
    lang: String,
    /// Sanitised HTML of the version's body.
    html: String,
}

#[derive(Debug, Clone, Serialize)]
struct VersionItem {
    n: usize,
    url: String,
    date: String,
    date_human: String,
    current: bool,
}

/// A run of text in the diff: `same`, `added` or `removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Segment {
    pub kind: &'static str,
    pub text: String,
}

pub(crate) fn pages(site: &Site<'_>) -> Result<Vec<(String, Made)>> {
    let posts: Vec<(&Archived<'_>, &Vec<Version>)> = site
        .posts
        .iter()
        .filter(|p| !p.retracted())
        .filter_map(|p| site.record.versions.get(p.id()).filter(|v| v.len() >= 2).map(|v| (p, v)))
        .collect();
    let labels = labels(&site.project.strategy.organisation().lang);
    let rendered = par_map(&posts, |(post, versions)| {
        site.unit(
            |k| k.start("version pages").key(k.view(post)).finish(),
            || post_pages(site, &labels, site.view(post), versions),
        )
    });
    let mut files = Vec::new();
    for r in rendered {
        files.extend(r?);
    }
    Ok(files)
}

fn post_pages(site: &Site<'_>, labels: &BTreeMap<&str, &str>, post: &PostView, versions: &[Version]) -> Result<Files> {
    let tz = &site.project.strategy.timezone;
    let show_authors = site.project.strategy.file.site.show_authors;
    let default_lang = &site.project.strategy.organisation().lang;
    let url = |n: usize| format!("/p/{}/v/{n}/", post.id);
    let parsed: Vec<Parsed> = versions.iter().map(|v| Parsed::new(&v.source, &post.title, default_lang)).collect();
    let total = versions.len();
    let mut files = Vec::with_capacity(total);
    for (i, v) in versions.iter().enumerate() {
        let this = &parsed[i];
        let view = VersionView {
            n: v.n,
            total,
            url: url(v.n),
            date: v.date.to_string(),
            date_human: site.strings.datetime(v.date, tz),
            author: v.author.clone().filter(|_| show_authors),
            commit: v.commit.clone(),
            commit_short: v.commit.chars().take(7).collect(),
            title: this.title.clone(),
            lang: this.lang.clone(),
            html: markdown_to_html(&this.body),
        };
        let items: Vec<VersionItem> = versions
            .iter()
            .map(|o| VersionItem {
                n: o.n,
                url: url(o.n),
                date: o.date.to_string(),
                date_human: site.strings.datetime(o.date, tz),
                current: o.n == v.n,
            })
            .collect();
        let previous = i.checked_sub(1).map(|p| &versions[p]);
        let diff = i.checked_sub(1).map(|p| diff_lines(&parsed[p].body, &this.body));
        let title_diff = i
            .checked_sub(1)
            .filter(|&p| parsed[p].title != this.title)
            .map(|p| diff_lines(&parsed[p].title, &this.title).into_iter().flatten().collect::<Vec<_>>());
        let changed =
            title_diff.is_some() || diff.as_ref().is_some_and(|d| d.iter().flatten().any(|s| s.kind != "same"));
        let mut ctx = site.base_context();
        ctx.insert("post", post);
        ctx.insert("version", &view);
        ctx.insert("versions", &items);
        ctx.insert(
            "previous",
            &previous.map(|p| VersionItem {
                n: p.n,
                url: url(p.n),
                date: p.date.to_string(),
                date_human: site.strings.datetime(p.date, tz),
                current: false,
            }),
        );
        ctx.insert("prev_url", &previous.map(|p| url(p.n)));
        ctx.insert("next_url", &versions.get(i + 1).map(|n| url(n.n)));
        ctx.insert("diff", &diff);
        ctx.insert("title_diff", &title_diff);
        ctx.insert("diff_changed", &changed);
        ctx.insert("labels", labels);
        files.push((format!("p/{}/v/{}/index.html", post.id, v.n), site.render("version.html", &ctx)?));
    }
    Ok(files)
}

/// What a version's file says, as far as the page needs it.
struct Parsed {
    title: String,
    lang: String,
    /// Markdown, without budkavle's rule directives.
    body: String,
}

impl Parsed {
    fn new(source: &str, fallback_title: &str, default_lang: &str) -> Parsed {
        let (front, body) = match crate::post::front_matter(source) {
            Some((front, start)) => (Some(front), &source[start..]),
            None => (None, source),
        };
        let table: Option<toml::Table> = front.and_then(|f| toml::from_str(f).ok());
        let field =
            |key: &str| table.as_ref().and_then(|t| t.get(key)).and_then(|v| v.as_str()).map(|s| s.trim().to_string());
        Parsed {
            title: field("title").filter(|t| !t.is_empty()).unwrap_or_else(|| fallback_title.to_string()),
            lang: field("lang").filter(|l| crate::lang::is_tag(l)).unwrap_or_else(|| default_lang.to_string()),
            body: body
                .lines()
                .filter(|l| !l.trim_start().starts_with("<!-- budkavle-"))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string(),
        }
    }
}

/// The diff of two texts as lines of segments, changed words grouped into readable runs.
pub(crate) fn diff_lines(old: &str, new: &str) -> Vec<Vec<Segment>> {
    let mut config = TextDiff::configure();
    config.timeout(Duration::from_secs(2));
    let diff = if old.len().max(new.len()) > WORD_DIFF_MAX_BYTES {
        config.diff_lines(old, new)
    } else {
        config.diff_words(old, new)
    };
    let tokens: Vec<(ChangeTag, &str)> = diff.iter_all_changes().map(|c| (c.tag(), c.value())).collect();
    let mut segments: Vec<Segment> = Vec::new();
    let mut push = |kind: &'static str, text: &str| {
        if text.is_empty() {
            return;
        }
        match segments.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(text),
            _ => segments.push(Segment { kind, text: text.to_string() }),
        }
    };
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].0 == ChangeTag::Equal {
            push("same", tokens[i].1);
            i += 1;
            continue;
        }
        // A run of changes, bridged over spaces (not line breaks) that lie between changes.
        let (mut removed, mut added) = (String::new(), String::new());
        while i < tokens.len() {
            let (tag, text) = tokens[i];
            match tag {
                ChangeTag::Delete => removed.push_str(text),
                ChangeTag::Insert => added.push_str(text),
                ChangeTag::Equal => {
                    let bridge = !text.is_empty()
                        && text.chars().all(|c| c.is_whitespace() && c != '\n')
                        && tokens.get(i + 1).is_some_and(|t| t.0 != ChangeTag::Equal);
                    if !bridge {
                        break;
                    }
                    removed.push_str(text);
                    added.push_str(text);
                }
            }
            i += 1;
        }
        // A bridge only ever sits between changes, but one side may have had none there.
        if removed.trim().is_empty() {
            removed.clear();
        }
        if added.trim().is_empty() {
            added.clear();
        }
        push("removed", &removed);
        push("added", &added);
    }
    split_lines(segments)
}

/// Lines of segments, so line breaks survive auto-escaping without `<pre>`. Empty lines are
/// dropped: each line is a paragraph on the page.
fn split_lines(segments: Vec<Segment>) -> Vec<Vec<Segment>> {
    let mut lines: Vec<Vec<Segment>> = vec![Vec::new()];
    for seg in segments {
        for (k, part) in seg.text.split('\n').enumerate() {
            if k > 0 {
                lines.push(Vec::new());
            }
            if !part.is_empty()
                && let Some(line) = lines.last_mut()
            {
                line.push(Segment { kind: seg.kind, text: part.to_string() });
            }
        }
    }
    lines.retain(|l| l.iter().any(|s| !s.text.trim().is_empty()));
    lines
}

/// Interface strings of the version page in the organisation's language; a theme's
/// `site/i18n/<lang>.toml` overrides them through `t` (the template prefers `t.<key>`).
fn labels(lang: &str) -> BTreeMap<&'static str, &'static str> {
    let en = lang.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case("en"));
    let pick = |sv: &'static str, english: &'static str| if en { english } else { sv };
    BTreeMap::from([
        ("version_n_of", pick("Version {n} av {total}", "Version {n} of {total}")),
        ("version_title_changed", pick("Ny rubrik", "New title")),
        ("version_author", pick("Författare", "Author")),
        ("version_commit", pick("Ändring i git", "Git commit")),
        ("version_prev", pick("Föregående version", "Previous version")),
        ("version_next", pick("Nästa version", "Next version")),
        ("version_current", pick("Inlägget som det ser ut nu", "The post as it is now")),
        ("version_text", pick("Texten i den här versionen", "The text of this version")),
        ("version_changes", pick("Ändringar sedan version {n}", "Changes since version {n}")),
        (
            "version_first",
            pick("Det här är den första versionen av inlägget.", "This is the first version of the post."),
        ),
        (
            "version_no_changes",
            pick(
                "Rubriken och texten ändrades inte i den här versionen, bara andra uppgifter om inlägget.",
                "The title and text did not change in this version, only other details of the post.",
            ),
        ),
        (
            "version_legend",
            pick(
                "Tillagd text är understruken och borttagen text är överstruken.",
                "Added text is underlined and removed text is struck through.",
            ),
        ),
        ("version_added", pick("Tillagt", "Added")),
        ("version_removed", pick("Borttaget", "Removed")),
        ("version_this_page", pick("den här sidan", "this page")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lines: &[Vec<Segment>]) -> String {
        lines
            .iter()
            .map(|l| {
                l.iter()
                    .map(|s| match s.kind {
                        "added" => format!("[+{}]", s.text),
                        "removed" => format!("[-{}]", s.text),
                        _ => s.text.clone(),
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn changed_words_group_into_runs() {
        let d = diff_lines("Title\n\nThe road is closed today.", "Title\n\nThe road is open again today.");
        assert_eq!(render(&d), "Title|The road is [-closed][+open again] today.");
    }

    #[test]
    fn added_paragraph_and_unchanged_text() {
        let d = diff_lines("T\n\nOne.", "T\n\nOne.\n\nTwo words.");
        assert_eq!(render(&d), "T|One.|[+Two words.]");
        let same = diff_lines("T\n\nA b.", "T\n\nA b.");
        assert!(same.iter().flatten().all(|s| s.kind == "same"));
    }

    #[test]
    fn title_and_lang_from_the_version() {
        let p = Parsed::new(
            "+++\ntitle = \"Old \\\"x\\\"\"\nlang = \"en\"\n+++\nBody\n<!-- budkavle-disable a -->\n",
            "Now",
            "sv",
        );
        assert_eq!(p.title, "Old \"x\"");
        assert_eq!(p.lang, "en");
        assert_eq!(p.body, "Body");
        let broken = Parsed::new("+++\ntitle = \n+++\nBody", "Now", "sv");
        assert_eq!((broken.title.as_str(), broken.lang.as_str()), ("Now", "sv"));
    }
}
