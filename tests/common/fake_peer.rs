//! The platform fakes of `tests/peers/<name>/` (X, Facebook, Instagram, Threads, LinkedIn):
//! stateful servers written from each platform's documentation, in Python's standard library
//! (nothing to install but `python3`). One driver for all of them: start a fresh one on a free
//! port, read its ready line (the URL and the seeded credentials), drive its `/_fake/` control
//! API, and kill it when dropped.
//!
//! ```ignore
//! let peer = FakePeer::start("x", &[]);
//! let token = peer.ready["oauth2"]["access_token"].as_str().unwrap();
//! peer.control("quota", json!({"remaining": 0}));
//! let state = peer.state();                     // every post, deleted ones too
//! ```

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const START_TIMEOUT: Duration = Duration::from_secs(20);

pub struct FakePeer {
    pub name: String,
    /// `http://127.0.0.1:<port>`, no trailing slash: `api_url` for strategy.toml.
    pub url: String,
    /// The whole ready line: credentials, ids, tokens of the seeded accounts.
    pub ready: Value,
    child: Child,
    client: reqwest::blocking::Client,
}

impl FakePeer {
    /// The fake's folder, `tests/peers/<name>`.
    pub fn dir(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers").join(name)
    }

    /// Starts `tests/peers/<name>/server.py --port 0 <args>` and waits for its ready line.
    /// Panics with the server's own words when it does not start.
    pub fn start(name: &str, args: &[&str]) -> FakePeer {
        let server = Self::dir(name).join("server.py");
        assert!(server.is_file(), "no fake at {}", server.display());
        let mut child = Command::new("python3")
            .arg(&server)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start python3 {} ({e}): install python3", server.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) if !line.trim().is_empty() => line,
            _ => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("the {name} fake did not start within {START_TIMEOUT:?}:\n{err}");
            }
        };
        // The log goes on to stderr; drain it so the server never blocks on a full pipe.
        if let Some(mut err) = child.stderr.take() {
            std::thread::spawn(move || {
                let mut sink = Vec::new();
                let _ = err.read_to_end(&mut sink);
            });
        }
        let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{name} ready line `{line}`: {e}"));
        let url = ready["url"].as_str().expect("ready line has url").trim_end_matches('/').to_string();
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
        FakePeer { name: name.to_string(), url, ready, child, client }
    }

    /// `POST /_fake/<what>` with a JSON body; the answer as JSON.
    pub fn control(&self, what: &str, body: Value) -> Value {
        let r = self.client.post(format!("{}/_fake/{what}", self.url)).json(&body).send().expect("control request");
        let status = r.status();
        let text = r.text().unwrap_or_default();
        assert!(status.is_success(), "{} /_fake/{what}: {status} {text}", self.name);
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `GET /_fake/state`: everything the fake holds.
    pub fn state(&self) -> Value {
        self.client
            .get(format!("{}/_fake/state", self.url))
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("{} /_fake/state: {e}", self.name))
    }

    /// An environment for `clients::connect` where each `(name, value)` is set and nothing
    /// else is.
    pub fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

impl Drop for FakePeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
