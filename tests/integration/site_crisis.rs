//! Crisis information in the archive (issue 6, item 6): the banner on every page while crisis
//! mode is on (`content/CRISIS` or `[crisis] active = true`), the crisis page `/kris/` with one
//! timeline per chain (latest first, what changed, where each message went out), and alerts
//! marked expired or ended against a fixed clock.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use budkavle::PlatformId;
use budkavle::git::Version;
use budkavle::site::Record;
use common::{Repo, bin};

type Pages = BTreeMap<String, Vec<u8>>;

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("timestamp")
}

fn render_at(project: &budkavle::Project, record: &Record, now: &str) -> Pages {
    match budkavle::site::render_at(project, record, ts(now)) {
        Ok(files) => files.into_iter().collect(),
        Err(budkavle::Error::Invalid(d)) => panic!("render failed: {d:#?}"),
        Err(e) => panic!("render failed: {e}"),
    }
}

fn page<'a>(pages: &'a Pages, path: &str) -> &'a str {
    let bytes = pages.get(path).unwrap_or_else(|| panic!("no {path} in {:?}", pages.keys().collect::<Vec<_>>()));
    std::str::from_utf8(bytes).expect("pages are UTF-8")
}

fn html_pages(pages: &Pages) -> impl Iterator<Item = (&String, &str)> {
    pages.iter().filter(|(p, _)| p.ends_with(".html")).map(|(p, b)| (p, std::str::from_utf8(b).expect("UTF-8")))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?} in:\n{text}"));
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The banner's markup on a page, if it has one.
/// The link from the page at `path` to `target` (a site path) as the archive writes it: relative,
/// a folder's `index.html` written out.
fn link(path: &str, target: &str) -> String {
    let root = "../".repeat(path.matches('/').count());
    let (dir, rest) = target.split_at(target.find('#').unwrap_or(target.len()));
    format!("{root}{}index.html{rest}", dir.trim_start_matches('/'))
}

fn banner(html: &str) -> Option<&str> {
    html.find("<div class=\"crisis-banner\"").map(|i| {
        let rest = &html[i..];
        &rest[..rest.find("<header").unwrap_or(rest.len())]
    })
}

/// A chain's section on the crisis page.
fn chain<'a>(kris: &'a str, root: &str) -> &'a str {
    between(kris, &format!("id=\"kedja-{root}\""), "</section>")
}

const CRISIS_POST: &str = r#"+++
title = "Koka vattnet i Norrby"
date = 2027-01-19T07:30:00
kind = "crisis"
tags = ["Dricksvatten"]

[crisis]
event = "Kokningsrekommendation"
category = "Health"
urgency = "Immediate"
severity = "Moderate"
certainty = "Observed"
area = { description = "Norrby" }
expires = 2027-01-22T18:00:00
instruction = "Koka vattnet i minst en minut."
+++

Koka dricksvattnet i Norrby. Vi har hittat bakterier i vattnet.
"#;

const UPDATE: &str = r#"+++
title = "Vattentankar i Norrby"
date = 2027-01-19T16:00:00
kind = "crisis"
updates = "kris"
tags = ["Dricksvatten"]

[crisis]
event = "Kokningsrekommendation"
category = "Health"
urgency = "Immediate"
severity = "Severe"
certainty = "Observed"
area = { description = "Norrby och Björkhagen" }
expires = 2027-01-23T18:00:00
instruction = "Koka vattnet i minst en minut. Hämta dricksvatten vid vattentankarna."
+++

Uppdatering: Koka dricksvattnet i Norrby. Vi har ställt ut vattentankar vid skolan.
"#;

const CANCEL: &str = r#"+++
title = "Du kan dricka vattnet igen"
date = 2027-01-21T14:00:00
kind = "crisis"
cancels = "kris"

[crisis]
event = "Kokningsrekommendation"
category = "Health"
urgency = "Past"
severity = "Minor"
certainty = "Observed"
area = { description = "Norrby och Björkhagen" }
expires = 2027-01-22T14:00:00
instruction = "Du behöver inte koka vattnet längre."
+++

Nu kan du dricka vattnet utan att koka det.
"#;

fn plain(title: &str, date: &str, tags: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{tags}]\n+++\n\nText om {title}.\n")
}

/// A repository with a crisis chain (a post and an update) and enough other posts for every page
/// type: two start pages, tags, months, a retracted post and a post with two versions.
fn full_repo() -> Repo {
    let repo = Repo::new("");
    repo.post("kris.md", CRISIS_POST);
    repo.post("kris-uppdatering.md", UPDATE);
    for i in 1..=21 {
        repo.post(
            &format!("vanlig-{i:02}.md"),
            &plain(&format!("Vanligt inlägg {i}"), "2026-11-02T09:00:00", "\"Gator\""),
        );
    }
    repo.post(
        "indraget.md",
        "+++\ntitle = \"Indraget\"\ndate = 2026-11-03T09:00:00\nretracted = \"Fel uppgifter\"\n+++\n\nFel.\n",
    );
    repo
}

fn versions_record() -> Record {
    let version = |n: usize, date: &str| Version {
        n,
        commit: format!("{n:040}"),
        date: ts(date),
        author: None,
        source: format!("+++\ntitle = \"Vanligt inlägg 1\"\n+++\n\nText nummer {n}.\n").into(),
    };
    Record {
        published: Default::default(),
        versions: [(
            "vanlig-01".to_string(),
            vec![version(1, "2026-11-01T10:00:00Z"), version(2, "2026-11-02T10:00:00Z")],
        )]
        .into_iter()
        .collect(),
    }
}

/// Every kind of page the archive writes, present in `pages`.
fn assert_every_page_type(pages: &Pages) {
    for path in [
        "index.html",
        "page/2/index.html",
        "p/kris/index.html",
        "p/vanlig-01/index.html",
        "p/indraget/index.html",
        "p/vanlig-01/v/2/index.html",
        "tags/index.html",
        "tags/gator/index.html",
        "arkiv/index.html",
        "arkiv/2026/11/index.html",
        "om/index.html",
        "tillganglighet/index.html",
        "sok/index.html",
        "kris/index.html",
    ] {
        assert!(pages.contains_key(path), "the site has no {path}: {:?}", pages.keys().collect::<Vec<_>>());
    }
}

const BEFORE_EXPIRY: &str = "2027-01-20T12:00:00Z";

#[test]
fn the_banner_is_on_every_page_while_content_crisis_exists() {
    let repo = full_repo();
    let record = versions_record();

    let calm = render_at(&repo.load(), &record, BEFORE_EXPIRY);
    assert_every_page_type(&calm);
    for (path, html) in html_pages(&calm) {
        assert!(banner(html).is_none(), "{path} has a crisis banner without crisis mode");
        // The crisis page exists (there is a chain), so the menu links it.
        assert!(
            html.contains(&format!("<a href=\"{}\"", link(path, "/kris/"))),
            "{path} does not link the crisis page in the menu"
        );
    }

    repo.file("content/CRISIS", b"\n  Krisledningen \xc3\xa4r aktiverad. <script>alert(1)</script>\nandra raden\n");
    let crisis = render_at(&repo.load(), &record, BEFORE_EXPIRY);
    assert_every_page_type(&crisis);
    let mut n = 0;
    for (path, html) in html_pages(&crisis) {
        let b = banner(html).unwrap_or_else(|| panic!("{path} has no crisis banner while content/CRISIS exists"));
        assert!(
            b.contains(&format!("href=\"{}\"", link(path, "/kris/#kedja-kris"))),
            "{path}: the banner does not link the chain:\n{b}"
        );
        assert!(b.contains(">Koka vattnet i Norrby</a>"), "{path}: the banner does not name the chain:\n{b}");
        assert!(
            b.contains("Krisledningen är aktiverad. &lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
                || b.contains("Krisledningen är aktiverad. &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: the banner does not show the first line of content/CRISIS, escaped:\n{b}"
        );
        assert!(!b.contains("andra raden"), "{path}: the banner shows more than the first line");
        assert!(b.contains("role=\"region\""), "{path}: the banner is not a landmark");
        n += 1;
    }
    assert!(n >= 14, "only {n} pages");
    // Everything else on the pages is as it was.
    let strip = |html: &str| {
        let without = match banner(html) {
            Some(b) => html.replacen(b, "", 1),
            None => html.to_string(),
        };
        without.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n")
    };
    assert_eq!(strip(page(&crisis, "p/vanlig-02/index.html")), strip(page(&calm, "p/vanlig-02/index.html")));
}

#[test]
fn the_banner_is_on_every_page_while_the_strategy_says_crisis() {
    let repo = full_repo();
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    repo.file("strategy.toml", strategy.replacen("[crisis]\n", "[crisis]\nactive = true\n", 1).as_bytes());
    let pages = render_at(&repo.load(), &versions_record(), BEFORE_EXPIRY);
    assert_every_page_type(&pages);
    for (path, html) in html_pages(&pages) {
        let b = banner(html).unwrap_or_else(|| panic!("{path} has no crisis banner while [crisis] active = true"));
        assert!(b.contains(">Koka vattnet i Norrby</a>"), "{path}: {b}");
        assert!(!b.contains("crisis-banner-note"), "{path}: a note without content/CRISIS: {b}");
    }

    // Crisis mode without any crisis post: the banner links the (empty) crisis page.
    let repo = Repo::new("");
    repo.post("a.md", &plain("Vanligt", "2026-11-02T09:00:00", ""));
    repo.file("content/CRISIS", b"");
    let pages = render_at(&repo.load(), &Record::default(), BEFORE_EXPIRY);
    let kris = page(&pages, "kris/index.html");
    assert!(kris.contains("Det finns inga krismeddelanden just nu."), "{kris}");
    for (path, html) in html_pages(&pages) {
        let b = banner(html).unwrap_or_else(|| panic!("{path} has no banner"));
        assert!(
            b.contains(&format!("<a href=\"{}\">Läs våra krismeddelanden</a>", link(path, "/kris/"))),
            "{path}: {b}"
        );
    }
    // No crisis post and no crisis mode: no crisis page, no menu item.
    std::fs::remove_file(repo.path().join("content/CRISIS")).unwrap();
    let pages = render_at(&repo.load(), &Record::default(), BEFORE_EXPIRY);
    assert!(!pages.contains_key("kris/index.html"));
    assert!(html_pages(&pages).all(|(_, h)| banner(h).is_none() && !h.contains("kris/index.html\"")));
}

#[test]
fn the_examples_boil_water_chain_is_one_timeline_latest_first() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = match budkavle::Project::load(root) {
        Ok(p) => p,
        Err(e) => panic!("the example repository does not load: {e}"),
    };
    // After the all-clear went out, before its alert expired.
    let pages = render_at(&project, &Record::default(), "2027-01-21T15:00:00Z");
    let kris = page(&pages, "kris/index.html");
    assert_eq!(kris.matches("class=\"crisis-chain ").count(), 1, "one chain in the example:\n{kris}");
    let c = chain(kris, "2027-01-kokningsrekommendation-norra-exempelstad");
    let order = [
        "2027-01-kokningsrekommendation-upphor",
        "2027-01-kokningsrekommendation-uppdatering-2",
        "2027-01-kokningsrekommendation-uppdatering-1",
        "2027-01-kokningsrekommendation-norra-exempelstad",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|id| c.find(&format!("id=\"m-{id}\"")).unwrap_or_else(|| panic!("{id} is not in the timeline")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "not latest first: {positions:?}");
    // The English notice is a separate post, not part of the chain.
    assert!(!c.contains("boil-water-notice"));

    assert!(c.contains("4 meddelanden"), "{c}");
    assert!(c.contains("badge-status-ended\">Avslutad<"), "the cancelled chain is not marked ended");
    assert!(c.contains("Händelsen avslutades 21 januari 2027 kl. 14.00."), "{c}");
    // Local times, in the organisation's zone.
    assert!(c.contains("<time datetime=\"2027-01-19T15:00:00Z\">19 januari 2027 kl. 16.00</time>"), "{c}");

    // What changed, message by message.
    let first_update = between(c, "id=\"m-2027-01-kokningsrekommendation-uppdatering-1\"", "</article>");
    assert!(first_update.contains("Uppdatering"), "{first_update}");
    assert!(first_update.contains("<dt>Rubrik</dt>"), "the title change is not shown:\n{first_update}");
    assert!(first_update.contains("<dt>Vad du ska göra</dt>"), "{first_update}");
    assert!(
        first_update.contains("Tillagt: </span>också hämta dricksvatten vid vattentankarna"),
        "the instruction's addition is not marked:\n{first_update}"
    );
    assert!(first_update.contains("<summary>Ändringar i texten</summary>"), "{first_update}");
    let all_clear = between(c, "id=\"m-2027-01-kokningsrekommendation-upphor\"", "</article>");
    assert!(all_clear.contains("Avslutande meddelande"), "{all_clear}");
    assert!(all_clear.contains("<dt>Allvarlighetsgrad</dt>"), "{all_clear}");
    assert!(all_clear.contains("Borttaget: </span>Måttlig</del>"), "{all_clear}");
    assert!(all_clear.contains("Tillagt: </span>Liten</ins>"), "{all_clear}");
    assert!(all_clear.contains("<dt>Brådska</dt>"), "{all_clear}");
    let first = between(c, "id=\"m-2027-01-kokningsrekommendation-norra-exempelstad\"", "</article>");
    assert!(first.contains("Första meddelandet") && !first.contains("crisis-changes"), "{first}");
    // Not published anywhere in this record.
    assert!(first.contains("Inlägget har inte publicerats i någon kanal ännu."), "{first}");

    // The chain's posts say where their timeline is and that it ended.
    let post = page(&pages, "p/2027-01-kokningsrekommendation-uppdatering-2/index.html");
    assert!(
        post.contains("href=\"../../kris/index.html#kedja-2027-01-kokningsrekommendation-norra-exempelstad\""),
        "{post}"
    );
    assert!(post.contains("badge-status-ended"), "{post}");
    // The menu links the crisis page; no banner, as the example is not in crisis mode.
    assert!(page(&pages, "index.html").contains("<a href=\"kris/index.html\">Kris</a>"));
    assert!(html_pages(&pages).all(|(_, h)| banner(h).is_none()));

    // Before the all-clear, the chain is ongoing.
    let pages = render_at(&project, &Record::default(), "2027-01-20T12:00:00Z");
    let c = chain(page(&pages, "kris/index.html"), "2027-01-kokningsrekommendation-norra-exempelstad");
    assert!(c.contains("badge-status-active\">Pågår<"), "{c}");
    assert!(!c.contains("Utgånget"), "{c}");
    // The all-clear and the second update are dated later: shown as scheduled, and the chain
    // was last updated by the first update.
    let all_clear = between(c, "id=\"m-2027-01-kokningsrekommendation-upphor\"", "</article>");
    assert!(all_clear.contains("Planerat, inte skickat ännu"), "{all_clear}");
    let first_update = between(c, "id=\"m-2027-01-kokningsrekommendation-uppdatering-1\"", "</article>");
    assert!(!first_update.contains("Planerat"), "{first_update}");
    assert!(c.contains("senast uppdaterad <time datetime=\"2027-01-19T15:00:00Z\">"), "{c}");
}

#[test]
fn an_expired_alert_is_marked_expired_by_the_fixed_clock() {
    let repo = Repo::new("");
    repo.post("kris.md", CRISIS_POST);
    repo.post("kris-uppdatering.md", UPDATE);
    repo.file("content/CRISIS", b"Krisledningen arbetar.\n");
    let project = repo.load();

    // The update's alert expires 2027-01-23T18:00 local (17:00 UTC); the first post's a day earlier.
    let before = render_at(&project, &Record::default(), "2027-01-22T12:00:00Z");
    let c = chain(page(&before, "kris/index.html"), "kris");
    assert!(c.contains("badge-status-active\">Pågår<"), "{c}");
    assert!(c.contains("Gäller till 23 januari 2027 kl. 18.00"), "{c}");
    assert!(!c.contains("badge-status-expired"), "nothing has expired yet:\n{c}");
    assert!(
        banner(page(&before, "index.html")).is_some_and(|b| b.contains("Vattentankar") || b.contains("Koka vattnet"))
    );

    // Between the two expiries, only the first message is expired; the chain is still on.
    let between_expiries = render_at(&project, &Record::default(), "2027-01-23T08:00:00Z");
    let c = chain(page(&between_expiries, "kris/index.html"), "kris");
    assert!(c.contains("badge-status-active\">Pågår<"), "{c}");
    let first = between(c, "id=\"m-kris\"", "</article>");
    assert!(first.contains("badge-status-expired\">Utgånget<"), "{first}");
    assert!(first.contains("Gällde till 22 januari 2027 kl. 18.00"), "{first}");
    let update = between(c, "id=\"m-kris-uppdatering\"", "</article>");
    assert!(!update.contains("Utgånget"), "{update}");

    // One second past the latest expiry: the chain and the message are expired.
    let after = render_at(&project, &Record::default(), "2027-01-23T17:00:01Z");
    let c = chain(page(&after, "kris/index.html"), "kris");
    assert!(c.contains("badge-status-expired\">Gäller inte längre<"), "{c}");
    assert!(c.contains("Meddelandet gällde till 23 januari 2027 kl. 18.00. Det gäller inte längre."), "{c}");
    let update = between(c, "id=\"m-kris-uppdatering\"", "</article>");
    assert!(update.contains("badge-status-expired\">Utgånget<"), "{update}");
    let post = page(&after, "p/kris-uppdatering/index.html");
    assert!(post.contains("Meddelandet gällde till 23 januari 2027 kl. 18.00"), "{post}");
    // The banner no longer names an expired chain, but stays while crisis mode is on.
    let b = banner(page(&after, "index.html")).expect("banner");
    assert!(!b.contains("Koka vattnet") && !b.contains("Vattentankar"), "{b}");
    assert!(b.contains("Krisledningen arbetar.") && b.contains("href=\"kris/index.html\""), "{b}");

    // The pages are a function of the clock only through expiry.
    let again = render_at(&project, &Record::default(), "2027-01-23T17:30:00Z");
    assert_eq!(after, again);
}

#[test]
fn a_cancelled_chain_shows_as_ended() {
    let repo = Repo::new("");
    repo.post("kris.md", CRISIS_POST);
    repo.post("kris-uppdatering.md", UPDATE);
    repo.post("kris-slut.md", CANCEL);
    repo.file("content/CRISIS", b"");
    let project = repo.load();
    let pages = render_at(&project, &Record::default(), "2027-01-21T13:30:00Z");
    let c = chain(page(&pages, "kris/index.html"), "kris");
    assert!(c.contains("badge-status-ended\">Avslutad<"), "{c}");
    assert!(c.contains("Händelsen avslutades 21 januari 2027 kl. 14.00."), "{c}");
    assert!(c.contains("3 meddelanden"), "{c}");
    let cancel = between(c, "id=\"m-kris-slut\"", "</article>");
    assert!(cancel.contains("Avslutande meddelande"), "{cancel}");
    // An ended chain is not the banner's news any more.
    let b = banner(page(&pages, "index.html")).expect("banner");
    assert!(!b.contains("Koka vattnet"), "{b}");
    // A cancel that is not due yet does not end the chain.
    let early = render_at(&project, &Record::default(), "2027-01-21T12:00:00Z");
    let c = chain(page(&early, "kris/index.html"), "kris");
    assert!(c.contains("badge-status-active\">Pågår<"), "{c}");
    let cancel = between(c, "id=\"m-kris-slut\"", "</article>");
    assert!(cancel.contains("Planerat, inte skickat ännu"), "{cancel}");
    assert!(banner(page(&early, "index.html")).is_some_and(|b| b.contains("Koka vattnet")));
}

#[test]
fn each_message_links_its_platforms_from_the_ledger() {
    use budkavle::ledger::{Appender, Event, NewEntry};
    use budkavle::platform::Remote;
    let repo = Repo::new("");
    repo.post("kris.md", CRISIS_POST);
    repo.post("kris-uppdatering.md", UPDATE);
    {
        let mut ledger = Appender::open(repo.path()).expect("open the ledger");
        let posts = [
            ("kris", PlatformId::Mastodon, "https://social.testby.se/@testby/101", "2027-01-19T06:30:05Z"),
            ("kris", PlatformId::Bluesky, "https://bsky.app/profile/testby.se/post/3k1", "2027-01-19T06:30:09Z"),
            ("kris-uppdatering", PlatformId::Mastodon, "https://social.testby.se/@testby/102", "2027-01-19T15:00:04Z"),
            ("kris-uppdatering", PlatformId::X, "javascript:alert('ledger')", "2027-01-19T15:00:06Z"),
        ];
        for (post, platform, url, at) in posts {
            let key = format!("{post}:{}:1", platform.name());
            let mut intent = NewEntry::new(Event::Intent, post, platform);
            intent.key = Some(key.clone());
            intent.content = Some("0".repeat(64));
            intent.at = Some(ts(at));
            ledger.append(intent).expect("append intent");
            let mut published = NewEntry::new(Event::Published, post, platform);
            published.key = Some(key);
            published.at = Some(ts(at));
            published.remote = Some(Remote { id: "1".into(), url: Some(url.to_string()), parts: Vec::new() });
            ledger.append(published).expect("append published");
        }
    }
    let project = repo.load();
    let record = Record::load(&project).expect("the record");
    let pages = render_at(&project, &record, BEFORE_EXPIRY);
    let c = chain(page(&pages, "kris/index.html"), "kris");
    let first = between(c, "id=\"m-kris\"", "</article>");
    assert!(first.contains("<a href=\"https://social.testby.se/@testby/101\">Se inlägget på Mastodon</a>"), "{first}");
    assert!(
        first.contains("<a href=\"https://bsky.app/profile/testby.se/post/3k1\">Se inlägget på Bluesky</a>"),
        "{first}"
    );
    assert!(first.contains("<time datetime=\"2027-01-19T06:30:05Z\">19 januari 2027 kl. 07.30</time>"), "{first}");
    let update = between(c, "id=\"m-kris-uppdatering\"", "</article>");
    assert!(update.contains("<a href=\"https://social.testby.se/@testby/102\">"), "{update}");
    assert!(!update.contains("@testby/101"), "{update}");
    // A platform answer that is not a web address is named, not linked.
    assert!(!c.contains("javascript:"), "{c}");
    assert!(update.contains("X\n") || update.contains("<li>X"), "{update}");
}

#[test]
fn the_crisis_page_speaks_english_for_an_english_organisation() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    repo.file("strategy.toml", strategy.replacen("[organisation]\n", "[organisation]\nlang = \"en\"\n", 1).as_bytes());
    repo.post("kris.md", CRISIS_POST);
    repo.post("kris-uppdatering.md", UPDATE);
    repo.file("content/CRISIS", b"\n# The crisis team is active.\n");
    let pages = render_at(&repo.load(), &Record::default(), BEFORE_EXPIRY);
    let kris = page(&pages, "kris/index.html");
    assert!(kris.contains("<h1>Crisis information</h1>"), "{kris}");
    assert!(kris.contains("<dt>Severity</dt>") && kris.contains("Added: </span>Severe</ins>"), "{kris}");
    assert!(kris.contains("In effect until 23 January 2027, 18:00"), "{kris}");
    let b = banner(page(&pages, "index.html")).expect("banner");
    assert!(b.contains("Ongoing crisis:") && b.contains(">The crisis team is active.<"), "{b}");
    assert!(page(&pages, "index.html").contains("<a href=\"kris/index.html\">Crisis</a>"));
}

#[test]
fn build_takes_its_clock_from_budkavle_now() {
    let repo = Repo::new("");
    repo.post("kris.md", CRISIS_POST);
    let root = repo.path().to_str().unwrap();
    let build =
        |now: &str| bin().args(["--root", root, "build", "--only", "site"]).env("BUDKAVLE_NOW", now).output().unwrap();
    let out = build("2027-01-20T12:00:00Z");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kris = std::fs::read_to_string(repo.path().join("dist/site/kris/index.html")).unwrap();
    assert!(kris.contains("badge-status-active"), "{kris}");
    let out = build("2027-01-23T12:00:00Z");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kris = std::fs::read_to_string(repo.path().join("dist/site/kris/index.html")).unwrap();
    assert!(kris.contains("badge-status-expired"), "{kris}");
    let out = build("i morgon");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BUDKAVLE_NOW"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_retracted_message_stays_in_the_timeline_without_its_text() {
    let repo = Repo::new("");
    repo.post("kris.md", CRISIS_POST);
    repo.post(
        "kris-uppdatering.md",
        &UPDATE.replacen("updates = \"kris\"", "updates = \"kris\"\nretracted = \"Fel plats för tankarna\"", 1),
    );
    repo.post(
        "kris-uppdatering-2.md",
        &UPDATE.replacen("title = \"Vattentankar i Norrby\"", "title = \"Vattentankar vid Norrby skola\"", 1).replacen(
            "2027-01-19T16:00:00",
            "2027-01-19T17:00:00",
            1,
        ),
    );
    let pages = render_at(&repo.load(), &Record::default(), BEFORE_EXPIRY);
    let c = chain(page(&pages, "kris/index.html"), "kris");
    assert!(c.contains("3 meddelanden"), "{c}");
    let retracted = between(c, "id=\"m-kris-uppdatering\"", "</article>");
    assert!(retracted.contains("Tillbakadraget"), "{retracted}");
    assert!(!retracted.contains("vattentankar vid skolan"), "a retracted text is shown:\n{retracted}");
    assert!(!retracted.contains("crisis-changes"), "{retracted}");
    // The next message is compared with the last one that was not taken back.
    let later = between(c, "id=\"m-kris-uppdatering-2\"", "</article>");
    assert!(later.contains("Borttaget: </span>Koka vattnet i Norrby</del>"), "{later}");
}
