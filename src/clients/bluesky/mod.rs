//! Sending to a Bluesky account: the [`Connection`] behind `budkavle publish`.
//!
//! Exactly once without a person: every part is written with `putRecord` under a record key
//! derived from its idempotency key ([`rkey::from_key`]), so a re-send names the same record,
//! and a look-up is a `getRecord` that answers Found or Absent for certain. A record that is
//! already there is returned as it is, unchanged (its `createdAt` too).
//!
//! One request per step, no retries (the publisher owns those); sessions are [`Xrpc`]'s job.

use std::io::Read;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

mod heard;
mod rkey;
mod session;

use crate::clients::account::Account;
use crate::clients::api::{Connection, Counts, ErrorKind, Health, Heard, Limits, Lookup, Outgoing, SendError, Upload};
use crate::clients::http::Http;
use crate::error::{Error, Result};
use crate::platform::PlatformId;
use crate::platform::Remote;
use session::{Failure, Xrpc};

const POST: &str = "app.bsky.feed.post";
const PROFILE: &str = "app.bsky.actor.profile";
const THREADGATE: &str = "app.bsky.feed.threadgate";
/// The lexicon's `maxLength` of `hiddenReplies`.
const MAX_HIDDEN: usize = 300;

/// What `app.bsky.embed.images` accepts per image (the blob's `maxSize`).
pub(crate) const IMAGE_BYTES: usize = 2_000_000;
const MAX_IMAGES: usize = 4;
const CHARS: usize = 300;

/// The link card's page fetch: short, and never more than this much of the page.
const CARD_TIMEOUT: Duration = Duration::from_secs(5);
const CARD_BYTES: u64 = 1_000_000;

/// Logs in to the account `[platforms.bluesky]` configures: `account` is the handle,
/// `service` the PDS (default `https://bsky.social`), `password_env` names the variable holding
/// the (app) password. No request is made until the first call.
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let config = account.config;
    let handle = config.account.as_deref().map(|a| a.trim().trim_start_matches('@').to_string());
    let Some(handle) = handle.filter(|h| !h.is_empty()) else {
        return Err(Error::Usage(
            "strategy.toml: [platforms.bluesky] has no `account`: give the account's handle, e.g. account = \"kommun.bsky.social\"".into(),
        ));
    };
    let base = account.base_url("service", config.service.as_ref(), Some("https://bsky.social"))?;
    let password = account.secret("password_env", config.password_env.as_ref(), env)?;
    Ok(Box::new(BlueskyClient { xrpc: Xrpc::new(http.clone(), base, handle.clone(), password), handle }))
}

/// A Bluesky account. `Debug` shows no password or token.
#[derive(Debug)]
pub(crate) struct BlueskyClient {
    xrpc: Xrpc,
    handle: String,
}

/// A record as `getRecord` returns it.
struct Record {
    uri: String,
    cid: String,
    value: Value,
}

impl BlueskyClient {
    fn remote(&self, uri: &str) -> Remote {
        let url = rkey::of_uri(uri).map(|k| format!("https://bsky.app/profile/{}/post/{k}", self.handle));
        Remote { id: uri.to_string(), url, parts: Vec::new() }
    }

    /// `getRecord`; `None` when the PDS says there is no such record.
    fn get(&mut self, repo: &str, collection: &str, key: &str, what: &str) -> Result<Option<Record>, SendError> {
        let params = [("repo", repo), ("collection", collection), ("rkey", key)];
        match self.xrpc.query("com.atproto.repo.getRecord", &params, what) {
            Ok(json) => {
                let field = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_owned);
                match (field("uri"), field("cid"), json.get("value")) {
                    (Some(uri), Some(cid), Some(value)) => Ok(Some(Record { uri, cid, value: value.clone() })),
                    _ => Err(SendError::permanent(
                        ErrorKind::Protocol,
                        format!("{what}: the record has no uri, cid or value"),
                    )),
                }
            }
            Err(Failure { error: Some(e), .. }) if e == "RecordNotFound" => Ok(None),
            Err(f) => Err(f.send),
        }
    }

    fn get_uri(&mut self, uri: &str, what: &str) -> Result<Option<Record>, SendError> {
        let Some((repo, collection, key)) = rkey::split_uri(uri) else {
            return Err(SendError::permanent(ErrorKind::NotFound, format!("{what}: {uri} is not an at:// record URI")));
        };
        let (repo, collection, key) = (repo.to_string(), collection.to_string(), key.to_string());
        self.get(&repo, &collection, &key, what)
    }

    fn put(
        &mut self,
        collection: &str,
        key: &str,
        record: &Value,
        swap: Option<&str>,
        what: &str,
    ) -> Result<Record, SendError> {
        let repo = self.xrpc.did()?;
        let mut body = json!({ "repo": repo, "collection": collection, "rkey": key, "record": record });
        if let Some(cid) = swap {
            body["swapRecord"] = json!(cid);
        }
        let json = self.xrpc.procedure("com.atproto.repo.putRecord", &body, what)?;
        let field = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_owned);
        match (field("uri"), field("cid")) {
            (Some(uri), Some(cid)) => Ok(Record { uri, cid, value: record.clone() }),
            _ => Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no uri or cid"))),
        }
    }

    /// The `reply` of a post answering `to`: its parent is the last part sent, its root that
    /// part's root (or the parent itself when it starts the thread).
    fn reply_ref(&mut self, to: &Remote, what: &str) -> Result<Value, SendError> {
        let parent_uri = to.parts.last().unwrap_or(&to.id).clone();
        let Some(parent) = self.get_uri(&parent_uri, what)? else {
            return Err(SendError::permanent(
                ErrorKind::NotFound,
                format!("{what}: the post it answers ({parent_uri}) is gone"),
            ));
        };
        let parent_ref = json!({ "uri": parent.uri, "cid": parent.cid });
        let root = match parent.value.pointer("/reply/root") {
            Some(root) if root.get("uri").is_some() && root.get("cid").is_some() => {
                json!({ "uri": root["uri"], "cid": root["cid"] })
            }
            _ => parent_ref.clone(),
        };
        Ok(json!({ "root": root, "parent": parent_ref }))
    }

    fn images(&mut self, media: &[Upload], what: &str) -> Result<Value, SendError> {
        let mut images = Vec::new();
        for m in media {
            let json = self.xrpc.upload(
                "com.atproto.repo.uploadBlob",
                &m.bytes,
                m.mime,
                &format!("{what}: uploading {}", m.name),
            )?;
            let Some(blob) = json.get("blob") else {
                return Err(SendError::permanent(
                    ErrorKind::Protocol,
                    format!("{what}: uploading {} gave no blob", m.name),
                ));
            };
            let mut image = json!({ "alt": m.alt, "image": blob });
            if m.width > 0 && m.height > 0 {
                image["aspectRatio"] = json!({ "width": m.width, "height": m.height });
            }
            images.push(image);
        }
        Ok(json!({ "$type": "app.bsky.embed.images", "images": images }))
    }

    /// The post record for `out`, `created_at` kept from an earlier version where there is one.
    fn record(
        &mut self,
        out: &Outgoing<'_>,
        created_at: &str,
        reply: Option<Value>,
        what: &str,
    ) -> Result<Value, SendError> {
        check_media(out)?;
        let mut record = json!({
            "$type": POST,
            "text": out.text,
            "createdAt": created_at,
        });
        if !out.facets.is_empty() {
            record["facets"] = serde_json::to_value(out.facets)
                .map_err(|e| SendError::permanent(ErrorKind::Protocol, format!("{what}: facets: {e}")))?;
        }
        if !out.lang.is_empty() {
            record["langs"] = json!([out.lang]);
        }
        if let Some(reply) = reply {
            record["reply"] = reply;
        }
        if !out.media.is_empty() {
            record["embed"] = self.images(out.media, what)?;
        } else if let Some(link) = out.link
            && let Some(card) = link_card(self.xrpc.http(), link)
        {
            record["embed"] = card;
        }
        Ok(record)
    }

    fn own_post(&mut self, remote: &Remote, what: &str) -> Result<(String, String), SendError> {
        let did = self.xrpc.did()?;
        match rkey::split_uri(&remote.id) {
            Some((repo, POST, key)) if repo == did || repo == self.handle => Ok((did, key.to_string())),
            _ => Err(SendError::permanent(
                ErrorKind::NotFound,
                format!("{what}: {} is not a post of {}", remote.id, self.handle),
            )),
        }
    }
}

/// Refuses what the server would refuse, before anything is uploaded.
fn check_media(out: &Outgoing<'_>) -> Result<(), SendError> {
    if out.media.len() > MAX_IMAGES {
        return Err(SendError::permanent(
            ErrorKind::Rejected,
            format!("Bluesky takes at most {MAX_IMAGES} images in a post; this one has {}", out.media.len()),
        ));
    }
    for m in out.media {
        if m.bytes.len() > IMAGE_BYTES {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!(
                    "the image {} is {} bytes; Bluesky takes at most {IMAGE_BYTES} bytes per image (make it smaller)",
                    m.name,
                    m.bytes.len()
                ),
            ));
        }
    }
    Ok(())
}

/// RFC 3339 with milliseconds, as the Bluesky app writes `createdAt`.
fn now() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Connection for BlueskyClient {
    fn platform(&self) -> PlatformId {
        PlatformId::Bluesky
    }

    fn publish(&mut self, out: &Outgoing<'_>) -> Result<Remote, SendError> {
        let what = "posting to Bluesky";
        check_media(out)?;
        let key = rkey::from_key(out.key);
        let did = self.xrpc.did()?;
        if let Some(existing) = self.get(&did, POST, &key, what)? {
            return Ok(self.remote(&existing.uri));
        }
        let reply = match out.reply_to {
            Some(to) => Some(self.reply_ref(to, what)?),
            None => None,
        };
        let record = self.record(out, &now(), reply, what)?;
        let written = self.put(POST, &key, &record, None, what)?;
        Ok(self.remote(&written.uri))
    }

    fn edit(&mut self, remote: &Remote, out: &Outgoing<'_>) -> Result<Remote, SendError> {
        let what = "editing a Bluesky post";
        check_media(out)?;
        let (did, key) = self.own_post(remote, what)?;
        let Some(old) = self.get(&did, POST, &key, what)? else {
            return Err(SendError::permanent(ErrorKind::NotFound, format!("{what}: {} is gone", remote.id)));
        };
        let created_at = old.value.get("createdAt").and_then(Value::as_str).map_or_else(now, str::to_owned);
        let mut record = self.record(out, &created_at, old.value.get("reply").cloned(), what)?;
        if record.get("embed").is_none()
            && let Some(embed) = old.value.get("embed")
            && out.media.is_empty()
            && out.link.is_none()
        {
            record["embed"] = embed.clone();
        }
        let written = self.put(POST, &key, &record, Some(&old.cid), what)?;
        Ok(Remote { parts: remote.parts.clone(), ..self.remote(&written.uri) })
    }

    fn delete(&mut self, remote: &Remote) -> Result<(), SendError> {
        let what = "deleting a Bluesky post";
        let mut uris: Vec<&String> = remote.parts.iter().rev().collect();
        if !uris.contains(&&remote.id) {
            uris.push(&remote.id);
        }
        for uri in uris {
            let (did, key) = self.own_post(&Remote { id: uri.clone(), url: None, parts: Vec::new() }, what)?;
            let body = json!({ "repo": did, "collection": POST, "rkey": key });
            match self.xrpc.procedure("com.atproto.repo.deleteRecord", &body, what) {
                Ok(_) => {}
                Err(Failure { error: Some(e), .. }) if e == "RecordNotFound" => {}
                Err(f) => return Err(f.send),
            }
        }
        Ok(())
    }

    fn lookup(&mut self, out: &Outgoing<'_>, _intent_at: Timestamp) -> Result<Lookup, SendError> {
        let what = "looking up a Bluesky post";
        let did = self.xrpc.did()?;
        let rkey = rkey::from_key(out.key);
        Ok(match self.get(&did, POST, &rkey, what)? {
            Some(record) => Lookup::Found(self.remote(&record.uri)),
            None => Lookup::Absent,
        })
    }

    /// `app.bsky.feed.getPosts` takes at most 25 URIs.
    fn counts_batch(&self) -> usize {
        25
    }

    /// `app.bsky.feed.getPosts` through the PDS, which hands `app.bsky` reads to its AppView:
    /// `likeCount`, `repostCount`, `replyCount`, `quoteCount`. Bluesky counts no views or
    /// reach, and a post view does not carry the author's followers. A URI missing from the
    /// answer is a post that is gone (the lexicon drops what it cannot find).
    fn counts(&mut self, remotes: &[Remote]) -> Result<Vec<Option<Counts>>, SendError> {
        let what = "reading posts' counts";
        let params: Vec<(&str, &str)> = remotes.iter().map(|r| ("uris", r.id.as_str())).collect();
        let json = self.xrpc.query("app.bsky.feed.getPosts", &params, what).map_err(|f| f.send)?;
        let Some(posts) = json.get("posts").and_then(Value::as_array) else {
            return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no `posts`")));
        };
        let count = |post: &Value, k: &str| post.get(k).and_then(Value::as_u64);
        Ok(remotes
            .iter()
            .map(|r| {
                posts.iter().find(|p| p.get("uri").and_then(Value::as_str) == Some(r.id.as_str())).map(|p| Counts {
                    likes: count(p, "likeCount"),
                    reposts: count(p, "repostCount"),
                    replies: count(p, "replyCount"),
                    quotes: count(p, "quoteCount"),
                    ..Counts::default()
                })
            })
            .collect())
    }

    /// Replies, mentions and quotes from the notifications, and the reply tree of each of
    /// `posts`: see [`heard`].
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> Result<Heard, SendError> {
        heard::interactions(self, posts, cursor)
    }

    /// `app.bsky.feed.getPosts`, 25 URIs a request: see [`heard::gone`].
    fn gone(&mut self, ids: &[String]) -> Result<Vec<String>, SendError> {
        heard::gone(self, ids)
    }

    fn limits(&mut self) -> Result<Limits, SendError> {
        Ok(Limits { chars: Some(CHARS), max_media: Some(MAX_IMAGES), image_bytes: Some(IMAGE_BYTES) })
    }

    /// Logs in (`createSession`: a wrong password is [`ErrorKind::Auth`]) and reads the
    /// session back (`com.atproto.server.getSession`): the handle, and whether the account is
    /// active (a taken-down, suspended or deactivated account cannot post, which is
    /// [`ErrorKind::Forbidden`]). Any session may write records, so nothing is `needed`; the
    /// session's scope tells an app password from the account's own password, which works but
    /// is a warning. App passwords do not expire. The quota is the last `ratelimit-*` the PDS
    /// sent (logins are limited per account; a PDS with limits off sends none).
    fn health(&mut self) -> Result<Health, SendError> {
        let what = "reading the Bluesky session";
        let session = self.xrpc.query("com.atproto.server.getSession", &[], what)?;
        let account = session.get("handle").and_then(Value::as_str).map(|h| format!("@{h}"));
        let mut health = Health { account, ..Health::default() };
        if session.get("active").and_then(Value::as_bool) == Some(false) {
            let status = session.get("status").and_then(Value::as_str).unwrap_or("not active");
            return Err(SendError::permanent(
                ErrorKind::Forbidden,
                format!("{what}: the account @{} is {status} and cannot post", self.handle),
            ));
        }
        match self.xrpc.scope() {
            Some(scope) => {
                match scope.as_str() {
                    "com.atproto.appPass" => {}
                    "com.atproto.appPassPrivileged" => health.notes.push(
                        "a privileged app password (it may also read direct messages): an ordinary one is enough to publish".into(),
                    ),
                    "com.atproto.access" => health.warnings.push(
                        "logged in with the account's own password: make an app password (Settings → Privacy and security → App passwords) and put it in the variable `password_env` names; it can post but not change the account, and can be revoked alone".into(),
                    ),
                    other => health.notes.push(format!("the session's scope is {other}, which budkavle does not know")),
                }
                health.scopes = Some(vec![scope]);
            }
            None => health.notes.push("the PDS did not say what kind of password this is".into()),
        }
        health.notes.push("app passwords do not expire; budkavle logs in anew on every run".into());
        health.quota = self.xrpc.quota().cloned();
        Ok(health)
    }

    /// Bluesky hides replies through the thread's gate: the `app.bsky.feed.threadgate` record
    /// in the account's repository whose record key is the root post's, listing the hidden
    /// replies' URIs in `hiddenReplies` (`com.atproto.repo.putRecord`, swapped against the
    /// gate read, so a concurrent change is not overwritten). The gate's `allow` rules, if the
    /// post has any, are kept as they are; a new gate has none, which lets anyone reply.
    fn hide(&mut self, item: &Remote, _parent: Option<&Remote>, hidden: bool) -> Result<(), SendError> {
        let what = if hidden { "hiding a reply on Bluesky" } else { "showing a hidden Bluesky reply again" };
        let Some(reply) = self.get_uri(&item.id, what)? else {
            return Err(SendError::permanent(ErrorKind::NotFound, format!("{what}: {} is gone", item.id)));
        };
        let Some(root) = reply.value.pointer("/reply/root/uri").and_then(Value::as_str).map(str::to_owned) else {
            return Err(SendError::permanent(ErrorKind::Rejected, format!("{what}: {} is not a reply", item.id)));
        };
        let root_remote = Remote { id: root.clone(), url: None, parts: Vec::new() };
        let (did, key) = self.own_post(&root_remote, what).map_err(|_| {
            SendError::permanent(
                ErrorKind::Forbidden,
                format!("{what}: {} answers a thread the account did not start ({root}); only the thread's author can hide replies", item.id),
            )
        })?;
        let old = self.get(&did, THREADGATE, &key, what)?;
        let (mut gate, swap) = match old {
            Some(r) => (r.value, Some(r.cid)),
            None => (json!({ "$type": THREADGATE, "post": root, "createdAt": now() }), None),
        };
        let mut list: Vec<String> = gate
            .get("hiddenReplies")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let listed = list.contains(&item.id);
        if listed == hidden {
            return Ok(());
        }
        if hidden {
            if list.len() >= MAX_HIDDEN {
                return Err(SendError::permanent(
                    ErrorKind::Rejected,
                    format!(
                        "{what}: Bluesky keeps at most {MAX_HIDDEN} hidden replies in a thread, and this one has them"
                    ),
                ));
            }
            list.push(item.id.clone());
        } else {
            list.retain(|u| u != &item.id);
        }
        gate["hiddenReplies"] = json!(list);
        self.put(THREADGATE, &key, &gate, swap.as_deref(), what).map(drop)
    }

    fn pin(&mut self, remote: &Remote) -> Result<(), SendError> {
        let what = "pinning a Bluesky post";
        let (did, _) = self.own_post(remote, what)?;
        let Some(post) = self.get_uri(&remote.id, what)? else {
            return Err(SendError::permanent(ErrorKind::NotFound, format!("{what}: {} is gone", remote.id)));
        };
        let old = self.get(&did, PROFILE, "self", what)?;
        let (mut profile, swap) = match old {
            Some(r) => (r.value, Some(r.cid)),
            None => (json!({ "$type": PROFILE }), None),
        };
        profile["pinnedPost"] = json!({ "uri": post.uri, "cid": post.cid });
        self.put(PROFILE, "self", &profile, swap.as_deref(), what).map(drop)
    }

    fn unpin(&mut self, remote: &Remote) -> Result<(), SendError> {
        let what = "unpinning a Bluesky post";
        let did = self.xrpc.did()?;
        let Some(old) = self.get(&did, PROFILE, "self", what)? else { return Ok(()) };
        if old.value.pointer("/pinnedPost/uri").and_then(Value::as_str) != Some(remote.id.as_str()) {
            return Ok(()); // pinned elsewhere since, or nothing pinned: not ours to undo
        }
        let mut profile = old.value;
        if let Some(map) = profile.as_object_mut() {
            map.remove("pinnedPost");
        }
        self.put(PROFILE, "self", &profile, Some(&old.cid), what).map(drop)
    }
}

/// An `app.bsky.embed.external` card for `link` from the page's Open Graph title and
/// description (or its `<title>`). Anything failing means no card, never a failed post.
fn link_card(http: &Http, link: &str) -> Option<Value> {
    if !(link.starts_with("https://") || link.starts_with("http://")) {
        return None;
    }
    let response = http.client().get(link).timeout(CARD_TIMEOUT).send().ok()?;
    if !response.status().is_success() {
        return None;
    }
    let html_like = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.contains("html"));
    if !html_like {
        return None;
    }
    let mut bytes = Vec::new();
    response.take(CARD_BYTES).read_to_end(&mut bytes).ok()?;
    let page = String::from_utf8_lossy(&bytes);
    let (title, description) = card_text(&page);
    if title.is_empty() && description.is_empty() {
        return None;
    }
    Some(json!({
        "$type": "app.bsky.embed.external",
        "external": { "uri": link, "title": title, "description": description },
    }))
}

/// `(title, description)` of an HTML page: `og:title` (else `<title>`), `og:description`
/// (else `<meta name="description">`), entities decoded, whitespace collapsed, shortened.
pub(crate) fn card_text(page: &str) -> (String, String) {
    use std::sync::LazyLock;
    static META: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"(?is)<meta\s[^>]*>").unwrap());
    static ATTR: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#"(?is)([a-z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).unwrap());
    static TITLE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?is)<title[^>]*>(.*?)</title>").unwrap());
    let mut found = std::collections::HashMap::new();
    for tag in META.find_iter(page) {
        let mut name = None;
        let mut content = None;
        for a in ATTR.captures_iter(tag.as_str()) {
            let value = a.get(2).or(a.get(3)).map_or("", |m| m.as_str());
            match a[1].to_ascii_lowercase().as_str() {
                "property" | "name" => name = Some(value.to_ascii_lowercase()),
                "content" => content = Some(value.to_string()),
                _ => {}
            }
        }
        if let (Some(n), Some(c)) = (name, content) {
            found.entry(n).or_insert(c);
        }
    }
    let title =
        found.get("og:title").cloned().or_else(|| TITLE.captures(page).map(|c| c[1].to_string())).unwrap_or_default();
    let description = found.get("og:description").or_else(|| found.get("description")).cloned().unwrap_or_default();
    (clean(&title, 300), clean(&description, 1000))
}

fn clean(s: &str, max: usize) -> String {
    let decoded = decode_entities(s);
    let text = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_read_open_graph_then_title() {
        let page = r#"<html><head><title>Fallback</title>
            <meta property="og:title" content="Snöröjning &amp; halkbekämpning">
            <META name='og:description' content='Så plogar vi &#229;r &#xE4;n'></head></html>"#;
        assert_eq!(card_text(page), ("Snöröjning & halkbekämpning".into(), "Så plogar vi år än".into()));
        let plain = "<title>\n  Testby   kommun </title><meta name=\"description\" content=\"Om oss\">";
        assert_eq!(card_text(plain), ("Testby kommun".into(), "Om oss".into()));
        assert_eq!(card_text("no html"), (String::new(), String::new()));
        assert_eq!(decode_entities("a & b &bogus; &#128512;"), "a & b &bogus; 😀");
    }

    #[test]
    fn created_at_is_rfc3339_with_milliseconds() {
        let t = now();
        assert!(regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").unwrap().is_match(&t), "{t}");
    }
}
