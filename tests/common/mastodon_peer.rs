//! A real Mastodon-shaped server for the publish tests: PyPI `mastodon-mock` 0.6.1 (FastAPI,
//! in-memory SQLite, honours `Idempotency-Key`), run from the venv that
//! `bash tests/peers/mastodon/install.sh` creates. Include it with
//! `#[path = "common/mastodon_peer.rs"] mod mastodon_peer;`.
//!
//! ```ignore
//! let peer = MastodonPeer::start();          // own port, own account, own token
//! // strategy.toml: [platforms.mastodon] instance = peer.url, token_env = "TEST_MASTODON_TOKEN"
//! let env = peer.env("TEST_MASTODON_TOKEN"); // Fn(&str) -> Option<String> for platform::connect
//! assert_eq!(peer.statuses().len(), 1);      // every status of the account, all pages
//! ```
//!
//! The process is killed when the `MastodonPeer` is dropped. mastodon-mock does not count
//! characters the way Mastodon does (it uses Python `len`), so tests must not rely on its
//! length checks.
#![allow(dead_code)]

use std::fs::File;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long the server may take to answer after it is spawned.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct MastodonPeer {
    /// `http://127.0.0.1:<port>`, no trailing slash: the `instance` for strategy.toml.
    pub url: String,
    /// The access token of the account created for this peer.
    pub token: String,
    /// The account's id, for `/api/v1/accounts/:id/...`.
    pub account_id: String,
    /// The account's username (`budkavle`).
    pub username: String,
    child: Child,
    client: reqwest::blocking::Client,
    /// Config, media files and the server's log; removed after the process is gone.
    dir: tempfile::TempDir,
}

impl MastodonPeer {
    /// The venv `tests/peers/mastodon/install.sh` installs into.
    pub fn venv() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/mastodon/.venv")
    }

    /// Starts a fresh server on a free 127.0.0.1 port, waits until it answers, and creates an
    /// account with a token. Panics with what to do when the peer is not installed.
    pub fn start() -> MastodonPeer {
        let python = Self::venv().join("bin/python");
        if !python.is_file() {
            panic!(
                "the Mastodon test peer is not installed ({} is missing): run `bash tests/peers/mastodon/install.sh`",
                python.display()
            );
        }
        let mut last = String::new();
        // A port found free can be taken before the server binds it; try a few.
        for _ in 0..3 {
            match Self::try_start(&python) {
                Ok(peer) => return peer,
                Err(why) => last = why,
            }
        }
        panic!("the Mastodon test peer (mastodon-mock) did not start: {last}");
    }

    fn try_start(python: &Path) -> Result<MastodonPeer, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let media = dir.path().join("media");
        let config = dir.path().join("mastodon_mock.toml");
        std::fs::write(
            &config,
            format!("media_storage_path = {}\n\n[database]\npath = \":memory:\"\n", toml_string(&media)),
        )
        .map_err(|e| format!("writing {}: {e}", config.display()))?;
        let log_path = dir.path().join("server.log");
        let log = File::create(&log_path).map_err(|e| format!("creating {}: {e}", log_path.display()))?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(python)
            .args(["-m", "mastodon_mock", "serve", "--in-memory", "--host", "127.0.0.1", "--log-level", "warning"])
            .arg("--port")
            .arg(port.to_string())
            .arg("--config")
            .arg(&config)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .map_err(|e| format!("spawning {}: {e}", python.display()))?;
        let client =
            reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| e.to_string())?;
        let mut peer = MastodonPeer {
            url,
            token: String::new(),
            account_id: String::new(),
            username: "budkavle".into(),
            child,
            client,
            dir,
        };

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = peer.child.try_wait() {
                return Err(format!("the server exited ({status}); its log:\n{}", peer.log()));
            }
            let answered = peer.client.get(format!("{}/api/v1/instance", peer.url)).send();
            if answered.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("no answer within {} s; its log:\n{}", START_TIMEOUT.as_secs(), peer.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }

        let user = peer.mock_post("/api/v1/_mock/dev_user", &json!({"username": peer.username}));
        peer.token = user["access_token"].as_str().expect("dev_user gives an access_token").to_string();
        peer.account_id = user["id"].as_str().expect("dev_user gives an id").to_string();
        Ok(peer)
    }

    /// The server's output so far (uvicorn warnings and tracebacks).
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(self.dir.path().join("server.log")) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }

    /// The lines of a `[platforms.mastodon]` section that point at this peer, with the token
    /// in the environment variable `token_env`.
    pub fn strategy_lines(&self, token_env: &str) -> String {
        format!("instance = \"{}\"\ntoken_env = \"{token_env}\"\n", self.url)
    }

    /// An environment for `platform::connect` where `name` holds this peer's token and nothing
    /// else is set.
    pub fn env(&self, name: &str) -> impl Fn(&str) -> Option<String> + use<> {
        let (name, token) = (name.to_string(), self.token.clone());
        move |asked: &str| (asked == name).then(|| token.clone())
    }

    /// An authenticated `GET` of `path` (e.g. `/api/v1/statuses/123`) as the account: the JSON
    /// on success, `None` on 404, a panic otherwise.
    pub fn get(&self, path: &str) -> Option<Value> {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        let status = response.status();
        let body = response.text().unwrap_or_default();
        assert!(status.is_success(), "GET {path}: HTTP {status}: {body}\n{}", self.log());
        Some(serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}")))
    }

    /// One status as the server has it now, or `None` when it does not exist (any more).
    pub fn status(&self, id: &str) -> Option<Value> {
        self.get(&format!("/api/v1/statuses/{id}"))
    }

    /// Every status of the account, newest first, following the pages to the end: the count
    /// that proves a post went out exactly once.
    pub fn statuses(&self) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        let mut max_id: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/accounts/{}/statuses?limit=40", self.account_id);
            if let Some(max) = &max_id {
                path.push_str(&format!("&max_id={max}"));
            }
            let page = self.get(&path).expect("the account exists");
            let page = page.as_array().expect("a list of statuses").clone();
            let Some(last) = page.last() else { break };
            max_id = Some(last["id"].as_str().expect("status id").to_string());
            all.extend(page);
        }
        all
    }

    /// Adds a fault-injection rule (`POST /api/v1/_mock/faults`), e.g.
    /// `json!({"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": {"type": "status", "status": 503}, "count": 1})`.
    /// Effects: `status`, `ratelimit` (429 with headers), `latency` (`delay_ms`), `malformed`,
    /// `timeout`. A fault answers *instead of* the real handler: the request is not carried out.
    pub fn add_fault(&self, rule: &Value) -> Value {
        self.mock_post("/api/v1/_mock/faults", rule)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        let response = self
            .client
            .delete(format!("{}/api/v1/_mock/faults", self.url))
            .send()
            .unwrap_or_else(|e| panic!("DELETE /api/v1/_mock/faults: {e}"));
        assert!(response.status().is_success(), "DELETE /api/v1/_mock/faults: HTTP {}", response.status());
    }

    fn mock_post(&self, path: &str, body: &Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .unwrap_or_else(|e| panic!("POST {path}: {e}\n{}", self.log()));
        let status = response.status();
        let text = response.text().unwrap_or_default();
        assert!(status.is_success(), "POST {path}: HTTP {status}: {text}\n{}", self.log());
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {path}: not JSON ({e}): {text}"))
    }
}

impl Drop for MastodonPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A path as a TOML basic string.
fn toml_string(path: &Path) -> String {
    let s = path.to_string_lossy();
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
