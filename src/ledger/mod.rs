//! The publish record (DESIGN §7): `ledger/YYYY-MM.jsonl`, one JSON object per line, appended
//! by `publish` only and committed to git, so the repository itself is the audit trail of what
//! went where, when, and on whose approval.
//!
//! Each line carries `prev`, the sha256 (lower-case hex) of the previous line's exact bytes
//! without its newline; the very first line's `prev` is 64 zeros. Changing, removing or
//! inserting any line but the last therefore shows up as a broken chain in [`Ledger::verify`];
//! the last line is covered by git history (`budkavle verify` compares it with what was
//! committed). `seq` counts lines across all months from 1; the month file of a line is the
//! UTC month of its `at`.
//!
//! Reading is strict: a line that is not a complete entry is an error naming its file and
//! line, never skipped, because a silently dropped `intent` is exactly how a post gets sent
//! twice. Writing goes through [`Appender`], which holds the [`Lock`] and makes every line
//! durable (fsync) before returning, so an `intent` is on disk before the request it announces.

mod append;
mod lock;

pub use append::{Appender, NewEntry, TornTail, repair_torn_tail, torn_tail};
pub use lock::{Holder, Lock, lock_holder};

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::error::{Diagnostic, Error, Result};
use crate::platform::{PlatformId, Remote};

/// The folder of the ledger, relative to the repository root.
pub const DIR: &str = "ledger";

/// The line format this build writes and reads (`v`).
pub const FORMAT: u32 = 1;

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened to a post × platform. Only `intent` precedes a request; every other event
/// records an outcome or a person's decision.
/// One platform a post went out on, as the archive shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub platform: PlatformId,
    /// The live post, when the platform gave one.
    pub url: Option<String>,
    pub at: Timestamp,
    /// Set when the post was later removed from the platform (retracted).
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// Written and flushed before a request is sent (write-ahead).
    Intent,
    Published,
    Failed,
    Edited,
    Deleted,
    /// An intent without an outcome that could not be looked up: held for a person.
    Unknown,
    /// A person settled an unknown (`budkavle resolve`): with `remote` it was published,
    /// without it was not.
    Resolved,
    /// Pinned to the profile (a crisis post with `pin = true`).
    Pinned,
    /// Taken off the profile when its crisis chain ended.
    Unpinned,
    /// A changed post went out as a correction (a reply or comment on the original, which stays
    /// up unchanged) where the platform cannot edit: `remote` is the correction, `content` the
    /// hash of the version it corrects to. Added after the first release; lines written before
    /// it read as they always did.
    Corrected,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::Intent => "intent",
            Event::Published => "published",
            Event::Failed => "failed",
            Event::Edited => "edited",
            Event::Deleted => "deleted",
            Event::Unknown => "unknown",
            Event::Resolved => "resolved",
            Event::Pinned => "pinned",
            Event::Unpinned => "unpinned",
            Event::Corrected => "corrected",
        }
    }
}

/// Why a request failed: `kind` is a short machine word (`transient`, `auth`, `rejected`, …),
/// `message` what the platform said, without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorInfo {
    pub kind: String,
    pub message: String,
}

/// One line of the ledger. Field order is the order on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub v: u32,
    pub seq: u64,
    #[serde(serialize_with = "ser_utc", deserialize_with = "de_utc")]
    pub at: Timestamp,
    pub event: Event,
    pub post: String,
    pub platform: PlatformId,
    /// sha256 (hex) of the rendered payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The commit the post was rendered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The merge commit that approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_in: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// The idempotency key sent with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<Remote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// sha256 (hex) of the text of each part of the post as written (before the theme), for
    /// a correction to carry only the parts that changed since. Optional and added after the
    /// first release: older lines have none, and then a correction carries every part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<String>,
    /// The budkavle version that wrote the line.
    pub tool: String,
    pub prev: String,
}

/// `at` is always written in UTC with a `Z`, so the file name's month and the text agree and
/// lines sort as text.
fn ser_utc<S: Serializer>(at: &Timestamp, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_string())
}

fn de_utc<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Timestamp, D::Error> {
    let text = String::deserialize(d)?;
    if !text.ends_with('Z') {
        return Err(serde::de::Error::custom(format!("`at` must be UTC ending in `Z`, found `{text}`")));
    }
    text.parse::<Timestamp>().map_err(|e| serde::de::Error::custom(format!("`at` is not an RFC 3339 time: {e}")))
}

/// Where a line is: for messages and for `verify`.
#[derive(Debug, Clone)]
struct Loc {
    file: usize,
    /// 1-based.
    line: usize,
    hash: [u8; 32],
}

/// The latest known state of one post × platform, folded over its events in order.
#[derive(Debug, Clone, Copy, Default)]
struct Pair {
    published: Option<usize>,
    remote: Option<usize>,
    edited: Option<usize>,
    corrected: Option<usize>,
    deleted: Option<usize>,
    pending: Option<usize>,
    unknown: Option<usize>,
    failed: Option<usize>,
    pinned: Option<usize>,
    last: Option<usize>,
}

impl Pair {
    fn apply(&mut self, i: usize, e: &Entry) {
        self.last = Some(i);
        match e.event {
            Event::Intent => self.pending = Some(i),
            Event::Published => {
                self.published.get_or_insert(i);
                self.remote = Some(i);
                self.pending = None;
                self.unknown = None;
                self.failed = None;
            }
            Event::Failed => {
                self.pending = None;
                self.failed = Some(i);
            }
            Event::Edited => {
                self.pending = None;
                self.failed = None;
                self.edited = Some(i);
                if e.remote.is_some() {
                    self.remote = Some(i);
                }
            }
            Event::Deleted => {
                self.pending = None;
                self.failed = None;
                self.deleted = Some(i);
            }
            Event::Unknown => {
                self.pending = None;
                self.unknown = Some(i);
            }
            Event::Resolved => {
                self.pending = None;
                self.unknown = None;
                if e.remote.is_some() {
                    self.published.get_or_insert(i);
                    self.remote = Some(i);
                    self.failed = None;
                }
            }
            Event::Pinned => self.pinned = Some(i),
            Event::Unpinned => self.pinned = None,
            // The original stays the pair's remote: later replies, edits and a retraction
            // still refer to it.
            Event::Corrected => {
                self.pending = None;
                self.failed = None;
                self.corrected = Some(i);
            }
        }
    }
}

/// The state of a post on one platform, as the ledger records it.
#[derive(Debug, Clone, Copy)]
pub struct PostState<'a> {
    /// The first `published` (or `resolved` as published) line: when it went out.
    pub published: Option<&'a Entry>,
    /// The live post, from the latest line that named one.
    pub remote: Option<&'a Remote>,
    pub edited: Option<&'a Entry>,
    /// The latest `corrected` line: the last correction sent as a reply or comment.
    pub corrected: Option<&'a Entry>,
    pub deleted: Option<&'a Entry>,
    /// An `intent` with no outcome after it: the request may or may not have reached the
    /// platform. Reconcile before anything else is sent for this pair.
    pub pending: Option<&'a Entry>,
    /// An `unknown` not yet `resolved`: held for a person.
    pub unknown: Option<&'a Entry>,
    /// The latest failure since the last success.
    pub failed: Option<&'a Entry>,
    /// The `pinned` line while the post is pinned to the profile.
    pub pinned: Option<&'a Entry>,
    pub last: Option<&'a Entry>,
}

/// The latest outcome of a pair, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing recorded.
    None,
    /// An intent without an outcome.
    Pending,
    /// Held for a person.
    Unknown,
    /// Removed from the platform.
    Deleted,
    Published,
    /// Tried, failed, not published.
    Failed,
}

impl<'a> PostState<'a> {
    /// The line of the version now out: the latest edit or correction, else the publication.
    pub fn latest(&self) -> Option<&'a Entry> {
        [self.published, self.edited, self.corrected].into_iter().flatten().max_by_key(|e| e.seq)
    }

    pub fn outcome(&self) -> Outcome {
        if self.pending.is_some() {
            Outcome::Pending
        } else if self.unknown.is_some() {
            Outcome::Unknown
        } else if self.deleted.is_some() {
            Outcome::Deleted
        } else if self.published.is_some() {
            Outcome::Published
        } else if self.failed.is_some() {
            Outcome::Failed
        } else {
            Outcome::None
        }
    }

    /// Whether anything may have reached the platform: published, deleted after publishing,
    /// or possibly sent (pending, unknown). A pair in this state must never be sent anew.
    pub fn may_be_live(&self) -> bool {
        !matches!(self.outcome(), Outcome::None | Outcome::Failed)
    }
}

/// Summary of a successful [`Ledger::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: usize,
    pub files: usize,
    /// sha256 of the last line: the `prev` of the next one.
    pub head: String,
}

/// The whole ledger in memory, read strictly, with an index per post × platform.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    entries: Vec<Entry>,
    locs: Vec<Loc>,
    /// Relative to the repository root, `ledger/YYYY-MM.jsonl`, in month order.
    files: Vec<PathBuf>,
    pairs: HashMap<String, Vec<(PlatformId, Pair)>>,
}

impl Ledger {
    /// Reads every month in order. A missing `ledger/` folder is an empty ledger; anything in
    /// it that is not a complete entry is an error naming the file and line.
    pub fn read(root: &Path) -> Result<Ledger> {
        let mut ledger = Ledger::default();
        let mut problems = Vec::new();
        let files = read_files(root)?;
        let count = files.len();
        for (n, (rel, bytes)) in files.into_iter().enumerate() {
            ledger.files.push(rel.clone());
            if let Some(line) = parse_file(&mut ledger, n, &bytes, &mut problems) {
                // Only the very end of the ledger can be torn by a crash; anywhere else the
                // publisher would have refused to append after it, so it is damage.
                problems.push(if n + 1 == count {
                    Diagnostic::new(&rel, line, 1, TORN_MESSAGE).hint(TORN_HINT)
                } else {
                    Diagnostic::new(&rel, line, 1, "this line is incomplete (no newline at the end of the file)")
                        .hint("restore the file from git history")
                });
            }
        }
        if problems.is_empty() { Ok(ledger) } else { Err(Error::Invalid(problems)) }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn last(&self) -> Option<&Entry> {
        self.entries.last()
    }

    /// The month files read, relative to the repository root.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// File and 1-based line of the entry at `index` in [`Ledger::entries`].
    pub fn location(&self, index: usize) -> Option<(&Path, usize)> {
        self.locs.get(index).map(|l| (self.files[l.file].as_path(), l.line))
    }

    /// `prev` for the next line.
    pub fn head(&self) -> String {
        self.locs.last().map_or_else(|| GENESIS.to_string(), |l| hex(&l.hash))
    }

    /// Checks the chain, the numbering, the clock and the month files, reporting every
    /// problem with its file and line. The last line is not covered by the chain: compare
    /// [`Verified::head`] with the committed ledger for that.
    pub fn verify(&self) -> Result<Verified> {
        let mut problems = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let loc = &self.locs[i];
            let file = &self.files[loc.file];
            let at = |msg: String| Diagnostic::new(file, loc.line, 1, msg);
            if e.v != FORMAT {
                problems.push(
                    at(format!("format version {} is not known to this budkavle (it reads {FORMAT})", e.v))
                        .hint("update budkavle"),
                );
            }
            if i == 0 {
                if e.seq != 1 {
                    problems.push(
                        at(format!("the ledger starts at seq {}, not 1", e.seq)).hint(
                            "earlier lines are missing: restore the ledger files from git (`git log -- ledger/`)",
                        ),
                    );
                }
                if e.prev != GENESIS {
                    problems.push(
                        at("the first line's `prev` is not 64 zeros".into()).hint(
                            "earlier lines are missing: restore the ledger files from git (`git log -- ledger/`)",
                        ),
                    );
                }
            } else {
                let before = &self.entries[i - 1];
                let before_loc = &self.locs[i - 1];
                let before_file = &self.files[before_loc.file];
                let seq_ok = e.seq == before.seq + 1;
                if !seq_ok {
                    problems.push(
                        at(format!(
                            "seq {} follows seq {}: lines were removed, inserted or reordered",
                            e.seq, before.seq
                        ))
                        .hint("restore the ledger files from git history; the ledger is only ever appended to"),
                    );
                }
                if e.prev != hex(&before_loc.hash) {
                    let d = if seq_ok {
                        Diagnostic::new(
                            before_file,
                            before_loc.line,
                            1,
                            format!(
                                "this line was changed after it was written: its sha256 does not match `prev` \
                                 of the next line ({}:{})",
                                file.display(),
                                loc.line
                            ),
                        )
                    } else {
                        at(format!(
                            "`prev` does not match the sha256 of the line before it ({}:{})",
                            before_file.display(),
                            before_loc.line
                        ))
                    };
                    problems.push(
                        d.hint("the ledger is a hash chain; restore it from git history (`git log -p -- ledger/`)"),
                    );
                }
                if e.at < before.at {
                    problems.push(at(format!("`at` {} is earlier than the line before ({})", e.at, before.at)));
                }
            }
            let month = e.at.strftime("%Y-%m").to_string();
            if file.file_stem().is_some_and(|s| s.to_string_lossy() != month) {
                problems.push(at(format!("an entry of {month} in the file of another month")));
            }
            for msg in entry_problems(e) {
                problems.push(at(msg));
            }
        }
        if problems.is_empty() {
            Ok(Verified { entries: self.entries.len(), files: self.files.len(), head: self.head() })
        } else {
            Err(Error::Invalid(problems))
        }
    }

    /// Where `post` stands on `platform`.
    pub fn state(&self, post: &str, platform: PlatformId) -> PostState<'_> {
        let pair = self
            .pairs
            .get(post)
            .and_then(|v| v.iter().find(|(p, _)| *p == platform))
            .map(|(_, pair)| *pair)
            .unwrap_or_default();
        self.view(&pair)
    }

    /// Every post × platform the ledger mentions, in no particular order.
    pub fn states(&self) -> impl Iterator<Item = (&str, PlatformId, PostState<'_>)> + '_ {
        self.pairs.iter().flat_map(move |(post, v)| v.iter().map(move |(p, pair)| (post.as_str(), *p, self.view(pair))))
    }

    /// Intents without an outcome, in ledger order: reconcile these before sending anything.
    pub fn pending(&self) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = self.states().filter_map(|(_, _, s)| s.pending).collect();
        out.sort_by_key(|e| e.seq);
        out
    }

    /// Every line about one post, in order (for `budkavle log`).
    pub fn for_post<'a>(&'a self, post: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.post == post)
    }

    /// Every correction sent for one post × platform, oldest first.
    pub fn corrections<'a>(&'a self, post: &'a str, platform: PlatformId) -> impl Iterator<Item = &'a Entry> + 'a {
        self.for_post(post).filter(move |e| e.platform == platform && e.event == Event::Corrected)
    }

    /// How many `edited` lines one post × platform has (X allows five edits).
    pub fn edits(&self, post: &str, platform: PlatformId) -> u32 {
        self.for_post(post).filter(|e| e.platform == platform && e.event == Event::Edited).count() as u32
    }

    /// For the archive: each post's platforms where it went out, with the live URL and, when
    /// it was removed later, when.
    pub fn published_by_post(&self) -> HashMap<String, Vec<Published>> {
        let mut out: HashMap<String, Vec<Published>> = HashMap::new();
        for (post, platform, state) in self.states() {
            let Some(published) = state.published else { continue };
            let deleted_at = state.deleted.filter(|d| d.seq > published.seq).map(|d| d.at);
            out.entry(post.to_string()).or_default().push(Published {
                platform,
                url: state.remote.and_then(|r| r.url.clone()),
                at: published.at,
                deleted_at,
            });
        }
        for list in out.values_mut() {
            list.sort_by_key(|p| (p.at, p.platform));
        }
        out
    }

    fn view(&self, pair: &Pair) -> PostState<'_> {
        let get = |i: Option<usize>| i.map(|i| &self.entries[i]);
        PostState {
            published: get(pair.published),
            remote: get(pair.remote).and_then(|e| e.remote.as_ref()),
            edited: get(pair.edited),
            corrected: get(pair.corrected),
            deleted: get(pair.deleted),
            pending: get(pair.pending),
            unknown: get(pair.unknown),
            failed: get(pair.failed),
            pinned: get(pair.pinned),
            last: get(pair.last),
        }
    }

    /// Adds a line already made durable on disk (by the appender) or just parsed.
    fn push(&mut self, entry: Entry, loc: Loc) {
        let i = self.entries.len();
        let list = self.pairs.entry(entry.post.clone()).or_default();
        match list.iter_mut().find(|(p, _)| *p == entry.platform) {
            Some((_, pair)) => pair.apply(i, &entry),
            None => {
                let mut pair = Pair::default();
                pair.apply(i, &entry);
                list.push((entry.platform, pair));
            }
        }
        self.entries.push(entry);
        self.locs.push(loc);
    }
}

/// What an entry of each event must carry; checked when verifying and before appending, so a
/// line that could not be acted on later is never written.
fn entry_problems(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    if !crate::id::is_valid_id(&e.post) {
        out.push(format!("`{}` is not a valid post id", e.post));
    }
    if !is_hex(&e.prev, 64) {
        out.push("`prev` is not a sha256 in lower-case hex".into());
    }
    if let Some(c) = &e.content
        && !is_hex(c, 64)
    {
        out.push("`content` is not a sha256 in lower-case hex".into());
    }
    for (name, value) in [("source", &e.source), ("approved_in", &e.approved_in)] {
        if let Some(v) = value
            && !(is_hex(v, 40) || is_hex(v, 64))
        {
            out.push(format!("`{name}` is not a commit id"));
        }
    }
    if e.texts.iter().any(|t| !is_hex(t, 64)) {
        out.push("`texts` holds something that is not a sha256 in lower-case hex".into());
    }
    if e.tool.is_empty() {
        out.push("`tool` is empty".into());
    }
    match e.event {
        Event::Intent => {
            if e.key.is_none() {
                out.push("an `intent` without an idempotency `key`".into());
            }
            if e.content.is_none() {
                out.push("an `intent` without a `content` hash".into());
            }
        }
        Event::Published if e.remote.is_none() => out.push("a `published` line without `remote`".into()),
        Event::Pinned | Event::Unpinned | Event::Corrected if e.remote.is_none() => {
            out.push(format!("a `{}` line without `remote`", e.event.name()));
        }
        Event::Failed if e.error.is_none() => out.push("a `failed` line without `error`".into()),
        _ => {}
    }
    out
}

pub(crate) const TORN_MESSAGE: &str = "the last line is incomplete: a write was interrupted";

/// Parses one month file into `ledger`; returns the line number of an incomplete last line
/// (no newline), which is left for the caller to judge.
fn parse_file(ledger: &mut Ledger, file: usize, bytes: &[u8], problems: &mut Vec<Diagnostic>) -> Option<usize> {
    let rel = ledger.files[file].clone();
    if bytes.is_empty() {
        return None;
    }
    let torn = !bytes.ends_with(b"\n");
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    let count = lines.len();
    for (n, line) in lines.into_iter().enumerate() {
        let number = n + 1;
        if torn && number == count {
            return Some(number);
        }
        if line.is_empty() {
            problems.push(Diagnostic::new(&rel, number, 1, "an empty line in the ledger"));
            continue;
        }
        match serde_json::from_slice::<Entry>(line) {
            Ok(entry) => {
                let hash: [u8; 32] = Sha256::digest(line).into();
                ledger.push(entry, Loc { file, line: number, hash });
            }
            Err(e) => {
                let hint = if line.ends_with(b"\r") {
                    "the line ends in CR: git converted line endings; set `ledger/*.jsonl -text` in .gitattributes \
                     and restore the file"
                } else {
                    "ledger lines are written by `budkavle publish` only; restore the file from git history"
                };
                problems.push(Diagnostic::new(&rel, number, 1, format!("not a ledger entry: {e}")).hint(hint));
            }
        }
    }
    None
}

pub(crate) const TORN_HINT: &str = "the publisher stopped while writing this line. Removing the incomplete line is \
     safe: an interrupted `intent` was never sent, and an interrupted outcome leaves its intent, which the next \
     run reconciles. Remove everything after the last newline of the file (ledger::repair_torn_tail), then verify";

/// The month files, sorted, with their bytes. Links are refused: the publisher appends to
/// these files, and a link planted by a pull request must not make it write elsewhere.
fn read_files(root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let dir = root.join(DIR);
    match std::fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot read", &dir, e)),
        Ok(m) if !m.is_dir() => {
            return Err(Error::Invalid(vec![
                Diagnostic::file(DIR, "`ledger` is not a folder")
                    .hint("the ledger is a folder of monthly .jsonl files"),
            ]));
        }
        Ok(_) => {}
    }
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| Error::io("cannot read", &dir, e))? {
        let entry = entry.map_err(|e| Error::io("cannot read", &dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".jsonl") {
            continue;
        }
        let rel = Path::new(DIR).join(&name);
        if !is_month_file(&name) {
            problems.push(Diagnostic::file(&rel, "a ledger file must be named YYYY-MM.jsonl").hint(
                "lines in other files would be invisible to the publisher; move them back into their month file",
            ));
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::io("cannot read", dir.join(&name), e))?;
        if !kind.is_file() {
            problems.push(Diagnostic::file(&rel, "a ledger file must be a regular file, not a link or folder"));
            continue;
        }
        names.push(name);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let bytes = std::fs::read(&path).map_err(|e| Error::io("cannot read", &path, e))?;
            Ok((Path::new(DIR).join(name), bytes))
        })
        .collect()
}

fn is_month_file(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".jsonl") else { return false };
    let b = stem.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(stem[5..].parse::<u8>(), Ok(1..=12))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// sha256 (lower-case hex) of a rendered payload, for `content`.
pub fn content_hash(payload: &[u8]) -> String {
    hex(&Sha256::digest(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_file_names() {
        assert!(is_month_file("2026-01.jsonl"));
        assert!(is_month_file("2026-12.jsonl"));
        assert!(!is_month_file("2026-13.jsonl"));
        assert!(!is_month_file("2026-1.jsonl"));
        assert!(!is_month_file("20x6-01.jsonl"));
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(content_hash(b"").len(), 64);
    }
}
