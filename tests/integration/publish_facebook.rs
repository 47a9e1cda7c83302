//! The Facebook Pages client against the Graph API fake (`tests/peers/facebook`, written from
//! Meta's documentation): every request is real HTTP, and every post, photo and comment is read
//! back from the fake's state as it stored it.

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

const TOKEN_ENV: &str = "TEST_FACEBOOK_TOKEN";

pub(crate) fn start() -> FakePeer {
    FakePeer::start("facebook", &[])
}

fn page_id(peer: &FakePeer) -> String {
    peer.ready["page_id"].as_str().expect("page_id").to_string()
}

fn page_token(peer: &FakePeer) -> String {
    peer.ready["page_token"].as_str().expect("page_token").to_string()
}

fn named_token(peer: &FakePeer, label: &str) -> String {
    peer.ready["tokens"][label].as_str().unwrap_or_else(|| panic!("no token {label}")).to_string()
}

/// A content repository whose `[platforms.facebook]` points at `url` (the fake, or a proxy).
fn repo_at(url: &str, page: &str, extra: &str) -> (common::Repo, budkavle::Project) {
    let repo = common::Repo::new("");
    let section = format!(
        "[platforms.facebook]\napi_url = \"{url}\"\npage_id = \"{page}\"\ntoken_env = \"{TOKEN_ENV}\"\n{extra}"
    );
    let strategy = common::STRATEGY.replace("[platforms.facebook]\n", &section);
    assert_ne!(strategy, common::STRATEGY);
    repo.file("strategy.toml", strategy.as_bytes());
    let project = repo.load();
    (repo, project)
}

fn http() -> Http {
    Http::new(Duration::from_secs(10)).unwrap()
}

fn connect_at(url: &str, page: &str, token: &str) -> Box<dyn Connection> {
    let (_repo, project) = repo_at(url, page, "");
    let token = token.to_string();
    let env = move |k: &str| (k == TOKEN_ENV).then(|| token.clone());
    match budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &env, &http()) {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    }
}

fn connect_with(peer: &FakePeer, token: &str) -> Box<dyn Connection> {
    connect_at(&peer.url, &page_id(peer), token)
}

pub(crate) fn connect(peer: &FakePeer) -> Box<dyn Connection> {
    connect_with(peer, &page_token(peer))
}

pub(crate) fn text(key: &str, body: &str) -> Outgoing<'static> {
    let key: &'static str = Box::leak(key.to_string().into_boxed_str());
    let body: &'static str = Box::leak(body.to_string().into_boxed_str());
    Outgoing { key, text: body, facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 20) as u8, (y * 30) as u8, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

fn image(name: &str, alt: &str) -> Upload {
    Upload {
        bytes: png(12, 8),
        mime: "image/png",
        alt: alt.into(),
        width: 12,
        height: 8,
        name: name.into(),
        public_url: None,
    }
}

/// The Page's posts that are not deleted, oldest first.
fn posts(peer: &FakePeer) -> Vec<Value> {
    let state = peer.state();
    state["posts"].as_array().unwrap().iter().filter(|p| p["deleted"] == false).cloned().collect()
}

fn post(peer: &FakePeer, id: &str) -> Value {
    let state = peer.state();
    state["posts"].as_array().unwrap().iter().find(|p| p["id"] == id).cloned().unwrap_or_else(|| panic!("no post {id}"))
}

fn photo(peer: &FakePeer, id: &str) -> Value {
    let state = peer.state();
    state["photos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no photo {id}"))
}

fn comments(peer: &FakePeer) -> Vec<Value> {
    peer.state()["comments"].as_array().unwrap().iter().filter(|c| c["deleted"] == false).cloned().collect()
}

fn ago(minutes: i64) -> Timestamp {
    Timestamp::now() - SignedDuration::from_mins(minutes)
}

#[test]
fn publishes_a_post_on_the_page() {
    let peer = start();
    let mut conn = connect(&peer);
    assert_eq!(conn.platform(), PlatformId::Facebook);
    let remote = conn.publish(&text("k-1", "Snöröjningen börjar i natt. #Testby\nLäs mer på www.testby.se")).unwrap();
    let page = page_id(&peer);
    assert!(remote.id.starts_with(&format!("{page}_")), "{remote:?}");
    let object = remote.id.split_once('_').unwrap().1;
    assert_eq!(remote.url.as_deref(), Some(format!("https://www.facebook.com/{page}/posts/{object}").as_str()));
    let stored = post(&peer, &remote.id);
    assert_eq!(stored["message"], "Snöröjningen börjar i natt. #Testby\nLäs mer på www.testby.se");
    assert_eq!(stored["published"], true);
    assert_eq!(posts(&peer).len(), 1);
}

#[test]
fn a_link_gets_its_card() {
    let peer = start();
    let mut conn = connect(&peer);
    let out = Outgoing {
        link: Some("https://www.testby.se/snorojning"),
        ..text("k-link", "Läs mer: https://www.testby.se/snorojning")
    };
    let remote = conn.publish(&out).unwrap();
    assert_eq!(post(&peer, &remote.id)["link"], "https://www.testby.se/snorojning");
}

#[test]
fn images_go_up_as_photos_with_their_alt_text_and_are_attached_to_one_post() {
    let peer = start();
    let mut conn = connect(&peer);
    let media = [image("plog.png", "En plogbil på Storgatan"), image("sand.png", "Sandbilen vid torget")];
    let remote = conn.publish(&Outgoing { media: &media, ..text("k-img", "Plogbilarna är ute.") }).unwrap();
    let stored = post(&peer, &remote.id);
    assert_eq!(stored["message"], "Plogbilarna är ute.");
    let attached = stored["photos"].as_array().unwrap();
    assert_eq!(attached.len(), 2, "{stored}");
    for (id, m) in attached.iter().zip(&media) {
        let p = photo(&peer, id.as_str().unwrap());
        assert_eq!(p["alt_text_custom"], m.alt.as_str());
        assert_eq!(p["format"], "png");
        assert_eq!(p["bytes"], m.bytes.len());
        assert_eq!(p["origin"], "upload");
        assert_eq!(p["used_in"], remote.id.as_str());
    }

    // One image takes the same path.
    let one = [image("en.png", "Ett ensamt foto")];
    let remote = conn.publish(&Outgoing { media: &one, ..text("k-img-1", "En bild.") }).unwrap();
    let attached = post(&peer, &remote.id)["photos"].clone();
    assert_eq!(photo(&peer, attached[0].as_str().unwrap())["alt_text_custom"], "Ett ensamt foto");
}

#[test]
fn later_parts_and_follow_ups_are_comments_on_the_first_post() {
    let peer = start();
    let mut conn = connect(&peer);
    let first = conn.publish(&text("k-t", "Del 1: vattnet är avstängt.")).unwrap();
    let second =
        conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-t-1", "Del 2: tankbil på torget.") }).unwrap();
    let third = conn.publish(&Outgoing { reply_to: Some(&second), ..text("k-t-2", "Del 3: mer i kväll.") }).unwrap();
    let all = comments(&peer);
    assert_eq!(all.len(), 2, "{all:#?}");
    for (remote, message) in [(&second, "Del 2: tankbil på torget."), (&third, "Del 3: mer i kväll.")] {
        let c = all.iter().find(|c| c["id"] == remote.id.as_str()).expect("the comment");
        assert_eq!(c["post_id"], first.id.as_str(), "a comment on the first post, not on the comment before");
        assert!(c["parent_id"].is_null());
        assert_eq!(c["from_id"], page_id(&peer));
        assert_eq!(c["message"], message);
        assert!(remote.url.as_deref().is_some_and(|u| u.contains("comment_id=")), "{remote:?}");
    }
    assert_eq!(posts(&peer).len(), 1, "no post besides the first");

    // An update of a thread answers under its first post too.
    let thread = Remote { id: first.id.clone(), url: None, parts: vec![first.id.clone(), second.id.clone()] };
    let update = conn
        .publish(&Outgoing { reply_to: Some(&thread), ..text("k-u", "Uppdatering: vattnet är tillbaka.") })
        .unwrap();
    assert!(comments(&peer).iter().any(|c| c["id"] == update.id.as_str() && c["post_id"] == first.id.as_str()));

    // A comment takes one image, not two.
    let two = [image("a.png", "a"), image("b.png", "b")];
    let err =
        conn.publish(&Outgoing { media: &two, reply_to: Some(&first), ..text("k-u2", "Två bilder") }).unwrap_err();
    assert!(
        matches!(err, SendError::Permanent { kind: ErrorKind::Rejected, .. }) && err.message().contains("one image"),
        "{err}"
    );
}

#[test]
fn edit_changes_the_text_of_a_post_and_of_a_comment() {
    let peer = start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-e", "Mötet börjar 18.00")).unwrap();
    let edited = conn.edit(&remote, &text("k-e", "Mötet börjar 19.00")).unwrap();
    assert_eq!(edited.id, remote.id);
    assert_eq!(edited.url, remote.url);
    let stored = post(&peer, &remote.id);
    assert_eq!(stored["message"], "Mötet börjar 19.00");
    assert!(
        stored["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["event"] == "edited" && h["previous"] == "Mötet börjar 18.00")
    );

    let comment = conn.publish(&Outgoing { reply_to: Some(&remote), ..text("k-e-1", "Lokal: aulan") }).unwrap();
    conn.edit(&comment, &text("k-e-1", "Lokal: matsalen")).unwrap();
    assert!(comments(&peer).iter().any(|c| c["id"] == comment.id.as_str() && c["message"] == "Lokal: matsalen"));
    assert_eq!(posts(&peer).len(), 1);
}

#[test]
fn delete_removes_and_deleting_again_is_fine() {
    let peer = start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-d", "Fel inlägg")).unwrap();
    let comment = conn.publish(&Outgoing { reply_to: Some(&remote), ..text("k-d-1", "Fel del 2") }).unwrap();
    conn.delete(&comment).unwrap();
    conn.delete(&remote).unwrap();
    assert!(posts(&peer).is_empty());
    assert_eq!(post(&peer, &remote.id)["deleted"], true);
    conn.delete(&remote).expect("deleting what is gone is success");
    conn.delete(&comment).expect("deleting what is gone is success");
    let err = conn.edit(&remote, &text("k-d", "Ny text")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::NotFound, .. }), "{err:?}");
}

#[test]
fn lookup_finds_a_post_whose_answer_was_lost_and_is_sure_of_one_never_sent() {
    let peer = start();
    let before = ago(2);
    let out = text("k-l", "Vattnet är tjänligt igen.");
    let sent = connect(&peer).publish(&out).unwrap();
    connect(&peer).publish(&text("k-other", "Något annat")).unwrap();

    // The next run, with a fresh connection, looks the part up from its intent.
    let mut conn = connect(&peer);
    match conn.lookup(&out, before).unwrap() {
        Lookup::Found(remote) => {
            assert_eq!(remote.id, sent.id);
            assert!(remote.url.is_some());
        }
        other => panic!("expected Found, got {other:?}"),
    }
    assert_eq!(conn.lookup(&text("k-never", "Aldrig skickat"), before).unwrap(), Lookup::Absent);
    assert_eq!(conn.find_sent("Vattnet är tjänligt igen.", before).unwrap().map(|r| r.id), Some(sent.id.clone()));

    // A comment is looked up among the Page's comments on its post.
    let part = Outgoing { reply_to: Some(&sent), ..text("k-l-1", "Koka inte längre.") };
    let comment = connect(&peer).publish(&part).unwrap();
    assert_eq!(conn.lookup(&part, before).unwrap(), Lookup::Found(Remote { parts: vec![], ..comment }));
    let never = Outgoing { reply_to: Some(&sent), ..text("k-l-2", "Aldrig kommenterat") };
    assert_eq!(conn.lookup(&never, before).unwrap(), Lookup::Absent);
}

#[test]
fn a_lost_answer_is_looked_up_before_the_retry_so_the_post_goes_out_once() {
    let peer = start();
    let proxy = LossyProxy::start(&peer.url);
    let mut conn = connect_at(&proxy.url, &page_id(&peer), &page_token(&peer));
    proxy.lose_next("POST", &format!("/v25.0/{}/feed", page_id(&peer)));
    let out = text("k-lost", "Skolorna är stängda i dag.");
    let err = conn.publish(&out).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert_eq!(posts(&peer).len(), 1, "the server posted it all the same");

    // The publisher's retry in the same run: the client looks first and finds it.
    let remote = conn.publish(&out).unwrap();
    assert_eq!(remote.id, posts(&peer)[0]["id"].as_str().unwrap());
    assert_eq!(posts(&peer).len(), 1);

    // Facebook's duplicate check would not catch these (a post with photos, a comment): only
    // the look-up does.
    let media = [image("plog.png", "En plogbil")];
    let with_image = Outgoing { media: &media, ..text("k-lost-img", "Plogbilen är ute.") };
    proxy.lose_next("POST", &format!("/v25.0/{}/feed", page_id(&peer)));
    assert!(matches!(conn.publish(&with_image), Err(SendError::Transient { .. })));
    let again = conn.publish(&with_image).unwrap();
    assert_eq!(posts(&peer).len(), 2, "{:#?}", posts(&peer));
    assert!(posts(&peer).iter().any(|p| p["id"] == again.id.as_str() && p["message"] == "Plogbilen är ute."));

    let part = Outgoing { reply_to: Some(&remote), ..text("k-lost-c", "Mer information i kväll.") };
    proxy.lose_next("POST", &format!("/v25.0/{}/comments", remote.id));
    assert!(matches!(conn.publish(&part), Err(SendError::Transient { .. })));
    let comment = conn.publish(&part).unwrap();
    let all = comments(&peer);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["id"], comment.id.as_str());
}

#[test]
fn facebooks_duplicate_answer_is_taken_as_already_sent() {
    let peer = start();
    let first = connect(&peer).publish(&text("k-dup", "Hämtning av grovsopor på lördag.")).unwrap();
    // Another run, which knew nothing of the first: Facebook answers 506, the client looks.
    let again = connect(&peer).publish(&text("k-dup-2", "Hämtning av grovsopor på lördag.")).unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(posts(&peer).len(), 1);
    let log: Value = reqwest::blocking::get(format!("{}/_fake/requests", peer.url)).unwrap().json().unwrap();
    assert!(log["requests"].as_array().unwrap().iter().any(|r| r["code"] == 506), "Facebook answered 506: {log}");
}

#[test]
fn throttling_is_transient_with_the_wait_from_the_usage_header() {
    let peer = start();
    let mut conn = connect(&peer);
    peer.control("quota", json!({"bucket": "pages", "remaining": 0, "regain_seconds": 600}));
    let err = conn.publish(&text("k-rl", "Hej")).unwrap_err();
    match &err {
        SendError::Transient { retry_after: Some(wait), message } => {
            assert_eq!(*wait, Duration::from_secs(600), "{message}");
            assert!(message.contains("80001"), "{message}");
        }
        other => panic!("expected a transient error with a wait, got {other:?}"),
    }
    peer.control("quota", json!({"bucket": "pages", "remaining": 0, "regain_seconds": 60, "code": 613}));
    let err = conn.publish(&text("k-rl", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }) && err.message().contains("613"), "{err:?}");
    assert!(posts(&peer).is_empty());
}

#[test]
fn an_expired_or_invalidated_token_is_auth_and_never_shown() {
    let peer = start();
    for (label, says) in [("expired_page_token", "expired"), ("password_changed_page_token", "password")] {
        let token = named_token(&peer, label);
        let mut conn = connect_with(&peer, &token);
        let remote = Remote { id: format!("{}_1", page_id(&peer)), url: None, parts: vec![] };
        let errors = [
            conn.publish(&text("k-a", "Hej")).unwrap_err(),
            conn.publish(&Outgoing { media: &[image("a.png", "alt")], ..text("k-a2", "Hej") }).unwrap_err(),
            conn.edit(&remote, &text("k-a3", "Hej")).unwrap_err(),
            conn.delete(&remote).unwrap_err(),
            conn.lookup(&text("k-a4", "Hej"), ago(5)).unwrap_err(),
        ];
        for e in &errors {
            assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{label}: {e:?}");
            assert!(e.message().contains(says), "{e}");
            assert!(e.to_string().contains(ErrorKind::Auth.advice()));
            assert!(!e.to_string().contains(&token) && !format!("{e:?}").contains(&token), "{e:?}");
        }
    }
}

#[test]
fn a_token_without_the_write_permission_is_forbidden_and_names_it() {
    let peer = start();
    let mut conn = connect_with(&peer, &named_token(&peer, "readonly_page_token"));
    let err = conn.publish(&text("k-ro", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("pages_manage_posts"), "{err}");
    // The admin's user token cannot write to the Page either (the real API's rule).
    let user = peer.ready["user_token"].as_str().unwrap().to_string();
    let err = connect_with(&peer, &user).publish(&text("k-user", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    // A Page token without pages_manage_engagement cannot comment; the message says so.
    let token = peer.control(
        "tokens",
        json!({"kind": "PAGE", "scopes": ["pages_manage_posts", "pages_read_engagement"], "label": "no_engagement"}),
    )["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut conn = connect_with(&peer, &token);
    let first = conn.publish(&text("k-ne", "Inlägg")).unwrap();
    let err = conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-ne-1", "Kommentar") }).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("pages_manage_engagement"), "{err}");
    assert!(posts(&peer).len() == 1 && comments(&peer).is_empty());
}

#[test]
fn a_blocked_page_is_forbidden_with_advice() {
    let peer = start();
    peer.control("config", json!({"blocked": true}));
    let err = connect(&peer).publish(&text("k-b", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("368") && err.message().contains("Account Quality"), "{err}");
}

#[test]
fn settings_are_checked_before_any_request() {
    let peer = start();
    let (_repo, project) = repo_at(&peer.url, &page_id(&peer), "");
    let line = project.strategy.source.lines().position(|l| l.contains(TOKEN_ENV)).unwrap() + 1;
    let err = match budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &|_| None, &http()) {
        Ok(_) => panic!("connect without a token must fail"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(TOKEN_ENV) && err.contains(&format!("strategy.toml:{line}")), "{err}");

    let (_repo, project) = repo_at(&peer.url, &page_id(&peer), "api_version = \"25\"\n");
    let err = match budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &|_| Some("t".into()), &http())
    {
        Ok(_) => panic!("a malformed api_version must fail"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("api_version") && err.contains("v25.0"), "{err}");

    let env = |_: &str| Some("EAA secret-with-space".to_string());
    let (_repo, project) = repo_at(&peer.url, &page_id(&peer), "");
    let err = match budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &env, &http()) {
        Ok(_) => panic!("a token with a space must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(TOKEN_ENV) && !err.contains("secret-with-space"), "{err}");
}

#[test]
fn an_older_api_version_is_still_served_and_a_future_one_names_the_setting() {
    let peer = start();
    let (_repo, project) = repo_at(&peer.url, &page_id(&peer), "api_version = \"v22.0\"\n");
    let token = page_token(&peer);
    let env = move |_: &str| Some(token.clone());
    let mut conn = budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &env, &http()).unwrap();
    conn.publish(&text("k-v", "Hej")).unwrap();

    let (_repo, project) = repo_at(&peer.url, &page_id(&peer), "api_version = \"v99.0\"\n");
    let mut conn = budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &env, &http()).unwrap();
    let err = conn.publish(&text("k-v2", "Hej igen")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Protocol, .. }), "{err:?}");
    assert!(err.message().contains("api_version"), "{err}");
}

#[test]
fn an_app_that_requires_the_app_secret_gets_appsecret_proof() {
    let peer = start();
    peer.control("config", json!({"require_appsecret_proof": true}));
    let err = connect(&peer).publish(&text("k-p", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{err:?}");
    assert!(err.message().contains("api_secret_env"), "{err}");

    let secret_env = "TEST_FACEBOOK_APP_SECRET";
    let (_repo, project) = repo_at(&peer.url, &page_id(&peer), &format!("api_secret_env = \"{secret_env}\"\n"));
    let (token, secret) = (page_token(&peer), peer.ready["app_secret"].as_str().unwrap().to_string());
    for (value, works) in [(secret.clone(), true), ("not-the-secret".to_string(), false)] {
        let (token, value) = (token.clone(), value.clone());
        let env = move |k: &str| match k {
            TOKEN_ENV => Some(token.clone()),
            k if k == secret_env => Some(value.clone()),
            _ => None,
        };
        let mut conn = budkavle::clients::connect(&project.strategy, PlatformId::Facebook, &env, &http()).unwrap();
        let result = conn.publish(&text(&format!("k-p-{works}"), &format!("Med bevis: {works}")));
        assert_eq!(result.is_ok(), works, "{result:?}");
        if let Err(e) = result {
            assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{e:?}");
            assert!(!e.to_string().contains(&secret) && !e.to_string().contains("not-the-secret"));
        }
    }
    assert_eq!(posts(&peer).len(), 1);
}

#[test]
fn limits_are_facebooks() {
    let peer = start();
    assert_eq!(connect(&peer).limits().unwrap(), Limits { chars: Some(63_206), max_media: None, image_bytes: None });
}

#[test]
fn a_server_that_is_down_is_transient() {
    let peer = start();
    let url = peer.url.clone();
    let page = page_id(&peer);
    drop(peer);
    let mut conn = connect_at(&url, &page, "EAAsome-token-value");
    let err = conn.publish(&text("k-down", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert!(!err.to_string().contains("EAAsome-token-value"));
}

/// `doctor`'s check: the Page the token belongs to, its permissions from Meta's token debug,
/// a read-only token's missing permission named, an expired token refused as Auth.
#[test]
fn health_reads_the_page_and_the_token_debug() {
    let peer = start();
    let health = connect(&peer).health().expect("health");
    assert_eq!(health.account.as_deref(), peer.ready["page_name"].as_str());
    assert!(health.scopes.as_ref().is_some_and(|s| s.iter().any(|p| p == "pages_manage_posts")), "{health:?}");
    assert!(health.missing.is_empty(), "{health:?}");
    assert_eq!(health.expires, None, "a Page token does not expire");
    let readonly = named_token(&peer, "readonly_page_token");
    let health = connect_with(&peer, &readonly).health().expect("health");
    assert!(health.missing.iter().any(|m| m == "pages_manage_posts"), "{health:?}");
    let expired = named_token(&peer, "expired_page_token");
    let err = connect_with(&peer, &expired).health().unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{err}");
    assert!(!err.to_string().contains(&expired), "{err}");
}
