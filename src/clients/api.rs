//! Sending: what every platform client offers the publisher. The pure half of a platform
//! (counting, encoding) lives in [`crate::platform::Platform`]; this half talks to a server, so
//! it is only built by `publish` with an account's configuration and secrets.
//!
//! Retrying is not a client's business: a client sends once and says whether a failure is
//! worth retrying ([`SendError::Transient`]) or needs a person ([`SendError::Permanent`]). The
//! publisher owns the budget, the backoff and the ledger lines around each call, so every
//! platform gets the same exactly-once discipline.

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;

use crate::platform::{Editing, Facet, PlatformId, Remote};

/// A secret from the environment. It cannot be printed by accident: `Debug` and `Display` show
/// a placeholder, and the only way to the value is [`Secret::expose`], used where a request is
/// built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An image ready to upload: metadata already stripped, size and orientation known.
#[derive(Debug, Clone)]
pub struct Upload {
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, …
    pub mime: &'static str,
    /// Alt text, required by the checks before anything gets here.
    pub alt: String,
    pub width: u32,
    pub height: u32,
    /// The file name, for multipart uploads and messages.
    pub name: String,
    /// Where the published archive serves exactly these bytes (`[organisation] archive_url` and
    /// the image's path there), for platforms that fetch an image themselves instead of taking
    /// an upload (Instagram, Threads). None when the organisation has no archive address.
    pub public_url: Option<String>,
}

/// One status, skeet or part of a thread.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The idempotency key of this part: the same key on a re-send must not make a second post
    /// (Mastodon `Idempotency-Key`, Bluesky record key derived from it).
    pub key: &'a str,
    /// The payload exactly as rendered.
    pub text: &'a str,
    /// Byte-offset facets where the platform wants them (Bluesky).
    pub facets: &'a [Facet],
    /// BCP 47 language of the post.
    pub lang: &'a str,
    /// Images for this part (the first part of a thread carries the post's media).
    pub media: &'a [Upload],
    /// The post or part this one answers: the previous part of a thread, or the last part of
    /// the earlier post an update, correction or cancellation follows. The client finds the
    /// thread's root itself where the platform needs it (Bluesky).
    pub reply_to: Option<&'a Remote>,
    /// The first link of the text, for a link card where the platform shows one.
    pub link: Option<&'a str>,
}

/// What a failure means for the publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again: 5xx, 429, timeouts, resets. `retry_after` is what the server asked
    /// for (`Retry-After`, or a rate-limit reset).
    Transient { message: String, retry_after: Option<Duration> },
    /// Needs a person; trying again will fail the same way.
    Permanent { kind: ErrorKind, message: String },
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> SendError {
        SendError::Transient { message: message.into(), retry_after: None }
    }

    pub fn permanent(kind: ErrorKind, message: impl Into<String>) -> SendError {
        SendError::Permanent { kind, message: message.into() }
    }

    pub fn message(&self) -> &str {
        match self {
            SendError::Transient { message, .. } | SendError::Permanent { message, .. } => message,
        }
    }

    /// The short word the ledger records in `error.kind`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            SendError::Transient { .. } => "transient",
            SendError::Permanent { kind, .. } => kind.name(),
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Transient { message, retry_after: Some(after) } => {
                write!(f, "{message} (the server asked to wait {} s)", after.as_secs())
            }
            SendError::Transient { message, .. } => f.write_str(message),
            SendError::Permanent { kind, message } => write!(f, "{message} — {}", kind.advice()),
        }
    }
}

/// Why a permanent failure happened, each with what a person should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401, a bad password or token.
    Auth,
    /// 403: the account may not do this.
    Forbidden,
    /// 400/413/422: the server refused the content.
    Rejected,
    /// 404: the thing (a post to edit, reply to or delete) is gone.
    NotFound,
    /// The platform cannot do this at all (e.g. edit on Bluesky where the app shows no history).
    Unsupported,
    /// Something the server answered that makes no sense (not JSON, missing fields).
    Protocol,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Rejected => "rejected",
            ErrorKind::NotFound => "not-found",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Protocol => "protocol",
        }
    }

    pub fn advice(self) -> &'static str {
        match self {
            ErrorKind::Auth => {
                "check that the secret in the environment variable named in strategy.toml is current and belongs to the account"
            }
            ErrorKind::Forbidden => "the account lacks a permission (scope) for this; give the token the write scopes",
            ErrorKind::Rejected => "the server refused the content; fix the post (see the message) and merge again",
            ErrorKind::NotFound => "the post it refers to is gone on the platform; settle it with `budkavle resolve`",
            ErrorKind::Unsupported => "the platform cannot do this; change the post on the platform by hand",
            ErrorKind::Protocol => {
                "the server answered something unexpected; check the instance/service URL in strategy.toml"
            }
        }
    }
}

/// What a look-up of an unfinished request found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// It went out: here it is.
    Found(Remote),
    /// Certainly not on the platform: it is safe to send.
    Absent,
    /// The platform cannot be asked, but a re-send with the same key is deduplicated by the
    /// server (Mastodon keeps idempotency keys for an hour).
    ResendSafe,
    /// Neither: a person must decide (`budkavle resolve`). The text says why.
    CannotTell(String),
}

/// What the server allows, where it says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub chars: Option<usize>,
    pub max_media: Option<usize>,
    pub image_bytes: Option<usize>,
}

/// What a cheap authenticated read says about an account's credentials, for `budkavle doctor`:
/// whether publishing would be refused before anything is sent. Every field a platform cannot
/// tell stays empty (`None`), so "unknown" is never shown as "fine".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// Who the credentials log in as, as the platform names it (`@info`, `kommun.bsky.social`).
    pub account: Option<String>,
    /// What the credentials may do, in the platform's own words (Mastodon scopes, Meta
    /// permissions); `None` when the platform does not say.
    pub scopes: Option<Vec<String>>,
    /// What publishing needs, in the same words.
    pub needed: Vec<&'static str>,
    /// The needed ones the credentials certainly lack: only filled when `scopes` is known, and
    /// judged by the client, which knows how its platform's scopes cover one another (Mastodon's
    /// `write` covers `write:statuses`).
    pub missing: Vec<String>,
    /// When the credentials stop working, where the platform says (Meta's token debug,
    /// LinkedIn's 60-day tokens); `None` for credentials that do not expire or a platform that
    /// does not tell.
    pub expires: Option<Timestamp>,
    /// How much of a rate or publishing limit is used, where the platform tells.
    pub quota: Option<Quota>,
    /// Things to fix before they become a failure (logging in with the account's own password
    /// instead of an app password, a token of another account than strategy.toml names).
    pub warnings: Vec<String>,
    /// How far the check could see: what it could not tell, and why.
    pub notes: Vec<String>,
}

/// A limit the platform counts against the account or token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// What is counted, for a person: "API requests in a 5-minute window", "posts in 24 hours".
    pub what: String,
    pub used: u64,
    pub limit: u64,
    /// When the count starts again, where the platform says.
    pub resets: Option<Timestamp>,
}

impl Quota {
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

/// What a platform counts on one published post, for `metrics pull`. `None` where the platform
/// does not give the number (Mastodon and Bluesky have no views), which is not zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub views: Option<u64>,
    pub reach: Option<u64>,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub clicks: Option<u64>,
    pub saves: Option<u64>,
    pub shares: Option<u64>,
    /// The account's followers when the counts were read.
    pub followers: Option<u64>,
}

/// What one `inbox pull` read from a platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heard {
    /// Replies, comments, mentions and quotes, each as the platform shows it now. The inbox
    /// keeps what changed as a new version, so a client may return an item it returned before.
    pub items: Vec<crate::inbox::Incoming>,
    /// Where the next pull starts, in the client's own terms (a notification id, a page
    /// cursor, a time): the inbox stores it per platform and hands it back unread. `None`
    /// keeps the cursor it had.
    pub cursor: Option<String>,
}

/// A logged-in account on one platform.
pub trait Connection: Send {
    fn platform(&self) -> PlatformId;

    /// Sends one part. Idempotent by `out.key`.
    fn publish(&mut self, out: &Outgoing<'_>) -> Result<Remote, SendError>;

    /// Replaces the text (and media) of a published part.
    fn edit(&mut self, remote: &Remote, out: &Outgoing<'_>) -> Result<Remote, SendError>;

    /// Removes a published part. Deleting what is already gone is success.
    fn delete(&mut self, remote: &Remote) -> Result<(), SendError>;

    /// Whether the part `out` (its key, its text), announced by an `intent` written at
    /// `intent_at`, made it. Platforms that keep idempotency keys answer from the key; the
    /// others look for the exact text among the account's own posts since `intent_at`.
    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> Result<Lookup, SendError>;

    /// The server's own limits.
    fn limits(&mut self) -> Result<Limits, SendError>;

    /// Where [`Connection::lookup`] cannot tell: the account's own post with exactly this
    /// text, made from `since` on, if the platform can list them. Finding it settles an
    /// unfinished request without a person; not finding it settles nothing (it may have been
    /// deleted), so the caller still holds the pair.
    fn find_sent(&mut self, text: &str, since: Timestamp) -> Result<Option<Remote>, SendError> {
        let _ = (text, since);
        Ok(None)
    }

    /// Whether, and until when, this platform lets a published post be edited. Where it does
    /// not (any more), the publisher sends a change as a correction through
    /// [`Connection::correct`]. The planner reads the same rule from
    /// [`crate::platform::editing`], so `publish --dry-run` and `check` agree with the run.
    fn editing(&self) -> Editing {
        crate::platform::editing(self.platform())
    }

    /// Sends the first part of a correction of the published post `original` (its first part):
    /// by default a reply to it (X `reply.in_reply_to_tweet_id`, Threads `reply_to_id`);
    /// Instagram, which has no replies to a post, comments on the media instead.
    fn correct(&mut self, original: &Remote, out: &Outgoing<'_>) -> Result<Remote, SendError> {
        self.publish(&Outgoing { reply_to: Some(original), ..*out })
    }

    /// [`Connection::lookup`] for a correction's first part, announced by an `intent` at
    /// `intent_at`: whether the account already answered `original` with exactly this text.
    fn lookup_correction(
        &mut self,
        original: &Remote,
        out: &Outgoing<'_>,
        intent_at: Timestamp,
    ) -> Result<Lookup, SendError> {
        self.lookup(&Outgoing { reply_to: Some(original), ..*out }, intent_at)
    }

    /// Answers a citizen's reply or comment `to` (an inbox item) with the part `out`. By default
    /// a post in reply to it (`out.reply_to` is `to`); a platform whose comments are answered
    /// on the comment's own edge (Facebook, Instagram, LinkedIn) overrides this.
    fn reply(&mut self, to: &Remote, out: &Outgoing<'_>) -> Result<Remote, SendError> {
        self.publish(&Outgoing { reply_to: Some(to), ..*out })
    }

    /// [`Connection::lookup`] for a [`Connection::reply`] announced by an intent at
    /// `intent_at`.
    fn lookup_reply(&mut self, to: &Remote, out: &Outgoing<'_>, intent_at: Timestamp) -> Result<Lookup, SendError> {
        self.lookup(&Outgoing { reply_to: Some(to), ..*out }, intent_at)
    }

    /// Hides (`hidden` true) or shows again a citizen's reply `item` to the account's post
    /// `parent` (what the item answers, where the inbox knows it), where the platform lets an
    /// account hide replies to its posts. Hiding what is hidden is success. The default says
    /// plainly that the platform cannot.
    fn hide(&mut self, item: &Remote, parent: Option<&Remote>, hidden: bool) -> Result<(), SendError> {
        let _ = (item, parent, hidden);
        Err(SendError::permanent(
            ErrorKind::Unsupported,
            format!("{} cannot hide replies through its API", self.platform().display_name()),
        ))
    }

    /// Pins a post to the profile, where the platform can.
    fn pin(&mut self, remote: &Remote) -> Result<(), SendError> {
        let _ = remote;
        Err(SendError::permanent(ErrorKind::Unsupported, format!("pinning is not supported on {}", self.platform())))
    }

    fn unpin(&mut self, remote: &Remote) -> Result<(), SendError> {
        let _ = remote;
        Err(SendError::permanent(ErrorKind::Unsupported, format!("pinning is not supported on {}", self.platform())))
    }

    /// The state of the credentials, read without changing anything: valid or not (a failure
    /// with [`ErrorKind::Auth`]), which permissions they hold against the ones publishing
    /// needs, when they expire, how much quota is left. `budkavle doctor` calls it once per
    /// platform before a post is due, so a revoked or expiring token is found by a person in
    /// the morning rather than by the publisher at the post's hour.
    ///
    /// The default can tell no more than that the server accepted a request: it makes the
    /// cheapest read the trait already has, [`Connection::limits`], and says it could not see
    /// scopes, expiry or quota. That is only a validity check if the client's `limits` asks the
    /// server with the credentials; a client whose `limits` answers from constants (or from an
    /// unauthenticated endpoint) must implement this method to be checked at all.
    fn health(&mut self) -> Result<Health, SendError> {
        self.limits()?;
        Ok(Health {
            notes: vec![format!(
                "budkavle cannot yet read the permissions, expiry or quota of {} credentials: it only checked that the server answered",
                self.platform().display_name()
            )],
            ..Health::default()
        })
    }

    /// How many posts one [`Connection::counts`] call may ask about: the API's batch size
    /// (Bluesky `getPosts` takes 25 URIs), 1 where every post is its own request.
    fn counts_batch(&self) -> usize {
        1
    }

    /// The counts of published posts, in the order asked; `None` for a post the platform no
    /// longer has. The default says plainly that budkavle cannot read this platform's counts,
    /// so `metrics pull` writes nothing for it rather than a line that looks like zeros.
    fn counts(&mut self, remotes: &[Remote]) -> Result<Vec<Option<Counts>>, SendError> {
        let _ = remotes;
        Err(SendError::permanent(
            ErrorKind::Unsupported,
            format!("budkavle cannot read the counts of {} posts yet", self.platform().display_name()),
        ))
    }

    /// What citizens wrote since `cursor` (as returned by the previous call; `None` the first
    /// time): replies and comments on `posts` (the account's published parts, from the ledger,
    /// not retracted) and mentions and quotes of the account. A client without such an API
    /// says so plainly, and `inbox pull` goes on with the other platforms; its items can come
    /// in by `inbox import`.
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> Result<Heard, SendError> {
        let _ = (posts, cursor);
        Err(SendError::permanent(
            ErrorKind::Unsupported,
            format!(
                "budkavle cannot read replies and comments on {} yet: export them and use `budkavle inbox import`",
                self.platform().display_name()
            ),
        ))
    }

    /// Which of `ids` — items an earlier pull brought in that no listing shows any more
    /// (mentions outside the account's threads come once, through the notifications) — the
    /// platform says no longer exist, asked cheaply by id. Only a definite "does not exist"
    /// counts; a failure fails the call and nothing is inferred. A platform that cannot be
    /// asked this way says so ([`ErrorKind::Unsupported`]) and its items stay as they are.
    fn gone(&mut self, ids: &[String]) -> Result<Vec<String>, SendError> {
        let _ = ids;
        Err(SendError::permanent(
            ErrorKind::Unsupported,
            format!("budkavle does not re-check {} items for deletion", self.platform().display_name()),
        ))
    }
}
