//! The archive's machine-readable files (issue 4, items 3 and 4 of "Deliver"): the Atom feed is
//! valid against the RFC 4287 RELAX NG grammar (checked with Debian's `jing`, which these tests
//! require and never skip), the JSON Feed, the sitemap, the open-data export and the search
//! index have the documented shape, and hostile titles cannot break any of them.

use crate::common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use budkavle::PlatformId;
use budkavle::git::Version;
use budkavle::ledger::Published;
use budkavle::site::Record;
use common::Repo;
use jiff::Timestamp;
use serde_json::Value;

/// The RELAX NG (compact syntax) grammar of Atom, RFC 4287 Appendix B: a copy of
/// `../shared/data/feeds/atom-rfc4287.rnc`, so the validation runs on a machine that has only
/// this repository (tests/cap.rs checks the copy against the reference where it is present).
fn grammar() -> PathBuf {
    crate_root().join("tests/fixtures/feeds/atom-rfc4287.rnc")
}

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Validates an Atom document with `jing -c`; fails loudly, with the install command, when
/// `jing` is not there.
fn jing(feed: &[u8]) {
    if let Err(report) = validate(feed) {
        panic!("jing -c atom-rfc4287.rnc rejects the feed:\n{report}\n--- feed ---\n{}", String::from_utf8_lossy(feed));
    }
}

/// `jing -c`'s findings, if any.
fn validate(feed: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("feed.atom");
    std::fs::write(&file, feed).expect("write feed");
    let out = match Command::new("jing").arg("-c").arg(grammar()).arg(&file).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `jing` ({e}): the Atom feed is validated with Debian's jing; install it with \
             `apt-get install -y jing` (or run `bash .ci/run`)"
        ),
    };
    // Debian's wrapper warns on stderr about optional jars it does not find; that is not a finding.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let noise = |l: &&str| l.starts_with("[warning]") && l.contains("Unable to locate");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr.lines().filter(|l| !noise(l)).map(|l| format!("{l}\n")).collect::<String>()
    );
    if out.status.success() && report.trim().is_empty() { Ok(()) } else { Err(report) }
}

#[test]
fn jing_rejects_an_invalid_feed() {
    // Without this, a validator that accepted everything would pass every test below.
    let site = render(&example(), &example_record());
    let feed = text(&site, "feed.atom");
    let without_id = feed.replacen("  <id>https://arkiv.exempelstad.se/</id>\n", "", 1);
    assert_ne!(without_id, feed);
    let report = validate(without_id.as_bytes()).expect_err("jing accepted a feed without an id");
    assert!(report.contains("\"id\""), "{report}");
    let broken = feed.replacen("<title type=\"text\">", "<title type=\"text\"><", 1);
    assert!(validate(broken.as_bytes()).is_err(), "jing accepted a feed that is not well-formed XML");
}

/// Every file of the site, in memory.
fn render(project: &budkavle::Project, record: &Record) -> HashMap<String, Vec<u8>> {
    match budkavle::site::render(project, record) {
        Ok(pages) => pages.into_iter().collect(),
        Err(budkavle::Error::Invalid(d)) => panic!("site failed: {d:#?}"),
        Err(e) => panic!("site failed: {e}"),
    }
}

fn text<'a>(site: &'a HashMap<String, Vec<u8>>, path: &str) -> &'a str {
    let bytes = site.get(path).unwrap_or_else(|| panic!("the site has no {path}"));
    std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{path} is not UTF-8: {e}"))
}

fn json(site: &HashMap<String, Vec<u8>>, path: &str) -> Value {
    serde_json::from_str(text(site, path)).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn example() -> budkavle::Project {
    match budkavle::Project::load(crate_root()) {
        Ok(p) => p,
        Err(budkavle::Error::Invalid(d)) => panic!("the example repository does not load: {d:#?}"),
        Err(e) => panic!("the example repository does not load: {e}"),
    }
}

const VERSIONED: &str = "2026-11-snorojning-storgatan";
const RETRACTED: &str = "2026-11-julmarknad-marknadsplats";

/// What the ledger and git would say about the example: two posts published, one edited twice,
/// the retracted one taken down.
fn example_record() -> Record {
    let mut record = Record::default();
    record.published.insert(
        VERSIONED.to_string(),
        vec![
            Published {
                platform: PlatformId::Mastodon,
                url: Some("https://social.exempelstad.se/@exempelstad/1".into()),
                at: ts("2026-11-23T12:00:05Z"),
                deleted_at: None,
            },
            Published { platform: PlatformId::Bluesky, url: None, at: ts("2026-11-23T12:00:09Z"), deleted_at: None },
        ],
    );
    record.published.insert(
        RETRACTED.to_string(),
        vec![Published {
            platform: PlatformId::Mastodon,
            url: Some("https://social.exempelstad.se/@exempelstad/2".into()),
            at: ts("2026-11-02T09:00:03Z"),
            deleted_at: Some(ts("2026-11-03T08:00:00Z")),
        }],
    );
    record.versions.insert(
        VERSIONED.to_string(),
        vec![
            Version {
                n: 1,
                commit: "1111111111111111111111111111111111111111".into(),
                date: ts("2026-11-20T10:00:00Z"),
                author: Some("Anna Andersson".into()),
                source: String::from("+++\ntitle = \"Snöröjning\"\n+++\n\nFörsta versionen.\n").into(),
            },
            Version {
                n: 2,
                commit: "2222222222222222222222222222222222222222".into(),
                date: ts("2026-11-24T15:30:00Z"),
                author: Some("Bo Berg".into()),
                source: String::from("+++\ntitle = \"Snöröjning\"\n+++\n\nAndra versionen.\n").into(),
            },
        ],
    );
    record.versions.insert(
        RETRACTED.to_string(),
        vec![Version {
            n: 1,
            commit: "3333333333333333333333333333333333333333".into(),
            date: ts("2026-10-30T10:00:00Z"),
            author: None,
            source: String::from("+++\ntitle = \"Boka plats\"\n+++\n\nHemlig text som drogs tillbaka.\n").into(),
        }],
    );
    record
}

/// The `<entry>` of the Atom feed that links to `/p/<id>/`.
fn atom_entry<'a>(feed: &'a str, id: &str) -> &'a str {
    // Absolute (`…/p/<id>/`) or, without an archive address, relative to the feed (`p/<id>/`).
    let (absolute, relative) = (format!("/p/{id}/\"/>"), format!("\"p/{id}/\"/>"));
    feed.split("<entry")
        .skip(1)
        .find(|e| e.contains(&absolute) || e.contains(&relative))
        .unwrap_or_else(|| panic!("no entry for {id} in the feed:\n{feed}"))
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s.find(open).unwrap_or_else(|| panic!("no {open} in:\n{s}")) + open.len();
    let end = s[start..].find(close).unwrap_or_else(|| panic!("no {close} after {open}")) + start;
    &s[start..end]
}

// ---------------------------------------------------------------------------------------------
// Atom

#[test]
fn example_atom_feed_is_valid_rfc_4287() {
    let site = render(&example(), &example_record());
    let feed = text(&site, "feed.atom");
    jing(feed.as_bytes());

    assert!(
        feed.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert!(feed.contains("<id>https://arkiv.exempelstad.se/</id>"), "{feed}");
    assert!(feed.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://arkiv.exempelstad.se/feed.atom\"/>"
    ));
    assert!(feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://arkiv.exempelstad.se/\"/>"));
    assert!(feed.contains("<author>\n    <name>Exempelstads kommun</name>\n    <uri>https://www.exempelstad.se</uri>"));

    // Newest first, and the feed's `updated` is its newest entry's (no clock).
    let published: Vec<Timestamp> =
        feed.split("<entry").skip(1).map(|e| ts(between(e, "<published>", "</published>"))).collect();
    assert!(!published.is_empty() && published.len() <= 50);
    assert!(published.windows(2).all(|w| w[0] >= w[1]), "entries are not newest first: {published:?}");
    let updated: Vec<Timestamp> =
        feed.split("<entry").skip(1).map(|e| ts(between(e, "<updated>", "</updated>"))).collect();
    let feed_updated = ts(between(feed.split("<entry").next().unwrap_or_default(), "<updated>", "</updated>"));
    assert_eq!(Some(&feed_updated), updated.iter().max());

    // An edited post: published at its date, updated at its last version.
    let entry = atom_entry(feed, VERSIONED);
    assert!(entry.starts_with(" xml:lang=\"sv\">"), "{entry}");
    assert!(entry.contains("<id>https://arkiv.exempelstad.se/p/2026-11-snorojning-storgatan/</id>"));
    assert!(entry.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://arkiv.exempelstad.se/p/2026-11-snorojning-storgatan/\"/>"));
    assert_eq!(ts(between(entry, "<updated>", "</updated>")), ts("2026-11-24T15:30:00Z"));
    assert!(ts(between(entry, "<published>", "</published>")) < ts("2026-11-24T15:30:00Z"));
    assert!(entry.contains("<category term=\"Snöröjning\""), "{entry}");
    assert!(entry.contains("<content type=\"html\">&lt;p&gt;"), "content is escaped HTML: {entry}");

    // An English post says so.
    assert!(atom_entry(feed, "2026-11-snow-clearing-in-english").starts_with(" xml:lang=\"en\">"));

    // The retracted post: same id, marked, only the reason, updated when it was taken down.
    let entry = atom_entry(feed, RETRACTED);
    assert!(entry.contains("<title type=\"text\">Tillbakadraget: Boka plats på julmarknaden</title>"), "{entry}");
    assert!(entry.contains("Fel datum för julmarknaden"), "{entry}");
    assert!(!entry.contains("Säljer du hantverk"), "the retracted text is in the feed: {entry}");
    assert_eq!(ts(between(entry, "<updated>", "</updated>")), ts("2026-11-03T08:00:00Z"));
}

const HOSTILE_TITLE: &str = r#"<script>alert("x")</script> & ]]> 'citat' "dubbla" 🎄 Snö & <b>fet</b>"#;

fn hostile_repo(extra: &str) -> Repo {
    let repo = Repo::new(extra);
    repo.post(
        "fientlig.md",
        &format!(
            "+++\ntitle = '''{HOSTILE_TITLE}'''\ndate = 2026-11-02T09:00:00\ntags = [\"Snöröjning\", \"Test_1\"]\n+++\n\n\
             Brödtext med <script>alert(1)</script>, ]]> och &amp; och <![CDATA[ x ]]> och 🎄.\n"
        ),
    );
    repo.post(
        "kontroll.md",
        "+++\ntitle = \"Tecken \\u0001 som XML inte tål \\uFFFE\"\ndate = 2026-11-03T09:00:00\n+++\n\nText.\n",
    );
    repo.post(
        "indraget.md",
        &format!(
            "+++\ntitle = '''Indraget {HOSTILE_TITLE}'''\ndate = 2026-11-04T09:00:00\nretracted = '''Fel: <i>x</i> & ]]> \"y\"'''\n+++\n\nText.\n"
        ),
    );
    repo
}

#[test]
fn hostile_titles_keep_the_atom_feed_valid_and_escaped() {
    let repo = hostile_repo("");
    let site = render(&repo.load(), &Record::default());
    let feed = text(&site, "feed.atom");
    jing(feed.as_bytes());
    let entry = atom_entry(feed, "fientlig");
    assert!(
        entry.contains(
            "<title type=\"text\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; &apos;citat&apos; &quot;dubbla&quot; 🎄 Snö &amp; &lt;b&gt;fet&lt;/b&gt;</title>"
        ),
        "{entry}"
    );
    assert!(!feed.contains("<script"), "markup from a post reached the feed as markup:\n{feed}");
    assert!(!feed.contains("\u{1}") && !feed.contains("\u{FFFE}"), "characters XML forbids reached the feed");
    // The sanitised body has no script element, even as escaped HTML.
    assert!(!between(entry, "<content type=\"html\">", "</content>").contains("&lt;script"), "{entry}");
    let retracted = atom_entry(feed, "indraget");
    assert!(retracted.contains("Fel: &amp;lt;i&amp;gt;x&amp;lt;/i&amp;gt; &amp;amp; ]]&amp;gt;"), "{retracted}");

    // The JSON files carry the same strings intact.
    let feed = json(&site, "feed.json");
    let item = feed["items"].as_array().and_then(|a| a.iter().find(|i| i["title"] == HOSTILE_TITLE));
    assert!(item.is_some(), "the hostile title is not in feed.json as written: {feed:#}");
    let index = json(&site, "search-index.json");
    assert!(index["posts"].as_array().is_some_and(|a| a.iter().any(|p| p["title"] == HOSTILE_TITLE)));
}

#[test]
fn without_an_archive_url_feeds_stay_valid_with_relative_links_and_no_sitemap() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).expect("strategy");
    std::fs::write(
        repo.path().join("strategy.toml"),
        strategy.replace("archive_url = \"https://arkiv.testby.se\"\n", ""),
    )
    .expect("strategy");
    repo.post("a.md", "+++\ntitle = \"Snöröjning i natt\"\ndate = 2026-11-02T09:00:00\n+++\n\nVi plogar.\n");
    let project = repo.load();
    assert!(project.strategy.organisation().archive_url.is_none());
    let site = render(&project, &Record::default());

    let feed = text(&site, "feed.atom");
    jing(feed.as_bytes());
    let entry = atom_entry(feed, "a");
    assert!(!feed.contains("xml:base"), "{feed}");
    // Ids must be absolute IRIs: a stable urn:uuid, the same on every build.
    let id = between(entry, "<id>", "</id>");
    assert!(id.starts_with("urn:uuid:") && id.len() == "urn:uuid:".len() + 36, "{id}");
    let again = render(&repo.load(), &Record::default());
    assert_eq!(text(&again, "feed.atom"), feed);
    assert!(entry.contains("href=\"p/a/\""), "relative to the feed, wherever it is served: {entry}");

    let feed = json(&site, "feed.json");
    assert!(feed.get("feed_url").is_none() && feed.get("home_page_url").is_none(), "{feed:#}");
    assert_eq!(feed["items"][0]["url"], "p/a/");
    assert!(!site.contains_key("sitemap.xml"), "a sitemap needs absolute URLs");
}

#[test]
fn feeds_carry_the_latest_fifty_posts() {
    let repo = Repo::new("");
    for day in 1..=28 {
        for hour in [9, 15] {
            repo.post(
                &format!("p-{day:02}-{hour}.md"),
                &format!(
                    "+++\ntitle = \"Inlägg {day} kl {hour}\"\ndate = 2026-11-{day:02}T{hour:02}:00:00\n+++\n\nText.\n"
                ),
            );
        }
    }
    repo.post("utkast.md", "+++\ntitle = \"Utkast\"\ndate = 2026-12-01T09:00:00\ndraft = true\n+++\n\nText.\n");
    let site = render(&repo.load(), &Record::default());
    let feed = text(&site, "feed.atom");
    jing(feed.as_bytes());
    assert_eq!(feed.matches("<entry").count(), 50);
    assert!(feed.contains("/p/p-28-15/</id>") && !feed.contains("/p/p-03-9/</id>") && !feed.contains("utkast"));
    let items = json(&site, "feed.json")["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 50);
    assert_eq!(items[0]["id"], "https://arkiv.testby.se/p/p-28-15/");
}

// ---------------------------------------------------------------------------------------------
// JSON Feed

#[test]
fn json_feed_has_the_json_feed_1_1_shape() {
    let site = render(&example(), &example_record());
    let feed = json(&site, "feed.json");
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["title"], "Exempelstads kommun – arkiv över sociala medier");
    assert_eq!(feed["home_page_url"], "https://arkiv.exempelstad.se/");
    assert_eq!(feed["feed_url"], "https://arkiv.exempelstad.se/feed.json");
    assert_eq!(feed["language"], "sv");
    assert_eq!(feed["authors"][0]["name"], "Exempelstads kommun");
    let items = feed["items"].as_array().expect("items");
    assert!(!items.is_empty() && items.len() <= 50);
    let mut ids = BTreeSet::new();
    for item in items {
        for key in ["id", "url", "title", "content_html", "date_published", "date_modified", "language"] {
            assert!(item[key].is_string(), "item without a string `{key}`: {item:#}");
        }
        assert!(ids.insert(item["id"].as_str().unwrap_or_default().to_string()), "duplicate id {}", item["id"]);
        assert!(item["tags"].as_array().is_some_and(|t| t.iter().all(Value::is_string)), "{item:#}");
        let published = ts(item["date_published"].as_str().unwrap_or_default());
        let modified = ts(item["date_modified"].as_str().unwrap_or_default());
        assert!(modified >= published, "{item:#}");
        assert!(item["url"].as_str().is_some_and(|u| u.starts_with("https://arkiv.exempelstad.se/p/")));
    }
    let item = items.iter().find(|i| i["id"] == format!("https://arkiv.exempelstad.se/p/{VERSIONED}/")).expect("item");
    assert_eq!(item["date_modified"], "2026-11-24T15:30:00Z");
    assert_eq!(item["_budkavle"]["kind"], "news");
    let with_image =
        items.iter().find(|i| i["id"].as_str().is_some_and(|u| u.ends_with("/p/2026-11-julmarknad-stortorget/")));
    let with_image = with_image.expect("the post with images is in the feed");
    assert!(
        with_image["image"].as_str().is_some_and(|u| u.starts_with("https://arkiv.exempelstad.se/media/")),
        "{with_image:#}"
    );
    let retracted = items.iter().find(|i| i["_budkavle"]["retracted"].is_string()).expect("the retracted post");
    assert!(retracted["title"].as_str().is_some_and(|t| t.starts_with("Tillbakadraget: ")));
    assert!(!retracted["content_html"].as_str().unwrap_or_default().contains("Säljer du hantverk"));
    assert!(retracted.get("image").is_none());
}

#[test]
fn feeds_are_the_same_on_every_build() {
    let project = example();
    let a = render(&project, &example_record());
    let b = render(&project, &example_record());
    for path in ["feed.atom", "feed.json", "sitemap.xml", "export.json", "search-index.json", "sok/index.html"] {
        assert!(a.get(path) == b.get(path), "{path} differs between two builds of the same project");
    }
}

// ---------------------------------------------------------------------------------------------
// Sitemap

/// A path as a URI must carry it: UTF-8 bytes outside the unreserved set as `%XX`.
fn percent_encoded(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn sitemap_lists_every_page_and_nothing_else() {
    let site = render(&example(), &example_record());
    let sitemap = text(&site, "sitemap.xml");
    assert!(sitemap.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
    ));
    let listed: BTreeSet<String> =
        sitemap.split("<loc>").skip(1).map(|s| s[..s.find("</loc>").unwrap_or(0)].to_string()).collect();
    let pages: BTreeSet<String> = site
        .keys()
        .filter_map(|p| {
            if p == "index.html" { Some(String::new()) } else { p.strip_suffix("/index.html").map(|d| format!("{d}/")) }
        })
        .map(|d| format!("https://arkiv.exempelstad.se/{}", percent_encoded(&d)))
        .collect();
    assert_eq!(listed, pages, "the sitemap and the pages differ");
    assert_eq!(sitemap.matches("<url>").count(), listed.len(), "a URL is listed twice");
    for must in [
        "https://arkiv.exempelstad.se/".to_string(),
        format!("https://arkiv.exempelstad.se/p/{VERSIONED}/"),
        format!("https://arkiv.exempelstad.se/p/{VERSIONED}/v/1/"),
        format!("https://arkiv.exempelstad.se/p/{VERSIONED}/v/2/"),
        "https://arkiv.exempelstad.se/sok/".to_string(),
        "https://arkiv.exempelstad.se/arkiv/".to_string(),
        "https://arkiv.exempelstad.se/tags/".to_string(),
    ] {
        assert!(listed.contains(&must), "{must} is not in the sitemap:\n{sitemap}");
    }
    assert!(listed.iter().any(|u| u.starts_with("https://arkiv.exempelstad.se/tags/") && u.len() > 37), "no tag page");
    assert!(listed.iter().any(|u| u.starts_with("https://arkiv.exempelstad.se/arkiv/2026/")), "no month page");
    assert!(
        sitemap.contains(&format!(
            "<url><loc>https://arkiv.exempelstad.se/p/{VERSIONED}/v/2/</loc><lastmod>2026-11-24T15:30:00Z</lastmod></url>"
        )),
        "{sitemap}"
    );
    assert!(!sitemap.contains("feed.atom") && !sitemap.contains("/static/"), "only pages belong in a sitemap");
}

// ---------------------------------------------------------------------------------------------
// Export

#[test]
fn export_has_every_post_with_platforms_and_versions() {
    let project = example();
    let site = render(&project, &example_record());
    let export = json(&site, "export.json");
    assert_eq!(export["format"], "budkavle-export");
    assert_eq!(export["version"], 1);
    assert_eq!(export["organisation"]["name"], "Exempelstads kommun");
    assert_eq!(export["organisation"]["timezone"], "Europe/Stockholm");
    let posts = export["posts"].as_array().expect("posts");
    let archived: Vec<&str> = project.posts.iter().filter(|p| !p.draft).map(|p| p.id.as_str()).collect();
    let exported: Vec<&str> = posts.iter().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(exported, archived, "every archived post, in the project's order");

    let by_id = |id: &str| posts.iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("{id} not exported"));
    let p = by_id(VERSIONED);
    assert_eq!(p["url"], format!("https://arkiv.exempelstad.se/p/{VERSIONED}/"));
    assert_eq!(p["file"], format!("content/posts/{VERSIONED}.md"));
    assert_eq!(p["lang"], "sv");
    assert!(p["source"].as_str().is_some_and(|s| s.starts_with("+++")));
    assert!(p["html"].as_str().is_some_and(|s| s.contains("<p>")));
    assert_eq!(p["platforms"][0]["platform"], "mastodon");
    assert_eq!(p["platforms"][0]["url"], "https://social.exempelstad.se/@exempelstad/1");
    assert_eq!(p["platforms"][1]["url"], Value::Null);
    assert_eq!(p["platforms"][0]["at"], "2026-11-23T12:00:05Z");
    let versions = p["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["n"], 2);
    assert_eq!(versions[1]["commit"], "2222222222222222222222222222222222222222");
    assert_eq!(versions[1]["date"], "2026-11-24T15:30:00Z");
    assert_eq!(versions[1]["source"], "+++\ntitle = \"Snöröjning\"\n+++\n\nAndra versionen.\n");
    assert!(versions[1].get("author").is_none(), "authors are shown only when the strategy says so");
    // The correction is linked both ways.
    assert!(
        p["corrected_by"].as_array().is_some_and(|a| a.iter().any(|x| x == "2026-11-rattelse-snorojning-storgatan")),
        "{p:#}"
    );
    assert_eq!(by_id("2026-11-rattelse-snorojning-storgatan")["corrects"], VERSIONED);

    let crisis = by_id("2027-01-kokningsrekommendation-norra-exempelstad");
    assert_eq!(crisis["kind"], "crisis");
    assert!(crisis["crisis"]["area"]["description"].is_string(), "{crisis:#}");
    assert!(crisis["crisis"]["expires"].as_str().is_some_and(|e| e.starts_with("2027-01-")), "{crisis:#}");
    assert_eq!(
        by_id("2027-01-kokningsrekommendation-uppdatering-1")["updates"],
        "2027-01-kokningsrekommendation-norra-exempelstad"
    );

    let r = by_id(RETRACTED);
    assert!(r["retracted"].as_str().is_some_and(|s| s.starts_with("Fel datum")));
    assert_eq!(r["source"], Value::Null);
    assert_eq!(r["html"], Value::Null);
    assert_eq!(r["versions"][0]["source"], Value::Null);
    assert_eq!(r["versions"][0]["commit"], "3333333333333333333333333333333333333333");
    assert_eq!(r["platforms"][0]["deleted_at"], "2026-11-03T08:00:00Z");
    assert!(!text(&site, "export.json").contains("Hemlig text"), "a retracted post's text is in the export");
}

#[test]
fn export_names_authors_only_when_the_strategy_shows_them() {
    let repo = Repo::new("[site]\nshow_authors = true\n");
    repo.post("a.md", "+++\ntitle = \"A\"\ndate = 2026-11-02T09:00:00\n+++\n\nText.\n");
    let mut record = Record::default();
    record.versions.insert(
        "a".into(),
        vec![Version {
            n: 1,
            commit: "abc".into(),
            date: ts("2026-11-01T09:00:00Z"),
            author: Some("Anna Andersson".into()),
            source: String::from("x").into(),
        }],
    );
    let site = render(&repo.load(), &record);
    assert_eq!(json(&site, "export.json")["posts"][0]["versions"][0]["author"], "Anna Andersson");
}

// ---------------------------------------------------------------------------------------------
// Search

#[test]
fn search_index_has_normalised_words_of_every_post() {
    let project = example();
    let site = render(&project, &example_record());
    let index = json(&site, "search-index.json");
    assert_eq!(index["version"], 2);
    let posts = index["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), project.posts.iter().filter(|p| !p.draft).count());
    for p in posts {
        for key in ["id", "title", "url", "lang", "text"] {
            assert!(p[key].is_string(), "entry without `{key}`: {p:#}");
        }
        let words = p["text"].as_str().unwrap_or_default();
        assert_eq!(words, words.to_lowercase(), "{p:#}");
        assert!(!words.contains("  ") && !words.starts_with(' '), "{p:#}");
        let list: Vec<&str> = words.split(' ').collect();
        assert_eq!(list.len(), list.iter().collect::<BTreeSet<_>>().len(), "words are listed once: {p:#}");
        assert!(list.iter().all(|w| w.chars().all(char::is_alphanumeric)), "{p:#}");
        assert_eq!(p["url"], format!("p/{}/index.html", p["id"].as_str().unwrap_or_default()), "relative to the index");
    }
    let dates: Vec<&str> = posts.iter().filter_map(|p| p["date"].as_str()).collect();
    assert!(dates.windows(2).all(|w| ts(w[0]) >= ts(w[1])), "newest first");

    // "snö" finds the snow-clearing posts, as search.js decides: every query word starts a word.
    let hits = |query: &str| -> Vec<String> {
        let words: Vec<String> = query.to_lowercase().split_whitespace().map(str::to_string).collect();
        posts
            .iter()
            .filter(|p| {
                let hay = format!(" {}", p["text"].as_str().unwrap_or_default());
                words.iter().all(|w| hay.contains(&format!(" {w}")))
            })
            .filter_map(|p| p["id"].as_str().map(str::to_string))
            .collect()
    };
    let snow = hits("snö");
    assert!(snow.contains(&VERSIONED.to_string()), "{snow:?}");
    assert!(snow.iter().all(|id| !id.contains("english")), "diacritics are kept: {snow:?}");
    assert!(hits("snö storgatan").len() < snow.len() && hits("snö storgatan").contains(&VERSIONED.to_string()));
    assert!(hits("snow").contains(&"2026-11-snow-clearing-in-english".to_string()));

    // The retracted post is found by its title and reason only.
    let r = posts.iter().find(|p| p["id"] == RETRACTED).expect("retracted post indexed");
    assert_eq!(r["retracted"], true);
    let words = r["text"].as_str().unwrap_or_default();
    assert!(words.contains("julmarknaden") && words.contains("datum"), "{words}");
    assert!(!words.contains("hantverk"), "the retracted text is searchable: {words}");
}

#[test]
fn search_page_works_without_inline_script_and_points_to_the_monthly_index() {
    let site = render(&example(), &example_record());
    let page = text(&site, "sok/index.html");
    assert!(page.contains("<script src=\"../static/search.js\" defer></script>"), "{page}");
    assert_eq!(page.matches("<script").count(), 1, "the only script is search.js: {page}");
    let handler = regex::Regex::new(r"(?i)\son[a-z]+\s*=").expect("regex");
    assert!(!handler.is_match(page), "an inline event handler: {page}");
    assert!(page.contains("<label for=\"q\">"), "{page}");
    assert!(page.contains("<input type=\"search\" id=\"q\""), "{page}");
    assert!(page.contains("id=\"results\"") && page.contains("id=\"status\"") && page.contains("aria-live=\"polite\""));
    assert!(page.contains("href=\"../arkiv/index.html\""), "no path to the monthly index: {page}");
    assert!(page.contains("data-index=\"../search-index.json\""));
    assert_eq!(page.matches("<h1").count(), 1);
    let js = text(&site, "static/search.js");
    assert!(
        !js.contains("http://") && !js.contains("https://") && !js.contains("innerHTML"),
        "search.js must stay local and use text only"
    );
}
