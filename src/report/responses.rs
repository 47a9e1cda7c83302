//! The inbox figures of a report: how many items came in, how fast they were answered and how
//! many within the promise (`[interaction] response_time`). The formulas are written out in
//! `docs/metrics.md` ("Response"); this is their one home.
//!
//! Only counts and durations: no citizen, no text, nothing that names one.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::error::Result;
use crate::inbox::stats::{Timing, timings};
use crate::project::Project;
use crate::report::{Range, change};

/// The inbox part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Responses {
    /// The promise as written in strategy.toml (`4h`, `1d`), counted in office hours.
    pub response_time: String,
    pub current: ResponseFigures,
    pub previous: ResponseFigures,
    pub change: ResponseChange,
}

/// One period's figures. Times are in hours; `office` ones count only office hours (what the
/// promise is about), the others the clock on the wall.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResponseFigures {
    /// Items written in the period.
    pub received: usize,
    pub by_platform: BTreeMap<String, usize>,
    /// An item with several kinds counts under each; one without any under `unclassified`.
    pub by_kind: BTreeMap<String, usize>,
    /// Items with a first `reply` or `resolve`.
    pub answered: usize,
    /// Answered at or before their due time.
    pub answered_in_time: usize,
    /// Not answered and past due at the report's clock: counted as not in time.
    pub overdue: usize,
    /// Not answered and not yet due: left out of the share.
    pub pending: usize,
    pub median_office_hours: Option<f64>,
    pub p90_office_hours: Option<f64>,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// answered_in_time / (answered + overdue).
    pub in_time: Option<f64>,
}

/// Per cent change from the previous period (percentage points for the share in time).
#[derive(Debug, Clone, Serialize)]
pub struct ResponseChange {
    pub received: Option<f64>,
    pub median_office_hours: Option<f64>,
    pub p90_office_hours: Option<f64>,
    /// Percentage points.
    pub in_time_points: Option<f64>,
}

/// The figures of `range` and `previous`, or `None` when the project has no inbox store.
pub(crate) fn responses(
    project: &Project,
    range: &Range,
    previous: &Range,
    now: Timestamp,
) -> Result<Option<Responses>> {
    let Some(current) = timings(project, range.start, range.end, now)? else { return Ok(None) };
    let Some(before) = timings(project, previous.start, previous.end, now)? else { return Ok(None) };
    let (cur, prev) = (figures(&current.items, now), figures(&before.items, now));
    let change = ResponseChange {
        received: change(Some(cur.received as f64), Some(prev.received as f64)),
        median_office_hours: change(cur.median_office_hours, prev.median_office_hours),
        p90_office_hours: change(cur.p90_office_hours, prev.p90_office_hours),
        in_time_points: match (cur.in_time, prev.in_time) {
            (Some(a), Some(b)) => Some((a - b) * 100.0),
            _ => None,
        },
    };
    Ok(Some(Responses { response_time: current.promise, current: cur, previous: prev, change }))
}

pub(crate) fn figures(items: &[Timing], now: Timestamp) -> ResponseFigures {
    let mut f = ResponseFigures { received: items.len(), ..ResponseFigures::default() };
    let mut office = Vec::new();
    let mut wall = Vec::new();
    for t in items {
        *f.by_platform.entry(t.platform.clone()).or_default() += 1;
        if t.kinds.is_empty() {
            *f.by_kind.entry("unclassified".into()).or_default() += 1;
        }
        for k in &t.kinds {
            *f.by_kind.entry(k.clone()).or_default() += 1;
        }
        match t.answered {
            Some(a) => {
                f.answered += 1;
                // No due time only past the calendar's end: never late.
                if t.due.is_none_or(|d| a <= d) {
                    f.answered_in_time += 1;
                }
                wall.push((a.as_second() - t.at.as_second()).max(0) as f64 / 3600.0);
                office.push(t.office_seconds.unwrap_or(0) as f64 / 3600.0);
            }
            None if t.due.is_some_and(|d| d < now) => f.overdue += 1,
            None => f.pending += 1,
        }
    }
    f.median_office_hours = median(&mut office);
    f.p90_office_hours = percentile(&office, 90);
    f.median_hours = median(&mut wall);
    f.p90_hours = percentile(&wall, 90);
    let judged = f.answered + f.overdue;
    f.in_time = (judged > 0).then(|| f.answered_in_time as f64 / judged as f64);
    f
}

/// The middle value, or the mean of the two middle ones; sorts `v`.
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Nearest rank: the smallest value with at least `p` % of the values at or below it. `v` is
/// sorted.
fn percentile(v: &[f64], p: usize) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = (p * v.len()).div_ceil(100).max(1);
    Some(v[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn item(at: &str, due: &str, answered: Option<&str>, office_h: i64, kinds: &[&str]) -> Timing {
        Timing {
            platform: "facebook".into(),
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            at: ts(at),
            due: Some(ts(due)),
            answered: answered.map(ts),
            office_seconds: answered.map(|_| office_h * 3600),
        }
    }

    #[test]
    fn median_percentile_and_share() {
        let now = ts("2026-12-20T00:00:00Z");
        let items = [
            item("2026-12-01T08:00:00Z", "2026-12-01T12:00:00Z", Some("2026-12-01T09:00:00Z"), 1, &["question"]),
            item("2026-12-01T08:00:00Z", "2026-12-01T12:00:00Z", Some("2026-12-01T11:00:00Z"), 3, &[]),
            item(
                "2026-12-01T08:00:00Z",
                "2026-12-01T12:00:00Z",
                Some("2026-12-01T12:00:00Z"),
                4,
                &["question", "criticism"],
            ),
            item("2026-12-01T08:00:00Z", "2026-12-01T12:00:00Z", Some("2026-12-02T10:00:00Z"), 10, &[]),
            // Open and past due: not in time, not in the median.
            item("2026-12-02T08:00:00Z", "2026-12-02T12:00:00Z", None, 0, &[]),
            // Open, due after the clock: pending, left out of the share.
            item("2026-12-19T20:00:00Z", "2026-12-21T11:00:00Z", None, 0, &[]),
        ];
        let f = figures(&items, now);
        assert_eq!((f.received, f.answered, f.answered_in_time, f.overdue, f.pending), (6, 4, 3, 1, 1));
        // Office hours 1, 3, 4, 10: median (3 + 4) / 2, p90 the 4th of 4 (ceil(3.6)).
        assert_eq!(f.median_office_hours, Some(3.5));
        assert_eq!(f.p90_office_hours, Some(10.0));
        // Wall clock 1, 3, 4, 26 hours.
        assert_eq!(f.median_hours, Some(3.5));
        assert_eq!(f.p90_hours, Some(26.0));
        assert_eq!(f.in_time, Some(3.0 / 5.0));
        assert_eq!(f.by_kind.get("unclassified"), Some(&4));
        assert_eq!(f.by_kind.get("question"), Some(&2));
        assert_eq!(f.by_platform.get("facebook"), Some(&6));
    }

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 90), Some(9.0));
        assert_eq!(percentile(&v[..1], 90), Some(1.0));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
    }

    #[test]
    fn nothing_in_the_period() {
        let f = figures(&[], ts("2026-12-20T00:00:00Z"));
        assert_eq!((f.received, f.in_time, f.median_office_hours), (0, None, None));
    }
}
