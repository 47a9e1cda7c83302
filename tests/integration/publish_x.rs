//! The X client against the stateful X fake of `tests/peers/x/` (Python's standard library, one
//! fresh process per test): every request is real HTTP, OAuth 1.0a signatures are verified, and
//! what the client did is read back from the fake's `/_fake/state`. Time-bound rules (the edit
//! window, the duplicate window) are driven with the fake's clock, not with sleeps.

use crate::common;
use crate::common::fake_peer::FakePeer;
use crate::common::mastodon_peer::LossyProxy;

use std::time::Duration;

use budkavle::PlatformId;
use budkavle::clients::api::{Connection, ErrorKind, Limits, Lookup, Outgoing, SendError, Upload};
use budkavle::clients::http::Http;
use budkavle::platform::Remote;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const API_KEY: &str = "TEST_X_API_KEY";
const API_SECRET: &str = "TEST_X_API_SECRET";
const ACCESS_TOKEN: &str = "TEST_X_ACCESS_TOKEN";
const ACCESS_SECRET: &str = "TEST_X_ACCESS_SECRET";
const TOKEN: &str = "TEST_X_TOKEN";

/// `[platforms.x]` signing in with the four OAuth 1.0a keys.
fn oauth1_section(url: &str) -> String {
    format!(
        "[platforms.x]\naccount = \"@testkommunen\"\napi_url = \"{url}\"\napi_key_env = \"{API_KEY}\"\napi_secret_env = \"{API_SECRET}\"\naccess_token_env = \"{ACCESS_TOKEN}\"\naccess_secret_env = \"{ACCESS_SECRET}\"\n"
    )
}

/// `[platforms.x]` signing in with an OAuth 2.0 user token.
fn bearer_section(url: &str) -> String {
    format!("[platforms.x]\napi_url = \"{url}\"\ntoken_env = \"{TOKEN}\"\n")
}

fn project(section: &str) -> (common::Repo, budkavle::Project) {
    let repo = common::Repo::new("");
    let strategy = common::STRATEGY.replace("[platforms.x]\n", section);
    assert_ne!(strategy, common::STRATEGY, "the test strategy has an [platforms.x] line to replace");
    repo.file("strategy.toml", strategy.as_bytes());
    let project = repo.load();
    (repo, project)
}

fn http() -> Http {
    Http::new(Duration::from_secs(10)).unwrap()
}

fn try_connect(section: &str, env: &dyn Fn(&str) -> Option<String>) -> budkavle::Result<Box<dyn Connection>> {
    let (_repo, project) = project(section);
    budkavle::clients::connect(&project.strategy, PlatformId::X, env, &http())
}

fn connect_with(section: &str, env: &dyn Fn(&str) -> Option<String>) -> Box<dyn Connection> {
    try_connect(section, env).unwrap_or_else(|e| panic!("connect: {e}"))
}

/// The environment holding the four keys of `which` in the ready line (`oauth1`,
/// `oauth1_read_only_app`, …).
fn oauth1_env(peer: &FakePeer, which: &str) -> impl Fn(&str) -> Option<String> + use<> {
    let k = |f: &str| peer.ready[which][f].as_str().unwrap_or_else(|| panic!("ready line has {which}.{f}")).to_string();
    let (key, secret, token, token_secret) =
        (k("consumer_key"), k("consumer_secret"), k("access_token"), k("access_token_secret"));
    FakePeer::env(&[(API_KEY, &key), (API_SECRET, &secret), (ACCESS_TOKEN, &token), (ACCESS_SECRET, &token_secret)])
}

/// The main account with OAuth 1.0a, the way the CI job signs in.
fn connect(peer: &FakePeer) -> Box<dyn Connection> {
    connect_with(&oauth1_section(&peer.url), &oauth1_env(peer, "oauth1"))
}

/// The main account with the OAuth 2.0 token `ready.bearer.<which>`.
fn connect_bearer(peer: &FakePeer, url: &str, which: &str) -> Box<dyn Connection> {
    let token = bearer(peer, which);
    connect_with(&bearer_section(url), &FakePeer::env(&[(TOKEN, &token)]))
}

fn bearer(peer: &FakePeer, which: &str) -> String {
    peer.ready["bearer"][which].as_str().unwrap_or_else(|| panic!("ready line has bearer.{which}")).to_string()
}

fn text(key: &str, body: &str) -> Outgoing<'static> {
    // Leaked so the test can hand out `Outgoing<'static>` without juggling lifetimes.
    let key: &'static str = Box::leak(key.to_string().into_boxed_str());
    let body: &'static str = Box::leak(body.to_string().into_boxed_str());
    Outgoing { key, text: body, facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}

/// The fake's record of post `id` (deleted and superseded versions too).
fn post(peer: &FakePeer, id: &str) -> Value {
    let state = peer.state();
    state["posts"]
        .as_array()
        .and_then(|posts| posts.iter().find(|p| p["id"] == id).cloned())
        .unwrap_or_else(|| panic!("no post {id} in the fake's state"))
}

/// Live, latest-version posts of the main account.
fn live_posts(peer: &FakePeer) -> Vec<Value> {
    let main = peer.ready["account"]["id"].clone();
    let state = peer.state();
    state["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["author_id"] == main && p["deleted"] == false && p["superseded_by"].is_null())
        .cloned()
        .collect()
}

fn before(minutes: i64) -> Timestamp {
    Timestamp::now().checked_sub(SignedDuration::from_mins(minutes)).unwrap()
}

/// A small real PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([(x * 30) as u8, (y * 40) as u8, 200]));
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn seeded(seed: &Value) -> (FakePeer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    std::fs::write(&path, seed.to_string()).unwrap();
    (FakePeer::start("x", &["--seed", path.to_str().unwrap()]), dir)
}

fn permanent(err: &SendError) -> ErrorKind {
    match err {
        SendError::Permanent { kind, .. } => *kind,
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

#[test]
fn publishes_a_post_signed_with_oauth1() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    assert_eq!(conn.platform(), PlatformId::X);
    let remote = conn.publish(&text("k-first", "Snöröjningen börjar i natt. #Testby")).unwrap();
    assert!(remote.parts.is_empty());
    assert_eq!(remote.url.as_deref(), Some(format!("https://x.com/testkommunen/status/{}", remote.id).as_str()));
    let stored = post(&peer, &remote.id);
    assert_eq!(stored["raw_text"], "Snöröjningen börjar i natt. #Testby");
    assert_eq!(stored["author_id"], peer.ready["account"]["id"]);
    assert!(stored["in_reply_to_tweet_id"].is_null());
    // Every request was signed anew: the fake refuses a nonce used twice.
    let requests = peer.state()["requests"].as_array().unwrap().clone();
    assert!(requests.iter().all(|r| r["status"].as_u64().is_some_and(|s| s < 400)), "{requests:#?}");
}

#[test]
fn publishes_with_an_oauth2_user_token() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect_bearer(&peer, &peer.url, "user");
    let remote = conn.publish(&text("k-bearer", "Biblioteket har öppet till 20 i kväll.")).unwrap();
    assert_eq!(post(&peer, &remote.id)["raw_text"], "Biblioteket har öppet till 20 i kväll.");
}

#[test]
fn a_thread_goes_out_as_replies_to_the_part_before() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    let first = conn.publish(&text("k-t", "Del 1 av 3: vattnet stängs av.")).unwrap();
    let second = conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-t-1", "Del 2 av 3: kl 9–12.") }).unwrap();
    // The publisher hands a later part the thread so far; the reply goes to its last part.
    let so_far = Remote { parts: vec![first.id.clone(), second.id.clone()], ..first.clone() };
    let third = conn.publish(&Outgoing { reply_to: Some(&so_far), ..text("k-t-2", "Del 3 av 3: tack!") }).unwrap();
    let (p1, p2, p3) = (post(&peer, &first.id), post(&peer, &second.id), post(&peer, &third.id));
    assert_eq!(p2["in_reply_to_tweet_id"], first.id.as_str());
    assert_eq!(p3["in_reply_to_tweet_id"], second.id.as_str());
    assert_eq!(p3["conversation_id"], p1["conversation_id"]);
    assert_eq!(p3["text"], "Del 3 av 3: tack!", "a reply to one's own post keeps its text");
}

#[test]
fn images_are_uploaded_in_chunks_with_their_alt_text() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    // Bigger than one append (1 MiB): the fake keeps the bytes without decoding them.
    let big: Vec<u8> = (0..1_500_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let media = [
        Upload {
            public_url: None,
            bytes: png(),
            mime: "image/png",
            alt: "En plogbil på en snöig gata".into(),
            width: 8,
            height: 6,
            name: "plogbil.png".into(),
        },
        Upload {
            public_url: None,
            bytes: big.clone(),
            mime: "image/jpeg",
            alt: "Karta över Norra Testby".into(),
            width: 800,
            height: 600,
            name: "karta.jpg".into(),
        },
    ];
    let remote = conn.publish(&Outgoing { media: &media, ..text("k-img", "Plogbilarna är ute.") }).unwrap();
    let stored = post(&peer, &remote.id);
    let ids: Vec<String> =
        stored["media_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2, "{stored}");
    let state = peer.state();
    let uploaded = |id: &str| state["media"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned().unwrap();
    for (id, upload) in ids.iter().zip(&media) {
        let m = uploaded(id);
        assert_eq!(m["alt_text"], upload.alt.as_str(), "{m}");
        assert_eq!(m["sha256"], sha256(&upload.bytes), "{m}");
        assert_eq!(m["received_bytes"], upload.bytes.len(), "{m}");
        assert_eq!(m["media_type"], upload.mime, "{m}");
        assert_eq!(m["media_category"], "tweet_image", "{m}");
    }
    assert_eq!(uploaded(&ids[1])["segments"].as_object().unwrap().len(), 2, "1.5 MB goes in two appends");
}

#[test]
fn a_gif_is_waited_for_while_x_processes_it() {
    let peer = FakePeer::start("x", &[]);
    peer.control("settings", json!({"media_processing_secs": 1}));
    let mut conn = connect(&peer);
    let gif = [Upload {
        public_url: None,
        bytes: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
        mime: "image/gif",
        alt: "En blinkande varningsskylt".into(),
        width: 1,
        height: 1,
        name: "skylt.gif".into(),
    }];
    let remote = conn.publish(&Outgoing { media: &gif, ..text("k-gif", "Varning") }).unwrap();
    let id = post(&peer, &remote.id)["media_ids"][0].as_str().unwrap().to_string();
    let requests = peer.state()["requests"].to_string();
    assert!(requests.contains(&format!("media_id={id}")), "STATUS was asked: {requests}");
}

#[test]
fn edit_makes_a_new_version_and_is_refused_after_the_window_with_advice() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-edit", "Mötet börjar 18.00")).unwrap();
    let edited = conn.edit(&remote, &text("k-edit", "Mötet börjar 19.00")).unwrap();
    assert_ne!(edited.id, remote.id, "every edit has a new id");
    assert_eq!(edited.url.as_deref(), Some(format!("https://x.com/testkommunen/status/{}", edited.id).as_str()));
    let new = post(&peer, &edited.id);
    assert_eq!(new["raw_text"], "Mötet börjar 19.00");
    assert_eq!(new["edit_chain"], json!([remote.id, edited.id]));
    assert_eq!(post(&peer, &remote.id)["superseded_by"], edited.id.as_str());
    assert_eq!(live_posts(&peer).len(), 1);

    // Thirty-one minutes later X edits no more: Unsupported, with the way out.
    peer.control("clock", json!({"advance": 31 * 60}));
    let err = conn.edit(&edited, &text("k-edit", "Mötet börjar 20.00")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Unsupported, "{err}");
    let said = err.to_string();
    assert!(said.contains("30 minutes") && said.contains("corrects") && said.contains("reply"), "{said}");
    assert!(said.contains("could be edited until"), "{said}");
    assert_eq!(post(&peer, &edited.id)["raw_text"], "Mötet börjar 19.00");
}

#[test]
fn the_sixth_edit_is_unsupported() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    let mut remote = conn.publish(&text("k-5", "Version 0")).unwrap();
    for n in 1..=5 {
        remote = conn.edit(&remote, &text("k-5", &format!("Version {n}"))).unwrap();
    }
    let err = conn.edit(&remote, &text("k-5", "Version 6")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Unsupported, "{err}");
    assert!(err.message().contains("5 edits"), "{err}");
}

#[test]
fn delete_removes_and_deleting_again_is_fine() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-del", "Fel inlägg")).unwrap();
    conn.delete(&remote).unwrap();
    assert_eq!(post(&peer, &remote.id)["deleted"], true);
    assert!(live_posts(&peer).is_empty());
    conn.delete(&remote).expect("deleting what is gone is success");
    // Editing or answering what is gone is NotFound.
    let err = conn.edit(&remote, &text("k-del", "Ny text")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::NotFound, "{err}");
    let err = conn.publish(&Outgoing { reply_to: Some(&remote), ..text("k-del-reply", "Rättelse") }).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::NotFound, "{err}");
}

#[test]
fn lookup_finds_a_post_whose_answer_was_lost_and_says_absent_for_one_never_sent() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    let intent = before(1);
    // Escaping and a t.co link: X stores neither as sent.
    let sent = text("k-lost", "Vatten & avlopp <3: läs mer på https://www.testby.se/vatten?omrade=norr&dag=1");
    let remote = conn.publish(&sent).unwrap();
    let stored = post(&peer, &remote.id);
    assert_ne!(stored["text"], sent.text, "the fake stores t.co links and escapes: {stored}");

    // A fresh connection (the next run) finds it.
    let mut next = connect(&peer);
    assert_eq!(next.lookup(&sent, intent).unwrap(), Lookup::Found(remote.clone()));
    assert_eq!(next.find_sent(sent.text, intent).unwrap(), Some(remote.clone()));
    assert_eq!(next.lookup(&text("k-never", "Aldrig skickad"), intent).unwrap(), Lookup::Absent);
    assert_eq!(next.find_sent("Aldrig skickad", intent).unwrap(), None);
    // Images alone cannot be told apart from other posts of images: a person decides.
    match next.lookup(&text("k-images", ""), intent).unwrap() {
        Lookup::CannotTell(why) => assert!(why.contains("budkavle resolve") && why.contains("k-images"), "{why}"),
        other => panic!("expected CannotTell, got {other:?}"),
    }

    // A thread part is the one answering the part before it.
    let part = Outgoing { reply_to: Some(&remote), ..text("k-lost-1", "Del 2") };
    let second = conn.publish(&part).unwrap();
    assert_eq!(next.lookup(&part, intent).unwrap(), Lookup::Found(second.clone()));
    let elsewhere = Remote { id: "1790000000000000999".into(), url: None, parts: vec![] };
    assert_eq!(next.lookup(&Outgoing { reply_to: Some(&elsewhere), ..part }, intent).unwrap(), Lookup::Absent);

    // An intent another machine's clock put in the future is read from now, less the skew.
    let later = Timestamp::now().checked_add(SignedDuration::from_mins(10)).unwrap();
    assert_eq!(next.lookup(&sent, later).unwrap(), Lookup::Found(remote));
}

#[test]
fn an_answer_lost_on_the_wire_is_found_and_never_posted_twice() {
    let peer = FakePeer::start("x", &[]);
    // The proxy passes every request on and can drop one answer; OAuth 2.0 here, since the
    // proxy sends the fake's own Host and an OAuth 1.0a signature covers the host.
    let proxy = LossyProxy::start(&peer.url);
    let mut conn = connect_bearer(&peer, &proxy.url, "user");
    let out = text("k-wire", "Vattnet är tjänligt igen.");
    let intent = Timestamp::now();
    // Not there before it is sent; then the answer to the create is lost.
    assert_eq!(conn.lookup(&out, intent).unwrap(), Lookup::Absent);
    proxy.lose_next("POST", "/2/tweets");
    let err = conn.publish(&out).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    let made = live_posts(&peer);
    assert_eq!(made.len(), 1, "X carried it out all the same");
    let id = made[0]["id"].as_str().unwrap();

    match conn.lookup(&out, intent).unwrap() {
        Lookup::Found(remote) => assert_eq!(remote.id, id),
        other => panic!("expected Found, got {other:?}"),
    }
    // Even a blind re-send makes no second post: X calls it a duplicate, and the client
    // answers with the post it finds.
    let again = conn.publish(&out).unwrap();
    assert_eq!(again.id, id);
    assert_eq!(live_posts(&peer).len(), 1);
}

#[test]
fn lookup_pages_through_the_timeline_and_cannot_tell_past_its_3200_posts() {
    let mut posts: Vec<Value> =
        vec![json!({"text": "Från i förrgår", "age_secs": 20 * 60}), json!({"text": "Den äldsta", "age_secs": 120})];
    posts.extend((0..250).map(|n| json!({"text": format!("Nyare inlägg {n}"), "age_secs": 60})));
    let (peer, _dir) = seeded(&json!({ "posts": posts }));
    let mut conn = connect(&peer);
    let found = conn.lookup(&text("k-old", "Den äldsta"), before(10)).unwrap();
    assert!(matches!(found, Lookup::Found(_)), "{found:?}");
    assert_eq!(conn.lookup(&text("k-none", "Finns inte"), before(10)).unwrap(), Lookup::Absent);
    // A post made before the intent (less five minutes for clocks) is not the one asked for.
    assert_eq!(conn.lookup(&text("k-before", "Från i förrgår"), before(10)).unwrap(), Lookup::Absent);
    assert!(matches!(conn.lookup(&text("k-before", "Från i förrgår"), before(30)).unwrap(), Lookup::Found(_)));

    let many: Vec<Value> = (0..3300).map(|n| json!({"text": format!("Inlägg {n}"), "age_secs": 60})).collect();
    let (peer, _dir) = seeded(&json!({ "posts": many }));
    let mut conn = connect(&peer);
    match conn.lookup(&text("k-none", "Finns inte"), before(10)).unwrap() {
        Lookup::CannotTell(why) => {
            assert!(why.contains("3200") && why.contains("budkavle resolve") && why.contains("@testkommunen"), "{why}")
        }
        other => panic!("expected CannotTell, got {other:?}"),
    }
}

#[test]
fn a_duplicate_refusal_returns_the_earlier_post() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    let first = conn.publish(&text("k-dup", "Kommunfullmäktige sammanträder i kväll.")).unwrap();
    let again = conn.publish(&text("k-dup", "Kommunfullmäktige sammanträder i kväll.")).unwrap();
    assert_eq!(again, first);
    assert_eq!(live_posts(&peer).len(), 1);
    let refused = peer.state()["requests"].as_array().unwrap().iter().filter(|r| r["status"] == 403).count();
    assert_eq!(refused, 1, "X's duplicate answer was what the second publish met");
}

#[test]
fn a_duplicate_of_an_older_post_asks_a_person() {
    let (peer, _dir) = seeded(&json!({
        "posts": [{"text": "God morgon, Testby!", "age_secs": 30 * 3600}],
        "settings": {"duplicate_window_secs": 7 * 86400}
    }));
    let mut conn = connect(&peer);
    let err = conn.publish(&text("k-morning", "God morgon, Testby!")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Rejected, "{err}");
    let said = err.to_string();
    assert!(
        said.contains("duplicate") && said.contains("budkavle resolve") && said.contains("@testkommunen"),
        "{said}"
    );
    assert_eq!(live_posts(&peer).len(), 1);
}

#[test]
fn a_used_up_rate_limit_window_is_transient_until_its_reset() {
    let peer = FakePeer::start("x", &[]);
    peer.control(
        "quota",
        json!({"endpoint": "POST /2/tweets", "remaining": 0, "limit": 100, "reset_in": 600, "account": "main"}),
    );
    let mut conn = connect(&peer);
    let err = conn.publish(&text("k-429", "Hej")).unwrap_err();
    let SendError::Transient { retry_after: Some(wait), .. } = &err else {
        panic!("expected Transient with a wait: {err:?}")
    };
    assert!((590..=601).contains(&wait.as_secs()), "{wait:?}");
    assert!(live_posts(&peer).is_empty());
}

#[test]
fn the_24_hour_posting_limit_is_transient_and_the_usage_cap_is_permanent() {
    let peer = FakePeer::start("x", &[]);
    peer.control("quota", json!({"user_24h": {"remaining": 0, "account": "main"}}));
    let mut conn = connect(&peer);
    let err = conn.publish(&text("k-day", "Hej")).unwrap_err();
    let SendError::Transient { retry_after: Some(wait), message } = &err else { panic!("{err:?}") };
    assert!(message.contains("24-hour"), "{message}");
    assert!(wait.as_secs() > 23 * 3600 && wait.as_secs() <= 24 * 3600, "{wait:?}");

    let peer = FakePeer::start("x", &[]);
    peer.control("quota", json!({"usage_cap": {"remaining": 0}}));
    let mut conn = connect(&peer);
    let err = conn.publish(&text("k-cap", "Hej")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Forbidden, "{err}");
    assert!(err.message().contains("usage cap") && err.message().contains("does not help"), "{err}");
}

#[test]
fn an_expired_token_is_auth_and_a_missing_scope_is_forbidden_by_name() {
    let peer = FakePeer::start("x", &[]);
    let expired = bearer(&peer, "expired");
    let mut conn = connect_bearer(&peer, &peer.url, "expired");
    let err = conn.publish(&text("k-exp", "Hej")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Auth, "{err}");
    assert!(err.to_string().contains("expired") && !err.to_string().contains(&expired), "{err}");

    let mut conn = connect_bearer(&peer, &peer.url, "read_only");
    let err = conn.publish(&text("k-scope", "Hej")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Forbidden, "{err}");
    assert!(err.message().contains("tweet.write"), "{err}");

    // An app-only token cannot post for anyone.
    let mut conn = connect_bearer(&peer, &peer.url, "app_only");
    assert_eq!(permanent(&conn.publish(&text("k-app", "Hej")).unwrap_err()), ErrorKind::Auth);

    // An OAuth 1.0a app with read permission only.
    let mut conn = connect_with(&oauth1_section(&peer.url), &oauth1_env(&peer, "oauth1_read_only_app"));
    let err = conn.publish(&text("k-ro", "Hej")).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Forbidden, "{err}");
    assert!(err.message().contains("Read and write"), "{err}");
    assert!(live_posts(&peer).is_empty());
}

#[test]
fn no_secret_appears_in_any_error() {
    let peer = FakePeer::start("x", &[]);
    let good = |f: &str| peer.ready["oauth1"][f].as_str().unwrap().to_string();
    let wrong_secret = "wrongConsumerSecret9f8e7d6c5b4a";
    let secrets = [good("consumer_key"), wrong_secret.to_string(), good("access_token"), good("access_token_secret")];
    let env = FakePeer::env(&[
        (API_KEY, &secrets[0]),
        (API_SECRET, &secrets[1]),
        (ACCESS_TOKEN, &secrets[2]),
        (ACCESS_SECRET, &secrets[3]),
    ]);
    let mut conn = connect_with(&oauth1_section(&peer.url), &env);
    let media = [Upload {
        public_url: None,
        bytes: png(),
        mime: "image/png",
        alt: "alt".into(),
        width: 8,
        height: 6,
        name: "a.png".into(),
    }];
    let remote = Remote { id: "1790000000000000555".into(), url: None, parts: vec![] };
    let errors = [
        conn.publish(&text("k-s", "Hej")).unwrap_err(),
        conn.publish(&Outgoing { media: &media, ..text("k-s2", "Hej") }).unwrap_err(),
        conn.edit(&remote, &text("k-s3", "Hej")).unwrap_err(),
        conn.delete(&remote).unwrap_err(),
        conn.lookup(&text("k-s4", "Hej"), before(5)).unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(permanent(e), ErrorKind::Auth, "{e}");
        assert!(e.to_string().contains("clock"), "an OAuth 1.0a refusal names the clock too: {e}");
        for s in &secrets {
            assert!(!e.to_string().contains(s.as_str()) && !format!("{e:?}").contains(s.as_str()), "{e:?}");
        }
    }
    // The bearer token neither.
    let token = bearer(&peer, "expired");
    let mut conn = connect_bearer(&peer, &peer.url, "expired");
    let e = conn.delete(&remote).unwrap_err();
    assert!(!e.to_string().contains(&token) && !format!("{e:?}").contains(&token), "{e:?}");
}

#[test]
fn missing_or_mixed_credentials_name_the_strategy_key() {
    let url = "http://127.0.0.1:9";
    let (_repo, project) = project(&oauth1_section(url));
    let line = project.strategy.source.lines().position(|l| l.contains(ACCESS_SECRET)).unwrap() + 1;
    let env = FakePeer::env(&[(API_KEY, "k"), (API_SECRET, "s"), (ACCESS_TOKEN, "t")]);
    let err = try_connect(&oauth1_section(url), &env).err().expect("a missing key fails").to_string();
    assert!(err.contains(ACCESS_SECRET) && err.contains(&format!("strategy.toml:{line}")), "{err}");

    let only_key = format!("[platforms.x]\napi_url = \"{url}\"\napi_key_env = \"{API_KEY}\"\n");
    let err = try_connect(&only_key, &FakePeer::env(&[(API_KEY, "k")])).err().expect("three keys missing").to_string();
    assert!(err.contains("api_secret_env"), "{err}");

    let both = format!("{}token_env = \"{TOKEN}\"\n", oauth1_section(url));
    let err = try_connect(&both, &FakePeer::env(&[])).err().expect("both kinds fail").to_string();
    assert!(err.contains("token_env") && err.contains("api_key_env"), "{err}");

    let none = format!("[platforms.x]\napi_url = \"{url}\"\n");
    let err = try_connect(&none, &FakePeer::env(&[])).err().expect("no credentials fail").to_string();
    assert!(err.contains("token_env") && err.contains("access_secret_env"), "{err}");

    let junk = FakePeer::env(&[(TOKEN, "Bearer abc-secret-77")]);
    let err = try_connect(&bearer_section(url), &junk).err().expect("a token with a space fails").to_string();
    assert!(err.contains(TOKEN) && !err.contains("abc-secret-77"), "{err}");

    // Without api_url the real host is used; nothing is asked until the first call.
    let default = format!("[platforms.x]\ntoken_env = \"{TOKEN}\"\n");
    assert!(try_connect(&default, &FakePeer::env(&[(TOKEN, "t")])).is_ok());
}

#[test]
fn limits_are_xs_documented_ones() {
    let peer = FakePeer::start("x", &[]);
    let mut conn = connect(&peer);
    assert_eq!(
        conn.limits().unwrap(),
        Limits { chars: Some(280), max_media: Some(4), image_bytes: Some(5 * 1024 * 1024) }
    );
    // Too long a text is X's refusal, as Rejected with X's words.
    let err = conn.publish(&text("k-long", &"a".repeat(281))).unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Rejected, "{err}");
    assert!(err.message().contains("too long"), "{err}");
}

/// `doctor`'s check: the credentials log in as the account strategy.toml names; an expired
/// token is Auth; a strategy naming another account gets a warning.
#[test]
fn health_names_the_account_and_refuses_a_dead_token() {
    let peer = FakePeer::start("x", &[]);
    let health = connect(&peer).health().expect("health");
    assert_eq!(health.account.as_deref(), Some("@testkommunen"));
    assert!(health.warnings.is_empty(), "{:?}", health.warnings);
    assert!(health.needed.contains(&"tweet.write"));
    let section = oauth1_section(&peer.url).replace("@testkommunen", "@annankommun");
    let health = connect_with(&section, &oauth1_env(&peer, "oauth1")).health().expect("health");
    assert!(health.warnings.iter().any(|w| w.contains("@annankommun")), "{:?}", health.warnings);
    let expired = bearer(&peer, "expired");
    let err = connect_bearer(&peer, &peer.url, "expired").health().unwrap_err();
    assert_eq!(permanent(&err), ErrorKind::Auth, "{err}");
    assert!(!err.to_string().contains(&expired));
}
