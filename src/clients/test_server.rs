//! A tiny HTTP server for the clients' unit tests: one request per connection on 127.0.0.1,
//! each answered by a closure, every request kept for the test to inspect. The clients'
//! integration tests use the real peers and fakes instead (`tests/peers/`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

/// One request as the server saw it: request line, headers (lower-cased names), body.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    /// The request's path with its query, from the request line.
    pub(crate) fn path(&self) -> &str {
        self.line.split(' ').nth(1).unwrap_or("")
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Serves until the test ends; `answer` gets the request and how many came before it, and
/// gives the status and a JSON body. Returns the base URL and the requests seen.
pub(crate) fn serve(
    answer: impl Fn(&Seen, usize) -> (u16, String) + Send + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    serve_bytes(move |seen, n| {
        let (code, json) = answer(seen, n);
        (code, json.into_bytes())
    })
}

/// [`serve`] for bodies that are not text (an image a platform fetches).
pub(crate) fn serve_bytes(
    answer: impl Fn(&Seen, usize) -> (u16, Vec<u8>) + Send + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let Some(request) = read(&mut stream) else { continue };
            let n = {
                let mut log = log.lock().expect("log");
                log.push(request.clone());
                log.len() - 1
            };
            let (code, body) = answer(&request, n);
            let head = format!(
                "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    (base, seen)
}

fn read(stream: &mut std::net::TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let length = headers.iter().find(|(k, _)| k == "content-length").map_or(Some(0), |(_, v)| v.parse().ok())?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen { line: line.trim_end().to_string(), headers, body: String::from_utf8_lossy(&body).into() })
}
