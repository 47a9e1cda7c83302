//! `budkavle serve`: the archive at `/` and the previews at `/previews/` on 127.0.0.1, rebuilt
//! as files change and reloaded in the open browser, so a reviewer can edit a post and watch
//! it change on every platform.
//!
//! Three threads own the work: the HTTP server ([`http`]) answers from pages held in memory;
//! the rebuilder (this module's loop over file-system events, with [`state::State`]) applies
//! one edit in milliseconds and tells open pages by server-sent events: the edited post's pages
//! first, then the previews index, then the archive's pages that depend on every post (lists,
//! tags, feeds, search, sitemap), rendered again from the memo of the last rendering so only
//! what the edit changed is made; then it writes what changed to `dist/`. An edit saved while
//! one is being applied waits for it, and the archive's lists wait for the last edit of a run.

mod dist;
mod http;
mod inbox;
mod state;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::error::{Error, Result};
use http::Shared;
use state::{Changes, State};

/// Editors save in more than one step (truncate, write, close; or write another file and
/// rename it over the post), so a change is acted on once the files have been quiet this long,
/// and a half-written file is never built…
const QUIET: Duration = Duration::from_millis(8);
/// …or as soon as this after a post file was closed after writing or renamed into place: its
/// text is complete then, and the wait only gathers other files saved at the same moment. An
/// event after it starts another rebuild, so acting early is never wrong, only sometimes twice.
const SAVED: Duration = Duration::from_millis(1);
/// …but never later than this after the first event, however busy the files are.
const MAX_WAIT: Duration = Duration::from_millis(200);

pub struct Options {
    pub root: PathBuf,
    /// `dist/`: `site/` and `previews/` in it are kept as served.
    pub out: PathBuf,
    /// On 127.0.0.1; 0 picks a free port.
    pub port: u16,
    pub open_previews: bool,
    pub quiet: bool,
}

enum Msg {
    /// Paths the watcher saw change, and whether the change completes a file (closed after
    /// writing, renamed into place).
    Files(Vec<PathBuf>, bool),
}

/// What a burst of file events asks for.
#[derive(Debug, Default, PartialEq)]
struct Work {
    /// strategy.toml, the theme or the media changed: build everything.
    all: bool,
    /// Post files, relative to the root.
    posts: Vec<PathBuf>,
    /// A post file was saved completely: no need to wait for the files to be quiet.
    saved: bool,
}

/// Serves until the process is stopped. Returns only when it cannot start.
pub fn run(opts: &Options) -> Result<()> {
    let root = opts.root.canonicalize().map_err(|e| Error::io("cannot open", &opts.root, e))?;
    // First, so a port in use is said at once rather than after the first build.
    let listener = TcpListener::bind(("127.0.0.1", opts.port))
        .map_err(|e| Error::io("cannot listen on", format!("127.0.0.1:{}", opts.port), e))?;
    // Before the first build: an edit saved while it runs is queued, not missed.
    let (tx, rx) = mpsc::channel::<Msg>();
    let _watcher = watch(&root, tx.clone())?;
    let shared = Arc::new(Shared::default());
    let web = Arc::new(inbox::Web::new(root.clone())?);
    let mut state = State::new(root.clone(), &opts.out);
    let started = Instant::now();
    state.rebuild_all(&shared);
    if let Err(e) = state.write_dist(&shared) {
        say(opts, &format!("cannot write {}: {e}", opts.out.display()));
    }
    if state.has_project() {
        let content = shared.content.read().unwrap_or_else(|p| p.into_inner());
        let (site, previews) = (content.site.len(), content.previews.len());
        drop(content);
        say(opts, &format!("built {site} archive files and {previews} previews in {:.2?}", started.elapsed()));
    } else {
        say(opts, "the repository has problems: the pages show them until they are fixed");
    }

    let addr = listener.local_addr().map_err(|e| Error::io("cannot listen on", "127.0.0.1", e))?;
    // The one line on standard output: scripts (and the tests) read the address from it.
    println!(
        "serving http://{addr}/ (archive), http://{addr}/previews/ (previews) and http://{addr}/inbox/ (inbox); Ctrl-C stops"
    );
    {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("budkavle-http".into())
            .spawn(move || http::serve(listener, shared, web))
            .map_err(|e| Error::io("cannot start", "the HTTP thread", e))?;
    }
    if opts.open_previews {
        open_in_browser(&format!("http://{addr}/previews/"), opts);
    }

    drop(tx);
    rebuild_loop(opts, &root, &mut state, &shared, &rx);
    Ok(())
}

fn say(opts: &Options, msg: &str) {
    if !opts.quiet {
        eprintln!("{msg}");
    }
}

/// Watches content/ and themes/ recursively and the root itself for strategy.toml.
fn watch(root: &Path, tx: Sender<Msg>) -> Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        let (relevant, saved) = significance(&event.kind);
        if relevant {
            let _ = tx.send(Msg::Files(event.paths, saved));
        }
    })
    .map_err(|e| Error::Usage(format!("cannot watch {} for changes: {e}", root.display())))?;
    let watch_err = |dir: &Path, e: notify::Error| Error::Usage(format!("cannot watch {}: {e}", dir.display()));
    watcher.watch(root, RecursiveMode::NonRecursive).map_err(|e| watch_err(root, e))?;
    for dir in ["content", "themes"] {
        let dir = root.join(dir);
        if dir.is_dir() {
            watcher.watch(&dir, RecursiveMode::Recursive).map_err(|e| watch_err(&dir, e))?;
        }
    }
    Ok(watcher)
}

/// Whether an event can change what is built, and whether it completes a file. Reads (ours
/// included) are not changes, and neither are new permissions or times; a file closed after
/// writing is, and so is a rename, whose destination is the last path.
fn significance(kind: &EventKind) -> (bool, bool) {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => (true, true),
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => (false, false),
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => (true, true),
        _ => (true, false),
    }
}

/// Sorts changed paths into what to rebuild. Hidden files (editor swap files), backups and
/// anything outside content/, themes/ and strategy.toml are not the repository's content.
fn classify(root: &Path, paths: &[PathBuf], saved: bool, work: &mut Work) {
    for (i, path) in paths.iter().enumerate() {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if rel == Path::new(crate::strategy::FILE_NAME) || rel.starts_with("themes") {
            work.all = true;
        } else if rel.starts_with(crate::project::POSTS_DIR) {
            if rel.extension().is_some_and(|x| x == "md") {
                if !work.posts.iter().any(|p| p == rel) {
                    work.posts.push(rel.to_path_buf());
                }
                // A rename names where from and where to; only the destination is complete.
                work.saved |= saved && i + 1 == paths.len();
            } else if path.is_dir() {
                // A folder of posts moved in or out: which files it holds is not in the event.
                work.all = true;
            }
        } else if rel.starts_with("content") {
            // Images and anything else the posts refer to.
            work.all = true;
        }
    }
}

fn rebuild_loop(opts: &Options, root: &Path, state: &mut State, shared: &Shared, rx: &Receiver<Msg>) {
    // A burst that arrived while the last one was applied, before its archive lists were made.
    let mut next: Option<Msg> = None;
    loop {
        let msg = match next.take() {
            Some(msg) => msg,
            None => match rx.recv() {
                Ok(msg) => msg,
                Err(_) => return,
            },
        };
        let Msg::Files(paths, saved) = msg;
        let first = Instant::now();
        let mut work = Work::default();
        classify(root, &paths, saved, &mut work);
        // Wait for the burst to end, collecting everything it touched.
        loop {
            let left = MAX_WAIT.saturating_sub(first.elapsed());
            let quiet = if work.saved { SAVED } else { QUIET };
            match rx.recv_timeout(quiet.min(left)) {
                Ok(Msg::Files(more, saved)) => classify(root, &more, saved, &mut work),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
            if first.elapsed() >= MAX_WAIT {
                break;
            }
        }
        // A burst about nothing of the repository's (a log written in its folder) acts on
        // nothing, but leaves the archive's lists to be made if an earlier burst deferred them.
        let acted = work.all || !work.posts.is_empty();
        if acted {
            let start = Instant::now();
            let mut paths = Vec::new();
            let mut generation = 0;
            let mut timings = Vec::new();
            if work.all || !state.has_project() {
                let changes = state.rebuild_all(shared);
                paths.extend(changes.paths);
                generation = changes.generation;
            } else {
                for post in &work.posts {
                    let changes = state.post_changed(shared, post);
                    if !changes.timings.is_empty() {
                        timings.push(changes.timings);
                    }
                    paths.extend(changes.paths);
                    generation = changes.generation;
                }
            }
            // The edited posts' pages first: this is what the reviewer is waiting for.
            if !paths.is_empty() {
                shared.broadcast(&paths, generation);
            }
            let what = if work.all { "everything".to_string() } else { format!("{} post(s)", work.posts.len()) };
            let detail = if timings.is_empty() { String::new() } else { format!(" ({})", timings.join("; ")) };
            say(opts, &format!("rebuilt {what} in {:.1?}: {} page(s) changed{detail}", start.elapsed(), paths.len()));
            if state.has_project() && !work.all {
                // Then what shows every post, in a second event.
                let start = Instant::now();
                announce(opts, shared, "the index", start, &state.settle(shared));
            }
        }
        // Then the archive's lists, feeds and search, in a third — unless another save is
        // waiting already: its burst makes them, after its own pages.
        match waiting(root, rx) {
            Ok(Some(msg)) => {
                next = Some(msg);
                continue;
            }
            Ok(None) => {}
            Err(()) => return,
        }
        if state.lists_due() {
            let start = Instant::now();
            announce(opts, shared, "the archive", start, &state.lists(shared));
        } else if !acted {
            continue;
        }
        if state.has_project() {
            let start = Instant::now();
            match state.write_dist(shared) {
                Ok(()) => {
                    say(opts, &format!("then wrote what changed to {} in {:.1?}", opts.out.display(), start.elapsed()))
                }
                Err(e) => say(opts, &format!("cannot write {}: {e}", opts.out.display())),
            }
        }
    }
}

/// Tells open pages what a later step of a rebuild changed (`what`), and says so in the log.
fn announce(opts: &Options, shared: &Shared, what: &str, start: Instant, changes: &Changes) {
    if !changes.paths.is_empty() {
        shared.broadcast(&changes.paths, changes.generation);
    }
    say(
        opts,
        &format!(
            "then {what} in {:.1?}: {} page(s) changed ({})",
            start.elapsed(),
            changes.paths.len(),
            changes.timings
        ),
    );
}

/// The next burst's first message, if one is waiting; messages about files that are not the
/// repository's content (a log written in its folder) are dropped. `Err` when the watcher is gone.
fn waiting(root: &Path, rx: &Receiver<Msg>) -> std::result::Result<Option<Msg>, ()> {
    loop {
        match rx.try_recv() {
            Ok(Msg::Files(paths, saved)) => {
                let mut work = Work::default();
                classify(root, &paths, saved, &mut work);
                if work.all || !work.posts.is_empty() {
                    return Ok(Some(Msg::Files(paths, saved)));
                }
            }
            Err(TryRecvError::Empty) => return Ok(None),
            Err(TryRecvError::Disconnected) => return Err(()),
        }
    }
}
/// Best effort: a machine without a desktop has no browser to open, and the address is printed.
fn open_in_browser(url: &str, opts: &Options) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(command)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => say(opts, &format!("opened {url}")),
        Err(e) => say(opts, &format!("cannot open a browser ({command}: {e}); open {url} yourself")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_changes_into_work() {
        let root = Path::new("/r");
        let mut work = Work::default();
        let paths: Vec<PathBuf> = [
            "/r/content/posts/a.md",
            "/r/content/posts/.a.md.swp",
            "/r/content/posts/a.md~",
            "/r/content/posts/a.md",
            "/r/dist/site/index.html",
            "/elsewhere/x.md",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        classify(root, &paths, false, &mut work);
        assert_eq!(work, Work { all: false, posts: vec![PathBuf::from("content/posts/a.md")], saved: false });
        classify(root, &[PathBuf::from("/r/strategy.toml")], false, &mut work);
        assert!(work.all);
        let mut work = Work::default();
        classify(root, &[PathBuf::from("/r/content/media/x.png")], false, &mut work);
        assert!(work.all);
    }

    #[test]
    fn a_post_is_saved_when_closed_after_writing_or_renamed_into_place() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind, RenameMode};
        let root = Path::new("/r");
        let saved = |kind: EventKind, paths: &[&str]| {
            let (relevant, saved) = significance(&kind);
            let mut work = Work::default();
            if relevant {
                let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
                classify(root, &paths, saved, &mut work);
            }
            (relevant, work.saved)
        };
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(saved(close, &["/r/content/posts/a.md"]), (true, true));
        // Writing is under way until the file is closed.
        assert_eq!(
            saved(EventKind::Modify(ModifyKind::Data(DataChange::Any)), &["/r/content/posts/a.md"]),
            (true, false)
        );
        assert_eq!(saved(EventKind::Create(CreateKind::File), &["/r/content/posts/a.md"]), (true, false));
        // An editor's swap file is closed all the time; it is not the post.
        assert_eq!(saved(close, &["/r/content/posts/.a.md.swp"]), (true, false));
        // Write a temporary file, rename it over the post: the post is complete.
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(saved(both, &["/r/content/posts/a.md.tmp", "/r/content/posts/a.md"]), (true, true));
        // Moved away (to a backup) before the new text is written: not yet.
        let from = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        assert_eq!(saved(from, &["/r/content/posts/a.md"]), (true, false));
        assert_eq!(saved(both, &["/r/content/posts/a.md", "/r/content/posts/a.md~"]), (true, false));
        // Reads and new permissions change nothing.
        assert!(!saved(EventKind::Access(AccessKind::Open(AccessMode::Any)), &["/r/content/posts/a.md"]).0);
        assert!(!saved(EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)), &["/r/content/posts/a.md"]).0);
    }
}
