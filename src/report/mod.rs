//! `budkavle report`: did the posts reach the strategy's goals, and what works — from the posts
//! and the metrics files alone, no network (DESIGN §10). One [`Report`] value, computed once and
//! written as text, Markdown, CSV, JSON or an accessible HTML page with charts; the archive's
//! public results pages are the same value ([`results_page`]).
//!
//! The formulas are in `docs/metrics.md`; [`compute`] is their one home.

mod compute;
mod format;
mod html;
mod period;
mod responses;
mod svg;
mod words;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::error::Result;
use crate::metrics::Metrics;
use crate::platform::PlatformId;
use crate::project::Project;
use crate::strategy::{Metric, Period};

pub use compute::{Cell, Figures, change};
pub use format::{csv, markdown, text};
pub use html::{html, results_page};
pub use period::{Range, Window};
pub use responses::{ResponseChange, ResponseFigures, Responses};

use compute::Entry;

/// Posts shown as the best and the weakest of a goal.
const TOP: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub organisation: String,
    /// The organisation's language, which the text, Markdown and HTML are written in.
    pub lang: String,
    pub timezone: String,
    pub period: Range,
    pub previous: Range,
    pub totals: Figures,
    pub previous_totals: Figures,
    /// Per cent change from the previous period; `None` where there is nothing to compare.
    pub change: Change,
    pub goals: Vec<GoalReport>,
    pub by_platform: Vec<Row>,
    pub by_audience: Vec<Row>,
    pub by_kind: Vec<Row>,
    pub by_lang: Vec<Row>,
    /// `with_image` and `without_image`.
    pub by_image: Vec<Row>,
    /// `thread` and `single`.
    pub by_thread: Vec<Row>,
    /// Every platform together, weekday × hour of publishing (only cells with measured pairs).
    pub by_slot: Vec<Cell>,
    pub best_slots: Vec<BestSlots>,
    /// The inbox's volume and response times ([`Report::add_inbox`]); `null` when there is no
    /// inbox store.
    pub inbox: Option<Responses>,
    /// Whether the inbox was read: the public results pages leave it out (the store is on the
    /// officers' machines, not in the repository, so a site build must not depend on it).
    #[serde(skip)]
    pub inbox_read: bool,
}

impl Report {
    /// Adds the inbox figures of the period and the previous one, read-only from the store;
    /// returns whether there is a store.
    pub fn add_inbox(&mut self, project: &Project, now: Timestamp) -> Result<bool> {
        self.inbox = responses::responses(project, &self.period, &self.previous, now)?;
        self.inbox_read = true;
        Ok(self.inbox.is_some())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub posts: Option<f64>,
    pub reach: Option<f64>,
    pub views: Option<f64>,
    pub interactions: Option<f64>,
    pub engagement: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct BestSlots {
    pub platform: PlatformId,
    pub slots: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GoalReport {
    pub id: String,
    pub description: String,
    pub kpi: Option<Kpi>,
    /// The posts of this goal published in the report's period.
    pub figures: Figures,
    pub previous: Figures,
    /// Per cent change of the KPI's metric (engagement without a KPI) from the previous period.
    pub change: Option<f64>,
    /// Each KPI period overlapping the report's period, with its value.
    pub windows: Vec<KpiWindow>,
    pub status: Status,
    pub top: Vec<PostRow>,
    pub bottom: Vec<PostRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub metric: Metric,
    pub target: f64,
    pub per: Period,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiWindow {
    #[serde(flatten)]
    pub window: Window,
    pub posts: usize,
    pub posts_with_data: usize,
    pub actual: Option<f64>,
    pub status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The value reached the target.
    Met,
    /// The period is over and the value stayed under the target.
    NotMet,
    /// Under the target, but the period is not over.
    InProgress,
    /// Posts, but no snapshot gives this metric for them.
    NoData,
    /// No post of the goal in the period.
    NoPosts,
    /// The goal has no KPI.
    NoKpi,
}

impl Status {
    /// As in the JSON: `met`, `not_met`, …
    pub fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::InProgress => "in_progress",
            Status::NoData => "no_data",
            Status::NoPosts => "no_posts",
            Status::NoKpi => "no_kpi",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PostRow {
    pub id: String,
    pub title: String,
    pub date: String,
    /// The value it is ranked by (the goal's KPI metric, else engagement).
    pub value: f64,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The report of `range` (and of the period before it, for the change) as known at `now`: a
/// KPI period that has not ended yet is in progress, not missed.
pub fn report(project: &Project, metrics: &Metrics, range: &Range, now: Timestamp) -> Result<Report> {
    let tz = &project.strategy.timezone;
    let previous = range.previous(tz)?;
    let mut all = compute::entries(project, metrics);
    // In time order, so a period is one slice: hundreds of weekly KPI periods cost a binary
    // search each, not a pass over every post.
    all.sort_by_key(|e| e.at);
    let within = |r: &Range| -> Vec<&Entry<'_>> {
        let first = all.partition_point(|e| e.at < r.start);
        let end = first + all[first..].partition_point(|e| e.at < r.end);
        all[first..end].iter().collect()
    };
    let current = within(range);
    let before = within(&previous);
    let total = |es: &[&Entry<'_>]| {
        let mut f = Figures::default();
        for e in es {
            f.add_entry(e);
        }
        f
    };
    let totals = total(&current);
    let previous_totals = total(&before);
    let ch = |m: Metric| change(totals.value(m), previous_totals.value(m));
    let totals_change = Change {
        posts: change(Some(totals.posts as f64), Some(previous_totals.posts as f64)),
        reach: ch(Metric::Reach),
        views: ch(Metric::Views),
        interactions: ch(Metric::Interactions),
        engagement: ch(Metric::Engagement),
    };

    let mut goals = Vec::new();
    for goal in &project.strategy.file.goals {
        let id = goal.id.get_ref();
        let of_goal = |es: &[&Entry<'_>]| -> Figures {
            total(&es.iter().copied().filter(|e| e.post.goal.as_deref() == Some(id)).collect::<Vec<_>>())
        };
        let figures = of_goal(&current);
        let prev = of_goal(&before);
        let kpi = goal.kpi.as_ref().map(|k| Kpi { metric: k.metric, target: k.target, per: k.per });
        let metric = kpi.as_ref().map_or(Metric::Engagement, |k| k.metric);
        let mut windows = Vec::new();
        if let Some(k) = &kpi {
            for w in range.windows(k.per, tz)? {
                let f = of_goal(&within(&w.range));
                let actual = f.value(k.metric);
                let status = match actual {
                    _ if f.posts == 0 => Status::NoPosts,
                    None => Status::NoData,
                    Some(v) if v >= k.target => Status::Met,
                    Some(_) if w.partial || w.range.end > now => Status::InProgress,
                    Some(_) => Status::NotMet,
                };
                windows.push(KpiWindow {
                    window: w,
                    posts: f.posts,
                    posts_with_data: f.posts_with_data,
                    actual,
                    status,
                });
            }
        }
        let status = overall(kpi.is_some(), &windows);
        let mut ranked: Vec<PostRow> = current
            .iter()
            .filter(|e| e.post.goal.as_deref() == Some(id.as_str()))
            .filter_map(|e| {
                let mut f = Figures::default();
                f.add_entry(e);
                let value = f.value(metric)?;
                Some(PostRow {
                    id: e.post.id.clone(),
                    title: e.post.title.clone(),
                    date: e.at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
                    value,
                    figures: f,
                })
            })
            .collect();
        ranked.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.id.cmp(&b.id)));
        // Best and weakest never overlap: with few posts, each gets half.
        let top: Vec<PostRow> = ranked.iter().take(TOP.min(ranked.len().div_ceil(2))).cloned().collect();
        let bottom: Vec<PostRow> = ranked.iter().skip(top.len()).rev().take(TOP).cloned().collect();
        goals.push(GoalReport {
            id: id.clone(),
            description: goal.description.clone(),
            change: change(figures.value(metric), prev.value(metric)),
            kpi,
            figures,
            previous: prev,
            windows,
            status,
            top,
            bottom,
        });
    }

    let rows = |m: BTreeMap<String, Figures>| -> Vec<Row> {
        m.into_iter().map(|(key, figures)| Row { key, figures }).collect()
    };
    let by_platform = rows(compute::group(&current, |_, p| vec![p.name().to_string()]));
    let by_audience = rows(compute::group(&current, |e, _| e.post.audiences.clone()));
    let by_kind = rows(compute::group(&current, |e, _| vec![e.post.kind.name().to_string()]));
    let by_lang = rows(compute::group(&current, |e, _| vec![e.post.lang.clone()]));
    let by_image = rows(compute::group(&current, |e, _| {
        vec![if e.post.media.is_empty() { "without_image" } else { "with_image" }.to_string()]
    }));
    let by_thread =
        rows(compute::group(&current, |e, p| vec![if e.thread_on(p) { "thread" } else { "single" }.to_string()]));
    let cells = compute::cells(&current, tz);
    let by_slot = compute::merge(&cells);
    let best_slots = cells.iter().map(|(p, c)| BestSlots { platform: *p, slots: compute::best(c) }).collect::<Vec<_>>();

    Ok(Report {
        organisation: project.strategy.organisation().name.clone(),
        lang: project.strategy.organisation().lang.clone(),
        timezone: project.strategy.organisation().timezone.get_ref().clone(),
        period: range.clone(),
        previous,
        totals,
        previous_totals,
        change: totals_change,
        goals,
        by_platform,
        by_audience,
        by_kind,
        by_lang,
        by_image,
        by_thread,
        by_slot,
        best_slots,
        inbox: None,
        inbox_read: false,
    })
}

/// A goal over its KPI periods: missed when a finished period missed, met when every period
/// with a value met, in progress while one under target is still running.
fn overall(has_kpi: bool, windows: &[KpiWindow]) -> Status {
    if !has_kpi {
        return Status::NoKpi;
    }
    let any = |s: Status| windows.iter().any(|w| w.status == s);
    if any(Status::NotMet) {
        Status::NotMet
    } else if any(Status::InProgress) {
        Status::InProgress
    } else if any(Status::Met) {
        Status::Met
    } else if any(Status::NoData) {
        Status::NoData
    } else {
        Status::NoPosts
    }
}

/// The best weekday × hour slots per platform from every snapshot up to `until` (all of them
/// when `None`): what `new` and `plan` prefer when they propose a time. Empty without data, so
/// the proposal stays as it was.
pub fn best_slots(project: &Project, metrics: &Metrics) -> BTreeMap<PlatformId, Vec<(jiff::civil::Weekday, i8)>> {
    let all = compute::entries(project, metrics);
    let refs: Vec<&Entry<'_>> = all.iter().collect();
    compute::cells(&refs, &project.strategy.timezone)
        .iter()
        .map(|(p, cells)| {
            let slots =
                compute::best(cells).iter().map(|c| (period::WEEKDAYS[c.weekday as usize], c.hour as i8)).collect();
            (*p, slots)
        })
        .filter(|(_, s): &(PlatformId, Vec<_>)| !s.is_empty())
        .collect()
}

/// Writes a rendered report to `path` atomically: a reader never sees half a report, and a
/// failed run leaves the previous one in place.
pub fn write(path: &std::path::Path, text: &str) -> Result<()> {
    crate::fsutil::write_atomic(path, text.as_bytes())
}
