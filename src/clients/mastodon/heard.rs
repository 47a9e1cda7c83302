//! What citizens wrote to a Mastodon account, for `inbox pull`.
//!
//! Two reads, as the Mastodon API offers them:
//! - `GET /api/v1/notifications?types[]=mention&types[]=quote`: every status that mentions the
//!   account (a reply to it is one: Mastodon clients start a reply with the author's handle)
//!   and, from Mastodon 4.5, every quote of its posts. Newest first, 80 a page, older pages by
//!   the `max_id` of the `Link` header's `rel="next"`; from the second pull on only what is
//!   newer than the last pull's newest notification (`since_id`).
//! - `GET /api/v1/statuses/:id/context` of each recent post: its `descendants`, the whole
//!   tree of replies below it, which also holds replies that mention nobody, replies to
//!   replies, and each reply's current text (an edit shows as a new text and `edited_at`).
//!
//! A reply seen under a post before and missing from the tree now is looked up once
//! (`GET /api/v1/statuses/:id`): a 404 is a deletion, anything that answers is still there,
//! and a failed request fails the pull — a deletion is never guessed. A mention outside the
//! threads is asked about the same way by `inbox pull` ([`gone`]), since nothing lists it
//! again. The account's own statuses are never items.
//!
//! The cursor is [`crate::clients::heard::Seen`]: the newest notification id as the
//! `notifications` mark, and the replies seen under each post.

use jiff::Timestamp;
use reqwest::blocking::Response;
use serde_json::Value;

use super::{MastodonClient, path_id};
use crate::clients::api::{ErrorKind, Heard, SendError};
use crate::clients::heard::{Items, NOTIFICATIONS, Seen, deletion};
use crate::inbox::Incoming;
use crate::platform::{PlatformId, Remote};

/// The most a notifications page holds (Mastodon's maximum; servers cap it themselves).
const PAGE: usize = 80;

pub(super) fn interactions(
    client: &mut MastodonClient,
    posts: &[Remote],
    cursor: Option<&str>,
) -> Result<Heard, SendError> {
    let old = Seen::read(cursor);
    let me = own_id(client)?;
    let mut items = Items::default();

    let since = notifications(client, &me, old.marks.get(NOTIFICATIONS).map(String::as_str), &mut items)?
        .or_else(|| old.marks.get(NOTIFICATIONS).cloned());

    let mut seen = Seen::default();
    for post in posts {
        let what = "reading the replies to a post";
        let path = format!("/api/v1/statuses/{}/context", path_id(&post.id));
        let context: Value = match client.send(client.http.client().get(client.url(&path)), what) {
            Ok(response) => MastodonClient::parse(response, what)?,
            // The post itself is gone: nothing below it can be read, nothing is inferred.
            Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => continue,
            Err(e) => return Err(e),
        };
        let mut here = Vec::new();
        for status in context["descendants"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(item) = item_of(status, &me) {
                here.push(item.id.clone());
                items.push(item);
            }
        }
        for id in old.left(&post.id, &here) {
            let what = "looking up a reply that left a thread";
            let path = format!("/api/v1/statuses/{}", path_id(&id));
            match client.send(client.http.client().get(client.url(&path)), what) {
                Ok(response) => {
                    let status: Value = MastodonClient::parse(response, what)?;
                    if let Some(item) = item_of(&status, &me) {
                        items.push(item);
                    }
                    here.push(id.clone());
                }
                Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => {
                    items.push(deletion(PlatformId::Mastodon, &id, Timestamp::now()))
                }
                Err(e) => return Err(e),
            }
        }
        seen.posts.insert(post.id.clone(), here.into_iter().collect());
    }

    if let Some(since) = since {
        seen.marks.insert(NOTIFICATIONS.to_string(), since);
    }
    Ok(Heard { items: items.into_vec(), cursor: Some(seen.cursor()) })
}

/// Each of `ids` looked up with `GET /api/v1/statuses/:id`, one request each: those that
/// answer 404 (or 410) are gone. A status the account may no longer see (its author blocked
/// the account, or the instance defederated) answers the same and counts as gone too; the
/// item keeps its last text either way.
pub(super) fn gone(client: &MastodonClient, ids: &[String]) -> Result<Vec<String>, SendError> {
    let what = "asking whether a mention is still there";
    let mut gone = Vec::new();
    for id in ids {
        let path = format!("/api/v1/statuses/{}", path_id(id));
        match client.send(client.http.client().get(client.url(&path)), what) {
            Ok(_) => {}
            Err(SendError::Permanent { kind: ErrorKind::NotFound, .. }) => gone.push(id.clone()),
            Err(e) => return Err(e),
        }
    }
    Ok(gone)
}

/// `GET /api/v1/accounts/verify_credentials`: the account's id, to leave its own statuses out.
fn own_id(client: &MastodonClient) -> Result<String, SendError> {
    let what = "reading the account the token belongs to";
    let request = client.http.client().get(client.url("/api/v1/accounts/verify_credentials"));
    let me: Value = MastodonClient::parse(client.send(request, what)?, what)?;
    me["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| SendError::permanent(ErrorKind::Protocol, format!("{what}: the answer has no account id")))
}

/// Every mention and quote notification newer than `since`, all pages; returns the newest
/// notification id read.
fn notifications(
    client: &MastodonClient,
    me: &str,
    since: Option<&str>,
    items: &mut Items,
) -> Result<Option<String>, SendError> {
    let what = "reading the account's notifications";
    let mut newest = None;
    let mut max_id: Option<String> = None;
    loop {
        let mut query: Vec<(&str, &str)> = vec![("types[]", "mention"), ("types[]", "quote")];
        let limit = PAGE.to_string();
        query.push(("limit", &limit));
        if let Some(s) = since {
            query.push(("since_id", s));
        }
        if let Some(m) = &max_id {
            query.push(("max_id", m));
        }
        let request = client.http.client().get(client.url("/api/v1/notifications")).query(&query);
        let response = client.send(request, what)?;
        let next = next_max_id(&response);
        let page: Vec<Value> = MastodonClient::parse(response, what)?;
        if page.is_empty() {
            break;
        }
        if newest.is_none() {
            newest = page[0]["id"].as_str().map(str::to_owned);
        }
        for n in &page {
            if let Some(item) = item_of(&n["status"], me) {
                items.push(item);
            }
        }
        match next {
            // A server that sends the same page again would loop for ever.
            Some(n) if max_id.as_deref() != Some(n.as_str()) => max_id = Some(n),
            _ => break,
        }
    }
    Ok(newest)
}

/// The `max_id` of the `Link` header's `rel="next"` URL.
fn next_max_id(response: &Response) -> Option<String> {
    let link = response.headers().get(reqwest::header::LINK)?.to_str().ok()?;
    link_max_id(link)
}

fn link_max_id(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        if !params.split(';').any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next")) {
            return None;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        let query = url.split_once('?')?.1;
        query.split('&').find_map(|kv| kv.strip_prefix("max_id=")).map(str::to_owned).filter(|v| !v.is_empty())
    })
}

/// A status as an item, unless it is the account's own (or not a status).
fn item_of(status: &Value, me: &str) -> Option<Incoming> {
    let id = status["id"].as_str()?;
    let account = &status["account"];
    if account["id"].as_str() == Some(me) {
        return None;
    }
    let at = status["edited_at"]
        .as_str()
        .or_else(|| status["created_at"].as_str())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .unwrap_or_else(Timestamp::now);
    let mut text = plain_text(status["content"].as_str().unwrap_or(""));
    if let Some(warning) = status["spoiler_text"].as_str().filter(|s| !s.trim().is_empty()) {
        text = format!("{}\n\n{text}", warning.trim());
    }
    // A reply names its parent; a quote that replies to nothing names the quoted post
    // (`quote.quoted_status` in full, or `quoted_status_id` when shallow).
    let quoted =
        status["quote"]["quoted_status"]["id"].as_str().or_else(|| status["quote"]["quoted_status_id"].as_str());
    Some(Incoming {
        platform: "mastodon".into(),
        id: id.to_string(),
        author: account["acct"].as_str().unwrap_or("").to_string(),
        text,
        at,
        in_reply_to: status["in_reply_to_id"].as_str().or(quoted).map(str::to_owned),
        url: status["url"].as_str().or_else(|| status["uri"].as_str()).map(str::to_owned),
        deleted: false,
    })
}

/// A status's HTML `content` as the text its author wrote: paragraphs and line breaks kept,
/// tags dropped, entities decoded.
pub(crate) fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(['<', '&']) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                out.push_str(rest);
                rest = "";
                break;
            };
            let tag = rest[1..end].trim().to_ascii_lowercase();
            let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
            match name {
                "br" => out.push('\n'),
                "p" if tag.starts_with('/') => out.push_str("\n\n"),
                _ => {}
            }
            rest = &rest[end + 1..];
        } else {
            let end = rest.find(';').filter(|&e| e <= 10);
            match end.and_then(|e| entity(&rest[1..e]).map(|c| (c, e))) {
                Some((c, e)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_the_text_written() {
        assert_eq!(
            plain_text(
                "<p>Hej <span class=\"h-card\"><a href=\"x\">@<span>info</span></a></span>!</p><p>Rad 1<br>Rad 2<br />&amp; &lt;3 &#39;ok&#39; &#x2764;</p>"
            ),
            "Hej @info!\n\nRad 1\nRad 2\n& <3 'ok' \u{2764}"
        );
        assert_eq!(plain_text("a & b &unknown; <"), "a & b &unknown; <");
    }

    #[test]
    fn the_next_page_comes_from_the_link_header() {
        let link = "<https://m.example/api/v1/notifications?max_id=109&types%5B%5D=mention>; rel=\"next\", <https://m.example/api/v1/notifications?min_id=120>; rel=\"prev\"";
        assert_eq!(link_max_id(link).as_deref(), Some("109"));
        assert_eq!(link_max_id("<https://m.example/api/v1/notifications?min_id=120>; rel=\"prev\""), None);
    }

    #[test]
    fn own_statuses_are_not_items_and_quotes_name_the_quoted_post() {
        let own = serde_json::json!({"id": "5", "account": {"id": "1", "acct": "info"}, "content": "<p>x</p>"});
        assert_eq!(item_of(&own, "1"), None);
        let quote = serde_json::json!({
            "id": "7", "account": {"id": "2", "acct": "anna@example.org"}, "content": "<p>Bra!</p>",
            "created_at": "2026-12-01T09:00:00.000Z", "edited_at": null, "in_reply_to_id": null,
            "url": "https://example.org/@anna/7", "quote": {"state": "accepted", "quoted_status": {"id": "3"}}
        });
        let item = item_of(&quote, "1").unwrap();
        assert_eq!((item.author.as_str(), item.text.as_str()), ("anna@example.org", "Bra!"));
        assert_eq!(item.in_reply_to.as_deref(), Some("3"));
        assert_eq!(item.at, "2026-12-01T09:00:00Z".parse::<Timestamp>().unwrap());
    }
}
