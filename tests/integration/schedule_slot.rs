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

/// With metrics (issue 13), the best weekday × hour of a platform wins over the earliest free
/// hour, within two weeks and still keeping cadence and blackouts; `new` and `plan` say so.
#[test]
fn the_best_slots_in_the_metrics_are_preferred() {
    let repo = Repo::new(CADENCE);
    let post = |name: &str, date: &str| {
        repo.post(
            &format!("{name}.md"),
            &format!(
                "+++\ntitle = \"{name}\"\ndate = {date}\nplatforms = [\"facebook\"]\ngoal = \"info\"\n+++\n\nText.\n"
            ),
        );
    };
    // December 2026, Stockholm: Monday 09:00 did worst, Thursday 13:00 best, Tuesday 11:00 between.
    post("mon", "2026-12-07T09:00:00");
    post("tue", "2026-12-08T11:00:00");
    post("thu", "2026-12-10T13:00:00");
    let line = |post: &str, likes: u32| {
        format!(
            "{{\"at\":\"2026-12-12T08:00:00Z\",\"post\":\"{post}\",\"platform\":\"facebook\",\"reach\":1000,\"likes\":{likes}}}\n"
        )
    };
    repo.file("metrics/2026-12.jsonl", [line("mon", 5), line("tue", 20), line("thu", 60)].concat().as_bytes());
    let project = budkavle::Project::load(repo.path()).unwrap();
    let metrics = budkavle::metrics::Metrics::read(repo.path()).unwrap();
    let preferred = budkavle::report::best_slots(&project, &metrics);
    use jiff::civil::Weekday::*;
    assert_eq!(
        preferred.get(&budkavle::PlatformId::Facebook).unwrap(),
        &vec![(Thursday, 13), (Tuesday, 11), (Monday, 9)]
    );
    let fb = [budkavle::PlatformId::Facebook];
    // Monday 4 January 2027, 07:00 UTC: without metrics 09:00 that Monday; with them Thursday 13:00.
    let at = now("2027-01-04T07:00:00Z");
    assert_eq!(budkavle::schedule::next_free(&project, &fb, at).unwrap().at, now("2027-01-04T08:00:00Z"));
    let p = budkavle::schedule::next_free_preferring(&project, &fb, at, &preferred).unwrap();
    assert_eq!(p.at, now("2027-01-07T12:00:00Z"), "{p:?}");
    assert_eq!(p.best_for, fb.to_vec());
    // Facebook may have one post a day, and that Thursday has one: the best slot a week later
    // (Thursday 14 January 13:00) still wins over Tuesday 5 January 11:00, the second best.
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap()
        + "\n[platforms.facebook.cadence]\nmax_per_day = 1\n";
    let strategy = strategy.replacen("[platforms.facebook]\n", "", 1);
    std::fs::write(repo.path().join("strategy.toml"), strategy).unwrap();
    post("taken", "2027-01-07T15:00:00");
    let project = budkavle::Project::load(repo.path()).unwrap();
    let p = budkavle::schedule::next_free_preferring(&project, &fb, at, &preferred).unwrap();
    assert_eq!(p.at, now("2027-01-14T12:00:00Z"), "{p:?}");

    // `new` uses them and says why; `plan` shows them.
    let root = repo.path().to_str().unwrap();
    let out =
        bin().args(["--root", root, "plan", "--now", "2027-01-04T07:00:00Z", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cal: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fbcal = cal["platforms"].as_array().unwrap().iter().find(|p| p["platform"] == "facebook").unwrap();
    assert_eq!(fbcal["best"]["slots"], serde_json::json!(["Thu 13:00", "Tue 11:00", "Mon 09:00"]));
    assert_eq!(fbcal["best"]["next_free"], "2027-01-14 13:00");
    let out = bin().args(["--root", root, "new", "Nytt inlägg"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // The strategy's other platforms have no data, so Facebook's best slot decides.
    assert!(err.contains("one of the best times by engagement on Facebook"), "{err}");
    let mastodon = cal["platforms"].as_array().unwrap().iter().find(|p| p["platform"] == "mastodon").unwrap();
    assert!(mastodon.get("best").is_none(), "no data for Mastodon: the plan is as before");
}
