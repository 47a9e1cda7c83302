//! The time a report covers and the KPI periods inside it, in the organisation's time zone:
//! "December" means December in Exempelstad, not in UTC.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::strategy::Period;

/// A half-open span of time `[start, end)` with the name a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Range {
    /// `2026-12`, `2026-Q4`, `2026`, or `2026-12-01–2026-12-14`.
    pub label: String,
    /// First day, inclusive.
    pub from: Date,
    /// Last day, inclusive.
    pub to: Date,
    #[serde(skip)]
    pub start: Timestamp,
    #[serde(skip)]
    pub end: Timestamp,
    /// The calendar unit when the range is exactly one, so the previous period is one too.
    #[serde(skip)]
    unit: Option<Period>,
}

impl Range {
    /// The days `from`..=`to` in `tz`.
    pub fn days(from: Date, to: Date, tz: &TimeZone) -> Result<Range> {
        if to < from {
            return Err(Error::Usage(format!("--to {to} is before --from {from}")));
        }
        let label = format!("{from}–{to}");
        Range::build(label, from, to, tz, None)
    }

    fn build(label: String, from: Date, to: Date, tz: &TimeZone, unit: Option<Period>) -> Result<Range> {
        let start = midnight(from, tz)?;
        let next = to.checked_add(1.day()).map_err(|e| Error::Usage(format!("{to}: {e}")))?;
        let end = midnight(next, tz)?;
        Ok(Range { label, from, to, start, end, unit })
    }

    /// `--period`: `2026-12` (a month), `2026-Q4` (a quarter) or `2026` (a year).
    pub fn parse(period: &str, tz: &TimeZone) -> Result<Range> {
        let bad = || {
            Error::Usage(format!("--period {period}: write a month (2026-12), a quarter (2026-Q4) or a year (2026)"))
        };
        let p = period.trim();
        let year = |s: &str| s.parse::<i16>().ok().filter(|y| (1970..=9999).contains(y)).ok_or_else(bad);
        match p.split_once('-') {
            None => Range::unit(Date::new(year(p)?, 1, 1).map_err(|_| bad())?, Period::Year, tz),
            Some((y, q)) if q.starts_with(['Q', 'q']) => {
                let n: i8 = q[1..].parse().ok().filter(|n| (1..=4).contains(n)).ok_or_else(bad)?;
                Range::unit(Date::new(year(y)?, (n - 1) * 3 + 1, 1).map_err(|_| bad())?, Period::Quarter, tz)
            }
            Some((y, m)) => {
                let m: i8 = m.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
                Range::unit(Date::new(year(y)?, m, 1).map_err(|_| bad())?, Period::Month, tz)
            }
        }
    }

    /// The calendar month, quarter, year or week (by its first day) as a range.
    pub fn unit(first: Date, unit: Period, tz: &TimeZone) -> Result<Range> {
        let next = step(first, unit)?;
        let to = next.yesterday().map_err(|e| Error::Usage(e.to_string()))?;
        let label = match unit {
            Period::Month => format!("{:04}-{:02}", first.year(), first.month()),
            Period::Quarter => format!("{:04}-Q{}", first.year(), (first.month() - 1) / 3 + 1),
            Period::Year => format!("{:04}", first.year()),
            Period::Week => {
                let w = first.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
        };
        Range::build(label, first, to, tz, Some(unit))
    }

    /// The month containing `now` (the default report).
    pub fn month_of(now: Timestamp, tz: &TimeZone) -> Result<Range> {
        let d = now.to_zoned_datetime(tz.clone()).date();
        Range::unit(d.first_of_month(), Period::Month, tz)
    }

    /// The period just before: the previous calendar unit, or as many days just before.
    pub fn previous(&self, tz: &TimeZone) -> Result<Range> {
        match self.unit {
            Some(unit) => Range::unit(back(self.from, unit)?, unit, tz),
            None => {
                let days = self.to.since(self.from).map_err(|e| Error::Usage(e.to_string()))?.get_days() as i64;
                let to = self.from.yesterday().map_err(|e| Error::Usage(e.to_string()))?;
                let from = to.checked_sub(days.days()).map_err(|e| Error::Usage(e.to_string()))?;
                Range::days(from, to, tz)
            }
        }
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }

    /// The KPI periods (`per`) that overlap this range, each whole from its own start (a week
    /// that began in the previous month counts all its days) and cut at this range's end, where
    /// it is then marked partial: a KPI is judged per calendar week, month, quarter or year.
    pub fn windows(&self, per: Period, tz: &TimeZone) -> Result<Vec<Window>> {
        let mut first = match per {
            Period::Week => {
                let back = self.from.weekday().to_monday_zero_offset();
                self.from.checked_sub((back as i64).days()).map_err(|e| Error::Usage(e.to_string()))?
            }
            Period::Month => self.from.first_of_month(),
            Period::Quarter => Date::new(self.from.year(), (self.from.month() - 1) / 3 * 3 + 1, 1)
                .map_err(|e| Error::Usage(e.to_string()))?,
            Period::Year => self.from.first_of_year(),
        };
        let mut out = Vec::new();
        while first <= self.to {
            let whole = Range::unit(first, per, tz)?;
            let partial = whole.end > self.end;
            let mut range = whole;
            if partial {
                range = Range::build(format!("{} → {}", range.label, self.to), range.from, self.to, tz, None)?;
            }
            out.push(Window { range, partial });
            first = step(first, per)?;
        }
        Ok(out)
    }
}

/// One KPI period, possibly cut short at the report's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    #[serde(flatten)]
    pub range: Range,
    /// Cut at the report's end: the period is not over, so a target not yet met is not missed.
    pub partial: bool,
}

fn midnight(d: Date, tz: &TimeZone) -> Result<Timestamp> {
    d.to_zoned_datetime(tz.clone()).map(|z| z.timestamp()).map_err(|e| Error::Usage(format!("{d}: {e}")))
}

fn step(first: Date, unit: Period) -> Result<Date> {
    let span = match unit {
        Period::Week => 1.week(),
        Period::Month => 1.month(),
        Period::Quarter => 3.months(),
        Period::Year => 1.year(),
    };
    first.checked_add(span).map_err(|e| Error::Usage(e.to_string()))
}

fn back(first: Date, unit: Period) -> Result<Date> {
    let span = match unit {
        Period::Week => 1.week(),
        Period::Month => 1.month(),
        Period::Quarter => 3.months(),
        Period::Year => 1.year(),
    };
    first.checked_sub(span).map_err(|e| Error::Usage(e.to_string()))
}

/// Monday first, as Swedish (and ISO) weeks are.
pub(crate) const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> TimeZone {
        TimeZone::get("Europe/Stockholm").unwrap()
    }

    #[test]
    fn a_month_is_local_and_its_previous_is_the_month_before() {
        let r = Range::parse("2026-12", &tz()).unwrap();
        assert_eq!(r.start.to_string(), "2026-11-30T23:00:00Z");
        assert_eq!(r.end.to_string(), "2026-12-31T23:00:00Z");
        assert_eq!(r.previous(&tz()).unwrap().label, "2026-11");
        assert_eq!(Range::parse("2027-01", &tz()).unwrap().previous(&tz()).unwrap().label, "2026-12");
        assert_eq!(Range::parse("2026-Q1", &tz()).unwrap().previous(&tz()).unwrap().label, "2025-Q4");
        assert!(Range::parse("2026-13", &tz()).is_err());
        assert!(Range::parse("december", &tz()).is_err());
    }

    #[test]
    fn custom_range_previous_has_the_same_length() {
        let r = Range::days(Date::constant(2026, 12, 1), Date::constant(2026, 12, 14), &tz()).unwrap();
        let p = r.previous(&tz()).unwrap();
        assert_eq!((p.from, p.to), (Date::constant(2026, 11, 17), Date::constant(2026, 11, 30)));
    }

    #[test]
    fn weekly_windows_of_december_2026() {
        let r = Range::parse("2026-12", &tz()).unwrap();
        let w = r.windows(Period::Week, &tz()).unwrap();
        // Mon 30 Nov … Mon 28 Dec: five weeks, the last cut at 31 Dec.
        assert_eq!(w.len(), 5);
        assert_eq!(w[0].range.from, Date::constant(2026, 11, 30));
        assert_eq!(w[0].range.label, "2026-W49");
        assert!(!w[0].partial);
        assert!(w[4].partial);
        assert_eq!(w[4].range.to, Date::constant(2026, 12, 31));
        let q = r.windows(Period::Quarter, &tz()).unwrap();
        assert_eq!((q.len(), q[0].range.from, q[0].partial), (1, Date::constant(2026, 10, 1), false));
        let nov = Range::parse("2026-11", &tz()).unwrap().windows(Period::Quarter, &tz()).unwrap();
        assert!(nov[0].partial);
    }
}
