//! Which post × platform pairs a run acts on, and why every other one waits (DESIGN §7.1).
//! Pure: it reads the project, the ledger, the approvals and a clock, and sends nothing, so
//! `publish --dry-run`, `plan` and the real run agree by construction.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::Serialize;

use super::review::{Review, Reviews};
use crate::cadence::Blackout;
use crate::crisis::Chains;
use crate::kind::Kind;
use crate::ledger::{Entry, Event, Ledger, Outcome};
use crate::platform::Remote;
use crate::platform::{self, PlatformId};
use crate::post::Post;
use crate::project::Project;

/// What a run will do with one pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Publish it (or finish an unfinished attempt, looking up what already went out).
    Send {
        /// An earlier attempt may have reached the platform: look before sending. The time is
        /// that of the first such attempt, which bounds the platform's idempotency window.
        #[serde(skip_serializing_if = "Option::is_none")]
        unsure_since: Option<Timestamp>,
    },
    /// The post changed after it was published: replace the text on the platform.
    Edit { remote: Remote },
    /// The post changed after it was published and the platform cannot edit it (any more):
    /// send the new text as a correction, a reply or comment on `remote`, which stays up.
    Correct {
        remote: Remote,
        /// An earlier attempt at this correction may have reached the platform: look first.
        #[serde(skip_serializing_if = "Option::is_none")]
        unsure_since: Option<Timestamp>,
    },
    /// The post was retracted: remove it from the platform.
    Delete { remote: Remote },
    /// A crisis post with `pin = true` that is out and whose chain is still running.
    Pin { remote: Remote },
    /// A pinned post whose crisis chain ended (cancelled or expired), or that was retracted.
    Unpin { remote: Remote },
    /// Nothing now; the reason says when or what would change that.
    Hold { reason: Hold },
}

/// Why a pair waits. Every variant is something a communications officer can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Hold {
    /// Its date has not come.
    NotYet { at: Timestamp },
    /// Inside a blackout period of strategy.toml (crisis posts are not held).
    Blackout { until: Timestamp, reason: String },
    /// Crisis mode is on; planned posts wait until it ends.
    Crisis,
    /// The approval policy of `[review]` is not met.
    Approval { needed: u32, found: u32, detail: String },
    /// It replies to a post that is not yet out on this platform.
    WaitingFor { post: String },
    /// An earlier attempt's outcome is unknown: a person settles it with `budkavle resolve`.
    Unknown,
    /// The platform refused it for a reason that needs a person; the post has not changed since.
    Refused { message: String },
    /// Too long for the platform: `check` reports it.
    OverLimit,
    /// budkavle does not send to this platform itself.
    Manual,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub post: String,
    pub platform: PlatformId,
    /// When the post is meant to go out (`None`: on merge).
    pub date: Option<Timestamp>,
    pub crisis: bool,
    #[serde(flatten)]
    pub action: Action,
    /// The earlier post this one replies to on the platform, and where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTarget>,
    /// The review that allows it, for the ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyTarget {
    pub post: String,
    pub remote: Remote,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub now: Timestamp,
    pub crisis_mode: bool,
    /// Actions first (crisis posts first, then by date), then holds.
    pub items: Vec<Item>,
    /// Pairs already out and unchanged.
    pub done: usize,
    /// Drafts, and retracted posts that never went out.
    pub skipped: usize,
}

impl Plan {
    pub fn actions(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !matches!(i.action, Action::Hold { .. }))
    }

    pub fn holds(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| matches!(i.action, Action::Hold { .. }))
    }
}

/// What narrows a plan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these platforms (empty: all enabled).
    pub platforms: Vec<PlatformId>,
}

/// The plan at `now`. `changed` tells whether a published post's file changed after the
/// commit it was published from; `over_limit` whether its rendering is too long (both are
/// computed by the caller, which has git and the renderer).
pub fn plan(
    project: &Project,
    ledger: &Ledger,
    reviews: &Reviews,
    now: Timestamp,
    options: &Options,
    changed: &dyn Fn(&Post, &Entry) -> bool,
) -> Plan {
    let crisis = crate::crisis::mode(project);
    let blackouts = crate::cadence::blackouts(project);
    // When a post went out, for the order of a chain's messages: its date, or its first
    // publication on any platform.
    let chains = Chains::of(project, |p| {
        p.date
            .or_else(|| PlatformId::ALL.iter().filter_map(|&pl| ledger.state(&p.id, pl).published.map(|e| e.at)).min())
    });
    let history = History::of(ledger);
    let mut items = Vec::new();
    let (mut done, mut skipped) = (0, 0);

    for post in &project.posts {
        if post.draft {
            skipped += 1;
            continue;
        }
        for platform in post.targets() {
            if !project.strategy.platforms.contains_key(&platform)
                || (!options.platforms.is_empty() && !options.platforms.contains(&platform))
            {
                continue;
            }
            let state = ledger.state(&post.id, platform);
            let is_crisis = post.kind == Kind::Crisis;
            let mut item = Item {
                post: post.id.clone(),
                platform,
                date: post.date,
                crisis: is_crisis,
                action: Action::Send { unsure_since: None },
                reply_to: None,
                review: None,
            };

            // What is already out is edited or removed regardless of schedule: a retraction or
            // a correction of wording must not wait for a blackout to end.
            if let (Some(published), Some(remote)) = (state.published, state.remote)
                && state.deleted.is_none()
            {
                let latest = state.latest().unwrap_or(published);
                let wants_pin = post.pin
                    && is_crisis
                    && platform::can_pin(platform)
                    && !chains.of_post(&post.id).is_some_and(|chain| {
                        // A message has gone out here when it is published and still up.
                        chain.over(now, |m| {
                            let s = ledger.state(&m.id, platform);
                            s.published.is_some() && s.deleted.is_none()
                        })
                    });
                item.action = match state.outcome() {
                    Outcome::Unknown => Action::Hold { reason: Hold::Unknown },
                    _ if post.retracted.is_some() => Action::Delete { remote: remote.clone() },
                    _ if state.pending.is_some() || changed(post, latest) => {
                        let edits = ledger.edits(&post.id, platform);
                        if platform::editing(platform).allows(published.at, edits, now) {
                            Action::Edit { remote: remote.clone() }
                        } else if state.pending.is_none() && !rendering_changed(project, post, platform, latest) {
                            // Nothing a reader of this platform would see changed: a
                            // correction would repeat the text already up.
                            done += 1;
                            continue;
                        } else {
                            Action::Correct {
                                remote: remote.clone(),
                                unsure_since: history.unsure_since(&post.id, platform),
                            }
                        }
                    }
                    _ if wants_pin && state.pinned.is_none() => Action::Pin { remote: remote.clone() },
                    _ if !wants_pin && state.pinned.is_some() => Action::Unpin { remote: remote.clone() },
                    _ => {
                        done += 1;
                        continue;
                    }
                };
                if matches!(item.action, Action::Edit { .. } | Action::Correct { .. }) {
                    match reviews.get(&post.id) {
                        Some(r) if r.met => item.review = Some(r.clone()),
                        // An unapproved change stays unpublished; the approved text stays up.
                        _ => {
                            done += 1;
                            continue;
                        }
                    }
                }
                items.push(item);
                continue;
            }
            if state.deleted.is_some() || post.retracted.is_some() {
                skipped += 1;
                continue;
            }

            item.action = match state.outcome() {
                Outcome::Unknown => Action::Hold { reason: Hold::Unknown },
                _ if !project.strategy.publishes(platform) => Action::Hold { reason: Hold::Manual },
                _ => due(post, platform, now, crisis, &blackouts, reviews, &history, &mut item, ledger, changed),
            };
            items.push(item);
        }
    }

    items.sort_by(|a, b| {
        let rank = |i: &Item| (matches!(i.action, Action::Hold { .. }), !i.crisis);
        (rank(a), a.date.is_none(), a.date, &a.post, a.platform).cmp(&(
            rank(b),
            b.date.is_none(),
            b.date,
            &b.post,
            b.platform,
        ))
    });
    Plan { now, crisis_mode: crisis, items, done, skipped }
}

#[allow(clippy::too_many_arguments)]
fn due(
    post: &Post,
    platform: PlatformId,
    now: Timestamp,
    crisis: bool,
    blackouts: &[Blackout],
    reviews: &Reviews,
    history: &History,
    item: &mut Item,
    ledger: &Ledger,
    changed: &dyn Fn(&Post, &Entry) -> bool,
) -> Action {
    let hold = |reason| Action::Hold { reason };
    let is_crisis = post.kind == Kind::Crisis;
    if let Some(at) = post.date
        && at > now
    {
        return hold(Hold::NotYet { at });
    }
    if !is_crisis {
        if crisis {
            return hold(Hold::Crisis);
        }
        if let Some(b) = blackouts.iter().find(|b| b.covers(now)) {
            return hold(Hold::Blackout { until: b.end, reason: b.reason.clone() });
        }
    }
    match reviews.get(&post.id) {
        Some(review) if review.met => item.review = Some(review.clone()),
        Some(review) => {
            return hold(Hold::Approval { needed: review.needed, found: review.found, detail: review.detail.clone() });
        }
        None => {
            return hold(Hold::Approval {
                needed: 1,
                found: 0,
                detail: "the post is not in a commit on this branch".into(),
            });
        }
    }
    if let Some(target) = post.reply_to() {
        let state = ledger.state(target, platform);
        match (state.remote, state.deleted) {
            (Some(remote), None) => {
                item.reply_to = Some(ReplyTarget { post: target.to_string(), remote: remote.clone() });
            }
            (_, Some(_)) => {} // the earlier post was removed: this one stands alone
            (None, None) => {
                return hold(Hold::WaitingFor { post: target.to_string() });
            }
        }
    }
    let state = ledger.state(&post.id, platform);
    if let Some(failed) = state.failed
        && failed.error.as_ref().is_some_and(|e| e.kind != "transient")
        && history.failed_intent(&post.id, platform).is_some_and(|intent| !changed(post, intent))
    {
        let message = failed.error.as_ref().map(|e| e.message.clone()).unwrap_or_default();
        return hold(Hold::Refused { message });
    }
    Action::Send { unsure_since: history.unsure_since(&post.id, platform) }
}

/// Whether what `post` renders to on `platform` now differs from the version `latest` records
/// (its `content` hash). A rendering that fails counts as changed: publishing then reports why.
fn rendering_changed(project: &Project, post: &Post, platform: PlatformId, latest: &Entry) -> bool {
    match crate::render::render(project, post, platform) {
        Ok(rendered) => latest.content.as_deref() != Some(rendered.payload_hash().as_str()),
        Err(_) => true,
    }
}

/// What would hold a non-crisis post at `at`, as far as the schedule tells now: a blackout
/// period covering that time, or crisis mode (if it is still on then).
pub fn hold_at(project: &Project, post: &Post, at: Timestamp) -> Option<Hold> {
    if post.kind == Kind::Crisis {
        return None;
    }
    if crate::crisis::mode(project) {
        return Some(Hold::Crisis);
    }
    crate::cadence::blackouts(project)
        .into_iter()
        .find(|b| b.covers(at))
        .map(|b| Hold::Blackout { until: b.end, reason: b.reason })
}

/// What the ledger says beyond the folded state: since when a pair's sends are unsure, and the
/// attempt that was last refused.
struct History<'a> {
    unsure: HashMap<(&'a str, PlatformId), Timestamp>,
    failed: HashMap<(&'a str, PlatformId), &'a Entry>,
}

impl<'a> History<'a> {
    fn of(ledger: &'a Ledger) -> History<'a> {
        let mut unsure: HashMap<(&str, PlatformId), Timestamp> = HashMap::new();
        let mut intents: HashMap<(&str, PlatformId), &Entry> = HashMap::new();
        let mut failed = HashMap::new();
        for e in ledger.entries() {
            let pair = (e.post.as_str(), e.platform);
            match e.event {
                Event::Intent => {
                    unsure.entry(pair).or_insert(e.at);
                    intents.insert(pair, e);
                }
                // A definite outcome: published, or a person said it did not go out.
                Event::Published | Event::Resolved | Event::Deleted | Event::Edited | Event::Corrected => {
                    unsure.remove(&pair);
                }
                Event::Pinned | Event::Unpinned => {}
                Event::Failed => {
                    if let Some(intent) = intents.get(&pair) {
                        failed.insert(pair, *intent);
                    }
                }
                Event::Unknown => {}
            }
        }
        History { unsure, failed }
    }

    fn unsure_since(&self, post: &str, platform: PlatformId) -> Option<Timestamp> {
        self.unsure.get(&(post, platform)).copied()
    }

    fn failed_intent(&self, post: &str, platform: PlatformId) -> Option<&'a Entry> {
        self.failed.get(&(post, platform)).copied()
    }
}

/// The plan as a table for the terminal.
pub fn describe(plan: &Plan, project: &Project) -> String {
    use std::fmt::Write as _;
    let tz = &project.strategy.timezone;
    let local = |t: Timestamp| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let mut out = String::new();
    let actions: Vec<&Item> = plan.actions().collect();
    if plan.crisis_mode {
        out.push_str("Crisis mode is on: planned posts are held until it ends.\n");
    }
    if actions.is_empty() {
        out.push_str("Nothing to send.\n");
    } else {
        let _ = writeln!(out, "To do ({}):", actions.len());
        for item in &actions {
            let what = match &item.action {
                Action::Send { unsure_since: Some(_) } => "finish",
                Action::Send { .. } => "publish",
                Action::Edit { .. } => "edit",
                Action::Correct { .. } => "correct",
                Action::Delete { .. } => "delete",
                Action::Pin { .. } => "pin",
                Action::Unpin { .. } => "unpin",
                Action::Hold { .. } => unreachable!("holds are filtered out"),
            };
            let reply = match &item.action {
                Action::Correct { .. } => {
                    let label = project.post(&item.post).map_or("Correction:", |p| platform::correction_label(&p.lang));
                    format!(
                        " ({} cannot edit: {} \"{label} …\" on the original)",
                        item.platform.display_name(),
                        platform::correction_form(item.platform)
                    )
                }
                _ => item.reply_to.as_ref().map_or(String::new(), |r| format!(" (reply to {})", r.post)),
            };
            let _ = writeln!(out, "  {what:<8} {:<10} {}{reply}{}", item.platform.name(), item.post, crisis_mark(item));
        }
    }
    // Holds a person can act on are listed pair by pair; the merely scheduled and the
    // by-hand platforms are summed up (a year of posts would otherwise bury the rest).
    let mut holds: BTreeMap<String, Vec<&Item>> = BTreeMap::new();
    let mut later: Vec<&Item> = Vec::new();
    let mut by_hand: BTreeMap<&'static str, usize> = BTreeMap::new();
    for item in plan.holds() {
        match &item.action {
            Action::Hold { reason: Hold::NotYet { .. } } => later.push(item),
            Action::Hold { reason: Hold::Manual } => *by_hand.entry(item.platform.display_name()).or_default() += 1,
            Action::Hold { reason } => holds.entry(hold_text(reason, &local)).or_default().push(item),
            _ => {}
        }
    }
    if !holds.is_empty() {
        let _ = writeln!(out, "Held ({}):", holds.values().map(Vec::len).sum::<usize>());
        for (why, items) in holds {
            let _ = writeln!(out, "  {why}:");
            for item in items {
                let _ = writeln!(out, "    {:<10} {}{}", item.platform.name(), item.post, crisis_mark(item));
            }
        }
    }
    if !later.is_empty() {
        let _ = writeln!(out, "Scheduled later ({}); the next:", later.len());
        for item in later.iter().take(5) {
            let at = item.date.map(&local).unwrap_or_default();
            let _ = writeln!(out, "    {at}  {:<10} {}{}", item.platform.name(), item.post, crisis_mark(item));
        }
    }
    if !by_hand.is_empty() {
        let list: Vec<String> = by_hand.iter().map(|(p, n)| format!("{p} {n}")).collect();
        let _ =
            writeln!(out, "To post by hand from dist/platforms/ (budkavle does not send there): {}.", list.join(", "));
    }
    // Posts that name no platforms go only where they fit: say where they do not, and why.
    let mut left_out: BTreeMap<(&'static str, &'static str), Vec<&str>> = BTreeMap::new();
    for post in project.posts.iter().filter(|p| !p.draft && p.retracted.is_none()) {
        for (id, reason) in &post.left_out {
            left_out.entry((id.display_name(), reason)).or_default().push(&post.id);
        }
    }
    for ((platform, reason), posts) in &left_out {
        let some: Vec<&str> = posts.iter().take(3).copied().collect();
        let more = if posts.len() > 3 { ", …" } else { "" };
        let _ = writeln!(
            out,
            "{reason}: not for {platform} ({} post{}: {}{more}).",
            posts.len(),
            if posts.len() == 1 { "" } else { "s" },
            some.join(", ")
        );
    }
    let _ = writeln!(out, "Already out and unchanged: {}; drafts and retracted: {}.", plan.done, plan.skipped);
    out
}

fn crisis_mark(item: &Item) -> &'static str {
    if item.crisis { "  [crisis]" } else { "" }
}

/// One sentence per hold reason, for people.
pub fn hold_text(reason: &Hold, local: &dyn Fn(Timestamp) -> String) -> String {
    match reason {
        Hold::NotYet { at } => format!("scheduled for {}", local(*at)),
        Hold::Blackout { until, reason } => format!("blackout until {}: {reason}", local(*until)),
        Hold::Crisis => {
            format!("held by crisis mode (strategy.toml [crisis] active, or {})", crate::crisis::CRISIS_FILE)
        }
        Hold::Approval { needed, found, detail } => {
            format!("needs {needed} approval(s), has {found}: {detail}")
        }
        Hold::WaitingFor { post } => format!("waits until {post} is out on this platform"),
        Hold::Unknown => "outcome of an earlier attempt unknown: settle with `budkavle resolve`".into(),
        Hold::Refused { message } => format!("refused by the platform, fix the post: {message}"),
        Hold::OverLimit => "too long for the platform: run `budkavle check`".into(),
        Hold::Manual => "not sent by budkavle: post by hand from dist/".into(),
    }
}
