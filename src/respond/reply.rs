//! `inbox reply`: one answer to one item, checked, sent once, logged.
//!
//! The idempotency key is derived from the item and the text as sent, so the same answer to
//! the same item is one request however often the command runs (a second run says it was
//! already sent), and a different answer — a follow-up — is a request of its own. Replying to
//! a resolved item is allowed (a follow-up in the same conversation); replying to an item its
//! author deleted is not. A reply marks the item resolved: the organisation has answered, and
//! the response time is the time of the `reply` line in the action log.

use jiff::Timestamp;
use serde::Serialize;

use super::{BUDGET, platform_of, unsure};
use crate::check::{Finding, Level, TextCheck};
use crate::clients::api::{Lookup, Outgoing, SendError};
use crate::clients::http::Http;
use crate::error::{Error, Result};
use crate::inbox::Inbox;
use crate::inbox::sends::{Answer, SendKind};
use crate::ledger::content_hash;
use crate::platform::{PlatformId, Remote};
use crate::project::Project;
use crate::publish::{Budget, with_retry};

/// What to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyText {
    /// Written for this item.
    Text(String),
    /// The name of one of `[interaction.templates]`.
    Template(String),
}

impl ReplyText {
    /// The text itself: a template looked up by name.
    pub fn resolve(&self, inbox: &Inbox) -> Result<String> {
        match self {
            ReplyText::Text(t) if t.trim().is_empty() => Err(Error::Usage("the reply is empty: write it with --text".into())),
            ReplyText::Text(t) => Ok(t.trim().to_string()),
            ReplyText::Template(name) => inbox.settings.templates.get(name).cloned().ok_or_else(|| {
                let known: Vec<&str> = inbox.settings.templates.keys().map(String::as_str).collect();
                Error::Usage(if known.is_empty() {
                    format!("no template `{name}`: strategy.toml has no [interaction.templates]; add one (name = \"text\") or write the reply with --text")
                } else {
                    format!("no template `{name}` in [interaction.templates] (known: {})", known.join(", "))
                })
            }),
        }
    }
}

/// What happened to a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyOutcome {
    /// Sent now.
    Sent,
    /// An earlier run sent it and died before recording it: found on the platform, recorded
    /// now, nothing sent again.
    Found,
    /// This very answer to this item was sent and recorded before: nothing was done.
    AlreadySent,
}

/// A reply on the platform.
#[derive(Debug, Clone, Serialize)]
pub struct Replied {
    pub item: i64,
    pub platform: PlatformId,
    /// The reply's id on the platform.
    pub remote: Option<String>,
    pub url: Option<String>,
    /// The text as sent.
    pub text: String,
    pub outcome: ReplyOutcome,
    /// Warnings and suggestions the rules had about the text (errors refuse it).
    pub findings: Vec<Finding>,
}

/// The answer `text` to `item` as it would be sent, and what the rules say about it: for a
/// preview before the button is pressed. Nothing is sent or stored.
pub fn check(project: &Project, inbox: &Inbox, item: i64, text: &ReplyText) -> Result<(String, TextCheck)> {
    let target = inbox.target(item)?;
    let platform = platform_of(&target.platform, item)?;
    let wanted = text.resolve(inbox)?;
    let checked = crate::check::check_text(project, platform, &wanted)?;
    let sent = checked.rendered.parts.first().map(|p| p.text.clone()).unwrap_or(wanted);
    Ok((sent, checked))
}

/// The idempotency key of an answer: the platform, the item and the text, nothing else.
fn key(platform: PlatformId, remote_id: &str, text: &str) -> String {
    let hash = content_hash(format!("budkavle-reply/1\0{}\0{remote_id}\0{text}", platform.name()).as_bytes());
    format!("bk-r-{}", &hash[..32])
}

/// Answers `item` with `text` on its platform, as `by`, exactly once: see the module.
/// `env` gives the account's secrets (the process environment in the CLI), `now` the clock.
#[allow(clippy::too_many_arguments)]
pub fn reply(
    project: &Project,
    inbox: &mut Inbox,
    item: i64,
    text: &ReplyText,
    by: &str,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
    now: Timestamp,
) -> Result<Replied> {
    if by.trim().is_empty() {
        return Err(Error::Usage("say who answers (--by): the action log names a person".into()));
    }
    let target = inbox.target(item)?;
    let platform = platform_of(&target.platform, item)?;
    if target.deleted {
        return Err(Error::Usage(format!(
            "{} deleted item {item} on {}: there is nothing to answer; resolve it with `budkavle inbox resolve {item} --note …`",
            target.author,
            platform.display_name()
        )));
    }
    let (sent_text, checked) = check(project, inbox, item, text)?;
    if checked.refused() {
        return Err(Error::Usage(refusal(item, &checked.findings)));
    }
    let part = &checked.rendered.parts[0];
    let key = key(platform, &target.remote_id, &part.text);
    let done = |outcome, remote: Option<String>, url: Option<String>| Replied {
        item,
        platform,
        remote,
        url,
        text: sent_text.clone(),
        outcome,
        findings: checked.findings.clone(),
    };
    // Logged in before the intent: a missing secret must not leave a request behind.
    let mut conn = crate::clients::connect(&project.strategy, platform, env, http)?;
    let unsure_since = match inbox.send(&key)? {
        Some(s) if s.done_at.is_some() => return Ok(done(ReplyOutcome::AlreadySent, s.remote, s.url)),
        Some(s) if s.unfinished() => Some(s.intent_time().unwrap_or(now)),
        _ => {
            if let Some(other) = inbox.sends(item)?.into_iter().find(|s| s.unfinished()) {
                return Err(Error::Usage(format!(
                    "an earlier {} to item {item} (started {} by {}) is unfinished: run it again with the same text, or settle it with `budkavle inbox settle {item} --sent-as ID` or `--not-sent` before answering differently",
                    other.kind.name(),
                    other.intent_at,
                    other.by
                )));
            }
            inbox.send_intent(&key, item, platform.name(), SendKind::Reply, Some(&part.text), by, now)?;
            None
        }
    };
    let to = Remote { id: target.remote_id.clone(), url: target.url.clone(), parts: Vec::new() };
    let out = Outgoing {
        key: &key,
        text: &part.text,
        facets: &part.facets,
        lang: &checked.rendered.lang,
        media: &[],
        reply_to: Some(&to),
        link: None,
    };
    let budget = Budget::new(BUDGET);
    let record = |inbox: &mut Inbox, remote: Remote, outcome| -> Result<Replied> {
        let answer = Answer { remote: Some(remote.id.clone()), url: remote.url.clone(), note: part.text.clone() };
        inbox.send_done(&key, &answer, now)?;
        Ok(done(outcome, Some(remote.id), remote.url))
    };
    if let Some(since) = unsure_since {
        let (found, _) = with_retry(&budget, || conn.lookup_reply(&to, &out, since));
        match found.map_err(|e| unsure(platform, "the earlier reply", &e))? {
            Lookup::Found(remote) => return record(inbox, remote, ReplyOutcome::Found),
            Lookup::Absent | Lookup::ResendSafe => {}
            Lookup::CannotTell(why) => {
                let (found, _) = with_retry(&budget, || conn.find_sent(&part.text, since));
                match found {
                    Ok(Some(remote)) => return record(inbox, remote, ReplyOutcome::Found),
                    _ => {
                        return Err(Error::Usage(format!(
                            "an earlier run started this reply to item {item} and budkavle cannot tell whether it reached {}: {why}\n  look at the item on the platform, then record what you found: `budkavle inbox settle {item} --sent-as ID` if the reply is there, `budkavle inbox settle {item} --not-sent` if it is not (then reply again)",
                            platform.display_name()
                        )));
                    }
                }
            }
        }
    }
    let (result, _) = with_retry(&budget, || conn.reply(&to, &out));
    match result {
        Ok(remote) => record(inbox, remote, ReplyOutcome::Sent),
        Err(e @ SendError::Permanent { .. }) => {
            inbox.send_abandoned(&key, None, e.message(), now)?;
            Err(Error::Usage(format!("{} refused the reply to item {item}: {e}", platform.display_name())))
        }
        Err(e) => Err(unsure(platform, "the reply", &e)),
    }
}

/// Why a reply was not sent: every error finding, with where in the text.
fn refusal(item: i64, findings: &[Finding]) -> String {
    let mut out = format!("the reply to item {item} was not sent: the checks found");
    for f in findings.iter().filter(|f| f.level == Level::Error) {
        out.push_str(&format!("\n  line {}, column {}: {} [{}]", f.line, f.column, f.message, f.rule));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("\n    fix: {fix}"));
        }
    }
    out.push_str("\n  change the text (or the template in strategy.toml) and send it again");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_depends_on_item_and_text_only() {
        let a = key(PlatformId::Mastodon, "1", "Tack!");
        assert_eq!(a, key(PlatformId::Mastodon, "1", "Tack!"));
        assert_ne!(a, key(PlatformId::Mastodon, "2", "Tack!"));
        assert_ne!(a, key(PlatformId::Mastodon, "1", "Tack igen!"));
        assert_ne!(a, key(PlatformId::X, "1", "Tack!"));
        assert!(a.starts_with("bk-r-") && a.len() == 37);
    }
}
