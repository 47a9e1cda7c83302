//! What a platform answers when a post is created: the result type of sending, kept here
//! with the platform rules because the ledger records it and sits below the clients.

use serde::{Deserialize, Serialize};

/// The post as the platform knows it: `id` and `url` of the first (or only) part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remote {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Every part's id in order when the post went out as a thread, so a retraction can remove
    /// all of it and a later update can reply to the thread's last part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}
