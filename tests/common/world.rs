//! A content repository in git with a local Mastodon server and Bluesky PDS behind it: the
//! setting of the publish and crisis stories. Included by tests that also include the two
//! peer harnesses as `mastodon_peer` and `bluesky_peer` at their crate root.

use std::path::Path;
use std::process::Output;

use crate::common::bluesky_peer::BlueskyPeer;
use crate::common::git::{T0, commit, init, merge_request};
use crate::common::mastodon_peer::MastodonPeer;
use crate::common::{Repo, bin};

pub const TOKEN_ENV: &str = "WORLD_MASTODON_TOKEN";
pub const PASSWORD_ENV: &str = "WORLD_BLUESKY_PASSWORD";

pub fn strategy(mastodon: &MastodonPeer, bluesky: &BlueskyPeer, extra: &str) -> String {
    format!(
        r#"[organisation]
name = "Testby kommun"
url = "https://www.testby.se"
archive_url = "https://arkiv.testby.se"
timezone = "Europe/Stockholm"

[[goals]]
id = "info"
description = "Informera"

[[audiences]]
id = "alla"
description = "Alla"

[platforms.mastodon]
{}
{}
[review]
approvals = 1

{extra}
"#,
        mastodon.strategy_lines(TOKEN_ENV),
        bluesky.strategy_section(PASSWORD_ENV)
    )
}

pub struct World {
    pub repo: Repo,
    pub git: git2::Repository,
    pub mastodon: MastodonPeer,
    pub bluesky: BlueskyPeer,
    request: u64,
}

impl World {
    /// `extra` is appended to strategy.toml.
    pub fn new(extra: &str) -> World {
        World::with(BlueskyPeer::start(), extra)
    }

    /// The same with Bluesky's whole network (PDS and AppView), where posts get counts: 6–40 s
    /// to start, so a test makes one.
    pub fn with_appview(extra: &str) -> World {
        World::with(BlueskyPeer::start_with_appview(), extra)
    }

    fn with(bluesky: BlueskyPeer, extra: &str) -> World {
        let mastodon = MastodonPeer::start();
        let repo = Repo::new("");
        repo.file("strategy.toml", strategy(&mastodon, &bluesky, extra).as_bytes());
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media/plogbil.png");
        repo.file("content/media/plog.png", &std::fs::read(example).expect("the example's image"));
        let git = init(repo.path());
        commit(&git, "Start", "Anna Berg", T0);
        World { repo, git, mastodon, bluesky, request: 0 }
    }

    /// Writes a post and merges it as a reviewed pull request.
    pub fn merge(&mut self, name: &str, text: &str) {
        self.merge_files(&[(&format!("content/posts/{name}"), Some(text))]);
    }

    /// Writes (Some) or removes (None) files and merges that as one reviewed pull request.
    pub fn merge_files(&mut self, files: &[(&str, Option<&str>)]) {
        for (rel, text) in files {
            match text {
                Some(t) => self.repo.file(rel, t.as_bytes()),
                None => std::fs::remove_file(self.repo.path().join(rel)).expect("remove"),
            }
        }
        self.request += 1;
        merge_request(&self.git, self.request, &["Bo Ek"], T0 + 3600 * self.request as i64);
    }

    /// `budkavle publish` at `now`, asserting no secret is printed.
    pub fn publish_at(&self, now: &str, args: &[&str]) -> Output {
        self.publish_with(now, args, &[])
    }

    /// [`World::publish_at`] with more secrets in the environment (the other platforms'), none
    /// of which may be printed either.
    pub fn publish_with(&self, now: &str, args: &[&str], env: &[(String, String)]) -> Output {
        let out = bin()
            .arg("--root")
            .arg(self.repo.path())
            .args(["publish", "--now", now, "--timeout", "10"])
            .args(args)
            .env(TOKEN_ENV, &self.mastodon.token)
            .env(PASSWORD_ENV, &self.bluesky.password)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        let secrets = [&self.mastodon.token, &self.bluesky.password].into_iter().chain(env.iter().map(|(_, v)| v));
        for secret in secrets {
            assert!(!String::from_utf8_lossy(&out.stdout).contains(secret.as_str()), "a secret in stdout");
            assert!(!String::from_utf8_lossy(&out.stderr).contains(secret.as_str()), "a secret in stderr");
        }
        out
    }

    /// `budkavle metrics pull` at `now`, asserting no secret is printed.
    pub fn metrics_pull_at(&self, now: &str, args: &[&str]) -> Output {
        let out = bin()
            .arg("--root")
            .arg(self.repo.path())
            .args(["metrics", "pull", "--now", now, "--timeout", "10"])
            .args(args)
            .env(TOKEN_ENV, &self.mastodon.token)
            .env(PASSWORD_ENV, &self.bluesky.password)
            .output()
            .unwrap();
        for secret in [&self.mastodon.token, &self.bluesky.password] {
            assert!(!String::from_utf8_lossy(&out.stdout).contains(secret.as_str()), "a secret in stdout");
            assert!(!String::from_utf8_lossy(&out.stderr).contains(secret.as_str()), "a secret in stderr");
        }
        out
    }

    pub fn ledger(&self) -> budkavle::ledger::Ledger {
        budkavle::ledger::Ledger::read(self.repo.path()).unwrap()
    }
}

/// The output of a successful run; a failed run fails the test with its output.
pub fn ok(out: &Output) -> String {
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "publish failed:\n{text}");
    text
}

/// A status's HTML as text.
pub fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\"")
}
