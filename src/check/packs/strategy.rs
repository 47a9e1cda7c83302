//! The `strategy` pack: does the post serve the strategy, and does the schedule keep it — a goal
//! and an audience named, nothing cheerful in a blackout period, and no platform flooded (posts
//! too close together, too many in a day). Crisis posts are exempt from the schedule: they go
//! out when they must.
//!
//! Unknown goal and audience ids are load errors, so they are not repeated here. How many posts a
//! week a platform should get is a planning matter (`plan`), not a fault of any one post.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::cadence;
use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, ProjectCtx, ProjectEmitter, Rule};
use crate::kind::Kind;
use crate::platform::PlatformId;
use crate::post::Post;
use crate::strategy::Strategy;

pub(crate) fn rules(_strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    vec![Box::new(Goal), Box::new(Audience), Box::new(BlackoutRule), Box::new(Collision), Box::new(CadenceRule)]
}

fn local(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// Where to point for a finding about the post's timing: its `date`, else its title.
fn at_date<'e>(out: &'e mut Emitter<'_>, post: &Post, message: String) -> &'e mut crate::check::Finding {
    match &post.front.date {
        Some(d) => out.at_front(d.span(), message),
        None => out.on_post(message),
    }
}

// ---------------------------------------------------------------------------------------------

struct Goal;

impl Rule for Goal {
    fn id(&self) -> &str {
        "strategy.goal"
    }
    fn level(&self) -> Level {
        Level::Suggestion
    }
    fn description(&self) -> String {
        "A post that names none of the strategy's goals: say what it is for, so its results can be followed up.".into()
    }
    fn example(&self) -> String {
        "A post without `goal = \"…\"` when strategy.toml has [[goals]].".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let strategy = &ctx.project.strategy;
        let post = ctx.post;
        if post.draft || post.goal.is_some() || strategy.file.goals.is_empty() {
            return;
        }
        let known: Vec<&str> = strategy.goal_ids().collect();
        out.on_post(format!("which goal does this post serve? Add `goal = \"…\"` ({})", known.join(", ")));
    }
}

struct Audience;

impl Rule for Audience {
    fn id(&self) -> &str {
        "strategy.audience"
    }
    fn level(&self) -> Level {
        Level::Suggestion
    }
    fn description(&self) -> String {
        "A post that names none of the strategy's audiences: say who it is written for.".into()
    }
    fn example(&self) -> String {
        "A post without `audiences = [\"…\"]` when strategy.toml has [[audiences]].".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let strategy = &ctx.project.strategy;
        let post = ctx.post;
        if post.draft || !post.audiences.is_empty() || strategy.file.audiences.is_empty() {
            return;
        }
        let known: Vec<&str> = strategy.audience_ids().collect();
        out.on_post(format!("who is this post for? Add `audiences = [\"…\"]` ({})", known.join(", ")));
    }
}

// ---------------------------------------------------------------------------------------------

struct BlackoutRule;

impl Rule for BlackoutRule {
    fn id(&self) -> &str {
        "strategy.blackout"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "A post other than a crisis post scheduled inside a [blackout] period of strategy.toml.".into()
    }
    fn example(&self) -> String {
        "date = 2026-12-24T10:00:00 while a blackout period covers Christmas.".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let post = ctx.post;
        let Some(date) = post.date else { return };
        if post.draft || post.kind == Kind::Crisis {
            return;
        }
        let tz = &ctx.project.strategy.timezone;
        for period in cadence::blackouts(ctx.project) {
            if period.covers(date) {
                let (start, end) = (period.start, period.end);
                at_date(
                    out,
                    post,
                    format!(
                        "scheduled {} inside a blackout period ({} – {}): {} Move the date, or make it a crisis post if it must go out",
                        local(date, tz),
                        local(start, tz),
                        local(end, tz),
                        sentence(&period.reason)
                    ),
                );
            }
        }
    }
}

/// The reason as a sentence that another can follow.
fn sentence(reason: &str) -> String {
    let r = reason.trim();
    if r.ends_with(['.', '!', '?']) { r.to_string() } else { format!("{r}.") }
}

// ---------------------------------------------------------------------------------------------

/// A short human duration: "45m", "1h 30m", "1d 2h".
fn duration(d: SignedDuration) -> String {
    let total = d.as_secs().max(0) / 60;
    let (days, hours, minutes) = (total / (24 * 60), total / 60 % 24, total % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0 || parts.is_empty() {
        parts.push(format!("{minutes}m"));
    }
    parts.join(" ")
}

/// "Mastodon", "Mastodon and X", "Mastodon, Bluesky and X".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A post's findings keyed by what they say, each with the platforms it applies to and a detail.
type Groups<K> = BTreeMap<K, Vec<(PlatformId, String)>>;

/// Each post's groups, by post id, so findings come out in a stable order.
type PerPost<'a, K> = BTreeMap<&'a str, (&'a Post, Groups<K>)>;

/// Findings for one post gathered over platforms, so a clash on every platform is one finding.
fn emit_grouped<K>(out: &mut ProjectEmitter, post: &Post, groups: Groups<K>, message: impl Fn(&K, &str) -> String) {
    let mut emitter = out.post(post);
    for (key, list) in groups {
        let names: Vec<String> = list.iter().map(|(p, detail)| format!("{} ({detail})", p.display_name())).collect();
        let finding = at_date(&mut emitter, post, message(&key, &and_list(&names)));
        if let [(platform, _)] = list.as_slice() {
            finding.on_platform(*platform);
        }
    }
}

struct Collision;

impl Rule for Collision {
    fn id(&self) -> &str {
        "strategy.collision"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "Two posts on one platform closer together than its cadence `min_gap`: the second drowns the first.".into()
    }
    fn example(&self) -> String {
        "Two posts to Mastodon at 09:00 and 10:00 with cadence min_gap = \"2h\".".into()
    }

    fn check_project(&self, ctx: &ProjectCtx<'_>, out: &mut ProjectEmitter) {
        let tz = &ctx.project.strategy.timezone;
        // later post → (earlier post, its time, the gap) → platforms
        let mut clashes: PerPost<'_, (String, String, String)> = BTreeMap::new();
        for (platform, slots) in cadence::slots(ctx.project) {
            let Some(gap) = cadence::of(ctx.project, platform).and_then(|c| c.min_gap.as_ref()) else { continue };
            let Some(min) = crate::strategy::parse_duration(gap.get_ref()) else { continue };
            for pair in slots.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let apart = b.date.duration_since(a.date);
                if apart < min {
                    let detail = format!("min_gap {}", gap.get_ref());
                    let key = (a.post.id.clone(), local(a.date, tz), duration(apart));
                    clashes
                        .entry(&b.post.id)
                        .or_insert_with(|| (b.post, BTreeMap::new()))
                        .1
                        .entry(key)
                        .or_default()
                        .push((platform, detail));
                }
            }
        }
        for (_, (post, groups)) in clashes {
            emit_grouped(out, post, groups, |(other, when, apart), platforms| {
                format!(
                    "only {apart} after `{other}` ({when}) on {platforms}: space the posts out, or move one to another day"
                )
            });
        }
    }
}

struct CadenceRule;

impl Rule for CadenceRule {
    fn id(&self) -> &str {
        "strategy.cadence"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "More posts on one platform in one day (the organisation's time zone) than its cadence `max_per_day`.".into()
    }
    fn example(&self) -> String {
        "Five posts to Mastodon on 1 December with cadence max_per_day = 4.".into()
    }

    fn check_project(&self, ctx: &ProjectCtx<'_>, out: &mut ProjectEmitter) {
        let tz = &ctx.project.strategy.timezone;
        // post → (day, its place that day, the posts before it) → platforms
        let mut beyond: PerPost<'_, (jiff::civil::Date, usize, String)> = BTreeMap::new();
        for (platform, slots) in cadence::slots(ctx.project) {
            let Some(max) = cadence::of(ctx.project, platform).and_then(|c| c.max_per_day) else { continue };
            let mut days: BTreeMap<jiff::civil::Date, Vec<&cadence::Slot<'_>>> = BTreeMap::new();
            for slot in &slots {
                days.entry(slot.date.to_zoned_datetime(tz.clone()).date()).or_default().push(slot);
            }
            for (day, list) in days {
                for (n, slot) in list.iter().enumerate().skip(max as usize) {
                    let earlier: Vec<String> = list[..n].iter().map(|s| format!("`{}`", s.post.id)).collect();
                    let key = (day, n + 1, and_list(&earlier));
                    beyond
                        .entry(&slot.post.id)
                        .or_insert_with(|| (slot.post, BTreeMap::new()))
                        .1
                        .entry(key)
                        .or_default()
                        .push((platform, format!("max_per_day {max}")));
                }
            }
        }
        for (_, (post, groups)) in beyond {
            emit_grouped(out, post, groups, |(day, nth, earlier), platforms| {
                let nth = ordinal(*nth);
                format!("the {nth} post on {day} on {platforms}, after {earlier}: move it to another day")
            });
        }
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_lists() {
        assert_eq!(duration(SignedDuration::from_mins(90)), "1h 30m");
        assert_eq!(duration(SignedDuration::from_mins(0)), "0m");
        assert_eq!(duration(SignedDuration::from_hours(26)), "1d 2h");
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(23), "23rd");
    }
}
