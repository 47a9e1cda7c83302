//! `budkavle new TITLE`: a new post file with front matter from the strategy.

use std::process::ExitCode;

use budkavle::kind::Kind;
use budkavle::{Error, scaffold};

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The post's title; the file name is made from it.
    pub title: String,
    /// news, event, campaign or crisis.
    #[arg(long, default_value = "news")]
    pub kind: String,
    /// When to publish, e.g. 2026-12-01T09:00:00 (default: tomorrow 09:00).
    #[arg(long)]
    pub date: Option<String>,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let kind = args.kind.parse::<Kind>().map_err(Error::Usage)?;
    let opts = scaffold::NewOptions { title: &args.title, kind, date: args.date.clone(), now: jiff::Timestamp::now() };
    let path = scaffold::new_post(&project, &opts)?;
    Out::new().line(format_args!("{}", cli.root.join(path).display()))?;
    Ok(ExitCode::SUCCESS)
}
