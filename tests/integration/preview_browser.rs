//! Previews and `serve` in a real browser (issue 7, items 1, 3 and 5): the preview pages pass
//! the archive's accessibility gate (axe-core, WCAG 2.1 A/AA, light and dark, reflow at 320 px),
//! a thread's preview shows its parts with the counts budkavle's renderer gives, and with
//! `budkavle serve` running, editing a post file updates the open page within 2 s, a
//! front-matter error shows the error page, and fixing it brings the preview back.
//!
//! Each test copies the example repository, starts `budkavle serve` on a free port, and runs a
//! script from `tests/browser/` with Debian's Chromium through playwright-core (as
//! tests/site_browser.rs does). They never skip: a missing tool fails with the command that
//! installs it.

use crate::common;
use crate::common::serve_support;

use budkavle::PlatformId;
use common::browser::{browser, crate_root, preflight};
use common::copy_dir;

/// A copy of the example repository at the crate root (posts, media, strategy, theme).
fn example_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["strategy.toml", "content", "themes"] {
        let from = crate_root().join(name);
        if from.is_dir() {
            copy_dir(&from, &dir.path().join(name));
        } else {
            std::fs::copy(&from, dir.path().join(name)).expect("copy");
        }
    }
    dir
}

/// A thread with an image in the example.
const THREAD: &str = "2026-10-medborgardialog-parkstraket";

#[test]
fn preview_pages_pass_axe_in_light_and_dark_and_reflow() {
    preflight();
    let repo = example_repo();
    let server = serve_support::start(repo.path());
    let base = format!("http://{}", server.addr);
    let project = budkavle::Project::load(repo.path()).expect("the example loads");
    // The index, a thread with an image, the post with the most platforms, a crisis post,
    // a post in English, and whichever post has the most findings.
    let findings = budkavle::check::check(&project).expect("check");
    let most_findings = project
        .posts
        .iter()
        .max_by_key(|p| findings.iter().filter(|f| f.file == p.path).count())
        .map(|p| p.id.clone())
        .expect("posts");
    let mut pages = vec![
        "/previews/index.html".to_string(),
        "/previews/calendar.html".to_string(),
        format!("/previews/p/{THREAD}/index.html"),
    ];
    for id in [
        "2026-11-julmarknad-stortorget",
        "2027-01-kokningsrekommendation-norra-exempelstad",
        "2026-11-snow-clearing-in-english",
        most_findings.as_str(),
    ] {
        assert!(project.post(id).is_some(), "the example has {id}");
        pages.push(format!("/previews/p/{id}/index.html"));
    }
    pages.dedup();
    let mut args = pages.clone();
    args.push("--reflow".to_string());
    let run = browser("axe.mjs", &base, &args);
    assert_eq!(
        run.code, 0,
        "axe-core found violations on a preview page, or one scrolls sideways at 320 px:\n{}",
        run.output
    );
}

#[test]
fn the_preview_of_a_thread_shows_its_parts_with_the_renderers_counts() {
    preflight();
    let repo = example_repo();
    let project = budkavle::Project::load(repo.path()).expect("the example loads");
    let post = project.post(THREAD).expect("the thread");
    let rendered = budkavle::render(&project, post, PlatformId::Mastodon).expect("render");
    assert!(rendered.parts.len() > 1, "{THREAD} is a thread on Mastodon");
    let counts: Vec<String> = rendered.parts.iter().map(|p| format!("{}/{}", p.length, rendered.limit)).collect();
    let alt = post.media.first().map(|m| m.alt.clone()).expect("the thread has an image");

    let server = serve_support::start(repo.path());
    let base = format!("http://{}", server.addr);
    let args = vec![
        "--platform=mastodon".to_string(),
        format!("--counts={}", counts.join(",")),
        format!("--alt={alt}"),
        format!("/previews/p/{THREAD}/index.html"),
    ];
    let run = browser("preview_thread.mjs", &base, &args);
    assert_eq!(run.code, 0, "the thread's preview is not as rendered:\n{}", run.output);
}

#[test]
fn editing_a_post_while_serving_updates_the_open_page_and_errors_show_and_recover() {
    preflight();
    let repo = example_repo();
    let rel = format!("content/posts/{THREAD}.md");
    let server = serve_support::start(repo.path());
    let base = format!("http://{}", server.addr);
    let args = vec![
        format!("--file={}", repo.path().join(&rel).display()),
        format!("--where={rel}"),
        format!("/previews/p/{THREAD}/index.html"),
    ];
    let run = browser("preview_live.mjs", &base, &args);
    assert_eq!(run.code, 0, "live reload did not work as a reviewer needs:\n{}", run.output);
    assert_eq!(run.output.matches("\nok ").count() + usize::from(run.output.starts_with("ok ")), 3, "{}", run.output);
}
