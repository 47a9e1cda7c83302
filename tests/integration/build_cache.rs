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

/// Runs `build --verbose` like [`build`]; returns whether the whole-build cache answered and
/// what the memo kept: the renderings of how many posts, how many archive files.
fn build_kept(root: &Path, now: &str) -> (bool, usize, usize) {
    let out = common::bin()
        .args(["--verbose", "--root"])
        .arg(root)
        .arg("build")
        .env("BUDKAVLE_NOW", now)
        .env_remove("BUDKAVLE_ARCHIVE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "build failed: {stderr}");
    if stderr.contains("nothing changed since the last build") {
        return (true, 0, 0);
    }
    let line = stderr.lines().find(|l| l.starts_with("kept from the last build")).expect("the memo line");
    let numbers: Vec<usize> =
        line.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).map(|w| w.parse().unwrap()).collect();
    (false, numbers[numbers.len() - 2], numbers[numbers.len() - 1])
}

/// A publication of `post` on Mastodon in the ledger, as `publish` writes it.
fn publish(root: &Path, post: &str, when: &str) {
    use budkavle::ledger::{Appender, Event, NewEntry};
    let mut a = Appender::open(root).unwrap();
    let platform = budkavle::PlatformId::Mastodon;
    let at = Some(when.parse().unwrap());
    let key = Some(format!("{post}:mastodon:1"));
    a.append(NewEntry {
        at,
        key: key.clone(),
        content: Some(budkavle::ledger::content_hash(post.as_bytes())),
        source: Some("0123456789abcdef0123456789abcdef01234567".into()),
        approved_in: Some("89abcdef0123456789abcdef0123456789abcdef".into()),
        approvers: vec!["Anna".into()],
        ..NewEntry::new(Event::Intent, post, platform)
    })
    .unwrap();
    a.append(NewEntry {
        at,
        key,
        remote: Some(budkavle::platform::Remote {
            id: format!("id-{post}"),
            url: Some(format!("https://social.example/@testby/{post}")),
            parts: Vec::new(),
        }),
        ..NewEntry::new(Event::Published, post, platform)
    })
    .unwrap();
}

fn related(id: &str, title: &str, updates: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nid = \"{id}\"\ndate = 2027-01-19T10:00:00\nupdates = \"{updates}\"\ntags = [\"Test\", \"Park\"]\n+++\n\n{body}\n"
    )
}

/// One edited post is rendered again, and only what shows it: its renderings, its page and the
/// lists it is on; every other post's renderings and page are kept. And whatever changed — a
/// post another one links to, a new post, a removed one, the ledger, a commit, a renamed file,
/// a crisis message — the result is byte for byte a clean build's.
#[test]
fn one_edit_renders_one_post_again_and_every_change_gives_a_clean_builds_output() {
    let (repo, git) = repo();
    let root = repo.path();
    // Over several start pages, months and tags.
    let many = |i: usize, body: &str| {
        format!(
            "+++\ntitle = \"Fler nyheter {i}\"\ndate = 2026-{:02}-10T09:00:00\ntags = [\"Tagg{}\"]\n+++\n\n{body}\n",
            i % 12 + 1,
            i % 4
        )
    };
    for i in 0..40 {
        repo.post(&format!("x{i:02}.md"), &many(i, &format!("Stycke {i} om biblioteket.")));
    }
    repo.post("e.md", &related("e", "Uppdatering om a", "a", "Mer om parken."));
    common::git::commit(&git, "Fler", "Anna", 1_800_000_600);
    let posts = 4 + 1 + 40 + 1;

    let (cached, kept_posts, kept_files) = build_kept(root, NOW);
    assert!(!cached);
    assert_eq!((kept_posts, kept_files), (0, 0), "the first build has no memo");
    assert!(build(root, NOW, &[]), "nothing changed: the whole-build cache answers");

    repo.post("x03.md", &many(3, "Stycke 3 om biblioteket, med ett tillägg."));
    let (_, kept_posts, kept_files) = build_kept(root, NOW);
    assert_eq!(kept_posts, posts - 1, "only the edited post is rendered again");
    // Made again: the post's page, its start page, tag page and month page; and what is made
    // each time: the CAP alert and its index, the feeds, the export, the search index and
    // page, the tag and month indexes, the about and accessibility pages, the style sheet and
    // script (13). The sitemap is kept: no page came or went, no post's dates changed.
    let site_files = snapshot(&root.join("dist/site")).keys().filter(|k| !k.starts_with(".budkavle")).count();
    assert_eq!(site_files - kept_files, 4 + 13, "{kept_files} of {site_files} kept");
    assert_same(&repo, NOW, &[], "an edited post");

    // The post `e` updates: e's page shows a's title, so it must change with it.
    repo.post("a.md", &post("Nyhet a, ny rubrik", "Text nummer 0 om parken."));
    let (_, kept_posts, _) = build_kept(root, NOW);
    assert_eq!(kept_posts, posts - 1);
    assert!(
        String::from_utf8(std::fs::read(root.join("dist/site/p/e/index.html")).unwrap())
            .unwrap()
            .contains("Nyhet a, ny rubrik")
    );
    assert_same(&repo, NOW, &[], "a post another one updates");

    repo.post("f.md", &post("Ny nyhet f", "Helt ny."));
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "a new post");
    std::fs::remove_file(root.join("content/posts/x05.md")).unwrap();
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "a removed post");

    publish(root, "b", "2027-01-18T09:00:05Z");
    let (_, kept_posts, _) = build_kept(root, NOW);
    assert_eq!(kept_posts, posts, "the ledger changes no rendering");
    assert!(
        String::from_utf8(std::fs::read(root.join("dist/site/p/b/index.html")).unwrap())
            .unwrap()
            .contains("social.example/@testby/b")
    );
    assert_same(&repo, NOW, &[], "a new ledger line");

    common::git::commit(&git, "Andra", "Bo", 1_800_003_600);
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "a commit");

    // A renamed file keeps its post's history (an explicit id), committed.
    std::fs::rename(root.join("content/posts/e.md"), root.join("content/posts/e-flyttad.md")).unwrap();
    common::git::commit(&git, "Flytta", "Bo", 1_800_007_200);
    repo.post("e-flyttad.md", &related("e", "Uppdatering om a", "a", "Mer om parken, ändrad."));
    common::git::commit(&git, "Ändra", "Bo", 1_800_010_800);
    build_kept(root, NOW);
    assert!(root.join("dist/site/p/e/v/2/index.html").is_file(), "e's history follows the rename");
    assert_same(&repo, NOW, &[], "a renamed post");

    // The crisis message: its page, the crisis page and the CAP alert.
    repo.post("kris.md", &CRISIS.replace("Koka vattnet i minst en minut.", "Koka vattnet i tre minuter."));
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "an edited crisis message");

    // A post moved in time (its place in every list changes) and many posts edited at once
    // (more than are edited into the export in place).
    repo.post("x07.md", &many(7, "Stycke 7 om biblioteket.").replace("2026-08-10T09:00:00", "2026-12-24T15:00:00"));
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "a post moved in time");
    for i in 0..40 {
        repo.post(&format!("x{i:02}.md"), &many(i, &format!("Stycke {i} om biblioteket, ny version.")));
    }
    let (_, kept_posts, _) = build_kept(root, NOW);
    assert!(kept_posts < posts - 30, "{kept_posts}");
    assert_same(&repo, NOW, &[], "forty edited posts");

    // `build --only site` after a whole build, and back.
    repo.post("b.md", &post("Nyhet b", "Ännu en text om torget."));
    let site = common::bin()
        .args(["--root"])
        .arg(root)
        .args(["build", "--only", "site"])
        .env("BUDKAVLE_NOW", NOW)
        .env_remove("BUDKAVLE_ARCHIVE_URL")
        .output()
        .unwrap();
    assert!(site.status.success());
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "a site build between two whole builds");
}

/// A memo that is damaged, of another format, or gone is not used: the build renders what it
/// cannot trust, and `dist/` is a clean build's. A file removed from `dist/` by hand comes back
/// with the next change to it.
#[test]
fn a_damaged_memo_is_not_used() {
    let (repo, _git) = repo();
    let root = repo.path();
    build_kept(root, NOW);
    let memos: Vec<std::path::PathBuf> = walkdir::WalkDir::new(root.join(".budkavle/cache/memo"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    assert_eq!(memos.len(), 2, "a memo each for dist/platforms and dist/site: {memos:?}");

    for (step, damage) in ["flip", "truncate", "garbage", "delete"].iter().enumerate() {
        for memo in &memos {
            let mut bytes = std::fs::read(memo).unwrap_or_default();
            match *damage {
                "flip" => {
                    let i = bytes.len() / 3;
                    bytes[i] ^= 0x40;
                }
                "truncate" => bytes.truncate(bytes.len() / 2),
                "garbage" => bytes = b"budkavle-memo\n\x01\x00\x00\x00 not a memo".to_vec(),
                _ => {
                    let _ = std::fs::remove_file(memo);
                    continue;
                }
            }
            std::fs::write(memo, bytes).unwrap();
        }
        repo.post("c.md", &post("Nyhet c", &format!("Ändring {step} av c.")));
        let (_, kept_posts, kept_files) = build_kept(root, NOW);
        assert_eq!((kept_posts, kept_files), (0, 0), "a {damage} memo keeps nothing");
        assert_same(&repo, NOW, &[], &format!("a {damage} memo"));
    }

    // With the memo trusting its manifest, a page deleted by hand is written again when its
    // post changes.
    std::fs::remove_dir_all(root.join("dist/site/p/d")).unwrap();
    repo.post("d.md", &post("Nyhet d", "Ny text om d."));
    build_kept(root, NOW);
    assert_same(&repo, NOW, &[], "a page deleted by hand, then its post edited");
}

/// The library's incremental build (with a memo) and its plain one (without) make the same
/// files, with the archive at an address (feeds, sitemap) and a crisis underway.
#[test]
fn an_incremental_build_equals_a_plain_one() {
    let (repo, git) = repo();
    let root = repo.path();
    repo.post("e.md", &related("e", "Uppdatering om a", "a", "Mer om parken."));
    common::git::commit(&git, "Fler", "Anna", 1_800_000_600);
    publish(root, "a", "2027-01-18T09:00:05Z");
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let project = repo.load();
    let build_into = |out: &Path, incremental: bool| {
        let opts = budkavle::build::Options { now: Some(now), incremental, ..Default::default() };
        budkavle::build::build_with(&project, out, &opts).unwrap()
    };
    let plain = tempfile::tempdir().unwrap();
    let inc = root.join("dist");
    build_into(plain.path(), false);
    build_into(&inc, true);
    let second = build_into(&inc, true);
    assert_eq!(second.kept_posts, project.posts.len(), "everything is kept the second time");
    assert_eq!(snapshot(plain.path()), snapshot(&inc));
}

/// git's version history from the cache (walked only from the last commit it saw) is what a
/// walk of the whole history finds, through edits, new and removed posts, renames, a post whose
/// id changed in the work tree, and a rewritten history.
#[test]
fn the_cached_version_history_is_the_walked_one() {
    use budkavle::site::Record;
    let (repo, git) = repo();
    let root = repo.path();
    repo.post("e.md", &related("e", "Uppdatering om a", "a", "Mer om parken."));
    let cache = root.join(".budkavle/cache/history.bin");
    let mut when = 1_800_000_000;
    let mut commit = |what: &str| {
        when += 3600;
        common::git::commit(&git, what, "Anna", when)
    };
    let check = |what: &str| {
        let project = repo.load();
        let (cached, cached_notes) = Record::load_cached(&project, Some(&cache)).unwrap();
        let (walked, walked_notes) = Record::load_with_notes(&project).unwrap();
        assert_eq!(cached.versions, walked.versions, "{what}");
        assert_eq!(cached_notes, walked_notes, "{what}");
        assert!(cache.is_file(), "{what}: the cache is written");
        cached.versions.values().map(Vec::len).sum::<usize>()
    };
    commit("Första");
    assert_eq!(check("the first walk"), 6);
    check("HEAD unchanged");
    repo.post("b.md", &post("Nyhet b", "Ny text, inte incheckad."));
    check("an edit not committed");
    commit("Ändra b");
    assert_eq!(check("an edit committed"), 7);
    repo.post("f.md", &post("Nyhet f", "Ny."));
    repo.post("c.md", &post("Nyhet c", "Ny text om c."));
    commit("Ny f, ändra c");
    check("a new post and an edit in one commit");
    std::fs::rename(root.join("content/posts/e.md"), root.join("content/posts/e2.md")).unwrap();
    commit("Flytta e");
    repo.post("e2.md", &related("e", "Uppdatering om a", "a", "Mer om parken, ändrad."));
    commit("Ändra e");
    check("a renamed post");
    std::fs::remove_file(root.join("content/posts/d.md")).unwrap();
    check("a post removed, not committed");
    commit("Ta bort d");
    check("a post removed");
    std::fs::rename(root.join("content/posts/b.md"), root.join("content/posts/b2.md")).unwrap();
    check("a post whose id changed in the work tree");
    std::fs::rename(root.join("content/posts/b2.md"), root.join("content/posts/b.md")).unwrap();
    check("and back");

    // History rewritten: HEAD is no longer a descendant of the commit the cache walked from.
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let parent = head.parent(0).unwrap();
    git.reset(parent.as_object(), git2::ResetType::Soft, None).unwrap();
    repo.post("b.md", &post("Nyhet b", "En annan text."));
    commit("Ta bort d, en gång till");
    check("a rewritten history");

    // A damaged cache is walked again.
    let mut bytes = std::fs::read(&cache).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 1;
    std::fs::write(&cache, bytes).unwrap();
    check("a damaged cache");
}
