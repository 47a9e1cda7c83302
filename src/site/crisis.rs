//! Crisis information in the archive (issue 6, item 6): a banner on every page while crisis mode
//! is on, and the crisis page `/kris/` with one timeline per chain.
//!
//! A chain ([`crate::crisis`], the one model publish and CAP use too) is told as one story, as
//! the public followed it, latest message first. Each message says what changed since the one before it in the
//! terms a reader acts on (title, instruction, area, CAP urgency, severity and certainty, expiry)
//! and, folded away, as a word diff of the text, like the version pages.
//!
//! Here a message has gone out when its time has come. Expiry depends on the time of the
//! build, the only thing in the archive that does, so the build takes the clock as an argument
//! ([`crate::site::render_at`]) and tests fix it.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::crisis::{self, Member};
use crate::error::Result;
use crate::output::Made;
use crate::post::Post;
use crate::project::Project;
use crate::site::versions::{Segment, diff_lines};
use crate::site::{MediaView, PlatformView, PostView, Record, Site, Strings};

/// The crisis page; the same path in every interface language, like the other pages.
pub(crate) const PAGE_URL: &str = "/kris/";
const PAGE_FILE: &str = "kris/index.html";

/// `content/CRISIS` larger than this is not a one-line notice; its text is left out.
const MAX_NOTE_BYTES: u64 = 64 * 1024;
/// The banner shows one line, not an essay that pushes every page down.
const MAX_NOTE_CHARS: usize = 280;

/// What the archive knows of crises, worked out once per build from the posts and the record.
#[derive(Debug, Clone)]
pub(crate) struct Crisis {
    /// Newest chain (by its latest message) first.
    chains: Vec<Chain>,
    /// Post id → its chain in `chains`, so each post page finds its chain at once.
    chain_of: HashMap<String, usize>,
    mode: bool,
    /// The first line of `content/CRISIS`.
    note: Option<String>,
}

#[derive(Debug, Clone)]
struct Chain {
    root: String,
    /// Oldest first.
    members: Vec<Member>,
    /// The build's clock: which messages have gone out.
    now: Timestamp,
    status: Status,
    /// When the chain ended (its cancelling message) or expired.
    status_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Active,
    Expired,
    Ended,
}

impl Crisis {
    pub(crate) fn new(project: &Project, record: &Record, now: Timestamp) -> Crisis {
        let when = |post: &Post| {
            post.date.or_else(|| record.published.get(&post.id).and_then(|v| v.iter().map(|p| p.at).min()))
        };
        let mut chains: Vec<Chain> = crisis::Chains::of(project, when)
            .iter()
            .map(|c| {
                let (status, status_at) = match c.status(now, |m| m.due(now)) {
                    crisis::Status::Ended { at } => (Status::Ended, at),
                    crisis::Status::Expired { at } => (Status::Expired, Some(at)),
                    crisis::Status::Active => (Status::Active, None),
                };
                Chain { root: c.root.clone(), members: c.members.clone(), now, status, status_at }
            })
            .collect();
        chains.sort_by(|a, b| {
            let key = |c: &Chain| (c.updated().is_none(), c.updated().unwrap_or(Timestamp::MIN));
            key(b).cmp(&key(a)).then_with(|| a.root.cmp(&b.root))
        });
        let chain_of =
            chains.iter().enumerate().flat_map(|(i, c)| c.members.iter().map(move |m| (m.id.clone(), i))).collect();
        Crisis { chains, chain_of, mode: crisis::mode(project), note: read_note(project) }
    }

    /// Whether the archive has a crisis page: when there is a chain to show, or the banner
    /// links to it.
    pub(crate) fn has_page(&self) -> bool {
        self.mode || !self.chains.is_empty()
    }

    /// `crisis_nav` (whether the menu links the crisis page) and `crisis_banner` for every page.
    pub(crate) fn add_to_context(&self, ctx: &mut tera::Context, project: &Project, strings: &Strings) {
        ctx.insert("crisis_nav", &self.has_page());
        ctx.insert("crisis_banner", &self.banner(project, strings));
    }

    fn banner(&self, project: &Project, strings: &Strings) -> Option<serde_json::Value> {
        if !self.mode {
            return None;
        }
        let tz = &project.strategy.timezone;
        let chain = self.chains.iter().find(|c| c.status == Status::Active).and_then(|c| {
            let root = project.post(&c.root)?;
            let updated = c.updated();
            Some(serde_json::json!({
                "title": root.title,
                "lang": root.lang,
                "url": format!("{PAGE_URL}#{}", anchor(&c.root)),
                "updated": updated.map(|t| t.to_string()),
                "updated_human": updated.map(|t| strings.datetime(t, tz)),
            }))
        });
        Some(serde_json::json!({ "chain": chain, "note": self.note, "url": PAGE_URL }))
    }

    /// For the page of a post in a chain: its status and a link to its timeline.
    pub(crate) fn post_notice(
        &self,
        id: &str,
        strings: &Strings,
        tz: &jiff::tz::TimeZone,
    ) -> Option<serde_json::Value> {
        let chain = self.chains.get(*self.chain_of.get(id)?)?;
        Some(serde_json::json!({
            "status": chain.status,
            "status_label": strings.get(chain.status.key()),
            "status_text": chain.status_text(strings, tz),
            "url": format!("{PAGE_URL}#{}", anchor(&chain.root)),
        }))
    }
}

impl Status {
    fn key(self) -> &'static str {
        match self {
            Status::Active => "crisis_status_active",
            Status::Expired => "crisis_status_expired",
            Status::Ended => "crisis_status_ended",
        }
    }
}

impl Chain {
    /// When the latest message that has gone out went out; the first message's time while
    /// every message is still scheduled.
    fn updated(&self) -> Option<Timestamp> {
        self.members.iter().rev().find(|m| m.due(self.now)).or(self.members.first()).and_then(|m| m.at)
    }

    /// "Händelsen avslutades …" / "Meddelandet gällde till …"; none while it is active.
    fn status_text(&self, strings: &Strings, tz: &jiff::tz::TimeZone) -> Option<String> {
        let key = match self.status {
            Status::Ended => "crisis_ended_text",
            Status::Expired => "crisis_expired_text",
            Status::Active => return None,
        };
        let date = self.status_at.map(|t| strings.datetime(t, tz));
        Some(Strings::fill(strings.get(key), &[("date", date.as_deref().unwrap_or(""))]))
    }
}

/// The fragment id of a chain on the crisis page. Post ids are slugs, so safe as they are.
fn anchor(root: &str) -> String {
    format!("kedja-{root}")
}

/// The first non-empty line of `content/CRISIS`, shortened; none when it is empty, unreadable
/// or leads out of the repository (the file still switches crisis mode on).
fn read_note(project: &Project) -> Option<String> {
    let rel = crisis::file();
    if !project.root.join(rel).is_file() {
        return None;
    }
    let canonical_root = project.root.canonicalize().ok()?;
    let text = crate::fsutil::read_text(&project.root, &canonical_root, rel, MAX_NOTE_BYTES).ok()?;
    // A Markdown heading marker is not part of the message.
    let line = text.lines().map(|l| l.trim().trim_start_matches('#').trim()).find(|l| !l.is_empty())?;
    let line: String = line.chars().filter(|c| !c.is_control()).collect();
    Some(if line.chars().count() > MAX_NOTE_CHARS {
        let cut: String = line.chars().take(MAX_NOTE_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        line
    })
}

#[derive(Debug, Serialize)]
struct ChainView {
    id: String,
    anchor: String,
    title: String,
    lang: String,
    url: String,
    status: Status,
    status_label: String,
    /// "Avslutad 21 januari 2027 kl. 14.00" / "Meddelandet gällde till …".
    status_text: Option<String>,
    status_at: Option<String>,
    updated: Option<String>,
    updated_human: Option<String>,
    count_label: String,
    /// Latest first.
    messages: Vec<MessageView>,
}

#[derive(Debug, Serialize)]
struct MessageView {
    id: String,
    url: String,
    title: String,
    lang: String,
    /// "Första meddelandet", "Uppdatering", "Rättelse", "Avslutande meddelande".
    kind_label: String,
    date: Option<String>,
    date_human: Option<String>,
    html: String,
    media: Vec<MediaView>,
    retracted: bool,
    platforms: Vec<PlatformView>,
    expires: Option<String>,
    expires_human: Option<String>,
    expired: bool,
    /// Dated later than the build: not sent yet.
    scheduled: bool,
    first: bool,
    /// Whether there is an earlier message (not retracted) to say what changed since.
    compared: bool,
    /// Fields a reader acts on that changed since the previous message.
    changes: Vec<Change>,
    /// Lines of the text with changes since the previous message.
    text_diff: Vec<Vec<Segment>>,
}

#[derive(Debug, Serialize)]
struct Change {
    label: String,
    segments: Vec<Segment>,
}

pub(crate) fn pages(site: &Site<'_>) -> Result<Vec<(String, Made)>> {
    let crisis = &site.crisis;
    if !crisis.has_page() {
        return Ok(Vec::new());
    }
    let members: Vec<&super::Archived<'_>> =
        crisis.chains.iter().flat_map(|c| c.members.iter()).filter_map(|m| site.archived(&m.id)).collect();
    site.unit(
        |k| {
            // The page shows each chain's posts, and what the clock makes of them.
            let mut h = k.start("crisis page");
            for c in &crisis.chains {
                h.str(&c.root).json(&c.status).json(&c.status_at).json(&c.updated());
                for m in &c.members {
                    h.str(&m.id).opt_key(site.archived(&m.id).map(|a| k.view(a)));
                    h.json(&m.at).json(&m.expires).json(&m.due(c.now)).json(&m.expires.is_some_and(|e| e <= site.now));
                }
            }
            h.finish()
        },
        || {
            let views: HashMap<&str, &PostView> =
                members.iter().zip(site.views(&members)).map(|(a, v)| (a.id(), v)).collect();
            // Each chain on a core of its own: comparing each message's text with the one before
            // it took a hundred chains a thirtieth of the archive's build, on one core.
            let chains: Vec<ChainView> = crate::project::par_map(&crisis.chains, |c| chain_view(site, &views, c))
                .into_iter()
                .flatten()
                .collect();
            let mut ctx = site.base_context();
            ctx.insert("nav", "crisis");
            ctx.insert("chains", &chains);
            Ok(vec![(PAGE_FILE.to_string(), site.render("crisis.html", &ctx)?)])
        },
    )
}

fn chain_view(site: &Site<'_>, views: &HashMap<&str, &PostView>, chain: &Chain) -> Option<ChainView> {
    let strings = &site.strings;
    let tz = &site.project.strategy.timezone;
    let project = site.project;
    let root = views.get(chain.root.as_str())?;
    let human = |t: Timestamp| strings.datetime(t, tz);
    let mut messages = Vec::with_capacity(chain.members.len());
    // The message a later one is compared with: the latest earlier one that was not taken
    // back, since a retracted text is not shown to compare against.
    let mut previous: Option<(&Post, &Member)> = None;
    let mut first = true;
    for member in &chain.members {
        let (Some(view), Some(post)) = (views.get(member.id.as_str()), project.post(&member.id)) else { continue };
        let kind = match first {
            true => "first",
            false => {
                if post.cancels.is_some() {
                    "cancels"
                } else if post.corrects.is_some() {
                    "corrects"
                } else {
                    "updates"
                }
            }
        };
        let compared = previous.filter(|_| post.retracted.is_none());
        let (changes, text_diff) = match compared {
            Some((before, was)) => (changes(strings, tz, before, was, post, member), text_diff(before, post)),
            None => (Vec::new(), Vec::new()),
        };
        messages.push(MessageView {
            id: view.id.clone(),
            url: view.url.clone(),
            title: view.title.clone(),
            lang: view.lang.clone(),
            kind_label: strings.get(&format!("crisis_kind_{kind}")).to_string(),
            date: member.at.map(|t| t.to_string()),
            date_human: member.at.map(human),
            html: view.html.clone(),
            media: view.media.clone(),
            retracted: view.retracted.is_some(),
            platforms: view.platforms.clone(),
            expires: member.expires.map(|t| t.to_string()),
            expires_human: member.expires.map(human),
            expired: member.expires.is_some_and(|e| e <= site.now),
            scheduled: !member.due(chain.now),
            first,
            compared: compared.is_some(),
            changes,
            text_diff,
        });
        first = false;
        if post.retracted.is_none() {
            previous = Some((post, member));
        }
    }
    messages.reverse();
    let updated = chain.updated();
    Some(ChainView {
        id: chain.root.clone(),
        anchor: anchor(&chain.root),
        title: root.title.clone(),
        lang: root.lang.clone(),
        url: root.url.clone(),
        status: chain.status,
        status_label: strings.get(chain.status.key()).to_string(),
        status_text: chain.status_text(strings, tz),
        status_at: chain.status_at.map(|t| t.to_string()),
        updated: updated.map(|t| t.to_string()),
        updated_human: updated.map(human),
        count_label: strings.count(messages.len(), "crisis_message_one", "crisis_message_other"),
        messages,
    })
}

/// What changed in the fields a reader acts on, each as a word diff.
fn changes(
    strings: &Strings,
    tz: &jiff::tz::TimeZone,
    before: &Post,
    was: &Member,
    now: &Post,
    is: &Member,
) -> Vec<Change> {
    let info = |p: &Post| p.crisis.clone().unwrap_or_default();
    let (a, b) = (info(before), info(now));
    let cap = |v: &Option<String>| -> Option<String> {
        v.as_deref().map(|v| {
            let key = format!("cap_{}", v.to_ascii_lowercase());
            if strings.map().contains_key(&key) { strings.get(&key).to_string() } else { v.to_string() }
        })
    };
    let fields: [(&str, Option<String>, Option<String>); 7] = [
        ("crisis_field_title", Some(before.title.clone()), Some(now.title.clone())),
        ("crisis_field_instruction", a.instruction.clone(), b.instruction.clone()),
        (
            "crisis_field_area",
            a.area.as_ref().map(|x| x.description.clone()),
            b.area.as_ref().map(|x| x.description.clone()),
        ),
        ("crisis_field_urgency", cap(&a.urgency), cap(&b.urgency)),
        ("crisis_field_severity", cap(&a.severity), cap(&b.severity)),
        ("crisis_field_certainty", cap(&a.certainty), cap(&b.certainty)),
        (
            "crisis_field_expires",
            was.expires.map(|t| strings.datetime(t, tz)),
            is.expires.map(|t| strings.datetime(t, tz)),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, old, new)| old.as_deref().map(str::trim) != new.as_deref().map(str::trim))
        .map(|(key, old, new)| Change {
            label: strings.get(key).to_string(),
            segments: diff_lines(old.as_deref().unwrap_or("").trim(), new.as_deref().unwrap_or("").trim())
                .into_iter()
                .flatten()
                .collect(),
        })
        .collect()
}

/// The lines of the text that changed since the previous message, as word diffs.
fn text_diff(before: &Post, now: &Post) -> Vec<Vec<Segment>> {
    let body = |p: &Post| {
        p.source
            .get(p.body_offset..)
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("<!-- budkavle-"))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    };
    diff_lines(&body(before), &body(now)).into_iter().filter(|l| l.iter().any(|s| s.kind != "same")).collect()
}
