//! The two-step publishing Instagram and Threads share: a media container is made from the
//! text and the images' public URLs (Meta fetches each image itself), its status is polled
//! until it is `FINISHED`, and then it is published
//! ([Instagram content publishing](https://developers.facebook.com/docs/instagram-platform/content-publishing/),
//! [Threads posts](https://developers.facebook.com/docs/threads/posts),
//! [Threads troubleshooting](https://developers.facebook.com/docs/threads/troubleshooting) for
//! the statuses `IN_PROGRESS`, `FINISHED`, `ERROR`, `EXPIRED`, `PUBLISHED`).
//!
//! Exactly once without an idempotency key: a container is harmless (it expires after 24 hours
//! unpublished), the publishing request is what makes a post. So within a run the client
//! remembers, per part key, the container it made and whether a publishing request for it went
//! out without a certain answer ([`Pending`]). The publisher's retry of the same part then
//! reads that container's status instead of starting again: `PUBLISHED` means the lost request
//! went through, and the post is found among the account's posts by its exact text; `FINISHED`
//! means it did not, and the same container is published. Publishing a container a second time
//! answers code 24 (Instagram 2207008, Threads 4279009): never a reason to make a new
//! container, only to read the status. Across runs the ledger's intent does the same job
//! through `lookup`.
//!
//! The images Meta fetches are the archive's copies ([`Upload::public_url`]): before a
//! container is made, each URL is fetched here and its SHA-256 compared with the bytes the
//! other platforms are sent, so a post never goes out with an image the archive does not show
//! yet (or still shows with its metadata).

use std::collections::HashMap;
use std::io::Read;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Failure, Graph, path_id};
use crate::clients::api::{ErrorKind, Lookup, Outgoing, SendError, Upload};
use crate::clients::http::{self, Http};
use crate::platform::{PlatformId, Remote};

/// How long a container may stay `IN_PROGRESS` before the part is given up for this try, as a
/// transient failure (the next try waits for the same container).
pub(crate) const CONTAINER_WAIT: Duration = Duration::from_secs(60);

/// The two dialects of the same flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Instagram,
    Threads,
}

impl Flavor {
    fn platform(self) -> PlatformId {
        match self {
            Flavor::Instagram => PlatformId::Instagram,
            Flavor::Threads => PlatformId::Threads,
        }
    }

    fn publish_edge(self) -> &'static str {
        match self {
            Flavor::Instagram => "media_publish",
            Flavor::Threads => "threads_publish",
        }
    }

    pub(crate) fn publish_needs(self) -> &'static [&'static str] {
        match self {
            Flavor::Instagram => &["instagram_basic", "instagram_content_publish"],
            Flavor::Threads => &["threads_basic", "threads_content_publish"],
        }
    }

    fn read_needs(self) -> &'static [&'static str] {
        match self {
            Flavor::Instagram => &["instagram_basic"],
            Flavor::Threads => &["threads_basic"],
        }
    }

    /// The status fields: Instagram `status_code` (with a `status` text), Threads `status`
    /// (with an `error_message` when it failed).
    fn status_fields(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Flavor::Instagram => ("status_code,status", "status_code", "status"),
            Flavor::Threads => ("status,error_message", "status", "error_message"),
        }
    }
}

/// Where a container is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    InProgress,
    Finished,
    Published,
    /// Not published within 24 hours, or no longer known.
    Expired,
    /// Meta could not make the media; what it said.
    Error(String),
}

/// What this run knows about a part's earlier try.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// The container made for the part.
    container: Option<String>,
    /// When it was made: the post, if it went out, is no older.
    made_at: Option<Timestamp>,
}

/// What a platform adds to the shared flow.
pub(crate) trait Containers {
    fn graph(&self) -> &Graph;
    fn flavor(&self) -> Flavor;
    /// The account in paths: the Instagram user id, or `me` on Threads.
    fn user(&self) -> &str;
    fn pending(&mut self) -> &mut HashMap<String, Pending>;
    fn wait_bound(&self) -> Duration;
    /// Refuses what the platform would refuse, before any request.
    fn check(&self, out: &Outgoing<'_>) -> Result<(), SendError>;
    /// Whether the 24-hour publishing quota has room for `out`.
    fn quota(&self, out: &Outgoing<'_>) -> Result<(), SendError>;
    /// Makes the container(s) for `out` with its images at `urls`; returns the one to publish.
    fn create(&self, out: &Outgoing<'_>, urls: &[String]) -> Result<String, Failure>;
    /// What a container in `ERROR` means.
    fn container_failed(&self, id: &str, said: &str) -> SendError;
    /// The account's post with `out`'s exact text, made from `since` on.
    fn find(&mut self, out: &Outgoing<'_>, since: Timestamp) -> Result<Lookup, SendError>;
    /// The post `id` with its permalink where it can be read.
    fn remote(&self, id: &str) -> Remote;
}

/// Publishes `out` once, continuing what an earlier try of the same part in this run left.
pub(crate) fn publish<C: Containers>(c: &mut C, out: &Outgoing<'_>) -> Result<Remote, SendError> {
    c.check(out)?;
    let mut pending = c.pending().remove(out.key).unwrap_or_default();
    let result = attempt(c, out, &mut pending);
    if result.is_err() && pending.container.is_some() {
        c.pending().insert(out.key.to_string(), pending);
    }
    result
}

fn attempt<C: Containers>(c: &mut C, out: &Outgoing<'_>, pending: &mut Pending) -> Result<Remote, SendError> {
    let flavor = c.flavor();
    let what = format!("publishing on {}", flavor.platform().display_name());
    if let Some(id) = pending.container.clone() {
        match state(c.graph(), flavor, &id, &what)? {
            State::Published => return published(c, out, pending, &id, &what),
            State::Finished | State::InProgress => {}
            State::Expired | State::Error(_) => *pending = Pending::default(),
        }
    }
    let id = match pending.container.clone() {
        Some(id) => id,
        None => {
            c.quota(out)?;
            let urls: Vec<String> = out
                .media
                .iter()
                .map(|m| verify_public(c.graph().http(), m, flavor.platform()))
                .collect::<Result<_, _>>()?;
            let made_at = Timestamp::now();
            let id = c.create(out, &urls)?;
            *pending = Pending { container: Some(id.clone()), made_at: Some(made_at) };
            id
        }
    };
    match wait(c.graph(), flavor, &id, c.wait_bound(), &what)? {
        State::Finished => {}
        State::Published => return published(c, out, pending, &id, &what),
        State::InProgress => {
            return Err(SendError::transient(format!(
                "{what}: Meta is still processing the media after {} s (container {id} is IN_PROGRESS); the next try waits for the same container",
                c.wait_bound().as_secs_f32().ceil()
            )));
        }
        State::Expired => {
            *pending = Pending::default();
            return Err(SendError::transient(format!(
                "{what}: the container {id} expired before it was published; the next try makes a new one"
            )));
        }
        State::Error(said) => {
            *pending = Pending::default();
            return Err(c.container_failed(&id, &said));
        }
    }
    let path = format!("{}/{}", path_id(c.user()), flavor.publish_edge());
    match c.graph().post(&path, &[("creation_id", id.clone())], &what, flavor.publish_needs()) {
        Ok(json) => match json["id"].as_str() {
            Some(media) => Ok(c.remote(media)),
            // It went out, but the answer does not say as what: the next try reads the status.
            None => Err(SendError::transient(format!("{what}: the answer has no id; the next try looks the post up"))),
        },
        // Code 24: a container Meta will not publish (again). Maybe the lost answer of the
        // last try published it: the status says, and nothing new is made for it.
        Err(f) if f.code == Some(24) => match state(c.graph(), flavor, &id, &what)? {
            State::Published => published(c, out, pending, &id, &what),
            State::Finished | State::InProgress => Err(SendError::transient(f.send.message().to_string())),
            State::Expired | State::Error(_) => {
                *pending = Pending::default();
                Err(f.send)
            }
        },
        // Refused or not, the container's status tells the next try what happened.
        Err(f) => Err(f.send),
    }
}

/// The container says it was published: the post is among the account's posts.
fn published<C: Containers>(
    c: &mut C,
    out: &Outgoing<'_>,
    pending: &Pending,
    id: &str,
    what: &str,
) -> Result<Remote, SendError> {
    let since = pending.made_at.unwrap_or_else(Timestamp::now);
    match c.find(out, since)? {
        Lookup::Found(remote) => Ok(remote),
        _ => Err(SendError::transient(format!(
            "{what}: the container {id} says it was published, but the post is not among the account's posts yet; it is not sent again, the next try looks again"
        ))),
    }
}

/// The container's status.
pub(crate) fn state(graph: &Graph, flavor: Flavor, id: &str, what: &str) -> Result<State, SendError> {
    let (fields, code, detail) = flavor.status_fields();
    let json = match graph.get(&path_id(id), &[("fields", fields.to_string())], what, flavor.read_needs()) {
        Ok(json) => json,
        // A container Meta no longer knows cannot be published any more than an expired one.
        Err(f) if f.gone() => return Ok(State::Expired),
        Err(f) => return Err(f.send),
    };
    let said = json[detail].as_str().unwrap_or_default().to_string();
    Ok(match json[code].as_str().unwrap_or_default() {
        "FINISHED" => State::Finished,
        "PUBLISHED" => State::Published,
        "IN_PROGRESS" => State::InProgress,
        "EXPIRED" => State::Expired,
        "ERROR" => State::Error(if said.is_empty() { "no reason given".into() } else { said }),
        other => {
            return Err(SendError::permanent(
                ErrorKind::Protocol,
                format!("{what}: the container {id} has the unknown status {other:?}"),
            ));
        }
    })
}

/// Polls the container until it is no longer `IN_PROGRESS`, for at most `bound`.
fn wait(graph: &Graph, flavor: Flavor, id: &str, bound: Duration, what: &str) -> Result<State, SendError> {
    let deadline = Instant::now() + bound;
    let mut pause = Duration::from_millis(250);
    loop {
        let now = state(graph, flavor, id, what)?;
        if now != State::InProgress {
            return Ok(now);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(State::InProgress);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_secs(4));
    }
}

/// The image's address in the published archive, once it serves exactly `upload.bytes` there.
pub(crate) fn verify_public(http: &Http, upload: &Upload, platform: PlatformId) -> Result<String, SendError> {
    let name = platform.display_name();
    let Some(url) = upload.public_url.as_deref() else {
        return Err(SendError::permanent(
            ErrorKind::Rejected,
            format!(
                "{name} fetches each image from a public address, and the image {} has none: set [organisation] archive_url in strategy.toml to where the archive (dist/site) is published",
                upload.name
            ),
        ));
    };
    let not_yet = |why: String| {
        SendError::transient(format!(
            "deploy the archive first: {url} does not serve the image yet ({why}); {name} fetches it from there, so the next run tries again"
        ))
    };
    let response =
        http.client().get(url).send().map_err(|e| not_yet(http::transport(&e, "fetching it").message().into()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(not_yet(format!("HTTP {status}")));
    }
    let mut served = Vec::new();
    response
        .take(upload.bytes.len() as u64 + 1)
        .read_to_end(&mut served)
        .map_err(|e| not_yet(format!("the answer was cut off: {e}")))?;
    if Sha256::digest(&served) != Sha256::digest(&upload.bytes) {
        return Err(not_yet(
            "it serves other bytes: an older build of the archive, or the image before its metadata was removed".into(),
        ));
    }
    Ok(url.to_string())
}

/// A post's permalink (`GET /{id}?fields=permalink`), read after it was published. Failing to
/// read it leaves the URL out; it never fails the publishing that already happened.
pub(crate) fn permalink(graph: &Graph, flavor: Flavor, id: &str) -> Option<String> {
    let json: Value = graph
        .get(&path_id(id), &[("fields", "permalink".to_string())], "reading the post's address", flavor.read_needs())
        .ok()?;
    json["permalink"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{graph, server};
    use super::*;
    use std::sync::{Arc, Mutex};

    fn upload(bytes: &[u8], url: Option<String>) -> Upload {
        Upload {
            bytes: bytes.to_vec(),
            mime: "image/jpeg",
            alt: "alt".into(),
            width: 1,
            height: 1,
            name: "bild.jpg".into(),
            public_url: url,
        }
    }

    #[test]
    fn a_container_in_progress_beyond_the_bound_is_in_progress() {
        let (base, seen) = server(|_| (200, br#"{"id":"1","status":"IN_PROGRESS"}"#.to_vec()));
        let g = graph(&base);
        let started = Instant::now();
        let s = wait(&g, Flavor::Threads, "1", Duration::from_millis(600), "publishing").unwrap();
        assert_eq!(s, State::InProgress);
        assert!(started.elapsed() < Duration::from_secs(3));
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 2 && seen[0].path().starts_with("/v1.0/1?fields=status%2Cerror_message"), "{seen:?}");
    }

    #[test]
    fn statuses_are_read_in_each_dialect() {
        let (base, _) = server(|path| {
            if path.contains("status_code") {
                (200, br#"{"id":"2","status_code":"ERROR","status":"Error: no JPEG"}"#.to_vec())
            } else {
                (200, br#"{"id":"2","status":"PUBLISHED"}"#.to_vec())
            }
        });
        let g = graph(&base);
        assert_eq!(state(&g, Flavor::Instagram, "2", "x").unwrap(), State::Error("Error: no JPEG".into()));
        assert_eq!(state(&g, Flavor::Threads, "2", "x").unwrap(), State::Published);
    }

    /// The shared flow with the platform's own steps stubbed out.
    struct Stub {
        graph: Graph,
        pending: HashMap<String, Pending>,
        found: Option<Remote>,
    }

    impl Containers for Stub {
        fn graph(&self) -> &Graph {
            &self.graph
        }
        fn flavor(&self) -> Flavor {
            Flavor::Threads
        }
        fn user(&self) -> &str {
            "me"
        }
        fn pending(&mut self) -> &mut HashMap<String, Pending> {
            &mut self.pending
        }
        fn wait_bound(&self) -> Duration {
            Duration::from_secs(2)
        }
        fn check(&self, _: &Outgoing<'_>) -> Result<(), SendError> {
            Ok(())
        }
        fn quota(&self, _: &Outgoing<'_>) -> Result<(), SendError> {
            Ok(())
        }
        fn create(&self, _: &Outgoing<'_>, _: &[String]) -> Result<String, Failure> {
            Ok("C".into())
        }
        fn container_failed(&self, _: &str, said: &str) -> SendError {
            SendError::permanent(ErrorKind::Rejected, said)
        }
        fn find(&mut self, _: &Outgoing<'_>, _: Timestamp) -> Result<Lookup, SendError> {
            Ok(self.found.clone().map_or(Lookup::Absent, Lookup::Found))
        }
        fn remote(&self, id: &str) -> Remote {
            Remote { id: id.into(), url: None, parts: vec![] }
        }
    }

    #[test]
    fn a_container_meta_will_not_publish_again_is_looked_up_never_remade() {
        // The container is FINISHED when first read; publishing answers code 24 (the lost
        // answer of an earlier request published it meanwhile); then it reads PUBLISHED.
        let reads = Arc::new(Mutex::new(0));
        let counter = Arc::clone(&reads);
        let (base, seen) = server(move |path| {
            if path.starts_with("/v1.0/me/threads_publish") {
                let e = r#"{"error":{"message":"The requested resource does not exist","type":"OAuthException","code":24,"error_subcode":4279009}}"#;
                return (400, e.as_bytes().to_vec());
            }
            let mut n = counter.lock().unwrap();
            *n += 1;
            let status = if *n == 1 { "FINISHED" } else { "PUBLISHED" };
            (200, format!(r#"{{"id":"C","status":"{status}"}}"#).into_bytes())
        });
        let found = Remote { id: "P1".into(), url: Some("https://www.threads.net/@x/post/P1".into()), parts: vec![] };
        let mut stub = Stub { graph: graph(&base), pending: HashMap::new(), found: Some(found.clone()) };
        let out = Outgoing { key: "k", text: "Hej", facets: &[], lang: "sv", media: &[], reply_to: None, link: None };
        assert_eq!(publish(&mut stub, &out), Ok(found));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.iter().filter(|p| p.path().contains("threads_publish")).count(), 1, "{seen:?}");
        assert!(stub.pending.is_empty());

        // Not among the posts yet: transient, and the container is kept for the next try.
        let (base, _) = server(|_| (200, br#"{"id":"C","status":"PUBLISHED"}"#.to_vec()));
        let mut stub = Stub { graph: graph(&base), pending: HashMap::new(), found: None };
        stub.pending.insert("k".into(), Pending { container: Some("C".into()), made_at: Some(Timestamp::now()) });
        let err = publish(&mut stub, &out).unwrap_err();
        assert!(matches!(err, SendError::Transient { .. }) && err.message().contains("not sent again"), "{err:?}");
        assert!(stub.pending.contains_key("k"));
    }

    #[test]
    fn the_public_copy_must_be_the_same_bytes() {
        let (base, _) = server(|path| match path {
            "/media/bild.jpg" => (200, b"JPEG-BYTES".to_vec()),
            "/media/gammal.jpg" => (200, b"OLD-BYTES!".to_vec()),
            _ => (404, b"{}".to_vec()),
        });
        let http = Http::new(Duration::from_secs(5)).unwrap();
        let url = format!("{base}/media/bild.jpg");
        assert_eq!(verify_public(&http, &upload(b"JPEG-BYTES", Some(url.clone())), PlatformId::Instagram), Ok(url));
        for (path, why) in [("/media/saknas.jpg", "404"), ("/media/gammal.jpg", "other bytes")] {
            let url = format!("{base}{path}");
            let err =
                verify_public(&http, &upload(b"JPEG-BYTES", Some(url.clone())), PlatformId::Instagram).unwrap_err();
            assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
            let shown = err.to_string();
            assert!(
                shown.contains(&format!("deploy the archive first: {url} does not serve the image yet")),
                "{shown}"
            );
            assert!(shown.contains(why), "{shown}");
        }
        let err = verify_public(&http, &upload(b"x", None), PlatformId::Threads).unwrap_err();
        assert!(
            matches!(err, SendError::Permanent { kind: ErrorKind::Rejected, .. })
                && err.message().contains("archive_url")
        );
    }
}
