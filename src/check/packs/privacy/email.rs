//! E-mail addresses. The shape is loose on purpose (letters of any script, `+` tags), since a
//! private address is a leak however it is spelt; what is excluded is what only looks like one:
//! fediverse handles (`@namn@server.se`, a mention, not an address) and retina image names
//! (`logo@2x.png`).

use std::sync::LazyLock;

use regex::Regex;

use super::{Candidate, Kind};

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{L}\p{N}._%+\-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+\p{L}{2,}")
        .expect("valid regex")
});

/// Endings that are file types, not top-level domains.
const FILE_TYPES: [&str; 10] = ["png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "heic", "tif", "tiff"];

pub(super) fn find(text: &str, out: &mut Vec<Candidate>) {
    for m in ADDRESS.find_iter(text) {
        let lead = m.as_str().len() - m.as_str().trim_start_matches('.').len();
        let start = m.start() + lead;
        let address = &text[start..m.end()];
        let Some((local, domain)) = address.split_once('@') else {
            continue;
        };
        if local.is_empty() || text[..m.start()].ends_with('@') {
            continue;
        }
        if text[m.end()..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        let tld = domain.rsplit('.').next().unwrap_or("").to_lowercase();
        if FILE_TYPES.contains(&tld.as_str()) {
            continue;
        }
        let first = local.chars().next().map(String::from).unwrap_or_default();
        out.push(Candidate {
            kind: Kind::Email,
            range: start..m.end(),
            keys: vec![address.to_lowercase()],
            message: format!(
                "an e-mail address ({first}…@{domain}): remove it unless the person has agreed to have it published, and contact them privately; if it is the organisation's own address, add it to [voice] allow in strategy.toml"
            ),
        });
    }
}

/// Whether a (lower-case) address is at `domain` or one of its subdomains.
pub(super) fn at_domain(address: &str, domain: &str) -> bool {
    let Some((_, host)) = address.rsplit_once('@') else {
        return false;
    };
    host == domain || host.strip_suffix(domain).is_some_and(|sub| sub.ends_with('.'))
}
