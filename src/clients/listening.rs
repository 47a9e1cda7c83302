//! What the clients that read citizens' messages for `inbox pull` share: a cursor of their own
//! (where the notifications stopped, and the replies seen under each recent post, so a reply
//! that left a thread can be looked up and a deletion told from a lapse), and the items of one
//! pull, each once.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::clients::api::{ErrorKind, SendError};
use crate::inbox::Incoming;

/// A client's cursor, stored by the inbox as JSON and handed back unread.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Cursor {
    /// Where the notifications stopped (Mastodon: the newest notification id; Bluesky: the
    /// newest `indexedAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The replies seen under each recent post, by the post's id.
    #[serde(default)]
    pub seen: BTreeMap<String, Vec<String>>,
}

impl Cursor {
    /// A cursor this client wrote; anything else (a bare value written by hand) is taken as
    /// where the notifications stopped.
    pub fn read(text: Option<&str>) -> Cursor {
        match text {
            None => Cursor::default(),
            Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Cursor {
                since: Some(t.trim().to_string()).filter(|s| !s.is_empty()),
                seen: BTreeMap::new(),
            }),
        }
    }

    pub fn write(&self) -> Result<String, SendError> {
        serde_json::to_string(self)
            .map_err(|e| SendError::permanent(ErrorKind::Protocol, format!("writing the inbox cursor: {e}")))
    }

    /// The replies seen under `post` last time that are not in `now`.
    pub fn left(&self, post: &str, now: &[String]) -> Vec<String> {
        let before = self.seen.get(post).map(Vec::as_slice).unwrap_or_default();
        before.iter().filter(|id| !now.contains(id)).cloned().collect()
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

/// What a platform says of a reply that is gone: only that. The inbox fills in the last text
/// it stored, and drops a deletion of something it never had.
pub(crate) fn deletion(platform: &str, id: &str) -> Incoming {
    Incoming {
        platform: platform.to_string(),
        id: id.to_string(),
        author: String::new(),
        text: String::new(),
        at: jiff::Timestamp::now(),
        in_reply_to: None,
        url: None,
        deleted: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_from_elsewhere_is_where_the_notifications_stopped() {
        assert_eq!(Cursor::read(Some("1234")).since.as_deref(), Some("1234"));
        let c = Cursor::read(Some(r#"{"since":"9","seen":{"1":["2","3"]}}"#));
        assert_eq!(c.since.as_deref(), Some("9"));
        assert_eq!(c.left("1", &["3".to_string()]), ["2"]);
        assert!(c.left("7", &[]).is_empty());
        assert_eq!(Cursor::read(Some(&c.write().unwrap())).seen, c.seen);
    }
}
