//! The report as tables: one list of sections that the text, Markdown and HTML forms all
//! write, so they cannot disagree; and CSV, one figure per row for a spreadsheet.

use std::fmt::Write;

use unicode_segmentation::UnicodeSegmentation;

use crate::report::words::Words;
use crate::report::{Figures, Report, ResponseFigures, Row, Status};
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

    if r.inbox_read {
        out.extend(inbox_sections(r, w));
    }

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

/// Hours as this language writes them: `1,5 h`.
pub(crate) fn hours(w: &Words, h: Option<f64>) -> String {
    h.map_or_else(|| "–".to_string(), |h| format!("{}\u{a0}h", w.decimal(h, 1)))
}

/// The share in time with its count: `83 % (10 av 12)`.
pub(crate) fn in_time(w: &Words, f: &ResponseFigures) -> String {
    match f.in_time {
        Some(s) => format!("{} ({} {} {})", w.pct(s), f.answered_in_time, w.of, f.answered + f.overdue),
        None => "–".into(),
    }
}

/// The inbox: a summary against the previous period, then the volume by platform and kind.
fn inbox_sections(r: &Report, w: &Words) -> Vec<Section> {
    let sv = w.lang == "sv";
    let heading = if sv { "Inkorgen: svar till invånare" } else { "Inbox: answering the public" };
    let Some(inbox) = &r.inbox else {
        return vec![Section {
            id: "inbox".into(),
            heading: heading.into(),
            level: 2,
            lead: Some(
                if sv {
                    "Ingen inkorg finns på den här datorn: inga svarstider i rapporten."
                } else {
                    "There is no inbox store on this machine: the report has no response times."
                }
                .into(),
            ),
            table: None,
        }];
    };
    let (c, p) = (&inbox.current, &inbox.previous);
    let lead = if sv {
        format!(
            "Löftet: svar inom {} räknat i kontorstid. Svarstid räknas till första svar (reply) eller avslut (resolve); obesvarade ingår inte i median och 90:e percentil, och räknas som för sent när de passerat sin tidsgräns.",
            inbox.response_time
        )
    } else {
        format!(
            "The promise: an answer within {} of office time. Response time runs to the first reply or resolve; unanswered items are not in the median and the 90th percentile, and count as late once past due.",
            inbox.response_time
        )
    };
    let points = |v: Option<f64>| match v {
        Some(v) => format!(
            "{}{} {}",
            if v > 0.0 { "+" } else { "" },
            w.decimal(v, 0),
            if sv { "procentenheter" } else { "points" }
        ),
        None => "–".into(),
    };
    let count = |n: usize| w.int(n as u64);
    let rows = vec![
        vec![
            (if sv { "Inkomna" } else { "Received" }).to_string(),
            count(c.received),
            count(p.received),
            w.change(inbox.change.received),
        ],
        vec![(if sv { "Besvarade" } else { "Answered" }).to_string(), count(c.answered), count(p.answered), "–".into()],
        vec![
            (if sv { "Besvarade i tid" } else { "Answered in time" }).to_string(),
            in_time(w, c),
            in_time(w, p),
            points(inbox.change.in_time_points),
        ],
        vec![
            (if sv { "Obesvarade, för sent" } else { "Unanswered, past due" }).to_string(),
            count(c.overdue),
            count(p.overdue),
            "–".into(),
        ],
        vec![
            (if sv { "Obesvarade, inom tid" } else { "Unanswered, not yet due" }).to_string(),
            count(c.pending),
            count(p.pending),
            "–".into(),
        ],
        vec![
            (if sv { "Median, kontorstid" } else { "Median, office hours" }).to_string(),
            hours(w, c.median_office_hours),
            hours(w, p.median_office_hours),
            w.change(inbox.change.median_office_hours),
        ],
        vec![
            (if sv { "90:e percentil, kontorstid" } else { "90th percentile, office hours" }).to_string(),
            hours(w, c.p90_office_hours),
            hours(w, p.p90_office_hours),
            w.change(inbox.change.p90_office_hours),
        ],
        vec![
            (if sv { "Median, klocktid" } else { "Median, clock time" }).to_string(),
            hours(w, c.median_hours),
            hours(w, p.median_hours),
            "–".into(),
        ],
        vec![
            (if sv { "90:e percentil, klocktid" } else { "90th percentile, clock time" }).to_string(),
            hours(w, c.p90_hours),
            hours(w, p.p90_hours),
            "–".into(),
        ],
    ];
    let mut out = vec![Section {
        id: "inbox".into(),
        heading: heading.into(),
        level: 2,
        lead: Some(lead),
        table: Some(Table {
            headers: vec![w.group.into(), r.period.label.clone(), r.previous.label.clone(), w.change.into()],
            rows,
            numeric: vec![false, true, true, true],
        }),
    }];
    let mut volume = Table {
        headers: vec![w.group.into(), r.period.label.clone(), r.previous.label.clone()],
        rows: Vec::new(),
        numeric: vec![false, true, true],
    };
    let keys = |a: &std::collections::BTreeMap<String, usize>, b: &std::collections::BTreeMap<String, usize>| {
        let mut k: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
        k.sort();
        k.dedup();
        k
    };
    for key in keys(&c.by_platform, &p.by_platform) {
        let n = |m: &std::collections::BTreeMap<String, usize>| count(m.get(&key).copied().unwrap_or(0));
        volume.rows.push(vec![w.key(&key), n(&c.by_platform), n(&p.by_platform)]);
    }
    for key in keys(&c.by_kind, &p.by_kind) {
        let n = |m: &std::collections::BTreeMap<String, usize>| count(m.get(&key).copied().unwrap_or(0));
        volume.rows.push(vec![item_kind(sv, &key), n(&c.by_kind), n(&p.by_kind)]);
    }
    if !volume.rows.is_empty() {
        out.push(Section {
            id: "inbox-volume".into(),
            heading: if sv { "Inkomna per kanal och typ" } else { "Received by platform and kind" }.into(),
            level: 3,
            lead: Some(
                if sv {
                    "Ett inlägg med flera typer räknas under var och en."
                } else {
                    "An item of several kinds counts under each."
                }
                .into(),
            ),
            table: Some(volume),
        });
    }
    out
}

/// The name of an item kind (`crate::inbox::ItemKind::name`) in the report's language.
fn item_kind(sv: bool, key: &str) -> String {
    let (s, e) = match key {
        "question" => ("fråga", "question"),
        "criticism" => ("kritik", "criticism"),
        "praise" => ("beröm", "praise"),
        "abuse" => ("kränkning", "abuse"),
        "personal-data" => ("personuppgifter", "personal data"),
        "spam" => ("skräp", "spam"),
        "unclassified" => ("ingen typ", "no kind"),
        other => (other, other),
    };
    format!("{}: {}", if sv { "typ" } else { "kind" }, if sv { s } else { e })
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
    if let Some(inbox) = &r.inbox {
        for (label, f) in [(&r.period.label, &inbox.current), (&r.previous.label, &inbox.previous)] {
            row("inbox", label, "received", f.received.to_string());
            row("inbox", label, "answered", f.answered.to_string());
            row("inbox", label, "answered_in_time", f.answered_in_time.to_string());
            row("inbox", label, "overdue", f.overdue.to_string());
            row("inbox", label, "pending", f.pending.to_string());
            row("inbox", label, "in_time", num(f.in_time));
            row("inbox", label, "median_office_hours", num(f.median_office_hours));
            row("inbox", label, "p90_office_hours", num(f.p90_office_hours));
            row("inbox", label, "median_hours", num(f.median_hours));
            row("inbox", label, "p90_hours", num(f.p90_hours));
            for (k, n) in &f.by_platform {
                row("inbox_platform", &format!("{k}@{label}"), "received", n.to_string());
            }
            for (k, n) in &f.by_kind {
                row("inbox_kind", &format!("{k}@{label}"), "received", n.to_string());
            }
        }
    }
    for c in &r.by_slot {
        let key = format!("{}-{:02}", c.weekday + 1, c.hour);
        row("slot", &key, "pairs", c.pairs.to_string());
        row("slot", &key, "engagement", format!("{}", c.engagement));
    }
    out
}
