//! Meta's Graph API, the one HTTP dialect of the Facebook Pages ([`facebook`]), Instagram
//! ([`instagram`]) and Threads ([`threads`]) clients: versioned paths, the access token, the
//! error envelope and what it means for the publisher, the usage headers, cursor paging, and
//! (in [`container`]) the two-step container publishing Instagram and Threads share.
//!
//! Written from Meta's documentation:
//! - versions: <https://developers.facebook.com/docs/graph-api/guides/versioning> and the
//!   [changelog](https://developers.facebook.com/docs/graph-api/changelog) (v25.0, released
//!   18 February 2026, is current; a retired version is served as the oldest usable one);
//! - errors: <https://developers.facebook.com/docs/graph-api/guides/error-handling> (190 with
//!   subcodes 458/460/463 means a new token; 10 and 200–299 a missing permission; 4, 17, 32,
//!   613 and the Business Use Case codes 80001–80009 throttling; 368 a policy block; 506 a
//!   duplicate post; 1 and 2 a passing outage);
//! - rate limits: <https://developers.facebook.com/docs/graph-api/overview/rate-limiting>
//!   (`X-Business-Use-Case-Usage` gives `estimated_time_to_regain_access` in minutes; the API
//!   answers throttling with HTTP 400 and an error code, not 429);
//! - `appsecret_proof`: <https://developers.facebook.com/docs/graph-api/securing-requests>
//!   (HMAC-SHA256 of the access token keyed with the app secret), sent when strategy.toml
//!   names an `api_secret_env`, for apps that turned on "Require App Secret".
//!
//! The token travels only in the `Authorization` header (never in a URL, which reqwest would
//! print in its errors), every message is scrubbed of it, and `Debug` shows [`Secret`]s as
//! `***`.

pub(crate) mod container;
pub(crate) mod facebook;
pub(crate) mod instagram;
pub(crate) mod threads;

use std::ops::ControlFlow;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use reqwest::blocking::RequestBuilder;
use reqwest::blocking::multipart::Form;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;

use crate::clients::account::Account;
use crate::clients::api::{ErrorKind, Health, Lookup, Secret, SendError};
use crate::clients::http::{self, Http};
use crate::error::{Error, Result};
use crate::platform::{PlatformId, Remote};

/// The Graph API version called unless strategy.toml says otherwise (`api_version`).
pub(crate) const GRAPH_VERSION: &str = "v25.0";
pub(crate) const GRAPH_URL: &str = "https://graph.facebook.com";

/// How far the clocks of this machine, the one that wrote the intent and Meta's may disagree: a
/// look-up reads the account's posts from this much before the intent.
pub(crate) const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// How many items a look-up reads before it gives up and says it cannot tell.
const SCAN_MAX: usize = 1000;

/// How many items one listing request asks for (the Graph API's maximum is 100).
const PAGE_SIZE: &str = "100";

/// One account's door to a Graph API host. `Debug` shows no secret.
#[derive(Debug)]
pub(crate) struct Graph {
    http: Http,
    /// `https://graph.facebook.com`, no trailing slash.
    base: String,
    /// `v25.0`; Threads has its own numbering (`v1.0`).
    version: String,
    token: Secret,
    /// `appsecret_proof` for this token, when the app secret is configured.
    proof: Option<Secret>,
    pub platform: PlatformId,
}

/// A failed call: what it means for the publisher, the Graph error code where the answer had
/// one (some callers treat one of them as an answer), and whether the server certainly did
/// nothing.
#[derive(Debug)]
pub(crate) struct Failure {
    pub send: SendError,
    pub code: Option<i64>,
    /// The server refused the request (a 4xx answer): nothing was created, so sending again
    /// cannot make a second post. A timeout, a reset or a 5xx may have been carried out.
    pub refused: bool,
}

impl Failure {
    fn uncertain(send: SendError) -> Failure {
        Failure { send, code: None, refused: false }
    }

    /// A failure found before anything was sent.
    pub(crate) fn before(send: SendError) -> Failure {
        Failure { send, code: None, refused: true }
    }

    /// The object does not exist (any more): Graph's `100/33`, or a plain 404.
    pub(crate) fn gone(&self) -> bool {
        matches!(self.send, SendError::Permanent { kind: ErrorKind::NotFound, .. })
    }
}

impl From<Failure> for SendError {
    fn from(f: Failure) -> SendError {
        f.send
    }
}

impl Graph {
    /// The API address, version and token of `account`. `default_url` and `default_version`
    /// are the platform's own; `proof` says whether the platform takes `appsecret_proof`.
    pub(crate) fn connect(
        account: &Account<'_>,
        env: &dyn Fn(&str) -> Option<String>,
        http: &Http,
        default_url: &str,
        default_version: &str,
        proof: bool,
    ) -> Result<Graph> {
        let config = account.config;
        let platform = account.platform;
        let base = account.base_url("api_url", config.api_url.as_ref(), Some(default_url))?;
        let version = match &config.api_version {
            Some(v) => {
                let v = v.get_ref().trim();
                if !is_version(v) {
                    return Err(Error::Usage(format!(
                        "strategy.toml: [platforms.{platform}] api_version = \"{v}\" is not an API version: write it like \"{default_version}\""
                    )));
                }
                v.to_string()
            }
            None => default_version.to_string(),
        };
        let token = account.secret("token_env", config.token_env.as_ref(), env)?;
        if HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err()
            || token.expose().chars().any(char::is_whitespace)
        {
            // Said without the value: it may be a real token pasted with something around it.
            let name = config.token_env.as_ref().map_or("", |n| n.get_ref().as_str());
            return Err(Error::Usage(format!(
                "strategy.toml: [platforms.{platform}] token_env names {name}, which holds something that is not an access token (spaces or control characters inside): set it to the token alone"
            )));
        }
        let proof = match (&config.api_secret_env, proof) {
            (Some(_), true) => {
                let secret = account.secret("api_secret_env", config.api_secret_env.as_ref(), env)?;
                Some(Secret::new(appsecret_proof(secret.expose().as_bytes(), token.expose().as_bytes())))
            }
            _ => None,
        };
        Ok(Graph { http: http.clone(), base, version, token, proof, platform })
    }

    pub(crate) fn http(&self) -> &Http {
        &self.http
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}/{}", self.base, self.version, path.trim_start_matches('/'))
    }

    pub(crate) fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
        needs: &[&str],
    ) -> Result<Value, Failure> {
        self.send(self.http.client().get(self.url(path)).query(query), what, needs)
    }

    pub(crate) fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        what: &str,
        needs: &[&str],
    ) -> Result<Value, Failure> {
        self.send(self.http.client().post(self.url(path)).form(form), what, needs)
    }

    pub(crate) fn post_multipart(&self, path: &str, form: Form, what: &str, needs: &[&str]) -> Result<Value, Failure> {
        self.send(self.http.client().post(self.url(path)).multipart(form), what, needs)
    }

    /// Deletes `path`; deleting what is already gone is success.
    pub(crate) fn delete(&self, path: &str, what: &str, needs: &[&str]) -> Result<(), SendError> {
        match self.send(self.http.client().delete(self.url(path)), what, needs) {
            Ok(_) => Ok(()),
            Err(f) if f.gone() => Ok(()),
            Err(f) => Err(f.send),
        }
    }

    /// Sends one request and reads its answer: a 2xx JSON body, or the [`Failure`] the error
    /// envelope means. `needs` names the permissions the call takes, for the message when the
    /// token lacks one and the answer does not say which.
    fn send(&self, request: RequestBuilder, what: &str, needs: &[&str]) -> Result<Value, Failure> {
        let mut request = request.bearer_auth(self.token.expose());
        if let Some(proof) = &self.proof {
            request = request.query(&[("appsecret_proof", proof.expose())]);
        }
        let response = request.send().map_err(|e| Failure::uncertain(self.scrub(http::transport(&e, what))))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().map_err(|e| Failure::uncertain(self.scrub(http::transport(&e, what))))?;
        if status.is_success() {
            return serde_json::from_str(&body).map_err(|_| {
                Failure::uncertain(SendError::permanent(
                    ErrorKind::Protocol,
                    format!(
                        "{what}: the answer is not JSON; check [platforms.{}] api_url in strategy.toml",
                        self.platform
                    ),
                ))
            });
        }
        let mut failure = self.failure(status, &headers, &body, what, needs);
        failure.send = self.scrub(failure.send);
        Err(failure)
    }

    /// What an error answer means for the publisher.
    fn failure(&self, status: StatusCode, headers: &HeaderMap, body: &str, what: &str, needs: &[&str]) -> Failure {
        let refused = status.is_client_error();
        let wait = wait_asked(headers, Timestamp::now());
        let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let error = &json["error"];
        let Some(code) = error["code"].as_i64() else {
            // No envelope (a proxy, an HTML page): the status alone.
            let send = http::classify(status, wait, &http::server_message(body), what);
            return Failure { send, code: None, refused };
        };
        let subcode = error["error_subcode"].as_i64();
        let said = envelope_message(error);
        let platform = self.platform;
        let message = format!("{what}: {said}");
        let permanent = |kind| SendError::permanent(kind, message.clone());
        let send = match (code, subcode) {
            // The app requires `appsecret_proof` ("Require App Secret"), or the secret is wrong.
            (100, _) if said.contains("appsecret_proof") => SendError::permanent(
                ErrorKind::Auth,
                format!(
                    "{message}: set [platforms.{platform}] api_secret_env in strategy.toml to the variable holding the app's secret (App settings → Basic), and check its value"
                ),
            ),
            (190 | 102 | 104, _) => {
                SendError::permanent(ErrorKind::Auth, format!("{message}: {}", auth_reason(subcode)))
            }
            (368, _) => SendError::permanent(
                ErrorKind::Forbidden,
                format!(
                    "{message}: Meta has blocked this action as abusive or against its rules; such blocks usually lift after a while. Check the account's status (Account Quality in Meta Business Suite) and post nothing by hand until it is clear"
                ),
            ),
            (3 | 10 | 200..=299, _) => {
                let named = permissions_named(&said);
                let list = if named.is_empty() { needs.join(", ") } else { named.join(", ") };
                let message = if list.is_empty() {
                    message.clone()
                } else {
                    format!("{message}: the token needs the permission(s) {list}")
                };
                SendError::permanent(ErrorKind::Forbidden, message)
            }
            (4 | 9 | 17 | 32 | 341 | 613 | 80001..=80009, _) => SendError::Transient {
                message: format!("{message}: Meta's rate limit; trying again later"),
                retry_after: wait,
            },
            (1 | 2, _) => SendError::Transient { message, retry_after: wait },
            (100, Some(33)) => permanent(ErrorKind::NotFound),
            (2500, _) | (12, _) => SendError::permanent(
                ErrorKind::Protocol,
                format!(
                    "{message}: if Meta has retired the API version budkavle calls ({}), set a current one as [platforms.{platform}] api_version in strategy.toml",
                    self.version
                ),
            ),
            _ if error["is_transient"].as_bool() == Some(true) || status.is_server_error() => {
                SendError::Transient { message, retry_after: wait }
            }
            (506, _) => permanent(ErrorKind::Rejected),
            _ if status == StatusCode::NOT_FOUND => permanent(ErrorKind::NotFound),
            _ if status == StatusCode::UNAUTHORIZED => permanent(ErrorKind::Auth),
            _ if status == StatusCode::FORBIDDEN => permanent(ErrorKind::Forbidden),
            _ => permanent(ErrorKind::Rejected),
        };
        Failure { send, code: Some(code), refused }
    }

    /// The message without the token, should the server ever quote it.
    fn scrub(&self, error: SendError) -> SendError {
        let token = self.token.expose();
        if token.is_empty() || !error.message().contains(token) {
            return error;
        }
        match error {
            SendError::Transient { message, retry_after } => {
                SendError::Transient { message: message.replace(token, "***"), retry_after }
            }
            SendError::Permanent { kind, message } => {
                SendError::Permanent { kind, message: message.replace(token, "***") }
            }
        }
    }

    /// Reads a listing newest first, page by page along its `after` cursors, handing each item
    /// to `each` until it breaks. Tells whether `each` stopped, the listing ended, or the scan
    /// gave up after [`SCAN_MAX`] items.
    pub(crate) fn scan(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
        needs: &[&str],
        each: impl FnMut(&Value) -> ControlFlow<()>,
    ) -> Result<Scanned, Failure> {
        self.walk(path, query, what, needs, SCAN_MAX, each)
    }

    /// Reads a whole listing (a post's comments, a comment's replies) for `inbox pull`: every
    /// item, and whether the listing was read to its end.
    pub(crate) fn read_all(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
        needs: &[&str],
    ) -> Result<(Vec<Value>, bool), Failure> {
        let mut all = Vec::new();
        let scanned = self.walk(path, query, what, needs, usize::MAX, |item| {
            all.push(item.clone());
            ControlFlow::Continue(())
        })?;
        Ok((all, matches!(scanned, Scanned::Ended)))
    }

    /// The one paging loop of both. A page that offers more only by a `next` address
    /// (time-based paging, which carries the token in its query), a cursor that repeats, or
    /// more than `max` items end the reading as incomplete rather than guessing.
    fn walk(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
        needs: &[&str],
        max: usize,
        mut each: impl FnMut(&Value) -> ControlFlow<()>,
    ) -> Result<Scanned, Failure> {
        let mut after: Option<String> = None;
        let mut read = 0;
        loop {
            let mut q: Vec<(&str, String)> = query.to_vec();
            q.push(("limit", PAGE_SIZE.to_string()));
            if let Some(cursor) = &after {
                q.push(("after", cursor.clone()));
            }
            let page = self.get(path, &q, what, needs)?;
            let Some(items) = page["data"].as_array() else {
                return Err(Failure::uncertain(SendError::permanent(
                    ErrorKind::Protocol,
                    format!("{what}: the listing has no data"),
                )));
            };
            for item in items {
                read += 1;
                if each(item).is_break() {
                    return Ok(Scanned::Stopped);
                }
            }
            if page.pointer("/paging/next").is_none() || items.is_empty() {
                return Ok(Scanned::Ended);
            }
            match page.pointer("/paging/cursors/after").and_then(Value::as_str) {
                Some(c) if read < max && after.as_deref() != Some(c) => after = Some(c.to_string()),
                _ => return Ok(Scanned::Capped),
            }
        }
    }

    /// Whether the object `id` (a comment, a reply) is certainly gone: Graph answers "does
    /// not exist" for it. Any other failure is passed on, so it never counts as a deletion.
    pub(crate) fn is_gone(&self, id: &str, what: &str, needs: &[&str]) -> Result<bool, SendError> {
        match self.get(&path_id(id), &[("fields", "id".to_string())], what, needs) {
            Ok(_) => Ok(false),
            Err(f) if f.gone() => Ok(true),
            Err(f) => Err(f.into()),
        }
    }
}

/// What `inbox pull` read under one post: the citizens' comments as items, their ids, and
/// whether the listing was read to its end.
pub(crate) type Listing = (Vec<crate::inbox::Incoming>, std::collections::BTreeSet<String>, bool);

/// Takes one post's listing into the pull (see [`crate::clients::heard`] for the rule on
/// deletions): a post that is gone is forgotten, a complete listing is compared with the last
/// one and what is missing is asked for by id, a partial one only adds what it saw.
pub(crate) fn settle_post(
    graph: &Graph,
    seen: &mut crate::clients::heard::Seen,
    post: &str,
    listing: Result<Listing, Failure>,
    items: &mut Vec<crate::inbox::Incoming>,
    what: &str,
    needs: &[&str],
) -> Result<(), SendError> {
    let (found, ids, complete) = match listing {
        Ok(l) => l,
        Err(f) if f.gone() => {
            seen.forget(post);
            return Ok(());
        }
        Err(f) => return Err(f.into()),
    };
    items.extend(found);
    if !complete {
        for id in &ids {
            seen.keep(post, id);
        }
        return Ok(());
    }
    for id in seen.listed(post, ids) {
        if graph.is_gone(&id, what, needs)? {
            items.push(crate::clients::heard::deletion(graph.platform, &id, Timestamp::now()));
        } else {
            seen.keep(post, &id);
        }
    }
    Ok(())
}

/// How a [`Graph::scan`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scanned {
    Stopped,
    Ended,
    Capped,
}

fn is_version(v: &str) -> bool {
    v.strip_prefix('v').and_then(|rest| rest.split_once('.')).is_some_and(|(major, minor)| {
        !major.is_empty()
            && !minor.is_empty()
            && major.bytes().all(|b| b.is_ascii_digit())
            && minor.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `message` of the envelope, and the message meant for people where it says more, with the
/// codes and the trace id Meta's support asks for; at most 400 characters, since it ends up in
/// the ledger.
fn envelope_message(error: &Value) -> String {
    let field = |k: &str| error[k].as_str().map(str::trim).filter(|s| !s.is_empty());
    let mut text = field("message").unwrap_or("no message").to_string();
    if let Some(user) = field("error_user_msg")
        && !text.contains(user)
    {
        text = format!("{text} ({user})");
    }
    let code = error["code"].as_i64().map_or(String::new(), |c| c.to_string());
    let codes = match error["error_subcode"].as_i64() {
        Some(sub) => format!("code {code}/{sub}"),
        None => format!("code {code}"),
    };
    let trace = field("fbtrace_id").map_or(String::new(), |t| format!(", fbtrace_id {t}"));
    let text = format!("{text} [{codes}{trace}]");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(400) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// What an invalid-token answer means, by its subcode.
fn auth_reason(subcode: Option<i64>) -> &'static str {
    match subcode {
        Some(463) | Some(467) => {
            "the access token has expired: make a new long-lived token and put it in the environment"
        }
        Some(460) => {
            "the access token was invalidated because the account's password changed (or Meta reset the session): make a new token"
        }
        Some(458) => "the app is no longer authorised by the account: authorise it again and make a new token",
        Some(459) | Some(464) => "the account must log in on the platform's website first, then make a new token",
        _ => "the access token is not valid: make a new one",
    }
}

/// Permission names an answer quotes (`pages_manage_posts`, `instagram_content_publish`, …).
fn permissions_named(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let known = ["pages_", "instagram_", "threads_", "read_insights", "business_management", "publish_"];
        if known.iter().any(|k| word.starts_with(k)) && word.len() > 6 && !found.iter().any(|f| f == word) {
            found.push(word.to_string());
        }
    }
    found
}

/// How long Meta asked us to wait: `Retry-After` where sent, else the longest
/// `estimated_time_to_regain_access` (minutes) of `X-Business-Use-Case-Usage`.
fn wait_asked(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    if let Some(wait) = http::wait_asked(headers, now) {
        return Some(wait);
    }
    let usage = headers.get("x-business-use-case-usage")?.to_str().ok()?;
    let usage: Value = serde_json::from_str(usage).ok()?;
    let minutes = usage
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|entry| entry["estimated_time_to_regain_access"].as_u64())
        .max()?;
    (minutes > 0).then(|| Duration::from_secs(minutes * 60))
}

/// `appsecret_proof`: HMAC-SHA256 of the token keyed with the app secret, in lower-case hex
/// (the `hmac` crate, as X's OAuth 1.0a signing uses).
fn appsecret_proof(secret: &[u8], token: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(token);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

impl Graph {
    /// `doctor`'s check for a Meta account: `GET {account}?fields={name_field}` says the token
    /// works and names the account; `GET debug_token` (with the token itself) gives its
    /// permissions and expiry where Meta shows them. `needed` are the permissions publishing
    /// takes.
    pub(crate) fn health(
        &self,
        account: &str,
        name_field: &str,
        needed: &[&'static str],
    ) -> std::result::Result<Health, SendError> {
        let what = "reading the account the token belongs to";
        let me = self.get(account, &[("fields", name_field.to_string())], what, &[])?;
        let mut health = Health {
            account: me.get(name_field).and_then(Value::as_str).map(str::to_owned),
            needed: needed.to_vec(),
            ..Health::default()
        };
        let debug = self.get(
            "debug_token",
            &[("input_token", self.token.expose().to_string())],
            "reading the token's permissions",
            &[],
        );
        match debug.map(|d| d["data"].clone()) {
            Ok(data) if data["is_valid"] == Value::Bool(false) => {
                let why = data["error"]["message"].as_str().unwrap_or("Meta says the token is not valid");
                return Err(self.scrub(SendError::permanent(ErrorKind::Auth, format!("{what}: {why}"))));
            }
            Ok(data) => {
                if let Some(scopes) = data["scopes"].as_array() {
                    let scopes: Vec<String> = scopes.iter().filter_map(Value::as_str).map(str::to_owned).collect();
                    health.missing =
                        needed.iter().filter(|n| !scopes.iter().any(|s| s == *n)).map(|n| n.to_string()).collect();
                    health.scopes = Some(scopes);
                }
                // 0 means a token that does not expire (a Page token from a long-lived user token).
                health.expires =
                    data["expires_at"].as_i64().filter(|&t| t > 0).and_then(|t| Timestamp::from_second(t).ok());
            }
            Err(f) => health.notes.push(format!(
                "Meta did not show the token's permissions ({}): a missing one shows on the first post",
                f.send.message()
            )),
        }
        Ok(health)
    }
}

/// An id as it goes into a path: Graph ids are digits joined by `_`, but anything else is
/// percent-encoded rather than allowed to change the path.
/// A Graph write that answers `{"success": true}`.
pub(crate) fn succeeded(json: &Value, what: &str) -> Result<(), SendError> {
    if json["success"].as_bool() == Some(true) {
        Ok(())
    } else {
        Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer does not say it succeeded: {json}")))
    }
}

pub(crate) fn path_id(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether the text a platform returns is the text that was sent. Meta returns what it stored
/// without escaping or rewriting links, so only what transport may change is set aside: line
/// ends, Unicode normalisation, and white space at the ends.
pub(crate) fn same_text(stored: &str, sent: &str) -> bool {
    let norm = |s: &str| s.replace("\r\n", "\n").nfc().collect::<String>().trim().to_string();
    norm(stored) == norm(sent)
}

/// A Graph timestamp, `2026-12-03T19:10:30+0000`.
pub(crate) fn graph_time(text: &str) -> Option<Timestamp> {
    jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%z", text)
        .ok()
        .and_then(|t| t.to_timestamp().ok())
        .or_else(|| text.parse().ok())
}

/// When a look-up cannot tell: why, and what a person does about it.
/// What a search of the account's own posts for `text` since `since` says about an unfinished
/// request: found, certainly absent when the listing reached back before it, else a person's
/// call (`why` the listing fell short, `where_` to look).
pub(crate) fn lookup_of(
    found: (Option<Remote>, Scanned),
    platform: PlatformId,
    text: &str,
    since: Timestamp,
    why: &str,
    where_: &str,
) -> Lookup {
    match found {
        (Some(remote), _) => Lookup::Found(remote),
        (None, Scanned::Stopped | Scanned::Ended) => Lookup::Absent,
        (None, Scanned::Capped) => Lookup::CannotTell(cannot_tell(platform, text, since, why, where_)),
    }
}

fn cannot_tell(platform: PlatformId, text: &str, since: Timestamp, why: &str, where_: &str) -> String {
    let at = since.strftime("%Y-%m-%d %H:%M UTC");
    let start: String = text.chars().take(60).collect();
    let more = if text.chars().count() > 60 { "…" } else { "" };
    format!(
        "an earlier request to post \"{start}{more}\" on {} at {at} may have gone out, and {why}: look at {where_} around {at} and run `budkavle resolve` to record whether it was published (and its URL) or should be sent again",
        platform.display_name()
    )
}

/// A post's lifetime insights, `GET /{id}/insights?metric=a,b`, as name → value (a count, or
/// an object of counts by type); `None` when
/// the post is gone. Only metric names the platform still serves may be asked for: Graph
/// refuses the whole request over one retired name (Instagram's `impressions` since v22.0).
pub(crate) fn insights(
    graph: &Graph,
    id: &str,
    metrics: &str,
    needs: &[&str],
) -> std::result::Result<Option<std::collections::HashMap<String, Value>>, SendError> {
    let what = "reading a post's insights";
    let json = match graph.get(&format!("{}/insights", path_id(id)), &[("metric", metrics.to_string())], what, needs) {
        Ok(json) => json,
        Err(f) if f.gone() => return Ok(None),
        Err(f) => return Err(f.into()),
    };
    let Some(data) = json.get("data").and_then(Value::as_array) else {
        return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no `data`")));
    };
    Ok(Some(
        data.iter()
            .filter_map(|m| {
                let name = m.get("name")?.as_str()?.to_string();
                let value = m.pointer("/values/0/value").or_else(|| m.pointer("/total_value/value"))?.clone();
                Some((name, value))
            })
            .collect(),
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::strategy::PlatformConfig;
    use reqwest::header::HeaderName;
    use std::sync::{Arc, Mutex};

    /// A test server answering every request with `answer(path)`; it keeps the paths asked.
    pub(crate) fn server(
        answer: impl Fn(&str) -> (u16, Vec<u8>) + Send + 'static,
    ) -> (String, Arc<Mutex<Vec<crate::clients::test_server::Seen>>>) {
        crate::clients::test_server::serve_bytes(move |seen, _| answer(seen.path()))
    }

    pub(crate) fn graph(base: &str) -> Graph {
        let config: PlatformConfig =
            toml::from_str(&format!("api_url = \"{base}\"\ntoken_env = \"T\"\napi_version = \"v1.0\"\n")).unwrap();
        let account = crate::clients::Account::new(PlatformId::Threads, &config, "");
        let http = Http::new(Duration::from_secs(5)).unwrap();
        Graph::connect(&account, &|_| Some("tok-77aa".into()), &http, GRAPH_URL, "v1.0", false).unwrap()
    }

    #[test]
    fn scans_follow_cursors_and_stop_where_they_cannot() {
        let (base, seen) = server(|path| {
            let body = if path.contains("after=B") {
                r#"{"data":[{"id":"3"}],"paging":{"cursors":{"before":"C","after":"C"}}}"#
            } else if path.starts_with("/v1.0/me/threads") {
                r#"{"data":[{"id":"1"},{"id":"2"}],"paging":{"cursors":{"before":"A","after":"B"},"next":"http://x/next"}}"#
            } else {
                r#"{"data":[{"id":"9"}],"paging":{"next":"http://x/?until=1&__paging_token=t"}}"#
            };
            (200, body.as_bytes().to_vec())
        });
        let g = graph(&base);
        let mut ids = Vec::new();
        let scanned = g
            .scan("me/threads", &[], "reading", &[], |item| {
                ids.push(item["id"].as_str().unwrap().to_string());
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!((scanned, ids.as_slice()), (Scanned::Ended, ["1", "2", "3"].map(String::from).as_slice()));
        assert!(seen.lock().unwrap()[0].path().contains("limit=100"));
        let stopped = g.scan("me/threads", &[], "reading", &[], |_| ControlFlow::Break(())).unwrap();
        assert_eq!(stopped, Scanned::Stopped);
        // Time-based paging only: the rest cannot be read without the token in a URL.
        let cut = g.scan("me/replies", &[], "reading", &[], |_| ControlFlow::Continue(())).unwrap();
        assert_eq!(cut, Scanned::Capped);
    }

    #[test]
    fn appsecret_proof_is_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            appsecret_proof(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            appsecret_proof(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn versions_look_like_v_major_minor() {
        assert!(is_version("v25.0") && is_version("v1.0"));
        for bad in ["25.0", "v25", "v25.", "vx.0", "v25.0/x", ""] {
            assert!(!is_version(bad), "{bad}");
        }
    }

    #[test]
    fn business_use_case_usage_gives_the_wait() {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("x-business-use-case-usage"),
            HeaderValue::from_static(
                r#"{"104084999294726":[{"type":"pages","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":12}]}"#,
            ),
        );
        assert_eq!(wait_asked(&h, Timestamp::now()), Some(Duration::from_secs(720)));
        h.insert(HeaderName::from_static("retry-after"), HeaderValue::from_static("30"));
        assert_eq!(wait_asked(&h, Timestamp::now()), Some(Duration::from_secs(30)));
        assert_eq!(wait_asked(&HeaderMap::new(), Timestamp::now()), None);
    }

    #[test]
    fn messages_carry_the_codes_and_stay_short() {
        let e = serde_json::json!({"message": "(#10) Application does not have permission for this action",
            "type": "OAuthException", "code": 10, "fbtrace_id": "AbC"});
        assert_eq!(
            envelope_message(&e),
            "(#10) Application does not have permission for this action [code 10, fbtrace_id AbC]"
        );
        let long = serde_json::json!({"message": "x ".repeat(500), "code": 100, "error_subcode": 33});
        assert!(envelope_message(&long).chars().count() <= 401);
        let both = serde_json::json!({"message": "Invalid parameter", "error_user_msg": "Carousels need 2 to 10 items", "code": 100});
        assert!(envelope_message(&both).contains("(Carousels need 2 to 10 items)"));
    }

    #[test]
    fn permission_names_are_found_in_answers() {
        let said =
            "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin";
        assert_eq!(permissions_named(said), ["pages_read_engagement", "pages_manage_posts"]);
        assert!(permissions_named("(#10) Application does not have permission for this action").is_empty());
    }

    #[test]
    fn texts_compare_as_stored() {
        assert!(same_text("Hej\r\nhej ", "Hej\nhej"));
        assert!(same_text("Åre", "A\u{30a}re"));
        assert!(!same_text("Hej", "Hej!"));
    }

    #[test]
    fn graph_times_parse() {
        assert_eq!(graph_time("2026-12-03T19:10:30+0000"), Some("2026-12-03T19:10:30Z".parse().unwrap()));
        assert_eq!(graph_time("nonsense"), None);
    }

    #[test]
    fn ids_cannot_change_the_path() {
        assert_eq!(path_id("104084999294726_1116689038356556"), "104084999294726_1116689038356556");
        assert_eq!(path_id("../me?x"), "%2E%2E%2Fme%3Fx");
    }
}
