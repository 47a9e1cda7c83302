//! The next free time for a new post (`budkavle new`): a weekday working hour that keeps every
//! platform's cadence (`min_gap`, `max_per_day`) and lies in no blackout period, so two posts
//! written one after the other do not collide in `check`. Where the metrics show which weekday ×
//! hour works best on a platform ([`Preferred`], from `report::best_slots`), a free one of those
//! within the next two weeks wins over the earliest free hour.

use std::collections::BTreeMap;

use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::cadence;
use crate::platform::PlatformId;
use crate::project::Project;

/// The hours of a working day a new post is proposed at, in the organisation's time zone.
const HOURS: [i8; 4] = [9, 11, 13, 15];

/// How far ahead to look before giving up (a strategy whose cadence leaves no room).
const DAYS: i64 = 90;

/// How far ahead a best slot is worth waiting for: they come back every week, so two weeks hold
/// each at least once even when the first is taken.
const PREFER_DAYS: i64 = 14;

/// Per platform, the weekday × hour slots (local time) that did best, best first.
pub type Preferred = BTreeMap<PlatformId, Vec<(Weekday, i8)>>;

/// A proposed time and why it, and not an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub at: Timestamp,
    /// The reasons earlier candidates were passed over (the first few), empty when the first
    /// candidate was free.
    pub passed: Vec<String>,
    /// The platforms this is one of the best slots of; empty when no metrics chose it.
    pub best_for: Vec<PlatformId>,
}

/// The first candidate after `now` (at least an hour ahead, for review) that is free on every
/// one of `platforms`; `None` when the next 90 days hold none.
pub fn next_free(project: &Project, platforms: &[PlatformId], now: Timestamp) -> Option<Proposal> {
    next_free_preferring(project, platforms, now, &Preferred::new())
}

/// [`next_free`], but a free best slot of `preferred` within two weeks wins: the one worth most
/// over `platforms` (a platform's best slot counts 3, its second 2, its third 1), the earliest of
/// equals. Without preferred slots for `platforms`, exactly [`next_free`].
pub fn next_free_preferring(
    project: &Project,
    platforms: &[PlatformId],
    now: Timestamp,
    preferred: &Preferred,
) -> Option<Proposal> {
    let tz = &project.strategy.timezone;
    let slots = cadence::slots(project);
    let blackouts = cadence::blackouts(project);
    let earliest = now + SignedDuration::from_hours(1);
    let today = now.to_zoned_datetime(tz.clone()).date();
    // A slot's worth: over the platforms, 3 for a platform's best slot, 2 for its second, …
    let worth = |weekday: Weekday, hour: i8| -> (usize, Vec<PlatformId>) {
        let mut total = 0;
        let mut on = Vec::new();
        for &p in platforms {
            let Some(slots) = preferred.get(&p) else { continue };
            if let Some(rank) = slots.iter().position(|s| *s == (weekday, hour)) {
                total += slots.len().max(3) - rank;
                on.push(p);
            }
        }
        (total, on)
    };
    let mut best_worth = 0;
    let mut passed = Vec::new();
    let mut first: Option<Proposal> = None;
    let mut best: Option<Proposal> = None;
    for offset in 0..DAYS {
        if first.is_some() && (offset >= PREFER_DAYS || preferred.is_empty()) {
            break;
        }
        let Ok(day) = today.checked_add(offset.days()) else { break };
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        let mut hours: Vec<i8> = if weekend { Vec::new() } else { HOURS.to_vec() };
        if offset < PREFER_DAYS {
            hours.extend(
                platforms
                    .iter()
                    .filter_map(|p| preferred.get(p))
                    .flatten()
                    .filter(|(w, _)| *w == day.weekday())
                    .map(|(_, h)| *h),
            );
        }
        hours.sort_unstable();
        hours.dedup();
        for hour in hours {
            let Ok(at) = day.at(hour, 0, 0, 0).to_zoned_datetime(tz.clone()).map(|z| z.timestamp()) else { continue };
            if at < earliest {
                continue;
            }
            let local = at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
            match taken(project, &slots, &blackouts, platforms, at) {
                Some(why) => {
                    if first.is_none() && passed.len() < 3 {
                        passed.push(format!("{local}: {why}"));
                    }
                }
                None => {
                    let (w, on) = if offset < PREFER_DAYS { worth(day.weekday(), hour) } else { (0, Vec::new()) };
                    if w > best_worth {
                        best_worth = w;
                        best = Some(Proposal { at, passed: Vec::new(), best_for: on });
                    }
                    if first.is_none() && !weekend && HOURS.contains(&hour) {
                        first = Some(Proposal { at, passed: passed.clone(), best_for: Vec::new() });
                    }
                }
            }
        }
    }
    best.or(first)
}

/// Why `at` is not free, if it is not.
fn taken(
    project: &Project,
    slots: &std::collections::BTreeMap<PlatformId, Vec<cadence::Slot<'_>>>,
    blackouts: &[cadence::Blackout],
    platforms: &[PlatformId],
    at: Timestamp,
) -> Option<String> {
    if let Some(b) = blackouts.iter().find(|b| b.covers(at)) {
        return Some(format!("blackout ({})", b.reason.trim()));
    }
    let tz = &project.strategy.timezone;
    let day = at.to_zoned_datetime(tz.clone()).date();
    for &platform in platforms {
        let Some(c) = cadence::of(project, platform) else { continue };
        let on = slots.get(&platform).map(Vec::as_slice).unwrap_or_default();
        if let Some(gap) = c.min_gap.as_ref().and_then(|g| crate::strategy::parse_duration(g.get_ref()))
            && let Some(near) = on.iter().find(|s| s.date.duration_since(at).abs() < gap)
        {
            return Some(format!(
                "within min_gap {} of `{}` on {}",
                c.min_gap.as_ref().map_or("", |g| g.get_ref().as_str()),
                near.post.id,
                platform.display_name()
            ));
        }
        if let Some(max) = c.max_per_day {
            let that_day = on.iter().filter(|s| s.date.to_zoned_datetime(tz.clone()).date() == day).count();
            if that_day >= max as usize {
                return Some(format!("{} already has {max} posts that day (max_per_day)", platform.display_name()));
            }
        }
    }
    None
}
