//! `budkavle inbox` on a temporary repository with a temporary store: import (idempotent, all
//! or nothing), the queue by due time, actions, supervision, export, weeding, the store's file
//! mode and its refusal to live inside the repository, two processes at once.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{Repo, bin};

const INTERACTION: &str = r#"
[interaction]
response_time = "4h"
office_hours = "mån–fre 08:00–16:30"
keep = "1y"
"#;

struct Inbox {
    repo: Repo,
    data: tempfile::TempDir,
}

impl Inbox {
    fn new(extra: &str) -> Inbox {
        Inbox { repo: Repo::new(extra), data: tempfile::tempdir().unwrap() }
    }

    fn store(&self) -> PathBuf {
        self.data.path().join("store/inbox.sqlite3")
    }

    fn run(&self, args: &[&str], now: &str) -> Output {
        bin()
            .arg("--root")
            .arg(self.repo.path())
            .arg("inbox")
            .args(args)
            .env("BUDKAVLE_INBOX_STORE", self.store())
            .env("BUDKAVLE_NOW", now)
            .env("BUDKAVLE_ACTOR", "Kim Kommunikatör")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str], now: &str) -> String {
        let out = self.run(args, now);
        assert!(
            out.status.success(),
            "{args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap()
    }

    fn queue(&self, now: &str) -> serde_json::Value {
        let out = self.run(&["--format", "json", "--all"], now);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn file(&self, name: &str, lines: &[&str]) -> PathBuf {
        let p = self.data.path().join(name);
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        p
    }
}

fn line(platform: &str, id: &str, text: &str, at: &str) -> String {
    serde_json::json!({"platform": platform, "id": id, "author": "Anna Andersson", "text": text, "at": at}).to_string()
}

const NOW: &str = "2026-12-04T15:00:00Z"; // Friday 16:00 in Stockholm

#[test]
fn import_is_idempotent_and_the_queue_is_by_due_time() {
    let t = Inbox::new(INTERACTION);
    let a = line("facebook", "1", "När plogar ni Björkvägen?", "2026-12-04T14:30:00Z"); // Fri 15:30
    let b = line("mastodon", "2", "Tack för snabbt svar!", "2026-12-04T07:00:00Z"); // Fri 08:00
    let c = line("x", "3", "Ring mig på 070-123 45 67", "2026-12-05T10:00:00Z"); // Saturday
    let file = t.file("in.jsonl", &[&a, &b, &c]);
    let said = t.ok(&["import", file.to_str().unwrap()], NOW);
    assert!(said.contains("imported 3 new items and 0 new versions"), "{said}");
    let said = t.ok(&["import", file.to_str().unwrap()], NOW);
    assert!(said.contains("0 new items and 0 new versions") && said.contains("3 unchanged"), "{said}");

    let q = t.queue("2026-12-07T09:00:00Z"); // Monday 10:00
    let items = q["items"].as_array().unwrap();
    let order: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    // b: Fri 08:00 + 4h = Fri 12:00 (overdue); a: Fri 15:30 + 1h Fri + 3h Mon = Mon 11:00;
    // c: Saturday → Monday 08:00 + 4h = 12:00.
    assert_eq!(order, ["2", "1", "3"]);
    assert_eq!(items[0]["due"], "2026-12-04T11:00:00Z");
    assert_eq!(items[1]["due"], "2026-12-07T10:00:00Z");
    assert_eq!(items[2]["due"], "2026-12-07T11:00:00Z");
    assert_eq!(items.iter().map(|i| i["overdue"].as_bool().unwrap()).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(q["open"], 3);
    assert_eq!(q["overdue"], 1);
    assert_eq!(items[0]["kinds"][0]["kind"], "praise");
    assert_eq!(items[1]["kinds"][0]["kind"], "question");
    assert_eq!(items[2]["kinds"][0]["rule"], "privacy.phone");

    // An edit is a new version; the first stays.
    let edited = line("facebook", "1", "När plogar ni Björkvägen? Det är tredje dagen nu.", "2026-12-04T14:40:00Z");
    let said = t.ok(&["import", t.file("edit.jsonl", &[&edited]).to_str().unwrap()], NOW);
    assert!(said.contains("0 new items and 1 new versions"), "{said}");
    let out = t.run(&["show", "facebook:1"], NOW);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let texts: Vec<&str> = shown["versions"].as_array().unwrap().iter().map(|v| v["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["När plogar ni Björkvägen?", "När plogar ni Björkvägen? Det är tredje dagen nu."]);
    assert_eq!(shown["kinds"][1]["kind"], "criticism", "{shown}");

    // The text listing marks what is overdue.
    let text = t.ok(&[], "2026-12-07T09:00:00Z");
    assert!(text.lines().next().unwrap().contains("OVERDUE"), "{text}");
}

#[test]
fn a_bad_line_leaves_the_store_unchanged() {
    let t = Inbox::new(INTERACTION);
    let good = line("facebook", "1", "Hej", "2026-12-04T09:00:00Z");
    t.ok(&["import", t.file("first.jsonl", &[&good]).to_str().unwrap()], NOW);
    let before = t.queue(NOW);
    let new = line("facebook", "2", "Ny", "2026-12-04T09:00:00Z");
    let edit = line("facebook", "1", "Hej igen", "2026-12-04T09:05:00Z");
    let bad = r#"{"platform": "facebook", "id": "3", "author": "B", "text": "x", "at": "igår"}"#;
    let file = t.file("bad.jsonl", &[&new, &edit, bad]);
    let out = t.run(&["import", file.to_str().unwrap()], NOW);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:3:1: \"at\": `igår` is not a time with an offset"), "{err}");
    assert!(err.contains("hint: write RFC 3339"), "{err}");
    assert_eq!(t.queue(NOW), before);
}

#[cfg(unix)]
#[test]
fn the_store_is_private_and_never_inside_the_repository() {
    use std::os::unix::fs::PermissionsExt;
    let t = Inbox::new(INTERACTION);
    t.ok(&["import", t.file("a.jsonl", &[&line("x", "1", "Hej", "2026-12-04T09:00:00Z")]).to_str().unwrap()], NOW);
    let mode = std::fs::metadata(t.store()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // In strategy.toml: a diagnostic at the line, for every command.
    let inside = Repo::new("[interaction]\nstore = \"data/inbox.sqlite3\"\n");
    let out = bin().arg("--root").arg(inside.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("strategy.toml:") && err.contains("`store` is inside the repository"), "{err}");
    assert!(!inside.path().join("data").exists());

    // By the environment, `..` or not.
    let t2 = Inbox::new(INTERACTION);
    let sneaky = t2.repo.path().join("content/../dist/inbox.sqlite3");
    let out =
        bin().arg("--root").arg(t2.repo.path()).args(["inbox"]).env("BUDKAVLE_INBOX_STORE", &sneaky).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is inside the repository"));
    assert!(!t2.repo.path().join("dist").exists());
}

#[test]
fn resolve_hold_review_and_weed_are_logged() {
    let t = Inbox::new(INTERACTION);
    let old = line("facebook", "old", "Gammal fråga?", "2025-06-02T09:00:00Z");
    let held = line("facebook", "held", "Gammal men under utredning", "2025-06-02T09:00:00Z");
    let new = line("facebook", "new", "Min pnr är 19121212-1212, =HYPERLINK(\"x\")", "2026-12-03T09:00:00Z");
    t.ok(&["import", t.file("a.jsonl", &[&old, &held, &new]).to_str().unwrap()], NOW);

    t.ok(&["resolve", "facebook:old", "--note", "Besvarad per telefon"], NOW);
    let again = t.run(&["resolve", "facebook:old", "--note", "igen"], NOW);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already resolved (by Kim Kommunikatör"));
    t.ok(&["hold", "facebook:held", "--note", "Begäran 2026/17"], NOW);
    assert_eq!(t.queue(NOW)["open"], 2);

    // Supervision: never reviewed → warned; reviewed now → quiet; a working day later → warned.
    assert!(t.ok(&[], NOW).contains("warning: facebook has never been reviewed"));
    t.ok(&["reviewed", "facebook"], "2026-12-04T08:00:00Z"); // Fri 09:00
    assert!(!t.ok(&[], "2026-12-07T07:59:00Z").contains("warning: facebook")); // Mon 08:59
    let late = t.ok(&[], "2026-12-07T08:01:00Z");
    assert!(late.contains("warning: facebook was last reviewed 2026-12-04 09:00 by Kim Kommunikatör"), "{late}");

    // Export: masked identity numbers, formulas defused, the log with who and why.
    let out = t.run(&["export", "--from", "2025-01-01", "--to", "2026-12-31", "--format", "csv"], NOW);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(!csv.contains("1212-1212") && csv.contains("••••••••-••••"), "{csv}");
    assert!(csv.contains("resolve by Kim Kommunikatör: Besvarad per telefon"), "{csv}");
    let out = t.run(&["export", "--from", "2026-12-03", "--to", "2026-12-03", "--format", "json"], NOW);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    let html = String::from_utf8(
        t.run(&["export", "--from", "2026-12-03", "--to", "2026-12-03", "--format", "html"], NOW).stdout,
    )
    .unwrap();
    assert!(html.contains("=HYPERLINK(&quot;x&quot;)") && !html.contains("1212-1212"), "{html}");

    // Weed: keep = 1y deletes the old item, keeps the held one and the new one.
    let said = t.ok(&["weed"], NOW);
    assert!(said.contains("deleted 1 items; kept 1 older items on legal hold"), "{said}");
    let all = t.run(&["export", "--from", "2025-01-01", "--to", "2026-12-31"], NOW);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["held", "new"]);
    let gone = t.run(&["show", "facebook:old"], NOW);
    assert_eq!(gone.status.code(), Some(2));
}

#[test]
fn weed_without_a_retention_deletes_nothing() {
    let t = Inbox::new("[interaction]\nresponse_time = \"1d\"\n");
    t.ok(&["import", t.file("a.jsonl", &[&line("x", "1", "Hej", "2020-01-02T09:00:00Z")]).to_str().unwrap()], NOW);
    assert!(t.ok(&["weed"], NOW).contains("no retention is set"));
    assert_eq!(t.queue(NOW)["open"], 1);
}

#[test]
fn two_processes_import_at_once() {
    let t = Inbox::new(INTERACTION);
    // Create the store first, as a running `serve` would have.
    t.ok(&["path"], NOW);
    let files: Vec<PathBuf> = (0..2)
        .map(|p| {
            let lines: Vec<String> =
                (0..300).map(|i| line("facebook", &format!("{p}-{i}"), "Hej?", "2026-12-04T09:00:00Z")).collect();
            t.file(&format!("{p}.jsonl"), &lines.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let children: Vec<std::process::Child> = files
        .iter()
        .map(|f| {
            bin()
                .arg("--root")
                .arg(t.repo.path())
                .args(["inbox", "import"])
                .arg(f)
                .env("BUDKAVLE_INBOX_STORE", t.store())
                .env("BUDKAVLE_ACTOR", "A")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(t.queue(NOW)["open"], 600);
}

#[test]
fn bad_office_hours_fail_at_their_line() {
    let repo = Repo::new("[interaction]\nresponse_time = \"4h\"\noffice_hours = \"mån–fro 08:00–16:30\"\n");
    let out = bin().arg("--root").arg(repo.path()).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = repo_line(repo.path(), "office_hours");
    assert!(err.contains(&format!("strategy.toml:{line}:")) && err.contains("`fro` is not a day of the week"), "{err}");
    assert!(err.contains("hint: use Swedish or English day names"), "{err}");
}

fn repo_line(root: &Path, key: &str) -> usize {
    let text = std::fs::read_to_string(root.join("strategy.toml")).unwrap();
    text.lines().position(|l| l.starts_with(key)).unwrap() + 1
}
