//! The platform fakes of `tests/peers/` reproduce the documented examples their READMEs quote:
//! each `replay.py` starts its fake and replays every example and error case, and fails on the
//! first answer that is not what the documentation shows.

use std::process::Command;

use crate::common::fake_peer::FakePeer;

fn replay(name: &str) {
    let script = FakePeer::dir(name).join("replay.py");
    let out = Command::new("python3")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {} ({e}): install python3", script.display()));
    assert!(
        out.status.success(),
        "{} failed:\n{}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn x_replays_its_documented_examples() {
    replay("x");
}

#[test]
fn facebook_replays_its_documented_examples() {
    replay("facebook");
}

#[test]
fn instagram_replays_its_documented_examples() {
    replay("instagram");
}

#[test]
fn threads_replays_its_documented_examples() {
    replay("threads");
}

#[test]
fn linkedin_replays_its_documented_examples() {
    replay("linkedin");
}

#[test]
fn every_fake_starts_and_says_where_it_listens() {
    for name in ["x", "facebook", "instagram", "threads", "linkedin"] {
        let peer = FakePeer::start(name, &[]);
        assert!(peer.url.starts_with("http://127.0.0.1:"), "{name}: {}", peer.url);
        assert!(peer.state().is_object(), "{name}: /_fake/state is not an object");
    }
}

/// The whole AT Protocol network (PDS + AppView on its own PostgreSQL) counts what another
/// account does to the organisation's post, and notifies about it: what metrics and the inbox
/// read from Bluesky.
#[test]
fn bluesky_with_its_appview_counts_and_notifies_what_a_citizen_does() {
    use crate::common::bluesky_peer::BlueskyPeer;
    use serde_json::{Value, json};

    let peer = BlueskyPeer::start_with_appview();
    assert!(peer.appview.as_deref().is_some_and(|u| u.starts_with("http://")), "{:?}", peer.appview);
    let http = reqwest::blocking::Client::new();
    let xrpc = format!("{}/xrpc", peer.service);
    let session: Value = http
        .post(format!("{xrpc}/com.atproto.server.createSession"))
        .json(&json!({"identifier": peer.handle, "password": peer.password}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("a session");
    let token = session["accessJwt"].as_str().expect("an access token").to_string();
    let created: Value = http
        .post(format!("{xrpc}/com.atproto.repo.createRecord"))
        .bearer_auth(&token)
        .json(&json!({
            "repo": peer.did,
            "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": "Vattnet är tjänligt igen.", "createdAt": "2026-12-01T12:00:00Z"}
        }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("a post");
    let uri = created["uri"].as_str().expect("the post's URI");

    let made = peer.engage(
        uri,
        json!({"like": true, "repost": true, "reply": "Tack för beskedet!", "quote": "Bra att veta", "mention": "Gäller det Norrby också?"}),
    );
    assert_eq!(made.len(), 5, "{made:?}");

    let posts: Value = http
        .get(format!("{xrpc}/app.bsky.feed.getPosts"))
        .query(&[("uris", uri)])
        .bearer_auth(&token)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("getPosts through the PDS");
    let post = &posts["posts"][0];
    for count in ["likeCount", "repostCount", "replyCount", "quoteCount"] {
        assert_eq!(post[count], 1, "{count} in {post}");
    }
    let notifications: Value = http
        .get(format!("{xrpc}/app.bsky.notification.listNotifications"))
        .bearer_auth(&token)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("listNotifications through the PDS");
    let mut reasons: Vec<&str> = notifications["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
    reasons.sort_unstable();
    assert_eq!(reasons, ["like", "mention", "quote", "reply", "repost"], "{notifications}");
}
