//! `budkavle publish`: every approved post that is due, exactly once per platform. No secret
//! reaches this file: the library reads them through the environment function it is given.

use std::process::ExitCode;
use std::time::Duration;

use budkavle::publish::{self, Outcome, Settings};
use budkavle::{Error, PlatformId};

use super::{Cli, Out, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print what would be done and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Fix the clock (RFC 3339, e.g. 2026-12-01T09:00:00Z): for tests and rehearsals.
    #[arg(long, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
    /// Only these platforms (repeatable).
    #[arg(long = "platform", short, value_name = "PLATFORM")]
    pub platforms: Vec<PlatformId>,
    /// Print the plan and results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the ledger but do not commit it.
    #[arg(long)]
    pub no_commit: bool,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Seconds the whole run may spend retrying before it leaves the rest to the next run.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub budget: u64,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let settings = Settings {
        now: args.now,
        dry_run: args.dry_run,
        platforms: args.platforms.clone(),
        timeout: Duration::from_secs(args.timeout.max(1)),
        budget: Duration::from_secs(args.budget),
        commit: !args.no_commit,
    };
    let mut out = Out::new();
    if args.dry_run && !args.json {
        // One load serves both the plan and its description.
        let project = super::load(cli)?;
        let (plan, notes) = publish::plan_only(&project, &settings)?;
        for note in &notes {
            say(cli, format_args!("note: {note}"));
        }
        out.text(&budkavle::schedule::describe(&plan, &project))?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = publish::run(&cli.root, &settings, &|name| std::env::var(name).ok())?;
    if args.json {
        out.json(&report)?;
    } else {
        for note in &report.notes {
            say(cli, format_args!("note: {note}"));
        }
        for d in &report.done {
            let line = describe(&d.result);
            out.line(format_args!("{:<10} {}: {}", d.platform.name(), d.post, line.trim_end()))?;
        }
        if !args.dry_run && !cli.quiet {
            let holds = report.plan.holds().count();
            if report.done.is_empty() {
                out.line(format_args!("nothing was due ({holds} held; `budkavle publish --dry-run` shows why)"))?;
            }
            if let Some(c) = &report.commit {
                out.line(format_args!("ledger committed as {}", &c[..c.len().min(10)]))?;
            }
        }
    }
    let person = report.done.iter().any(|d| d.result.needs_person());
    Ok(if person { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Published { url, reused: false } => format!("published {}", url.as_deref().unwrap_or("")),
        Outcome::Published { url, reused: true } => {
            format!("published (found on the platform after an interrupted run) {}", url.as_deref().unwrap_or(""))
        }
        Outcome::Edited { url } => format!("edited {}", url.as_deref().unwrap_or("")),
        Outcome::Corrected { url, reused } => format!(
            "corrected: the platform cannot edit, the change went out on the original{} {}",
            if *reused { " (found on the platform after an interrupted run)" } else { "" },
            url.as_deref().unwrap_or("")
        ),
        Outcome::Deleted => "deleted".into(),
        Outcome::Pinned => "pinned to the profile".into(),
        Outcome::Unpinned => "taken off the profile".into(),
        Outcome::Failed { message, retry: true, .. } => format!("failed, next run tries again: {message}"),
        Outcome::Failed { message, .. } => format!("FAILED: {message}"),
        Outcome::Unknown { message } => format!("UNKNOWN, held: {message}"),
        Outcome::Blocked { message } => format!("BLOCKED: {message}"),
    }
}
