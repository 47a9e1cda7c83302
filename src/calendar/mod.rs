//! `budkavle plan`: the coming days as a calendar per platform — what is scheduled, what a
//! blackout, crisis mode or a missing approval holds, where posts crowd each other and where
//! the cadence of strategy.toml is not met, and which goals and audiences the period serves.
//! Built from the same plan `publish` acts on, so the calendar never promises what `publish`
//! would not do.

mod text;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

pub use text::describe;

use crate::error::Result;
use crate::ledger::{Ledger, Outcome};
use crate::platform::PlatformId;
use crate::project::Project;
use crate::schedule::{Action, Hold, Options, hold_text};

#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    pub from: Date,
    pub days: u32,
    pub crisis_mode: bool,
    pub platforms: Vec<PlatformCalendar>,
    pub coverage: Coverage,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformCalendar {
    pub platform: PlatformId,
    pub min_gap: Option<String>,
    pub max_per_day: Option<u32>,
    pub min_per_week: Option<u32>,
    /// Only days with posts or a problem.
    pub days: Vec<Day>,
    /// Weeks (Monday first) of the period with fewer posts than `min_per_week`.
    pub thin_weeks: Vec<ThinWeek>,
    /// With metrics: the platform's best weekday × hour slots and the next free one of them
    /// (`None` without data for the platform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best: Option<BestSlots>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BestSlots {
    /// `Tue 10:00`, best first, in the organisation's time zone.
    pub slots: Vec<String>,
    /// The next time that keeps cadence and blackouts, a best slot where one is free within two
    /// weeks (local, `2026-12-08 10:00`).
    pub next_free: Option<String>,
    /// Whether `next_free` is one of `slots`.
    pub next_is_best: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub date: Date,
    pub entries: Vec<Entry>,
    /// More posts than `max_per_day`.
    pub crowded: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub post: String,
    pub title: String,
    pub at: Timestamp,
    /// Local `HH:MM`.
    pub time: String,
    pub kind: String,
    #[serde(flatten)]
    pub status: Status,
    /// The earlier post this one is closer to than `min_gap`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_close_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    Published,
    /// Goes out at its time.
    Scheduled,
    /// Due now: the next run sends it.
    Due,
    /// A platform budkavle does not send to: a person posts it from dist/ at its time.
    ByHand,
    Held {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct ThinWeek {
    pub week_of: Date,
    pub posts: u32,
    pub min: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Every goal of strategy.toml with how many posts of the period serve it.
    pub goals: Vec<(String, u32)>,
    pub audiences: Vec<(String, u32)>,
}

/// The calendar of `days` days from the day of `now` (organisation's time zone).
pub fn calendar(project: &Project, now: Timestamp, days: u32) -> Result<Calendar> {
    let tz = &project.strategy.timezone;
    let (plan, _) = crate::schedule::plan_at(project, now, &Options::default())?;
    let ledger = Ledger::read(&project.root)?;
    let local = |t: Timestamp| t.to_zoned_datetime(tz.clone());
    let from = local(now).date();
    let until = from.checked_add(i64::from(days).days()).unwrap_or(from);
    let in_window = |t: Timestamp| {
        let d = local(t).date();
        d >= from && d < until
    };
    let items: HashMap<(&str, PlatformId), &crate::schedule::Item> =
        plan.items.iter().map(|i| ((i.post.as_str(), i.platform), i)).collect();
    let hold_local = |t: Timestamp| local(t).strftime("%Y-%m-%d %H:%M").to_string();

    let mut goals: BTreeMap<String, u32> = project.strategy.goal_ids().map(|g| (g.to_string(), 0)).collect();
    let mut audiences: BTreeMap<String, u32> = project.strategy.audience_ids().map(|a| (a.to_string(), 0)).collect();
    let mut platforms = Vec::new();
    let mut counted = std::collections::HashSet::new();
    let preferred = crate::report::best_slots(project, &crate::metrics::Metrics::read(&project.root)?);

    for (&platform, config) in &project.strategy.platforms {
        let cadence = config.cadence.as_ref();
        let min_gap_text = cadence.and_then(|c| c.min_gap.as_ref()).map(|g| g.get_ref().clone());
        let min_gap = min_gap_text.as_deref().and_then(crate::strategy::parse_duration);
        let mut entries: Vec<Entry> = Vec::new();
        for post in &project.posts {
            let Some(at) = post.date else { continue };
            if post.draft || post.retracted.is_some() || !in_window(at) {
                continue;
            }
            if !post.targets().any(|p| p == platform) {
                continue;
            }
            let status = if ledger.state(&post.id, platform).outcome() == Outcome::Published {
                Status::Published
            } else {
                match items.get(&(post.id.as_str(), platform)).map(|i| &i.action) {
                    Some(Action::Hold { reason: Hold::NotYet { .. } }) => {
                        match crate::schedule::hold_at(project, post, at) {
                            Some(reason) => Status::Held { reason: hold_text(&reason, &hold_local) },
                            None => Status::Scheduled,
                        }
                    }
                    Some(Action::Hold { reason: Hold::Manual }) => Status::ByHand,
                    Some(Action::Hold { reason }) => Status::Held { reason: hold_text(reason, &hold_local) },
                    Some(_) => Status::Due,
                    None => Status::Published,
                }
            };
            if counted.insert(post.id.as_str()) {
                if let Some(g) = &post.goal {
                    *goals.entry(g.clone()).or_default() += 1;
                }
                for a in &post.audiences {
                    *audiences.entry(a.clone()).or_default() += 1;
                }
            }
            entries.push(Entry {
                post: post.id.clone(),
                title: post.title.clone(),
                at,
                time: local(at).strftime("%H:%M").to_string(),
                kind: post.kind.name().to_string(),
                status,
                too_close_to: None,
            });
        }
        entries.sort_by(|a, b| (a.at, &a.post).cmp(&(b.at, &b.post)));
        // Crowding counts what will actually appear: held posts may never go out then.
        let mut last_out: Option<(Timestamp, String)> = None;
        for e in entries.iter_mut() {
            if matches!(e.status, Status::Held { .. }) {
                continue;
            }
            if let (Some(min), Some((prev, id))) = (min_gap, &last_out)
                && e.at.duration_since(*prev) < min
            {
                e.too_close_to = Some(id.clone());
            }
            last_out = Some((e.at, e.post.clone()));
        }
        let max_per_day = cadence.and_then(|c| c.max_per_day);
        let mut by_day: BTreeMap<Date, Vec<Entry>> = BTreeMap::new();
        for e in entries {
            by_day.entry(local(e.at).date()).or_default().push(e);
        }
        let days_list: Vec<Day> = by_day
            .into_iter()
            .map(|(date, entries)| {
                let out = entries.iter().filter(|e| !matches!(e.status, Status::Held { .. })).count() as u32;
                Day { date, crowded: max_per_day.is_some_and(|m| out > m), entries }
            })
            .collect();
        let min_per_week = cadence.and_then(|c| c.min_per_week);
        let mut thin_weeks = Vec::new();
        if let Some(min) = min_per_week {
            let mut monday = from.checked_sub(i64::from(from.weekday().to_monday_zero_offset()).days()).unwrap_or(from);
            while monday < until {
                let sunday = monday.checked_add(7.days()).unwrap_or(monday);
                // Only whole weeks inside the period are judged: a part-week is not a gap.
                if monday >= from && sunday <= until {
                    let posts = days_list
                        .iter()
                        .filter(|d| d.date >= monday && d.date < sunday)
                        .flat_map(|d| &d.entries)
                        .filter(|e| !matches!(e.status, Status::Held { .. }))
                        .count() as u32;
                    if posts < min {
                        thin_weeks.push(ThinWeek { week_of: monday, posts, min });
                    }
                }
                monday = sunday;
            }
        }
        platforms.push(PlatformCalendar {
            platform,
            min_gap: min_gap_text,
            max_per_day,
            min_per_week,
            days: days_list,
            thin_weeks,
            best: best(project, platform, now, &preferred),
        });
    }
    Ok(Calendar {
        from,
        days,
        crisis_mode: plan.crisis_mode,
        platforms,
        coverage: Coverage { goals: goals.into_iter().collect(), audiences: audiences.into_iter().collect() },
    })
}

/// A platform's best slots from the metrics and the next free time that prefers them.
fn best(
    project: &Project,
    platform: PlatformId,
    now: Timestamp,
    preferred: &crate::schedule::Preferred,
) -> Option<BestSlots> {
    let slots = preferred.get(&platform)?;
    let tz = &project.strategy.timezone;
    let next = crate::schedule::next_free_preferring(project, &[platform], now, preferred);
    let weekday = |w: jiff::civil::Weekday| {
        jiff::civil::Date::constant(2026, 11, 30)
            .checked_add(i64::from(w.to_monday_zero_offset()).days())
            .map_or_else(|_| String::new(), |d| d.strftime("%a").to_string())
    };
    Some(BestSlots {
        slots: slots.iter().map(|(w, h)| format!("{} {h:02}:00", weekday(*w))).collect(),
        next_is_best: next.as_ref().is_some_and(|p| !p.best_for.is_empty()),
        next_free: next.map(|p| p.at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()),
    })
}
