//! Impressions, unique impressions, clicks and reshares of the page's posts: the organisation
//! share statistics,
//! `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={org}&shares=List({share},…)`
//! (and `ugcPosts=List(…)` for `urn:li:ugcPost:` posts), lifetime figures since no
//! `timeIntervals` is sent
//! (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics>).
//! It needs `rw_organization_admin` and the ADMINISTRATOR role on the page; it serves "share
//! data only within the past 12 months", which `metrics pull` (never after 90 days) stays inside.
//!
//! Rest.li 2.0: a list is `List(a,b)` with each URN percent-encoded as one primitive, so its
//! `:` never reads as structure. Share and UGC post URNs go in their own parameter, one
//! request each. Each element names its post in `share` or `ugcPost`; "Shares with no actions
//! or impressions are not included", so a post missing from the answer has zero of each.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::Value;

use super::failure::Need;
use super::{LinkedinClient, restli};
use crate::clients::api::SendError;

/// URNs per request: LinkedIn documents no bound on the list, so this is budkavle's, keeping
/// the address short (20 encoded URNs are about 700 characters).
pub(super) const BATCH: usize = 20;

/// A post's lifetime figures, as `totalShareStatistics` names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ShareStats {
    pub impressions: u64,
    pub unique_impressions: u64,
    pub clicks: u64,
    pub shares: u64,
}

/// The query of one request: `q`, the page, and the posts of one kind.
pub(super) fn query(page: &str, param: &str, urns: &[&str]) -> String {
    let list: Vec<String> = urns.iter().map(|u| restli::encode(u)).collect();
    format!("q=organizationalEntity&organizationalEntity={}&{param}=List({})", restli::encode(page), list.join(","))
}

/// The figures of every element of an answer, by post URN.
pub(super) fn parse(answer: &Value) -> HashMap<String, ShareStats> {
    let mut out = HashMap::new();
    for el in answer.get("elements").and_then(Value::as_array).into_iter().flatten() {
        let Some(urn) = el.get("share").or_else(|| el.get("ugcPost")).and_then(Value::as_str) else { continue };
        let Some(s) = el.get("totalShareStatistics") else { continue };
        let n = |k: &str| s.get(k).and_then(Value::as_u64).unwrap_or(0);
        out.insert(
            urn.to_string(),
            ShareStats {
                impressions: n("impressionCount"),
                unique_impressions: n("uniqueImpressionsCount"),
                clicks: n("clickCount"),
                shares: n("shareCount"),
            },
        );
    }
    out
}

impl LinkedinClient {
    /// The lifetime figures of `urns` (posts of this page), every one of them: zero where
    /// LinkedIn leaves a post out.
    pub(super) fn share_statistics(
        &self,
        urns: &[&str],
    ) -> std::result::Result<HashMap<String, ShareStats>, SendError> {
        let what = "reading LinkedIn's share statistics (impressions, clicks, reshares)";
        let mut out = HashMap::new();
        for (param, prefix) in [("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")] {
            let of_kind: Vec<&str> = urns.iter().copied().filter(|u| u.starts_with(prefix)).collect();
            for chunk in of_kind.chunks(BATCH) {
                let path = format!("organizationalEntityShareStatistics?{}", query(&self.page, param, chunk));
                let answer = Self::json(self.send(self.rest(Method::GET, &path), what, Need::Admin)?, what)?;
                let found = parse(&answer);
                for urn in chunk {
                    out.insert(urn.to_string(), found.get(*urn).copied().unwrap_or_default());
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_a_restli_list_of_encoded_urns() {
        assert_eq!(
            query("urn:li:organization:2414183", "shares", &["urn:li:share:1000000", "urn:li:share:1000001"]),
            "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&shares=List(urn%3Ali%3Ashare%3A1000000,urn%3Ali%3Ashare%3A1000001)"
        );
    }

    #[test]
    fn elements_by_share_or_ugc_post() {
        let answer = serde_json::json!({"paging": {"count": 10, "start": 0}, "elements": [
            {"organizationalEntity": "urn:li:organization:2414183", "share": "urn:li:share:1000000",
             "totalShareStatistics": {"impressionCount": 14490816, "uniqueImpressionsCount": 9327,
               "clickCount": 109276, "likeCount": 52, "commentCount": 70, "shareCount": 0, "engagement": 0.00754947}},
            {"organizationalEntity": "urn:li:organization:2414183", "ugcPost": "urn:li:ugcPost:7",
             "totalShareStatistics": {"impressionCount": 5, "shareCount": 1}},
            {"organizationalEntity": "urn:li:organization:2414183", "totalShareStatistics": {"impressionCount": 1}}
        ]});
        let got = parse(&answer);
        assert_eq!(got.len(), 2, "the page aggregate names no post");
        assert_eq!(
            got["urn:li:share:1000000"],
            ShareStats { impressions: 14_490_816, unique_impressions: 9327, clicks: 109_276, shares: 0 }
        );
        assert_eq!(got["urn:li:ugcPost:7"], ShareStats { impressions: 5, unique_impressions: 0, clicks: 0, shares: 1 });
    }
}
