//! `budkavle resolve`: a person settles a pair whose outcome budkavle could not find out. The
//! decision is a ledger line like any other, so the trail shows who decided what and when
//! (the commit's author).

use std::path::Path;

use crate::error::{Error, Result};
use crate::ledger::{Appender, Entry, Event, NewEntry, Outcome};
use crate::platform::PlatformId;
use crate::platform::Remote;
use crate::project::Project;

/// What the person found on the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Published { url: String, id: Option<String> },
    NotPublished,
}

/// Appends the `resolved` line and commits the ledger (unless `commit` is false). Only a pair
/// that is `unknown` or has an `intent` without an outcome can be resolved: anything else has
/// a known outcome, and overriding it by hand would make the ledger lie.
pub fn resolve(root: &Path, post: &str, platform: PlatformId, resolution: &Resolution, commit: bool) -> Result<Entry> {
    let project = Project::load(root)?;
    let post = project.find(post)?;
    let mut appender = Appender::open(root)?;
    let state = appender.ledger().state(&post.id, platform);
    match state.outcome() {
        Outcome::Unknown | Outcome::Pending => {}
        other => {
            appender.into_lock().release()?;
            return Err(Error::Usage(format!(
                "{} on {platform} has nothing to resolve: its outcome is known ({}). `budkavle log {}` shows its trail",
                post.id,
                describe(other),
                post.id
            )));
        }
    }
    let key = state.unknown.or(state.pending).and_then(|e| e.key.clone());
    let mut line = NewEntry::new(Event::Resolved, post.id.clone(), platform);
    line.key = key;
    if let Resolution::Published { url, id } = resolution {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            appender.into_lock().release()?;
            return Err(Error::Usage(format!("--published needs the post's web address (https://…), got `{url}`")));
        }
        let id = id.clone().unwrap_or_else(|| id_from_url(platform, url));
        line.remote = Some(Remote { id, url: Some(url.clone()), parts: Vec::new() });
    }
    let entry = appender.append(line)?.clone();
    let lock = appender.into_lock();
    if commit {
        let what = match resolution {
            Resolution::Published { url, .. } => format!("published ({url})"),
            Resolution::NotPublished => "not published; the next run sends it".into(),
        };
        let message = format!(
            "budkavle resolve: {} on {platform}\n\nSettled by hand: {what}\n\nBudkavle-Post: {}\nBudkavle-Platform: {platform}\n",
            post.id, post.id
        );
        if let Err(e) = crate::git::commit_ledger(root, &message) {
            lock.release()?;
            return Err(e);
        }
    }
    lock.release()?;
    Ok(entry)
}

fn describe(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::None => "never attempted",
        Outcome::Pending => "request in progress",
        Outcome::Unknown => "unknown",
        Outcome::Deleted => "deleted",
        Outcome::Published => "published",
        Outcome::Failed => "failed, will be retried",
    }
}

/// The platform's id from a post's address: Mastodon `https://host/@user/ID`; Bluesky
/// `https://bsky.app/profile/HANDLE/post/RKEY` → `at://HANDLE/app.bsky.feed.post/RKEY`.
fn id_from_url(platform: PlatformId, url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    let segments: Vec<&str> = trimmed.split('/').collect();
    match platform {
        PlatformId::Bluesky => {
            if let Some(i) = segments.iter().position(|s| *s == "profile")
                && let (Some(handle), Some("post"), Some(rkey)) =
                    (segments.get(i + 1), segments.get(i + 2).copied(), segments.get(i + 3))
            {
                return format!("at://{handle}/app.bsky.feed.post/{rkey}");
            }
            trimmed.to_string()
        }
        _ => segments.last().map_or_else(|| trimmed.to_string(), |s| s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_addresses() {
        assert_eq!(id_from_url(PlatformId::Mastodon, "https://social.example/@k/1131"), "1131");
        assert_eq!(
            id_from_url(PlatformId::Bluesky, "https://bsky.app/profile/k.example/post/3kabc2"),
            "at://k.example/app.bsky.feed.post/3kabc2"
        );
    }
}
