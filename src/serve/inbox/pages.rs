//! The inbox's pages, as HTML strings. Every text that comes from a citizen, a platform or a
//! person's note goes through [`crate::escape::html`]; identity numbers are masked as in
//! `inbox show` and exports, so a personnummer is never on screen.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{PREFIX, guard};
use crate::error::Result;
use crate::escape::html as esc;
use crate::inbox::queue::{Filter, Queue, ThreadItem, local};
use crate::inbox::{Inbox, ItemKind, records::RecordItem};
use crate::ledger::Ledger;
use crate::project::Project;

/// How long an excerpt in a list is.
const EXCERPT: usize = 280;

/// How far up and down a thread is followed, so a loop or a huge thread cannot stall a page.
const THREAD_DEPTH: usize = 20;
const THREAD_ITEMS: usize = 200;

/// The message after a successful action, from the redirect's `done=`: fixed words, never
/// anything a request brings.
pub(super) fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "resolve" => "Resolved. The action is logged.",
        "hold" => "Put on legal hold. The action is logged.",
        "release" => "Released from legal hold. The action is logged.",
        "hold-unchanged" => "It already was so; nothing logged.",
        "reviewed" => "The review is recorded in the log.",
        "reply" => "Reply sent. The action is logged and the item resolved.",
        "reply-found" => "An earlier attempt had reached the platform: found there and recorded; nothing sent again.",
        "reply-already" => "This exact answer was sent before; nothing sent again.",
        "hide" => "Hidden on the platform. The action is logged.",
        "unhide" => "Shown again on the platform. The action is logged.",
        "hide-unchanged" => "It already was so on the platform; nothing sent or logged.",
        _ => return None,
    })
}

fn layout(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"same-origin\">\n\
         <title>{title} – budkavle inbox</title>\n<link rel=\"stylesheet\" href=\"{PREFIX}inbox.css\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to the content</a>\n\
         <header>\n<nav aria-label=\"budkavle\">\n<ul>\n<li><a href=\"{PREFIX}\">Inbox</a></li>\n\
         <li><a href=\"/\">Archive</a></li>\n<li><a href=\"/previews/\">Previews</a></li>\n</ul>\n</nav>\n</header>\n\
         <main id=\"main\">\n{main}</main>\n</body>\n</html>\n",
        title = esc(title)
    )
}

/// A page that says what went wrong and what to do.
pub(super) fn problem(title: &str, message: &str) -> String {
    let paragraphs: String =
        message.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("<p>{}</p>\n", esc(l))).collect();
    layout(title, &format!("<h1>{}</h1>\n{paragraphs}<p><a href=\"{PREFIX}\">Back to the inbox</a></p>\n", esc(title)))
}

fn token_field(token: &str) -> String {
    format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", guard::FIELD, esc(token))
}

/// `3 h 10 min`, `2 days 4 h`: how long between two times, in words.
fn span_words(from: Timestamp, to: Timestamp) -> String {
    let secs = (to.as_second() - from.as_second()).unsigned_abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if days > 0 {
        if hours > 0 { format!("{} {} h", plural(days, "day", "days"), hours) } else { plural(days, "day", "days") }
    } else if hours > 0 {
        if mins > 0 { format!("{hours} h {mins} min") } else { format!("{hours} h") }
    } else if mins > 0 {
        format!("{mins} min")
    } else {
        "less than a minute".to_string()
    }
}

/// The due time in words: overdue is said, not only coloured.
fn due_words(due: Option<&str>, now: Timestamp, tz: &TimeZone) -> String {
    let Some(due) = due else { return "<span class=\"muted\">No due time</span>".to_string() };
    let at = esc(&local(due, tz));
    match due.parse::<Timestamp>() {
        Ok(t) if t < now => {
            format!("<strong class=\"late\">Overdue</strong> by {}: was due {at}", span_words(t, now))
        }
        Ok(t) => format!("Due {at} (in {})", span_words(now, t)),
        Err(_) => format!("Due {at}"),
    }
}

fn excerpt(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > EXCERPT { flat.chars().take(EXCERPT - 1).collect::<String>() + "…" } else { flat }
}

fn kinds_list(kinds: &[crate::inbox::Label], with_rules: bool) -> String {
    if kinds.is_empty() {
        return "<p class=\"meta\">No kind: no rule matched.</p>".to_string();
    }
    let items: String = kinds
        .iter()
        .map(|l| {
            if with_rules {
                format!("<li><strong>{}</strong>, rule <code>{}</code></li>", esc(l.kind.name()), esc(&l.rule))
            } else {
                format!("<li>{}</li>", esc(l.kind.name()))
            }
        })
        .collect();
    format!("<ul class=\"kinds\" aria-label=\"Kinds\">{items}</ul>")
}

pub(super) struct QueueView<'a> {
    pub queue: &'a Queue,
    pub filter: &'a Filter,
    /// The strategy's accounts.
    pub accounts: &'a [String],
    pub tz: &'a TimeZone,
    pub now: Timestamp,
    pub token: &'a str,
    pub done: Option<&'a str>,
    pub mask: &'a dyn Fn(&str) -> String,
}

pub(super) fn queue(v: &QueueView<'_>) -> String {
    let q = v.queue;
    let mut m = String::from("<h1>Inbox</h1>\n");
    if let Some(done) = v.done {
        let _ = writeln!(m, "<p class=\"status\" role=\"status\">{}</p>", esc(done));
    }
    let filtered = v.filter.kind.is_some() || v.filter.platform.is_some();
    let _ = writeln!(
        m,
        "<p class=\"counts\"><strong>{}</strong> open, <strong{}>{}</strong> overdue{}.</p>",
        q.open,
        if q.overdue > 0 { " class=\"late\"" } else { "" },
        q.overdue,
        if filtered { " with these filters" } else { "" }
    );

    // Filters: a plain GET form, so it works without JavaScript and the address can be kept.
    let mut kinds = String::from("<option value=\"\">All kinds</option>");
    for k in ItemKind::ALL {
        let selected = if v.filter.kind == Some(k) { " selected" } else { "" };
        let _ = write!(kinds, "<option value=\"{0}\"{selected}>{0}</option>", k.name());
    }
    let mut platforms = String::from("<option value=\"\">All platforms</option>");
    let mut names: Vec<&str> = v.accounts.iter().map(String::as_str).collect();
    if let Some(p) = v.filter.platform.as_deref()
        && !names.contains(&p)
    {
        names.push(p);
    }
    for p in names {
        let selected = if v.filter.platform.as_deref() == Some(p) { " selected" } else { "" };
        let _ = write!(platforms, "<option value=\"{0}\"{selected}>{0}</option>", esc(p));
    }
    let _ = writeln!(
        m,
        "<form class=\"filters\" method=\"get\" action=\"{PREFIX}\" aria-label=\"Filter the queue\">\n\
         <div><label for=\"kind\">Kind</label><select id=\"kind\" name=\"kind\">{kinds}</select></div>\n\
         <div><label for=\"platform\">Platform</label><select id=\"platform\" name=\"platform\">{platforms}</select></div>\n\
         <div><button type=\"submit\">Show</button></div>\n</form>"
    );
    if filtered {
        let _ = writeln!(m, "<p><a href=\"{PREFIX}\">Show every open item</a></p>");
    }

    let _ = writeln!(m, "<h2 id=\"queue\">Open items, the one due first on top</h2>");
    if q.items.is_empty() {
        let _ = writeln!(m, "<p>Nothing is open{}.</p>", if filtered { " with these filters" } else { "" });
    } else {
        if q.items.len() < q.open {
            let _ = writeln!(m, "<p class=\"meta\">Showing the first {} of {}.</p>", q.items.len(), q.open);
        }
        m.push_str("<ol class=\"items\" aria-labelledby=\"queue\">\n");
        for item in &q.items {
            let mut notes = Vec::new();
            if item.deleted {
                notes.push("deleted by its author".to_string());
            } else if item.versions > 1 {
                notes.push(format!("edited ({} versions)", item.versions));
            }
            if item.hold {
                notes.push("on legal hold".to_string());
            }
            let notes = if notes.is_empty() { String::new() } else { format!(" · {}", esc(&notes.join(", "))) };
            let _ = writeln!(
                m,
                "<li>\n<h3><a href=\"{PREFIX}{key}\">Item {key}</a>: {platform}, from {author}</h3>\n\
                 <p>{due}</p>\n{kinds}\n<p class=\"text\">{text}</p>\n<p class=\"meta\">Written {at}{notes}</p>\n</li>",
                key = item.key,
                platform = esc(&item.platform),
                author = esc(&(v.mask)(&item.author)),
                due = due_words(item.due.as_deref(), v.now, v.tz),
                kinds = kinds_list(&item.kinds, false),
                text = esc(&excerpt(&(v.mask)(&item.text))),
                at = esc(&local(&item.at, v.tz)),
            );
        }
        m.push_str("</ol>\n");
    }

    // §4 lagen (1998:112): each account's comments are looked through regularly.
    m.push_str(
        "<h2 id=\"supervision\">Supervision of the accounts</h2>\n\
         <p>Each account's comments are looked through at least as often as <code>supervise_every</code> says \
         (§4 lagen (1998:112) om ansvar för elektroniska anslagstavlor).</p>\n<ul class=\"items\" aria-labelledby=\"supervision\">\n",
    );
    for s in &q.supervision {
        let state = match (&s.last_reviewed, &s.by) {
            (Some(at), Some(by)) => format!("Last reviewed {} by {}.", esc(&local(at, v.tz)), esc(by)),
            _ => "Never reviewed.".to_string(),
        };
        let due = match (&s.due, s.overdue) {
            (_, true) => "<strong class=\"late\">Review overdue</strong>".to_string(),
            (Some(d), false) => format!("Next review due {}", esc(&local(d, v.tz))),
            (None, false) => String::new(),
        };
        let id = format!("review-{}", esc(&s.platform));
        let _ = writeln!(
            m,
            "<li>\n<h3>{platform}</h3>\n<p>{state} {due}</p>\n\
             <form method=\"post\" action=\"{PREFIX}reviewed\">{token}\
             <input type=\"hidden\" name=\"platform\" value=\"{platform}\">\n\
             <label for=\"{id}\">Note (optional)</label>\n<input type=\"text\" id=\"{id}\" name=\"note\">\n\
             <button type=\"submit\">Reviewed {platform} now</button>\n</form>\n</li>",
            platform = esc(&s.platform),
            token = token_field(v.token),
        );
    }
    m.push_str("</ul>\n");
    let title = match q.overdue {
        0 => format!("{} open", q.open),
        n => format!("{} open, {n} overdue", q.open),
    };
    layout(&format!("Inbox: {title}"), &m)
}

/// What the item page shows besides the item.
pub(super) struct ItemView<'a> {
    pub key: i64,
    /// The message of a successful action.
    pub done: Option<&'a str>,
    /// Why an action was not done.
    pub error: Option<&'a str>,
    /// What was typed into the form that failed, so it is not lost.
    pub kept: Kept<'a>,
}

/// The fields of a form that was not done, shown again as typed.
#[derive(Default, Clone, Copy)]
pub(crate) struct Kept<'a> {
    pub reply: &'a str,
    pub template: &'a str,
    pub hide: &'a str,
    pub resolve: &'a str,
    pub hold: &'a str,
}

/// The post an item answers, found in the ledger by the platform's id.
struct Answered {
    post: String,
    title: Option<String>,
    /// The archive has a page for it.
    page: bool,
    url: Option<String>,
}

fn answered(ledger: &Ledger, project: &Project, platform: &str, remote: &str) -> Option<Answered> {
    let entry = ledger.entries().iter().rev().find(|e| {
        e.platform.name() == platform
            && e.remote.as_ref().is_some_and(|r| r.id == remote || r.parts.iter().any(|p| p == remote))
    })?;
    let post = project.post(&entry.post);
    Some(Answered {
        post: entry.post.clone(),
        title: post.map(|p| p.title.clone()),
        page: post.is_some_and(|p| !p.draft),
        url: entry.remote.as_ref().and_then(|r| r.url.clone()),
    })
}

/// Where an item sits: what its conversation started from, and the other items in it.
struct Thread {
    /// The remote id at the top of the item's chain of replies that is not itself an item.
    root: Option<String>,
    answered: Option<Answered>,
    items: Vec<ThreadItem>,
}

fn thread(inbox: &Inbox, ledger: Option<&Ledger>, project: &Project, item: &RecordItem) -> Result<Thread> {
    let latest = item.versions.last();
    // Up: through other items, to what is not one (the organisation's post, or unknown).
    let mut root = latest.and_then(|v| v.in_reply_to.clone());
    let mut seen = vec![item.id.clone()];
    for _ in 0..THREAD_DEPTH {
        let Some(up) = root.clone() else { break };
        if seen.contains(&up) {
            break;
        }
        let Ok(key) = inbox.find(&format!("{}:{up}", item.platform)) else { break };
        seen.push(up);
        root = inbox.record(key)?.versions.last().and_then(|v| v.in_reply_to.clone());
    }
    let answered = match (&root, ledger) {
        (Some(r), Some(l)) => answered(l, project, &item.platform, r),
        _ => None,
    };
    // Down: everything that answers the root (or this item, when it starts the thread).
    let mut level: Vec<String> = match &root {
        Some(r) => vec![r.clone()],
        None => vec![item.id.clone()],
    };
    if let (Some(a), Some(l)) = (&answered, ledger) {
        for e in l.entries().iter().filter(|e| e.post == a.post && e.platform.name() == item.platform) {
            if let Some(r) = &e.remote {
                for id in std::iter::once(&r.id).chain(&r.parts) {
                    if !level.contains(id) {
                        level.push(id.clone());
                    }
                }
            }
        }
    }
    let mut items: Vec<ThreadItem> = Vec::new();
    for _ in 0..THREAD_DEPTH {
        if level.is_empty() || items.len() >= THREAD_ITEMS {
            break;
        }
        let found = inbox.replies_to(&item.platform, &level)?;
        level = Vec::new();
        for t in found {
            if items.iter().any(|i| i.key == t.key) {
                continue;
            }
            level.push(t.id.clone());
            items.push(t);
        }
    }
    items.truncate(THREAD_ITEMS);
    items.sort_by(|a, b| (&a.at, a.key).cmp(&(&b.at, b.key)));
    Ok(Thread { root, answered, items })
}

pub(super) fn item(project: &Project, inbox: &Inbox, now: Timestamp, token: &str, v: &ItemView<'_>) -> Result<String> {
    let record = inbox.record(v.key)?;
    let due = inbox.due_of(v.key)?;
    let tz = &inbox.settings.timezone;
    let triage = inbox.triage()?;
    let ledger = Ledger::read(&project.root);
    let thread = thread(inbox, ledger.as_ref().ok(), project, &record)?;
    let latest = record.versions.last();
    let author = latest.map_or("", |l| l.author.as_str());

    let mut m = format!("<h1>Item {}: {}, from {}</h1>\n", record.key, esc(&record.platform), esc(author));
    if let Some(done) = v.done {
        let _ = writeln!(m, "<p class=\"status\" role=\"status\">{}</p>", esc(done));
    }
    for s in inbox.sends(v.key)?.iter().filter(|s| s.unfinished()) {
        let _ = writeln!(
            m,
            "<div class=\"alert\" role=\"alert\"><p><strong>Unfinished:</strong> a {} started {} by {} may or may not have reached {}. \
             Send it again (budkavle looks it up first and never sends twice), or settle it with <code>budkavle inbox settle {}</code>.</p></div>",
            esc(s.kind.name()),
            esc(&local(&s.intent_at, tz)),
            esc(&s.by),
            esc(&record.platform),
            record.key
        );
    }
    if let Some(error) = v.error {
        // Messages from the checks come in lines (each finding, then the fix): kept as lines.
        let mut lines = error.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or("");
        let rest: String = lines.map(|l| format!("<p>{}</p>", esc(l))).collect();
        let _ = writeln!(
            m,
            "<div class=\"alert\" role=\"alert\"><p><strong>Not done:</strong> {}</p>{rest}</div>",
            esc(first)
        );
    }
    let target = inbox.target(v.key)?;
    let answered_by_reply = record.actions.iter().any(|a| a.action == "reply");
    let status = match record.status.as_str() {
        "open" => "<strong>Open</strong>".to_string(),
        "resolved" if answered_by_reply => "<strong class=\"done\">Answered</strong> (resolved)".to_string(),
        other => format!("<strong class=\"done\">{}</strong>", esc(&capitalised(other))),
    };
    let mut hold = String::new();
    if target.hidden {
        let _ = write!(hold, " · hidden on {}", esc(&record.platform));
    }
    if record.hold {
        hold.push_str(" · on legal hold (weeding keeps it)");
    }
    // Handled: when, against the promised response time, in words.
    let handled = record.actions.iter().find(|a| a.action == "reply" || a.action == "resolve");
    let due_line = match (record.status.as_str(), handled) {
        ("open", _) => due_words(due.as_deref(), now, tz),
        (_, Some(a)) => {
            let when =
                format!("{} {}", if a.action == "reply" { "Answered" } else { "Resolved" }, esc(&local(&a.at, tz)));
            match (due.as_deref().and_then(|d| d.parse::<Timestamp>().ok()), a.at.parse::<Timestamp>()) {
                (Some(d), Ok(at)) if at <= d => format!("{when}, {} before the due time.", span_words(at, d)),
                (Some(d), Ok(at)) => {
                    format!("{when}, <strong class=\"late\">{} after the due time</strong>.", span_words(d, at))
                }
                _ => format!("{when}."),
            }
        }
        (_, None) => due.as_deref().map_or_else(String::new, |d| format!("Was due {}", esc(&local(d, tz)))),
    };
    let _ = writeln!(
        m,
        "<p>Status: {status}{hold}</p>\n<p>{due_line}</p>\n<p class=\"meta\">{}:{} · first written {}</p>",
        esc(&record.platform),
        esc(&record.id),
        esc(&record.versions.first().map(|f| local(&f.at, tz)).unwrap_or_default()),
    );

    m.push_str("<h2>Kinds and the rules that matched</h2>\n");
    m.push_str(&kinds_list(&record.kinds, true));
    m.push('\n');

    // The versions, newest first: what the citizen wrote now, then what they wrote before.
    let _ = writeln!(
        m,
        "<h2 id=\"versions\">What was written ({} version{})</h2>",
        record.versions.len(),
        if record.versions.len() == 1 { "" } else { "s" }
    );
    m.push_str("<ol class=\"items\" aria-labelledby=\"versions\" reversed>\n");
    for ver in record.versions.iter().rev() {
        let what = if ver.deleted {
            "<strong>Deleted by its author</strong> (the text is kept as received)".to_string()
        } else if ver.n == 1 {
            "Written".to_string()
        } else {
            "<strong>Edited</strong>".to_string()
        };
        let link = ver
            .url
            .as_deref()
            .filter(|u| crate::escape::is_web_url(u))
            .map_or_else(String::new, |u| format!(" · <a href=\"{}\">on {}</a>", esc(u), esc(&record.platform)));
        let _ = writeln!(
            m,
            "<li>\n<h3>Version {n}</h3>\n<p class=\"meta\">{what} {at} by {author}{link} · received {received} ({source})</p>\n\
             <blockquote class=\"text\">{text}</blockquote>\n</li>",
            n = ver.n,
            at = esc(&local(&ver.at, tz)),
            author = esc(&ver.author),
            received = esc(&local(&ver.received, tz)),
            source = esc(&ver.source),
            text = esc(&ver.text),
        );
    }
    m.push_str("</ol>\n");

    m.push_str("<h2>The conversation</h2>\n");
    match (&thread.answered, &thread.root, &ledger) {
        (Some(a), _, _) => {
            let title = a.title.clone().unwrap_or_else(|| a.post.clone());
            let page = if a.page {
                format!("<a href=\"/p/{}/\">{}</a>", esc(&a.post), esc(&title))
            } else {
                format!(
                    "{} <span class=\"meta\">(no archive page: a draft or removed from the repository)</span>",
                    esc(&title)
                )
            };
            let live = a.url.as_deref().filter(|u| crate::escape::is_web_url(u)).map_or_else(String::new, |u| {
                format!(" · <a href=\"{}\">the post on {}</a>", esc(u), esc(&record.platform))
            });
            let _ = writeln!(m, "<p>Answers the organisation's post {page}{live}.</p>");
        }
        (None, Some(root), Err(e)) => {
            let _ = writeln!(
                m,
                "<p>Answers <code>{}</code>; the ledger cannot be read to say which post that is: {}</p>",
                esc(root),
                esc(&e.to_string())
            );
        }
        (None, Some(root), Ok(_)) => {
            let _ = writeln!(
                m,
                "<p>Answers <code>{}</code> on {}, which is not one of the organisation's posts in the ledger.</p>",
                esc(root),
                esc(&record.platform)
            );
        }
        (None, None, _) => m.push_str("<p>Not a reply: a mention or a message on its own.</p>\n"),
    }
    let others: Vec<&ThreadItem> = thread.items.iter().filter(|t| t.key != record.key).collect();
    if others.is_empty() {
        m.push_str("<p>No other items in this conversation.</p>\n");
    } else {
        let _ = writeln!(m, "<h3 id=\"thread\">Other items in this conversation ({})</h3>", others.len());
        m.push_str("<ol class=\"items\" aria-labelledby=\"thread\">\n");
        for t in others {
            let deleted = if t.deleted { " · deleted by its author" } else { "" };
            let _ = writeln!(
                m,
                "<li><p><a href=\"{PREFIX}{key}\">Item {key}</a> from {author} · {at} · {status}{deleted}</p>\n<p class=\"text\">{text}</p></li>",
                key = t.key,
                author = esc(&triage.mask_identity_numbers(&t.author)),
                at = esc(&local(&t.at, tz)),
                status = esc(&t.status),
                text = esc(&excerpt(&triage.mask_identity_numbers(&t.text))),
            );
        }
        m.push_str("</ol>\n");
    }

    m.push_str("<h2>What to do</h2>\n<div class=\"actions\">\n");
    let token = token_field(token);
    let key = record.key;
    let platform = esc(&record.platform);
    if !target.deleted {
        let templates = &inbox.settings.templates;
        let mut options = String::from("<option value=\"\">None: send my own text</option>");
        for name in templates.keys() {
            let selected = if v.kept.template == name { " selected" } else { "" };
            let _ = write!(options, "<option value=\"{0}\"{selected}>{0}</option>", esc(name));
        }
        let listed: String = templates
            .iter()
            .map(|(name, text)| format!("<dt>{}</dt><dd class=\"text\">{}</dd>", esc(name), esc(text)))
            .collect();
        let listed = if listed.is_empty() {
            "<p class=\"meta\">strategy.toml has no <code>[interaction.templates]</code>.</p>".to_string()
        } else {
            format!("<details><summary>The templates' texts</summary><dl>{listed}</dl></details>")
        };
        let follow_up = if record.status == "open" { "" } else { " (a follow-up: the item is already handled)" };
        let _ = writeln!(
            m,
            "<section aria-labelledby=\"reply-h\">\n<h3 id=\"reply-h\">Reply</h3>\n\
             <p>Sent on {platform} as an answer to this item{follow_up}, checked like a post first; then the item is resolved.</p>\n\
             <form method=\"post\" action=\"{PREFIX}{key}/reply\">{token}\n\
             <label for=\"reply-template\">Template</label>\n<select id=\"reply-template\" name=\"template\">{options}</select>\n\
             {listed}\n<label for=\"reply-text\">Or your own text</label>\n\
             <textarea id=\"reply-text\" name=\"text\">{text}</textarea>\n\
             <button type=\"submit\">Send the reply on {platform}</button>\n</form>\n</section>",
            text = esc(v.kept.reply),
        );
    }
    let (hide_title, hide_button, undo) = if target.hidden {
        ("Show again", format!("Show again on {platform}"), "<input type=\"hidden\" name=\"undo\" value=\"1\">")
    } else {
        ("Hide", format!("Hide on {platform}"), "")
    };
    let _ = writeln!(
        m,
        "<section aria-labelledby=\"hide-h\">\n<h3 id=\"hide-h\">{hide_title}</h3>\n\
         <p>Moderation (§5 lagen (1998:112)): the reply stays on record here; a person decides.</p>\n\
         <form method=\"post\" action=\"{PREFIX}{key}/hide\">{token}{undo}\n\
         <label for=\"hide-note\">Why (for the log)</label>\n\
         <textarea id=\"hide-note\" name=\"note\">{note}</textarea>\n\
         <button type=\"submit\">{hide_button}</button>\n</form>\n</section>",
        note = esc(v.kept.hide),
    );
    if record.status == "open" {
        let _ = writeln!(
            m,
            "<section aria-labelledby=\"resolve-h\">\n<h3 id=\"resolve-h\">Resolve</h3>\n\
             <p>Handled elsewhere, or needs no answer.</p>\n\
             <form method=\"post\" action=\"{PREFIX}{key}/resolve\">{token}\n\
             <label for=\"resolve-note\">Why (for the log)</label>\n\
             <textarea id=\"resolve-note\" name=\"note\" required>{note}</textarea>\n\
             <button type=\"submit\">Resolve item {key}</button>\n</form>\n</section>",
            note = esc(v.kept.resolve),
        );
    }
    let (hold_title, hold_button, release) = if record.hold {
        ("Release from legal hold", "Release", "<input type=\"hidden\" name=\"release\" value=\"1\">")
    } else {
        ("Legal hold", "Put on legal hold", "")
    };
    let _ = writeln!(
        m,
        "<section aria-labelledby=\"hold-h\">\n<h3 id=\"hold-h\">{hold_title}</h3>\n\
         <p>Weeding (gallring) never deletes an item on hold.</p>\n\
         <form method=\"post\" action=\"{PREFIX}{key}/hold\">{token}{release}\n\
         <label for=\"hold-note\">Why (for the log)</label>\n\
         <textarea id=\"hold-note\" name=\"note\" required>{note}</textarea>\n\
         <button type=\"submit\">{hold_button}</button>\n</form>\n</section>",
        note = esc(v.kept.hold),
    );
    m.push_str("</div>\n");

    let _ = writeln!(m, "<h2 id=\"log\">Action log</h2>");
    if record.actions.is_empty() {
        m.push_str("<p>Nothing done yet.</p>\n");
    } else {
        m.push_str("<table aria-labelledby=\"log\">\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">What</th><th scope=\"col\">Who</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n");
        for a in &record.actions {
            let _ = writeln!(
                m,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&local(&a.at, tz)),
                esc(&a.action),
                esc(&a.by),
                esc(a.note.as_deref().unwrap_or(""))
            );
        }
        m.push_str("</tbody>\n</table>\n");
    }
    let _ = writeln!(m, "<p><a href=\"{PREFIX}\">Back to the queue</a></p>");
    Ok(layout(&format!("Item {}", record.key), &m))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_words() {
        let t = |s: i64| Timestamp::from_second(s).unwrap();
        assert_eq!(span_words(t(0), t(30)), "less than a minute");
        assert_eq!(span_words(t(0), t(600)), "10 min");
        assert_eq!(span_words(t(0), t(3 * 3600 + 600)), "3 h 10 min");
        assert_eq!(span_words(t(0), t(86_400)), "1 day");
        assert_eq!(span_words(t(86_400 * 2 + 7200), t(0)), "2 days 2 h");
    }

    #[test]
    fn overdue_is_said_in_words() {
        let tz = TimeZone::UTC;
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let late = due_words(Some("2026-12-01T10:30:00Z"), now, &tz);
        assert!(late.contains("Overdue</strong> by 1 h 30 min"), "{late}");
        let soon = due_words(Some("2026-12-01T13:00:00Z"), now, &tz);
        assert!(soon.starts_with("Due 2026-12-01 13:00 (in 1 h)"), "{soon}");
    }

    #[test]
    fn the_done_message_is_never_the_request() {
        assert!(done_message("resolve").is_some());
        assert_eq!(done_message("<script>"), None);
    }
}
