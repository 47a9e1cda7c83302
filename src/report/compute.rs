//! The arithmetic of a report (the formulas are written out in `docs/metrics.md`): which posts
//! and pairs a period holds, how their latest snapshots add up, and what a KPI's actual value is.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::metrics::{Metrics, Snapshot};
use crate::platform::PlatformId;
use crate::post::Post;
use crate::project::Project;
use crate::strategy::Metric;

/// A post the report counts: live (not a draft, not retracted), with the time it went out and
/// every pair it has — the platforms it targets and any other a snapshot names.
pub(crate) struct Entry<'a> {
    pub post: &'a Post,
    pub at: Timestamp,
    pub pairs: Vec<(PlatformId, Option<&'a Snapshot>)>,
}

impl Entry<'_> {
    pub fn has_data(&self) -> bool {
        self.pairs.iter().any(|(_, s)| s.is_some())
    }

    /// Written as a thread (a `---` break) for a platform that threads.
    pub fn thread_on(&self, platform: PlatformId) -> bool {
        crate::platform::get(platform).threads() && self.post.body_for(platform).parts.len() > 1
    }
}

/// Every live post with its pairs, once per report. A post without `date` went out on merge;
/// its first snapshot stands in for the time of publishing.
pub(crate) fn entries<'a>(project: &'a Project, metrics: &'a Metrics) -> Vec<Entry<'a>> {
    let mut by_post: HashMap<&str, Vec<&Snapshot>> = HashMap::new();
    for s in metrics.pairs() {
        by_post.entry(s.post.as_str()).or_default().push(s);
    }
    let mut out = Vec::new();
    for post in &project.posts {
        if post.draft || post.retracted.is_some() {
            continue;
        }
        let snaps = by_post.get(post.id.as_str()).map(Vec::as_slice).unwrap_or_default();
        let mut pairs: Vec<(PlatformId, Option<&Snapshot>)> =
            post.targets().map(|p| (p, snaps.iter().copied().find(|s| s.platform == p))).collect();
        for s in snaps {
            if !pairs.iter().any(|(p, _)| *p == s.platform) {
                pairs.push((s.platform, Some(s)));
            }
        }
        pairs.sort_by_key(|(p, _)| *p);
        let at = post.date.or_else(|| pairs.iter().filter_map(|(p, _)| metrics.first_seen(&post.id, *p)).min());
        if let Some(at) = at {
            out.push(Entry { post, at, pairs });
        }
    }
    out
}

/// The sums over a set of pairs. A count is `None` when no pair in the set has it: unknown,
/// not zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub posts: usize,
    /// Posts with at least one snapshot.
    pub posts_with_data: usize,
    pub pairs: usize,
    pub pairs_with_data: usize,
    /// Pairs with reach or views: those the engagement rate is computed over.
    pub pairs_measured: usize,
    pub reach: Option<u64>,
    pub views: Option<u64>,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub clicks: Option<u64>,
    pub saves: Option<u64>,
    pub shares: Option<u64>,
    /// Likes + reposts + replies + quotes + shares + saves + clicks over every pair with data.
    pub interactions: u64,
    /// Σ interactions ÷ Σ (reach, or views where reach is missing), over the measured pairs.
    pub engagement: Option<f64>,
    /// Followers of each platform's account in its latest snapshot here, summed.
    pub followers: Option<u64>,
    #[serde(skip)]
    engaged: u64,
    #[serde(skip)]
    audience: u64,
    #[serde(skip)]
    follower_seen: BTreeMap<PlatformId, (Timestamp, u64)>,
}

fn add(sum: &mut Option<u64>, v: Option<u64>) {
    if let Some(v) = v {
        *sum = Some(sum.unwrap_or(0).saturating_add(v));
    }
}

/// The interactions a snapshot counts, unknown ones as none.
pub(crate) fn interactions(s: &Snapshot) -> u64 {
    [s.likes, s.reposts, s.replies, s.quotes, s.shares, s.saves, s.clicks].iter().flatten().sum()
}

/// The denominator of engagement: reach, else views; `None` when the platform gave neither.
pub(crate) fn audience(s: &Snapshot) -> Option<u64> {
    s.reach.or(s.views).filter(|&a| a > 0)
}

impl Figures {
    pub(crate) fn add_post(&mut self, has_data: bool) {
        self.posts += 1;
        if has_data {
            self.posts_with_data += 1;
        }
    }

    pub(crate) fn add_pair(&mut self, snapshot: Option<&Snapshot>) {
        self.pairs += 1;
        let Some(s) = snapshot else { return };
        self.pairs_with_data += 1;
        add(&mut self.reach, s.reach);
        add(&mut self.views, s.views);
        add(&mut self.likes, s.likes);
        add(&mut self.reposts, s.reposts);
        add(&mut self.replies, s.replies);
        add(&mut self.quotes, s.quotes);
        add(&mut self.clicks, s.clicks);
        add(&mut self.saves, s.saves);
        add(&mut self.shares, s.shares);
        let i = interactions(s);
        self.interactions += i;
        if let Some(a) = audience(s) {
            self.pairs_measured += 1;
            self.engaged += i;
            self.audience += a;
            self.engagement = Some(self.engaged as f64 / self.audience as f64);
        }
        if let Some(f) = s.followers {
            let seen = self.follower_seen.entry(s.platform).or_insert((s.at, f));
            if s.at >= seen.0 {
                *seen = (s.at, f);
            }
            self.followers = Some(self.follower_seen.values().map(|(_, f)| f).sum());
        }
    }

    /// Adds a whole entry: one post, all its pairs.
    pub(crate) fn add_entry(&mut self, e: &Entry<'_>) {
        self.add_post(e.has_data());
        for (_, s) in &e.pairs {
            self.add_pair(*s);
        }
    }

    /// The value of `metric` here; `None` is "no data".
    pub fn value(&self, metric: Metric) -> Option<f64> {
        let n = |v: Option<u64>| v.map(|v| v as f64);
        match metric {
            Metric::Engagement => self.engagement,
            Metric::Interactions => (self.pairs_with_data > 0).then_some(self.interactions as f64),
            Metric::Reach => n(self.reach),
            Metric::Views => n(self.views),
            Metric::Likes => n(self.likes),
            Metric::Reposts => n(self.reposts),
            Metric::Replies => n(self.replies),
            Metric::Quotes => n(self.quotes),
            Metric::Clicks => n(self.clicks),
            Metric::Saves => n(self.saves),
            Metric::Shares => n(self.shares),
            Metric::Followers => n(self.followers),
        }
    }
}

/// Figures per key; a post under several keys (two audiences) counts under each.
pub(crate) fn group<'a>(
    entries: &[&Entry<'a>],
    keys: impl Fn(&Entry<'a>, PlatformId) -> Vec<String>,
) -> BTreeMap<String, Figures> {
    let mut out: BTreeMap<String, Figures> = BTreeMap::new();
    for e in entries {
        let mut seen: HashSet<String> = HashSet::new();
        for (platform, s) in &e.pairs {
            for key in keys(e, *platform) {
                let f = out.entry(key.clone()).or_default();
                if seen.insert(key) {
                    f.add_post(e.has_data());
                }
                f.add_pair(*s);
            }
        }
    }
    out
}

/// Engagement of the pairs published in one weekday × hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    pub hour: u8,
    pub pairs: usize,
    pub engagement: f64,
    #[serde(skip)]
    engaged: u64,
    #[serde(skip)]
    audience: u64,
}

/// Measured pairs by weekday × hour of publishing in the organisation's time zone, per
/// platform; only cells with pairs are returned, Monday 00 first.
pub(crate) fn cells<'a>(entries: &[&Entry<'a>], tz: &TimeZone) -> BTreeMap<PlatformId, Vec<Cell>> {
    let mut grid: BTreeMap<PlatformId, BTreeMap<(u8, u8), Cell>> = BTreeMap::new();
    for e in entries {
        let local = e.at.to_zoned_datetime(tz.clone());
        let key = (local.weekday().to_monday_zero_offset() as u8, local.hour() as u8);
        for (platform, s) in &e.pairs {
            let Some(s) = s else { continue };
            let Some(a) = audience(s) else { continue };
            let c = grid.entry(*platform).or_default().entry(key).or_insert(Cell {
                weekday: key.0,
                hour: key.1,
                ..Cell::default()
            });
            c.pairs += 1;
            c.engaged += interactions(s);
            c.audience += a;
            c.engagement = c.engaged as f64 / c.audience as f64;
        }
    }
    grid.into_iter().map(|(p, cells)| (p, cells.into_values().collect())).collect()
}

/// The cells of every platform together.
pub(crate) fn merge(cells: &BTreeMap<PlatformId, Vec<Cell>>) -> Vec<Cell> {
    let mut all: BTreeMap<(u8, u8), Cell> = BTreeMap::new();
    for c in cells.values().flatten() {
        let m = all.entry((c.weekday, c.hour)).or_insert(Cell { weekday: c.weekday, hour: c.hour, ..Cell::default() });
        m.pairs += c.pairs;
        m.engaged += c.engaged;
        m.audience += c.audience;
        m.engagement = m.engaged as f64 / m.audience as f64;
    }
    all.into_values().collect()
}

/// How many best slots a platform gets.
pub const BEST_SLOTS: usize = 3;

/// The cells with the highest engagement, best first (more pairs first on a tie).
pub(crate) fn best(cells: &[Cell]) -> Vec<Cell> {
    let mut sorted: Vec<Cell> = cells.iter().copied().filter(|c| c.audience > 0).collect();
    sorted.sort_by(|a, b| {
        b.engagement
            .total_cmp(&a.engagement)
            .then(b.pairs.cmp(&a.pairs))
            .then((a.weekday, a.hour).cmp(&(b.weekday, b.hour)))
    });
    sorted.truncate(BEST_SLOTS);
    sorted
}

/// Change from `previous` to `current` in per cent; `None` without a previous value to compare.
pub fn change(current: Option<f64>, previous: Option<f64>) -> Option<f64> {
    match (current, previous) {
        (Some(c), Some(p)) if p > 0.0 => Some((c - p) / p * 100.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(platform: PlatformId, reach: Option<u64>, views: Option<u64>, likes: u64, clicks: Option<u64>) -> Snapshot {
        let mut s = Snapshot::new("2026-12-02T10:00:00Z".parse().unwrap(), "p", platform);
        s.reach = reach;
        s.views = views;
        s.likes = Some(likes);
        s.clicks = clicks;
        s
    }

    #[test]
    fn engagement_is_a_ratio_of_sums_with_views_standing_in_for_reach() {
        // Facebook: reach 1000, 30 likes + 20 clicks = 50. X: no reach, views 500, 10 likes.
        // Mastodon: neither (left out of engagement, still counted for interactions): 7 likes.
        let fb = snap(PlatformId::Facebook, Some(1000), Some(4000), 30, Some(20));
        let x = snap(PlatformId::X, None, Some(500), 10, None);
        let m = snap(PlatformId::Mastodon, None, None, 7, None);
        let mut f = Figures::default();
        for s in [&fb, &x, &m] {
            f.add_pair(Some(s));
        }
        f.add_pair(None);
        // (50 + 10) / (1000 + 500) = 0.04, not the mean of 0.05 and 0.02.
        assert_eq!(f.engagement, Some(0.04));
        assert_eq!(f.interactions, 67);
        assert_eq!((f.pairs, f.pairs_with_data, f.pairs_measured), (4, 3, 2));
        assert_eq!(f.reach, Some(1000));
        assert_eq!(f.views, Some(4500));
        assert_eq!(f.clicks, Some(20));
        assert_eq!(f.shares, None);
        assert_eq!(f.value(Metric::Reach), Some(1000.0));
        assert_eq!(f.value(Metric::Shares), None);
        assert_eq!(f.value(Metric::Interactions), Some(67.0));
    }

    #[test]
    fn followers_take_each_platforms_latest_and_add_platforms() {
        let mut a = snap(PlatformId::Facebook, None, None, 0, None);
        a.followers = Some(100);
        let mut b = a.clone();
        b.at = "2026-12-05T10:00:00Z".parse().unwrap();
        b.followers = Some(120);
        let mut c = snap(PlatformId::Mastodon, None, None, 0, None);
        c.followers = Some(50);
        let mut f = Figures::default();
        for s in [&b, &a, &c] {
            f.add_pair(Some(s));
        }
        assert_eq!(f.followers, Some(170));
    }

    #[test]
    fn change_in_per_cent() {
        assert_eq!(change(Some(150.0), Some(100.0)), Some(50.0));
        assert_eq!(change(Some(75.0), Some(100.0)), Some(-25.0));
        assert_eq!(change(Some(1.0), Some(0.0)), None);
        assert_eq!(change(Some(1.0), None), None);
    }

    #[test]
    fn best_cells_rank_by_engagement() {
        let cell = |weekday, hour, engaged, audience| Cell {
            weekday,
            hour,
            pairs: 1,
            engagement: engaged as f64 / audience as f64,
            engaged,
            audience,
        };
        let cells = [cell(0, 9, 1, 100), cell(1, 13, 5, 100), cell(2, 15, 3, 100), cell(4, 11, 4, 100)];
        let b = best(&cells);
        assert_eq!(b.iter().map(|c| (c.weekday, c.hour)).collect::<Vec<_>>(), vec![(1, 13), (4, 11), (2, 15)]);
    }
}
