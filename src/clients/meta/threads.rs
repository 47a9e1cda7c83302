//! Sending to a Threads profile (`graph.threads.net`, the user `me`): the [`Connection`] behind
//! `budkavle publish` for `[platforms.threads]`.
//!
//! From [Threads posts](https://developers.facebook.com/docs/threads/posts), the
//! [publishing reference](https://developers.facebook.com/documentation/threads/reference/publishing),
//! [reply management](https://developers.facebook.com/documentation/threads/reply-management),
//! [delete posts](https://developers.facebook.com/docs/threads/posts/delete-posts) and the
//! [overview](https://developers.facebook.com/docs/threads/overview/) (limits):
//!
//! - A post is a container `POST /me/threads` (`media_type` `TEXT`, `IMAGE` with `image_url`
//!   and `alt_text`, or `CAROUSEL` of two to twenty image items; `text`; `reply_to_id` for a
//!   thread's later parts, each answering the part before), published with
//!   `POST /me/threads_publish`. The shared flow is [`container`](super::container); as on
//!   Instagram, Meta fetches each image from the archive's copy, which is checked first.
//!   A text-only post with a link gets `link_attachment`, Threads' link preview.
//! - Text is at most 500 characters (emoji count as their UTF-8 bytes; `check` counts that
//!   way already); images JPEG or PNG, at most 8 MB.
//! - 250 posts and 1,000 replies per moving 24 hours (`GET /me/threads_publishing_limit`),
//!   checked before a container is made; used up is transient.
//! - There is no edit in the Threads API (its endpoints: publishing, retrieval, replies,
//!   delete, insights — <https://developers.facebook.com/documentation/threads/reference>):
//!   edit is [`ErrorKind::Unsupported`] and the publisher never plans one
//!   ([`crate::platform::editing`]); a changed post goes out as a correction, a reply to it
//!   (`reply_to_id`,
//!   <https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies/create-replies>)
//!   starting "Rättelse:" / "Correction:", looked up among `/me/replies` after an interruption.
//!   Delete is `DELETE /{threads-media-id}` (needs `threads_delete`, at most 100 a day); what is
//!   gone counts as deleted.
//!
//! Exactly once: no idempotency key. After an interrupted request the profile's own posts are
//! read back from the intent on (`GET /me/threads?since=…`, or `/me/replies` for a thread's
//! later parts, newest first with their exact `text`), less a few minutes for clocks: found, it
//! went out; the listing ended without it, it did not; more than a thousand since, a person
//! decides. A container's `PUBLISHED` status settles a lost answer within a run.
//!
//! The token (a long-lived Threads user token; it lasts 60 days and must be refreshed before)
//! needs `threads_basic` and `threads_content_publish`, `threads_read_replies` to look up
//! thread parts, and `threads_delete` to delete.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::container::{self, CONTAINER_WAIT, Containers, Flavor, Pending};
use super::{CLOCK_SKEW, Failure, Graph, Listing, Scanned, graph_time, lookup_of, path_id, same_text};
use crate::clients::account::Account;
use crate::clients::api::{Connection, Counts, ErrorKind, Heard, Limits, Lookup, Outgoing, SendError};
use crate::clients::heard::{Seen, own_ids};
use crate::clients::http::Http;
use crate::error::Result;
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

pub(crate) const THREADS_URL: &str = "https://graph.threads.net";
pub(crate) const THREADS_VERSION: &str = "v1.0";

const CHARS: usize = 500;
const MAX_IMAGES: usize = 20;
const IMAGE_BYTES: usize = 8_000_000;
const ALT_CHARS: usize = 1_000;
/// The widest aspect ratio an image may have, either way.
const MAX_RATIO: f64 = 10.0;
/// The earliest `since` the API takes (5 July 2023).
const EARLIEST: i64 = 1_688_540_400;

const PUBLISH_NEEDS: &[&str] = &["threads_basic", "threads_content_publish"];
const READ_NEEDS: &[&str] = &["threads_basic"];
const REPLIES_NEEDS: &[&str] = &["threads_basic", "threads_read_replies"];
const DELETE_NEEDS: &[&str] = &["threads_basic", "threads_delete"];
const MENTIONS_NEEDS: &[&str] = &["threads_basic", "threads_manage_mentions"];
const MANAGE_REPLIES_NEEDS: &[&str] = &["threads_basic", "threads_manage_replies"];
const INSIGHTS_NEEDS: &[&str] = &["threads_basic", "threads_manage_insights"];

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// Logs in to the profile `[platforms.threads]` configures: `token_env` names the variable
/// holding the Threads user token; `api_url` defaults to `graph.threads.net` and `api_version`
/// to `v1.0` (Threads numbers its versions apart from the Graph API). No request is made here.
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let graph = Graph::connect(account, env, http, THREADS_URL, THREADS_VERSION, false)?;
    Ok(Box::new(ThreadsClient { graph, pending: HashMap::new(), wait: CONTAINER_WAIT }))
}

/// A Threads profile. `Debug` shows no token.
#[derive(Debug)]
pub(crate) struct ThreadsClient {
    graph: Graph,
    pending: HashMap<String, Pending>,
    wait: Duration,
}

/// The post a part answers: the last part of a thread, or the post itself.
fn reply_target(remote: &Remote) -> &str {
    remote.parts.last().map_or(remote.id.as_str(), String::as_str)
}

impl ThreadsClient {
    /// The profile's post (or reply) with exactly `text`, made from `since` on.
    fn search(
        &self,
        edge: &str,
        text: &str,
        since: Timestamp,
    ) -> std::result::Result<(Option<Remote>, Scanned), SendError> {
        let what = "looking for a post among the Threads profile's posts";
        let from = since - CLOCK_SKEW;
        let needs = if edge == "replies" { REPLIES_NEEDS } else { READ_NEEDS };
        let query = [
            ("fields", "id,text,timestamp,permalink".to_string()),
            ("since", from.as_second().max(EARLIEST).to_string()),
        ];
        let mut found = None;
        let scanned = self.graph.scan(&format!("me/{edge}"), &query, what, needs, |p| {
            if p["timestamp"].as_str().and_then(graph_time).is_some_and(|t| t < from) {
                return ControlFlow::Break(());
            }
            match (p["id"].as_str(), p["text"].as_str()) {
                (Some(id), Some(stored)) if same_text(stored, text) => {
                    let url = p["permalink"].as_str().map(str::to_owned);
                    found = Some(Remote { id: id.to_string(), url, parts: Vec::new() });
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        })?;
        Ok((found, scanned))
    }

    /// When the oldest post (or reply) of the last 24 hours leaves the window.
    fn quota_frees(&self, edge: &str) -> Option<Timestamp> {
        let window = Timestamp::now() - DAY;
        let query = [
            ("fields", "timestamp".to_string()),
            ("since", window.as_second().to_string()),
            ("limit", "100".to_string()),
        ];
        let needs = if edge == "replies" { REPLIES_NEEDS } else { READ_NEEDS };
        let json = self.graph.get(&format!("me/{edge}"), &query, "reading the profile's posts", needs).ok()?;
        let oldest = json["data"]
            .as_array()?
            .iter()
            .filter_map(|p| p["timestamp"].as_str().and_then(graph_time))
            .filter(|t| *t > window)
            .min()?;
        Some(oldest + DAY)
    }
}

impl Containers for ThreadsClient {
    fn graph(&self) -> &Graph {
        &self.graph
    }

    fn flavor(&self) -> Flavor {
        Flavor::Threads
    }

    fn user(&self) -> &str {
        "me"
    }

    fn pending(&mut self) -> &mut HashMap<String, Pending> {
        &mut self.pending
    }

    fn wait_bound(&self) -> Duration {
        self.wait
    }

    fn check(&self, out: &Outgoing<'_>) -> std::result::Result<(), SendError> {
        let refuse = |message: String| Err(SendError::permanent(ErrorKind::Rejected, message));
        if out.media.len() > MAX_IMAGES {
            return refuse(format!(
                "Threads takes at most {MAX_IMAGES} images in a post; this one has {}",
                out.media.len()
            ));
        }
        for m in out.media {
            if m.mime != "image/jpeg" && m.mime != "image/png" {
                return refuse(format!(
                    "the image {} is {}, and Threads takes JPEG and PNG only: export it as one of those and attach that instead",
                    m.name, m.mime
                ));
            }
            if m.bytes.len() > IMAGE_BYTES {
                return refuse(format!(
                    "the image {} is {} bytes; Threads takes at most 8 MB: make it smaller",
                    m.name,
                    m.bytes.len()
                ));
            }
            if m.width > 0 && m.height > 0 {
                let (w, h) = (f64::from(m.width), f64::from(m.height));
                if (w / h).max(h / w) > MAX_RATIO {
                    return refuse(format!(
                        "the image {} is {}×{} pixels; Threads takes aspect ratios up to 10:1: crop it",
                        m.name, m.width, m.height
                    ));
                }
            }
            if m.alt.chars().count() > ALT_CHARS {
                return refuse(format!(
                    "the alt text of {} is {} characters; Threads takes at most {ALT_CHARS}: shorten it",
                    m.name,
                    m.alt.chars().count()
                ));
            }
        }
        Ok(())
    }

    fn quota(&self, out: &Outgoing<'_>) -> std::result::Result<(), SendError> {
        let what = "reading the Threads publishing limit";
        let query = [("fields", "quota_usage,config,reply_quota_usage,reply_config".to_string())];
        let json = self.graph.get("me/threads_publishing_limit", &query, what, PUBLISH_NEEDS)?;
        let (usage, config, edge, kind) = match out.reply_to {
            Some(_) => ("reply_quota_usage", "reply_config", "replies", "replies"),
            None => ("quota_usage", "config", "threads", "posts"),
        };
        let number = |pointer: String| json.pointer(&pointer).and_then(serde_json::Value::as_u64);
        let (Some(used), Some(total)) =
            (number(format!("/data/0/{usage}")), number(format!("/data/0/{config}/quota_total")))
        else {
            return Ok(());
        };
        if used < total {
            return Ok(());
        }
        let frees = self.quota_frees(edge);
        let when = frees.map_or_else(
            || "when the oldest of them is 24 hours old".to_string(),
            |t| format!("when the oldest of them is 24 hours old, about {}", t.strftime("%Y-%m-%d %H:%M UTC")),
        );
        Err(SendError::Transient {
            message: format!(
                "Threads' publishing limit is used up: {used} of {total} {kind} in the last 24 hours went out through the API; the part waits and goes out {when}"
            ),
            retry_after: frees.map(|t| Duration::from_secs(t.duration_since(Timestamp::now()).as_secs().max(0) as u64)),
        })
    }

    fn create(&self, out: &Outgoing<'_>, urls: &[String]) -> std::result::Result<String, Failure> {
        let id = |json: serde_json::Value, what: &str| {
            json["id"].as_str().map(str::to_owned).ok_or_else(|| {
                Failure::before(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no id")))
            })
        };
        let mut form: Vec<(&str, String)> = vec![("text", out.text.to_string())];
        if let Some(to) = out.reply_to {
            form.push(("reply_to_id", reply_target(to).to_string()));
        }
        match (urls, out.media) {
            ([], _) => {
                form.push(("media_type", "TEXT".into()));
                if let Some(link) = out.link {
                    form.push(("link_attachment", link.to_string()));
                }
            }
            ([url], [m]) => {
                form.push(("media_type", "IMAGE".into()));
                form.push(("image_url", url.clone()));
                form.push(("alt_text", m.alt.clone()));
            }
            _ => {
                let mut children = Vec::new();
                for (url, m) in urls.iter().zip(out.media) {
                    let what = format!("making the Threads carousel item for {}", m.name);
                    let item = [
                        ("media_type", "IMAGE".to_string()),
                        ("image_url", url.clone()),
                        ("is_carousel_item", "true".into()),
                        ("alt_text", m.alt.clone()),
                    ];
                    children.push(id(self.graph.post("me/threads", &item, &what, PUBLISH_NEEDS)?, &what)?);
                }
                form.push(("media_type", "CAROUSEL".into()));
                form.push(("children", children.join(",")));
            }
        }
        let what = "making the Threads post";
        id(self.graph.post("me/threads", &form, what, PUBLISH_NEEDS)?, what)
    }

    /// Threads names only a few reasons (`INVALID_ASPEC_RATIO`, `UNKNOWN`, and video ones);
    /// everything was checked here before, so what remains is the image as Meta fetched it.
    fn container_failed(&self, id: &str, said: &str) -> SendError {
        SendError::permanent(
            ErrorKind::Rejected,
            format!(
                "publishing on Threads: the media of container {id} failed ({said}); check that the archive's copy of each image is reachable from the internet and is a JPEG or PNG of at most 8 MB with an aspect ratio up to 10:1"
            ),
        )
    }

    fn find(&mut self, out: &Outgoing<'_>, since: Timestamp) -> std::result::Result<Lookup, SendError> {
        self.lookup(out, since)
    }

    fn remote(&self, id: &str) -> Remote {
        Remote { id: id.to_string(), url: container::permalink(&self.graph, Flavor::Threads, id), parts: Vec::new() }
    }
}

/// The fields of a reply or mention `inbox pull` reads
/// (<https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies/replies-and-conversations>).
const REPLY_FIELDS: &str = "id,text,username,timestamp,permalink,is_reply,replied_to,root_post,is_reply_owned_by_me";

impl ThreadsClient {
    /// A reply or mention as an item; `None` for the profile's own.
    fn item(
        &self,
        p: &serde_json::Value,
        own: &HashSet<String>,
        what: &str,
    ) -> std::result::Result<Option<Incoming>, Failure> {
        let Some(id) = p["id"].as_str() else { return Ok(None) };
        if own.contains(id) || p["is_reply_owned_by_me"].as_bool() == Some(true) {
            return Ok(None);
        }
        let Some(at) = p["timestamp"].as_str().and_then(graph_time) else {
            return Err(Failure::before(SendError::permanent(
                ErrorKind::Protocol,
                format!("{what}: post {id} has no timestamp"),
            )));
        };
        Ok(Some(Incoming {
            platform: PlatformId::Threads.name().to_string(),
            id: id.to_string(),
            // "This only works for public users and your own user."
            author: p["username"]
                .as_str()
                .map_or_else(|| "(Threads did not name the author)".into(), |u| format!("@{u}")),
            text: p["text"].as_str().unwrap_or_default().to_string(),
            at,
            in_reply_to: p.pointer("/replied_to/id").and_then(serde_json::Value::as_str).map(str::to_owned),
            url: p["permalink"].as_str().map(str::to_owned),
            deleted: false,
        }))
    }

    /// Every reply under `post`, at every depth (`GET /{media-id}/conversation`, oldest
    /// first), and the ids of the profile's own among them.
    fn conversation(
        &self,
        post: &str,
        own: &HashSet<String>,
        mine: &mut HashSet<String>,
    ) -> std::result::Result<Listing, Failure> {
        let what = "reading the replies to a Threads post";
        let query = [("fields", REPLY_FIELDS.to_string()), ("reverse", "false".to_string())];
        let (list, complete) =
            self.graph.read_all(&format!("{}/conversation", path_id(post)), &query, what, REPLIES_NEEDS)?;
        let mut items = Vec::new();
        let mut ids = BTreeSet::new();
        for p in &list {
            match self.item(p, own, what)? {
                Some(item) => {
                    ids.insert(item.id.clone());
                    items.push(item);
                }
                None => {
                    if let Some(id) = p["id"].as_str() {
                        mine.insert(id.to_string());
                    }
                }
            }
        }
        Ok((items, ids, complete))
    }
}

impl Connection for ThreadsClient {
    /// `doctor`'s check: the account and, from Meta's token debug, permissions and expiry.
    fn health(&mut self) -> std::result::Result<crate::clients::api::Health, SendError> {
        let account = "me".to_string();
        self.graph.health(&account, "username", PUBLISH_NEEDS)
    }

    fn platform(&self) -> PlatformId {
        PlatformId::Threads
    }

    fn publish(&mut self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        container::publish(self, out)
    }

    fn edit(&mut self, _remote: &Remote, _out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        Err(SendError::permanent(
            ErrorKind::Unsupported,
            "Threads cannot edit a post through its API: change it in the Threads app by hand (within its edit window), or retract the post and publish a corrected one",
        ))
    }

    fn delete(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        self.graph.delete(&path_id(&remote.id), "deleting the Threads post", DELETE_NEEDS)
    }

    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> std::result::Result<Lookup, SendError> {
        let edge = if out.reply_to.is_some() { "replies" } else { "threads" };
        Ok(lookup_of(
            self.search(edge, out.text, intent_at)?,
            PlatformId::Threads,
            out.text,
            intent_at,
            "the profile has posted too much since then to read it all back",
            "the profile's posts and replies in the Threads app",
        ))
    }

    fn find_sent(&mut self, text: &str, since: Timestamp) -> std::result::Result<Option<Remote>, SendError> {
        if let (Some(remote), _) = self.search("threads", text, since)? {
            return Ok(Some(remote));
        }
        Ok(self.search("replies", text, since)?.0)
    }

    /// Media insights, `GET /{threads-media-id}/insights?metric=views,likes,replies,reposts,quotes,shares`
    /// (<https://developers.facebook.com/docs/threads/insights>; needs `threads_manage_insights`),
    /// one request per post. Threads gives no reach, clicks, saves or followers per post.
    fn counts(&mut self, remotes: &[Remote]) -> std::result::Result<Vec<Option<Counts>>, SendError> {
        let mut out = Vec::with_capacity(remotes.len());
        for r in remotes {
            let got = super::insights(&self.graph, &r.id, "views,likes,replies,reposts,quotes,shares", INSIGHTS_NEEDS)?;
            out.push(got.map(|m| Counts {
                views: m.get("views").and_then(serde_json::Value::as_u64),
                likes: m.get("likes").and_then(serde_json::Value::as_u64),
                replies: m.get("replies").and_then(serde_json::Value::as_u64),
                reposts: m.get("reposts").and_then(serde_json::Value::as_u64),
                quotes: m.get("quotes").and_then(serde_json::Value::as_u64),
                shares: m.get("shares").and_then(serde_json::Value::as_u64),
                ..Counts::default()
            }));
        }
        Ok(out)
    }

    /// Replies at every depth under the profile's posts, read whole on each pull (Threads
    /// lists them as they are now), and the posts that mention the profile
    /// (`GET /me/mentions`, <https://developers.facebook.com/documentation/threads/threads-mentions>,
    /// `threads_manage_mentions`) since the last pull. The profile's own replies (thread
    /// parts, corrections, answers) are not items. Quotes of a post that do not mention the
    /// profile have no listing in the API and are not pulled.
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> std::result::Result<Heard, SendError> {
        let what = "reading the replies to the Threads profile's posts";
        let started = Timestamp::now();
        let mut seen = Seen::read(cursor);
        let own = own_ids(posts);
        seen.retain(&posts.iter().map(|r| r.id.clone()).collect());
        let mut mine = HashSet::new();
        let mut items = Vec::new();
        for r in posts {
            // A reply of the profile listed under an earlier post: its replies came with it.
            if mine.contains(&r.id) {
                seen.forget(&r.id);
                continue;
            }
            let listing = self.conversation(&r.id, &own, &mut mine);
            super::settle_post(&self.graph, &mut seen, &r.id, listing, &mut items, what, REPLIES_NEEDS)?;
        }
        let what = "reading the Threads posts that mention the profile";
        let mut query = vec![("fields", REPLY_FIELDS.to_string())];
        if let Some(since) = seen.marks.get("mentions").and_then(|s| s.parse::<i64>().ok()) {
            query.push(("since", since.max(EARLIEST).to_string()));
        }
        let (mentions, complete) = self.graph.read_all("me/mentions", &query, what, MENTIONS_NEEDS)?;
        // A mention in a reply under one of the posts is already an item.
        let listed: HashSet<String> = items.iter().map(|i| i.id.clone()).collect();
        for p in &mentions {
            if let Some(item) = self.item(p, &own, what)?
                && !listed.contains(&item.id)
            {
                items.push(item);
            }
        }
        // The next pull reads mentions from a little before this one started; a listing that
        // could not be read to its end keeps the old mark, so nothing older is skipped.
        if complete {
            seen.marks.insert("mentions".into(), (started - CLOCK_SKEW).as_second().to_string());
        }
        Ok(Heard { items, cursor: Some(seen.cursor()) })
    }

    /// `POST /{reply-id}/manage_reply` with `hide` (`threads_manage_replies`): a top-level reply
    /// to the account's post, and every reply under it with it; a nested reply cannot be hidden
    /// alone (Threads answers with an error that says so).
    fn hide(&mut self, item: &Remote, _parent: Option<&Remote>, hidden: bool) -> std::result::Result<(), SendError> {
        let what = if hidden { "hiding a reply on Threads" } else { "showing a hidden Threads reply again" };
        let path = format!("{}/manage_reply", path_id(&item.id));
        let json = self.graph.post(&path, &[("hide", hidden.to_string())], what, MANAGE_REPLIES_NEEDS)?;
        super::succeeded(&json, what)
    }

    fn limits(&mut self) -> std::result::Result<Limits, SendError> {
        Ok(Limits { chars: Some(CHARS), max_media: Some(MAX_IMAGES), image_bytes: Some(IMAGE_BYTES) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_answer_the_last_part() {
        let single = Remote { id: "1".into(), url: None, parts: vec![] };
        assert_eq!(reply_target(&single), "1");
        let thread = Remote { id: "1".into(), url: None, parts: vec!["1".into(), "2".into()] };
        assert_eq!(reply_target(&thread), "2");
    }
}
