//! `budkavle init DIR`: a new content repository.

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
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let opts = scaffold::InitOptions { name: args.name.clone(), lang: args.lang.clone(), now: jiff::Timestamp::now() };
    let files = scaffold::init(&args.dir, &opts)?;
    if cli.verbose {
        for f in &files {
            say(cli, format_args!("wrote {}", args.dir.join(f).display()));
        }
    }
    say(
        cli,
        format_args!(
            "created a content repository in {} ({} files); try `budkavle --root {} build`",
            args.dir.display(),
            files.len(),
            args.dir.display()
        ),
    );
    Ok(ExitCode::SUCCESS)
}
