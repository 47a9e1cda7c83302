//! `budkavle resolve POST PLATFORM`: a person settles an outcome the tool could not decide.

use std::process::ExitCode;

use budkavle::publish::{self, Resolution};
use budkavle::{Error, PlatformId};

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("outcome").required(true).args(["published", "not_published"])))]
pub(crate) struct Args {
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

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let resolution = match &args.published {
        Some(url) => Resolution::Published { url: url.clone(), id: args.id.clone() },
        None => Resolution::NotPublished,
    };
    let entry = publish::resolve(&cli.root, &args.post, args.platform, &resolution, !args.no_commit)?;
    if !cli.quiet {
        let what = if entry.remote.is_some() { "published" } else { "not published: the next run sends it" };
        Out::new().line(format_args!(
            "{} on {}: settled as {what} (ledger line {})",
            entry.post, entry.platform, entry.seq
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
