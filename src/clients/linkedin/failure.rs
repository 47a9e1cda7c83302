//! LinkedIn's error answers and what they mean for the publisher.
//!
//! The body is `{"status", "serviceErrorCode", "code", "message"}`
//! (<https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling>), and
//! for a refused body also `errorDetails.inputErrors[{code, description, input.inputPath}]`.
//! Status codes sort as on every platform ([`http::classify`]); on top of that LinkedIn's own
//! codes say which token problem it is, which scope is missing, that the `LinkedIn-Version`
//! is no longer served, and — for a duplicate — which post already holds the text.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::blocking::Response;
use serde_json::Value;

use crate::clients::api::{ErrorKind, SendError};
use crate::clients::http;

/// What the failing request needed, for the message of a 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Posting, commenting, uploading, editing, deleting as the page.
    Write,
    /// Listing the page's posts and comments.
    Read,
    /// The page's statistics (share statistics): the ADMINISTRATOR role only.
    Admin,
}

impl Need {
    fn scope(self) -> &'static str {
        match self {
            Need::Write => "w_organization_social",
            Need::Read => "r_organization_social",
            Need::Admin => "rw_organization_admin",
        }
    }

    fn roles(self) -> &'static str {
        match self {
            Need::Admin => "ADMINISTRATOR",
            Need::Write | Need::Read => "ADMINISTRATOR, CONTENT_ADMINISTRATOR or DIRECT_SPONSORED_CONTENT_POSTER",
        }
    }
}

/// A non-2xx answer, read.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) service_code: Option<i64>,
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    /// `code: description` of each refused input field.
    pub(crate) inputs: Vec<(String, String)>,
    pub(crate) retry_after: Option<Duration>,
}

impl Failure {
    pub(crate) fn read(response: Response) -> Failure {
        let status = response.status();
        let retry_after = http::wait_asked(response.headers(), Timestamp::now());
        let body = response.text().unwrap_or_default();
        Failure::parse(status, &body, retry_after)
    }

    pub(crate) fn parse(status: StatusCode, body: &str, retry_after: Option<Duration>) -> Failure {
        let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let inputs = json
            .pointer("/errorDetails/inputErrors")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|e| (text(&e["code"]).unwrap_or_default(), text(&e["description"]).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let message =
            if json.is_null() { http::server_message(body) } else { text(&json["message"]).unwrap_or_default() };
        Failure {
            status,
            service_code: json["serviceErrorCode"].as_i64(),
            code: text(&json["code"]),
            message,
            inputs,
            retry_after,
        }
    }

    fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code) || self.inputs.iter().any(|(c, _)| c == code)
    }

    /// For a 422 `DUPLICATE_POST`, the post that already holds the text: "Content is a
    /// duplicate of urn:li:share:…".
    pub(crate) fn duplicate_of(&self) -> Option<String> {
        if self.status != StatusCode::UNPROCESSABLE_ENTITY
            || !(self.has_code("DUPLICATE_POST") || self.message.contains("is a duplicate of"))
        {
            return None;
        }
        let (_, after) = self.message.split_once("duplicate of ")?;
        let urn: String =
            after.trim_start().chars().take_while(|c| !c.is_whitespace() && !matches!(c, '"' | ',' | ';')).collect();
        let urn = urn.trim_end_matches('.');
        super::restli::is_post(urn).then(|| urn.to_string())
    }

    /// What LinkedIn said, shortened: its message, its code, and each refused field.
    fn said(&self) -> String {
        let mut said = String::new();
        if let Some(code) = &self.code {
            said.push_str(code);
        }
        if let Some(n) = self.service_code {
            said.push_str(&format!(" ({n})"));
        }
        if !self.message.is_empty() {
            if !said.is_empty() {
                said.push_str(": ");
            }
            said.push_str(&self.message);
        }
        for (code, description) in &self.inputs {
            if !description.is_empty() && !self.message.contains(description.as_str()) {
                said.push_str(&format!("; {code}: {description}"));
            } else if !code.is_empty() && !said.contains(code.as_str()) {
                said.push_str(&format!("; {code}"));
            }
        }
        http::server_message(&said)
    }

    /// The [`SendError`] this answer means. `version` is the `LinkedIn-Version` sent, `page`
    /// the organisation, both for messages.
    pub(crate) fn into_error(self, what: &str, need: Need, version: &str, page: &str, now: Timestamp) -> SendError {
        let said = self.said();
        match self.status.as_u16() {
            401 => {
                let why = match self.service_code {
                    Some(65600) => "LinkedIn does not know the access token",
                    Some(65601) => "the access token has been revoked (by the member, or when the app lost access)",
                    Some(65602) => "the access token has expired (LinkedIn access tokens last 60 days): make a new one",
                    Some(65604) => "no access token reached LinkedIn",
                    _ => "LinkedIn did not accept the access token",
                };
                SendError::permanent(ErrorKind::Auth, format!("{what}: {why} (HTTP 401: {said})"))
            }
            403 => SendError::permanent(
                ErrorKind::Forbidden,
                format!(
                    "{what}: LinkedIn denied access (HTTP 403: {said}): the token needs the scope {} and the member who authorised it a role on the page {page} ({})",
                    need.scope(),
                    need.roles()
                ),
            ),
            426 => SendError::permanent(
                ErrorKind::Protocol,
                format!(
                    "{what}: strategy.toml [platforms.linkedin] api_version = \"{version}\" is no longer served by LinkedIn: set a current version (YYYYMM) (HTTP 426: {said})"
                ),
            ),
            429 => {
                let midnight = until_midnight_utc(now);
                SendError::Transient {
                    message: format!(
                        "{what}: LinkedIn's daily limit for this call is used up (HTTP 429: {said}); LinkedIn sends no rate-limit headers, and its daily limits reset at midnight UTC"
                    ),
                    retry_after: self.retry_after.or(Some(midnight)),
                }
            }
            _ => http::classify(self.status, self.retry_after, &said, what),
        }
    }
}

/// LinkedIn's rate limits count calls per day and "reset at midnight UTC every day"
/// (<https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits>).
fn until_midnight_utc(now: Timestamp) -> Duration {
    let day = 86_400;
    let left = day - now.as_second().rem_euclid(day);
    Duration::from_secs(left as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str) -> SendError {
        let now: Timestamp = "2026-11-24T23:00:00Z".parse().unwrap();
        Failure::parse(StatusCode::from_u16(status).unwrap(), body, None).into_error(
            "posting",
            Need::Write,
            "202401",
            "urn:li:organization:1",
            now,
        )
    }

    #[test]
    fn token_codes_are_auth_and_say_which() {
        let expired = error(
            401,
            r#"{"status":401,"serviceErrorCode":65602,"code":"EXPIRED_ACCESS_TOKEN","message":"The token used in the request has expired"}"#,
        );
        assert!(matches!(expired, SendError::Permanent { kind: ErrorKind::Auth, .. }), "{expired:?}");
        assert!(expired.message().contains("expired") && expired.message().contains("60 days"), "{expired}");
        let revoked = error(401, r#"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN"}"#);
        assert!(revoked.message().contains("revoked"), "{revoked}");
    }

    #[test]
    fn access_denied_names_the_scope_and_the_page() {
        let e = error(
            403,
            r#"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: partnerApiPostsExternal.CREATE.20261101"}"#,
        );
        assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Forbidden, .. }), "{e:?}");
        assert!(e.message().contains("w_organization_social") && e.message().contains("urn:li:organization:1"));
        assert!(e.message().contains("partnerApiPostsExternal.CREATE"), "{e}");
    }

    #[test]
    fn a_sunset_version_names_the_setting() {
        let e = error(
            426,
            r#"{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20240101 is not active"}"#,
        );
        assert!(matches!(e, SendError::Permanent { .. }), "{e:?}");
        assert!(
            e.message().contains(
                "strategy.toml [platforms.linkedin] api_version = \"202401\" is no longer served by LinkedIn: set a current version (YYYYMM)"
            ),
            "{e}"
        );
    }

    #[test]
    fn throttling_waits_for_midnight_utc() {
        let e = error(
            429,
            r#"{"status":429,"serviceErrorCode":101,"code":"TOO_MANY_REQUESTS","message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}"#,
        );
        assert!(
            matches!(e, SendError::Transient { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
            "{e:?}"
        );
        assert!(e.message().contains("midnight UTC"), "{e}");
    }

    #[test]
    fn refused_fields_are_in_the_message() {
        let e = error(
            400,
            r#"{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"commentary length 3010 exceeds the maximum of 3000 characters","errorDetails":{"inputErrors":[{"description":"commentary length 3010 exceeds the maximum of 3000 characters","input":{"inputPath":{"fieldPath":"commentary"}},"code":"FIELD_LENGTH_TOO_LONG"}]},"status":400}"#,
        );
        assert!(matches!(e, SendError::Permanent { kind: ErrorKind::Rejected, .. }), "{e:?}");
        assert!(e.message().contains("FIELD_LENGTH_TOO_LONG") && e.message().contains("3010"), "{e}");
    }

    #[test]
    fn a_duplicate_names_the_post_that_holds_the_text() {
        let body = r#"{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}"#;
        let f = Failure::parse(StatusCode::UNPROCESSABLE_ENTITY, body, None);
        assert_eq!(f.duplicate_of().as_deref(), Some("urn:li:share:7141138937766391808"));
        let other = Failure::parse(
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"message":"ERROR :: /title :: unrecognized field found but not allowed\n","status":422}"#,
            None,
        );
        assert_eq!(other.duplicate_of(), None);
        assert_eq!(Failure::parse(StatusCode::BAD_REQUEST, body, None).duplicate_of(), None);
    }
}
