//! OAuth 1.0a user-context signing (HMAC-SHA1), as X documents it in "Creating a signature"
//! (<https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature>),
//! "Percent encoding parameters"
//! (<https://docs.x.com/fundamentals/authentication/oauth-1-0a/percent-encoding-parameters>) and
//! "Authorizing a request"
//! (<https://docs.x.com/fundamentals/authentication/oauth-1-0a/authorizing-a-request>), which
//! follow RFC 5849.
//!
//! Written here rather than taken from an OAuth 1.0a crate: the algorithm is forty lines over
//! RustCrypto's `hmac` and `sha1`, which share `digest` with the `sha2` budkavle already uses,
//! while the OAuth 1.0a crates pull in older `digest` versions and derive macros. The unit
//! tests reproduce the documented signatures byte for byte.
//!
//! Only what budkavle sends is signed: the query of the URL and the `oauth_*` parameters. Its
//! bodies are JSON or multipart, which OAuth 1.0a leaves out of the signature.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Url;
use sha1::Sha1;

use crate::clients::api::Secret;

/// The four credentials of a user-context request: the app's API key and secret (consumer key
/// and secret) and the account's access token and secret. All four are [`Secret`]s, so `Debug`
/// shows none of them.
#[derive(Debug, Clone)]
pub(super) struct Keys {
    pub consumer_key: Secret,
    pub consumer_secret: Secret,
    pub token: Secret,
    pub token_secret: Secret,
}

/// The `Authorization` header for a request of `method` to `url` (its query included), with a
/// fresh nonce and the current time.
pub(super) fn authorization(keys: &Keys, method: &str, url: &Url) -> String {
    let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    authorization_at(keys, method, url, &nonce(), timestamp)
}

/// [`authorization`] with the nonce and timestamp given, for tests with fixed values.
pub(super) fn authorization_at(keys: &Keys, method: &str, url: &Url, nonce: &str, timestamp: u64) -> String {
    let timestamp = timestamp.to_string();
    let oauth: [(&str, &str); 6] = [
        ("oauth_consumer_key", keys.consumer_key.expose()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", &timestamp),
        ("oauth_token", keys.token.expose()),
        ("oauth_version", "1.0"),
    ];
    let mut params: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    params.extend(oauth.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let base = base_string(method, &base_uri(url), &params);
    let signature = sign(&base, keys.consumer_secret.expose(), keys.token_secret.expose());
    let mut fields: Vec<(&str, &str)> = oauth.to_vec();
    fields.push(("oauth_signature", &signature));
    fields.sort_unstable();
    let fields: Vec<String> =
        fields.iter().map(|(k, v)| format!("{}=\"{}\"", percent_encode(k), percent_encode(v))).collect();
    format!("OAuth {}", fields.join(", "))
}

/// The signature base string: the method, the base URI and the sorted, encoded parameters,
/// each percent-encoded and joined with `&`.
pub(super) fn base_string(method: &str, base_uri: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    encoded.sort();
    let joined: Vec<String> = encoded.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}&{}&{}", method.to_ascii_uppercase(), percent_encode(base_uri), percent_encode(&joined.join("&")))
}

/// HMAC-SHA1 of the base string, keyed with both secrets percent-encoded and joined by `&`,
/// in base64.
pub(super) fn sign(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", percent_encode(consumer_secret), percent_encode(token_secret));
    // HMAC takes keys of any length (longer ones are hashed first): this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length");
    mac.update(base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The base string URI (RFC 5849 3.4.1.2): scheme and host in lower case (as `Url` keeps them),
/// the port only when it is not the scheme's default, the path as sent, no query.
fn base_uri(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}{}", url.scheme(), url.path()),
        None => format!("{}://{host}{}", url.scheme(), url.path()),
    }
}

/// RFC 3986 percent-encoding of the UTF-8 bytes: only `A-Z a-z 0-9 - . _ ~` stay as they are,
/// every other byte becomes `%XX` with upper-case hex, as the documentation requires.
pub(super) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A value used once: X refuses a second request with the same nonce and timestamp, so a
/// retried request must be signed anew. Unique rather than secret: the time, a counter, the
/// process and the standard library's per-process random seed, hashed.
pub(super) fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut seed = std::collections::hash_map::RandomState::new().build_hasher();
    seed.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let material = format!("{now}:{}:{}", std::process::id(), seed.finish());
    crate::ledger::content_hash(material.as_bytes())[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of "Creating a signature".
    fn documented_params() -> Vec<(String, String)> {
        [
            ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
            ("include_entities", "true"),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    const CONSUMER_SECRET: &str = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
    const TOKEN_SECRET: &str = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";

    #[test]
    fn the_documented_signatures_for_both_hosts() {
        let params = documented_params();
        let twitter = base_string("POST", "https://api.twitter.com/1.1/statuses/update.json", &params);
        assert_eq!(sign(&twitter, CONSUMER_SECRET, TOKEN_SECRET), "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
        let x = base_string("post", "https://api.x.com/1.1/statuses/update.json", &params);
        assert_eq!(sign(&x, CONSUMER_SECRET, TOKEN_SECRET), "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");
    }

    #[test]
    fn the_documented_base_string() {
        let base = base_string("POST", "https://api.x.com/1.1/statuses/update.json", &documented_params());
        assert_eq!(
            base,
            "POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue\
             %26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ\
             2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oaut\
             h_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26statu\
             s%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
        );
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
        assert_eq!(percent_encode("An encoded string!"), "An%20encoded%20string%21");
        assert_eq!(percent_encode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
        assert_eq!(percent_encode("☃"), "%E2%98%83");
        assert_eq!(percent_encode("a-b.c_d~e"), "a-b.c_d~e");
    }

    fn keys() -> Keys {
        Keys {
            consumer_key: Secret::new("xvz1evFS4wEEPTGEFPHBog"),
            consumer_secret: Secret::new(CONSUMER_SECRET),
            token: Secret::new("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            token_secret: Secret::new(TOKEN_SECRET),
        }
    }

    #[test]
    fn the_header_signs_the_query_and_the_url_as_requested() {
        let url =
            Url::parse("http://127.0.0.1:8080/2/users/1/tweets?max_results=100&start_time=2026-01-01T00%3A00%3A00Z")
                .unwrap();
        let nonce = "abc123";
        let header = authorization_at(&keys(), "GET", &url, nonce, 1_700_000_000);
        assert!(
            header.starts_with(
                "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"abc123\", oauth_signature=\""
            ),
            "{header}"
        );
        assert!(header.ends_with("oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1700000000\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\""), "{header}");
        let params: Vec<(String, String)> = [
            ("max_results", "100"),
            ("start_time", "2026-01-01T00:00:00Z"),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", nonce),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1700000000"),
            ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let expected =
            sign(&base_string("GET", "http://127.0.0.1:8080/2/users/1/tweets", &params), CONSUMER_SECRET, TOKEN_SECRET);
        assert!(header.contains(&format!("oauth_signature=\"{}\"", percent_encode(&expected))), "{header}");
        // The default port is no part of the base string URI.
        let default = Url::parse("https://API.X.com:443/2/tweets").unwrap();
        assert_eq!(base_uri(&default), "https://api.x.com/2/tweets");
    }

    #[test]
    fn every_request_gets_a_fresh_nonce_and_no_secret_in_the_header() {
        let a = nonce();
        let b = nonce();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        let url = Url::parse("https://api.x.com/2/tweets").unwrap();
        let (h1, h2) = (authorization(&keys(), "POST", &url), authorization(&keys(), "POST", &url));
        assert_ne!(h1, h2, "the same request signed twice differs by its nonce");
        for h in [&h1, &h2] {
            assert!(!h.contains(CONSUMER_SECRET) && !h.contains(TOKEN_SECRET), "{h}");
        }
        let shown = format!("{:?}", keys());
        assert!(!shown.contains(CONSUMER_SECRET) && !shown.contains("xvz1evFS4wEEPTGEFPHBog"), "{shown}");
    }
}
