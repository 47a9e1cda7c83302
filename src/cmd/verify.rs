//! `budkavle verify`: the ledger's hash chain, and that git history only appended to it.

use std::process::ExitCode;

use budkavle::Error;

use super::{Cli, Out};

pub(crate) fn run(cli: &Cli) -> Result<ExitCode, Error> {
    let v = budkavle::publish::verify(&cli.root)?;
    if !cli.quiet {
        Out::new().line(format_args!(
            "ledger verified: {} lines in {} files, hash chain intact; {} commits changed it, each only appending. head {}",
            v.entries, v.files, v.commits, v.head
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
