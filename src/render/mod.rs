//! The single source of what a platform receives. `check`, `build`, `preview` and `publish` all
//! call [`render`], so a reviewer sees exactly what will be sent.

mod json;
mod text;
mod thread;

use std::path::PathBuf;

use serde::Serialize;

use crate::error::Diagnostic;
use crate::platform::{self, Encoded, Facet, Platform, PlatformId, segment};
use crate::post::Post;
use crate::project::Project;
use crate::strategy::Numbering;

use crate::theme;

/// One post as one platform receives it.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub post: String,
    pub platform: PlatformId,
    pub lang: String,
    /// The limit in the platform's counting unit.
    pub limit: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<usize>,
    /// Some part is over the limit; `check` reports it, `publish` refuses it.
    pub over_limit: bool,
    pub parts: Vec<RenderedPart>,
    /// Attached to the first part.
    pub media: Vec<RenderedMedia>,
    /// The post this one replies to (`updates`, `corrects`, `cancels`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenderedPart {
    /// The payload, exactly as sent.
    pub text: String,
    /// In the platform's unit, of what a reader sees.
    pub length: usize,
    pub bytes: usize,
    pub over_limit: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenderedMedia {
    pub path: PathBuf,
    pub alt: String,
}

impl Rendered {
    /// The parts as one reviewable text; parts are separated by a visible marker line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_text(&mut out);
        out
    }

    /// Appends [`Rendered::to_text`] to `out`, so one buffer serves a post's every rendering.
    pub(crate) fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        let total = self.parts.len();
        for (i, part) in self.parts.iter().enumerate() {
            if total > 1 {
                // Writing to a String cannot fail.
                let _ = writeln!(out, "--- {}/{} ({}/{}) ---", i + 1, total, part.length, self.limit);
            }
            out.push_str(&part.text);
            out.push('\n');
            if i + 1 < total {
                out.push('\n');
            }
        }
    }

    /// The sha256 of what is sent: every part's text and facets and every image's path and alt.
    /// The ledger's `content`; a rendering with another hash is another version.
    pub fn payload_hash(&self) -> String {
        let payload = serde_json::json!({
            "parts": self.parts.iter().map(|p| serde_json::json!({"text": p.text, "facets": p.facets})).collect::<Vec<_>>(),
            "media": self.media.iter().map(|m| serde_json::json!({"path": m.path, "alt": m.alt})).collect::<Vec<_>>(),
        });
        crate::ledger::content_hash(payload.to_string().as_bytes())
    }
}

pub fn render(project: &Project, post: &Post, id: PlatformId) -> Result<Rendered, Diagnostic> {
    let part_texts: Vec<String> = post.body_for(id).parts.iter().map(text::part_text).collect();
    render_texts(project, post, id, &part_texts)
}

/// sha256 of the text of each part of the post's body for platform `id`, as written (before
/// the theme): the ledger's `texts`, which [`correction`] compares with.
pub fn part_hashes(post: &Post, id: PlatformId) -> Vec<String> {
    post.body_for(id).parts.iter().map(|p| crate::ledger::content_hash(text::part_text(p).as_bytes())).collect()
}

/// The correction of a changed post on a platform that cannot edit it: the parts of the post
/// that changed since the version out (`before`: that version's [`part_hashes`]; empty when
/// the ledger line predates them, and then every part), through the same theme template, the
/// first starting with the label in the post's language ("Rättelse: …", "Correction: …"),
/// without images (the original keeps its own). Unchanged parts are not repeated: the reader
/// has them under the original, and X refuses to post identical text again.
///
/// It must fit like any post. Where the platform threads (X, Threads) the renderer splits it
/// into parts as it splits any post, each a reply to the one before. Where it does not
/// (Instagram), whole sentences are dropped from the end, marked with "…", until it fits; the
/// template's archive link, where the theme has one, leads to the whole text.
pub fn correction(project: &Project, post: &Post, id: PlatformId, before: &[String]) -> Result<Rendered, Diagnostic> {
    let label = platform::correction_label(&post.lang);
    let all: Vec<String> = post.body_for(id).parts.iter().map(text::part_text).collect();
    let changed: Vec<String> =
        all.iter().filter(|t| !before.contains(&crate::ledger::content_hash(t.as_bytes()))).cloned().collect();
    // Nothing in the text changed (the images, the tags or the template did): the whole text.
    let mut texts = if changed.is_empty() { all } else { changed };
    match texts.first_mut() {
        Some(first) => *first = format!("{label} {first}"),
        None => texts.push(label.to_string()),
    }
    let mut rendered = render_texts(project, post, id, &texts)?;
    if rendered.over_limit && !platform::get(id).threads() {
        let joined = text::join(&texts);
        let sentences = thread::sentences(&joined);
        for keep in (1..sentences.len()).rev() {
            let shortened = format!("{} …", sentences[..keep].concat().trim_end());
            let candidate = render_texts(project, post, id, &[shortened])?;
            if !candidate.over_limit {
                rendered = candidate;
                break;
            }
        }
    }
    rendered.media.clear();
    rendered.reply_to = None;
    Ok(rendered)
}

/// The post on each of its [`Post::targets`], in order: what `render` gives for each, with the
/// marked text of the post's body made once for every platform without its own text.
pub fn render_targets(project: &Project, post: &Post) -> Result<Vec<Rendered>, Diagnostic> {
    let mut shared: Option<Vec<String>> = None;
    post.targets()
        .map(|id| {
            let body = post.body_for(id);
            if std::ptr::eq(body, post.body()) {
                let texts = shared.get_or_insert_with(|| body.parts.iter().map(text::part_text).collect());
                render_texts(project, post, id, texts)
            } else {
                render(project, post, id)
            }
        })
        .collect()
}

/// `part_texts`: the marked text of each part of the post's body for platform `id`.
fn render_texts(project: &Project, post: &Post, id: PlatformId, part_texts: &[String]) -> Result<Rendered, Diagnostic> {
    let platform = platform::get(id);
    let strategy = &project.strategy;
    let limit = strategy.char_limit(id).unwrap_or_else(|| platform.char_limit());
    let texts: Vec<String> =
        if platform.threads() && !part_texts.is_empty() { part_texts.to_vec() } else { vec![text::join(part_texts)] };

    let templates = Templates::new(project, post, id)?;
    let settings = &strategy.file.render;
    let numbered = platform.threads() && settings.thread_numbering != Numbering::None;
    let reserve = if numbered { platform.count(&numbering(settings, 99, 99)).chars + 2 } else { 0 };

    // The whole of each part is tried first, through the template, as it would be sent; most
    // parts fit, and when the post is one part that trial is the final rendering.
    let mut chunks: Vec<String> = Vec::new();
    let mut single: Option<Measured> = None;
    let only_part = texts.len() == 1;
    for text in texts {
        if !platform.threads() {
            chunks.push(text);
            continue;
        }
        let first = chunks.is_empty();
        let whole = Measured::new(platform, templates.apply(&text, first, true, 1, 1)?);
        if whole.fits(reserve, limit, platform) {
            if only_part {
                single = Some(whole);
            }
            chunks.push(text);
            continue;
        }
        // Too long: split at sentences. Candidates are measured on their own plus what the
        // template adds around them, measured once, instead of templating every candidate.
        let wrapped = Measured::new(platform, templates.apply("x", first, true, 1, 1)?);
        let bare = platform.count("x");
        let overhead =
            (wrapped.length.chars.saturating_sub(bare.chars), wrapped.length.bytes.saturating_sub(bare.bytes));
        let mut measure = |candidate: &str| measure_marked(platform, candidate);
        let fits = |(chars, bytes): thread::Size| {
            chars + overhead.0 + reserve <= limit
                && platform.max_bytes().is_none_or(|max| bytes + overhead.1 + reserve <= max)
        };
        chunks.extend(thread::split_to_fit(&text, &mut measure, &fits));
    }

    let total = chunks.len();
    let mut parts = Vec::with_capacity(total);
    for (i, chunk) in chunks.iter().enumerate() {
        let measured = match single.take() {
            Some(m) if total == 1 => m,
            _ => {
                let mut marked = templates.apply(chunk, i == 0, i + 1 == total, i + 1, total)?;
                if numbered && total > 1 {
                    let format = &settings.numbering_format;
                    if settings.thread_numbering == Numbering::Prefix {
                        let mut prefixed = String::with_capacity(format.len() + 8 + marked.len());
                        push_numbering(format, i + 1, total, &mut prefixed);
                        prefixed.push(' ');
                        prefixed.push_str(&marked);
                        marked = prefixed;
                    } else {
                        marked.push_str("\n\n");
                        push_numbering(format, i + 1, total, &mut marked);
                    }
                }
                Measured::new(platform, marked)
            }
        };
        let over_limit = !measured.fits(0, limit, platform);
        let Measured { encoded: Encoded { text, facets, .. }, length } = measured;
        parts.push(RenderedPart { text, length: length.chars, bytes: length.bytes, over_limit, facets });
    }

    Ok(Rendered {
        post: post.id.clone(),
        platform: id,
        lang: post.lang.clone(),
        limit,
        max_bytes: platform.max_bytes(),
        over_limit: parts.iter().any(|p| p.over_limit),
        parts,
        media: post.media.iter().map(|m| RenderedMedia { path: m.path.clone(), alt: m.alt.clone() }).collect(),
        reply_to: post.reply_to().map(str::to_string),
    })
}

/// The size of a piece of marked text on `platform`, as a reader sees it.
fn measure_marked(platform: &dyn Platform, marked: &str) -> thread::Size {
    let len = platform.count(&platform.encode(&segment::decode(marked)).display);
    (len.chars, len.bytes)
}

/// A templated part, encoded for its platform and measured as a reader sees it.
struct Measured {
    encoded: Encoded,
    length: crate::platform::Length,
}

impl Measured {
    fn new(platform: &dyn Platform, marked: String) -> Self {
        let encoded = platform.encode(&segment::decode(&marked));
        let length = platform.count(&encoded.display);
        Measured { encoded, length }
    }

    /// Within the limit with `reserve` characters to spare (for thread numbering).
    fn fits(&self, reserve: usize, limit: usize, platform: &dyn Platform) -> bool {
        self.length.chars + reserve <= limit
            && platform.max_bytes().is_none_or(|max| self.length.bytes + reserve <= max)
    }
}

fn numbering(settings: &crate::strategy::RenderSettings, n: usize, total: usize) -> String {
    let mut out = String::new();
    push_numbering(&settings.numbering_format, n, total, &mut out);
    out
}

/// Appends `format` with `{n}` and `{total}` replaced, in one pass. Replacing one and then the
/// other gives the same: the numbers are digits, so neither replacement can make the other's
/// placeholder. Two `str::replace` and two numbers made into strings were, for every part of
/// every thread, as much as the rest of numbering it.
fn push_numbering(format: &str, n: usize, total: usize, out: &mut String) {
    let mut rest = format;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("{n}") {
            out.push_str(itoa::Buffer::new().format(n));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{total}") {
            out.push_str(itoa::Buffer::new().format(total));
            rest = after;
        } else {
            out.push('{');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

/// A platform template with the post's context prepared once, applied per thread part.
struct Templates<'a> {
    project: &'a Project,
    name: String,
    /// Set when the template only reads the per-part variables: then no Tera context is built.
    fast: Option<&'a crate::theme::fast::FastTemplate>,
    hashtags: String,
    signature: Option<&'a str>,
    platform: &'static str,
    link: Option<String>,
    /// "Uppdaterad …" for a message of a chain (`updates`, `corrects`, `cancels`).
    updated: Option<String>,
    /// For Tera, when the template is not `fast`.
    context: Option<tera::Context>,
}

impl<'a> Templates<'a> {
    fn new(project: &'a Project, post: &Post, id: PlatformId) -> Result<Self, Diagnostic> {
        let strategy = &project.strategy;
        let org = strategy.organisation();
        let mut tags: Vec<String> = Vec::new();
        if post.kind == crate::kind::Kind::Crisis {
            for t in &strategy.file.crisis.hashtags {
                if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                    tags.push(t.trim_start_matches('#').to_string());
                }
            }
        }
        for t in post.tags_for(id) {
            if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                tags.push(t.clone());
            }
        }
        let marked_tags: Vec<String> = tags.iter().map(|t| segment::tag(t)).collect();
        let link =
            org.archive_url.as_ref().map(|u| segment::link(&format!("{}/p/{}/", u.trim_end_matches('/'), post.id)));
        let name = theme::template_name(id);
        let fast = project.theme.fast(&name);
        let hashtags = marked_tags.join(" ");
        let signature = strategy.file.voice.signature.as_deref();
        let updated = updated_line(post, &strategy.timezone);

        let context = if fast.is_some() {
            None
        } else {
            let date = post
                .date
                .map(|d| d.to_zoned_datetime(strategy.timezone.clone()).strftime("%Y-%m-%d %H:%M").to_string());
            let mut context = tera::Context::new();
            context.insert("hashtags", &hashtags);
            context.insert("tags", &marked_tags);
            context.insert(
                "post",
                &serde_json::json!({
                    "id": post.id,
                    "title": post.title,
                    "lang": post.lang,
                    "kind": post.kind.name(),
                    "date": date,
                    "goal": post.goal,
                    "audiences": post.audiences,
                    "updates": post.updates,
                    "corrects": post.corrects,
                    "cancels": post.cancels,
                }),
            );
            context.insert("org", &serde_json::json!({ "name": org.name, "url": org.url }));
            context.insert("signature", &strategy.file.voice.signature);
            context.insert("link", &link);
            context.insert("updated", &updated);
            context.insert("platform", id.name());
            Some(context)
        };
        Ok(Templates { project, name, fast, hashtags, signature, platform: id.name(), link, updated, context })
    }

    fn apply(&self, text: &str, first: bool, last: bool, part: usize, parts: usize) -> Result<String, Diagnostic> {
        if let Some(fast) = self.fast {
            let vars = crate::theme::fast::Vars {
                text,
                hashtags: &self.hashtags,
                signature: self.signature,
                platform: self.platform,
                link: self.link.as_deref(),
                updated: self.updated.as_deref(),
                first,
                last,
                part,
                parts,
            };
            let mut out = String::with_capacity(text.len() + self.hashtags.len() + 64);
            fast.apply(&vars, &mut out);
            return Ok(tidy(&out));
        }
        let mut ctx = self.context.clone().unwrap_or_default();
        ctx.insert("text", text);
        ctx.insert("first", &first);
        ctx.insert("last", &last);
        ctx.insert("part", &part);
        ctx.insert("parts", &parts);
        let theme = &self.project.theme;
        let out = theme.tera.render(&self.name, &ctx).map_err(|e| theme.render_error(&self.name, &e))?;
        Ok(tidy(&out))
    }
}

/// The line a chain's later messages carry, so a reader who sees the update first knows it is
/// one: the post's own time in the organisation's time zone, in the post's language.
fn updated_line(post: &Post, tz: &jiff::tz::TimeZone) -> Option<String> {
    post.reply_to()?;
    let at = post.date?.to_zoned_datetime(tz.clone());
    const SV: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = (at.month() as usize).saturating_sub(1).min(11);
    Some(if post.lang.starts_with("sv") {
        format!("Uppdaterad {} {} {} kl. {:02}.{:02}", at.day(), SV[month], at.year(), at.hour(), at.minute())
    } else {
        format!("Updated {} {} {}, {:02}:{:02}", at.day(), EN[month], at.year(), at.hour(), at.minute())
    })
}

/// Templates are written for people, with newlines around tags; the output should not carry
/// their leftover blank lines or trailing spaces.
///
/// Lines are cut at each `\n` that `memchr` finds; `str::lines` (which also drops a `\r` before
/// it, as `trim_end` does here) searched for each line anew and was most of the cost.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    let s = s.trim();
    let mut rest = s;
    while !rest.is_empty() {
        let (line, after) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, ""),
        };
        rest = after;
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_is_what_it_was_with_str_lines() {
        fn by_lines(s: &str) -> String {
            let mut out = String::with_capacity(s.len());
            let mut blank = 0;
            for line in s.trim().lines() {
                let line = line.trim_end();
                if line.is_empty() {
                    blank += 1;
                    continue;
                }
                if !out.is_empty() {
                    out.push_str(if blank > 0 { "\n\n" } else { "\n" });
                }
                blank = 0;
                out.push_str(line);
            }
            out
        }
        const PIECES: [&str; 10] = ["\n", "\r", "\r\n", " ", "\t", "a", "Snö", "\u{2028}", "\u{3000}", "\n\n"];
        let mut next = crate::testing::seeded(5);
        for _ in 0..20_000 {
            let text: String = (0..next(14)).map(|_| PIECES[next(PIECES.len())]).collect();
            assert_eq!(tidy(&text), by_lines(&text), "{text:?}");
        }
    }

    #[test]
    fn numbering_replaces_as_two_replaces_would() {
        const PIECES: [&str; 9] = ["{", "}", "n", "total", "{n}", "{total}", "/", "{{n}}", "Del "];
        let mut next = crate::testing::seeded(3);
        for _ in 0..3000 {
            let format: String = (0..next(8)).map(|_| PIECES[next(PIECES.len())]).collect();
            let (n, total) = (next(120), if next(10) == 0 { usize::MAX } else { next(1200) });
            let mut out = String::from("x");
            push_numbering(&format, n, total, &mut out);
            let expected = format.replace("{n}", &n.to_string()).replace("{total}", &total.to_string());
            assert_eq!(out, format!("x{expected}"), "{format:?}");
        }
    }

    /// Thread packing adds the size of the whitespace after a sentence instead of measuring the
    /// sentence again; on every platform that threads, that sum must be the size itself.
    #[test]
    fn whitespace_after_a_sentence_adds_its_own_size() {
        let link = segment::link("https://exempelstad.se/sno?a=1");
        let tag = segment::tag("Snöröjning");
        let bodies = [
            "Vi plogar.".to_string(),
            "Läs mer på https://exempelstad.se/x.".to_string(),
            format!("Se {link}."),
            format!("Följ {tag}!"),
            "Fråga @anna@exempelstad.se.".to_string(),
            "Fråga @anna@exempelstad.se?".to_string(),
            "Se exempelstad.se!".to_string(),
            "gemini://exempelstad.se/x.".to_string(),
            "Kom (https://a.se/x_(y))?".to_string(),
            "Emoji 👨\u{200D}👩\u{200D}👧 och 🇸🇪.".to_string(),
            "e\u{301}.".to_string(),
            "\u{600}.".to_string(),
            "日本語。".to_string(),
            "Åäö – ”citat” ….".to_string(),
            "x.".to_string(),
        ];
        let tails = [" ", "  ", "\n", "\n\n", " \n\t ", "\t"];
        let threading = PlatformId::ALL.into_iter().map(platform::get).filter(|p| p.threads()).collect::<Vec<_>>();
        assert!(threading.len() >= 4);
        for p in threading {
            for body in &bodies {
                for tail in tails {
                    let unit = format!("{body}{tail}");
                    let mut measure = |s: &str| measure_marked(p, s);
                    let trimmed = measure(unit.trim_end());
                    assert_eq!(
                        thread::with_tail(&unit, trimmed, &mut measure),
                        measure_marked(p, &unit),
                        "{} {unit:?}",
                        p.id()
                    );
                }
            }
        }
    }
}
