//! `budkavle serve`: the archive and the previews on 127.0.0.1, live.

use std::path::PathBuf;
use std::process::ExitCode;

use budkavle::Error;

use super::Cli;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
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

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let out = args.out.clone().unwrap_or_else(|| cli.root.join(budkavle::build::DIST_DIR));
    let opts = budkavle::serve::Options {
        root: cli.root.clone(),
        out,
        port: args.port,
        open_previews: args.open_previews,
        quiet: cli.quiet,
    };
    budkavle::serve::run(&opts)?;
    Ok(ExitCode::SUCCESS)
}
