//! The report as tables: one list of sections that the text, Markdown and HTML forms all
//! write, so they cannot disagree; and CSV, one figure per row for a spreadsheet.

use std::fmt::Write;

use unicode_segmentation::UnicodeSegmentation;

use crate::report::words::Words;
use crate::report::{Figures, Report, Row, Status};
use crate::strategy::Metric;

pub(crate) struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns holding numbers, aligned right.
    pub numeric: Vec<bool>,
}

pub(crate) struct Section {
    /// Anchor and CSV section name.
    pub id: String,
    pub heading: String,
    /// 2 for a section, 3 inside a goal.
    pub level: u8,
    pub lead: Option<String>,
    pub table: Option<Table>,
}

/// The heading line of a report: organisation, period and the period compared with.
pub(crate) fn heading(r: &Report) -> (String, String) {
    let w = Words::of(&r.lang);
    (
        format!("{} – {} {}", r.organisation, w.title.to_lowercase(), r.period.label),
        format!(
            "{} {} ({} – {}), {} {} ({} – {}). {}",
            w.period,
            r.period.label,
            r.period.from,
            r.period.to,
            w.previous,
            r.previous.label,
            r.previous.from,
            r.previous.to,
            r.timezone
        ),
    )
}

fn figures_table(w: &Words, rows: &[Row]) -> Table {
    let mut t = Table {
        headers: vec![
            w.group.into(),
            w.posts.into(),
            w.with_data.into(),
            w.reach.into(),
            w.views.into(),
            w.interactions.into(),
            w.engagement.into(),
        ],
        rows: Vec::new(),
        numeric: vec![false, true, true, true, true, true, true],
    };
    for r in rows {
        t.rows.push(figure_cells(w, &w.key(&r.key), &r.figures));
    }
    t
}

fn figure_cells(w: &Words, label: &str, f: &Figures) -> Vec<String> {
    let opt = |v: Option<u64>| v.map_or_else(|| "–".to_string(), |v| w.int(v));
    vec![
        label.to_string(),
        f.posts.to_string(),
        f.posts_with_data.to_string(),
        opt(f.reach),
        opt(f.views),
        if f.pairs_with_data > 0 { w.int(f.interactions) } else { "–".into() },
        f.engagement.map_or_else(|| "–".to_string(), |e| w.pct(e)),
    ]
}

/// Every section of the report, in reading order.
pub(crate) fn sections(r: &Report) -> Vec<Section> {
    let w = Words::of(&r.lang);
    let mut out = Vec::new();

    let mut goals = Table {
        headers: vec![
            w.goal.into(),
            w.kpi.into(),
            w.target.into(),
            w.actual.into(),
            w.status.into(),
            w.posts.into(),
            w.change.into(),
        ],
        rows: Vec::new(),
        numeric: vec![false, false, true, true, false, false, true],
    };
    for g in &r.goals {
        let posts = format!("{} ({} {})", g.figures.posts, g.figures.posts_with_data, w.with_data);
        match &g.kpi {
            None => goals.rows.push(vec![
                g.id.clone(),
                w.no_kpi.into(),
                "–".into(),
                w.pct(g.figures.engagement.unwrap_or(0.0)),
                w.status(Status::NoKpi).into(),
                posts,
                w.change(g.change),
            ]),
            Some(k) if g.windows.iter().all(|win| win.status == Status::NoPosts) => goals.rows.push(vec![
                g.id.clone(),
                format!("{} {}", w.metric(k.metric), w.per(k.per)),
                w.value(k.metric, Some(k.target)),
                "–".into(),
                w.status(Status::NoPosts).into(),
                "0".into(),
                "–".into(),
            ]),
            Some(k) => {
                for win in &g.windows {
                    goals.rows.push(vec![
                        format!("{} ({})", g.id, win.window.range.label),
                        format!("{} {}", w.metric(k.metric), w.per(k.per)),
                        w.value(k.metric, Some(k.target)),
                        w.value(k.metric, win.actual),
                        w.status(win.status).into(),
                        format!("{} ({} {})", win.posts, win.posts_with_data, w.with_data),
                        if g.windows.len() == 1 { w.change(g.change) } else { "–".into() },
                    ]);
                }
            }
        }
    }
    out.push(Section { id: "goals".into(), heading: w.goals.into(), level: 2, lead: None, table: Some(goals) });

    for g in &r.goals {
        if g.top.is_empty() {
            continue;
        }
        let metric = g.kpi.as_ref().map_or(Metric::Engagement, |k| k.metric);
        for (which, rows) in [(w.top, &g.top), (w.bottom, &g.bottom)] {
            if rows.is_empty() {
                continue;
            }
            let t = Table {
                headers: vec![w.date.into(), w.posts.into(), w.metric(metric).into(), w.engagement.into()],
                rows: rows
                    .iter()
                    .map(|p| {
                        vec![
                            p.date.clone(),
                            format!("{} ({})", p.title, p.id),
                            w.value(metric, Some(p.value)),
                            p.figures.engagement.map_or_else(|| "–".to_string(), |e| w.pct(e)),
                        ]
                    })
                    .collect(),
                numeric: vec![false, false, true, true],
            };
            out.push(Section {
                id: format!("goal-{}-{}", g.id, if which == w.top { "top" } else { "bottom" }),
                heading: format!("{}: {} ({})", g.id, which.to_lowercase(), w.metric(metric)),
                level: 3,
                lead: None,
                table: Some(t),
            });
        }
    }

    let mut totals = figures_table(w, &[]);
    totals.rows.push(figure_cells(w, &r.period.label, &r.totals));
    totals.rows.push(figure_cells(w, &r.previous.label, &r.previous_totals));
    totals.rows.push(vec![
        w.change.into(),
        w.change(r.change.posts),
        "".into(),
        w.change(r.change.reach),
        w.change(r.change.views),
        w.change(r.change.interactions),
        w.change(r.change.engagement),
    ]);
    out.push(Section {
        id: "totals".into(),
        heading: w.totals.into(),
        level: 2,
        lead: (r.totals.posts_with_data == 0).then(|| w.nothing.to_string()),
        table: Some(totals),
    });

    for (id, heading, rows) in [
        ("platform", w.by_platform, &r.by_platform),
        ("audience", w.by_audience, &r.by_audience),
        ("kind", w.by_kind, &r.by_kind),
        ("lang", w.by_lang, &r.by_lang),
        ("image", w.by_image, &r.by_image),
        ("thread", w.by_thread, &r.by_thread),
    ] {
        if rows.is_empty() {
            continue;
        }
        out.push(Section {
            id: id.into(),
            heading: heading.into(),
            level: 2,
            lead: None,
            table: Some(figures_table(w, rows)),
        });
    }

    if !r.by_slot.is_empty() {
        out.push(Section {
            id: "slots".into(),
            heading: w.by_slot.into(),
            level: 2,
            lead: None,
            table: Some(Table {
                headers: vec![w.weekday.into(), w.hour.into(), w.pairs.into(), w.engagement.into()],
                rows: r
                    .by_slot
                    .iter()
                    .map(|c| {
                        vec![
                            w.weekdays[c.weekday as usize].to_string(),
                            format!("{:02}:00", c.hour),
                            c.pairs.to_string(),
                            w.pct(c.engagement),
                        ]
                    })
                    .collect(),
                numeric: vec![false, true, true, true],
            }),
        });
    }
    if r.best_slots.iter().any(|b| !b.slots.is_empty()) {
        out.push(Section {
            id: "best".into(),
            heading: w.best_slots.into(),
            level: 2,
            lead: None,
            table: Some(Table {
                headers: vec![w.group.into(), "1".into(), "2".into(), "3".into()],
                rows: r
                    .best_slots
                    .iter()
                    .map(|b| {
                        let mut row = vec![b.platform.display_name().to_string()];
                        for i in 0..3 {
                            row.push(b.slots.get(i).map_or_else(String::new, |c| {
                                format!("{} {:02}:00 ({})", w.weekdays[c.weekday as usize], c.hour, w.pct(c.engagement))
                            }));
                        }
                        row
                    })
                    .collect(),
                numeric: vec![false; 4],
            }),
        });
    }
    out
}

/// Plain text for a terminal: aligned columns.
pub fn text(r: &Report) -> String {
    let (title, sub) = heading(r);
    let mut out = format!("{title}\n{sub}\n");
    for s in sections(r) {
        let _ = write!(
            out,
            "\n{}\n{}\n",
            s.heading,
            if s.level == 2 { "=" } else { "-" }.repeat(s.heading.graphemes(true).count())
        );
        if let Some(lead) = &s.lead {
            let _ = writeln!(out, "{lead}");
        }
        if let Some(t) = &s.table {
            let cols = t.headers.len();
            let width = |i: usize| {
                std::iter::once(&t.headers[i])
                    .chain(t.rows.iter().map(|r| &r[i]))
                    .map(|c| c.graphemes(true).count())
                    .max()
                    .unwrap_or(0)
            };
            let widths: Vec<usize> = (0..cols).map(width).collect();
            let line = |cells: &[String]| -> String {
                let mut l = String::new();
                for (i, c) in cells.iter().enumerate() {
                    let pad = widths[i] - c.graphemes(true).count();
                    if i > 0 {
                        l.push_str("  ");
                    }
                    if t.numeric[i] {
                        l.push_str(&" ".repeat(pad));
                        l.push_str(c);
                    } else {
                        l.push_str(c);
                        l.push_str(&" ".repeat(pad));
                    }
                }
                l.trim_end().to_string() + "\n"
            };
            out.push_str(&line(&t.headers));
            for row in &t.rows {
                out.push_str(&line(row));
            }
        }
    }
    out
}

/// Markdown: a heading per section and pipe tables, for a wiki or an issue.
pub fn markdown(r: &Report) -> String {
    let (title, sub) = heading(r);
    let cell = |c: &str| c.replace('|', "\\|");
    let mut out = format!("# {}\n\n{}\n", cell(&title), cell(&sub));
    for s in sections(r) {
        let _ = write!(out, "\n{} {}\n\n", "#".repeat(s.level as usize), cell(&s.heading));
        if let Some(lead) = &s.lead {
            let _ = writeln!(out, "{}\n", cell(lead));
        }
        if let Some(t) = &s.table {
            let _ = writeln!(out, "| {} |", t.headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
            let _ = writeln!(
                out,
                "|{}|",
                t.numeric.iter().map(|&n| if n { " ---: " } else { " --- " }).collect::<Vec<_>>().join("|")
            );
            for row in &t.rows {
                let _ = writeln!(out, "| {} |", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
            }
        }
    }
    out
}

/// CSV (RFC 4180), one figure per row: `section,key,metric,value`, numbers unformatted (a
/// share as a fraction), for a spreadsheet's pivot table.
pub fn csv(r: &Report) -> String {
    let mut out = String::from("section,key,metric,value\r\n");
    let mut row = |section: &str, key: &str, metric: &str, value: String| {
        let q = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
        };
        let _ = write!(out, "{},{},{},{}\r\n", q(section), q(key), q(metric), q(&value));
    };
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v}"));
    let figures = |row: &mut dyn FnMut(&str, &str, &str, String), section: &str, key: &str, f: &Figures| {
        row(section, key, "posts", f.posts.to_string());
        row(section, key, "posts_with_data", f.posts_with_data.to_string());
        row(section, key, "pairs", f.pairs.to_string());
        row(section, key, "pairs_with_data", f.pairs_with_data.to_string());
        for m in [
            Metric::Reach,
            Metric::Views,
            Metric::Likes,
            Metric::Reposts,
            Metric::Replies,
            Metric::Quotes,
            Metric::Clicks,
            Metric::Saves,
            Metric::Shares,
            Metric::Interactions,
            Metric::Engagement,
            Metric::Followers,
        ] {
            row(section, key, m.name(), num(f.value(m)));
        }
    };
    figures(&mut row, "totals", &r.period.label, &r.totals);
    figures(&mut row, "totals", &r.previous.label, &r.previous_totals);
    for g in &r.goals {
        figures(&mut row, "goal", &g.id, &g.figures);
        if let Some(k) = &g.kpi {
            for win in &g.windows {
                let key = format!("{}@{}", g.id, win.window.range.label);
                row("kpi", &key, "target", format!("{}", k.target));
                row("kpi", &key, &format!("actual_{}", k.metric.name()), num(win.actual));
                row("kpi", &key, "status", win.status.name().to_string());
            }
        }
    }
    for (section, rows) in [
        ("platform", &r.by_platform),
        ("audience", &r.by_audience),
        ("kind", &r.by_kind),
        ("lang", &r.by_lang),
        ("image", &r.by_image),
        ("thread", &r.by_thread),
    ] {
        for x in rows {
            figures(&mut row, section, &x.key, &x.figures);
        }
    }
    for c in &r.by_slot {
        let key = format!("{}-{:02}", c.weekday + 1, c.hour);
        row("slot", &key, "pairs", c.pairs.to_string());
        row("slot", &key, "engagement", format!("{}", c.engagement));
    }
    out
}
