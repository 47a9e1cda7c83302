//! `budkavle rules`: every rule, enabled or not, with a description and an example.

use std::process::ExitCode;

use budkavle::Error;
use budkavle::check::Rule;

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    // `all_rules` compiles the strategy's rules and reports them as `load` would.
    let project = budkavle::Project::load(&cli.root)?;
    let rules = budkavle::check::all_rules(&project)?;
    let mut out = Out::new();
    if args.json {
        let list: Vec<_> = rules.iter().map(|r| describe(r.as_ref())).collect();
        out.json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &rules {
        out.line(format_args!("{} ({})", r.id(), r.level().name()))?;
        out.line(format_args!("    {}", r.description()))?;
        out.line(format_args!("    example: {}", r.example()))?;
        if let Some(link) = r.link() {
            out.line(format_args!("    see: {link}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(r: &dyn Rule) -> serde_json::Value {
    serde_json::json!({ "id": r.id(), "level": r.level().name(), "description": r.description(), "example": r.example(), "link": r.link() })
}
