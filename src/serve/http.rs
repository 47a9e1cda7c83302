//! The HTTP side of `serve`: a small blocking server on 127.0.0.1 (a thread per connection —
//! one reviewer's browser, not the public) that answers from the pages held in memory, and a
//! server-sent-events stream that tells open pages to reload. `/inbox/` is handed to
//! [`super::inbox`], which reads the inbox store on each request. Every request must name a
//! loopback host (`Host`), against DNS rebinding.
//!
//! The reload script is added to HTML as it is served, never to the built files: what is in
//! `dist/` is exactly what `build` writes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use super::inbox;

/// Where the reload script and the event stream live; no page of a site uses this prefix.
pub(crate) const EVENTS: &str = "/__budkavle/events";
pub(crate) const SCRIPT: &str = "/__budkavle/reload.js";

const RELOAD_JS: &str = include_str!("../../themes/default/preview/reload.js");

/// How long an idle event stream waits before a comment line, so proxies and the browser keep it.
const KEEPALIVE: Duration = Duration::from_secs(15);

pub(crate) type Files = HashMap<String, Arc<Vec<u8>>>;

/// What is served, swapped as a whole or per page by the rebuilder.
#[derive(Default)]
pub(crate) struct Content {
    /// `dist/site`, by site-relative path (`p/x/index.html`).
    pub site: Files,
    /// `dist/previews`, by path relative to it.
    pub previews: Files,
    /// While the repository cannot be built: the page shown instead of every HTML page.
    pub error: Option<Arc<Vec<u8>>>,
    /// Bumped with every change, so a page can tell it missed an event.
    pub generation: u64,
}

/// State shared by the connections and the rebuilder.
#[derive(Default)]
pub(crate) struct Shared {
    pub content: RwLock<Content>,
    clients: Mutex<Vec<mpsc::Sender<String>>>,
}

impl Shared {
    /// Sends a `change` event naming the changed pages (URL paths; `*` for all) to every open page.
    pub(crate) fn broadcast(&self, paths: &[String], generation: u64) {
        let data = serde_json::json!({ "generation": generation, "paths": paths }).to_string();
        let message = format!("event: change\ndata: {data}\n\n");
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        // A closed page's receiver is gone: sending fails and the sender is dropped.
        clients.retain(|c| c.send(message.clone()).is_ok());
    }

    fn generation(&self) -> u64 {
        self.content.read().unwrap_or_else(|p| p.into_inner()).generation
    }
}

/// Accepts connections until the process ends.
pub(crate) fn serve(listener: TcpListener, shared: Arc<Shared>, web: Arc<inbox::Web>) {
    for stream in listener.incoming().flatten() {
        let shared = Arc::clone(&shared);
        let web = Arc::clone(&web);
        std::thread::spawn(move || {
            let _ = handle(stream, &shared, &web);
        });
    }
}

/// A request's head is a few lines; this many headers is not a browser's.
const MAX_HEADERS: usize = 100;

fn handle(mut stream: TcpStream, shared: &Shared, web: &inbox::Web) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && headers.len() < MAX_HEADERS
        {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let head = method == "HEAD";
    // DNS rebinding: a page of another name resolved to 127.0.0.1 must not read drafts or the
    // inbox as its own origin.
    let host = headers.iter().find(|(n, _)| n == "host").map(|(_, v)| v.as_str());
    if !inbox::loopback_host(host) {
        return respond(&mut stream, 403, "text/plain; charset=utf-8", b"only for 127.0.0.1 or localhost\n", head, &[]);
    }
    let target = target.split('#').next().unwrap_or("");
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(path) = percent_decode(raw_path).filter(|p| p.starts_with('/') && !p.split('/').any(|s| s == "..")) else {
        return respond(&mut stream, 400, "text/plain; charset=utf-8", b"bad path\n", head, &[]);
    };
    if inbox::owns(&path) {
        let request = inbox::Request { method, path: &path, query, headers: &headers, generation: shared.generation() };
        let reply = web.answer(&request, &mut reader);
        let mut extra: Vec<(&str, &str)> = inbox::HEADERS.to_vec();
        if let Some(location) = &reply.location {
            extra.push(("Location", location));
        }
        return respond(&mut stream, reply.status, reply.content_type, &reply.body, head, &extra);
    }
    if method != "GET" && !head {
        return respond(&mut stream, 405, "text/plain; charset=utf-8", b"method not allowed\n", head, &[]);
    }
    match path.as_str() {
        EVENTS => return events(stream, shared),
        SCRIPT => return respond(&mut stream, 200, "text/javascript; charset=utf-8", RELOAD_JS.as_bytes(), head, &[]),
        "/previews" => return respond(&mut stream, 301, "text/plain", b"moved\n", head, &[("Location", "/previews/")]),
        _ => {}
    }
    let (files_of, rel) = match path.strip_prefix("/previews/") {
        Some(rel) => (Which::Previews, rel.to_string()),
        None => (Which::Site, path.trim_start_matches('/').to_string()),
    };
    let content = shared.content.read().unwrap_or_else(|p| p.into_inner());
    let files = match files_of {
        Which::Site => &content.site,
        Which::Previews => &content.previews,
    };
    let (rel, body) = match lookup(files, &rel) {
        Found::File(rel, body) => (rel, Arc::clone(body)),
        Found::Dir => {
            let location = format!("{path}/");
            drop(content);
            return respond(&mut stream, 301, "text/plain", b"moved\n", head, &[("Location", &location)]);
        }
        Found::Missing => {
            let page = content.error.clone();
            let generation = content.generation;
            drop(content);
            return match page {
                Some(page) => html(&mut stream, 500, &page, generation, head),
                None => {
                    let body = b"<!doctype html><html lang=\"en\"><title>Not found</title><main><h1>Not found</h1></main></html>";
                    html(&mut stream, 404, body, generation, head)
                }
            };
        }
    };
    let generation = content.generation;
    let error = content.error.clone();
    drop(content);
    let kind = content_type(&rel);
    if kind.starts_with("text/html") {
        // While the repository is broken every page says why, and reloads when it is fixed.
        return match error {
            Some(page) => html(&mut stream, 500, &page, generation, head),
            None => html(&mut stream, 200, &body, generation, head),
        };
    }
    respond(&mut stream, 200, &kind, &body, head, &[])
}

enum Which {
    Site,
    Previews,
}

enum Found<'a> {
    File(String, &'a Arc<Vec<u8>>),
    /// A folder asked for without its slash: relative links need it.
    Dir,
    Missing,
}

fn lookup<'a>(files: &'a Files, rel: &str) -> Found<'a> {
    if rel.is_empty() || rel.ends_with('/') {
        let index = format!("{rel}index.html");
        return match files.get(&index) {
            Some(b) => Found::File(index, b),
            None => Found::Missing,
        };
    }
    if let Some(b) = files.get(rel) {
        return Found::File(rel.to_string(), b);
    }
    if files.contains_key(&format!("{rel}/index.html")) { Found::Dir } else { Found::Missing }
}

/// An HTML page with the reload script added before `</body>` (or at the end).
fn html(stream: &mut TcpStream, status: u16, body: &[u8], generation: u64, head: bool) -> std::io::Result<()> {
    let tag = format!("<script src=\"{SCRIPT}?g={generation}\" defer></script>");
    let mut out = Vec::with_capacity(body.len() + tag.len());
    match find_last(body, b"</body>") {
        Some(i) => {
            out.extend_from_slice(&body[..i]);
            out.extend_from_slice(tag.as_bytes());
            out.extend_from_slice(&body[i..]);
        }
        None => {
            out.extend_from_slice(body);
            out.extend_from_slice(tag.as_bytes());
        }
    }
    respond(stream, status, "text/html; charset=utf-8", &out, head, &[])
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The event stream of one open page: a `hello` with the current generation (a page that
/// loaded before a change it never heard of reloads), then `change` events as they come.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (tx, rx) = mpsc::channel::<String>();
    shared.clients.lock().unwrap_or_else(|p| p.into_inner()).push(tx);
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: keep-alive\r\n\r\n",
    )?;
    stream.write_all(format!("retry: 500\nevent: hello\ndata: {}\n\n", shared.generation()).as_bytes())?;
    stream.flush()?;
    loop {
        match rx.recv_timeout(KEEPALIVE) {
            Ok(message) => stream.write_all(message.as_bytes())?,
            Err(RecvTimeoutError::Timeout) => stream.write_all(b": keep-alive\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        stream.flush()?;
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head: bool,
    extra: &[(&str, &str)],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        303 => "See Other",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        _ => "Internal Server Error",
    };
    let mut header = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        header.push_str(&format!("{name}: {value}\r\n"));
    }
    header.push_str("\r\n");
    stream.write_all(header.as_bytes())?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Every text file a build writes is UTF-8; saying so keeps a browser from guessing another
/// encoding for Swedish text.
fn content_type(path: &str) -> Cow<'static, str> {
    let kind = mime_guess::from_path(path).first_raw().unwrap_or("application/octet-stream");
    if kind.starts_with("text/") { Cow::Owned(format!("{kind}; charset=utf-8")) } else { Cow::Borrowed(kind) }
}

/// `None` for what no file name can be: bytes that are not UTF-8, or a NUL.
fn percent_decode(s: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8().ok()?;
    (!decoded.contains('\0')).then(|| decoded.into_owned())
}

/// The URL paths under which a file is seen, as `change` events name them.
pub(crate) fn url_of(previews: bool, rel: &str) -> String {
    if previews { format!("/previews/{rel}") } else { format!("/{rel}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_types_a_build_writes() {
        for (path, kind) in [
            ("p/x/index.html", "text/html; charset=utf-8"),
            ("static/style.css", "text/css; charset=utf-8"),
            ("static/search.js", "text/javascript; charset=utf-8"),
            ("search-index.json", "application/json"),
            ("feed.atom", "application/atom+xml"),
            ("sitemap.xml", "text/xml; charset=utf-8"),
            ("media/a.PNG", "image/png"),
            ("media/a.jpg", "image/jpeg"),
            ("media/a.webp", "image/webp"),
            ("media/a.svg", "image/svg+xml"),
            (".budkavle-manifest", "application/octet-stream"),
            ("a.b/c", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), kind, "{path}");
        }
    }

    #[test]
    fn paths_are_decoded_once() {
        assert_eq!(percent_decode("/p/sn%C3%B6r%C3%B6jning/").as_deref(), Some("/p/snöröjning/"));
        // Decoded once, then checked for `..` by the caller.
        assert_eq!(percent_decode("/%2e%2e/x").as_deref(), Some("/../x"));
        assert_eq!(percent_decode("/%252e").as_deref(), Some("/%2e"));
        assert_eq!(percent_decode("/%FF"), None, "not UTF-8");
        assert_eq!(percent_decode("/a%00b"), None, "NUL");
    }
}
