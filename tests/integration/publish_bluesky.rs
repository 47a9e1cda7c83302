//! The Bluesky client against a real PDS (`tests/peers/bluesky`, @atproto/dev-env): every
//! request is real HTTP and every record is read back from the PDS as it stored it.
//! Needs `bash tests/peers/bluesky/install.sh` once.

use crate::common;
use crate::common::bluesky_peer;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::Duration;

use bluesky_peer::BlueskyPeer;
use budkavle::PlatformId;
use budkavle::clients::api::{Connection, ErrorKind, Lookup, Outgoing, SendError, Upload};
use budkavle::clients::http::Http;
use budkavle::platform::Remote;
use budkavle::platform::{Encoded, Segment};
use serde_json::{Value, json};

const PASSWORD_ENV: &str = "TEST_BLUESKY_PASSWORD";

/// One network for the tests that do not count sessions; each test uses its own keys.
fn shared() -> &'static BlueskyPeer {
    static PEER: OnceLock<BlueskyPeer> = OnceLock::new();
    PEER.get_or_init(BlueskyPeer::start)
}

/// A connection as `budkavle publish` makes it: strategy.toml loaded from a content repo.
fn connect_with(peer: &BlueskyPeer, password: Option<&str>) -> Box<dyn Connection> {
    let repo = common::Repo::new("");
    let strategy = common::STRATEGY.replace("[platforms.bluesky]\n", &peer.strategy_section(PASSWORD_ENV));
    repo.file("strategy.toml", strategy.as_bytes());
    let project = repo.load();
    let http = Http::new(Duration::from_secs(20)).unwrap();
    let password = password.map_or_else(|| peer.password.clone(), str::to_string);
    let env = move |k: &str| (k == PASSWORD_ENV).then(|| password.clone());
    match budkavle::clients::connect(&project.strategy, PlatformId::Bluesky, &env, &http) {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    }
}

fn connect(peer: &BlueskyPeer) -> Box<dyn Connection> {
    connect_with(peer, None)
}

fn encode(segments: &[Segment]) -> Encoded {
    budkavle::platform::get(PlatformId::Bluesky).encode(segments)
}

fn out<'a>(key: &'a str, e: &'a Encoded) -> Outgoing<'a> {
    Outgoing { key, text: &e.text, facets: &e.facets, lang: "sv", media: &[], reply_to: None, link: None }
}

fn plain(text: &str) -> Encoded {
    encode(&[Segment::Text(text)])
}

fn value(peer: &BlueskyPeer, uri: &str) -> Value {
    peer.record(uri).unwrap_or_else(|| panic!("{uri} is not on the PDS"))["value"].clone()
}

fn rkey(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap()
}

/// A one-page HTTP server on 127.0.0.1 for link cards; answers every request with `body`.
fn page_server(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/snorojning/karta?omrade=1")
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 40) as u8, (y * 60) as u8, 128]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn facets_and_a_link_card_arrive_byte_for_byte() {
    let peer = shared();
    let mut c = connect(peer);
    let link = page_server(
        r#"<html><head><title>Reserv</title><meta property="og:title" content="Snöröjning i Testby"><meta property="og:description" content="Karta &amp; tider"></head></html>"#,
    );
    let e = encode(&[
        Segment::Text("Snö på väg! Åtta plogbilar ute i Örebrovägen — läs mer: "),
        Segment::Link(&link),
        Segment::Text(" "),
        Segment::Tag("Snöröjning"),
    ]);
    assert!(e.facets[0].index.byte_start > e.text[..e.facets[0].index.byte_start].chars().count());
    let remote = c.publish(&Outgoing { link: Some(&link), ..out("facets/bluesky/0", &e) }).unwrap();
    assert!(remote.id.starts_with(&format!("at://{}/app.bsky.feed.post/", peer.did)), "{}", remote.id);
    assert_eq!(
        remote.url.as_deref(),
        Some(format!("https://bsky.app/profile/{}/post/{}", peer.handle, rkey(&remote.id)).as_str())
    );
    let v = value(peer, &remote.id);
    assert_eq!(v["text"], e.text);
    assert_eq!(v["facets"], serde_json::to_value(&e.facets).unwrap());
    let text = v["text"].as_str().unwrap().as_bytes();
    let f = &v["facets"][1]["index"];
    let (s, end) = (f["byteStart"].as_u64().unwrap() as usize, f["byteEnd"].as_u64().unwrap() as usize);
    assert_eq!(std::str::from_utf8(&text[s..end]).unwrap(), "#Snöröjning");
    assert_eq!(v["facets"][0]["features"][0]["uri"], link.as_str());
    assert_eq!(v["langs"], json!(["sv"]));
    assert!(v["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["embed"]["$type"], "app.bsky.embed.external");
    assert_eq!(
        v["embed"]["external"],
        json!({ "uri": link, "title": "Snöröjning i Testby", "description": "Karta & tider" })
    );
}

#[test]
fn a_link_that_cannot_be_fetched_means_no_card() {
    let peer = shared();
    let mut c = connect(peer);
    let e = plain("Ingen förhandsvisning");
    let dead = "http://127.0.0.1:9/inget";
    let remote = c.publish(&Outgoing { link: Some(dead), ..out("nocard/bluesky/0", &e) }).unwrap();
    assert!(value(peer, &remote.id).get("embed").is_none());
}

#[test]
fn a_thread_of_three_names_its_root_and_parents() {
    let peer = shared();
    let mut c = connect(peer);
    let (a, b, d) = (plain("Del 1 av 3"), plain("Del 2 av 3"), plain("Del 3 av 3"));
    let first = c.publish(&out("thread/bluesky/0", &a)).unwrap();
    let second = c.publish(&Outgoing { reply_to: Some(&first), ..out("thread/bluesky/1", &b) }).unwrap();
    let third = c.publish(&Outgoing { reply_to: Some(&second), ..out("thread/bluesky/2", &d) }).unwrap();
    let cid = |uri: &str| peer.record(uri).unwrap()["cid"].clone();
    let strong = |uri: &str| json!({ "uri": uri, "cid": cid(uri) });
    assert!(value(peer, &first.id).get("reply").is_none());
    assert_eq!(value(peer, &second.id)["reply"], json!({ "root": strong(&first.id), "parent": strong(&first.id) }));
    assert_eq!(value(peer, &third.id)["reply"], json!({ "root": strong(&first.id), "parent": strong(&second.id) }));

    // An update to the whole thread answers its last part (the last of `parts`).
    let thread = Remote {
        id: first.id.clone(),
        url: first.url.clone(),
        parts: vec![first.id.clone(), second.id.clone(), third.id.clone()],
    };
    let u = plain("Uppdatering");
    let update = c.publish(&Outgoing { reply_to: Some(&thread), ..out("thread-update/bluesky/0", &u) }).unwrap();
    assert_eq!(value(peer, &update.id)["reply"], json!({ "root": strong(&first.id), "parent": strong(&third.id) }));
}

#[test]
fn an_image_goes_with_its_alt_text_and_aspect_ratio() {
    let peer = shared();
    let mut c = connect(peer);
    let bytes = png(30, 20);
    let media = [Upload {
        bytes,
        mime: "image/png",
        alt: "Karta över plogade gator i centrum".into(),
        width: 30,
        height: 20,
        name: "karta.png".into(),
        public_url: None,
    }];
    let e = plain("Se kartan");
    let remote = c.publish(&Outgoing { media: &media, ..out("image/bluesky/0", &e) }).unwrap();
    let v = value(peer, &remote.id);
    assert_eq!(v["embed"]["$type"], "app.bsky.embed.images");
    let image = &v["embed"]["images"][0];
    assert_eq!(image["alt"], "Karta över plogade gator i centrum");
    assert_eq!(image["aspectRatio"], json!({ "width": 30, "height": 20 }));
    assert_eq!(image["image"]["mimeType"], "image/png");
    assert_eq!(image["image"]["size"], media[0].bytes.len());
    assert!(image["image"]["ref"]["$link"].is_string(), "{image}");
}

#[test]
fn an_image_over_two_megabytes_is_refused_before_anything_is_sent() {
    let peer = shared();
    let media = [Upload {
        bytes: vec![0u8; 2_000_001],
        mime: "image/jpeg",
        alt: "Stor bild".into(),
        width: 4000,
        height: 3000,
        name: "stor.jpg".into(),
        public_url: None,
    }];
    let e = plain("För stor bild");
    // With a wrong password: the refusal comes before the login, so before any request.
    let mut offline = connect_with(peer, Some("not-the-password"));
    let err = offline.publish(&Outgoing { media: &media, ..out("big/bluesky/0", &e) }).unwrap_err();
    let SendError::Permanent { kind: ErrorKind::Rejected, message } = &err else { panic!("{err:?}") };
    assert!(message.contains("stor.jpg") && message.contains("2000001") && message.contains("2000000"), "{message}");
    let mut c = connect(peer);
    assert_eq!(c.lookup(&key_only("big/bluesky/0"), jiff::Timestamp::now()).unwrap(), Lookup::Absent);
}

#[test]
fn a_resend_with_the_same_key_returns_the_same_record_unchanged() {
    let peer = shared();
    let mut c = connect(peer);
    let e = plain("Skickas en gång");
    let first = c.publish(&out("resend/bluesky/0", &e)).unwrap();
    let before = peer.record(&first.id).unwrap();
    // A fresh connection (a later run), even with a changed text, names the same record.
    let mut again = connect(peer);
    let changed = plain("Skickas en gång (igen)");
    let second = again.publish(&out("resend/bluesky/0", &changed)).unwrap();
    assert_eq!(first, second);
    assert_eq!(peer.record(&first.id).unwrap(), before, "the record was rewritten");
    let same: Vec<_> = peer.records().into_iter().filter(|r| r["uri"] == first.id.as_str()).collect();
    assert_eq!(same.len(), 1);
    assert_eq!(peer.records().iter().filter(|r| r["value"]["text"] == "Skickas en gång (igen)").count(), 0);
}

#[test]
fn lookup_finds_what_went_out_and_nothing_else() {
    let peer = shared();
    let mut c = connect(peer);
    let e = plain("Finns den?");
    let remote = c.publish(&out("lookup/bluesky/0", &e)).unwrap();
    assert_eq!(c.lookup(&key_only("lookup/bluesky/0"), jiff::Timestamp::now()).unwrap(), Lookup::Found(remote));
    assert_eq!(c.lookup(&key_only("lookup/bluesky/never-sent"), jiff::Timestamp::now()).unwrap(), Lookup::Absent);
}

#[test]
fn edit_replaces_the_text_and_keeps_created_at() {
    let peer = shared();
    let mut c = connect(peer);
    let e = plain("Stängt i dag");
    let remote = c.publish(&out("edit/bluesky/0", &e)).unwrap();
    let before = value(peer, &remote.id);
    std::thread::sleep(Duration::from_millis(20));
    let fixed = encode(&[Segment::Text("Öppet i dag "), Segment::Tag("Badhuset")]);
    let edited = c.edit(&remote, &out("edit/bluesky/0", &fixed)).unwrap();
    assert_eq!(edited.id, remote.id);
    let after = value(peer, &remote.id);
    assert_eq!(after["text"], "Öppet i dag #Badhuset");
    assert_eq!(after["facets"], serde_json::to_value(&fixed.facets).unwrap());
    assert_eq!(after["createdAt"], before["createdAt"]);
    let gone = Remote { id: format!("at://{}/app.bsky.feed.post/2222222222222", peer.did), url: None, parts: vec![] };
    let err = c.edit(&gone, &out("edit/bluesky/x", &fixed)).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::NotFound, .. }), "{err:?}");
}

#[test]
fn delete_removes_and_deleting_again_is_fine() {
    let peer = shared();
    let mut c = connect(peer);
    let e = plain("Tas bort");
    let remote = c.publish(&out("delete/bluesky/0", &e)).unwrap();
    c.delete(&remote).unwrap();
    assert!(peer.record(&remote.id).is_none());
    c.delete(&remote).unwrap();
    assert_eq!(c.lookup(&key_only("delete/bluesky/0"), jiff::Timestamp::now()).unwrap(), Lookup::Absent);
}

#[test]
fn pin_and_unpin_only_what_is_pinned() {
    let peer = BlueskyPeer::start(); // its own profile
    let mut c = connect(&peer);
    let (a, b) = (plain("Viktigt"), plain("Annat"));
    let first = c.publish(&out("pin/bluesky/0", &a)).unwrap();
    let other = c.publish(&out("pin/bluesky/1", &b)).unwrap();
    assert_eq!(peer.profile_pinned(), None);
    c.pin(&first).unwrap();
    assert_eq!(peer.profile_pinned(), Some(first.id.clone()));
    let pinned = peer.record(&format!("at://{}/app.bsky.actor.profile/self", peer.did)).unwrap();
    assert_eq!(pinned["value"]["pinnedPost"]["cid"], peer.record(&first.id).unwrap()["cid"]);
    c.unpin(&other).unwrap();
    assert_eq!(peer.profile_pinned(), Some(first.id.clone()), "unpinning another post must not touch the pin");
    c.pin(&other).unwrap();
    assert_eq!(peer.profile_pinned(), Some(other.id.clone()));
    c.unpin(&other).unwrap();
    assert_eq!(peer.profile_pinned(), None);
    c.unpin(&other).unwrap();
}

#[test]
fn one_session_serves_many_posts_and_an_expired_one_is_refreshed() {
    let peer = BlueskyPeer::start(); // its own counters
    let mut c = connect(&peer);
    for i in 0..3 {
        let e = plain(&format!("Inlägg {i}"));
        c.publish(&out(&format!("session/bluesky/{i}"), &e)).unwrap();
    }
    c.lookup(&key_only("session/bluesky/0"), jiff::Timestamp::now()).unwrap();
    assert_eq!(peer.stats(), bluesky_peer::PeerStats { create_session: 1, refresh_session: 0 });

    // The access token expires: refreshSession, the request once more, no new login.
    peer.expire_access_tokens();
    let e = plain("Efter utgånget token");
    c.publish(&out("session/bluesky/3", &e)).unwrap();
    assert_eq!(peer.stats(), bluesky_peer::PeerStats { create_session: 1, refresh_session: 1 });

    // Refresh token gone too: a new session.
    peer.expire_all_tokens();
    let e = plain("Efter ny inloggning");
    let remote = c.publish(&out("session/bluesky/4", &e)).unwrap();
    assert_eq!(peer.stats(), bluesky_peer::PeerStats { create_session: 2, refresh_session: 1 });
    assert!(peer.record(&remote.id).is_some());
    assert_eq!(peer.records().len(), 5);
}

#[test]
fn a_wrong_password_is_a_permanent_auth_failure_that_does_not_show_it() {
    let peer = shared();
    let password = "fel-lösenord-hemligt";
    let mut c = connect_with(peer, Some(password));
    let e = plain("Når aldrig fram");
    let err = c.publish(&out("auth/bluesky/0", &e)).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(password), "{shown}");
    assert!(!shown.contains(&peer.password));
    assert!(err.to_string().contains("environment variable named in strategy.toml"), "{err}");
    assert!(err.to_string().contains(&peer.handle), "{err}");
}

#[test]
fn limits_are_bluesky_s() {
    let peer = shared();
    let l = connect(peer).limits().unwrap();
    assert_eq!((l.chars, l.max_media, l.image_bytes), (Some(300), Some(4), Some(2_000_000)));
}

#[test]
fn strategy_mistakes_are_named_before_any_request() {
    let try_connect = |section: &str, env: &dyn Fn(&str) -> Option<String>| {
        let repo = common::Repo::new("");
        repo.file("strategy.toml", common::STRATEGY.replace("[platforms.bluesky]\n", section).as_bytes());
        let project = repo.load();
        let http = Http::new(Duration::from_secs(5)).unwrap();
        match budkavle::clients::connect(&project.strategy, PlatformId::Bluesky, env, &http) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    };
    let none = |_: &str| None;
    let no_account = try_connect("[platforms.bluesky]\npassword_env = \"PW\"\n", &none);
    assert!(no_account.contains("account"), "{no_account}");
    let unset = try_connect("[platforms.bluesky]\naccount = \"kommun.test\"\npassword_env = \"PW\"\n", &none);
    assert!(unset.contains("PW") && unset.contains("not set"), "{unset}");
    let fine = try_connect("[platforms.bluesky]\naccount = \"@kommun.test\"\npassword_env = \"PW\"\n", &|_: &str| {
        Some("x".into())
    });
    assert_eq!(fine, "", "the default service is https://bsky.social and no request is made");
}

/// A part known only by its idempotency key, for look-ups that go by the key.
fn key_only(key: &str) -> Outgoing<'_> {
    Outgoing { key, text: "", facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}
