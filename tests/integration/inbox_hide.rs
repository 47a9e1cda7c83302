//! `inbox hide` (and `inbox reply` where the platform answers a comment on its own edge)
//! through the CLI against the platforms' stateful fakes and the AT Protocol dev network: the
//! account posts, a citizen answers, the answer is imported with its real id, hidden (and
//! shown again), and the platform's own state says so; the item stays in the inbox with
//! `hide`/`unhide` logged.

use std::process::Output;

use budkavle::PlatformId;
use budkavle::clients::api::Outgoing;
use budkavle::clients::http::Http;
use serde_json::{Value, json};

use crate::common::{self, bin, fake_peer::FakePeer};

struct Case {
    platform: PlatformId,
    repo: common::Repo,
    env: Vec<(String, String)>,
    data: tempfile::TempDir,
}

impl Case {
    fn new(platform: PlatformId, section: &str, env: Vec<(String, String)>) -> Case {
        let repo = common::Repo::new("");
        let header = format!("[platforms.{}]\n", platform.name());
        let strategy = common::STRATEGY.replace(&header, section);
        assert_ne!(strategy, common::STRATEGY);
        repo.file("strategy.toml", strategy.as_bytes());
        Case { platform, repo, env, data: tempfile::tempdir().unwrap() }
    }

    /// The account's post, sent through budkavle's own client.
    fn post(&self, text: &str) -> String {
        let project = self.repo.load();
        let env = self.env.clone();
        let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let http = Http::new(std::time::Duration::from_secs(10)).unwrap();
        let mut conn = budkavle::clients::connect(&project.strategy, self.platform, &lookup, &http).unwrap();
        let out = Outgoing { key: "k-post", text, facets: &[], lang: "sv", media: &[], reply_to: None, link: None };
        conn.publish(&out).unwrap_or_else(|e| panic!("{e}")).id
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = bin();
        c.arg("--root").arg(self.repo.path()).arg("inbox").args(args);
        c.env("BUDKAVLE_INBOX_STORE", self.data.path().join("inbox.sqlite3")).env("BUDKAVLE_ACTOR", "Kim");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {text}");
        text
    }

    fn import(&self, id: &str, parent: &str) {
        let line = json!({"platform": self.platform.name(), "id": id, "author": "invanare",
            "text": "Ni borde skämmas, jävla idioter.", "at": "2026-12-01T09:00:00Z", "in_reply_to": parent});
        let file = self.data.path().join("in.jsonl");
        std::fs::write(&file, format!("{line}\n")).unwrap();
        self.ok(&["import", file.to_str().unwrap()]);
    }

    /// Hides item 1, hides it again (nothing sent), shows it again; `hidden` reads the fake.
    fn hide_and_show(&self, hidden: &dyn Fn() -> bool) {
        assert!(!hidden());
        let said = self.ok(&["hide", "1", "--note", "kränkande språk"]);
        assert!(said.contains("hidden on"), "{said}");
        assert!(hidden(), "the platform has it hidden");
        let said = self.ok(&["hide", "1"]);
        assert!(said.contains("already hidden"), "{said}");
        self.ok(&["hide", "1", "--undo", "--note", "felbedömning"]);
        assert!(!hidden(), "shown again");
        let show: Value = serde_json::from_slice(&self.run(&["show", "1"]).stdout).unwrap();
        let log: Vec<(&str, &str)> = show["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["action"] != "import")
            .map(|a| (a["action"].as_str().unwrap(), a["note"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(log, [("hide", "kränkande språk"), ("unhide", "felbedömning")], "{show:#}");
        assert_eq!(show["versions"].as_array().unwrap().len(), 1, "the item is kept as a record");
    }
}

#[test]
fn hides_a_reply_on_x() {
    let peer = FakePeer::start("x", &[]);
    let k = |f: &str| peer.ready["oauth1"][f].as_str().unwrap().to_string();
    let section = format!(
        "[platforms.x]\napi_url = \"{}\"\napi_key_env = \"XK\"\napi_secret_env = \"XS\"\naccess_token_env = \"XT\"\naccess_secret_env = \"XTS\"\n",
        peer.url
    );
    let env = vec![
        ("XK".into(), k("consumer_key")),
        ("XS".into(), k("consumer_secret")),
        ("XT".into(), k("access_token")),
        ("XTS".into(), k("access_token_secret")),
    ];
    let case = Case::new(PlatformId::X, &section, env);
    let post = case.post("Snöröjningen börjar i natt.");
    let created = peer.control("engage", json!({"post_id": post, "action": "reply", "text": "Ni borde skämmas"}));
    let reply = match &created["created"][0] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    case.import(&reply, &post);
    let hidden = || {
        let state = peer.state();
        let t = state["posts"].as_array().unwrap().iter().find(|t| t["id"].as_str() == Some(&reply)).unwrap().clone();
        t["hidden"].as_bool().unwrap()
    };
    case.hide_and_show(&hidden);

    // Answered in the conversation, once.
    let text = "Plogbilarna börjar med huvudgatorna klockan 04.";
    case.ok(&["reply", "1", "--text", text]);
    case.ok(&["reply", "1", "--text", text]);
    let state = peer.state();
    let answers: Vec<&Value> = state["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["raw_text"].as_str().is_some_and(|x| x.starts_with(text)))
        .collect();
    assert_eq!(answers.len(), 1, "{state:#}");
    assert_eq!(answers[0]["in_reply_to_tweet_id"].as_str(), Some(reply.as_str()));
}

#[test]
fn hides_a_comment_on_facebook() {
    let peer = FakePeer::start("facebook", &[]);
    let section = format!(
        "[platforms.facebook]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"FBT\"\n",
        peer.url,
        peer.ready["page_id"].as_str().unwrap()
    );
    let token = peer.ready["page_token"].as_str().unwrap().to_string();
    let case = Case::new(PlatformId::Facebook, &section, vec![("FBT".into(), token)]);
    let post = case.post("Nu öppnar den nya lekplatsen.");
    let created = peer.control("engage", json!({"post_id": post, "action": "comment", "message": "Ni borde skämmas"}));
    let comment = created["comment_id"].as_str().unwrap().to_string();
    case.import(&comment, &post);
    let hidden = || {
        let state = peer.state();
        let c = state["comments"].as_array().unwrap().iter().find(|c| c["id"] == comment.as_str()).unwrap().clone();
        c["is_hidden"].as_bool().unwrap()
    };
    case.hide_and_show(&hidden);
}

#[test]
fn hides_a_reply_on_threads() {
    let peer = FakePeer::start("threads", &[]);
    peer.control("config", json!({"container_delay": 0}));
    let section = format!("[platforms.threads]\napi_url = \"{}\"\ntoken_env = \"THT\"\n", peer.url);
    let token = peer.ready["access_token"].as_str().unwrap().to_string();
    let case = Case::new(PlatformId::Threads, &section, vec![("THT".into(), token)]);
    let post = case.post("Biblioteket har öppet till 20 i kväll.");
    let created = peer.control("engage", json!({"post_id": post, "action": "reply", "message": "Ni borde skämmas"}));
    let reply = created["reply_id"].as_str().unwrap().to_string();
    case.import(&reply, &post);
    let hidden = || {
        let state = peer.state();
        let p = state["posts"].as_array().unwrap().iter().find(|p| p["id"] == reply.as_str()).unwrap().clone();
        p["hide_status"] == "HIDDEN"
    };
    case.hide_and_show(&hidden);

    let text = "Biblioteket har öppet till 20 alla vardagar.";
    case.ok(&["reply", "1", "--text", text]);
    case.ok(&["reply", "1", "--text", text]);
    let state = peer.state();
    let answers: Vec<&Value> = state["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["text"].as_str().is_some_and(|t| t.starts_with(text)))
        .collect();
    assert_eq!(answers.len(), 1, "{state:#}");
    assert_eq!(answers[0]["reply_to"].as_str(), Some(reply.as_str()));
}

/// On the AT Protocol dev network: the reply is hidden in the root post's threadgate, whose
/// reply rules (here: only mentioned accounts may reply) are kept.
#[test]
fn hides_a_reply_on_bluesky_in_the_threadgate() {
    use crate::common::bluesky_peer::BlueskyPeer;

    let peer = BlueskyPeer::start_with_appview();
    let env = vec![("BSKY_PASSWORD".to_string(), peer.password.clone())];
    let case = Case::new(PlatformId::Bluesky, &peer.strategy_section("BSKY_PASSWORD"), env);
    let post = case.post("Vattnet är tjänligt igen.");
    let reply = peer.engage(&post, json!({"reply": "Ni borde skämmas"})).pop().expect("the citizen's reply");
    case.import(&reply, &post);

    // The account had already limited who may reply: the gate exists with a rule.
    let http = reqwest::blocking::Client::new();
    let xrpc = format!("{}/xrpc", peer.service);
    let session: Value = http
        .post(format!("{xrpc}/com.atproto.server.createSession"))
        .json(&json!({"identifier": peer.handle, "password": peer.password}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("a session");
    let rkey = post.rsplit('/').next().unwrap();
    http.post(format!("{xrpc}/com.atproto.repo.createRecord"))
        .bearer_auth(session["accessJwt"].as_str().unwrap())
        .json(&json!({
            "repo": peer.did, "collection": "app.bsky.feed.threadgate", "rkey": rkey,
            "record": {"$type": "app.bsky.feed.threadgate", "post": post,
                       "allow": [{"$type": "app.bsky.feed.threadgate#mentionRule"}],
                       "createdAt": "2026-12-01T12:00:00.000Z"}
        }))
        .send()
        .and_then(|r| r.error_for_status())
        .expect("a threadgate");
    let gate_uri = format!("at://{}/app.bsky.feed.threadgate/{rkey}", peer.did);
    let gate = || peer.record(&gate_uri).expect("the gate")["value"].clone();
    let hidden = || {
        let g = gate();
        assert_eq!(g["allow"], json!([{"$type": "app.bsky.feed.threadgate#mentionRule"}]), "the rules are kept: {g}");
        g["hiddenReplies"].as_array().is_some_and(|l| l.iter().any(|u| u == reply.as_str()))
    };
    case.hide_and_show(&hidden);
    assert_eq!(gate()["hiddenReplies"], json!([]));

    // Answered in the thread: parent the citizen's reply, root the account's post.
    let text = "Ja, vattnet går att dricka igen i hela kommunen.";
    case.ok(&["reply", "1", "--text", text]);
    case.ok(&["reply", "1", "--text", text]);
    let answers: Vec<Value> = peer
        .records()
        .into_iter()
        .filter(|r| r["value"]["text"].as_str().is_some_and(|t| t.starts_with(text)))
        .collect();
    assert_eq!(answers.len(), 1, "{answers:#?}");
    assert_eq!(answers[0]["value"]["reply"]["parent"]["uri"], reply.as_str());
    assert_eq!(answers[0]["value"]["reply"]["root"]["uri"], post.as_str());
}

#[test]
fn hides_a_comment_on_instagram() {
    use crate::publish_instagram::{Archive, connect, jpeg, out, start, upload};

    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(1080, 1080);
    let url = archive.serve("/media/lekplats.jpg", &bytes);
    let media = [upload(bytes, "image/jpeg", (1080, 1080), "Den nya lekplatsen i Parken", Some(url))];
    let post = connect(&peer).publish(&out("k-ig", "Nu öppnar lekplatsen!", &media)).unwrap().id;
    let created = peer.control("engage", json!({"media_id": post, "action": "comment", "message": "Ni borde skämmas"}));
    let comment = created["comment_id"].as_str().unwrap().to_string();
    let section = format!(
        "[platforms.instagram]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"IGT\"\n",
        peer.url,
        peer.ready["ig_user_id"].as_str().unwrap()
    );
    let token = peer.ready["access_token"].as_str().unwrap().to_string();
    let case = Case::new(PlatformId::Instagram, &section, vec![("IGT".into(), token)]);
    case.import(&comment, &post);
    let hidden = || {
        let state = peer.state();
        let c = state["comments"].as_array().unwrap().iter().find(|c| c["id"] == comment.as_str()).unwrap().clone();
        c["hidden"].as_bool().unwrap()
    };
    case.hide_and_show(&hidden);

    // The answer goes on the comment's replies edge, once.
    let text = "Lekplatsen är öppen alla dagar.";
    case.ok(&["reply", "1", "--text", text]);
    case.ok(&["reply", "1", "--text", text]);
    let state = peer.state();
    let answers: Vec<&Value> = state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["text"].as_str().is_some_and(|t| t.starts_with(text)))
        .collect();
    assert_eq!(answers.len(), 1, "{state:#}");
    assert_eq!(answers[0]["parent_id"], comment.as_str(), "under the citizen's comment");
}

#[test]
fn a_reply_to_a_facebook_comment_goes_under_it_once() {
    let peer = FakePeer::start("facebook", &[]);
    let section = format!(
        "[platforms.facebook]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"FBT\"\n",
        peer.url,
        peer.ready["page_id"].as_str().unwrap()
    );
    let token = peer.ready["page_token"].as_str().unwrap().to_string();
    let case = Case::new(PlatformId::Facebook, &section, vec![("FBT".into(), token)]);
    let post = case.post("Nu öppnar den nya lekplatsen.");
    let created = peer.control("engage", json!({"post_id": post, "action": "comment", "message": "När öppnar den?"}));
    let comment = created["comment_id"].as_str().unwrap().to_string();
    case.import(&comment, &post);
    let text = "Den öppnar klockan 10 på lördag. Välkommen!";
    case.ok(&["reply", "1", "--text", text]);
    case.ok(&["reply", "1", "--text", text]);
    let state = peer.state();
    let answers: Vec<&Value> = state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["message"].as_str().is_some_and(|m| m.starts_with(text)))
        .collect();
    assert_eq!(answers.len(), 1, "{state:#}");
    assert_eq!(answers[0]["parent_id"], comment.as_str(), "under the citizen's comment");
    assert_eq!(answers[0]["from_id"], peer.ready["page_id"]);
}

#[test]
fn linkedin_cannot_hide_and_nothing_is_deleted() {
    let case = Case::new(PlatformId::Linkedin, "[platforms.linkedin]\naccount = \"Testby kommun\"\n", Vec::new());
    case.import("urn:li:comment:(urn:li:activity:1,2)", "urn:li:share:1");
    let out = case.run(&["hide", "1", "--note", "hot"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("LinkedIn cannot hide replies") && err.contains("never deletes one by itself"), "{err}");
    let show: Value = serde_json::from_slice(&case.run(&["show", "1"]).stdout).unwrap();
    assert_eq!(show["sends"], json!([]));
    assert!(show["actions"].as_array().unwrap().iter().all(|a| a["action"] != "hide"));
}
