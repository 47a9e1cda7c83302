//! `budkavle log POST`: written, approved, published where, edited, retracted.

use std::process::ExitCode;

use budkavle::Error;

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The post (id or file).
    pub post: String,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let post = project.find(&args.post)?;
    let steps = budkavle::publish::trail(&project, post)?;
    let mut out = Out::new();
    if args.json {
        out.json(&steps)?;
        return Ok(ExitCode::SUCCESS);
    }
    let tz = &project.strategy.timezone;
    out.line(format_args!("{} — {}", post.id, post.title))?;
    for s in &steps {
        let at = s.at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M");
        let platform = s.platform.map_or(String::new(), |p| format!(" {p}"));
        out.line(format_args!("{at}  {:<9}{platform:<10} {}", s.event, s.detail))?;
    }
    if steps.is_empty() {
        out.line(format_args!("(no history: the post is not committed and was never published)"))?;
    }
    Ok(ExitCode::SUCCESS)
}
