//! `metrics/YYYY-MM.jsonl`: the figures the platforms give back, one snapshot per line
//! (`docs/metrics.md` is the stable format). Read strictly, like the ledger: a line that is not
//! a snapshot is an error naming its file and line, because a report built on half-read figures
//! would be quietly wrong. The latest snapshot of a post × platform pair is its value.
//!
//! Written only by appending ([`append`]): `metrics pull` adds lines, a person may add lines from
//! a platform's own export, and nothing rewrites what is there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error, Result};
use crate::platform::PlatformId;

/// The folder of the snapshot files, relative to the repository root.
pub const DIR: &str = "metrics";

/// One look at one post on one platform. Every count is `None` where the platform does not give
/// it (Mastodon and Bluesky have no views), which is not the same as zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// When the figures were read (RFC 3339; written in UTC).
    pub at: Timestamp,
    pub post: String,
    pub platform: PlatformId,
    /// The platform's own id of the post (from the ledger), `None` in a hand-written line.
    #[serde(default)]
    pub remote: Option<String>,
    #[serde(default)]
    pub views: Option<u64>,
    #[serde(default)]
    pub reach: Option<u64>,
    #[serde(default)]
    pub likes: Option<u64>,
    #[serde(default)]
    pub reposts: Option<u64>,
    #[serde(default)]
    pub replies: Option<u64>,
    #[serde(default)]
    pub quotes: Option<u64>,
    #[serde(default)]
    pub clicks: Option<u64>,
    #[serde(default)]
    pub saves: Option<u64>,
    #[serde(default)]
    pub shares: Option<u64>,
    /// The account's followers when the snapshot was taken.
    #[serde(default)]
    pub followers: Option<u64>,
}

/// The names of a snapshot's fields, for the hint on an unknown one.
const FIELDS: [&str; 14] = [
    "at",
    "post",
    "platform",
    "remote",
    "views",
    "reach",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "clicks",
    "saves",
    "shares",
    "followers",
];

impl Snapshot {
    /// A snapshot with every count unknown.
    pub fn new(at: Timestamp, post: impl Into<String>, platform: PlatformId) -> Snapshot {
        Snapshot {
            at,
            post: post.into(),
            platform,
            remote: None,
            views: None,
            reach: None,
            likes: None,
            reposts: None,
            replies: None,
            quotes: None,
            clicks: None,
            saves: None,
            shares: None,
            followers: None,
        }
    }

    /// The month file this snapshot belongs in: the month of `at` in UTC, like the ledger.
    pub fn file(&self) -> PathBuf {
        let d = self.at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        Path::new(DIR).join(format!("{:04}-{:02}.jsonl", d.year(), d.month()))
    }
}

/// Every snapshot file read, and the latest snapshot of each pair.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Per pair: the latest snapshot, and when the first was taken.
    latest: HashMap<(String, PlatformId), (Snapshot, Timestamp)>,
    /// Snapshot lines read, over every file.
    pub lines: usize,
    /// The files read, relative to the repository root, in name order.
    pub files: Vec<PathBuf>,
}

impl Metrics {
    /// Reads `metrics/*.jsonl`. No folder is no figures; every bad line is reported at once.
    pub fn read(root: &Path) -> Result<Metrics> {
        let dir = root.join(DIR);
        let mut files = Vec::new();
        if dir.is_dir() {
            let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("cannot read", &dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("cannot read", &dir, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".jsonl") && entry.path().is_file() {
                    files.push(name);
                }
            }
        }
        files.sort();
        let parsed = crate::project::par_map(&files, |name| {
            let rel = Path::new(DIR).join(name);
            let bytes = std::fs::read(root.join(&rel)).map_err(|e| Error::io("cannot read", &rel, e))?;
            Ok(parse_file(&rel, &bytes))
        });
        let mut metrics = Metrics::default();
        let mut problems = Vec::new();
        for (name, result) in files.iter().zip(parsed) {
            let (snapshots, bad) = result?;
            problems.extend(bad);
            metrics.lines += snapshots.len();
            for s in snapshots {
                metrics.insert(s);
            }
            metrics.files.push(Path::new(DIR).join(name));
        }
        if problems.is_empty() { Ok(metrics) } else { Err(Error::Invalid(problems)) }
    }

    /// Builds from snapshots in memory (tests, and the snapshots `metrics pull` just took).
    pub fn from_snapshots(snapshots: impl IntoIterator<Item = Snapshot>) -> Metrics {
        let mut m = Metrics::default();
        for s in snapshots {
            m.lines += 1;
            m.insert(s);
        }
        m
    }

    /// Keeps the later of two snapshots of a pair; of two taken at the same time, the one read
    /// last (a correction appended after the figure it corrects).
    fn insert(&mut self, s: Snapshot) {
        use std::collections::hash_map::Entry;
        match self.latest.entry((s.post.clone(), s.platform)) {
            Entry::Occupied(mut e) => {
                let (old, first) = e.get_mut();
                *first = (*first).min(s.at);
                if s.at >= old.at {
                    *old = s;
                }
            }
            Entry::Vacant(e) => {
                let at = s.at;
                e.insert((s, at));
            }
        }
    }

    /// The value of a pair: its latest snapshot.
    pub fn latest(&self, post: &str, platform: PlatformId) -> Option<&Snapshot> {
        self.latest.get(&(post.to_string(), platform)).map(|(s, _)| s)
    }

    /// When a pair was first looked at: close after its publishing, for a post whose front
    /// matter has no date (published on merge).
    pub fn first_seen(&self, post: &str, platform: PlatformId) -> Option<Timestamp> {
        self.latest.get(&(post.to_string(), platform)).map(|(_, first)| *first)
    }

    /// The latest snapshot of every pair, in no particular order.
    pub fn pairs(&self) -> impl Iterator<Item = &Snapshot> {
        self.latest.values().map(|(s, _)| s)
    }

    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }
}

/// The snapshots of one file and the problems of its bad lines.
fn parse_file(rel: &Path, bytes: &[u8]) -> (Vec<Snapshot>, Vec<Diagnostic>) {
    let mut snapshots = Vec::new();
    let mut problems = Vec::new();
    let mut push = |i: usize, parsed: std::result::Result<Snapshot, serde_json::Error>| match checked(parsed) {
        Ok(s) => snapshots.push(s),
        Err((column, message, hint)) => problems.push(Diagnostic::new(rel, i + 1, column, message).hint(hint)),
    };
    match std::str::from_utf8(bytes) {
        // The usual case, and the fast one: the file is checked as UTF-8 once, lines are found
        // with memchr, and no string in a line is checked again (the profile's largest costs
        // were a per-byte split and per-string UTF-8 checks).
        Ok(text) => {
            for (i, line) in text.split('\n').enumerate() {
                if !line.trim_ascii().is_empty() {
                    push(i, serde_json::from_str(line));
                }
            }
        }
        // A file that is not UTF-8 somewhere: line by line, so each bad line is named.
        Err(_) => {
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if !line.iter().all(u8::is_ascii_whitespace) {
                    push(i, serde_json::from_slice(line));
                }
            }
        }
    }
    (snapshots, problems)
}

/// A parsed line as a snapshot, or the column, message and hint of what is wrong with it.
fn checked(
    parsed: std::result::Result<Snapshot, serde_json::Error>,
) -> std::result::Result<Snapshot, (usize, String, String)> {
    let s: Snapshot = parsed.map_err(|e| {
        let message = e.to_string();
        let hint = match unknown_field(&message) {
            Some(name) => match crate::toml_diag::closest(name, FIELDS.to_vec()) {
                Some(best) => format!("did you mean `{best}`? A snapshot has: {}", FIELDS.join(", ")),
                None => format!("a snapshot has: {}", FIELDS.join(", ")),
            },
            None => "write one JSON object per line, as docs/metrics.md describes: {\"at\": \"2026-12-01T09:00:00Z\", \"post\": \"…\", \"platform\": \"mastodon\", \"likes\": 3, …}; each count a whole number ≥ 0 or null".to_string(),
        };
        (e.column().max(1), format!("not a metrics snapshot: {message}"), hint)
    })?;
    if !crate::id::is_valid_id(&s.post) {
        return Err((
            1,
            format!("`{}` is not a post id", s.post),
            "write the post's id: lower-case a-z, digits and `-` (the file name without .md, or its `id`)".into(),
        ));
    }
    Ok(s)
}

/// The field serde names in "unknown field `x`, expected …".
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Appends snapshots to their month files (`metrics/YYYY-MM.jsonl` of each one's `at`), each
/// file rewritten atomically with its old bytes first, so a crash leaves either the file as it
/// was or with every new line. Returns the files written, relative to `root`, for the commit.
pub fn append(root: &Path, snapshots: &[Snapshot]) -> Result<Vec<PathBuf>> {
    let mut by_file: std::collections::BTreeMap<PathBuf, Vec<&Snapshot>> = std::collections::BTreeMap::new();
    for s in snapshots {
        by_file.entry(s.file()).or_default().push(s);
    }
    let mut written = Vec::new();
    for (rel, lines) in by_file {
        let path = root.join(&rel);
        let mut bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io("cannot read", &rel, e)),
        };
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        for s in lines {
            let line = serde_json::to_vec(&Line::from(s))
                .map_err(|e| Error::Internal(format!("cannot write a snapshot as JSON: {e}")))?;
            bytes.extend_from_slice(&line);
            bytes.push(b'\n');
        }
        crate::fsutil::write_atomic(&path, &bytes)?;
        written.push(rel);
    }
    Ok(written)
}

/// A snapshot as written: `at` in UTC to the second, every count present (`null` when unknown),
/// in the documented order.
#[derive(Serialize)]
struct Line<'a> {
    at: String,
    post: &'a str,
    platform: PlatformId,
    remote: Option<&'a str>,
    views: Option<u64>,
    reach: Option<u64>,
    likes: Option<u64>,
    reposts: Option<u64>,
    replies: Option<u64>,
    quotes: Option<u64>,
    clicks: Option<u64>,
    saves: Option<u64>,
    shares: Option<u64>,
    followers: Option<u64>,
}

impl<'a> From<&'a Snapshot> for Line<'a> {
    fn from(s: &'a Snapshot) -> Self {
        Line {
            at: s.at.round(jiff::Unit::Second).unwrap_or(s.at).strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            post: &s.post,
            platform: s.platform,
            remote: s.remote.as_deref(),
            views: s.views,
            reach: s.reach,
            likes: s.likes,
            reposts: s.reposts,
            replies: s.replies,
            quotes: s.quotes,
            clicks: s.clicks,
            saves: s.saves,
            shares: s.shares,
            followers: s.followers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn latest_snapshot_wins_whatever_the_file_order() {
        let mut a = Snapshot::new(at("2026-12-02T09:00:00Z"), "p", PlatformId::Mastodon);
        a.likes = Some(10);
        let mut b = Snapshot::new(at("2026-12-01T09:00:00Z"), "p", PlatformId::Mastodon);
        b.likes = Some(3);
        let m = Metrics::from_snapshots([a, b]);
        assert_eq!(m.latest("p", PlatformId::Mastodon).unwrap().likes, Some(10));
        assert_eq!(m.lines, 2);
    }

    #[test]
    fn missing_counts_are_unknown_and_bad_lines_name_their_line() {
        let text = b"{\"at\":\"2026-12-01T09:00:00Z\",\"post\":\"p\",\"platform\":\"x\",\"views\":5}\n\n{\"at\":\"2026-12-01T09:00:00Z\",\"post\":\"p\",\"platform\":\"x\",\"like\":1}\n{\"at\":\"2026-12-01T09:00:00Z\",\"post\":\"p\",\"platform\":\"x\",\"likes\":-1}\n";
        let (ok, bad) = parse_file(Path::new("metrics/2026-12.jsonl"), text);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].views, Some(5));
        assert_eq!(ok[0].likes, None);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert_eq!(bad[0].line, 3);
        assert!(bad[0].hint.as_deref().unwrap().contains("did you mean `likes`"), "{bad:?}");
        assert_eq!(bad[1].line, 4);
    }

    #[test]
    fn append_writes_month_files_that_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Snapshot::new(at("2026-12-31T23:30:00Z"), "p", PlatformId::Bluesky);
        a.likes = Some(2);
        let b = Snapshot::new(at("2027-01-01T00:30:00Z"), "p", PlatformId::Bluesky);
        let files = append(dir.path(), &[a.clone(), b]).unwrap();
        assert_eq!(files, vec![PathBuf::from("metrics/2026-12.jsonl"), PathBuf::from("metrics/2027-01.jsonl")]);
        append(dir.path(), std::slice::from_ref(&a)).unwrap();
        let text = std::fs::read_to_string(dir.path().join("metrics/2026-12.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("{\"at\":\"2026-12-31T23:30:00Z\",\"post\":\"p\",\"platform\":\"bluesky\",\"remote\":null,\"views\":null,\"reach\":null,\"likes\":2,"));
        let m = Metrics::read(dir.path()).unwrap();
        assert_eq!(m.lines, 3);
        assert_eq!(m.latest("p", PlatformId::Bluesky).unwrap().likes, None);
    }
}
