//! Language tags. One validator for posts, the strategy, feeds (`xml:lang`) and versions read
//! back from git history, so a tag accepted in one place is never rejected or emitted unsafely
//! in another.

/// A BCP 47-shaped tag: a lower-case primary language subtag of 2–3 letters, then subtags of
/// 1–8 letters or digits. Loose on purpose (no registry): it catches `"svenska"`, `"sv_SE"` or
/// a quote that would break out of an attribute, and everything it accepts is a valid
/// `xml:lang` (the Atom grammar's `atomLanguageTag`).
pub fn is_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    primary_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert!(is_tag("sv") && is_tag("en-GB") && is_tag("zh-Hant-TW") && is_tag("sma"));
        for bad in ["", "svenska", "sv_SE", "sv-", "a\"b", "SV", "sv-toolongsubtag"] {
            assert!(!is_tag(bad), "{bad}");
        }
    }
}
