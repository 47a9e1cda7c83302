//! The `links` pack: where an authority sends people must be visible and safe — https, no
//! shorteners that hide the destination (and are a favourite of impersonators), and no tracking
//! parameters that follow readers around.
//!
//! Addresses are found in Markdown links (the scope's `links` ranges), as bare addresses in any
//! prose scope, and in the per-platform override texts of the front matter.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::scan;
use crate::check::scope::ScopeKind;
use crate::strategy::Strategy;

pub(crate) fn rules(_strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    vec![Box::new(Https), Box::new(Shortener), Box::new(Tracking)]
}

/// URL shorteners: the reader cannot see where the link goes until they have followed it.
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "bit.do",
    "t.co",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "buff.ly",
    "is.gd",
    "v.gd",
    "shorturl.at",
    "rb.gy",
    "cutt.ly",
    "tiny.cc",
    "lnkd.in",
    "t.ly",
    "rebrand.ly",
    "bl.ink",
    "dlvr.it",
    "ift.tt",
    "fb.me",
    "wp.me",
    "trib.al",
    "amzn.to",
    "s.id",
    "shorte.st",
    "adf.ly",
    "qrco.de",
    "surl.li",
    "tr.im",
    "x.co",
    "soo.gd",
    "clck.ru",
    "shorturl.com",
    "tiny.one",
    "urlz.fr",
];

/// Query parameters that only identify a campaign or a click.
fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "gbraid"
                | "wbraid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "yclid"
                | "twclid"
                | "ttclid"
                | "li_fat_id"
                | "_hsenc"
                | "_hsmi"
                | "mkt_tok"
        )
}

/// Where an address was found: in a scope's text, or directly in the file (override texts).
enum Place {
    Scope(usize, Range<usize>),
    File(Range<usize>),
}

struct Site {
    url: String,
    place: Place,
}

impl Site {
    fn emit<'e>(&self, ctx: &PostCtx<'_>, out: &'e mut Emitter<'_>, message: String) -> &'e mut crate::check::Finding {
        match &self.place {
            Place::Scope(i, range) => out.at(&ctx.scopes[*i], range.clone(), message),
            Place::File(range) => out.at_file(range.clone(), message),
        }
    }
}

/// An address with a scheme, or from `www.`.
const SCHEME_URL: &str = r#"(?i)(?-u:\b)(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>"'\[\]{}|\\^`]+"#;

/// [`SCHEME_URL`], or a shortener's address without a scheme (group 1).
static BARE_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(&bare_url_pattern()).expect("url pattern"));

/// Only [`SCHEME_URL`]: all that can match in a text without a shortener's name before a `/`,
/// found there by [`scan::scheme_urls`] (compiling even this regex cost more than a post's
/// checks); the tests' reference.
#[cfg(test)]
static SCHEME_ONLY: LazyLock<Regex> = LazyLock::new(|| Regex::new(SCHEME_URL).expect("url pattern"));

fn bare_url_pattern() -> String {
    let shorteners = SHORTENERS.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|");
    format!(r#"{SCHEME_URL}|(?:^|[^\w.@/\-])((?:{shorteners})/[^\s<>"'\[\]{{}}|\\^`]+)"#)
}

/// Whether a shortener's address can be in `text`: one of [`SHORTENERS`] right before a `/`,
/// in any case (`(?i)` folds `ſ` to s and the Kelvin sign to k as well).
fn may_have_shortener(text: &str) -> bool {
    text.match_indices('/').any(|(i, _)| SHORTENERS.iter().any(|s| scan::ends_folded(&text[..i], s)))
}

/// Addresses in `text`, as byte ranges, trailing sentence punctuation left out.
fn find_urls(text: &str) -> Vec<Range<usize>> {
    // Every address has a `/` (scheme or shortener path) or `www.`; most prose has neither.
    if !text.contains('/') && !text.contains("www.") && !text.contains("WWW.") {
        return Vec::new();
    }
    let found: Vec<Range<usize>> = if may_have_shortener(text) {
        BARE_URL.captures_iter(text).filter_map(|c| c.get(1).or_else(|| c.get(0))).map(|m| m.range()).collect()
    } else {
        scan::scheme_urls(text)
    };
    found.into_iter().map(|r| r.start..r.start + trim_url(&text[r]).len()).filter(|r| !r.is_empty()).collect()
}

fn trim_url(url: &str) -> &str {
    let mut s = url;
    loop {
        let Some(last) = s.chars().next_back() else { return s };
        let unbalanced = last == ')' && s.matches('(').count() < s.matches(')').count();
        if ".,;:!?»”’'\"*_".contains(last) || unbalanced {
            s = &s[..s.len() - last.len_utf8()];
        } else {
            return s;
        }
    }
}

/// Every address in the post, once per place.
fn sites(ctx: &PostCtx<'_>) -> Vec<Site> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, scope) in ctx.scopes.iter().enumerate() {
        if matches!(scope.kind, ScopeKind::Hashtag | ScopeKind::Code) {
            continue;
        }
        let mut ranges: Vec<Range<usize>> = scope.links.clone();
        for r in scope.urls_cache.get_or_init(|| find_urls(&scope.text)) {
            if !scope.links.iter().any(|l| l.start < r.end && r.start < l.end) {
                ranges.push(r.clone());
            }
        }
        for r in ranges {
            let url = scope.text[r.clone()].to_string();
            // An autolink (`<https://…>`) is its own text: one place, reported once.
            if seen.insert((scope.file_offset(r.start), url.clone())) {
                out.push(Site { url, place: Place::Scope(i, r) });
            }
        }
    }
    for (name, o) in &ctx.post.front.platform {
        let Some(text) = &o.get_ref().text else { continue };
        let value = super::crisis::front_value(ctx.post, &["platform", name, "text"]).map(|(_, v)| v);
        for r in find_urls(text) {
            let url = text[r].to_string();
            let at = value.as_ref().and_then(|v| {
                let raw = ctx.post.source.get(v.clone())?;
                raw.find(&url).map(|k| v.start + k..v.start + k + url.len())
            });
            let fallback = ctx.post.front_offset + o.span().start;
            let range = at.unwrap_or(fallback..fallback);
            if seen.insert((range.start, url.clone())) {
                out.push(Site { url, place: Place::File(range) });
            }
        }
    }
    out
}

/// The host of an address, lower-case, without `www.`.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority.split(':').next().unwrap_or("").to_ascii_lowercase();
    host.strip_prefix("www.").map(str::to_string).unwrap_or(host)
}

// ---------------------------------------------------------------------------------------------

struct Https;

impl Rule for Https {
    fn id(&self) -> &str {
        "links.https"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "Links with http:// instead of https://: readers see a warning, and the page can be altered on its way to them."
            .into()
    }
    fn example(&self) -> String {
        "Läs mer på http://www.exempelstad.se/vatten".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for site in sites(ctx) {
            let Some(rest) = site.url.get(..7).filter(|s| s.eq_ignore_ascii_case("http://")).map(|_| &site.url[7..])
            else {
                continue;
            };
            let fixed = format!("https://{rest}");
            site.emit(ctx, out, format!("`{}` is not secure: link to the https:// address", site.url)).with_fix(fixed);
        }
    }
}

struct Shortener;

impl Rule for Shortener {
    fn id(&self) -> &str {
        "links.shortener"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "Shortened links (bit.ly, t.co, tinyurl.com …): people must see where an authority sends them before they click.".into()
    }
    fn example(&self) -> String {
        "Anmäl dig på https://bit.ly/3xYz".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for site in sites(ctx) {
            let host = host(&site.url);
            if SHORTENERS.contains(&host.as_str()) {
                site.emit(
                    ctx,
                    out,
                    format!(
                        "`{}` is a shortened link ({host}): write the full address, so people can see it leads to the right place",
                        site.url
                    ),
                );
            }
        }
    }
}

struct Tracking;

impl Rule for Tracking {
    fn id(&self) -> &str {
        "links.tracking"
    }
    fn level(&self) -> Level {
        Level::Suggestion
    }
    fn description(&self) -> String {
        "Tracking parameters (utm_*, fbclid, gclid …) in links: they make addresses long and follow readers; link to the plain address.".into()
    }
    fn example(&self) -> String {
        "https://www.exempelstad.se/jobb?utm_source=facebook&utm_medium=social".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for site in sites(ctx) {
            let Some((clean, removed)) = without_tracking(&site.url) else { continue };
            site.emit(
                ctx,
                out,
                format!(
                    "`{}` carries tracking parameters ({}): link to the plain address",
                    site.url,
                    removed.join(", ")
                ),
            )
            .with_fix(clean);
        }
    }
}

/// The address without its tracking parameters, and their names; `None` when it has none.
fn without_tracking(url: &str) -> Option<(String, Vec<String>)> {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (base, query) = before_fragment.split_once('?')?;
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for pair in query.split('&') {
        let name = pair.split('=').next().unwrap_or("");
        if is_tracking_param(name) {
            removed.push(name.to_string());
        } else if !pair.is_empty() {
            kept.push(pair);
        }
    }
    if removed.is_empty() {
        return None;
    }
    let mut clean = base.to_string();
    if !kept.is_empty() {
        clean.push('?');
        clean.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        clean.push('#');
        clean.push_str(f);
    }
    Some((clean, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_text() {
        let t = "Se https://a.se/x. Och (www.b.se/y), bit.ly/abc, e-post a@bit.ly/x och http://c.se/p_(1)!";
        let found: Vec<&str> = find_urls(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, ["https://a.se/x", "www.b.se/y", "bit.ly/abc", "http://c.se/p_(1)"]);
    }

    #[test]
    fn the_pattern_without_shorteners_finds_the_same() {
        // The pattern as it was written before it was split in two.
        let shorteners = SHORTENERS.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|");
        let original = format!(
            r#"(?i)(?-u:\b)(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>"'\[\]{{}}|\\^`]+|(?:^|[^\w.@/\-])((?:{shorteners})/[^\s<>"'\[\]{{}}|\\^`]+)"#
        );
        assert_eq!(bare_url_pattern(), original);
        let ranges = |re: &Regex, t: &str| -> Vec<(usize, usize)> {
            re.captures_iter(t).filter_map(|c| c.get(1).or_else(|| c.get(0))).map(|m| (m.start(), m.end())).collect()
        };
        let pieces = [
            crate::check::scan::tests::PIECES,
            &["bit.ly", "BIT.LY", "lnkd.in", "ln\u{212A}d.in", "ſ.id", "t.co", "x.co", "/", "/", "a/"],
        ]
        .concat();
        let mut shortened = 0;
        for t in crate::check::scan::tests::generated(&pieces, 20_000, 12) {
            let want = ranges(&BARE_URL, &t);
            if !may_have_shortener(&t) {
                assert_eq!(ranges(&SCHEME_ONLY, &t), want, "{t:?}");
            } else if want != ranges(&SCHEME_ONLY, &t) {
                shortened += 1;
            }
        }
        assert!(shortened > 100, "{shortened}");
    }

    #[test]
    fn hosts() {
        assert_eq!(host("https://www.Bit.ly/x"), "bit.ly");
        assert_eq!(host("bit.ly/x"), "bit.ly");
        assert_eq!(host("https://u:p@t.co:443/x?y#z"), "t.co");
    }

    #[test]
    fn tracking_removed() {
        let (clean, removed) = without_tracking("https://a.se/j?id=4&utm_source=fb&UTM_medium=x#top").unwrap();
        assert_eq!(clean, "https://a.se/j?id=4#top");
        assert_eq!(removed, ["utm_source", "UTM_medium"]);
        assert_eq!(without_tracking("https://a.se/?fbclid=1").unwrap().0, "https://a.se/");
        assert!(without_tracking("https://a.se/?id=utm_x").is_none());
    }
}
