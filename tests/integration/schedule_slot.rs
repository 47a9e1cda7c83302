//! `budkavle new` proposes the next free slot: a weekday working hour that keeps every
//! platform's cadence and no blackout, and says why it passed over earlier ones.

use crate::common::{Repo, bin};

const CADENCE: &str = r#"
[platforms.mastodon.cadence]
min_gap = "3h"
max_per_day = 2

[[blackout.periods]]
start = 2027-01-11T00:00:00
end = 2027-01-11T23:59:00
reason = "Valdag: bara kriskommunikation."
"#;

fn now(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn post(date: &str) -> String {
    format!("+++\ntitle = \"P\"\ndate = {date}\ngoal = \"info\"\naudiences = [\"alla\"]\n+++\n\nText.\n")
}

#[test]
fn the_next_free_slot_keeps_cadence_and_blackouts() {
    let repo = Repo::new(CADENCE);
    // Friday 8 January 2027 (Stockholm): 09:00 and 13:00 are taken, so min_gap 3h also rules
    // out 11:00, and max_per_day 2 rules out 15:00; Monday 11th is a blackout.
    repo.post("a.md", &post("2027-01-08T09:00:00"));
    repo.post("b.md", &post("2027-01-08T13:00:00"));
    let project = budkavle::Project::load(repo.path()).unwrap();
    let platforms = [budkavle::PlatformId::Mastodon, budkavle::PlatformId::X];
    let p = budkavle::schedule::next_free(&project, &platforms, now("2027-01-07T17:00:00Z")).expect("a slot");
    let local = p.at.to_zoned_datetime(project.strategy.timezone.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    assert_eq!(local, "2027-01-12 09:00", "{p:?}");
    assert!(p.passed[0].starts_with("2027-01-08 09:00: within min_gap 3h of `a` on Mastodon"), "{:?}", p.passed);
    assert!(p.passed[1].contains("`a`") || p.passed[1].contains("`b`"), "{:?}", p.passed);
    // X has no cadence: on X alone the Friday morning is free.
    let p = budkavle::schedule::next_free(&project, &[budkavle::PlatformId::X], now("2027-01-07T17:00:00Z")).unwrap();
    assert!(p.passed.is_empty());
    assert_eq!(p.at, now("2027-01-08T08:00:00Z"));
    // The blackout is said when it is what passes a day over.
    let p = budkavle::schedule::next_free(&project, &[budkavle::PlatformId::X], now("2027-01-10T20:00:00Z")).unwrap();
    assert!(p.passed[0].contains("blackout (Valdag"), "{:?}", p.passed);
    assert_eq!(p.at, now("2027-01-12T08:00:00Z"));
}

#[test]
fn two_new_posts_in_a_row_do_not_collide() {
    let repo = Repo::new(CADENCE);
    let root = repo.path().to_str().unwrap();
    let mut dates = Vec::new();
    for title in ["Första nyheten", "Andra nyheten"] {
        let out = bin().args(["--root", root, "new", title]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(err.contains("date ") && err.contains("--date sets another"), "{err}");
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let date = text.lines().find(|l| l.starts_with("date = ")).unwrap().to_string();
        dates.push(date);
        // Fill in the placeholder so check judges only the timing.
        std::fs::write(&path, text.replace(budkavle::post::PLACEHOLDERS[0], "Vi plogar i natt.")).unwrap();
    }
    assert_ne!(dates[0], dates[1]);
    let out = bin().args(["--root", root, "check", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(
        !rules.iter().any(|r| r.starts_with("strategy.collision") || r.starts_with("strategy.cadence")),
        "{rules:?}"
    );
    // --date still wins.
    let out = bin().args(["--root", root, "new", "Tredje", "--date", "2027-03-01T10:00:00"]).output().unwrap();
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(std::fs::read_to_string(path).unwrap().contains("date = 2027-03-01T10:00:00"));
}
