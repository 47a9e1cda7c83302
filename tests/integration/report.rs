//! `budkavle report` (issue 13): goals and KPIs, the breakdowns, weekday × hour and the change
//! from the previous period, from the posts and `metrics/` of a small git repository whose
//! figures are worked out by hand below; every format; a bad snapshot line; an unmeasurable KPI.

use crate::common;

use common::git::{T0, commit, init};
use common::{Repo, bin};
use serde_json::Value;

const GOALS: &str = r#"
[[goals]]
id = "rackvidd"
description = "Nå många"
kpi = { metric = "reach", target = 1000, per = "month" }

[[goals]]
id = "samtal"
description = "Samtal"
kpi = { metric = "engagement", target = 0.05, per = "month" }
"#;

fn post(title: &str, date: &str, goal: &str, platforms: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\nplatforms = [{platforms}]\ngoal = \"{goal}\"\naudiences = [\"alla\"]\n+++\n\n{body}\n"
    )
}

/// Three December posts and one from November, in Europe/Stockholm (the default zone):
/// a Monday 09:00, b Tuesday 13:00 (a thread), c Wednesday 10:00; d 10 November.
fn repo() -> Repo {
    repo_with("")
}

/// [`repo`] with more of strategy.toml.
fn repo_with(extra: &str) -> Repo {
    let repo = Repo::new(&format!("{GOALS}{extra}"));
    repo.post("a.md", &post("A", "2026-12-07T09:00:00", "rackvidd", "\"facebook\", \"mastodon\"", "Text a."));
    repo.post(
        "b.md",
        &post("B", "2026-12-08T13:00:00", "rackvidd", "\"facebook\", \"x\"", "Del ett.\n\n---\n\nDel två."),
    );
    repo.post("c.md", &post("C", "2026-12-09T10:00:00", "samtal", "\"facebook\"", "Text c."));
    repo.post("d.md", &post("D", "2026-11-10T09:00:00", "rackvidd", "\"facebook\"", "Text d."));
    repo.post(
        "e.md",
        &post("E", "2026-12-10T09:00:00", "rackvidd", "\"facebook\"", "Utkast.")
            .replace("+++\n\n", "draft = true\n+++\n\n"),
    );
    let line = |at: &str, post: &str, platform: &str, counts: &str| {
        format!(
            "{{\"at\":\"{at}\",\"post\":\"{post}\",\"platform\":\"{platform}\",\"remote\":\"r-{post}\",{counts}}}\n"
        )
    };
    let dec = [
        // a on Facebook twice: the later snapshot is the value (reach 600, 20 likes + 10 clicks).
        line("2026-12-08T08:00:00Z", "a", "facebook", "\"reach\":600,\"views\":900,\"likes\":20,\"clicks\":10"),
        line("2026-12-07T09:00:00Z", "a", "facebook", "\"reach\":100,\"views\":150,\"likes\":1,\"clicks\":0"),
        // Mastodon gives no reach and no views: interactions count, engagement has no data.
        line("2026-12-08T08:00:00Z", "a", "mastodon", "\"views\":null,\"reach\":null,\"likes\":5,\"reposts\":2"),
        line("2026-12-09T08:00:00Z", "b", "facebook", "\"reach\":300,\"likes\":9,\"shares\":3"),
        // X: no reach, so its views stand in (400).
        line("2026-12-09T08:00:00Z", "b", "x", "\"views\":400,\"likes\":4,\"reposts\":4"),
        line("2026-12-10T08:00:00Z", "c", "facebook", "\"reach\":200,\"likes\":12,\"clicks\":8"),
    ]
    .concat();
    repo.file("metrics/2026-12.jsonl", dec.as_bytes());
    repo.file(
        "metrics/2026-11.jsonl",
        line("2026-11-11T08:00:00Z", "d", "facebook", "\"reach\":500,\"likes\":10").as_bytes(),
    );
    let git = init(repo.path());
    commit(&git, "Inlägg och siffror", "Anna Berg", T0);
    repo
}

/// A store path that does not exist: the report must not find whatever inbox the machine has.
fn no_store() -> std::path::PathBuf {
    std::env::temp_dir().join("budkavle-report-tests-no-inbox/inbox.sqlite3")
}

fn report(repo: &Repo, args: &[&str]) -> std::process::Output {
    report_with_store(repo, &no_store(), args)
}

fn report_with_store(repo: &Repo, store: &std::path::Path, args: &[&str]) -> std::process::Output {
    bin()
        .arg("--root")
        .arg(repo.path())
        .args(["report", "--now", "2027-01-10T08:00:00Z"])
        .args(args)
        .env("BUDKAVLE_INBOX_STORE", store)
        .output()
        .unwrap()
}

fn stdout(repo: &Repo, args: &[&str]) -> String {
    let out = report(repo, args);
    assert!(out.status.success(), "report {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[test]
fn json_has_the_hand_computed_goals_totals_and_breakdowns() {
    let repo = repo();
    let r: Value = serde_json::from_str(&stdout(&repo, &["--period", "2026-12", "--format", "json"])).unwrap();
    let goal = |id: &str| r["goals"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap().clone();

    // Reach: a's latest 600 + b's 300 = 900 < 1000, and December is over: not met.
    let reach = goal("rackvidd");
    assert_eq!(reach["windows"][0]["actual"], 900.0);
    assert_eq!(reach["windows"][0]["status"], "not_met");
    assert_eq!(reach["status"], "not_met");
    assert_eq!((reach["figures"]["posts"].as_u64(), reach["figures"]["posts_with_data"].as_u64()), (Some(2), Some(2)));
    // November: d's reach 500, so +80 %.
    assert!(close(&reach["change"], 80.0), "{}", reach["change"]);
    assert_eq!(reach["top"][0]["id"], "a");
    assert_eq!(reach["bottom"][0]["id"], "b");

    // Engagement of c: (12 + 8) / 200 = 0.10 ≥ 0.05.
    let talk = goal("samtal");
    assert!(close(&talk["windows"][0]["actual"], 0.1));
    assert_eq!(talk["status"], "met");

    // Totals: three posts (the draft is not one), five pairs; interactions 30 + 7 + 12 + 8 + 20;
    // engagement over the four pairs with reach or views: (30 + 12 + 8 + 20) / (600 + 300 + 400 + 200).
    let t = &r["totals"];
    assert_eq!((t["posts"].as_u64(), t["pairs"].as_u64(), t["pairs_measured"].as_u64()), (Some(3), Some(5), Some(4)));
    assert_eq!(t["interactions"], 77);
    assert!(close(&t["engagement"], 70.0 / 1500.0), "{}", t["engagement"]);
    assert_eq!(t["reach"], 1100);
    assert_eq!(t["views"], 1300);
    assert_eq!(r["previous"]["label"], "2026-11");
    assert!(close(&r["change"]["posts"], 200.0));

    let row = |section: &str, key: &str| {
        r[section]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == key)
            .unwrap_or_else(|| panic!("{section} {key}"))
            .clone()
    };
    let mastodon = row("by_platform", "mastodon");
    assert_eq!((mastodon["interactions"].as_u64(), mastodon["engagement"].is_null()), (Some(7), true));
    assert!(close(&row("by_platform", "facebook")["engagement"], 62.0 / 1100.0));
    // Only b on X is a thread: 8 / 400.
    let thread = row("by_thread", "thread");
    assert_eq!(thread["pairs"], 1);
    assert!(close(&thread["engagement"], 0.02));
    assert_eq!(row("by_image", "without_image")["posts"], 3);
    assert_eq!(row("by_audience", "alla")["posts"], 3);
    assert_eq!(row("by_kind", "news")["posts"], 3);

    // Facebook's best slots: Wednesday 10 (0.10), Monday 09 (0.05), Tuesday 13 (0.04).
    let fb = r["best_slots"].as_array().unwrap().iter().find(|b| b["platform"] == "facebook").unwrap();
    let slots: Vec<(u64, u64)> = fb["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["weekday"].as_u64().unwrap(), c["hour"].as_u64().unwrap()))
        .collect();
    assert_eq!(slots, vec![(2, 10), (0, 9), (1, 13)]);
}

#[test]
fn text_markdown_csv_and_html_say_the_same() {
    let repo = repo();
    let text = stdout(&repo, &["--period", "2026-12"]);
    assert!(text.contains("rackvidd (2026-12)"), "{text}");
    assert!(text.contains("inte nått"), "{text}");
    assert!(text.contains("+80\u{a0}%"), "{text}");
    assert!(text.contains("4,7\u{a0}%"), "the total engagement 70/1500: {text}");

    let md = stdout(&repo, &["--period", "2026-12", "--format", "markdown"]);
    assert!(md.starts_with("# Testby kommun – resultat 2026-12"), "{md}");
    assert!(md.contains("| rackvidd (2026-12) | Räckvidd per månad | 1\u{a0}000 | 900 | inte nått |"), "{md}");

    let csv = stdout(&repo, &["--period", "2026-12", "--format", "csv"]);
    assert!(csv.starts_with("section,key,metric,value\r\n"));
    assert!(csv.contains("kpi,rackvidd@2026-12,actual_reach,900\r\n"), "{csv}");
    assert!(csv.contains("kpi,samtal@2026-12,status,met\r\n"), "{csv}");
    assert!(csv.contains("platform,x,views,400\r\n"), "{csv}");

    let html = stdout(&repo, &["--period", "2026-12", "--format", "html"]);
    assert!(html.starts_with("<!doctype html>\n<html lang=\"sv\">"));
    assert!(!html.contains("<script"));
    // Every chart is an image with a title and a description, and well-formed SVG.
    let charts: Vec<&str> = html.split("<svg").skip(1).map(|s| s.split("</svg>").next().unwrap()).collect();
    assert_eq!(charts.len(), 3, "goals, platforms, weekday × hour");
    for c in &charts {
        let svg = format!("<svg{c}</svg>");
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        let desc = root.children().find(|n| n.has_tag_name("desc")).expect("a desc").text().unwrap_or("");
        assert!(desc.len() > 20, "the desc states the finding: {desc}");
        assert!(root.children().any(|n| n.has_tag_name("title")));
    }
    assert!(html.contains("1 av 2 mätbara målperioder nådda"), "{html}");
    assert!(html.contains("<th scope=\"row\">Facebook</th>"));

    // -o writes the file (atomically) and nothing to standard output.
    let out = repo.path().join("rapport.html");
    let o = report(&repo, &["--period", "2026-12", "--format", "html", "-o", out.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), html);
}

#[test]
fn a_quarter_kpi_in_a_month_is_in_progress_until_the_quarter_ends() {
    let repo = repo();
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap().replace(
        "kpi = { metric = \"reach\", target = 1000, per = \"month\" }",
        "kpi = { metric = \"clicks\", target = 15, per = \"quarter\" }",
    );
    std::fs::write(repo.path().join("strategy.toml"), strategy).unwrap();
    let r: Value = serde_json::from_str(&stdout(&repo, &["--period", "2026-11", "--format", "json"])).unwrap();
    let g = r["goals"].as_array().unwrap().iter().find(|g| g["id"] == "rackvidd").unwrap();
    // Q4 up to 30 November: d has no clicks, so no data yet.
    assert_eq!(g["windows"][0]["label"], "2026-Q4 → 2026-11-30");
    assert_eq!(g["windows"][0]["partial"], true);
    assert_eq!(g["windows"][0]["status"], "no_data");
    let r: Value = serde_json::from_str(&stdout(&repo, &["--period", "2026-12", "--format", "json"])).unwrap();
    let g = r["goals"].as_array().unwrap().iter().find(|g| g["id"] == "rackvidd").unwrap();
    // The whole quarter: a's 10 clicks (b has none) — under 15, and the quarter is over.
    assert_eq!(g["windows"][0]["actual"], 10.0);
    assert_eq!(g["windows"][0]["status"], "not_met");
}

#[test]
fn a_bad_snapshot_line_is_an_error_at_its_file_and_line() {
    let repo = repo();
    let mut text = std::fs::read_to_string(repo.path().join("metrics/2026-12.jsonl")).unwrap();
    text.push_str("{\"at\":\"2026-12-11T08:00:00Z\",\"post\":\"c\",\"platform\":\"facebok\",\"likes\":1}\n");
    std::fs::write(repo.path().join("metrics/2026-12.jsonl"), text).unwrap();
    let out = report(&repo, &["--period", "2026-12"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("metrics/2026-12.jsonl:7:"), "{err}");
    assert!(err.contains("facebok"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_kpi_that_is_a_share_of_residents_is_refused_with_a_way_out() {
    let repo = repo();
    let strategy =
        std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap().replace("target = 1000", "target = 0.8");
    std::fs::write(repo.path().join("strategy.toml"), strategy).unwrap();
    let out = report(&repo, &["--period", "2026-12"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("strategy.toml:"), "{err}");
    assert!(err.contains("cannot be measured"), "{err}");
    assert!(err.contains("target = 20000"), "{err}");
}

#[test]
fn the_example_repository_reports_december() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = bin()
        .arg("--root")
        .arg(root)
        .args(["report", "--period", "2026-12", "--now", "2027-01-20T00:00:00Z", "--format", "json"])
        .env("BUDKAVLE_INBOX_STORE", no_store())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["totals"]["posts_with_data"].as_u64().unwrap() >= 4, "{}", r["totals"]);
    assert!(r["goals"].as_array().unwrap().iter().any(|g| g["status"] == "met" || g["status"] == "not_met"));
}

/// The inbox figures, from items imported with `inbox import` and answered with `inbox
/// resolve`, in Europe/Stockholm (UTC+1) with office hours mån–fre 08:00–16:30 and a 4 h promise:
///
/// | item | written (local)   | due (local)      | resolved (local) | office | clock |
/// |------|-------------------|------------------|------------------|--------|-------|
/// | 1    | Tue 1 Dec 09:00   | Tue 13:00        | Tue 11:00        | 2 h    | 2 h   |
/// | 2    | Fri 4 Dec 20:00   | Mon 7 Dec 12:00  | Mon 09:30        | 1.5 h  | 61.5 h|
/// | 3    | Wed 2 Dec 15:00   | Thu 10:30        | Thu 14:00 (late) | 7.5 h  | 23 h  |
/// | 4    | Thu 10 Dec 10:00  | Thu 14:00        | never (overdue)  |        |       |
/// | 5    | Tue 10 Nov 09:00  | Tue 13:00        | Tue 12:00        | 3 h    | 3 h   |
///
/// December: 4 received, 2 of 4 judged in time (50 %); office median of 1.5, 2, 7.5 is 2 h,
/// the 90th percentile (nearest rank ⌈0.9 × 3⌉ = 3rd) 7.5 h; clock median 23 h, p90 61.5 h.
/// November: 1 received, 100 % in time, median 3 h: −50 points, +300 % received, −33 % median.
#[test]
fn inbox_volume_response_times_and_share_in_time() {
    let repo = repo_with("\n[interaction]\nresponse_time = \"4h\"\noffice_hours = \"mån–fre 08:00–16:30\"\n");
    let data = tempfile::tempdir().unwrap();
    let store = data.path().join("store/inbox.sqlite3");
    let inbox = |args: &[&str], now: &str| {
        let out = bin()
            .arg("--root")
            .arg(repo.path())
            .arg("inbox")
            .args(args)
            .env("BUDKAVLE_INBOX_STORE", &store)
            .env("BUDKAVLE_NOW", now)
            .env("BUDKAVLE_ACTOR", "Kim Kommunikatör")
            .output()
            .unwrap();
        assert!(out.status.success(), "inbox {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let line = |platform: &str, id: &str, at: &str| {
        serde_json::json!({"platform": platform, "id": id, "author": "Anna Andersson", "text": "När öppnar simhallen?", "at": at})
            .to_string()
    };
    let file = data.path().join("in.jsonl");
    let lines = [
        line("facebook", "1", "2026-12-01T08:00:00Z"),
        line("mastodon", "2", "2026-12-04T19:00:00Z"),
        line("facebook", "3", "2026-12-02T14:00:00Z"),
        line("x", "4", "2026-12-10T09:00:00Z"),
        line("facebook", "5", "2026-11-10T08:00:00Z"),
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    inbox(&["import", file.to_str().unwrap()], "2026-12-11T08:00:00Z");
    for (item, at) in [
        ("facebook:1", "2026-12-01T10:00:00Z"),
        ("mastodon:2", "2026-12-07T08:30:00Z"),
        ("facebook:3", "2026-12-03T13:00:00Z"),
        ("facebook:5", "2026-11-10T11:00:00Z"),
    ] {
        inbox(&["resolve", item, "--note", "Besvarad per telefon"], at);
    }

    let out = report_with_store(&repo, &store, &["--period", "2026-12", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (c, p) = (&r["inbox"]["current"], &r["inbox"]["previous"]);
    assert_eq!(r["inbox"]["response_time"], "4h");
    assert_eq!(
        (c["received"].as_u64(), c["answered"].as_u64(), c["answered_in_time"].as_u64()),
        (Some(4), Some(3), Some(2))
    );
    assert_eq!((c["overdue"].as_u64(), c["pending"].as_u64()), (Some(1), Some(0)));
    assert_eq!(c["by_platform"], serde_json::json!({"facebook": 2, "mastodon": 1, "x": 1}));
    assert!(close(&c["in_time"], 0.5), "{c}");
    assert!(close(&c["median_office_hours"], 2.0), "{c}");
    assert!(close(&c["p90_office_hours"], 7.5), "{c}");
    assert!(close(&c["median_hours"], 23.0), "{c}");
    assert!(close(&c["p90_hours"], 61.5), "{c}");
    assert_eq!(p["received"].as_u64(), Some(1));
    assert!(close(&p["in_time"], 1.0) && close(&p["median_office_hours"], 3.0), "{p}");
    assert!(close(&r["inbox"]["change"]["in_time_points"], -50.0));
    assert!(close(&r["inbox"]["change"]["received"], 300.0));
    assert!((r["inbox"]["change"]["median_office_hours"].as_f64().unwrap() + 100.0 / 3.0).abs() < 1e-9);

    // Every format says the same, and never who wrote or what.
    let text = String::from_utf8(report_with_store(&repo, &store, &["--period", "2026-12"]).stdout).unwrap();
    assert!(text.contains("Besvarade i tid") && text.contains("50,0\u{a0}% (2 av 4)"), "{text}");
    assert!(text.contains("7,5\u{a0}h") && text.contains("61,5\u{a0}h"), "{text}");
    let md =
        String::from_utf8(report_with_store(&repo, &store, &["--period", "2026-12", "--format", "markdown"]).stdout)
            .unwrap();
    assert!(
        md.contains("## Inkorgen") && md.contains("| Median, kontorstid | 2,0\u{a0}h | 3,0\u{a0}h | −33\u{a0}% |"),
        "{md}"
    );
    let csv = String::from_utf8(report_with_store(&repo, &store, &["--period", "2026-12", "--format", "csv"]).stdout)
        .unwrap();
    assert!(
        csv.contains("inbox,2026-12,in_time,0.5\r\n") && csv.contains("inbox_platform,x@2026-12,received,1\r\n"),
        "{csv}"
    );
    let html = String::from_utf8(report_with_store(&repo, &store, &["--period", "2026-12", "--format", "html"]).stdout)
        .unwrap();
    let chart = &html[html.find("id=\"bk-chart-inbox-t\"").expect("an inbox chart")..];
    assert!(chart.contains("50,0\u{a0}% av") && chart.contains("<desc"), "{chart}");
    for output in [&text, &md, &csv, &html] {
        assert!(!output.contains("Anna Andersson") && !output.contains("simhallen"));
    }

    // Without a store: a line says so, JSON has null, and nothing is created.
    let out = report(&repo, &["--period", "2026-12", "--format", "json"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["inbox"].is_null());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no inbox store"));
    assert!(!no_store().exists());
}
