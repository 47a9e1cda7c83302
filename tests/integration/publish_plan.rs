//! Planning a publish run (DESIGN §7.1) in real git repositories: what is due, what is held and
//! why, and the commands around the ledger (`--dry-run`, `resolve`, `log`, `verify`). Nothing
//! here talks to a platform; tests/publish_*.rs do, against local servers.

use crate::common;

use budkavle::PlatformId;
use budkavle::ledger::{Appender, Event, NewEntry};
use budkavle::platform::Remote;
use budkavle::publish::{Settings, plan_only};
use budkavle::schedule::{Action, Hold, Item, Plan};
use common::git::{T0, commit, init, merge_request};
use common::{Repo, bin};
use jiff::Timestamp;

const NOW: &str = "2026-12-01T12:00:00Z";

fn post(title: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"mastodon\", \"bluesky\"]\n{extra}\n+++\n\nVi informerar om {title}.\n"
    )
}

fn plan_at(repo: &Repo, now: &str) -> Plan {
    let project = repo.load();
    let settings = Settings { now: Some(now.parse().unwrap()), ..Settings::default() };
    plan_only(&project, &settings).expect("plan").0
}

fn item<'a>(plan: &'a Plan, post: &str, platform: PlatformId) -> &'a Item {
    plan.items
        .iter()
        .find(|i| i.post == post && i.platform == platform)
        .unwrap_or_else(|| panic!("{post} on {platform} is not in the plan: {:#?}", plan.items))
}

fn publish_line(repo: &Repo, post: &str, platform: PlatformId, event: Event, source: Option<String>) {
    let mut ledger = Appender::open(repo.path()).unwrap();
    let mut intent = NewEntry::new(Event::Intent, post, platform);
    intent.key = Some(budkavle::publish::key(post, platform));
    intent.source = source.clone();
    intent.content = Some(budkavle::ledger::content_hash(post.as_bytes()));
    ledger.append(intent).unwrap();
    if event != Event::Intent {
        let mut e = NewEntry::new(event, post, platform);
        e.key = Some(budkavle::publish::key(post, platform));
        e.source = source;
        e.content = Some(budkavle::ledger::content_hash(post.as_bytes()));
        if event == Event::Published {
            e.remote = Some(Remote {
                id: format!("{post}-id"),
                url: Some(format!("https://social.test/@k/{post}")),
                parts: vec![],
            });
        }
        if event == Event::Unknown || event == Event::Failed {
            e.error = Some(budkavle::ledger::ErrorInfo { kind: "unknown".into(), message: "timed out".into() });
        }
        ledger.append(e).unwrap();
    }
    ledger.into_lock().release().unwrap();
}

#[test]
fn an_approved_due_post_is_sent_and_an_unapproved_one_held() {
    let repo = Repo::new("");
    let git = init(repo.path());
    commit(&git, "Start", "Anna Berg", T0);
    repo.post("godkand.md", &post("godkänd", ""));
    merge_request(&git, 1, &["Bo Ek"], T0 + 3600);
    repo.post("ogranskad.md", &post("ogranskad", ""));
    merge_request(&git, 2, &[], T0 + 7200);

    let plan = plan_at(&repo, NOW);
    let ok = item(&plan, "godkand", PlatformId::Mastodon);
    assert_eq!(ok.action, Action::Send { unsure_since: None });
    let review = ok.review.as_ref().expect("the review travels with the item");
    assert_eq!(review.approvers, vec!["Bo Ek".to_string()]);
    assert_eq!(review.request, Some(1));
    match &item(&plan, "ogranskad", PlatformId::Bluesky).action {
        Action::Hold { reason: Hold::Approval { needed: 1, found: 0, detail } } => {
            assert!(detail.contains("Reviewed-by"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn schedule_blackout_crisis_mode_drafts_and_manual_platforms_hold() {
    let repo = Repo::new(
        "[[blackout.periods]]\nstart = 2026-12-24T00:00:00\nend = 2026-12-26T23:59:00\nreason = \"Jul\"\n\n[review]\napprovals = 0\n",
    );
    // The team posts to LinkedIn by hand.
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    std::fs::write(
        repo.path().join("strategy.toml"),
        strategy.replace("[platforms.linkedin]\n", "[platforms.linkedin]\nby_hand = true\n"),
    )
    .unwrap();
    let git = init(repo.path());
    repo.post("senare.md", &post("senare", "").replace("2026-11-30", "2026-12-10"));
    repo.post("jul.md", &post("jul", "").replace("2026-11-30", "2026-12-24"));
    repo.post(
        "kris.md",
        &post("kris", "kind = \"crisis\"\n[crisis]\nevent = \"Vattenläcka\"\ncategory = \"Infra\"\nurgency = \"Immediate\"\nseverity = \"Moderate\"\ncertainty = \"Observed\"\narea = { description = \"Norra Testby\" }\nexpires = 2026-12-27T00:00:00")
            .replace("2026-11-30", "2026-12-24"),
    );
    repo.post("utkast.md", &post("utkast", "draft = true"));
    repo.post("li.md", &post("li", "").replace("[\"mastodon\", \"bluesky\"]", "[\"linkedin\"]"));
    commit(&git, "Inlägg", "Anna Berg", T0);

    let plan = plan_at(&repo, NOW);
    assert!(matches!(item(&plan, "senare", PlatformId::Mastodon).action, Action::Hold { reason: Hold::NotYet { .. } }));
    assert!(matches!(item(&plan, "li", PlatformId::Linkedin).action, Action::Hold { reason: Hold::Manual }));
    assert!(!plan.items.iter().any(|i| i.post == "utkast"), "drafts are not planned");
    assert_eq!(plan.skipped, 1);

    let christmas = plan_at(&repo, "2026-12-24T10:00:00Z");
    match &item(&christmas, "jul", PlatformId::Mastodon).action {
        Action::Hold { reason: Hold::Blackout { reason, .. } } => assert_eq!(reason, "Jul"),
        other => panic!("{other:?}"),
    }
    let crisis = item(&christmas, "kris", PlatformId::Mastodon);
    assert_eq!(crisis.action, Action::Send { unsure_since: None }, "crisis posts ignore blackouts");
    assert_eq!(christmas.items[0].post, "kris", "crisis posts go first");

    // The kill switch: content/CRISIS holds every planned post, not the crisis post.
    repo.file("content/CRISIS", b"Vattenl\xc3\xa4cka i norra Testby\n");
    let held = plan_at(&repo, "2026-12-11T10:00:00Z");
    assert!(held.crisis_mode);
    assert!(matches!(item(&held, "senare", PlatformId::Bluesky).action, Action::Hold { reason: Hold::Crisis }));
}

#[test]
fn campaign_posts_need_two_approvals_and_uncommitted_text_is_not_sent() {
    let repo = Repo::new("[review]\napprovals = 1\nper_kind = { campaign = 2 }\n");
    let git = init(repo.path());
    commit(&git, "Start", "Anna Berg", T0);
    repo.post("kampanj.md", &post("kampanj", "kind = \"campaign\""));
    repo.post("nyhet.md", &post("nyhet", ""));
    merge_request(&git, 3, &["Bo Ek"], T0 + 3600);
    let plan = plan_at(&repo, NOW);
    assert!(matches!(
        item(&plan, "kampanj", PlatformId::Mastodon).action,
        Action::Hold { reason: Hold::Approval { needed: 2, found: 1, .. } }
    ));
    assert_eq!(item(&plan, "nyhet", PlatformId::Mastodon).action, Action::Send { unsure_since: None });

    repo.post("nyhet.md", &post("nyhet", "").replace("Vi informerar", "Vi ändrar utan granskning"));
    let plan = plan_at(&repo, NOW);
    match &item(&plan, "nyhet", PlatformId::Mastodon).action {
        Action::Hold { reason: Hold::Approval { detail, .. } } => assert!(detail.contains("not committed"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn updates_wait_for_their_target_then_reply_to_it() {
    let repo = Repo::new("[review]\napprovals = 0\n");
    let git = init(repo.path());
    repo.post("forsta.md", &post("första", ""));
    repo.post("uppdatering.md", &post("uppdatering", "updates = \"forsta\"").replace("09:00", "10:00"));
    commit(&git, "Inlägg", "Anna Berg", T0);
    let plan = plan_at(&repo, NOW);
    match &item(&plan, "uppdatering", PlatformId::Mastodon).action {
        Action::Hold { reason: Hold::WaitingFor { post } } => assert_eq!(post, "forsta"),
        other => panic!("{other:?}"),
    }

    publish_line(&repo, "forsta", PlatformId::Mastodon, Event::Published, None);
    let plan = plan_at(&repo, NOW);
    let update = item(&plan, "uppdatering", PlatformId::Mastodon);
    assert_eq!(update.action, Action::Send { unsure_since: None });
    assert_eq!(update.reply_to.as_ref().map(|r| r.remote.id.as_str()), Some("forsta-id"));
    assert!(!plan.items.iter().any(|i| i.post == "forsta" && i.platform == PlatformId::Mastodon), "already out");
    assert_eq!(plan.done, 1);
}

#[test]
fn interrupted_unknown_changed_and_retracted_pairs() {
    let repo = Repo::new("[review]\napprovals = 0\n");
    let git = init(repo.path());
    repo.post("a.md", &post("a", ""));
    repo.post("b.md", &post("b", ""));
    repo.post("c.md", &post("c", ""));
    repo.post("d.md", &post("d", ""));
    let first = commit(&git, "Inlägg", "Anna Berg", T0).to_string();

    publish_line(&repo, "a", PlatformId::Mastodon, Event::Intent, Some(first.clone()));
    publish_line(&repo, "b", PlatformId::Mastodon, Event::Unknown, Some(first.clone()));
    publish_line(&repo, "c", PlatformId::Mastodon, Event::Published, Some(first.clone()));
    publish_line(&repo, "d", PlatformId::Mastodon, Event::Published, Some(first.clone()));
    let plan = plan_at(&repo, NOW);
    match item(&plan, "a", PlatformId::Mastodon).action {
        Action::Send { unsure_since: Some(_) } => {}
        ref other => panic!("an interrupted send is looked up first: {other:?}"),
    }
    assert!(matches!(item(&plan, "b", PlatformId::Mastodon).action, Action::Hold { reason: Hold::Unknown }));
    assert_eq!(plan.done, 2, "c and d are out and unchanged");

    repo.post("c.md", &post("c", "").replace("Vi informerar", "Vi rättar"));
    repo.post("d.md", &post("d", "retracted = \"Fel datum\""));
    commit(&git, "Ändra c, dra tillbaka d", "Anna Berg", T0 + 3600);
    let plan = plan_at(&repo, NOW);
    assert!(matches!(&item(&plan, "c", PlatformId::Mastodon).action, Action::Edit { remote } if remote.id == "c-id"));
    assert!(matches!(&item(&plan, "d", PlatformId::Mastodon).action, Action::Delete { remote } if remote.id == "d-id"));
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let repo = Repo::new("[review]\napprovals = 0\n");
    let git = init(repo.path());
    repo.post("a.md", &post("a", ""));
    repo.post("senare.md", &post("senare", "").replace("2026-11-30", "2027-01-10"));
    commit(&git, "Inlägg", "Anna Berg", T0);
    let out = bin().args(["--root"]).arg(repo.path()).args(["publish", "--dry-run", "--now", NOW]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("publish  mastodon   a"), "{text}");
    assert!(text.contains("Scheduled later (2); the next:\n    2027-01-10 09:00  mastodon   senare"), "{text}");
    assert!(!repo.path().join("ledger").exists(), "a dry run writes no ledger");

    let json = bin()
        .args(["--root"])
        .arg(repo.path())
        .args(["publish", "--dry-run", "--json", "--now", NOW])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["plan"]["items"][0]["action"], "send");
}

#[test]
fn a_missing_secret_stops_the_run_before_anything_is_written() {
    let repo = Repo::new("[review]\napprovals = 0\n");
    std::fs::write(
        repo.path().join("strategy.toml"),
        std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap().replace(
            "instance = \"https://social.testby.se\"",
            "instance = \"https://social.testby.se\"\ntoken_env = \"TESTBY_TOKEN_NOT_SET\"",
        ),
    )
    .unwrap();
    let git = init(repo.path());
    repo.post("a.md", &post("a", "").replace("[\"mastodon\", \"bluesky\"]", "[\"mastodon\"]"));
    commit(&git, "Inlägg", "Anna Berg", T0);
    let out = bin()
        .args(["--root"])
        .arg(repo.path())
        .args(["publish", "--now", NOW])
        .env_remove("TESTBY_TOKEN_NOT_SET")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("TESTBY_TOKEN_NOT_SET") && err.contains("strategy.toml:"), "{err}");
    let ledger = budkavle::ledger::Ledger::read(repo.path()).unwrap();
    assert!(ledger.is_empty(), "nothing may be written before every account is reachable");
}

#[test]
fn resolve_settles_only_unknown_pairs_and_log_tells_the_story() {
    let repo = Repo::new("[review]\napprovals = 1\n");
    let git = init(repo.path());
    commit(&git, "Start", "Anna Berg", T0);
    repo.post("a.md", &post("a", ""));
    merge_request(&git, 7, &["Bo Ek"], T0 + 3600);
    publish_line(&repo, "a", PlatformId::Mastodon, Event::Unknown, None);
    publish_line(&repo, "a", PlatformId::Bluesky, Event::Published, None);

    let root = repo.path().to_path_buf();
    let run = |args: &[&str]| bin().arg("--root").arg(&root).args(args).output().unwrap();
    let out = run(&["resolve", "a", "bluesky", "--not-published"]);
    assert_eq!(out.status.code(), Some(2), "a known outcome is not overridden");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to resolve"));

    let out = run(&["resolve", "a", "mastodon", "--published", "https://social.test/@k/42"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ledger = budkavle::ledger::Ledger::read(&root).unwrap();
    let state = ledger.state("a", PlatformId::Mastodon);
    assert_eq!(state.remote.map(|r| r.id.as_str()), Some("42"));
    let head = git.head().unwrap().peel_to_commit().unwrap();
    assert!(head.message().unwrap().starts_with("budkavle resolve: a on mastodon"), "{:?}", head.message());

    let out = run(&["log", "a"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for expected in
        ["written", "approved", "request 7", "Bo Ek", "unknown", "resolved", "https://social.test/@k/42", "published"]
    {
        assert!(text.contains(expected), "`{expected}` missing from the log:\n{text}");
    }
}

#[test]
fn verify_accepts_appending_and_names_a_rewrite() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("a.md", &post("a", ""));
    commit(&git, "Inlägg", "Anna Berg", T0);
    publish_line(&repo, "a", PlatformId::Mastodon, Event::Published, None);
    let first = budkavle::git::commit_ledger(repo.path(), "ledger 1").unwrap();
    assert!(first.is_some());
    publish_line(&repo, "a", PlatformId::Bluesky, Event::Published, None);
    budkavle::git::commit_ledger(repo.path(), "ledger 2").unwrap();

    let root = repo.path().to_path_buf();
    let verify = || bin().arg("--root").arg(&root).arg("verify").output().unwrap();
    let out = verify();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 commits changed it"));

    // Someone rewrites the ledger to the first line only (a valid chain!) and commits it.
    let month = std::fs::read_dir(root.join("ledger"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let text = std::fs::read_to_string(&month).unwrap();
    let kept: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&month, kept).unwrap();
    let out = verify();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the work tree") && err.contains("ledger/"), "{err}");
    let rewrite = commit(&git, "Städa", "Mallory", T0 + 9000).to_string();
    let err = String::from_utf8_lossy(&verify().stderr).into_owned();
    assert!(err.contains(&rewrite[..10]), "the rewriting commit is named: {err}");
}

#[test]
fn a_ledger_commit_holds_only_the_ledger() {
    let repo = Repo::new("");
    let git = init(repo.path());
    // As `budkavle init` writes it: the ledger's lock file stays in ledger/ between runs.
    repo.file(".gitignore", b"/dist\n/target\n/ledger/.lock*\n");
    repo.post("a.md", &post("a", ""));
    commit(&git, "Inlägg", "Anna Berg", T0);
    repo.post("b.md", &post("b", "")); // an unrelated change in the work tree
    publish_line(&repo, "a", PlatformId::Mastodon, Event::Published, None);
    assert!(repo.path().join("ledger/.lock").exists());
    let id = budkavle::git::commit_ledger(repo.path(), "budkavle publish: 1 published").unwrap().unwrap();
    let commit = git.find_commit(git2::Oid::from_str(&id).unwrap()).unwrap();
    let tree = commit.tree().unwrap();
    assert!(tree.get_path(std::path::Path::new("content/posts/b.md")).is_err(), "b.md stays uncommitted");
    assert!(tree.get_path(std::path::Path::new("ledger")).is_ok());
    let statuses = git.statuses(None).unwrap();
    let shown: Vec<_> = statuses
        .iter()
        .filter(|s| s.path().unwrap_or("").starts_with("ledger/"))
        .map(|s| (s.path().unwrap_or("").to_string(), s.status()))
        .collect();
    assert_eq!(shown, [("ledger/.lock".to_string(), git2::Status::IGNORED)], "the ledger is clean");
    let _ = Timestamp::now();
}

/// Appends one line for `post` on `platform` with the hash of what it renders to now, as the
/// publisher writes it after sending that version.
fn line_for(repo: &Repo, post: &str, platform: PlatformId, event: Event, source: &str, at: Timestamp) {
    let project = repo.load();
    let rendered = budkavle::render(&project, project.post(post).unwrap(), platform).unwrap();
    let mut ledger = Appender::open(repo.path()).unwrap();
    let mut e = NewEntry::new(event, post, platform);
    e.at = Some(at);
    e.key = Some(budkavle::publish::key(post, platform));
    e.source = Some(source.to_string());
    e.content = Some(rendered.payload_hash());
    if event != Event::Intent {
        e.remote = Some(Remote { id: format!("{post}-{}", platform.name()), url: None, parts: vec![] });
    }
    ledger.append(e).unwrap();
    ledger.into_lock().release().unwrap();
}

#[test]
fn a_change_is_edited_where_the_platform_edits_and_corrected_where_it_cannot() {
    let repo = Repo::new("[review]\napprovals = 0\n");
    let git = init(repo.path());
    let text = "+++\ntitle = \"Möte\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"mastodon\", \"threads\", \"x\", \"instagram\"]\n\n[[media]]\npath = \"../media/bild.jpg\"\nalt = \"Ett möte.\"\n+++\n\nMötet börjar 18.00 i stadshuset.\n";
    repo.file("content/media/bild.jpg", b"not decoded by the planner");
    repo.post("mote.md", text);
    let first = commit(&git, "Inlägg", "Anna Berg", T0).to_string();
    let sent: Timestamp = "2026-12-01T11:50:00Z".parse().unwrap();
    let all = [PlatformId::Mastodon, PlatformId::Threads, PlatformId::X, PlatformId::Instagram];
    for p in all {
        line_for(&repo, "mote", p, Event::Published, &first, sent);
    }
    assert_eq!(plan_at(&repo, NOW).done, 4, "out and unchanged");

    // A commit that changes nothing a reader sees (the title is not in the platform texts):
    // Mastodon and X may edit harmlessly; Threads and Instagram must not repeat the text.
    repo.post("mote.md", &text.replace("title = \"Möte\"", "title = \"Möte i stadshuset\""));
    commit(&git, "Rubrik", "Anna Berg", T0 + 60);
    let plan = plan_at(&repo, NOW);
    assert!(matches!(item(&plan, "mote", PlatformId::Mastodon).action, Action::Edit { .. }));
    for p in [PlatformId::Threads, PlatformId::Instagram] {
        assert!(!plan.items.iter().any(|i| i.platform == p), "{p}: nothing to correct: {:#?}", plan.items);
    }

    // The time changes: Mastodon edits; X edits within 30 minutes of posting; Threads and
    // Instagram, which cannot edit, get a correction on the original.
    repo.post("mote.md", &text.replace("18.00", "19.00"));
    let second = commit(&git, "Ny tid", "Anna Berg", T0 + 120).to_string();
    let plan = plan_at(&repo, NOW);
    assert!(matches!(item(&plan, "mote", PlatformId::X).action, Action::Edit { .. }), "10 minutes after posting");
    for p in [PlatformId::Threads, PlatformId::Instagram] {
        match &item(&plan, "mote", p).action {
            Action::Correct { remote, unsure_since: None } => assert_eq!(remote.id, format!("mote-{}", p.name())),
            other => panic!("{p}: {other:?}"),
        }
    }
    let plan = plan_at(&repo, "2026-12-01T12:30:00Z");
    assert!(
        matches!(item(&plan, "mote", PlatformId::X).action, Action::Correct { .. }),
        "40 minutes after posting X edits no more"
    );
    let out = bin().args(["--root"]).arg(repo.path()).args(["publish", "--dry-run", "--now", NOW]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("correct  instagram  mote (Instagram cannot edit: a comment \"Rättelse: …\" on the original)"),
        "{said}"
    );
    assert!(said.contains("correct  threads    mote (Threads cannot edit: a reply \"Rättelse: …\""), "{said}");

    // An interrupted correction is looked up first; a finished one is the version out.
    line_for(&repo, "mote", PlatformId::Threads, Event::Intent, &second, sent + jiff::SignedDuration::from_mins(20));
    let plan = plan_at(&repo, NOW);
    assert!(matches!(item(&plan, "mote", PlatformId::Threads).action, Action::Correct { unsure_since: Some(_), .. }));
    line_for(&repo, "mote", PlatformId::Threads, Event::Corrected, &second, sent + jiff::SignedDuration::from_mins(21));
    let plan = plan_at(&repo, NOW);
    assert!(!plan.items.iter().any(|i| i.platform == PlatformId::Threads), "{:#?}", plan.items);
    let ledger = budkavle::ledger::Ledger::read(repo.path()).unwrap();
    let state = ledger.state("mote", PlatformId::Threads);
    assert_eq!(state.remote.unwrap().id, "mote-threads", "the original stays the pair's post");
    assert!(state.corrected.is_some());

    // A second change is a second correction.
    repo.post("mote.md", &text.replace("18.00", "19.30"));
    commit(&git, "Ny tid igen", "Anna Berg", T0 + 180);
    let plan = plan_at(&repo, NOW);
    assert!(matches!(item(&plan, "mote", PlatformId::Threads).action, Action::Correct { unsure_since: None, .. }));
}
