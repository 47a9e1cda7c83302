//! The command line: the shape of the CLI and one file per command. Each command parses its
//! arguments, calls the library and prints the answer; the library does the work.
//!
//! Output policy, in one place: commands write their answer to standard output through
//! [`Out`], whose failures become [`Error::Io`] on "standard output". `main` ends a command whose
//! reader went away (`budkavle check | head`) quietly with exit 0; any other failed write is an
//! error. Messages for the person (notes, progress) go to standard error through [`say`].

mod build;
mod cap;
mod check;
mod count;
mod doctor;
mod inbox;
mod init;
mod log;
mod metrics;
mod new;
mod plan;
mod preview;
mod publish;
mod report;
mod resolve;
mod rules;
mod serve;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use budkavle::{Error, Project};

/// Social media as code for public-sector communications: posts in git, checked in review,
/// rendered for every platform, published exactly once, archived in public.
#[derive(Debug, Parser)]
#[command(name = "budkavle", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// The content repository (the folder with strategy.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (every file written, timings).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Render every post for every platform into dist/platforms/ (what would be sent).
    Build(build::Args),
    /// Check every post against the strategy's rules.
    Check(check::Args),
    /// List every rule: built-in packs and the organisation's own.
    Rules(rules::Args),
    /// Count standard input as a platform counts it.
    Count(count::Args),
    /// Show a post's text on every platform with its length and limit.
    Preview(preview::Args),
    /// Write a new post with front matter from the strategy.
    New(new::Args),
    /// Create a new content repository.
    Init(init::Args),
    /// Serve the archive and the previews on 127.0.0.1, rebuilding and reloading on every edit.
    Serve(serve::Args),
    /// Publish every approved post that is due, exactly once per platform, and commit the ledger.
    Publish(publish::Args),
    /// Check every platform's credentials before a post is due: set, valid, permissions,
    /// expiry, quota. Exit 1 when a post due now would fail.
    Doctor(doctor::Args),
    /// Settle by hand a post whose publishing outcome is unknown.
    Resolve(resolve::Args),
    /// A post's whole trail: written, approved, published where, edited, retracted.
    Log(log::Args),
    /// Check the ledger's hash chain and that git history only ever appended to it.
    Verify,
    /// Print a crisis post's CAP 1.2 alert (XML).
    Cap(cap::Args),
    /// The coming days as a calendar per platform: scheduled, held, crowded, cadence gaps,
    /// coverage of goals and audiences.
    Plan(plan::Args),
    /// The strategy's goals and KPIs in a period, what worked and the best times to post, from
    /// the posts and metrics/ (no network).
    Report(report::Args),
    /// Read the platforms' figures back into metrics/ (`metrics pull`).
    Metrics(metrics::Args),
    /// Citizens' replies and comments: the queue by due time, import, resolve, hold, review,
    /// export for a records request, weed.
    Inbox(inbox::Args),
}

pub(crate) fn run(cli: &Cli) -> Result<ExitCode, Error> {
    match &cli.command {
        Command::Build(args) => build::run(cli, args),
        Command::Check(args) => check::run(cli, args),
        Command::Rules(args) => rules::run(cli, args),
        Command::Count(args) => count::run(args),
        Command::Preview(args) => preview::run(cli, args),
        Command::New(args) => new::run(cli, args),
        Command::Init(args) => init::run(cli, args),
        Command::Serve(args) => serve::run(cli, args),
        Command::Publish(args) => publish::run(cli, args),
        Command::Doctor(args) => doctor::run(cli, args),
        Command::Resolve(args) => resolve::run(cli, args),
        Command::Log(args) => log::run(cli, args),
        Command::Verify => verify::run(cli),
        Command::Cap(args) => cap::run(cli, args),
        Command::Plan(args) => plan::run(cli, args),
        Command::Report(args) => report::run(cli, args),
        Command::Metrics(args) => metrics::run(cli, args),
        Command::Inbox(args) => inbox::run(cli, args),
    }
}

/// The project at `--root`, with the strategy's rules validated: a broken `[[rules]]` table or
/// an unknown pack fails every command that reads the content, not only `check`.
pub(crate) fn load(cli: &Cli) -> Result<Project, Error> {
    load_with(cli, Default::default(), None)
}

/// [`load`], with post files already read and listed ([`Project::load_with`]).
pub(crate) fn load_with(
    cli: &Cli,
    read: budkavle::project::ByPath<Vec<u8>>,
    walked: Option<budkavle::project::WalkedPosts>,
) -> Result<Project, Error> {
    let project = Project::load_with(&cli.root, read, walked)?;
    budkavle::check::validate(&project)?;
    budkavle::inbox::validate(&project)?;
    Ok(project)
}

/// A message for the person at the terminal, unless `--quiet`.
pub(crate) fn say(cli: &Cli, msg: std::fmt::Arguments<'_>) {
    if !cli.quiet {
        let _ = writeln!(std::io::stderr().lock(), "{msg}");
    }
}

/// Standard output for a command's answer.
pub(crate) struct Out(std::io::StdoutLock<'static>);

impl Out {
    pub(crate) fn new() -> Out {
        Out(std::io::stdout().lock())
    }

    pub(crate) fn line(&mut self, msg: std::fmt::Arguments<'_>) -> Result<(), Error> {
        writeln!(self.0, "{msg}").map_err(write_error)
    }

    pub(crate) fn text(&mut self, text: &str) -> Result<(), Error> {
        self.0.write_all(text.as_bytes()).map_err(write_error)
    }

    /// `value` as pretty JSON and a newline.
    pub(crate) fn json(&mut self, value: &impl serde::Serialize) -> Result<(), Error> {
        let json =
            serde_json::to_string_pretty(value).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))?;
        self.line(format_args!("{json}"))
    }

    pub(crate) fn writer(&mut self) -> &mut dyn Write {
        &mut self.0
    }

    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        self.0.flush().map_err(write_error)
    }
}

/// A failed write to standard output, as the one error `main` knows how to end on.
pub(crate) fn write_error(e: std::io::Error) -> Error {
    Error::io("cannot write", "standard output", e)
}

/// Whether to colour: a terminal, and `NO_COLOR` unset (<https://no-color.org>).
pub(crate) fn color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
