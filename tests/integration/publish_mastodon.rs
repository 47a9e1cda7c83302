//! The Mastodon client against a real HTTP server: mastodon-mock 0.6.1, started per test
//! (install it with `bash tests/peers/mastodon/install.sh`). Character counting is not tested
//! here: the mock does not count like Mastodon.

use crate::common;
use crate::common::mastodon_peer;

use std::time::Duration;

use budkavle::PlatformId;
use budkavle::clients::api::{Connection, ErrorKind, Limits, Lookup, Outgoing, SendError, Upload};
use budkavle::clients::http::Http;
use budkavle::platform::Remote;
use jiff::{SignedDuration, Timestamp};
use mastodon_peer::MastodonPeer;

const TOKEN_ENV: &str = "TEST_MASTODON_TOKEN";

/// A content repository whose strategy.toml points `[platforms.mastodon]` at the peer.
fn project(peer: &MastodonPeer, extra: &str) -> (common::Repo, budkavle::Project) {
    project_at(&peer.url, extra)
}

/// … or at another address (a proxy in front of the peer).
fn project_at(url: &str, extra: &str) -> (common::Repo, budkavle::Project) {
    let repo = common::Repo::new("");
    let mastodon = format!("instance = \"{url}\"\ntoken_env = \"{TOKEN_ENV}\"\n{extra}");
    let strategy = common::STRATEGY.replace("instance = \"https://social.testby.se\"\n", &mastodon);
    assert_ne!(strategy, common::STRATEGY, "the test strategy has a Mastodon instance line to replace");
    repo.file("strategy.toml", strategy.as_bytes());
    let project = repo.load();
    (repo, project)
}

fn http() -> Http {
    Http::new(Duration::from_secs(10)).unwrap()
}

/// A connection with `env` as the environment.
fn connect_with(peer: &MastodonPeer, extra: &str, env: &dyn Fn(&str) -> Option<String>) -> Box<dyn Connection> {
    let (_repo, project) = project(peer, extra);
    budkavle::clients::connect(&project.strategy, PlatformId::Mastodon, env, &http())
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

fn connect(peer: &MastodonPeer) -> Box<dyn Connection> {
    connect_with(peer, "", &peer.env(TOKEN_ENV))
}

fn text(key: &str, body: &str) -> Outgoing<'static> {
    // Leaked so the test can hand out `Outgoing<'static>` without juggling lifetimes.
    let key: &'static str = Box::leak(key.to_string().into_boxed_str());
    let body: &'static str = Box::leak(body.to_string().into_boxed_str());
    Outgoing { key, text: body, facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}

/// A small real PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([(x * 30) as u8, (y * 40) as u8, 200]));
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn field<'a>(status: &'a serde_json::Value, name: &str) -> &'a str {
    status[name].as_str().unwrap_or_else(|| panic!("status has no {name}: {status}"))
}

#[test]
fn publishes_a_status_with_language_and_visibility() {
    let peer = MastodonPeer::start();
    let mut conn = connect_with(&peer, "visibility = \"unlisted\"\n", &peer.env(TOKEN_ENV));
    assert_eq!(conn.platform(), PlatformId::Mastodon);

    let remote = conn.publish(&text("k-first", "Snöröjningen börjar i natt. #Testby")).unwrap();
    assert!(remote.parts.is_empty());
    let status = peer.status(&remote.id).expect("the status exists");
    assert_eq!(field(&status, "id"), remote.id);
    assert_eq!(remote.url.as_deref(), status["url"].as_str());
    assert_eq!(field(&status, "language"), "sv");
    assert_eq!(field(&status, "visibility"), "unlisted");
    assert!(field(&status, "content").contains("Snöröjningen börjar i natt."), "{status}");
    assert!(status["in_reply_to_id"].is_null());
}

#[test]
fn visibility_defaults_to_public() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-public", "Hej")).unwrap();
    assert_eq!(field(&peer.status(&remote.id).unwrap(), "visibility"), "public");
}

#[test]
fn replies_answer_the_post_or_the_last_part_of_its_thread() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let first = conn.publish(&text("k-root", "Del 1")).unwrap();
    let second = conn.publish(&Outgoing { reply_to: Some(&first), ..text("k-part2", "Del 2") }).unwrap();
    assert_eq!(field(&peer.status(&second.id).unwrap(), "in_reply_to_id"), first.id);

    // An update of a post that went out as a thread answers the thread's last part.
    let thread =
        Remote { id: first.id.clone(), url: first.url.clone(), parts: vec![first.id.clone(), second.id.clone()] };
    let update = conn.publish(&Outgoing { reply_to: Some(&thread), ..text("k-update", "Uppdatering") }).unwrap();
    assert_eq!(field(&peer.status(&update.id).unwrap(), "in_reply_to_id"), second.id);
}

#[test]
fn uploads_an_image_with_its_alt_text() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let media = [Upload {
        bytes: png(),
        mime: "image/png",
        alt: "En plogbil på en snöig gata".into(),
        width: 8,
        height: 6,
        name: "plogbil.png".into(),
        public_url: None,
    }];
    let remote = conn.publish(&Outgoing { media: &media, ..text("k-image", "Plogbilarna är ute.") }).unwrap();
    let status = peer.status(&remote.id).unwrap();
    let attachments = status["media_attachments"].as_array().expect("media_attachments");
    assert_eq!(attachments.len(), 1, "{status}");
    assert_eq!(field(&attachments[0], "description"), "En plogbil på en snöig gata");
    assert_eq!(field(&attachments[0], "type"), "image");
    assert!(attachments[0]["url"].as_str().is_some_and(|u| u.ends_with(".png")), "{status}");
}

#[test]
fn a_resend_with_the_same_key_is_the_same_status() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let out = text("k-once", "Bara en gång");
    let first = conn.publish(&out).unwrap();
    let again = conn.publish(&out).unwrap();
    assert_eq!(first, again);
    // A fresh connection (the next run) re-sending the same key gets the same status too.
    let third = connect(&peer).publish(&out).unwrap();
    assert_eq!(first.id, third.id);
    let statuses = peer.statuses();
    assert_eq!(statuses.len(), 1, "{statuses:#?}");
    // A different key is a different status.
    let other = conn.publish(&text("k-twice", "Bara en gång")).unwrap();
    assert_ne!(other.id, first.id);
    assert_eq!(peer.statuses().len(), 2);
}

#[test]
fn edit_changes_the_text() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-edit", "Mötet börjar 18.00")).unwrap();
    let edited = conn.edit(&remote, &text("k-edit-2", "Mötet börjar 19.00")).unwrap();
    assert_eq!(edited.id, remote.id);
    assert_eq!(edited.url, remote.url);
    let source = peer.get(&format!("/api/v1/statuses/{}/source", remote.id)).unwrap();
    assert_eq!(field(&source, "text"), "Mötet börjar 19.00");
    let status = peer.status(&remote.id).unwrap();
    assert!(field(&status, "content").contains("19.00"), "{status}");
    assert!(status["edited_at"].is_string(), "{status}");
    assert_eq!(peer.statuses().len(), 1);
}

#[test]
fn delete_removes_and_a_second_delete_is_fine() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-delete", "Fel inlägg")).unwrap();
    conn.delete(&remote).unwrap();
    assert!(peer.status(&remote.id).is_none());
    assert!(peer.statuses().is_empty());
    conn.delete(&remote).expect("deleting what is gone is success");
}

#[test]
fn edit_of_a_deleted_status_is_not_found() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-gone", "Snart borta")).unwrap();
    conn.delete(&remote).unwrap();
    let err = conn.edit(&remote, &text("k-gone-2", "Ny text")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::NotFound, .. }), "{err:?}");
}

#[test]
fn lookup_is_resend_safe_within_the_hour_and_a_person_decides_after() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    assert_eq!(conn.lookup(&key_only("k-fresh"), Timestamp::now()).unwrap(), Lookup::ResendSafe);
    let ten_minutes_ago = Timestamp::now().checked_sub(SignedDuration::from_mins(10)).unwrap();
    assert_eq!(conn.lookup(&key_only("k-fresh"), ten_minutes_ago).unwrap(), Lookup::ResendSafe);

    let two_hours_ago = Timestamp::now().checked_sub(SignedDuration::from_hours(2)).unwrap();
    match conn.lookup(&key_only("k-old"), two_hours_ago).unwrap() {
        Lookup::CannotTell(why) => {
            assert!(why.contains("budkavle resolve"), "{why}");
            assert!(why.contains("k-old"), "{why}");
            assert!(why.contains(&two_hours_ago.strftime("%Y-%m-%d %H:%M").to_string()), "{why}");
            assert!(!why.contains(&peer.token));
        }
        other => panic!("a two-hour-old intent must go to a person, got {other:?}"),
    }
}

#[test]
fn limits_come_from_the_instance() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let limits = conn.limits().unwrap();
    assert_eq!(limits, Limits { chars: Some(500), max_media: Some(4), image_bytes: Some(10 * 1024 * 1024) });
}

#[test]
fn pin_and_unpin() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    let remote = conn.publish(&text("k-pin", "Viktigt")).unwrap();
    let pinned = || {
        let list = peer.get(&format!("/api/v1/accounts/{}/statuses?pinned=true", peer.account_id)).unwrap();
        list.as_array().unwrap().iter().map(|s| field(s, "id").to_string()).collect::<Vec<_>>()
    };
    conn.pin(&remote).unwrap();
    assert_eq!(pinned(), vec![remote.id.clone()]);
    conn.unpin(&remote).unwrap();
    assert!(pinned().is_empty());
}

#[test]
fn a_wrong_token_is_a_permanent_auth_error_that_never_shows_the_token() {
    let peer = MastodonPeer::start();
    let wrong = "wrong-token-6f1b2c9d8e7a";
    let env = move |name: &str| (name == TOKEN_ENV).then(|| wrong.to_string());
    let mut conn = connect_with(&peer, "", &env);

    let err = conn.publish(&text("k-auth", "Hej")).unwrap_err();
    let SendError::Permanent { kind: ErrorKind::Auth, .. } = &err else {
        panic!("expected Permanent Auth, got {err:?}")
    };
    let shown = err.to_string();
    assert!(shown.contains(ErrorKind::Auth.advice()), "{shown}");
    assert!(shown.contains("401"), "{shown}");
    assert_eq!(err.kind_name(), "auth");

    // Nothing any operation says contains the token.
    let media = [Upload {
        bytes: png(),
        mime: "image/png",
        alt: "alt".into(),
        width: 8,
        height: 6,
        name: "a.png".into(),
        public_url: None,
    }];
    let remote = Remote { id: "1".into(), url: None, parts: vec![] };
    let errors = [
        err,
        conn.publish(&Outgoing { media: &media, ..text("k-auth-2", "Hej") }).unwrap_err(),
        conn.edit(&remote, &text("k-auth-3", "Hej")).unwrap_err(),
        conn.delete(&remote).unwrap_err(),
        conn.pin(&remote).unwrap_err(),
    ];
    for e in &errors {
        assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{e:?}");
        assert!(!e.to_string().contains(wrong), "{e}");
        assert!(!format!("{e:?}").contains(wrong), "{e:?}");
        assert!(!e.message().contains(wrong));
    }
}

#[test]
fn an_unset_token_variable_names_the_variable_and_the_strategy_line() {
    let peer = MastodonPeer::start();
    let (_repo, project) = project(&peer, "");
    let line = project.strategy.source.lines().position(|l| l.contains(TOKEN_ENV)).unwrap() + 1;
    for env in [&(|_: &str| None) as &dyn Fn(&str) -> Option<String>, &|_: &str| Some("  ".into())] {
        let err = match budkavle::clients::connect(&project.strategy, PlatformId::Mastodon, env, &http()) {
            Ok(_) => panic!("connect without a token must fail"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(TOKEN_ENV), "{err}");
        assert!(err.contains(&format!("strategy.toml:{line}")), "{err}");
    }
}

#[test]
fn a_token_with_junk_around_it_is_refused_without_showing_it() {
    let peer = MastodonPeer::start();
    let (_repo, project) = project(&peer, "");
    let env = |_: &str| Some("Bearer abc-secret-77".to_string());
    let err = match budkavle::clients::connect(&project.strategy, PlatformId::Mastodon, &env, &http()) {
        Ok(_) => panic!("a token with a space inside must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(TOKEN_ENV), "{err}");
    assert!(!err.contains("abc-secret-77"), "{err}");
}

#[test]
fn a_server_that_is_down_is_transient() {
    let peer = MastodonPeer::start();
    let (_repo, project) = project(&peer, "");
    drop(peer);
    // The port is closed now: nothing answers.
    let env = |_: &str| Some("some-token-value-123".to_string());
    let mut conn = budkavle::clients::connect(&project.strategy, PlatformId::Mastodon, &env, &http()).unwrap();
    let err = conn.publish(&text("k-down", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert!(!err.to_string().contains("some-token-value-123"));
}

#[test]
fn server_errors_are_transient_and_keep_the_retry_after() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    peer.add_fault(&serde_json::json!({
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "status", "status": 503, "headers": {"Retry-After": "7"}},
        "count": 1
    }));
    let err = conn.publish(&text("k-503", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(7)), "{err:?}");
    // The fault is used up: the re-send with the same key goes through, once.
    let remote = conn.publish(&text("k-503", "Hej")).unwrap();
    assert_eq!(peer.statuses().len(), 1);
    assert_eq!(field(&peer.statuses()[0], "id"), remote.id);
}

#[test]
fn a_lost_answer_then_a_resend_with_the_same_key_posts_once() {
    let peer = MastodonPeer::start();
    let proxy = peer.lossy_proxy();
    let (_repo, project) = project_at(&proxy.url, "");
    let env = peer.env(TOKEN_ENV);
    let mut conn = budkavle::clients::connect(&project.strategy, PlatformId::Mastodon, &env, &http()).unwrap();

    proxy.lose_next("POST", "/api/v1/statuses");
    let out = text("k-lost", "Vattnet är tjänligt igen.");
    let err = conn.publish(&out).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    // The server carried it out all the same.
    let statuses = peer.wait_for_statuses(1);
    assert_eq!(statuses.len(), 1, "{statuses:#?}");

    // Within the hour the look-up says re-sending is safe, and it is: the same status comes back.
    assert_eq!(conn.lookup(&key_only("k-lost"), Timestamp::now()).unwrap(), Lookup::ResendSafe);
    let remote = conn.publish(&out).unwrap();
    assert_eq!(remote.id, field(&statuses[0], "id"));
    assert_eq!(peer.statuses().len(), 1);
}

#[test]
fn a_rate_limit_is_transient_with_the_wait_the_server_asked_for() {
    let peer = MastodonPeer::start();
    let mut conn = connect(&peer);
    peer.add_fault(&serde_json::json!({
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "ratelimit", "headers": {"Retry-After": "120"}},
        "count": 1
    }));
    let err = conn.publish(&text("k-429", "Hej")).unwrap_err();
    assert!(
        matches!(err, SendError::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(120)),
        "{err:?}"
    );
    assert!(peer.statuses().is_empty());
}

/// A part known only by its idempotency key, for look-ups that go by the key.
fn key_only(key: &str) -> Outgoing<'_> {
    Outgoing { key, text: "", facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}
