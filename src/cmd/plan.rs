//! `budkavle plan`: the coming days per platform, as text or JSON.

use std::process::ExitCode;

use budkavle::Error;

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many days from today.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// `text` (a table) or `json`.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    /// Fix the clock (RFC 3339): for tests and rehearsals.
    #[arg(long, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let now = args.now.unwrap_or_else(jiff::Timestamp::now);
    let calendar = budkavle::calendar::calendar(&project, now, args.days.clamp(1, 366))?;
    let mut out = Out::new();
    if args.format == "json" {
        out.json(&calendar)?;
    } else {
        out.text(&budkavle::calendar::describe(&calendar))?;
    }
    Ok(ExitCode::SUCCESS)
}
