//! Sending to an X account through the X API v2: the [`Connection`] behind `budkavle publish`.
//!
//! What it does, and the documentation it follows:
//!
//! - Posts, threads (each part a reply, `reply.in_reply_to_tweet_id`) and edits
//!   (`edit_options.previous_post_id`): `POST /2/tweets`,
//!   <https://docs.x.com/x-api/posts/create-post>,
//!   <https://docs.x.com/x-api/posts/manage-tweets/quickstart>,
//!   <https://docs.x.com/x-api/posts/create-or-edit-post>. X edits a post only within 30 minutes
//!   of posting, at most 5 times, never replies to others or polls, and every edit gets a new
//!   id (<https://docs.x.com/x-api/fundamentals/edit-posts>). The publisher plans an edit only
//!   inside that window ([`crate::platform::editing`]); after it a changed post goes out as a
//!   correction, a reply to the post (`reply.in_reply_to_tweet_id`) starting "Rättelse:" /
//!   "Correction:", looked up after an interruption like any reply. An edit X refuses anyway is
//!   [`ErrorKind::Unsupported`] with that advice.
//! - Deleting: `DELETE /2/tweets/:id` (same quickstart); deleting any version of an edited post
//!   deletes them all, and a post already gone is success.
//! - Images: the v2 media upload, `POST /2/media/upload/initialize`, `…/:id/append`,
//!   `…/:id/finalize` and, while X processes it, `GET /2/media/upload?command=STATUS`
//!   (<https://docs.x.com/x-api/media/quickstart/media-upload-chunked>,
//!   <https://docs.x.com/x-api/media/initialize-media-upload>,
//!   <https://docs.x.com/x-api/media/get-media-upload-status>), then the alt text with
//!   `POST /2/media/metadata` (<https://docs.x.com/x-api/media/create-media-metadata>, at most
//!   1000 characters). Limits: 4 images a post, 5 MB an image, 15 MB a GIF
//!   (<https://docs.x.com/x-api/media/introduction>); 280 weighted characters
//!   (<https://docs.x.com/fundamentals/counting-characters>).
//! - Signing in, whichever `[platforms.x]` names: OAuth 1.0a user context with the four keys
//!   (see [`oauth1`]; they do not expire, which suits a CI job), or an OAuth 2.0 user access
//!   token in `token_env` with the scopes `tweet.read tweet.write users.read media.write`
//!   (<https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code>; such tokens
//!   last two hours unless refreshed, so an expired one is an [`ErrorKind::Auth`] that says so).
//! - Failures (<https://docs.x.com/x-api/fundamentals/response-codes-and-errors>,
//!   <https://docs.x.com/x-api/fundamentals/rate-limits>): a used-up 15-minute window
//!   (`x-rate-limit-reset`) and the 24-hour posting limits (`x-app-limit-24hour-*`,
//!   `x-user-limit-24hour-*`) are transient with the wait until their reset; the monthly usage
//!   cap (`UsageCapExceeded`) is permanent, since waiting minutes does not help; problem `type`s
//!   are matched on the part after `/2/problems/`, as X moved them from `api.twitter.com` to
//!   `api.x.com`.
//!
//! Exactly once without idempotency keys: X has none, and a request whose answer was lost may
//! have made a post. So a look-up after an interrupted request lists the account's own posts
//! (`GET /2/users/:id/tweets` with `start_time` a few minutes before the intent, paged with
//! `pagination_token`: <https://docs.x.com/x-api/users/get-posts>,
//! <https://docs.x.com/x-api/posts/timelines/integrate>) and compares their text, brought back
//! to the sent form (t.co links expanded, HTML escapes undone: [`text`]), with the text that was
//! sent — and for a thread part also the post it answers. Found is the post; a listing that
//! reaches back past the intent without it is Absent; the timeline shows only the 3200 newest
//! posts (<https://docs.x.com/x-api/posts/timelines/migrate/standard-to-twitter-api-v2>), so a
//! listing cut off by that cannot tell, and a person decides. X's own refusal of duplicate text
//! (403 "duplicate content") backs this up: it means the text probably went out already, so the
//! post is looked up the same way and returned, never sent blindly again.
//!
//! One request per step, no retries (the publisher owns those). Secrets live in [`Secret`]s and
//! reach the wire only in the `Authorization` header: no message or `Debug` output here can
//! contain them.

mod heard;
mod oauth1;
mod text;

use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::clients::account::Account;
use crate::clients::api::{
    Connection, Counts, ErrorKind, Health, Heard, Limits, Lookup, Outgoing, Secret, SendError, Upload,
};
use crate::clients::http::{self, Http};
use crate::error::{Error, Result};
use crate::platform::{PlatformId, Remote};

const DEFAULT_API: &str = "https://api.x.com";

const CHARS: usize = 280;
const MAX_IMAGES: usize = 4;
const IMAGE_BYTES: usize = 5 * 1024 * 1024;
const GIF_BYTES: usize = 15 * 1024 * 1024;
const ALT_CHARS: usize = 1000;
/// The size of one `append`: small enough that a slow line finishes each within the timeout.
const CHUNK: usize = 1024 * 1024;

/// How long an upload may stay in X's processing (GIFs) before the part is given up for this
/// run as a transient failure.
const MEDIA_WAIT: Duration = Duration::from_secs(60);

/// How far before an intent the account's posts are read: another machine's clock may differ.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// The user timeline lists only the newest 3200 posts of an account.
const TIMELINE_CAP: usize = 3200;

/// How far back a refused duplicate is looked for. X does not document how long it refuses
/// identical text; a day covers a retry within a run and the run after it.
const DUPLICATE_LOOKBACK: SignedDuration = SignedDuration::from_hours(24);

/// The OAuth 2.0 scopes each kind of call needs (the endpoints' `security` in X's OpenAPI
/// description), named when a token lacks one: X's own answer is a bare "Forbidden".
const POST_SCOPES: &str = "tweet.read tweet.write users.read";
const READ_SCOPES: &str = "tweet.read users.read";
const MEDIA_SCOPES: &str = "media.write";
const HIDE_SCOPES: &str = "tweet.read users.read tweet.moderate.write";

/// Logs in to the account `[platforms.x]` configures: `api_url` (default `https://api.x.com`),
/// and either the four OAuth 1.0a keys (`api_key_env`, `api_secret_env`, `access_token_env`,
/// `access_secret_env`) or an OAuth 2.0 user token (`token_env`). No request is made until the
/// first call.
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let config = account.config;
    let base = account.base_url("api_url", config.api_url.as_ref(), Some(DEFAULT_API))?;
    let oauth1_named =
        [&config.api_key_env, &config.api_secret_env, &config.access_token_env, &config.access_secret_env]
            .iter()
            .any(|f| f.is_some());
    let auth = match (oauth1_named, config.token_env.as_ref()) {
        (true, Some(_)) => {
            return Err(Error::Usage(
                "strategy.toml: [platforms.x] names both OAuth 1.0a keys (api_key_env, api_secret_env, access_token_env, access_secret_env) and an OAuth 2.0 token (token_env): keep one way of signing in (the OAuth 1.0a keys do not expire)".into(),
            ));
        }
        (true, None) => Auth::OAuth1(oauth1::Keys {
            consumer_key: account.secret("api_key_env", config.api_key_env.as_ref(), env)?,
            consumer_secret: account.secret("api_secret_env", config.api_secret_env.as_ref(), env)?,
            token: account.secret("access_token_env", config.access_token_env.as_ref(), env)?,
            token_secret: account.secret("access_secret_env", config.access_secret_env.as_ref(), env)?,
        }),
        (false, Some(name)) => {
            let token = account.secret("token_env", Some(name), env)?;
            if HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err() || token.expose().contains(' ') {
                // Said without the value: it may be a real secret pasted with something around it.
                return Err(Error::Usage(format!(
                    "strategy.toml: [platforms.x] token_env names {}, which holds something that is not an access token (spaces or control characters inside): set it to the token alone",
                    name.get_ref()
                )));
            }
            Auth::Bearer(token)
        }
        (false, None) => {
            return Err(Error::Usage(
                "strategy.toml: [platforms.x] names no credentials: give the environment variables of the four OAuth 1.0a keys of the app and account (api_key_env, api_secret_env, access_token_env, access_secret_env; they do not expire), or token_env for an OAuth 2.0 user access token with the scopes tweet.read tweet.write users.read media.write".into(),
            ));
        }
    };
    Ok(Box::new(XClient {
        http: http.clone(),
        base,
        auth,
        account: config.account.clone(),
        me: None,
        media_wait: MEDIA_WAIT,
    }))
}

/// How requests are signed. `Debug` shows no secret.
#[derive(Debug)]
enum Auth {
    OAuth1(oauth1::Keys),
    Bearer(Secret),
}

/// A logged-in X account.
#[derive(Debug)]
pub(crate) struct XClient {
    http: Http,
    /// `https://api.x.com`, no trailing slash.
    base: String,
    auth: Auth,
    /// The handle from strategy.toml, for messages before `/2/users/me` answered.
    account: Option<String>,
    /// The account the credentials belong to, asked once.
    me: Option<Me>,
    /// The bound on waiting for X's processing of an upload ([`MEDIA_WAIT`]).
    media_wait: Duration,
}

#[derive(Debug, Clone)]
struct Me {
    id: String,
    username: String,
}

/// A failed call: what it means for the publisher, and which of X's answers it was, for the
/// callers that take some of them as an answer.
#[derive(Debug)]
struct Failure {
    why: Why,
    send: SendError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// 403 "You are not allowed to create a Tweet with duplicate content."
    Duplicate,
    /// Another 403 about the post itself, not the credentials (e.g. an edit X refuses).
    Refused,
    Other,
}

impl From<SendError> for Failure {
    fn from(send: SendError) -> Failure {
        Failure { why: Why::Other, send }
    }
}

impl From<Failure> for SendError {
    fn from(f: Failure) -> SendError {
        f.send
    }
}

/// One page of `GET /2/users/:id/tweets`.
#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<Post>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Meta {
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct Post {
    id: String,
    text: String,
    #[serde(default)]
    entities: Entities,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
}

#[derive(Deserialize, Default)]
struct Entities {
    #[serde(default)]
    urls: Vec<text::UrlEntity>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

/// What a search of the account's posts came to.
enum Search {
    Found(Remote),
    /// Every post since the start was read, and none is the one looked for.
    Complete,
    /// The timeline's 3200 posts ended before the start was reached.
    CutOff,
}

impl XClient {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs and sends one request; a 2xx answer's JSON, or the failure it means. `scopes` are
    /// the OAuth 2.0 scopes the call needs, for the message when the token lacks one.
    fn call(&self, request: RequestBuilder, what: &str, scopes: &str) -> Result<Value, Failure> {
        let mut request = request.build().map_err(|e| http::transport(&e, what))?;
        let header = match &self.auth {
            Auth::OAuth1(keys) => oauth1::authorization(keys, request.method().as_str(), request.url()),
            Auth::Bearer(token) => format!("Bearer {}", token.expose()),
        };
        let mut value = HeaderValue::from_str(&header).map_err(|_| {
            SendError::permanent(ErrorKind::Auth, format!("{what}: the credentials cannot be sent in a header"))
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        let response = self.http.client().execute(request).map_err(|e| http::transport(&e, what))?;
        read(response, what, scopes, matches!(self.auth, Auth::OAuth1(_)))
    }

    /// The account the credentials belong to: `GET /2/users/me`, once per connection.
    fn me(&mut self, what: &str) -> Result<Me, SendError> {
        if let Some(me) = &self.me {
            return Ok(me.clone());
        }
        let json = self.call(self.http.client().get(self.url("/2/users/me")), what, READ_SCOPES)?;
        let field = |k: &str| json.pointer(&format!("/data/{k}")).and_then(Value::as_str).map(str::to_owned);
        let (Some(id), Some(username)) = (field("id"), field("username")) else {
            return Err(SendError::permanent(
                ErrorKind::Protocol,
                format!("{what}: /2/users/me gave no id or username"),
            ));
        };
        let me = Me { id, username };
        self.me = Some(me.clone());
        Ok(me)
    }

    fn remote(&self, id: &str) -> Remote {
        let url = self.me.as_ref().map(|me| format!("https://x.com/{}/status/{id}", me.username));
        Remote { id: id.to_string(), url, parts: Vec::new() }
    }

    /// The id of the post a create or edit answered with.
    fn created(&self, json: &Value, what: &str) -> Result<Remote, SendError> {
        match json.pointer("/data/id").and_then(Value::as_str) {
            Some(id) => Ok(self.remote(id)),
            None => Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no data.id"))),
        }
    }

    /// Where a person should look: the account's profile.
    fn where_to_look(&self) -> String {
        let handle = self.me.as_ref().map(|m| m.username.clone()).or_else(|| {
            self.account.as_deref().map(|a| a.trim().trim_start_matches('@').to_string()).filter(|a| !a.is_empty())
        });
        match handle {
            Some(h) => format!("the posts of @{h} (https://x.com/{h})"),
            None => "the account's posts on X".into(),
        }
    }

    /// Uploads every image of a part and returns the media ids in order.
    fn upload_all(&self, media: &[Upload], what: &str) -> Result<Vec<String>, SendError> {
        media.iter().map(|upload| self.upload(upload, what)).collect()
    }

    /// initialize, append (1 MB at a time), finalize, wait while X processes it, alt text.
    fn upload(&self, upload: &Upload, what: &str) -> Result<String, SendError> {
        let what = format!("{what}: uploading {}", upload.name);
        let category = if upload.mime == "image/gif" { "tweet_gif" } else { "tweet_image" };
        let body = json!({ "media_type": upload.mime, "total_bytes": upload.bytes.len(), "media_category": category });
        let init = self.call(
            self.http.client().post(self.url("/2/media/upload/initialize")).json(&body),
            &what,
            MEDIA_SCOPES,
        )?;
        let Some(id) = init.pointer("/data/id").and_then(Value::as_str).filter(|id| is_id(id)).map(str::to_owned)
        else {
            return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: initialize gave no media id")));
        };
        for (n, chunk) in upload.bytes.chunks(CHUNK).enumerate() {
            let media = Part::bytes(chunk.to_vec())
                .file_name(upload.name.clone())
                .mime_str("application/octet-stream")
                .map_err(|e| SendError::permanent(ErrorKind::Protocol, format!("{what}: {e}")))?;
            let form = Form::new().text("segment_index", n.to_string()).part("media", media);
            let path = format!("/2/media/upload/{id}/append");
            self.call(self.http.client().post(self.url(&path)).multipart(form), &what, MEDIA_SCOPES)?;
        }
        let path = format!("/2/media/upload/{id}/finalize");
        let finalized = self.call(self.http.client().post(self.url(&path)), &what, MEDIA_SCOPES)?;
        self.wait_processed(&id, finalized.pointer("/data/processing_info"), &what)?;
        let alt = json!({ "id": id, "metadata": { "alt_text": { "text": upload.alt } } });
        self.call(self.http.client().post(self.url("/2/media/metadata")).json(&alt), &what, MEDIA_SCOPES)?;
        Ok(id)
    }

    /// Images are ready at finalize (no `processing_info`); GIFs are processed, and
    /// `STATUS` is asked after the `check_after_secs` X names until `succeeded`.
    fn wait_processed(&self, id: &str, info: Option<&Value>, what: &str) -> Result<(), SendError> {
        let deadline = Instant::now() + self.media_wait;
        let mut info = info.cloned();
        loop {
            let Some(current) = &info else { return Ok(()) };
            match current.get("state").and_then(Value::as_str) {
                None | Some("succeeded") => return Ok(()),
                Some("failed") => {
                    let said = current.pointer("/error/message").and_then(Value::as_str).unwrap_or("no reason given");
                    return Err(SendError::permanent(
                        ErrorKind::Rejected,
                        format!("{what}: X could not process the file ({said})"),
                    ));
                }
                Some(_) => {}
            }
            let after = current.get("check_after_secs").and_then(Value::as_u64).unwrap_or(1).clamp(1, 30);
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SendError::transient(format!(
                    "{what}: X was still processing it after {} s",
                    self.media_wait.as_secs()
                )));
            }
            thread::sleep(Duration::from_secs(after).min(left));
            let request =
                self.http.client().get(self.url("/2/media/upload")).query(&[("command", "STATUS"), ("media_id", id)]);
            let status = self.call(request, what, MEDIA_SCOPES)?;
            info = Some(status.pointer("/data/processing_info").cloned().unwrap_or(json!({ "state": "succeeded" })));
        }
    }

    /// The account's posts from `since` (less [`CLOCK_SKEW`]) on, newest first, searched for
    /// `wanted` as X stores it; for a reply only posts answering `reply`.
    fn search(&mut self, wanted: &str, reply: Option<&str>, since: Timestamp, what: &str) -> Result<Search, SendError> {
        let me = self.me(what)?;
        let start = since.min(Timestamp::now()) - CLOCK_SKEW;
        let start = start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let path = format!("/2/users/{}/tweets", me.id);
        let mut token: Option<String> = None;
        let mut read = 0;
        loop {
            let mut query = vec![
                ("max_results", "100"),
                ("start_time", start.as_str()),
                ("tweet.fields", "created_at,entities,referenced_tweets"),
            ];
            if let Some(t) = &token {
                query.push(("pagination_token", t.as_str()));
            }
            let json = self.call(self.http.client().get(self.url(&path)).query(&query), what, READ_SCOPES)?;
            let page: Page = serde_json::from_value(json).map_err(|e| {
                SendError::permanent(ErrorKind::Protocol, format!("{what}: the timeline is not a list of posts ({e})"))
            })?;
            for post in &page.data {
                read += 1;
                let answers = |id: &str| post.referenced_tweets.iter().any(|r| r.kind == "replied_to" && r.id == id);
                if reply.is_none_or(answers) && text::same(wanted, &post.text, &post.entities.urls) {
                    return Ok(Search::Found(self.remote(&post.id)));
                }
            }
            match page.meta.next_token {
                Some(next) if read < TIMELINE_CAP && !page.data.is_empty() => token = Some(next),
                Some(_) => return Ok(Search::CutOff),
                None if read >= TIMELINE_CAP => return Ok(Search::CutOff),
                None => return Ok(Search::Complete),
            }
        }
    }

    /// After X refused the text as a duplicate: the earlier post with it, which is most likely
    /// this very part sent by an attempt whose answer was lost.
    fn settle_duplicate(&mut self, out: &Outgoing<'_>, refused: SendError) -> Result<Remote, SendError> {
        let what = "posting to X: looking for the earlier post X calls a duplicate";
        let since = Timestamp::now() - DUPLICATE_LOOKBACK;
        match self.search(out.text, out.reply_to.map(reply_target), since, what)? {
            Search::Found(remote) => Ok(remote),
            Search::Complete | Search::CutOff => Err(SendError::permanent(
                ErrorKind::Rejected,
                format!(
                    "{}; no post of the last 24 hours has exactly this text{}: look at {} for it — if it is this post, record it with `budkavle resolve`; if not, change the text (X refuses identical text)",
                    refused.message(),
                    if out.reply_to.is_some() { " in answer to the same post" } else { "" },
                    self.where_to_look()
                ),
            )),
        }
    }

    /// Why X refused an edit, from the post's documented `edit_controls`, as advice.
    fn not_editable(&self, remote: &Remote, refused: &SendError, what: &str) -> SendError {
        let path = format!("/2/tweets/{}", remote.id);
        let request = self.http.client().get(self.url(&path)).query(&[("tweet.fields", "edit_controls")]);
        let controls =
            self.call(request, what, READ_SCOPES).ok().and_then(|j| j.pointer("/data/edit_controls").cloned());
        let reason = match controls {
            Some(c) if c.get("is_edit_eligible").and_then(Value::as_bool) == Some(false) => {
                "this kind of post cannot be edited (a reply to someone else, a poll)".to_string()
            }
            Some(c) if c.get("edits_remaining").and_then(Value::as_u64) == Some(0) => {
                "its 5 edits are used up".to_string()
            }
            Some(c) => match c.get("editable_until").and_then(Value::as_str) {
                Some(until) => format!("it could be edited until {until}"),
                None => refused.message().to_string(),
            },
            None => refused.message().to_string(),
        };
        SendError::permanent(
            ErrorKind::Unsupported,
            format!(
                "{what}: X cannot edit post {} any more: {reason}. X edits a post only within 30 minutes of posting and at most 5 times; publish the change as a correction instead (a new post with `corrects = \"<this post>\"`, which goes out as a reply to it)",
                remote.id
            ),
        )
    }
}

/// A response as JSON, or the failure it means. A 200 that carries only a `resource-not-found`
/// error is X's answer for a post that is gone.
fn read(response: Response, what: &str, scopes: &str, oauth1: bool) -> Result<Value, Failure> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().map_err(|e| http::transport(&e, what))?;
    if !status.is_success() {
        return Err(failure(status, &headers, &body, what, scopes, oauth1, Timestamp::now()));
    }
    if body.trim().is_empty() {
        return Ok(Value::Null);
    }
    let json: Value = serde_json::from_str(&body)
        .map_err(|_| SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer is not JSON")))?;
    if json.get("data").is_none()
        && let Some(gone) = json
            .get("errors")
            .and_then(Value::as_array)
            .and_then(|errors| errors.iter().find(|e| problem_kind(e) == Some("resource-not-found")))
    {
        let detail = gone.get("detail").and_then(Value::as_str).unwrap_or("not found");
        return Err(SendError::permanent(ErrorKind::NotFound, format!("{what}: {detail}")).into());
    }
    Ok(json)
}

/// The part of a problem `type` after `/2/problems/` (`https://api.x.com/2/problems/…`, formerly
/// `https://api.twitter.com/2/problems/…`).
fn problem_kind(problem: &Value) -> Option<&str> {
    problem.get("type").and_then(Value::as_str).and_then(|t| t.split_once("/2/problems/")).map(|(_, kind)| kind)
}

/// What a failed answer means, from its status, its headers and X's problem body.
fn failure(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    what: &str,
    scopes: &str,
    oauth1: bool,
    now: Timestamp,
) -> Failure {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let field = |k: &str| json.get(k).and_then(Value::as_str).unwrap_or("");
    let (title, detail, kind) = (field("title"), field("detail"), problem_kind(&json).unwrap_or(""));
    let messages: Vec<&str> = json
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().filter_map(|e| e.get("message").and_then(Value::as_str)).collect())
        .unwrap_or_default();
    let said = if !messages.is_empty() {
        messages.join("; ")
    } else if !detail.is_empty() {
        detail.to_string()
    } else if !title.is_empty() {
        title.to_string()
    } else {
        http::server_message(body)
    };
    let message = format!("{what}: HTTP {status}: {said}");
    let permanent = |kind: ErrorKind, text: String| Failure { why: Why::Other, send: SendError::permanent(kind, text) };
    match status.as_u16() {
        429 if title == "UsageCapExceeded" || kind == "usage-capped" => permanent(
            ErrorKind::Forbidden,
            format!(
                "{message}: the X app's usage cap for the period is used up, and waiting minutes does not help: raise the app's plan in the X developer portal, or the posts wait until the cap resets"
            ),
        ),
        429 => {
            let exhausted = |prefix: &str| {
                header(headers, &format!("{prefix}-remaining"))
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|n| n <= 0)
            };
            let reset = |prefix: &str| wait_until(headers, &format!("{prefix}-reset"), now);
            let (text, retry_after) = if exhausted("x-user-limit-24hour") {
                (format!("{message}: the account's 24-hour posting limit is used up"), reset("x-user-limit-24hour"))
            } else if exhausted("x-app-limit-24hour") {
                (format!("{message}: the X app's 24-hour posting limit is used up"), reset("x-app-limit-24hour"))
            } else {
                (message, reset("x-rate-limit").or_else(|| http::wait_asked(headers, now)))
            };
            Failure { why: Why::Other, send: SendError::Transient { message: text, retry_after } }
        }
        401 if oauth1 => permanent(
            ErrorKind::Auth,
            format!(
                "{message}: X refused the OAuth 1.0a signature: the four keys (api_key_env, api_secret_env, access_token_env, access_secret_env) must be current and of the same app and account, and this machine's clock must be right (a signature carries the time)"
            ),
        ),
        401 => permanent(
            ErrorKind::Auth,
            format!(
                "{message}: X refused the OAuth 2.0 token in token_env: it is unknown, revoked or expired (user tokens last two hours unless refreshed; the OAuth 1.0a keys do not expire)"
            ),
        ),
        403 if detail.contains("duplicate content") => Failure {
            why: Why::Duplicate,
            send: SendError::permanent(ErrorKind::Rejected, format!("{message} (X refuses identical text)")),
        },
        403 if kind == "unsupported-authentication" => permanent(
            ErrorKind::Auth,
            format!(
                "{message}: token_env holds an app-only token; posting needs a user's: OAuth 1.0a keys or an OAuth 2.0 user access token"
            ),
        ),
        403 if kind == "oauth1-permissions" => permanent(
            ErrorKind::Forbidden,
            format!(
                "{message}: the X app may only read: set its permissions to \"Read and write\" in the developer portal, then regenerate the access token and secret (a token keeps the permission it was made with)"
            ),
        ),
        403 if detail.is_empty() || detail == "Forbidden" => permanent(
            ErrorKind::Forbidden,
            if oauth1 {
                format!("{message}: the account or app may not do this")
            } else {
                format!("{message}: the OAuth 2.0 token lacks a scope: this needs {scopes}")
            },
        ),
        403 if detail.contains("deleted or not visible") => {
            permanent(ErrorKind::NotFound, format!("{message}: the post it refers to is gone"))
        }
        403 => Failure { why: Why::Refused, send: SendError::permanent(ErrorKind::Forbidden, message) },
        _ => Failure { why: Why::Other, send: http::classify(status, http::wait_asked(headers, now), &said, what) },
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The wait until the Unix time in header `name`.
fn wait_until(headers: &HeaderMap, name: &str, now: Timestamp) -> Option<Duration> {
    let at = header(headers, name)?.parse::<i64>().ok()?;
    Some(Duration::from_secs((at - now.as_second()).max(0) as u64))
}

/// X's ids are up to 19 digits; anything else is refused before it can change a path.
fn is_id(id: &str) -> bool {
    (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

fn post_id<'a>(remote: &'a Remote, what: &str) -> Result<&'a str, SendError> {
    if is_id(&remote.id) {
        Ok(&remote.id)
    } else {
        Err(SendError::permanent(ErrorKind::NotFound, format!("{what}: {:?} is not an X post id", remote.id)))
    }
}

/// The post a reply answers: the last part of a thread, or the post itself.
fn reply_target(remote: &Remote) -> &str {
    remote.parts.last().map_or(remote.id.as_str(), String::as_str)
}

/// Refuses what X would refuse, before anything is uploaded.
fn check_media(media: &[Upload]) -> Result<(), SendError> {
    if media.len() > MAX_IMAGES {
        return Err(SendError::permanent(
            ErrorKind::Rejected,
            format!("X takes at most {MAX_IMAGES} images in a post; this one has {}", media.len()),
        ));
    }
    for m in media {
        let max = if m.mime == "image/gif" { GIF_BYTES } else { IMAGE_BYTES };
        if m.bytes.is_empty() || m.bytes.len() > max {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!("the image {} is {} bytes; X takes 1 to {max} bytes (make it smaller)", m.name, m.bytes.len()),
            ));
        }
        if m.alt.chars().count() > ALT_CHARS {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!("the alt text of {} is longer than the {ALT_CHARS} characters X takes: shorten it", m.name),
            ));
        }
    }
    Ok(())
}

impl Connection for XClient {
    fn platform(&self) -> PlatformId {
        PlatformId::X
    }

    /// `GET /2/users/me`: whether the credentials log in, and as whom. X shows a token's
    /// scopes only when it is issued, so a missing scope shows on the first post.
    fn health(&mut self) -> Result<Health, SendError> {
        let me = self.me("reading the account the credentials belong to")?;
        let mut health = Health {
            account: Some(format!("@{}", me.username)),
            needed: vec!["tweet.read", "tweet.write", "users.read", "media.write"],
            ..Health::default()
        };
        if let Some(configured) = self.account.as_deref().map(|h| h.trim().trim_start_matches('@'))
            && !configured.is_empty()
            && !configured.eq_ignore_ascii_case(&me.username)
        {
            health.warnings.push(format!(
                "the credentials belong to @{}, but strategy.toml's `account` names @{configured}: posts would go out as @{}",
                me.username, me.username
            ));
        }
        health.notes.push(match self.auth {
            Auth::OAuth1(_) => "OAuth 1.0a keys do not expire; X does not show their permissions: a read-only app shows on the first post".into(),
            _ => "X does not show an OAuth 2.0 token's scopes or expiry after it is issued: a missing scope shows on the first post".into(),
        });
        Ok(health)
    }

    /// `POST /2/tweets`. The account is asked for first, so the post's URL is known without a
    /// request after it is made.
    fn publish(&mut self, out: &Outgoing<'_>) -> Result<Remote, SendError> {
        let what = "posting to X";
        check_media(out.media)?;
        self.me(what)?;
        let media_ids = self.upload_all(out.media, what)?;
        let mut body = json!({});
        if !out.text.is_empty() {
            body["text"] = json!(out.text);
        }
        if let Some(to) = out.reply_to {
            body["reply"] = json!({ "in_reply_to_tweet_id": reply_target(to) });
        }
        if !media_ids.is_empty() {
            body["media"] = json!({ "media_ids": media_ids });
        }
        match self.call(self.http.client().post(self.url("/2/tweets")).json(&body), what, POST_SCOPES) {
            Ok(json) => self.created(&json, what),
            Err(Failure { why: Why::Duplicate, send }) => self.settle_duplicate(out, send),
            Err(f) => Err(f.send),
        }
    }

    /// `POST /2/tweets` with `edit_options.previous_post_id`: a new post id for the new version.
    /// New images replace the old ones; without any X keeps the old.
    fn edit(&mut self, remote: &Remote, out: &Outgoing<'_>) -> Result<Remote, SendError> {
        let what = "editing a post on X";
        let id = post_id(remote, what)?.to_string();
        check_media(out.media)?;
        self.me(what)?;
        let media_ids = self.upload_all(out.media, what)?;
        let mut body = json!({ "text": out.text, "edit_options": { "previous_post_id": id } });
        if !media_ids.is_empty() {
            body["media"] = json!({ "media_ids": media_ids });
        }
        match self.call(self.http.client().post(self.url("/2/tweets")).json(&body), what, POST_SCOPES) {
            Ok(json) => Ok(Remote { parts: remote.parts.clone(), ..self.created(&json, what)? }),
            Err(Failure { why: Why::Refused, send }) => Err(self.not_editable(remote, &send, what)),
            Err(f) => Err(f.send),
        }
    }

    /// `DELETE /2/tweets/:id`; a post already gone (404) is success.
    fn delete(&mut self, remote: &Remote) -> Result<(), SendError> {
        let what = "deleting a post on X";
        let path = format!("/2/tweets/{}", post_id(remote, what)?);
        match self.call(self.http.client().delete(self.url(&path)), what, POST_SCOPES) {
            Ok(json) if json.pointer("/data/deleted").and_then(Value::as_bool) == Some(false) => {
                Err(SendError::permanent(
                    ErrorKind::Protocol,
                    format!("{what}: X answered that {} was not deleted", remote.id),
                ))
            }
            Ok(_) => Ok(()),
            Err(Failure { send: SendError::Permanent { kind: ErrorKind::NotFound, .. }, .. }) => Ok(()),
            Err(f) => Err(f.send),
        }
    }

    /// The account's posts since the intent, searched for the part's text (and for a thread
    /// part, the post it answers); see the module documentation.
    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> Result<Lookup, SendError> {
        let what = "looking on X for a post whose answer was lost";
        let at = intent_at.strftime("%Y-%m-%d %H:%M UTC");
        if out.text.trim().is_empty() {
            return Ok(Lookup::CannotTell(format!(
                "the request for {}, sent at {at}, has no text, and a post of images alone cannot be told apart from others: look at {} around {at} and run `budkavle resolve` to record whether it was published (and its URL) or should be sent again",
                out.key,
                self.where_to_look()
            )));
        }
        Ok(match self.search(out.text, out.reply_to.map(reply_target), intent_at, what)? {
            Search::Found(remote) => Lookup::Found(remote),
            Search::Complete => Lookup::Absent,
            Search::CutOff => Lookup::CannotTell(format!(
                "the request for {}, sent at {at}: X lists only an account's {TIMELINE_CAP} newest posts, and they do not reach back to it: look at {} around {at} and run `budkavle resolve` to record whether it was published (and its URL) or should be sent again",
                out.key,
                self.where_to_look()
            )),
        })
    }

    /// `GET /2/tweets` takes up to 100 ids.
    fn counts_batch(&self) -> usize {
        100
    }

    /// `GET /2/tweets?ids=…&tweet.fields=public_metrics,non_public_metrics`
    /// (<https://docs.x.com/x-api/posts/get-posts-by-ids>, metrics:
    /// <https://docs.x.com/x-api/fundamentals/metrics>). `public_metrics` gives likes,
    /// retweets, replies, quotes, bookmarks and impressions; `non_public_metrics` (user context,
    /// the author's own posts of the last 30 days) adds link clicks. X answers a field it will
    /// not give with a per-post error beside the data, so an older post still has its public
    /// figures. A post missing from `data` is gone.
    fn counts(&mut self, remotes: &[Remote]) -> Result<Vec<Option<Counts>>, SendError> {
        let what = "reading posts' counts";
        let ids = remotes.iter().map(|r| post_id(r, what)).collect::<Result<Vec<_>, _>>()?.join(",");
        let query = [("ids", ids.as_str()), ("tweet.fields", "public_metrics,non_public_metrics")];
        let json = match self.call(self.http.client().get(self.url("/2/tweets")).query(&query), what, READ_SCOPES) {
            Ok(json) => json,
            Err(f) => {
                let e = SendError::from(f);
                return match e {
                    SendError::Permanent { kind: ErrorKind::NotFound, .. } => Ok(vec![None; remotes.len()]),
                    e => Err(e),
                };
            }
        };
        let data = json.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
        Ok(remotes
            .iter()
            .map(|r| {
                let post = data.iter().find(|p| p.get("id").and_then(Value::as_str) == Some(r.id.as_str()))?;
                let public = |k: &str| post.pointer(&format!("/public_metrics/{k}")).and_then(Value::as_u64);
                Some(Counts {
                    views: public("impression_count"),
                    likes: public("like_count"),
                    reposts: public("retweet_count"),
                    replies: public("reply_count"),
                    quotes: public("quote_count"),
                    saves: public("bookmark_count"),
                    clicks: post.pointer("/non_public_metrics/url_link_clicks").and_then(Value::as_u64),
                    ..Counts::default()
                })
            })
            .collect())
    }

    /// Replies, mentions and quotes: see [`heard`].
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> Result<Heard, SendError> {
        self.heard(posts, cursor)
    }

    /// `PUT /2/tweets/:id/hidden` with `{"hidden": …}` (scope `tweet.moderate.write`): only a
    /// reply in a conversation the account started; hiding a hidden reply succeeds. The reply
    /// stays behind "View hidden replies".
    fn hide(&mut self, item: &Remote, _parent: Option<&Remote>, hidden: bool) -> Result<(), SendError> {
        let what = if hidden { "hiding a reply on X" } else { "showing a hidden reply on X again" };
        let path = format!("/2/tweets/{}/hidden", post_id(item, what)?);
        let request = self.http.client().put(self.url(&path)).json(&serde_json::json!({ "hidden": hidden }));
        let json = self.call(request, what, HIDE_SCOPES).map_err(|f| f.send)?;
        match json.pointer("/data/hidden").and_then(Value::as_bool) {
            Some(h) if h == hidden => Ok(()),
            _ => Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: X answered {json}"))),
        }
    }

    fn limits(&mut self) -> Result<Limits, SendError> {
        Ok(Limits { chars: Some(CHARS), max_media: Some(MAX_IMAGES), image_bytes: Some(IMAGE_BYTES) })
    }

    fn find_sent(&mut self, text: &str, since: Timestamp) -> Result<Option<Remote>, SendError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        match self.search(text, None, since, "looking on X for a post whose answer was lost")? {
            Search::Found(remote) => Ok(Some(remote)),
            Search::Complete | Search::CutOff => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn fail(status: u16, h: &HeaderMap, body: &str, oauth1: bool) -> Failure {
        let now: Timestamp = "2026-11-24T08:00:00Z".parse().unwrap();
        failure(StatusCode::from_u16(status).unwrap(), h, body, "posting to X", POST_SCOPES, oauth1, now)
    }

    const TOO_MANY: &str =
        r#"{"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"}"#;

    #[test]
    fn rate_limits_wait_for_their_reset() {
        let reset = ("2026-11-24T08:00:00Z".parse::<Timestamp>().unwrap().as_second() + 420).to_string();
        let window = headers(&[("x-rate-limit-remaining", "0"), ("x-rate-limit-reset", &reset)]);
        let f = fail(429, &window, TOO_MANY, true);
        assert!(
            matches!(f.send, SendError::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(420)),
            "{f:?}"
        );

        let day = headers(&[
            ("x-rate-limit-remaining", "99"),
            ("x-rate-limit-reset", "1"),
            ("x-user-limit-24hour-remaining", "0"),
            ("x-user-limit-24hour-reset", &reset),
            ("x-app-limit-24hour-remaining", "12"),
        ]);
        let f = fail(429, &day, TOO_MANY, true);
        assert!(f.send.message().contains("24-hour posting limit"), "{f:?}");
        assert!(
            matches!(f.send, SendError::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(420)),
            "{f:?}"
        );
    }

    #[test]
    fn the_usage_cap_is_permanent() {
        let body = r#"{"account_id":1790000000,"product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","status":429}"#;
        let f = fail(429, &HeaderMap::new(), body, false);
        let SendError::Permanent { kind: ErrorKind::Forbidden, message } = &f.send else { panic!("{f:?}") };
        assert!(message.contains("waiting minutes does not help"), "{message}");
    }

    #[test]
    fn forbidden_answers_are_told_apart() {
        let h = HeaderMap::new();
        let dup = r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#;
        assert_eq!(fail(403, &h, dup, true).why, Why::Duplicate);
        let scope = r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"Forbidden"}"#;
        let f = fail(403, &h, scope, false);
        assert!(matches!(f.send, SendError::Permanent { kind: ErrorKind::Forbidden, .. }));
        assert!(f.send.message().contains("tweet.write"), "{f:?}");
        let read_only = r#"{"detail":"Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.","type":"https://api.x.com/2/problems/oauth1-permissions","title":"Forbidden","status":403}"#;
        let f = fail(403, &h, read_only, true);
        assert!(f.send.message().contains("Read and write"), "{f:?}");
        let app_only = r#"{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.","type":"https://api.x.com/2/problems/unsupported-authentication","status":403}"#;
        assert!(matches!(fail(403, &h, app_only, false).send, SendError::Permanent { kind: ErrorKind::Auth, .. }));
        let edit = r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"This Tweet is not eligible for editing."}"#;
        assert_eq!(fail(403, &h, edit, true).why, Why::Refused);
        let gone = r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You attempted to reply to a Tweet that is deleted or not visible to you."}"#;
        assert!(matches!(fail(403, &h, gone, true).send, SendError::Permanent { kind: ErrorKind::NotFound, .. }));
    }

    #[test]
    fn other_statuses() {
        let h = headers(&[("retry-after", "9")]);
        let f = fail(503, &h, "<html>down</html>", true);
        assert!(matches!(f.send, SendError::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(9)));
        let long = r#"{"errors":[{"parameters":{},"message":"Your Tweet text is too long."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request"}"#;
        let f = fail(400, &HeaderMap::new(), long, true);
        assert!(matches!(f.send, SendError::Permanent { kind: ErrorKind::Rejected, .. }));
        assert!(f.send.message().contains("Your Tweet text is too long."), "{f:?}");
        let f = fail(401, &HeaderMap::new(), r#"{"title":"Unauthorized","detail":"Unauthorized"}"#, false);
        assert!(matches!(f.send, SendError::Permanent { kind: ErrorKind::Auth, .. }));
        assert!(f.send.message().contains("two hours"), "{f:?}");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let http = Http::new(Duration::from_secs(1)).unwrap();
        let keys = oauth1::Keys {
            consumer_key: Secret::new("ck-4f1a"),
            consumer_secret: Secret::new("cs-9b2e"),
            token: Secret::new("at-77c0"),
            token_secret: Secret::new("as-e3d5"),
        };
        for auth in [Auth::OAuth1(keys), Auth::Bearer(Secret::new("bt-1c8f"))] {
            let client = XClient {
                http: http.clone(),
                base: DEFAULT_API.into(),
                auth,
                account: None,
                me: None,
                media_wait: MEDIA_WAIT,
            };
            let shown = format!("{client:?}");
            assert!(shown.contains("Secret(***)"), "{shown}");
            for s in ["ck-4f1a", "cs-9b2e", "at-77c0", "as-e3d5", "bt-1c8f"] {
                assert!(!shown.contains(s), "{shown}");
            }
        }
    }

    #[test]
    fn ids_and_reply_targets() {
        assert!(is_id("1790000000000000001"));
        assert!(!is_id("../2/users/me") && !is_id("") && !is_id("12345678901234567890"));
        let thread = Remote { id: "1".into(), url: None, parts: vec!["1".into(), "2".into()] };
        assert_eq!(reply_target(&thread), "2");
        let too_many: Vec<Upload> = (0..5)
            .map(|n| Upload {
                public_url: None,
                bytes: vec![1],
                mime: "image/png",
                alt: "a".into(),
                width: 1,
                height: 1,
                name: format!("{n}.png"),
            })
            .collect();
        assert!(matches!(check_media(&too_many), Err(SendError::Permanent { kind: ErrorKind::Rejected, .. })));
        let long_alt = [Upload { alt: "a".repeat(1001), ..too_many[0].clone() }];
        assert!(check_media(&long_alt).unwrap_err().message().contains("1000"));
        assert!(check_media(&too_many[..4]).is_ok());
    }
}
