//! The whole promise of `publish`, against real local servers: a post merged in a git
//! repository appears on the Mastodon server and the Bluesky PDS with its images and alt text,
//! the ledger commit records it with its approvers, a re-run sends nothing, an update goes out
//! as a reply, a changed post is edited, a retracted one removed — and the secrets appear in
//! no output, no ledger line and no commit.

use crate::common;
use crate::common::world;

use common::bin;
use serde_json::Value;
use world::{World, ok, plain};

const NOW: &str = "2026-12-01T12:00:00Z";

#[test]
fn a_merged_post_goes_out_once_then_replies_edits_and_retractions_follow() {
    let mut w = World::new("");
    w.merge(
        "snorojning.md",
        "+++\ntitle = \"Snöröjning i natt\"\ndate = 2026-11-30T09:00:00\nlang = \"sv\"\ntags = [\"Snöröjning\"]\n\n[[media]]\npath = \"../media/plog.png\"\nalt = \"En plogbil kör på Storgatan i snöfall.\"\n+++\n\nI natt plogar vi Storgatan. Ställ bilen på andra sidan gatan. Läs mer på https://www.testby.se/snorojning.\n\n---\n\nFrågor? Ring kundcenter på vardagar.\n",
    );
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("published"), "{text}");

    // Mastodon: a thread of two, the first with the image and its alt text.
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 2, "{statuses:#?}");
    let (first, second) = ordered(&statuses);
    assert!(plain(first["content"].as_str().unwrap()).contains("I natt plogar vi Storgatan"));
    assert_eq!(first["language"], "sv");
    let media = first["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 1);
    assert_eq!(media[0]["description"], "En plogbil kör på Storgatan i snöfall.");
    assert_eq!(second["in_reply_to_id"], first["id"]);

    // Bluesky: the same thread as records, image with alt, the reply pointing at the root.
    let records = w.bluesky.records();
    assert_eq!(records.len(), 2, "{records:#?}");
    let root = records.iter().find(|r| r["value"]["reply"].is_null()).expect("a root post");
    let reply = records.iter().find(|r| !r["value"]["reply"].is_null()).expect("a reply");
    assert_eq!(root["value"]["embed"]["images"][0]["alt"], "En plogbil kör på Storgatan i snöfall.");
    assert_eq!(reply["value"]["reply"]["root"]["uri"], root["uri"]);
    assert!(root["value"]["facets"].as_array().is_some_and(|f| !f.is_empty()), "links and tags are facets");

    // The ledger commit names post, platforms and approver; the ledger verifies.
    let message = w.git.head().unwrap().peel_to_commit().unwrap().message().unwrap().to_string();
    assert!(message.starts_with("budkavle publish: 2 published"), "{message}");
    for needle in ["Budkavle-Post: snorojning", "Approved-By: Bo Ek", "Budkavle-Platform: bluesky", "Budkavle-Source: "]
    {
        assert!(message.contains(needle), "`{needle}` missing:\n{message}");
    }
    let lines = w.ledger().len();
    assert_eq!(lines, 4, "an intent and an outcome per platform");
    let verify = bin().arg("--root").arg(w.repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));

    // A re-run sends nothing and writes nothing.
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("nothing was due"), "{text}");
    assert_eq!(w.ledger().len(), lines);
    assert_eq!(w.mastodon.statuses().len(), 2);
    assert_eq!(w.bluesky.records().len(), 2);

    // An update goes out as a reply to the thread's last part.
    w.merge(
        "snorojning-uppdatering.md",
        "+++\ntitle = \"Snöröjningen klar\"\ndate = 2026-11-30T15:00:00\nupdates = \"snorojning\"\n+++\n\nStorgatan är plogad. Tack för att ni flyttade bilarna.\n",
    );
    ok(&w.publish_at(NOW, &[]));
    let statuses = w.mastodon.statuses();
    assert_eq!(statuses.len(), 3);
    let update =
        statuses.iter().find(|s| plain(s["content"].as_str().unwrap()).contains("Storgatan är plogad")).unwrap();
    assert_eq!(update["in_reply_to_id"], second["id"], "the update answers the thread's last part");
    let records = w.bluesky.records();
    let update = records.iter().find(|r| r["value"]["text"].as_str().unwrap().contains("Storgatan är plogad")).unwrap();
    assert_eq!(update["value"]["reply"]["root"]["uri"], root["uri"], "the whole chain shares one root");

    // A reviewed change is edited in place on Mastodon and Bluesky.
    let changed = std::fs::read_to_string(w.repo.path().join("content/posts/snorojning.md"))
        .unwrap()
        .replace("Ställ bilen på andra sidan gatan.", "Ställ bilen på Lillgatan.");
    w.merge("snorojning.md", &changed);
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("edited"), "{text}");
    let edited = w.mastodon.status(first["id"].as_str().unwrap()).expect("still there");
    assert!(plain(edited["content"].as_str().unwrap()).contains("Ställ bilen på Lillgatan"), "{edited:#?}");
    assert_eq!(w.mastodon.statuses().len(), 3, "an edit is not a new post");

    // A retraction removes the update everywhere.
    let retracted = std::fs::read_to_string(w.repo.path().join("content/posts/snorojning-uppdatering.md"))
        .unwrap()
        .replace("updates = \"snorojning\"", "updates = \"snorojning\"\nretracted = \"Fel uppgift om Storgatan.\"");
    w.merge("snorojning-uppdatering.md", &retracted);
    let text = ok(&w.publish_at(NOW, &[]));
    assert!(text.contains("deleted"), "{text}");
    assert_eq!(w.mastodon.statuses().len(), 2);
    assert_eq!(w.bluesky.records().len(), 2);

    // No secret in the ledger or in any commit.
    let ledger_text: String = std::fs::read_dir(w.repo.path().join("ledger"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let mut walk = w.git.revwalk().unwrap();
    walk.push_head().unwrap();
    let messages: String =
        walk.flatten().map(|id| w.git.find_commit(id).unwrap().message().unwrap_or("").to_string()).collect();
    for secret in [&w.mastodon.token, &w.bluesky.password] {
        assert!(!ledger_text.contains(secret.as_str()) && !messages.contains(secret.as_str()));
    }
    let verify = bin().arg("--root").arg(w.repo.path()).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

/// The thread's statuses, root first.
fn ordered(statuses: &[Value]) -> (&Value, &Value) {
    let root = statuses.iter().find(|s| s["in_reply_to_id"].is_null()).expect("a root status");
    let reply = statuses.iter().find(|s| !s["in_reply_to_id"].is_null()).expect("a reply");
    (root, reply)
}

#[test]
fn a_post_longer_than_the_server_allows_is_held_with_what_to_change() {
    let mut w = World::new("");
    // The strategy claims a larger limit than the instance has.
    let strategy = std::fs::read_to_string(w.repo.path().join("strategy.toml"))
        .unwrap()
        .replace("[platforms.mastodon]\n", "[platforms.mastodon]\nchar_limit = 1000\n");
    let long = "Vi bygger om Storgatan under våren och sommaren. ".repeat(14);
    w.merge_files(&[
        ("strategy.toml", Some(&strategy)),
        (
            "content/posts/lang.md",
            Some(&format!(
                "+++\ntitle = \"Lång\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"mastodon\"]\n+++\n\n{long}\n"
            )),
        ),
    ]);
    let out = w.publish_at(NOW, &[]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "a blocked post needs a person: {text}");
    assert!(text.contains("BLOCKED") && text.contains("char_limit = 500"), "{text}");
    assert!(w.mastodon.statuses().is_empty());
    assert!(w.ledger().is_empty(), "nothing was attempted");
}

#[test]
fn an_image_that_cannot_be_made_safe_holds_its_post_and_platform_narrows_a_run() {
    let mut w = World::new("");
    let png =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media/plogbil.png")).unwrap();
    // A picture cut off in the middle, as a failed upload from a phone leaves it.
    w.repo.file("content/media/trasig.png", &png[..png.len() / 3]);
    w.merge_files(&[
        (
            "content/posts/bild.md",
            Some("+++\ntitle = \"Bild\"\ndate = 2026-11-30T09:00:00\n\n[[media]]\npath = \"../media/trasig.png\"\nalt = \"En trasig bild.\"\n+++\n\nHär är en bild.\n"),
        ),
        (
            "content/posts/text.md",
            Some("+++\ntitle = \"Text\"\ndate = 2026-11-30T10:00:00\n+++\n\nBara text i dag.\n"),
        ),
    ]);
    let out = w.publish_at(NOW, &["--platform", "bluesky"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("BLOCKED") && text.contains("trasig.png"), "{text}");
    assert_eq!(w.bluesky.records().len(), 1, "only the text post went out");
    assert!(w.mastodon.statuses().is_empty(), "--platform bluesky leaves Mastodon alone");
    let ledger = w.ledger();
    assert!(ledger.entries().iter().all(|e| e.post == "text"), "nothing was attempted for the blocked post");
}

#[test]
fn an_unfinished_request_older_than_mastodons_memory_is_found_among_the_accounts_posts() {
    let mut w = World::new("");
    w.merge(
        "gammal.md",
        "+++\ntitle = \"Gammal\"\ndate = 2026-11-30T09:00:00\nplatforms = [\"mastodon\"]\n+++\n\nVattnet stängs av på Kvarngatan i morgon.\n",
    );
    w.merge(
        "borta.md",
        "+++\ntitle = \"Borta\"\ndate = 2026-11-30T10:00:00\nplatforms = [\"mastodon\"]\n+++\n\nBiblioteket stänger tidigt i dag.\n",
    );
    // Two hours ago a run sent `gammal` and died before it heard back; `borta` never arrived.
    let project = budkavle::Project::load(w.repo.path()).unwrap();
    let text =
        budkavle::render(&project, project.post("gammal").unwrap(), budkavle::PlatformId::Mastodon).unwrap().parts[0]
            .text
            .clone();
    let posted: Value = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/statuses", w.mastodon.url))
        .bearer_auth(&w.mastodon.token)
        .form(&[("status", text.as_str())])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let two_hours_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
    let mut ledger = budkavle::ledger::Appender::open(w.repo.path()).unwrap();
    for post in ["gammal", "borta"] {
        let mut intent =
            budkavle::ledger::NewEntry::new(budkavle::ledger::Event::Intent, post, budkavle::PlatformId::Mastodon);
        intent.at = Some(two_hours_ago);
        intent.key = Some(budkavle::publish::key(post, budkavle::PlatformId::Mastodon));
        intent.content = Some(budkavle::ledger::content_hash(post.as_bytes()));
        ledger.append(intent).unwrap();
    }
    ledger.into_lock().release().unwrap();

    let out = w.publish_at(NOW, &[]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("gammal: published (found on the platform"), "{text}");
    assert!(text.contains("borta: UNKNOWN"), "not finding it settles nothing: {text}");
    assert_eq!(out.status.code(), Some(1), "the unknown one needs a person");
    assert_eq!(w.mastodon.statuses().len(), 1, "nothing was sent twice, nothing guessed");
    let state = w.ledger();
    assert_eq!(
        state.state("gammal", budkavle::PlatformId::Mastodon).remote.map(|r| r.id.clone()),
        posted["id"].as_str().map(String::from)
    );
}
