//! X counting against the upstream twitter-text conformance data in `tests/twitter-text/`.
//!
//! Every case of every length and URL group is run; a group that is missing or empty fails the
//! test, so a renamed or truncated data file cannot make this pass by running nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use budkavle::platform::PlatformId;
use budkavle::platform::count::x::{
    XConfig, XMeasure, extract_urls, extract_urls_with_indices, measure, weighted_length,
};
use budkavle::platform::count::{Length, count};
use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Deserialize)]
struct Suite {
    tests: BTreeMap<String, serde_norway::Value>,
}

#[derive(Deserialize)]
struct Case<T> {
    description: String,
    text: String,
    expected: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Weighted {
    weighted_length: usize,
    valid: bool,
    permillage: usize,
    // displayRange*/validRange* are not exposed: budkavle reports the overflow in its own
    // unit, not as UTF-16 positions.
}

#[derive(Deserialize)]
struct IndexedUrl {
    url: String,
    indices: [usize; 2],
}

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/twitter-text").join(path)
}

fn suite(file: &str) -> Suite {
    let path = data(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cases of one group; panics if the group is missing or empty.
fn group<T: DeserializeOwned>(suite: &Suite, name: &str) -> Vec<Case<T>> {
    let value = suite.tests.get(name).unwrap_or_else(|| panic!("conformance group {name} is missing")).clone();
    let cases: Vec<Case<T>> = serde_norway::from_value(value).unwrap_or_else(|e| panic!("group {name}: {e}"));
    assert!(!cases.is_empty(), "conformance group {name} is empty");
    cases
}

/// Runs `check` on every case, reports how many ran, and fails listing every failing case.
fn run<T>(name: &str, cases: &[Case<T>], check: impl Fn(&Case<T>) -> Result<(), String>) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).err().map(|why| format!("  {}: {} ({:?})", case.description, why, case.text)))
        .collect();
    println!("{name}: {} cases, {} passed", cases.len(), cases.len() - failures.len());
    assert!(
        failures.is_empty(),
        "{name}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn check_weighted(config: XConfig) -> impl Fn(&Case<Weighted>) -> Result<(), String> {
    move |case| {
        let e = &case.expected;
        let got = measure(&case.text, config);
        let want = XMeasure { weighted_length: e.weighted_length, valid: e.valid, permillage: e.permillage };
        if got != want {
            return Err(format!("got {got:?}, want {want:?}"));
        }
        if weighted_length(&case.text, config) != e.weighted_length {
            return Err("weighted_length disagrees with measure".into());
        }
        Ok(())
    }
}

#[test]
fn weighted_tweets_counter_v2() {
    let s = suite("conformance/validate.yml");
    let cases = group::<Weighted>(&s, "WeightedTweetsCounterTest");
    run("WeightedTweetsCounterTest (v2)", &cases, check_weighted(XConfig::V2));
}

#[test]
fn weighted_tweets_with_discounted_emoji_v3() {
    let s = suite("conformance/validate.yml");
    let cases = group::<Weighted>(&s, "WeightedTweetsWithDiscountedEmojiCounterTest");
    run("WeightedTweetsWithDiscountedEmojiCounterTest (v3)", &cases, check_weighted(XConfig::V3));
}

#[test]
fn unicode_directional_marker_counter_v3() {
    let s = suite("conformance/validate.yml");
    let cases = group::<Weighted>(&s, "UnicodeDirectionalMarkerCounterTest");
    run("UnicodeDirectionalMarkerCounterTest (v3)", &cases, check_weighted(XConfig::V3));
}

/// The `tweets` group predates weighting: it is the 140-character rule, i.e. config v1.
#[test]
fn legacy_tweet_validity_v1() {
    let s = suite("conformance/validate.yml");
    let cases = group::<bool>(&s, "tweets");
    run("tweets (v1 validity)", &cases, |case| {
        let got = measure(&case.text, XConfig::V1).valid;
        if got == case.expected { Ok(()) } else { Err(format!("valid = {got}, want {}", case.expected)) }
    });
}

fn check_urls(case: &Case<Vec<String>>) -> Result<(), String> {
    let got = extract_urls(&case.text);
    if got == case.expected { Ok(()) } else { Err(format!("got {got:?}, want {:?}", case.expected)) }
}

fn check_indexed_urls(case: &Case<Vec<IndexedUrl>>) -> Result<(), String> {
    let got: Vec<(String, [usize; 2])> = extract_urls_with_indices(&case.text)
        .into_iter()
        .map(|u| {
            // The byte range must slice out exactly the URL it reports.
            assert_eq!(case.text.get(u.bytes.clone()), Some(u.url.as_str()));
            (u.url, [u.utf16.start, u.utf16.end])
        })
        .collect();
    let want: Vec<(String, [usize; 2])> = case.expected.iter().map(|u| (u.url.clone(), u.indices)).collect();
    if got == want { Ok(()) } else { Err(format!("got {got:?}, want {want:?}")) }
}

#[test]
fn extract_urls_group() {
    let s = suite("conformance/extract.yml");
    run("urls", &group(&s, "urls"), check_urls);
}

#[test]
fn extract_tco_urls_with_params() {
    let s = suite("conformance/extract.yml");
    run("tco_urls_with_params", &group(&s, "tco_urls_with_params"), check_urls);
}

#[test]
fn extract_urls_with_indices_group() {
    let s = suite("conformance/extract.yml");
    run("urls_with_indices", &group(&s, "urls_with_indices"), check_indexed_urls);
}

#[test]
fn extract_urls_with_directional_markers() {
    let s = suite("conformance/extract.yml");
    run("urls_with_directional_markers", &group(&s, "urls_with_directional_markers"), check_indexed_urls);
}

/// The configurations compiled into twitter_text_config must be the upstream files, or the
/// conformance results above would prove nothing about X.
#[test]
fn embedded_configs_match_upstream_json() {
    let pairs = [
        ("config/v1.json", twitter_text_config::config_v1()),
        ("config/v2.json", twitter_text_config::config_v2()),
        ("config/v3.json", twitter_text_config::config_v3()),
    ];
    for (file, embedded) in pairs {
        let json = fs::read_to_string(data(file)).expect("config file");
        let upstream = twitter_text_config::Configuration::configuration_from_json(&json);
        assert_eq!(&upstream, embedded, "{file}");
    }
}

#[test]
fn count_uses_v3_and_reports_bytes() {
    let cases: &[(&str, usize, usize)] = &[
        ("hej", 3, 3),
        // NFC first: e + U+0301 is é, weight 1 (2 without normalisation).
        ("cafe\u{301}", 4, 6),
        // An emoji sequence is one emoji of weight 2 in v3.
        ("👨\u{200D}👩\u{200D}👧\u{200D}👦", 2, 25),
        ("🇸🇪", 2, 8),
        ("日本", 4, 6),
        // Every link is a 23-character t.co link, bare domains too.
        ("https://example.com/a/very/long/path?with=query", 23, 47),
        ("example.com", 23, 11),
    ];
    for &(text, chars, bytes) in cases {
        assert_eq!(count(PlatformId::X, text), Length { chars, bytes }, "{text:?}");
    }
    assert_eq!(
        weighted_length("👨\u{200D}👩\u{200D}👧\u{200D}👦", XConfig::V2),
        // v2 weighs each code point: four emoji at 2, three ZWJ (general punctuation) at 1.
        11
    );
}

/// One link per top-level domain: the TLD table behind bare-domain links must be complete.
#[test]
fn extract_urls_every_tld() {
    let s = suite("conformance/tlds.yml");
    run("tlds country", &group(&s, "country"), check_urls);
    run("tlds generic", &group(&s, "generic"), check_urls);
}

/// `measure` counts with twitter-text's fast Nom backend and corrects its weighting of URLs
/// without a scheme; the slow External backend weighs them right, so the two must agree.
#[test]
fn bare_domain_correction_matches_external_backend() {
    let long_domain = format!("{}.com", "a".repeat(60));
    let filler = "x".repeat(270);
    let cjk = "日".repeat(130);
    let texts = [
        "example.com".to_owned(),
        "see example.com and budkavle.se/docs/intro?x=1 now".to_owned(),
        "http://example.com and example.com".to_owned(),
        "t.co/abcde bit.ly/abcde".to_owned(),
        "Cafe\u{301} på example.se".to_owned(),
        "twitter.comこれは日本語です。example.com中国語t.co/abcde".to_owned(),
        // Over the limit by its characters, within it once the link counts 23.
        format!("{filler} {long_domain}"),
        format!("{cjk} {long_domain}"),
        // Same, but with a character X rejects: still invalid.
        format!("{filler}\u{FFFE} {long_domain}"),
        // Under the limit by its characters, over it once the short link counts 23.
        format!("{filler} t.co"),
        format!("{filler} a.se"),
    ];
    for config in [XConfig::V1, XConfig::V2, XConfig::V3] {
        let configuration = match config {
            XConfig::V1 => twitter_text_config::config_v1(),
            XConfig::V2 => twitter_text_config::config_v2(),
            XConfig::V3 => twitter_text_config::config_v3(),
        };
        for text in &texts {
            let reference = twitter_text::parse_with_parser_backend(
                text,
                configuration,
                true,
                twitter_text::ParserBackend::External,
            );
            let want = XMeasure {
                weighted_length: usize::try_from(reference.weighted_length).unwrap(),
                valid: reference.is_valid,
                permillage: usize::try_from(reference.permillage).unwrap(),
            };
            assert_eq!(measure(text, config), want, "{config:?} {text:?}");
        }
    }
}
