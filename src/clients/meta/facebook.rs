//! Sending to a Facebook Page: the [`Connection`] behind `budkavle publish` for
//! `[platforms.facebook]`, through the Graph API ([`Graph`]) with a Page access token.
//!
//! - A post is `POST /{page-id}/feed` with `message` (and `link` for a link card)
//!   ([Pages API posts](https://developers.facebook.com/docs/pages-api/posts),
//!   [Page Content guide](https://developers.facebook.com/docs/pages/publishing)). Its images
//!   are uploaded first as unpublished photos (`POST /{page-id}/photos` with the file as
//!   `source`, `published=false`, and the alt text as `alt_text_custom`, a creation parameter
//!   of the Page photos edge in Meta's Business SDK), then attached with `attached_media`, so
//!   one image and ten take the same path.
//! - Facebook has no threads. Whatever answers an earlier post (a later part, or an update,
//!   correction or cancellation of a post that went out) becomes a comment of the Page on the
//!   first post of what it answers (`POST /{post-id}/comments`,
//!   [object comments](https://developers.facebook.com/docs/graph-api/reference/object/comments)),
//!   with at most one image (`attachment_id`), since a comment takes one. A comment's id names
//!   its post (`{post-object-id}_{comment-id}`, where a post is `{page-id}_{post-object-id}`),
//!   so an answer to a comment goes to the same post.
//! - Edit is `POST /{post-id}` (or `/{comment-id}`) with `message`, answering
//!   `{"success": true}`; it changes the text only, the photos stay as they are. Delete is
//!   `DELETE /{id}`; what is already gone (`100/33`) counts as deleted.
//!
//! Exactly once: Facebook takes no idempotency key. After an interrupted request the Page's
//! own posts are read back (`GET /{page-id}/published_posts?since=…`, newest first, with their
//! exact `message` and `created_time`) from the intent on, less a few minutes for clocks, and
//! the exact text decides: found, it went out; the listing ended before the intent without it,
//! it did not; a listing longer than a thousand posts is left to a person. Comments are looked
//! up the same way among the post's comments by the Page. The publisher's retry within a run
//! does this look-up too before it sends again (a timeout may have posted), and Facebook's own
//! duplicate answer (`506`, the same text as the Page's latest post) is taken as "probably
//! already sent": the post is looked up, never sent again blindly.
//!
//! The token needs `pages_manage_posts` and `pages_read_engagement` (posts, photos, edits,
//! deletes, look-ups) and `pages_manage_engagement` (comments).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;

use jiff::{SignedDuration, Timestamp};
use reqwest::blocking::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{
    CLOCK_SKEW, Failure, GRAPH_URL, GRAPH_VERSION, Graph, Listing, Scanned, graph_time, lookup_of, path_id, same_text,
};
use crate::clients::account::Account;
use crate::clients::api::{Connection, Counts, ErrorKind, Heard, Limits, Lookup, Outgoing, SendError, Upload};
use crate::clients::heard::{Seen, own_ids};
use crate::clients::http::Http;
use crate::error::{Error, Result};
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

/// Facebook's post length limit.
const CHARS: usize = 63_206;

const POST_NEEDS: &[&str] = &["pages_manage_posts", "pages_read_engagement"];
const COMMENT_NEEDS: &[&str] = &["pages_manage_engagement", "pages_read_engagement"];
const READ_NEEDS: &[&str] = &["pages_read_engagement"];
const INSIGHTS_NEEDS: &[&str] = &["read_insights", "pages_read_engagement"];

/// The author of a comment when Facebook does not say (`from` needs the Page's token with
/// `pages_read_user_content`).
const UNKNOWN_AUTHOR: &str = "(Facebook did not name the author)";

/// How recent the Page's post with the same text must be for a duplicate answer to mean it is
/// this one: older, it is a post of its own that happens to say the same.
const DUPLICATE_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// Logs in to the Page `[platforms.facebook]` configures: `page_id` is the Page's numeric id,
/// `token_env` names the variable holding a Page access token (a long-lived one does not
/// expire), `api_secret_env` optionally the app secret for `appsecret_proof`; `api_url` and
/// `api_version` default to Meta's host and [`GRAPH_VERSION`]. No request is made here.
pub(crate) fn connect(
    account: &Account<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<Box<dyn Connection>> {
    let page = numeric_id(account, "the Page's numeric id (Page settings → About → Page ID)")?;
    let graph = Graph::connect(account, env, http, GRAPH_URL, GRAPH_VERSION, true)?;
    Ok(Box::new(FacebookClient { graph, page, pending: HashMap::new() }))
}

/// `page_id` of the account, which must be digits.
pub(crate) fn numeric_id(account: &Account<'_>, what: &str) -> Result<String> {
    let platform = account.platform;
    match account.config.page_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => Ok(id.to_string()),
        Some(id) => Err(Error::Usage(format!(
            "strategy.toml: [platforms.{platform}] page_id = \"{id}\" is not a numeric id: give {what}"
        ))),
        None => Err(Error::Usage(format!(
            "strategy.toml: [platforms.{platform}] has no `page_id`: give {what}, e.g. page_id = \"104084999294726\""
        ))),
    }
}

/// A Facebook Page. `Debug` shows no token.
#[derive(Debug)]
pub(crate) struct FacebookClient {
    graph: Graph,
    page: String,
    /// Parts whose creating request went out in this run without a certain answer, and when.
    pending: HashMap<String, Timestamp>,
}

impl FacebookClient {
    /// The post a reply goes under: the post itself, or the post of a comment.
    fn post_of(&self, id: &str) -> String {
        if id.starts_with(&format!("{}_", self.page)) {
            return id.to_string();
        }
        match id.split_once('_') {
            Some((object, _)) => format!("{}_{object}", self.page),
            None => id.to_string(),
        }
    }

    fn post_url(&self, id: &str) -> Option<String> {
        let (page, object) = id.split_once('_')?;
        Some(format!("https://www.facebook.com/{page}/posts/{object}"))
    }

    fn comment_url(&self, post: &str, comment: &str) -> Option<String> {
        let (_, number) = comment.split_once('_')?;
        Some(format!("{}?comment_id={number}", self.post_url(post)?))
    }

    /// Uploads the images as unpublished photos of the Page; their ids, in order. An upload
    /// that fails leaves at most an unpublished photo nobody sees.
    fn upload(&self, media: &[Upload]) -> std::result::Result<Vec<String>, SendError> {
        let mut ids = Vec::new();
        for m in media {
            let what = format!("uploading the image {} to the Facebook Page", m.name);
            let part = Part::bytes(m.bytes.clone()).file_name(m.name.clone()).mime_str(m.mime).map_err(|_| {
                SendError::permanent(ErrorKind::Rejected, format!("{what}: `{}` is not a media type", m.mime))
            })?;
            let form =
                Form::new().part("source", part).text("published", "false").text("alt_text_custom", m.alt.clone());
            let json = self.graph.post_multipart(&format!("{}/photos", self.page), form, &what, POST_NEEDS)?;
            ids.push(id_of(&json, &what)?);
        }
        Ok(ids)
    }

    fn publish_post(&mut self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let what = "posting to the Facebook Page";
        let photos = self.upload(out.media)?;
        let mut form = vec![("message", out.text.to_string())];
        if photos.is_empty() {
            if let Some(link) = out.link {
                form.push(("link", link.to_string()));
            }
        } else {
            let attached: Vec<Value> = photos.iter().map(|id| json!({ "media_fbid": id })).collect();
            form.push(("attached_media", Value::Array(attached).to_string()));
        }
        self.pending.insert(out.key.to_string(), Timestamp::now());
        match self.graph.post(&format!("{}/feed", self.page), &form, what, POST_NEEDS) {
            Ok(json) => {
                let id = id_of(&json, what)?;
                self.pending.remove(out.key);
                Ok(Remote { url: self.post_url(&id), id, parts: Vec::new() })
            }
            Err(f) if f.code == Some(506) => {
                self.pending.remove(out.key);
                self.duplicate(out, f)
            }
            Err(f) => Err(self.settle(out.key, f)),
        }
    }

    fn publish_comment(&mut self, out: &Outgoing<'_>, to: &Remote) -> std::result::Result<Remote, SendError> {
        self.comment_on(out, to, false)
    }

    /// A comment on the post `to` belongs to, or (`nested`) a reply on the comment `to`'s own
    /// comments edge, where Facebook shows it under the citizen's comment.
    fn comment_on(&mut self, out: &Outgoing<'_>, to: &Remote, nested: bool) -> std::result::Result<Remote, SendError> {
        let what = "commenting on the Facebook Page's post";
        if out.media.len() > 1 {
            return Err(SendError::permanent(
                ErrorKind::Rejected,
                format!(
                    "{what}: on Facebook this part is a comment on the post it answers, and a comment takes one image; this one has {}: keep one image, or none",
                    out.media.len()
                ),
            ));
        }
        let post = self.post_of(&to.id);
        let photos = self.upload(out.media)?;
        let mut form = vec![("message", out.text.to_string())];
        if let Some(photo) = photos.first() {
            form.push(("attachment_id", photo.clone()));
        }
        self.pending.insert(out.key.to_string(), Timestamp::now());
        let object = if nested { to.id.clone() } else { post.clone() };
        match self.graph.post(&format!("{}/comments", path_id(&object)), &form, what, COMMENT_NEEDS) {
            Ok(json) => {
                let id = id_of(&json, what)?;
                self.pending.remove(out.key);
                Ok(Remote { url: self.comment_url(&post, &id), id, parts: Vec::new() })
            }
            Err(f) => Err(self.settle(out.key, f)),
        }
    }

    /// Forgets a part whose request the server refused (nothing was made); keeps it pending
    /// when the request may have been carried out.
    fn settle(&mut self, key: &str, f: Failure) -> SendError {
        if f.refused {
            self.pending.remove(key);
        }
        f.send
    }

    /// Facebook refused the text as the same as the Page's latest post: if that post is
    /// recent, it is most likely this one, sent by an attempt whose answer was lost.
    fn duplicate(&mut self, out: &Outgoing<'_>, f: Failure) -> std::result::Result<Remote, SendError> {
        let since = Timestamp::now() - DUPLICATE_WINDOW;
        match self.search_posts(out.text, since)? {
            (Some(remote), _) => Ok(remote),
            _ => Err(SendError::permanent(
                ErrorKind::Rejected,
                format!(
                    "{}: Facebook refuses the same text as the Page's latest post, and no post of the last hour has it; change the text, or, if the earlier post is this one, record it with `budkavle resolve`",
                    f.send.message()
                ),
            )),
        }
    }

    /// The Page's post with exactly `text`, made from `since` on, and how far the listing got.
    fn search_posts(&self, text: &str, since: Timestamp) -> std::result::Result<(Option<Remote>, Scanned), SendError> {
        let what = "looking for a post among the Facebook Page's posts";
        let from = since - CLOCK_SKEW;
        let query =
            [("fields", "id,message,created_time,permalink_url".to_string()), ("since", from.as_second().to_string())];
        let mut found = None;
        let scanned = self.graph.scan(&format!("{}/published_posts", self.page), &query, what, READ_NEEDS, |post| {
            let created = post["created_time"].as_str().and_then(graph_time);
            if created.is_some_and(|c| c < from) {
                return ControlFlow::Break(());
            }
            match (post["id"].as_str(), post["message"].as_str()) {
                (Some(id), Some(message)) if same_text(message, text) => {
                    let url = post["permalink_url"].as_str().map(str::to_owned).or_else(|| self.post_url(id));
                    found = Some(Remote { id: id.to_string(), url, parts: Vec::new() });
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        })?;
        Ok((found, scanned))
    }

    /// The Page's comment with exactly `text` on `post`, made from `since` on.
    fn search_comments(
        &self,
        post: &str,
        text: &str,
        since: Timestamp,
    ) -> std::result::Result<(Option<Remote>, Scanned), SendError> {
        let what = "looking for a comment among the Facebook Page's comments";
        let from = since - CLOCK_SKEW;
        let query = [
            ("fields", "id,message,created_time,from".to_string()),
            ("filter", "stream".to_string()),
            ("order", "reverse_chronological".to_string()),
        ];
        let mut found = None;
        let scanned = self.graph.scan(&format!("{}/comments", path_id(post)), &query, what, READ_NEEDS, |c| {
            let created = c["created_time"].as_str().and_then(graph_time);
            if created.is_some_and(|t| t < from) {
                return ControlFlow::Break(());
            }
            let by_page = c.pointer("/from/id").and_then(Value::as_str) == Some(self.page.as_str());
            match (c["id"].as_str(), c["message"].as_str()) {
                (Some(id), Some(message)) if by_page && same_text(message, text) => {
                    found = Some(Remote { url: self.comment_url(post, id), id: id.to_string(), parts: Vec::new() });
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        })?;
        Ok((found, scanned))
    }
}

/// The `id` of an answer.
fn id_of(json: &Value, what: &str) -> std::result::Result<String, SendError> {
    json["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no id")))
}

impl FacebookClient {
    /// One post's comments at every depth (`filter=stream`), newest first, as items.
    fn comments(&self, post: &str, own: &HashSet<String>) -> std::result::Result<Listing, Failure> {
        let what = "reading the comments on a Facebook post";
        let query = [
            ("fields", "id,message,created_time,from,parent,permalink_url".to_string()),
            ("filter", "stream".to_string()),
            ("order", "reverse_chronological".to_string()),
        ];
        let (list, complete) = self.graph.read_all(&format!("{}/comments", path_id(post)), &query, what, READ_NEEDS)?;
        let mut items = Vec::new();
        let mut ids = BTreeSet::new();
        for c in &list {
            let Some(id) = c["id"].as_str() else { continue };
            let from = c.pointer("/from/id").and_then(Value::as_str);
            if own.contains(id) || from == Some(self.page.as_str()) {
                continue;
            }
            let Some(at) = c["created_time"].as_str().and_then(graph_time) else {
                return Err(Failure::before(SendError::permanent(
                    ErrorKind::Protocol,
                    format!("{what}: comment {id} has no created_time"),
                )));
            };
            ids.insert(id.to_string());
            // `from` comes only with the Page's own token and `pages_read_user_content`.
            let author = c.pointer("/from/name").and_then(Value::as_str).or(from).unwrap_or(UNKNOWN_AUTHOR);
            items.push(Incoming {
                platform: PlatformId::Facebook.name().to_string(),
                id: id.to_string(),
                author: author.to_string(),
                text: c["message"].as_str().unwrap_or_default().to_string(),
                at,
                in_reply_to: Some(c.pointer("/parent/id").and_then(Value::as_str).unwrap_or(post).to_string()),
                url: c["permalink_url"].as_str().map(str::to_owned).or_else(|| self.comment_url(post, id)),
                deleted: false,
            });
        }
        Ok((items, ids, complete))
    }
}

impl Connection for FacebookClient {
    /// `doctor`'s check: the account and, from Meta's token debug, permissions and expiry.
    fn health(&mut self) -> std::result::Result<crate::clients::api::Health, SendError> {
        let account = self.page.clone();
        self.graph.health(&account, "name", POST_NEEDS)
    }

    fn platform(&self) -> PlatformId {
        PlatformId::Facebook
    }

    fn publish(&mut self, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        if let Some(at) = self.pending.get(out.key).copied() {
            // The last try of this part may have posted before its answer was lost.
            match self.lookup(out, at)? {
                Lookup::Found(remote) => {
                    self.pending.remove(out.key);
                    return Ok(remote);
                }
                Lookup::Absent | Lookup::ResendSafe => {}
                Lookup::CannotTell(why) => return Err(SendError::transient(why)),
            }
        }
        match out.reply_to {
            Some(to) => self.publish_comment(out, to),
            None => self.publish_post(out),
        }
    }

    fn edit(&mut self, remote: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let is_post = remote.id.starts_with(&format!("{}_", self.page));
        let (what, needs) = if is_post {
            ("editing the Facebook Page's post", POST_NEEDS)
        } else {
            ("editing the Facebook Page's comment", COMMENT_NEEDS)
        };
        self.graph.post(&path_id(&remote.id), &[("message", out.text.to_string())], what, needs)?;
        let url = remote.url.clone().or_else(|| if is_post { self.post_url(&remote.id) } else { None });
        Ok(Remote { id: remote.id.clone(), url, parts: remote.parts.clone() })
    }

    fn delete(&mut self, remote: &Remote) -> std::result::Result<(), SendError> {
        let needs = if remote.id.starts_with(&format!("{}_", self.page)) { POST_NEEDS } else { COMMENT_NEEDS };
        self.graph.delete(&path_id(&remote.id), "deleting from the Facebook Page", needs)
    }

    fn lookup(&mut self, out: &Outgoing<'_>, intent_at: Timestamp) -> std::result::Result<Lookup, SendError> {
        let (found, scanned, where_) = match out.reply_to {
            Some(to) => {
                let post = self.post_of(&to.id);
                let (found, scanned) = self.search_comments(&post, out.text, intent_at)?;
                let where_ = self.post_url(&post).map_or_else(
                    || format!("the comments on the Page's post {post}"),
                    |u| format!("the Page's comments on {u}"),
                );
                (found, scanned, where_)
            }
            None => {
                let (found, scanned) = self.search_posts(out.text, intent_at)?;
                (found, scanned, format!("the posts of https://www.facebook.com/{}", self.page))
            }
        };
        Ok(lookup_of(
            (found, scanned),
            PlatformId::Facebook,
            out.text,
            intent_at,
            "the Page has posted too much since then to read it all back",
            &where_,
        ))
    }

    fn find_sent(&mut self, text: &str, since: Timestamp) -> std::result::Result<Option<Remote>, SendError> {
        Ok(self.search_posts(text, since)?.0)
    }

    /// Facebook's limit on a post's text; neither a number of photos nor a photo size is
    /// documented for the Page feed.
    /// Page post insights, `GET /{page-post-id}/insights?metric=post_media_view,
    /// post_total_media_view_unique,post_clicks,post_activity_by_action_type`
    /// (<https://developers.facebook.com/docs/graph-api/reference/insights/#page-posts>; needs
    /// `read_insights`), one request per post. Only current names: Meta retired
    /// `post_impressions*` and `post_engaged_users` in 2025 in favour of the `*media_view*`
    /// metrics, and one retired name fails the whole request
    /// (<https://developers.facebook.com/docs/pages-api/changelog/>). The action types give
    /// reactions (`like`), comments and shares; a type missing from the object is zero.
    fn counts(&mut self, remotes: &[Remote]) -> std::result::Result<Vec<Option<Counts>>, SendError> {
        const METRICS: &str = "post_media_view,post_total_media_view_unique,post_clicks,post_activity_by_action_type";
        let mut out = Vec::with_capacity(remotes.len());
        for r in remotes {
            let got = super::insights(&self.graph, &r.id, METRICS, INSIGHTS_NEEDS)?;
            out.push(got.map(|m| {
                let count = |k: &str| m.get(k).and_then(serde_json::Value::as_u64);
                let activity = m.get("post_activity_by_action_type").filter(|v| v.is_object());
                let action = |k: &str| activity.map(|a| a.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0));
                Counts {
                    views: count("post_media_view"),
                    reach: count("post_total_media_view_unique"),
                    clicks: count("post_clicks"),
                    likes: action("like"),
                    replies: action("comment"),
                    shares: action("share"),
                    ..Counts::default()
                }
            }));
        }
        Ok(out)
    }

    /// Every comment on the Page's posts, read whole on each pull: Facebook lists a post's
    /// comments as they are now (an edit shows as the new text under the same id) and has no
    /// "since" for them. The Page's own comments (its thread parts and corrections) are not
    /// items. Mentions of the Page in others' posts need the `mention` webhook and are not
    /// pulled.
    fn interactions(&mut self, posts: &[Remote], cursor: Option<&str>) -> std::result::Result<Heard, SendError> {
        let what = "reading the comments on the Facebook Page's posts";
        let mut seen = Seen::read(cursor);
        let own = own_ids(posts);
        let mut asked: Vec<String> = Vec::new();
        for r in posts {
            let post = self.post_of(&r.id);
            if !asked.contains(&post) {
                asked.push(post);
            }
        }
        seen.retain(&asked.iter().cloned().collect());
        let mut items = Vec::new();
        for post in &asked {
            let listing = self.comments(post, &own);
            super::settle_post(&self.graph, &mut seen, post, listing, &mut items, what, READ_NEEDS)?;
        }
        Ok(Heard { items, cursor: Some(seen.cursor()) })
    }

    /// A citizen's comment is answered on its own comments edge (`POST /{comment-id}/comments`),
    /// a post of the Page's with a comment on it.
    fn reply(&mut self, to: &Remote, out: &Outgoing<'_>) -> std::result::Result<Remote, SendError> {
        let out = Outgoing { reply_to: Some(to), ..*out };
        if to.id.starts_with(&format!("{}_", self.page)) { self.publish(&out) } else { self.comment_on(&out, to, true) }
    }

    /// `POST /{comment-id}` with `is_hidden` (the Page's `pages_manage_engagement`): the
    /// comment stays visible to its author and their friends. A Page cannot hide its own.
    fn hide(&mut self, item: &Remote, _parent: Option<&Remote>, hidden: bool) -> std::result::Result<(), SendError> {
        let what = if hidden { "hiding a comment on the Facebook Page" } else { "showing a hidden comment again" };
        let json = self.graph.post(&path_id(&item.id), &[("is_hidden", hidden.to_string())], what, COMMENT_NEEDS)?;
        super::succeeded(&json, what)
    }

    fn limits(&mut self) -> std::result::Result<Limits, SendError> {
        Ok(Limits { chars: Some(CHARS), max_media: None, image_bytes: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::PlatformConfig;

    fn client() -> FacebookClient {
        let config: PlatformConfig = toml::from_str("page_id = \"1040\"\ntoken_env = \"T\"\n").unwrap();
        let account = Account::new(PlatformId::Facebook, &config, "");
        let http = Http::new(std::time::Duration::from_secs(5)).unwrap();
        let graph =
            Graph::connect(&account, &|_| Some("tok-9f".into()), &http, GRAPH_URL, GRAPH_VERSION, true).unwrap();
        FacebookClient { graph, page: "1040".into(), pending: HashMap::new() }
    }

    #[test]
    fn replies_go_under_the_first_post() {
        let c = client();
        assert_eq!(c.post_of("1040_77"), "1040_77");
        assert_eq!(c.post_of("77_901"), "1040_77", "a comment's post");
        assert_eq!(c.post_url("1040_77").as_deref(), Some("https://www.facebook.com/1040/posts/77"));
        assert_eq!(
            c.comment_url("1040_77", "77_901").as_deref(),
            Some("https://www.facebook.com/1040/posts/77?comment_id=901")
        );
    }

    #[test]
    fn the_page_id_must_be_numeric_and_is_named_when_missing() {
        for (text, says) in
            [("token_env = \"T\"\n", "has no `page_id`"), ("page_id = \"kommunen\"\n", "not a numeric id")]
        {
            let config: PlatformConfig = toml::from_str(text).unwrap();
            let account = Account::new(PlatformId::Facebook, &config, "");
            let http = Http::new(std::time::Duration::from_secs(5)).unwrap();
            let err = match connect(&account, &|_| Some("t".into()), &http) {
                Ok(_) => panic!("connect must fail"),
                Err(e) => e.to_string(),
            };
            assert!(err.contains(says) && err.contains("[platforms.facebook]"), "{err}");
        }
    }

    #[test]
    fn debug_output_shows_no_token() {
        let shown = format!("{:?}", client());
        assert!(!shown.contains("tok-9f") && shown.contains("Secret(***)"), "{shown}");
    }
}
