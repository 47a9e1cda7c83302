//! The Threads client against the Threads API fake (`tests/peers/threads`): text posts,
//! threads as chains of replies, images the fake really fetches from a local stand-in for the
//! archive, and what Threads answers when it will not.

use crate::common;
use crate::common::fake_peer::FakePeer;
use crate::common::mastodon_peer::LossyProxy;
use crate::publish_instagram::{Archive, jpeg, upload};

use std::time::Duration;

use budkavle::PlatformId;
use budkavle::clients::api::{Connection, ErrorKind, Limits, Lookup, Outgoing, SendError, Upload};
use budkavle::clients::http::Http;
use budkavle::platform::Remote;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const TOKEN_ENV: &str = "TEST_THREADS_TOKEN";

pub(crate) fn start() -> FakePeer {
    let peer = FakePeer::start("threads", &[]);
    peer.control("config", json!({"container_delay": 0}));
    peer
}

fn token(peer: &FakePeer) -> String {
    peer.ready["access_token"].as_str().unwrap().to_string()
}

fn named_token(peer: &FakePeer, label: &str) -> String {
    peer.ready["tokens"][label].as_str().unwrap().to_string()
}

fn connect_at(url: &str, token: &str) -> Box<dyn Connection> {
    let repo = common::Repo::new("");
    let section = format!("[platforms.threads]\napi_url = \"{url}\"\ntoken_env = \"{TOKEN_ENV}\"\n");
    repo.file("strategy.toml", common::STRATEGY.replace("[platforms.threads]\n", &section).as_bytes());
    let project = repo.load();
    let token = token.to_string();
    let env = move |k: &str| (k == TOKEN_ENV).then(|| token.clone());
    let http = Http::new(Duration::from_secs(10)).unwrap();
    match budkavle::clients::connect(&project.strategy, PlatformId::Threads, &env, &http) {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    }
}

fn connect_with(peer: &FakePeer, token: &str) -> Box<dyn Connection> {
    connect_at(&peer.url, token)
}

pub(crate) fn connect(peer: &FakePeer) -> Box<dyn Connection> {
    connect_with(peer, &token(peer))
}

pub(crate) fn text(key: &str, body: &str) -> Outgoing<'static> {
    let key: &'static str = Box::leak(key.to_string().into_boxed_str());
    let body: &'static str = Box::leak(body.to_string().into_boxed_str());
    Outgoing { key, text: body, facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}

/// Posts that are not deleted (carousel items left out).
fn posts(peer: &FakePeer) -> Vec<Value> {
    let state = peer.state();
    state["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted"] == false && p["child"] == false)
        .cloned()
        .collect()
}

fn post(peer: &FakePeer, id: &str) -> Value {
    let state = peer.state();
    state["posts"].as_array().unwrap().iter().find(|p| p["id"] == id).cloned().unwrap_or_else(|| panic!("no post {id}"))
}

fn ago(minutes: i64) -> Timestamp {
    Timestamp::now() - SignedDuration::from_mins(minutes)
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(width, height, |x, _| image::Rgb([x as u8, 40, 90]))
        .write_to(&mut b, image::ImageFormat::Png)
        .unwrap();
    b.into_inner()
}

#[test]
fn publishes_a_text_post() {
    let peer = start();
    let mut conn = connect(&peer);
    assert_eq!(conn.platform(), PlatformId::Threads);
    let remote = conn.publish(&text("k-1", "Snöröjningen börjar i natt ❄️ #Testby")).unwrap();
    let p = post(&peer, &remote.id);
    assert_eq!(p["text"], "Snöröjningen börjar i natt ❄️ #Testby");
    assert_eq!(p["media_type"], "TEXT_POST");
    assert!(p["reply_to"].is_null());
    assert_eq!(remote.url.as_deref(), p["permalink"].as_str());
}

#[test]
fn a_link_gets_its_preview() {
    let peer = start();
    let out = Outgoing {
        link: Some("https://www.testby.se/snorojning"),
        ..text("k-l", "Läs mer: https://www.testby.se/snorojning")
    };
    let remote = connect(&peer).publish(&out).unwrap();
    assert_eq!(post(&peer, &remote.id)["link_attachment"], "https://www.testby.se/snorojning");
}

#[test]
fn a_thread_of_three_is_a_chain_of_replies() {
    let peer = start();
    let mut conn = connect(&peer);
    let first = conn.publish(&text("k-t", "Del 1")).unwrap();
    let second = conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-t-1", "Del 2") }).unwrap();
    let third = conn.publish(&Outgoing { reply_to: Some(&second), ..text("k-t-2", "Del 3") }).unwrap();
    assert_eq!(post(&peer, &second.id)["reply_to"], first.id.as_str());
    assert_eq!(post(&peer, &third.id)["reply_to"], second.id.as_str());
    assert_eq!(post(&peer, &third.id)["root_id"], first.id.as_str());
    assert_eq!(post(&peer, &third.id)["text"], "Del 3");

    // An update of the thread answers its last part.
    let thread =
        Remote { id: first.id.clone(), url: None, parts: vec![first.id.clone(), second.id.clone(), third.id.clone()] };
    let update = conn.publish(&Outgoing { reply_to: Some(&thread), ..text("k-u", "Uppdatering") }).unwrap();
    assert_eq!(post(&peer, &update.id)["reply_to"], third.id.as_str());
}

#[test]
fn images_are_fetched_from_the_archive_with_their_alt_text() {
    let peer = start();
    let archive = Archive::start();
    let bytes = png(40, 30);
    let url = archive.serve("/media/karta.png", &bytes);
    let one = [upload(bytes, "image/png", (40, 30), "Karta över plogade gator", Some(url.clone()))];
    let remote = connect(&peer).publish(&Outgoing { media: &one, ..text("k-i", "Se kartan") }).unwrap();
    let p = post(&peer, &remote.id);
    assert_eq!(p["media_type"], "IMAGE");
    assert_eq!(p["alt_text"], "Karta över plogade gator");
    assert_eq!(p["image_url"], url.as_str());
    assert_eq!(p["text"], "Se kartan");
    assert_eq!(archive.asked("/media/karta.png"), 2, "budkavle checked it, then Threads fetched it");

    let two: Vec<Upload> = (0..2)
        .map(|i| {
            let bytes = jpeg(300 + i, 300);
            let url = archive.serve(&format!("/media/{i}.jpg"), &bytes);
            upload(bytes, "image/jpeg", (300 + i, 300), &format!("Bild {i}"), Some(url))
        })
        .collect();
    let remote = connect(&peer).publish(&Outgoing { media: &two, ..text("k-c", "Två bilder") }).unwrap();
    let album = post(&peer, &remote.id);
    assert_eq!(album["media_type"], "CAROUSEL_ALBUM");
    let children = album["children"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(post(&peer, children[1].as_str().unwrap())["alt_text"], "Bild 1");
}

#[test]
fn an_image_the_archive_does_not_serve_yet_waits_for_the_deploy() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(300, 300);
    let missing = format!("{}/media/ny.jpg", archive.url);
    let one = [upload(bytes.clone(), "image/jpeg", (300, 300), "alt", Some(missing.clone()))];
    let mut conn = connect(&peer);
    let err = conn.publish(&Outgoing { media: &one, ..text("k-nd", "Hej") }).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert!(
        err.message().contains(&format!("deploy the archive first: {missing} does not serve the image yet")),
        "{err}"
    );
    archive.serve("/media/ny.jpg", &jpeg(300, 299));
    let err = conn.publish(&Outgoing { media: &one, ..text("k-nd", "Hej") }).unwrap_err();
    assert!(err.message().contains("other bytes"), "{err}");
    assert!(posts(&peer).is_empty());
    archive.serve("/media/ny.jpg", &bytes);
    conn.publish(&Outgoing { media: &one, ..text("k-nd", "Hej") }).unwrap();
    assert_eq!(posts(&peer).len(), 1);
}

#[test]
fn edit_is_unsupported_with_advice() {
    let peer = start();
    let remote = connect(&peer).publish(&text("k-e", "Mötet börjar 18.00")).unwrap();
    let err = connect(&peer).edit(&remote, &text("k-e", "Mötet börjar 19.00")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Unsupported, .. }), "{err:?}");
    assert!(err.message().contains("Threads app"), "{err}");
    assert_eq!(post(&peer, &remote.id)["text"], "Mötet börjar 18.00");
}

#[test]
fn delete_removes_and_deleting_again_is_fine_and_needs_threads_delete() {
    let peer = start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-d", "Fel inlägg")).unwrap();
    let basic = named_token(&peer, "basic_only");
    let err = connect_with(&peer, &basic).delete(&remote).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("threads_delete"), "{err}");
    conn.delete(&remote).unwrap();
    assert!(posts(&peer).is_empty());
    conn.delete(&remote).expect("deleting what is gone is success");
}

#[test]
fn lookup_finds_posts_and_thread_parts_and_is_sure_of_one_never_sent() {
    let peer = start();
    let before = ago(2);
    let first = text("k-l", "Vattnet är tjänligt igen.");
    let sent = connect(&peer).publish(&first).unwrap();
    let part = Outgoing { reply_to: Some(&sent), ..text("k-l-1", "Koka inte längre.") };
    let reply = connect(&peer).publish(&part).unwrap();

    let mut conn = connect(&peer);
    assert_eq!(conn.lookup(&first, before).unwrap(), Lookup::Found(sent.clone()));
    assert_eq!(conn.lookup(&part, before).unwrap(), Lookup::Found(reply.clone()));
    assert_eq!(conn.lookup(&text("k-n", "Aldrig skickat"), before).unwrap(), Lookup::Absent);
    let never = Outgoing { reply_to: Some(&sent), ..text("k-n-1", "Aldrig svarat") };
    assert_eq!(conn.lookup(&never, before).unwrap(), Lookup::Absent);
    assert_eq!(conn.find_sent("Koka inte längre.", before).unwrap(), Some(reply));
}

#[test]
fn a_lost_publish_answer_is_settled_by_the_container_and_posts_once() {
    let peer = start();
    let proxy = LossyProxy::start(&peer.url);
    let mut conn = connect_at(&proxy.url, &token(&peer));
    proxy.lose_next("POST", "/v1.0/me/threads_publish");
    let out = text("k-lost", "Skolorna är stängda i dag.");
    let err = conn.publish(&out).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert_eq!(posts(&peer).len(), 1, "Threads published it all the same");
    let remote = conn.publish(&out).unwrap();
    assert_eq!(remote.id, posts(&peer)[0]["id"].as_str().unwrap());
    assert_eq!(posts(&peer).len(), 1);
    assert_eq!(peer.state()["containers"].as_array().map(Vec::len), Some(1), "no second container");
}

#[test]
fn used_up_quotas_and_rate_limits_are_transient() {
    let peer = start();
    let mut conn = connect(&peer);
    let first = conn.publish(&text("k-q0", "Första")).unwrap();
    peer.control("quota", json!({"bucket": "posts", "remaining": 0}));
    let err = conn.publish(&text("k-q", "Hej")).unwrap_err();
    match &err {
        SendError::Transient { message, retry_after } => {
            assert!(
                message.contains("publishing limit is used up") && message.contains("250 of 250 posts"),
                "{message}"
            );
            assert!(retry_after.is_some_and(|w| w > Duration::from_secs(23 * 3600)), "{retry_after:?}");
        }
        other => panic!("expected transient, got {other:?}"),
    }
    // Replies have their own quota, still free.
    conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-r", "Svar") }).unwrap();
    peer.control("quota", json!({"bucket": "replies", "remaining": 0}));
    let err = conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-r2", "Svar 2") }).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }) && err.message().contains("replies"), "{err:?}");

    peer.control("quota", json!({"bucket": "threads", "remaining": 0}));
    let err = conn.lookup(&text("k", "Hej"), ago(5)).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }) && err.message().contains("code 4"), "{err:?}");
}

#[test]
fn an_expired_token_is_auth_and_a_missing_permission_is_named() {
    let peer = start();
    for label in ["expired", "password_changed"] {
        let t = named_token(&peer, label);
        let mut conn = connect_with(&peer, &t);
        let remote = Remote { id: "1".into(), url: None, parts: vec![] };
        for e in [
            conn.publish(&text("k-a", "Hej")).unwrap_err(),
            conn.delete(&remote).unwrap_err(),
            conn.lookup(&text("k-a", "Hej"), ago(5)).unwrap_err(),
        ] {
            assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{label}: {e:?}");
            assert!(!e.to_string().contains(&t) && !format!("{e:?}").contains(&t));
        }
    }
    let err = connect_with(&peer, &named_token(&peer, "basic_only")).publish(&text("k-b", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("threads_content_publish"), "{err}");
    assert!(posts(&peer).is_empty());
}

#[test]
fn limits_are_threads() {
    let peer = start();
    assert_eq!(
        connect(&peer).limits().unwrap(),
        Limits { chars: Some(500), max_media: Some(20), image_bytes: Some(8_000_000) }
    );
}

/// `doctor`'s check: the account the token belongs to, and what Meta's token debug shows.
#[test]
fn health_names_the_account() {
    let peer = FakePeer::start("threads", &[]);
    let health = connect(&peer).health().expect("health");
    assert_eq!(health.account.as_deref(), peer.ready["username"].as_str(), "{health:?}");
    assert!(!health.needed.is_empty());
    assert!(health.scopes.is_some() || !health.notes.is_empty(), "{health:?}");
}
