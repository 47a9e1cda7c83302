//! Command-line definitions. Only the shape of the CLI lives here; the work is in the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use budkavle::PlatformId;
use budkavle::check::Level;
use budkavle::check::report::Format;

/// Social media as code for public-sector communications: posts in git, checked in review,
/// rendered for every platform, published exactly once, archived in public.
#[derive(Debug, Parser)]
#[command(name = "budkavle", version, about, propagate_version = true)]
pub struct Cli {
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
pub enum Command {
    /// Render every post for every platform into dist/platforms/ (what would be sent).
    Build(BuildArgs),
    /// Check every post against the strategy's rules.
    Check(CheckArgs),
    /// List every rule: built-in packs and the organisation's own.
    Rules(RulesArgs),
    /// Count standard input as a platform counts it.
    Count(CountArgs),
    /// Show a post's text on every platform with its length and limit.
    Preview(PreviewArgs),
    /// Write a new post with front matter from the strategy.
    New(NewArgs),
    /// Create a new content repository.
    Init(InitArgs),
    /// Serve the archive and the previews on 127.0.0.1, rebuilding and reloading on every edit.
    Serve(ServeArgs),
    /// Publish every approved post that is due, exactly once per platform, and commit the ledger.
    Publish(PublishArgs),
    /// Settle by hand a post whose publishing outcome is unknown.
    Resolve(ResolveArgs),
    /// A post's whole trail: written, approved, published where, edited, retracted.
    Log(LogArgs),
    /// Check the ledger's hash chain and that git history only ever appended to it.
    Verify,
    /// Print a crisis post's CAP 1.2 alert (XML).
    Cap(CapArgs),
    /// The coming days as a calendar per platform: scheduled, held, crowded, cadence gaps,
    /// coverage of goals and audiences.
    Plan(PlanArgs),
}

#[derive(Debug, Args)]
pub struct PlanArgs {
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

#[derive(Debug, Args)]
pub struct CapArgs {
    /// The crisis post (id or file).
    pub post: String,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
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

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("outcome").required(true).args(["published", "not_published"])))]
pub struct ResolveArgs {
    /// The post (id or file).
    pub post: String,
    pub platform: PlatformId,
    /// It did go out: its address on the platform.
    #[arg(long, value_name = "URL")]
    pub published: Option<String>,
    /// With --published: the platform's id of it (default: taken from the URL).
    #[arg(long, requires = "published")]
    pub id: Option<String>,
    /// It did not go out: the next run sends it.
    #[arg(long)]
    pub not_published: bool,
    /// Write the ledger but do not commit it.
    #[arg(long)]
    pub no_commit: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The post (id or file).
    pub post: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port on 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Open the previews index in the system's web browser once serving.
    #[arg(long)]
    pub open_previews: bool,
    /// Output folder kept in step with what is served (default: dist/ in the repository).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Output folder (default: dist/ in the repository).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build only one part: `platforms` (dist/platforms) or `site` (the archive, dist/site).
    #[arg(long, value_enum)]
    pub only: Option<budkavle::build::Only>,
    /// Also write reviewers' previews into dist/previews/: each post as each platform shows it.
    #[arg(long)]
    pub previews: bool,
    /// With --previews: list only the posts changed since this git revision (e.g. origin/main)
    /// and write dist/previews/summary.md for a pull-request comment. Implies --previews.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
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

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    /// mastodon, bluesky, x, facebook, instagram, linkedin or threads.
    #[arg(long, short)]
    pub platform: PlatformId,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The post's id or file path.
    pub post: String,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The post's title; the file name is made from it.
    pub title: String,
    /// news, event, campaign or crisis.
    #[arg(long, default_value = "news")]
    pub kind: String,
    /// When to publish, e.g. 2026-12-01T09:00:00 (default: tomorrow 09:00).
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the repository in.
    pub dir: PathBuf,
    /// The organisation's name.
    #[arg(long, default_value = "Exempelstads kommun")]
    pub name: String,
    /// The organisation's language (BCP 47).
    #[arg(long, default_value = "sv")]
    pub lang: String,
}
