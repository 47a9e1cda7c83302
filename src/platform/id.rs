//! The closed set of platforms budkavle knows. An enum rather than strings so a typo in
//! strategy.toml or a post is caught at load time with the list of valid names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlatformId {
    Mastodon,
    Bluesky,
    X,
    Facebook,
    Instagram,
    Linkedin,
    Threads,
}

impl PlatformId {
    pub const ALL: [PlatformId; 7] = [
        PlatformId::Mastodon,
        PlatformId::Bluesky,
        PlatformId::X,
        PlatformId::Facebook,
        PlatformId::Instagram,
        PlatformId::Linkedin,
        PlatformId::Threads,
    ];

    /// The name used in strategy.toml, front matter, templates and `dist/` paths.
    pub fn name(self) -> &'static str {
        match self {
            PlatformId::Mastodon => "mastodon",
            PlatformId::Bluesky => "bluesky",
            PlatformId::X => "x",
            PlatformId::Facebook => "facebook",
            PlatformId::Instagram => "instagram",
            PlatformId::Linkedin => "linkedin",
            PlatformId::Threads => "threads",
        }
    }

    /// The name a person reads in previews and messages.
    pub fn display_name(self) -> &'static str {
        match self {
            PlatformId::Mastodon => "Mastodon",
            PlatformId::Bluesky => "Bluesky",
            PlatformId::X => "X",
            PlatformId::Facebook => "Facebook",
            PlatformId::Instagram => "Instagram",
            PlatformId::Linkedin => "LinkedIn",
            PlatformId::Threads => "Threads",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|p| p.name()).collect()
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The unknown name, so the caller can suggest the closest known one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPlatform(pub String);

impl fmt::Display for UnknownPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown platform `{}` (known: {})", self.0, PlatformId::names().join(", "))
    }
}

impl std::error::Error for UnknownPlatform {}

impl FromStr for PlatformId {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let found = match lower.as_str() {
            "twitter" => Some(PlatformId::X),
            other => PlatformId::ALL.into_iter().find(|p| p.name() == other),
        };
        found.ok_or_else(|| UnknownPlatform(s.to_string()))
    }
}
