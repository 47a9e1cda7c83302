//! The Instagram client against the Graph API fake (`tests/peers/instagram`): the fake really
//! fetches each `image_url`, so every test serves the archive's copy of its images from a
//! small local web server ([`Archive`]) standing in for the deployed archive.

use crate::common;
use crate::common::fake_peer::FakePeer;
use crate::common::mastodon_peer::LossyProxy;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use budkavle::PlatformId;
use budkavle::clients::api::{Connection, ErrorKind, Limits, Lookup, Outgoing, SendError, Upload};
use budkavle::clients::http::Http;
use budkavle::platform::Remote;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const TOKEN_ENV: &str = "TEST_INSTAGRAM_TOKEN";

/// A stand-in for the deployed archive: serves files by path, 404 for the rest, and counts
/// who asked for what.
pub(crate) struct Archive {
    pub url: String,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Archive {
    pub(crate) fn start() -> Archive {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (served, log) = (Arc::clone(&files), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                // Head and body are two writes: without this the body waits for a delayed ACK.
                let _ = stream.set_nodelay(true);
                let Ok(clone) = stream.try_clone() else { continue };
                let mut reader = BufReader::new(clone);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut header = String::new();
                    match reader.read_line(&mut header) {
                        Ok(n) if n > 0 && !header.trim().is_empty() => {}
                        _ => break,
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                log.lock().unwrap().push(path.clone());
                let body = served.lock().unwrap().get(&path).cloned();
                let (status, body) = match body {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", b"not here".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Archive { url, files, requests }
    }

    /// Serves `bytes` at `path` (`/media/…`); returns the full URL.
    pub(crate) fn serve(&self, path: &str, bytes: &[u8]) -> String {
        self.files.lock().unwrap().insert(path.to_string(), bytes.to_vec());
        format!("{}{path}", self.url)
    }

    pub(crate) fn asked(&self, path: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|p| *p == path).count()
    }
}

/// A baseline JPEG of `width`×`height` pixels.
pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 120]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
    bytes.into_inner()
}

pub(crate) fn upload(bytes: Vec<u8>, mime: &'static str, size: (u32, u32), alt: &str, url: Option<String>) -> Upload {
    Upload { bytes, mime, alt: alt.into(), width: size.0, height: size.1, name: "bild.jpg".into(), public_url: url }
}

pub(crate) fn start() -> FakePeer {
    let peer = FakePeer::start("instagram", &[]);
    // Containers finish as soon as the image is fetched: the tests need not wait a second each.
    peer.control("config", json!({"container_delay": 0}));
    peer
}

fn ig_user(peer: &FakePeer) -> String {
    peer.ready["ig_user_id"].as_str().unwrap().to_string()
}

fn token(peer: &FakePeer) -> String {
    peer.ready["access_token"].as_str().unwrap().to_string()
}

fn named_token(peer: &FakePeer, label: &str) -> String {
    peer.ready["tokens"][label].as_str().unwrap().to_string()
}

fn project(url: &str, user: &str, archive: &str) -> (common::Repo, budkavle::Project) {
    let repo = common::Repo::new("");
    let section =
        format!("[platforms.instagram]\napi_url = \"{url}\"\npage_id = \"{user}\"\ntoken_env = \"{TOKEN_ENV}\"\n");
    let strategy = common::STRATEGY
        .replace("[platforms.instagram]\n", &section)
        .replace("archive_url = \"https://arkiv.testby.se\"", &format!("archive_url = \"{archive}\""));
    repo.file("strategy.toml", strategy.as_bytes());
    let project = repo.load();
    (repo, project)
}

fn connect_at(url: &str, user: &str, token: &str) -> Box<dyn Connection> {
    let (_repo, project) = project(url, user, "https://arkiv.testby.se");
    let token = token.to_string();
    let env = move |k: &str| (k == TOKEN_ENV).then(|| token.clone());
    let http = Http::new(Duration::from_secs(10)).unwrap();
    match budkavle::clients::connect(&project.strategy, PlatformId::Instagram, &env, &http) {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    }
}

fn connect_with(peer: &FakePeer, token: &str) -> Box<dyn Connection> {
    connect_at(&peer.url, &ig_user(peer), token)
}

pub(crate) fn connect(peer: &FakePeer) -> Box<dyn Connection> {
    connect_with(peer, &token(peer))
}

pub(crate) fn out<'a>(key: &'a str, text: &'a str, media: &'a [Upload]) -> Outgoing<'a> {
    Outgoing { key, text, facets: &[], lang: "sv", media, reply_to: None, link: None }
}

/// Published media that are not deleted (carousel items left out).
fn media(peer: &FakePeer) -> Vec<Value> {
    let state = peer.state();
    state["media"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["deleted"] == false && m["child"] == false)
        .cloned()
        .collect()
}

fn medium(peer: &FakePeer, id: &str) -> Value {
    let state = peer.state();
    state["media"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no media {id}"))
}

fn containers(peer: &FakePeer) -> Vec<Value> {
    peer.state()["containers"].as_array().cloned().unwrap_or_default()
}

fn ago(minutes: i64) -> Timestamp {
    Timestamp::now() - SignedDuration::from_mins(minutes)
}

#[test]
fn an_image_goes_out_from_the_archive_with_its_caption_and_alt_text() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(1080, 1080);
    let url = archive.serve("/media/plogbil.jpg", &bytes);
    let media_ =
        [upload(bytes.clone(), "image/jpeg", (1080, 1080), "En plogbil på Storgatan i snöfall", Some(url.clone()))];
    let mut conn = connect(&peer);
    assert_eq!(conn.platform(), PlatformId::Instagram);
    let remote = conn.publish(&out("k-1", "Plogbilarna är ute i natt. #Testby", &media_)).unwrap();

    let m = medium(&peer, &remote.id);
    assert_eq!(m["caption"], "Plogbilarna är ute i natt. #Testby");
    assert_eq!(m["alt_text"], "En plogbil på Storgatan i snöfall");
    assert_eq!(m["image_url"], url.as_str());
    assert_eq!(remote.url.as_deref(), m["permalink"].as_str());
    let container = containers(&peer).into_iter().find(|c| c["id"] == m["container_id"]).unwrap();
    assert_eq!(container["fetch"]["info"]["bytes"], bytes.len(), "Meta fetched exactly these bytes");
    assert_eq!(container["status_code"], "PUBLISHED");
    assert_eq!(archive.asked("/media/plogbil.jpg"), 2, "budkavle checked it, then Meta fetched it");
}

#[test]
fn two_to_ten_images_make_a_carousel_with_alt_text_on_each() {
    let peer = start();
    let archive = Archive::start();
    let uploads: Vec<Upload> = (0..3)
        .map(|i| {
            let bytes = jpeg(800 + i * 10, 800);
            let url = archive.serve(&format!("/media/bild-{i}.jpg"), &bytes);
            upload(bytes, "image/jpeg", (800 + i * 10, 800), &format!("Bild {i}"), Some(url))
        })
        .collect();
    let remote = connect(&peer).publish(&out("k-c", "Tre bilder från marknaden", &uploads)).unwrap();
    let album = medium(&peer, &remote.id);
    assert_eq!(album["media_type"], "CAROUSEL_ALBUM");
    assert_eq!(album["caption"], "Tre bilder från marknaden");
    let children = album["children"].as_array().unwrap();
    assert_eq!(children.len(), 3);
    for (i, child) in children.iter().enumerate() {
        assert_eq!(medium(&peer, child.as_str().unwrap())["alt_text"], format!("Bild {i}"));
    }
    assert_eq!(media(&peer).len(), 1, "one post");
}

#[test]
fn an_image_the_archive_does_not_serve_yet_waits_for_the_deploy() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(600, 600);
    let mut conn = connect(&peer);
    // Not there at all.
    let missing = format!("{}/media/saknas.jpg", archive.url);
    let media_ = [upload(bytes.clone(), "image/jpeg", (600, 600), "alt", Some(missing.clone()))];
    let err = conn.publish(&out("k-nd", "Hej", &media_)).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert!(
        err.message().contains(&format!("deploy the archive first: {missing} does not serve the image yet")),
        "{err}"
    );
    assert!(err.message().contains("404"), "{err}");
    // There, but other bytes (an older build, or the image with its metadata).
    let old = archive.serve("/media/gammal.jpg", &jpeg(600, 601));
    let media_ = [upload(bytes.clone(), "image/jpeg", (600, 600), "alt", Some(old.clone()))];
    let err = conn.publish(&out("k-nd2", "Hej", &media_)).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert!(err.message().contains(&format!("deploy the archive first: {old} does not serve the image yet")), "{err}");
    assert!(containers(&peer).is_empty(), "no container before the image is there");

    // Deployed: the same part goes out.
    let url = archive.serve("/media/gammal.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (600, 600), "alt", Some(url))];
    conn.publish(&out("k-nd2", "Hej", &media_)).unwrap();
    assert_eq!(media(&peer).len(), 1);
}

#[test]
fn what_instagram_cannot_take_is_refused_before_any_request() {
    let peer = start();
    let archive = Archive::start();
    let mut conn = connect(&peer);
    let png = {
        let mut b = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(10, 10).write_to(&mut b, image::ImageFormat::Png).unwrap();
        b.into_inner()
    };
    let url = archive.serve("/media/bild.png", &png);
    let as_png = [upload(png, "image/png", (10, 10), "alt", Some(url))];
    let err = conn.publish(&out("k-png", "Hej", &as_png)).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Rejected, .. }), "{err:?}");
    assert!(err.message().contains("JPEG"), "{err}");

    let err = conn.publish(&out("k-text", "Bara text", &[])).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Rejected, .. }), "{err:?}");
    assert!(err.message().contains("text alone"), "{err}");

    let wide = [upload(jpeg(10, 2), "image/jpeg", (300, 100), "alt", None)];
    let err = conn.publish(&out("k-wide", "Hej", &wide)).unwrap_err();
    assert!(err.message().contains("crop it"), "{err}");

    assert!(archive.requests.lock().unwrap().is_empty() && containers(&peer).is_empty());
}

#[test]
fn an_image_meta_cannot_use_fails_the_container_and_is_rejected() {
    let peer = start();
    let archive = Archive::start();
    // The upload says square, the bytes are 3:1: only Meta's fetch finds out.
    let bytes = jpeg(300, 100);
    let url = archive.serve("/media/bred.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (100, 100), "alt", Some(url))];
    let err = connect(&peer).publish(&out("k-err", "Hej", &media_)).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Rejected, .. }), "{err:?}");
    assert!(err.message().contains("2207009"), "{err}");
    assert!(media(&peer).is_empty());
}

#[test]
fn edit_is_unsupported_with_advice() {
    let peer = start();
    let remote = Remote { id: "1".into(), url: None, parts: vec![] };
    let err = connect(&peer).edit(&remote, &out("k", "Ny text", &[])).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Unsupported, .. }), "{err:?}");
    assert!(err.message().contains("Instagram app"), "{err}");
}

#[test]
fn delete_removes_and_deleting_again_is_fine() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(500, 500);
    let url = archive.serve("/media/fel.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (500, 500), "alt", Some(url))];
    let mut conn = connect(&peer);
    let remote = conn.publish(&out("k-del", "Fel bild", &media_)).unwrap();
    conn.delete(&remote).unwrap();
    assert!(media(&peer).is_empty());
    assert_eq!(medium(&peer, &remote.id)["deleted"], true);
    conn.delete(&remote).expect("deleting what is gone is success");

    // Deleting needs instagram_manage_contents.
    let remote = conn.publish(&out("k-del2", "Fel bild igen", &media_)).unwrap();
    let scopes = ["instagram_basic", "instagram_content_publish", "pages_read_engagement"];
    let t = peer.control("tokens", json!({"scopes": scopes, "label": "no_delete"}))["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let err = connect_with(&peer, &t).delete(&remote).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("instagram_manage_contents"), "{err}");
}

#[test]
fn lookup_finds_a_post_by_its_caption_and_is_sure_of_one_never_sent() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(640, 640);
    let url = archive.serve("/media/vatten.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (640, 640), "Kranvatten i ett glas", Some(url))];
    let before = ago(2);
    let part = out("k-l", "Vattnet är tjänligt igen.", &media_);
    let sent = connect(&peer).publish(&part).unwrap();
    let mut conn = connect(&peer);
    assert_eq!(conn.lookup(&part, before).unwrap(), Lookup::Found(sent.clone()));
    assert_eq!(conn.lookup(&out("k-n", "Aldrig skickat", &media_), before).unwrap(), Lookup::Absent);
    assert_eq!(conn.find_sent("Vattnet är tjänligt igen.", before).unwrap(), Some(sent));
    // A post older than the intent is not this one.
    assert_eq!(conn.lookup(&part, Timestamp::now() + SignedDuration::from_mins(10)).unwrap(), Lookup::Absent);
}

#[test]
fn a_lost_publish_answer_is_settled_by_the_container_and_posts_once() {
    let peer = start();
    let archive = Archive::start();
    let proxy = LossyProxy::start(&peer.url);
    let bytes = jpeg(700, 700);
    let url = archive.serve("/media/skola.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (700, 700), "Skolgården", Some(url))];
    let mut conn = connect_at(&proxy.url, &ig_user(&peer), &token(&peer));
    proxy.lose_next("POST", &format!("/v25.0/{}/media_publish", ig_user(&peer)));
    let part = out("k-lost", "Skolorna är stängda i dag.", &media_);
    let before = ago(1);
    let err = conn.publish(&part).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert_eq!(media(&peer).len(), 1, "Instagram published it all the same");

    // The retry in the same run reads the container (PUBLISHED) and finds the post.
    let remote = conn.publish(&part).unwrap();
    assert_eq!(remote.id, media(&peer)[0]["id"].as_str().unwrap());
    assert_eq!(containers(&peer).len(), 1, "no second container");
    assert_eq!(media(&peer).len(), 1);
    // The next run finds it too.
    assert_eq!(connect(&peer).lookup(&part, before).unwrap(), Lookup::Found(remote));
}

#[test]
fn a_used_up_publishing_limit_waits_for_the_window() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(500, 500);
    let url = archive.serve("/media/k.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (500, 500), "alt", Some(url))];
    let mut conn = connect(&peer);
    conn.publish(&out("k-q0", "Ett första inlägg", &media_)).unwrap();
    peer.control("quota", json!({"bucket": "publishing", "remaining": 0}));
    let err = conn.publish(&out("k-q", "Hej", &media_)).unwrap_err();
    match &err {
        SendError::Transient { message, retry_after } => {
            assert!(message.contains("publishing limit is used up") && message.contains("100 of 100"), "{message}");
            let wait = retry_after.expect("when the window frees");
            assert!(wait > Duration::from_secs(23 * 3600) && wait <= Duration::from_secs(24 * 3600), "{wait:?}");
        }
        other => panic!("expected transient, got {other:?}"),
    }
    assert_eq!(containers(&peer).len(), 1, "no container while the quota is used up");
}

#[test]
fn the_accounts_rate_limit_is_transient_with_the_wait() {
    let peer = start();
    peer.control("quota", json!({"bucket": "instagram", "remaining": 0, "regain_seconds": 300}));
    let err = connect(&peer).lookup(&out("k", "Hej", &[]), ago(5)).unwrap_err();
    assert!(
        matches!(err, SendError::Transient { retry_after: Some(w), .. } if w == Duration::from_secs(300)),
        "{err:?}"
    );
    assert!(err.message().contains("80002"), "{err}");
}

#[test]
fn an_expired_token_is_auth_and_a_missing_permission_is_named() {
    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(500, 500);
    let url = archive.serve("/media/a.jpg", &bytes);
    let media_ = [upload(bytes, "image/jpeg", (500, 500), "alt", Some(url))];
    for label in ["expired", "password_changed"] {
        let t = named_token(&peer, label);
        let mut conn = connect_with(&peer, &t);
        let remote = Remote { id: "1".into(), url: None, parts: vec![] };
        for e in [
            conn.publish(&out("k-a", "Hej", &media_)).unwrap_err(),
            conn.delete(&remote).unwrap_err(),
            conn.lookup(&out("k-a", "Hej", &media_), ago(5)).unwrap_err(),
        ] {
            assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{label}: {e:?}");
            assert!(!e.to_string().contains(&t) && !format!("{e:?}").contains(&t));
        }
    }
    let err = connect_with(&peer, &named_token(&peer, "no_publish")).publish(&out("k-np", "Hej", &media_)).unwrap_err();
    assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");
    assert!(err.message().contains("instagram_content_publish"), "{err}");
    assert!(media(&peer).is_empty());
}

#[test]
fn limits_are_instagrams() {
    let peer = start();
    assert_eq!(
        connect(&peer).limits().unwrap(),
        Limits { chars: Some(2200), max_media: Some(10), image_bytes: Some(8 * 1024 * 1024) }
    );
}

/// The whole way an image travels: the archive publishes the stripped copy of a photo with GPS
/// in it at the address `publish` hands Instagram, and Instagram fetches exactly that.
#[test]
fn the_archive_publishes_the_stripped_image_where_publish_points_instagram() {
    let peer = start();
    let archive = Archive::start();
    let repo = common::Repo::new("");
    let strategy = common::STRATEGY
        .replace("archive_url = \"https://arkiv.testby.se\"", &format!("archive_url = \"{}\"", archive.url));
    repo.file("strategy.toml", strategy.as_bytes());
    let photo =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/gps-upright.jpg")).unwrap();
    repo.file("content/media/Plogbil på torget.jpg", &photo);
    repo.post(
        "plog.md",
        "+++\ntitle = \"Plogbil\"\ndate = 2026-11-30T09:00:00\n\n[[media]]\npath = \"../media/Plogbil på torget.jpg\"\nalt = \"En plogbil på torget\"\n+++\n\nPlogbilen är ute.\n",
    );
    let project = repo.load();

    // What `budkavle build` writes, served as the deployed archive.
    let files = budkavle::site::render(&project, &budkavle::site::Record::default()).unwrap();
    for (path, bytes) in &files {
        archive.serve(&format!("/{path}"), bytes);
    }
    // What `publish` uploads: the stripped bytes, and the archive's address of them.
    let rel = Path::new("content/media/Plogbil på torget.jpg");
    let safe = budkavle::media::prepare(rel, &photo).unwrap();
    let url = budkavle::site::media_url(&project, rel).expect("an address in the archive");
    assert!(url.starts_with(&format!("{}/media/", archive.url)), "{url}");
    let served =
        files.iter().find(|(p, _)| url.ends_with(p.as_str())).map(|(_, b)| b.clone()).expect("the archive has it");
    assert_eq!(served, safe.bytes, "the archive publishes what publish uploads");
    assert!(!served.windows(6).any(|w| w == b"Exif\0\0"), "no EXIF (with its GPS) in the archive");

    let media_ = [Upload {
        bytes: safe.bytes.clone(),
        mime: safe.mime,
        alt: "En plogbil på torget".into(),
        width: safe.width,
        height: safe.height,
        name: "Plogbil på torget.jpg".into(),
        public_url: Some(url.clone()),
    }];
    let remote = connect(&peer).publish(&out("k-site", "Plogbilen är ute.", &media_)).unwrap();
    let m = medium(&peer, &remote.id);
    assert_eq!(m["image_url"], url.as_str());
    let container = containers(&peer).into_iter().find(|c| c["id"] == m["container_id"]).unwrap();
    assert_eq!(container["fetch"]["info"]["bytes"], safe.bytes.len());
}

/// `doctor`'s check: the account the token belongs to, and what Meta's token debug shows.
#[test]
fn health_names_the_account() {
    let peer = FakePeer::start("instagram", &[]);
    let health = connect(&peer).health().expect("health");
    assert_eq!(health.account.as_deref(), peer.ready["username"].as_str(), "{health:?}");
    assert!(!health.needed.is_empty());
    assert!(health.scopes.is_some() || !health.notes.is_empty(), "{health:?}");
}
