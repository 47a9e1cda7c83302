//! The duties of lagen (1998:112) om ansvar för elektroniska anslagstavlor that are not a
//! single reply: supervision (§4: `doctor` warns when an account's comments were not reviewed
//! within `supervise_every`, and never creates the inbox store to say so) and the comment
//! policy on the archive's about page (§3: who runs the accounts, the rules, what is removed,
//! and how long comments are kept).

use std::process::Output;

use serde_json::Value;

use crate::common::{Repo, bin};

const INTERACTION: &str = r#"
[interaction]
response_time = "4h"
office_hours = "mån–fre 08:00–16:30"
supervise_every = "1d"
keep = "2y"
guidelines = "Håll god ton och håll dig till ämnet."
"#;

fn run(repo: &Repo, store: &std::path::Path, args: &[&str]) -> Output {
    bin()
        .arg("--root")
        .arg(repo.path())
        .args(args)
        .env("BUDKAVLE_INBOX_STORE", store)
        .env("BUDKAVLE_ACTOR", "Kim Kommunikatör")
        .env_remove("BUDKAVLE_NOW")
        .output()
        .unwrap()
}

fn doctor(repo: &Repo, store: &std::path::Path, now: &str, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["doctor", "--platform", "mastodon", "--platform", "x", "--now", now];
    args.extend_from_slice(extra);
    let json = run(repo, store, &[&args[..], &["--format", "json"]].concat());
    let report: Value = serde_json::from_slice(&json.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&json.stderr)));
    (run(repo, store, &args), report)
}

fn overdue(report: &Value) -> Vec<&str> {
    report["supervision"].as_array().unwrap().iter().map(|s| s["platform"].as_str().unwrap()).collect()
}

#[test]
fn doctor_warns_when_an_account_was_not_reviewed_and_never_creates_the_store() {
    let repo = Repo::new(INTERACTION);
    let data = tempfile::tempdir().unwrap();
    let store = data.path().join("inbox/inbox.sqlite3");

    let (_, report) = doctor(&repo, &store, "2026-12-01T09:00:00Z", &[]);
    assert!(overdue(&report).is_empty(), "{report:#}");
    assert!(!store.exists(), "doctor created the inbox store");

    // Tuesday 1 December, 10:00 in Stockholm: Mastodon's comments are looked through.
    let out = run(&repo, &store, &["inbox", "reviewed", "mastodon", "--now", "2026-12-01T09:00:00Z"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The same afternoon: Mastodon is fine, X has never been reviewed.
    let (text, report) = doctor(&repo, &store, "2026-12-01T14:00:00Z", &[]);
    assert_eq!(overdue(&report), ["x"], "{report:#}");
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(said.contains("x's comments have never been reviewed"), "{said}");
    assert!(!said.contains("mastodon's comments"), "{said}");

    // Thursday: one working day has passed since Tuesday's review.
    let (text, report) = doctor(&repo, &store, "2026-12-03T09:30:00Z", &[]);
    assert_eq!(overdue(&report), ["mastodon", "x"], "{report:#}");
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(said.contains("mastodon's comments were last reviewed 2026-12-01 10:00 by Kim Kommunikatör"), "{said}");
    assert!(said.contains("budkavle inbox reviewed mastodon"), "{said}");
    // Not a failure of the run, except when asked to be strict.
    assert!(text.status.success(), "{said}");
    let (strict, _) = doctor(&repo, &store, "2026-12-03T09:30:00Z", &["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn the_about_page_shows_the_comment_policy() {
    let repo = Repo::new(INTERACTION);
    let out = tempfile::tempdir().unwrap();
    let built = bin()
        .arg("--root")
        .arg(repo.path())
        .args(["build", "--only", "site", "-q", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let about = std::fs::read_to_string(out.path().join("site/om/index.html")).unwrap();
    let policy = &about[about.find("id=\"kommentarspolicy\"").expect("a comment policy section")..];
    let policy = &policy[..policy.find("</section>").unwrap()];
    for needle in [
        "Kommentarer på våra konton",
        "Kontona drivs av Testby kommun",
        "Håll god ton och håll dig till ämnet.",
        "hets mot folkgrupp",
        "olaga hot",
        "5 § lagen (1998:112)",
        "allmän handling",
        "i 2 år enligt vårt beslut om gallring",
        "personnummer",
    ] {
        assert!(policy.contains(needle), "{needle:?} missing from {policy}");
    }

    // Without a gallring decision the page says comments are kept.
    let repo = Repo::new(&INTERACTION.replace("keep = \"2y\"\n", ""));
    let built = bin()
        .arg("--root")
        .arg(repo.path())
        .args(["build", "--only", "site", "-q", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let about = std::fs::read_to_string(out.path().join("site/om/index.html")).unwrap();
    assert!(about.contains("inget beslut om att gallra"), "{about}");
}

#[test]
fn a_bad_template_fails_at_its_line() {
    let repo = Repo::new(&format!(
        "{INTERACTION}[interaction.templates]\ntack = \"Tack!\"\n\"Fel Namn\" = \"Hej\"\ntom = \"  \"\n"
    ));
    let data = tempfile::tempdir().unwrap();
    let out = run(&repo, &data.path().join("s.sqlite3"), &["check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let text = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(
        err.contains(&format!("strategy.toml:{}", line("\"Fel Namn\""))) && err.contains("not a simple name"),
        "{err}"
    );
    assert!(
        err.contains(&format!("strategy.toml:{}", line("tom ="))) && err.contains("template `tom` is empty"),
        "{err}"
    );
}
