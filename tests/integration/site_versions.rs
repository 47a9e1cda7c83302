//! Version pages of the archive (`/p/<id>/v/<n>/`) built from real git history.

use crate::common;

use std::collections::HashMap;

use budkavle::site::Record;
use common::Repo;
use git2::{Commit, IndexAddOption, Repository, Signature, Time};

/// 2026-11-01T08:00:00Z: 09.00 in Stockholm.
const T0: i64 = 1_793_520_000;

fn commit(repo: &Repository, message: &str, author: &str, when: i64) {
    let mut index = repo.index().unwrap();
    index.add_all(["*"].iter(), IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"].iter(), None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::new(author, "someone@exempelstad.se", &Time::new(when, 60)).unwrap();
    let parents: Vec<Commit<'_>> = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).into_iter().collect();
    let refs: Vec<&Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &refs).unwrap();
}

fn post(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n\n{body}\n")
}

/// A repository whose post `vag` has three versions, and `enkel` one.
fn three_versions(repo: &Repo) {
    let git = Repository::init(repo.path()).unwrap();
    repo.post("vag.md", &post("Vägen är stängd", "Vägen till hamnen är stängd i dag.\n\nVi meddelar när den öppnar."));
    repo.post("enkel.md", &post("Enkel", "Bara en version."));
    commit(&git, "Add", "Anna Berg", T0);
    repo.post(
        "vag.md",
        &post("Vägen är stängd", "Vägen till hamnen är öppen igen i dag.\n\nVi meddelar när den öppnar."),
    );
    commit(&git, "Edit", "Bo Ek", T0 + 3600);
    repo.post("vag.md", &post("Vägen är öppen", "Vägen till hamnen är öppen igen i dag."));
    commit(&git, "Edit again", "Cecilia", T0 + 7200);
}

fn site(repo: &Repo) -> HashMap<String, String> {
    let project = repo.load();
    let record = Record::load(&project).unwrap();
    budkavle::site::render(&project, &record)
        .unwrap()
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn a_page_per_version_with_a_diff_to_the_one_before() {
    let repo = Repo::new("");
    three_versions(&repo);
    let pages = site(&repo);
    for n in 1..=3 {
        assert!(pages.contains_key(&format!("p/vag/v/{n}/index.html")), "version {n}");
    }
    assert!(!pages.contains_key("p/vag/v/4/index.html"));
    assert!(!pages.keys().any(|p| p.starts_with("p/enkel/v/")), "one version needs no version pages");

    let v1 = &pages["p/vag/v/1/index.html"];
    assert!(v1.contains("Version 1 av 3"), "{v1}");
    assert!(v1.contains("första versionen"), "{v1}");
    assert!(v1.contains("<time datetime=\"2026-11-01T08:00:00Z\">1 november 2026 kl. 09.00</time>"), "{v1}");
    assert!(v1.contains("<p>Vägen till hamnen är stängd i dag.</p>"), "the version's own text: {v1}");
    assert!(!v1.contains("rel=\"prev\""));
    assert!(v1.contains("href=\"../../../../p/vag/v/2/index.html\" rel=\"next\""));
    assert!(v1.contains("href=\"../../../../p/vag/index.html\""), "link to the current post");
    assert!(v1.matches("<h1").count() == 1);

    let v2 = &pages["p/vag/v/2/index.html"];
    assert!(v2.contains("Version 2 av 3") && v2.contains("Ändringar sedan version 1"), "{v2}");
    assert!(
        v2.contains("<del><span class=\"visually-hidden\" lang=\"sv\">Borttaget: </span>stängd</del><ins><span class=\"visually-hidden\" lang=\"sv\">Tillagt: </span>öppen igen</ins>"),
        "{v2}"
    );
    assert!(
        v2.contains("href=\"../../../../p/vag/v/1/index.html\" rel=\"prev\"")
            && v2.contains("href=\"../../../../p/vag/v/3/index.html\" rel=\"next\"")
    );
    assert!(v2.contains("<span aria-current=\"page\">Version 2</span>"), "{v2}");
    assert!(!v2.contains("Bo Ek"), "authors are hidden unless the strategy shows them");

    let v3 = &pages["p/vag/v/3/index.html"];
    if std::env::var("BUDKAVLE_SHOW").is_ok() {
        eprintln!("{v3}");
    }
    assert!(v3.contains("<h1>Vägen är öppen</h1>"));
    assert!(
        v3.contains(
            "Borttaget: </span>stängd</del><ins><span class=\"visually-hidden\" lang=\"sv\">Tillagt: </span>öppen</ins>"
        ),
        "title change: {v3}"
    );
    assert!(v3.contains("Borttaget: </span>Vi meddelar när den öppnar.</del>"), "removed paragraph: {v3}");
    assert!(!v3.contains("rel=\"next\""));

    // The post page links every version.
    let current = &pages["p/vag/index.html"];
    assert!(current.contains("/p/vag/v/3/"), "{current}");
}

#[test]
fn authors_only_when_the_strategy_says_so_and_english_labels() {
    let repo = Repo::new("[site]\nshow_authors = true\n");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    repo.file("strategy.toml", strategy.replacen("[organisation]\n", "[organisation]\nlang = \"en\"\n", 1).as_bytes());
    three_versions(&repo);
    let pages = site(&repo);
    let v2 = &pages["p/vag/v/2/index.html"];
    assert!(v2.contains("Bo Ek"), "{v2}");
    assert!(v2.contains("Version 2 of 3") && v2.contains("Changes since version 1"), "{v2}");
    assert!(
        v2.contains("Removed: </span>stängd</del><ins><span class=\"visually-hidden\" lang=\"en\">Added: </span>"),
        "{v2}"
    );
    // The post's text keeps the post's language; the labels carry the interface's.
    assert!(v2.contains("<article class=\"post version\" lang=\"en\">") || v2.contains("lang=\"en\""));
}

#[test]
fn nothing_in_a_version_can_inject_markup() {
    let repo = Repo::new("[site]\nshow_authors = true\n");
    let git = Repository::init(repo.path()).unwrap();
    repo.post("x.md", &post("Rubrik", "Text."));
    commit(&git, "Add", "Anna", T0);
    repo.post(
        "x.md",
        &post(
            "Rubrik <script>alert(1)</script>",
            "Text <script>alert(2)</script> <img src=x onerror=alert(3)> [a](javascript:alert(4))",
        ),
    );
    commit(&git, "Edit", "Anna & \"Bo\"", T0 + 60);
    let pages = site(&repo);
    let v2 = &pages["p/x/v/2/index.html"];
    assert!(!v2.contains("<script"), "{v2}");
    assert!(v2.contains("Författare: Anna &amp; &quot;Bo"), "{v2}");
    assert!(!v2.contains("onerror=") || !v2.contains("<img"), "{v2}");
    assert!(!v2.contains("javascript:alert(4)\""), "{v2}");
    assert!(
        v2.contains("&lt;script&gt;alert(2)&lt;&#x2F;script&gt;")
            || v2.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "{v2}"
    );
}

#[test]
fn retracted_posts_and_draft_versions_are_not_shown() {
    let repo = Repo::new("");
    let git = Repository::init(repo.path()).unwrap();
    repo.post("borta.md", &post("Borta", "Fel uppgifter."));
    repo.post("utkast.md", "+++\ntitle = \"Utkast\"\ndraft = true\n+++\n\nHemligt utkast.\n");
    commit(&git, "Add", "Anna", T0);
    repo.post("borta.md", "+++\ntitle = \"Borta\"\nretracted = \"Felaktiga uppgifter\"\n+++\n\nFel uppgifter.\n");
    repo.post("utkast.md", &post("Utkast", "Klar text."));
    commit(&git, "Retract and publish", "Anna", T0 + 60);
    repo.post("utkast.md", &post("Utkast", "Klar text, rättad."));
    commit(&git, "Edit", "Anna", T0 + 120);
    let pages = site(&repo);
    assert!(!pages.keys().any(|p| p.starts_with("p/borta/v/")), "a retracted post's text is not republished");
    assert!(pages.contains_key("p/utkast/v/2/index.html"));
    assert!(!pages.contains_key("p/utkast/v/3/index.html"));
    assert!(pages.values().all(|p| !p.contains("Hemligt utkast")), "draft versions stay private");
}

#[test]
fn a_change_outside_title_and_text_says_so() {
    let repo = Repo::new("");
    let git = Repository::init(repo.path()).unwrap();
    repo.post("t.md", &post("Tider", "Öppet i dag."));
    commit(&git, "Add", "Anna", T0);
    repo.post("t.md", "+++\ntitle = \"Tider\"\ntags = [\"Bibliotek\"]\n+++\n\nÖppet i dag.\n");
    commit(&git, "Tag", "Anna", T0 + 60);
    let pages = site(&repo);
    let v2 = &pages["p/t/v/2/index.html"];
    assert!(v2.contains("ändrades inte"), "{v2}");
    assert!(!v2.contains("<ins>") && !v2.contains("<del>"));
}
