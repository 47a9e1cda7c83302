//! `/inbox/` in `budkavle serve` over real HTTP (issue 14, item 9): a copy of the example
//! repository with the example ledger, a store in a temporary folder filled by `budkavle inbox
//! import` of realistic items, and the server started on it. The queue is the CLI's queue (order,
//! counts, filters); an item shows its versions, kinds with rules, the post it answers and its
//! thread; actions are POSTs with the page's token, done once and logged; forged requests (no
//! token, a wrong one, another origin, another site, a rebinding Host) are refused and log
//! nothing; GET never changes anything. Then the axe gate and Chromium end to end.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::common::browser::{browser, crate_root, preflight};
use crate::common::fake_peer::FakePeer;
use crate::common::git::{T0, commit, init, merge_request};
use crate::common::mastodon_peer::MastodonPeer;
use crate::common::serve_support::{Server, start_with_env};
use crate::common::world::plain;
use crate::common::{Repo, STRATEGY, bin, copy_dir};

/// Tuesday 24 November 2026, 11:00 in Stockholm: yesterday's items are overdue.
const NOW: &str = "2026-11-24T10:00:00Z";
const ACTOR: &str = "Kim Kommunikatör";
/// The example ledger's Mastodon post (tests/fixtures/ledger/example).
const POST: &str = "2026-11-snorojning-storgatan";

/// Citizens' messages as a platform export has them: Swedish and English, several
/// platforms, a thread under the example's post, a personnummer, markup that must stay text.
const ITEMS: &[&str] = &[
    r#"{"platform": "mastodon", "id": "200001", "author": "@anna@social.example", "text": "När kommer plogbilen till Björkvägen? Vi har inte kunnat ta oss ut sedan i morse.", "at": "2026-11-23T13:05:00Z", "in_reply_to": "id-2026-11-snorojning-storgatan", "url": "https://social.example/@anna/200001"}"#,
    r#"{"platform": "mastodon", "id": "200002", "author": "@bengt@social.example", "text": "Helt oacceptabelt att gång- och cykelvägen vid Ängsparken inte är sandad. <b>Skärpning!</b>", "at": "2026-11-23T14:20:00Z", "in_reply_to": "id-2026-11-snorojning-storgatan"}"#,
    r#"{"platform": "mastodon", "id": "200003", "author": "@cissi@social.example", "text": "@anna Samma här, mitt personnummer är 19121212-1212 om ni behöver det.", "at": "2026-11-24T07:40:00Z", "in_reply_to": "200001"}"#,
    r#"{"platform": "facebook", "id": "c-9001", "author": "Farid Haddad", "text": "Hej! Vilka tider har återvinningscentralen i helgen?", "at": "2026-11-24T08:10:00Z"}"#,
    r#"{"platform": "bluesky", "id": "at://did:plc:4kz/app.bsky.feed.post/3l2", "author": "david.bsky.social", "text": "Tack till snöröjarna som var ute redan kl 4 i morse! Grymt jobb.", "at": "2026-11-24T09:00:00Z", "in_reply_to": "id-2026-11-snorojning-storgatan"}"#,
    r#"{"platform": "x", "id": "1861000000000000001", "author": "@greta_n", "text": "How do I apply for a residents' parking permit in the centre?", "at": "2026-11-24T09:30:00Z"}"#,
];

/// Later: Anna edits her question, and the Facebook comment is deleted by its author.
const LATER: &[&str] = &[
    r#"{"platform": "mastodon", "id": "200001", "author": "@anna@social.example", "text": "När kommer plogbilen till Björkvägen? Vi har inte kunnat ta oss ut sedan i morse, och bussen går inte.", "at": "2026-11-23T13:05:00Z", "in_reply_to": "id-2026-11-snorojning-storgatan", "url": "https://social.example/@anna/200001"}"#,
    r#"{"platform": "facebook", "id": "c-9001", "author": "Farid Haddad", "text": "Hej! Vilka tider har återvinningscentralen i helgen?", "at": "2026-11-24T08:10:00Z", "deleted": true}"#,
];

pub(crate) struct World {
    pub repo: tempfile::TempDir,
    pub data: tempfile::TempDir,
    /// More environment for the commands and the server (a platform's token).
    extra: Vec<(&'static str, String)>,
    /// Whether the clock is fixed at [`NOW`] (else it is the real one).
    fixed: bool,
}

impl World {
    /// The example repository with the example ledger and an empty store beside it.
    pub(crate) fn new() -> World {
        let repo = tempfile::tempdir().expect("temp dir");
        for name in ["strategy.toml", "content", "themes"] {
            let from = crate_root().join(name);
            if from.is_dir() {
                copy_dir(&from, &repo.path().join(name));
            } else {
                std::fs::copy(&from, repo.path().join(name)).expect("copy");
            }
        }
        copy_dir(&crate_root().join("tests/fixtures/ledger/example/ledger"), &repo.path().join("ledger"));
        World { repo, data: tempfile::tempdir().expect("temp dir"), extra: Vec::new(), fixed: true }
    }

    fn store(&self) -> PathBuf {
        self.data.path().join("inbox/inbox.sqlite3")
    }

    fn env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        let mut env = vec![("BUDKAVLE_INBOX_STORE", self.store().into_os_string()), ("BUDKAVLE_ACTOR", ACTOR.into())];
        if self.fixed {
            env.push(("BUDKAVLE_NOW", NOW.into()));
        }
        env.extend(self.extra.iter().map(|(k, v)| (*k, v.into())));
        env
    }

    pub(crate) fn cli(&self, args: &[&str]) -> Output {
        bin().arg("--root").arg(self.repo.path()).args(args).envs(self.env()).output().expect("run budkavle")
    }

    pub(crate) fn import(&self, lines: &[&str]) {
        let file = self.data.path().join("export.jsonl");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let out = self.cli(&["inbox", "import", file.to_str().unwrap()]);
        assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub(crate) fn serve(&self) -> Server {
        let env = self.env();
        let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        start_with_env(self.repo.path(), &env)
    }

    /// The CLI's queue as JSON, with these extra arguments.
    fn queue(&self, args: &[&str]) -> Value {
        let mut all = vec!["inbox", "--format", "json", "--all"];
        all.extend(args);
        let out = self.cli(&all);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `inbox show` of an item: its versions, status and actions.
    fn show(&self, item: &str) -> Value {
        let out = self.cli(&["inbox", "show", item]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The number of an item, by platform:id.
    fn key(&self, name: &str) -> i64 {
        self.show(name)["key"].as_i64().unwrap()
    }
}

pub(crate) struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One HTTP/1.1 request with exactly these headers (`Host` included when wanted).
pub(crate) fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read the answer");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Answer { status, head: head.to_string(), body: body.to_string() }
}

fn get(addr: &str, path: &str) -> Answer {
    request(addr, "GET", path, &[("Host", addr)], "")
}

/// A form POST as a browser on the page sends it.
fn post_form(addr: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let origin = format!("http://{addr}");
    request(
        addr,
        "POST",
        path,
        &[
            ("Host", addr),
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
}

fn token(page: &str) -> String {
    let at = page.find("name=\"token\" value=\"").expect("a token in the page's forms") + 20;
    page[at..at + 64].to_string()
}

/// The item numbers linked from the queue page, in order.
fn listed(page: &str) -> Vec<i64> {
    let list =
        &page[page.find("<ol class=\"items\"").unwrap_or(0)..page.find("id=\"supervision\"").unwrap_or(page.len())];
    list.split("<h3><a href=\"/inbox/").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect()
}

fn keys(queue: &Value) -> Vec<i64> {
    queue["items"].as_array().unwrap().iter().map(|i| i["key"].as_i64().unwrap()).collect()
}

#[test]
fn the_queue_is_the_cli_queue_by_due_time_with_filters_and_counts() {
    let w = World::new();
    w.import(ITEMS);
    let server = w.serve();
    let page = get(&server.addr, "/inbox/");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("Cache-Control").as_deref(), Some("no-store"));
    assert!(page.header("Content-Security-Policy").is_some_and(|c| c.contains("frame-ancestors 'none'")));
    let all = w.queue(&[]);
    assert_eq!(listed(&page.body), keys(&all), "the same order as `budkavle inbox`: due first");
    assert_eq!(keys(&all).len(), ITEMS.len());
    assert!(
        page.body.contains(&format!(
            "<strong>{}</strong> open, <strong class=\"late\">{}</strong> overdue",
            all["open"], all["overdue"]
        )),
        "{}",
        page.body
    );
    assert_eq!(all["overdue"], 2, "yesterday's two Mastodon items");
    assert_eq!(page.body.matches("<strong class=\"late\">Overdue</strong> by").count(), 2, "overdue said in words");
    assert!(
        page.body.contains("&lt;b&gt;Skärpning!&lt;/b&gt;") && !page.body.contains("<b>Skärpning"),
        "citizens' markup is text"
    );
    assert!(page.body.contains("••••••••-••••") && !page.body.contains("19121212-1212"), "identity numbers masked");

    for (query, args) in [
        ("?kind=question", vec!["--kind", "question"]),
        ("?kind=criticism", vec!["--kind", "criticism"]),
        ("?platform=mastodon", vec!["--platform", "mastodon"]),
        ("?kind=question&platform=x", vec!["--kind", "question", "--platform", "x"]),
        ("?kind=&platform=", vec![]),
    ] {
        let page = get(&server.addr, &format!("/inbox/{query}"));
        assert_eq!(page.status, 200);
        let cli = w.queue(&args);
        assert!(!keys(&cli).is_empty() || query.contains("criticism"), "{query} finds something");
        assert_eq!(listed(&page.body), keys(&cli), "{query}");
        assert!(page.body.contains(&format!("<strong>{}</strong> open", cli["open"])), "{query}");
    }
    let page = get(&server.addr, "/inbox/?kind=question");
    assert!(page.body.contains("<option value=\"question\" selected>"), "the form shows the filter in use");
    assert_eq!(get(&server.addr, "/inbox/?kind=rumour").status, 400);
    assert_eq!(get(&server.addr, "/inbox").status, 303);
    assert_eq!(get(&server.addr, "/inbox/999").status, 404);
    assert_eq!(get(&server.addr, "/inbox/inbox.css").status, 200);
}

#[test]
fn an_item_shows_its_versions_kinds_post_thread_and_log() {
    let w = World::new();
    w.import(ITEMS);
    w.import(LATER);
    let server = w.serve();
    let anna = w.key("mastodon:200001");
    let cissi = w.key("mastodon:200003");
    let bengt = w.key("mastodon:200002");

    let page = get(&server.addr, &format!("/inbox/{anna}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    assert!(b.contains("What was written (2 versions)"), "{b}");
    assert!(b.contains("Vi har inte kunnat ta oss ut sedan i morse.</blockquote>"), "the first version is kept");
    assert!(b.contains("och bussen går inte.</blockquote>"), "and the edit");
    assert!(b.contains("<strong>Edited</strong>"));
    assert!(b.contains("<strong>question</strong>, rule <code>"), "the kind with its rule: {b}");
    assert!(b.contains("<strong class=\"late\">Overdue</strong>"));
    assert!(
        b.contains(&format!("<a href=\"/p/{POST}/\">Parkeringsförbud på Storgatan när vi kör bort snö</a>")),
        "the post it answers, linked to its archive page: {b}"
    );
    assert!(b.contains("href=\"https://social.exempelstad.se/@kommunen/113501\""), "and the post on the platform");
    for other in [cissi, bengt] {
        assert!(b.contains(&format!("<a href=\"/inbox/{other}\">Item {other}</a>")), "{other} is in the thread: {b}");
    }
    let bluesky = w.key("bluesky:at://did:plc:4kz/app.bsky.feed.post/3l2");
    assert!(!b.contains(&format!("/inbox/{bluesky}\"")), "another platform's reply to the same post is another thread");
    assert!(b.contains("Nothing done yet."));

    // A reply to a reply finds the post through it.
    let page = get(&server.addr, &format!("/inbox/{cissi}"));
    assert!(page.body.contains(&format!("href=\"/p/{POST}/\"")), "{}", page.body);
    assert!(
        page.body.contains("<strong>personal-data</strong>, rule <code>privacy.personnummer</code>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("19121212-1212"));

    let farid = w.key("facebook:c-9001");
    let page = get(&server.addr, &format!("/inbox/{farid}"));
    assert!(page.body.contains("<strong>Deleted by its author</strong>"), "{}", page.body);
    assert!(page.body.contains("Not a reply"), "{}", page.body);
}

#[test]
fn a_template_saved_in_strategy_toml_is_offered_on_the_next_page() {
    let w = World::new();
    w.import(ITEMS);
    let server = w.serve();
    let anna = w.key("mastodon:200001");
    let option = "<option value=\"helg\">helg</option>";
    let page = get(&server.addr, &format!("/inbox/{anna}"));
    assert!(page.body.contains("<option value=\"tack\">tack</option>") && !page.body.contains(option), "{}", page.body);

    let strategy = w.repo.path().join("strategy.toml");
    let text = std::fs::read_to_string(&strategy).unwrap();
    let added = text.replace("[interaction.templates]\n", "[interaction.templates]\nhelg = \"Vi svarar på måndag.\"\n");
    assert_ne!(added, text);
    std::fs::write(&strategy, added).unwrap();
    let page = get(&server.addr, &format!("/inbox/{anna}"));
    assert!(page.body.contains(option), "the saved template at once: {}", page.body);
}

#[test]
fn resolve_and_hold_with_the_token_are_done_once_logged_and_redirected() {
    let w = World::new();
    w.import(ITEMS);
    let server = w.serve();
    let anna = w.key("mastodon:200001");
    let page = get(&server.addr, &format!("/inbox/{anna}"));
    let token = token(&page.body);

    let done = post_form(
        &server.addr,
        &format!("/inbox/{anna}/resolve"),
        &[("token", &token), ("note", "Svarat per telefon")],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("Location").as_deref(), Some(format!("/inbox/{anna}?done=resolve").as_str()));
    let shown = w.show("mastodon:200001");
    assert_eq!(shown["status"], "resolved");
    let actions = shown["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!((actions[0]["action"].as_str(), actions[0]["by"].as_str()), (Some("resolve"), Some(ACTOR)));
    assert_eq!(actions[0]["note"], "Svarat per telefon");

    let page = get(&server.addr, &format!("/inbox/{anna}?done=resolve"));
    assert!(page.body.contains("role=\"status\">Resolved. The action is logged."), "{}", page.body);
    assert!(page.body.contains("<strong class=\"done\">Resolved</strong>"));
    // Resolved at NOW, 1 h 25 min after it was due (Monday's question, 09:35 Tuesday).
    assert!(page.body.contains("<strong class=\"late\">1 h 25 min after the due time</strong>"), "{}", page.body);
    assert!(
        page.body.contains(&format!("<td>resolve</td><td>{ACTOR}</td><td>Svarat per telefon</td>")),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("/inbox/{anna}/resolve")), "no resolve form on a resolved item");
    assert!(!listed(&get(&server.addr, "/inbox/").body).contains(&anna), "off the queue");

    // Exactly once: a second resolve (an old tab) is refused and says why, logging nothing.
    let again = post_form(&server.addr, &format!("/inbox/{anna}/resolve"), &[("token", &token), ("note", "igen")]);
    assert_eq!(again.status, 409);
    assert!(again.body.contains("role=\"alert\"") && again.body.contains("already resolved"), "{}", again.body);
    assert_eq!(w.show("mastodon:200001")["actions"].as_array().unwrap().len(), 1);
    // A resolve without a note is refused, and the page keeps what was typed elsewhere.
    let bengt = w.key("mastodon:200002");
    let empty = post_form(&server.addr, &format!("/inbox/{bengt}/resolve"), &[("token", &token), ("note", "  ")]);
    assert_eq!(empty.status, 409);
    assert!(empty.body.contains("the note is empty"), "{}", empty.body);

    let held = post_form(
        &server.addr,
        &format!("/inbox/{bengt}/hold"),
        &[("token", &token), ("note", "Begäran om allmän handling")],
    );
    assert_eq!(held.status, 303);
    assert_eq!(w.show("mastodon:200002")["hold"], true);
    let page = get(&server.addr, &format!("/inbox/{bengt}"));
    assert!(page.body.contains("Release from legal hold"), "{}", page.body);
    // The same form again (a second tab): nothing changes, and the page says so.
    let twice = post_form(&server.addr, &format!("/inbox/{bengt}/hold"), &[("token", &token), ("note", "igen")]);
    assert_eq!(twice.header("Location").as_deref(), Some(format!("/inbox/{bengt}?done=hold-unchanged").as_str()));
    assert_eq!(w.show("mastodon:200002")["actions"].as_array().unwrap().len(), 1);

    let reviewed = post_form(&server.addr, "/inbox/reviewed", &[("token", &token), ("platform", "mastodon")]);
    assert_eq!(reviewed.status, 303);
    let queue = w.queue(&[]);
    let mastodon = queue["supervision"].as_array().unwrap().iter().find(|s| s["platform"] == "mastodon").unwrap();
    assert_eq!(mastodon["by"], ACTOR);
    assert_eq!(mastodon["overdue"], false);
    let nobody = post_form(&server.addr, "/inbox/reviewed", &[("token", &token), ("platform", "myspace")]);
    assert_eq!(nobody.status, 409);
}

#[test]
fn a_reply_or_hide_that_cannot_go_says_why_and_sends_and_logs_nothing() {
    let w = World::new();
    w.import(ITEMS);
    w.import(LATER);
    let server = w.serve();
    let addr = server.addr.as_str();
    let anna = w.key("mastodon:200001");
    let page = get(addr, &format!("/inbox/{anna}"));
    assert!(page.body.contains("<select id=\"reply-template\" name=\"template\">"), "{}", page.body);
    assert!(page.body.contains("<option value=\"oppettider\">oppettider</option>"), "the example's templates");
    let token = token(&page.body);

    // A reply with a personnummer is refused by the checks, and the text is kept to fix.
    let text = "Hej Anna! Vi har noterat ditt ärende under 19121212-1212.";
    let refused =
        post_form(addr, &format!("/inbox/{anna}/reply"), &[("token", &token), ("text", text), ("template", "")]);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("role=\"alert\"><p><strong>Not done:</strong> the reply to item"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("personnummer"), "says which rule: {}", refused.body);
    assert!(refused.body.contains(&format!("name=\"text\">{text}</textarea>")), "the text is kept");
    // Both a template and a text: which one was meant is not guessed.
    let both = post_form(
        addr,
        &format!("/inbox/{anna}/reply"),
        &[("token", &token), ("text", "Hej!"), ("template", "oppettider")],
    );
    assert_eq!(both.status, 409);
    assert!(both.body.contains("not both"), "{}", both.body);
    assert!(both.body.contains("<option value=\"oppettider\" selected>"), "the choice is kept");
    // Mastodon cannot hide replies: said in words, with what to do instead.
    let hide = post_form(addr, &format!("/inbox/{anna}/hide"), &[("token", &token), ("note", "Hot")]);
    assert_eq!(hide.status, 409);
    assert!(hide.body.contains("Mastodon cannot hide replies"), "{}", hide.body);
    // A template the account has no token for: the missing secret is named, nothing sent.
    let unsent = post_form(
        addr,
        &format!("/inbox/{anna}/reply"),
        &[("token", &token), ("template", "oppettider"), ("text", "")],
    );
    assert_eq!(unsent.status, 409, "{}", unsent.body);
    assert!(unsent.body.contains("role=\"alert\""), "{}", unsent.body);

    let shown = w.show("mastodon:200001");
    assert_eq!(shown["status"], "open");
    assert!(shown["actions"].as_array().unwrap().is_empty(), "nothing logged: {shown}");
    assert!(shown["sends"].as_array().unwrap().is_empty(), "nothing sent or begun: {shown}");
    // An item its author deleted has nothing to answer.
    let farid = w.key("facebook:c-9001");
    assert!(!get(addr, &format!("/inbox/{farid}")).body.contains("/reply\""));
}

#[test]
fn forged_requests_are_refused_and_get_never_changes_anything() {
    let w = World::new();
    w.import(ITEMS);
    let server = w.serve();
    let addr = server.addr.as_str();
    let anna = w.key("mastodon:200001");
    let page = get(addr, &format!("/inbox/{anna}"));
    let token = token(&page.body);
    let path = format!("/inbox/{anna}/resolve");
    let form = |t: &str| format!("token={t}&note=forged");
    let kind = ("Content-Type", "application/x-www-form-urlencoded");
    let origin = format!("http://{addr}");

    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, String);
    let cases: Vec<Case<'_>> = vec![
        ("no token", vec![("Host", addr), kind], "note=forged".to_string()),
        ("a wrong token", vec![("Host", addr), kind], form(&"0".repeat(64))),
        ("a token one character short", vec![("Host", addr), kind], form(&token[..63])),
        ("another origin", vec![("Host", addr), ("Origin", "http://evil.example"), kind], form(&token)),
        ("an opaque origin", vec![("Host", addr), ("Origin", "null"), kind], form(&token)),
        ("another local port", vec![("Host", addr), ("Origin", "http://127.0.0.1:1"), kind], form(&token)),
        ("cross-site", vec![("Host", addr), ("Sec-Fetch-Site", "cross-site"), kind], form(&token)),
        ("same-site", vec![("Host", addr), ("Sec-Fetch-Site", "same-site"), kind], form(&token)),
        ("DNS rebinding", vec![("Host", "evil.example"), ("Origin", "http://evil.example"), kind], form(&token)),
        ("no Host", vec![kind], form(&token)),
    ];
    for (what, headers, body) in &cases {
        let answer = request(addr, "POST", &path, headers, body);
        assert_eq!(answer.status, 403, "{what}: {}", answer.body);
        assert!(!answer.head.contains("Location"), "{what}");
    }
    // A form that is not one: a JSON body, even with the token.
    let json = request(
        addr,
        "POST",
        &path,
        &[("Host", addr), ("Origin", &origin), ("Content-Type", "text/plain")],
        &form(&token),
    );
    assert_eq!(json.status, 415);
    // GET never acts, whatever it carries.
    for get_path in [format!("{path}?token={token}&note=x"), format!("/inbox/{anna}?token={token}&note=x&done=resolve")]
    {
        let answer = get(addr, &get_path);
        assert_ne!(answer.status, 303, "{get_path}");
    }
    for _ in 0..3 {
        get(addr, "/inbox/");
        get(addr, &format!("/inbox/{anna}"));
    }
    let shown = w.show("mastodon:200001");
    assert_eq!(shown["status"], "open");
    assert!(shown["actions"].as_array().unwrap().is_empty(), "nothing logged: {shown}");
    let queue = w.queue(&[]);
    assert!(queue["supervision"].as_array().unwrap().iter().all(|s| s["by"].is_null()), "no review logged");

    // The rebinding Host is refused on every path of serve, not only the inbox.
    for p in ["/inbox/", "/", "/previews/"] {
        assert_eq!(request(addr, "GET", p, &[("Host", "evil.example:8000")], "").status, 403, "{p}");
    }
    assert_eq!(request(addr, "GET", "/inbox/", &[("Host", "localhost")], "").status, 200);
}

#[test]
fn the_inbox_pages_pass_axe_in_light_and_dark_and_reflow() {
    preflight();
    let w = World::new();
    w.import(ITEMS);
    w.import(LATER);
    let server = w.serve();
    let anna = w.key("mastodon:200001");
    let farid = w.key("facebook:c-9001");
    // One item with a log, so the table is checked too.
    let token = token(&get(&server.addr, "/inbox/").body);
    let held = post_form(&server.addr, &format!("/inbox/{farid}/hold"), &[("token", &token), ("note", "Utredning")]);
    assert_eq!(held.status, 303);
    let base = format!("http://{}", server.addr);
    let args = vec![
        "/inbox/".to_string(),
        "/inbox/?kind=question&platform=mastodon".to_string(),
        format!("/inbox/{anna}"),
        format!("/inbox/{farid}?done=hold"),
        "--reflow".to_string(),
    ];
    let run = browser("axe.mjs", &base, &args);
    assert_eq!(
        run.code, 0,
        "axe-core found violations on an inbox page, or one scrolls sideways at 320 px:\n{}",
        run.output
    );
}

/// The example's answer to a question about the ice rink, as `[interaction.templates]` has it.
const TEMPLATE: (&str, &str) = ("isbanan", "Hej! Isbanan är öppen för skolklasser vardagar 8–12. Välkomna!");
const TOKEN_ENV: &str = "TEST_MASTODON_TOKEN";

#[test]
fn an_officer_answers_a_citizen_on_mastodon_in_chromium() {
    preflight();
    let peer = MastodonPeer::start();
    // A repository in git whose Mastodon account is the peer's, with a reply template.
    let repo = Repo::new("");
    let mastodon = format!("instance = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n", peer.url);
    let strategy = STRATEGY.replace("instance = \"https://social.testby.se\"\n", &mastodon)
        + &format!(
            "\n[review]\napprovals = 1\n\n[interaction]\nresponse_time = \"4h\"\n\n[interaction.templates]\n{} = \"{}\"\n",
            TEMPLATE.0, TEMPLATE.1
        );
    repo.file("strategy.toml", strategy.as_bytes());
    let git = init(repo.path());
    commit(&git, "Start", "Anna Berg", T0);
    repo.file(
        "content/posts/isbanan.md",
        "+++\ntitle = \"Isbanan på Stortorget öppnar\"\ndate = 2026-11-30T09:00:00\nlang = \"sv\"\nplatforms = [\"mastodon\"]\n+++\n\nIsbanan på Stortorget öppnar på lördag. Skridskor finns att låna.\n".as_bytes(),
    );
    merge_request(&git, 1, &["Bo Ek"], T0 + 3600);
    let published = bin()
        .arg("--root")
        .arg(repo.path())
        .args(["publish", "--now", "2026-12-01T12:00:00Z", "--timeout", "10"])
        .env(TOKEN_ENV, &peer.token)
        .output()
        .unwrap();
    assert!(published.status.success(), "publish: {}", String::from_utf8_lossy(&published.stderr));
    let ledger = budkavle::ledger::Ledger::read(repo.path()).unwrap();
    let post = ledger.entries().iter().find_map(|e| e.remote.clone()).expect("the post's status in the ledger").id;

    // The seeded citizen answers the post; the item comes in with its real id.
    let question = "Hej! Är isbanan öppen för skolklasser på förmiddagarna?";
    peer.engage(&post, false, false, &[question]);
    let context = peer.get(&format!("/api/v1/statuses/{post}/context")).expect("the post's context");
    let status = &context["descendants"][0];
    let citizen = status["id"].as_str().expect("the citizen's reply").to_string();
    let line = serde_json::json!({
        "platform": "mastodon",
        "id": citizen,
        "author": format!("@{}", status["account"]["acct"].as_str().unwrap_or("invanare")),
        "text": question,
        "at": status["created_at"],
        "in_reply_to": post,
        "url": status["url"],
    });
    let w = World {
        repo: repo.dir,
        data: tempfile::tempdir().unwrap(),
        extra: vec![(TOKEN_ENV, peer.token.clone())],
        fixed: false,
    };
    w.import(&[&line.to_string()]);
    let key = w.key(&format!("mastodon:{citizen}"));
    let server = w.serve();
    let page = get(&server.addr, &format!("/inbox/{key}"));
    assert!(
        page.body.contains("href=\"/p/isbanan/\">Isbanan på Stortorget öppnar</a>"),
        "the post it answers: {}",
        page.body
    );
    let base = format!("http://{}", server.addr);
    let args = vec![format!("--item={key}"), "--mode=reply".to_string(), format!("--template={}", TEMPLATE.0)];
    let run = browser("inbox_answer.mjs", &base, &args);
    assert_eq!(run.code, 0, "answering in the browser did not work:\n{}\n{}", run.output, peer.log());

    // On the server: the account's reply to the citizen's status, with the template's text.
    let context = peer.get(&format!("/api/v1/statuses/{citizen}/context")).expect("the citizen's context");
    let answers: Vec<&Value> = context["descendants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["in_reply_to_id"].as_str() == Some(citizen.as_str()))
        .collect();
    assert_eq!(answers.len(), 1, "exactly one answer: {context}");
    assert_eq!(answers[0]["account"]["id"].as_str(), Some(peer.account_id.as_str()), "from the organisation's account");
    assert!(
        plain(answers[0]["content"].as_str().unwrap()).contains("Isbanan är öppen för skolklasser"),
        "{}",
        answers[0]
    );
    let shown = w.show(&format!("mastodon:{citizen}"));
    assert_eq!(shown["status"], "resolved");
    let reply = shown["actions"].as_array().unwrap().iter().find(|a| a["action"] == "reply").expect("a reply logged");
    assert_eq!(reply["by"], ACTOR);
}

#[test]
fn hide_and_show_again_on_facebook_from_the_item_page() {
    let peer = FakePeer::start("facebook", &[]);
    let section = format!(
        "[platforms.facebook]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"FBT\"\n",
        peer.url,
        peer.ready["page_id"].as_str().unwrap()
    );
    let token_value = peer.ready["page_token"].as_str().unwrap().to_string();
    let repo = Repo::new("");
    repo.file("strategy.toml", STRATEGY.replace("[platforms.facebook]\n", &section).as_bytes());
    // The page's post, through budkavle's own client; a citizen comments on it.
    let project = repo.load();
    let env = |k: &str| (k == "FBT").then(|| token_value.clone());
    let http = budkavle::clients::http::Http::new(Duration::from_secs(10)).unwrap();
    let mut conn = budkavle::clients::connect(&project.strategy, budkavle::PlatformId::Facebook, &env, &http).unwrap();
    let out = budkavle::clients::api::Outgoing {
        key: "k-post",
        text: "Nu öppnar den nya lekplatsen i Ängsparken.",
        facets: &[],
        lang: "sv",
        media: &[],
        reply_to: None,
        link: None,
    };
    let post = conn.publish(&out).unwrap().id;
    let created = peer.control(
        "engage",
        serde_json::json!({"post_id": post, "action": "comment", "message": "Ni borde skämmas, jävla idioter."}),
    );
    let comment = created["comment_id"].as_str().unwrap().to_string();
    let w = World {
        repo: repo.dir,
        data: tempfile::tempdir().unwrap(),
        extra: vec![("FBT", token_value.clone())],
        fixed: true,
    };
    let line = serde_json::json!({"platform": "facebook", "id": comment, "author": "Ett konto", "text": "Ni borde skämmas, jävla idioter.", "at": "2026-11-24T09:00:00Z", "in_reply_to": post});
    w.import(&[&line.to_string()]);
    let key = w.key(&format!("facebook:{comment}"));
    let is_hidden = || {
        let state = peer.state();
        let c = state["comments"].as_array().unwrap().iter().find(|c| c["id"] == comment.as_str()).unwrap().clone();
        c["is_hidden"].as_bool().unwrap()
    };

    let server = w.serve();
    let page = get(&server.addr, &format!("/inbox/{key}"));
    let token = token(&page.body);
    assert!(page.body.contains("Hide on facebook"), "{}", page.body);
    let hidden =
        post_form(&server.addr, &format!("/inbox/{key}/hide"), &[("token", &token), ("note", "Kränkande språk")]);
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    assert!(is_hidden(), "the fake has the comment hidden");
    let page = get(&server.addr, &format!("/inbox/{key}?done=hide"));
    assert!(page.body.contains("role=\"status\">Hidden on the platform."), "{}", page.body);
    assert!(page.body.contains(" · hidden on facebook"), "{}", page.body);
    assert!(page.body.contains("Show again on facebook"), "{}", page.body);
    assert!(page.body.contains(&format!("<td>hide</td><td>{ACTOR}</td><td>Kränkande språk</td>")), "{}", page.body);

    let shown = post_form(
        &server.addr,
        &format!("/inbox/{key}/hide"),
        &[("token", &token), ("undo", "1"), ("note", "Felbedömning")],
    );
    assert_eq!(shown.status, 303, "{}", shown.body);
    assert!(!is_hidden(), "shown again");
    let record = w.show(&format!("facebook:{comment}"));
    let log: Vec<&str> = record["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .filter(|a| *a != "import")
        .collect();
    assert_eq!(log, ["hide", "unhide"]);
}

#[test]
fn an_officer_resolves_an_item_in_chromium() {
    preflight();
    let w = World::new();
    w.import(ITEMS);
    let server = w.serve();
    let bengt = w.key("mastodon:200002");
    let base = format!("http://{}", server.addr);
    let args = vec![
        format!("--item={bengt}"),
        "--mode=resolve".to_string(),
        "--note=Vidarebefordrat till gatukontoret".to_string(),
    ];
    let run = browser("inbox_answer.mjs", &base, &args);
    assert_eq!(run.code, 0, "answering in the browser did not work:\n{}", run.output);
    let shown = w.show("mastodon:200002");
    assert_eq!(shown["status"], "resolved");
    assert_eq!(shown["actions"][0]["note"], "Vidarebefordrat till gatukontoret");
    assert_eq!(shown["actions"][0]["by"], ACTOR);
}
