//! `budkavle metrics pull`: read the platforms' figures for every published post that is due
//! a snapshot and commit them to `metrics/`. No secret reaches this file: the library reads
//! them through the environment function it is given.

use std::process::ExitCode;
use std::time::Duration;

use budkavle::pull::metrics::{self, Settings};
use budkavle::{Error, PlatformId};

use super::{Cli, Out, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Sub {
    /// Read the figures of every published post that is due a snapshot ([metrics] in
    /// strategy.toml) and append them to metrics/YYYY-MM.jsonl, committed to git.
    Pull(PullArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct PullArgs {
    /// List what is due and read nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Fix the clock (RFC 3339, e.g. 2026-12-01T09:00:00Z): for tests and rehearsals.
    #[arg(long, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
    /// Print what was due and read as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the snapshots but do not commit them.
    #[arg(long)]
    pub no_commit: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How the platforms are read: shared by `metrics pull` and `inbox pull`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReadArgs {
    /// Only these platforms (repeatable).
    #[arg(long = "platform", short, value_name = "PLATFORM")]
    pub platforms: Vec<PlatformId>,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Seconds the whole run may spend waiting on limits and retries before it leaves the
    /// rest to the next run.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub budget: u64,
}

impl ReadArgs {
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }

    pub(crate) fn budget(&self) -> Duration {
        Duration::from_secs(self.budget)
    }
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    match &args.command {
        Sub::Pull(args) => pull(cli, args),
    }
}

fn pull(cli: &Cli, args: &PullArgs) -> Result<ExitCode, Error> {
    let settings = Settings {
        now: args.now,
        dry_run: args.dry_run,
        platforms: args.read.platforms.clone(),
        timeout: args.read.timeout(),
        budget: args.read.budget(),
        commit: !args.no_commit,
    };
    let report = metrics::run(&cli.root, &settings, &|name| std::env::var(name).ok())?;
    let mut out = Out::new();
    if args.json {
        out.json(&report)?;
    } else if args.dry_run {
        for d in &report.due {
            out.line(format_args!(
                "{:<10} {}: due for the +{} snapshot (published {})",
                d.platform.name(),
                d.post,
                d.point,
                d.published
            ))?;
        }
        if report.due.is_empty() && !cli.quiet {
            out.line(format_args!("nothing is due"))?;
        }
    } else {
        for note in &report.notes {
            say(cli, format_args!("note: {note}"));
        }
        for s in &report.written {
            out.line(format_args!("{:<10} {}: {}", s.platform.name(), s.post, metrics::figures(s)))?;
        }
        for stop in &report.stopped {
            let why = if stop.transient {
                "stopped for this run (the rest is read by the next run)"
            } else if stop.unsupported {
                "not read"
            } else {
                "not read; a person must act"
            };
            say(cli, format_args!("{}: {why}, {} post(s) left: {}", stop.platform.name(), stop.left, stop.message));
        }
        if !cli.quiet {
            if report.due.is_empty() {
                out.line(format_args!("nothing was due"))?;
            }
            if let Some(c) = &report.commit {
                out.line(format_args!("metrics committed as {}", &c[..c.len().min(10)]))?;
            }
        }
    }
    let person = report.stopped.iter().any(|s| !s.transient && !s.unsupported);
    Ok(if person { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
