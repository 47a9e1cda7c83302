//! Corrections where a platform cannot edit (issue 12, item 3): a published post whose text
//! changes goes out once as a reply (X after its 30-minute edit window, Threads) or a comment
//! (Instagram) on the original, which stays up — through `budkavle publish` in a real git
//! repository against the platform fakes, read back from each fake's `/_fake/state`. A re-run
//! sends nothing, a second change a second correction, and an interrupted correction is found
//! on the platform instead of being sent again.

use crate::common;
use crate::common::fake_peer::FakePeer;
use crate::publish_instagram::{Archive, jpeg};

use std::path::Path;
use std::time::Duration;

use budkavle::PlatformId;
use budkavle::clients::api::Outgoing;
use budkavle::ledger::{Appender, Event, Ledger, NewEntry};
use common::git::{T0, commit, init, merge_request};
use common::{Repo, bin};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const POST: &str = "+++\ntitle = \"Möte\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"PLATFORM\"]\nMEDIA+++\n\nMötet om nya skolan börjar TIME i stadshuset.\n";
const IMAGE: &str = "\n[[media]]\npath = \"../media/skolan.jpg\"\nalt = \"Ritning av den nya skolan.\"\n";

/// A content repository in git publishing to one fake.
struct Story {
    platform: PlatformId,
    repo: Repo,
    git: git2::Repository,
    env: Vec<(String, String)>,
    request: u64,
    /// The run's clock: an hour from now, past X's edit window for what this test publishes.
    now: String,
    archive: Option<Archive>,
}

impl Story {
    fn new(platform: PlatformId, peer: &FakePeer) -> Story {
        let repo = Repo::new("");
        let mut strategy = common::STRATEGY.to_string();
        let mut env: Vec<(String, String)> = Vec::new();
        let mut archive = None;
        let section = match platform {
            PlatformId::X => {
                let k = |f: &str| peer.ready["oauth1"][f].as_str().unwrap().to_string();
                for (name, field) in [
                    ("C_X_KEY", "consumer_key"),
                    ("C_X_SECRET", "consumer_secret"),
                    ("C_X_TOKEN", "access_token"),
                    ("C_X_TOKEN_SECRET", "access_token_secret"),
                ] {
                    env.push((name.into(), k(field)));
                }
                format!(
                    "[platforms.x]\naccount = \"@testkommunen\"\napi_url = \"{}\"\napi_key_env = \"C_X_KEY\"\napi_secret_env = \"C_X_SECRET\"\naccess_token_env = \"C_X_TOKEN\"\naccess_secret_env = \"C_X_TOKEN_SECRET\"\n",
                    peer.url
                )
            }
            PlatformId::Threads => {
                env.push(("C_THREADS_TOKEN".into(), peer.ready["access_token"].as_str().unwrap().into()));
                format!("[platforms.threads]\napi_url = \"{}\"\ntoken_env = \"C_THREADS_TOKEN\"\n", peer.url)
            }
            PlatformId::Instagram => {
                env.push(("C_IG_TOKEN".into(), peer.ready["access_token"].as_str().unwrap().into()));
                let served = Archive::start();
                strategy = strategy
                    .replace("archive_url = \"https://arkiv.testby.se\"", &format!("archive_url = \"{}\"", served.url));
                archive = Some(served);
                format!(
                    "[platforms.instagram]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"C_IG_TOKEN\"\n",
                    peer.url,
                    peer.ready["ig_user_id"].as_str().unwrap()
                )
            }
            other => panic!("{other} edits; no correction story"),
        };
        let marker = format!("[platforms.{}]\n", platform.name());
        repo.file("strategy.toml", strategy.replace(&marker, &section).as_bytes());
        repo.file("content/media/skolan.jpg", &jpeg(800, 800));
        let git = init(repo.path());
        commit(&git, "Start", "Anna Berg", T0);
        let now = (Timestamp::now() + SignedDuration::from_hours(1)).to_string();
        Story { platform, repo, git, env, request: 0, now, archive }
    }

    /// Merges the post with its meeting at `time`, as a reviewed pull request.
    fn merge_post(&mut self, time: &str) {
        let media = if self.platform == PlatformId::Instagram { IMAGE } else { "" };
        let text = POST.replace("PLATFORM", self.platform.name()).replace("MEDIA", media).replace("TIME", time);
        self.repo.post("mote.md", &text);
        if let Some(archive) = &self.archive {
            // The deployed archive serves the stripped image where Instagram fetches it.
            let project = self.repo.load();
            let rel = Path::new("content/media/skolan.jpg");
            let safe = budkavle::media::prepare(rel, &jpeg(800, 800)).unwrap();
            let url = budkavle::site::media_url(&project, rel).expect("an address in the archive");
            archive.serve(url.strip_prefix(&archive.url).unwrap(), &safe.bytes);
        }
        self.request += 1;
        merge_request(&self.git, self.request, &["Bo Ek"], T0 + 3600 * self.request as i64);
    }

    /// Retracts the post, as a reviewed pull request.
    fn retract(&mut self) {
        let path = self.repo.path().join("content/posts/mote.md");
        let text = std::fs::read_to_string(&path).unwrap().replacen("+++\n", "+++\nretracted = \"Fel lokal.\"\n", 1);
        self.repo.post("mote.md", &text);
        self.request += 1;
        merge_request(&self.git, self.request, &["Bo Ek"], T0 + 3600 * self.request as i64);
    }

    /// `budkavle <args>`, asserting success and that no secret is printed.
    fn run(&self, args: &[&str]) -> String {
        let mut cmd = bin();
        cmd.arg("--root").arg(self.repo.path()).args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "budkavle {args:?} failed:\n{text}");
        for (_, secret) in &self.env {
            assert!(!text.contains(secret.as_str()), "a secret in the output of {args:?}");
        }
        text
    }

    fn publish(&self) -> String {
        self.run(&["publish", "--now", &self.now, "--timeout", "10"])
    }

    fn ledger(&self) -> Ledger {
        Ledger::read(self.repo.path()).unwrap()
    }

    fn original(&self) -> String {
        self.ledger().state("mote", self.platform).remote.expect("published").id.clone()
    }
}

/// The live answers of the account to `original` on the fake: replies or comments, as
/// (id, text), oldest first.
fn answers(platform: PlatformId, peer: &FakePeer, original: &str) -> Vec<(String, String)> {
    let state = peer.state();
    let pick = |list: &str, parent: &str, text: &str, gone: &dyn Fn(&Value) -> bool| -> Vec<(String, String)> {
        state[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p[parent] == original && !gone(p))
            .map(|p| (p["id"].as_str().unwrap().to_string(), p[text].as_str().unwrap().to_string()))
            .collect()
    };
    match platform {
        PlatformId::X => pick("posts", "in_reply_to_tweet_id", "raw_text", &|p| p["deleted"] == true),
        PlatformId::Threads => pick("posts", "reply_to", "text", &|p| p["deleted"] == true),
        PlatformId::Instagram => pick("comments", "media_id", "text", &|c| c["deleted"] == true),
        other => panic!("{other}"),
    }
}

fn start(platform: PlatformId) -> FakePeer {
    let peer = FakePeer::start(platform.name(), &[]);
    if platform != PlatformId::X {
        peer.control("config", json!({"container_delay": 0}));
    }
    peer
}

/// The whole story on one platform.
fn correction_story(platform: PlatformId) {
    let peer = start(platform);
    let mut story = Story::new(platform, &peer);
    story.merge_post("18.00");
    let said = story.publish();
    assert!(said.contains("published"), "{said}");
    let original = story.original();

    // Before the merge of a change, check warns and the dry run lists the correction. (`check`
    // reads the system clock: on X the post is seconds old, inside the 30 minutes X edits, so
    // check rightly says nothing there; the runs below are an hour later.)
    story.merge_post("19.00");
    let checked = story.run(&["check"]);
    if platform != PlatformId::X {
        assert!(checked.contains("publish.correction") && checked.contains("Rättelse: …"), "{checked}");
    }
    let planned = story.run(&["publish", "--dry-run", "--now", &story.now]);
    assert!(planned.contains(&format!("correct  {:<10} mote", platform.name())), "{planned}");

    // The change goes out once, as an answer on the original that says what it is.
    let said = story.publish();
    assert!(said.contains("corrected"), "{said}");
    let found = answers(platform, &peer, &original);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.starts_with("Rättelse: Mötet om nya skolan börjar 19.00"), "{found:?}");
    let ledger = story.ledger();
    let state = ledger.state("mote", platform);
    assert_eq!(state.remote.unwrap().id, original, "the original stays the post");
    assert_eq!(state.corrected.unwrap().remote.as_ref().unwrap().id, found[0].0);
    let lines = ledger.len();

    // A re-run sends nothing; `log` tells it; the ledger verifies.
    let said = story.publish();
    assert!(said.contains("nothing was due"), "{said}");
    assert_eq!(answers(platform, &peer, &original).len(), 1);
    assert_eq!(story.ledger().len(), lines);
    let log = story.run(&["log", "mote"]);
    assert!(log.contains("corrected") && log.contains("the platform cannot edit"), "{log}");
    story.run(&["verify"]);

    // A second change: its correction went out, but the run died before it heard back.
    story.merge_post("19.30");
    let project = story.repo.load();
    let post = project.post("mote").unwrap();
    let before = story.ledger().state("mote", platform).latest().map(|e| e.texts.clone()).unwrap();
    assert_eq!(before.len(), 1, "the version out records its part's hash");
    let correction = budkavle::render::correction(&project, post, platform, &before).unwrap();
    let http = budkavle::clients::http::Http::new(Duration::from_secs(10)).unwrap();
    let env = story.env.clone();
    let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut conn = budkavle::clients::connect(&project.strategy, platform, &lookup, &http).unwrap();
    let key = format!("{}-c2", budkavle::publish::key("mote", platform));
    let intent_at = Timestamp::now();
    let mut ledger = Appender::open(story.repo.path()).unwrap();
    let mut intent = NewEntry::new(Event::Intent, "mote", platform);
    intent.at = Some(intent_at);
    intent.key = Some(key.clone());
    intent.content = Some(budkavle::render(&project, post, platform).unwrap().payload_hash());
    ledger.append(intent).unwrap();
    ledger.into_lock().release().unwrap();
    let original_remote = story.ledger().state("mote", platform).remote.unwrap().clone();
    let out = Outgoing {
        key: &key,
        text: &correction.parts[0].text,
        facets: &[],
        lang: "sv",
        media: &[],
        reply_to: None,
        link: None,
    };
    let lost = conn.correct(&original_remote, &out).unwrap();

    let said = story.publish();
    assert!(said.contains("corrected") && said.contains("found on the platform"), "{said}");
    let found = answers(platform, &peer, &original);
    assert_eq!(found.len(), 2, "looked up, not sent again: {found:?}");
    assert_eq!(story.ledger().state("mote", platform).corrected.unwrap().remote.as_ref().unwrap().id, lost.id);

    // A third change is a third correction, not a repeat of an earlier one.
    story.merge_post("20.00");
    story.publish();
    let found = answers(platform, &peer, &original);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().any(|(_, t)| t.starts_with("Rättelse: Mötet om nya skolan börjar 20.00")), "{found:?}");

    // Retracted: the corrections go with the post, none is left answering a removed one.
    story.retract();
    let said = story.publish();
    assert!(said.contains("deleted"), "{said}");
    assert!(answers(platform, &peer, &original).is_empty(), "the corrections are removed too");
    story.run(&["verify"]);
}

#[test]
fn x_corrects_with_a_reply_after_its_edit_window() {
    correction_story(PlatformId::X);
}

#[test]
fn threads_corrects_with_a_reply() {
    correction_story(PlatformId::Threads);
}

#[test]
fn instagram_corrects_with_a_comment_on_the_media() {
    correction_story(PlatformId::Instagram);
}
