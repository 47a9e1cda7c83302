//! Sending to a LinkedIn organisation page: the [`Connection`] behind `budkavle publish`, on
//! the versioned REST API of LinkedIn's Community Management API.
//!
//! Documentation followed (learn.microsoft.com/en-us/linkedin/…):
//! - Posts API, `…/marketing/community-management/shares/posts-api`: create (201, the URN in
//!   `x-restli-id`), find by author, partial update, delete (idempotent, 204);
//! - multi-image posts, `…/shares/multiimage-post-api` (2 to 20 images, alt text each);
//! - Images API, `…/shares/images-api`: `initializeUpload`, the upload `PUT` with the bearer
//!   token, then `GET` until the image is `AVAILABLE`; JPG, GIF and PNG below 36,152,320 pixels;
//! - Comments API, `…/shares/comments-api`: create, edit and delete a comment as the page;
//! - little text format, `…/shares/little-text-format` (see [`little`]);
//! - versioning, `…/marketing/versioning`: every call names a `LinkedIn-Version` (YYYYMM),
//!   each served for at least a year;
//! - error handling and rate limits, `…/shared/api-guide/concepts/error-handling` and
//!   `…/rate-limits` (see [`failure`]).
//!
//! Every `/rest` call carries `Authorization: Bearer`, `LinkedIn-Version` (strategy.toml's
//! `api_version`, default [`DEFAULT_VERSION`]) and `X-Restli-Protocol-Version: 2.0.0`; every
//! URN in a URL is percent-encoded as Rest.li 2.0 requires ([`restli`]).
//!
//! **Threads.** LinkedIn has no reply threads for organisation posts. A part that answers
//! another (`out.reply_to`: the later parts of a thread, an update of an earlier post) goes
//! out as a comment by the page on the first post, in plain text (a comment is not little
//! text). Deleting a post deletes its comments with it, last first.
//!
//! **Exactly once.** LinkedIn honours no idempotency key. Two things stand in for one:
//! - A `POST /rest/posts` repeated with the same text within ten minutes is refused with 422
//!   `DUPLICATE_POST`, naming the post that already holds it; that post is returned as the
//!   one sent, never posted again.
//! - After an interrupted request, [`Connection::lookup`] reads the page's own posts newest
//!   first (`GET /rest/posts?q=author`, by creation time) back to the intent less
//!   [`CLOCK_SKEW`], and compares each post's commentary with the text that was sent, both
//!   written the way LinkedIn answers them ([`little::canonical`]: escapes kept, hashtags as
//!   `{hashtag|\#|word}`), and the images' alt texts. A comment is looked for among the
//!   post's comments by the page. Not reaching back that far (more than [`LIST_MAX`] posts,
//!   or a token that may not read the page) is [`Lookup::CannotTell`], for a person.
//!
//! LinkedIn sends no rate-limit headers: a 429 means a daily limit is used up, and daily
//! limits reset at midnight UTC, which is the wait the publisher is given.
//!
//! **A token's expiry and scopes** are shown only to the app that asked for it: token
//! introspection, `POST https://www.linkedin.com/oauth/v2/introspectToken` with the app's
//! `client_id` and `client_secret` (`…/shared/authentication/token-introspection`). With
//! `api_key_env` (the client id) and `api_secret_env` (the client secret) in
//! `[platforms.linkedin]`, `doctor` reads both; without them it can only say that member tokens
//! last 60 days.

mod failure;
mod little;
mod restli;
mod statistics;

use std::collections::{BTreeSet, HashSet};
use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::HeaderValue;
use serde_json::{Value, json};

use crate::clients::account::Account;
use crate::clients::api::{
    Connection, Counts, ErrorKind, Health, Heard, Limits, Lookup, Outgoing, Secret, SendError, Upload,
};
use crate::clients::heard::{Seen, deletion, own_ids};
use crate::clients::http::{self, Http};
use crate::error::{Error, Result};
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};
use failure::{Failure, Need};

const DEFAULT_API_URL: &str = "https://api.linkedin.com";

/// Where LinkedIn's OAuth endpoints live when `api_url` is not set (with `api_url`, a peer or
/// proxy serves `/oauth/v2/…` at that address too).
const DEFAULT_OAUTH_URL: &str = "https://www.linkedin.com";

/// The `LinkedIn-Version` sent when strategy.toml names none: a recent one, since LinkedIn
/// serves each version for about a year. When it is sunset, the 426 names the setting.
pub(crate) const DEFAULT_VERSION: &str = "202611";

/// "The maximum length of the text of a UGC Post is 3,000 characters."
const CHARS: usize = 3_000;
/// multiImage: "Minimum of 2 images and maximum of 20 images".
const MAX_IMAGES: usize = 20;
/// Images API: "less than 36,152,320 pixels". No byte limit is documented.
const MAX_PIXELS: u64 = 36_152_320;

/// How long an uploaded image may stay in processing before the part is given up for this
/// run as a transient failure.
const MEDIA_WAIT: Duration = Duration::from_secs(60);

/// Another machine's clock may differ from LinkedIn's: a look-up reads this much further back.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// Posts per page of the finder (at most 100), and how many posts or comments a look-up reads.
const PAGE: usize = 50;
const LIST_MAX: usize = 500;

/// Logs in to the page `[platforms.linkedin]` configures: `page_id` is the organisation
/// (`urn:li:organization:N` or N), `token_env` names the variable holding a member's access
/// token with `w_organization_social` (posting) and `r_organization_social` (look-ups, and
/// edits, which read the post first), the member holding a role on the page; `api_version` the `LinkedIn-Version`; `api_url` the API
/// host (default `https://api.linkedin.com`). No request is made until the first call.
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let config = account.config;
    let base = account.base_url("api_url", config.api_url.as_ref(), Some(DEFAULT_API_URL))?;
    let base = base.strip_suffix("/rest").map_or_else(|| base.clone(), str::to_owned);
    let page = match config.page_id.as_deref() {
        None => {
            return Err(Error::Usage(
                "strategy.toml: [platforms.linkedin] has no `page_id`: give the organisation page's URN, e.g. page_id = \"urn:li:organization:12345678\" (the number in the page's admin address, linkedin.com/company/12345678/admin)".into(),
            ));
        }
        Some(id) => restli::organization(id).ok_or_else(|| {
            Error::Usage(format!(
                "strategy.toml: [platforms.linkedin] page_id = \"{id}\" is not an organisation: write it as \"urn:li:organization:12345678\" (the number in the page's admin address, linkedin.com/company/12345678/admin)"
            ))
        })?,
    };
    let version = match config.api_version.as_ref().map(|v| v.get_ref().trim()) {
        None => DEFAULT_VERSION.to_string(),
        Some(v) if is_version(v) => v.to_string(),
        Some(v) => {
            return Err(Error::Usage(format!(
                "strategy.toml: [platforms.linkedin] api_version = \"{v}\" is not a LinkedIn version: write the month as YYYYMM, e.g. api_version = \"{DEFAULT_VERSION}\""
            )));
        }
    };
    let oauth = if config.api_url.is_some() { base.clone() } else { DEFAULT_OAUTH_URL.to_string() };
    // The app's credentials are optional: only token introspection (doctor) uses them.
    let app = match (config.api_key_env.as_ref(), config.api_secret_env.as_ref()) {
        (None, None) => None,
        (id, secret) => Some(App {
            client_id: account.secret("api_key_env", id, env)?,
            client_secret: account.secret("api_secret_env", secret, env)?,
        }),
    };
    let token = account.secret("token_env", config.token_env.as_ref(), env)?;
    if HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err() || token.expose().contains(' ') {
        // Said without the value: it may be a real secret pasted with something around it.
        let name = config.token_env.as_ref().map_or("", |n| n.get_ref().as_str());
        return Err(Error::Usage(format!(
            "strategy.toml: [platforms.linkedin] token_env names {name}, which holds something that is not an access token (spaces or control characters inside): set it to the token alone"
        )));
    }
    Ok(Box::new(LinkedinClient {
        http: http.clone(),
        base,
        oauth,
        app,
        token,
        version,
        page,
        media_wait: MEDIA_WAIT,
        unsure: Default::default(),
    }))
}

/// The LinkedIn app the token was issued to. `Debug` shows no secret.
#[derive(Debug)]
struct App {
    client_id: Secret,
    client_secret: Secret,
}

/// What token introspection answers; every field but `active` is optional there.
#[derive(Debug, serde::Deserialize)]
struct Introspection {
    active: bool,
    status: Option<String>,
    /// Unix seconds.
    expires_at: Option<i64>,
    /// Comma-separated scopes (3-legged tokens only).
    scope: Option<String>,
}

/// `YYYYMM` or `YYYYMM.RR`, as the `LinkedIn-Version` header takes it.
fn is_version(v: &str) -> bool {
    let (month, revision) = v.split_once('.').map_or((v, None), |(m, r)| (m, Some(r)));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(month, 6) && matches!(month[4..].parse::<u8>(), Ok(1..=12)) && revision.is_none_or(|r| digits(r, 2))
}

/// A LinkedIn page. `Debug` shows the token as `Secret(***)`.
#[derive(Debug)]
pub(crate) struct LinkedinClient {
    http: Http,
    /// `https://api.linkedin.com`, no trailing slash; `/rest/…` follows.
    base: String,
    /// `https://www.linkedin.com`, no trailing slash; `/oauth/v2/…` follows.
    oauth: String,
    /// The app's client id and secret, for token introspection.
    app: Option<App>,
    token: Secret,
    /// The `LinkedIn-Version` header.
    version: String,
    /// `urn:li:organization:N`: the author of every post, the actor of every comment.
    page: String,
    /// The bound on waiting for an image's processing ([`MEDIA_WAIT`]; shorter in tests).
    media_wait: Duration,
    /// Posts of this run whose request may have reached LinkedIn without an answer, by key,
    /// with when it was sent: a retry looks for the post before posting again, because it
    /// uploads the images anew and so is no longer LinkedIn's duplicate of the first try.
    unsure: std::collections::HashMap<String, Timestamp>,
}

/// How far a search of the page's posts or a post's comments got.
enum Search {
    Found(Remote),
    /// Read back to before the intent (or to the end): it is not there.
    Complete,
    /// Could not read back that far; the text says why.
    Incomplete(String),
}

impl LinkedinClient {
    /// A `/rest` request with the headers every call needs.
    fn rest(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .client()
            .request(method, format!("{}/rest/{path}", self.base))
            .bearer_auth(self.token.expose())
            .header("LinkedIn-Version", &self.version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    }

    /// Sends one request: a 2xx answer, or LinkedIn's failure read (transport failures are
    /// already [`SendError`]s).
    fn exchange(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> std::result::Result<std::result::Result<Response, Failure>, SendError> {
        let response = request.send().map_err(|e| http::transport(&e, what))?;
        if response.status().is_success() { Ok(Ok(response)) } else { Ok(Err(Failure::read(response))) }
    }

    fn send(&self, request: RequestBuilder, what: &str, need: Need) -> std::result::Result<Response, SendError> {
        self.exchange(request, what)?.map_err(|f| self.fail(f, what, need))
    }

    fn fail(&self, failure: Failure, what: &str, need: Need) -> SendError {
        failure.into_error(what, need, &self.version, &self.page, Timestamp::now())
    }

    /// A 2xx answer's JSON body; an empty body is `null`.
    fn json(response: Response, what: &str) -> std::result::Result<Value, SendError> {
        let body = response.text().map_err(|e| http::transport(&e, what))?;
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&body).map_err(|e| {
            SendError::permanent(ErrorKind::Protocol, format!("{what}: LinkedIn's answer is not JSON ({e})"))
        })
    }

    /// The page's address, for a person who must look.
    fn page_url(&self) -> String {
        let number = self.page.rsplit(':').next().unwrap_or_default();
        format!("https://www.linkedin.com/company/{number}/")
    }

    fn create_post(&self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "posting to the LinkedIn page";
        check_media(out.media)?;
        let images = out.media.iter().map(|m| self.upload(m)).collect::<std::result::Result<Vec<_>, _>>()?;
        let mut body = json!({
            "author": self.page,
            "commentary": out.text,
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        });
        if let Some(content) = content(&images, out.media) {
            body["content"] = content;
        }
        match self.exchange(self.rest(Method::POST, "posts").json(&body), what)? {
            Ok(response) => created_post(&response, what).map(|urn| post_remote(&urn)),
            Err(failure) => match failure.duplicate_of() {
                // LinkedIn already holds exactly this post: the earlier attempt went through.
                Some(urn) => Ok(post_remote(&urn)),
                None => Err(self.fail(failure, what, Need::Write)),
            },
        }
    }

    /// A comment by the page on the post `to` starts, or on the thread of the comment `to` is.
    fn create_comment(&self, to: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "commenting as the page on its LinkedIn post";
        if !out.media.is_empty() {
            return Err(SendError::permanent(
                ErrorKind::Unsupported,
                format!(
                    "{what}: this part answers {} and goes out as a comment, and budkavle sends no images in LinkedIn comments; leave the images out of the follow-up or post it by hand",
                    to.id
                ),
            ));
        }
        let thread = thread_of(to, what)?;
        let body = json!({"actor": self.page, "object": thread, "message": {"text": little::plain(out.text)}});
        let path = format!("socialActions/{}/comments", restli::encode(thread));
        let response = self.send(self.rest(Method::POST, &path).json(&body), what, Need::Write)?;
        Self::created_comment(response, thread, what)
    }

    /// The comment a `POST …/comments` made on `thread`: its URN from the answer (`commentUrn`
    /// or `$URN`, else the thread and the id in the body or `x-restli-id`).
    fn created_comment(response: Response, thread: &str, what: &str) -> std::result::Result<Remote, SendError> {
        let id = response.headers().get("x-restli-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let comment = Self::json(response, what)?;
        let text = |k: &str| comment.get(k).and_then(Value::as_str).map(str::to_owned);
        let urn = text("commentUrn").or_else(|| text("$URN")).or_else(|| {
            let object = text("object").unwrap_or_else(|| thread.to_string());
            text("id").or(id).map(|id| format!("urn:li:comment:({object},{id})"))
        });
        match urn {
            Some(urn) if restli::comment(&urn).is_some() => Ok(comment_remote(&urn)),
            _ => Err(SendError::permanent(
                ErrorKind::Protocol,
                format!(
                    "{what}: LinkedIn made the comment but named no comment URN; look at the comments on {} and run `budkavle resolve`",
                    restli::post_url(thread)
                ),
            )),
        }
    }

    /// `initializeUpload` for the page, the `PUT` of the bytes, and the wait for `AVAILABLE`.
    fn upload(&self, upload: &Upload) -> std::result::Result<String, SendError> {
        let what = format!("uploading the image {} to LinkedIn", upload.name);
        let body = json!({"initializeUploadRequest": {"owner": self.page}});
        let response =
            self.send(self.rest(Method::POST, "images?action=initializeUpload").json(&body), &what, Need::Write)?;
        let answer = Self::json(response, &what)?;
        let field = |p: &str| answer.pointer(p).and_then(Value::as_str);
        let (Some(upload_url), Some(image)) = (field("/value/uploadUrl"), field("/value/image")) else {
            return Err(SendError::permanent(
                ErrorKind::Protocol,
                format!("{what}: the answer has no uploadUrl or image"),
            ));
        };
        let target = self.upload_target(upload_url, &what)?;
        let put = self.http.client().put(target).bearer_auth(self.token.expose()).body(upload.bytes.clone());
        self.send(put, &what, Need::Write)?;
        self.wait_available(image, &upload.name)?;
        Ok(image.to_string())
    }

    /// The upload address LinkedIn handed out, if the token may go there: a LinkedIn host
    /// over https, or the configured API host itself (a proxy or a test peer).
    fn upload_target(&self, url: &str, what: &str) -> std::result::Result<reqwest::Url, SendError> {
        let refuse = || {
            SendError::permanent(
                ErrorKind::Protocol,
                format!(
                    "{what}: the upload address LinkedIn gave is not on linkedin.com or the api_url host; the token is not sent there"
                ),
            )
        };
        let url = reqwest::Url::parse(url).map_err(|_| refuse())?;
        let base = reqwest::Url::parse(&self.base).map_err(|_| refuse())?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let linkedin = url.scheme() == "https" && (host == "linkedin.com" || host.ends_with(".linkedin.com"));
        let same = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        if linkedin || same { Ok(url) } else { Err(refuse()) }
    }

    /// Polls `GET /rest/images/{urn}` until `AVAILABLE`, at most `media_wait`. LinkedIn may
    /// refuse a post whose image is still processing, or accept it and never show it.
    fn wait_available(&self, image: &str, name: &str) -> std::result::Result<(), SendError> {
        let what = format!("waiting for LinkedIn to process the image {name}");
        let deadline = Instant::now() + self.media_wait;
        let mut pause = Duration::from_millis(200);
        loop {
            let path = format!("images/{}", restli::encode(image));
            let answer = Self::json(self.send(self.rest(Method::GET, &path), &what, Need::Write)?, &what)?;
            match answer["status"].as_str().unwrap_or_default() {
                "AVAILABLE" => return Ok(()),
                "PROCESSING_FAILED" => {
                    return Err(SendError::permanent(
                        ErrorKind::Rejected,
                        format!(
                            "{what}: LinkedIn could not process it (PROCESSING_FAILED); it takes JPG, GIF and PNG images of less than {MAX_PIXELS} pixels"
                        ),
                    ));
                }
                _ => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SendError::transient(format!(
                    "{what}: still not available after {} s",
                    self.media_wait.as_secs_f32().ceil()
                )));
            }
            thread::sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// The page's posts, newest first by creation, back to `from`: the first whose
    /// commentary is `text` as LinkedIn writes it (and, where given, whose images carry
    /// these alt texts).
    fn search_posts(
        &self,
        text: &str,
        alts: Option<&[&str]>,
        from: Timestamp,
    ) -> std::result::Result<Search, SendError> {
        let what = "looking for the post among the LinkedIn page's posts";
        let want = little::canonical(text);
        let from_ms = from.as_millisecond();
        let mut start = 0;
        while start < LIST_MAX {
            let path = format!(
                "posts?author={}&q=author&count={PAGE}&sortBy=CREATED&start={start}",
                restli::encode(&self.page)
            );
            let request = self.rest(Method::GET, &path).header("X-RestLi-Method", "FINDER");
            let answer = match self.exchange(request, what)? {
                Ok(response) => Self::json(response, what)?,
                Err(f) if f.status.as_u16() == 403 => return Ok(Search::Incomplete(self.cannot_read(&f))),
                Err(f) => return Err(self.fail(f, what, Need::Read)),
            };
            let Some(posts) = answer["elements"].as_array() else {
                return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no elements")));
            };
            for post in posts {
                if post["createdAt"].as_i64().is_some_and(|at| at < from_ms) {
                    return Ok(Search::Complete);
                }
                let same_text = post["commentary"].as_str().is_some_and(|c| little::canonical(c) == want);
                let same_images = alts.is_none_or(|alts| alts_of(&post["content"]) == alts);
                if same_text
                    && same_images
                    && let Some(id) = post["id"].as_str()
                {
                    return Ok(Search::Found(post_remote(id)));
                }
            }
            if posts.is_empty() || (posts.len() < PAGE && !more(&answer, start + posts.len())) {
                return Ok(Search::Complete);
            }
            start += posts.len();
        }
        Ok(Search::Incomplete(format!(
            "the page has more than {LIST_MAX} posts since then, more than budkavle reads back"
        )))
    }

    /// The comments on `thread` (a post, or a comment for its replies), oldest first (all of
    /// them: LinkedIn lists no other way): the first by the page, made from `from` on, that
    /// reads `text`.
    fn search_comments(&self, thread: &str, text: &str, from: Timestamp) -> std::result::Result<Search, SendError> {
        let what = "looking for the comment among the comments on the LinkedIn post";
        let want = little::plain(text);
        let want = want.trim();
        let from_ms = from.as_millisecond();
        let mut start = 0;
        while start < LIST_MAX {
            let path = format!("socialActions/{}/comments?start={start}&count=100", restli::encode(thread));
            let answer = match self.exchange(self.rest(Method::GET, &path), what)? {
                Ok(response) => Self::json(response, what)?,
                Err(f) if f.status.as_u16() == 403 => return Ok(Search::Incomplete(self.cannot_read(&f))),
                Err(f) => return Err(self.fail(f, what, Need::Read)),
            };
            let Some(comments) = answer["elements"].as_array() else {
                return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no elements")));
            };
            for c in comments {
                let mine = c["actor"].as_str() == Some(self.page.as_str());
                let recent = c.pointer("/created/time").and_then(Value::as_i64).is_none_or(|at| at >= from_ms);
                let same = c.pointer("/message/text").and_then(Value::as_str).is_some_and(|t| t.trim() == want);
                let urn = c["commentUrn"].as_str().or_else(|| c["$URN"].as_str());
                if mine
                    && recent
                    && same
                    && let Some(urn) = urn
                {
                    return Ok(Search::Found(comment_remote(urn)));
                }
            }
            if comments.is_empty() || (comments.len() < 100 && !more(&answer, start + comments.len())) {
                return Ok(Search::Complete);
            }
            start += comments.len();
        }
        Ok(Search::Incomplete(format!("the post has more than {LIST_MAX} comments, more than budkavle reads back")))
    }

    /// Token introspection: the token's expiry and scopes into `health`. A refused client secret
    /// is a warning, not a failure: publishing does not use it.
    fn introspect(&self, app: &App, health: &mut Health) -> std::result::Result<(), SendError> {
        let what = "asking LinkedIn about the token (introspectToken)";
        let form = [
            ("client_id", app.client_id.expose()),
            ("client_secret", app.client_secret.expose()),
            ("token", self.token.expose()),
        ];
        let request = self.http.client().post(format!("{}/oauth/v2/introspectToken", self.oauth)).form(&form);
        let response = request.send().map_err(|e| http::transport(&e, what))?;
        let status = response.status();
        if status.as_u16() == 400 || status.as_u16() == 401 {
            health.warnings.push(format!(
                "LinkedIn refused the app's client id or secret (HTTP {}) when asked about the token: check api_key_env and api_secret_env (the app the token was made with); the token's expiry is not known",
                status.as_u16()
            ));
            return Ok(());
        }
        if !status.is_success() {
            health.notes.push(format!(
                "LinkedIn did not answer about the token (HTTP {}): its expiry is not known",
                status.as_u16()
            ));
            return Ok(());
        }
        let answer: Introspection = response
            .json()
            .map_err(|e| SendError::transient(format!("{what}: LinkedIn's answer is not the documented JSON ({e})")))?;
        if !answer.active {
            let why = answer.status.as_deref().unwrap_or("inactive");
            return Err(SendError::permanent(
                ErrorKind::Auth,
                format!(
                    "LinkedIn says the access token is {why}: make a new one (member tokens last 60 days) and put it in token_env's variable"
                ),
            ));
        }
        health.expires = answer.expires_at.and_then(|s| Timestamp::from_second(s).ok());
        if let Some(scope) = answer.scope {
            let scopes: Vec<String> = scope.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            // Only posting's own scope fails a publish; a token that cannot read was warned of
            // by the read above.
            let posting = "w_organization_social";
            if !scopes.iter().any(|s| s == posting) {
                health.missing = vec![posting.to_string()];
            }
            health.scopes = Some(scopes);
        }
        Ok(())
    }

    fn cannot_read(&self, failure: &Failure) -> String {
        format!(
            "LinkedIn does not let this token read the page's posts (HTTP 403 {}): give it the scope r_organization_social so budkavle can look for itself next time",
            failure.code.as_deref().unwrap_or("ACCESS_DENIED")
        )
    }

    fn edit_post(&self, remote: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "editing the LinkedIn post";
        if !restli::is_post(&remote.id) {
            return Err(SendError::permanent(
                ErrorKind::NotFound,
                format!("{what}: {} is not a LinkedIn post URN", remote.id),
            ));
        }
        let path = format!("posts/{}", restli::encode(&remote.id));
        let post = Self::json(self.send(self.rest(Method::GET, &path), what, Need::Read)?, what)?;
        let wanted: Vec<&str> = out.media.iter().map(|m| m.alt.as_str()).collect();
        if alts_of(&post["content"]) != wanted {
            return Err(SendError::permanent(
                ErrorKind::Unsupported,
                format!(
                    "{what}: the images changed, and LinkedIn can change only the text of a published post (partial update of `commentary`); delete the post and publish it anew, or change it on LinkedIn"
                ),
            ));
        }
        let body = json!({"patch": {"$set": {"commentary": out.text}}});
        let request = self.rest(Method::POST, &path).header("X-RestLi-Method", "PARTIAL_UPDATE").json(&body);
        self.send(request, what, Need::Write)?;
        Ok(Remote {
            id: remote.id.clone(),
            url: remote.url.clone().or_else(|| Some(restli::post_url(&remote.id))),
            parts: remote.parts.clone(),
        })
    }

    /// The Comments API's "Edit a Comment": a partial update of `message`, as the page.
    fn edit_comment(
        &self,
        remote: &Remote,
        thread: &str,
        id: &str,
        out: &Outgoing<'_>,
    ) -> std::result::Result<Remote, SendError> {
        let what = "editing the page's comment on LinkedIn";
        if !out.media.is_empty() {
            return Err(SendError::permanent(
                ErrorKind::Unsupported,
                format!("{what}: budkavle sends no images in LinkedIn comments; change it on LinkedIn"),
            ));
        }
        let path = format!(
            "socialActions/{}/comments/{}?actor={}",
            restli::encode(thread),
            restli::encode(id),
            restli::encode(&self.page)
        );
        let body = json!({"patch": {"message": {"$set": {"text": little::plain(out.text)}}}});
        let request = self.rest(Method::POST, &path).header("X-RestLi-Method", "PARTIAL_UPDATE").json(&body);
        self.send(request, what, Need::Write)?;
        Ok(Remote { parts: remote.parts.clone(), ..comment_remote(&remote.id) })
    }

    /// Deletes one post or comment; what is gone already (404) is success.
    fn delete_one(&self, id: &str) -> std::result::Result<(), SendError> {
        let (what, request) = if let Some((thread, comment)) = restli::comment(id) {
            let path = format!(
                "socialActions/{}/comments/{}?actor={}",
                restli::encode(thread),
                restli::encode(comment),
                restli::encode(&self.page)
            );
            ("deleting the page's comment on LinkedIn", self.rest(Method::DELETE, &path))
        } else if restli::is_post(id) {
            let path = format!("posts/{}", restli::encode(id));
            ("deleting the LinkedIn post", self.rest(Method::DELETE, &path).header("X-RestLi-Method", "DELETE"))
        } else {
            return Err(SendError::permanent(
                ErrorKind::NotFound,
                format!("deleting on LinkedIn: {id} is not a LinkedIn post or comment URN"),
            ));
        };
        match self.send(request, what, Need::Write) {
            Ok(_) | Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// What `inbox pull` read under one post: the citizens' comments as items, their URNs, and
/// whether every page was read.
type Listing = (Vec<Incoming>, BTreeSet<String>, bool);

impl LinkedinClient {
    /// Every comment under `thread` (a post, or a comment for its replies), oldest first,
    /// `start`/`count` paged to the end (`GET /rest/socialActions/{urn}/comments`,
    /// <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api>).
    fn all_comments(&self, thread: &str, what: &str) -> std::result::Result<Vec<Value>, SendError> {
        let mut all = Vec::new();
        loop {
            let path = format!("socialActions/{}/comments?start={}&count=100", restli::encode(thread), all.len());
            let answer = Self::json(self.send(self.rest(Method::GET, &path), what, Need::Read)?, what)?;
            let Some(comments) = answer["elements"].as_array() else {
                return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no elements")));
            };
            all.extend(comments.iter().cloned());
            if comments.is_empty() || !more(&answer, all.len()) {
                return Ok(all);
            }
        }
    }

    /// The comments on `post` and the replies to them, as items; the page's own are not.
    fn comments(
        &self,
        post: &str,
        own: &HashSet<String>,
        mine: &mut HashSet<String>,
    ) -> std::result::Result<Listing, SendError> {
        let what = "reading the comments on a LinkedIn post";
        let mut queue: Vec<(String, Value)> =
            self.all_comments(post, what)?.into_iter().map(|c| (post.to_string(), c)).collect();
        let mut items = Vec::new();
        let mut ids = BTreeSet::new();
        while let Some((parent, c)) = queue.pop() {
            let Some(urn) = c["commentUrn"].as_str().or_else(|| c["$URN"].as_str()).map(str::to_owned) else {
                continue;
            };
            let replies = c.pointer("/commentsSummary/aggregatedTotalComments").and_then(Value::as_u64);
            if replies.is_some_and(|n| n > 0) {
                queue.extend(self.all_comments(&urn, what)?.into_iter().map(|r| (urn.clone(), r)));
            }
            let actor = c["actor"].as_str().unwrap_or_default();
            if own.contains(&urn) || actor == self.page {
                mine.insert(urn);
                continue;
            }
            let Some(at) =
                c.pointer("/created/time").and_then(Value::as_i64).and_then(|ms| Timestamp::from_millisecond(ms).ok())
            else {
                return Err(SendError::permanent(
                    ErrorKind::Protocol,
                    format!("{what}: comment {urn} has no created.time"),
                ));
            };
            let thread = restli::comment(&urn).map_or(post, |(thread, _)| thread);
            ids.insert(urn.clone());
            items.push(Incoming {
                platform: PlatformId::Linkedin.name().to_string(),
                id: urn.clone(),
                // A member's name needs a profile read the page's token does not have.
                author: if actor.is_empty() { "(LinkedIn did not name the author)".into() } else { actor.to_string() },
                text: c.pointer("/message/text").and_then(Value::as_str).unwrap_or_default().to_string(),
                at,
                in_reply_to: Some(c["parentComment"].as_str().unwrap_or(&parent).to_string()),
                url: Some(restli::comment_url(thread, &urn)),
                deleted: false,
            });
        }
        Ok((items, ids, true))
    }

    /// Whether LinkedIn answers "not found" for the comment `urn` on `post`.
    fn comment_gone(&self, post: &str, urn: &str) -> std::result::Result<bool, SendError> {
        let what = "asking LinkedIn whether a comment is gone";
        let Some((_, id)) = restli::comment(urn) else { return Ok(false) };
        let path = format!("socialActions/{}/comments/{}", restli::encode(post), restli::encode(id));
        match self.send(self.rest(Method::GET, &path), what, Need::Read) {
            Ok(_) => Ok(false),
            Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }
}

/// Where the page's answer to a citizen's comment goes.
#[derive(Debug)]
struct Nest {
    /// The first-level comment the answer goes under (`parentComment`, and the URN in the path).
    parent: String,
    /// The post (or its activity) the comments hang on (`object`).
    object: String,
}

impl LinkedinClient {
    /// Where an answer to the comment `to` goes: under `to` itself, or, when `to` is itself a
    /// reply, under the first-level comment it answers. LinkedIn shows comments two levels
    /// deep, and integrators report that it refuses a `parentComment` that is a reply; its app
    /// answers a reply in the same place. Read with "Get a Comment"
    /// (`GET /rest/socialActions/{thread}/comments/{id}`), which also names the post it is on
    /// (`object`). `None` when `to` is not a comment URN (an imported item, say).
    fn nest(&self, to: &Remote, what: &str) -> std::result::Result<Option<Nest>, SendError> {
        let Some((thread, id)) = restli::comment(&to.id) else { return Ok(None) };
        let path = format!("socialActions/{}/comments/{}", restli::encode(thread), restli::encode(id));
        let comment = Self::json(self.send(self.rest(Method::GET, &path), what, Need::Read)?, what)?;
        let parent = comment["parentComment"].as_str().filter(|p| restli::comment(p).is_some()).unwrap_or(&to.id);
        let object = comment["object"].as_str().filter(|o| o.starts_with("urn:li:")).unwrap_or(thread);
        Ok(Some(Nest { parent: parent.to_string(), object: object.to_string() }))
    }

    /// The Comments API's "Create a Comment" on a comment: `POST
    /// /rest/socialActions/{encoded comment URN}/comments` as the page, with the post as
    /// `object` and the comment as `parentComment` ("for nested comments, this is the urn of
    /// the parent comment"). Plain text, like every comment of the page.
    fn create_reply(&self, nest: &Nest, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "answering a comment on the LinkedIn page's post";
        if !out.media.is_empty() {
            return Err(SendError::permanent(
                ErrorKind::Unsupported,
                format!("{what}: budkavle sends no images in LinkedIn comments; leave the images out"),
            ));
        }
        let body = json!({
            "actor": self.page,
            "object": nest.object,
            "message": {"text": little::plain(out.text)},
            "parentComment": nest.parent,
        });
        let path = format!("socialActions/{}/comments", restli::encode(&nest.parent));
        let response = self.send(self.rest(Method::POST, &path).json(&body), what, Need::Write)?;
        Self::created_comment(response, &nest.object, what)
    }
}

impl Connection for LinkedinClient {
    fn platform(&self) -> PlatformId {
        PlatformId::Linkedin
    }

    /// A post on the page (`POST /rest/posts`), or, when the part answers another, a comment
    /// by the page on that post. The text is sent exactly as rendered, after checking that
    /// LinkedIn will keep all of it.
    fn publish(&mut self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        check_text(out.text)?;
        match out.reply_to {
            Some(to) => self.create_comment(to, out),
            None => {
                if let Some(at) = self.unsure.get(out.key).copied() {
                    let alts: Vec<&str> = out.media.iter().map(|m| m.alt.as_str()).collect();
                    if let Search::Found(remote) = self.search_posts(out.text, Some(&alts), at - CLOCK_SKEW)? {
                        self.unsure.remove(out.key);
                        return Ok(remote);
                    }
                }
                self.unsure.insert(out.key.to_string(), Timestamp::now());
                let result = self.create_post(out);
                if !matches!(result, Err(SendError::Transient { .. })) {
                    self.unsure.remove(out.key);
                }
                result
            }
        }
    }

    /// A citizen's comment is answered in its own thread, nested under it ([`Nest`]), never as
    /// a new comment on the post. LinkedIn keeps no idempotency key, so a retry in the same run
    /// first looks among the comment's replies for the answer an earlier try may have made, and
    /// sends only when it is certainly not there.
    fn reply(&mut self, to: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        check_text(out.text)?;
        let what = "answering a comment on the LinkedIn page's post";
        let Some(nest) = self.nest(to, what)? else {
            return self.publish(&Outgoing { reply_to: Some(to), ..*out });
        };
        if let Some(at) = self.unsure.get(out.key).copied() {
            match self.search_comments(&nest.parent, out.text, at - CLOCK_SKEW)? {
                Search::Found(remote) => {
                    self.unsure.remove(out.key);
                    return Ok(remote);
                }
                Search::Complete => {}
                Search::Incomplete(why) => {
                    return Err(SendError::transient(format!(
                        "{what}: an earlier try may have gone through, and {why}"
                    )));
                }
            }
        }
        self.unsure.insert(out.key.to_string(), Timestamp::now());
        let result = self.create_reply(&nest, out);
        if !matches!(result, Err(SendError::Transient { .. })) {
            self.unsure.remove(out.key);
        }
        result
    }

    /// Whether an interrupted [`Connection::reply`] made its answer: the page's comment with
    /// this text among the replies under the comment it went to, made since the intent.
    fn lookup_reply(
        &mut self,
        to: &Remote,
        out: &Outgoing<'_>,
        intent_at: Timestamp,
    ) -> std::result::Result<Lookup, SendError> {
        let what = "looking for the page's answer among the replies to a LinkedIn comment";
        let nest = match self.nest(to, what) {
            Ok(Some(nest)) => nest,
            Ok(None) => return self.lookup(&Outgoing { reply_to: Some(to), ..*out }, intent_at),
            // The comment is gone, and the replies under it with it: nothing of ours is there,
            // and a new answer would be refused the same way.
            Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => return Ok(Lookup::Absent),
            Err(e) => return Err(e),
        };
        Ok(match self.search_comments(&nest.parent, out.text, intent_at - CLOCK_SKEW)? {
            Search::Found(remote) => Lookup::Found(remote),
            Search::Complete => Lookup::Absent,
            Search::Incomplete(why) => {
                let at = intent_at.strftime("%Y-%m-%d %H:%M UTC");
                let place = to.url.clone().unwrap_or_else(|| nest.parent.clone());
                Lookup::CannotTell(format!(
                    "the answer sent at {at} may have been made, and {why}: look at the replies to the comment {place}"
                ))
            }
        })
    }

    /// The text only: LinkedIn's partial update changes a post's `commentary`, not its images
    /// (a change of images is [`ErrorKind::Unsupported`]).
    fn edit(&mut self, remote: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        check_text(out.text)?;
        match restli::comment(&remote.id) {
            Some((thread, id)) => self.edit_comment(remote, thread, id, out),
            None => self.edit_post(remote, out),
        }
    }

    /// The post and every comment of its thread, last first.
    /// `GET /rest/socialMetadata/{encoded post URN}`, one per post
    /// (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/social-metadata-api>;
    /// needs `r_organization_social`): the reactions of every type (`reactionSummaries`) as
    /// likes and `commentSummary.count` as replies; then impressions, unique impressions,
    /// clicks and reshares of the whole batch from the share statistics ([`statistics`]).
    fn counts(&mut self, remotes: &[Remote]) -> std::result::Result<Vec<Option<Counts>>, SendError> {
        let what = "reading a LinkedIn post's reactions and comments";
        let mut out = Vec::with_capacity(remotes.len());
        for r in remotes {
            let path = format!("socialMetadata/{}", restli::encode(&r.id));
            let answer = match self.send(self.rest(Method::GET, &path), what, Need::Read) {
                Ok(response) => Self::json(response, what)?,
                Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => {
                    out.push(None);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let likes = answer.get("reactionSummaries").and_then(Value::as_object).map(|summaries| {
                summaries.values().filter_map(|s| s.get("count").and_then(Value::as_u64)).sum::<u64>()
            });
            out.push(Some(Counts {
                likes,
                replies: answer.pointer("/commentSummary/count").and_then(Value::as_u64),
                ..Counts::default()
            }));
        }
        let live: Vec<&str> =
            remotes.iter().zip(&out).filter(|(_, c)| c.is_some()).map(|(r, _)| r.id.as_str()).collect();
        let stats = self.share_statistics(&live)?;
        for (r, c) in remotes.iter().zip(out.iter_mut()) {
            if let (Some(c), Some(s)) = (c.as_mut(), stats.get(&r.id)) {
                c.views = Some(s.impressions);
                c.reach = Some(s.unique_impressions);
                c.clicks = Some(s.clicks);
                c.shares = Some(s.shares);
            }
        }
        Ok(out)
    }

    /// Every comment and reply on the page's posts, read whole on each pull (LinkedIn lists
    /// them as they are now; an edit keeps the comment's URN). The page's own comments (its
    /// thread parts, corrections, answers) are not items. Mentions of the page outside its
    /// posts have no listing in the Community Management API and are not pulled. A comment
    /// that vanished counts as deleted only when LinkedIn answers 404 for it (see
    /// [`crate::clients::heard`]).
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> std::result::Result<Heard, SendError> {
        let what = "reading the comments on the LinkedIn page's posts";
        let mut seen = Seen::read(cursor);
        let own = own_ids(posts);
        seen.retain(
            &posts.iter().map(|r| thread_of(r, what).map(str::to_owned)).collect::<std::result::Result<_, _>>()?,
        );
        // The page's comments met under a post listed before (the ledger has posts oldest
        // first): a correction or thread part whose comments came with that post.
        let mut mine = HashSet::new();
        let mut items = Vec::new();
        for r in posts {
            let post = thread_of(r, what)?;
            if mine.contains(&r.id) || (post != r.id && mine.contains(post)) {
                continue;
            }
            mine.insert(post.to_string());
            let (found, ids, _) = match self.comments(post, &own, &mut mine) {
                Ok(listing) => listing,
                Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => {
                    seen.forget(post);
                    continue;
                }
                Err(e) => return Err(e),
            };
            items.extend(found);
            for urn in seen.listed(post, ids) {
                if self.comment_gone(post, &urn)? {
                    items.push(deletion(PlatformId::Linkedin, &urn, Timestamp::now()));
                } else {
                    seen.keep(post, &urn);
                }
            }
        }
        Ok(Heard { items, cursor: Some(seen.cursor()) })
    }

    /// One share-statistics request serves [`statistics::BATCH`] posts.
    fn counts_batch(&self) -> usize {
        statistics::BATCH
    }

    fn delete(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        for part in remote.parts.iter().rev().filter(|p| **p != remote.id) {
            self.delete_one(part)?;
        }
        self.delete_one(&remote.id)
    }

    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> std::result::Result<Lookup, SendError> {
        let from = intent_at - CLOCK_SKEW;
        let alts: Vec<&str> = out.media.iter().map(|m| m.alt.as_str()).collect();
        let search = match out.reply_to {
            Some(to) => self.search_comments(thread_of(to, "looking for the comment")?, out.text, from)?,
            None => self.search_posts(out.text, Some(&alts), from)?,
        };
        Ok(match search {
            Search::Found(remote) => Lookup::Found(remote),
            Search::Complete => Lookup::Absent,
            Search::Incomplete(why) => {
                let at = intent_at.strftime("%Y-%m-%d %H:%M UTC");
                let place = match out.reply_to {
                    Some(to) => format!("the comments on {}", to.url.clone().unwrap_or_else(|| to.id.clone())),
                    None => format!("the posts of the page {}", self.page_url()),
                };
                Lookup::CannotTell(format!(
                    "the request sent at {at} may have been carried out, and {why}: look at {place} around {at} and run `budkavle resolve` to record whether it was published (and its URL) or should be sent again"
                ))
            }
        })
    }

    fn find_sent(&mut self, text: &str, since: Timestamp) -> std::result::Result<Option<Remote>, SendError> {
        Ok(match self.search_posts(text, None, since - CLOCK_SKEW)? {
            Search::Found(remote) => Some(remote),
            Search::Complete | Search::Incomplete(_) => None,
        })
    }

    /// LinkedIn documents its limits rather than serving them.
    fn limits(&mut self) -> std::result::Result<Limits, SendError> {
        Ok(Limits { chars: Some(CHARS), max_media: Some(MAX_IMAGES), image_bytes: None })
    }

    /// `doctor`'s check: one read of the page's posts, which takes a valid token with
    /// `r_organization_social` (the look-up after an interrupted post needs it too), then the
    /// token's expiry and scopes by introspection where the app's credentials are configured
    /// (LinkedIn shows them to the app only).
    fn health(&mut self) -> std::result::Result<Health, SendError> {
        let what = "reading the LinkedIn page's posts";
        let path = format!("posts?author={}&q=author&count=1", restli::encode(&self.page));
        let request = self.rest(Method::GET, &path).header("X-RestLi-Method", "FINDER");
        let mut health = Health {
            account: Some(self.page.clone()),
            needed: vec!["w_organization_social", "r_organization_social"],
            ..Health::default()
        };
        match self.exchange(request, what)? {
            Ok(_) => {}
            // A token that may post but not read: publishing works, a lost answer cannot be
            // looked up.
            Err(f) if f.status.as_u16() == 403 => health.warnings.push(self.cannot_read(&f)),
            Err(f) => return Err(self.fail(f, what, Need::Read)),
        }
        match self.app.as_ref() {
            Some(app) => self.introspect(app, &mut health)?,
            None => health.notes.push(
                "LinkedIn shows a token's scopes and expiry only to the app: member tokens last 60 days, so renew it within that, or name the app's client id and secret in api_key_env and api_secret_env so doctor can read the date".into(),
            ),
        }
        Ok(health)
    }
}

/// Refuses a text LinkedIn would silently cut at an unescaped reserved character.
fn check_text(text: &str) -> std::result::Result<(), SendError> {
    little::check(text).map_err(|invalid| {
        let near: String = text.chars().skip(invalid.at.saturating_sub(10)).take(20).collect();
        SendError::permanent(
            ErrorKind::Rejected,
            format!(
                "the text is not valid LinkedIn little text at character {} ({}, near \"{near}\"): LinkedIn would publish only what comes before it; change the text there (a hashtag takes letters and digits only)",
                invalid.at + 1,
                invalid.why
            ),
        )
    })
}

/// Refuses what LinkedIn would refuse, before anything is uploaded.
fn check_media(media: &[Upload]) -> std::result::Result<(), SendError> {
    if media.len() > MAX_IMAGES {
        return Err(SendError::permanent(
            ErrorKind::Rejected,
            format!("LinkedIn takes at most {MAX_IMAGES} images in a post; this one has {}", media.len()),
        ));
    }
    for m in media {
        if !matches!(m.mime, "image/jpeg" | "image/png" | "image/gif") {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!("the image {} is {}; LinkedIn takes JPG, GIF and PNG images: convert it", m.name, m.mime),
            ));
        }
        if u64::from(m.width) * u64::from(m.height) >= MAX_PIXELS {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!(
                    "the image {} has {}×{} pixels; LinkedIn takes less than {MAX_PIXELS} pixels: make it smaller",
                    m.name, m.width, m.height
                ),
            ));
        }
    }
    Ok(())
}

/// `content` of a post: one image as `media`, several as `multiImage`, each with its alt text.
fn content(images: &[String], media: &[Upload]) -> Option<Value> {
    let pairs: Vec<Value> = images.iter().zip(media).map(|(id, m)| json!({"id": id, "altText": m.alt})).collect();
    match pairs.len() {
        0 => None,
        1 => Some(json!({"media": pairs[0]})),
        _ => Some(json!({"multiImage": {"images": pairs}})),
    }
}

/// The alt texts of a post's images, in order; none for a post without images.
fn alts_of(content: &Value) -> Vec<&str> {
    fn alt(image: &Value) -> &str {
        image["altText"].as_str().unwrap_or_default()
    }
    if let Some(media) =
        content.get("media").filter(|m| m["id"].as_str().is_some_and(|id| id.starts_with("urn:li:image:")))
    {
        return vec![alt(media)];
    }
    content
        .pointer("/multiImage/images")
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |images| images.iter().map(alt).collect())
}

/// Whether the paging of a collection says more follows `read` elements.
fn more(answer: &Value, read: usize) -> bool {
    let next = answer
        .pointer("/paging/links")
        .and_then(Value::as_array)
        .is_some_and(|links| links.iter().any(|l| l["rel"].as_str() == Some("next")));
    let total = answer.pointer("/paging/total").and_then(Value::as_u64);
    next || total.is_some_and(|t| (read as u64) < t)
}

/// The URN of a created post: `x-restli-id`, else the key in `Location`.
fn created_post(response: &Response, what: &str) -> std::result::Result<String, SendError> {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let urn = header("x-restli-id")
        .map(str::to_owned)
        .or_else(|| header("location").and_then(|l| l.rsplit('/').next()).map(restli::decode));
    match urn {
        Some(urn) if urn.starts_with("urn:li:") => Ok(urn),
        _ => Err(SendError::permanent(
            ErrorKind::Protocol,
            format!(
                "{what}: LinkedIn answered 201 but named no post (no x-restli-id); the post was probably made: look at the page and run `budkavle resolve`"
            ),
        )),
    }
}

/// The post or activity whose comments `to` belongs with: a comment's thread, or the post.
fn thread_of<'a>(to: &'a Remote, what: &str) -> std::result::Result<&'a str, SendError> {
    if let Some((thread, _)) = restli::comment(&to.id) {
        return Ok(thread);
    }
    let id = to.id.as_str();
    let activity =
        id.strip_prefix("urn:li:activity:").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if restli::is_post(id) || activity {
        return Ok(id);
    }
    Err(SendError::permanent(
        ErrorKind::NotFound,
        format!("{what}: the post it answers, {id}, is not a LinkedIn post or comment URN"),
    ))
}

fn post_remote(urn: &str) -> Remote {
    Remote { id: urn.to_string(), url: Some(restli::post_url(urn)), parts: Vec::new() }
}

fn comment_remote(urn: &str) -> Remote {
    let url = restli::comment(urn).map(|(thread, _)| restli::comment_url(thread, urn));
    Remote { id: urn.to_string(), url, parts: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::test_server::Seen;
    use std::sync::{Arc, Mutex};

    fn server(answer: impl Fn(&Seen) -> (u16, String) + Send + 'static) -> (String, Arc<Mutex<Vec<Seen>>>) {
        crate::clients::test_server::serve(move |seen, _| answer(seen))
    }

    fn client(base: String, media_wait: Duration) -> LinkedinClient {
        LinkedinClient {
            http: Http::new(Duration::from_secs(5)).unwrap(),
            oauth: base.clone(),
            base,
            app: None,
            token: Secret::new("AQVtok-3c1d9a"),
            version: DEFAULT_VERSION.into(),
            page: "urn:li:organization:5515715".into(),
            media_wait,
            unsure: Default::default(),
        }
    }

    fn out(text: &str) -> Outgoing<'_> {
        Outgoing { key: "k", text, facets: &[], lang: "sv", media: &[], reply_to: None, link: None }
    }

    #[test]
    fn the_token_stays_out_of_debug_output() {
        let shown = format!("{:?}", client("http://127.0.0.1:9".into(), MEDIA_WAIT));
        assert!(!shown.contains("AQVtok-3c1d9a") && shown.contains("Secret(***)"), "{shown}");
    }

    #[test]
    fn a_comment_is_edited_as_the_page_with_the_documented_partial_update() {
        let (base, seen) = server(|_| (204, String::new()));
        let mut c = client(base, MEDIA_WAIT);
        let comment = Remote { id: "urn:li:comment:(urn:li:activity:11,22)".into(), url: None, parts: vec![] };
        let edited = c.edit(&comment, &out("Rättat: kl. 10\\_00 {hashtag|\\#|Testby}")).unwrap();
        assert_eq!(edited.id, comment.id);
        let seen = seen.lock().unwrap();
        let request = &seen[0];
        assert_eq!(
            request.line,
            "POST /rest/socialActions/urn%3Ali%3Aactivity%3A11/comments/22?actor=urn%3Ali%3Aorganization%3A5515715 HTTP/1.1"
        );
        assert_eq!(request.header("x-restli-method"), Some("PARTIAL_UPDATE"));
        assert_eq!(request.header("linkedin-version"), Some(DEFAULT_VERSION));
        assert_eq!(request.header("x-restli-protocol-version"), Some("2.0.0"));
        assert_eq!(request.header("authorization"), Some("Bearer AQVtok-3c1d9a"));
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body, json!({"patch": {"message": {"$set": {"text": "Rättat: kl. 10_00 #Testby"}}}}));
    }

    /// A citizen's reply to a comment, as "Get a Comment" answers for it.
    fn nested_comment() -> String {
        json!({
            "actor": "urn:li:person:Ab3dEf9HiJ",
            "commentUrn": "urn:li:comment:(urn:li:activity:11,22)",
            "object": "urn:li:activity:11",
            "parentComment": "urn:li:comment:(urn:li:activity:11,21)",
            "message": {"text": "Samma fråga"},
        })
        .to_string()
    }

    #[test]
    fn a_reply_to_a_reply_goes_under_its_first_level_comment() {
        let (base, seen) = server(|req| {
            if req.line.starts_with("GET ") {
                (200, nested_comment())
            } else {
                (201, json!({"commentUrn": "urn:li:comment:(urn:li:activity:11,23)"}).to_string())
            }
        });
        let mut c = client(base, MEDIA_WAIT);
        let to = Remote { id: "urn:li:comment:(urn:li:activity:11,22)".into(), url: None, parts: vec![] };
        let sent = c.reply(&to, &out("Vi återkommer kl. 10\\_00.")).unwrap();
        assert_eq!(sent.id, "urn:li:comment:(urn:li:activity:11,23)");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "{seen:#?}");
        assert_eq!(seen[0].line, "GET /rest/socialActions/urn%3Ali%3Aactivity%3A11/comments/22 HTTP/1.1");
        assert_eq!(
            seen[1].line,
            "POST /rest/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A11%2C21%29/comments HTTP/1.1"
        );
        let body: Value = serde_json::from_str(&seen[1].body).unwrap();
        assert_eq!(
            body,
            json!({
                "actor": "urn:li:organization:5515715",
                "object": "urn:li:activity:11",
                "message": {"text": "Vi återkommer kl. 10_00."},
                "parentComment": "urn:li:comment:(urn:li:activity:11,21)",
            })
        );
    }

    #[test]
    fn a_retry_finds_the_answer_an_earlier_try_made_and_sends_nothing_again() {
        let (base, seen) = server(|req| {
            let path = req.path();
            if req.line.starts_with("POST ") {
                // Made, but the answer says otherwise: the try is in doubt.
                (503, json!({"status": 503, "message": "upstream"}).to_string())
            } else if path.starts_with("/rest/socialActions/urn%3Ali%3Acomment") {
                let made = json!({
                    "actor": "urn:li:organization:5515715",
                    "commentUrn": "urn:li:comment:(urn:li:activity:11,23)",
                    "parentComment": "urn:li:comment:(urn:li:activity:11,21)",
                    "message": {"text": "Tack!"},
                });
                (200, json!({"elements": [made], "paging": {"start": 0, "count": 100, "total": 1}}).to_string())
            } else {
                (200, nested_comment())
            }
        });
        let mut c = client(base, MEDIA_WAIT);
        let to = Remote { id: "urn:li:comment:(urn:li:activity:11,22)".into(), url: None, parts: vec![] };
        let first = c.reply(&to, &out("Tack!")).unwrap_err();
        assert!(matches!(first, SendError::Transient { .. }), "{first:?}");
        let again = c.reply(&to, &out("Tack!")).unwrap();
        assert_eq!(again.id, "urn:li:comment:(urn:li:activity:11,23)");
        let posts = seen.lock().unwrap().iter().filter(|r| r.line.starts_with("POST ")).count();
        assert_eq!(posts, 1, "the retry looked and found it");
    }

    #[test]
    fn an_image_that_never_becomes_available_is_transient() {
        let (base, _) = server(move |req| {
            if req.line.starts_with("POST /rest/images?action=initializeUpload ") {
                let port = req.header("host").unwrap_or_default().to_string();
                let url = format!("http://{port}/dms-uploads/K/uploaded-image/0?ut=x");
                (200, json!({"value": {"uploadUrl": url, "image": "urn:li:image:K"}}).to_string())
            } else if req.line.starts_with("PUT /dms-uploads/") {
                (201, String::new())
            } else {
                (200, r#"{"status":"PROCESSING","id":"urn:li:image:K"}"#.into())
            }
        });
        let mut c = client(base, Duration::from_millis(500));
        let media = [Upload {
            public_url: None,
            bytes: vec![0x89, b'P', b'N', b'G'],
            mime: "image/png",
            alt: "alt".into(),
            width: 1,
            height: 1,
            name: "a.png".into(),
        }];
        let err = c.publish(&Outgoing { media: &media, ..out("Bild") }).unwrap_err();
        assert!(matches!(err, SendError::Transient { .. }), "{err:?}");
        assert!(err.message().contains("a.png") && err.message().contains("not available"), "{err}");
    }

    #[test]
    fn the_token_goes_only_to_linkedin_upload_hosts() {
        let c = client("https://api.linkedin.com".into(), MEDIA_WAIT);
        assert!(c.upload_target("https://www.linkedin.com/dms-uploads/C4E/uploaded-image/0?ut=1", "up").is_ok());
        for bad in [
            "http://www.linkedin.com/dms-uploads/x",
            "https://linkedin.com.evil.example/dms-uploads/x",
            "https://evil.example/?linkedin.com",
            "not a url",
        ] {
            let err = c.upload_target(bad, "up").unwrap_err();
            assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Protocol, .. }), "{bad}: {err:?}");
        }
    }

    #[test]
    fn versions_are_months() {
        assert!(is_version("202611") && is_version("202601.03"));
        assert!(!is_version("202613") && !is_version("2026-11") && !is_version("20261") && !is_version("202611.1"));
    }

    #[test]
    fn alt_texts_of_single_and_multi_image_posts() {
        let one = json!({"media": {"id": "urn:li:image:A", "altText": "ett"}});
        assert_eq!(alts_of(&one), ["ett"]);
        let many =
            json!({"multiImage": {"images": [{"id": "urn:li:image:A", "altText": "ett"}, {"id": "urn:li:image:B"}]}});
        assert_eq!(alts_of(&many), ["ett", ""]);
        assert!(alts_of(&json!({"article": {"source": "https://a.se"}})).is_empty());
        assert!(alts_of(&Value::Null).is_empty());
    }
}
