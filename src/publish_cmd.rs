//! The edge of `publish`, `resolve`, `log` and `verify`: arguments in, the library's answer
//! printed for a person (or as JSON), the exit code chosen. No secret reaches this file.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use budkavle::publish::{self, Outcome, Resolution, Settings};
use budkavle::{Error, Project};

use crate::cli::{Cli, LogArgs, PlanArgs, PublishArgs, ResolveArgs};

pub(crate) fn publish(cli: &Cli, args: &PublishArgs) -> Result<ExitCode, Error> {
    let settings = Settings {
        now: args.now,
        dry_run: args.dry_run,
        platforms: args.platforms.clone(),
        timeout: Duration::from_secs(args.timeout.max(1)),
        budget: Duration::from_secs(args.budget),
        commit: !args.no_commit,
    };
    if args.dry_run && !args.json {
        // One load serves both the plan and its description.
        let project = Project::load(&cli.root)?;
        let (plan, notes) = publish::plan_only(&project, &settings)?;
        if !cli.quiet {
            for note in &notes {
                eprintln!("note: {note}");
            }
        }
        let _ = write!(std::io::stdout().lock(), "{}", publish::plan::describe(&plan, &project));
        return Ok(ExitCode::SUCCESS);
    }
    let report = publish::run(&cli.root, &settings, &|name| std::env::var(name).ok())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
        let _ = writeln!(out, "{json}");
    } else {
        if !cli.quiet {
            for note in &report.notes {
                eprintln!("note: {note}");
            }
        }
        for d in &report.done {
            let line = match &d.result {
                Outcome::Published { url, reused: false } => format!("published {}", url.as_deref().unwrap_or("")),
                Outcome::Published { url, reused: true } => {
                    format!(
                        "published (found on the platform after an interrupted run) {}",
                        url.as_deref().unwrap_or("")
                    )
                }
                Outcome::Edited { url } => format!("edited {}", url.as_deref().unwrap_or("")),
                Outcome::Deleted => "deleted".into(),
                Outcome::Pinned => "pinned to the profile".into(),
                Outcome::Unpinned => "taken off the profile".into(),
                Outcome::Failed { message, retry: true, .. } => format!("failed, next run tries again: {message}"),
                Outcome::Failed { message, .. } => format!("FAILED: {message}"),
                Outcome::Unknown { message } => format!("UNKNOWN, held: {message}"),
                Outcome::Blocked { message } => format!("BLOCKED: {message}"),
            };
            let _ = writeln!(out, "{:<10} {}: {}", d.platform.name(), d.post, line.trim_end());
        }
        if !args.dry_run && !cli.quiet {
            let holds = report.plan.holds().count();
            if report.done.is_empty() {
                let _ = writeln!(out, "nothing was due ({holds} held; `budkavle publish --dry-run` shows why)");
            }
            if let Some(c) = &report.commit {
                let _ = writeln!(out, "ledger committed as {}", &c[..c.len().min(10)]);
            }
        }
    }
    let person = report.done.iter().any(|d| d.result.needs_person());
    Ok(if person { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub(crate) fn resolve(cli: &Cli, args: &ResolveArgs) -> Result<ExitCode, Error> {
    let resolution = match &args.published {
        Some(url) => Resolution::Published { url: url.clone(), id: args.id.clone() },
        None => Resolution::NotPublished,
    };
    let entry = publish::resolve(&cli.root, &args.post, args.platform, &resolution, !args.no_commit)?;
    if !cli.quiet {
        let what = if entry.remote.is_some() { "published" } else { "not published: the next run sends it" };
        println!("{} on {}: settled as {what} (ledger line {})", entry.post, entry.platform, entry.seq);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn log(cli: &Cli, args: &LogArgs) -> Result<ExitCode, Error> {
    let project = Project::load(&cli.root)?;
    let post = project.find(&args.post)?;
    let steps = publish::trail(&project, post)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&steps).map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
        let _ = writeln!(out, "{json}");
        return Ok(ExitCode::SUCCESS);
    }
    let tz = &project.strategy.timezone;
    let _ = writeln!(out, "{} — {}", post.id, post.title);
    for s in &steps {
        let at = s.at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M");
        let platform = s.platform.map_or(String::new(), |p| format!(" {p}"));
        let _ = writeln!(out, "{at}  {:<9}{platform:<10} {}", s.event, s.detail);
    }
    if steps.is_empty() {
        let _ = writeln!(out, "(no history: the post is not committed and was never published)");
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(cli: &Cli) -> Result<ExitCode, Error> {
    let v = publish::verify(&cli.root)?;
    if !cli.quiet {
        println!(
            "ledger verified: {} lines in {} files, hash chain intact; {} commits changed it, each only appending. head {}",
            v.entries, v.files, v.commits, v.head
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn plan(cli: &Cli, args: &PlanArgs) -> Result<ExitCode, Error> {
    let project = Project::load(&cli.root)?;
    let now = args.now.unwrap_or_else(jiff::Timestamp::now);
    let calendar = budkavle::calendar::calendar(&project, now, args.days.clamp(1, 366))?;
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        let json =
            serde_json::to_string_pretty(&calendar).map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
        let _ = writeln!(out, "{json}");
    } else {
        let _ = write!(out, "{}", budkavle::calendar::describe(&calendar));
    }
    Ok(ExitCode::SUCCESS)
}
