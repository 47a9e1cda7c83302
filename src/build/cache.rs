//! The build's memory of its inputs (`.budkavle/cache/build-<part>.json`): a rebuild whose
//! inputs are byte for byte those of the last build, whose output folders are as that build
//! left them and whose clock has not crossed an instant the archive depends on, writes nothing
//! and takes the time of hashing the inputs instead of loading, rendering and comparing ten
//! thousand posts.
//!
//! The key is a SHA-256 over everything that changes output: every file under `content/`
//! (posts, media, the crisis switch), `strategy.toml`, the theme, the ledger, the metrics,
//! `.mailmap`, the media the posts name outside `content/`, the `BUDKAVLE_*` environment
//! (`BUDKAVLE_ARCHIVE_URL`, `BUDKAVLE_NOW`), git's HEAD commit (the version history is a
//! function of it) and whether the clone is shallow, this binary (its version, size and
//! modification time), the output folder and the part built. The archive also depends on the
//! time: a crisis message becomes due or expires, a results period ends. The entry keeps the
//! window around the build's clock in which none of that happens, and is used only inside it.
//!
//! The cache lives outside `dist/`, is git-ignored, and is safe to delete: without it, or with
//! an entry that cannot be read (a crash, a hand edit, another version's format), the build
//! simply does all the work. It is written atomically, after the output.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Only, Summary};
use crate::output::WriteStats;
use crate::project::{ByPath, Project};

/// The cache folder, relative to the repository root.
pub const DIR: &str = ".budkavle/cache";

/// Bumped when the entry's meaning changes, so an older entry is a miss.
pub(crate) const FORMAT: u32 = 2;

/// Inputs beside the posts, relative to the repository root; folders are walked.
const INPUTS: &[&str] = &["content", crate::strategy::FILE_NAME, "themes", crate::ledger::DIR, crate::metrics::DIR];

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    format: u32,
    key: String,
    /// Inputs the build found outside [`INPUTS`] (a theme or media elsewhere), relative.
    extra: Vec<PathBuf>,
    /// The clock may move inside `[valid_from, valid_until)` without changing the output.
    valid_from: Option<Timestamp>,
    valid_until: Option<Timestamp>,
    /// Each output folder's manifest (relative to the output folder) and its SHA-256.
    outputs: Vec<(String, String)>,
    posts: usize,
    rendered: usize,
    over_limit: usize,
    site_pages: usize,
    notes: Vec<String>,
}

/// The part of a build the cache is keyed for: `all`, `platforms` or `site`.
fn part(only: Option<Only>) -> &'static str {
    match only {
        None => "all",
        Some(Only::Platforms) => "platforms",
        Some(Only::Site) => "site",
    }
}

fn entry_path(root: &Path, only: Option<Only>) -> PathBuf {
    root.join(DIR).join(format!("build-{}.json", part(only)))
}

/// The output folders a part writes, under `out`.
fn output_dirs(only: Option<Only>) -> &'static [&'static str] {
    match only {
        None => &["platforms", "site"],
        Some(Only::Platforms) => &["platforms"],
        Some(Only::Site) => &["site"],
    }
}

/// What [`lookup`] found.
pub enum Lookup {
    /// The last build made exactly this: its summary, with every file unchanged.
    Fresh(Summary),
    /// Build, and remember it under this key (computed once, before the build reads the
    /// inputs: one that changes while the build runs makes the next key differ); the post files
    /// as the key read them.
    Build(Option<String>, Sources),
}

/// The post files (`content/posts/**.md`) the key was made of, so the build loads them without
/// reading them again, and keys its memo by the same digests: the bytes, their SHA-256, by path
/// relative to the repository root. Also the SHA-256 of every other file the key read (the
/// theme, the images), which the memo's global key is made of.
#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<(PathBuf, Vec<u8>, [u8; 32])>,
    pub others: Vec<(PathBuf, [u8; 32])>,
}

impl Sources {
    /// Splits into the posts' bytes (for [`crate::project::Project::load_with`]) and the digests
    /// of every file read (for [`super::Options::digests`]).
    pub fn split(self) -> (ByPath<Vec<u8>>, ByPath<[u8; 32]>) {
        let mut bytes = ByPath::with_capacity_and_hasher(self.files.len(), Default::default());
        let mut digests = ByPath::with_capacity_and_hasher(self.files.len() + self.others.len(), Default::default());
        for (path, b, d) in self.files {
            digests.insert(path.clone(), d);
            bytes.insert(path, b);
        }
        digests.extend(self.others);
        (bytes, digests)
    }
}

/// What the build of `only` into `out` would produce, when the last one already produced it (its
/// summary, every file unchanged), or the key to [`remember`] the build under: the inputs are
/// read and hashed once.
pub fn lookup(root: &Path, out: &Path, only: Option<Only>, now: Timestamp) -> Lookup {
    let before = || match key(root, out, only, &[], true) {
        Ok((key, sources)) => Lookup::Build(Some(key), sources),
        Err(_) => Lookup::Build(None, Sources::default()),
    };
    let Some((entry, stats)) = usable(root, out, only, now) else { return before() };
    let extra = !entry.extra.is_empty();
    let Ok((key, sources)) = key(root, out, only, &entry.extra, !extra) else { return before() };
    if key != entry.key {
        return if extra { before() } else { Lookup::Build(Some(key), sources) };
    }
    let mut summary = Summary {
        posts: entry.posts,
        rendered: entry.rendered,
        over_limit: entry.over_limit,
        site_pages: entry.site_pages,
        notes: entry.notes,
        ..Summary::default()
    };
    let dirs = output_dirs(only);
    for (dir, s) in dirs.iter().zip(stats) {
        match *dir {
            "platforms" => summary.files = s,
            _ => summary.site_files = s,
        }
    }
    Lookup::Fresh(summary)
}

/// The entry of the last build, when its format, time window and outputs still hold (its key
/// is not checked yet), with each output folder's file count.
fn usable(root: &Path, out: &Path, only: Option<Only>, now: Timestamp) -> Option<(Entry, Vec<WriteStats>)> {
    let text = std::fs::read(entry_path(root, only)).ok()?;
    let entry: Entry = serde_json::from_slice(&text).ok()?;
    if entry.format != FORMAT
        || entry.valid_from.is_some_and(|t| now < t)
        || entry.valid_until.is_some_and(|t| now >= t)
    {
        return None;
    }
    let mut stats = Vec::new();
    for (rel, digest) in &entry.outputs {
        let bytes = std::fs::read(out.join(rel)).ok()?;
        if output_digest(&bytes) != *digest {
            return None;
        }
        stats.push(WriteStats { unchanged: bytes.iter().filter(|b| **b == b'\n').count(), ..WriteStats::default() });
    }
    Some((entry, stats))
}

/// Records the build just made. `key` is [`Lookup::Build`]'s; when the build found inputs
/// outside the usual folders, the key is taken again with them (they were read by the build,
/// so at worst this misses next time). A cache that cannot be written is only slower.
pub fn remember(
    project: &Project,
    out: &Path,
    only: Option<Only>,
    key: Option<String>,
    summary: &Summary,
    now: Timestamp,
) {
    let Some(mut key) = key else { return };
    let root = &project.root;
    let extra = extra_inputs(project);
    if !extra.is_empty() {
        match self::key(root, out, only, &extra, false) {
            Ok((k, _)) => key = k,
            Err(_) => return,
        }
    }
    let mut outputs = Vec::new();
    for dir in output_dirs(only) {
        let rel = format!("{dir}/{}", crate::output::MANIFEST);
        let Ok(bytes) = std::fs::read(out.join(&rel)) else { return };
        outputs.push((rel, output_digest(&bytes)));
    }
    let (valid_from, valid_until) =
        if only == Some(Only::Platforms) { (None, None) } else { crate::site::time_window(project, now) };
    let entry = Entry {
        format: FORMAT,
        key,
        extra,
        valid_from,
        valid_until,
        outputs,
        posts: summary.posts,
        rendered: summary.rendered,
        over_limit: summary.over_limit,
        site_pages: summary.site_pages,
        notes: summary.notes.clone(),
    };
    if let Ok(json) = serde_json::to_vec_pretty(&entry) {
        let _ = crate::fsutil::write_atomic(&entry_path(root, only), &json);
    }
}

/// The theme and media the project reads from outside [`INPUTS`].
fn extra_inputs(project: &Project) -> Vec<PathBuf> {
    let mut extra: Vec<PathBuf> = std::iter::once(project.theme.dir.as_path())
        .chain(project.posts.iter().flat_map(|p| p.media.iter().map(|m| m.path.as_path())))
        .filter(|p| !p.as_os_str().is_empty() && !is_input(p))
        .map(Path::to_path_buf)
        .collect();
    extra.sort();
    extra.dedup();
    extra
}

/// Whether `path` (relative to the root) is in [`INPUTS`]. A path that begins with an input's
/// name and a `/` is, which its bytes tell at once; only others are taken apart into components:
/// ten thousand posts' images, each taken apart, were most of the time [`extra_inputs`] took, on
/// one core at the end of a build.
fn is_input(path: &Path) -> bool {
    let b = path.as_os_str().as_encoded_bytes();
    INPUTS.iter().any(|i| b.strip_prefix(i.as_bytes()).is_some_and(|rest| rest.first() == Some(&b'/')))
        || INPUTS.iter().any(|i| path.starts_with(i))
}

/// What of the running tool can change a build's output besides the files it reads, as named
/// fields: the cache format, the version, the binary itself (a rebuilt one may render
/// differently under the same version number) and the `BUDKAVLE_*` environment but the clock,
/// which the entries' time windows answer for.
pub(crate) fn tool() -> Vec<(String, String)> {
    let mut fields = vec![
        ("format".to_string(), FORMAT.to_string()),
        ("version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
    ];
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        fields.push(("exe".to_string(), format!("{} {:?}", meta.len(), mtime)));
    }
    let mut env: Vec<(String, String)> =
        std::env::vars().filter(|(k, _)| k.starts_with("BUDKAVLE_") && k != crate::site::NOW_ENV).collect();
    env.sort();
    fields.extend(env);
    fields
}

/// An output folder's manifest as the entry records it: a fast hash suffices to tell that the
/// folder is as the build left it (the manifest itself holds the content hashes).
fn output_digest(manifest: &[u8]) -> String {
    format!("{:016x}", crate::output::content_hash(manifest))
}

/// The key, and with `keep` the post files read for it ([`Sources`]).
fn key(
    root: &Path,
    out: &Path,
    only: Option<Only>,
    extra: &[PathBuf],
    keep: bool,
) -> std::io::Result<(String, Sources)> {
    let mut h = Sha256::new();
    let mut field = |name: &str, value: &[u8]| {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((value.len() as u64).to_le_bytes());
        h.update(value);
    };
    for (name, value) in tool() {
        field(&name, value.as_bytes());
    }
    field("part", part(only).as_bytes());
    field("out", out.as_os_str().as_encoded_bytes());
    field("git", git_state(root).as_bytes());

    let posts = root.join(crate::project::POSTS_DIR);
    // A file is read and hashed as soon as the walk finds it, by whatever core is free, in
    // batches: the walk (ten thousand entries) took one core for a while before any reading
    // began. An unreadable file is no key at all.
    type Read = (PathBuf, std::io::Result<([u8; 32], Option<Vec<u8>>)>);
    const BATCH: usize = 32;
    let read_one = |f: &Path| -> std::io::Result<([u8; 32], Option<Vec<u8>>)> {
        let bytes = std::fs::read(f)?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        let post = keep && f.starts_with(&posts) && f.extension().is_some_and(|x| x == "md");
        Ok((digest, post.then_some(bytes)))
    };
    let batches: std::sync::Mutex<Vec<Vec<Read>>> = std::sync::Mutex::new(Vec::new());
    let walked = rayon::scope(|scope| -> std::io::Result<()> {
        let mut batch: Vec<PathBuf> = Vec::with_capacity(BATCH);
        let send = |batch: Vec<PathBuf>| {
            let (batches, read_one) = (&batches, &read_one);
            scope.spawn(move |_| {
                let done: Vec<Read> = batch
                    .into_iter()
                    .map(|f| {
                        let r = read_one(&f);
                        (f, r)
                    })
                    .collect();
                batches.lock().unwrap_or_else(|p| p.into_inner()).push(done);
            });
        };
        for input in INPUTS.iter().map(Path::new).chain(extra.iter().map(PathBuf::as_path)) {
            let path = root.join(input);
            for entry in walkdir::WalkDir::new(&path).follow_links(true) {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        batch.push(e.into_path());
                        if batch.len() == BATCH {
                            send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                        }
                    }
                    Ok(_) => {}
                    Err(e) if e.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        send(batch);
        Ok(())
    });
    walked?;
    let mut read: Vec<Read> = batches.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect();
    // In one order whatever order the folders list their files in and the cores read them;
    // byte order of the paths is as good as any and much cheaper than walkdir's sorting by file
    // name in every folder.
    read.sort_unstable_by(|a, b| crate::fsutil::by_bytes(&a.0, &b.0));
    read.dedup_by(|a, b| a.0 == b.0);
    let mut sources = Sources::default();
    for (file, r) in read {
        let (digest, bytes) = r?;
        let rel = file.strip_prefix(root).unwrap_or(&file);
        field(&rel.to_string_lossy(), &digest);
        match bytes {
            Some(bytes) => sources.files.push((rel.to_path_buf(), bytes, digest)),
            None if keep => sources.others.push((rel.to_path_buf(), digest)),
            None => {}
        }
    }
    Ok((hex(&h.finalize()), sources))
}

/// HEAD's commit, whether the clone is shallow, and the mailmap that names authors: what the
/// version history is made from. "none" outside a repository.
fn git_state(root: &Path) -> String {
    let Ok(repo) = git2::Repository::discover(root) else { return "none".into() };
    let head = repo.head().ok().and_then(|h| h.target()).map(|o| o.to_string()).unwrap_or_default();
    let mailmap = repo
        .workdir()
        .and_then(|w| std::fs::read(w.join(".mailmap")).ok())
        .map(|b| hex(&Sha256::digest(&b)))
        .unwrap_or_default();
    format!("{head} {} {mailmap}", repo.is_shallow())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes' shortcut says what the components say.
    #[test]
    fn inputs_are_told_by_their_first_component() {
        for (path, inside) in [
            ("content/media/plogbil.png", true),
            ("content/posts/2027/01/a.md", true),
            ("content", true),
            ("themes/default/site/post.html", true),
            ("strategy.toml", true),
            ("./content/media/a.png", false),
            ("contents/a.png", false),
            ("content.png", false),
            ("bilder/content/a.png", false),
            ("../gemensamt/tema", false),
            ("/srv/bilder/a.png", false),
        ] {
            assert_eq!(is_input(Path::new(path)), inside, "{path}");
            assert_eq!(INPUTS.iter().any(|i| Path::new(path).starts_with(i)), inside, "{path}: as components");
        }
    }
}
