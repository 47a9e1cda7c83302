//! What citizens wrote to a Bluesky account, for `inbox pull`, through the PDS, which hands
//! `app.bsky` reads to its AppView (as bsky.social does):
//! - `app.bsky.notification.listNotifications` with `reasons` reply, mention and quote:
//!   newest first, 100 a page, older pages by the answer's `cursor`; from the second pull on
//!   only down to the newest `indexedAt` of the last pull (notifications at that very instant
//!   are read again and come out unchanged).
//! - `app.bsky.feed.getPostThread` of each recent post: every reply below it, to any depth,
//!   with its current record (a record the author rewrote shows its new text).
//!
//! A reply seen under a post before and missing from its thread now is looked up with
//! `app.bsky.feed.getPosts`: missing from a successful answer is a deletion; a failed request
//! fails the pull. Mentions outside the threads are asked about the same way ([`gone`]). The account's own posts are never items. Item ids are at:// URIs,
//! `in_reply_to` the parent's URI (a quote's: the quoted post's).

use jiff::Timestamp;
use serde_json::Value;

use super::BlueskyClient;
use super::rkey;
use super::session::Failure;
use crate::clients::api::{ErrorKind, Heard, SendError};
use crate::clients::heard::{Items, NOTIFICATIONS, Seen, deletion};
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

/// How deep a thread is read (the lexicon allows up to 1000).
const DEPTH: &str = "100";

pub(super) fn interactions(
    client: &mut BlueskyClient,
    posts: &[Remote],
    cursor: Option<&str>,
) -> Result<Heard, SendError> {
    let old = Seen::read(cursor);
    let me = client.xrpc.did()?;
    let mut items = Items::default();

    let since = notifications(client, &me, old.marks.get(NOTIFICATIONS).map(String::as_str), &mut items)?
        .or_else(|| old.marks.get(NOTIFICATIONS).cloned());

    let mut seen = Seen::default();
    for post in posts {
        let what = "reading the replies to a Bluesky post";
        let params = [("uri", post.id.as_str()), ("depth", DEPTH), ("parentHeight", "0")];
        let thread = match client.xrpc.query("app.bsky.feed.getPostThread", &params, what) {
            Ok(json) => json,
            // The post itself is gone: nothing below it can be read, nothing is inferred.
            Err(Failure { error: Some(e), .. }) if e == "NotFound" => continue,
            Err(f) => return Err(f.send),
        };
        let mut here = Vec::new();
        let mut stack: Vec<&Value> =
            thread["thread"]["replies"].as_array().map(|r| r.iter().collect()).unwrap_or_default();
        while let Some(node) = stack.pop() {
            if let Some(item) = item_of(&node["post"], &me) {
                here.push(item.id.clone());
                items.push(item);
            }
            if let Some(replies) = node["replies"].as_array() {
                stack.extend(replies.iter());
            }
        }
        let left = old.left(&post.id, &here);
        for chunk in left.chunks(25) {
            let what = "looking up replies that left a thread";
            let params: Vec<(&str, &str)> = chunk.iter().map(|u| ("uris", u.as_str())).collect();
            let json = client.xrpc.query("app.bsky.feed.getPosts", &params, what).map_err(|f| f.send)?;
            let Some(found) = json["posts"].as_array() else {
                return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no `posts`")));
            };
            for uri in chunk {
                match found.iter().find(|p| p["uri"].as_str() == Some(uri.as_str())) {
                    Some(p) => {
                        if let Some(item) = item_of(p, &me) {
                            items.push(item);
                        }
                        here.push(uri.clone());
                    }
                    None => items.push(deletion(PlatformId::Bluesky, uri, Timestamp::now())),
                }
            }
        }
        seen.posts.insert(post.id.clone(), here.into_iter().collect());
    }

    if let Some(since) = since {
        seen.marks.insert(NOTIFICATIONS.to_string(), since);
    }
    Ok(Heard { items: items.into_vec(), cursor: Some(seen.cursor()) })
}

/// `app.bsky.feed.getPosts` of `uris`, 25 to a request: a URI missing from a successful
/// answer is gone (the lexicon leaves out what it cannot find: a deleted post, or one of an
/// account that was deleted or taken down).
pub(super) fn gone(client: &mut BlueskyClient, uris: &[String]) -> Result<Vec<String>, SendError> {
    let what = "asking whether mentions are still there";
    let mut gone = Vec::new();
    for chunk in uris.chunks(25) {
        let params: Vec<(&str, &str)> = chunk.iter().map(|u| ("uris", u.as_str())).collect();
        let json = client.xrpc.query("app.bsky.feed.getPosts", &params, what).map_err(|f| f.send)?;
        let Some(found) = json["posts"].as_array() else {
            return Err(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no `posts`")));
        };
        gone.extend(chunk.iter().filter(|u| !found.iter().any(|p| p["uri"].as_str() == Some(u.as_str()))).cloned());
    }
    Ok(gone)
}

/// Every reply, mention and quote notification from `since` on, all pages; returns the newest
/// `indexedAt` read.
fn notifications(
    client: &mut BlueskyClient,
    me: &str,
    since: Option<&str>,
    items: &mut Items,
) -> Result<Option<String>, SendError> {
    let what = "reading the account's Bluesky notifications";
    let since_at = since.and_then(|s| s.parse::<Timestamp>().ok());
    let mut newest: Option<(Timestamp, String)> = None;
    let mut page_cursor: Option<String> = None;
    'pages: loop {
        let mut params: Vec<(&str, &str)> =
            vec![("reasons", "reply"), ("reasons", "mention"), ("reasons", "quote"), ("limit", "100")];
        if let Some(c) = &page_cursor {
            params.push(("cursor", c));
        }
        let json = client.xrpc.query("app.bsky.notification.listNotifications", &params, what).map_err(|f| f.send)?;
        let Some(page) = json["notifications"].as_array() else {
            return Err(SendError::permanent(
                ErrorKind::Protocol,
                format!("{what}: the answer has no `notifications`"),
            ));
        };
        for n in page {
            let indexed = n["indexedAt"].as_str().and_then(|t| t.parse::<Timestamp>().ok().map(|at| (at, t)));
            if let (Some((at, _)), Some(since)) = (indexed, since_at)
                && at < since
            {
                break 'pages;
            }
            if let Some((at, text)) = indexed
                && newest.as_ref().is_none_or(|(n, _)| at > *n)
            {
                newest = Some((at, text.to_string()));
            }
            if !matches!(n["reason"].as_str(), Some("reply" | "mention" | "quote")) {
                continue; // an AppView that ignores `reasons`
            }
            let post = serde_json::json!({
                "uri": n["uri"], "author": n["author"], "record": n["record"], "indexedAt": n["indexedAt"],
            });
            if let Some(item) = item_of(&post, me) {
                items.push(item);
            }
        }
        match json["cursor"].as_str() {
            Some(c) if !page.is_empty() && page_cursor.as_deref() != Some(c) => page_cursor = Some(c.to_string()),
            _ => break,
        }
    }
    Ok(newest.map(|(_, text)| text))
}

/// A post view (`uri`, `author`, `record`) as an item, unless it is the account's own or not a
/// post.
fn item_of(post: &Value, me: &str) -> Option<Incoming> {
    let uri = post["uri"].as_str()?;
    let author = &post["author"];
    if author["did"].as_str() == Some(me) || !uri.contains("/app.bsky.feed.post/") {
        return None;
    }
    let record = &post["record"];
    let handle = author["handle"].as_str().unwrap_or("");
    let at = record["createdAt"]
        .as_str()
        .or_else(|| post["indexedAt"].as_str())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .unwrap_or_else(Timestamp::now);
    let embed = &record["embed"];
    let quoted = embed["record"]["uri"].as_str().or_else(|| embed["record"]["record"]["uri"].as_str());
    Some(Incoming {
        platform: "bluesky".into(),
        id: uri.to_string(),
        author: handle.to_string(),
        text: record["text"].as_str().unwrap_or("").to_string(),
        at,
        in_reply_to: record["reply"]["parent"]["uri"].as_str().or(quoted).map(str::to_owned),
        url: rkey::of_uri(uri)
            .filter(|_| !handle.is_empty())
            .map(|k| format!("https://bsky.app/profile/{handle}/post/{k}")),
        deleted: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replies_quotes_and_mentions_name_what_they_answer() {
        let me = "did:plc:kommun";
        let reply = json!({
            "uri": "at://did:plc:anna/app.bsky.feed.post/3k1", "author": {"did": "did:plc:anna", "handle": "anna.test"},
            "record": {"text": "Hej?", "createdAt": "2026-12-01T09:00:00.000Z",
                "reply": {"root": {"uri": "at://did:plc:kommun/app.bsky.feed.post/a"}, "parent": {"uri": "at://did:plc:kommun/app.bsky.feed.post/b"}}}
        });
        let item = item_of(&reply, me).unwrap();
        assert_eq!(item.in_reply_to.as_deref(), Some("at://did:plc:kommun/app.bsky.feed.post/b"));
        assert_eq!(item.url.as_deref(), Some("https://bsky.app/profile/anna.test/post/3k1"));
        assert_eq!((item.author.as_str(), item.text.as_str()), ("anna.test", "Hej?"));
        let quote = json!({
            "uri": "at://did:plc:anna/app.bsky.feed.post/3k2", "author": {"did": "did:plc:anna", "handle": "anna.test"},
            "record": {"text": "Bra", "createdAt": "2026-12-01T09:00:00Z",
                "embed": {"$type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": "at://did:plc:kommun/app.bsky.feed.post/a"}}}}
        });
        assert_eq!(
            item_of(&quote, me).unwrap().in_reply_to.as_deref(),
            Some("at://did:plc:kommun/app.bsky.feed.post/a")
        );
        let own = json!({"uri": "at://did:plc:kommun/app.bsky.feed.post/c", "author": {"did": me}, "record": {}});
        assert_eq!(item_of(&own, me), None);
    }
}
