//! The version history as the last walk found it, kept in a file outside the output (the build
//! puts it in `.budkavle/cache/`), so the next build walks only the commits made since.
//!
//! A walk goes down HEAD's first-parent line from the posts at HEAD, following each post's
//! file back through renames, and what it finds below a commit depends only on which post
//! each path held there. So the cache keeps, with the commit it walked from, the posts it
//! started from (path → id). The next build walks its new commits down to that commit; if it
//! arrives there with those same posts — or with fewer of them, when no post's path ever took
//! the place of another's in that walk (`crossed`), since then each post's history was its
//! own — the older versions are the cached ones. With HEAD unchanged (an edit not yet
//! committed) nothing is walked at all. Anything else (a rewritten history, a cache of another
//! repository layout, mailmap or format, a damaged file) walks everything again.

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use jiff::Timestamp;

use super::Version;
use crate::output::content_hash;
use crate::output::memo::{Decoder, Encoder};
use crate::project::Project;

/// Bumped when the cache's meaning changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8] = b"budkavle-history\n";

/// What the cached walk must have been made under to be reused.
pub(super) struct Context {
    posts_dir: String,
    shallow: bool,
    /// `.mailmap`, which names the authors.
    mailmap: u64,
}

impl Context {
    pub(super) fn of(repo: &Repository, posts_dir: &str) -> Context {
        let mailmap =
            repo.workdir().and_then(|w| std::fs::read(w.join(".mailmap")).ok()).map_or(0, |b| content_hash(&b));
        Context { posts_dir: posts_dir.to_string(), shallow: repo.is_shallow(), mailmap }
    }
}

#[derive(Debug)]
pub(super) struct Cached {
    pub head: Oid,
    /// The posts the walk started from at `head`: path in the posts folder and id, sorted.
    pub start: Vec<(String, String)>,
    pub crossed: bool,
    /// The walk's own notes (a missing parent).
    pub notes: Vec<String>,
    pub versions: HashMap<String, Vec<Version>>,
}

/// `live` (path → post) as sorted path → id pairs.
pub(super) fn ids_of(project: &Project, live: &HashMap<String, usize>) -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> =
        live.iter().map(|(path, &p)| (path.clone(), project.posts[p].id.clone())).collect();
    ids.sort_unstable();
    ids
}

impl Cached {
    /// Whether a walk that reached `head` with the posts `at` may take this cache's versions
    /// as the rest of their history.
    pub(super) fn continues(&self, at: &[(String, String)]) -> bool {
        if at == self.start.as_slice() {
            return true;
        }
        // Both sorted: `at` is a subset of `start`.
        let mut rest = self.start.iter();
        let subset = at.iter().all(|x| rest.by_ref().any(|y| y == x));
        subset && !self.crossed
    }

    /// The cache at `path`, when it was made under `context`. A version whose text is a post's
    /// file as it is now is kept as a reference to its blob (see [`Cached::save`]): read from
    /// that file when it still holds it, else from git.
    pub(super) fn load(path: &Path, context: &Context, repo: &Repository, project: &Project) -> Option<Cached> {
        let bytes = std::fs::read(path).ok()?;
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if content_hash(body).to_le_bytes() != sum {
            return None;
        }
        let mut d = Decoder::new(body);
        if d.raw(MAGIC.len())? != MAGIC
            || d.u32()? != FORMAT
            || d.str()? != context.posts_dir
            || d.bool()? != context.shallow
            || d.u64()? != context.mailmap
        {
            return None;
        }
        let head = Oid::from_bytes(d.bytes()?).ok()?;
        let crossed = d.bool()?;
        let mut start = Vec::new();
        for _ in 0..d.u64()? {
            start.push((d.str()?.to_string(), d.str()?.to_string()));
        }
        let mut notes = Vec::new();
        for _ in 0..d.u64()? {
            notes.push(d.str()?.to_string());
        }
        let mut versions = HashMap::new();
        for _ in 0..d.u64()? {
            let id = d.str()?.to_string();
            let current = project.post(&id).map(|p| (&p.source, content_hash(p.source.as_bytes())));
            let n = d.u64()?;
            let mut list = Vec::with_capacity(usize::try_from(n).ok()?.min(1 << 16));
            for _ in 0..n {
                let commit = d.str()?.to_string();
                let date = Timestamp::from_second(d.i64()?).ok()?;
                let author = d.opt_str()?.map(str::to_string);
                let source = if d.bool()? {
                    let blob = Oid::from_bytes(d.bytes()?).ok()?;
                    let hash = d.u64()?;
                    match current {
                        Some((text, h)) if h == hash => std::sync::Arc::clone(text),
                        _ => super::blob_text(repo, blob).ok()?.into(),
                    }
                } else {
                    d.str()?.to_string().into()
                };
                list.push(Version { n: list.len() + 1, commit, date, author, source });
            }
            versions.insert(id, list);
        }
        d.is_empty().then_some(Cached { head, start, crossed, notes, versions })
    }

    /// Writes the cache; one that cannot be written only means walking again next time. The
    /// text of a version that is what the post's file holds now (the common case: the last
    /// version of a post not edited since) is not written out but named by its blob and hash,
    /// which keeps the file a tenth of the size.
    pub(super) fn save(&self, path: &Path, context: &Context, repo: &Repository, project: &Project) {
        let mut e = Encoder::default();
        e.raw(MAGIC);
        e.u32(FORMAT);
        e.str(&context.posts_dir);
        e.bool(context.shallow);
        e.u64(context.mailmap);
        e.bytes(self.head.as_bytes());
        e.bool(self.crossed);
        e.u64(self.start.len() as u64);
        for (path, id) in &self.start {
            e.str(path);
            e.str(id);
        }
        e.u64(self.notes.len() as u64);
        for note in &self.notes {
            e.str(note);
        }
        let odb = repo.odb().ok();
        let mut ids: Vec<&String> = self.versions.keys().collect();
        ids.sort_unstable();
        e.u64(ids.len() as u64);
        for id in ids {
            let list = &self.versions[id];
            let current = project.post(id).map(|p| p.source.as_str());
            e.str(id);
            e.u64(list.len() as u64);
            for v in list {
                e.str(&v.commit);
                e.i64(v.date.as_second());
                e.opt_str(v.author.as_deref());
                let blob = (current == Some(v.source.as_str()))
                    .then(|| Oid::hash_object(git2::ObjectType::Blob, v.source.as_bytes()).ok())
                    .flatten()
                    .filter(|oid| odb.as_ref().is_some_and(|o| o.exists(*oid)));
                match blob {
                    Some(oid) => {
                        e.bool(true);
                        e.bytes(oid.as_bytes());
                        e.u64(content_hash(v.source.as_bytes()));
                    }
                    None => {
                        e.bool(false);
                        e.str(&v.source);
                    }
                }
            }
        }
        let mut bytes = e.finish();
        let sum = content_hash(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        let _ = crate::fsutil::write_atomic(path, &bytes);
    }
}
