//! The whole promise of `publish`, against real local servers: a post merged in a git
//! repository appears on the Mastodon server and the Bluesky PDS with its images and alt text,
//! the ledger commit records it with its approvers, a re-run sends nothing, an update goes out
//! as a reply, a changed post is edited, a retracted one removed — and the secrets appear in
//! no output, no ledger line and no commit.

use crate::common;
use crate::common::world;

use crate::common::fake_peer::FakePeer;
use crate::publish_instagram::{Archive, jpeg};
use budkavle::PlatformId;
use common::bin;
use serde_json::{Value, json};
use world::{World, ok, plain};

const NOW: &str = "2026-12-01T12:00:00Z";

#[test]
fn a_merged_post_goes_out_once_then_replies_edits_and_retractions_follow() {
    let mut w = World::new("");
    w.merge(
        "snorojning.md",
        "+++\ntitle = \"Snöröjning i natt\"\ndate = 2026-11-30T09:00:00\nlang = \"sv\"\ntags = [\"Snöröjning\"]\n\n[[media]]\npath = \"../media/plog.png\"\nalt = \"En plogbil kör på Storgatan i snöfall.\"\n+++\n\nI natt plogar vi Storgatan. Ställ bilen på andra sidan gatan. Läs mer på https://www.testby.se/snorojning.\n\n---\n\nFrågor? Ring kundcenter på vardagar.\n",
    );
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("published"), "{text}");

    // Mastodon: a thread of two, the first with the image and its alt text.
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 2, "{statuses:#?}");
    let (first, second) = ordered(&statuses);
    assert!(plain(first["content"].as_str().unwrap()).contains("I natt plogar vi Storgatan"));
    assert_eq!(first["language"], "sv");
    let media = first["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 1);
    assert_eq!(media[0]["description"], "En plogbil kör på Storgatan i snöfall.");
    assert_eq!(second["in_reply_to_id"], first["id"]);

    // Bluesky: the same thread as records, image with alt, the reply pointing at the root.
    let records = w.bluesky.records();
    assert_eq!(records.len(), 2, "{records:#?}");
    let root = records.iter().find(|r| r["value"]["reply"].is_null()).expect("a root post");
    let reply = records.iter().find(|r| !r["value"]["reply"].is_null()).expect("a reply");
    assert_eq!(root["value"]["embed"]["images"][0]["alt"], "En plogbil kör på Storgatan i snöfall.");
    assert_eq!(reply["value"]["reply"]["root"]["uri"], root["uri"]);
    assert!(root["value"]["facets"].as_array().is_some_and(|f| !f.is_empty()), "links and tags are facets");

    // The ledger commit names post, platforms and approver; the ledger verifies.
    let message = w.git.head().unwrap().peel_to_commit().unwrap().message().unwrap().to_string();
    assert!(message.starts_with("budkavle publish: 2 published"), "{message}");
    for needle in ["Budkavle-Post: snorojning", "Approved-By: Bo Ek", "Budkavle-Platform: bluesky", "Budkavle-Source: "]
    {
        assert!(message.contains(needle), "`{needle}` missing:\n{message}");
    }
    let lines = w.ledger().len();
    assert_eq!(lines, 4, "an intent and an outcome per platform");
    let verify = bin().arg("--root").arg(w.repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));

    // A re-run sends nothing and writes nothing.
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("nothing was due"), "{text}");
    assert_eq!(w.ledger().len(), lines);
    assert_eq!(w.mastodon.statuses().len(), 2);
    assert_eq!(w.bluesky.records().len(), 2);

    // An update goes out as a reply to the thread's last part.
    w.merge(
        "snorojning-uppdatering.md",
        "+++\ntitle = \"Snöröjningen klar\"\ndate = 2026-11-30T15:00:00\nupdates = \"snorojning\"\n+++\n\nStorgatan är plogad. Tack för att ni flyttade bilarna.\n",
    );
    ok(&w.publish_at(NOW, &[]));
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 3);
    let update =
        statuses.iter().find(|s| plain(s["content"].as_str().unwrap()).contains("Storgatan är plogad")).unwrap();
    assert_eq!(update["in_reply_to_id"], second["id"], "the update answers the thread's last part");
    let records = w.bluesky.records();
    let update = records.iter().find(|r| r["value"]["text"].as_str().unwrap().contains("Storgatan är plogad")).unwrap();
    assert_eq!(update["value"]["reply"]["root"]["uri"], root["uri"], "the whole chain shares one root");

    // A reviewed change is edited in place on Mastodon and Bluesky.
    let changed = std::fs::read_to_string(w.repo.path().join("content/posts/snorojning.md"))
        .unwrap()
        .replace("Ställ bilen på andra sidan gatan.", "Ställ bilen på Lillgatan.");
    w.merge("snorojning.md", &changed);
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("edited"), "{text}");
    let edited = w.mastodon.status(first["id"].as_str().unwrap()).expect("still there");
    assert!(plain(edited["content"].as_str().unwrap()).contains("Ställ bilen på Lillgatan"), "{edited:#?}");
    assert_eq!(w.mastodon.statuses().len(), 3, "an edit is not a new post");

    // A retraction removes the update everywhere.
    let retracted = std::fs::read_to_string(w.repo.path().join("content/posts/snorojning-uppdatering.md"))
        .unwrap()
        .replace("updates = \"snorojning\"", "updates = \"snorojning\"\nretracted = \"Fel uppgift om Storgatan.\"");
    w.merge("snorojning-uppdatering.md", &retracted);
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("deleted"), "{text}");
    assert_eq!(w.mastodon.statuses().len(), 2);
    assert_eq!(w.bluesky.records().len(), 2);

    // No secret in the ledger or in any commit.
    let ledger_text: String = std::fs::read_dir(w.repo.path().join("ledger"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let mut walk = w.git.revwalk().unwrap();
    walk.push_head().unwrap();
    let messages: String =
        walk.flatten().map(|id| w.git.find_commit(id).unwrap().message().unwrap_or("").to_string()).collect();
    for secret in [&w.mastodon.token, &w.bluesky.password] {
        assert!(!ledger_text.contains(secret.as_str()) && !messages.contains(secret.as_str()));
    }
    let verify = bin().arg("--root").arg(w.repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

/// The thread's statuses, root first.
fn ordered(statuses: &[Value]) -> (&Value, &Value) {
    let root = statuses.iter().find(|s| s["in_reply_to_id"].is_null()).expect("a root status");
    let reply = statuses.iter().find(|s| !s["in_reply_to_id"].is_null()).expect("a reply");
    (root, reply)
}

#[test]
fn a_post_longer_than_the_server_allows_is_held_with_what_to_change() {
    let mut w = World::new("");
    // The strategy claims a larger limit than the instance has.
    let strategy = std::fs::read_to_string(w.repo.path().join("strategy.toml"))
        .unwrap()
        .replace("[platforms.mastodon]\n", "[platforms.mastodon]\nchar_limit = 1000\n");
    let long = "Vi bygger om Storgatan under våren och sommaren. ".repeat(14);
    w.merge_files(&[
        ("strategy.toml", Some(&strategy)),
        (
            "content/posts/lang.md",
            Some(&format!(
                "+++\ntitle = \"Lång\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"mastodon\"]\n+++\n\n{long}\n"
            )),
        ),
    ]);
    let out = w.publish_at(NOW, &[]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "a blocked post needs a person: {text}");
    assert!(text.contains("BLOCKED") && text.contains("char_limit = 500"), "{text}");
    assert!(w.mastodon.statuses().is_empty());
    assert!(w.ledger().is_empty(), "nothing was attempted");
}

#[test]
fn an_image_that_cannot_be_made_safe_holds_its_post_and_platform_narrows_a_run() {
    let mut w = World::new("");
    let png =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media/plogbil.png")).unwrap();
    // A picture cut off in the middle, as a failed upload from a phone leaves it.
    w.repo.file("content/media/trasig.png", &png[..png.len() / 3]);
    w.merge_files(&[
        (
            "content/posts/bild.md",
            Some("+++\ntitle = \"Bild\"\ndate = 2026-11-30T09:00:00\n\n[[media]]\npath = \"../media/trasig.png\"\nalt = \"En trasig bild.\"\n+++\n\nHär är en bild.\n"),
        ),
        (
            "content/posts/text.md",
            Some("+++\ntitle = \"Text\"\ndate = 2026-11-30T10:00:00\n+++\n\nBara text i dag.\n"),
        ),
    ]);
    let out = w.publish_at(NOW, &["--platform", "bluesky"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("BLOCKED") && text.contains("trasig.png"), "{text}");
    assert_eq!(w.bluesky.records().len(), 1, "only the text post went out");
    assert!(w.mastodon.statuses().is_empty(), "--platform bluesky leaves Mastodon alone");
    let ledger = w.ledger();
    assert!(ledger.entries().iter().all(|e| e.post == "text"), "nothing was attempted for the blocked post");
}

#[test]
fn an_unfinished_request_older_than_mastodons_memory_is_found_among_the_accounts_posts() {
    let mut w = World::new("");
    w.merge(
        "gammal.md",
        "+++\ntitle = \"Gammal\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"mastodon\"]\n+++\n\nVattnet stängs av på Kvarngatan i morgon.\n",
    );
    w.merge(
        "borta.md",
        "+++\ntitle = \"Borta\"\ndate = 2026-11-30T10:00:00\nplatforms = [\"mastodon\"]\n+++\n\nBiblioteket stänger tidigt i dag.\n",
    );
    // Two hours ago a run sent `gammal` and died before it heard back; `borta` never arrived.
    let project = budkavle::Project::load(w.repo.path()).unwrap();
    let text =
        budkavle::render(&project, project.post("gammal").unwrap(), budkavle::PlatformId::Mastodon).unwrap().parts[0]
            .text
            .clone();
    let posted: Value = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/statuses", w.mastodon.url))
        .bearer_auth(&w.mastodon.token)
        .form(&[("status", text.as_str())])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let two_hours_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
    let mut ledger = budkavle::ledger::Appender::open(w.repo.path()).unwrap();
    for post in ["gammal", "borta"] {
        let mut intent =
            budkavle::ledger::NewEntry::new(budkavle::ledger::Event::Intent, post, budkavle::PlatformId::Mastodon);
        intent.at = Some(two_hours_ago);
        intent.key = Some(budkavle::publish::key(post, budkavle::PlatformId::Mastodon));
        intent.content = Some(budkavle::ledger::content_hash(post.as_bytes()));
        ledger.append(intent).unwrap();
    }
    ledger.into_lock().release().unwrap();

    let out = w.publish_at(NOW, &[]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("gammal: published (found on the platform"), "{text}");
    assert!(text.contains("borta: UNKNOWN"), "not finding it settles nothing: {text}");
    assert_eq!(out.status.code(), Some(1), "the unknown one needs a person");
    assert_eq!(w.mastodon.statuses().len(), 1, "nothing was sent twice, nothing guessed");
    let state = w.ledger();
    assert_eq!(
        state.state("gammal", budkavle::PlatformId::Mastodon).remote.map(|r| r.id.clone()),
        posted["id"].as_str().map(String::from)
    );
}

/// One live post, reply or comment on a server, as the server holds it.
#[derive(Debug, Clone)]
struct Live {
    id: String,
    text: String,
    /// What it answers (a thread's previous part, the post a comment is on).
    parent: Option<String>,
}

/// The five platform fakes beside the World's Mastodon and Bluesky, with the archive Meta
/// fetches images from, and the strategy sections and secrets for all of them.
struct Fakes {
    x: FakePeer,
    facebook: FakePeer,
    instagram: FakePeer,
    linkedin: FakePeer,
    threads: FakePeer,
    archive: Archive,
    env: Vec<(String, String)>,
}

impl Fakes {
    fn start() -> Fakes {
        let x = FakePeer::start("x", &[]);
        let facebook = FakePeer::start("facebook", &[]);
        let instagram = FakePeer::start("instagram", &[]);
        let linkedin = FakePeer::start("linkedin", &[]);
        let threads = FakePeer::start("threads", &[]);
        for meta in [&instagram, &threads] {
            meta.control("config", json!({"container_delay": 0}));
        }
        let s = |p: &FakePeer, path: &str| p.ready.pointer(path).and_then(Value::as_str).unwrap().to_string();
        let env = vec![
            ("E2E_X_KEY".to_string(), s(&x, "/oauth1/consumer_key")),
            ("E2E_X_SECRET".to_string(), s(&x, "/oauth1/consumer_secret")),
            ("E2E_X_TOKEN".to_string(), s(&x, "/oauth1/access_token")),
            ("E2E_X_TOKEN_SECRET".to_string(), s(&x, "/oauth1/access_token_secret")),
            ("E2E_FACEBOOK_TOKEN".to_string(), s(&facebook, "/page_token")),
            ("E2E_INSTAGRAM_TOKEN".to_string(), s(&instagram, "/access_token")),
            ("E2E_LINKEDIN_TOKEN".to_string(), s(&linkedin, "/token")),
            ("E2E_THREADS_TOKEN".to_string(), s(&threads, "/access_token")),
        ];
        Fakes { x, facebook, instagram, linkedin, threads, archive: Archive::start(), env }
    }

    fn sections(&self) -> String {
        let s = |p: &FakePeer, path: &str| p.ready.pointer(path).and_then(Value::as_str).unwrap().to_string();
        format!(
            "[platforms.x]\naccount = \"@testkommunen\"\napi_url = \"{}\"\napi_key_env = \"E2E_X_KEY\"\napi_secret_env = \"E2E_X_SECRET\"\naccess_token_env = \"E2E_X_TOKEN\"\naccess_secret_env = \"E2E_X_TOKEN_SECRET\"\n\n\
             [platforms.facebook]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"E2E_FACEBOOK_TOKEN\"\n\n\
             [platforms.instagram]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"E2E_INSTAGRAM_TOKEN\"\n\n\
             [platforms.linkedin]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"E2E_LINKEDIN_TOKEN\"\n\n\
             [platforms.threads]\napi_url = \"{}\"\ntoken_env = \"E2E_THREADS_TOKEN\"\n",
            self.x.url,
            self.facebook.url,
            s(&self.facebook, "/page_id"),
            self.instagram.url,
            s(&self.instagram, "/ig_user_id"),
            self.linkedin.url,
            s(&self.linkedin, "/organization"),
            self.threads.url,
        )
    }

    /// What is live on `platform`'s fake.
    fn live(&self, platform: PlatformId) -> Vec<Live> {
        let str_of = |v: &Value| v.as_str().map(str::to_owned);
        let list = |state: &Value, key: &str, keep: &dyn Fn(&Value) -> bool, text: &str, parent: &str| -> Vec<Live> {
            state[key]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| v["deleted"] != true && keep(v))
                .map(|v| Live {
                    id: str_of(&v["id"]).unwrap(),
                    text: str_of(&v[text]).unwrap_or_default(),
                    parent: str_of(&v[parent]),
                })
                .collect()
        };
        match platform {
            PlatformId::X => {
                let main = self.x.ready["account"]["id"].clone();
                let state = self.x.state();
                list(
                    &state,
                    "posts",
                    &|p| p["author_id"] == main && p["superseded_by"].is_null(),
                    "raw_text",
                    "in_reply_to_tweet_id",
                )
            }
            PlatformId::Threads => list(&self.threads.state(), "posts", &|p| p["child"] != true, "text", "reply_to"),
            PlatformId::Instagram => {
                let state = self.instagram.state();
                let mut out = list(&state, "media", &|m| m["child"] != true, "caption", "none");
                out.extend(list(&state, "comments", &|_| true, "text", "media_id"));
                out
            }
            PlatformId::Facebook => {
                let state = self.facebook.state();
                let mut out = list(&state, "posts", &|_| true, "message", "none");
                out.extend(list(&state, "comments", &|_| true, "message", "post_id"));
                out
            }
            PlatformId::Linkedin => {
                let state = self.linkedin.state();
                let mut out = list(&state, "posts", &|_| true, "commentary", "none");
                out.extend(list(&state, "comments", &|_| true, "text", "post"));
                out
            }
            other => panic!("{other} is a real server, not a fake"),
        }
    }

    /// The whole state of `platform`'s fake as text, for what must (alt text) or must not
    /// (a secret) be somewhere in it.
    fn dump(&self, platform: PlatformId) -> String {
        let peer = match platform {
            PlatformId::X => &self.x,
            PlatformId::Facebook => &self.facebook,
            PlatformId::Instagram => &self.instagram,
            PlatformId::Linkedin => &self.linkedin,
            PlatformId::Threads => &self.threads,
            other => panic!("{other}"),
        };
        peer.state().to_string()
    }
}

const FIVE: [PlatformId; 5] =
    [PlatformId::X, PlatformId::Facebook, PlatformId::Instagram, PlatformId::Linkedin, PlatformId::Threads];

/// The same story on all seven platforms at once: one merged repository, Mastodon and Bluesky
/// as real local servers, the other five as their fakes, each asserted against the server's
/// own state. Where a platform cannot do a step, the assertion says what it does instead.
#[test]
fn one_repository_publishes_the_whole_story_to_all_seven_platforms() {
    let fakes = Fakes::start();
    let mut w = World::new(&fakes.sections());
    // Instagram and Threads fetch images from the published archive; point it at the stand-in.
    let strategy = std::fs::read_to_string(w.repo.path().join("strategy.toml"))
        .unwrap()
        .replace("archive_url = \"https://arkiv.testby.se\"", &format!("archive_url = \"{}\"", fakes.archive.url));
    // A JPEG: Instagram takes no other format (and 4:5 to 1.91:1; this one is square).
    let photo = jpeg(800, 800);
    w.repo.file("content/media/skola.jpg", &photo);
    const ALT: &str = "Ritning av den nya skolan vid Storgatan.";
    let post = format!(
        "+++\ntitle = \"Ny skola\"\ndate = 2026-11-30T09:00:00\nlang = \"sv\"\ntags = [\"NySkola\"]\n\n[[media]]\npath = \"../media/skola.jpg\"\nalt = \"{ALT}\"\n+++\n\nSamrådsmötet om nya skolan är i kväll klockan 18.00 i stadshuset.\n\n---\n\nVälkommen med frågor om skolvägen.\n"
    );
    w.merge_files(&[("strategy.toml", Some(&strategy)), ("content/posts/skola.md", Some(&post))]);
    let project = budkavle::Project::load(w.repo.path()).unwrap();
    let rel = std::path::Path::new("content/media/skola.jpg");
    let safe = budkavle::media::prepare(rel, &photo).unwrap();
    let url = budkavle::site::media_url(&project, rel).unwrap();
    fakes.archive.serve(url.strip_prefix(&fakes.archive.url).unwrap(), &safe.bytes);
    // An hour after the real clock: past X's 30-minute edit window when the post changes below.
    let now = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)).to_string();
    let publish = |w: &World| ok(&w.publish_with(&now, &[], &fakes.env));

    let text = publish(&w);
    assert!(!text.contains("FAILED") && !text.contains("BLOCKED"), "{text}");
    let ledger = w.ledger();
    for p in PlatformId::ALL {
        assert!(ledger.state("skola", p).published.is_some(), "skola went out on {p}:\n{text}");
    }

    // Threading platforms: a thread of two, the second part answering the first. The others
    // join the parts into one post (DESIGN §3: "other platforms join the parts").
    let first_text = "Samrådsmötet om nya skolan är i kväll klockan 18.00";
    for p in [PlatformId::X, PlatformId::Threads] {
        let live = fakes.live(p);
        assert_eq!(live.len(), 2, "{p}: {live:#?}");
        let root = live.iter().find(|l| l.text.contains(first_text)).unwrap();
        let reply = live.iter().find(|l| l.text.contains("Välkommen med frågor")).unwrap();
        assert_eq!(reply.parent.as_deref(), Some(root.id.as_str()), "{p}: the second part answers the first");
    }
    for p in [PlatformId::Facebook, PlatformId::Instagram, PlatformId::Linkedin] {
        let live = fakes.live(p);
        assert_eq!(live.len(), 1, "{p}: {live:#?}");
        assert!(live[0].text.contains(first_text) && live[0].text.contains("Välkommen med frågor"), "{p}: {live:#?}");
    }
    assert_eq!(w.mastodon.statuses().len(), 2);
    assert_eq!(w.bluesky.records().len(), 2);
    // The image went with its alt text to every platform: the fakes keep what they were sent
    // (X media metadata, Facebook's photo, Instagram's and Threads' container `alt_text`,
    // LinkedIn's image `altText`).
    for p in FIVE {
        assert!(fakes.dump(p).contains(ALT), "{p} has no alt text");
    }
    let status = w.mastodon.statuses().into_iter().find(|s| s["in_reply_to_id"].is_null()).unwrap();
    assert_eq!(status["media_attachments"][0]["description"], ALT);

    // The ledger commit names all seven; the ledger verifies.
    let message = w.git.head().unwrap().peel_to_commit().unwrap().message().unwrap().to_string();
    assert!(message.starts_with("budkavle publish: 7 published"), "{message}");
    for p in PlatformId::ALL {
        assert!(message.contains(&format!("Budkavle-Platform: {}", p.name())), "{message}");
    }
    let verify = bin().arg("--root").arg(w.repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));

    // A re-run sends nothing anywhere.
    let lines = w.ledger().len();
    let counts = |w: &World| {
        let mut c: Vec<usize> = FIVE.iter().map(|&p| fakes.live(p).len()).collect();
        c.push(w.mastodon.statuses().len());
        c.push(w.bluesky.records().len());
        c
    };
    let before = counts(&w);
    let text = publish(&w);
    assert!(text.contains("nothing was due"), "{text}");
    assert_eq!(w.ledger().len(), lines);
    assert_eq!(counts(&w), before);

    // An update goes out as a reply to the thread's last part on threading platforms and as a
    // comment on the post on Facebook and LinkedIn. Instagram has no replies to a post and no
    // post without an image: the update (text only, no `platforms`) is not for Instagram, and
    // `plan` says so.
    w.merge(
        "skola-uppdatering.md",
        "+++\ntitle = \"Mötet flyttat\"\ndate = 2026-11-30T15:00:00\nupdates = \"skola\"\n+++\n\nMötet hålls i aulan i stället för i stadshuset.\n",
    );
    publish(&w);
    for p in [PlatformId::X, PlatformId::Threads] {
        let live = fakes.live(p);
        let last = live.iter().find(|l| l.text.contains("Välkommen med frågor")).unwrap();
        let update = live.iter().find(|l| l.text.contains("Mötet hålls i aulan")).expect("the update");
        assert_eq!(update.parent.as_deref(), Some(last.id.as_str()), "{p}: answers the thread's last part");
    }
    for p in [PlatformId::Facebook, PlatformId::Linkedin] {
        let live = fakes.live(p);
        let post = live.iter().find(|l| l.parent.is_none()).unwrap();
        let update = live.iter().find(|l| l.text.contains("Mötet hålls i aulan")).expect("the update");
        assert_eq!(update.parent.as_deref(), Some(post.id.as_str()), "{p}: a comment on the post");
    }
    assert_eq!(fakes.live(PlatformId::Instagram).len(), 1, "not for Instagram");
    assert!(w.ledger().state("skola-uppdatering", PlatformId::Instagram).published.is_none());

    // The post changes. Mastodon, Bluesky, Facebook and LinkedIn edit it in place; X (an hour
    // later, past its 30-minute window), Threads and Instagram cannot, so the change goes out
    // as a reply or comment "Rättelse: …" on the original, which stays as it was.
    let changed = post.replace("klockan 18.00", "klockan 19.00");
    w.merge("skola.md", &changed);
    let text = publish(&w);
    assert!(text.contains("edited") && text.contains("corrected"), "{text}");
    for p in [PlatformId::Facebook, PlatformId::Linkedin] {
        let live = fakes.live(p);
        let post = live.iter().find(|l| l.parent.is_none()).unwrap();
        assert!(post.text.contains("klockan 19.00"), "{p}: edited in place: {live:#?}");
    }
    let root = w.mastodon.statuses().into_iter().find(|s| s["in_reply_to_id"].is_null()).unwrap();
    assert!(plain(root["content"].as_str().unwrap()).contains("klockan 19.00"));
    let root = w.bluesky.records().into_iter().find(|r| r["value"]["reply"].is_null()).unwrap();
    assert!(root["value"]["text"].as_str().unwrap().contains("klockan 19.00"));
    for p in [PlatformId::X, PlatformId::Threads, PlatformId::Instagram] {
        let live = fakes.live(p);
        let original = live.iter().find(|l| l.parent.is_none()).unwrap();
        assert!(original.text.contains("klockan 18.00"), "{p}: the original stays");
        let correction = live.iter().find(|l| l.text.starts_with("Rättelse:")).expect("a correction");
        assert!(correction.text.contains("klockan 19.00"), "{p}: {correction:?}");
        assert_eq!(correction.parent.as_deref(), Some(original.id.as_str()), "{p}: on the original");
        assert!(w.ledger().state("skola", p).corrected.is_some());
    }
    let before = counts(&w);
    assert!(publish(&w).contains("nothing was due"), "a correction goes out once");
    assert_eq!(counts(&w), before);

    // The update is retracted: removed wherever it went out (Instagram never had it).
    let retracted = std::fs::read_to_string(w.repo.path().join("content/posts/skola-uppdatering.md"))
        .unwrap()
        .replace("updates = \"skola\"", "updates = \"skola\"\nretracted = \"Fel lokal.\"");
    w.merge("skola-uppdatering.md", &retracted);
    let text = publish(&w);
    assert!(text.contains("deleted"), "{text}");
    for p in FIVE {
        assert!(!fakes.live(p).iter().any(|l| l.text.contains("Mötet hålls i aulan")), "{p}: the update is gone");
    }
    assert!(!w.mastodon.statuses().iter().any(|s| plain(s["content"].as_str().unwrap()).contains("aulan")));
    assert!(!w.bluesky.records().iter().any(|r| r["value"]["text"].as_str().unwrap().contains("aulan")));

    // No secret of any of the seven in the ledger, any commit, or `log`.
    let ledger_text: String = std::fs::read_dir(w.repo.path().join("ledger"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let mut walk = w.git.revwalk().unwrap();
    walk.push_head().unwrap();
    let messages: String =
        walk.flatten().map(|id| w.git.find_commit(id).unwrap().message().unwrap_or("").to_string()).collect();
    let log = bin().arg("--root").arg(w.repo.path()).args(["log", "skola"]).output().unwrap();
    let log = String::from_utf8_lossy(&log.stdout).to_string();
    assert!(log.contains("corrected"), "{log}");
    let secrets = [w.mastodon.token.clone(), w.bluesky.password.clone()]
        .into_iter()
        .chain(fakes.env.iter().map(|(_, v)| v.clone()));
    for secret in secrets {
        for (what, text) in [("the ledger", &ledger_text), ("a commit", &messages), ("log", &log)] {
            assert!(!text.contains(&secret), "a secret in {what}");
        }
    }
    let verify = bin().arg("--root").arg(w.repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}
