//! `budkavle init DIR`: a new content repository, a git repository with a first commit, and
//! the next three steps for the person who ran it.

use std::path::PathBuf;
use std::process::ExitCode;

use budkavle::{Error, scaffold};

use super::{Cli, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Folder to create the repository in.
    pub dir: PathBuf,
    /// The organisation's name.
    #[arg(long, default_value = "Exempelstads kommun")]
    pub name: String,
    /// The organisation's language (BCP 47).
    #[arg(long, default_value = "sv")]
    pub lang: String,
    /// Do not make a git repository (by default `init` makes one with a first commit, unless
    /// the folder is inside one already).
    #[arg(long)]
    pub no_git: bool,
    /// Where the workflows install budkavle from: the tool's git repository and a release tag,
    /// `URL@TAG` (default: this build's repository and version). Pinned in
    /// .budkavle/install.sh; change the tag there to update.
    #[arg(long, value_name = "URL@TAG")]
    pub tool_source: Option<scaffold::ToolSource>,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let opts = scaffold::InitOptions {
        name: args.name.clone(),
        lang: args.lang.clone(),
        now: jiff::Timestamp::now(),
        git: !args.no_git,
        tool: args.tool_source.clone().unwrap_or_default(),
    };
    let made = scaffold::init(&args.dir, &opts)?;
    if cli.verbose {
        for f in &made.files {
            say(cli, format_args!("wrote {}", args.dir.join(f).display()));
        }
    }
    let git = match (&made.commit, made.in_existing_repository) {
        (Some(c), _) => format!(", a git repository with a first commit {}", &c[..c.len().min(10)]),
        (None, true) => ", inside the git repository that was already there (nothing committed)".into(),
        (None, false) => " (no git repository: --no-git)".into(),
    };
    let dir = args.dir.display();
    say(cli, format_args!("created a content repository in {dir} ({} files){git}", made.files.len()));
    say(
        cli,
        format_args!(
            "\nnext:\n  1. write a post:     budkavle --root {dir} new \"Title of the post\"\n  2. check it:        budkavle --root {dir} check\n  3. see it on every platform: budkavle --root {dir} serve --open-previews\nthen fill in [platforms.*] in {dir}/strategy.toml, and push the repository to GitHub or GitLab: the workflows in it check every pull request and publish on merge."
        ),
    );
    Ok(ExitCode::SUCCESS)
}
