//! The LinkedIn client against the fake of `tests/peers/linkedin/` (Python stdlib, written
//! from LinkedIn's documentation): every request is real HTTP with LinkedIn's headers, and
//! every post, comment and image is read back from the fake's state as it stored it.

use crate::common;
use crate::common::fake_peer::FakePeer;

use std::time::Duration;

use budkavle::PlatformId;
use budkavle::clients::api::{Connection, ErrorKind, Limits, Lookup, Outgoing, SendError, Upload};
use budkavle::clients::http::Http;
use budkavle::platform::{Encoded, Remote, Segment};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const TOKEN_ENV: &str = "TEST_LINKEDIN_TOKEN";

pub(crate) struct Linkedin {
    pub(crate) peer: FakePeer,
}

impl Linkedin {
    /// A fresh fake; images are ready as soon as they are uploaded unless `args` say otherwise.
    pub(crate) fn start(args: &[&str]) -> Linkedin {
        Linkedin { peer: FakePeer::start("linkedin", args) }
    }

    fn org(&self) -> &str {
        self.peer.ready["organization"].as_str().expect("organization")
    }

    fn token(&self) -> &str {
        self.peer.ready["token"].as_str().expect("token")
    }

    /// strategy.toml's `[platforms.linkedin]` for this fake, plus `extra` lines.
    fn section(&self, extra: &str) -> String {
        format!(
            "[platforms.linkedin]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n{extra}",
            self.peer.url,
            self.org()
        )
    }

    fn try_connect(&self, section: &str, token: Option<&str>) -> budkavle::Result<Box<dyn Connection>> {
        let repo = common::Repo::new("");
        let strategy = common::STRATEGY.replace("[platforms.linkedin]\n", section);
        assert_ne!(strategy, common::STRATEGY, "the test strategy has a [platforms.linkedin] line to replace");
        repo.file("strategy.toml", strategy.as_bytes());
        let project = repo.load();
        let token = token.map(str::to_string);
        let env = move |k: &str| if k == TOKEN_ENV { token.clone() } else { None };
        budkavle::clients::connect(&project.strategy, PlatformId::Linkedin, &env, &http())
    }

    /// Connected with the app's client id and secret too (`api_key_env`, `api_secret_env`), as
    /// the fake's seed has them unless `secret` says otherwise: what token introspection needs.
    fn connect_with_app(&self, token: &str, secret: &str) -> Box<dyn Connection> {
        let repo = common::Repo::new("");
        let section = self
            .section("api_key_env = \"TEST_LINKEDIN_CLIENT_ID\"\napi_secret_env = \"TEST_LINKEDIN_CLIENT_SECRET\"\n");
        repo.file("strategy.toml", common::STRATEGY.replace("[platforms.linkedin]\n", &section).as_bytes());
        let project = repo.load();
        let (token, secret) = (token.to_string(), secret.to_string());
        let env = move |k: &str| match k {
            TOKEN_ENV => Some(token.clone()),
            "TEST_LINKEDIN_CLIENT_ID" => Some("78fakeclient01".to_string()),
            "TEST_LINKEDIN_CLIENT_SECRET" => Some(secret.clone()),
            _ => None,
        };
        budkavle::clients::connect(&project.strategy, PlatformId::Linkedin, &env, &http())
            .unwrap_or_else(|e| panic!("connect: {e}"))
    }

    fn connect_as(&self, token: &str, extra: &str) -> Box<dyn Connection> {
        self.try_connect(&self.section(extra), Some(token)).unwrap_or_else(|e| panic!("connect: {e}"))
    }

    pub(crate) fn connect(&self) -> Box<dyn Connection> {
        self.connect_as(self.token(), "")
    }

    /// A token of the page's administrator with only these scopes.
    fn token_with(&self, token: &str, member: &str, scopes: &[&str]) -> String {
        self.peer.control("tokens", json!({"token": token, "member": member, "scopes": scopes}));
        token.to_string()
    }

    fn state(&self) -> Value {
        self.peer.state()
    }

    fn post(&self, urn: &str) -> Value {
        let state = self.state();
        state["posts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == urn)
            .cloned()
            .unwrap_or_else(|| panic!("{urn} is not in the fake's posts: {:#}", state["posts"]))
    }

    fn live_posts(&self) -> Vec<Value> {
        let state = self.state();
        state["posts"].as_array().unwrap().iter().filter(|p| p["deleted"] == false).cloned().collect()
    }

    fn comments(&self) -> Vec<Value> {
        self.state()["comments"].as_array().unwrap().clone()
    }
}

fn http() -> Http {
    Http::new(Duration::from_secs(10)).unwrap()
}

/// The text as `budkavle build` renders it for LinkedIn: little text, escaped once.
fn encode(segments: &[Segment]) -> Encoded {
    budkavle::platform::get(PlatformId::Linkedin).encode(segments)
}

pub(crate) fn out<'a>(key: &'a str, text: &'a str) -> Outgoing<'a> {
    Outgoing { key, text, facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
}

/// A small real PNG (the fake reads its size from the bytes).
fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([(x * 30) as u8, (y * 40) as u8, seed]));
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn upload(seed: u8, alt: &str) -> Upload {
    Upload {
        public_url: None,
        bytes: png(seed),
        mime: "image/png",
        alt: alt.into(),
        width: 8,
        height: 6,
        name: format!("bild{seed}.png"),
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn ago(minutes: i64) -> Timestamp {
    Timestamp::now().checked_sub(SignedDuration::from_mins(minutes)).unwrap()
}

fn kind(e: &SendError) -> Option<ErrorKind> {
    match e {
        SendError::Permanent { kind, .. } => Some(*kind),
        SendError::Transient { .. } => None,
    }
}

#[test]
fn publishes_the_rendered_text_once_escaped_as_the_page() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    assert_eq!(conn.platform(), PlatformId::Linkedin);
    let e = encode(&[
        Segment::Text("Fika (gratis) i stadsparken kl. 10_00 – läs mer: "),
        Segment::Link("https://www.testby.se/fika_(sommar)"),
        Segment::Text(" "),
        Segment::Tag("Testby"),
    ]);
    let remote = conn.publish(&out("k-text", &e.text)).unwrap();
    assert!(remote.id.starts_with("urn:li:share:"), "{remote:?}");
    assert_eq!(remote.url.as_deref(), Some(format!("https://www.linkedin.com/feed/update/{}/", remote.id).as_str()));
    assert!(remote.parts.is_empty());

    let post = li.post(&remote.id);
    assert_eq!(post["author"], li.org());
    assert_eq!(post["visibility"], "PUBLIC");
    assert_eq!(post["distribution"]["feedDistribution"], "MAIN_FEED");
    assert_eq!(post["lifecycleState"], "PUBLISHED");
    // Sent as rendered: escaped once, kept whole, and read by a person as the display text.
    assert_eq!(post["sent_commentary"], e.text.as_str());
    assert_eq!(post["little_text"]["truncated"], false, "{post:#}");
    assert_eq!(post["little_text"]["rendered"], e.display.as_str());
    // Every call named the default LinkedIn-Version, which the fake serves.
    let requests = li.state()["requests"].as_array().unwrap().clone();
    assert!(requests.iter().all(|r| r["status"].as_u64().is_some_and(|s| s < 300)), "{requests:#?}");
}

#[test]
fn a_text_linkedin_would_cut_is_refused_before_anything_is_sent() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let err = conn.publish(&out("k-cut", "Läs mer (källa) här")).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Rejected), "{err:?}");
    assert!(err.message().contains("character 9"), "{err}");
    assert!(li.state()["posts"].as_array().unwrap().is_empty());
    assert!(li.state()["requests"].as_array().unwrap().is_empty());
}

#[test]
fn a_thread_goes_out_as_the_pages_comments_on_the_first_post() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let first = conn.publish(&out("k-t0", "Del 1 av 3")).unwrap();
    let part2 = encode(&[Segment::Text("Del 2 (forts.) "), Segment::Tag("Testby")]);
    let second = conn.publish(&Outgoing { reply_to: Some(&first), ..out("k-t1", &part2.text) }).unwrap();
    let third = conn.publish(&Outgoing { reply_to: Some(&second), ..out("k-t2", "Del 3 \\*slut\\*") }).unwrap();
    for c in [&second, &third] {
        assert!(c.id.starts_with("urn:li:comment:(urn:li:activity:"), "{c:?}");
        assert!(c.url.as_deref().is_some_and(|u| u.contains("commentUrn=urn%3Ali%3Acomment")), "{c:?}");
    }

    let comments = li.comments();
    assert_eq!(comments.len(), 2, "{comments:#?}");
    for (c, remote, text) in [(&comments[0], &second, "Del 2 (forts.) #Testby"), (&comments[1], &third, "Del 3 *slut*")]
    {
        assert_eq!(c["urn"], remote.id.as_str());
        assert_eq!(c["post"], first.id.as_str(), "every part is a comment on the first post");
        assert_eq!(c["actor"], li.org(), "the page comments, not the member");
        assert!(c["parent"].is_null(), "a top-level comment, not a reply to a comment");
        assert_eq!(c["text"], text, "a comment is plain text, not little text");
    }
    assert_eq!(li.live_posts().len(), 1);

    // Deleting the thread deletes its comments and the post.
    let thread = Remote { parts: vec![first.id.clone(), second.id.clone(), third.id.clone()], ..first.clone() };
    conn.delete(&thread).unwrap();
    assert!(li.comments().iter().all(|c| c["deleted"] == true), "{:#?}", li.comments());
    assert_eq!(li.post(&first.id)["deleted"], true);
    conn.delete(&thread).expect("deleting what is gone is success");
    conn.delete(&second).expect("a comment of a deleted post is gone too");
}

#[test]
fn an_image_goes_up_with_its_alt_text_and_waits_until_available() {
    // One second of processing: the client must wait for AVAILABLE (the fake refuses a post
    // whose image is still processing).
    let li = Linkedin::start(&["--image-processing-seconds", "1"]);
    let mut conn = li.connect();
    let media = [upload(1, "En plogbil på en snöig gata")];
    let remote = conn.publish(&Outgoing { media: &media, ..out("k-img", "Plogbilarna är ute.") }).unwrap();
    assert!(remote.id.starts_with("urn:li:ugcPost:"), "{remote:?}");

    let post = li.post(&remote.id);
    let image_urn = post["content"]["media"]["id"].as_str().expect("content.media.id").to_string();
    assert_eq!(post["content"]["media"]["altText"], "En plogbil på en snöig gata");
    let state = li.state();
    let image = state["images"].as_array().unwrap().iter().find(|i| i["id"] == image_urn.as_str()).unwrap();
    assert_eq!(image["owner"], li.org());
    assert_eq!(image["status"], "AVAILABLE");
    assert_eq!(image["sha256"], sha256(&media[0].bytes).as_str());
    assert_eq!(image["size"], media[0].bytes.len());
    let polls = state["requests"].as_array().unwrap().iter().filter(|r| r["method"] == "GET").count();
    assert!(polls >= 2, "the image was still processing at first: {:#}", state["requests"]);
}

#[test]
fn several_images_are_a_multi_image_post() {
    let li = Linkedin::start(&["--image-processing-seconds", "0"]);
    let mut conn = li.connect();
    let media = [upload(1, "Första bilden"), upload(2, "Andra bilden"), upload(3, "Tredje bilden")];
    let remote = conn.publish(&Outgoing { media: &media, ..out("k-multi", "Tre bilder") }).unwrap();
    let post = li.post(&remote.id);
    let images = post["content"]["multiImage"]["images"].as_array().expect("multiImage").clone();
    let alts: Vec<&str> = images.iter().map(|i| i["altText"].as_str().unwrap()).collect();
    assert_eq!(alts, ["Första bilden", "Andra bilden", "Tredje bilden"]);
    let state = li.state();
    for (image, m) in images.iter().zip(&media) {
        let stored = state["images"].as_array().unwrap().iter().find(|i| i["id"] == image["id"]).unwrap();
        assert_eq!(stored["sha256"], sha256(&m.bytes).as_str());
    }
}

#[test]
fn an_image_linkedin_cannot_process_is_rejected() {
    let li = Linkedin::start(&["--image-processing-seconds", "0"]);
    let mut conn = li.connect();
    let broken = Upload { bytes: b"not an image at all".to_vec(), ..upload(1, "Trasig") };
    let err = conn.publish(&Outgoing { media: &[broken], ..out("k-broken", "Bild") }).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Rejected), "{err:?}");
    assert!(err.message().contains("PROCESSING_FAILED") && err.message().contains("bild1.png"), "{err}");
    assert!(li.live_posts().is_empty());

    let webp = Upload { mime: "image/webp", ..upload(2, "WebP") };
    let err = conn.publish(&Outgoing { media: &[webp], ..out("k-webp", "Bild") }).unwrap_err();
    assert!(err.message().contains("JPG, GIF and PNG"), "{err}");
}

#[test]
fn edit_changes_the_text_but_not_the_images() {
    let li = Linkedin::start(&["--image-processing-seconds", "0"]);
    let mut conn = li.connect();
    let remote = conn.publish(&out("k-edit", "Mötet börjar 18.00")).unwrap();
    let edited = conn.edit(&remote, &out("k-edit", "Mötet börjar 19.00 {hashtag|\\#|Testby}")).unwrap();
    assert_eq!(edited, remote);
    let post = li.post(&remote.id);
    assert_eq!(post["commentary"], "Mötet börjar 19.00 {hashtag|\\#|Testby}");
    assert_eq!(post["edited"], true);
    assert_eq!(li.live_posts().len(), 1);

    // LinkedIn's partial update cannot touch a post's images: said, and nothing changed.
    let media = [upload(1, "Ny bild")];
    let err = conn.edit(&remote, &Outgoing { media: &media, ..out("k-edit", "Med bild") }).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Unsupported), "{err:?}");
    assert_eq!(li.post(&remote.id)["commentary"], "Mötet börjar 19.00 {hashtag|\\#|Testby}");

    // The same images (by alt text) are no change: the text is edited.
    let with = conn.publish(&Outgoing { media: &media, ..out("k-edit-img", "Bild 1") }).unwrap();
    conn.edit(&with, &Outgoing { media: &media, ..out("k-edit-img", "Bild 1, rättad") }).unwrap();
    assert_eq!(li.post(&with.id)["commentary"], "Bild 1, rättad");

    conn.delete(&remote).unwrap();
    let err = conn.edit(&remote, &out("k-edit", "För sent")).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::NotFound), "{err:?}");
}

#[test]
fn delete_removes_and_a_second_delete_is_fine() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let remote = conn.publish(&out("k-del", "Fel inlägg")).unwrap();
    conn.delete(&remote).unwrap();
    assert_eq!(li.post(&remote.id)["deleted"], true);
    assert!(li.live_posts().is_empty());
    conn.delete(&remote).expect("deleting what is gone is success");
    let history = li.post(&remote.id)["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 3, "{history:#}");
}

#[test]
fn a_post_whose_answer_was_lost_is_found_and_not_sent_twice() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let intent_at = Timestamp::now();
    li.peer.control("fault", json!({"method": "POST", "path": "/rest/posts", "mode": "drop_after_commit"}));
    let sent = encode(&[Segment::Text("Vattnet är tjänligt igen. "), Segment::Tag("Testby")]);
    let err = conn.publish(&out("k-lost", &sent.text)).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    let posts = li.live_posts();
    assert_eq!(posts.len(), 1, "LinkedIn made the post all the same");

    let Lookup::Found(found) = conn.lookup(&out("k-lost", &sent.text), intent_at).unwrap() else {
        panic!("the post is on the page")
    };
    assert_eq!(found.id, posts[0]["id"].as_str().unwrap());
    assert_eq!(conn.find_sent(&sent.text, intent_at).unwrap().map(|r| r.id), Some(found.id.clone()));

    // A text never sent is certainly absent; so is one sent well before the intent.
    assert_eq!(conn.lookup(&out("k-other", "Aldrig skickat"), intent_at).unwrap(), Lookup::Absent);
    let later = Timestamp::now().checked_add(SignedDuration::from_mins(10)).unwrap();
    assert_eq!(conn.lookup(&out("k-lost", &sent.text), later).unwrap(), Lookup::Absent);
    // The same text with images is another post.
    let media = [upload(1, "Alt")];
    assert_eq!(
        conn.lookup(&Outgoing { media: &media, ..out("k-lost", &sent.text) }, intent_at).unwrap(),
        Lookup::Absent
    );

    // Sent again blindly, LinkedIn's duplicate answer names the post: still one post.
    let again = conn.publish(&out("k-lost", &sent.text)).unwrap();
    assert_eq!(again.id, found.id);
    assert_eq!(li.live_posts().len(), 1);
}

#[test]
fn hashtags_as_linkedin_answers_them_match_the_text_sent() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let intent_at = Timestamp::now();
    // Written by hand with `#word`: LinkedIn stores and answers `{hashtag|\#|word}`.
    let remote = conn.publish(&out("k-tag", "Sommarlov i #Testby")).unwrap();
    assert_eq!(li.post(&remote.id)["commentary"], "Sommarlov i {hashtag|\\#|Testby}");
    let found = conn.lookup(&out("k-tag", "Sommarlov i #Testby"), intent_at).unwrap();
    assert_eq!(found, Lookup::Found(remote.clone()));
    let found = conn.lookup(&out("k-tag", "Sommarlov i {hashtag|#|Testby}"), intent_at).unwrap();
    assert_eq!(found, Lookup::Found(remote));
}

#[test]
fn the_look_up_pages_back_through_the_pages_posts() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let intent_at = ago(1);
    let first = conn.publish(&out("k-0", "Inlägg nummer 0")).unwrap();
    for n in 1..60 {
        conn.publish(&out("k-n", &format!("Inlägg nummer {n}"))).unwrap();
    }
    assert_eq!(conn.lookup(&out("k-0", "Inlägg nummer 0"), intent_at).unwrap(), Lookup::Found(first));
    assert_eq!(conn.lookup(&out("k-x", "Inlägg nummer 60"), intent_at).unwrap(), Lookup::Absent);
    let pages = li.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"] == "/rest/posts")
        .count();
    assert!(pages >= 3, "two pages each time at 50 posts a page");
}

#[test]
fn a_comment_whose_answer_was_lost_is_found() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    let first = conn.publish(&out("k-c0", "Del 1")).unwrap();
    let intent_at = Timestamp::now();
    li.peer.control("fault", json!({"method": "POST", "path": "/rest/socialActions", "mode": "drop_after_commit"}));
    let part = Outgoing { reply_to: Some(&first), ..out("k-c1", "Del 2 \\(sista\\)") };
    assert!(matches!(conn.publish(&part).unwrap_err(), SendError::Transient { .. }));
    let comments = li.comments();
    assert_eq!(comments.len(), 1);
    let Lookup::Found(found) = conn.lookup(&part, intent_at).unwrap() else { panic!("the comment is there") };
    assert_eq!(found.id, comments[0]["urn"].as_str().unwrap());
    let other = Outgoing { reply_to: Some(&first), ..out("k-c2", "Del 3") };
    assert_eq!(conn.lookup(&other, intent_at).unwrap(), Lookup::Absent);
    // The next part answers the found comment: it goes on the same post.
    let third = conn.publish(&Outgoing { reply_to: Some(&found), ..out("k-c2", "Del 3") }).unwrap();
    assert_eq!(li.comments().iter().filter(|c| c["post"] == first.id.as_str()).count(), 2, "{third:?}");
}

#[test]
fn linkedins_daily_limit_is_transient_until_midnight_utc() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    li.peer.control("quota", json!({"kind": "application", "resource": "posts", "remaining": 0, "daily": 100}));
    let err = conn.publish(&out("k-429", "Hej")).unwrap_err();
    let SendError::Transient { retry_after: Some(wait), .. } = &err else { panic!("expected a wait, got {err:?}") };
    let now = Timestamp::now().as_second();
    let midnight = (now / 86_400 + 1) * 86_400;
    assert!(wait.as_secs().abs_diff((midnight - now) as u64) <= 5, "{wait:?}");
    assert!(err.message().contains("midnight UTC") && err.message().contains("429"), "{err}");
    assert!(li.live_posts().is_empty());
}

#[test]
fn an_expired_or_revoked_token_is_auth() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect();
    // Access tokens live 60 days.
    li.peer.control("clock", json!({"advance": 61 * 86_400}));
    let err = conn.publish(&out("k-exp", "Hej")).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Auth), "{err:?}");
    assert!(err.message().contains("expired") && err.message().contains("65602"), "{err}");
    assert!(err.to_string().contains(ErrorKind::Auth.advice()));

    let revoked = li.token_with("AQVrevoked-test", "admin", &["w_organization_social"]);
    li.peer.control("tokens", json!({"token": revoked, "revoked": true}));
    let err = li.connect_as(&revoked, "").publish(&out("k-rev", "Hej")).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Auth), "{err:?}");
    assert!(err.message().contains("revoked"), "{err}");
}

#[test]
fn a_token_without_the_write_scope_or_page_role_is_forbidden() {
    let li = Linkedin::start(&[]);
    let read_only = li.token_with("AQVread-only-test", "admin", &["r_organization_social"]);
    let mut conn = li.connect_as(&read_only, "");
    let err = conn.publish(&out("k-403", "Hej")).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Forbidden), "{err:?}");
    assert!(err.message().contains("w_organization_social") && err.message().contains(li.org()), "{err}");

    // The citizen has the scope for their own posts but no role on the page.
    let citizen = li.peer.ready["citizen_token"].as_str().unwrap().to_string();
    li.peer.control("tokens", json!({"token": citizen, "scopes": ["w_organization_social", "r_organization_social"]}));
    let err = li.connect_as(&citizen, "").publish(&out("k-403b", "Hej")).unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Forbidden), "{err:?}");
    assert!(li.live_posts().is_empty());

    // A token that may post but not read cannot look: a person decides.
    let write_only = li.token_with("AQVwrite-only-test", "admin", &["w_organization_social"]);
    let mut conn = li.connect_as(&write_only, "");
    conn.publish(&out("k-w", "Skrivet")).unwrap();
    let Lookup::CannotTell(why) = conn.lookup(&out("k-w", "Skrivet"), ago(1)).unwrap() else {
        panic!("a token that cannot read the page cannot tell")
    };
    assert!(why.contains("r_organization_social") && why.contains("budkavle resolve"), "{why}");
    assert!(why.contains("https://www.linkedin.com/company/90123456/"), "{why}");
    assert!(!why.contains(&write_only));
}

#[test]
fn a_version_linkedin_no_longer_serves_names_the_setting() {
    let li = Linkedin::start(&[]);
    let mut conn = li.connect_as(li.token(), "api_version = \"202401\"\n");
    let err = conn.publish(&out("k-426", "Hej")).unwrap_err();
    assert!(matches!(err, SendError::Permanent { .. }), "{err:?}");
    assert!(
        err.message().contains(
            "strategy.toml [platforms.linkedin] api_version = \"202401\" is no longer served by LinkedIn: set a current version (YYYYMM)"
        ),
        "{err}"
    );
    // Sunset while running: the default version too.
    li.peer.control("versions", json!({"active": ["202612"]}));
    let err = li.connect().publish(&out("k-426b", "Hej")).unwrap_err();
    assert!(err.message().contains("is no longer served by LinkedIn"), "{err}");
    let mut current = li.connect_as(li.token(), "api_version = \"202612\"\n");
    current.publish(&out("k-426c", "Hej")).unwrap();
}

#[test]
fn no_secret_appears_in_any_error() {
    let li = Linkedin::start(&["--image-processing-seconds", "0"]);
    let wrong = "AQVwrong-token-6f1b2c9d8e7a";
    let mut conn = li.connect_as(wrong, "");
    let media = [upload(1, "alt")];
    let post = Remote { id: "urn:li:share:7045020441609936898".into(), url: None, parts: vec![] };
    let comment = Remote { id: "urn:li:comment:(urn:li:activity:1,2)".into(), url: None, parts: vec![] };
    let errors = [
        conn.publish(&out("k-s1", "Hej")).unwrap_err(),
        conn.publish(&Outgoing { media: &media, ..out("k-s2", "Hej") }).unwrap_err(),
        conn.publish(&Outgoing { reply_to: Some(&post), ..out("k-s3", "Hej") }).unwrap_err(),
        conn.edit(&post, &out("k-s4", "Hej")).unwrap_err(),
        conn.edit(&comment, &out("k-s5", "Hej")).unwrap_err(),
        conn.delete(&post).unwrap_err(),
        conn.delete(&comment).unwrap_err(),
        conn.lookup(&out("k-s6", "Hej"), ago(1)).unwrap_err(),
        conn.find_sent("Hej", ago(1)).unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(kind(e), Some(ErrorKind::Auth), "{e:?}");
        assert!(e.message().contains("65600"), "{e}");
        for shown in [e.to_string(), format!("{e:?}"), e.message().to_string()] {
            assert!(!shown.contains(wrong) && !shown.contains("6f1b2c9d8e7a"), "{shown}");
        }
    }
    // A real token stays out of answers that need a person, too.
    let mut conn = li.connect();
    conn.publish(&out("k-s7", "Hej")).unwrap();
    li.peer.control("quota", json!({"kind": "application", "resource": "*", "remaining": 0, "daily": 10}));
    let e = conn.publish(&out("k-s8", "Hej igen")).unwrap_err();
    assert!(!format!("{e:?}").contains(li.token()));
}

#[test]
fn settings_that_are_missing_or_wrong_name_strategy_toml() {
    let li = Linkedin::start(&[]);
    let message = |section: String, token: Option<&str>| match li.try_connect(&section, token) {
        Ok(_) => panic!("connect must fail for {section}"),
        Err(e) => e.to_string(),
    };
    let no_page = format!("[platforms.linkedin]\napi_url = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n", li.peer.url);
    let err = message(no_page, Some(li.token()));
    assert!(err.contains("[platforms.linkedin]") && err.contains("page_id"), "{err}");
    let person = li.section("").replace(li.org(), "urn:li:person:Ab3dEf9HiJ");
    let err = message(person, Some(li.token()));
    assert!(err.contains("page_id = \"urn:li:person:Ab3dEf9HiJ\"") && err.contains("urn:li:organization:"), "{err}");
    let err = message(li.section("api_version = \"2026-11\"\n"), Some(li.token()));
    assert!(err.contains("api_version = \"2026-11\"") && err.contains("YYYYMM"), "{err}");
    let err = message(li.section(""), None);
    assert!(err.contains(TOKEN_ENV) && err.contains("strategy.toml:"), "{err}");
    let err = message(li.section(""), Some("Bearer AQVsecret-77"));
    assert!(err.contains(TOKEN_ENV) && !err.contains("AQVsecret-77"), "{err}");

    // The bare page number works as well as the URN.
    let number = li.section("").replace(li.org(), "90123456");
    let mut conn = li.try_connect(&number, Some(li.token())).unwrap_or_else(|e| panic!("{e}"));
    let remote = conn.publish(&out("k-num", "Hej")).unwrap();
    assert_eq!(li.post(&remote.id)["author"], li.org());
}

#[test]
fn limits_are_the_documented_ones() {
    let li = Linkedin::start(&[]);
    let limits = li.connect().limits().unwrap();
    assert_eq!(limits, Limits { chars: Some(3000), max_media: Some(20), image_bytes: None });
}

/// With the app's client id and secret, `doctor` reads the token's expiry and scopes by token
/// introspection (the documented answer: `expires_at` in Unix seconds, `scope` comma-separated);
/// a token without the posting scope is missing it; a wrong client secret is a warning only.
#[test]
fn health_reads_the_tokens_expiry_and_scopes_with_the_apps_credentials() {
    let li = Linkedin::start(&[]);
    let health = li.connect_with_app(li.token(), "fake-client-secret-not-real").health().expect("health");
    let expires = health.expires.expect("an expiry from introspectToken");
    let days = (expires.as_second() - Timestamp::now().as_second()) / 86_400;
    assert!((58..=60).contains(&days), "member tokens last 60 days: {expires} ({days} days)");
    assert!(health.scopes.as_ref().is_some_and(|s| s.iter().any(|x| x == "w_organization_social")), "{health:?}");
    assert!(health.missing.is_empty() && health.warnings.is_empty(), "{health:?}");
    assert!(!health.notes.iter().any(|n| n.contains("60 days")), "no guess when the date is known: {health:?}");

    let read_only = li.token_with("AQVreadonly-test", "admin", &["r_organization_social"]);
    let health = li.connect_with_app(&read_only, "fake-client-secret-not-real").health().expect("health");
    assert_eq!(health.missing, ["w_organization_social"], "{health:?}");

    let health = li.connect_with_app(li.token(), "not-the-secret").health().expect("health");
    assert_eq!(health.expires, None, "{health:?}");
    assert!(health.warnings.iter().any(|w| w.contains("api_secret_env")), "{health:?}");
    let shown = format!("{health:?}");
    assert!(!shown.contains("not-the-secret") && !shown.contains(li.token()), "no secret in {shown}");

    // Without the app's credentials: the 60 days as a note.
    let health = li.connect().health().expect("health");
    assert!(health.notes.iter().any(|n| n.contains("60 days") && n.contains("api_key_env")), "{health:?}");
}

/// `doctor`'s check: a read of the page's posts; a write-only token is a warning (a lost answer
/// could not be looked up); an expired token is Auth.
#[test]
fn health_reads_the_page_and_warns_of_a_write_only_token() {
    let li = Linkedin::start(&[]);
    let health = li.connect().health().expect("health");
    assert!(health.warnings.is_empty(), "{health:?}");
    assert!(health.account.as_deref().is_some_and(|a| a.contains("organization")), "{health:?}");
    let write_only = li.token_with("AQVwriteonly-test", "admin", &["w_organization_social"]);
    let health = li.connect_as(&write_only, "").health().expect("health");
    assert!(health.warnings.iter().any(|w| w.contains("r_organization_social")), "{health:?}");
    li.peer.control("clock", json!({"advance": 61 * 86_400}));
    let err = li.connect().health().unwrap_err();
    assert_eq!(kind(&err), Some(ErrorKind::Auth), "{err:?}");
}

/// The retry of an image post whose answer was lost uploads the image again, so LinkedIn does
/// not see a duplicate: the client looks for the post first and finds the first try.
#[test]
fn a_retried_image_post_whose_answer_was_lost_goes_out_once() {
    let li = Linkedin::start(&["--image-processing-seconds", "0"]);
    let mut conn = li.connect();
    li.peer.control("fault", json!({"method": "POST", "path": "/rest/posts", "mode": "drop_after_commit"}));
    let media = [upload(3, "Torget i snö")];
    let part = Outgoing { media: &media, ..out("k-img", "Torget är plogat.") };
    let err = conn.publish(&part).unwrap_err();
    assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
    assert_eq!(li.live_posts().len(), 1, "LinkedIn made the post all the same");
    let again = conn.publish(&part).expect("the retry settles it");
    let posts = li.live_posts();
    assert_eq!(posts.len(), 1, "not posted twice: {posts:#?}");
    assert_eq!(again.id, posts[0]["id"].as_str().unwrap());
}
