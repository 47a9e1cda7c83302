//! The report as HTML: a whole page for `report --format html`, and the same body for the
//! archive's public results pages. Charts ([`super::svg`]) sit in a figure with their table.

use std::fmt::Write;

use crate::escape::html as esc;
use crate::report::format::{Section, Table, heading, hours, in_time, sections};
use crate::report::svg::{self, Bar};
use crate::report::words::Words;
use crate::report::{Report, Status};

/// A standalone page: no script, nothing loaded from anywhere, light and dark.
pub fn html(r: &Report) -> String {
    let w = Words::of(&r.lang);
    let (title, sub) = heading(r);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>{}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p>{}</p>\n",
        esc(&r.lang),
        esc(&title),
        esc(&title),
        esc(&sub)
    );
    out.push_str(&body(r, w));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The body of an archive results page (the page around it is the theme's `results.html`):
/// the same sections and charts, under the page's own `<h1>`.
pub fn results_page(r: &Report) -> String {
    let (_, sub) = heading(r);
    format!("<p>{}</p>\n{}", esc(&sub), body(r, Words::of(&r.lang)))
}

const PAGE_STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1a1a1a;--bg:#ffffff;--line:#767676}\
@media (prefers-color-scheme: dark){:root{--fg:#ececec;--bg:#141414;--line:#a0a0a0}}\
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif}\
main{max-width:72rem;margin:0 auto;padding:1rem}\
.bk-table-wrap{overflow-x:auto}\
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}\
th,td{border-bottom:1px solid var(--line);padding:0.25rem 0.6rem;text-align:left;vertical-align:top}\
td.num{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1rem 0}\
";

fn body(r: &Report, w: &Words) -> String {
    let mut out = String::new();
    for s in sections(r) {
        let _ = writeln!(out, "<section aria-labelledby=\"bk-{}\">", esc(&s.id));
        let _ = writeln!(out, "<h{l} id=\"bk-{}\">{}</h{l}>", esc(&s.id), esc(&s.heading), l = s.level);
        if let Some(lead) = &s.lead {
            let _ = writeln!(out, "<p>{}</p>", esc(lead));
        }
        if let Some(chart) = chart(r, w, &s) {
            let _ = write!(out, "<figure>\n{chart}\n<figcaption>{}</figcaption>\n</figure>\n", esc(w.table_note));
        }
        if let Some(t) = &s.table {
            table(&mut out, t, &s.heading);
        }
        out.push_str("</section>\n");
    }
    out
}

/// A table in a region of its own that scrolls sideways on a narrow screen (and can be scrolled
/// with the keyboard), so the page itself never does.
fn table(out: &mut String, t: &Table, name: &str) {
    let _ = write!(
        out,
        "<div class=\"bk-table-wrap\" role=\"region\" aria-label=\"{}\" tabindex=\"0\"><table>\n<thead><tr>",
        esc(name)
    );
    for h in &t.headers {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", esc(c));
            } else if t.numeric[i] {
                let _ = write!(out, "<td class=\"num\">{}</td>", esc(c));
            } else {
                let _ = write!(out, "<td>{}</td>", esc(c));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

/// The chart of a section, if it has one.
fn chart(r: &Report, w: &Words, s: &Section) -> Option<String> {
    match s.id.as_str() {
        "goals" => goals_chart(r, w),
        "platform" => platform_chart(r, w),
        "slots" => slots_chart(r, w),
        "inbox" => inbox_chart(r, w),
        _ => None,
    }
}

/// Each KPI period as a bar of its actual value against the target (the dashed line at 100 %);
/// a period below target is hatched and says so in words.
fn goals_chart(r: &Report, w: &Words) -> Option<String> {
    let mut bars = Vec::new();
    let mut met = 0;
    let mut judged = 0;
    let mut findings = Vec::new();
    for g in &r.goals {
        let Some(k) = &g.kpi else { continue };
        for win in &g.windows {
            let Some(actual) = win.actual else { continue };
            let share = if k.target > 0.0 { actual / k.target } else { 1.0 };
            let status = w.status(win.status);
            judged += 1;
            if win.status == Status::Met {
                met += 1;
            }
            let label =
                if g.windows.len() == 1 { g.id.clone() } else { format!("{} {}", g.id, win.window.range.label) };
            findings.push(format!("{label} {} {} ({status})", w.decimal(share * 100.0, 0) + " %", w.percent_of_target));
            bars.push(Bar {
                label,
                length: share,
                value: format!("{} % – {status}", w.decimal(share * 100.0, 0)),
                hatched: win.status != Status::Met,
            });
        }
    }
    if bars.is_empty() {
        return None;
    }
    let desc = format!(
        "{met} {} {judged} {}: {}.",
        w.of,
        if w.lang == "sv" { "mätbara målperioder nådda" } else { "measurable goal periods met" },
        findings.join("; ")
    );
    let scale = bars.iter().map(|b| b.length).fold(1.0_f64, f64::max).min(3.0);
    Some(svg::bars("bk-chart-goals", w.chart_goals, &desc, &bars, scale, true))
}

fn platform_chart(r: &Report, w: &Words) -> Option<String> {
    let measured: Vec<_> = r.by_platform.iter().filter_map(|p| Some((p, p.figures.engagement?))).collect();
    if measured.is_empty() {
        return None;
    }
    let name = |key: &str| w.key(key);
    let best = measured.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let worst = measured.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let unmeasured: Vec<String> =
        r.by_platform.iter().filter(|p| p.figures.engagement.is_none()).map(|p| name(&p.key)).collect();
    let mut desc = if w.lang == "sv" {
        format!(
            "Högst engagemang på {} ({}), lägst på {} ({}).",
            name(&best.0.key),
            w.pct(best.1),
            name(&worst.0.key),
            w.pct(worst.1)
        )
    } else {
        format!(
            "Highest engagement on {} ({}), lowest on {} ({}).",
            name(&best.0.key),
            w.pct(best.1),
            name(&worst.0.key),
            w.pct(worst.1)
        )
    };
    if !unmeasured.is_empty() {
        let _ = write!(
            desc,
            " {}: {}.",
            if w.lang == "sv" {
                "Ingen räckvidd eller visningar att räkna engagemang på"
            } else {
                "No reach or views to compute engagement on"
            },
            unmeasured.join(", ")
        );
    }
    let bars: Vec<Bar> = measured
        .iter()
        .map(|(p, e)| Bar { label: name(&p.key), length: *e, value: w.pct(*e), hatched: false })
        .collect();
    let scale = bars.iter().map(|b| b.length).fold(0.0_f64, f64::max);
    Some(svg::bars("bk-chart-platforms", w.chart_platforms, &desc, &bars, scale, false))
}

fn slots_chart(r: &Report, w: &Words) -> Option<String> {
    if r.by_slot.is_empty() {
        return None;
    }
    let lo = r.by_slot.iter().map(|c| c.hour).min()?;
    let hi = r.by_slot.iter().map(|c| c.hour).max()?;
    let hours: Vec<u8> = (lo..=hi).collect();
    let days: Vec<usize> = {
        let mut d: Vec<usize> = r.by_slot.iter().map(|c| c.weekday as usize).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let rows: Vec<&str> = days.iter().map(|&d| w.weekdays[d]).collect();
    let mut ranked: Vec<_> = r.by_slot.iter().collect();
    ranked.sort_by(|a, b| b.engagement.total_cmp(&a.engagement));
    let top: Vec<String> = ranked
        .iter()
        .take(3)
        .map(|c| format!("{} {:02}:00 ({})", w.weekdays[c.weekday as usize], c.hour, w.pct(c.engagement)))
        .collect();
    let desc = format!(
        "{}: {}. {}",
        if w.lang == "sv" { "Högst engagemang" } else { "Highest engagement" },
        top.join(", "),
        if w.lang == "sv" { "Tomma rutor: inget publicerat då." } else { "Empty cells: nothing published then." }
    );
    Some(svg::grid("bk-chart-slots", w.chart_slots, &desc, &rows, &hours, |i, h| {
        let day = days[i] as u8;
        r.by_slot
            .iter()
            .find(|c| c.weekday == day && c.hour == h)
            .map(|c| (c.engagement, w.decimal(c.engagement * 100.0, 1)))
    }))
}

/// The share answered within the promise, this period against the previous one: length and the
/// printed share carry it, the previous period is hatched and named.
fn inbox_chart(r: &Report, w: &Words) -> Option<String> {
    let inbox = r.inbox.as_ref()?;
    let sv = w.lang == "sv";
    let mut bars = Vec::new();
    for (label, f, hatched) in [(&r.period.label, &inbox.current, false), (&r.previous.label, &inbox.previous, true)] {
        if let Some(share) = f.in_time {
            bars.push(Bar { label: label.clone(), length: share, value: in_time(w, f), hatched });
        }
    }
    if bars.is_empty() {
        return None;
    }
    let (c, p) = (&inbox.current, &inbox.previous);
    let mut desc = match c.in_time {
        Some(s) if sv => format!(
            "{} av ärendena besvarades inom {} under {} ({} av {}; obesvarade räknas som sena när tidsgränsen passerat); mediansvarstid {} kontorstid.",
            w.pct(s),
            inbox.response_time,
            r.period.label,
            c.answered_in_time,
            c.answered + c.overdue,
            hours(w, c.median_office_hours)
        ),
        Some(s) => format!(
            "{} of the items were answered within {} in {} ({} of {}; unanswered ones count as late once past due); median response {} of office time.",
            w.pct(s),
            inbox.response_time,
            r.period.label,
            c.answered_in_time,
            c.answered + c.overdue,
            hours(w, c.median_office_hours)
        ),
        None if sv => format!("Inget att bedöma under {}.", r.period.label),
        None => format!("Nothing to judge in {}.", r.period.label),
    };
    if let Some(ps) = p.in_time {
        let _ = write!(
            desc,
            " {} {}: {}.",
            if sv { "Föregående period" } else { "The previous period" },
            r.previous.label,
            w.pct(ps)
        );
    }
    let title = if sv { "Andel besvarade i tid" } else { "Share answered in time" };
    Some(svg::bars("bk-chart-inbox", title, &desc, &bars, 1.0, false))
}
