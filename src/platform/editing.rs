//! Whether, and until when, a platform lets a published post's text be changed through its API.
//! Where it does not, a changed post goes out as a correction: a reply (X, Threads) or a comment
//! (Instagram) on the original that starts with "Rättelse:" / "Correction:". Pure, so `check`
//! can warn before a merge and the planner decides the same way `publish` acts.
//!
//! From each platform's documentation:
//! - Mastodon: `PUT /api/v1/statuses/:id`, no time limit
//!   (<https://docs.joinmastodon.org/methods/statuses/#edit>).
//! - Bluesky: a post record is replaced with `com.atproto.repo.putRecord`, no time limit
//!   (<https://docs.bsky.app/docs/api/com-atproto-repo-put-record>).
//! - Facebook Pages: `POST /{page-post-id}` with `message`, no time limit
//!   (<https://developers.facebook.com/docs/pages-api/posts>).
//! - LinkedIn: partial update of `/rest/posts/{urn}` (`commentary`), no time limit
//!   (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api#update-posts>).
//! - X: `POST /2/tweets` with `edit_options.previous_post_id`, only within 30 minutes of the
//!   original post and at most 5 times (<https://docs.x.com/x-api/fundamentals/edit-posts>);
//!   after that a correction goes out as a reply (`reply.in_reply_to_tweet_id`).
//! - Threads: the API has no edit endpoint at all — publishing, retrieval, replies, delete,
//!   insights (<https://developers.facebook.com/documentation/threads/reference>): a correction
//!   goes out as a reply (`reply_to_id`,
//!   <https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies/create-replies>).
//! - Instagram: updating an IG Media takes only `comment_enabled`; a caption cannot be changed
//!   (<https://developers.facebook.com/docs/instagram-platform/reference/instagram-media>): a
//!   correction goes out as a comment, `POST /{ig-media-id}/comments?message=…`
//!   (<https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments>).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::PlatformId;

/// What a platform allows after publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "editing", rename_all = "kebab-case")]
pub enum Editing {
    /// Any time, any number of times.
    Always,
    /// Within `window` of the first publication, at most `times` edits.
    Within {
        #[serde(skip)]
        window: SignedDuration,
        times: u32,
    },
    /// Never: a change goes out as a correction.
    Never,
}

impl Editing {
    /// Whether a post first published at `published`, already edited `edits` times, can still
    /// be edited at `now`.
    pub fn allows(self, published: Timestamp, edits: u32, now: Timestamp) -> bool {
        match self {
            Editing::Always => true,
            Editing::Within { window, times } => edits < times && now.duration_since(published) <= window,
            Editing::Never => false,
        }
    }

    /// Until when a post first published at `published` can be edited: `None` with
    /// [`Editing::Always`] (no limit) and with [`Editing::Never`].
    pub fn until(self, published: Timestamp) -> Option<Timestamp> {
        match self {
            Editing::Within { window, .. } => published.checked_add(window).ok(),
            Editing::Always | Editing::Never => None,
        }
    }
}

/// The editing rule of a platform (see the module documentation for the sources).
pub fn editing(id: PlatformId) -> Editing {
    match id {
        PlatformId::Mastodon | PlatformId::Bluesky | PlatformId::Facebook | PlatformId::Linkedin => Editing::Always,
        PlatformId::X => Editing::Within { window: SignedDuration::from_mins(30), times: 5 },
        PlatformId::Threads | PlatformId::Instagram => Editing::Never,
    }
}

/// How a correction appears on a platform that cannot edit, for people: "a reply", "a comment".
pub fn correction_form(id: PlatformId) -> &'static str {
    match id {
        PlatformId::Instagram | PlatformId::Facebook | PlatformId::Linkedin => "a comment",
        _ => "a reply",
    }
}

/// The word a correction starts with, in the post's language (Swedish and English built in,
/// like the archive's interface; other languages get the English word).
pub fn correction_label(lang: &str) -> &'static str {
    if lang == "sv" || lang.starts_with("sv-") { "Rättelse:" } else { "Correction:" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_edits_for_thirty_minutes_five_times() {
        let t0: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let x = editing(PlatformId::X);
        assert!(x.allows(t0, 0, t0 + SignedDuration::from_mins(29)));
        assert!(x.allows(t0, 4, t0 + SignedDuration::from_mins(30)));
        assert!(!x.allows(t0, 5, t0 + SignedDuration::from_mins(1)), "the sixth edit");
        assert!(!x.allows(t0, 0, t0 + SignedDuration::from_mins(31)));
        assert_eq!(x.until(t0), Some(t0 + SignedDuration::from_mins(30)));
    }

    #[test]
    fn who_edits_and_who_corrects() {
        let t0: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let later = t0 + SignedDuration::from_hours(24 * 400);
        for id in [PlatformId::Mastodon, PlatformId::Bluesky, PlatformId::Facebook, PlatformId::Linkedin] {
            assert!(editing(id).allows(t0, 100, later), "{id}");
        }
        for id in [PlatformId::Threads, PlatformId::Instagram] {
            assert!(!editing(id).allows(t0, 0, t0), "{id}");
        }
        assert_eq!(correction_label("sv"), "Rättelse:");
        assert_eq!(correction_label("en-GB"), "Correction:");
    }
}
