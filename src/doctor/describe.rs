//! The report for people: one table row per platform, then what each needs, then one line that
//! says whether a due post would fail. The JSON (`--format json`) carries the same.

use std::fmt::Write;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{Report, Status};

/// The report as text, times in the organisation's zone `tz`.
pub fn describe(report: &Report, tz: &TimeZone) -> String {
    let local = |t: Timestamp| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let header = ["PLATFORM", "STATUS", "DUE", "ACCOUNT", "EXPIRES", "QUOTA LEFT"].map(String::from);
    let mut rows = vec![header];
    for c in &report.platforms {
        let by_hand = c.status == Status::ByHand;
        let dash = || "—".to_string();
        rows.push([
            c.platform.name().to_string(),
            c.status.label().to_string(),
            if by_hand { dash() } else { c.due.to_string() },
            c.account.clone().unwrap_or_else(dash),
            c.expires.map_or_else(dash, local),
            c.quota.as_ref().map_or_else(dash, |q| format!("{} of {}", q.remaining, q.limit)),
        ]);
    }
    let widths: Vec<usize> = (0..6).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i == 2 {
                line.push_str(&" ".repeat(pad)); // numbers to the right
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push_str("  ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }

    for c in report.platforms.iter().filter(|c| c.status != Status::ByHand) {
        let _ = writeln!(out, "\n{}", c.platform.display_name());
        for s in &c.secrets {
            let from = match (s.field, s.line) {
                (Some(f), Some(l)) => format!(" ({f}, strategy.toml:{l})"),
                _ => String::new(),
            };
            let set = if s.set { "set" } else { "NOT SET" };
            let _ = writeln!(out, "  secret   {}{from}: {set}", s.variable);
        }
        if let Some(message) = &c.message {
            let word = if c.fails { "FAILS" } else { "note" };
            let _ = writeln!(out, "  {word:<8} {message}");
        }
        match &c.scopes {
            Some(scopes) if !c.needed.is_empty() => {
                let _ = writeln!(out, "  scopes   {}; publishing needs {}", scopes.join(" "), c.needed.join(" "));
            }
            Some(scopes) => {
                let _ = writeln!(out, "  scopes   {}", scopes.join(" "));
            }
            None if !c.needed.is_empty() && c.status.fails() => {}
            None if !c.needed.is_empty() => {
                let _ = writeln!(out, "  scopes   not shown by the platform; publishing needs {}", c.needed.join(" "));
            }
            None => {}
        }
        if let Some(q) = &c.quota {
            let resets = q.resets.map_or(String::new(), |r| format!(", resets {}", local(r)));
            let _ = writeln!(out, "  quota    {} of {} {} left{resets}", q.remaining, q.limit, q.what);
        }
        for w in &c.warnings {
            let _ = writeln!(out, "  warning  {w}");
        }
        for n in &c.notes {
            let _ = writeln!(out, "  note     {n}");
        }
    }
    let by_hand = report.platforms.iter().filter(|c| c.status == Status::ByHand).map(|c| c.platform.name());
    let by_hand: Vec<&str> = by_hand.collect();
    if !by_hand.is_empty() {
        let _ = writeln!(out, "\nposted by hand from dist/platforms/, so not checked: {}", by_hand.join(", "));
    }
    for n in &report.notes {
        let _ = writeln!(out, "\nnote: {n}");
    }
    for s in &report.supervision {
        let _ = match (&s.last_reviewed, &s.by) {
            (Some(at), Some(by)) => writeln!(
                out,
                "\nwarning: {}'s comments were last reviewed {} by {by}; the next review was due {} ([interaction] supervise_every, §4 lagen (1998:112)): look through them, then `budkavle inbox reviewed {}`",
                s.platform,
                crate::inbox::queue::local(at, tz),
                s.due.as_deref().map_or_else(String::new, |d| crate::inbox::queue::local(d, tz)),
                s.platform
            ),
            _ => writeln!(
                out,
                "\nwarning: {}'s comments have never been reviewed (§4 lagen (1998:112)): look through them, then `budkavle inbox reviewed {}`",
                s.platform, s.platform
            ),
        };
    }

    out.push('\n');
    let names = |f: &dyn Fn(&super::Check) -> bool| {
        report.platforms.iter().filter(|c| f(c)).map(|c| c.platform.name()).collect::<Vec<_>>().join(", ")
    };
    if !report.ok {
        let n = report.failing.len();
        let _ = writeln!(
            out,
            "{n} platform{} with a post due now would fail: {}",
            if n == 1 { "" } else { "s" },
            names(&|c| c.fails && c.due > 0)
        );
    } else {
        let later = names(&|c| c.fails);
        if !later.is_empty() {
            let _ = writeln!(out, "would fail, but nothing is due there now (fix it before a post is): {later}");
        }
        let unreachable = names(&|c| c.status == Status::Unreachable);
        if !unreachable.is_empty() {
            let _ = writeln!(out, "could not be checked (the server could not be reached): {unreachable}");
        }
        if later.is_empty() && unreachable.is_empty() {
            let warned = names(&|c| c.status == Status::Warning);
            if warned.is_empty() {
                let _ = writeln!(out, "every platform budkavle publishes to is ready");
            } else {
                let _ = writeln!(out, "every platform budkavle publishes to is ready; warnings for: {warned}");
            }
        }
    }
    out
}
