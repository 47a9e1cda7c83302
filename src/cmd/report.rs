//! `budkavle report`: the goals, their KPIs and what worked in a period, from the posts and
//! `metrics/` alone (no network).

use std::path::PathBuf;
use std::process::ExitCode;

use budkavle::Error;
use budkavle::metrics::Metrics;
use budkavle::report::{self, Range};

use super::{Cli, Out, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A month (2026-12), a quarter (2026-Q4) or a year (2026). Default: the current month.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// First day of the period (2026-12-01), with --to.
    #[arg(long, requires = "to", value_name = "DATE")]
    pub from: Option<jiff::civil::Date>,
    /// Last day of the period, included (2026-12-14), with --from.
    #[arg(long, requires = "from", value_name = "DATE")]
    pub to: Option<jiff::civil::Date>,
    /// text, json, csv, html or markdown.
    #[arg(long, value_parser = ["text", "json", "csv", "html", "markdown"], default_value = "text")]
    pub format: String,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fix the clock (RFC 3339): which month is current, and which KPI periods are still running.
    #[arg(long, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let metrics = Metrics::read(&project.root)?;
    let tz = &project.strategy.timezone;
    let now = args.now.unwrap_or_else(jiff::Timestamp::now);
    let range = match (&args.period, args.from, args.to) {
        (Some(p), _, _) => Range::parse(p, tz)?,
        (None, Some(from), Some(to)) => Range::days(from, to, tz)?,
        _ => Range::month_of(now, tz)?,
    };
    if metrics.is_empty() {
        say(
            cli,
            format_args!(
                "note: no snapshots in metrics/ yet: every figure is \"no data\" (budkavle metrics pull fetches them)"
            ),
        );
    }
    let mut r = report::report(&project, &metrics, &range, now)?;
    if !r.add_inbox(&project, now)? {
        say(
            cli,
            format_args!(
                "note: no inbox store: the report has no response figures (budkavle inbox import or pull makes one)"
            ),
        );
    }
    let text = match args.format.as_str() {
        "json" => {
            serde_json::to_string_pretty(&r).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))? + "\n"
        }
        "csv" => report::csv(&r),
        "html" => report::html(&r),
        "markdown" => report::markdown(&r),
        _ => report::text(&r),
    };
    match &args.output {
        Some(path) => {
            report::write(path, &text)?;
            say(cli, format_args!("wrote {}", path.display()));
        }
        None => Out::new().text(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
