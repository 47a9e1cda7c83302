//! Answering citizens on the platforms: `inbox reply` and `inbox hide`, and the web view's
//! buttons, through one small API.
//!
//! - [`reply()`]: a text or a template from `[interaction.templates]`, checked by the same rules
//!   as posts ([`crate::check::check_text`]; the privacy pack always) and refused on an error
//!   finding, sent as a reply to the item through the platform's client exactly once;
//! - [`hide()`]: hides (or shows again) a citizen's reply where the platform lets the account
//!   hide replies to its posts, and says plainly where it cannot and what a person can do.
//!
//! Exactly once works as publishing does (DESIGN "Publishing"), with the inbox store in the
//! ledger's place: the intent is committed before the request ([`crate::inbox::sends`]), the
//! request carries an idempotency key derived from what is sent, and the platform's answer is
//! recorded with the action-log line in one transaction. A run that died in between finds the
//! intent and asks the platform ([`crate::clients::api::Connection::lookup`], then
//! [`crate::clients::api::Connection::find_sent`]) before
//! anything is sent again; when the platform cannot tell, a person settles it ([`settle`]),
//! never a second send.

mod hide;
mod reply;

use std::time::Duration;

pub use hide::{Hidden, hide};
pub use reply::{Replied, ReplyOutcome, ReplyText, check, reply};

use crate::clients::api::SendError;
use crate::error::{Error, Result};
use crate::inbox::Inbox;
use crate::platform::PlatformId;

/// How long one reply or hide may keep retrying transient failures: a person is waiting.
const BUDGET: Duration = Duration::from_secs(60);

/// The platform an item came from, as a client knows it.
fn platform_of(name: &str, item: i64) -> Result<PlatformId> {
    name.parse::<PlatformId>().map_err(|_| {
        Error::Usage(format!(
            "item {item} is from `{name}`, which budkavle has no client for: answer it there, then `budkavle inbox resolve {item} --note …`"
        ))
    })
}

/// A request that may or may not have reached the platform (the answer was lost, or the
/// retries ran out): the intent stays, and the next run looks it up.
fn unsure(platform: PlatformId, what: &str, e: &SendError) -> Error {
    Error::Io {
        action: "sending to",
        path: platform.name().into(),
        source: std::io::Error::other(format!(
            "{what} may or may not have reached {}: {e}. Run the same command again: it looks the request up before sending anything",
            platform.display_name()
        )),
    }
}

/// A person's word on an unfinished request the platform could not account for: it went out
/// as `sent_as` (the reply's id on the platform), or it did not (`None`), and may be sent
/// again. Logged as `reply` (it was sent) or `settle` (it was not) with who and when.
pub fn settle(inbox: &mut Inbox, item: i64, sent_as: Option<&str>, by: &str, now: jiff::Timestamp) -> Result<String> {
    if by.trim().is_empty() {
        return Err(Error::Usage("say who settles it (--by)".into()));
    }
    let open: Vec<_> = inbox.sends(item)?.into_iter().filter(|s| s.unfinished()).collect();
    let Some(s) = open.last() else {
        return Err(Error::Usage(format!("item {item} has no unfinished reply or hide to settle")));
    };
    match sent_as {
        Some(id) => {
            let note = s.text.clone().unwrap_or_else(|| format!("{} (settled by hand)", s.kind.name()));
            let answer =
                crate::inbox::sends::Answer { remote: s.text.as_ref().map(|_| id.to_string()), url: None, note };
            inbox.send_done(&s.key, &answer, now)?;
            Ok(format!("recorded: the {} to item {item} went out as {id}", s.kind.name()))
        }
        None => {
            let why =
                format!("the {} started {} never reached the platform (settled by hand)", s.kind.name(), s.intent_at);
            inbox.send_abandoned(&s.key, Some(by), &why, now)?;
            Ok(format!("recorded: the {} to item {item} was not sent; it may be sent again", s.kind.name()))
        }
    }
}
