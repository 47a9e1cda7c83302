//! The one HTTP client every platform uses, and the one reading of HTTP failures: which are
//! worth retrying, how long the server asked us to wait, and what a person is told. Keeping
//! this in one place is what makes "transient" mean the same on every platform.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::HeaderMap;

use super::api::{ErrorKind, SendError};
use crate::error::{Error, Result};

/// How long one request may take, connection to last byte, unless strategy.toml says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A shared, connection-pooling client with a timeout on every request and a User-Agent that
/// names budkavle, so an instance admin can see who is calling.
#[derive(Debug, Clone)]
pub struct Http {
    client: Client,
}

impl Http {
    pub fn new(timeout: Duration) -> Result<Http> {
        let client = Client::builder()
            .user_agent(concat!("budkavle/", env!("CARGO_PKG_VERSION"), " (+https://github.com/budkavle/budkavle)"))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .https_only(false)
            .build()
            .map_err(|e| Error::Internal(format!("cannot set up HTTP: {e}")))?;
        Ok(Http { client })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// A response as a result: 2xx passes, everything else becomes the [`SendError`] it means.
/// `what` names the request for the message ("posting a status").
pub fn check(response: Response, what: &str) -> Result<Response, SendError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = wait_asked(response.headers(), Timestamp::now());
    let body = response.text().unwrap_or_default();
    Err(classify(status, retry_after, &server_message(&body), what))
}

/// What a status code means for the publisher.
pub fn classify(status: StatusCode, retry_after: Option<Duration>, said: &str, what: &str) -> SendError {
    let message =
        if said.is_empty() { format!("{what}: HTTP {status}") } else { format!("{what}: HTTP {status}: {said}") };
    match status.as_u16() {
        408 | 425 | 429 | 500..=599 => SendError::Transient { message, retry_after },
        401 => SendError::permanent(ErrorKind::Auth, message),
        403 => SendError::permanent(ErrorKind::Forbidden, message),
        404 | 410 => SendError::permanent(ErrorKind::NotFound, message),
        _ => SendError::permanent(ErrorKind::Rejected, message),
    }
}

/// A failure before any status arrived: all of these may succeed on a second try, and for a
/// timeout the request may even have been carried out (the ledger's intent covers that).
pub fn transport(error: &reqwest::Error, what: &str) -> SendError {
    let why = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else {
        "the connection failed"
    };
    SendError::transient(format!("{what}: {why} ({})", without_url(error)))
}

/// reqwest's message includes the URL, which may carry a query; keep only the cause.
fn without_url(error: &reqwest::Error) -> String {
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() { "no detail".into() } else { cause }
}

/// The error text a server put in its body: Mastodon `{"error": …}`, AT Protocol
/// `{"error": …, "message": …}`; otherwise a short plain-text body. Never more than 300
/// characters, since it ends up in the ledger.
pub fn server_message(body: &str) -> String {
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => {
            let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            match (field("error"), field("message"), field("error_description")) {
                (Some(e), Some(m), _) => format!("{e}: {m}"),
                (Some(e), None, Some(d)) => format!("{e}: {d}"),
                (Some(e), None, None) => e,
                (None, Some(m), _) => m,
                (None, None, _) => String::new(),
            }
        }
        Err(_) if body.trim_start().starts_with('<') => String::new(), // an HTML error page
        Err(_) => body.trim().to_string(),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// How long the server asked us to wait: `Retry-After` (seconds or an HTTP date), or, when the
/// rate limit is used up, its reset — Mastodon's `X-RateLimit-Reset` is ISO 8601, the AT
/// Protocol's `RateLimit-Reset` Unix seconds.
pub fn wait_asked(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(value) = header("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Some(at) = http_date(value) {
            return Some(until(now, at));
        }
    }
    let exhausted = |name: &str| header(name).and_then(|v| v.parse::<i64>().ok()).is_some_and(|left| left <= 0);
    if exhausted("x-ratelimit-remaining")
        && let Some(at) = header("x-ratelimit-reset").and_then(|v| v.parse::<Timestamp>().ok())
    {
        return Some(until(now, at));
    }
    if exhausted("ratelimit-remaining")
        && let Some(at) = header("ratelimit-reset").and_then(|v| v.parse::<i64>().ok())
        && let Ok(at) = Timestamp::from_second(at)
    {
        return Some(until(now, at));
    }
    None
}

fn until(now: Timestamp, at: Timestamp) -> Duration {
    let seconds = at.as_second() - now.as_second();
    Duration::from_secs(seconds.max(0) as u64)
}

/// RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, the only form servers still send.
fn http_date(value: &str) -> Option<Timestamp> {
    let value = value.strip_suffix(" GMT")?;
    let value = value.split_once(", ").map_or(value, |(_, rest)| rest);
    let civil = jiff::civil::DateTime::strptime("%d %b %Y %H:%M:%S", value).ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
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

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now: Timestamp = "2026-11-24T08:49:30Z".parse().unwrap();
        assert_eq!(wait_asked(&headers(&[("retry-after", "7")]), now), Some(Duration::from_secs(7)));
        let h = headers(&[("retry-after", "Tue, 24 Nov 2026 08:49:37 GMT")]);
        assert_eq!(wait_asked(&h, now), Some(Duration::from_secs(7)));
        assert_eq!(wait_asked(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn mastodon_and_atproto_rate_limit_resets() {
        let now: Timestamp = "2026-11-24T08:00:00Z".parse().unwrap();
        let m = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "2026-11-24T08:05:00.000Z")]);
        assert_eq!(wait_asked(&m, now), Some(Duration::from_secs(300)));
        let left = headers(&[("x-ratelimit-remaining", "5"), ("x-ratelimit-reset", "2026-11-24T08:05:00.000Z")]);
        assert_eq!(wait_asked(&left, now), None);
        let reset = now.as_second() + 60;
        let b = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", &reset.to_string())]);
        assert_eq!(wait_asked(&b, now), Some(Duration::from_secs(60)));
    }

    #[test]
    fn statuses_sort_into_transient_and_permanent() {
        let t = |code: u16| classify(StatusCode::from_u16(code).unwrap(), None, "", "posting");
        assert!(matches!(t(503), SendError::Transient { .. }));
        assert!(matches!(t(429), SendError::Transient { .. }));
        assert!(matches!(t(401), SendError::Permanent { kind: ErrorKind::Auth, .. }));
        assert!(matches!(t(403), SendError::Permanent { kind: ErrorKind::Forbidden, .. }));
        assert!(matches!(t(422), SendError::Permanent { kind: ErrorKind::Rejected, .. }));
        assert!(matches!(t(404), SendError::Permanent { kind: ErrorKind::NotFound, .. }));
    }

    #[test]
    fn server_messages_are_short_and_plain() {
        assert_eq!(
            server_message(r#"{"error":"Validation failed: Text can't be blank"}"#),
            "Validation failed: Text can't be blank"
        );
        assert_eq!(server_message(r#"{"error":"InvalidRequest","message":"bad rkey"}"#), "InvalidRequest: bad rkey");
        assert_eq!(server_message("<html><body>502</body></html>"), "");
        assert_eq!(server_message(&"x".repeat(400)).chars().count(), 301);
    }
}
