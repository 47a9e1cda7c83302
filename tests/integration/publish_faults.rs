//! The fault test of issue 5: 200 posts × 2 platforms published through a fault-injecting
//! proxy (503, 429 with Retry-After, stalls past the timeout, resets, answers lost after the
//! server acted) while the publisher is killed with SIGKILL at random moments and restarted at
//! least 20 times. Afterwards every post is on each server exactly once — counted on the
//! servers themselves — the ledger verifies, and nothing is left unsent.

use crate::common;
use crate::common::bluesky_peer;
use crate::common::fault_proxy;
use crate::common::mastodon_peer;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bluesky_peer::BlueskyPeer;
use budkavle::PlatformId;
use budkavle::ledger::{Ledger, Outcome};
use common::git::{T0, commit, init};
use common::{Repo, bin};
use fault_proxy::{FaultProxy, Faults};
use mastodon_peer::MastodonPeer;

const POSTS: usize = 200;
const KILLS: usize = 20;
const NOW: &str = "2026-12-01T12:00:00Z";

fn faults() -> Faults {
    Faults { unavailable: 5, too_many: 4, stall: 3, reset: 4, lost_answer: 6, stall_for: Duration::from_millis(1500) }
}

struct Rng(std::sync::Mutex<u64>);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        fault_proxy::next(&self.0) % n
    }
}

#[test]
fn killed_and_faulted_runs_publish_every_post_exactly_once() {
    let mastodon = MastodonPeer::start();
    let bluesky = BlueskyPeer::start();
    let seed = std::env::var("BUDKAVLE_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x05ee_db0d_cafe);
    eprintln!("fault seed {seed} (set BUDKAVLE_FAULT_SEED to repeat a run)");
    let m_proxy = FaultProxy::start(&mastodon.url, faults(), seed);
    let b_proxy = FaultProxy::start(&bluesky.service, faults(), seed.rotate_left(17));

    let repo = Repo::new("");
    let strategy = format!(
        "[organisation]\nname = \"Testby kommun\"\nurl = \"https://www.testby.se\"\narchive_url = \"https://arkiv.testby.se\"\n\n[[goals]]\nid = \"info\"\ndescription = \"Informera\"\n\n[[audiences]]\nid = \"alla\"\ndescription = \"Alla\"\n\n[platforms.mastodon]\ninstance = \"{}\"\ntoken_env = \"F_TOKEN\"\n\n[platforms.bluesky]\naccount = \"{}\"\nservice = \"{}\"\npassword_env = \"F_PASSWORD\"\n\n[review]\napprovals = 0\n",
        m_proxy.url, bluesky.handle, b_proxy.url
    );
    repo.file("strategy.toml", strategy.as_bytes());
    for n in 0..POSTS {
        repo.post(
            &format!("p{n:03}.md"),
            &format!(
                "+++\ntitle = \"Meddelande {n}\"\ndate = 2026-11-{:02}T{:02}:00:00\n+++\n\nMeddelande nummer {n} från Testby kommun.\n",
                1 + n % 28,
                8 + n % 10
            ),
        );
    }
    let git = init(repo.path());
    commit(&git, "200 inlägg", "Anna Berg", T0);

    let publish = || {
        let mut cmd = bin();
        cmd.arg("--root")
            .arg(repo.path())
            .args(["publish", "--now", NOW, "--timeout", "1", "--budget", "20"])
            .env("F_TOKEN", &mastodon.token)
            .env("F_PASSWORD", &bluesky.password)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd
    };

    let mut rng = Rng(std::sync::Mutex::new(seed));
    let started = Instant::now();
    let mut kills = 0;
    while kills < KILLS {
        let mut child = publish().spawn().expect("start publish");
        let after = Duration::from_millis(300 + rng.below(3700));
        let deadline = Instant::now() + after;
        let mut exited = None;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                exited = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        match exited {
            None => {
                child.kill().expect("SIGKILL the publisher");
                child.wait().unwrap();
                kills += 1;
            }
            Some(_) => {
                // It finished before the kill: everything is out; the remaining kills would
                // test nothing, so stop here.
                let out = child.wait_with_output().unwrap();
                eprintln!("a run finished between kills:\n{}", String::from_utf8_lossy(&out.stdout));
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(900), "the killed runs take far too long");
    }
    eprintln!(
        "{kills} kills; faults so far: mastodon {} | bluesky {}",
        m_proxy.counts.summary(),
        b_proxy.counts.summary()
    );
    assert!(m_proxy.counts.faults() > 0 && b_proxy.counts.faults() > 0, "the proxies injected faults");

    // Now let runs finish, faults still on for the first ones, until nothing is due.
    let mut finished = false;
    for round in 0..12 {
        if round == 6 {
            m_proxy.heal();
            b_proxy.heal();
        }
        let out = publish().output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "run {round} needs a person, which it must not:\n{text}");
        for secret in [&mastodon.token, &bluesky.password] {
            assert!(!text.contains(secret.as_str()));
        }
        if text.contains("nothing was due") {
            finished = true;
            break;
        }
    }
    assert!(finished, "runs kept finding work");

    // Counted on the servers: every post exactly once on each.
    let mut on_mastodon: HashMap<String, usize> = HashMap::new();
    for s in mastodon.statuses() {
        let content = s["content"].as_str().unwrap_or_default().to_string();
        *on_mastodon.entry(number(&content)).or_default() += 1;
    }
    let mut on_bluesky: HashMap<String, usize> = HashMap::new();
    for r in bluesky.records() {
        *on_bluesky.entry(number(r["value"]["text"].as_str().unwrap_or_default())).or_default() += 1;
    }
    for n in 0..POSTS {
        let key = n.to_string();
        assert_eq!(on_mastodon.get(&key).copied(), Some(1), "post {n} on Mastodon");
        assert_eq!(on_bluesky.get(&key).copied(), Some(1), "post {n} on Bluesky");
    }
    assert_eq!(on_mastodon.values().sum::<usize>(), POSTS);
    assert_eq!(on_bluesky.values().sum::<usize>(), POSTS);

    // The ledger: intact chain, every pair published, nothing pending or unknown.
    let ledger = Ledger::read(repo.path()).expect("the ledger reads strictly");
    ledger.verify().expect("the hash chain holds");
    for n in 0..POSTS {
        for p in [PlatformId::Mastodon, PlatformId::Bluesky] {
            assert_eq!(ledger.state(&format!("p{n:03}"), p).outcome(), Outcome::Published, "p{n:03} on {p}");
        }
    }
    let verify = bin().arg("--root").arg(repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    eprintln!(
        "done in {:.0?}: {} ledger lines; mastodon {} | bluesky {}",
        started.elapsed(),
        ledger.len(),
        m_proxy.counts.summary(),
        b_proxy.counts.summary()
    );
}

/// The post number in "Meddelande nummer N från …".
fn number(text: &str) -> String {
    text.split("nummer ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or("?").to_string()
}
