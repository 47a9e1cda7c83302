//! `inbox pull` on X: what citizens wrote to the account.
//!
//! - Replies to the account and mentions of it: the mentions timeline
//!   (`GET /2/users/:id/mentions`, <https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart>),
//!   from the `since_id` of the last pull, paged with `pagination_token` to its end. X puts
//!   the @handle of the author answered in front of every reply, so a reply to one of the
//!   account's posts is a mention. The timeline holds the 800 newest.
//! - Replies deeper in the account's conversations that do not name it (a citizen answering
//!   another under the account's post): recent search (`GET /2/tweets/search/recent`,
//!   `conversation_id:…` joined with `OR` up to the 512-character query limit,
//!   <https://docs.x.com/x-api/posts/search/integrate/build-a-query>) for the posts of the last
//!   seven days, the reach of recent search, from the `since_id` of the last pull.
//! - Quotes of those posts: `GET /2/tweets/:id/quote_tweets`
//!   (<https://docs.x.com/x-api/posts/quote-tweets/quickstart>), read whole, as it takes no
//!   `since_id`; quotes of older posts come only when they mention the account.
//! - Edits: an edited post is a new post with a new id, listed with `edit_history_tweet_ids`
//!   (oldest first, <https://docs.x.com/x-api/fundamentals/edit-posts>); it is filed under the
//!   first id, so the edit is a new version of the same item.
//! - The account's own posts (its threads, corrections, answers) are never items.
//! - Deletions: X lists no deleted posts and budkavle reads no compliance stream, so a
//!   citizen's deletion on X is not recorded; the last version stays as the record.
//!
//! The cursor ([`Seen`]) keeps the two `since_id`s. A rate limit is transient with X's reset
//! time, like every other call of this client.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::{READ_SCOPES, Reference, XClient, is_id, text};
use crate::clients::api::{ErrorKind, Heard, SendError};
use crate::clients::heard::{Seen, own_ids};
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

const FIELDS: &str =
    "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,edit_history_tweet_ids,entities";

/// How far back recent search reaches.
const SEARCH_REACH: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The longest query recent search takes on the basic plans.
const QUERY_MAX: usize = 512;

/// X's snowflake ids carry their time: milliseconds since this epoch, shifted by 22 bits.
const TWEPOCH_MS: i64 = 1_288_834_974_657;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<Tweet>,
    #[serde(default)]
    includes: Includes,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    username: String,
}

#[derive(Deserialize, Default)]
struct Meta {
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    text: String,
    author_id: Option<String>,
    created_at: Option<String>,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
    #[serde(default)]
    edit_history_tweet_ids: Vec<String>,
    #[serde(default)]
    entities: super::Entities,
}

/// When a post was made, from its id.
fn made(id: &str) -> Option<Timestamp> {
    let n: i64 = id.parse().ok()?;
    Timestamp::from_millisecond((n >> 22) + TWEPOCH_MS).ok()
}

/// The larger of two ids (as numbers).
fn newer(a: Option<String>, b: &str) -> Option<String> {
    match a {
        Some(a) if a.len() > b.len() || (a.len() == b.len() && a.as_str() >= b) => Some(a),
        _ => Some(b.to_string()),
    }
}

/// `conversation_id:A OR conversation_id:B …`, each query at most [`QUERY_MAX`] characters.
fn conversation_queries(ids: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let term = format!("conversation_id:{id}");
        match out.last_mut() {
            Some(q) if q.len() + 4 + term.len() <= QUERY_MAX => {
                q.push_str(" OR ");
                q.push_str(&term);
            }
            _ => out.push(term),
        }
    }
    out
}

impl XClient {
    /// Reads a listing to its end; the posts, who wrote them, and the newest id.
    fn read_list(
        &self,
        path: &str,
        query: &[(&str, String)],
        token_param: &str,
        what: &str,
    ) -> Result<(Vec<Tweet>, HashMap<String, String>), SendError> {
        let mut all = Vec::new();
        let mut users = HashMap::new();
        let mut token: Option<String> = None;
        loop {
            let mut q: Vec<(&str, String)> = query.to_vec();
            if let Some(t) = &token {
                q.push((token_param, t.clone()));
            }
            let json = self.call(self.http.client().get(self.url(path)).query(&q), what, READ_SCOPES)?;
            let page: Page = serde_json::from_value(json).map_err(|e| {
                SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer is not a list of posts ({e})"))
            })?;
            users.extend(page.includes.users.into_iter().map(|u| (u.id, u.username)));
            let empty = page.data.is_empty();
            all.extend(page.data);
            match page.meta.next_token {
                Some(next) if !empty && token.as_deref() != Some(next.as_str()) => token = Some(next),
                _ => return Ok((all, users)),
            }
        }
    }

    fn item(
        &self,
        t: &Tweet,
        users: &HashMap<String, String>,
        me: &str,
        own: &std::collections::HashSet<String>,
    ) -> Option<Incoming> {
        let first = t.edit_history_tweet_ids.first().unwrap_or(&t.id).clone();
        if t.author_id.as_deref() == Some(me) || own.contains(&t.id) || own.contains(&first) {
            return None;
        }
        let at = t.created_at.as_deref().and_then(|c| c.parse().ok()).or_else(|| made(&first))?;
        let handle = t.author_id.as_ref().and_then(|a| users.get(a));
        let reference = |kind: &str| t.referenced_tweets.iter().find(|r| r.kind == kind).map(|r| r.id.clone());
        Some(Incoming {
            platform: PlatformId::X.name().to_string(),
            id: first,
            author: match (handle, &t.author_id) {
                (Some(h), _) => format!("@{h}"),
                (None, Some(id)) => id.clone(),
                (None, None) => "(X did not name the author)".into(),
            },
            text: text::as_sent(&t.text, &t.entities.urls, ""),
            at,
            in_reply_to: reference("replied_to").or_else(|| reference("quoted")),
            url: Some(match handle {
                Some(h) => format!("https://x.com/{h}/status/{}", t.id),
                None => format!("https://x.com/i/web/status/{}", t.id),
            }),
            deleted: false,
        })
    }

    /// What citizens wrote to the account since the marks in `cursor`; see the module
    /// documentation.
    pub(super) fn heard(&mut self, posts: &[Remote], cursor: Option<&str>) -> Result<Heard, SendError> {
        let what = "reading replies and mentions on X";
        let me = self.me(what)?;
        let mut seen = Seen::read(cursor);
        seen.posts.clear();
        let own = own_ids(posts);
        let base = vec![
            ("tweet.fields", FIELDS.to_string()),
            ("expansions", "author_id".to_string()),
            ("user.fields", "username".to_string()),
            ("max_results", "100".to_string()),
        ];
        let mut tweets: Vec<(Tweet, HashMap<String, String>)> = Vec::new();
        let mut newest: HashMap<&str, Option<String>> = HashMap::new();

        let mut query = base.clone();
        if let Some(since) = seen.marks.get("mentions").filter(|s| is_id(s)) {
            query.push(("since_id", since.clone()));
        }
        let (list, users) =
            self.read_list(&format!("/2/users/{}/mentions", me.id), &query, "pagination_token", what)?;
        for t in list {
            newest.insert("mentions", newer(newest.get("mentions").cloned().flatten(), &t.id));
            tweets.push((t, users.clone()));
        }

        let reach = Timestamp::now() - SEARCH_REACH;
        let recent: Vec<&str> = posts
            .iter()
            .flat_map(|r| std::iter::once(&r.id).chain(&r.parts))
            .map(String::as_str)
            .filter(|id| is_id(id) && made(id).is_some_and(|t| t > reach))
            .collect();
        let mut roots: Vec<&str> = posts.iter().map(|r| r.id.as_str()).filter(|id| recent.contains(id)).collect();
        roots.dedup();
        for q in conversation_queries(&roots) {
            let mut query = base.clone();
            query.push(("query", q));
            // Recent search refuses a `since_id` older than its seven days.
            if let Some(since) = seen.marks.get("search").filter(|s| is_id(s) && made(s).is_some_and(|t| t > reach)) {
                query.push(("since_id", since.clone()));
            }
            let (list, users) = self.read_list("/2/tweets/search/recent", &query, "next_token", what)?;
            for t in list {
                newest.insert("search", newer(newest.get("search").cloned().flatten(), &t.id));
                tweets.push((t, users.clone()));
            }
        }
        for id in &recent {
            let path = format!("/2/tweets/{id}/quote_tweets");
            let (list, users) = self.read_list(&path, &base, "pagination_token", what)?;
            tweets.extend(list.into_iter().map(|t| (t, users.clone())));
        }

        // A post found by two listings (a reply that names the account is in the mentions
        // and in its conversation) is one item.
        let mut items: Vec<Incoming> = Vec::new();
        let mut taken = std::collections::HashSet::new();
        for (t, users) in &tweets {
            if let Some(item) = self.item(t, users, &me.id, &own)
                && taken.insert(item.id.clone())
            {
                items.push(item);
            }
        }
        for (mark, id) in newest {
            if let Some(id) = id {
                seen.marks.insert(mark.to_string(), id);
            }
        }
        Ok(Heard { items, cursor: Some(seen.cursor()) })
    }
}

/// Kept apart for the tests: the JSON of a documented answer to items.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_tell_their_time() {
        // 1212092628029698048 was made at 2019-12-31T19:26:16Z (X's own example).
        let t = made("1212092628029698048").unwrap();
        assert_eq!(t.strftime("%Y-%m-%dT%H:%M").to_string(), "2019-12-31T19:26");
        assert_eq!(newer(Some("99".into()), "100").as_deref(), Some("100"));
        assert_eq!(newer(Some("100".into()), "99").as_deref(), Some("100"));
    }

    #[test]
    fn conversation_queries_stay_under_the_limit() {
        let ids: Vec<String> = (0..40).map(|n| format!("17900000000000{n:05}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let qs = conversation_queries(&refs);
        assert!(qs.len() > 1);
        assert!(qs.iter().all(|q| q.len() <= QUERY_MAX));
        assert_eq!(qs.iter().map(|q| q.matches("conversation_id:").count()).sum::<usize>(), 40);
    }

    #[test]
    fn the_documented_mention_is_an_item_and_edits_file_under_the_first_id() {
        let page: Page = serde_json::from_value(serde_json::json!({
            "data": [{
                "id": "1301573587187331074",
                "text": "Hey @XDevelopers, love the new API!",
                "author_id": "1234567890",
                "created_at": "2024-01-15T10:30:00.000Z",
                "edit_history_tweet_ids": ["1301573587187331000", "1301573587187331074"],
                "referenced_tweets": [{"type": "replied_to", "id": "1301573500000000000"}]
            }],
            "includes": {"users": [{"id": "1234567890", "username": "developer", "name": "Dev Person"}]},
            "meta": {"newest_id": "1301573587187331074", "result_count": 1}
        }))
        .unwrap();
        let http = crate::clients::http::Http::new(std::time::Duration::from_secs(1)).unwrap();
        let client = XClient {
            http,
            base: super::super::DEFAULT_API.into(),
            auth: super::super::Auth::Bearer(crate::clients::api::Secret::new("t")),
            account: None,
            me: None,
            media_wait: super::super::MEDIA_WAIT,
        };
        let users: HashMap<String, String> = page.includes.users.into_iter().map(|u| (u.id, u.username)).collect();
        let own = std::collections::HashSet::new();
        let item = client.item(&page.data[0], &users, "2244994945", &own).unwrap();
        assert_eq!(item.id, "1301573587187331000");
        assert_eq!(item.author, "@developer");
        assert_eq!(item.in_reply_to.as_deref(), Some("1301573500000000000"));
        assert_eq!(item.url.as_deref(), Some("https://x.com/developer/status/1301573587187331074"));
        assert!(client.item(&page.data[0], &users, "1234567890", &own).is_none(), "the account's own");
    }
}
