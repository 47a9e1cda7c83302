//! The archive works wherever it is put (issue 15, item 1): with `archive_url` holding a path
//! (`…/sociala-medier/arkiv/`) it is served under that path by a plain static server, and opened
//! from disk (`file://`). Every page's links to the archive's own files are relative
//! (`src/site/links.rs`), so:
//!
//! - a link checker over every built HTML page finds no `href`/`src`/`action`/`data-index`
//!   that does not resolve to a file of the site (from the page's own folder, folder links to
//!   their `index.html`), and none that is site-absolute (`/arkiv/`) or leaves the site;
//! - every absolute address the build writes (feeds, sitemap, CAP, the search index) carries the
//!   path, and leads to a file;
//! - in Chromium, every page served under the path has its stylesheet, and from disk the start
//!   page is styled and its menu's archive link leads (click by click, down to a post) to styled
//!   pages.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::common::bin;
use crate::common::browser::{browser, preflight};
use crate::site_browser::{all_pages, example_repo, serve};

const PREFIX: &str = "sociala-medier/arkiv";

/// `budkavle build` with `env`; returns `<dir>/dist/site`.
fn build(dir: &Path, env: &[(&str, &str)]) -> PathBuf {
    let out = bin().arg("--root").arg(dir).arg("build").envs(env.iter().copied()).output().expect("run budkavle");
    assert!(
        out.status.success(),
        "budkavle build failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("dist/site")
}

/// The example with `archive_url` set to `url`.
fn example_at(url: &str) -> tempfile::TempDir {
    let repo = example_repo();
    let strategy = repo.path().join("strategy.toml");
    let text = std::fs::read_to_string(&strategy).unwrap();
    let changed = text.replace("archive_url = \"https://arkiv.exempelstad.se\"", &format!("archive_url = \"{url}\""));
    assert_ne!(changed, text, "the example's archive_url changed: update this test");
    std::fs::write(&strategy, changed).unwrap();
    repo
}

/// Every file of the site, relative to it, `/`-separated.
fn files(site: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(site).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    out.sort();
    out
}

/// The values of the link attributes of every tag in `html`, in order. HTML is read the simple
/// but sufficient way for pages whose text is escaped: a value is what follows `␣name=` up to
/// its closing quote (or, unquoted, the next space or `>`).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["href", "src", "action", "data-index"] {
        let needle = format!("{name}=");
        let mut from = 0;
        while let Some(at) = html[from..].find(&needle).map(|i| i + from) {
            from = at + needle.len();
            if !html[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
                continue;
            }
            let rest = &html[from..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or(""),
            };
            out.push(value.replace("&amp;", "&").replace("&#x2F;", "/"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()),
        ) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What is wrong with `link` on the page at `page` (relative to `site`), if anything: a link to
/// another host or scheme, or to a place on the same page, is not the archive's to check.
fn check_link(site: &Path, page: &str, link: &str) -> Option<String> {
    let path = link.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() || link.starts_with("//") {
        return None;
    }
    if path.split('/').next().is_some_and(|first| first.contains(':')) {
        return None; // https:, mailto:, tel:
    }
    if path.starts_with('/') {
        return Some(format!("{link}: site-absolute, which breaks under a path and from disk"));
    }
    let mut at: Vec<String> = page.split('/').map(str::to_string).collect();
    at.pop();
    for part in Path::new(&percent_decode(path)).components() {
        match part {
            Component::ParentDir if at.pop().is_none() => return Some(format!("{link}: leaves the site")),
            Component::Normal(p) => at.push(p.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    let target = site.join(at.join("/"));
    if path.ends_with('/') || path == "." {
        return Some(format!("{link}: a folder, which a browser does not open from disk (link its index.html)"));
    }
    if target.is_dir() {
        return Some(format!("{link}: a folder without its index.html"));
    }
    (!target.is_file()).then(|| format!("{link}: no such file {}", target.display()))
}

/// The site-relative file an absolute address of the archive at `archive` names.
fn file_of(site: &Path, archive: &str, url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix(archive)?;
    let path = percent_decode(rest.split(['#', '?']).next().unwrap_or(""));
    let file = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path };
    Some(site.join(file))
}

#[test]
fn under_a_path_every_link_resolves_and_every_page_is_styled() {
    preflight();
    // The server's root holds the site under the path, as the organisation's web server would.
    let www = tempfile::tempdir().unwrap();
    let origin = serve(www.path());
    let archive = format!("{origin}/{PREFIX}/");
    let repo = example_at(&archive);
    let site = build(repo.path(), &[]);
    std::fs::create_dir_all(www.path().join("sociala-medier")).unwrap();
    std::os::unix::fs::symlink(&site, www.path().join(PREFIX)).unwrap();

    // Every internal link of every page resolves to a file of the site.
    let files = files(&site);
    let html: Vec<&String> = files.iter().filter(|f| f.ends_with(".html")).collect();
    assert!(html.len() > 40, "the example built too few pages: {html:?}");
    let mut broken = BTreeSet::new();
    let mut checked = 0;
    for page in &html {
        let text = std::fs::read_to_string(site.join(page)).unwrap();
        for link in links(&text) {
            checked += 1;
            if let Some(problem) = check_link(&site, page, &link) {
                broken.insert(format!("{page}: {problem}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken links of {checked}:\n{}",
        broken.len(),
        broken.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(checked > html.len() * 10, "too few links found ({checked}): is the extractor reading the pages?");

    // Every absolute address of the archive in any file carries the path and names a file.
    let mut absolute = 0;
    let mut wrong = BTreeSet::new();
    for file in files.iter().filter(|f| [".html", ".atom", ".xml", ".json"].iter().any(|x| f.ends_with(x))) {
        let text = std::fs::read_to_string(site.join(file)).unwrap();
        for (at, _) in text.match_indices(&origin) {
            let url: String = text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '&' | '\'' | '\\'))
                .collect();
            absolute += 1;
            match file_of(&site, &archive, &url) {
                None => {
                    wrong.insert(format!("{file}: {url} is not under {archive}"));
                }
                Some(target) if !target.is_file() => {
                    wrong.insert(format!("{file}: {url} names no file ({})", target.display()));
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "absolute addresses without the path:\n{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(absolute > 50, "feeds, sitemap and CAP should hold many absolute addresses, found {absolute}");
    let feed = std::fs::read_to_string(site.join("feed.atom")).unwrap();
    assert!(feed.contains(&format!("href=\"{archive}feed.atom\"")), "the feed's self link: {feed}");
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("<loc>{archive}arkiv/</loc>")), "{sitemap}");

    // The search index's addresses, relative to the index, name pages.
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("search-index.json")).unwrap()).unwrap();
    let posts = index["posts"].as_array().expect("posts in the index");
    assert!(!posts.is_empty());
    for p in posts {
        let url = p["url"].as_str().unwrap();
        assert!(site.join(url).is_file(), "the search index names {url}, which is no file");
    }

    // In Chromium, under the path: every page is styled.
    let pages = all_pages(&site);
    let run = browser("styles.mjs", &archive, &pages);
    assert_eq!(run.code, 0, "pages without their stylesheet under /{PREFIX}/:\n{}", run.output);
    assert!(run.output.contains(&format!("styles: {} pages checked, 0 problems", pages.len())), "{}", run.output);
    // Search finds a post and links it under the path.
    let run = browser(
        "search.mjs",
        &archive,
        &["--query=snö".to_string(), format!("--expect=^{}p/2026-11-sn", regex_escape(&archive))],
    );
    assert_eq!(run.code, 0, "search under the path:\n{}", run.output);
}

/// `url` as a JavaScript regular expression that matches it literally.
fn regex_escape(url: &str) -> String {
    url.chars().flat_map(|c| if "\\^$.|?*+()[]{}/".contains(c) { vec!['\\', c] } else { vec![c] }).collect()
}

#[test]
fn from_disk_the_pages_are_styled_and_the_links_lead_to_pages() {
    preflight();
    let repo = example_at("https://www.exempelstad.se/sociala-medier/arkiv/");
    let site = build(repo.path(), &[]);
    let start = format!("file://{}", site.join("index.html").canonicalize().unwrap().display());
    let run = browser("styles.mjs", "--follow", &[start]);
    assert_eq!(run.code, 0, "browsing the archive from disk:\n{}", run.output);
    assert!(run.output.contains("styles: 7 pages checked, 0 problems"), "{}", run.output);
    assert!(run.output.contains("/arkiv/index.html (archive link in the menu"), "{}", run.output);
}

/// `BUDKAVLE_ARCHIVE_URL` (what the Pages workflows set) wins over `archive_url` for one build,
/// and a value that is no web address is refused with what to write instead.
#[test]
fn the_archive_url_can_be_set_for_one_build() {
    let repo = example_repo();
    let pages = "https://kommun.github.io/sociala-medier/";
    let site = build(repo.path(), &[("BUDKAVLE_ARCHIVE_URL", pages)]);
    let feed = std::fs::read_to_string(site.join("feed.atom")).unwrap();
    assert!(feed.contains(&format!("href=\"{pages}feed.atom\"")), "{feed}");
    // (A post's own text may link the old address; the feed's links may not.)
    assert!(!feed.contains("href=\"https://arkiv.exempelstad.se"), "{feed}");
    let out = bin()
        .arg("--root")
        .arg(repo.path())
        .arg("build")
        .env("BUDKAVLE_ARCHIVE_URL", "javascript:alert(1)")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("BUDKAVLE_ARCHIVE_URL") && err.contains("strategy.toml"), "{err}");
}
