//! The edge: parse the command line, call the library, print errors once.

mod cli;
mod publish_cmd;

/// Rendering and checking allocate many short strings on all cores; mimalloc makes that cost a
/// third of the system allocator's (measured in bench/).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use budkavle::{Error, Project, check, platform, render, scaffold};
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn report(e: &Error) {
    let mut err = std::io::stderr().lock();
    if let Error::Invalid(diags) = e {
        for d in diags {
            let _ = writeln!(err, "error: {d}");
        }
    }
    let _ = writeln!(err, "error: {e}");
}

fn say(cli: &Cli, msg: std::fmt::Arguments<'_>) {
    if !cli.quiet {
        eprintln!("{msg}");
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Error> {
    let start = Instant::now();
    match &cli.command {
        Command::Build(args) => {
            let project = Project::load(&cli.root)?;
            if cli.verbose {
                eprintln!("loaded {} posts in {:.0?}", project.posts.len(), start.elapsed());
            }
            let out = args.out.clone().unwrap_or_else(|| cli.root.join(budkavle::build::DIST_DIR));
            let changed = match &args.changed_since {
                Some(rev) => Some(budkavle::preview::changed_since(&cli.root, rev)?),
                None => None,
            };
            let opts = budkavle::build::Options {
                only: args.only,
                previews: args.previews || changed.is_some(),
                changed: changed.as_ref(),
            };
            let s = budkavle::build::build_with(&project, &out, &opts)?;
            let platforms = args.only != Some(budkavle::build::Only::Site);
            let site = args.only != Some(budkavle::build::Only::Platforms);
            if platforms {
                say(
                    cli,
                    format_args!(
                        "built {} posts × platforms = {} renderings into {} ({} files written, {} unchanged, {} removed){}",
                        s.posts,
                        s.rendered,
                        out.join("platforms").display(),
                        s.files.written,
                        s.files.unchanged,
                        s.files.removed,
                        if s.over_limit > 0 {
                            format!(" ({} over a limit: run `budkavle check`)", s.over_limit)
                        } else {
                            String::new()
                        }
                    ),
                );
            }
            for note in &s.notes {
                say(cli, format_args!("note: {note}"));
            }
            if opts.previews {
                say(
                    cli,
                    format_args!(
                        "built the previews: {} posts into {} ({} files written, {} unchanged, {} removed){}",
                        s.preview_pages,
                        out.join(budkavle::preview::DIR).display(),
                        s.preview_files.written,
                        s.preview_files.unchanged,
                        s.preview_files.removed,
                        changed
                            .as_ref()
                            .map(|c| format!("; {} changed since {}: summary.md", c.posts.len(), c.rev))
                            .unwrap_or_default()
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
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => {
            let mut project = Project::load(&cli.root)?;
            if cli.verbose {
                eprintln!("loaded {} posts in {:.0?}", project.posts.len(), start.elapsed());
            }
            let mut findings = check::check(&project)?;
            if cli.verbose {
                eprintln!("checked: {} findings at {:.0?}", findings.len(), start.elapsed());
            }
            if args.fix {
                let applied = check::fix::apply(&project.root, &findings)?;
                for (file, n) in &applied {
                    say(cli, format_args!("fixed {n} finding(s) in {}", file.display()));
                }
                if !applied.is_empty() {
                    // Re-check what the fixes left, from the files as they now are.
                    project = Project::load(&cli.root)?;
                    findings = check::check(&project)?;
                }
            }
            let rules = rule_infos(&project);
            let by_path: std::collections::HashMap<&std::path::Path, &str> =
                project.posts.iter().map(|p| (p.path.as_path(), p.source.as_str())).collect();
            let source = |path: &std::path::Path| by_path.get(path).map(|s| s.to_string());
            let color = args.format == check::report::Format::Human
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let ctx = check::report::Context { source: &source, color, rules: &rules };
            let mut out = std::io::stdout().lock();
            check::report::write(args.format, &findings, &ctx, &mut out)
                .map_err(|e| Error::io("cannot write", "standard output", e))?;
            if cli.verbose {
                eprintln!("reported at {:.0?}", start.elapsed());
            }
            let failed = findings.iter().any(|f| f.level >= args.fail_on);
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Rules(args) => {
            let project = Project::load(&cli.root)?;
            let mut out = std::io::stdout().lock();
            write_rules(&mut out, &check::all_rules(&project), args.json)
                .map_err(|e| Error::io("cannot write", "standard output", e))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Count(args) => {
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
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "platform": args.platform, "length": len.chars, "bytes": len.bytes, "limit": limit, "max_bytes": p.max_bytes(), "over_limit": over })
                );
            } else {
                println!("{}/{}{}", len.chars, limit, if over { " over the limit" } else { "" });
            }
            Ok(if over { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Preview(args) => {
            let project = Project::load(&cli.root)?;
            let post = project.find(&args.post)?;
            let mut out = std::io::stdout().lock();
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut any_over = false;
            for p in render::targets(post) {
                let r = render::render(&project, post, p).map_err(|d| Error::Invalid(vec![d]))?;
                any_over |= r.over_limit;
                write_preview(&mut out, &r, color).map_err(|e| Error::io("cannot write", "standard output", e))?;
            }
            Ok(if any_over { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::New(args) => {
            let project = Project::load(&cli.root)?;
            let kind = args.kind.parse::<budkavle::post::Kind>().map_err(Error::Usage)?;
            let opts =
                scaffold::NewOptions { title: &args.title, kind, date: args.date.clone(), now: jiff::Timestamp::now() };
            let path = scaffold::new_post(&project, &opts)?;
            println!("{}", cli.root.join(path).display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
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
        Command::Publish(args) => publish_cmd::publish(cli, args),
        Command::Resolve(args) => publish_cmd::resolve(cli, args),
        Command::Log(args) => publish_cmd::log(cli, args),
        Command::Verify => publish_cmd::verify(cli),
        Command::Plan(args) => publish_cmd::plan(cli, args),
        Command::Cap(args) => {
            let project = Project::load(&cli.root)?;
            let post = project.find(&args.post)?;
            // A post without a date goes out on merge: its first publication in the ledger.
            let published = budkavle::ledger::Ledger::read(&project.root)?.published_by_post();
            let sent_of =
                |p: &budkavle::post::Post| p.date.or_else(|| published.get(&p.id)?.iter().map(|x| x.at).min());
            let xml = budkavle::cap::to_xml(&budkavle::cap::alert(&project, post, &sent_of)?);
            std::io::stdout()
                .lock()
                .write_all(xml.as_bytes())
                .map_err(|e| Error::io("cannot write", "standard output", e))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => {
            let opts =
                scaffold::InitOptions { name: args.name.clone(), lang: args.lang.clone(), now: jiff::Timestamp::now() };
            let files = scaffold::init(&args.dir, &opts)?;
            if cli.verbose {
                for f in &files {
                    eprintln!("wrote {}", args.dir.join(f).display());
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
    }
}

fn rule_infos(project: &Project) -> Vec<check::report::RuleInfo> {
    check::all_rules(project)
        .iter()
        .map(|r| check::report::RuleInfo { id: r.id().to_string(), description: r.description(), link: r.link() })
        .collect()
}

fn write_rules(out: &mut dyn Write, rules: &[Box<dyn check::Rule>], json: bool) -> std::io::Result<()> {
    if json {
        let list: Vec<_> = rules
            .iter()
            .map(|r| {
                serde_json::json!({ "id": r.id(), "level": r.level().name(), "description": r.description(), "example": r.example(), "link": r.link() })
            })
            .collect();
        return writeln!(out, "{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    }
    for r in rules {
        writeln!(out, "{} ({})", r.id(), r.level().name())?;
        writeln!(out, "    {}", r.description())?;
        writeln!(out, "    example: {}", r.example())?;
        if let Some(link) = r.link() {
            writeln!(out, "    see: {link}")?;
        }
    }
    Ok(())
}

fn write_preview(out: &mut dyn Write, r: &budkavle::Rendered, color: bool) -> std::io::Result<()> {
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
