//! Sending to an Instagram professional account (Instagram API with Facebook Login, on
//! `graph.facebook.com`): the [`Connection`] behind `budkavle publish` for
//! `[platforms.instagram]`, whose `page_id` is the Instagram user id.
//!
//! From [Content publishing](https://developers.facebook.com/docs/instagram-platform/content-publishing/)
//! and the [error codes](https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes/):
//!
//! - A post is a container `POST /{ig-user-id}/media` with `image_url`, `caption` and
//!   `alt_text` (added on 24 March 2025, images only), published with
//!   `POST /{ig-user-id}/media_publish`; two to ten images make a carousel (one item container
//!   per image with `is_carousel_item=true` and its alt text, then a `CAROUSEL` container with
//!   the `children` and the caption). The shared flow is [`container`](super::container).
//! - "We cURL media used in publishing attempts, so the media must be hosted on a publicly
//!   accessible server": the image is the archive's copy, checked byte for byte before the
//!   container is made ([`verify_public`](super::container::verify_public)).
//! - "JPEG is the only image format supported", at most 8 MiB, aspect ratio 4:5 to 1.91:1:
//!   anything else is refused here, before a request, with what to do. A PNG is not converted:
//!   a JPEG of it would be a lossy copy the archive does not publish, and Instagram fetches
//!   the archive's copy; the person exports a JPEG instead.
//! - Text alone cannot be posted on Instagram; nor can a published caption be edited: updating
//!   an IG Media takes only `comment_enabled`
//!   (<https://developers.facebook.com/docs/instagram-platform/reference/instagram-media>), so
//!   edit is [`ErrorKind::Unsupported`], and the publisher never plans one
//!   ([`crate::platform::editing`]): a changed post goes out as a correction, a comment of the
//!   account on the media, `POST /{ig-media-id}/comments?message=…` → `{"id": "…"}`
//!   ([IG Media Comments](https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments),
//!   `instagram_manage_comments`). An interrupted one is looked up among the media's comments
//!   (`GET /{ig-media-id}/comments?fields=id,text,timestamp,from`): the account's own comment
//!   (`from.id`) with exactly the text, made since the intent.
//! - 100 posts per moving 24 hours
//!   ([content_publishing_limit](https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit)),
//!   checked before a container is made: used up is transient, with the time the oldest of
//!   them leaves the window.
//! - Delete is `DELETE /{ig-media-id}` (with `instagram_manage_contents`; in Meta's Business
//!   SDK since October 2025), and what is gone counts as deleted.
//!
//! Exactly once: no idempotency key. After an interrupted request the account's media are
//! read back newest first (`GET /{ig-user-id}/media?fields=id,caption,timestamp,permalink`;
//! the edge pages by cursor only, so the reading stops at the first post older than the intent)
//! and the exact caption decides: found, it went out; reached back past the intent without it,
//! it did not; more than a thousand posts since, a person decides.
//!
//! The token (a Page admin's user token, or the Page's) needs `instagram_basic`,
//! `instagram_content_publish` and `pages_read_engagement`, and `instagram_manage_contents`
//! to delete.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::container::{self, CONTAINER_WAIT, Containers, Flavor, Pending};
use super::{
    CLOCK_SKEW, Failure, GRAPH_URL, GRAPH_VERSION, Graph, Listing, Scanned, graph_time, lookup_of, path_id, same_text,
};
use crate::clients::account::Account;
use crate::clients::api::{Connection, Counts, ErrorKind, Heard, Limits, Lookup, Outgoing, SendError};
use crate::clients::heard::{Seen, own_ids};
use crate::clients::http::Http;
use crate::error::Result;
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

const CHARS: usize = 2_200;
const MAX_IMAGES: usize = 10;
/// "It should be less than 8 MiB."
const IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// The aspect ratios a feed image may have, 4:5 to 1.91:1.
const RATIO: (f64, f64) = (0.8, 1.91);

const PUBLISH_NEEDS: &[&str] = &["instagram_basic", "instagram_content_publish", "pages_read_engagement"];
const READ_NEEDS: &[&str] = &["instagram_basic", "pages_read_engagement"];
const DELETE_NEEDS: &[&str] = &["instagram_basic", "instagram_manage_contents"];
const COMMENT_NEEDS: &[&str] = &["instagram_basic", "instagram_manage_comments", "pages_read_engagement"];
const INSIGHTS_NEEDS: &[&str] = &["instagram_basic", "instagram_manage_insights", "pages_read_engagement"];

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// Logs in to the account `[platforms.instagram]` configures: `page_id` is the Instagram
/// user id (`GET /{page-id}?fields=instagram_business_account` names it), `token_env` names
/// the variable holding the access token, `api_secret_env` optionally the app secret for
/// `appsecret_proof`. No request is made here.
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let user = super::facebook::numeric_id(
        account,
        "the Instagram professional account's id (the `instagram_business_account` of its Facebook Page)",
    )?;
    let graph = Graph::connect(account, env, http, GRAPH_URL, GRAPH_VERSION, true)?;
    Ok(Box::new(InstagramClient { graph, user, pending: HashMap::new(), wait: CONTAINER_WAIT }))
}

/// An Instagram professional account. `Debug` shows no token.
#[derive(Debug)]
pub(crate) struct InstagramClient {
    graph: Graph,
    user: String,
    pending: HashMap<String, Pending>,
    wait: Duration,
}

impl InstagramClient {
    /// The account's post with exactly `text` as its caption, made from `since` on, and how
    /// far the reading got.
    fn search(&self, text: &str, since: Timestamp) -> std::result::Result<(Option<Remote>, Scanned), SendError> {
        let what = "looking for a post among the Instagram account's posts";
        let from = since - CLOCK_SKEW;
        let query = [("fields", "id,caption,timestamp,permalink".to_string())];
        let mut found = None;
        let scanned = self.graph.scan(&format!("{}/media", self.user), &query, what, READ_NEEDS, |m| {
            if m["timestamp"].as_str().and_then(graph_time).is_some_and(|t| t < from) {
                return ControlFlow::Break(());
            }
            match (m["id"].as_str(), m["caption"].as_str()) {
                (Some(id), Some(caption)) if same_text(caption, text) => {
                    let url = m["permalink"].as_str().map(str::to_owned);
                    found = Some(Remote { id: id.to_string(), url, parts: Vec::new() });
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        })?;
        Ok((found, scanned))
    }

    /// The account's own comment on `media` with exactly `text`, made from `since` on.
    fn search_comments(
        &self,
        media: &Remote,
        text: &str,
        since: Timestamp,
    ) -> std::result::Result<(Option<Remote>, Scanned), SendError> {
        self.search_edge(media, "comments", text, since)
    }

    /// The account's own comment with exactly `text` since `since` on `edge` of `object`:
    /// `comments` of a post, `replies` of a comment.
    fn search_edge(
        &self,
        media: &Remote,
        edge: &str,
        text: &str,
        since: Timestamp,
    ) -> std::result::Result<(Option<Remote>, Scanned), SendError> {
        let what = "looking for the account's comment among the Instagram comments";
        let from = since - CLOCK_SKEW;
        let query = [("fields", "id,text,timestamp,from".to_string())];
        let path = format!("{}/{edge}", path_id(&media.id));
        let mut found = None;
        // Comments are not documented to come newest first, so the whole listing is read.
        let scanned = self.graph.scan(&path, &query, what, COMMENT_NEEDS, |c| {
            let own = c.pointer("/from/id").and_then(serde_json::Value::as_str) == Some(self.user.as_str());
            let recent = c["timestamp"].as_str().and_then(graph_time).is_none_or(|t| t >= from);
            match (c["id"].as_str(), c["text"].as_str()) {
                (Some(id), Some(said)) if own && recent && same_text(said, text) => {
                    found = Some(Remote { id: id.to_string(), url: media.url.clone(), parts: Vec::new() });
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        })?;
        Ok((found, scanned))
    }

    /// When the oldest post of the last 24 hours leaves the publishing window: a lower bound
    /// of when the quota frees (the listing shows posts made in the app too).
    fn quota_frees(&self) -> Option<Timestamp> {
        let query = [("fields", "timestamp".to_string()), ("limit", "100".to_string())];
        let json =
            self.graph.get(&format!("{}/media", self.user), &query, "reading the account's posts", READ_NEEDS).ok()?;
        let window = Timestamp::now() - DAY;
        let oldest = json["data"]
            .as_array()?
            .iter()
            .filter_map(|m| m["timestamp"].as_str().and_then(graph_time))
            .filter(|t| *t > window)
            .min()?;
        Some(oldest + DAY)
    }
}

impl Containers for InstagramClient {
    fn graph(&self) -> &Graph {
        &self.graph
    }

    fn flavor(&self) -> Flavor {
        Flavor::Instagram
    }

    fn user(&self) -> &str {
        &self.user
    }

    fn pending(&mut self) -> &mut HashMap<String, Pending> {
        &mut self.pending
    }

    fn wait_bound(&self) -> Duration {
        self.wait
    }

    fn check(&self, out: &Outgoing<'_>) -> std::result::Result<(), SendError> {
        let refuse = |message: String| Err(SendError::permanent(ErrorKind::Rejected, message));
        if out.media.is_empty() {
            return refuse(
                "Instagram cannot post text alone: every post needs an image; add one to the post (with alt text), or leave Instagram out of its platforms".into(),
            );
        }
        if out.media.len() > MAX_IMAGES {
            return refuse(format!(
                "Instagram takes at most {MAX_IMAGES} images in a post (a carousel); this one has {}",
                out.media.len()
            ));
        }
        for m in out.media {
            if m.mime != "image/jpeg" {
                return refuse(format!(
                    "the image {} is {}, and Instagram takes JPEG only: export it as a JPEG (.jpg) and attach that instead",
                    m.name, m.mime
                ));
            }
            if m.bytes.len() > IMAGE_BYTES {
                return refuse(format!(
                    "the image {} is {} bytes; Instagram takes at most 8 MiB ({IMAGE_BYTES} bytes): make it smaller",
                    m.name,
                    m.bytes.len()
                ));
            }
            if m.width > 0 && m.height > 0 {
                let ratio = f64::from(m.width) / f64::from(m.height);
                if !(RATIO.0 - 1e-9..=RATIO.1 + 1e-9).contains(&ratio) {
                    return refuse(format!(
                        "the image {} is {}×{} pixels (aspect ratio {ratio:.2}); Instagram takes 4:5 (0.8) to 1.91:1: crop it",
                        m.name, m.width, m.height
                    ));
                }
            }
        }
        Ok(())
    }

    fn quota(&self, _out: &Outgoing<'_>) -> std::result::Result<(), SendError> {
        let what = "reading the Instagram publishing limit";
        let query = [("fields", "quota_usage,config".to_string())];
        let json = self.graph.get(&format!("{}/content_publishing_limit", self.user), &query, what, PUBLISH_NEEDS)?;
        let usage = json.pointer("/data/0/quota_usage").and_then(serde_json::Value::as_u64);
        let total = json.pointer("/data/0/config/quota_total").and_then(serde_json::Value::as_u64);
        let (Some(usage), Some(total)) = (usage, total) else { return Ok(()) };
        if usage < total {
            return Ok(());
        }
        let frees = self.quota_frees();
        let when = frees.map_or_else(
            || "when the oldest of them is 24 hours old".to_string(),
            |t| format!("when the oldest of them is 24 hours old, about {}", t.strftime("%Y-%m-%d %H:%M UTC")),
        );
        Err(SendError::Transient {
            message: format!(
                "Instagram's publishing limit is used up: {usage} of {total} posts in the last 24 hours went out through the API; the post waits and goes out {when}"
            ),
            retry_after: frees.map(|t| Duration::from_secs(t.duration_since(Timestamp::now()).as_secs().max(0) as u64)),
        })
    }

    fn create(&self, out: &Outgoing<'_>, urls: &[String]) -> std::result::Result<String, Failure> {
        let path = format!("{}/media", self.user);
        let id = |json: serde_json::Value, what: &str| {
            json["id"].as_str().map(str::to_owned).ok_or_else(|| {
                Failure::before(SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no id")))
            })
        };
        if let ([url], [m]) = (urls, out.media) {
            let what = "making the Instagram post";
            let form = [("image_url", url.clone()), ("caption", out.text.to_string()), ("alt_text", m.alt.clone())];
            return id(self.graph.post(&path, &form, what, PUBLISH_NEEDS)?, what);
        }
        let mut children = Vec::new();
        for (url, m) in urls.iter().zip(out.media) {
            let what = format!("making the Instagram carousel item for {}", m.name);
            let form = [("image_url", url.clone()), ("is_carousel_item", "true".into()), ("alt_text", m.alt.clone())];
            children.push(id(self.graph.post(&path, &form, &what, PUBLISH_NEEDS)?, &what)?);
        }
        let what = "making the Instagram carousel";
        let form = [
            ("media_type", "CAROUSEL".to_string()),
            ("children", children.join(",")),
            ("caption", out.text.to_string()),
        ];
        id(self.graph.post(&path, &form, what, PUBLISH_NEEDS)?, what)
    }

    /// A container in `ERROR`: Instagram's status names the error's subcode. A download that
    /// timed out or a failure on Meta's side is worth another try; anything else is the image.
    fn container_failed(&self, id: &str, said: &str) -> SendError {
        let message = format!("publishing on Instagram: the media of container {id} failed: {said}");
        if ["2207001", "2207003", "2207032"].iter().any(|s| said.contains(s)) {
            return SendError::transient(message);
        }
        SendError::permanent(
            ErrorKind::Rejected,
            format!(
                "{message}; check that the archive's copy of each image is reachable from the internet and is a JPEG of at most 8 MiB with an aspect ratio from 4:5 to 1.91:1"
            ),
        )
    }

    fn find(&mut self, out: &Outgoing<'_>, since: Timestamp) -> std::result::Result<Lookup, SendError> {
        self.lookup(out, since)
    }

    fn remote(&self, id: &str) -> Remote {
        Remote { id: id.to_string(), url: container::permalink(&self.graph, Flavor::Instagram, id), parts: Vec::new() }
    }
}

impl InstagramClient {
    /// One media's comments and their replies, as items, and the ids of the account's own
    /// comments among them. Instagram nests one level: a reply answers a top-level comment
    /// and comes in its `replies`; a comment with more replies than that first page is read
    /// through `GET /{ig-comment-id}/replies`.
    fn comments(
        &self,
        media: &Remote,
        own: &HashSet<String>,
        mine: &mut HashSet<String>,
    ) -> std::result::Result<Listing, Failure> {
        let what = "reading the comments on an Instagram post";
        const FIELDS: &str = "id,text,username,timestamp,from,parent_id";
        let query = [("fields", format!("{FIELDS},replies{{{FIELDS}}}"))];
        let (list, mut complete) =
            self.graph.read_all(&format!("{}/comments", path_id(&media.id)), &query, what, COMMENT_NEEDS)?;
        let mut all: Vec<(serde_json::Value, String)> = Vec::new();
        for c in list {
            let Some(id) = c["id"].as_str().map(str::to_owned) else { continue };
            let replies = c["replies"].clone();
            all.push((c, media.id.clone()));
            if replies.pointer("/paging/next").is_some() {
                let (more, whole) = self.graph.read_all(
                    &format!("{}/replies", path_id(&id)),
                    &[("fields", FIELDS.to_string())],
                    what,
                    COMMENT_NEEDS,
                )?;
                complete &= whole;
                all.extend(more.into_iter().map(|r| (r, id.clone())));
            } else {
                all.extend(replies["data"].as_array().into_iter().flatten().map(|r| (r.clone(), id.clone())));
            }
        }
        let mut items = Vec::new();
        let mut ids = BTreeSet::new();
        for (c, parent) in &all {
            let Some(id) = c["id"].as_str() else { continue };
            let from = c.pointer("/from/id").and_then(serde_json::Value::as_str);
            if own.contains(id) || from == Some(self.user.as_str()) {
                mine.insert(id.to_string());
                continue;
            }
            let Some(at) = c["timestamp"].as_str().and_then(graph_time) else {
                return Err(Failure::before(SendError::permanent(
                    ErrorKind::Protocol,
                    format!("{what}: comment {id} has no timestamp"),
                )));
            };
            let author = c["username"]
                .as_str()
                .or_else(|| c.pointer("/from/username").and_then(serde_json::Value::as_str))
                .map_or_else(|| from.unwrap_or("(Instagram did not name the author)").to_string(), |u| format!("@{u}"));
            ids.insert(id.to_string());
            items.push(Incoming {
                platform: PlatformId::Instagram.name().to_string(),
                id: id.to_string(),
                author,
                text: c["text"].as_str().unwrap_or_default().to_string(),
                at,
                in_reply_to: Some(c["parent_id"].as_str().unwrap_or(parent).to_string()),
                // A comment has no address of its own: the post's.
                url: media.url.clone(),
                deleted: false,
            });
        }
        Ok((items, ids, complete))
    }
}

impl Connection for InstagramClient {
    /// `doctor`'s check: the account and, from Meta's token debug, permissions and expiry.
    fn health(&mut self) -> std::result::Result<crate::clients::api::Health, SendError> {
        let account = self.user.clone();
        self.graph.health(&account, "username", PUBLISH_NEEDS)
    }

    fn platform(&self) -> PlatformId {
        PlatformId::Instagram
    }

    /// Instagram has no replies of an account to its own posts as posts: a part that answers
    /// an earlier one is a post of its own (with its own image), and the text says what it
    /// follows up.
    fn publish(&mut self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        container::publish(self, out)
    }

    fn edit(&mut self, _remote: &Remote, _out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        Err(SendError::permanent(
            ErrorKind::Unsupported,
            "Instagram cannot edit a published caption through its API (it can only turn comments on or off): change the caption in the Instagram app by hand, or retract the post and publish a corrected one",
        ))
    }

    /// Deletes a post (`DELETE /{ig-media-id}`) or a correction comment
    /// (`DELETE /{ig-comment-id}`): Graph tells them apart by the id.
    fn delete(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        self.graph.delete(&path_id(&remote.id), "deleting the Instagram post", DELETE_NEEDS)
    }

    /// A comment of the account on the post: Instagram has no replies to a post.
    fn correct(&mut self, original: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "commenting a correction on the Instagram post";
        let path = format!("{}/comments", path_id(&original.id));
        let json = self.graph.post(&path, &[("message", out.text.to_string())], what, COMMENT_NEEDS)?;
        let id = json["id"]
            .as_str()
            .ok_or_else(|| SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no id")))?;
        Ok(Remote { id: id.to_string(), url: original.url.clone(), parts: Vec::new() })
    }

    fn lookup_correction(
        &mut self,
        original: &Remote,
        out: &Outgoing<'_>,
        intent_at: Timestamp,
    ) -> std::result::Result<Lookup, SendError> {
        Ok(lookup_of(
            self.search_comments(original, out.text, intent_at)?,
            PlatformId::Instagram,
            out.text,
            intent_at,
            "the post has too many comments to read them all back",
            original.url.as_deref().unwrap_or("the post's comments"),
        ))
    }

    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> std::result::Result<Lookup, SendError> {
        Ok(lookup_of(
            self.search(out.text, intent_at)?,
            PlatformId::Instagram,
            out.text,
            intent_at,
            "the account has posted too much since then to read it all back",
            "the account's posts in the Instagram app",
        ))
    }

    fn find_sent(&mut self, text: &str, since: Timestamp) -> std::result::Result<Option<Remote>, SendError> {
        Ok(self.search(text, since)?.0)
    }

    /// Media insights, `GET /{ig-media-id}/insights?metric=views,reach,likes,comments,shares,saved`
    /// (<https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights>;
    /// needs `instagram_manage_insights`), one request per post. Only current names: `impressions`
    /// and `plays` were retired in April 2025 and would fail the whole request.
    fn counts(&mut self, remotes: &[Remote]) -> std::result::Result<Vec<Option<Counts>>, SendError> {
        let mut out = Vec::with_capacity(remotes.len());
        for r in remotes {
            let got = super::insights(&self.graph, &r.id, "views,reach,likes,comments,shares,saved", INSIGHTS_NEEDS)?;
            out.push(got.map(|m| Counts {
                views: m.get("views").and_then(serde_json::Value::as_u64),
                reach: m.get("reach").and_then(serde_json::Value::as_u64),
                likes: m.get("likes").and_then(serde_json::Value::as_u64),
                replies: m.get("comments").and_then(serde_json::Value::as_u64),
                shares: m.get("shares").and_then(serde_json::Value::as_u64),
                saves: m.get("saved").and_then(serde_json::Value::as_u64),
                ..Counts::default()
            }));
        }
        Ok(out)
    }

    /// Every comment and reply on the account's posts, read whole on each pull (Instagram
    /// has no "since" for comments, and comments cannot be edited). The account's own
    /// comments (its corrections, its answers) are not items. Mentions of the account in
    /// others' captions and comments reach an app only through the `mentions` webhook
    /// (`mentioned_media`, `mentioned_comment`), so they are not pulled: import them.
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> std::result::Result<Heard, SendError> {
        let what = "reading the comments on the Instagram account's posts";
        let mut seen = Seen::read(cursor);
        let own = own_ids(posts);
        seen.retain(&posts.iter().map(|r| r.id.clone()).collect());
        // A correction is the account's comment on the media, listed under it (the ledger
        // has posts oldest first, so the media comes before): it has no comments of its own.
        let mut mine = HashSet::new();
        let mut items = Vec::new();
        for m in posts {
            if mine.contains(&m.id) {
                seen.forget(&m.id);
                continue;
            }
            let listing = match self.comments(m, &own, &mut mine) {
                // Graph's answers for an edge a node does not have (a comment's `comments`):
                // a correction whose media is older than the posts asked about.
                Err(f)
                    if f.refused
                        && (f.code == Some(2500) || f.send.message().contains("nonexisting field (comments)")) =>
                {
                    seen.forget(&m.id);
                    continue;
                }
                listing => listing,
            };
            super::settle_post(&self.graph, &mut seen, &m.id, listing, &mut items, what, COMMENT_NEEDS)?;
        }
        Ok(Heard { items, cursor: Some(seen.cursor()) })
    }

    /// A citizen's comment is answered on its replies edge: `POST /{ig-comment-id}/replies`
    /// (Instagram has no replies to a reply: a nested comment is refused by the platform).
    fn reply(&mut self, to: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "replying to a comment on Instagram";
        let path = format!("{}/replies", path_id(&to.id));
        let json = self.graph.post(&path, &[("message", out.text.to_string())], what, COMMENT_NEEDS)?;
        let id = json["id"]
            .as_str()
            .ok_or_else(|| SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no id")))?;
        Ok(Remote { id: id.to_string(), url: to.url.clone(), parts: Vec::new() })
    }

    fn lookup_reply(
        &mut self,
        to: &Remote,
        out: &Outgoing<'_>,
        intent_at: Timestamp,
    ) -> std::result::Result<Lookup, SendError> {
        Ok(lookup_of(
            self.search_edge(to, "replies", out.text, intent_at)?,
            PlatformId::Instagram,
            out.text,
            intent_at,
            "the comment has too many replies to read them all back",
            "the replies under the citizen's comment in the Instagram app",
        ))
    }

    /// `POST /{ig-comment-id}` with `hide` (`instagram_manage_comments`): hidden from everyone
    /// but its author. Comments of the account itself cannot be hidden.
    fn hide(&mut self, item: &Remote, _parent: Option<&Remote>, hidden: bool) -> std::result::Result<(), SendError> {
        let what = if hidden { "hiding a comment on Instagram" } else { "showing a hidden Instagram comment again" };
        let json = self.graph.post(&path_id(&item.id), &[("hide", hidden.to_string())], what, COMMENT_NEEDS)?;
        super::succeeded(&json, what)
    }

    fn limits(&mut self) -> std::result::Result<Limits, SendError> {
        Ok(Limits { chars: Some(CHARS), max_media: Some(MAX_IMAGES), image_bytes: Some(IMAGE_BYTES) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::api::Upload;
    use crate::strategy::PlatformConfig;

    fn client() -> InstagramClient {
        let config: PlatformConfig = toml::from_str("page_id = \"1784\"\ntoken_env = \"T\"\n").unwrap();
        let account = Account::new(PlatformId::Instagram, &config, "");
        let http = Http::new(Duration::from_secs(5)).unwrap();
        let graph =
            Graph::connect(&account, &|_| Some("tok-ig".into()), &http, GRAPH_URL, GRAPH_VERSION, true).unwrap();
        InstagramClient { graph, user: "1784".into(), pending: HashMap::new(), wait: CONTAINER_WAIT }
    }

    fn image(mime: &'static str, width: u32, height: u32) -> Upload {
        Upload {
            bytes: vec![0xff, 0xd8, 0xff],
            mime,
            alt: "alt".into(),
            width,
            height,
            name: "bild".into(),
            public_url: None,
        }
    }

    fn out<'a>(media: &'a [Upload]) -> Outgoing<'a> {
        Outgoing { key: "k", text: "Hej", facets: &[], lang: "sv", media, reply_to: None, link: None }
    }

    #[test]
    fn what_instagram_refuses_is_refused_with_advice_before_any_request() {
        let c = client();
        let cases: [(Vec<Upload>, &str); 4] = [
            (vec![], "text alone"),
            (vec![image("image/png", 10, 10)], "export it as a JPEG"),
            (vec![image("image/jpeg", 300, 100)], "crop it"),
            ((0..11).map(|_| image("image/jpeg", 10, 10)).collect(), "at most 10"),
        ];
        for (media, says) in cases {
            let err = c.check(&out(&media)).unwrap_err();
            assert!(matches!(err, SendError::Permanent { kind: ErrorKind::Rejected, .. }), "{err:?}");
            assert!(err.message().contains(says), "{err}");
        }
        c.check(&out(&[image("image/jpeg", 1080, 1350)])).unwrap();
    }

    #[test]
    fn a_failed_container_is_transient_only_for_meta_side_failures() {
        let c = client();
        let timeout = c.container_failed("1", "Error: It takes too long (error code -2, subcode 2207003)");
        assert!(matches!(timeout, SendError::Transient { .. }));
        let format = c.container_failed("1", "Error: not JPEG (error code 36001, subcode 2207005)");
        assert!(matches!(format, SendError::Permanent { kind: ErrorKind::Rejected, .. }));
    }
}
