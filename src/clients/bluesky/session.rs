//! XRPC calls as one logged-in account: `com.atproto.server.createSession` once, the session
//! reused for every later call, `refreshSession` when the PDS says the access token expired
//! (and the call retried once), a new session when the refresh token is no good either.
//!
//! Tokens and the password live in [`Secret`]s and only reach the wire in headers and the login
//! body: no message or `Debug` output here can contain them. Every HTTP failure is read by
//! [`http::classify`] / [`http::transport`], like every other platform's.

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::clients::api::{ErrorKind, Quota, Secret, SendError};
use crate::clients::http::{self, Http};

/// A failed call: what it means for the publisher, and the XRPC error name the PDS gave
/// (`RecordNotFound`, `InvalidSwap`, …) for the callers that treat one of them as an answer.
#[derive(Debug)]
pub(super) struct Failure {
    pub error: Option<String>,
    pub send: SendError,
}

impl From<SendError> for Failure {
    fn from(send: SendError) -> Failure {
        Failure { error: None, send }
    }
}

impl From<Failure> for SendError {
    fn from(f: Failure) -> SendError {
        f.send
    }
}

#[derive(Debug)]
struct Session {
    access: Secret,
    refresh: Secret,
    did: String,
}

/// One account on one PDS.
#[derive(Debug)]
pub(super) struct Xrpc {
    http: Http,
    /// `https://bsky.social`, no trailing slash.
    base: String,
    identifier: String,
    password: Secret,
    session: Option<Session>,
    /// The last rate limit the PDS reported (`ratelimit-*` headers), for `budkavle doctor`.
    quota: Option<Quota>,
}

/// The XRPC errors that mean the credentials, not the request, are at fault.
const AUTH_ERRORS: &[&str] =
    &["ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired", "AccountTakedown"];

impl Xrpc {
    pub(super) fn new(http: Http, base: String, identifier: String, password: Secret) -> Xrpc {
        Xrpc { http, base, identifier, password, session: None, quota: None }
    }

    pub(super) fn http(&self) -> &Http {
        &self.http
    }

    fn url(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.base)
    }

    /// The account's DID, logging in first if needed.
    pub(super) fn did(&mut self) -> Result<String, SendError> {
        self.ensure()?;
        Ok(self.session.as_ref().map(|s| s.did.clone()).unwrap_or_default())
    }

    fn ensure(&mut self) -> Result<(), SendError> {
        if self.session.is_none() {
            self.login()?;
        }
        Ok(())
    }

    /// `createSession` with the handle and the password.
    fn login(&mut self) -> Result<(), SendError> {
        let what = format!("logging in to Bluesky as {}", self.identifier);
        let body = json!({ "identifier": self.identifier, "password": self.password.expose() });
        let response = self.http.client().post(self.url("com.atproto.server.createSession")).json(&body).send();
        if let Ok(r) = &response {
            self.note_quota(r.headers(), "logins (createSession)");
        }
        let session = read_session(response, &what)?;
        self.session = Some(session);
        Ok(())
    }

    /// `refreshSession` with the refresh token; `false` when the PDS refused it (expired,
    /// revoked), so a new session is needed.
    fn refresh(&mut self) -> Result<bool, SendError> {
        let Some(old) = &self.session else { return Ok(false) };
        let what = format!("refreshing the Bluesky session of {}", self.identifier);
        let response = self
            .http
            .client()
            .post(self.url("com.atproto.server.refreshSession"))
            .bearer_auth(old.refresh.expose())
            .send();
        match read_session(response, &what) {
            Ok(session) => {
                self.session = Some(session);
                Ok(true)
            }
            Err(e @ SendError::Transient { .. }) => Err(e),
            Err(SendError::Permanent { .. }) => {
                self.session = None;
                Ok(false)
            }
        }
    }

    /// A GET query with the session's access token.
    pub(super) fn query(&mut self, nsid: &str, params: &[(&str, &str)], what: &str) -> Result<Value, Failure> {
        let url = self.url(nsid);
        self.call(what, |c, token| c.get(&url).query(params).bearer_auth(token))
    }

    /// A POST procedure with a JSON body.
    pub(super) fn procedure(&mut self, nsid: &str, body: &Value, what: &str) -> Result<Value, Failure> {
        let url = self.url(nsid);
        self.call(what, |c, token| c.post(&url).json(body).bearer_auth(token))
    }

    /// A POST procedure with raw bytes (`uploadBlob`).
    pub(super) fn upload(&mut self, nsid: &str, bytes: &[u8], mime: &str, what: &str) -> Result<Value, Failure> {
        let url = self.url(nsid);
        self.call(what, |c, token| {
            c.post(&url).header(reqwest::header::CONTENT_TYPE, mime).body(bytes.to_vec()).bearer_auth(token)
        })
    }

    /// Sends with the current session; on `ExpiredToken` refreshes (or logs in anew) and sends
    /// once more.
    fn call(
        &mut self,
        what: &str,
        build: impl Fn(&reqwest::blocking::Client, &str) -> RequestBuilder,
    ) -> Result<Value, Failure> {
        self.ensure()?;
        let mut retried = false;
        loop {
            let token = self.session.as_ref().map(|s| s.access.expose().to_string()).unwrap_or_default();
            let response = build(self.http.client(), &token).send().map_err(|e| http::transport(&e, what))?;
            self.note_quota(response.headers(), "requests");
            match read(response, what) {
                Err(Failure { error: Some(e), .. }) if e == "ExpiredToken" && !retried => {
                    retried = true;
                    if !self.refresh()? {
                        self.login()?;
                    }
                }
                other => return other,
            }
        }
    }

    /// Keeps the rate limit a response reports, if it reports one.
    fn note_quota(&mut self, headers: &HeaderMap, counted: &str) {
        if let Some(q) = quota_of(headers, counted, Timestamp::now()) {
            self.quota = Some(q);
        }
    }

    /// The last rate limit the PDS reported; `None` when it sent no `ratelimit-*` headers
    /// (a PDS with rate limits off, or calls that are not limited).
    pub(super) fn quota(&self) -> Option<&Quota> {
        self.quota.as_ref()
    }

    /// The `scope` of the session's access token: `com.atproto.appPass` for an app password,
    /// `com.atproto.appPassPrivileged` for one that may also read direct messages,
    /// `com.atproto.access` for the account's own password. Read from the token's JWT payload,
    /// which the PDS issued to us (no signature check is needed to read our own session); only
    /// the claim is returned, never the token. `None` when there is no session or the token is
    /// not a JWT (a PDS may change its token format; nothing depends on this but a warning).
    pub(super) fn scope(&self) -> Option<String> {
        let token = self.session.as_ref()?.access.expose();
        let payload = base64url(token.split('.').nth(1)?)?;
        let claims: Value = serde_json::from_slice(&payload).ok()?;
        claims.get("scope").and_then(Value::as_str).map(str::to_owned)
    }

    /// The number of sessions created so far: for tests of session reuse.
    #[cfg(test)]
    pub(super) fn has_session(&self) -> bool {
        self.session.is_some()
    }
}

fn read_session(response: reqwest::Result<Response>, what: &str) -> Result<Session, SendError> {
    let response = response.map_err(|e| http::transport(&e, what))?;
    let json = read(response, what)?;
    let field = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_owned);
    match (field("accessJwt"), field("refreshJwt"), field("did")) {
        (Some(access), Some(refresh), Some(did)) => {
            Ok(Session { access: Secret::new(access), refresh: Secret::new(refresh), did })
        }
        _ => Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the session has no tokens or DID"))),
    }
}

/// A response as JSON, or the failure it means, with the XRPC error name kept.
fn read(response: Response, what: &str) -> Result<Value, Failure> {
    let status = response.status();
    if status.is_success() {
        let text = response.text().map_err(|e| http::transport(&e, what))?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        return serde_json::from_str(&text)
            .map_err(|_| SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer is not JSON")).into());
    }
    let retry_after = http::wait_asked(response.headers(), jiff::Timestamp::now());
    let body = response.text().unwrap_or_default();
    let error = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|j| j.get("error").and_then(Value::as_str).map(str::to_owned));
    let said = http::server_message(&body);
    let mut send = http::classify(status, retry_after, &said, what);
    if status == StatusCode::BAD_REQUEST
        && let Some(e) = &error
        && AUTH_ERRORS.contains(&e.as_str())
    {
        send = SendError::permanent(ErrorKind::Auth, send.message().to_string());
    }
    Err(Failure { error, send })
}

/// The AT Protocol's rate-limit headers: `ratelimit-limit`, `-remaining`, `-reset` (Unix
/// seconds) and `-policy` (`30;w=300`: 30 in a 300-second window). `None` unless both counts
/// are there.
fn quota_of(headers: &HeaderMap, counted: &str, now: Timestamp) -> Option<Quota> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let limit = header("ratelimit-limit")?.parse::<u64>().ok()?;
    let remaining = header("ratelimit-remaining")?.parse::<u64>().ok()?;
    let resets = header("ratelimit-reset")
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok())
        .filter(|r| *r >= now);
    let window = header("ratelimit-policy")
        .and_then(|p| p.split(';').find_map(|part| part.trim().strip_prefix("w=")))
        .and_then(|w| w.parse::<u64>().ok());
    let what = match window {
        Some(w) if w >= 3600 && w % 3600 == 0 => format!("{counted} in a {}-hour window", w / 3600),
        Some(w) if w >= 60 && w % 60 == 0 => format!("{counted} in a {}-minute window", w / 60),
        Some(w) => format!("{counted} in a {w}-second window"),
        None => format!("{counted} in the current window"),
    };
    Some(Quota { what, used: limit.saturating_sub(remaining), limit, resets })
}

/// Base64url without padding (a JWT's parts); standard Base64 letters are read too.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_scope_is_read_from_the_jwt_payload() {
        assert_eq!(base64url("aGVq").as_deref(), Some(&b"hej"[..]));
        assert_eq!(base64url("eyJhIjoxfQ").as_deref(), Some(&br#"{"a":1}"#[..]));
        assert_eq!(base64url("not base64!"), None);
        let http = Http::new(std::time::Duration::from_secs(1)).unwrap();
        let mut x = Xrpc::new(http, "http://127.0.0.1:9".into(), "a.test".into(), Secret::new("pw"));
        assert_eq!(x.scope(), None, "no session, no scope");
        // {"scope":"com.atproto.appPass","sub":"did:plc:x"}
        let payload = "eyJzY29wZSI6ImNvbS5hdHByb3RvLmFwcFBhc3MiLCJzdWIiOiJkaWQ6cGxjOngifQ";
        x.session = Some(Session {
            access: Secret::new(format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")),
            refresh: Secret::new("r"),
            did: "did:plc:x".into(),
        });
        assert_eq!(x.scope().as_deref(), Some("com.atproto.appPass"));
        x.session = Some(Session { access: Secret::new("opaque"), refresh: Secret::new("r"), did: "d".into() });
        assert_eq!(x.scope(), None, "a token that is not a JWT tells nothing");
    }

    #[test]
    fn rate_limit_headers_become_a_quota() {
        use reqwest::header::{HeaderName, HeaderValue};
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("ratelimit-limit", "30"),
            ("ratelimit-remaining", "28"),
            ("ratelimit-reset", &(now.as_second() + 120).to_string()),
            ("ratelimit-policy", "30;w=300"),
        ] {
            h.insert(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        let q = quota_of(&h, "logins (createSession)", now).unwrap();
        assert_eq!((q.used, q.limit, q.remaining()), (2, 30, 28));
        assert_eq!(q.what, "logins (createSession) in a 5-minute window");
        assert_eq!(q.resets.map(|r| r.as_second()), Some(now.as_second() + 120));
        assert_eq!(quota_of(&HeaderMap::new(), "requests", now), None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let http = Http::new(std::time::Duration::from_secs(1)).unwrap();
        let mut x = Xrpc::new(http, "http://127.0.0.1:9".into(), "a.test".into(), Secret::new("hunter2-pw"));
        x.session = Some(Session {
            access: Secret::new("eyJaccess"),
            refresh: Secret::new("eyJrefresh"),
            did: "did:plc:x".into(),
        });
        let shown = format!("{x:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("eyJ"), "{shown}");
        assert!(x.has_session());
    }
}
