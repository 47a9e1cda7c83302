//! `dist/site` and `dist/previews` kept as `serve` serves them, through the incremental output
//! ([`OutputDir`]): after an edit only the files whose bytes changed are written, and the
//! folder is not walked again (its manifest, as serve last wrote it, is trusted; a manifest
//! someone else wrote, a `budkavle build` say, is not, and the folder is walked once).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::http::Files;
use crate::error::Result;
use crate::output::OutputDir;

/// One output folder and what serve last wrote into it.
pub(crate) struct Mirror {
    dir: PathBuf,
    /// The hash of the manifest serve last wrote, for [`OutputDir::open_trusted`].
    manifest: Option<u64>,
    /// Content hash of every file as written, by path relative to the folder.
    written: HashMap<String, u64>,
}

impl Mirror {
    pub(crate) fn new(dir: &Path) -> Mirror {
        Mirror { dir: dir.to_path_buf(), manifest: None, written: HashMap::new() }
    }

    /// Makes the folder hold exactly `files` (whose content hashes are `hashes`): files it
    /// already holds so are kept untouched, the others written, the rest removed.
    pub(crate) fn sync(&mut self, files: &Files, hashes: &HashMap<String, u64>) -> Result<()> {
        let out = OutputDir::open_trusted(&self.dir, self.manifest.take())?;
        let mut kept = Vec::with_capacity(hashes.len());
        let mut write = Vec::new();
        for (path, hash) in hashes {
            if self.written.get(path) == Some(hash) {
                kept.push((path.clone(), *hash));
            } else {
                write.push(path.as_str());
            }
        }
        // A file changed or removed behind serve's back: the manifest was not trusted, so
        // `keep_all` compares with the folder as it is; then everything is written.
        if !out.keep_all(kept) {
            write = hashes.keys().map(String::as_str).collect();
        }
        let written = crate::project::par_map(&write, |path| match files.get(*path) {
            Some(bytes) => out.write(path, bytes).map(|_| ()),
            None => Ok(()),
        });
        written.into_iter().collect::<Result<()>>()?;
        let (_, manifest) = out.finish_hashed()?;
        self.manifest = Some(manifest);
        self.written.clone_from(hashes);
        Ok(())
    }
}

/// Content hashes of `files`, as the output's manifest records them.
pub(crate) fn hashes(files: &Files) -> HashMap<String, u64> {
    use rayon::prelude::*;
    files.par_iter().map(|(path, bytes)| (path.clone(), crate::output::content_hash(bytes))).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn files(list: &[(&str, &str)]) -> Files {
        list.iter().map(|(p, b)| (p.to_string(), Arc::new(b.as_bytes().to_vec()))).collect()
    }

    #[test]
    fn the_folder_follows_what_is_served_touching_only_what_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("site");
        std::fs::create_dir_all(dir.join("old")).unwrap();
        std::fs::write(dir.join("old/stray.html"), "left by someone").unwrap();
        let mut mirror = Mirror::new(&dir);
        let first = files(&[("index.html", "lista"), ("p/a/index.html", "a"), ("feed.atom", "flöde")]);
        mirror.sync(&first, &hashes(&first)).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("p/a/index.html")).unwrap(), "a");
        assert!(!dir.join("old").exists(), "what serve does not serve goes");

        let untouched = std::fs::metadata(dir.join("p/a/index.html")).unwrap().modified().unwrap();
        let second = files(&[("index.html", "lista 2"), ("p/a/index.html", "a"), ("tags/x/index.html", "x")]);
        mirror.sync(&second, &hashes(&second)).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("index.html")).unwrap(), "lista 2");
        assert_eq!(std::fs::read_to_string(dir.join("tags/x/index.html")).unwrap(), "x");
        assert!(!dir.join("feed.atom").exists());
        assert_eq!(std::fs::metadata(dir.join("p/a/index.html")).unwrap().modified().unwrap(), untouched);

        // A file removed behind serve's back, with a manifest someone else rewrote: written again.
        std::fs::remove_file(dir.join("p/a/index.html")).unwrap();
        std::fs::write(dir.join(crate::output::MANIFEST), "").unwrap();
        mirror.sync(&second, &hashes(&second)).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("p/a/index.html")).unwrap(), "a");
    }
}
