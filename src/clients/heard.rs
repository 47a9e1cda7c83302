//! What the clients share for `inbox pull`: the cursor they keep between pulls, the items of
//! one pull each once, and the rule for deletions.
//!
//! These platforms list a post's comments as they are now; none of them reports that an
//! author deleted one. A comment that no longer shows may also be hidden, filtered, on a page
//! that failed, or under a post that is gone. So a deletion is recorded only when (1) the
//! post's listing was read to its end without a failure, (2) a comment the previous complete
//! listing showed is missing from it, and (3) asking the platform for that comment by its id
//! answers "does not exist". A failed or partial listing changes nothing, and a post that is
//! gone takes its comments out of the cursor without recording deletions.
//!
//! The cursor holds ids only, never what citizens wrote: the store is the one place for that,
//! and `inbox weed` must be able to remove it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

/// The cursor of a comment-listing client, as JSON.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Seen {
    /// Per post, the ids of the comments its last complete listing showed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub posts: BTreeMap<String, BTreeSet<String>>,
    /// Where each incremental listing starts next, by name (X `mentions` and `search`: a
    /// `since_id`; Threads `mentions`: a Unix time).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub marks: BTreeMap<String, String>,
}

/// The mark of a notifications listing: Mastodon's newest notification id, Bluesky's newest
/// `indexedAt`.
pub(crate) const NOTIFICATIONS: &str = "notifications";

impl Seen {
    /// The cursor a previous pull returned. One that cannot be read (a cursor of an older
    /// budkavle) starts afresh: everything is read again, and no deletion is recorded.
    pub fn read(cursor: Option<&str>) -> Seen {
        cursor.and_then(|c| serde_json::from_str(c).ok()).unwrap_or_default()
    }

    pub fn cursor(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Records what a complete listing of `post` showed, and returns the ids the previous
    /// complete listing showed that this one does not: candidates for a deletion, to be asked
    /// for one by one.
    pub fn listed(&mut self, post: &str, now: BTreeSet<String>) -> Vec<String> {
        let before = self.posts.insert(post.to_string(), now).unwrap_or_default();
        let now = &self.posts[post];
        before.into_iter().filter(|id| !now.contains(id)).collect()
    }

    /// The comments of `post` the previous listing showed that `now` lacks, for a client that
    /// records the new listing itself once each of them is looked up.
    pub fn left(&self, post: &str, now: &[String]) -> Vec<String> {
        self.posts
            .get(post)
            .map(|before| before.iter().filter(|id| !now.contains(id)).cloned().collect())
            .unwrap_or_default()
    }

    /// A missing comment that still exists (hidden, filtered) stays known.
    pub fn keep(&mut self, post: &str, id: &str) {
        self.posts.entry(post.to_string()).or_default().insert(id.to_string());
    }

    /// Forgets a post: it is gone, or no longer among the posts asked about.
    pub fn forget(&mut self, post: &str) {
        self.posts.remove(post);
    }

    /// Forgets every post not in `asked`.
    pub fn retain(&mut self, asked: &HashSet<String>) {
        self.posts.retain(|post, _| asked.contains(post));
    }
}

/// The items of one pull, each once: a reply that mentions the account comes by both the
/// notifications and the thread.
#[derive(Default)]
pub(crate) struct Items {
    list: Vec<Incoming>,
    ids: HashSet<String>,
}

impl Items {
    pub fn push(&mut self, item: Incoming) {
        if self.ids.insert(item.id.clone()) {
            self.list.push(item);
        }
    }

    pub fn into_vec(self) -> Vec<Incoming> {
        self.list
    }
}

/// A deletion the platform confirmed: the store fills author and text from the version it
/// has (and drops a deletion of something it never had).
pub(crate) fn deletion(platform: PlatformId, id: &str, at: Timestamp) -> Incoming {
    Incoming {
        platform: platform.name().to_string(),
        id: id.to_string(),
        author: String::new(),
        text: String::new(),
        at,
        in_reply_to: None,
        url: None,
        deleted: true,
    }
}

/// The account's own published parts (posts, thread parts, corrections, replies): never
/// items, whoever the platform says wrote them.
pub(crate) fn own_ids(posts: &[Remote]) -> HashSet<String> {
    posts.iter().flat_map(|r| std::iter::once(r.id.clone()).chain(r.parts.iter().cloned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_what_a_complete_listing_lost_is_a_candidate() {
        let mut seen = Seen::read(None);
        assert!(seen.listed("p1", ids(&["a", "b"])).is_empty(), "the first listing loses nothing");
        let back = Seen::read(Some(&seen.cursor()));
        assert_eq!(back, seen);
        let mut seen = back;
        assert_eq!(seen.listed("p1", ids(&["b", "c"])), vec!["a".to_string()]);
        seen.keep("p1", "a");
        assert_eq!(seen.posts["p1"], ids(&["a", "b", "c"]));
        seen.retain(&HashSet::from(["p2".to_string()]));
        assert!(seen.posts.is_empty());
    }

    #[test]
    fn an_unreadable_cursor_starts_afresh() {
        assert_eq!(Seen::read(Some("1790000000000000099")), Seen::default());
        assert_eq!(Seen::read(Some("{\"marks\":{\"mentions\":\"17\"}}")).marks["mentions"], "17");
    }

    #[test]
    fn what_left_a_listing_is_told_without_recording_it() {
        let mut seen = Seen::default();
        seen.posts.insert("1".into(), ids(&["2", "3"]));
        assert_eq!(seen.left("1", &["3".to_string()]), ["2"]);
        assert!(seen.left("7", &[]).is_empty());
        assert_eq!(seen.posts["1"], ids(&["2", "3"]));
    }

    #[test]
    fn an_item_comes_once_a_pull() {
        let mut items = Items::default();
        items.push(deletion(PlatformId::Mastodon, "9", Timestamp::UNIX_EPOCH));
        items.push(deletion(PlatformId::Mastodon, "9", Timestamp::UNIX_EPOCH));
        assert_eq!(items.into_vec().len(), 1);
    }

    #[test]
    fn own_parts_are_known() {
        let r = Remote { id: "1".into(), url: None, parts: vec!["1".into(), "2".into()] };
        assert_eq!(own_ids(&[r]), HashSet::from(["1".to_string(), "2".to_string()]));
    }
}
