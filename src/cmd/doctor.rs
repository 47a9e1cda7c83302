//! `budkavle doctor`: the credential pre-flight, as a table or JSON. No secret reaches this
//! file: the library reads them through the environment function it is given, and reports only
//! variable names.

use std::process::ExitCode;
use std::time::Duration;

use budkavle::doctor::{self, Settings, Status};
use budkavle::{Error, PlatformId};

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// `text` (a table) or `json` (for CI; the shape is documented in the doctor module).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    /// Credentials that expire within this many days are a warning.
    #[arg(long, default_value_t = 14, value_name = "DAYS")]
    pub warn_days: u32,
    /// Only these platforms (repeatable).
    #[arg(long = "platform", short, value_name = "PLATFORM")]
    pub platforms: Vec<PlatformId>,
    /// Fix the clock for what is due (RFC 3339): for tests and rehearsals.
    #[arg(long, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
    /// Exit 1 on anything that needs attention — a warning (a token expiring within
    /// `--warn-days`, an account overdue for its comment review) or a broken credential — whether or not a post is due: for a scheduled
    /// run whose failure mails the team before a token runs out.
    #[arg(long)]
    pub strict: bool,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let settings = Settings {
        now: args.now,
        warn_days: args.warn_days,
        platforms: args.platforms.clone(),
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let report = doctor::run(&project, &settings, &|name| std::env::var(name).ok())?;
    let mut out = Out::new();
    if args.format == "json" {
        out.json(&report)?;
    } else {
        out.text(&doctor::describe(&report, &project.strategy.timezone))?;
    }
    let attention = |c: &doctor::Check| !matches!(c.status, Status::Ok | Status::ByHand | Status::Unreachable);
    let attention = report.platforms.iter().any(attention) || !report.supervision.is_empty();
    let failed = !report.ok || (args.strict && attention);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
