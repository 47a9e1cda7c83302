//! Carrying out one planned action on one platform, with the ledger lines around it: `intent`
//! (durable) before the first request, then exactly one outcome line.

use crate::clients::api::{Connection, Limits, Lookup, Outgoing, SendError, Upload};
use crate::error::Result;
use crate::ledger::{Appender, ErrorInfo, Event, NewEntry, content_hash};
use crate::platform::Remote;
use crate::platform::{Facet, segment::Feature};
use crate::post::Post;
use crate::project::Project;
use crate::render::{self, Rendered};

use super::Outcome;
use super::retry::{Budget, with_retry};
use crate::schedule::Review;
use crate::schedule::{Action, Item};

pub(super) struct Ctx<'a> {
    pub project: &'a Project,
    /// HEAD: the commit the text is sent from.
    pub head: Option<String>,
    pub budget: &'a Budget,
    /// What the server said it allows.
    pub limits: Option<Limits>,
}

/// The idempotency key of a post on a platform: derived from nothing but the two, so every
/// run, on any machine, sends the same key for the same thing. Part `n` (from 0) of a thread
/// adds `-n`.
pub fn key(post: &str, platform: crate::platform::PlatformId) -> String {
    let hash = content_hash(format!("budkavle-key/1\0{post}\0{}", platform.name()).as_bytes());
    format!("bk-{}", &hash[..32])
}

fn part_key(base: &str, n: usize) -> String {
    if n == 0 { base.to_string() } else { format!("{base}-{n}") }
}

pub(super) fn execute(
    ctx: &Ctx<'_>,
    ledger: &mut Appender,
    conn: &mut dyn Connection,
    post: &Post,
    item: &Item,
) -> Result<Outcome> {
    if let Action::Pin { remote } | Action::Unpin { remote } = &item.action {
        return pin(ctx, ledger, conn, item, remote);
    }
    let rendered = match render::render(ctx.project, post, item.platform) {
        Ok(r) => r,
        Err(d) => return Ok(Outcome::Blocked { message: d.to_string() }),
    };
    if matches!(item.action, Action::Delete { .. }) {
        return delete(ctx, ledger, conn, post, item, &rendered);
    }
    if rendered.over_limit {
        return Ok(Outcome::Blocked {
            message: format!(
                "too long for {} (limit {}): run `budkavle check` and shorten it",
                item.platform, rendered.limit
            ),
        });
    }
    if let Action::Correct { remote, unsure_since } = &item.action {
        return correct(ctx, ledger, conn, post, item, &rendered, remote, *unsure_since);
    }
    if let Some(message) = ctx.limits.and_then(|l| beyond(&l, &rendered)) {
        return Ok(Outcome::Blocked { message });
    }
    let uploads = match uploads(ctx.project, &rendered) {
        Ok(u) => u,
        Err(message) => return Ok(Outcome::Blocked { message }),
    };
    if let Some(max) = ctx.limits.and_then(|l| l.image_bytes)
        && let Some(big) = uploads.iter().find(|u| u.bytes.len() > max)
    {
        return Ok(Outcome::Blocked {
            message: format!(
                "{} is {} bytes after stripping; the server takes at most {max}: make the image smaller",
                big.name,
                big.bytes.len()
            ),
        });
    }
    let lines = Lines::new(ctx, item, Some(&rendered));
    let base = lines.key.clone();
    let entry = |event| lines.entry(event);

    ledger.append(entry(Event::Intent))?;
    let result = match &item.action {
        Action::Send { unsure_since } => {
            let first = First::Reply(item.reply_to.as_ref().map(|t| &t.remote));
            send_thread(ctx, conn, &rendered, &uploads, &base, first, *unsure_since)
        }
        Action::Edit { remote } => edit_thread(ctx, conn, item, &rendered, &uploads, &base, remote),
        Action::Correct { .. }
        | Action::Delete { .. }
        | Action::Pin { .. }
        | Action::Unpin { .. }
        | Action::Hold { .. } => {
            unreachable!("handled above / never planned as an action")
        }
    };
    let edit = matches!(item.action, Action::Edit { .. });
    Ok(match result {
        Ok(Sent::Done { remote, reused }) => {
            let url = remote.url.clone();
            let mut e = entry(if edit { Event::Edited } else { Event::Published });
            e.remote = Some(remote);
            ledger.append(e)?;
            if edit { Outcome::Edited { url } } else { Outcome::Published { url, reused } }
        }
        Ok(Sent::CannotTell(message)) => unknown(ledger, entry(Event::Unknown), message)?,
        Err(error) => failed(ledger, entry(Event::Failed), &error)?,
    })
}

/// Sends the new text of a changed post as a correction on the original where the platform
/// cannot edit (see [`crate::platform::editing`]). Exactly once like a post: the key is the
/// pair's key with `-c<n>` for its n-th correction, so a second change makes a second
/// correction and an interrupted one is looked up (among the account's replies or the
/// media's comments, by exact text) before anything is sent again.
#[allow(clippy::too_many_arguments)]
fn correct(
    ctx: &Ctx<'_>,
    ledger: &mut Appender,
    conn: &mut dyn Connection,
    post: &Post,
    item: &Item,
    rendered: &Rendered,
    original: &Remote,
    unsure_since: Option<jiff::Timestamp>,
) -> Result<Outcome> {
    let state = ledger.ledger().state(&item.post, item.platform);
    let before = state.latest().map(|e| e.texts.clone()).unwrap_or_default();
    let correction = match render::correction(ctx.project, post, item.platform, &before) {
        Ok(r) => r,
        Err(d) => return Ok(Outcome::Blocked { message: d.to_string() }),
    };
    if correction.over_limit {
        return Ok(Outcome::Blocked {
            message: format!(
                "the correction is too long for {} (limit {}) even shortened: shorten the post",
                item.platform, correction.limit
            ),
        });
    }
    // The content is the version it corrects to, so the next run sees it as out.
    let mut lines = Lines::new(ctx, item, Some(rendered));
    let n = ledger.ledger().corrections(&item.post, item.platform).count() + 1;
    lines.key = format!("{}-c{n}", lines.key);
    let base = lines.key.clone();
    let entry = |event| lines.entry(event);
    ledger.append(entry(Event::Intent))?;
    // The correction answers the post's first part, the one people see and share (a thread's
    // later parts are answers themselves), not its last as an update does.
    let first = Remote { parts: Vec::new(), ..original.clone() };
    let result = send_thread(ctx, conn, &correction, &[], &base, First::Correct(&first), unsure_since);
    Ok(match result {
        Ok(Sent::Done { remote, reused }) => {
            let url = remote.url.clone();
            let mut e = entry(Event::Corrected);
            e.remote = Some(remote);
            ledger.append(e)?;
            Outcome::Corrected { url, reused }
        }
        Ok(Sent::CannotTell(message)) => unknown(ledger, entry(Event::Unknown), message)?,
        Err(error) => failed(ledger, entry(Event::Failed), &error)?,
    })
}

fn unknown(ledger: &mut Appender, mut e: NewEntry, message: String) -> Result<Outcome> {
    e.error = Some(ErrorInfo { kind: "unknown".into(), message: message.clone() });
    ledger.append(e)?;
    Ok(Outcome::Unknown { message })
}

fn failed(ledger: &mut Appender, mut e: NewEntry, error: &SendError) -> Result<Outcome> {
    e.error = Some(ErrorInfo { kind: error.kind_name().into(), message: error.message().into() });
    ledger.append(e)?;
    Ok(Outcome::Failed {
        kind: error.kind_name().into(),
        message: error.to_string(),
        retry: matches!(error, SendError::Transient { .. }),
    })
}

/// What every ledger line of one action shares: the pair, its key, the payload's hash, the
/// commit it was sent from, and the review that allowed it.
struct Lines<'a> {
    item: &'a Item,
    key: String,
    content: Option<String>,
    /// The post's part hashes for this platform, on the lines of a version sent.
    texts: Vec<String>,
    head: Option<&'a str>,
    review: Option<&'a Review>,
}

impl<'a> Lines<'a> {
    fn new(ctx: &'a Ctx<'_>, item: &'a Item, rendered: Option<&Rendered>) -> Lines<'a> {
        Lines {
            item,
            key: key(&item.post, item.platform),
            content: rendered.map(Rendered::payload_hash),
            texts: match (rendered, ctx.project.post(&item.post)) {
                (Some(_), Some(post)) => render::part_hashes(post, item.platform),
                _ => Vec::new(),
            },
            head: ctx.head.as_deref(),
            review: item.review.as_ref(),
        }
    }

    fn entry(&self, event: Event) -> NewEntry {
        let mut e = NewEntry::new(event, self.item.post.clone(), self.item.platform);
        e.key = Some(self.key.clone());
        e.content = self.content.clone();
        if matches!(event, Event::Published | Event::Edited | Event::Corrected) {
            e.texts = self.texts.clone();
        }
        e.source = self.head.map(str::to_owned);
        if let Some(r) = self.review {
            e.approved_in = Some(r.merge_commit.clone());
            e.approvers = r.approvers.clone();
        }
        e
    }
}

enum Sent {
    Done { remote: Remote, reused: bool },
    CannotTell(String),
}

/// What the first part of a thread answers.
#[derive(Clone, Copy)]
enum First<'a> {
    /// Nothing, or the earlier post an update, correction or cancellation follows.
    Reply(Option<&'a Remote>),
    /// The published post this correction is about ([`Connection::correct`]).
    Correct(&'a Remote),
}

/// Sends every part of a thread, each a reply to the one before, the first as `first` says.
/// After an interrupted attempt each part is looked up first.
fn send_thread(
    ctx: &Ctx<'_>,
    conn: &mut dyn Connection,
    rendered: &Rendered,
    uploads: &[Upload],
    base: &str,
    first: First<'_>,
    unsure_since: Option<jiff::Timestamp>,
) -> Result<Sent, SendError> {
    let mut sent: Vec<Remote> = Vec::new();
    let mut reused = false;
    for (n, part) in rendered.parts.iter().enumerate() {
        let key = part_key(base, n);
        let correcting = match (first, sent.last()) {
            (First::Correct(original), None) => Some(original),
            _ => None,
        };
        let reply_to = match first {
            First::Reply(to) => sent.last().or(to).cloned(),
            First::Correct(_) => sent.last().cloned(),
        };
        let out = outgoing(&key, rendered, n, uploads, reply_to.as_ref());
        if let Some(since) = unsure_since {
            let (found, _) = with_retry(ctx.budget, || match correcting {
                Some(original) => conn.lookup_correction(original, &out, since),
                None => conn.lookup(&out, since),
            });
            match found? {
                Lookup::Found(remote) => {
                    reused = true;
                    sent.push(remote);
                    continue;
                }
                Lookup::Absent | Lookup::ResendSafe => {}
                Lookup::CannotTell(why) => {
                    // The account's own posts may still show it: then it went out.
                    let (found, _) = with_retry(ctx.budget, || conn.find_sent(&part.text, since));
                    match found {
                        Ok(Some(remote)) => {
                            reused = true;
                            sent.push(remote);
                            continue;
                        }
                        _ => return Ok(Sent::CannotTell(why)),
                    }
                }
            }
        }
        let (result, _) = with_retry(ctx.budget, || match correcting {
            Some(original) => conn.correct(original, &out),
            None => conn.publish(&out),
        });
        sent.push(result?);
    }
    Ok(Sent::Done { remote: thread_remote(sent), reused })
}

/// What a thread's next part answers: the part before it, or for the first part the earlier
/// post an update, correction or cancellation follows.
fn reply_target(sent: &[Remote], item: &Item) -> Option<Remote> {
    sent.last().or(item.reply_to.as_ref().map(|t| &t.remote)).cloned()
}

/// Part `n` of the rendering as the client receives it; the first part carries the images.
fn outgoing<'a>(
    key: &'a str,
    rendered: &'a Rendered,
    n: usize,
    uploads: &'a [Upload],
    reply_to: Option<&'a Remote>,
) -> Outgoing<'a> {
    let part = &rendered.parts[n];
    Outgoing {
        key,
        text: &part.text,
        facets: &part.facets,
        lang: &rendered.lang,
        media: if n == 0 { uploads } else { &[] },
        reply_to,
        link: first_link(&part.facets, &part.text),
    }
}

/// Edits the parts that exist, adds parts the new text has beyond them, and removes the ones
/// it no longer has.
fn edit_thread(
    ctx: &Ctx<'_>,
    conn: &mut dyn Connection,
    item: &Item,
    rendered: &Rendered,
    uploads: &[Upload],
    base: &str,
    remote: &Remote,
) -> Result<Sent, SendError> {
    let old = part_ids(remote);
    let mut now: Vec<Remote> = Vec::new();
    for n in 0..rendered.parts.len() {
        let key = part_key(base, n);
        let reply_to = reply_target(&now, item);
        let out = outgoing(&key, rendered, n, uploads, reply_to.as_ref());
        let (result, _) = match old.get(n) {
            Some(id) => {
                let target =
                    Remote { id: id.clone(), url: (n == 0).then(|| remote.url.clone()).flatten(), parts: vec![] };
                with_retry(ctx.budget, || conn.edit(&target, &out))
            }
            None => with_retry(ctx.budget, || conn.publish(&out)),
        };
        now.push(result?);
    }
    for id in old.iter().skip(rendered.parts.len()) {
        let gone = Remote { id: id.clone(), url: None, parts: vec![] };
        let (result, _) = with_retry(ctx.budget, || conn.delete(&gone));
        result?;
    }
    Ok(Sent::Done { remote: thread_remote(now), reused: false })
}

/// Pins or unpins the first part. No intent: pinning creates nothing, and doing it twice is
/// harmless, so an interrupted pin is simply planned again.
fn pin(
    ctx: &Ctx<'_>,
    ledger: &mut Appender,
    conn: &mut dyn Connection,
    item: &Item,
    remote: &Remote,
) -> Result<Outcome> {
    let pinning = matches!(item.action, Action::Pin { .. });
    let (result, _) = with_retry(ctx.budget, || if pinning { conn.pin(remote) } else { conn.unpin(remote) });
    let mut e = Lines::new(ctx, item, None).entry(if pinning { Event::Pinned } else { Event::Unpinned });
    match result {
        Ok(()) => {
            e.remote = Some(remote.clone());
            ledger.append(e)?;
            Ok(if pinning { Outcome::Pinned } else { Outcome::Unpinned })
        }
        Err(error) => {
            e.event = Event::Failed;
            failed(ledger, e, &error)
        }
    }
}

fn delete(
    ctx: &Ctx<'_>,
    ledger: &mut Appender,
    conn: &mut dyn Connection,
    post: &Post,
    item: &Item,
    rendered: &Rendered,
) -> Result<Outcome> {
    let Action::Delete { remote } = &item.action else { unreachable!("called for deletes only") };
    let lines = Lines::new(ctx, item, Some(rendered));
    let entry = |event| lines.entry(event);
    ledger.append(entry(Event::Intent))?;
    // A pinned post is taken off the profile first (Bluesky keeps a pin to a removed post).
    if ledger.ledger().state(&post.id, item.platform).pinned.is_some() {
        let (result, _) = with_retry(ctx.budget, || conn.unpin(remote));
        if result.is_ok() {
            let mut e = entry(Event::Unpinned);
            e.remote = Some(remote.clone());
            ledger.append(e)?;
        }
    }
    // Corrections first (they answer the original), then the post itself, last part first, so
    // nothing is left answering a removed post.
    let corrections: Vec<Remote> =
        ledger.ledger().corrections(&post.id, item.platform).filter_map(|e| e.remote.clone()).collect();
    let ids: Vec<String> = part_ids(remote).into_iter().chain(corrections.iter().flat_map(part_ids)).collect();
    for id in ids.iter().rev() {
        let part = Remote { id: id.clone(), url: None, parts: vec![] };
        let (result, _) = with_retry(ctx.budget, || conn.delete(&part));
        if let Err(error) = result {
            return failed(ledger, entry(Event::Failed), &error);
        }
    }
    let mut e = entry(Event::Deleted);
    e.remote = Some(remote.clone());
    ledger.append(e)?;
    Ok(Outcome::Deleted)
}

/// Where the rendering goes beyond what the server itself allows: the strategy's limit may be
/// the platform's default while this instance allows less.
fn beyond(limits: &Limits, rendered: &Rendered) -> Option<String> {
    if let Some(chars) = limits.chars
        && let Some((n, part)) = rendered.parts.iter().enumerate().find(|(_, p)| p.length > chars)
    {
        return Some(format!(
            "part {} is {} characters; this server allows {chars}: set [platforms.{}] char_limit = {chars} in strategy.toml, so check and build count against it, and shorten the post",
            n + 1,
            part.length,
            rendered.platform
        ));
    }
    if let Some(max) = limits.max_media
        && rendered.media.len() > max
    {
        return Some(format!("{} images; this server takes at most {max} per post", rendered.media.len()));
    }
    None
}

fn part_ids(remote: &Remote) -> Vec<String> {
    if remote.parts.is_empty() { vec![remote.id.clone()] } else { remote.parts.clone() }
}

fn thread_remote(parts: Vec<Remote>) -> Remote {
    let ids: Vec<String> = parts.iter().map(|r| r.id.clone()).collect();
    let mut first = parts.into_iter().next().unwrap_or_default();
    first.parts = if ids.len() > 1 { ids } else { Vec::new() };
    first
}

/// The link a card is made for: the first link facet, else the first URL in the text.
fn first_link<'a>(facets: &'a [Facet], text: &'a str) -> Option<&'a str> {
    facets
        .iter()
        .flat_map(|f| f.features.iter())
        .find_map(|f| match f {
            Feature::Link { uri } => Some(uri.as_str()),
            Feature::Tag { .. } => None,
        })
        .or_else(|| {
            text.split_whitespace().find(|w| w.starts_with("https://")).map(|w| w.trim_end_matches([')', '.', ',']))
        })
}

/// The post's images, stripped of metadata, each with the address where the archive publishes
/// the same stripped bytes. Any failure blocks the post: an image that cannot be made safe is
/// not uploaded, and the post does not go out without it.
fn uploads(project: &Project, rendered: &Rendered) -> Result<Vec<Upload>, String> {
    rendered
        .media
        .iter()
        .map(|m| {
            let path = project.root.join(&m.path);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: cannot read: {e}", m.path.display()))?;
            let prepared = crate::media::prepare(&m.path, &bytes).map_err(|d| d.to_string())?;
            Ok(Upload {
                bytes: prepared.bytes,
                mime: prepared.mime,
                alt: m.alt.clone(),
                width: prepared.width,
                height: prepared.height,
                name: m.path.file_name().map_or_else(|| "image".into(), |n| n.to_string_lossy().into_owned()),
                public_url: crate::site::media_url(project, &m.path),
            })
        })
        .collect()
}
