//! What kind of post a post is. Below both the strategy and posts: the strategy's review policy
//! is set per kind, and every post has one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    News,
    Event,
    Campaign,
    Crisis,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Event => "event",
            Kind::Campaign => "campaign",
            Kind::Crisis => "crisis",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "news" => Ok(Kind::News),
            "event" => Ok(Kind::Event),
            "campaign" => Ok(Kind::Campaign),
            "crisis" => Ok(Kind::Crisis),
            other => Err(format!("unknown kind `{other}`; use news, event, campaign or crisis")),
        }
    }
}
