//! The public results pages (`[report] public = true`): per month, what the organisation's own
//! posts achieved against the strategy's goals — the same report as `budkavle report`, with its
//! charts and tables. Only aggregate figures and the organisation's own posts: the metrics
//! files hold nothing about individual people, and nothing else is read.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::Serialize;

use crate::error::Result;
use crate::metrics::Metrics;
use crate::output::Files;
use crate::project::Project;
use crate::report::{self, Range};
use crate::site::{Site, Strings};
use crate::strategy::Period;

/// `/resultat/` in a Swedish archive, `/results/` otherwise; `None` unless the strategy makes
/// the results public.
pub(crate) fn index_url(project: &Project) -> Option<String> {
    project.strategy.file.report.public.then(|| format!("/{}/", dir(project)))
}

fn dir(project: &Project) -> &'static str {
    let lang = &project.strategy.organisation().lang;
    if lang.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case("sv")) { "resultat" } else { "results" }
}

#[derive(Serialize)]
struct MonthLink {
    title: String,
    url: String,
}

pub(crate) fn pages(site: &Site<'_>) -> Result<Files> {
    let project = site.project;
    let Some(index_url) = index_url(project) else { return Ok(Vec::new()) };
    let metrics = Metrics::read(&project.root)?;
    let tz = &project.strategy.timezone;
    // Without a single snapshot no month has a post with data, and so no page: the report of
    // each month need not be worked out to learn that.
    let months: BTreeSet<Date> = if metrics.is_empty() {
        BTreeSet::new()
    } else {
        project
            .posts
            .iter()
            .filter(|p| !p.draft)
            .filter_map(|p| p.date)
            .map(|d| d.to_zoned_datetime(tz.clone()).date().first_of_month())
            .collect()
    };
    let mut files = Vec::new();
    let mut links = Vec::new();
    for first in months {
        let range = Range::unit(first, Period::Month, tz)?;
        let r = report::report(project, &metrics, &range, site.now)?;
        if r.totals.posts_with_data == 0 {
            continue;
        }
        let name = format!("{} {}", site.strings.month_name(first.month()), first.year());
        let title = Strings::fill(site.strings.get("results_month_title"), &[("month", &name)]);
        let url = format!("{index_url}{}/", range.label);
        let mut ctx = site.base_context();
        ctx.insert("nav", "results");
        ctx.insert("title", &title);
        ctx.insert("index_url", &index_url);
        ctx.insert("report", &report::results_page(&r));
        files.push((format!("{}index.html", url.trim_start_matches('/')), site.render("results.html", &ctx)?));
        links.push(MonthLink { title, url });
    }
    links.reverse();
    let mut ctx = site.base_context();
    ctx.insert("nav", "results");
    ctx.insert("months", &links);
    files.push((format!("{}index.html", index_url.trim_start_matches('/')), site.render("results_index.html", &ctx)?));
    Ok(files)
}
