//! `/inbox/` in `serve`: the queue of citizens' messages by due time, one item with its
//! versions, thread and action log, and the forms that act on it — for the officer at their
//! own machine, on 127.0.0.1.
//!
//! Everything is read from and written to the inbox store through [`crate::inbox`] (the same
//! queue, filters and actions as `budkavle inbox`); nothing here keeps a copy. Each request
//! opens the store afresh, so a `pull` or a command-line action in between shows at once. The
//! repository is loaded once and again only when it may have changed ([`Stamp`]): loading
//! every post for every page would cost more than the page, and the strategy's rules, hours
//! and templates are still current on the next request after strategy.toml is saved.
//!
//! Security ([`guard`]): loopback `Host` only (every path of `serve`); a state change is a
//! `POST` with the process's token and no cross-site marks, answered with a redirect to a
//! page (POST-redirect-GET) so a reload never repeats it. Pages are `no-store`, cannot be
//! framed, and send no referrer to other sites. Citizens' text is HTML-escaped into the page
//! and written nowhere else: not to disk, not to the terminal.

mod guard;
mod pages;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use jiff::Timestamp;

use crate::clients::http::{DEFAULT_TIMEOUT, Http};
use crate::error::{Error, Result};
use crate::inbox::queue::Filter;
use crate::inbox::{Inbox, ItemKind};
use crate::project::Project;
use crate::respond::{self, ReplyOutcome, ReplyText};
pub(crate) use guard::loopback_host;
use pages::Kept;

/// Where the inbox lives in `serve`.
pub(crate) const PREFIX: &str = "/inbox/";

/// A form is a few lines of text; anything larger is not one of ours.
const MAX_BODY: usize = 64 * 1024;

/// How many open items the queue page lists (the counts are of all).
const PAGE: usize = 200;

const CSS: &str = include_str!("inbox/inbox.css");

/// The inbox side of the server: the repository it reads and the token its forms carry.
pub(crate) struct Web {
    root: PathBuf,
    token: guard::Token,
    /// The project as last loaded, with what it was loaded from.
    loaded: Mutex<Option<(Stamp, Arc<Project>)>>,
}

/// What tells that the repository on disk may differ from the project loaded: strategy.toml's
/// modification time and size, read on every request (so a saved template or office hours
/// shows on the next page, before serve's watcher has noticed), and serve's generation, which
/// every rebuild after a post, the theme or media changed moves on (a post's title on an
/// item's page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    strategy: Option<(SystemTime, u64)>,
    generation: u64,
}

impl Stamp {
    fn of(root: &Path, generation: u64) -> Stamp {
        let meta = std::fs::metadata(root.join("strategy.toml")).ok();
        Stamp { strategy: meta.and_then(|m| Some((m.modified().ok()?, m.len()))), generation }
    }
}

/// One answer, for the HTTP side to write.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Where a redirect goes.
    pub location: Option<String>,
}

/// Headers every inbox answer carries: the pages cannot be framed (a hidden frame could
/// trick a click on "resolve"), load nothing from elsewhere, and send no referrer to other
/// sites (`same-origin`, not `no-referrer`: under that a browser sends `Origin: null` with the
/// inbox's own forms).
pub(crate) const HEADERS: [(&str, &str); 3] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
];

/// Whether `path` (decoded) is the inbox's.
pub(crate) fn owns(path: &str) -> bool {
    path == "/inbox" || path.starts_with(PREFIX)
}

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply { status, content_type: "text/html; charset=utf-8", body: body.into_bytes(), location: None }
    }

    fn redirect(location: String) -> Reply {
        Reply {
            status: 303,
            content_type: "text/plain; charset=utf-8",
            body: b"see other\n".to_vec(),
            location: Some(location),
        }
    }

    fn problem(status: u16, title: &str, message: &str) -> Reply {
        Reply::html(status, pages::problem(title, message))
    }
}

/// What a request says, as the inbox needs it.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    /// The path, decoded.
    pub path: &'a str,
    /// The query string, undecoded (`kind=question&platform=x`).
    pub query: &'a str,
    /// Header names in lower case.
    pub headers: &'a [(String, String)],
    /// serve's generation when the request came: it moves on with every rebuild.
    pub generation: u64,
}

impl Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A state-changing request, parsed from its form.
enum Act {
    Reply { text: String, template: String },
    Hide { undo: bool, note: String },
    Resolve { note: String },
    Hold { release: bool, note: String },
    Reviewed { platform: String, note: String },
}

impl Web {
    pub(crate) fn new(root: PathBuf) -> Result<Web> {
        let token = guard::Token::new().map_err(Error::Usage)?;
        Ok(Web { root, token, loaded: Mutex::new(None) })
    }

    /// The project, loaded again only when its [`Stamp`] changed. The stamp is read before
    /// loading, so a save during a load shows as a change on the next request. A project that
    /// does not load is not kept: the next request tries again.
    fn project(&self, generation: u64) -> Result<Arc<Project>> {
        let stamp = Stamp::of(&self.root, generation);
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, project)) = loaded.as_ref()
            && *at == stamp
        {
            return Ok(Arc::clone(project));
        }
        let project = Arc::new(Project::load(&self.root)?);
        *loaded = Some((stamp, Arc::clone(&project)));
        Ok(project)
    }

    /// Answers one request under `/inbox`; `body` is read for a `POST` only.
    pub(crate) fn answer(&self, req: &Request<'_>, body: &mut dyn Read) -> Reply {
        let rest = req.path.strip_prefix(PREFIX).unwrap_or("");
        if req.path == "/inbox" {
            return Reply::redirect(PREFIX.to_string());
        }
        match req.method {
            "GET" | "HEAD" => {
                if rest == "inbox.css" {
                    return Reply {
                        status: 200,
                        content_type: "text/css; charset=utf-8",
                        body: CSS.as_bytes().to_vec(),
                        location: None,
                    };
                }
                self.page(req, rest)
            }
            "POST" => self.post(req, rest, body),
            _ => Reply::problem(405, "Method not allowed", "The inbox answers GET for pages and POST for its forms."),
        }
    }

    /// The repository, the store and the clock, as of this request.
    fn open(&self, generation: u64) -> std::result::Result<(Arc<Project>, Inbox, Timestamp), Reply> {
        let now = crate::site::clock().map_err(|e| Reply::problem(500, "The clock is set wrong", &e.to_string()))?;
        let project = self.project(generation).map_err(|e| {
            Reply::problem(
                500,
                "The repository has problems",
                &format!("The inbox needs strategy.toml to load; fix what the archive pages show:\n{e}"),
            )
        })?;
        let inbox = Inbox::open(&project, now)
            .map_err(|e| Reply::problem(500, "The inbox store cannot be opened", &e.to_string()))?;
        Ok((project, inbox, now))
    }

    fn page(&self, req: &Request<'_>, rest: &str) -> Reply {
        let (project, inbox, now) = match self.open(req.generation) {
            Ok(x) => x,
            Err(reply) => return reply,
        };
        let query = Query::parse(req.query);
        let done = query.get("done").and_then(pages::done_message);
        if rest.is_empty() {
            return self.queue(&project, &inbox, now, &query, done);
        }
        match rest.trim_end_matches('/').parse::<i64>() {
            Ok(key) if inbox.find(&key.to_string()).is_ok() => {
                let view = pages::ItemView { key, done, error: None, kept: Kept::default() };
                self.item(&project, &inbox, now, &view, 200)
            }
            _ => Reply::problem(404, "No such item", "There is no item at this address; the queue lists them all."),
        }
    }

    fn queue(&self, project: &Project, inbox: &Inbox, now: Timestamp, query: &Query, done: Option<&str>) -> Reply {
        let kind = match query.get("kind").filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => match ItemKind::from_name(k) {
                Some(k) => Some(k),
                None => {
                    let kinds: Vec<&str> = ItemKind::ALL.iter().map(|k| k.name()).collect();
                    return Reply::problem(
                        400,
                        "Unknown kind",
                        &format!("`{k}` is not a kind of item; the kinds are {}.", kinds.join(", ")),
                    );
                }
            },
        };
        let platform = query.get("platform").filter(|p| !p.is_empty()).map(str::to_string);
        let filter = Filter { kind, platform, limit: Some(PAGE) };
        let accounts: Vec<String> = project.strategy.enabled_platforms().map(|p| p.name().to_string()).collect();
        let result = inbox.queue(now, &filter, &accounts).and_then(|queue| {
            let triage = inbox.triage()?;
            Ok(pages::queue(&pages::QueueView {
                queue: &queue,
                filter: &filter,
                accounts: &accounts,
                tz: &inbox.settings.timezone,
                now,
                token: self.token.as_str(),
                done,
                mask: &|t: &str| triage.mask_identity_numbers(t),
            }))
        });
        match result {
            Ok(page) => Reply::html(200, page),
            Err(e) => Reply::problem(500, "The inbox cannot be read", &e.to_string()),
        }
    }

    fn item(&self, project: &Project, inbox: &Inbox, now: Timestamp, view: &pages::ItemView<'_>, status: u16) -> Reply {
        match pages::item(project, inbox, now, self.token.as_str(), view) {
            Ok(page) => Reply::html(status, page),
            Err(e) => Reply::problem(500, "The item cannot be read", &e.to_string()),
        }
    }

    fn post(&self, req: &Request<'_>, rest: &str, body: &mut dyn Read) -> Reply {
        // The body is read whatever follows: a connection closed on an unread body is reset,
        // and the browser would show that instead of the answer.
        let length = match req.header("content-length").map(|l| l.trim().parse::<usize>()) {
            Some(Ok(n)) if n <= MAX_BODY => n,
            Some(Ok(_)) => return Reply::problem(413, "Too large", "A form of the inbox is far smaller than this."),
            _ => return Reply::problem(411, "Length required", "Send the form with a Content-Length."),
        };
        let mut bytes = vec![0; length];
        if body.read_exact(&mut bytes).is_err() {
            return Reply::problem(400, "Incomplete form", "The form ended before its Content-Length.");
        }
        // Refusals before anything is opened: nothing is logged.
        let host = req.header("host").unwrap_or("");
        if let Some(why) = guard::cross_site(host, req.header("origin"), req.header("sec-fetch-site")) {
            return Reply::problem(403, "Refused", &format!("{why}: the inbox's forms work only from its own pages."));
        }
        let form_type = req.header("content-type").unwrap_or("");
        if !form_type.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
            return Reply::problem(
                415,
                "Not a form",
                "The inbox takes its own forms only (application/x-www-form-urlencoded).",
            );
        }
        let form = Query::from_pairs(form_urlencoded::parse(&bytes));
        if !form.get(guard::FIELD).is_some_and(|t| self.token.matches(t)) {
            return Reply::problem(
                403,
                "Refused",
                "The form's token is missing or not this server's (it changes when serve restarts): reload the page and try again.",
            );
        }
        let note = form.get("note").unwrap_or("").trim().to_string();
        let (item, act) = match rest.split_once('/') {
            Some((key, action)) => match (key.parse::<i64>(), action) {
                (Ok(key), "reply") => (
                    Some(key),
                    Act::Reply {
                        text: form.get("text").unwrap_or("").to_string(),
                        template: form.get("template").unwrap_or("").to_string(),
                    },
                ),
                (Ok(key), "hide") => (Some(key), Act::Hide { undo: form.get("undo") == Some("1"), note }),
                (Ok(key), "resolve") => (Some(key), Act::Resolve { note }),
                (Ok(key), "hold") => (Some(key), Act::Hold { release: form.get("release") == Some("1"), note }),
                _ => return Reply::problem(404, "No such action", "The inbox has no form at this address."),
            },
            None if rest == "reviewed" => {
                (None, Act::Reviewed { platform: form.get("platform").unwrap_or("").to_string(), note })
            }
            None => return Reply::problem(404, "No such action", "The inbox has no form at this address."),
        };
        let (project, mut inbox, now) = match self.open(req.generation) {
            Ok(x) => x,
            Err(reply) => return reply,
        };
        if let Some(key) = item
            && inbox.find(&key.to_string()).is_err()
        {
            return Reply::problem(404, "No such item", "There is no item at this address; the queue lists them all.");
        }
        let by = match crate::inbox::actions::actor(&project.root, None) {
            Ok(by) => by,
            Err(e) => return self.failed(&project, &inbox, now, item, &e.to_string(), Kept::default()),
        };
        let env = |name: &str| std::env::var(name).ok();
        let outcome: Result<&str> = match &act {
            Act::Reply { text, template } => {
                let what = match (text.trim().is_empty(), template.is_empty()) {
                    (true, false) => Ok(ReplyText::Template(template.clone())),
                    (false, true) | (true, true) => Ok(ReplyText::Text(text.clone())),
                    (false, false) => {
                        Err(Error::Usage("pick a template or write your own text, not both: nothing was sent".into()))
                    }
                };
                what.and_then(|what| {
                    let http = Http::new(DEFAULT_TIMEOUT)?;
                    respond::reply(&project, &mut inbox, item.unwrap_or_default(), &what, &by, &env, &http, now)
                })
                .map(|r| match r.outcome {
                    ReplyOutcome::Sent => "reply",
                    ReplyOutcome::Found => "reply-found",
                    ReplyOutcome::AlreadySent => "reply-already",
                })
            }
            Act::Hide { undo, note } => Http::new(DEFAULT_TIMEOUT)
                .and_then(|http| {
                    let note = Some(note.as_str()).filter(|n| !n.is_empty());
                    respond::hide(&project, &mut inbox, item.unwrap_or_default(), !undo, &by, note, &env, &http, now)
                })
                .map(|h| match (h.unchanged, h.hidden) {
                    (true, _) => "hide-unchanged",
                    (false, true) => "hide",
                    (false, false) => "unhide",
                }),
            Act::Resolve { note } => inbox.resolve(item.unwrap_or_default(), &by, note, now).map(|()| "resolve"),
            Act::Hold { release, note } => {
                inbox.hold(item.unwrap_or_default(), !release, &by, note, now).map(|changed| match (changed, release) {
                    (false, _) => "hold-unchanged",
                    (true, true) => "release",
                    (true, false) => "hold",
                })
            }
            Act::Reviewed { platform, note } => {
                let accounts: Vec<String> =
                    project.strategy.enabled_platforms().map(|p| p.name().to_string()).collect();
                if accounts.contains(platform) {
                    let note = Some(note.as_str()).filter(|n| !n.is_empty());
                    inbox.reviewed(platform, &by, note, now).map(|()| "reviewed")
                } else {
                    Err(Error::Usage(format!("`{platform}` is not an account in strategy.toml")))
                }
            }
        };
        match (outcome, item) {
            (Ok(done), Some(key)) => Reply::redirect(format!("{PREFIX}{key}?done={done}")),
            (Ok(done), None) => Reply::redirect(format!("{PREFIX}?done={done}")),
            (Err(e), _) => {
                let kept = match &act {
                    Act::Reply { text, template } => Kept { reply: text, template, ..Kept::default() },
                    Act::Hide { note, .. } => Kept { hide: note, ..Kept::default() },
                    Act::Resolve { note } => Kept { resolve: note, ..Kept::default() },
                    Act::Hold { note, .. } => Kept { hold: note, ..Kept::default() },
                    Act::Reviewed { .. } => Kept::default(),
                };
                self.failed(&project, &inbox, now, item, &e.to_string(), kept)
            }
        }
    }

    /// An action that could not be done: the page again, saying why, with what was typed.
    fn failed(
        &self,
        project: &Project,
        inbox: &Inbox,
        now: Timestamp,
        item: Option<i64>,
        why: &str,
        kept: Kept<'_>,
    ) -> Reply {
        match item {
            Some(key) => {
                let view = pages::ItemView { key, done: None, error: Some(why), kept };
                self.item(project, inbox, now, &view, 409)
            }
            None => Reply::problem(409, "Not done", why),
        }
    }
}

/// Decoded `name=value` pairs of a query string or a form.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: &str) -> Query {
        Query::from_pairs(form_urlencoded::parse(query.as_bytes()))
    }

    fn from_pairs(pairs: form_urlencoded::Parse<'_>) -> Query {
        Query(pairs.map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_loaded_once_and_again_when_it_may_have_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        crate::fsutil::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
            &root.join("themes/default"),
        );
        let strategy = "[organisation]\nname = \"Testkommun\"\nlang = \"sv\"\ntimezone = \"Europe/Stockholm\"\n\n[interaction]\nresponse_time = \"4h\"\n";
        std::fs::write(root.join("strategy.toml"), strategy).unwrap();
        let web = Web::new(root.clone()).unwrap();

        let first = web.project(7).unwrap();
        assert!(Arc::ptr_eq(&first, &web.project(7).unwrap()), "the same project while nothing changed");
        let rebuilt = web.project(8).unwrap();
        assert!(!Arc::ptr_eq(&first, &rebuilt), "serve rebuilt after a change: loaded again");

        let with_templates = format!("{strategy}\n[interaction.templates]\ntack = \"Tack!\"\n");
        std::fs::write(root.join("strategy.toml"), with_templates).unwrap();
        let saved = web.project(8).unwrap();
        assert!(!Arc::ptr_eq(&rebuilt, &saved), "strategy.toml saved: loaded again at once");
        assert!(Arc::ptr_eq(&saved, &web.project(8).unwrap()));

        std::fs::write(root.join("strategy.toml"), "[organisation\n").unwrap();
        assert!(web.project(8).is_err(), "a strategy that does not load is said, not served from before");
        std::fs::write(root.join("strategy.toml"), strategy).unwrap();
        assert!(web.project(8).is_ok(), "and the next request tries again");
    }
}
