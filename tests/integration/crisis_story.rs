//! Issue 6's story on the real local peers: a campaign post is scheduled, a boil-water crisis
//! is merged with the one-line kill switch, the campaign is held, the crisis post and two
//! updates go out as one reply chain and the crisis post is pinned, an all-clear cancels and
//! unpins, and then the campaign goes out.

use crate::common;
use crate::common::world;

use budkavle::PlatformId;
use budkavle::ledger::Event;
use serde_json::Value;
use world::{World, ok, plain};

const CAMPAIGN: &str = "+++\ntitle = \"Julmarknad på torget\"\ndate = 2026-12-05T10:00:00\nkind = \"event\"\n+++\n\nVälkommen till julmarknaden på torget i helgen!\n";

const CRISIS: &str = r#"+++
title = "Koka dricksvattnet i norra Testby"
date = 2026-12-05T07:30:00
kind = "crisis"
pin = true

[crisis]
event = "Kokningsrekommendation"
category = "Health"
urgency = "Immediate"
severity = "Moderate"
certainty = "Observed"
area = { description = "Norra Testby" }
expires = 2026-12-09T18:00:00
instruction = "Koka vattnet i minst en minut."
contact = "Kundcenter, 0123-45 68 00"
web = "https://www.testby.se/vatten"
+++

Koka dricksvattnet i norra Testby. Vi har hittat bakterier i vattnet.
"#;

fn update(n: u32, updates: &str, time: &str, text: &str) -> String {
    format!(
        "+++\ntitle = \"Kokningsrekommendation, uppdatering {n}\"\ndate = {time}\nkind = \"crisis\"\nupdates = \"{updates}\"\n\n[crisis]\nevent = \"Kokningsrekommendation\"\ncategory = \"Health\"\nurgency = \"Immediate\"\nseverity = \"Moderate\"\ncertainty = \"Observed\"\narea = {{ description = \"Norra Testby\" }}\nexpires = 2026-12-09T18:00:00\n+++\n\n{text}\n"
    )
}

const ALL_CLEAR: &str = r#"+++
title = "Kokningsrekommendationen upphör"
date = 2026-12-06T09:00:00
kind = "crisis"
cancels = "koka"

[crisis]
event = "Kokningsrekommendation upphör"
category = "Health"
urgency = "Past"
severity = "Minor"
certainty = "Observed"
area = { description = "Norra Testby" }
expires = 2026-12-07T09:00:00
+++

Vattnet i norra Testby går att dricka igen. Du behöver inte koka det längre.
"#;

fn text_of(status: &Value) -> String {
    plain(status["content"].as_str().unwrap_or_default())
}

fn find<'a>(statuses: &'a [Value], needle: &str) -> &'a Value {
    statuses.iter().find(|s| text_of(s).contains(needle)).unwrap_or_else(|| panic!("no status with `{needle}`"))
}

fn find_record<'a>(records: &'a [Value], needle: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["value"]["text"].as_str().unwrap_or_default().contains(needle))
        .unwrap_or_else(|| panic!("no record with `{needle}`"))
}

#[test]
fn a_boil_water_crisis_holds_the_campaign_chains_its_updates_and_pins_until_the_all_clear() {
    let mut w = World::new("[crisis]\nhashtags = [\"KrisInfo\"]\ncap_sender = \"krisinfo@testby.se\"\n");
    w.merge("julmarknad.md", CAMPAIGN);

    // The crisis is merged together with the kill switch, before the campaign is due.
    w.merge_files(&[
        ("content/posts/koka.md", Some(CRISIS)),
        ("content/CRISIS", Some("Kokningsrekommendation i norra Testby\n")),
    ]);
    let text = ok(&w.publish_at("2026-12-05T07:45:00Z", &[]));
    assert!(text.contains("pinned"), "{text}");
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 1, "only the crisis post");
    let crisis = find(&statuses, "Koka dricksvattnet");
    assert!(text_of(crisis).contains("#KrisInfo"), "crisis hashtags");
    assert_eq!(crisis["pinned"], true, "pinned on Mastodon: {crisis:#?}");
    let crisis_record = find_record(&w.bluesky.records(), "Koka dricksvattnet")["uri"].as_str().unwrap().to_string();
    assert_eq!(w.bluesky.profile_pinned().as_deref(), Some(crisis_record.as_str()), "pinned on Bluesky");

    // The campaign is due, but held while the crisis lasts — and the plan says so.
    let dry = w.publish_at("2026-12-05T10:30:00Z", &["--dry-run"]);
    let plan = ok(&dry);
    assert!(plan.contains("held by crisis mode") && plan.contains("julmarknad"), "{plan}");
    ok(&w.publish_at("2026-12-05T10:30:00Z", &[]));
    assert_eq!(w.mastodon.statuses().len(), 1, "the campaign waits");

    // Two updates go out as one reply chain, each saying when it was updated.
    w.merge("koka-1.md", &update(1, "koka", "2026-12-05T12:00:00", "Vattentankar finns vid Norrby skola från kl. 14."));
    w.merge("koka-2.md", &update(2, "koka-1", "2026-12-05T16:00:00", "Nya prover tas i kväll."));
    ok(&w.publish_at("2026-12-05T16:30:00Z", &[]));
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 3);
    let first = find(&statuses, "Vattentankar");
    let second = find(&statuses, "Nya prover");
    assert_eq!(first["in_reply_to_id"], crisis["id"]);
    assert_eq!(second["in_reply_to_id"], first["id"]);
    assert!(text_of(first).contains("Uppdaterad 5 december 2026 kl. 12.00"), "{}", text_of(first));
    let records = w.bluesky.records();
    let b_second = find_record(&records, "Nya prover");
    assert_eq!(b_second["value"]["reply"]["root"]["uri"], crisis_record.as_str(), "one thread on Bluesky");

    // The all-clear: merged with the kill switch removed. It cancels, unpins, and the held
    // campaign goes out after it.
    w.merge_files(&[("content/posts/koka-slut.md", Some(ALL_CLEAR)), ("content/CRISIS", None)]);
    let text = ok(&w.publish_at("2026-12-06T09:30:00Z", &[]));
    assert!(text.contains("taken off the profile") || text.contains("unpinned"), "{text}");
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 5, "all-clear and campaign");
    let clear = find(&statuses, "går att dricka igen");
    assert_eq!(clear["in_reply_to_id"], crisis["id"], "the all-clear answers the post it cancels");
    let crisis_now = w.mastodon.status(crisis["id"].as_str().unwrap()).expect("still there");
    assert_eq!(crisis_now["pinned"], false, "unpinned on Mastodon");
    assert_eq!(w.bluesky.profile_pinned(), None, "unpinned on Bluesky");
    let campaign = find(&statuses, "julmarknaden");
    assert!(campaign["in_reply_to_id"].is_null());

    // The ledger tells it in order: crisis first, campaign last, pins recorded.
    let ledger = w.ledger();
    let published: Vec<(&str, PlatformId)> = ledger
        .entries()
        .iter()
        .filter(|e| e.event == Event::Published)
        .map(|e| (e.post.as_str(), e.platform))
        .collect();
    let order: Vec<&str> = published.iter().filter(|(_, p)| *p == PlatformId::Mastodon).map(|(id, _)| *id).collect();
    assert_eq!(order, ["koka", "koka-1", "koka-2", "koka-slut", "julmarknad"]);
    for platform in [PlatformId::Mastodon, PlatformId::Bluesky] {
        let events: Vec<Event> = ledger.for_post("koka").filter(|e| e.platform == platform).map(|e| e.event).collect();
        assert!(events.contains(&Event::Pinned) && events.contains(&Event::Unpinned), "{platform}: {events:?}");
        assert!(ledger.state("koka", platform).pinned.is_none());
    }

    // The archive and the CAP feed tell the same story.
    let build = common::bin()
        .arg("--root")
        .arg(w.repo.path())
        .args(["build", "--only", "site"])
        .env("BUDKAVLE_NOW", "2026-12-06T10:00:00Z")
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let site = w.repo.path().join("dist/site");
    let alert = |id: &str| std::fs::read_to_string(site.join(format!("cap/{id}.xml"))).unwrap();
    assert!(alert("koka").contains("<msgType>Alert</msgType>"));
    assert!(alert("koka-2").contains("<msgType>Update</msgType>") && alert("koka-2").contains("<references>"));
    assert!(alert("koka-slut").contains("<msgType>Cancel</msgType>"));
    let feed = std::fs::read_to_string(site.join("cap/index.atom")).unwrap();
    assert_eq!(feed.matches("<entry").count(), 4, "{feed}");
    let timeline = std::fs::read_to_string(site.join("kris/index.html")).unwrap();
    for title in ["Koka dricksvattnet i norra Testby", "uppdatering 1", "uppdatering 2", "upphör"] {
        assert!(timeline.contains(title), "`{title}` missing from the crisis page");
    }
    let at = |t: &str| timeline.find(t).unwrap();
    assert!(at("upphör") < at("uppdatering 2") && at("uppdatering 2") < at("uppdatering 1"), "latest first");
    let status_url = crisis["url"].as_str().unwrap();
    assert!(timeline.contains(status_url), "the crisis page links where the post went out");
}
