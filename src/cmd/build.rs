//! `budkavle build`: every post × platform into `dist/platforms/`, the archive into
//! `dist/site/`, and with `--previews` the reviewers' previews.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use budkavle::Error;
use budkavle::build::{DIST_DIR, Only, Options, build_with, cache};
use budkavle::project::Project;

use super::{Cli, say};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output folder (default: dist/ in the repository).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build only one part: `platforms` (dist/platforms) or `site` (the archive, dist/site).
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Also write reviewers' previews into dist/previews/: each post as each platform shows it.
    #[arg(long)]
    pub previews: bool,
    /// With --previews: list only the posts changed since this git revision (e.g. origin/main)
    /// and write dist/previews/summary.md for a pull-request comment. Implies --previews.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let start = Instant::now();
    let out = args.out.clone().unwrap_or_else(|| cli.root.join(DIST_DIR));
    let now = budkavle::site::now()?;
    // Previews show a calendar of the coming days: they are always built.
    let cacheable = !args.previews && args.changed_since.is_none();
    // The post files are listed on a thread of their own while the cache reads and hashes every
    // input; a build answered from the cache does not wait for the listing.
    let walk = {
        let root = cli.root.clone();
        std::thread::spawn(move || Project::walk_posts(&root))
    };
    let (key, sources) = if cacheable {
        match cache::lookup(&cli.root, &out, args.only, now) {
            cache::Lookup::Fresh(s) => {
                if cli.verbose {
                    say(cli, format_args!("nothing changed since the last build (cache in {})", cache::DIR));
                }
                report(cli, args, &out, &s, false, None, start);
                return Ok(ExitCode::SUCCESS);
            }
            cache::Lookup::Build(key, sources) => (key, sources),
        }
    } else {
        (None, cache::Sources::default())
    };
    let (read, digests) = sources.split();
    let project = super::load_with(cli, read, walk.join().ok().flatten())?;
    if cli.verbose {
        say(cli, format_args!("loaded {} posts in {:.0?}", project.posts.len(), start.elapsed()));
    }
    let changed = match &args.changed_since {
        Some(rev) => Some(budkavle::preview::changed_since(&cli.root, rev)?),
        None => None,
    };
    let opts = Options {
        only: args.only,
        previews: args.previews || changed.is_some(),
        changed: changed.as_ref(),
        now: Some(now),
        incremental: true,
        digests: Some(&digests),
    };
    let s = build_with(&project, &out, &opts)?;
    if cli.verbose {
        say(
            cli,
            format_args!(
                "kept from the last build (memo in {}): the renderings of {} posts, {} archive files",
                cache::DIR,
                s.kept_posts,
                s.kept_site_files
            ),
        );
    }
    if cacheable {
        cache::remember(&project, &out, args.only, key, &s, now);
    }
    report(cli, args, &out, &s, opts.previews, changed.as_ref(), start);
    // The process ends here: tearing down ten thousand posts would only cost time.
    std::mem::forget(project);
    Ok(ExitCode::SUCCESS)
}

/// The summary lines of a build.
fn report(
    cli: &Cli,
    args: &Args,
    out: &std::path::Path,
    s: &budkavle::build::Summary,
    previews: bool,
    changed: Option<&budkavle::preview::Changed>,
    start: Instant,
) {
    let platforms = args.only != Some(Only::Site);
    let site = args.only != Some(Only::Platforms);
    if platforms {
        let over = if s.over_limit > 0 {
            format!(" ({} over a limit: run `budkavle check`)", s.over_limit)
        } else {
            String::new()
        };
        say(
            cli,
            format_args!(
                "built {} posts × platforms = {} renderings into {} ({} files written, {} unchanged, {} removed){over}",
                s.posts,
                s.rendered,
                out.join("platforms").display(),
                s.files.written,
                s.files.unchanged,
                s.files.removed,
            ),
        );
    }
    for note in &s.notes {
        say(cli, format_args!("note: {note}"));
    }
    if previews {
        let summary =
            changed.map(|c| format!("; {} changed since {}: summary.md", c.posts.len(), c.rev)).unwrap_or_default();
        say(
            cli,
            format_args!(
                "built the previews: {} posts into {} ({} files written, {} unchanged, {} removed){summary}",
                s.preview_pages,
                out.join(budkavle::preview::DIR).display(),
                s.preview_files.written,
                s.preview_files.unchanged,
                s.preview_files.removed,
            ),
        );
    }
    if site {
        say(
            cli,
            format_args!(
                "built the archive: {} pages into {} ({} files written, {} unchanged, {} removed) in {:.2?}",
                s.site_pages,
                out.join("site").display(),
                s.site_files.written,
                s.site_files.unchanged,
                s.site_files.removed,
                start.elapsed(),
            ),
        );
    } else {
        say(cli, format_args!("done in {:.2?}", start.elapsed()));
    }
}
