//! A real Mastodon-shaped server for the publish tests: PyPI `mastodon-mock` 0.6.1 (FastAPI,
//! in-memory SQLite, honours `Idempotency-Key`), run from the venv that
//! `bash tests/peers/mastodon/install.sh` creates. Include it with
//! `use crate::common::mastodon_peer;`.
//!
//! ```ignore
//! let peer = MastodonPeer::start();          // own port, own account, own token
//! // strategy.toml: [platforms.mastodon] instance = peer.url, token_env = "TEST_MASTODON_TOKEN"
//! let env = peer.env("TEST_MASTODON_TOKEN"); // Fn(&str) -> Option<String> for clients::connect
//! assert_eq!(peer.statuses().len(), 1);      // every status of the account, all pages
//! ```
//!
//! The process is killed when the `MastodonPeer` is dropped. mastodon-mock does not count
//! characters the way Mastodon does (it uses Python `len`), so tests must not rely on its
//! length checks.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long the server may take to answer after it is spawned.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The budget of a counting rule: more requests than any test makes.
const COUNTED: u64 = 1_000_000;

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
    /// The second account, once made: token and id.
    citizen: Mutex<Option<(String, String)>>,
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
            citizen: Mutex::new(None),
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

    /// An environment for `clients::connect` where `name` holds this peer's token and nothing
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

    /// A front door to this peer that carries out every request but can lose answers: see
    /// [`LossyProxy`]. Point strategy.toml's `instance` at `proxy.url`.
    pub fn lossy_proxy(&self) -> LossyProxy {
        LossyProxy::start(&self.url)
    }

    /// Waits (at most 10 s) until the account has `n` statuses, and returns them.
    pub fn wait_for_statuses(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let statuses = self.statuses();
            if statuses.len() == n || Instant::now() > deadline {
                return statuses;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
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

    /// A second local account (a citizen), created on first use: `(token, account id)`.
    pub fn citizen(&self) -> (String, String) {
        let mut known = self.citizen.lock().unwrap();
        if let Some(c) = known.as_ref() {
            return c.clone();
        }
        let user =
            self.mock_post("/api/v1/_mock/dev_user", &json!({"username": "invanare", "display_name": "En invånare"}));
        let token = user["access_token"].as_str().expect("dev_user gives an access_token").to_string();
        let id = user["id"].as_str().expect("dev_user gives an id").to_string();
        *known = Some((token, id));
        known.clone().unwrap()
    }

    /// Another local account `username`, made now: `(token, account id)`.
    pub fn user(&self, username: &str) -> (String, String) {
        let user = self.mock_post("/api/v1/_mock/dev_user", &json!({"username": username}));
        let token = user["access_token"].as_str().expect("dev_user gives an access_token").to_string();
        (token, user["id"].as_str().expect("dev_user gives an id").to_string())
    }

    /// `method path` with `body` as the account whose token is `token`: the answer's JSON.
    pub fn call_as(&self, token: &str, method: &str, path: &str, body: &Value) -> Value {
        let method_ = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = self
            .client
            .request(method_, format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response.text().unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: HTTP {status}: {text}\n{}", self.log());
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Posts a status as the account whose token is `token` (`in_reply_to` a status id):
    /// returns its id.
    pub fn post_as(&self, token: &str, text: &str, in_reply_to: Option<&str>) -> String {
        let mut body = json!({"status": text});
        if let Some(parent) = in_reply_to {
            body["in_reply_to_id"] = json!(parent);
        }
        let status = self.call_as(token, "POST", "/api/v1/statuses", &body);
        status["id"].as_str().expect("a status id").to_string()
    }

    /// The citizen follows the account, favourites and boosts the status `id`, and answers it
    /// with each text of `replies`: what `metrics pull` then counts.
    pub fn engage(&self, id: &str, favourite: bool, reblog: bool, replies: &[&str]) {
        let (token, _) = self.citizen();
        let call = |path: &str, body: &Value| {
            let response = self
                .client
                .post(format!("{}{path}", self.url))
                .bearer_auth(&token)
                .json(body)
                .send()
                .unwrap_or_else(|e| panic!("POST {path}: {e}"));
            let status = response.status();
            let text = response.text().unwrap_or_default();
            assert!(status.is_success(), "POST {path}: HTTP {status}: {text}\n{}", self.log());
        };
        call(&format!("/api/v1/accounts/{}/follow", self.account_id), &json!({}));
        if favourite {
            call(&format!("/api/v1/statuses/{id}/favourite"), &json!({}));
        }
        if reblog {
            call(&format!("/api/v1/statuses/{id}/reblog"), &json!({}));
        }
        for text in replies {
            call("/api/v1/statuses", &json!({"status": text, "in_reply_to_id": id}));
        }
    }

    /// Starts counting the requests matching `method` and the glob `path` (a pass-through
    /// fault rule whose budget goes down by one per request); read with
    /// [`MastodonPeer::counted`].
    pub fn count_requests(&self, method: &str, path: &str) -> String {
        let rule = self.add_fault(&json!({
            "match": {"methods": [method], "path": path},
            "effect": {"type": "latency", "delay_ms": 0},
            "count": COUNTED
        }));
        rule["id"].as_str().expect("a fault rule id").to_string()
    }

    /// How many requests the counting rule `id` has seen.
    pub fn counted(&self, id: &str) -> u64 {
        let response = self.client.get(format!("{}/api/v1/_mock/faults", self.url)).send().expect("GET faults");
        let rules: Value = response.json().expect("fault rules as JSON");
        let rule =
            rules.as_array().expect("a list").iter().find(|r| r["id"] == id).expect("the counting rule is there");
        COUNTED - rule["remaining"].as_u64().expect("a budget")
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

/// The crash the ledger's intents exist for: a request the server carried out whose answer
/// never arrived. Every request is passed on to the peer; for the next requests
/// [`LossyProxy::lose_next`] names, the proxy closes the connection instead of passing the
/// answer back, so the client sees a broken connection (a transient error) while the status
/// exists. (mastodon-mock's own `latency`/`timeout` faults cannot do this: the server drops a
/// request whose client has gone.)
pub struct LossyProxy {
    /// `http://127.0.0.1:<port>`: the `instance` for strategy.toml.
    pub url: String,
    lose: Arc<Mutex<Vec<(String, String)>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl LossyProxy {
    pub fn start(upstream: &str) -> LossyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let lose: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (upstream, to_lose, stopped) = (upstream.to_string(), Arc::clone(&lose), Arc::clone(&stop));
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                // One request per connection; a broken client connection is the client's business.
                let _ = pass_on(stream, &client, &upstream, &to_lose);
            }
        });
        LossyProxy { url: format!("http://127.0.0.1:{port}"), lose, stop, port }
    }

    /// The next `method` request to `path` (e.g. `"POST"`, `"/api/v1/statuses"`, no query) is
    /// carried out, and its answer lost. Call again to lose more.
    pub fn lose_next(&self, method: &str, path: &str) {
        self.lose.lock().unwrap().push((method.to_ascii_uppercase(), path.to_string()));
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
    }
}

fn pass_on(
    mut stream: TcpStream,
    client: &reqwest::blocking::Client,
    upstream: &str,
    lose: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else { return Ok(()) };
    let (method, target) = (method.to_string(), target.to_string());
    let mut headers = reqwest::header::HeaderMap::new();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else { continue };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        assert!(name != "transfer-encoding", "LossyProxy: chunked request bodies are not supported");
        if name == "content-length" {
            length = value.parse().unwrap_or(0);
        }
        if !matches!(name.as_str(), "host" | "connection" | "content-length") {
            headers.append(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_str(value).unwrap(),
            );
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;

    let method_ = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let response = client.request(method_, format!("{upstream}{target}")).headers(headers).body(body).send();
    let path = target.split('?').next().unwrap_or("");
    let lost = {
        let mut lose = lose.lock().unwrap();
        let at = lose.iter().position(|(m, p)| *m == method && p == path);
        at.map(|i| lose.remove(i)).is_some()
    };
    if lost {
        return stream.shutdown(Shutdown::Both);
    }
    let Ok(response) = response else { return stream.shutdown(Shutdown::Both) };
    let status = response.status();
    let mut head = format!("HTTP/1.1 {} {}\r\n", status.as_u16(), status.canonical_reason().unwrap_or("X"));
    for (name, value) in response.headers() {
        if !matches!(name.as_str(), "content-length" | "connection" | "transfer-encoding") {
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
        }
    }
    let body = response.bytes().unwrap_or_default();
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
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
