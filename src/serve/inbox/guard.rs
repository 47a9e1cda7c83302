//! Who may ask `serve` for what. The server listens on 127.0.0.1 only, but a web page the
//! officer has open in another tab can still make the browser send requests there:
//!
//! - DNS rebinding: a page from `evil.example` whose name is made to point at 127.0.0.1 reads
//!   the answers as its own origin. Every request must name a loopback host in `Host`;
//!   anything else is refused before a page is made.
//! - Cross-site requests: a page elsewhere posts a form to `http://127.0.0.1:8000/inbox/…`.
//!   A state-changing request is a `POST` whose form carries this process's random token,
//!   compared in constant time, and which the browser does not call cross-site (`Origin` of
//!   another origin, `Sec-Fetch-Site` other than `same-origin` or `none`). The token is new
//!   at every start and never leaves the pages served to the loopback host.

use subtle::ConstantTimeEq;

/// The form field that carries the token.
pub(crate) const FIELD: &str = "token";

/// The per-process secret every form carries.
pub(crate) struct Token(String);

impl Token {
    /// 32 random bytes from the operating system, as hex.
    pub(crate) fn new() -> Result<Token, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers from the operating system: {e}"))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `given` is the token, in time that does not depend on where they differ.
    pub(crate) fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        // Lengths are not secret (the token's is fixed); contents are.
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }
}

/// `Host` names this machine's loopback: `localhost` (or a name under it), `127.x.y.z` or
/// `[::1]`, with or without a port. A missing `Host` is refused too: every browser sends one.
pub(crate) fn loopback_host(host: Option<&str>) -> bool {
    let Some(host) = host.map(str::trim).filter(|h| !h.is_empty()) else { return false };
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || valid_port(port) => return ip == "::1",
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if valid_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn valid_port(port: &str) -> bool {
    port.strip_prefix(':').unwrap_or(port).parse::<u16>().is_ok()
}

/// Why a state-changing request is refused, if it is: what the browser says about where it
/// comes from must be this origin (or say nothing, as a command-line client does).
pub(crate) fn cross_site(host: &str, origin: Option<&str>, fetch_site: Option<&str>) -> Option<&'static str> {
    if let Some(site) = fetch_site.map(str::trim)
        && !site.eq_ignore_ascii_case("same-origin")
        && !site.eq_ignore_ascii_case("none")
    {
        return Some("the browser says this request comes from another site (Sec-Fetch-Site)");
    }
    if let Some(origin) = origin.map(str::trim)
        && !origin.eq_ignore_ascii_case(&format!("http://{host}"))
    {
        return Some("the request comes from a page of another origin (Origin)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_pass() {
        for ok in [
            "127.0.0.1:8000",
            "127.0.0.1",
            "localhost:8000",
            "LOCALHOST",
            "app.localhost:1",
            "[::1]:8000",
            "[::1]",
            "127.1.2.3:80",
        ] {
            assert!(loopback_host(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example:8000",
            "evil.example",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "10.0.0.1:8000",
            "[::2]:8000",
            "[::1]x",
            "127.0.0.1:port",
            "0.0.0.0:8000",
            "",
        ] {
            assert!(!loopback_host(Some(bad)), "{bad}");
        }
        assert!(!loopback_host(None));
    }

    #[test]
    fn the_token_is_random_and_compared_whole() {
        let (a, b) = (Token::new().unwrap(), Token::new().unwrap());
        assert_eq!(a.as_str().len(), 64);
        assert_ne!(a.as_str(), b.as_str());
        assert!(a.matches(a.as_str()));
        assert!(!a.matches(b.as_str()));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.as_str()[..63]));
    }

    #[test]
    fn cross_site_requests_are_named() {
        let host = "127.0.0.1:8000";
        assert_eq!(cross_site(host, None, None), None, "curl sends neither");
        assert_eq!(cross_site(host, Some("http://127.0.0.1:8000"), Some("same-origin")), None);
        assert!(cross_site(host, Some("http://evil.example"), None).is_some());
        assert!(cross_site(host, Some("null"), None).is_some());
        assert!(cross_site(host, Some("http://127.0.0.1:3000"), None).is_some(), "another port is another origin");
        assert!(cross_site(host, None, Some("cross-site")).is_some());
        assert!(cross_site(host, None, Some("same-site")).is_some(), "another local port is same-site");
    }
}
