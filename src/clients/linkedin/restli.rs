//! Rest.li 2.0.0 encoding of URNs, and the shapes of the URNs this client handles.
//!
//! Protocol 2.0.0 reads `( ) , :` in a path key or query value as structure (complex keys,
//! `List(…)`, records), so every URN that goes into a URL is one percent-encoded primitive:
//! "URNs in URL params must be URL encoded (e.g., `urn:li:ugcPost:12345` ->
//! `urn%3Ali%3AugcPost%3A12345`)" (Posts API). A comment URN carries a comma and parentheses,
//! and unencoded it would be read as a complex key.

/// Percent-encodes everything but RFC 3986's unreserved characters, so a URN (or anything
/// else) is one Rest.li primitive and can never change the path or the query around it.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`encode`] (and any other percent-encoding), for the key in a `Location` header.
pub(crate) fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = value.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A page's URN from strategy.toml's `page_id`: `urn:li:organization:N`, or the bare number
/// N that the page's admin address shows (`linkedin.com/company/N/admin`).
pub(crate) fn organization(page_id: &str) -> Option<String> {
    let page_id = page_id.trim();
    let number = page_id.strip_prefix("urn:li:organization:").unwrap_or(page_id);
    (!number.is_empty() && number.len() <= 20 && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("urn:li:organization:{number}"))
}

/// A post: `urn:li:share:N` (text and article posts) or `urn:li:ugcPost:N` (image posts).
pub(crate) fn is_post(urn: &str) -> bool {
    ["urn:li:share:", "urn:li:ugcPost:"]
        .iter()
        .any(|p| urn.strip_prefix(p).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
}

/// A comment, `urn:li:comment:(THREAD,ID)`: the thread it hangs on (the post's
/// `urn:li:activity:…`, or the post itself) and its id.
pub(crate) fn comment(urn: &str) -> Option<(&str, &str)> {
    let inner = urn.strip_prefix("urn:li:comment:(")?.strip_suffix(')')?;
    let (thread, id) = inner.rsplit_once(',')?;
    let thread_ok = thread.starts_with("urn:li:") && !thread.contains(['(', ')', ',']);
    (thread_ok && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then_some((thread, id))
}

/// The address a reader opens for a post.
pub(crate) fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}/")
}

/// The address of a comment: its thread, with the comment picked out.
pub(crate) fn comment_url(thread: &str, comment: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{thread}/?commentUrn={}", encode(comment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urns_are_one_encoded_primitive() {
        assert_eq!(encode("urn:li:ugcPost:12345"), "urn%3Ali%3AugcPost%3A12345");
        assert_eq!(
            encode("urn:li:comment:(urn:li:activity:1,2)"),
            "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A1%2C2%29"
        );
        assert_eq!(encode("../x?y=1&z"), "..%2Fx%3Fy%3D1%26z");
        assert_eq!(decode("urn%3Ali%3Ashare%3A7"), "urn:li:share:7");
        assert_eq!(decode("100%"), "100%");
    }

    #[test]
    fn page_ids_as_urn_or_number() {
        assert_eq!(organization("urn:li:organization:90123456").as_deref(), Some("urn:li:organization:90123456"));
        assert_eq!(organization(" 90123456 ").as_deref(), Some("urn:li:organization:90123456"));
        assert_eq!(organization("urn:li:person:Ab3dEf9HiJ"), None);
        assert_eq!(organization("exempelkommun"), None);
        assert_eq!(organization(""), None);
    }

    #[test]
    fn posts_and_comments() {
        assert!(is_post("urn:li:share:7045020441609936898"));
        assert!(is_post("urn:li:ugcPost:7045020441609936898"));
        assert!(!is_post("urn:li:activity:1") && !is_post("urn:li:share:") && !is_post("urn:li:share:1/x"));
        assert_eq!(comment("urn:li:comment:(urn:li:activity:11,22)"), Some(("urn:li:activity:11", "22")));
        assert_eq!(comment("urn:li:comment:(urn:li:ugcPost:11,22)"), Some(("urn:li:ugcPost:11", "22")));
        assert_eq!(comment("urn:li:comment:(urn:li:activity:11,x)"), None);
        assert_eq!(comment("urn:li:share:11"), None);
        assert_eq!(
            comment_url("urn:li:activity:11", "urn:li:comment:(urn:li:activity:11,22)"),
            "https://www.linkedin.com/feed/update/urn:li:activity:11/?commentUrn=urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A11%2C22%29"
        );
    }
}
