//! Office hours and working time: when the promised response time runs, and when it stops.
//!
//! `office_hours = "mån–fre 08:00–16:30"` is read in Swedish or English: one or more groups
//! separated by `,` or `;`, each a day or a range of days and a range of times
//! (`"mon-thu 08:00-16:30, fri 08:00-15:00"`). A duration in working time
//! (`response_time = "4h"`, `supervise_every = "1d"`) counts hours and minutes of office time
//! only, and days as working days: `"1d"` is the same point of the next working day. The Swedish
//! public holidays ([`super::holidays`]) are never working days; weekends are not unless
//! `office_hours` opens on them. Everything is
//! in the organisation's time zone, so a daylight-saving change moves nothing: 08:00 is 08:00.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

use super::holidays;

/// Opening and closing time, in seconds after midnight, per weekday (Monday first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OfficeHours {
    days: [Option<(i32, i32)>; 7],
}

/// A length of working time: whole working days, then office seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WorkDuration {
    pub days: u32,
    pub seconds: i64,
}

const DAY_NAMES: [&[&str]; 7] = [
    &["mån", "måndag", "måndagar", "mon", "monday", "mo"],
    &["tis", "tisdag", "tisdagar", "tue", "tues", "tuesday", "tu"],
    &["ons", "onsdag", "onsdagar", "wed", "wednesday", "we"],
    &["tor", "tors", "torsdag", "torsdagar", "thu", "thur", "thurs", "thursday", "th"],
    &["fre", "fredag", "fredagar", "fri", "friday", "fr"],
    &["lör", "lördag", "lördagar", "sat", "saturday", "sa"],
    &["sön", "söndag", "söndagar", "sun", "sunday", "su"],
];

const FORMAT_HINT: &str =
    "write days and times like \"mån–fre 08:00–16:30\" or \"mon-thu 08:00-16:30, fri 08:00-15:00\"";

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '\u{2212}')
}

impl Default for OfficeHours {
    /// Monday to Friday, 08:00–17:00: a Swedish authority's usual day.
    fn default() -> Self {
        let day = Some((8 * 3600, 17 * 3600));
        OfficeHours { days: [day, day, day, day, day, None, None] }
    }
}

impl OfficeHours {
    /// Parses the strategy's `office_hours`; the error says what is wrong and how to write it.
    pub(crate) fn parse(text: &str) -> Result<OfficeHours, (String, String)> {
        let mut days = [None; 7];
        let groups: Vec<&str> = text.split([',', ';']).map(str::trim).filter(|g| !g.is_empty()).collect();
        if groups.is_empty() {
            return Err(("office_hours is empty".into(), FORMAT_HINT.into()));
        }
        for group in groups {
            let Some(split) = group.find(|c: char| c.is_ascii_digit()) else {
                return Err((format!("`{group}` has no opening hours"), FORMAT_HINT.into()));
            };
            let (day_part, time_part) = group.split_at(split);
            let (first, last) = match day_part.trim().split_once(is_dash) {
                Some((a, b)) => (day(a)?, day(b)?),
                None if day_part.trim().is_empty() => {
                    return Err((format!("`{group}` names no day"), FORMAT_HINT.into()));
                }
                None => {
                    let d = day(day_part)?;
                    (d, d)
                }
            };
            let Some((open, close)) = time_part.split_once(is_dash) else {
                return Err((format!("`{}` is not a range of times", time_part.trim()), FORMAT_HINT.into()));
            };
            let (open, close) = (time(open)?, time(close)?);
            if close <= open {
                return Err((
                    format!("`{}` closes before it opens", time_part.trim()),
                    "write the opening time first: \"08:00–16:30\"".into(),
                ));
            }
            let mut i = first;
            loop {
                days[i] = Some((open, close));
                if i == last {
                    break;
                }
                i = (i + 1) % 7;
            }
        }
        Ok(OfficeHours { days })
    }

    fn hours(&self, date: Date) -> Option<(i32, i32)> {
        if holidays::holiday(date).is_some() {
            return None;
        }
        self.days[date.weekday().to_monday_zero_offset() as usize]
    }

    /// The first working day on or after `date`.
    fn working_from(&self, mut date: Date) -> Option<(Date, (i32, i32))> {
        // A year always has working days if any weekday is open; two years bound a typo'd
        // configuration that opens on no day at all.
        for _ in 0..732 {
            if let Some(h) = self.hours(date) {
                return Some((date, h));
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// `start` plus `duration` of working time, in `tz`. `None` only past the calendar's end.
    pub(crate) fn add(&self, start: Timestamp, duration: WorkDuration, tz: &TimeZone) -> Option<Timestamp> {
        let local = start.to_zoned_datetime(tz.clone()).datetime();
        let now_s = seconds_of(local.time());
        // Where in office time `start` falls: during a working day, or at the next opening.
        let (mut date, mut hours, mut offset) = match self.hours(local.date()) {
            Some((open, close)) if now_s < close => (local.date(), (open, close), (now_s - open).max(0)),
            _ => {
                let (d, h) = self.working_from(local.date().tomorrow().ok()?)?;
                (d, h, 0)
            }
        };
        for _ in 0..duration.days {
            let (d, h) = self.working_from(date.tomorrow().ok()?)?;
            date = d;
            hours = h;
            offset = offset.min(h.1 - h.0);
        }
        let mut remaining = duration.seconds;
        loop {
            let available = i64::from(hours.1 - hours.0 - offset);
            if remaining <= available {
                let at = i64::from(hours.0 + offset) + remaining;
                return local_instant(date, at, tz);
            }
            remaining -= available;
            let (d, h) = self.working_from(date.tomorrow().ok()?)?;
            date = d;
            hours = h;
            offset = 0;
        }
    }
}

impl OfficeHours {
    /// The office time between `start` and `end`, in seconds: how long an answer took in the
    /// hours the promise counts (0 when `end` is not after `start`).
    pub(crate) fn between(&self, start: Timestamp, end: Timestamp, tz: &TimeZone) -> i64 {
        if end <= start {
            return 0;
        }
        let first = start.to_zoned_datetime(tz.clone()).date();
        let last = end.to_zoned_datetime(tz.clone()).date();
        let mut total = 0;
        let mut date = first;
        // Bounded like `working_from`: ten years of answering time is a broken clock, not a wait.
        for _ in 0..3660 {
            if let Some((open, close)) = self.hours(date)
                && let (Some(o), Some(c)) =
                    (local_instant(date, i64::from(open), tz), local_instant(date, i64::from(close), tz))
            {
                let (from, to) = (o.max(start), c.min(end));
                if to > from {
                    total += to.as_second() - from.as_second();
                }
            }
            if date >= last {
                break;
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        total
    }
}

fn seconds_of(t: Time) -> i32 {
    i32::from(t.hour()) * 3600 + i32::from(t.minute()) * 60 + i32::from(t.second())
}

fn local_instant(date: Date, seconds: i64, tz: &TimeZone) -> Option<Timestamp> {
    let (h, rest) = (seconds / 3600, seconds % 3600);
    let dt = if h >= 24 {
        DateTime::from_parts(date.tomorrow().ok()?, Time::midnight())
    } else {
        DateTime::from_parts(date, Time::new(h as i8, (rest / 60) as i8, (rest % 60) as i8, 0).ok()?)
    };
    tz.to_timestamp(dt).ok()
}

fn day(word: &str) -> Result<usize, (String, String)> {
    let w = word.trim().trim_end_matches('.').to_lowercase();
    DAY_NAMES.iter().position(|names| names.contains(&w.as_str())).ok_or_else(|| {
        (
            format!("`{}` is not a day of the week", word.trim()),
            "use Swedish or English day names: mån tis ons tor fre lör sön, or mon tue wed thu fri sat sun".into(),
        )
    })
}

fn time(word: &str) -> Result<i32, (String, String)> {
    let w = word.trim();
    let bad = || (format!("`{w}` is not a time of day"), "write hours and minutes: \"08:00\" or \"8.30\"".into());
    let (h, m) = w.split_once([':', '.']).unwrap_or((w, "0"));
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

impl WorkDuration {
    /// `"4h"`, `"90m"`, `"1d"`, `"1d 4h"`, `"2 timmar"`, `"1 working day"`.
    pub(crate) fn parse(text: &str) -> Result<WorkDuration, (String, String)> {
        let bad = || {
            (
                format!("`{text}` is not a duration"),
                "write working time like \"4h\", \"90m\", \"1d\" (one working day) or \"1d 4h\"".to_string(),
            )
        };
        let mut out = WorkDuration { days: 0, seconds: 0 };
        let mut rest = text.trim();
        let mut any = false;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(bad());
            }
            let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = rest[digits..].trim_start();
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let unit = rest[..unit_len].trim().trim_end_matches(',').to_lowercase();
            rest = rest[unit_len..].trim_start();
            let unit = unit.strip_suffix(" working").unwrap_or(&unit);
            match unit.trim_start_matches("working ").trim_start_matches("arbets") {
                "d" | "day" | "days" | "dag" | "dagar" => {
                    out.days = out.days.checked_add(u32::try_from(n).map_err(|_| bad())?).ok_or_else(bad)?;
                }
                "h" | "t" | "hour" | "hours" | "tim" | "timme" | "timmar" => out.seconds += n * 3600,
                "m" | "min" | "minute" | "minutes" | "minut" | "minuter" => out.seconds += n * 60,
                _ => return Err(bad()),
            }
            any = true;
        }
        if !any || (out.days == 0 && out.seconds == 0) {
            return Err(bad());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stockholm() -> TimeZone {
        jiff::tz::db().get("Europe/Stockholm").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
            .unwrap()
            .to_zoned_datetime(stockholm())
            .unwrap()
            .timestamp()
    }

    fn due(hours: &str, start: &str, dur: &str) -> String {
        let oh = OfficeHours::parse(hours).unwrap();
        let ts = oh.add(at(start), WorkDuration::parse(dur).unwrap(), &stockholm()).unwrap();
        ts.to_zoned_datetime(stockholm()).strftime("%Y-%m-%d %H:%M (%a)").to_string()
    }

    const H: &str = "mån–fre 08:00–16:30";

    #[test]
    fn within_a_day_and_across_the_evening() {
        assert_eq!(due(H, "2026-12-01 09:00", "4h"), "2026-12-01 13:00 (Tue)");
        // 15:00 Tuesday: 1.5 h left today, 2.5 h from Wednesday 08:00.
        assert_eq!(due(H, "2026-12-01 15:00", "4h"), "2026-12-02 10:30 (Wed)");
        // Written at night: the clock starts at the next opening.
        assert_eq!(due(H, "2026-12-01 22:40", "4h"), "2026-12-02 12:00 (Wed)");
        assert_eq!(due(H, "2026-12-02 06:10", "30m"), "2026-12-02 08:30 (Wed)");
        // Exactly filling the day ends at closing time.
        assert_eq!(due(H, "2026-12-02 12:30", "4h"), "2026-12-02 16:30 (Wed)");
    }

    #[test]
    fn across_weekends_and_holidays() {
        // Friday afternoon to Monday.
        assert_eq!(due(H, "2026-12-04 15:30", "4h"), "2026-12-07 11:00 (Mon)");
        // Saturday: counted from Monday's opening.
        assert_eq!(due(H, "2026-12-05 11:00", "4h"), "2026-12-07 12:00 (Mon)");
        // Christmas 2026: julafton Thu, juldagen Fri, weekend, then Monday 28th.
        assert_eq!(due(H, "2026-12-23 15:00", "4h"), "2026-12-28 10:30 (Mon)");
        // Easter 2027: långfredag 26/3 to annandag påsk 29/3; skärtorsdag is a working day.
        assert_eq!(due(H, "2027-03-25 16:00", "1h"), "2027-03-30 08:30 (Tue)");
        // Midsommar 2027: afton Friday 25/6.
        assert_eq!(due(H, "2027-06-24 16:00", "2h"), "2027-06-28 09:30 (Mon)");
        // Working days: one day from Thursday before Kristi himmelsfärd (2027-05-06) is Friday.
        assert_eq!(due(H, "2027-05-05 10:00", "1d"), "2027-05-07 10:00 (Fri)");
        assert_eq!(due(H, "2027-05-05 10:00", "1d 7h"), "2027-05-10 08:30 (Mon)");
    }

    #[test]
    fn across_daylight_saving_changes() {
        // 2027-03-28 (Sunday) clocks go forward; Friday 15:30 + 4h is Monday 11:00 local.
        let oh = OfficeHours::parse(H).unwrap();
        let start = at("2027-03-19 15:30");
        let end = oh.add(start, WorkDuration::parse("4h").unwrap(), &stockholm()).unwrap();
        assert_eq!(end.to_string(), "2027-03-22T10:00:00Z");
        // Easter weekend 2027 is the DST weekend: Thursday 16:00 + 1h → Tuesday 08:30 CEST.
        let end = oh.add(at("2027-03-25 16:00"), WorkDuration::parse("1h").unwrap(), &stockholm()).unwrap();
        assert_eq!(end.to_string(), "2027-03-30T06:30:00Z");
        // Back in October: Friday 2026-10-23 16:00 + 1h → Monday 26th 08:30 CET.
        let end = oh.add(at("2026-10-23 16:00"), WorkDuration::parse("1h").unwrap(), &stockholm()).unwrap();
        assert_eq!(end.to_string(), "2026-10-26T07:30:00Z");
    }

    #[test]
    fn office_time_between_two_instants() {
        let oh = OfficeHours::parse(H).unwrap();
        let between = |a: &str, b: &str| oh.between(at(a), at(b), &stockholm());
        assert_eq!(between("2026-12-01 09:00", "2026-12-01 10:30"), 5400);
        // Tuesday night to Wednesday 09:00: only Wednesday's first hour.
        assert_eq!(between("2026-12-01 22:00", "2026-12-02 09:00"), 3600);
        // Friday 16:00 to Monday 09:00: half an hour on Friday, an hour on Monday.
        assert_eq!(between("2026-12-04 16:00", "2026-12-07 09:00"), 5400);
        // Inverse of `add`: the due time is exactly the response time away.
        let due = oh.add(at("2026-12-23 15:00"), WorkDuration::parse("4h").unwrap(), &stockholm()).unwrap();
        assert_eq!(oh.between(at("2026-12-23 15:00"), due, &stockholm()), 4 * 3600);
        assert_eq!(between("2026-12-02 10:00", "2026-12-02 09:00"), 0);
    }

    #[test]
    fn parses_swedish_and_english_with_several_groups() {
        let oh = OfficeHours::parse("mon-thu 08:00-16:30; fri 8.00-15.00").unwrap();
        assert_eq!(oh.days[0], Some((8 * 3600, 16 * 3600 + 1800)));
        assert_eq!(oh.days[4], Some((8 * 3600, 15 * 3600)));
        assert_eq!(oh.days[5], None);
        let sv = OfficeHours::parse("Måndag–Fredag 07:30–16:00, lör 10:00–14:00").unwrap();
        assert_eq!(sv.days[5], Some((10 * 3600, 14 * 3600)));
        assert_eq!(due("mån–fre 08:00–16:30, lör 10:00–14:00", "2026-12-04 16:00", "2h"), "2026-12-05 11:30 (Sat)");
    }

    #[test]
    fn bad_office_hours_say_what_and_how() {
        for (text, needle) in [
            ("mån–fro 08:00–16:30", "`fro` is not a day"),
            ("mån–fre", "no opening hours"),
            ("mån–fre 16:30–08:00", "closes before it opens"),
            ("mån–fre 08:00", "not a range of times"),
            ("mån–fre 08:00–25:00", "`25:00` is not a time"),
            ("08:00–16:00", "names no day"),
            ("", "empty"),
        ] {
            let (msg, hint) = OfficeHours::parse(text).unwrap_err();
            assert!(msg.contains(needle), "{text}: {msg}");
            assert!(!hint.is_empty());
        }
    }

    #[test]
    fn durations() {
        assert_eq!(WorkDuration::parse("4h"), Ok(WorkDuration { days: 0, seconds: 4 * 3600 }));
        assert_eq!(WorkDuration::parse("1d 4h"), Ok(WorkDuration { days: 1, seconds: 4 * 3600 }));
        assert_eq!(WorkDuration::parse("90 min"), Ok(WorkDuration { days: 0, seconds: 5400 }));
        assert_eq!(WorkDuration::parse("2 timmar"), Ok(WorkDuration { days: 0, seconds: 7200 }));
        assert_eq!(WorkDuration::parse("1 working day"), Ok(WorkDuration { days: 1, seconds: 0 }));
        assert!(WorkDuration::parse("soon").is_err());
        assert!(WorkDuration::parse("0h").is_err());
        assert!(WorkDuration::parse("4x").is_err());
    }
}
