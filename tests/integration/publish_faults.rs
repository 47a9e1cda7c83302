//! The fault test of issues 5 and 12: posts published through fault-injecting proxies (503,
//! 429 with Retry-After, stalls past the timeout, resets, answers lost after the server acted)
//! while the publisher is killed with SIGKILL at random moments and restarted 20 times.
//! Afterwards every post is on each server exactly once — counted on the servers themselves —
//! the ledger verifies, nothing is left unsent and nothing waits for a person.
//!
//! Two tests, run side by side by the harness: Mastodon and Bluesky (the real local servers),
//! and the five platforms without an idempotency key (X, Facebook, Instagram, Threads,
//! LinkedIn, against their fakes), where exactly-once rests on looking a post up among the
//! account's own recent posts.

use crate::common;
use crate::common::bluesky_peer;
use crate::common::fake_peer::FakePeer;
use crate::common::fault_proxy;
use crate::common::mastodon_peer;
use crate::publish_instagram::{Archive, jpeg};

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bluesky_peer::BlueskyPeer;
use budkavle::PlatformId;
use budkavle::clients::api::{Connection, Lookup, Outgoing, Upload};
use budkavle::ledger::{Ledger, Outcome};
use common::git::{T0, commit, init};
use common::{Repo, bin};
use fault_proxy::{FaultProxy, Faults};
use jiff::Timestamp;
use mastodon_peer::MastodonPeer;
use serde_json::{Value, json};

const KILLS: usize = 20;
const NOW: &str = "2026-12-01T12:00:00Z";

/// The seed of every random choice (faults, kill moments); a failure prints it.
fn seed() -> u64 {
    let seed = std::env::var("BUDKAVLE_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x05ee_db0d_cafe);
    eprintln!("fault seed {seed} (set BUDKAVLE_FAULT_SEED to repeat a run)");
    seed
}

struct Rng(std::sync::Mutex<u64>);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        fault_proxy::next(&self.0) % n
    }
}

/// The post number in "Meddelande nummer N från …".
fn number(text: &str) -> String {
    text.split("nummer ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or("?").to_string()
}

/// One content repository published again and again: `publish` is the command, `secrets` must
/// appear in no output.
struct Drill<'a> {
    repo: &'a Repo,
    env: Vec<(String, String)>,
    secrets: Vec<String>,
    proxies: Vec<(&'static str, &'a FaultProxy)>,
}

impl Drill<'_> {
    fn publish(&self) -> Command {
        let mut cmd = bin();
        cmd.arg("--root")
            .arg(self.repo.path())
            .args(["publish", "--now", NOW, "--timeout", "1", "--budget", "20"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn faults(&self) -> String {
        self.proxies.iter().map(|(name, p)| format!("{name}: {}", p.counts.summary())).collect::<Vec<_>>().join("\n  ")
    }

    /// Requests that reached the proxies so far.
    fn seen(&self) -> u64 {
        self.proxies.iter().map(|(_, p)| p.counts.seen.load(std::sync::atomic::Ordering::Relaxed)).sum()
    }

    /// Runs killed with SIGKILL `KILLS` times, each once it has made 1 to `most` requests (so
    /// the kill lands while it sends, however long loading takes on a busy machine) — or until
    /// a run finishes first, when everything is out and further kills would test nothing.
    fn kill_runs(&self, seed: u64, most: u64, started: Instant) -> usize {
        let mut rng = Rng(std::sync::Mutex::new(seed));
        let mut kills = 0;
        while kills < KILLS {
            let target = self.seen() + 1 + rng.below(most);
            let mut child = self.publish().spawn().expect("start publish");
            let give_up = Instant::now() + Duration::from_secs(60);
            let mut exited = false;
            while self.seen() < target && Instant::now() < give_up {
                if child.try_wait().unwrap().is_some() {
                    exited = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            if exited {
                let out = child.wait_with_output().unwrap();
                eprintln!("a run finished between kills:\n{}", String::from_utf8_lossy(&out.stdout));
                break;
            }
            child.kill().expect("SIGKILL the publisher");
            child.wait().unwrap();
            kills += 1;
            assert!(started.elapsed() < Duration::from_secs(900), "the killed runs take far too long");
        }
        eprintln!("{kills} kills after {:.0?}; faults so far:\n  {}", started.elapsed(), self.faults());
        kills
    }

    /// Runs to the end, faults still on for the first ones, until nothing is due. No run may
    /// need a person, and no run may print a secret.
    fn finish(&self) {
        for round in 0..12 {
            if round == 6 {
                for (_, p) in &self.proxies {
                    p.heal();
                }
            }
            let out = self.publish().output().unwrap();
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(out.status.success(), "run {round} needs a person, which it must not:\n{text}");
            for secret in &self.secrets {
                assert!(!text.contains(secret.as_str()), "a secret in the output of run {round}");
            }
            if text.contains("nothing was due") {
                for (name, p) in &self.proxies {
                    assert!(p.counts.faults() > 0, "the {name} proxy injected faults");
                }
                return;
            }
        }
        panic!("runs kept finding work; faults:\n  {}", self.faults());
    }

    /// The ledger: an intact chain, every expected pair published, nothing pending or unknown;
    /// and `budkavle verify` agrees.
    fn ledger_holds(&self, expected: &[(String, PlatformId)]) -> Ledger {
        let ledger = Ledger::read(self.repo.path()).expect("the ledger reads strictly");
        ledger.verify().expect("the hash chain holds");
        for (post, p) in expected {
            assert_eq!(ledger.state(post, *p).outcome(), Outcome::Published, "{post} on {p}");
        }
        let verify = bin().arg("--root").arg(self.repo.path()).arg("verify").output().unwrap();
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
        ledger
    }
}

/// Asserts that the texts a server holds are exactly posts `0..n`, once each.
fn exactly_once<'a>(platform: &str, texts: impl Iterator<Item = &'a str>, numbers: impl Iterator<Item = usize>) {
    let mut on_server: HashMap<String, usize> = HashMap::new();
    for t in texts {
        *on_server.entry(number(t)).or_default() += 1;
    }
    let mut want = 0;
    for n in numbers {
        want += 1;
        assert_eq!(on_server.get(&n.to_string()).copied(), Some(1), "post {n} on {platform}: {on_server:?}");
    }
    assert_eq!(on_server.values().sum::<usize>(), want, "nothing else on {platform}");
}

#[test]
fn killed_and_faulted_runs_publish_every_post_exactly_once() {
    const POSTS: usize = 200;
    let mastodon = MastodonPeer::start();
    let bluesky = BlueskyPeer::start();
    let seed = seed();
    let faults = Faults {
        unavailable: 5,
        too_many: 4,
        stall: 3,
        reset: 4,
        lost_answer: 6,
        stall_for: Duration::from_millis(1500),
    };
    let m_proxy = FaultProxy::start(&mastodon.url, faults, seed);
    let b_proxy = FaultProxy::start(&bluesky.service, faults, seed.rotate_left(17));

    let repo = Repo::new("");
    let strategy = format!(
        "[organisation]\nname = \"Testby kommun\"\nurl = \"https://www.testby.se\"\narchive_url = \"https://arkiv.testby.se\"\n\n[[goals]]\nid = \"info\"\ndescription = \"Informera\"\n\n[[audiences]]\nid = \"alla\"\ndescription = \"Alla\"\n\n[platforms.mastodon]\ninstance = \"{}\"\ntoken_env = \"F_TOKEN\"\n\n[platforms.bluesky]\naccount = \"{}\"\nservice = \"{}\"\npassword_env = \"F_PASSWORD\"\n\n[review]\napprovals = 0\n",
        m_proxy.url, bluesky.handle, b_proxy.url
    );
    repo.file("strategy.toml", strategy.as_bytes());
    for n in 0..POSTS {
        repo.post(&format!("p{n:03}.md"), &text_post(n));
    }
    let git = init(repo.path());
    commit(&git, "200 inlägg", "Anna Berg", T0);

    let drill = Drill {
        repo: &repo,
        env: vec![("F_TOKEN".into(), mastodon.token.clone()), ("F_PASSWORD".into(), bluesky.password.clone())],
        secrets: vec![mastodon.token.clone(), bluesky.password.clone()],
        proxies: vec![("mastodon", &m_proxy), ("bluesky", &b_proxy)],
    };
    let started = Instant::now();
    drill.kill_runs(seed, 40, started);
    drill.finish();

    // Counted on the servers: every post exactly once on each.
    let statuses = mastodon.statuses();
    exactly_once("Mastodon", statuses.iter().map(|s| s["content"].as_str().unwrap_or_default()), 0..POSTS);
    let records = bluesky.records();
    exactly_once("Bluesky", records.iter().map(|r| r["value"]["text"].as_str().unwrap_or_default()), 0..POSTS);

    let pairs: Vec<(String, PlatformId)> =
        (0..POSTS).flat_map(|n| [PlatformId::Mastodon, PlatformId::Bluesky].map(|p| (format!("p{n:03}"), p))).collect();
    let ledger = drill.ledger_holds(&pairs);
    eprintln!("done in {:.0?}: {} ledger lines; faults:\n  {}", started.elapsed(), ledger.len(), drill.faults());
}

fn text_post(n: usize) -> String {
    format!(
        "+++\ntitle = \"Meddelande {n}\"\ndate = 2026-11-{:02}T{:02}:00:00\n+++\n\nMeddelande nummer {n} från Testby kommun.\n",
        1 + n % 28,
        8 + n % 10
    )
}

/// The five platforms' fakes, each behind its own fault proxy, and what the test needs to
/// reach them.
struct Five {
    x: FakePeer,
    facebook: FakePeer,
    instagram: FakePeer,
    threads: FakePeer,
    linkedin: FakePeer,
}

impl Five {
    fn start() -> Five {
        let five = Five {
            x: FakePeer::start("x", &[]),
            facebook: FakePeer::start("facebook", &[]),
            instagram: FakePeer::start("instagram", &[]),
            threads: FakePeer::start("threads", &[]),
            // Images are ready as soon as they are uploaded (the real wait is not what is tested).
            linkedin: FakePeer::start("linkedin", &["--image-processing-seconds", "0"]),
        };
        // Containers are ready as soon as Meta has fetched the image: no second of waiting each.
        five.instagram.control("config", json!({"container_delay": 0}));
        five.threads.control("config", json!({"container_delay": 0}));
        // X allows a user 100 posts and 75 `users/me` reads per 15 minutes; this test sends 200
        // posts (and reads the account once per run) within a few minutes, so the windows are
        // widened. Running into them is tested in publish_x.rs.
        for endpoint in ["POST /2/tweets", "GET /2/users/me"] {
            five.x.control("quota", json!({"endpoint": endpoint, "principal": "*", "limit": 5000}));
        }
        five
    }

    fn token(peer: &FakePeer, pointer: &str) -> String {
        peer.ready
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{} ready line: {pointer}", peer.name))
            .to_string()
    }

    /// (environment variable, secret) for each platform.
    fn secrets(&self) -> Vec<(String, String)> {
        vec![
            ("F_X".into(), Self::token(&self.x, "/bearer/user")),
            ("F_FACEBOOK".into(), Self::token(&self.facebook, "/page_token")),
            ("F_INSTAGRAM".into(), Self::token(&self.instagram, "/access_token")),
            ("F_THREADS".into(), Self::token(&self.threads, "/access_token")),
            ("F_LINKEDIN".into(), Self::token(&self.linkedin, "/token")),
        ]
    }

    /// The `[platforms.*]` sections, each platform reached through `urls[name]`.
    fn sections(&self, urls: &HashMap<&str, String>) -> String {
        format!(
            "[platforms.x]\napi_url = \"{}\"\ntoken_env = \"F_X\"\n\n[platforms.facebook]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"F_FACEBOOK\"\n\n[platforms.instagram]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"F_INSTAGRAM\"\n\n[platforms.threads]\napi_url = \"{}\"\ntoken_env = \"F_THREADS\"\n\n[platforms.linkedin]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"F_LINKEDIN\"\n",
            urls["x"],
            urls["facebook"],
            Self::token(&self.facebook, "/page_id"),
            urls["instagram"],
            Self::token(&self.instagram, "/ig_user_id"),
            urls["threads"],
            urls["linkedin"],
            Self::token(&self.linkedin, "/organization"),
        )
    }

    fn peers(&self) -> [(&'static str, PlatformId, &FakePeer); 5] {
        [
            ("x", PlatformId::X, &self.x),
            ("facebook", PlatformId::Facebook, &self.facebook),
            ("instagram", PlatformId::Instagram, &self.instagram),
            ("threads", PlatformId::Threads, &self.threads),
            ("linkedin", PlatformId::Linkedin, &self.linkedin),
        ]
    }

    /// Every text the platform holds for the account, deleted ones too (a duplicate removed
    /// afterwards is still a duplicate).
    fn texts(&self, platform: PlatformId) -> Vec<String> {
        let (peer, list, field) = match platform {
            PlatformId::X => (&self.x, "posts", "text"),
            PlatformId::Facebook => (&self.facebook, "posts", "message"),
            PlatformId::Instagram => (&self.instagram, "media", "caption"),
            PlatformId::Threads => (&self.threads, "posts", "text"),
            PlatformId::Linkedin => (&self.linkedin, "posts", "commentary"),
            other => panic!("{other} has no fake"),
        };
        let state = peer.state();
        let items = state[list].as_array().unwrap_or_else(|| panic!("{} state has no {list}", peer.name));
        let mine = |item: &&Value| match platform {
            PlatformId::X => item["author_id"] == self.x.ready["account"]["id"],
            PlatformId::Instagram | PlatformId::Threads => item["child"] != true,
            _ => true,
        };
        items
            .iter()
            .filter(mine)
            .filter_map(|item| item[field].as_str())
            .filter(|t| t.contains("Meddelande nummer"))
            .map(str::to_owned)
            .collect()
    }
}

/// An image post: the same photo on every platform, and the only kind Instagram takes.
fn image_post(n: usize) -> String {
    format!(
        "+++\ntitle = \"Meddelande {n}\"\ndate = 2026-11-{:02}T{:02}:00:00\n\n[[media]]\npath = \"../media/torget.jpg\"\nalt = \"Torget i Testby en vinterdag.\"\n+++\n\nMeddelande nummer {n} från Testby kommun.\n",
        1 + n % 28,
        8 + n % 10
    )
}

/// X, Facebook, Instagram, Threads and LinkedIn: none honours an idempotency key, so every
/// interrupted or unsure attempt is settled by looking the post up among the account's own
/// posts by its exact text. 120 posts go to X, Facebook, Threads and LinkedIn; every other one
/// carries an image and also goes to Instagram, which takes nothing else — 60 posts, within its
/// documented 24-hour `content_publishing_limit` of 100, which the fake enforces unchanged
/// (Threads' 250 is not reached either). 120, not 200 as for Mastodon and Bluesky, keeps the
/// test near two minutes on CI's two cores while every listing still has a second page
/// (X and the Graph API give at most 100 a page). At the end the look-up of the first post,
/// beyond the first page of the listing, must find it.
#[test]
fn killed_and_faulted_runs_publish_every_post_exactly_once_where_no_idempotency_key_helps() {
    const POSTS: usize = 120;
    let five = Five::start();
    let seed = seed();
    // Faults are rarer than for Mastodon and Bluesky (6 % of requests, not 22 %): a post here
    // takes 1 to 6 requests (quota reads, containers and their status, chunked media upload),
    // some 3,500 in all with the retries, and each fault costs up to a second of backing off.
    // This still makes 25 to 80 faults on each platform, 8 to 21 of them lost answers.
    let faults = Faults {
        unavailable: 1,
        too_many: 1,
        stall: 1,
        reset: 1,
        lost_answer: 2,
        stall_for: Duration::from_millis(1500),
    };
    let proxies: Vec<(&'static str, PlatformId, FaultProxy)> = five
        .peers()
        .iter()
        .enumerate()
        .map(|(i, (name, p, peer))| {
            (*name, *p, FaultProxy::start(&peer.url, faults, seed.rotate_left(7 * i as u32 + 3)))
        })
        .collect();
    let urls: HashMap<&str, String> = proxies.iter().map(|(name, _, proxy)| (*name, proxy.url.clone())).collect();

    // The deployed archive, where Instagram fetches the image.
    let archive = Archive::start();
    let repo = Repo::new("");
    let strategy = format!(
        "[organisation]\nname = \"Testby kommun\"\nurl = \"https://www.testby.se\"\narchive_url = \"{}\"\n\n[[goals]]\nid = \"info\"\ndescription = \"Informera\"\n\n[[audiences]]\nid = \"alla\"\ndescription = \"Alla\"\n\n{}\n[review]\napprovals = 0\n",
        archive.url,
        five.sections(&urls)
    );
    repo.file("strategy.toml", strategy.as_bytes());
    let photo = jpeg(800, 600);
    let rel = Path::new("content/media/torget.jpg");
    repo.file("content/media/torget.jpg", &photo);
    for n in 0..POSTS {
        let text = if n.is_multiple_of(2) { image_post(n) } else { text_post(n) };
        repo.post(&format!("p{n:03}.md"), &text);
    }
    let project = repo.load();
    let url = budkavle::site::media_url(&project, rel).expect("an address in the archive");
    let safe = budkavle::media::prepare(rel, &photo).expect("the photo can be made safe");
    archive.serve(url.strip_prefix(&archive.url).expect("under the archive"), &safe.bytes);
    let git = init(repo.path());
    commit(&git, "120 inlägg", "Anna Berg", T0);

    let env = five.secrets();
    let drill = Drill {
        repo: &repo,
        secrets: env.iter().map(|(_, v)| v.clone()).collect(),
        env,
        proxies: proxies.iter().map(|(name, _, proxy)| (*name, proxy)).collect(),
    };
    let started = Instant::now();
    drill.kill_runs(seed, 60, started);
    drill.finish();

    // Counted on the servers: every post exactly once on each.
    let on_instagram = |n: &usize| n.is_multiple_of(2);
    for (name, platform, _) in five.peers() {
        let texts = five.texts(platform);
        let numbers: Vec<usize> = (0..POSTS).filter(|n| platform != PlatformId::Instagram || on_instagram(n)).collect();
        exactly_once(name, texts.iter().map(String::as_str), numbers.into_iter());
    }
    let pairs: Vec<(String, PlatformId)> = (0..POSTS)
        .flat_map(|n| five.peers().map(|(_, p, _)| (n, p)))
        .filter(|(n, p)| *p != PlatformId::Instagram || on_instagram(n))
        .map(|(n, p)| (format!("p{n:03}"), p))
        .collect();
    let ledger = drill.ledger_holds(&pairs);
    eprintln!("done in {:.0?}: {} ledger lines; faults:\n  {}", started.elapsed(), ledger.len(), drill.faults());

    // The look-up reads the whole listing when it must: the first post, under 119 (Instagram
    // 59) newer ones, is found where the ledger says it is, and a text never sent is known
    // absent only after reading every page back to the start of the test.
    let since = Timestamp::now() - jiff::SignedDuration::from_secs(started.elapsed().as_secs() as i64 + 60);
    let http = budkavle::clients::http::Http::new(Duration::from_secs(10)).unwrap();
    let env = five.secrets();
    let lookup_env = move |k: &str| env.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone());
    let direct = Repo::new("");
    let direct_urls: HashMap<&str, String> =
        five.peers().iter().map(|(name, _, peer)| (*name, peer.url.clone())).collect();
    direct.file("strategy.toml", strategy.replace(&five.sections(&urls), &five.sections(&direct_urls)).as_bytes());
    let direct = direct.load();
    let image = [Upload {
        bytes: safe.bytes.clone(),
        mime: safe.mime,
        alt: "Torget i Testby en vinterdag.".into(),
        width: safe.width,
        height: safe.height,
        name: "torget.jpg".into(),
        public_url: Some(url.clone()),
    }];
    for (_, platform, _) in five.peers() {
        let mut conn: Box<dyn Connection> = budkavle::clients::connect(&direct.strategy, platform, &lookup_env, &http)
            .unwrap_or_else(|e| panic!("connect {platform}: {e}"));
        let rendered = budkavle::render(&project, project.post("p000").unwrap(), platform).unwrap();
        let first = Outgoing {
            key: "k",
            text: &rendered.parts[0].text,
            facets: &rendered.parts[0].facets,
            lang: "sv",
            media: &image,
            reply_to: None,
            link: None,
        };
        let recorded = ledger.state("p000", platform).remote.map(|r| r.id.clone());
        match conn.lookup(&first, since).unwrap_or_else(|e| panic!("look-up on {platform}: {e}")) {
            Lookup::Found(remote) => assert_eq!(Some(remote.id), recorded, "p000 on {platform}"),
            other => panic!("p000 on {platform} not found beyond the first page: {other:?}"),
        }
        let never = Outgoing { text: "Meddelande nummer 999 från Testby kommun.", media: &[], ..first };
        assert_eq!(conn.lookup(&never, since).unwrap(), Lookup::Absent, "a text never sent on {platform}");
    }
}
