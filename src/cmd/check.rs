//! `budkavle check`: every finding, in a format for a person or for a forge's review.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use budkavle::check::report::{self, Format};
use budkavle::check::{self as checker, Level};
use budkavle::{Error, Project};

use super::{Cli, Out, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit 1 when a finding reaches this level.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: Level,
    /// Apply the fixes findings carry (plain-language substitutions and the like) in place,
    /// then check again.
    #[arg(long)]
    pub fix: bool,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let start = Instant::now();
    // `check` compiles the strategy's rules itself and reports them as `load` would.
    let mut project = Project::load(&cli.root)?;
    budkavle::inbox::validate(&project)?;
    if cli.verbose {
        say(cli, format_args!("loaded {} posts in {:.0?}", project.posts.len(), start.elapsed()));
    }
    let mut findings = checker::check(&project)?;
    if cli.verbose {
        say(cli, format_args!("checked: {} findings at {:.0?}", findings.len(), start.elapsed()));
    }
    if args.fix {
        let applied = checker::fix::apply(&project.root, &findings)?;
        for (file, n) in &applied {
            say(cli, format_args!("fixed {n} finding(s) in {}", file.display()));
        }
        if !applied.is_empty() {
            // Re-check what the fixes left, from the files as they now are.
            project = Project::load(&cli.root)?;
            findings = checker::check(&project)?;
        }
    }
    // Where a post that names no platforms is not sent, and why: a note, not a fault of the post.
    for post in &project.posts {
        for (id, reason) in &post.left_out {
            say(cli, format_args!("note: {}: {reason}: not for {}", post.path.display(), id.display_name()));
        }
    }
    // Only SARIF lists the rules; describing every rule of every pack costs more than a check.
    let rules = if args.format == Format::Sarif { rule_infos(&project)? } else { Vec::new() };
    let by_path: HashMap<&Path, &str> = project.posts.iter().map(|p| (p.path.as_path(), p.source.as_str())).collect();
    let source = |path: &Path| by_path.get(path).map(|s| s.to_string());
    let color = args.format == Format::Human && super::color();
    let ctx = report::Context { source: &source, color, rules: &rules };
    let mut out = Out::new();
    report::write(args.format, &findings, &ctx, out.writer()).map_err(super::write_error)?;
    out.flush()?;
    if cli.verbose {
        say(cli, format_args!("reported at {:.0?}", start.elapsed()));
    }
    let failed = findings.iter().any(|f| f.level >= args.fail_on);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn rule_infos(project: &Project) -> Result<Vec<report::RuleInfo>, Error> {
    Ok(checker::all_rules(project)?
        .iter()
        .map(|r| report::RuleInfo { id: r.id().to_string(), description: r.description(), link: r.link() })
        .collect())
}
