//! Running `budkavle serve` in a test: start it on a free port, GET pages, follow its event
//! stream. Shared by tests/serve.rs and tests/preview_browser.rs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `budkavle serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(root: &Path) -> Server {
    start_with_env(root, &[])
}

/// [`start`] with these environment variables set for the server (the inbox store, the
/// clock, the actor).
pub fn start_with_env(root: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_budkavle"))
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .arg("--root")
        .arg(root)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        // BUDKAVLE_TEST_SERVE_LOG=1 shows the server's log (what it rebuilt, and how fast).
        .stderr(if std::env::var_os("BUDKAVLE_TEST_SERVE_LOG").is_some() { Stdio::inherit() } else { Stdio::null() })
        .spawn()
        .expect("start budkavle serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the address line");
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .map(|a| a.trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, addr }
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

pub fn get(addr: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read the response");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Response { status, body: body.to_string() }
}

/// An open event stream.
pub struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    pub fn open(addr: &str) -> Events {
        let mut s = TcpStream::connect(addr).expect("connect");
        write!(s, "GET /__budkavle/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut e = Events { reader: BufReader::new(s) };
        assert!(e.next_event(Duration::from_secs(5)).is_some_and(|(name, _)| name == "hello"), "a hello first");
        e
    }

    /// The next event (name, data) within `within`.
    pub fn next_event(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + within;
        let (mut name, mut data) = (String::new(), String::new());
        while Instant::now() < deadline {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(_) => continue,
            }
            let line = line.trim_end();
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if line.is_empty() && !name.is_empty() {
                return Some((name, data));
            }
        }
        None
    }

    /// Waits for a `change` event naming `path` (or all pages); returns its data.
    pub fn wait_for_change(&mut self, path: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next_event(left) {
                Some((name, data))
                    if name == "change" && (data.contains(&format!("\"{path}\"")) || data.contains("\"*\"")) =>
                {
                    return data;
                }
                Some(_) => continue,
                None => break,
            }
        }
        panic!("no change event for {path} within {within:?}");
    }
}
