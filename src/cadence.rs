//! The strategy's rules of timing, over the posts: blackout periods, and per platform the posts
//! that count against its cadence (`min_gap`, `max_per_day`). One reading for `check` (which
//! warns), the plan (which holds) and `new` (which proposes a free slot), so they agree.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::kind::Kind;
use crate::platform::PlatformId;
use crate::post::Post;
use crate::project::Project;
use crate::strategy::Cadence;

/// A `[blackout]` period, resolved in the organisation's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blackout {
    pub start: Timestamp,
    pub end: Timestamp,
    pub reason: String,
}

impl Blackout {
    pub fn covers(&self, at: Timestamp) -> bool {
        self.start <= at && at <= self.end
    }
}

/// Every blackout period whose times resolve (the loader reports those that do not).
pub fn blackouts(project: &Project) -> Vec<Blackout> {
    let tz = &project.strategy.timezone;
    project
        .strategy
        .file
        .blackout
        .periods
        .iter()
        .filter_map(|p| {
            let start = crate::datetime::resolve_datetime(p.start.get_ref(), tz).ok()?;
            let end = crate::datetime::resolve_datetime(p.end.get_ref(), tz).ok()?;
            Some(Blackout { start, end, reason: p.reason.clone() })
        })
        .collect()
}

/// A post that takes a slot in a platform's schedule.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    pub post: &'a Post,
    pub date: Timestamp,
}

/// Per platform, the posts that count against its cadence, in time order. Crisis posts, drafts,
/// retracted posts and undated posts (out on merge: when is unknown) do not count, and neither
/// do corrections and cancellations — they are replies that must go out as soon as they can.
pub fn slots(project: &Project) -> BTreeMap<PlatformId, Vec<Slot<'_>>> {
    let mut by_platform: BTreeMap<PlatformId, Vec<Slot<'_>>> = BTreeMap::new();
    for post in &project.posts {
        let Some(date) = post.date else { continue };
        if post.draft
            || post.kind == Kind::Crisis
            || post.retracted.is_some()
            || post.corrects.is_some()
            || post.cancels.is_some()
        {
            continue;
        }
        for platform in post.targets() {
            by_platform.entry(platform).or_default().push(Slot { post, date });
        }
    }
    for slots in by_platform.values_mut() {
        slots.sort_by(|a, b| (a.date, &a.post.id).cmp(&(b.date, &b.post.id)));
    }
    by_platform
}

/// A platform's cadence, configured whether the platform is enabled or not.
pub fn of(project: &Project, platform: PlatformId) -> Option<&Cadence> {
    project.strategy.configured.get(&platform).and_then(|c| c.cadence.as_ref())
}
