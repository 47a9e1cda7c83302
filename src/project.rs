//! A content repository loaded once: the strategy, every post, the theme. Every command is a
//! function of this value, so nothing re-reads or re-parses files behind another's back.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::post::{self, Post};
use crate::strategy::{self, Strategy};
use crate::theme::Theme;

pub const POSTS_DIR: &str = "content/posts";

/// A strategy is a page or two of settings; anything far larger is not one.
const MAX_STRATEGY_BYTES: u64 = 1024 * 1024;

#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub strategy: Strategy,
    /// Sorted by date (undated last), then id, so output order is stable.
    pub posts: Vec<Post>,
    pub theme: Theme,
    /// Post index by id, for relations and lookups in rules without a scan per call.
    by_id: foldhash::HashMap<String, usize>,
}

/// A map by a file's path relative to the repository root: the post files' bytes and the
/// digests of every input, ten thousand of each. foldhash rather than SipHash: hashing a path
/// goes through its components, and with SipHash these maps' look-ups were a hundredth of a
/// build's instructions.
pub type ByPath<V> = foldhash::HashMap<PathBuf, V>;

/// The post files of a repository and the problems met listing them ([`Project::walk_posts`]).
pub struct WalkedPosts {
    canonical_root: PathBuf,
    files: Vec<PathBuf>,
    diags: Diagnostics,
}

impl Project {
    /// Loads and validates everything, reporting every problem found rather than the first.
    pub fn load(root: &Path) -> Result<Project> {
        Self::load_with(root, ByPath::default(), None)
    }

    /// Lists the post files of `root` ahead of [`Project::load_with`], for a caller with a core
    /// to spare: a build lists them while its cache reads every input on the other cores (the
    /// walk was a fifth of loading ten thousand posts, on one core). `None` when the folder
    /// cannot be opened; loading then says why.
    pub fn walk_posts(root: &Path) -> Option<WalkedPosts> {
        let canonical_root = root.canonicalize().ok()?;
        let mut diags = Diagnostics::default();
        let files = post_files(root, &canonical_root, &mut diags);
        Some(WalkedPosts { canonical_root, files, diags })
    }

    /// [`Project::load`], taking the bytes of post files already read (by path relative to
    /// `root`, as `build`'s cache read them to hash them) instead of reading them again, and the
    /// post files when they were listed ahead ([`Project::walk_posts`]).
    pub fn load_with(root: &Path, mut read: ByPath<Vec<u8>>, walked: Option<WalkedPosts>) -> Result<Project> {
        let mut diags = Diagnostics::default();
        let canonical_root = root.canonicalize().map_err(|e| Error::io("cannot open", root, e))?;
        let strategy_rel = Path::new(strategy::FILE_NAME);
        if !root.join(strategy_rel).exists() {
            return Err(Error::Invalid(vec![Diagnostic::file(strategy_rel, "there is no strategy.toml here").hint(
                format!("is {} a content repository? Pass --root, or create one with `budkavle init`", root.display()),
            )]));
        }
        let text = crate::fsutil::read_text(root, &canonical_root, strategy_rel, MAX_STRATEGY_BYTES)
            .map_err(|d| Error::Invalid(vec![d]))?;
        let Some(mut strategy) = Strategy::from_str(Path::new(strategy::FILE_NAME), &text, &mut diags) else {
            return Err(diags.into_error());
        };
        strategy.archive_url_from_env(&mut diags);
        let theme = Theme::load(
            root,
            &canonical_root,
            &strategy.organisation().theme,
            strategy.configured.keys().copied(),
            &mut diags,
        );

        let files = match walked {
            Some(w) if w.canonical_root == canonical_root => {
                diags.0.extend(w.diags.0);
                w.files
            }
            _ => post_files(root, &canonical_root, &mut diags),
        };
        let ctx =
            post::Context { root, canonical_root: &canonical_root, strategy: &strategy, media: Default::default() };
        let files: Vec<(PathBuf, Option<Vec<u8>>)> = files
            .into_iter()
            .map(|rel| {
                let bytes = read.remove(&rel);
                (rel, bytes)
            })
            .collect();
        let (loaded, problems): (Vec<Option<Post>>, Vec<Diagnostics>) = {
            use rayon::prelude::*;
            files
                .into_par_iter()
                .with_max_len(PIECE)
                .map(|(rel, bytes)| {
                    let mut d = Diagnostics::default();
                    let p = match bytes {
                        Some(bytes) if bytes.len() as u64 <= post::MAX_POST_BYTES => {
                            match crate::fsutil::decode_utf8(&rel, bytes) {
                                Ok(source) => post::from_source(&ctx, &rel, source, &mut d),
                                Err(diag) => {
                                    d.push(diag);
                                    None
                                }
                            }
                        }
                        _ => post::load(&ctx, &rel, &mut d),
                    };
                    (p, d)
                })
                .unzip()
        };
        for d in problems {
            diags.0.extend(d.0);
        }
        // In place (`filter_map` on the list's own memory): ten thousand posts are some twenty
        // megabytes, and a second list of them was fresh memory, dear on a virtual machine.
        #[allow(clippy::filter_map_identity)]
        let mut posts: Vec<Post> = loaded.into_iter().filter_map(|p| p).collect();
        cross_check(&posts, &mut diags);
        // By a key made once per post: comparing moved whole posts around.
        {
            use rayon::prelude::*;
            posts.par_sort_by_cached_key(|p| (p.date.is_none(), p.date, p.id.clone()));
        }

        match theme {
            Some(theme) => {
                let by_id = posts.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
                diags.into_result(Project { root: root.to_path_buf(), strategy, posts, theme, by_id })
            }
            None => Err(diags.into_error()),
        }
    }

    /// Loads the post file `rel` again after an edit (`serve`): replaces it, adds it, or removes
    /// it when the file is gone, then re-checks what needs every post (unique ids, relations).
    /// One file instead of the whole repository is what keeps a rebuild after an edit fast.
    ///
    /// `Err` holds the file's own problems; it keeps its previous post, so the rest stays
    /// viewable. `Ok` holds the problems between posts as they now stand (empty when none).
    /// `known_clean`: the posts had no problems between them before this edit, so an edit that
    /// keeps the post's id, date and relation cannot have made one.
    pub(crate) fn reload_post(
        &mut self,
        rel: &Path,
        known_clean: bool,
    ) -> std::result::Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let canonical_root = self.root.canonicalize().map_err(|e| {
            vec![Diagnostic::file(rel, format!("cannot open the repository {}: {e}", self.root.display()))]
        })?;
        let mut diags = Diagnostics::default();
        let loaded = if self.root.join(rel).is_file() {
            let ctx = post::Context {
                root: &self.root,
                canonical_root: &canonical_root,
                strategy: &self.strategy,
                media: Default::default(),
            };
            let p = post::load(&ctx, rel, &mut diags);
            if !diags.0.is_empty() {
                return Err(diags.0);
            }
            p
        } else {
            None
        };
        // The common edit (text, not id, date or relations) keeps the post where it was: no
        // re-sort, no re-index, and the relations check only needs its own targets.
        let in_place = loaded.as_ref().and_then(|new| {
            let &i = self.by_id.get(&new.id)?;
            let old = self.posts.get(i)?;
            let same = old.path == rel
                && old.date == new.date
                && old.reply_to() == new.reply_to()
                && new.reply_to().is_none_or(|t| self.by_id.contains_key(t));
            (same && known_clean).then_some(i)
        });
        let loaded = match (in_place, loaded) {
            (Some(i), Some(new)) => {
                self.posts[i] = new;
                return Ok(Vec::new());
            }
            (_, loaded) => loaded,
        };
        self.posts.retain(|p| p.path != rel);
        self.posts.extend(loaded);
        cross_check(&self.posts, &mut diags);
        self.posts.sort_by(|a, b| (a.date.is_none(), a.date, &a.id).cmp(&(b.date.is_none(), b.date, &b.id)));
        self.by_id = self.posts.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        Ok(diags.0)
    }

    pub fn post(&self, id: &str) -> Option<&Post> {
        self.by_id.get(id).map(|&i| &self.posts[i])
    }

    /// Finds a post by id or by its file path, as a person would name it on the command line.
    pub fn find(&self, name: &str) -> Result<&Post> {
        let as_path = Path::new(name);
        self.post(name)
            .or_else(|| self.posts.iter().find(|p| p.path == as_path || self.root.join(&p.path) == as_path))
            .ok_or_else(|| {
                let ids: Vec<&str> = self.posts.iter().map(|p| p.id.as_str()).collect();
                let hint = crate::toml_diag::closest(name, ids.iter().copied())
                    .map(|b| format!("; did you mean `{b}`?"))
                    .unwrap_or_default();
                Error::Usage(format!("no post `{name}`{hint}"))
            })
    }
}

/// Every `.md` under content/posts, relative to the root, sorted. Hidden files and folders
/// (editor backups, `.git`) are not posts.
fn post_files(root: &Path, canonical_root: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let dir = root.join(POSTS_DIR);
    // The folder itself (or content/) could be a link out of the repository.
    if let Ok(real) = dir.canonicalize()
        && !real.starts_with(canonical_root)
    {
        diags.push(
            Diagnostic::file(
                POSTS_DIR,
                format!("the posts folder is a link to {} outside the repository", real.display()),
            )
            .hint("keep the posts in the repository itself"),
        );
        return Vec::new();
    }
    let mut files = Vec::new();
    // Not `sort_by_file_name`: it takes each name from its path again for every comparison,
    // and with ten thousand posts in one folder that was a hundredth of a build. The list is
    // sorted once at the end instead, by the paths' bytes: any fixed order will do, since the
    // posts are put in order of date and id once loaded, and problems in order of file and line.
    let walker = walkdir::WalkDir::new(&dir).follow_links(false).into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')) {
        match entry {
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") => {
                if let Ok(rel) = e.path().strip_prefix(root) {
                    files.push(rel.to_path_buf());
                }
            }
            Ok(e) if e.path_is_symlink() && e.depth() > 0 => {
                // Posts are the public record: they must be files of this repository, so a
                // link (to a file or a folder, inside or out) is refused rather than followed.
                let rel = e.path().strip_prefix(root).unwrap_or(e.path()).to_path_buf();
                let what = if e.path().is_dir() { "a folder of posts" } else { "a post" };
                diags.push(
                    Diagnostic::file(rel, format!("{what} may not be a symbolic link"))
                        .hint("copy the files into content/posts/ instead of linking to them"),
                );
            }
            Ok(_) => {}
            Err(e) if e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) && e.depth() == 0 => {}
            Err(e) => diags.push(Diagnostic::file(e.path().unwrap_or(&dir).to_path_buf(), format!("cannot read: {e}"))),
        }
    }
    files.sort_unstable_by(|a, b| crate::fsutil::by_bytes(a, b));
    files
}

/// Checks that need every post: unique ids and that relations point at existing posts.
fn cross_check(posts: &[Post], diags: &mut Diagnostics) {
    // One map of ids, foldhash rather than SipHash, and a group only for an id used twice:
    // ten thousand groups of one post each were most of this check.
    let mut by_id: foldhash::HashMap<&str, &Post> =
        foldhash::HashMap::with_capacity_and_hasher(posts.len(), Default::default());
    let mut twice: Vec<&str> = Vec::new();
    for p in posts {
        if by_id.insert(p.id.as_str(), p).is_some() {
            twice.push(p.id.as_str());
        }
    }
    twice.sort_unstable();
    twice.dedup();
    for id in twice {
        let same: Vec<&Post> = posts.iter().filter(|p| p.id == id).collect();
        // Each file is told, at its `id` if it has one, so whichever the author opens says why.
        for p in &same {
            let others: Vec<String> =
                same.iter().filter(|o| o.path != p.path).map(|o| o.path.display().to_string()).collect();
            let (line, col) = p.front.id.as_ref().map_or((1, 1), |s| p.front_position(s.span().start));
            diags.push(
                Diagnostic::new(
                    &p.path,
                    line,
                    col,
                    format!("post id `{}` is also used by {}", p.id, others.join(", ")),
                )
                .hint("every post needs its own id: rename one file or set a different `id`"),
            );
        }
    }
    for p in posts {
        let relations = [("updates", &p.front.updates), ("corrects", &p.front.corrects), ("cancels", &p.front.cancels)];
        for (name, target) in relations {
            let Some(target) = target else { continue };
            if !by_id.contains_key(target.get_ref().as_str()) {
                let (line, col) = p.front_position(target.span().start);
                let ids: Vec<&str> = by_id.keys().copied().collect();
                let hint = match crate::toml_diag::closest(target.get_ref(), ids) {
                    Some(b) => format!("did you mean `{b}`?"),
                    None => "name the id of an existing post".to_string(),
                };
                diags.push(
                    Diagnostic::new(
                        &p.path,
                        line,
                        col,
                        format!("`{name}` points at `{}`, which is no post", target.get_ref()),
                    )
                    .hint(hint),
                );
            }
        }
    }
}

/// Maps in parallel on all cores, keeping order. Loading is I/O and parse bound and each post is
/// independent, so this is the cheap win for large repositories. One item is mapped on this
/// thread: starting the pool's threads would cost more than the work (a one-post `check`).
///
/// The items are cut into pieces of at most [`PIECE`]: rayon cuts a slice only as often as
/// there are threads unless a piece is taken by another thread, so a map started while the
/// other core was busy (the renderings beside the archive) was cut in four, and when that core
/// came free the last quarter was already under way: a quarter of a second on one core.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    items.par_iter().with_max_len(PIECE).map(f).collect()
}

/// The most items of a [`par_map`] one thread maps before another may take the rest (and of
/// the build's other parallel loops, which run beside one another too).
pub(crate) const PIECE: usize = 16;
