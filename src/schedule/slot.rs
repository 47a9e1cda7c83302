//! The next free time for a new post (`budkavle new`): a weekday working hour that keeps every
//! platform's cadence (`min_gap`, `max_per_day`) and lies in no blackout period, so two posts
//! written one after the other do not collide in `check`.

use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::cadence;
use crate::platform::PlatformId;
use crate::project::Project;

/// The hours of a working day a new post is proposed at, in the organisation's time zone.
const HOURS: [i8; 4] = [9, 11, 13, 15];

/// How far ahead to look before giving up (a strategy whose cadence leaves no room).
const DAYS: i64 = 90;

/// A proposed time and why it, and not an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub at: Timestamp,
    /// The reasons earlier candidates were passed over (the first few), empty when the first
    /// candidate was free.
    pub passed: Vec<String>,
}

/// The first candidate after `now` (at least an hour ahead, for review) that is free on every
/// one of `platforms`; `None` when the next 90 days hold none.
pub fn next_free(project: &Project, platforms: &[PlatformId], now: Timestamp) -> Option<Proposal> {
    let tz = &project.strategy.timezone;
    let slots = cadence::slots(project);
    let blackouts = cadence::blackouts(project);
    let earliest = now + SignedDuration::from_hours(1);
    let today = now.to_zoned_datetime(tz.clone()).date();
    let mut passed = Vec::new();
    for offset in 0..DAYS {
        let Ok(day) = today.checked_add(offset.days()) else { break };
        if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            continue;
        }
        for hour in HOURS {
            let Ok(at) = day.at(hour, 0, 0, 0).to_zoned_datetime(tz.clone()).map(|z| z.timestamp()) else { continue };
            if at < earliest {
                continue;
            }
            let local = at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
            match taken(project, &slots, &blackouts, platforms, at) {
                Some(why) => {
                    if passed.len() < 3 {
                        passed.push(format!("{local}: {why}"));
                    }
                }
                None => return Some(Proposal { at, passed }),
            }
        }
    }
    None
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
