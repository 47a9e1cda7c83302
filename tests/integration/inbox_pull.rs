//! `budkavle inbox pull` against the real local servers: mastodon-mock, where citizens reply,
//! mention, answer each other, edit and delete, and Bluesky's whole network with its AppView.
//! Items land with their parent, kinds and due time; a second pull adds nothing; an edit is a
//! new version beside the old; others' talk elsewhere is not pulled; a platform that is down
//! is reported while the others are pulled; a failed pull stores nothing and the next one
//! gets it all; a mention outside the threads that its author deletes becomes a deletion
//! version, asked about by id while it is open — and no citizen's text or secret is ever
//! printed.

use std::path::PathBuf;
use std::process::Output;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::common::bin;
use crate::common::world::{PASSWORD_ENV, TOKEN_ENV, World, ok};

const INTERACTION: &str = r#"
[interaction]
response_time = "4h"
office_hours = "mån–fre 08:00–16:30"
"#;

const POST: &str = "+++\ntitle = \"Badhuset\"\nlang = \"sv\"\n+++\n\nBadhuset stänger för renovering i januari.\n";

struct Store {
    dir: tempfile::TempDir,
}

impl Store {
    fn new() -> Store {
        Store { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("inbox.sqlite3")
    }

    /// `budkavle inbox ARGS` on the world's repository with this store; checks that no secret
    /// and none of `private` (citizens' texts) is printed.
    fn inbox(&self, w: &World, args: &[&str], private: &[&str]) -> Output {
        let out = bin()
            .arg("--root")
            .arg(w.repo.path())
            .arg("inbox")
            .args(args)
            .env("BUDKAVLE_INBOX_STORE", self.path())
            .env(TOKEN_ENV, &w.mastodon.token)
            .env(PASSWORD_ENV, &w.bluesky.password)
            .output()
            .unwrap();
        let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        for secret in [&w.mastodon.token, &w.bluesky.password] {
            assert!(!shown.contains(secret.as_str()), "a secret was printed:\n{shown}");
        }
        for text in private {
            assert!(!shown.contains(text), "a citizen's text was printed ({text}):\n{shown}");
        }
        out
    }

    fn pull(&self, w: &World, args: &[&str], private: &[&str]) -> Output {
        let mut all = vec!["pull", "--timeout", "10"];
        all.extend_from_slice(args);
        self.inbox(w, &all, private)
    }

    /// Every item in the store with its versions, by `platform:id`.
    fn show(&self, w: &World, platform: &str, id: &str) -> Value {
        let out = self.inbox(w, &["show", &format!("{platform}:{id}")], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn queue(&self, w: &World) -> Value {
        let out = self.inbox(w, &["--format", "json", "--all"], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn cursor(&self, platform: &str) -> Option<String> {
        let conn = rusqlite::Connection::open(self.path()).unwrap();
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [format!("cursor:{platform}")], |r| r.get(0)).ok()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn kinds(item: &Value) -> Vec<String> {
    item["kinds"].as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap().to_string()).collect()
}

#[test]
fn mastodon_replies_mentions_edits_and_deletions_come_in_once() {
    let mut w = World::new(INTERACTION);
    w.merge("badhus.md", POST);
    ok(&w.publish_at(&Timestamp::now().to_string(), &["--platform", "mastodon"]));
    let ours = w.ledger().state("badhus", budkavle::PlatformId::Mastodon).remote.unwrap().id.clone();
    let m = &w.mastodon;
    let store = Store::new();

    // A citizen asks in a reply that mentions the account, writes a reply that mentions nobody
    // (only the thread shows it), and mentions the account outside any thread.
    let (citizen, _) = m.citizen();
    let texts = [
        "@budkavle När öppnar badhuset igen?",
        "Att stänga mitt i vintern är dålig planering.",
        "@budkavle Tack för att ni informerar så tydligt, bra jobbat!",
        "Och vad händer med simskolan?",
    ];
    let asked = m.post_as(&citizen, texts[0], Some(&ours));
    let plain = m.post_as(&citizen, texts[1], Some(&ours));
    let mention = m.post_as(&citizen, texts[2], None);
    let deeper = m.post_as(&citizen, texts[3], Some(&plain));
    // The account answers in the thread: its own status is never an item.
    m.post_as(&m.token, "@invanare Den 1 mars.", Some(&asked));
    // Someone else's talk elsewhere is not the account's inbox.
    let (kalle, _) = m.user("kalle");
    let elsewhere = m.post_as(&kalle, "Någon som vet när bussen går?", None);
    m.post_as(&citizen, "Klockan 8, tror jag.", Some(&elsewhere));

    // A pull cut short (the thread cannot be read) stores nothing and moves no cursor.
    m.add_fault(&json!({"match": {"methods": ["GET"], "path": "/api/v1/statuses/*/context"}, "effect": {"type": "status", "status": 503}, "count": 100}));
    let out = store.pull(&w, &["--platform", "mastodon", "--budget", "0"], &texts);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mastodon: not pulled (the next pull carries on"), "{err}");
    assert_eq!(store.cursor("mastodon"), None);
    m.clear_faults();
    let notifications = m.count_requests("GET", "/api/v1/notifications");
    let contexts = m.count_requests("GET", "/api/v1/statuses/*/context");

    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).contains("mastodon   4 new items, 0 new versions, 0 unchanged (1 posts read for replies)"),
        "{}",
        stdout(&out)
    );
    let cursor = store.cursor("mastodon").expect("the cursor is stored");
    assert!(cursor.contains("\"notifications\""), "{cursor}");

    let queue = store.queue(&w);
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{queue:#}");
    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id} in {queue:#}"));
    assert!(kinds(by_id(&asked)).contains(&"question".to_string()), "{}", by_id(&asked));
    assert!(kinds(by_id(&plain)).contains(&"criticism".to_string()), "{}", by_id(&plain));
    assert!(kinds(by_id(&mention)).contains(&"praise".to_string()), "{}", by_id(&mention));
    for i in items {
        assert_eq!(i["author"], "invanare", "{i}");
        assert!(i["due"].as_str().is_some(), "a due time from response_time: {i}");
    }
    let shown = store.show(&w, "mastodon", &asked);
    let v1 = &shown["versions"][0];
    assert_eq!(v1["in_reply_to"], ours.as_str(), "{shown:#}");
    assert_eq!(v1["text"], texts[0]);
    assert!(v1["url"].as_str().unwrap().contains(&asked), "{shown:#}");
    assert_eq!(store.show(&w, "mastodon", &deeper)["versions"][0]["in_reply_to"], plain.as_str());
    assert!(store.show(&w, "mastodon", &mention)["versions"][0]["in_reply_to"].is_null());

    // A second pull adds nothing, with one request per read.
    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(out.status.success());
    assert!(stdout(&out).contains("0 new items, 0 new versions"), "{}", stdout(&out));
    assert_eq!((m.counted(&notifications), m.counted(&contexts)), (2, 2));

    // An edit is a new version, the old kept; a deletion too, with the last text kept.
    m.call_as(&citizen, "PUT", &format!("/api/v1/statuses/{plain}"), &json!({"status": "Varför stänger ni just nu?"}));
    m.call_as(&citizen, "DELETE", &format!("/api/v1/statuses/{deeper}"), &json!({}));
    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("0 new items, 2 new versions"), "{}", stdout(&out));
    let edited = store.show(&w, "mastodon", &plain);
    let versions = edited["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{edited:#}");
    assert_eq!(
        (versions[0]["text"].as_str(), versions[1]["text"].as_str()),
        (Some(texts[1]), Some("Varför stänger ni just nu?"))
    );
    let gone = store.show(&w, "mastodon", &deeper);
    let versions = gone["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{gone:#}");
    assert_eq!((versions[1]["deleted"].as_bool(), versions[1]["text"].as_str()), (Some(true), Some(texts[3])));
    // … and reported once.
    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(stdout(&out).contains("0 new items, 0 new versions"), "{}", stdout(&out));

    // Bluesky down: Mastodon is still pulled, the run fails and says which and why.
    let strategy = w.repo.path().join("strategy.toml");
    let text = std::fs::read_to_string(&strategy).unwrap();
    std::fs::write(&strategy, text.replace(&w.bluesky.service, "http://127.0.0.1:9")).unwrap();
    m.post_as(&citizen, "@budkavle Hej igen!", None);
    let out = store.pull(&w, &["--budget", "1"], &texts);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("mastodon   1 new items"), "{}", stdout(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bluesky: not pulled"), "{err}");
    assert!(!err.contains("mastodon:"), "{err}");
}

#[test]
fn a_deleted_mention_outside_the_threads_is_a_new_version_once() {
    let w = World::new(INTERACTION);
    let m = &w.mastodon;
    let store = Store::new();
    let (citizen, _) = m.citizen();
    let texts =
        ["@budkavle Varför kostar det så mycket att parkera vid stationen?", "@budkavle Bra med nya cykelställ!"];
    let doomed = m.post_as(&citizen, texts[0], None);
    let kept = m.post_as(&citizen, texts[1], None);
    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("mastodon   2 new items, 0 new versions"), "{}", stdout(&out));

    // The author deletes one; no listing shows it again, so it is asked about by id.
    let lookups = m.count_requests("GET", "/api/v1/statuses/*");
    m.call_as(&citizen, "DELETE", &format!("/api/v1/statuses/{doomed}"), &json!({}));
    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("mastodon   0 new items, 1 new versions"), "{}", stdout(&out));
    assert_eq!(m.counted(&lookups), 2, "one request for each open mention");
    let gone = store.show(&w, "mastodon", &doomed);
    let versions = gone["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{gone:#}");
    assert_eq!((versions[0]["deleted"].as_bool(), versions[0]["text"].as_str()), (Some(false), Some(texts[0])));
    assert_eq!((versions[1]["deleted"].as_bool(), versions[1]["text"].as_str()), (Some(true), Some(texts[0])));
    assert_eq!(store.show(&w, "mastodon", &kept)["versions"].as_array().unwrap().len(), 1, "still there: unchanged");

    // Once: the deleted one is not asked about again, the one still there is.
    let out = store.pull(&w, &["--platform", "mastodon", "--json"], &texts);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pulled = &report["pulled"][0];
    assert_eq!((pulled["new_items"].as_u64(), pulled["new_versions"].as_u64()), (Some(0), Some(0)), "{report:#}");
    assert_eq!(pulled["rechecked"], 1, "{report:#}");
    assert_eq!(m.counted(&lookups), 3);

    // A resolved item is no longer asked about.
    let out = store.inbox(&w, &["resolve", &format!("mastodon:{kept}"), "--note", "Tackat", "--by", "Kim"], &texts);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = store.pull(&w, &["--platform", "mastodon"], &texts);
    assert!(stdout(&out).contains("mastodon   0 new items, 0 new versions"), "{}", stdout(&out));
    assert_eq!(m.counted(&lookups), 3);
}

/// mastodon-mock 0.6.1 makes no `quote` notifications (only mention, reblog, favourite and
/// follow ones), so a quote comes in here as the mention it also is: the item names the
/// quoted post, read from the status's `quote`.
#[test]
fn a_quote_that_mentions_the_account_names_the_quoted_post() {
    let w = World::new(INTERACTION);
    let m = &w.mastodon;
    let store = Store::new();
    let ours = m.post_as(&m.token, "Nu bygger vi nya cykelställ vid stationen.", None);
    let (citizen, _) = m.citizen();
    let text = "@budkavle Äntligen!";
    let quote = m.call_as(&citizen, "POST", "/api/v1/statuses", &json!({"status": text, "quoted_status_id": ours}));
    assert_eq!(quote["quote"]["quoted_status"]["id"], ours.as_str(), "the peer keeps the quote: {quote:#}");
    let out = store.pull(&w, &["--platform", "mastodon"], &[text]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("mastodon   1 new items"), "{}", stdout(&out));
    let shown = store.show(&w, "mastodon", quote["id"].as_str().unwrap());
    assert_eq!(shown["versions"][0]["in_reply_to"], ours.as_str(), "{shown:#}");
}

#[test]
fn bluesky_replies_quotes_mentions_and_threads_through_the_appview() {
    let mut w = World::with_appview(INTERACTION);
    w.merge("badhus.md", POST);
    ok(&w.publish_at(&Timestamp::now().to_string(), &[]));
    let ours = w.ledger().state("badhus", budkavle::PlatformId::Bluesky).remote.unwrap().id.clone();
    let b = &w.bluesky;
    let store = Store::new();

    let texts = ["När öppnar badhuset igen?", "Bra att ni säger till i tid", "Vad händer med simskolan?"];
    let made = b.engage(&ours, json!({"reply": texts[0], "quote": texts[1], "mention": texts[2]}));
    let (reply, quote, mention) = (&made[0], &made[1], &made[2]);
    // A reply to the citizen's reply: only the thread shows it to the account.
    let deeper = b.engage(reply, json!({"reply": "Och bastun?"}))[0].clone();
    let private = [texts[0], texts[1], texts[2], "Och bastun?", "Och bastun i mars?"];

    // Both platforms at once; each stores its own.
    let out = store.pull(&w, &[], &private);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).contains("bluesky    4 new items, 0 new versions, 0 unchanged (1 posts read for replies)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("mastodon   0 new items"), "{}", stdout(&out));
    let parent = |id: &str| store.show(&w, "bluesky", id)["versions"][0]["in_reply_to"].clone();
    assert_eq!(parent(reply), ours.as_str());
    assert_eq!(parent(quote), ours.as_str(), "a quote names the quoted post");
    assert!(parent(mention).is_null());
    assert_eq!(parent(&deeper), reply.as_str());
    let queue = store.queue(&w);
    let item = queue["items"].as_array().unwrap().iter().find(|i| i["id"] == reply.as_str()).unwrap().clone();
    assert_eq!(item["author"], "medborgare.test");
    assert!(kinds(&item).contains(&"question".to_string()), "{item}");
    assert!(
        item["due"].as_str().is_some()
            && item["url"].as_str().unwrap().starts_with("https://bsky.app/profile/medborgare.test/post/"),
        "{item}"
    );
    let cursor = store.cursor("bluesky").expect("the cursor is stored");

    // Again: nothing new, and the cursor stays where it was.
    let out = store.pull(&w, &["--platform", "bluesky"], &private);
    assert!(stdout(&out).contains("bluesky    0 new items, 0 new versions"), "{}", stdout(&out));
    assert_eq!(store.cursor("bluesky").as_deref(), Some(cursor.as_str()));

    // A rewritten record is a new version beside the old; a deleted one too, and the reply
    // below it, gone from the thread with it, is found still there, not taken for deleted.
    b.engage(&deeper, json!({"edit": "Och bastun i mars?"}));
    b.engage(reply, json!({"delete": true}));
    let out = store.pull(&w, &["--platform", "bluesky"], &private);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("bluesky    0 new items, 2 new versions"), "{}", stdout(&out));
    let edited = store.show(&w, "bluesky", &deeper);
    let versions = edited["versions"].as_array().unwrap();
    let texts_now: Vec<&str> = versions.iter().map(|v| v["text"].as_str().unwrap()).collect();
    assert_eq!(texts_now, ["Och bastun?", "Och bastun i mars?"], "{edited:#}");
    assert!(!versions[1]["deleted"].as_bool().unwrap());
    let gone = store.show(&w, "bluesky", reply);
    let v = &gone["versions"][1];
    assert_eq!((v["deleted"].as_bool(), v["text"].as_str()), (Some(true), Some(texts[0])), "{gone:#}");
    let out = store.pull(&w, &["--platform", "bluesky"], &private);
    assert!(stdout(&out).contains("bluesky    0 new items, 0 new versions"), "{}", stdout(&out));

    // The mention outside the thread, deleted: no listing shows it again, getPosts misses it.
    b.engage(mention, json!({"delete": true}));
    let out = store.pull(&w, &["--platform", "bluesky"], &private);
    assert!(stdout(&out).contains("bluesky    0 new items, 1 new versions"), "{}", stdout(&out));
    let gone = store.show(&w, "bluesky", mention);
    let (first, v) = (&gone["versions"][0], &gone["versions"][1]);
    assert!(first["text"].as_str().unwrap().ends_with(texts[2]) && first["deleted"] == false, "{gone:#}");
    assert_eq!((v["deleted"].as_bool(), &v["text"]), (Some(true), &first["text"]), "the last text kept: {gone:#}");
    let out = store.pull(&w, &["--platform", "bluesky"], &private);
    assert!(stdout(&out).contains("bluesky    0 new items, 0 new versions"), "{}", stdout(&out));
}
