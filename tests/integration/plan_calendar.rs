//! `budkavle plan`: the calendar per platform, with holds, crowding, cadence gaps and the
//! coverage of goals and audiences, as a table and as JSON.

use crate::common;

use common::git::{T0, commit, init};
use common::{Repo, bin};
use serde_json::Value;

fn post(title: &str, date: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\nplatforms = [\"mastodon\", \"linkedin\"]\ngoal = \"info\"\n{extra}\n+++\n\nText om {title}.\n"
    )
}

fn repo() -> Repo {
    let repo = Repo::new(
        "[review]\napprovals = 0\n\n[[blackout.periods]]\nstart = 2026-12-24T00:00:00\nend = 2026-12-26T23:59:00\nreason = \"Julhelg\"\n",
    );
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap().replace(
        "instance = \"https://social.testby.se\"",
        "instance = \"https://social.testby.se\"\ncadence = { min_gap = \"2h\", max_per_day = 2, min_per_week = 2 }",
    )
    // The team posts to LinkedIn by hand.
    .replace("[platforms.linkedin]\n", "[platforms.linkedin]\nby_hand = true\n");
    std::fs::write(repo.path().join("strategy.toml"), strategy).unwrap();
    repo.post("a.md", &post("a", "2026-12-01T09:00:00", ""));
    repo.post("b.md", &post("b", "2026-12-01T10:00:00", "")); // one hour after a: too close
    repo.post("c.md", &post("c", "2026-12-01T15:00:00", "")); // third that day: crowded
    repo.post("jul.md", &post("jul", "2026-12-24T10:00:00", "")); // held by the blackout
    repo.post("utkast.md", &post("utkast", "2026-12-02T10:00:00", "draft = true"));
    let git = init(repo.path());
    commit(&git, "Inlägg", "Anna Berg", T0);
    repo
}

fn plan(repo: &Repo, args: &[&str]) -> String {
    let out = bin()
        .arg("--root")
        .arg(repo.path())
        .args(["plan", "--now", "2026-11-30T08:00:00Z"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_calendar_shows_crowding_gaps_holds_and_coverage() {
    let repo = repo();
    let text = plan(&repo, &["--days", "28"]);
    assert!(text.contains("Mastodon (min gap 2h, at most 2/day, at least 2/week)"), "{text}");
    assert!(text.contains("! more posts than max_per_day"), "{text}");
    assert!(text.contains("too close to a"), "{text}");
    assert!(text.contains("HELD: blackout until 2026-12-26 23:59: Julhelg"), "{text}");
    assert!(text.contains("by hand"), "LinkedIn is posted by hand: {text}");
    assert!(text.contains("! week of 2026-12-07: 0 post(s), cadence asks for at least 2"), "{text}");
    assert!(!text.contains("utkast"), "drafts are not planned");
    assert!(text.contains("goals: info: 4"), "{text}");

    let json: Value = serde_json::from_str(&plan(&repo, &["--days", "28", "--format", "json"])).unwrap();
    let mastodon = json["platforms"].as_array().unwrap().iter().find(|p| p["platform"] == "mastodon").unwrap();
    let first_day = &mastodon["days"][0];
    assert_eq!(first_day["date"], "2026-12-01");
    assert_eq!(first_day["crowded"], true);
    assert_eq!(first_day["entries"][1]["too_close_to"], "a");
    assert_eq!(first_day["entries"][0]["status"], "scheduled");
    let held = mastodon["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["entries"].as_array().unwrap())
        .find(|e| e["post"] == "jul")
        .unwrap();
    assert_eq!(held["status"], "held");
    assert!(mastodon["thin_weeks"].as_array().unwrap().iter().any(|w| w["week_of"] == "2026-12-07" && w["posts"] == 0));
}

#[test]
fn crisis_mode_holds_planned_posts_in_the_calendar() {
    let repo = repo();
    repo.file("content/CRISIS", b"Vattenl\xc3\xa4cka\n");
    let text = plan(&repo, &["--days", "7"]);
    assert!(text.contains("Crisis mode is on"), "{text}");
    assert!(text.contains("HELD: held by crisis mode"), "{text}");
}

#[test]
fn the_previews_carry_the_calendar_page() {
    let repo = Repo::new("[review]\napprovals = 0\n");
    // Dated from the real clock: `build` shows the 30 days from today.
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let day = jiff::Timestamp::now().to_zoned_datetime(tz).date().checked_add(jiff::Span::new().days(3)).unwrap();
    repo.post("snart.md", &post("snart <b>", &format!("{day}T09:00:00"), ""));
    repo.post("strax.md", &post("strax", &format!("{day}T09:30:00"), ""));
    let git = init(repo.path());
    commit(&git, "Inlägg", "Anna Berg", T0);
    let out = bin().arg("--root").arg(repo.path()).args(["build", "--previews"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(repo.path().join("dist/previews/calendar.html")).unwrap();
    assert!(page.contains("<h2 id=\"cal-mastodon\">Mastodon</h2>"), "{page}");
    assert!(page.contains("snart &lt;b&gt;"), "titles are escaped");
    assert!(page.contains(&format!("<td>{day}</td><td>09:30</td>")), "{page}");
    let index = std::fs::read_to_string(repo.path().join("dist/previews/index.html")).unwrap();
    assert!(index.contains("href=\"calendar.html\""));
}
