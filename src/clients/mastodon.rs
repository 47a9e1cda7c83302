//! Sending to a Mastodon account: the [`Connection`] behind `budkavle publish`.
//!
//! One request per call, no retries (the publisher owns those). Every failure goes through
//! [`http::check`] and [`http::transport`], so "transient" means here what it means for every
//! other platform. The access token lives in a [`Secret`] and only reaches the wire as a
//! bearer header; no message or `Debug` output of this module can contain it.

mod heard;

use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;

use crate::clients::account::Account;
use crate::clients::api::{
    Connection, Counts, ErrorKind, Health, Heard, Limits, Lookup, Outgoing, Quota, Secret, SendError, Upload,
};
use crate::clients::http::{self, Http};
use crate::error::{Error, Result};
use crate::platform::PlatformId;
use crate::platform::Remote;
use crate::strategy::Visibility;

/// How long an upload may stay in the server's background processing (`202 Accepted`) before
/// the part is given up for this run as a transient failure.
const MEDIA_WAIT: Duration = Duration::from_secs(30);

/// Mastodon keeps an `Idempotency-Key` for one hour. Re-sending is treated as safe only well
/// inside that hour, leaving room for clocks that disagree and for the re-send itself.
const KEY_KEPT: SignedDuration = SignedDuration::from_mins(55);

/// How far in the future an intent may lie (another machine's clock) and still count as fresh.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// The scopes publishing needs: posting, editing and deleting statuses, and uploading images.
const NEEDED: [&str; 2] = ["write:statuses", "write:media"];

/// Logs in to the account `[platforms.mastodon]` configures: `instance` is the server,
/// `token_env` names the variable holding the access token (scopes `write:statuses` and
/// `write:media`), `visibility` the visibility of every post (default `public`).
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let config = account.config;
    let base = account.base_url("instance", config.instance.as_ref(), None)?;
    let token = account.secret("token_env", config.token_env.as_ref(), env)?;
    if HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err() || token.expose().contains(' ') {
        // Said without the value: it may be a real secret pasted with something around it.
        let name = config.token_env.as_ref().map_or("", |n| n.get_ref().as_str());
        return Err(Error::Usage(format!(
            "strategy.toml: [platforms.mastodon] token_env names {name}, which holds something that is not an access token (spaces or control characters inside): set it to the token alone"
        )));
    }
    let visibility = match config.visibility.unwrap_or(Visibility::Public) {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Private => "private",
        Visibility::Direct => "direct",
    };
    Ok(Box::new(MastodonClient {
        http: http.clone(),
        base,
        token,
        visibility,
        account: config.account.clone(),
        media_wait: MEDIA_WAIT,
    }))
}

/// A logged-in Mastodon account. `Debug` shows the token as `Secret(***)`.
#[derive(Debug)]
pub(crate) struct MastodonClient {
    http: Http,
    /// `https://instance.example`, no trailing slash.
    base: String,
    token: Secret,
    visibility: &'static str,
    /// `@user@instance` from strategy.toml, for messages to a person.
    account: Option<String>,
    /// The bound on waiting for an upload's processing ([`MEDIA_WAIT`]; shorter in tests).
    media_wait: Duration,
}

/// The fields of a Mastodon `Status` this client reads.
#[derive(Deserialize)]
struct Status {
    id: String,
    url: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

/// How far back from an unfinished request [`MastodonClient::find_sent`] reads the account's
/// posts, and how many it reads at most.
const FIND_SLACK: SignedDuration = SignedDuration::from_mins(5);
const FIND_MAX: usize = 200;

/// The fields of a `MediaAttachment` this client reads: `url` is null while processing.
#[derive(Deserialize)]
struct Media {
    id: String,
    url: Option<String>,
}

impl MastodonClient {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authed(&self, request: RequestBuilder) -> RequestBuilder {
        request.bearer_auth(self.token.expose())
    }

    /// Sends one request and sorts its failure.
    fn send(&self, request: RequestBuilder, what: &str) -> std::result::Result<Response, SendError> {
        let response = self.authed(request).send().map_err(|e| http::transport(&e, what))?;
        http::check(response, what)
    }

    /// A 2xx answer's JSON body as `T`; a body that is not what Mastodon sends is a protocol error.
    fn parse<T: for<'de> Deserialize<'de>>(response: Response, what: &str) -> std::result::Result<T, SendError> {
        let body = response.text().map_err(|e| http::transport(&e, what))?;
        serde_json::from_str(&body).map_err(|e| {
            SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer is not a Mastodon object ({e})"))
        })
    }

    /// Uploads every image of a part and returns the media ids in order.
    fn upload_all(&self, media: &[Upload]) -> std::result::Result<Vec<String>, SendError> {
        media.iter().map(|upload| self.upload(upload)).collect()
    }

    /// `POST /api/v2/media` with the alt text as `description`. Small images come back at once
    /// (200, `url` set); others are processed in the background (202, `url` null) and are
    /// polled with `GET /api/v1/media/:id` (206 while processing) until they have a `url`, for
    /// at most `media_wait`. An upload that never finishes is transient: the next run uploads
    /// again, and the orphaned attachment is cleaned up by the server.
    fn upload(&self, upload: &Upload) -> std::result::Result<String, SendError> {
        let what = format!("uploading the image {}", upload.name);
        let part =
            Part::bytes(upload.bytes.clone()).file_name(upload.name.clone()).mime_str(upload.mime).map_err(|_| {
                SendError::permanent(ErrorKind::Rejected, format!("{what}: `{}` is not a media type", upload.mime))
            })?;
        let form = Form::new().part("file", part).text("description", upload.alt.clone());
        let response = self.send(self.http.client().post(self.url("/api/v2/media")).multipart(form), &what)?;
        let accepted = response.status() == StatusCode::ACCEPTED;
        let media: Media = Self::parse(response, &what)?;
        if !accepted && media.url.is_some() {
            return Ok(media.id);
        }

        let what = format!("waiting for the server to process the image {}", upload.name);
        let deadline = Instant::now() + self.media_wait;
        let mut pause = Duration::from_millis(200);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SendError::transient(format!(
                    "{what}: still not ready after {} s",
                    self.media_wait.as_secs_f32().ceil()
                )));
            }
            thread::sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_secs(2));
            let path = format!("/api/v1/media/{}", media.id);
            let response = self.send(self.http.client().get(self.url(&path)), &what)?;
            let processing = response.status() == StatusCode::PARTIAL_CONTENT;
            let now: Media = Self::parse(response, &what)?;
            if !processing && now.url.is_some() {
                return Ok(now.id);
            }
        }
    }

    /// Where a look-up that cannot tell sends the person: the account's profile where known.
    fn where_to_look(&self) -> String {
        match self.account.as_deref().map(|a| a.trim_start_matches('@')) {
            Some(account) if !account.is_empty() => format!("the posts of @{account}"),
            _ => format!("the account's posts on {}", self.base),
        }
    }
}

/// The status a reply answers: the last part of a thread, or the post itself.
fn reply_target(remote: &Remote) -> &str {
    remote.parts.last().map_or(remote.id.as_str(), String::as_str)
}

/// A status id as it goes into a path: Mastodon ids are digits (snowflakes), but anything else
/// is percent-encoded rather than allowed to change the path.
fn path_id(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Connection for MastodonClient {
    fn platform(&self) -> PlatformId {
        PlatformId::Mastodon
    }

    /// `POST /api/v1/statuses` with `Idempotency-Key: out.key`: a second request with the same
    /// key within the hour returns the first status instead of posting again.
    fn publish(&mut self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        if HeaderValue::from_str(out.key).is_err() {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!("posting a status: the idempotency key {:?} cannot be sent as a header", out.key),
            ));
        }
        let media_ids = self.upload_all(out.media)?;
        let mut form: Vec<(&str, &str)> =
            vec![("status", out.text), ("language", out.lang), ("visibility", self.visibility)];
        if let Some(to) = out.reply_to {
            form.push(("in_reply_to_id", reply_target(to)));
        }
        form.extend(media_ids.iter().map(|id| ("media_ids[]", id.as_str())));
        let request =
            self.http.client().post(self.url("/api/v1/statuses")).header("Idempotency-Key", out.key).form(&form);
        let what = "posting a status";
        let status: Status = Self::parse(self.send(request, what)?, what)?;
        Ok(Remote { id: status.id, url: status.url, parts: Vec::new() })
    }

    /// `PUT /api/v1/statuses/:id`: the new text and language, and the new images when the part
    /// has any (the server keeps the old ones otherwise).
    fn edit(&mut self, remote: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let media_ids = self.upload_all(out.media)?;
        let mut form: Vec<(&str, &str)> = vec![("status", out.text), ("language", out.lang)];
        form.extend(media_ids.iter().map(|id| ("media_ids[]", id.as_str())));
        let path = format!("/api/v1/statuses/{}", path_id(&remote.id));
        let what = "editing a status";
        let status: Status = Self::parse(self.send(self.http.client().put(self.url(&path)).form(&form), what)?, what)?;
        Ok(Remote { id: status.id, url: status.url.or_else(|| remote.url.clone()), parts: remote.parts.clone() })
    }

    /// `DELETE /api/v1/statuses/:id`; a status that is already gone (404, 410) is success.
    fn delete(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        let path = format!("/api/v1/statuses/{}", path_id(&remote.id));
        match self.send(self.http.client().delete(self.url(&path)), "deleting a status") {
            Ok(_) | Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Mastodon cannot be asked whether a request with a given `Idempotency-Key` went through:
    /// there is no look-up by key, and searching the account's posts by text is no proof (the
    /// same text may be posted on purpose, a post may have been edited or deleted since). But
    /// the server remembers each key for one hour, and a re-send with the same key returns the
    /// status the first request made instead of posting a second one. So an intent younger
    /// than 55 minutes (the hour less a margin for clocks and the re-send itself) is
    /// [`Lookup::ResendSafe`]: the re-send *is* the look-up. An older one may no longer be
    /// deduplicated, and sending it again could post twice, so a person decides.
    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> std::result::Result<Lookup, SendError> {
        let key = out.key;
        let age = Timestamp::now().duration_since(intent_at);
        if age < KEY_KEPT && age > -CLOCK_SKEW {
            return Ok(Lookup::ResendSafe);
        }
        let at = intent_at.strftime("%Y-%m-%d %H:%M UTC");
        let why = if age <= -CLOCK_SKEW {
            "lies in the future by this machine's clock, so it cannot tell whether Mastodon still remembers its idempotency key"
        } else {
            "is more than an hour old, and Mastodon forgets idempotency keys after an hour, so sending it again could post it twice"
        };
        Ok(Lookup::CannotTell(format!(
            "the request with idempotency key {key}, sent at {at}, {why}: look at {} around {at} and run `budkavle resolve` to record whether it was published (and its URL) or should be sent again",
            self.where_to_look()
        )))
    }

    /// The account's statuses, newest first, back to `since` (less a few minutes for clocks):
    /// each candidate's source (`GET /api/v1/statuses/:id/source`) is compared with the text
    /// that was sent, which is what Mastodon stores before it renders HTML.
    fn find_sent(&mut self, text: &str, since: Timestamp) -> std::result::Result<Option<Remote>, SendError> {
        let what = "looking for an unfinished post among the account's posts";
        let me: serde_json::Value = Self::parse(
            self.send(self.http.client().get(self.url("/api/v1/accounts/verify_credentials")), what)?,
            what,
        )?;
        let Some(id) = me["id"].as_str() else {
            return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the account has no id")));
        };
        let from = since - FIND_SLACK;
        let mut max_id: Option<String> = None;
        let mut read = 0;
        while read < FIND_MAX {
            let mut path = format!("/api/v1/accounts/{}/statuses?limit=40", path_id(id));
            if let Some(m) = &max_id {
                path.push_str(&format!("&max_id={}", path_id(m)));
            }
            let page: Vec<Status> = Self::parse(self.send(self.http.client().get(self.url(&path)), what)?, what)?;
            if page.is_empty() {
                return Ok(None);
            }
            for status in &page {
                read += 1;
                let created = status.created_at.as_deref().and_then(|c| c.parse::<Timestamp>().ok());
                if created.is_some_and(|c| c < from) {
                    return Ok(None);
                }
                let source_path = format!("/api/v1/statuses/{}/source", path_id(&status.id));
                let source: serde_json::Value =
                    Self::parse(self.send(self.http.client().get(self.url(&source_path)), what)?, what)?;
                if source["text"].as_str().is_some_and(|t| t.trim() == text.trim()) {
                    return Ok(Some(Remote { id: status.id.clone(), url: status.url.clone(), parts: Vec::new() }));
                }
            }
            max_id = page.last().map(|s| s.id.clone());
        }
        Ok(None)
    }

    /// `GET /api/v2/instance` (`configuration.statuses`, `configuration.media_attachments`);
    /// servers before Mastodon 4.0 only have `/api/v1/instance`, with the same configuration
    /// (3.4 and later) or a bare `max_toot_chars` (some forks).
    /// `GET /api/v1/statuses/:id`, one per post (Mastodon has no batch read of statuses by
    /// id for other clients than the web app): `favourites_count`, `reblogs_count`,
    /// `replies_count`, and the author's `followers_count`. Mastodon counts no views, reach or
    /// quotes. A 404 is a status that is gone.
    fn counts(&mut self, remotes: &[Remote]) -> std::result::Result<Vec<Option<Counts>>, SendError> {
        let mut out = Vec::with_capacity(remotes.len());
        for remote in remotes {
            let what = "reading a status's counts";
            let request = self.http.client().get(self.url(&format!("/api/v1/statuses/{}", path_id(&remote.id))));
            let status: serde_json::Value = match self.send(request, what) {
                Ok(response) => Self::parse(response, what)?,
                Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => {
                    out.push(None);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let count = |v: &serde_json::Value| v.as_u64();
            out.push(Some(Counts {
                likes: count(&status["favourites_count"]),
                reposts: count(&status["reblogs_count"]),
                replies: count(&status["replies_count"]),
                followers: count(&status["account"]["followers_count"]),
                ..Counts::default()
            }));
        }
        Ok(out)
    }

    fn limits(&mut self) -> std::result::Result<Limits, SendError> {
        let what = "reading the instance's limits";
        let response = match self.send(self.http.client().get(self.url("/api/v2/instance")), what) {
            Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => {
                self.send(self.http.client().get(self.url("/api/v1/instance")), what)?
            }
            other => other?,
        };
        let instance: serde_json::Value = Self::parse(response, what)?;
        Ok(limits_of(&instance))
    }

    /// Mentions and quotes from the notifications, and the reply tree of each of `posts`:
    /// see [`heard`].
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> std::result::Result<Heard, SendError> {
        heard::interactions(self, posts, cursor)
    }

    /// One `GET /api/v1/statuses/:id` per item: see [`heard::gone`].
    fn gone(&mut self, ids: &[String]) -> std::result::Result<Vec<String>, SendError> {
        heard::gone(self, ids)
    }

    /// `POST /api/v1/statuses/:id/pin`.
    fn pin(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        let path = format!("/api/v1/statuses/{}/pin", path_id(&remote.id));
        self.send(self.http.client().post(self.url(&path)), "pinning a status").map(drop)
    }

    /// `POST /api/v1/statuses/:id/unpin`.
    fn unpin(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        let path = format!("/api/v1/statuses/{}/unpin", path_id(&remote.id));
        self.send(self.http.client().post(self.url(&path)), "unpinning a status").map(drop)
    }

    /// Two reads. `GET /api/v1/accounts/verify_credentials` names the account and carries the
    /// token's rate limit (`X-RateLimit-*`); a 401 there is an invalid token, a 403 for scope a
    /// valid one without a read scope (publishing needs none), any other 403 a login the server
    /// has disabled. Mastodon has no token introspection
    /// (`/oauth/token/info` does not exist), so the scopes come from
    /// `GET /api/v1/apps/verify_credentials`: from Mastodon 4.3 on it answers any valid token
    /// with the application's `scopes`. Those are the most a token of that application can
    /// hold, so a needed scope missing there is certainly missing; one present is very likely
    /// held (a token made under Preferences → Development gets its application's scopes).
    /// Mastodon tokens do not expire, so `expires` stays empty.
    fn health(&mut self) -> std::result::Result<Health, SendError> {
        let mut health = Health { needed: NEEDED.to_vec(), ..Health::default() };
        let what = "reading the account the token belongs to";
        let accepted = match self.send(self.http.client().get(self.url("/api/v1/accounts/verify_credentials")), what) {
            Ok(response) => {
                health.quota = quota_of(response.headers(), Timestamp::now());
                let me: serde_json::Value = Self::parse(response, what)?;
                if let Some(acct) = me["acct"].as_str().filter(|a| !a.is_empty()) {
                    health.account = Some(format!("@{acct}"));
                    if let Some(warning) = self.other_account(acct) {
                        health.warnings.push(warning);
                    }
                }
                true
            }
            // The token was accepted, it just may not read: publishing needs no read scope.
            // Doorkeeper's words for a scope refusal; other 403s here are about the login
            // itself ("Your login is currently disabled", an unconfirmed e-mail address) and
            // would refuse a post just the same, so they stay failures.
            Err(SendError::Permanent { kind: ErrorKind::Forbidden, message })
                if message.contains("outside the authorized scopes") =>
            {
                health.notes.push(
                    "the token may not read its own account (no `read:accounts` or `profile` scope): publishing works without, but an interrupted post older than an hour cannot be looked for among the account's posts".into(),
                );
                true
            }
            Err(e) => return Err(e),
        };

        let what = "reading the token's application and scopes";
        match self.send(self.http.client().get(self.url("/api/v1/apps/verify_credentials")), what) {
            Ok(response) => {
                let app: serde_json::Value = Self::parse(response, what)?;
                let name = app["name"].as_str().unwrap_or("its application");
                match app["scopes"].as_array() {
                    Some(list) => {
                        let scopes: Vec<String> = list.iter().filter_map(|s| s.as_str()).map(str::to_owned).collect();
                        health.missing =
                            NEEDED.iter().filter(|n| !covers(&scopes, n)).map(|n| (*n).to_string()).collect();
                        if !covers(&scopes, "write:accounts") {
                            health.warnings.push(
                                "no `write:accounts` scope: crisis posts with `pin = true` cannot be pinned to the profile".into(),
                            );
                        }
                        health.notes.push(format!(
                            "the scopes are those of the application \"{name}\"; Mastodon does not show a token's own, which are these or fewer"
                        ));
                        health.scopes = Some(scopes);
                    }
                    None => health.notes.push(
                        "this server does not show scopes (Mastodon before 4.3): a missing write scope shows only when a post is sent".into(),
                    ),
                }
            }
            Err(SendError::Permanent { kind: ErrorKind::Auth, .. }) if accepted => health.notes.push(
                "the server shows no application for this token, so its scopes cannot be read: a missing write scope shows only when a post is sent".into(),
            ),
            // Before 4.3 this read needed the `read` scope; very old servers lack it.
            Err(SendError::Permanent { kind: ErrorKind::Forbidden | ErrorKind::NotFound, .. }) => health.notes.push(
                "this server does not show the token's scopes (Mastodon before 4.3, or a token without `read`): a missing write scope shows only when a post is sent".into(),
            ),
            Err(e) => return Err(e),
        }
        Ok(health)
    }
}

impl MastodonClient {
    /// A warning when the token's account is not the one strategy.toml names (compared by
    /// user name: `acct` is bare for a local account, `@user@instance` in strategy.toml).
    fn other_account(&self, acct: &str) -> Option<String> {
        let configured = self.account.as_deref()?.trim().trim_start_matches('@');
        let user = |a: &str| a.split('@').next().unwrap_or("").to_lowercase();
        (!configured.is_empty() && user(configured) != user(acct)).then(|| {
            format!(
                "the token belongs to @{acct}, but strategy.toml's `account` names @{configured}: posts would go out as @{acct}"
            )
        })
    }
}

/// Whether `scopes` grant `needed`: itself, or its parent (`write` grants `write:statuses`).
fn covers(scopes: &[String], needed: &str) -> bool {
    let parent = needed.split_once(':').map(|(p, _)| p);
    scopes.iter().any(|s| s == needed || Some(s.as_str()) == parent)
}

/// The token's rate limit from `X-RateLimit-Limit`, `-Remaining` and `-Reset` (ISO 8601 in
/// Mastodon, Unix seconds in some look-alikes); `None` unless both counts are there.
fn quota_of(headers: &HeaderMap, now: Timestamp) -> Option<Quota> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let limit = header("x-ratelimit-limit")?.parse::<u64>().ok()?;
    let remaining = header("x-ratelimit-remaining")?.parse::<u64>().ok()?;
    let resets = header("x-ratelimit-reset").and_then(|v| {
        v.parse::<Timestamp>().ok().or_else(|| v.parse::<i64>().ok().and_then(|s| Timestamp::from_second(s).ok()))
    });
    Some(Quota {
        what: "API requests in the current window".into(),
        used: limit.saturating_sub(remaining),
        limit,
        resets: resets.filter(|r| *r >= now),
    })
}

/// The limits in an `Instance` object (v2 or v1); what is missing stays `None`.
fn limits_of(instance: &serde_json::Value) -> Limits {
    let number = |pointer: &str| instance.pointer(pointer).and_then(serde_json::Value::as_u64).map(|n| n as usize);
    Limits {
        chars: number("/configuration/statuses/max_characters").or_else(|| number("/max_toot_chars")),
        max_media: number("/configuration/statuses/max_media_attachments"),
        image_bytes: number("/configuration/media_attachments/image_size_limit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::test_server::Seen;
    use std::sync::{Arc, Mutex};

    fn fake(answer: impl Fn(&Seen, usize) -> (u16, String) + Send + 'static) -> (String, Arc<Mutex<Vec<Seen>>>) {
        crate::clients::test_server::serve(answer)
    }

    fn client(base: String, media_wait: Duration) -> MastodonClient {
        MastodonClient {
            http: Http::new(Duration::from_secs(5)).unwrap(),
            base,
            token: Secret::new("tok-3c1d9a"),
            visibility: "public",
            account: Some("@info@social.example".into()),
            media_wait,
        }
    }

    fn image() -> Upload {
        Upload {
            bytes: vec![0x89, b'P', b'N', b'G'],
            mime: "image/png",
            alt: "alt".into(),
            width: 1,
            height: 1,
            name: "a.png".into(),
            public_url: None,
        }
    }

    #[test]
    fn an_upload_in_processing_is_polled_until_it_has_a_url() {
        let (base, seen) = fake(|req, n| match (req.line.as_str(), n) {
            (l, 0) if l.starts_with("POST /api/v2/media ") => (202, r#"{"id":"7","url":null}"#.into()),
            (l, 1) if l.starts_with("GET /api/v1/media/7 ") => (206, r#"{"id":"7","url":null}"#.into()),
            (l, 2) if l.starts_with("GET /api/v1/media/7 ") => (200, r#"{"id":"7","url":"http://m/7.png"}"#.into()),
            (l, 3) if l.starts_with("POST /api/v1/statuses ") => {
                (200, r#"{"id":"99","url":"http://s/@info/99"}"#.into())
            }
            _ => (500, r#"{"error":"unexpected"}"#.into()),
        });
        let mut c = client(base, Duration::from_secs(10));
        let media = [image()];
        let out =
            Outgoing { key: "key-1", text: "Hej", facets: &[], lang: "sv", media: &media, reply_to: None, link: None };
        let remote = c.publish(&out).unwrap();
        assert_eq!(remote, Remote { id: "99".into(), url: Some("http://s/@info/99".into()), parts: vec![] });
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 4, "{seen:#?}");
        let post = &seen[3];
        let header = |name: &str| post.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        assert_eq!(header("idempotency-key"), Some("key-1"));
        assert_eq!(header("authorization"), Some("Bearer tok-3c1d9a"));
        assert_eq!(post.body, "status=Hej&language=sv&visibility=public&media_ids%5B%5D=7");
        assert!(seen[0].body.contains("name=\"description\"") && seen[0].body.contains("filename=\"a.png\""));
    }

    #[test]
    fn an_upload_that_never_finishes_is_transient() {
        let (base, _) = fake(|req, _| {
            if req.line.starts_with("POST /api/v2/media ") {
                (202, r#"{"id":"8","url":null}"#.into())
            } else {
                (206, r#"{"id":"8","url":null}"#.into())
            }
        });
        let mut c = client(base, Duration::from_millis(500));
        let media = [image()];
        let out =
            Outgoing { key: "key-2", text: "Hej", facets: &[], lang: "sv", media: &media, reply_to: None, link: None };
        let err = c.publish(&out).unwrap_err();
        assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
        assert!(err.message().contains("a.png"), "{err}");
    }

    #[test]
    fn limits_fall_back_to_v1_and_delete_of_a_gone_status_is_success() {
        let (base, _) = fake(|req, _| match req.line.split(' ').nth(1).unwrap_or("") {
            "/api/v2/instance" => (404, r#"{"error":"Not found"}"#.into()),
            "/api/v1/instance" => (200, r#"{"configuration":{"statuses":{"max_characters":640}}}"#.into()),
            _ => (404, r#"{"error":"Record not found"}"#.into()),
        });
        let mut c = client(base, MEDIA_WAIT);
        assert_eq!(c.limits().unwrap(), Limits { chars: Some(640), max_media: None, image_bytes: None });
        c.delete(&Remote { id: "5".into(), url: None, parts: vec![] }).unwrap();
    }

    #[test]
    fn the_token_stays_out_of_debug_output_and_messages() {
        let c = client("http://127.0.0.1:9".into(), MEDIA_WAIT);
        let shown = format!("{c:?}");
        assert!(!shown.contains("tok-3c1d9a") && shown.contains("Secret(***)"), "{shown}");
        let mut c = c;
        let old = Timestamp::now().checked_sub(SignedDuration::from_hours(3)).unwrap();
        let out =
            Outgoing { key: "key-9", text: "Hej", facets: &[], lang: "sv", media: &[], reply_to: None, link: None };
        let Lookup::CannotTell(why) = c.lookup(&out, old).unwrap() else { panic!("old intents need a person") };
        assert!(why.contains("@info@social.example") && why.contains("budkavle resolve"), "{why}");
        assert!(!why.contains("tok-3c1d9a"));
    }

    #[test]
    fn health_reads_the_account_and_the_applications_scopes() {
        let (base, seen) = fake(|req, _| match req.line.split(' ').nth(1).unwrap_or("") {
            "/api/v1/accounts/verify_credentials" => (200, r#"{"id":"1","acct":"info"}"#.into()),
            "/api/v1/apps/verify_credentials" => {
                (200, r#"{"name":"budkavle","scopes":["read","write:statuses","write:accounts"]}"#.into())
            }
            _ => (404, r#"{"error":"Not found"}"#.into()),
        });
        let mut c = client(base, MEDIA_WAIT);
        let health = c.health().unwrap();
        assert_eq!(health.account.as_deref(), Some("@info"));
        assert_eq!(health.needed, vec!["write:statuses", "write:media"]);
        assert_eq!(health.missing, vec!["write:media".to_string()], "{health:?}");
        assert!(health.warnings.is_empty(), "write:accounts is there and the account matches: {health:?}");
        assert_eq!(health.expires, None, "Mastodon tokens do not expire");
        let seen = seen.lock().unwrap();
        assert!(seen.iter().all(|s| s.line.starts_with("GET ")), "a check changes nothing: {seen:#?}");
    }

    #[test]
    fn health_tells_an_invalid_token_from_one_that_may_not_read() {
        let (base, _) = fake(|_, _| (401, r#"{"error":"The access token is invalid"}"#.into()));
        let err = client(base, MEDIA_WAIT).health().unwrap_err();
        assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{err:?}");

        // A write-only token on a server before 4.3: both reads are refused, the token is fine.
        let (base, _) = fake(|_, _| (403, r#"{"error":"This action is outside the authorized scopes"}"#.into()));
        let health = client(base, MEDIA_WAIT).health().unwrap();
        assert_eq!((health.scopes, health.missing.len()), (None, 0));
        assert!(health.notes.iter().any(|n| n.contains("read:accounts")), "{:?}", health.notes);

        // A disabled login is refused whatever the scopes: that stays a failure.
        let (base, _) = fake(|_, _| (403, r#"{"error":"Your login is currently disabled"}"#.into()));
        let err = client(base, MEDIA_WAIT).health().unwrap_err();
        assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{err:?}");

        // Someone else's token.
        let (base, _) = fake(|req, _| match req.line.split(' ').nth(1).unwrap_or("") {
            "/api/v1/accounts/verify_credentials" => (200, r#"{"id":"2","acct":"kalle"}"#.into()),
            _ => (200, r#"{"name":"x","scopes":["write"]}"#.into()),
        });
        let health = client(base, MEDIA_WAIT).health().unwrap();
        assert!(health.missing.is_empty(), "`write` covers every write scope");
        assert!(
            health.warnings.iter().any(|w| w.contains("@kalle") && w.contains("@info@social.example")),
            "{health:?}"
        );
    }

    #[test]
    fn rate_limit_headers_in_iso_or_unix_seconds() {
        use reqwest::header::HeaderName;
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let headers = |reset: &str| {
            let mut h = HeaderMap::new();
            for (k, v) in [("x-ratelimit-limit", "300"), ("x-ratelimit-remaining", "297"), ("x-ratelimit-reset", reset)]
            {
                h.insert(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
            }
            h
        };
        let q = quota_of(&headers("2026-12-01T12:05:00.000Z"), now).unwrap();
        assert_eq!((q.used, q.limit, q.remaining()), (3, 300, 297));
        assert_eq!(q.resets, Some("2026-12-01T12:05:00Z".parse().unwrap()));
        let epoch = (now.as_second() + 60).to_string();
        assert_eq!(quota_of(&headers(&epoch), now).unwrap().resets.map(|r| r.as_second()), Some(now.as_second() + 60));
        assert_eq!(quota_of(&HeaderMap::new(), now), None);
    }

    #[test]
    fn replies_go_to_the_last_part_of_a_thread() {
        let single = Remote { id: "1".into(), url: None, parts: vec![] };
        assert_eq!(reply_target(&single), "1");
        let thread = Remote { id: "1".into(), url: None, parts: vec!["1".into(), "2".into(), "3".into()] };
        assert_eq!(reply_target(&thread), "3");
    }

    #[test]
    fn ids_cannot_change_the_path() {
        assert_eq!(path_id("109876543210"), "109876543210");
        assert_eq!(path_id("../admin?x"), "%2E%2E%2Fadmin%3Fx");
    }

    #[test]
    fn limits_from_v2_v1_and_forks() {
        let v2 = serde_json::json!({"configuration": {
            "statuses": {"max_characters": 1000, "max_media_attachments": 4},
            "media_attachments": {"image_size_limit": 16777216}}});
        assert_eq!(limits_of(&v2), Limits { chars: Some(1000), max_media: Some(4), image_bytes: Some(16777216) });
        let fork = serde_json::json!({"max_toot_chars": 5000});
        assert_eq!(limits_of(&fork), Limits { chars: Some(5000), max_media: None, image_bytes: None });
    }
}
