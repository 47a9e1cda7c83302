//! `budkavle preview POST`: the post's text on every platform with its length and limit.

use std::io::Write;
use std::process::ExitCode;

use budkavle::{Error, Rendered, render};

use super::{Cli, Out};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The post's id or file path.
    pub post: String,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let post = project.find(&args.post)?;
    let mut out = Out::new();
    let color = super::color();
    let mut any_over = false;
    for p in post.targets() {
        let r = render::render(&project, post, p).map_err(|d| Error::Invalid(vec![d]))?;
        any_over |= r.over_limit;
        write(out.writer(), &r, color).map_err(super::write_error)?;
    }
    for (id, reason) in &post.left_out {
        out.line(format_args!("── {} ── {reason}: not for {}", id.display_name(), id.display_name()))?;
    }
    out.flush()?;
    Ok(if any_over { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn write(out: &mut dyn Write, r: &Rendered, color: bool) -> std::io::Result<()> {
    let (red, bold, reset) = if color { ("\x1b[31m", "\x1b[1m", "\x1b[0m") } else { ("", "", "") };
    writeln!(out, "{bold}── {} ──{reset}", r.platform.display_name())?;
    let total = r.parts.len();
    for (i, part) in r.parts.iter().enumerate() {
        let mark = if part.over_limit { format!(" {red}OVER LIMIT{reset}") } else { String::new() };
        let bytes = r.max_bytes.map(|m| format!(", {}/{m} bytes", part.bytes)).unwrap_or_default();
        if total > 1 {
            writeln!(out, "[{}/{total}] {}/{}{bytes}{mark}", i + 1, part.length, r.limit)?;
        } else {
            writeln!(out, "{}/{}{bytes}{mark}", part.length, r.limit)?;
        }
        writeln!(out, "{}", part.text)?;
        writeln!(out)?;
    }
    for m in &r.media {
        writeln!(out, "[bild {}: {}]", m.path.display(), m.alt)?;
    }
    Ok(())
}
