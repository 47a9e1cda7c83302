//! `budkavle metrics pull` against the real local servers: mastodon-mock, where a second
//! account favourites, boosts and answers, and Bluesky's whole network with its AppView, where
//! a citizen likes, reposts, replies and quotes. Snapshots follow the schedule (+1 h, +1 d, …,
//! never after 90 days), a second run at once asks nothing, a retracted post is not read, a
//! rate-limited platform is left for the next run without duplicates, the commit holds only
//! the metrics files — and no secret appears anywhere.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::common::world::{World, ok};
use budkavle::PlatformId;
use budkavle::metrics::Metrics;

fn lines(w: &World) -> Vec<Value> {
    let mut out = Vec::new();
    let dir = w.repo.path().join("metrics");
    let Ok(entries) = std::fs::read_dir(&dir) else { return out };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            out.push(serde_json::from_str(line).expect("a JSON line"));
        }
    }
    out
}

fn of<'a>(lines: &'a [Value], post: &str, platform: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["post"] == post && l["platform"] == platform).collect()
}

fn at(t: Timestamp, d: SignedDuration) -> String {
    t.checked_add(d).unwrap().to_string()
}

#[test]
fn metrics_pull_follows_the_schedule_on_mastodon_and_bluesky() {
    let mut w = World::with_appview("");
    w.merge("vatten.md", "+++\ntitle = \"Vattnet är tjänligt\"\nlang = \"sv\"\n+++\n\nVattnet är tjänligt igen i hela Testby. Tack för ert tålamod.\n");
    w.merge(
        "sophamtning.md",
        "+++\ntitle = \"Sophämtning\"\nlang = \"sv\"\n+++\n\nSophämtningen är försenad en dag i veckan.\n",
    );
    ok(&w.publish_at(&Timestamp::now().to_string(), &[]));

    // The second post is retracted and removed; it is never read again.
    let path = w.repo.path().join("content/posts/sophamtning.md");
    let text =
        std::fs::read_to_string(&path).unwrap().replace("lang = \"sv\"", "lang = \"sv\"\nretracted = \"Fel vecka.\"");
    w.merge("sophamtning.md", &text);
    ok(&w.publish_at(&Timestamp::now().to_string(), &[]));

    let ledger = w.ledger();
    let state = |platform| ledger.state("vatten", platform);
    let published =
        state(PlatformId::Mastodon).published.unwrap().at.max(state(PlatformId::Bluesky).published.unwrap().at);
    let status = state(PlatformId::Mastodon).remote.unwrap().id.clone();
    let uri = state(PlatformId::Bluesky).remote.unwrap().id.clone();

    w.mastodon.engage(&status, true, true, &["Tack för beskedet!"]);
    let made = w
        .bluesky
        .engage(&uri, json!({"like": true, "repost": true, "reply": "Skönt att höra!", "quote": "Bra att veta"}));
    assert_eq!(made.len(), 4, "{made:?}");

    let counter = w.mastodon.count_requests("GET", "/api/v1/statuses/*");
    let hour = SignedDuration::from_hours(1);
    let day = SignedDuration::from_hours(24);

    // Before the first point nothing is due.
    let out = ok(&w.metrics_pull_at(&at(published, SignedDuration::from_mins(30)), &[]));
    assert!(out.contains("nothing was due"), "{out}");
    assert!(lines(&w).is_empty());

    // A dry run lists what is due and reads nothing.
    let t1 = at(published, hour + SignedDuration::from_mins(1));
    let out = ok(&w.metrics_pull_at(&t1, &["--dry-run"]));
    assert!(out.contains("vatten: due for the +1h snapshot"), "{out}");
    assert!(!out.contains("sophamtning"), "a retracted post is not read: {out}");
    assert_eq!(w.mastodon.counted(&counter), 0);
    assert!(lines(&w).is_empty());

    // +1 h: one line per pair with the platforms' numbers; Mastodon and Bluesky give no views.
    let sessions = w.bluesky.stats().create_session;
    let out = ok(&w.metrics_pull_at(&t1, &[]));
    assert!(out.contains("metrics committed as"), "{out}");
    let all = lines(&w);
    assert_eq!(all.len(), 2, "{all:#?}");
    let m = of(&all, "vatten", "mastodon")[0];
    assert_eq!((m["likes"].as_u64(), m["reposts"].as_u64(), m["replies"].as_u64()), (Some(1), Some(1), Some(1)), "{m}");
    assert_eq!(m["followers"], 1, "the citizen follows the account: {m}");
    assert!(m["views"].is_null() && m["quotes"].is_null(), "{m}");
    assert_eq!(m["remote"], status.as_str());
    let b = of(&all, "vatten", "bluesky")[0];
    for k in ["likes", "reposts", "replies", "quotes"] {
        assert_eq!(b[k], 1, "{k} in {b}");
    }
    assert!(b["views"].is_null(), "{b}");
    assert_eq!(b["remote"], uri.as_str());
    assert_eq!(w.mastodon.counted(&counter), 1, "only the live post is asked for");

    // The commit holds only the metrics files, with trailers.
    let head = w.git.head().unwrap().peel_to_commit().unwrap();
    let message = head.message().unwrap().to_string();
    assert!(message.starts_with("budkavle metrics pull: 2 snapshots"), "{message}");
    for needle in ["Budkavle-Platform: mastodon", "Budkavle-Platform: bluesky", "Budkavle-Snapshots: 2"] {
        assert!(message.contains(needle), "`{needle}` missing:\n{message}");
    }
    let parent = head.parent(0).unwrap();
    let diff = w.git.diff_tree_to_tree(Some(&parent.tree().unwrap()), Some(&head.tree().unwrap()), None).unwrap();
    let changed: Vec<String> =
        diff.deltas().map(|d| d.new_file().path().unwrap().to_string_lossy().into_owned()).collect();
    assert!(!changed.is_empty() && changed.iter().all(|p| p.starts_with("metrics/")), "{changed:?}");

    // A second run at once asks neither platform anything.
    let out = ok(&w.metrics_pull_at(&t1, &[]));
    assert!(out.contains("nothing was due"), "{out}");
    assert_eq!(lines(&w).len(), 2);
    assert_eq!(w.mastodon.counted(&counter), 1);
    assert_eq!(w.bluesky.stats().create_session, sessions + 1, "one login for the first run, none for the second");

    // +1 d with Mastodon rate-limited: Bluesky is read, Mastodon left for the next run.
    w.mastodon.clear_faults();
    w.mastodon.add_fault(&json!({
        "match": {"methods": ["GET"], "path": "/api/v1/statuses/*"},
        "effect": {"type": "ratelimit"},
        "count": 1
    }));
    let t2 = at(published, day + SignedDuration::from_mins(1));
    let out = ok(&w.metrics_pull_at(&t2, &["--budget", "5"]));
    assert!(out.contains("mastodon: stopped for this run"), "{out}");
    assert!(out.contains("429"), "{out}");
    let all = lines(&w);
    assert_eq!((of(&all, "vatten", "mastodon").len(), of(&all, "vatten", "bluesky").len()), (1, 2), "{all:#?}");

    // The next run resumes: Mastodon's +1 d snapshot, no second Bluesky one.
    let counter = w.mastodon.count_requests("GET", "/api/v1/statuses/*");
    let t3 = at(published, day + SignedDuration::from_mins(20));
    ok(&w.metrics_pull_at(&t3, &[]));
    let all = lines(&w);
    assert_eq!((of(&all, "vatten", "mastodon").len(), of(&all, "vatten", "bluesky").len()), (2, 2), "{all:#?}");
    assert_eq!(w.mastodon.counted(&counter), 1);
    assert!(of(&all, "sophamtning", "mastodon").is_empty() && of(&all, "sophamtning", "bluesky").is_empty());

    // What was written reads back as the latest value of each pair.
    let metrics = Metrics::read(w.repo.path()).unwrap();
    assert_eq!(metrics.latest("vatten", PlatformId::Bluesky).unwrap().quotes, Some(1));

    // After 90 days nothing is read any more.
    let out = ok(&w.metrics_pull_at(&at(published, day * 91), &[]));
    assert!(out.contains("nothing was due"), "{out}");
    assert_eq!(w.mastodon.counted(&counter), 1);
    assert_eq!(lines(&w).len(), 4);

    // No secret in any file written.
    for file in std::fs::read_dir(w.repo.path().join("metrics")).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        assert!(!text.contains(&w.mastodon.token) && !text.contains(&w.bluesky.password));
    }
}

/// The X client reads a batch of posts' counts from the X fake's `GET /2/tweets`: public
/// metrics for everyone, link clicks from the non-public ones of the author's own post, and a
/// post that is gone answers `None`.
#[test]
fn x_counts_come_from_public_and_non_public_metrics_in_one_batch() {
    use crate::common::fake_peer::FakePeer;
    use budkavle::clients::api::Outgoing;
    use budkavle::clients::http::Http;
    use budkavle::platform::Remote;

    let peer = FakePeer::start("x", &[]);
    let repo = crate::common::Repo::new("");
    let section = format!(
        "[platforms.x]\naccount = \"@testkommunen\"\napi_url = \"{}\"\napi_key_env = \"K\"\napi_secret_env = \"KS\"\naccess_token_env = \"T\"\naccess_secret_env = \"TS\"\n",
        peer.url
    );
    let strategy = crate::common::STRATEGY.replace("[platforms.x]\n", &section);
    repo.file("strategy.toml", strategy.as_bytes());
    let project = repo.load();
    let k = |f: &str| peer.ready["oauth1"][f].as_str().unwrap().to_string();
    let env = FakePeer::env(&[
        ("K", &k("consumer_key")),
        ("KS", &k("consumer_secret")),
        ("T", &k("access_token")),
        ("TS", &k("access_token_secret")),
    ]);
    let http = Http::new(std::time::Duration::from_secs(10)).unwrap();
    let mut x = budkavle::clients::connect(&project.strategy, PlatformId::X, &env, &http).unwrap();
    assert_eq!(x.counts_batch(), 100);

    let out = |key: &'static str, text: &'static str| Outgoing {
        key,
        text,
        facets: &[],
        lang: "sv",
        media: &[],
        reply_to: None,
        link: None,
    };
    let first = x.publish(&out("a", "Vattnet är tjänligt igen. Läs mer på https://www.testby.se/vatten")).unwrap();
    let second = x.publish(&out("b", "Sophämtningen är försenad en dag.")).unwrap();
    for (action, count) in [
        ("like", 3),
        ("retweet", 2),
        ("reply", 1),
        ("quote", 1),
        ("bookmark", 4),
        ("impressions", 250),
        ("url_click", 7),
    ] {
        peer.control("engage", json!({"post_id": first.id, "action": action, "count": count}));
    }
    let gone = Remote { id: "1999999999999999999".into(), url: None, parts: Vec::new() };

    let counts = x.counts(&[first.clone(), gone, second]).unwrap();
    let a = counts[0].as_ref().expect("the first post's counts");
    assert_eq!(
        (a.likes, a.reposts, a.replies, a.quotes, a.saves, a.views, a.clicks),
        (Some(3), Some(2), Some(1), Some(1), Some(4), Some(250), Some(7)),
        "{a:?}"
    );
    assert_eq!((a.reach, a.shares, a.followers), (None, None, None), "X gives none of these per post");
    assert!(counts[1].is_none(), "a post that is gone");
    let b = counts[2].as_ref().expect("the second post's counts");
    assert_eq!((b.likes, b.clicks), (Some(0), None), "no link, so no link clicks: {b:?}");
}

/// The Threads client reads a post's insights from the Threads fake with the six current
/// metric names; a deleted post answers `None`.
#[test]
fn threads_counts_come_from_the_media_insights() {
    use crate::publish_threads::{connect, start, text};

    let peer = start();
    let mut threads = connect(&peer);
    let post = threads.publish(&text("a", "Vattnet är tjänligt igen.")).unwrap();
    let gone = threads.publish(&text("b", "Fel vecka för sophämtningen.")).unwrap();
    threads.delete(&gone).unwrap();
    for (action, count) in [("view", 120), ("like", 5), ("repost", 2), ("share", 1), ("reply", 1), ("quote", 1)] {
        peer.control("engage", json!({"post_id": post.id, "action": action, "count": count}));
    }
    let counts = threads.counts(&[post, gone]).unwrap();
    let c = counts[0].as_ref().expect("the live post's counts");
    assert_eq!(
        (c.views, c.likes, c.reposts, c.shares, c.replies, c.quotes),
        (Some(120), Some(5), Some(2), Some(1), Some(1), Some(1)),
        "{c:?}"
    );
    assert_eq!((c.reach, c.clicks, c.saves, c.followers), (None, None, None, None));
    assert!(counts[1].is_none(), "a deleted post has no counts");
}

/// The Instagram client reads a post's insights with current metric names only (the fake, like
/// Graph, refuses the whole request over a retired one such as `impressions`).
#[test]
fn instagram_counts_come_from_the_media_insights_without_retired_metrics() {
    use crate::publish_instagram::{Archive, connect, jpeg, out, start, upload};

    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(1080, 1080);
    let url = archive.serve("/media/vatten.jpg", &bytes);
    let media = [upload(bytes, "image/jpeg", (1080, 1080), "Ett glas vatten", Some(url))];
    let mut instagram = connect(&peer);
    let post = instagram.publish(&out("a", "Vattnet är tjänligt igen.", &media)).unwrap();
    peer.control("engage", json!({"media_id": post.id, "action": "view", "count": 300, "unique": 210}));
    for (action, count) in [("like", 9), ("save", 3), ("share", 2), ("comment", 1)] {
        peer.control("engage", json!({"media_id": post.id, "action": action, "count": count}));
    }
    let counts = instagram.counts(std::slice::from_ref(&post)).unwrap();
    let c = counts[0].as_ref().expect("the post's counts");
    assert_eq!(
        (c.views, c.reach, c.likes, c.saves, c.shares, c.replies),
        (Some(300), Some(210), Some(9), Some(3), Some(2), Some(1)),
        "{c:?}"
    );
    assert_eq!((c.reposts, c.quotes, c.clicks), (None, None, None));
}

/// The Facebook client reads a Page post's insights with the metric names Meta serves since
/// 2025 (the fake refuses a retired `post_impressions`, failing the whole request, as Graph
/// does); reactions, comments and shares come from the action types.
#[test]
fn facebook_counts_come_from_the_current_page_post_insights() {
    use crate::publish_facebook::{connect, start, text};

    let peer = start();
    let mut facebook = connect(&peer);
    let post = facebook.publish(&text("a", "Vattnet är tjänligt igen.")).unwrap();
    peer.control("engage", json!({"post_id": post.id, "action": "view", "count": 500, "unique": 320}));
    peer.control("engage", json!({"post_id": post.id, "action": "click", "count": 12}));
    peer.control("engage", json!({"post_id": post.id, "action": "like", "count": 4}));
    peer.control("engage", json!({"post_id": post.id, "action": "share", "count": 2}));
    peer.control("engage", json!({"post_id": post.id, "action": "comment"}));
    let counts = facebook.counts(std::slice::from_ref(&post)).unwrap();
    let c = counts[0].as_ref().expect("the post's counts");
    assert_eq!(
        (c.views, c.reach, c.clicks, c.likes, c.shares, c.replies),
        (Some(500), Some(320), Some(12), Some(4), Some(2), Some(1)),
        "{c:?}"
    );
    assert_eq!((c.reposts, c.quotes, c.saves), (None, None, None));
}

/// The LinkedIn client reads a post's reactions and comments from `socialMetadata`, and its
/// impressions, unique impressions, clicks and reshares from the organisation share statistics
/// (one request for the batch); a post nobody saw is left out of LinkedIn's answer and has zeros.
#[test]
fn linkedin_counts_come_from_the_social_metadata_and_the_share_statistics() {
    use crate::publish_linkedin::{Linkedin, out};

    let li = Linkedin::start(&[]);
    let mut linkedin = li.connect();
    let post = linkedin.publish(&out("a", "Vattnet är tjänligt igen.")).unwrap();
    let quiet = linkedin.publish(&out("b", "Sophämtningen är försenad en dag.")).unwrap();
    li.peer.control("engage", json!({"action": "like", "post": post.id}));
    li.peer.control(
        "engage",
        json!({"action": "react", "reaction": "PRAISE", "post": post.id, "actor": "urn:li:person:annan"}),
    );
    li.peer.control("engage", json!({"action": "comment", "post": post.id, "text": "Tack!"}));
    li.peer.control("engage", json!({"action": "impression", "post": post.id, "count": 300, "unique": 210}));
    li.peer.control("engage", json!({"action": "click", "post": post.id, "count": 12}));
    li.peer.control("engage", json!({"action": "repost", "post": post.id, "count": 2}));
    let counts = linkedin.counts(&[post.clone(), quiet.clone()]).unwrap();
    let c = counts[0].as_ref().expect("the post's counts");
    assert_eq!(
        (c.likes, c.replies, c.views, c.reach, c.clicks, c.shares),
        (Some(2), Some(1), Some(300), Some(210), Some(12), Some(2)),
        "{c:?}"
    );
    assert_eq!((c.reposts, c.quotes, c.saves), (None, None, None));
    let q = counts[1].as_ref().expect("the quiet post's counts");
    assert_eq!((q.likes, q.views, q.reach, q.clicks, q.shares), (Some(0), Some(0), Some(0), Some(0), Some(0)), "{q:?}");
    let requests = li.peer.state()["requests"].as_array().unwrap().clone();
    let stats: Vec<&Value> =
        requests.iter().filter(|r| r["path"] == "/rest/organizationalEntityShareStatistics").collect();
    assert_eq!(stats.len(), 1, "one request for the batch: {stats:?}");
    let query = stats[0]["query"].as_str().unwrap();
    assert!(
        query.contains(&format!("shares=List({},{})", post.id.replace(':', "%3A"), quiet.id.replace(':', "%3A"))),
        "{query}"
    );
}

/// `budkavle metrics pull` through the CLI against the LinkedIn fake: the share statistics land
/// in the snapshot line; and two runs started together write each line once — the second
/// finds `metrics/` locked and says so, the way a second publisher finds the ledger locked.
#[test]
fn linkedin_metrics_pull_and_two_runs_at_once_write_each_line_once() {
    use crate::common::git::{T0, commit, init, merge_request};
    use crate::common::{Repo, STRATEGY, bin};
    use crate::publish_linkedin::Linkedin;

    let li = Linkedin::start(&[]);
    let token = li.peer.ready["token"].as_str().unwrap().to_string();
    let section = format!(
        "[platforms.linkedin]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"PULL_LINKEDIN_TOKEN\"\n",
        li.peer.url,
        li.peer.ready["organization"].as_str().unwrap()
    );
    let repo = Repo::new("");
    repo.file("strategy.toml", STRATEGY.replace("[platforms.linkedin]\n", &section).as_bytes());
    let git = init(repo.path());
    commit(&git, "Start", "Anna Berg", T0);
    repo.post(
        "vatten.md",
        "+++\ntitle = \"Vatten\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"linkedin\"]\n+++\n\nVattnet är tjänligt igen i hela Testby.\n",
    );
    merge_request(&git, 1, &["Bo Ek"], T0 + 3600);
    let run = |args: &[&str]| {
        let mut cmd = bin();
        cmd.arg("--root").arg(repo.path()).args(args).env("PULL_LINKEDIN_TOKEN", &token);
        cmd
    };
    let now = Timestamp::now();
    let published = run(&["publish", "--now", &now.to_string(), "--timeout", "10"]).output().unwrap();
    assert!(published.status.success(), "{}", String::from_utf8_lossy(&published.stderr));
    let ledger = budkavle::ledger::Ledger::read(repo.path()).unwrap();
    let state = ledger.state("vatten", PlatformId::Linkedin);
    let urn = state.remote.expect("published").id.clone();
    let at_publish = state.published.unwrap().at;
    li.peer.control("engage", json!({"action": "impression", "post": urn, "count": 500, "unique": 320}));
    li.peer.control("engage", json!({"action": "click", "post": urn, "count": 9}));
    li.peer.control("engage", json!({"action": "repost", "post": urn}));
    li.peer.control("engage", json!({"action": "like", "post": urn}));

    // The first run is slowed at LinkedIn while it holds the lock; the second starts meanwhile.
    li.peer.control("fault", json!({"method": "GET", "path": "/rest/socialMetadata", "mode": "delay", "seconds": 3}));
    let t1 = at(at_publish, SignedDuration::from_mins(61));
    let pull = || {
        run(&["metrics", "pull", "--now", &t1, "--timeout", "10"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = pull();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let second = pull().wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(!second.status.success(), "the second run stops");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("metrics/ is locked") && said.contains("another metrics pull is running"), "{said}");
    assert!(said.contains("Wait for it to finish"), "says what to do: {said}");

    let metrics_dir = repo.path().join("metrics");
    let mut text = String::new();
    for e in std::fs::read_dir(&metrics_dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "jsonl") {
            text += &std::fs::read_to_string(p).unwrap();
        }
    }
    let all: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(all.len(), 1, "one line for the one pair: {all:#?}");
    let l = &all[0];
    assert_eq!(
        (l["post"].as_str(), l["platform"].as_str(), l["remote"].as_str()),
        (Some("vatten"), Some("linkedin"), Some(urn.as_str()))
    );
    assert_eq!(
        (l["views"].as_u64(), l["reach"].as_u64(), l["clicks"].as_u64(), l["shares"].as_u64(), l["likes"].as_u64()),
        (Some(500), Some(320), Some(9), Some(1), Some(1)),
        "{l}"
    );
    assert!(l["reposts"].is_null() && l["quotes"].is_null() && l["saves"].is_null(), "{l}");

    // Run again at once, now that nobody holds the lock: nothing is due, nothing written.
    let again = run(&["metrics", "pull", "--now", &t1, "--timeout", "10"]).output().unwrap();
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing was due"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(Metrics::read(repo.path()).unwrap().pairs().count(), 1);
    // The lock file stays (removing it would race); `budkavle init`'s .gitignore ignores it.
    assert!(metrics_dir.join(".lock").exists());
    for output in [&first.stdout, &first.stderr, &second.stdout, &second.stderr] {
        assert!(!String::from_utf8_lossy(output).contains(&token), "a secret in the output");
    }
}
