//! The commands as a person runs them: the real binary on real repositories.

use crate::common;

use std::io::Write;
use std::process::Stdio;

use common::{Repo, bin};

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = bin();
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    if let Some(input) = stdin {
        // A command that fails on its arguments exits without reading: a broken pipe is fine.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn build_writes_json_and_text_for_every_post_and_platform() {
    let repo = Repo::new("");
    repo.post(
        "a.md",
        "+++\ntitle = \"A\"\nplatforms = [\"mastodon\", \"bluesky\"]\n+++\n\nHej [länk](https://a.se/x).\n",
    );
    repo.post("sub/b.md", "+++\ntitle = \"B\"\nplatforms = [\"x\"]\n+++\n\nEtt.\n\n---\n\nTvå.\n");
    let root = repo.path().to_str().unwrap();
    let (code, _, err) = run(&["--root", root, "build"], None);
    assert_eq!(code, 0, "{err}");
    let dist = repo.path().join("dist/platforms");
    let mut files: Vec<String> = walkdir::WalkDir::new(&dist)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path().strip_prefix(&dist).unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["bluesky/a.json", "bluesky/a.txt", "mastodon/a.json", "mastodon/a.txt", "x/b.json", "x/b.txt"]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dist.join("bluesky/a.json")).unwrap()).unwrap();
    assert_eq!(json["post"], "a");
    assert_eq!(json["platform"], "bluesky");
    assert_eq!(json["limit"], 300);
    assert_eq!(json["max_bytes"], 3000);
    assert_eq!(json["parts"][0]["text"], "Hej länk (a.se/x).");
    assert_eq!(json["parts"][0]["facets"][0]["features"][0]["uri"], "https://a.se/x");
    assert_eq!(json["parts"][0]["length"], 18);
    let x: serde_json::Value = serde_json::from_slice(&std::fs::read(dist.join("x/b.json")).unwrap()).unwrap();
    assert_eq!(x["parts"].as_array().unwrap().len(), 2);
    let txt = std::fs::read_to_string(dist.join("x/b.txt")).unwrap();
    assert!(txt.contains("--- 1/2 ") && txt.contains("--- 2/2 "), "{txt}");

    // A post removed from the repository disappears from dist/ on the next build.
    std::fs::remove_file(repo.path().join("content/posts/sub/b.md")).unwrap();
    let (code, _, err) = run(&["--root", root, "build", "-q"], None);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "-q prints nothing: {err}");
    assert!(!dist.join("x/b.json").exists());
    assert!(dist.join("mastodon/a.json").exists());
}

#[test]
fn a_failed_build_leaves_the_previous_dist_untouched() {
    let repo = Repo::new("");
    repo.post("a.md", "+++\ntitle = \"A\"\n+++\n\nHej.\n");
    let root = repo.path().to_str().unwrap();
    assert_eq!(run(&["--root", root, "build"], None).0, 0);
    let snapshot = |dist: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dist)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
            .collect();
        files.sort();
        files
    };
    let dist = repo.path().join("dist");
    let before = snapshot(&dist);
    assert!(before.iter().any(|(p, _)| p.ends_with("platforms/x/a.json")));
    repo.post("a.md", "+++\ntitle = \"A\"\n+++\n\nÄndrad text.\n");
    repo.post("b.md", "+++\ntitle = \"B\"\ngoal = \"okänt\"\n+++\n\nHej.\n");
    let (code, _, err) = run(&["--root", root, "build"], None);
    assert_eq!(code, 2);
    assert!(err.contains("content/posts/b.md:3:8: unknown goal `okänt`"), "{err}");
    // Every file as it was, and nothing added (no half-written or temporary files).
    assert_eq!(snapshot(&dist), before);
}

/// A build into no `dist/` writes each file as soon as it is made; when it then fails, it
/// leaves no `dist/` behind, as it found none.
#[test]
fn a_failed_clean_build_leaves_no_dist() {
    let repo = Repo::new("");
    repo.post("a.md", "+++\ntitle = \"A\"\n+++\n\nHej.\n");
    repo.post("b.md", "+++\ntitle = \"B\"\n+++\n\nHej igen.\n");
    // One post's page fails as the archive renders it, after the others' files are made.
    let post = repo.path().join("themes/default/site/post.html");
    let template = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, format!("{{% if post.id == \"b\" %}}{{{{ post.saknas.helt }}}}{{% endif %}}\n{template}"))
        .unwrap();
    let root = repo.path().to_str().unwrap();
    let (code, _, err) = run(&["--root", root, "build"], None);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("post.html"), "{err}");
    assert!(!repo.path().join("dist").exists(), "no dist/ was there, and none is left");

    std::fs::write(&post, template).unwrap();
    let (code, _, err) = run(&["--root", root, "build"], None);
    assert_eq!(code, 0, "{err}");
    assert!(repo.path().join("dist/site/p/b/index.html").is_file());
    assert!(repo.path().join("dist/platforms/x/b.json").is_file());
}

#[test]
fn count_reads_standard_input() {
    let (code, out, _) = run(&["count", "--platform", "x"], Some("Hej 👋 https://www.exempelstad.se/snorojning\n"));
    assert_eq!(code, 0);
    // "Hej " 4 + emoji 2 + " " 1 + URL 23 = 30
    assert_eq!(out.trim(), "30/280");
    let (code, out, _) = run(&["count", "--platform", "bluesky", "--json"], Some("å👨‍👩‍👧‍👦"));
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["length"], 2);
    assert_eq!(json["bytes"], 2 + 25);
    assert_eq!(json["over_limit"], false);
    let long = "a".repeat(501);
    let (code, out, _) = run(&["count", "--platform", "mastodon"], Some(&long));
    assert_eq!(code, 1);
    assert!(out.contains("501/500 over the limit"), "{out}");
    let (code, _, err) = run(&["count", "--platform", "myspace"], Some("x"));
    assert_eq!(code, 2);
    assert!(err.contains("unknown platform `myspace`"), "{err}");
}

#[test]
fn preview_shows_every_platform_with_length_and_marks_over_limit() {
    let repo = Repo::new("");
    let long = "Ord ".repeat(90);
    repo.post("p.md", &format!("+++\ntitle = \"P\"\n[platform.instagram]\nskip = true\n+++\n\n{long}\n"));
    let (code, out, err) = run(&["--root", repo.path().to_str().unwrap(), "preview", "p"], None);
    assert_eq!(code, 0, "{err}");
    for name in ["Mastodon", "Bluesky", "X", "Facebook", "LinkedIn", "Threads"] {
        assert!(out.contains(&format!("── {name} ──")), "{name} missing in {out}");
    }
    assert!(!out.contains("Instagram"));
    assert!(out.contains("[1/2]"), "Bluesky splits 360 characters: {out}");
    assert!(!out.contains("OVER LIMIT"));

    // A single word longer than the limit cannot be split: it is marked.
    repo.post("q.md", &format!("+++\ntitle = \"Q\"\nplatforms = [\"bluesky\"]\n+++\n\n{}\n", "å".repeat(301)));
    let (code, out, _) = run(&["--root", repo.path().to_str().unwrap(), "preview", "content/posts/q.md"], None);
    assert_eq!(code, 1);
    assert!(out.contains("301/300") && out.contains("OVER LIMIT"), "{out}");
    let (code, _, err) = run(&["--root", repo.path().to_str().unwrap(), "preview", "pp"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no post `pp`; did you mean `p`?"), "{err}");
}

#[test]
fn new_writes_a_loadable_post_with_a_swedish_slug() {
    let repo = Repo::new("");
    let root = repo.path().to_str().unwrap();
    let (code, out, err) =
        run(&["--root", root, "new", "Öppettider på Ärlinghems bibliotek", "--date", "2026-12-20T10:00:00"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().ends_with("content/posts/oppettider-pa-arlinghems-bibliotek.md"), "{out}");
    let text =
        std::fs::read_to_string(repo.path().join("content/posts/oppettider-pa-arlinghems-bibliotek.md")).unwrap();
    assert!(text.contains("title = \"Öppettider på Ärlinghems bibliotek\""));
    assert!(text.contains("goal = \"info\""));
    assert!(text.contains("audiences = [\"alla\"]"));
    assert!(text.contains("date = 2026-12-20T10:00:00"));
    let project = repo.load();
    assert_eq!(project.posts.len(), 1);
    // The same title again would overwrite: refused.
    let (code, _, err) = run(&["--root", root, "new", "Öppettider på Ärlinghems bibliotek"], None);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, _) = run(&["--root", root, "new", "Kris", "--kind", "crisis"], None);
    assert_eq!(code, 0);
    let (code, _, err) = run(&["--root", root, "new", "X", "--kind", "nyhet"], None);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn init_scaffolds_a_repository_that_builds_and_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ny-kommun");
    let (code, _, err) = run(&["init", dir.to_str().unwrap(), "--name", "Nya kommunen"], None);
    assert_eq!(code, 0, "{err}");
    for f in [
        "strategy.toml",
        ".gitignore",
        ".github/workflows/budkavle.yml",
        ".gitlab-ci.yml",
        "themes/default/platforms/mastodon.tera",
        "themes/default/platforms/threads.tera",
        "content/posts/valkommen-till-vara-nya-kanaler.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let workflow = std::fs::read_to_string(dir.join(".github/workflows/budkavle.yml")).unwrap();
    assert!(workflow.contains("budkavle check --format github") && workflow.contains("budkavle build"));
    assert!(std::fs::read_to_string(dir.join(".gitlab-ci.yml")).unwrap().contains("--format gitlab"));
    assert!(std::fs::read_to_string(dir.join("strategy.toml")).unwrap().contains("name = \"Nya kommunen\""));
    publishing_workflows_are_valid(&dir);
    let root = dir.to_str().unwrap();
    let (code, _, err) = run(&["--root", root, "build"], None);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["--root", root, "check"], None);
    assert_eq!(code, 0, "{out}{err}");
    // Never over an existing repository.
    let (code, _, err) = run(&["init", root], None);
    assert_eq!(code, 2);
    assert!(err.contains("already has a strategy.toml"), "{err}");
}

/// `init` makes a git repository with a first commit (the tool is built on git), files others
/// and CI can read, and leaves git alone inside a repository or with `--no-git`.
#[test]
fn init_makes_a_git_repository_with_readable_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kommun");
    let (code, _, err) = run(&["init", dir.to_str().unwrap(), "--name", "Nya kommunen"], None);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("budkavle --root") && err.contains("new \"") && err.contains("check"), "next steps: {err}");
    let repo = git2::Repository::open(&dir).expect("a git repository");
    let head = repo.head().unwrap();
    assert_eq!(head.shorthand().ok(), Some("main"));
    let commit = head.peel_to_commit().unwrap();
    assert!(commit.message().unwrap().contains("Nya kommunen"));
    let tree = commit.tree().unwrap();
    for f in [
        "strategy.toml",
        ".gitignore",
        ".github/workflows/budkavle-publish.yml",
        "content/posts/valkommen-till-vara-nya-kanaler.md",
    ] {
        assert!(tree.get_path(std::path::Path::new(f)).is_ok(), "{f} not committed");
        let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "{f} is {mode:o}: others and CI must read it");
    }
    assert!(repo.statuses(None).unwrap().is_empty(), "everything init wrote is committed");
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignore.contains("/dist") && ignore.contains("*.sqlite"), "{ignore}");
    // The lock files of publish and metrics pull are never committed.
    for lock in ["ledger/.lock", "metrics/.lock"] {
        assert!(repo.is_path_ignored(lock).unwrap(), "{lock} is not ignored: {ignore}");
    }

    // Inside a repository, git is left alone.
    let inner = dir.join("annan");
    let (code, _, err) = run(&["init", inner.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(!inner.join(".git").exists() && err.contains("already there"), "{err}");
    // And with --no-git, none is made.
    let plain = tmp.path().join("utan-git");
    let (code, _, err) = run(&["init", plain.to_str().unwrap(), "--no-git"], None);
    assert_eq!(code, 0, "{err}");
    assert!(!plain.join(".git").exists());
}

#[test]
fn check_reports_limits_in_every_format() {
    let repo = Repo::new("");
    repo.post("ok.md", "+++\ntitle = \"OK\"\n[platform.instagram]\nskip = true\n+++\n\nKort.\n");
    repo.post(
        "lang.md",
        &format!("+++\ntitle = \"Lång\"\nplatforms = [\"instagram\"]\n+++\n\n{}\n", "Ord ".repeat(600)),
    );
    let root = repo.path().to_str().unwrap();
    let (code, out, _) = run(&["--root", root, "check"], None);
    assert_eq!(code, 1);
    assert!(
        out.contains("content/posts/lang.md:6:1: error: Instagram is 2415 characters, 215 over the limit of 2200"),
        "{out}"
    );
    assert!(out.contains("Instagram needs an image"), "{out}");
    assert!(out.contains("  | Ord Ord"), "source line quoted: {out}");

    let (_, out, _) = run(&["--root", root, "check", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["file"], "content/posts/lang.md");
    assert_eq!(f["platform"], "instagram");
    assert_eq!(f["level"], "error");

    let (_, out, _) = run(&["--root", root, "check", "--format", "github"], None);
    assert!(out.lines().any(|l| l.starts_with("::error file=content/posts/lang.md,line=6,col=1,")), "{out}");

    let (_, out, _) = run(&["--root", root, "check", "--format", "gitlab"], None);
    let gl: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(gl[0]["location"]["path"], "content/posts/lang.md");
    assert_eq!(gl[0]["location"]["lines"]["begin"], 6);
    assert_eq!(gl[0]["fingerprint"].as_str().unwrap().len(), 64);

    // `ignore` in the post silences a rule.
    repo.post("lang.md", &format!("+++\ntitle = \"Lång\"\nplatforms = [\"instagram\"]\nignore = [\"limits.length\", \"limits.media.required\"]\n+++\n\n{}\n", "Ord ".repeat(600)));
    let (code, out, _) = run(&["--root", root, "check"], None);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn help_is_everywhere() {
    for cmd in ["build", "check", "count", "preview", "new", "init"] {
        let (code, out, _) = run(&[cmd, "--help"], None);
        assert_eq!(code, 0);
        assert!(out.contains("--root"), "{cmd} --help: {out}");
    }
}

#[test]
fn build_only_one_part() {
    let repo = Repo::new("");
    repo.post("a.md", "+++\ntitle = \"A\"\n+++\n\nHej.\n");
    let root = repo.path().to_str().unwrap();
    let (code, _, err) = run(&["--root", root, "build", "--only", "platforms"], None);
    assert_eq!(code, 0, "{err}");
    assert!(repo.path().join("dist/platforms/x/a.json").is_file());
    assert!(!repo.path().join("dist/site").exists(), "{err}");
    let (code, _, err) = run(&["--root", root, "build", "--only", "site"], None);
    assert_eq!(code, 0, "{err}");
    assert!(repo.path().join("dist/site/p/a/index.html").is_file(), "{err}");
    // The platforms written before are left as they were.
    assert!(repo.path().join("dist/platforms/x/a.json").is_file());
}

/// The publishing workflows `init` writes: valid YAML, one publisher at a time, secrets from a
/// protected environment under exactly the names strategy.toml gives, the ledger pushed.
fn publishing_workflows_are_valid(dir: &std::path::Path) {
    let yaml = |rel: &str| -> serde_norway::Value {
        let text = std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
    };
    let gh = yaml(".github/workflows/budkavle-publish.yml");
    assert_eq!(gh["concurrency"]["group"].as_str(), Some("budkavle-publish"));
    assert_eq!(gh["concurrency"]["cancel-in-progress"].as_bool(), Some(false));
    assert_eq!(gh["on"]["schedule"][0]["cron"].as_str(), Some("*/10 * * * *"));
    assert_eq!(gh["on"]["push"]["branches"][0].as_str(), Some("main"));
    let job = &gh["jobs"]["publish"];
    assert!(job["environment"].as_str().is_some(), "secrets come from an environment");
    let steps = job["steps"].as_sequence().unwrap();
    let publish = steps.iter().find(|s| s["run"].as_str().is_some_and(|r| r.contains("budkavle publish"))).unwrap();
    let strategy = std::fs::read_to_string(dir.join("strategy.toml")).unwrap();
    let env = publish["env"].as_mapping().unwrap();
    for (name, _) in env {
        let name = name.as_str().unwrap();
        assert!(strategy.contains(&format!("= \"{name}\"")), "{name} is not an *_env name in strategy.toml");
    }
    assert!(steps.iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("git push"))), "the ledger is pushed");

    let gl = yaml(".gitlab-ci.yml");
    assert_eq!(gl["include"][0]["local"].as_str(), Some(".gitlab/budkavle-publish.yml"));
    let gl = yaml(".gitlab/budkavle-publish.yml");
    let job = &gl["budkavle-publish"];
    assert_eq!(job["resource_group"].as_str(), Some("budkavle-publish"));
    let script: Vec<&str> = job["script"].as_sequence().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert!(script.iter().any(|l| l.starts_with("budkavle publish")) && script.iter().any(|l| l.contains("git push")));
}

/// The output policy of `src/cmd/`: a reader that has gone away ends the command quietly with
/// exit 0 (`budkavle rules | head -1`), never a panic.
#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let repo = Repo::new("");
    for args in [&["rules"][..], &["check", "--format", "json"], &["plan", "--format", "json"], &["log", "a"]] {
        if args == ["log", "a"] {
            repo.post("a.md", "+++\ntitle = \"A\"\ngoal = \"info\"\naudiences = [\"alla\"]\n+++\nText.\n");
        }
        let mut child = bin()
            .arg("--root")
            .arg(repo.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the reading end before the command writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{args:?}: {stderr}");
    }
}

/// Any other failed write is an error: standard output on a full disk.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_standard_output_is_an_error() {
    let repo = Repo::new("");
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = bin().arg("--root").arg(repo.path()).arg("rules").stdout(full).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write standard output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A post that names no platforms goes wherever it fits: without an image it skips Instagram,
/// and `check`, `preview` and `publish --dry-run` say so instead of failing the post. Naming
/// Instagram keeps the requirement an error.
#[test]
fn a_text_post_without_platforms_skips_instagram_with_a_note() {
    let repo = Repo::new("");
    repo.post("text.md", "+++\ntitle = \"Text\"\ngoal = \"info\"\naudiences = [\"alla\"]\n+++\n\nVi plogar i natt.\n");
    let root = repo.path().to_str().unwrap();
    let (code, out, err) = run(&["--root", root, "check"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("note: content/posts/text.md: no image: not for Instagram"), "{err}");
    assert!(!out.contains("Instagram"), "a note, not a finding: {out}");
    let (code, out, err) = run(&["--root", root, "preview", "text"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("── Mastodon ──") && !out.contains("── Instagram ──\n"), "{out}");
    assert!(out.contains("no image: not for Instagram"), "{out}");
    let (code, out, err) = run(&["--root", root, "publish", "--dry-run"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no image: not for Instagram (1 post: text)"), "{out}");
    let (code, _, err) = run(&["--root", root, "build", "--only", "platforms"], None);
    assert_eq!(code, 0, "{err}");
    assert!(repo.path().join("dist/platforms/mastodon/text.json").is_file());
    assert!(!repo.path().join("dist/platforms/instagram/text.json").exists());

    repo.post("text.md", "+++\ntitle = \"Text\"\nplatforms = [\"instagram\", \"x\"]\n+++\n\nVi plogar i natt.\n");
    let (code, out, _) = run(&["--root", root, "check"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Instagram needs an image"), "{out}");
}

/// A post `new` wrote and nobody filled in is an error, with what to do.
#[test]
fn check_refuses_the_placeholder_of_new() {
    let repo = Repo::new("");
    let root = repo.path().to_str().unwrap();
    let (code, out, err) = run(&["--root", root, "new", "Snöröjning i natt", "--date", "2027-01-10T09:00:00"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim_end().ends_with("snorojning-i-natt.md"), "{out}");
    let (code, out, _) = run(&["--root", root, "check"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("placeholder from `budkavle new` is still here") && out.contains("post.placeholder"), "{out}");
    let path = repo.path().join("content/posts/snorojning-i-natt.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|l| l.starts_with("Skriv inlägget här")).unwrap() + 1;
    assert!(out.contains(&format!("snorojning-i-natt.md:{line}:1: error")), "{out}");
    std::fs::write(&path, text.replace(budkavle::post::PLACEHOLDERS[0], "Vi plogar i natt.")).unwrap();
    let (_, out, _) = run(&["--root", root, "check"], None);
    assert!(!out.contains("post.placeholder"), "{out}");
}
