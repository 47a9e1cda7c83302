//! The calendar as a table for the terminal.

use std::fmt::Write as _;

use super::{Calendar, Status};

pub fn describe(cal: &Calendar) -> String {
    let mut out = String::new();
    let until = cal.from.checked_add(jiff::Span::new().days(i64::from(cal.days))).unwrap_or(cal.from);
    let _ = writeln!(out, "Plan {} – {} ({} days)", cal.from, until, cal.days);
    if cal.crisis_mode {
        out.push_str("Crisis mode is on: planned posts are held until it ends.\n");
    }
    for p in &cal.platforms {
        let mut rules = Vec::new();
        if let Some(g) = &p.min_gap {
            rules.push(format!("min gap {g}"));
        }
        if let Some(m) = p.max_per_day {
            rules.push(format!("at most {m}/day"));
        }
        if let Some(m) = p.min_per_week {
            rules.push(format!("at least {m}/week"));
        }
        let rules = if rules.is_empty() { String::new() } else { format!(" ({})", rules.join(", ")) };
        let _ = writeln!(out, "\n{}{rules}", p.platform.display_name());
        if p.days.is_empty() {
            out.push_str("  nothing planned\n");
        }
        for day in &p.days {
            let crowded = if day.crowded { "  ! more posts than max_per_day" } else { "" };
            let _ = writeln!(out, "  {} {}{crowded}", day.date.strftime("%a"), day.date);
            for e in &day.entries {
                let status = match &e.status {
                    Status::Published => "published".to_string(),
                    Status::Scheduled => "scheduled".to_string(),
                    Status::Due => "due now".to_string(),
                    Status::ByHand => "by hand".to_string(),
                    Status::Held { reason } => format!("HELD: {reason}"),
                };
                let close = e.too_close_to.as_ref().map_or(String::new(), |o| format!("  ! too close to {o}"));
                let _ = writeln!(out, "    {}  {:<9} {:<40} {status}{close}", e.time, e.kind, e.post);
            }
        }
        for w in &p.thin_weeks {
            let _ =
                writeln!(out, "  ! week of {}: {} post(s), cadence asks for at least {}", w.week_of, w.posts, w.min);
        }
        if let Some(b) = &p.best {
            let next = match (&b.next_free, b.next_is_best) {
                (Some(at), true) => format!("; next free of them: {at}"),
                (Some(at), false) => format!("; none free within two weeks, next free: {at}"),
                (None, _) => String::new(),
            };
            let _ = writeln!(out, "  best times by engagement (metrics/): {}{next}", b.slots.join(", "));
        }
    }
    out.push_str("\nCoverage of the period\n");
    let list = |items: &[(String, u32)]| {
        items
            .iter()
            .map(|(id, n)| if *n == 0 { format!("{id}: 0 (!)") } else { format!("{id}: {n}") })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "  goals: {}", list(&cal.coverage.goals));
    let _ = writeln!(out, "  audiences: {}", list(&cal.coverage.audiences));
    out
}
