//! Throwaway content repositories for tests, built from the real default theme.
#![allow(dead_code)]

pub mod bluesky_peer;
pub mod browser;
pub mod fake_peer;
pub mod fault_proxy;
pub mod git;
pub mod mastodon_peer;
pub mod serve_support;
pub mod world;

use std::path::{Path, PathBuf};

pub const STRATEGY: &str = r#"
[organisation]
name = "Testby kommun"
url = "https://www.testby.se"
archive_url = "https://arkiv.testby.se"

[[goals]]
id = "info"
description = "Informera"

[[audiences]]
id = "alla"
description = "Alla"

[platforms.mastodon]
instance = "https://social.testby.se"
[platforms.bluesky]
[platforms.x]
[platforms.facebook]
[platforms.instagram]
[platforms.linkedin]
[platforms.threads]

[voice]
signature = "/Testby kommun"

[crisis]
hashtags = ["KrisInfo"]
"#;

pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// A repository with `strategy` (STRATEGY plus `extra` appended) and the default theme.
    pub fn new(extra: &str) -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("strategy.toml"), format!("{STRATEGY}\n{extra}")).unwrap();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"), &dir.path().join("themes/default"));
        std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/media")).unwrap();
        Repo { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn post(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join("content/posts").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn file(&self, rel: &str, bytes: &[u8]) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn load(&self) -> budkavle::Project {
        match budkavle::Project::load(self.path()) {
            Ok(p) => p,
            Err(budkavle::Error::Invalid(d)) => panic!("load failed: {d:#?}"),
            Err(e) => panic!("load failed: {e}"),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_budkavle"))
}
