//! A crisis post and its chain as a CAP 1.2 [`Alert`].
//!
//! - `identifier`: `<domain>.<post id>`, the domain being the organisation's web host without
//!   `www.` (else the part of the sender after `@`, else the sender): stable across builds, unique
//!   per sender because post ids are, and free of what section 3 forbids.
//! - `sender`: strategy `[crisis] cap_sender`, else the host of `[organisation] url`.
//! - `sent`: when the post goes out — its `date`, else its first publication — in the
//!   organisation's time zone with its `±hh:mm` offset.
//! - `msgType`: `Alert`; `Update` for a post that `updates` or `corrects` an earlier one;
//!   `Cancel` for one that `cancels`. `references` lists every earlier message of the chain
//!   (all crisis posts that lead back, through `updates`/`corrects`/`cancels`, to the same first
//!   post), oldest first.
//! - one `<info>` from the post's `[crisis]` table, title (headline) and text (description).

use jiff::Timestamp;

use super::model::{
    Alert, Area, CapTime, Category, Certainty, Info, MsgType, Reference, Scope, Severity, Status, Urgency, is_token,
};
use crate::error::{Diagnostic, Error, Result};
use crate::kind::Kind;
use crate::post::{BlockKind, Inline, Post};
use crate::project::Project;

/// When a post went (or goes) out, for posts without a `date`: the caller knows the ledger.
pub type SentOf<'a> = &'a dyn Fn(&Post) -> Option<Timestamp>;

/// The alert of the crisis post `post`. `sent_of` says when a post goes out; a message of the
/// chain for which it says nothing is not out yet and is not referenced. A post that is not a
/// crisis post is a usage error; a `[crisis]` value CAP does not allow is an error at the post.
pub fn alert(project: &Project, post: &Post, sent_of: SentOf<'_>) -> Result<Alert> {
    alert_in(project, &crate::crisis::Chains::of(project, |p| p.date), post, sent_of)
}

/// [`alert`] with the project's crisis chains (`Chains::of(project, |p| p.date)`) worked out
/// once by the caller: the archive makes every alert, and finding the chains for each one
/// again was a fifth of the archive's build time at 10,000 posts.
pub(crate) fn alert_in(
    project: &Project,
    chains: &crate::crisis::Chains,
    post: &Post,
    sent_of: SentOf<'_>,
) -> Result<Alert> {
    if post.kind != Kind::Crisis {
        return Err(Error::Usage(format!(
            "`{}` ({}) is not a crisis post (kind = \"{}\"): only posts with kind = \"crisis\" have a CAP alert",
            post.id,
            post.path.display(),
            post.kind.name()
        )));
    }
    let sender = sender(project)?;
    let tz = &project.strategy.timezone;
    let Some(at) = sent_of(post) else {
        return Err(Error::Usage(format!(
            "`{}` has no date and has not been published, so its alert has no `sent` time; give it a `date`",
            post.id
        )));
    };
    let sent = CapTime::in_zone(at, tz);
    let msg_type = if post.cancels.is_some() {
        MsgType::Cancel
    } else if post.updates.is_some() || post.corrects.is_some() {
        MsgType::Update
    } else {
        MsgType::Alert
    };
    let references = if msg_type == MsgType::Alert {
        Vec::new()
    } else {
        earlier_in_chain(project, chains, post, at, sent_of)
            .into_iter()
            .map(|(p, t)| Reference {
                sender: sender.clone(),
                identifier: identifier(project, &sender, p),
                sent: CapTime::in_zone(t, tz),
            })
            .collect()
    };
    Ok(Alert {
        identifier: identifier(project, &sender, post),
        sender,
        sent,
        status: Status::Actual,
        msg_type,
        source: None,
        scope: Scope::Public,
        restriction: None,
        addresses: None,
        codes: Vec::new(),
        note: None,
        references,
        incidents: None,
        infos: vec![info(project, post)?],
        signatures: Vec::new(),
    })
}

/// The CAP `sender`: `[crisis] cap_sender`, else the organisation's web host.
pub fn sender(project: &Project) -> Result<String> {
    let strategy = &project.strategy.file;
    let sender = match strategy.crisis.cap_sender.as_deref().map(str::trim) {
        Some(s) => s.to_string(),
        None => strategy.organisation.url.as_deref().and_then(host).map(str::to_string).ok_or_else(|| {
            Error::Invalid(vec![
                Diagnostic::file("strategy.toml", "CAP alerts need a sender, and the strategy names none").hint(
                    "set [crisis] cap_sender = \"krisinfo@example.se\" (or [organisation] url, whose host is used)",
                ),
            ])
        })?,
    };
    if !is_token(&sender) {
        return Err(Error::Invalid(vec![
            Diagnostic::file("strategy.toml", format!("[crisis] cap_sender `{sender}` cannot be a CAP sender"))
                .hint("CAP 1.2 section 3 allows no spaces, commas, `<` or `&`; use e.g. an e-mail address"),
        ]));
    }
    Ok(sender)
}

/// `<domain>.<post id>`, with anything section 3 forbids replaced by `-`.
pub fn identifier(project: &Project, sender: &str, post: &Post) -> String {
    let org_host = project.strategy.file.organisation.url.as_deref().and_then(host);
    let domain = org_host
        .map(|h| h.strip_prefix("www.").unwrap_or(h))
        .or_else(|| sender.rsplit_once('@').map(|(_, d)| d))
        .unwrap_or(sender);
    format!("{domain}.{}", post.id)
        .chars()
        .map(|c| if c.is_whitespace() || matches!(c, ',' | '<' | '&') { '-' } else { c })
        .collect()
}

/// The host of an `http(s)://` URL, as written (without user info or port).
fn host(url: &str) -> Option<&str> {
    let rest = url.trim().strip_prefix("https://").or_else(|| url.trim().strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next()?;
    (!host.is_empty() && is_token(host)).then_some(host)
}

/// The crisis posts of `post`'s chain that went out before it (by `sent`, then id), oldest first.
fn earlier_in_chain<'p>(
    project: &'p Project,
    chains: &crate::crisis::Chains,
    post: &Post,
    at: Timestamp,
    sent_of: SentOf<'_>,
) -> Vec<(&'p Post, Timestamp)> {
    let Some(chain) = chains.of_post(&post.id) else { return Vec::new() };
    let mut earlier: Vec<(&Post, Timestamp)> = chain
        .members
        .iter()
        .filter(|m| m.crisis && m.id != post.id)
        .filter_map(|m| project.post(&m.id))
        .filter_map(|p| sent_of(p).map(|t| (p, t)))
        .filter(|(p, t)| (*t, p.id.as_str()) < (at, post.id.as_str()))
        .collect();
    earlier.sort_by(|a, b| (a.1, &a.0.id).cmp(&(b.1, &b.0.id)));
    earlier
}

fn info(project: &Project, post: &Post) -> Result<Info> {
    let org = project.strategy.organisation();
    let c = post.crisis.clone().unwrap_or_default();
    let mut problems = Vec::new();
    let mut value = |key: &str, v: &Option<String>| -> String {
        match v.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => {
                problems.push(format!("[crisis] has no `{key}`"));
                String::new()
            }
        }
    };
    let event = value("event", &c.event);
    let category = value("category", &c.category);
    let urgency = value("urgency", &c.urgency);
    let severity = value("severity", &c.severity);
    let certainty = value("certainty", &c.certainty);
    let mut parse = |key: &str, r: std::result::Result<(), String>| {
        if let Err(m) = r {
            problems.push(format!("[crisis] {key}: {m}"));
        }
    };
    let mut info = Info {
        language: Some(language(&post.lang)),
        categories: Vec::new(),
        event,
        response_types: Vec::new(),
        urgency: Urgency::Unknown,
        severity: Severity::Unknown,
        certainty: Certainty::Unknown,
        audience: None,
        event_codes: Vec::new(),
        effective: None,
        onset: None,
        expires: None,
        sender_name: Some(org.name.clone()).filter(|n| !n.trim().is_empty()),
        headline: Some(post.title.clone()),
        description: Some(plain_text(post)).filter(|d| !d.is_empty()),
        instruction: text(&c.instruction),
        web: text(&c.web).or_else(|| archive_page(project, post)),
        contact: text(&c.contact),
        parameters: Vec::new(),
        resources: Vec::new(),
        areas: Vec::new(),
    };
    if !category.is_empty() {
        parse("category", Category::parse(&category).map(|v| info.categories.push(v)));
    }
    if !urgency.is_empty() {
        parse("urgency", Urgency::parse(&urgency).map(|v| info.urgency = v));
    }
    if !severity.is_empty() {
        parse("severity", Severity::parse(&severity).map(|v| info.severity = v));
    }
    if !certainty.is_empty() {
        parse("certainty", Certainty::parse(&certainty).map(|v| info.certainty = v));
    }
    if let Some(exp) = &c.expires {
        match crate::datetime::resolve_datetime(exp, &project.strategy.timezone) {
            Ok(t) => info.expires = Some(CapTime::in_zone(t, &project.strategy.timezone)),
            Err(m) => problems.push(format!("[crisis] expires: {m}")),
        }
    }
    match &c.area {
        Some(a) if !a.description.trim().is_empty() => info.areas.push(Area {
            area_desc: a.description.trim().to_string(),
            polygons: text(&a.polygon).into_iter().collect(),
            circles: text(&a.circle).into_iter().collect(),
            geocodes: Vec::new(),
            altitude: None,
            ceiling: None,
        }),
        _ => problems.push("[crisis] has no `area` with a description".to_string()),
    }
    if problems.is_empty() {
        Ok(info)
    } else {
        Err(Error::Invalid(
            problems
                .into_iter()
                .map(|m| {
                    Diagnostic::file(&post.path, format!("no CAP alert: {m}"))
                        .hint("`budkavle check` names the values CAP 1.2 allows (the `crisis` rules)")
                })
                .collect(),
        ))
    }
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The post's page in the archive, when the archive's address is known.
fn archive_page(project: &Project, post: &Post) -> Option<String> {
    let base = project.strategy.organisation().archive_url.as_deref()?.trim().trim_end_matches('/');
    host(base)?;
    Some(format!("{base}/p/{}/", post.id))
}

/// A CAP language tag with its region, `sv-SE` style: a tag that names a region is kept; a
/// bare language gets the region where it is the main language (English: `en-GB`, the EU's
/// usage); anything else stays as written, which is also a valid tag.
pub fn language(lang: &str) -> String {
    if lang.contains('-') {
        return lang.to_string();
    }
    let region = match lang.to_ascii_lowercase().as_str() {
        "sv" => "SE",
        "en" => "GB",
        "fi" => "FI",
        "nb" | "nn" | "no" => "NO",
        "da" => "DK",
        "is" => "IS",
        "de" => "DE",
        "fr" => "FR",
        "es" => "ES",
        "it" => "IT",
        "nl" => "NL",
        "pl" => "PL",
        "et" => "EE",
        "lv" => "LV",
        "lt" => "LT",
        _ => return lang.to_string(),
    };
    format!("{}-{region}", lang.to_ascii_lowercase())
}

/// The post's text as plain text: paragraphs and thread parts separated by a blank line, list
/// items on their own lines, a link as its text with the address after it when the text does
/// not already show it.
pub fn plain_text(post: &Post) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut list: Option<usize> = None;
    for block in post.body().blocks() {
        let mut s = String::new();
        for inline in &block.inlines {
            match inline {
                Inline::Text { text, .. } => s.push_str(text),
                Inline::Link { text, url, .. } => {
                    s.push_str(text);
                    let bare = |u: &str| {
                        let u = u
                            .trim_start_matches("https://")
                            .trim_start_matches("http://")
                            .trim_start_matches("mailto:");
                        u.trim_end_matches('/').to_string()
                    };
                    if bare(text) != bare(url) && !url.starts_with('#') {
                        s.push_str(&format!(" ({url})"));
                    }
                }
                Inline::Break => s.push('\n'),
            }
        }
        let s = s.trim().to_string();
        if s.is_empty() {
            continue;
        }
        match block.kind {
            BlockKind::ListItem { number, depth, list: id } => {
                let marker = number.map_or("–".to_string(), |n| format!("{n}."));
                let line = format!("{}{marker} {s}", "  ".repeat(depth));
                match (list, paras.last_mut()) {
                    (Some(l), Some(last)) if l == id || depth > 0 => {
                        last.push('\n');
                        last.push_str(&line);
                    }
                    _ => paras.push(line),
                }
                list = Some(id);
            }
            _ => {
                paras.push(s);
                list = None;
            }
        }
    }
    paras.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_get_a_region() {
        assert_eq!(language("sv"), "sv-SE");
        assert_eq!(language("en"), "en-GB");
        assert_eq!(language("en-US"), "en-US");
        assert_eq!(language("so"), "so");
    }

    #[test]
    fn hosts() {
        assert_eq!(host("https://www.exempelstad.se/vatten"), Some("www.exempelstad.se"));
        assert_eq!(host("http://a.se:8080"), Some("a.se"));
        assert_eq!(host("ftp://a.se"), None);
    }

    #[test]
    fn plain_text_of_a_post() {
        let post = crate::post::tests_support::post_from_source(
            "+++\ntitle = \"T\"\n+++\nFirst *para*.\n\n- one\n- two\n\n---\n\nSee [the page](https://a.se/x) or [a.se/y](https://a.se/y).\n",
        );
        assert_eq!(plain_text(&post), "First para.\n\n– one\n– two\n\nSee the page (https://a.se/x) or a.se/y.");
    }
}
