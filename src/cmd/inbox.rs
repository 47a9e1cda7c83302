//! `budkavle inbox`: the queue of citizens' messages, and what people do with them.
//!
//! Without a subcommand it lists the open items, the one due first on top, overdue ones
//! marked, and warns about accounts not reviewed within `supervise_every`. Messages are printed
//! only here, for the person who asks: never into a file in the repository or a log.

use std::path::PathBuf;
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::civil::Date;

use budkavle::clients::http::{DEFAULT_TIMEOUT, Http};
use budkavle::inbox::queue::{Filter, local};
use budkavle::inbox::records::{self, Format as RecordFormat};
use budkavle::inbox::{Inbox, ItemKind};
use budkavle::respond::{self, ReplyOutcome, ReplyText};
use budkavle::{Error, Project};

use super::{Cli, Out, say};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    #[command(flatten)]
    pub list: ListArgs,
    /// The clock (RFC 3339), for rehearsals and tests; default `$BUDKAVLE_NOW`, else now.
    #[arg(long, global = true, value_name = "TIME")]
    pub now: Option<Timestamp>,
    /// Who does this, for the action log; default `$BUDKAVLE_ACTOR`, else git's user.name.
    #[arg(long, global = true, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
    /// Only items of this kind.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<ItemKind>,
    /// Only items from this platform.
    #[arg(long)]
    pub platform: Option<String>,
    /// At most this many items (the counts are of all).
    #[arg(long, default_value_t = 100, conflicts_with = "all")]
    pub limit: usize,
    /// Every open item.
    #[arg(long)]
    pub all: bool,
}

fn parse_kind(s: &str) -> Result<ItemKind, String> {
    ItemKind::from_name(s)
        .ok_or_else(|| format!("kinds: {}", ItemKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")))
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Sub {
    /// Import items from a JSONL file (one object a line); all lines or none.
    Import { file: PathBuf },
    /// Mark an item handled, with why.
    Resolve {
        /// The item's number from the list, or platform:id.
        item: String,
        #[arg(long)]
        note: String,
    },
    /// Put an item on legal hold (weed keeps it), or release it.
    Hold {
        item: String,
        #[arg(long)]
        note: String,
        #[arg(long)]
        release: bool,
    },
    /// Record that an account's comments were reviewed now (supervision, §4 lagen (1998:112)).
    Reviewed {
        platform: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Answer an item on its platform: a text, or a template from [interaction.templates].
    /// Checked like a post first (refused on an error finding), sent once, logged; the item
    /// is then resolved.
    Reply {
        item: String,
        #[arg(long, required_unless_present = "template", conflicts_with = "template")]
        text: Option<String>,
        /// The name of a template in [interaction.templates].
        #[arg(long)]
        template: Option<String>,
    },
    /// Hide an item on its platform (where the platform lets an account hide replies to its
    /// posts); the item stays in the inbox as a record.
    Hide {
        item: String,
        /// Why, for the action log.
        #[arg(long)]
        note: Option<String>,
        /// Show it again.
        #[arg(long)]
        undo: bool,
    },
    /// Record what became of a reply or hide that budkavle could not account for.
    Settle {
        item: String,
        /// The reply is on the platform with this id.
        #[arg(long, required_unless_present = "not_sent", conflicts_with = "not_sent")]
        sent_as: Option<String>,
        /// It never reached the platform: it may be sent again.
        #[arg(long)]
        not_sent: bool,
    },
    /// One item: every version and every action.
    Show { item: String },
    /// Items written in a period, for a records request; identity numbers masked.
    Export {
        /// First day (YYYY-MM-DD), in the organisation's time zone.
        #[arg(long)]
        from: Date,
        /// Last day, included.
        #[arg(long)]
        to: Date,
        #[arg(long, value_enum, default_value = "json")]
        format: RecordFormat,
    },
    /// Delete items older than `[interaction] keep`, except those on legal hold.
    Weed,
    /// Triage every stored item again and recompute due times (after changing rules by hand).
    Triage,
    /// Where the store is.
    Path,
    /// Read replies, comments, mentions and quotes from every platform with an account into
    /// the store: from where the last pull stopped, adding only what is new or changed. Prints
    /// counts only, never a message.
    Pull(PullArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct PullArgs {
    #[command(flatten)]
    pub read: super::metrics::ReadArgs,
    /// Read replies to the posts published in the last DAYS days (mentions come whatever the
    /// post's age).
    #[arg(long, default_value_t = budkavle::pull::inbox::DEFAULT_DAYS, value_name = "DAYS")]
    pub days: i64,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(cli: &Cli, args: &Args) -> Result<ExitCode, Error> {
    let project = super::load(cli)?;
    let now = clock(args.now)?;
    if let Some(Sub::Path) = &args.command {
        let settings = budkavle::inbox::Settings::of(&project)?;
        Out::new().line(format_args!("{}", settings.store_path(&project)?.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Sub::Pull(pull_args)) = &args.command {
        return pull(cli, pull_args, now);
    }
    let mut inbox = Inbox::open(&project, now)?;
    let Some(sub) = &args.command else {
        return list(cli, &project, &inbox, &args.list, now);
    };
    let mut out = Out::new();
    match sub {
        Sub::Import { file } => {
            let text = std::fs::read_to_string(file).map_err(|e| Error::io("cannot read", file, e))?;
            let by = actor(&project, args.by.as_deref())?;
            let done = inbox.import(file, &text, &by, now)?;
            say(
                cli,
                format_args!(
                    "imported {} new items and {} new versions from {} ({} unchanged)",
                    done.new_items,
                    done.new_versions,
                    file.display(),
                    done.unchanged
                ),
            );
        }
        Sub::Resolve { item, note } => {
            let key = inbox.find(item)?;
            inbox.resolve(key, &actor(&project, args.by.as_deref())?, note, now)?;
            say(cli, format_args!("item {key} resolved"));
        }
        Sub::Hold { item, note, release } => {
            let key = inbox.find(item)?;
            let changed = inbox.hold(key, !release, &actor(&project, args.by.as_deref())?, note, now)?;
            let state = if *release { "released from legal hold" } else { "on legal hold" };
            if changed {
                say(cli, format_args!("item {key} {state}"));
            } else {
                say(cli, format_args!("item {key} was already {state}; nothing logged"));
            }
        }
        Sub::Reviewed { platform, note } => {
            let names: Vec<String> = project.strategy.enabled_platforms().map(|p| p.to_string()).collect();
            if !names.contains(platform) {
                return Err(Error::Usage(format!(
                    "`{platform}` is not an account in strategy.toml (enabled: {})",
                    names.join(", ")
                )));
            }
            inbox.reviewed(platform, &actor(&project, args.by.as_deref())?, note.as_deref(), now)?;
            say(cli, format_args!("{platform}: reviewed {}", local(&now.to_string(), &inbox.settings.timezone)));
        }
        Sub::Reply { item, text, template } => {
            let key = inbox.find(item)?;
            let by = actor(&project, args.by.as_deref())?;
            let text = match (text, template) {
                (Some(t), _) => ReplyText::Text(t.clone()),
                (None, Some(name)) => ReplyText::Template(name.clone()),
                (None, None) => return Err(Error::Usage("write the reply with --text or name a --template".into())),
            };
            let http = Http::new(DEFAULT_TIMEOUT)?;
            let done = respond::reply(&project, &mut inbox, key, &text, &by, &|n| std::env::var(n).ok(), &http, now)?;
            for f in &done.findings {
                eprintln!("{}: line {}, column {}: {} [{}]", f.level.name(), f.line, f.column, f.message, f.rule);
            }
            let at = done.url.as_deref().or(done.remote.as_deref()).unwrap_or("");
            match done.outcome {
                ReplyOutcome::Sent => say(cli, format_args!("item {key}: answered on {} ({at})", done.platform)),
                ReplyOutcome::Found => say(
                    cli,
                    format_args!(
                        "item {key}: the answer an earlier run sent is on {} ({at}); recorded, nothing sent again",
                        done.platform
                    ),
                ),
                ReplyOutcome::AlreadySent => {
                    say(cli, format_args!("item {key} was already given exactly this answer ({at}); nothing sent"))
                }
            }
        }
        Sub::Hide { item, note, undo } => {
            let key = inbox.find(item)?;
            let by = actor(&project, args.by.as_deref())?;
            let http = Http::new(DEFAULT_TIMEOUT)?;
            let done = respond::hide(
                &project,
                &mut inbox,
                key,
                !undo,
                &by,
                note.as_deref(),
                &|n| std::env::var(n).ok(),
                &http,
                now,
            )?;
            let state = if done.hidden { "hidden" } else { "shown" };
            if done.unchanged {
                say(cli, format_args!("item {key} is already {state} on {}; nothing sent", done.platform));
            } else {
                say(cli, format_args!("item {key} {state} on {}", done.platform));
            }
        }
        Sub::Settle { item, sent_as, not_sent: _ } => {
            let key = inbox.find(item)?;
            let by = actor(&project, args.by.as_deref())?;
            let said = respond::settle(&mut inbox, key, sent_as.as_deref(), &by, now)?;
            say(cli, format_args!("{said}"));
        }
        Sub::Show { item } => {
            let key = inbox.find(item)?;
            let found = inbox.record(key)?;
            // What the organisation sent about it (replies with their ids, hides), beside
            // what the citizen wrote and the action log.
            let mut shown = serde_json::to_value(&found).map_err(|e| Error::Internal(e.to_string()))?;
            shown["sends"] = serde_json::to_value(inbox.sends(key)?).map_err(|e| Error::Internal(e.to_string()))?;
            out.json(&shown)?;
        }
        Sub::Export { from, to, format } => {
            let items = inbox.records(*from, *to)?;
            match format {
                RecordFormat::Json => out.json(&items)?,
                RecordFormat::Csv => out.text(&records::csv(&items))?,
                RecordFormat::Html => {
                    out.text(&records::html(&items, &project.strategy.organisation().name, *from, *to))?
                }
            }
            say(cli, format_args!("{} items from {from} to {to}", items.len()));
        }
        Sub::Weed => match inbox.weed(&actor(&project, args.by.as_deref())?, now)? {
            None => say(cli, format_args!("no retention is set ([interaction] keep): nothing deleted")),
            Some(w) => {
                say(cli, format_args!("deleted {} items; kept {} older items on legal hold", w.deleted, w.kept_on_hold))
            }
        },
        Sub::Triage => {
            let n = inbox.refresh()?;
            say(cli, format_args!("triaged {n} items"));
        }
        Sub::Path | Sub::Pull(_) => {}
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `inbox pull`: one line of counts per platform on stdout, what could not be read on
/// stderr. Exits 1 when a platform failed (an outage, credentials, configuration); a platform
/// budkavle cannot read this way is a notice, not a failure.
fn pull(cli: &Cli, args: &PullArgs, now: Timestamp) -> Result<ExitCode, Error> {
    use budkavle::pull::inbox;
    if args.days < 0 {
        return Err(Error::Usage(format!("--days {}: give a number of days, 0 or more", args.days)));
    }
    let settings = inbox::Settings {
        now: Some(now),
        platforms: args.read.platforms.clone(),
        timeout: args.read.timeout(),
        budget: args.read.budget(),
        posts_within: jiff::SignedDuration::from_hours(24 * args.days.min(100 * 366)),
    };
    let report = inbox::run(&cli.root, &settings, &|name| std::env::var(name).ok())?;
    let mut out = Out::new();
    if args.json {
        out.json(&report)?;
    } else {
        for p in &report.pulled {
            out.line(format_args!(
                "{:<10} {} new items, {} new versions, {} unchanged ({} posts read for replies)",
                p.platform.name(),
                p.new_items,
                p.new_versions,
                p.unchanged,
                p.posts
            ))?;
        }
    }
    out.flush()?;
    for stop in &report.stopped {
        let why = if stop.unsupported {
            "notice: not pulled"
        } else if stop.transient {
            "not pulled (the next pull carries on from where the last one stopped)"
        } else {
            "not pulled; a person must act"
        };
        eprintln!("{}: {why}: {}", stop.platform.name(), stop.message);
    }
    Ok(if report.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn list(cli: &Cli, project: &Project, inbox: &Inbox, args: &ListArgs, now: Timestamp) -> Result<ExitCode, Error> {
    let filter = Filter {
        kind: args.kind,
        platform: args.platform.clone(),
        limit: if args.all { None } else { Some(args.limit) },
    };
    let platforms: Vec<String> = project.strategy.enabled_platforms().map(|p| p.to_string()).collect();
    let queue = inbox.queue(now, &filter, &platforms)?;
    let tz = &inbox.settings.timezone;
    let mut out = Out::new();
    if args.format == ListFormat::Json {
        out.json(&queue)?;
    } else {
        for item in &queue.items {
            let due = item.due.as_deref().map_or_else(|| "no due time".to_string(), |d| local(d, tz));
            let mark = if item.overdue { "OVERDUE" } else { "       " };
            let kinds: Vec<&str> = item.kinds.iter().map(|l| l.kind.name()).collect();
            let mut text: String = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.chars().count() > 90 {
                text = text.chars().take(89).collect::<String>() + "…";
            }
            let edited = if item.deleted {
                " (deleted by its author)"
            } else if item.versions > 1 {
                " (edited)"
            } else {
                ""
            };
            out.line(format_args!(
                "{:>5}  {mark}  due {due}  {:<9}  {}  [{}]{edited}\n       {text}",
                item.key,
                item.platform,
                item.author,
                kinds.join(", ")
            ))?;
        }
        say(
            cli,
            format_args!(
                "{} open, {} overdue{}",
                queue.open,
                queue.overdue,
                if queue.items.len() < queue.open {
                    format!(" (showing {}; --all for every one)", queue.items.len())
                } else {
                    String::new()
                }
            ),
        );
    }
    out.flush()?;
    for s in queue.supervision.iter().filter(|s| s.overdue) {
        let msg = match (&s.last_reviewed, &s.by) {
            (Some(at), Some(by)) => format!(
                "warning: {} was last reviewed {} by {by}; the next review was due {} (supervise_every)",
                s.platform,
                local(at, tz),
                s.due.as_deref().map_or_else(String::new, |d| local(d, tz))
            ),
            _ => format!(
                "warning: {} has never been reviewed: look through its comments, then `budkavle inbox reviewed {}`",
                s.platform, s.platform
            ),
        };
        eprintln!("{msg}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `--now`, else `$BUDKAVLE_NOW`, else the system clock.
fn clock(now: Option<Timestamp>) -> Result<Timestamp, Error> {
    if let Some(t) = now {
        return Ok(t);
    }
    let var = budkavle::site::NOW_ENV;
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|e| {
            Error::Usage(format!("{var}={v} is not a time: {e} (write RFC 3339, e.g. 2027-01-23T08:00:00Z)"))
        }),
        _ => Ok(Timestamp::now()),
    }
}

/// Who acts: `--by`, else `$BUDKAVLE_ACTOR`, else git's `user.name <user.email>` for the
/// repository. The action log must name a person.
fn actor(project: &Project, by: Option<&str>) -> Result<String, Error> {
    budkavle::inbox::actions::actor(&project.root, by)
}
