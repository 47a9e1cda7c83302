//! The build cache (`.budkavle/cache/`): a rebuild with nothing changed writes nothing and
//! skips the work; any change to what the output is made of — a post, the theme,
//! strategy.toml, the archive URL, a new commit, the clock crossing a crisis alert's expiry —
//! builds again; and whatever happened to the cache (deleted, corrupt), `dist/` ends up byte
//! for byte what a clean build of the same files makes.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Repo;
use git2::Repository;

const NOW: &str = "2027-01-20T12:00:00Z";

const CRISIS: &str = r#"+++
title = "Koka vattnet i Norrby"
date = 2027-01-19T07:30:00
kind = "crisis"

[crisis]
event = "Kokningsrekommendation"
category = "Health"
urgency = "Immediate"
severity = "Moderate"
certainty = "Observed"
area = { description = "Norrby" }
expires = 2027-01-22T18:00:00
instruction = "Koka vattnet i minst en minut."
+++

Koka dricksvattnet i Norrby. Vi har hittat bakterier i vattnet.
"#;

fn post(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2027-01-18T09:00:00\ntags = [\"Test\"]\n+++\n\n{body}\n")
}

/// A repository in git with a few posts, one of them a crisis alert.
fn repo() -> (Repo, Repository) {
    let repo = Repo::new("");
    let git = common::git::init(repo.path());
    repo.file(".gitignore", b"/dist\n/.budkavle/\n");
    repo.post("kris.md", CRISIS);
    for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
        repo.post(&format!("{name}.md"), &post(&format!("Nyhet {name}"), &format!("Text nummer {i} om parken.")));
    }
    common::git::commit(&git, "Första", "Anna", 1_800_000_000);
    (repo, git)
}

/// Runs `build` in `root` at `now`, with `env` set; returns whether the cache answered.
fn build(root: &Path, now: &str, env: &[(&str, &str)]) -> bool {
    let mut cmd = common::bin();
    cmd.args(["--verbose", "--root"]).arg(root).arg("build").env("BUDKAVLE_NOW", now);
    cmd.env_remove("BUDKAVLE_ARCHIVE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "build failed: {stderr}");
    stderr.contains("nothing changed since the last build")
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// `dist/` of a clean build of the same files (and git history), without any cache.
fn clean_build(root: &Path, now: &str, env: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    let copy = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(root).unwrap();
        if rel.starts_with("dist") || rel.starts_with(".budkavle") {
            continue;
        }
        let target = copy.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    assert!(!build(copy.path(), now, env), "a clean build cannot come from the cache");
    snapshot(&copy.path().join("dist"))
}

fn assert_same(repo: &Repo, now: &str, env: &[(&str, &str)], what: &str) {
    let got = snapshot(&repo.path().join("dist"));
    let want = clean_build(repo.path(), now, env);
    let differ: Vec<&String> = want.keys().chain(got.keys()).filter(|k| want.get(*k) != got.get(*k)).collect();
    assert!(differ.is_empty(), "after {what}, dist/ differs from a clean build in {differ:?}");
}

#[test]
fn nothing_changed_is_answered_from_the_cache_and_every_kind_of_change_builds_again() {
    let (repo, git) = repo();
    let root = repo.path();
    assert!(!build(root, NOW, &[]), "the first build has no cache");
    assert!(root.join(".budkavle/cache/build-all.json").is_file());
    assert!(build(root, NOW, &[]), "nothing changed: the cache answers");
    assert_same(&repo, NOW, &[], "a cached rebuild");

    // Each change must build again, and the result must be what a clean build makes.
    repo.post("b.md", &post("Nyhet b", "Ny text om parken och torget."));
    assert!(!build(root, NOW, &[]), "an edited post");
    assert_same(&repo, NOW, &[], "an edited post");
    assert!(build(root, NOW, &[]));

    let css = root.join("themes/default/site/static/style.css");
    let mut style = std::fs::read_to_string(&css).unwrap();
    style.push_str("\n/* ändrad */\n");
    std::fs::write(&css, style).unwrap();
    assert!(!build(root, NOW, &[]), "an edited theme file");
    assert_same(&repo, NOW, &[], "an edited theme file");

    let strategy = std::fs::read_to_string(root.join("strategy.toml")).unwrap();
    std::fs::write(root.join("strategy.toml"), strategy.replace("Testby kommun\"", "Testby stad\"")).unwrap();
    assert!(!build(root, NOW, &[]), "an edited strategy.toml");
    assert_same(&repo, NOW, &[], "an edited strategy.toml");
    assert!(build(root, NOW, &[]));

    let env = [("BUDKAVLE_ARCHIVE_URL", "https://www.testby.se/arkiv/")];
    assert!(!build(root, NOW, &env), "another archive URL");
    assert_same(&repo, NOW, &env, "another archive URL");
    assert!(build(root, NOW, &env));
    assert!(!build(root, NOW, &[]), "back to the strategy's archive URL");

    // A commit of a new version: the post gets version pages.
    common::git::commit(&git, "Andra", "Bo", 1_800_003_600);
    assert!(!build(root, NOW, &[]), "a new commit");
    assert_same(&repo, NOW, &[], "a new commit");
    assert!(
        root.join("dist/site/p/b/v/2/index.html").is_file(),
        "the new commit's version page is built: {:?}",
        snapshot(&root.join("dist/site")).keys().filter(|k| k.starts_with("p/b/")).collect::<Vec<_>>()
    );

    // The clock: past the alert's expiry the crisis page says so.
    assert!(build(root, NOW, &[]));
    let later = "2027-01-23T12:00:00Z";
    assert!(!build(root, later, &[]), "the clock passed the alert's expiry");
    assert_same(&repo, later, &[], "the alert's expiry");
    assert!(build(root, "2027-01-24T12:00:00Z", &[]), "no other event before 2027-01-24: still fresh");
    assert!(!build(root, NOW, &[]), "back before the expiry");

    // dist/ removed by hand: the manifests are gone, so everything is written again.
    std::fs::remove_dir_all(root.join("dist")).unwrap();
    assert!(!build(root, NOW, &[]), "dist/ was removed");
    assert_same(&repo, NOW, &[], "removing dist/");
}

#[test]
fn a_deleted_or_corrupt_cache_gives_a_clean_builds_output() {
    let (repo, _git) = repo();
    let root = repo.path();
    assert!(!build(root, NOW, &[]));
    let entry = root.join(".budkavle/cache/build-all.json");

    // Edit a post and corrupt the cache in ways that could be trusted by mistake: a valid
    // entry of the old inputs with its key changed, truncated JSON, garbage.
    let old = std::fs::read_to_string(&entry).unwrap();
    repo.post("a.md", &post("Nyhet a", "Helt ny text."));
    let mut value: serde_json::Value = serde_json::from_str(&old).unwrap();
    value["key"] = serde_json::Value::String("0".repeat(64));
    for corrupt in
        [value.to_string().into_bytes(), old.as_bytes()[..old.len() / 2].to_vec(), b"\x00\xff garbage".to_vec()]
    {
        std::fs::write(&entry, &corrupt).unwrap();
        assert!(!build(root, NOW, &[]), "a corrupt cache is never trusted");
        assert_same(&repo, NOW, &[], "a corrupt cache");
    }
    std::fs::remove_dir_all(root.join(".budkavle")).unwrap();
    repo.post("a.md", &post("Nyhet a", "Ännu en text."));
    assert!(!build(root, NOW, &[]), "a deleted cache");
    assert_same(&repo, NOW, &[], "a deleted cache");
    assert!(build(root, NOW, &[]), "and it is written again");
}

/// Random edits (a tiny deterministic generator): after each, the incremental build's `dist/`
/// equals a clean build's.
#[test]
fn incremental_output_equals_a_clean_build_after_random_edits() {
    let (repo, git) = repo();
    let root = repo.path();
    assert!(!build(root, NOW, &[]));
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let names = ["a", "b", "c", "d", "e", "f"];
    for step in 0..8 {
        let name = names[next(names.len() as u64) as usize];
        let what = match next(4) {
            0 => {
                repo.post(
                    &format!("{name}.md"),
                    &post(&format!("Rubrik {step}"), &format!("Ändring {step} av {name}.")),
                );
                "edit"
            }
            1 => match std::fs::remove_file(root.join(format!("content/posts/{name}.md"))) {
                Ok(()) => "remove",
                Err(_) => "nothing",
            },
            2 => {
                common::git::commit(&git, &format!("Steg {step}"), "Cilla", 1_800_000_000 + 60 * step);
                "commit"
            }
            _ => "nothing",
        };
        let cached = build(root, NOW, &[]);
        assert_eq!(cached, what == "nothing", "step {step}: {what} {name}");
        assert_same(&repo, NOW, &[], &format!("step {step}: {what} {name}"));
    }
}
