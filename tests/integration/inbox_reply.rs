//! `inbox reply`, `inbox settle` and `inbox hide` against real mastodon-mock: a post of the
//! account, a citizen's real reply imported with its real id, the answer on the server in
//! reply to it, logged once; a lost answer still gives exactly one reply; a reply with a
//! personnummer is refused and nothing reaches the server; Mastodon says it cannot hide.
//! And LinkedIn's fake: the answer to a citizen's comment is nested under that comment, once,
//! also when the first run lost LinkedIn's answer.

use std::process::Output;

use budkavle::PlatformId;
use budkavle::clients::api::Outgoing;
use budkavle::clients::http::Http;
use serde_json::Value;

use crate::common::{self, bin, mastodon_peer::MastodonPeer};

const TOKEN_ENV: &str = "TEST_MASTODON_TOKEN";

const TACK: &str = "Tack för att du hör av dig! Vi tar med oss det du skriver.";

/// `budkavle inbox ARGS` on `repo`, with the store in `data` and the platform's token in the
/// environment, as a communications officer would run it.
fn inbox(repo: &common::Repo, data: &tempfile::TempDir, (token_env, token): (&str, &str), args: &[&str]) -> Output {
    bin()
        .arg("--root")
        .arg(repo.path())
        .arg("inbox")
        .args(args)
        .env("BUDKAVLE_INBOX_STORE", data.path().join("inbox.sqlite3"))
        .env("BUDKAVLE_ACTOR", "Kim Kommunikatör")
        .env(token_env, token)
        .env_remove("BUDKAVLE_NOW")
        .output()
        .unwrap()
}

/// Everything a run printed, standard output then standard error.
fn printed(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

struct World {
    peer: MastodonPeer,
    repo: common::Repo,
    data: tempfile::TempDir,
    token: String,
}

impl World {
    /// A repository whose Mastodon account is the peer (or `instance`, a proxy in front of it).
    fn new(instance: Option<&str>) -> World {
        let peer = MastodonPeer::start();
        let world = World {
            token: peer.env(TOKEN_ENV)(TOKEN_ENV).unwrap(),
            repo: common::Repo::new(""),
            data: tempfile::tempdir().unwrap(),
            peer,
        };
        world.point_at(instance.unwrap_or(&world.peer.url.clone()));
        world
    }

    fn point_at(&self, instance: &str) {
        let mastodon = format!("instance = \"{instance}\"\ntoken_env = \"{TOKEN_ENV}\"\n");
        let strategy = common::STRATEGY.replace("instance = \"https://social.testby.se\"\n", &mastodon)
            + &format!(
                "\n[interaction]\nresponse_time = \"4h\"\n[interaction.templates]\ntack = \"{TACK}\"\nfel = \"Ring oss om ditt ärende 19811218-9876.\"\n"
            );
        self.repo.file("strategy.toml", strategy.as_bytes());
    }

    fn run(&self, args: &[&str]) -> Output {
        inbox(&self.repo, &self.data, (TOKEN_ENV, &self.token), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = printed(&out);
        assert!(out.status.success(), "{args:?}: {text}\n{}", self.peer.log());
        text
    }

    /// The account posts, the citizen answers, and the answer comes into the inbox with its
    /// real id: `(post id, citizen's status id)`.
    fn conversation(&self, citizen_says: &str) -> (String, String) {
        let project = self.repo.load();
        let http = Http::new(std::time::Duration::from_secs(10)).unwrap();
        let mut conn =
            budkavle::clients::connect(&project.strategy, PlatformId::Mastodon, &self.peer.env(TOKEN_ENV), &http)
                .unwrap();
        let post = conn
            .publish(&Outgoing {
                key: "k-post",
                text: "Nu öppnar vi den nya lekplatsen i Parken. Vad tycker du?",
                facets: &[],
                lang: "sv",
                media: &[],
                reply_to: None,
                link: None,
            })
            .unwrap();
        self.peer.engage(&post.id, false, false, &[citizen_says]);
        let reply = self.replies_to(&post.id).pop().expect("the citizen's reply is on the server");
        let line = serde_json::json!({
            "platform": "mastodon",
            "id": reply["id"],
            "author": reply["account"]["acct"],
            "text": citizen_says,
            "at": reply["created_at"],
            "in_reply_to": post.id,
            "url": reply["url"],
        });
        let file = self.data.path().join("import.jsonl");
        std::fs::write(&file, format!("{line}\n")).unwrap();
        self.ok(&["import", file.to_str().unwrap()]);
        (post.id, reply["id"].as_str().unwrap().to_string())
    }

    /// The statuses in direct reply to `id`, as the server has them.
    fn replies_to(&self, id: &str) -> Vec<Value> {
        let context = self.peer.get(&format!("/api/v1/statuses/{id}/context")).expect("the status exists");
        context["descendants"].as_array().unwrap().iter().filter(|s| s["in_reply_to_id"] == id).cloned().collect()
    }

    fn show(&self) -> Value {
        let out = self.run(&["show", "1"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn actions(show: &Value, name: &str) -> Vec<Value> {
    show["actions"].as_array().unwrap().iter().filter(|a| a["action"] == name).cloned().collect()
}

#[test]
fn a_template_reply_reaches_the_citizen_once_and_is_logged() {
    let w = World::new(None);
    let (_post, citizen) = w.conversation("När öppnar lekplatsen på lördagar?");
    let said = w.ok(&["reply", "1", "--template", "tack"]);
    assert!(said.contains("answered on mastodon"), "{said}");

    let answers = w.replies_to(&citizen);
    assert_eq!(answers.len(), 1, "{answers:#?}");
    let answer = &answers[0];
    let source = w.peer.get(&format!("/api/v1/statuses/{}/source", answer["id"].as_str().unwrap())).unwrap();
    // Rendered like a post: the organisation's signature follows the template's text.
    assert_eq!(source["text"], format!("{TACK}\n\n/Testby kommun"));

    let show = w.show();
    assert_eq!(show["status"], "resolved");
    let replies = actions(&show, "reply");
    assert_eq!(replies.len(), 1, "{show:#}");
    assert_eq!(replies[0]["by"], "Kim Kommunikatör");
    assert_eq!(replies[0]["note"], source["text"], "the log keeps the text as sent");
    assert!(replies[0]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(show["sends"][0]["remote"], answer["id"], "the reply's id on the platform is kept");

    // The same answer again: nothing is sent, nothing logged.
    let said = w.ok(&["reply", "1", "--template", "tack"]);
    assert!(said.contains("already given exactly this answer"), "{said}");
    assert_eq!(w.replies_to(&citizen).len(), 1);
    assert_eq!(actions(&w.show(), "reply").len(), 1);

    // A follow-up with other words is an answer of its own.
    w.ok(&["reply", "1", "--text", "Lekplatsen har öppet dygnet runt, också på lördagar."]);
    assert_eq!(w.replies_to(&citizen).len(), 2);
}

#[test]
fn a_reply_with_a_personnummer_is_refused_and_nothing_is_sent() {
    let w = World::new(None);
    let (_post, citizen) = w.conversation("Jag har fått fel faktura, vad gör jag?");
    for args in [&["reply", "1", "--template", "fel"][..], &["reply", "1", "--text", "Hej! Gäller det 19811218-9876?"]]
    {
        let out = w.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("was not sent") && err.contains("privacy.personnummer"), "{err}");
        assert!(!err.contains("9876"), "the identity number is not repeated: {err}");
    }
    assert!(w.replies_to(&citizen).is_empty());
    let show = w.show();
    assert_eq!(show["status"], "open");
    assert!(actions(&show, "reply").is_empty());
    assert_eq!(show["sends"].as_array().unwrap().len(), 0);

    let out = w.run(&["reply", "1", "--template", "saknas"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("known: fel, tack"), "{out:?}");
}

#[test]
fn a_lost_answer_still_gives_exactly_one_reply() {
    let w = World::new(None);
    let (_post, citizen) = w.conversation("Var lämnar jag grovsopor?");
    let proxy = w.peer.lossy_proxy();
    w.point_at(&proxy.url);
    // Every try of the first run reaches the server and loses its answer: the run gives up
    // not knowing, as a crashed run would.
    for _ in 0..5 {
        proxy.lose_next("POST", "/api/v1/statuses");
    }
    let out = w.run(&["reply", "1", "--template", "tack"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("may or may not have reached Mastodon"), "{err}");
    assert_eq!(w.replies_to(&citizen).len(), 1, "the server carried it out (deduplicated by the key)");
    let show = w.show();
    assert_eq!(show["status"], "open");
    assert!(show["sends"][0]["done_at"].is_null());

    // Another answer must wait until this one is settled.
    let out = w.run(&["reply", "1", "--text", "Grovsopor lämnar du på återvinningscentralen."]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is unfinished"), "{out:?}");

    // The re-run looks it up (Mastodon: the re-send with the same key is the look-up).
    let said = w.ok(&["reply", "1", "--template", "tack"]);
    assert!(said.contains("answered on mastodon"), "{said}");
    let answers = w.replies_to(&citizen);
    assert_eq!(answers.len(), 1, "{answers:#?}");
    let show = w.show();
    assert_eq!(actions(&show, "reply").len(), 1);
    assert_eq!(show["sends"][0]["remote"], answers[0]["id"]);
}

#[test]
fn mastodon_cannot_hide_and_says_what_to_do_instead() {
    let w = World::new(None);
    w.conversation("Ni är värdelösa.");
    let out = w.run(&["hide", "1", "--note", "otrevligt"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Mastodon cannot hide replies") && err.contains("report it to the moderators"), "{err}");
    let show = w.show();
    assert!(actions(&show, "hide").is_empty());
    assert_eq!(show["sends"].as_array().unwrap().len(), 0);
}

#[test]
fn an_unfinished_reply_the_platform_cannot_account_for_is_settled_by_a_person() {
    let w = World::new(None);
    let (_post, citizen) = w.conversation("Hur söker jag bygglov?");
    // The intent is written, the reply never sent: as if the machine died right after.
    let store = w.data.path().join("inbox.sqlite3");
    let conn = rusqlite::Connection::open(&store).unwrap();
    conn.execute(
        "INSERT INTO sends (key, item, platform, kind, text, by, intent_at) VALUES ('bk-r-old', 1, 'mastodon', 'reply', 'Se www.testby.se/bygglov', 'Kim', '2026-01-01T08:00:00Z')",
        [],
    )
    .unwrap();
    drop(conn);
    let out = w.run(&["reply", "1", "--text", "Se www.testby.se/bygglov"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is unfinished"), "{err}");
    let said = w.ok(&["settle", "1", "--not-sent"]);
    assert!(said.contains("was not sent"), "{said}");
    w.ok(&["reply", "1", "--text", "Se www.testby.se/bygglov"]);
    assert_eq!(w.replies_to(&citizen).len(), 1);
    let show = w.show();
    assert_eq!(actions(&show, "settle").len(), 1);
    assert_eq!(actions(&show, "reply").len(), 1);
}

/// A LinkedIn page (the fake of `tests/peers/linkedin/`) with a post, and a citizen's comment
/// on it imported into the inbox as item 1.
struct OnLinkedin {
    li: crate::publish_linkedin::Linkedin,
    repo: common::Repo,
    data: tempfile::TempDir,
    post: String,
    comment: String,
}

impl OnLinkedin {
    fn new(citizen_says: &str) -> OnLinkedin {
        use crate::publish_linkedin::{Linkedin, out};
        let li = Linkedin::start(&[]);
        let post = li.connect().publish(&out("k-post", "Vi bygger om lekplatsen i Parken.")).unwrap().id;
        let made =
            li.peer.control("engage", serde_json::json!({"action": "comment", "post": post, "text": citizen_says}));
        let comment = made["commentUrn"].as_str().expect("the fake names the comment").to_string();
        let section = format!(
            "[platforms.linkedin]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"TEST_LINKEDIN_TOKEN\"\n",
            li.peer.url,
            li.peer.ready["organization"].as_str().unwrap()
        );
        let repo = common::Repo::new("");
        let strategy = common::STRATEGY.replace("[platforms.linkedin]\n", &section)
            + &format!("\n[interaction]\nresponse_time = \"4h\"\n[interaction.templates]\ntack = \"{TACK}\"\n");
        repo.file("strategy.toml", strategy.as_bytes());
        let w = OnLinkedin { li, repo, data: tempfile::tempdir().unwrap(), post, comment };
        let line = serde_json::json!({
            "platform": "linkedin",
            "id": w.comment,
            "author": made["actor"],
            "text": citizen_says,
            "at": jiff::Timestamp::now().to_string(),
            "in_reply_to": w.post,
        });
        let file = w.data.path().join("import.jsonl");
        std::fs::write(&file, format!("{line}\n")).unwrap();
        w.ok(&["import", file.to_str().unwrap()]);
        w
    }

    fn run(&self, args: &[&str]) -> Output {
        let token = self.li.peer.ready["token"].as_str().unwrap();
        inbox(&self.repo, &self.data, ("TEST_LINKEDIN_TOKEN", token), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = printed(&out);
        assert!(out.status.success(), "{args:?}: {text}");
        text
    }

    /// The page's own live comments on the post, as the fake holds them.
    fn pages_comments(&self) -> Vec<Value> {
        let org = self.li.peer.ready["organization"].as_str().unwrap().to_string();
        let state = self.li.peer.state();
        state["comments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["actor"] == org.as_str() && c["post"] == self.post.as_str() && c["deleted"] == false)
            .cloned()
            .collect()
    }

    fn show(&self) -> Value {
        let out = self.run(&["show", "1"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

#[test]
fn a_linkedin_answer_is_nested_under_the_citizens_comment_once() {
    let w = OnLinkedin::new("När blir lekplatsen klar?");
    let said = w.ok(&["reply", "1", "--text", "Den blir klar i maj."]);
    assert!(said.contains("answered on linkedin"), "{said}");

    let answers = w.pages_comments();
    assert_eq!(answers.len(), 1, "{answers:#?}");
    let answer = &answers[0];
    assert_eq!(answer["parent"], w.comment.as_str(), "nested under the citizen's comment, not on the post: {answer:#}");
    assert_eq!(answer["text"], "Den blir klar i maj.\n\n/Testby kommun");
    let show = w.show();
    assert_eq!(show["status"], "resolved");
    assert_eq!(show["sends"][0]["remote"], answer["urn"], "the answer's URN is kept");
    assert_eq!(actions(&show, "reply").len(), 1);

    // A second run sends nothing.
    let said = w.ok(&["reply", "1", "--text", "Den blir klar i maj."]);
    assert!(said.contains("already given exactly this answer"), "{said}");
    assert_eq!(w.pages_comments().len(), 1);
    assert_eq!(actions(&w.show(), "reply").len(), 1);
}

#[test]
fn a_linkedin_answer_whose_reply_was_lost_is_found_not_sent_twice() {
    let w = OnLinkedin::new("Får hundar vara på lekplatsen?");
    // The answer is made and LinkedIn's reply to it lost; every look among the comment's
    // replies during the run fails, so the run ends not knowing, as a crashed one would.
    let encoded = "/rest/socialActions/urn%3Ali%3Acomment";
    w.li.peer.control("fault", serde_json::json!({"method": "POST", "path": encoded, "mode": "drop_after_commit"}));
    w.li.peer.control(
        "fault",
        serde_json::json!({"method": "GET", "path": encoded, "mode": "error", "status": 500, "times": 4}),
    );
    let out = w.run(&["reply", "1", "--template", "tack"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("may or may not have reached LinkedIn"), "{err}");
    assert_eq!(w.pages_comments().len(), 1, "LinkedIn made it, and no retry made a second");
    assert!(w.show()["sends"][0]["done_at"].is_null());

    // The next run finds it among the comment's replies and sends nothing.
    let said = w.ok(&["reply", "1", "--template", "tack"]);
    assert!(said.contains("the answer an earlier run sent is on linkedin"), "{said}");
    let answers = w.pages_comments();
    assert_eq!(answers.len(), 1, "{answers:#?}");
    assert_eq!(answers[0]["parent"], w.comment.as_str());
    let show = w.show();
    assert_eq!(show["sends"][0]["remote"], answers[0]["urn"]);
    assert_eq!(actions(&show, "reply").len(), 1);
}
