//! `budkavle count`: standard input counted as a platform counts it.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use budkavle::{Error, PlatformId, platform};

use super::Out;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// mastodon, bluesky, x, facebook, instagram, linkedin or threads.
    #[arg(long, short)]
    pub platform: PlatformId,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| Error::io("cannot read", "standard input", e))?;
    // A shell pipeline adds one trailing newline that is not part of the post.
    if !std::io::stdin().is_terminal() && text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    let p = platform::get(args.platform);
    let len = p.count(&text);
    let limit = p.char_limit();
    let over = len.chars > limit || p.max_bytes().is_some_and(|m| len.bytes > m);
    let mut out = Out::new();
    if args.json {
        let json = serde_json::json!({ "platform": args.platform, "length": len.chars, "bytes": len.bytes, "limit": limit, "max_bytes": p.max_bytes(), "over_limit": over });
        out.line(format_args!("{json}"))?;
    } else {
        out.line(format_args!("{}/{}{}", len.chars, limit, if over { " over the limit" } else { "" }))?;
    }
    Ok(if over { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
