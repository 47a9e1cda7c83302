//! `budkavle new TITLE`: a new post file with front matter from the strategy.

use std::process::ExitCode;

use budkavle::kind::Kind;
use budkavle::{Error, scaffold};

use super::{Cli, Out, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The post's title; the file name is made from it.
    pub title: String,
    /// news, event, campaign or crisis.
    #[arg(long, default_value = "news")]
    pub kind: String,
    /// When to publish, e.g. 2026-12-01T09:00:00 (default: the next weekday working hour that
    /// keeps every platform's cadence and no blackout).
    #[arg(long)]
    pub date: Option<String>,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let kind = args.kind.parse::<Kind>().map_err(Error::Usage)?;
    let opts = scaffold::NewOptions { title: &args.title, kind, date: args.date.clone(), now: jiff::Timestamp::now() };
    let made = scaffold::new_post(&project, &opts)?;
    if let Some(p) = &made.proposal {
        let at = p.at.to_zoned_datetime(project.strategy.timezone.clone()).strftime("%Y-%m-%d %H:%M");
        if !p.best_for.is_empty() {
            let names: Vec<&str> = p.best_for.iter().map(|p| p.display_name()).collect();
            say(
                cli,
                format_args!(
                    "date {at}: one of the best times by engagement on {} (metrics/), free of cadence and blackouts (--date sets another)",
                    names.join(", ")
                ),
            );
        } else if p.passed.is_empty() {
            say(cli, format_args!("date {at}: the next free slot on every platform (--date sets another)"));
        } else {
            say(
                cli,
                format_args!(
                    "date {at}: the first slot that keeps the cadence and blackouts; passed over: {} (--date sets another)",
                    p.passed.join("; ")
                ),
            );
        }
    }
    Out::new().line(format_args!("{}", cli.root.join(&made.path).display()))?;
    Ok(ExitCode::SUCCESS)
}
