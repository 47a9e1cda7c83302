//! `budkavle cap POST`: a crisis post as a CAP 1.2 alert.

use std::process::ExitCode;

use budkavle::Error;
use budkavle::post::Post;

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The crisis post (id or file).
    pub post: String,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let post = project.find(&args.post)?;
    // A post without a date goes out on merge: its first publication in the ledger.
    let published = budkavle::ledger::Ledger::read(&project.root)?.published_by_post();
    let sent_of = |p: &Post| p.date.or_else(|| published.get(&p.id)?.iter().map(|x| x.at).min());
    let xml = budkavle::cap::to_xml(&budkavle::cap::alert(&project, post, &sent_of)?);
    Out::new().text(&xml)?;
    Ok(ExitCode::SUCCESS)
}
