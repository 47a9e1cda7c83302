//! The renderer end to end: real posts in a real repository, rendered through the default theme.

use crate::common;

use budkavle::platform::PlatformId;
use budkavle::render::{Rendered, render};
use common::Repo;

fn rendered(repo: &Repo, id: &str, platform: PlatformId) -> Rendered {
    let project = repo.load();
    let post = project.post(id).expect("post");
    render(&project, post, platform).expect("render")
}

const THREAD: &str = r#"+++
title = "Snöröjning"
tags = ["Snöröjning", "Testby"]
+++

Vi plogar **huvudgatorna** i natt.

---

Läs mer om [snöröjningen](https://www.testby.se/snorojning/karta-och-tider).
"#;

#[test]
fn thematic_break_threads_on_mastodon_and_joins_on_facebook() {
    let repo = Repo::new("");
    repo.post("sno.md", THREAD);
    let m = rendered(&repo, "sno", PlatformId::Mastodon);
    assert_eq!(m.parts.len(), 2);
    assert_eq!(m.parts[0].text, "Vi plogar huvudgatorna i natt.\n\n1/2");
    assert_eq!(
        m.parts[1].text,
        "Läs mer om snöröjningen (https://www.testby.se/snorojning/karta-och-tider).\n\n/Testby kommun\n\n#Snöröjning #Testby\n\n2/2"
    );
    // Mastodon counts every URL as 23 characters.
    let expected = "Läs mer om snöröjningen ().\n\n/Testby kommun\n\n#Snöröjning #Testby\n\n2/2".chars().count() + 23;
    assert_eq!(m.parts[1].length, expected);
    assert_eq!(m.limit, 500);

    let f = rendered(&repo, "sno", PlatformId::Facebook);
    assert_eq!(f.parts.len(), 1);
    assert!(
        f.parts[0].text.starts_with("Vi plogar huvudgatorna i natt.\n\nLäs mer om snöröjningen"),
        "{}",
        f.parts[0].text
    );
    assert!(!f.parts[0].text.contains("**"));
}

#[test]
fn bluesky_facets_point_at_utf8_bytes_and_shorten_links() {
    let repo = Repo::new("");
    repo.post("sno.md", THREAD);
    let b = rendered(&repo, "sno", PlatformId::Bluesky);
    let part = &b.parts[1];
    assert!(part.text.starts_with("Läs mer om snöröjningen (www.testby.se/snorojning/k...)"), "{}", part.text);
    let json = serde_json::to_value(&part.facets).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3, "{json}");
    for facet in json.as_array().unwrap() {
        let start = facet["index"]["byteStart"].as_u64().unwrap() as usize;
        let end = facet["index"]["byteEnd"].as_u64().unwrap() as usize;
        let slice = &part.text.as_bytes()[start..end];
        let feature = &facet["features"][0];
        match feature["$type"].as_str().unwrap() {
            "app.bsky.richtext.facet#link" => {
                assert_eq!(slice, "www.testby.se/snorojning/k...".as_bytes());
                assert_eq!(feature["uri"], "https://www.testby.se/snorojning/karta-och-tider");
            }
            "app.bsky.richtext.facet#tag" => {
                let tag = feature["tag"].as_str().unwrap();
                assert_eq!(slice, format!("#{tag}").as_bytes());
            }
            other => panic!("unexpected facet {other}"),
        }
    }
    assert_eq!(b.max_bytes, Some(3000));
}

#[test]
fn long_part_is_split_at_sentences_and_numbered_on_x() {
    let repo = Repo::new("");
    let sentence = "Vi bygger om Parkstråket under våren och vill höra vad du tycker om förslaget.";
    let body: Vec<&str> = std::iter::repeat_n(sentence, 10).collect();
    repo.post("lang.md", &format!("+++\ntitle = \"Lång\"\ntags = [\"Parkstråket\"]\n+++\n\n{}\n", body.join(" ")));
    let x = rendered(&repo, "lang", PlatformId::X);
    assert!(x.parts.len() >= 3, "{:#?}", x.parts);
    let total = x.parts.len();
    for (i, part) in x.parts.iter().enumerate() {
        assert!(part.length <= 280, "part {} is {}", i + 1, part.length);
        assert!(part.text.ends_with(&format!("{}/{total}", i + 1)), "{}", part.text);
        // Every part ends a sentence: no sentence is cut in the middle.
        let without_number = part.text.rsplit_once("\n\n").unwrap().0;
        let text = if i + 1 == total { without_number.rsplit_once("\n\n").unwrap().0 } else { without_number };
        assert!(text.ends_with("förslaget."), "{text}");
    }
    assert!(!x.over_limit);
    assert!(x.parts.last().unwrap().text.contains("#Parkstråket"));
    // Facebook does not thread: one part, no numbering.
    let f = rendered(&repo, "lang", PlatformId::Facebook);
    assert_eq!(f.parts.len(), 1);
    assert!(!f.parts[0].text.contains("1/"));
}

#[test]
fn numbering_can_be_prefixed_or_turned_off() {
    let repo = Repo::new("[render]\nthread_numbering = \"prefix\"\nnumbering_format = \"({n} av {total})\"\n");
    repo.post("sno.md", THREAD);
    let m = rendered(&repo, "sno", PlatformId::Mastodon);
    assert!(m.parts[0].text.starts_with("(1 av 2) Vi plogar"), "{}", m.parts[0].text);

    let repo = Repo::new("[render]\nthread_numbering = \"none\"\n");
    repo.post("sno.md", THREAD);
    let m = rendered(&repo, "sno", PlatformId::Mastodon);
    assert_eq!(m.parts[0].text, "Vi plogar huvudgatorna i natt.");
}

#[test]
fn linkedin_escapes_little_text_and_writes_hashtags_its_way() {
    let repo = Repo::new("");
    repo.post("li.md", "+++\ntitle = \"Jobb\"\ntags = [\"Jobb\"]\n+++\n\nVi söker lärare (F-6) till skolan_nord!\n");
    let l = rendered(&repo, "li", PlatformId::Linkedin);
    assert_eq!(
        l.parts[0].text,
        "Vi söker lärare \\(F-6\\) till skolan\\_nord!\n\n/Testby kommun\n\n{hashtag|\\#|Jobb}"
    );
    // Measured on what a reader sees, not the escapes.
    assert_eq!(l.parts[0].length, "Vi söker lärare (F-6) till skolan_nord!\n\n/Testby kommun\n\n#Jobb".chars().count());
}

#[test]
fn overrides_replace_text_and_tags_and_skip_platforms() {
    let repo = Repo::new("");
    repo.post(
        "o.md",
        "+++\ntitle = \"O\"\ntags = [\"Lång\"]\n[platform.x]\ntext = \"Kort för X.\"\ntags = [\"Kort\"]\n[platform.instagram]\nskip = true\n+++\n\nLång text för alla andra.\n",
    );
    let x = rendered(&repo, "o", PlatformId::X);
    assert_eq!(x.parts[0].text, "Kort för X.\n\n#Kort");
    let m = rendered(&repo, "o", PlatformId::Mastodon);
    assert!(m.parts[0].text.starts_with("Lång text för alla andra."));
    let project = repo.load();
    let targets: Vec<_> = project.post("o").unwrap().targets().collect();
    assert!(!targets.contains(&PlatformId::Instagram));
    assert!(targets.contains(&PlatformId::X));
}

#[test]
fn media_travels_with_alt_text_and_crisis_posts_get_crisis_hashtags() {
    let repo = Repo::new("");
    repo.file("content/media/kran.png", b"\x89PNG\r\n\x1a\n");
    repo.post(
        "kris/vatten.md",
        "+++\ntitle = \"Koka vattnet\"\nkind = \"crisis\"\ntags = [\"Vatten\"]\n[[media]]\npath = \"../../media/kran.png\"\nalt = \"En vattenkran.\"\n[crisis]\nevent = \"Kokningsrekommendation\"\ncategory = \"Health\"\n+++\n\nKoka vattnet innan du dricker det.\n",
    );
    let m = rendered(&repo, "vatten", PlatformId::Mastodon);
    assert_eq!(m.media.len(), 1);
    assert_eq!(m.media[0].path, std::path::Path::new("content/media/kran.png"));
    assert_eq!(m.media[0].alt, "En vattenkran.");
    assert!(m.parts[0].text.ends_with("#KrisInfo #Vatten"), "{}", m.parts[0].text);
}

#[test]
fn instance_limit_from_strategy_applies() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    std::fs::write(
        repo.path().join("strategy.toml"),
        strategy.replace(
            "instance = \"https://social.testby.se\"",
            "instance = \"https://social.testby.se\"\nchar_limit = 100",
        ),
    )
    .unwrap();
    repo.post("sno.md", THREAD);
    let m = rendered(&repo, "sno", PlatformId::Mastodon);
    assert_eq!(m.limit, 100);
    assert!(m.parts.iter().all(|p| p.length <= 100), "{:#?}", m.parts);
}

#[test]
fn local_dates_are_read_in_the_organisation_time_zone() {
    let repo = Repo::new("");
    repo.post("d.md", "+++\ntitle = \"D\"\ndate = 2026-12-01T09:00:00\n+++\n\nText.\n");
    repo.post("e.md", "+++\ntitle = \"E\"\ndate = 2026-07-01T09:00:00Z\n+++\n\nText.\n");
    let project = repo.load();
    assert_eq!(project.post("d").unwrap().date.unwrap().to_string(), "2026-12-01T08:00:00Z");
    // Sorted by date.
    let ids: Vec<&str> = project.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, vec!["e", "d"]);
}

#[test]
fn updates_say_when_they_were_updated_in_their_own_language() {
    let repo = Repo::new("");
    repo.post(
        "forsta.md",
        "+++\ntitle = \"Vattenläcka\"\ndate = 2026-11-30T09:00:00\n+++\n\nVi lagar en vattenläcka.\n",
    );
    repo.post(
        "andra.md",
        "+++\ntitle = \"Läckan lagad\"\ndate = 2026-11-30T15:05:00\nupdates = \"forsta\"\n+++\n\nLäckan är lagad.\n\n---\n\nTack för ert tålamod.\n",
    );
    repo.post(
        "third.md",
        "+++\ntitle = \"Leak fixed\"\nlang = \"en\"\ndate = 2026-12-01T08:30:00\ncorrects = \"forsta\"\n+++\n\nThe leak is fixed.\n",
    );
    for platform in [PlatformId::Mastodon, PlatformId::Bluesky, PlatformId::X, PlatformId::Facebook] {
        let first = rendered(&repo, "forsta", platform);
        assert!(!first.parts[0].text.contains("Uppdaterad"), "the first message is not an update");
        let update = rendered(&repo, "andra", platform);
        assert!(
            update.parts[0].text.starts_with("Uppdaterad 30 november 2026 kl. 15.05\n"),
            "{platform}: {:?}",
            update.parts[0].text
        );
        assert!(update.parts.iter().skip(1).all(|p| !p.text.contains("Uppdaterad")), "only the first part says it");
        let english = rendered(&repo, "third", platform);
        assert!(english.parts[0].text.starts_with("Updated 1 December 2026, 08:30\n"), "{:?}", english.parts[0].text);
    }
}

/// Rendering a post to all its platforms at once shares the body's text between them; it must
/// give what rendering each platform on its own gives, overrides and threads included.
#[test]
fn render_targets_equals_rendering_each_platform() {
    let repo = Repo::new("");
    repo.post("sno.md", THREAD);
    repo.post(
        "over.md",
        "+++\ntitle = \"Över\"\ntags = [\"Testby\"]\n[platform.mastodon]\ntext = \"Egen text på Mastodon.\"\n[platform.x]\nskip = true\n+++\n\nVanlig text. Se https://www.testby.se/a.\n\n---\n\nDel två.\n",
    );
    let project = repo.load();
    for post in &project.posts {
        let all = budkavle::render::render_targets(&project, post).expect("render");
        let each: Vec<Rendered> = post.targets().map(|p| render(&project, post, p).expect("render")).collect();
        assert_eq!(all.len(), each.len());
        for (a, b) in all.iter().zip(&each) {
            assert_eq!(serde_json::to_string(a).expect("json"), serde_json::to_string(b).expect("json"), "{}", post.id);
        }
    }
}

/// A correction (a platform that cannot edit): the parts that changed since the version out,
/// the first starting with the label in the post's language, through the theme, no images; on
/// Instagram, which does not thread, shortened at a sentence to fit.
#[test]
fn a_correction_carries_the_changed_parts_with_a_label_and_fits() {
    use budkavle::render::{correction, part_hashes};
    let repo = Repo::new("");
    repo.post("snow.md", THREAD);
    let project = repo.load();
    let before = part_hashes(project.post("snow").unwrap(), PlatformId::Threads);
    assert_eq!(before.len(), 2);
    repo.post("snow.md", &THREAD.replace("Läs mer om", "Läs allt om"));
    let project = repo.load();
    let post = project.post("snow").unwrap();
    let c = correction(&project, post, PlatformId::Threads, &before).unwrap();
    assert_eq!(c.parts.len(), 1, "only the changed second part: {:#?}", c.parts);
    assert!(c.parts[0].text.starts_with("Rättelse: Läs allt om snöröjningen"), "{}", c.parts[0].text);
    assert!(!c.parts[0].text.contains("huvudgatorna"), "the unchanged part is not repeated");
    let all = correction(&project, post, PlatformId::Threads, &[]).unwrap();
    assert!(all.parts[0].text.starts_with("Rättelse: Vi plogar huvudgatorna"), "without hashes, every part");

    let english = THREAD.replace("+++\n\nVi plogar", "lang = \"en\"\n+++\n\nWe plough. Vi plogar");
    repo.post("snow.md", &english);
    let project = repo.load();
    let c = correction(&project, project.post("snow").unwrap(), PlatformId::X, &[]).unwrap();
    assert!(c.parts[0].text.starts_with("Correction: We plough."), "{}", c.parts[0].text);

    let long = format!(
        "+++\ntitle = \"Lång\"\n\n[[media]]\npath = \"../media/bild.jpg\"\nalt = \"En bild.\"\n+++\n\n{}",
        "Vi bygger om Storgatan under våren och sommaren. ".repeat(44) + "Frågor? Ring oss nu."
    );
    repo.file("content/media/bild.jpg", b"not read by the renderer");
    repo.post("lang.md", &long);
    let project = repo.load();
    let post = project.post("lang").unwrap();
    let whole = render(&project, post, PlatformId::Instagram).unwrap();
    assert!(!whole.over_limit && whole.parts[0].length > 2190, "the post itself just fits: {}", whole.parts[0].length);
    let c = correction(&project, post, PlatformId::Instagram, &[]).unwrap();
    assert!(!c.over_limit && c.parts.len() == 1, "{:#?}", c.parts);
    assert!(
        c.parts[0].text.starts_with("Rättelse: Vi bygger om") && c.parts[0].text.ends_with(" …\n\n/Testby kommun"),
        "{}",
        c.parts[0].text
    );
    assert!(!c.parts[0].text.contains("Ring oss nu"), "the last sentence is dropped to make room");
    assert!(c.media.is_empty(), "a correction carries no images");
}
