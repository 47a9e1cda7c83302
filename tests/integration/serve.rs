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
