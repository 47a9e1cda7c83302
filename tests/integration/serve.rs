//! `budkavle serve` over real HTTP (issue 7, item 3): the binary serves the archive and the
//! previews from a temporary repository, sends a server-sent event naming the changed pages
//! when a post file is edited, shows a broken post's error (file:line) instead of any page
//! and recovers when it is fixed; the built files in dist/ never carry the reload script.

use crate::common;
use crate::common::serve_support;

use std::time::{Duration, Instant};

use common::Repo;
use serve_support::{Events, get, start};

fn post(body: &str) -> String {
    format!(
        "+++\ntitle = \"Snöröjning\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\", \"bluesky\"]\n+++\n\n{body}\n"
    )
}

#[test]
fn serves_the_archive_and_previews_and_reloads_an_edited_post() {
    let repo = Repo::new("");
    let file = repo.post("snorojning.md", &post("Vi plogar i natt."));
    repo.post("annat.md", &post("Ett annat inlägg.").replace("Snöröjning", "Annat"));
    let server = start(repo.path());

    let index = get(&server.addr, "/previews/");
    assert_eq!(index.status, 200);
    assert!(index.body.contains("p/snorojning/index.html"), "{}", index.body);
    let page = get(&server.addr, "/previews/p/snorojning/index.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Vi plogar i natt."));
    assert!(page.body.contains("<script src=\"/__budkavle/reload.js?g="), "served pages reload");
    let archive = get(&server.addr, "/p/snorojning/");
    assert_eq!(archive.status, 200);
    assert!(archive.body.contains("Vi plogar i natt."));
    assert_eq!(get(&server.addr, "/__budkavle/reload.js").status, 200);
    assert_eq!(get(&server.addr, "/no/such/page/").status, 404);
    assert_eq!(get(&server.addr, "/previews/../strategy.toml").status, 400);

    // The built files are as `build` writes them: no reload script.
    let built = std::fs::read_to_string(repo.path().join("dist/previews/p/snorojning/index.html")).unwrap();
    assert!(built.contains("Vi plogar i natt.") && !built.contains("__budkavle"));
    assert!(
        !std::fs::read_to_string(repo.path().join("dist/site/p/snorojning/index.html")).unwrap().contains("__budkavle")
    );

    let mut events = Events::open(&server.addr);
    let started = Instant::now();
    std::fs::write(&file, post("Vi plogar i natt. Flytta bilen!")).unwrap();
    let data = events.wait_for_change("/previews/p/snorojning/index.html", Duration::from_secs(2));
    assert!(data.contains("\"/p/snorojning/index.html\""), "the archive page changed too: {data}");
    assert!(!data.contains("annat"), "other posts' pages are not rebuilt: {data}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(get(&server.addr, "/previews/p/snorojning/index.html").body.contains("Flytta bilen!"));
    assert!(get(&server.addr, "/p/snorojning/").body.contains("Flytta bilen!"));
}

#[test]
fn a_broken_post_shows_its_error_and_the_server_recovers() {
    let repo = Repo::new("");
    let file = repo.post("snorojning.md", &post("Vi plogar i natt."));
    let server = start(repo.path());
    let mut events = Events::open(&server.addr);

    std::fs::write(&file, "+++\ntitle = \"Snöröjning\"\ngoal = info\n+++\n\nText.\n").unwrap();
    // Generous: the 2 s promise is for edits (above); this is about what is shown.
    events.wait_for_change("*", Duration::from_secs(5));
    let page = get(&server.addr, "/previews/p/snorojning/index.html");
    assert_eq!(page.status, 500);
    assert!(page.body.contains("content/posts/snorojning.md:3:"), "file:line of the problem: {}", page.body);
    assert!(page.body.contains("<h1>"), "a page that says what is wrong");
    assert!(page.body.contains("__budkavle/reload.js"), "and reloads when fixed");
    assert_eq!(get(&server.addr, "/").status, 500, "every page shows it");

    std::fs::write(&file, post("Vi plogar i natt, rättat.")).unwrap();
    events.wait_for_change("*", Duration::from_secs(5));
    let page = get(&server.addr, "/previews/p/snorojning/index.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Vi plogar i natt, rättat."));
}

#[test]
fn a_broken_strategy_is_shown_too_and_recovers() {
    let repo = Repo::new("");
    repo.post("snorojning.md", &post("Vi plogar i natt."));
    let server = start(repo.path());
    let mut events = Events::open(&server.addr);
    let strategy = repo.path().join("strategy.toml");
    let good = std::fs::read_to_string(&strategy).unwrap();

    std::fs::write(&strategy, good.replace("[voice]", "[voice]\nnot_a_key = 1")).unwrap();
    events.wait_for_change("*", Duration::from_secs(5));
    let page = get(&server.addr, "/previews/");
    assert_eq!(page.status, 500);
    assert!(page.body.contains("strategy.toml:"), "{}", page.body);

    std::fs::write(&strategy, good).unwrap();
    events.wait_for_change("*", Duration::from_secs(5));
    assert_eq!(get(&server.addr, "/previews/").status, 200);
}

/// The next `change` event's data, skipping others.
fn next_change(events: &mut Events, within: Duration) -> String {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.next_event(left) {
            Some((name, data)) if name == "change" => return data,
            Some(_) => continue,
            None => break,
        }
    }
    panic!("no change event within {within:?}");
}

#[test]
fn an_edit_is_shown_first_and_the_previews_index_follows() {
    let repo = Repo::new("");
    let file = repo.post("snorojning.md", &post("Vi plogar i natt."));
    repo.post("annat.md", &post("Ett annat inlägg.").replace("Snöröjning", "Annat"));
    let server = start(repo.path());
    let mut events = Events::open(&server.addr);

    std::fs::write(&file, post("Vi plogar i natt.").replace("Snöröjning", "Snöröjning i natt")).unwrap();
    // First the post's own pages, which the reviewer looks at…
    let first = next_change(&mut events, Duration::from_secs(5));
    assert!(first.contains("\"/previews/p/snorojning/index.html\""), "{first}");
    assert!(first.contains("\"/p/snorojning/index.html\""), "{first}");
    assert!(!first.contains("\"/previews/index.html\""), "the index is not waited for: {first}");
    assert!(get(&server.addr, "/previews/p/snorojning/index.html").body.contains("Snöröjning i natt"));
    // …then the index of every post, with the new title in the post's row.
    let second = next_change(&mut events, Duration::from_secs(5));
    assert!(second.contains("\"/previews/index.html\""), "{second}");
    let generation = |data: &str| -> u64 {
        let v: serde_json::Value = serde_json::from_str(data).unwrap();
        v["generation"].as_u64().unwrap()
    };
    assert!(generation(&second) > generation(&first), "{first} then {second}");
    let index = get(&server.addr, "/previews/").body;
    assert!(index.contains("Snöröjning i natt") && index.contains("Annat"), "{index}");
}

/// A Mastodon post at `time` on 1 June 2027.
fn scheduled(title: &str, time: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2027-06-01T{time}:00\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\"]\n+++\n\n{body}\n"
    )
}

#[test]
fn moving_a_post_updates_what_the_schedule_rules_say_on_the_others() {
    let repo = Repo::new("[platforms.mastodon.cadence]\nmin_gap = \"2h\"\n");
    let strategy = repo.path().join("strategy.toml");
    let text =
        std::fs::read_to_string(&strategy).unwrap().replacen("[voice]\n", "[voice]\npacks = [\"strategy\"]\n", 1);
    std::fs::write(&strategy, text).unwrap();
    let a = repo.post("forst.md", &scheduled("Först", "09:00", "Först ut."));
    let b = repo.post("sedan.md", &scheduled("Sedan", "15:00", "Sedan."));
    let server = start(repo.path());
    let warned =
        |id: &str| get(&server.addr, &format!("/previews/p/{id}/index.html")).body.contains("strategy.collision");
    assert!(!warned("forst") && !warned("sedan"), "six hours apart");
    let mut events = Events::open(&server.addr);

    // The first post moves to an hour before the second: the second now follows too closely,
    // and its page says so without being edited.
    std::fs::write(&a, scheduled("Först", "14:00", "Först ut.")).unwrap();
    let data = events.wait_for_change("/previews/p/sedan/index.html", Duration::from_secs(5));
    // Straight after the edit, not from the background build (which also changes the
    // archive's lists and feeds).
    let v: serde_json::Value = serde_json::from_str(&data).unwrap();
    let paths: Vec<&str> = v["paths"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    assert!(paths.iter().all(|p| p.starts_with("/previews/")), "{data}");
    assert!(warned("sedan"), "{}", get(&server.addr, "/previews/p/sedan/index.html").body);
    assert!(!warned("forst"), "the earlier post is not the one that crowds");

    // An edit of the second post's text keeps the warning on its page from the first event on.
    std::fs::write(&b, scheduled("Sedan", "15:00", "Sedan, med mer text.")).unwrap();
    events.wait_for_change("/previews/p/sedan/index.html", Duration::from_secs(5));
    let page = get(&server.addr, "/previews/p/sedan/index.html").body;
    assert!(page.contains("med mer text") && page.contains("strategy.collision"), "{page}");

    // Moved back, the warning goes.
    std::fs::write(&a, scheduled("Först", "09:00", "Först ut.")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while warned("sedan") && Instant::now() < deadline {
        events.wait_for_change("/previews/p/sedan/index.html", deadline.saturating_duration_since(Instant::now()));
    }
    assert!(!warned("sedan"));
}

/// A dated post with tags, for the archive's lists, months and tag pages.
fn tagged(title: &str, date: &str, tags: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\"]\ntags = {tags}\n+++\n\n{body}\n"
    )
}

/// Every file of a built archive, by path relative to it.
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".budkavle-manifest")
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// A served HTML page without the reload script serve adds to it.
fn without_reload_script(body: &str) -> String {
    match body.find("<script src=\"/__budkavle/reload.js") {
        Some(start) => {
            let end = start + body[start..].find("</script>").unwrap() + "</script>".len();
            format!("{}{}", &body[..start], &body[end..])
        }
        None => body.to_string(),
    }
}

#[test]
fn after_an_edit_the_lists_tags_feeds_and_search_are_what_a_clean_build_makes() {
    let repo = Repo::new("");
    let file = repo.post(
        "snorojning.md",
        &tagged("Snöröjning", "2027-01-10T08:00:00", "[\"vinter\", \"plogning\"]", "Vi plogar."),
    );
    repo.post("annat.md", &tagged("Annat", "2027-01-12T09:00:00", "[\"vinter\", \"trafik\"]", "Ett annat inlägg."));
    repo.post("tidigare.md", &tagged("Tidigare", "2026-12-20T10:00:00", "[\"trafik\"]", "Ett tidigare inlägg."));
    let git = common::git::init(repo.path());
    common::git::commit(&git, "Inlägg", "Anna", common::git::T0);
    // The archive's clock, fixed for serve and the clean build alike.
    let now = ("BUDKAVLE_NOW", std::ffi::OsStr::new("2027-02-01T08:00:00Z"));
    let server = serve_support::start_with_env(repo.path(), &[now]);
    assert!(get(&server.addr, "/tags/vinter/").body.contains("Snöröjning"));
    assert_eq!(get(&server.addr, "/tags/plogning/").status, 200);
    let mut events = Events::open(&server.addr);

    // A new title and a tag swapped for a new one, not committed.
    std::fs::write(&file, tagged("Snöröjning i hela kommunen", "2027-01-10T08:00:00", "[\"halka\"]", "Vi plogar."))
        .unwrap();
    // The event that carries the archive's list page; generous, as this is about what is shown.
    let data = events.wait_for_change("/index.html", Duration::from_secs(30));
    assert!(!data.contains("\"*\""), "the edit is valid: {data}");
    assert!(data.contains("\"/tags/halka/index.html\""), "the new tag's page came with the lists: {data}");

    // A clean build of the same files, in a copy of the repository (its own cache, its own
    // dist/), at the same time.
    let clean = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo.path()).unwrap().map(Result::unwrap) {
        let name = entry.file_name();
        if name != "dist" && name != ".budkavle" {
            let to = clean.path().join(&name);
            if entry.file_type().unwrap().is_dir() {
                common::copy_dir(&entry.path(), &to);
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
    }
    let out = clean.path().join("out");
    let built = common::bin()
        .env(now.0, now.1)
        .arg("--root")
        .arg(clean.path())
        .args(["build", "--only", "site", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let clean_site = files_of(&out.join("site"));

    // The pages the edit changes without touching them: the list, the tags (new, old, kept),
    // the month, the feeds, the search index, the sitemap.
    for path in [
        "index.html",
        "tags/index.html",
        "tags/halka/index.html",
        "tags/vinter/index.html",
        "feed.atom",
        "feed.json",
        "search-index.json",
        "sitemap.xml",
    ] {
        assert!(clean_site.contains_key(path), "the clean build has {path}");
    }
    assert!(!clean_site.contains_key("tags/plogning/index.html"), "no post has that tag any longer");
    let list = String::from_utf8(clean_site["index.html"].clone()).unwrap();
    assert!(list.contains("Snöröjning i hela kommunen"), "{list}");
    assert!(!String::from_utf8_lossy(&clean_site["tags/vinter/index.html"]).contains("Snöröjning"));

    // Every file of the archive, as served, is the clean build's, byte for byte (HTML pages
    // but for the reload script serve adds as it serves them).
    for (path, bytes) in &clean_site {
        let served = get(&server.addr, &format!("/{path}"));
        assert_eq!(served.status, 200, "/{path}");
        let expected = String::from_utf8(bytes.clone()).unwrap();
        let body = if path.ends_with(".html") { without_reload_script(&served.body) } else { served.body };
        assert_eq!(body, expected, "/{path} as served after the edit");
    }
    // …and nothing more: the page of a tag no post has any longer is gone.
    assert_eq!(get(&server.addr, "/tags/plogning/").status, 404);
    for tag in ["halka", "vinter", "trafik"] {
        assert_eq!(get(&server.addr, &format!("/tags/{tag}/")).status, 200, "{tag}");
    }

    // dist/site follows: the same files as the clean build, once serve has written them.
    let deadline = Instant::now() + Duration::from_secs(30);
    let dist = repo.path().join("dist/site");
    while files_of(&dist) != clean_site && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let written = files_of(&dist);
    assert_eq!(written.keys().collect::<Vec<_>>(), clean_site.keys().collect::<Vec<_>>());
    for (path, bytes) in &clean_site {
        assert!(written[path] == *bytes, "dist/site/{path} differs from the clean build");
    }
}
