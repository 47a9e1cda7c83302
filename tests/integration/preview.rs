//! Previews (issue 7, items 1 and 2): what a reviewer's page shows for a post — every thread part
//! with its own count, what is over a limit marked, images with their alt text, the post's check
//! findings — and `--changed-since`, which narrows the index to the posts a pull request changes
//! and writes the Markdown summary for its comment (with a real git repository made by git2).

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use budkavle::PlatformId;
use common::{Repo, bin};

type Files = BTreeMap<String, Vec<u8>>;

fn previews(project: &budkavle::Project) -> Files {
    let findings = budkavle::check::check(project).expect("check");
    match budkavle::preview::render(project, &findings, None) {
        Ok(files) => files.into_iter().collect(),
        Err(budkavle::Error::Invalid(d)) => panic!("previews failed: {d:#?}"),
        Err(e) => panic!("previews failed: {e}"),
    }
}

fn page<'a>(files: &'a Files, path: &str) -> &'a str {
    let bytes = files.get(path).unwrap_or_else(|| panic!("no {path} in {:?}", files.keys().collect::<Vec<_>>()));
    std::str::from_utf8(bytes).expect("UTF-8")
}

/// The HTML of one platform's card on a preview page.
fn card<'a>(html: &'a str, platform: &str) -> &'a str {
    let start =
        html.find(&format!("data-platform=\"{platform}\"")).unwrap_or_else(|| panic!("no {platform} card in:\n{html}"));
    let start = html[..start].rfind("<section").expect("the card starts");
    let rest = &html[start..];
    let end = rest.find("</section>").expect("the card ends");
    &rest[..end]
}

const THREAD: &str = r#"+++
title = "Snöröjning i tre delar"
date = 2026-12-01T05:30:00
goal = "info"
audiences = ["alla"]
tags = ["Snöröjning"]
platforms = ["mastodon", "linkedin", "facebook"]

[[media]]
path = "../media/plog.png"
alt = "En gul plogbil röjer snö på Storgatan i gryningen."

[platform.linkedin]
text = """
{}SLUTET"""
+++

Vi plogar huvudgatorna i natt. Följ @kommun@social.testby.se för nyheter.

---

Flytta gärna bilen från gatan före klockan 22.

---

Läs mer på https://www.testby.se/snorojning om hur vi plogar.
"#;

fn thread_repo() -> Repo {
    let repo = Repo::new("");
    repo.file("content/media/plog.png", &png());
    repo.post("snorojning.md", &THREAD.replace("{}", &"Vi plogar i natt. Flytta bilen från gatan. ".repeat(70)));
    repo
}

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
        8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf,
        0xc0, 0xf0, 0x1f, 0, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae,
        0x42, 0x60, 0x82,
    ]
}

#[test]
fn a_thread_shows_every_part_in_order_with_its_own_count() {
    let repo = thread_repo();
    let project = repo.load();
    let files = previews(&project);
    let html = page(&files, "p/snorojning/index.html");
    let post = project.post("snorojning").expect("the post");
    let rendered = budkavle::render(&project, post, PlatformId::Mastodon).expect("render");
    assert_eq!(rendered.parts.len(), 3, "the post is a thread of three on Mastodon");

    let mastodon = card(html, "mastodon");
    assert_eq!(mastodon.matches("<li class=\"pv-part").count(), 3);
    let mut at = 0;
    for (i, part) in rendered.parts.iter().enumerate() {
        let marker =
            format!("data-part=\"{}\" data-length=\"{}\" data-limit=\"{}\"", i + 1, part.length, rendered.limit);
        let found = mastodon[at..].find(&marker).unwrap_or_else(|| panic!("part {} ({marker}) in order", i + 1));
        at += found + marker.len();
        assert!(
            mastodon.contains(&format!("{}/{}", part.length, rendered.limit)),
            "the visible count of part {}",
            i + 1
        );
    }
    assert!(mastodon.contains("Del 1 av 3") && mastodon.contains("Del 3 av 3"), "parts are labelled");
    // Mentions, links and tags are marked as the platform shows them.
    assert!(mastodon.contains("<span class=\"pv-mention\">@kommun@social.testby.se</span>"));
    assert!(mastodon.contains("<a class=\"pv-link\" href=\"https://www.testby.se/snorojning\">"));
    assert!(mastodon.contains("<span class=\"pv-tag\">#Snöröjning</span>"));
    // The account from strategy.toml (no display name there: the organisation's name).
    assert!(mastodon.contains("Testby kommun"));

    // Facebook does not thread: one part, joined.
    let facebook = card(html, "facebook");
    assert_eq!(facebook.matches("<li class=\"pv-part").count(), 1);
    assert!(!files.contains_key("summary.md"), "no summary without --changed-since");
}

#[test]
fn text_over_the_limit_is_highlighted_where_it_starts() {
    let repo = thread_repo();
    let project = repo.load();
    let files = previews(&project);
    let html = page(&files, "p/snorojning/index.html");
    let x = card(html, "linkedin");
    let r = budkavle::render(&project, project.post("snorojning").unwrap(), PlatformId::Linkedin).unwrap();
    assert!(r.over_limit, "the LinkedIn override is longer than 3,000");
    assert!(x.contains("pv-card-over"), "the card is marked");
    let mark = x.find("<mark class=\"pv-over\">").expect("the overflow is marked");
    assert!(x[mark..].contains("SLUTET"), "the end of the text is past the limit");
    assert!(!x[..mark].contains("SLUTET"));
    assert!(x.contains("Över gränsen härifrån:"), "screen readers hear where it starts: {x}");
    assert!(x.contains(&format!("{}/3000", r.parts[0].length)));
    // The index says so too.
    let index = page(&files, "index.html");
    assert!(index.contains("p/snorojning/index.html"));
    assert!(index.contains(&format!("{}/3000", r.parts[0].length)));
}

#[test]
fn images_carry_their_alt_text_and_are_copied() {
    let repo = thread_repo();
    let files = previews(&repo.load());
    let html = page(&files, "p/snorojning/index.html");
    let alt = "En gul plogbil röjer snö på Storgatan i gryningen.";
    let mastodon = card(html, "mastodon");
    let img = mastodon.find("<img src=\"../../media/content-media-plog.png\"").expect("the image");
    assert!(mastodon[img..].starts_with(&format!("<img src=\"../../media/content-media-plog.png\" alt=\"{alt}\">")));
    assert!(mastodon.contains(&format!("<summary>Alt-text</summary><p lang=\"sv\">{alt}</p>")), "alt text readable");
    assert_eq!(files.get("media/content-media-plog.png"), Some(&png()), "the image is copied beside the pages");
    assert!(files.contains_key("preview.css"));
    // No link card when there is an image: platforms show the image instead.
    assert!(!mastodon.contains("pv-linkcard"));
}

#[test]
fn a_posts_findings_are_listed_beside_it() {
    let repo = thread_repo();
    let project = repo.load();
    let findings = budkavle::check::check(&project).unwrap();
    let own: Vec<_> = findings.iter().filter(|f| f.file == Path::new("content/posts/snorojning.md")).collect();
    assert!(!own.is_empty(), "the over-long LinkedIn text is a finding");
    let files = previews(&project);
    let html = page(&files, "p/snorojning/index.html");
    let aside = &html[html.find("<aside").expect("findings aside")..];
    assert!(aside.contains(&format!("({})", own.len())), "the count of findings");
    for f in &own {
        assert!(aside.contains(&format!("data-rule=\"{}\"", f.rule)), "{} is listed", f.rule);
        assert!(aside.contains(&format!("{}:{}", f.line, f.column)));
    }
}

#[test]
fn a_link_card_for_a_post_without_images_and_nothing_from_other_hosts() {
    let repo = Repo::new("");
    repo.post(
        "lank.md",
        "+++\ntitle = \"Länk <script>alert(1)</script>\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"bluesky\"]\n+++\n\nSe https://www.testby.se/a/b och <b>inte</b> mer.\n",
    );
    let files = previews(&repo.load());
    let html = page(&files, "p/lank/index.html");
    let bluesky = card(html, "bluesky");
    assert!(bluesky.contains("<span class=\"pv-linkcard-host\">www.testby.se</span>"), "{bluesky}");
    assert!(!html.contains("<script"), "titles and text are escaped");
    assert!(!html.contains("<b>inte"), "post text is text, not markup");
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for attr in ["src=\"http", "href=\"http"] {
            if path.ends_with(".css") || !text.contains(attr) {
                continue;
            }
            // Links to the post's own addresses are fine; nothing is loaded from them.
            assert!(!text.contains("<link rel=\"stylesheet\" href=\"http"), "{path}");
            assert!(!text.contains("src=\"http"), "{path} loads from another host");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// --changed-since with a real git repository.

fn commit_all(repo: &git2::Repository, message: &str) {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new("Test", "test@example.org", &git2::Time::new(1_790_000_000, 0)).unwrap();
    let parents: Vec<git2::Commit> = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).into_iter().collect();
    let refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &refs).unwrap();
}

fn simple(title: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\", \"x\"]\n+++\n\n{body}\n"
    )
}

fn pr_repo() -> (Repo, git2::Repository) {
    let repo = Repo::new("");
    repo.post("a.md", &simple("Post A", "Första."));
    repo.post("b.md", &simple("Post B", "Andra."));
    repo.post("c.md", &simple("Post C", "Tredje."));
    let git = git2::Repository::init(repo.path()).unwrap();
    commit_all(&git, "base");
    (repo, git)
}

#[test]
fn changed_since_finds_edited_added_and_removed_posts() {
    let (repo, git) = pr_repo();
    let base = git.head().unwrap().peel_to_commit().unwrap().id().to_string();
    repo.post("a.md", &simple("Post A", "Första, ändrad och committad."));
    commit_all(&git, "edit a");
    repo.post("d.md", &simple("Post D", "Ny, bara i arbetskopian."));
    std::fs::remove_file(repo.path().join("content/posts/c.md")).unwrap();

    let changed = budkavle::preview::changed_since(repo.path(), &base).expect("changed");
    let mut posts: Vec<_> = changed.posts.iter().map(|p| p.display().to_string()).collect();
    posts.sort();
    assert_eq!(posts, ["content/posts/a.md", "content/posts/d.md"]);
    assert_eq!(changed.removed, [Path::new("content/posts/c.md").to_path_buf()]);
    assert!(!changed.settings_changed);

    let err = budkavle::preview::changed_since(repo.path(), "no-such-branch").unwrap_err();
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

#[test]
fn build_changed_since_writes_a_narrow_index_and_a_summary() {
    let (repo, git) = pr_repo();
    git.branch("main-base", &git.head().unwrap().peel_to_commit().unwrap(), false).unwrap();
    let long = "Lång text. ".repeat(310);
    // An X override that is too long.
    repo.post(
        "b.md",
        &format!(
            "+++\ntitle = \"Post B | ny\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\", \"linkedin\"]\n\n[platform.linkedin]\ntext = \"{long}\"\n+++\n\nAndra, ändrad.\n"
        ),
    );
    let out = bin().arg("--root").arg(repo.path()).args(["build", "--changed-since", "main-base"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dist = repo.path().join("dist/previews");
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
    assert!(index.contains("p/b/index.html"), "the changed post is listed");
    assert!(!index.contains("p/a/index.html") && !index.contains("p/c/index.html"), "unchanged posts are not");
    assert!(index.contains("1 inlägg ändrade sedan main-base."));
    assert!(dist.join("p/a/index.html").is_file(), "every post still has its page");

    let summary = std::fs::read_to_string(dist.join("summary.md")).unwrap();
    assert!(summary.starts_with("<!-- budkavle-previews -->\n"), "{summary}");
    assert!(summary.contains("| Post | Mastodon | LinkedIn | Findings |"), "{summary}");
    let row = summary.lines().find(|l| l.contains("Post B")).expect("a row for the changed post");
    assert!(row.contains("Post B \\| ny"), "pipes in titles are escaped: {row}");
    assert!(row.contains("❌ ") && row.contains("/3000"), "LinkedIn is over its limit: {row}");
    assert!(row.contains("error"), "the over-limit finding is counted: {row}");
    assert!(!summary.contains("Post A"));
}

#[test]
fn the_workflows_from_init_post_the_summary_on_the_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("kommun");
    let out = bin().arg("init").arg(&repo).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let github = std::fs::read_to_string(repo.join(".github/workflows/budkavle.yml")).unwrap();
    let parsed: serde_norway::Value = serde_norway::from_str(&github).expect("the GitHub workflow is YAML");
    assert_eq!(parsed["permissions"]["pull-requests"].as_str(), Some("write"), "it may comment");
    assert!(github.contains("--changed-since \"origin/${{ github.base_ref }}\""));
    assert!(github.contains("gh pr comment \"$PR\" --edit-last --body-file dist/previews/summary.md"));
    assert!(github.contains("fetch-depth: 0"), "the base branch must be in the clone");

    let gitlab = std::fs::read_to_string(repo.join(".gitlab-ci.yml")).unwrap();
    serde_norway::from_str::<serde_norway::Value>(&gitlab).expect("the GitLab CI file is YAML");
    assert!(gitlab.contains("--changed-since \"origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\""));
    assert!(gitlab.contains("merge_requests/$CI_MERGE_REQUEST_IID/notes"));
    assert!(gitlab.contains("GIT_DEPTH: 0"));
}

#[test]
fn a_theme_overrides_preview_templates_and_the_stylesheet() {
    let repo = thread_repo();
    let built_in = std::fs::read_to_string(repo.path().join("themes/default/preview/post.html")).unwrap();
    repo.file(
        "themes/default/preview/post.html",
        built_in.replace("{% block main %}", "{% block main %}<p class=\"egen\">Vår egen mall</p>").as_bytes(),
    );
    repo.file("themes/default/preview/preview.css", b"/* egen stil */\n");
    let files = previews(&repo.load());
    assert!(page(&files, "p/snorojning/index.html").contains("<p class=\"egen\">Vår egen mall</p>"));
    assert_eq!(page(&files, "preview.css"), "/* egen stil */\n");

    repo.file(
        "themes/default/preview/index.html",
        b"{% extends \"base.html\" %}{% block main %}{% if %}{% endblock main %}",
    );
    let project = repo.load();
    let findings = budkavle::check::check(&project).unwrap();
    match budkavle::preview::render(&project, &findings, None) {
        Err(budkavle::Error::Invalid(d)) => {
            assert_eq!(d[0].file, Path::new("themes/default/preview/index.html"), "{d:#?}");
        }
        other => panic!("a broken template is an error naming it, not {:?}", other.map(|f| f.len())),
    }
}

/// A post already out on Threads and Instagram (per the ledger) whose text changed: the
/// reviewer sees, beside it, that the change will go out as a reply or comment on the original,
/// and Mastodon, which edits, gets no such note.
#[test]
fn a_change_that_will_go_out_as_a_correction_is_shown_beside_the_post() {
    use budkavle::ledger::{Appender, Event, NewEntry};
    let repo = Repo::new("");
    let text = |time: &str| {
        format!(
            "+++\ntitle = \"Möte\"\nlang = \"sv\"\nplatforms = [\"mastodon\", \"threads\", \"instagram\"]\n\n[[media]]\npath = \"../media/bild.png\"\nalt = \"En ritning.\"\n+++\n\nMötet börjar {time}.\n"
        )
    };
    repo.file("content/media/bild.png", &png());
    repo.post("mote.md", &text("18.00"));
    let project = repo.load();
    let mut ledger = Appender::open(repo.path()).unwrap();
    for platform in [PlatformId::Mastodon, PlatformId::Threads, PlatformId::Instagram] {
        let mut e = NewEntry::new(Event::Published, "mote", platform);
        e.content = Some(budkavle::render(&project, project.post("mote").unwrap(), platform).unwrap().payload_hash());
        e.remote = Some(budkavle::platform::Remote { id: format!("{platform}-1"), url: None, parts: vec![] });
        ledger.append(e).unwrap();
    }
    ledger.into_lock().release().unwrap();
    let unchanged = budkavle::check::check(&project).unwrap();
    assert!(!unchanged.iter().any(|f| f.rule == "publish.correction"), "unchanged: no note");

    repo.post("mote.md", &text("19.00"));
    let project = repo.load();
    let findings = budkavle::check::check(&project).unwrap();
    let notes: Vec<_> = findings.iter().filter(|f| f.rule == "publish.correction").collect();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    let ig = notes.iter().find(|f| f.platform == Some(PlatformId::Instagram)).unwrap();
    assert_eq!(ig.level, budkavle::check::Level::Warning);
    assert!(
        ig.message.starts_with(
            "Instagram cannot edit a published caption: the change will go out as a comment \"Rättelse: …\" on the original"
        ),
        "{}",
        ig.message
    );
    let files = previews(&project);
    let html = page(&files, "p/mote/index.html");
    let aside = &html[html.find("<aside").expect("findings aside")..];
    assert!(aside.contains("data-rule=\"publish.correction\""), "{aside}");
    assert!(aside.contains("Threads cannot edit a published post"), "{aside}");
}
