//! `inbox hide`: hiding a citizen's reply on the platform, where the account may.
//!
//! Hidden replies stay on the platform (the author and the people they tag still see them on
//! most platforms) and the item stays in the inbox as a record: hiding is moderation under
//! §5 lagen (1998:112), not deletion, and a person decides it. Hiding is idempotent on every
//! platform (hiding a hidden reply changes nothing), so an unfinished hide is simply sent
//! again; the intent is still written first so the log shows what was attempted.
//!
//! Where the platform cannot hide others' replies the error says so, and what a person can
//! do instead: budkavle never deletes a citizen's comment by itself.

use jiff::Timestamp;
use serde::Serialize;

use super::{BUDGET, platform_of, unsure};
use crate::clients::api::{ErrorKind, SendError};
use crate::clients::http::Http;
use crate::error::{Error, Result};
use crate::inbox::Inbox;
use crate::inbox::sends::{Answer, SendKind};
use crate::ledger::content_hash;
use crate::platform::{PlatformId, Remote};
use crate::project::Project;
use crate::publish::{Budget, with_retry};

/// What hiding did.
#[derive(Debug, Clone, Serialize)]
pub struct Hidden {
    pub item: i64,
    pub platform: PlatformId,
    /// The item's state on the platform now.
    pub hidden: bool,
    /// It already was: nothing was sent or logged.
    pub unchanged: bool,
}

/// What a person can do where the platform's API cannot hide a reply.
pub fn instead(platform: PlatformId) -> &'static str {
    match platform {
        PlatformId::Mastodon => {
            "Mastodon has no way for an account to hide other people's replies: if the reply breaks the rules, report it to the moderators of its server (and of yours), or mute or block its author from the account; the item stays in the inbox"
        }
        PlatformId::Linkedin => {
            "LinkedIn's API cannot hide comments: an organisation may delete a comment on its own post on linkedin.com (budkavle never deletes one by itself); document why with `budkavle inbox resolve ITEM --note …` — the item stays in the inbox"
        }
        _ => "hide it by hand in the platform's app, then record why with `budkavle inbox resolve ITEM --note …`",
    }
}

/// Hides (`hidden` true) or shows again `item` on its platform, as `by`, with why (`note`).
/// Logged as `hide` or `unhide`.
#[allow(clippy::too_many_arguments)]
pub fn hide(
    project: &Project,
    inbox: &mut Inbox,
    item: i64,
    hidden: bool,
    by: &str,
    note: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
    now: Timestamp,
) -> Result<Hidden> {
    if by.trim().is_empty() {
        return Err(Error::Usage("say who hides it (--by): the action log names a person".into()));
    }
    let target = inbox.target(item)?;
    let platform = platform_of(&target.platform, item)?;
    if matches!(platform, PlatformId::Mastodon | PlatformId::Linkedin) {
        return Err(Error::Usage(format!(
            "{} cannot hide replies: nothing was sent. {}",
            platform.display_name(),
            instead(platform)
        )));
    }
    let unchanged = Hidden { item, platform, hidden, unchanged: true };
    let kind = if hidden { SendKind::Hide } else { SendKind::Unhide };
    let earlier = inbox.sends(item)?;
    let open = earlier.iter().find(|s| s.unfinished());
    if let Some(s) = open.filter(|s| s.kind == SendKind::Reply) {
        return Err(Error::Usage(format!(
            "a reply to item {item} (started {} by {}) is unfinished: run it again, or settle it with `budkavle inbox settle {item}`, first",
            s.intent_at, s.by
        )));
    }
    // Logged in before the intent: a missing secret must not leave a request behind.
    let mut conn = crate::clients::connect(&project.strategy, platform, env, http)?;
    let key = match open {
        Some(s) if s.kind == kind => s.key.clone(),
        // With an unfinished request the other way, the store cannot say what the platform shows.
        None if target.hidden == hidden => return Ok(unchanged),
        other => {
            if let Some(s) = other {
                // A hide the other way never finished: settled as not sent, this one replaces it.
                inbox.send_abandoned(&s.key, None, "replaced by the opposite request", now)?;
            }
            let n = earlier.iter().filter(|s| s.kind != SendKind::Reply).count();
            let hash = content_hash(
                format!("budkavle-hide/1\0{}\0{}\0{}\0{n}", platform.name(), target.remote_id, kind.name()).as_bytes(),
            );
            let key = format!("bk-h-{}", &hash[..32]);
            inbox.send_intent(&key, item, platform.name(), kind, None, by, now)?;
            key
        }
    };
    let remote = Remote { id: target.remote_id.clone(), url: target.url.clone(), parts: Vec::new() };
    let parent = target.in_reply_to.as_ref().map(|id| Remote { id: id.clone(), url: None, parts: Vec::new() });
    let (result, _) = with_retry(&Budget::new(BUDGET), || conn.hide(&remote, parent.as_ref(), hidden));
    match result {
        Ok(()) => {
            let why = note.map(str::trim).filter(|n| !n.is_empty()).map_or_else(
                || format!("{} on {}", if hidden { "hidden" } else { "shown again" }, platform.display_name()),
                str::to_string,
            );
            inbox.send_done(&key, &Answer { remote: None, url: None, note: why }, now)?;
            Ok(Hidden { unchanged: false, ..unchanged })
        }
        Err(SendError::Permanent { kind: ErrorKind::Unsupported, message }) => {
            inbox.send_abandoned(&key, None, &message, now)?;
            Err(Error::Usage(format!("{message}. {}", instead(platform))))
        }
        Err(e @ SendError::Permanent { .. }) => {
            inbox.send_abandoned(&key, None, e.message(), now)?;
            Err(Error::Usage(format!("{} refused to hide item {item}: {e}", platform.display_name())))
        }
        Err(e) => Err(unsure(platform, "hiding the reply", &e)),
    }
}
