//! The archive site in a real browser (issue 4, items 4, 6 and 7 of "Deliver"): every page type
//! passes axe-core's WCAG 2.1 A/AA rules in light and dark mode and reflows at 320 px, no payload
//! in a post (or in a platform's answer in the ledger) runs, no page loads anything from another
//! host, and search finds posts. Each check also runs once on a deliberately bad page in
//! `tests/fixtures/site/`, so a check that passes everything would fail here.
//!
//! Each test builds a content repository with the `budkavle` binary, serves its `dist/site` from
//! a small static file server on 127.0.0.1 started here, and runs a node script from
//! `tests/browser/` that drives Debian's Chromium through playwright-core. The browser checks never
//! skip: a machine without node, `tests/node/node_modules` or `/usr/bin/chromium` fails with the
//! command that installs it (`bash .ci/run` installs all of them).

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::browser::{browser, crate_root, preflight};
use common::{Repo, bin, copy_dir};

// ---------------------------------------------------------------------------------------------
// A static file server, so the test needs nothing but the standard library to serve the site.

/// Serves `root` on an ephemeral port of 127.0.0.1 until the test process ends; returns the base URL.
pub(crate) fn serve(root: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &root);
            });
        }
    });
    format!("http://{addr}")
}

fn handle(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, 405, "text/plain; charset=utf-8", b"method not allowed\n", method == "HEAD", &[]);
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(rel) = percent_decode(path).filter(|p| p.starts_with('/')) else {
        return respond(&mut stream, 400, "text/plain; charset=utf-8", b"bad path\n", false, &[]);
    };
    if rel.split('/').any(|seg| seg == ".." || seg.contains('\\')) {
        return respond(&mut stream, 400, "text/plain; charset=utf-8", b"bad path\n", false, &[]);
    }
    let mut file = root.join(rel.trim_start_matches('/'));
    if file.is_dir() {
        if !rel.ends_with('/') {
            let location = format!("{path}/");
            return respond(
                &mut stream,
                301,
                "text/plain; charset=utf-8",
                b"moved\n",
                false,
                &[("Location", &location)],
            );
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => respond(&mut stream, 200, content_type(&file), &body, method == "HEAD", &[]),
        Err(_) => respond(
            &mut stream,
            404,
            "text/html; charset=utf-8",
            b"<!DOCTYPE html><html lang=\"en\"><title>Not found</title><h1>Not found</h1></html>\n",
            method == "HEAD",
            &[],
        ),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head: bool,
    extra: &[(&str, &str)],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let mut header = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        header.push_str(&format!("{name}: {value}\r\n"));
    }
    header.push_str("\r\n");
    stream.write_all(header.as_bytes())?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Types as a web server would send them; `nosniff` makes the browser hold the site to them.
fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("atom") => "application/atom+xml",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| !s.contains('\0'))
}

// ---------------------------------------------------------------------------------------------
// Building sites.

fn git(dir: &Path, args: &[&str], author: &str, date: &str) {
    let out = Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "redaktion@example.org")
        .env("GIT_COMMITTER_NAME", "budkavle test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git (apt-get install -y git)");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// `budkavle --root <dir> build`; returns `<dir>/dist/site`.
pub(crate) fn build_site(dir: &Path) -> PathBuf {
    let out = bin().arg("--root").arg(dir).arg("build").output().expect("run budkavle");
    assert!(
        out.status.success(),
        "budkavle build failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let site = dir.join("dist/site");
    assert!(site.join("index.html").is_file(), "budkavle build wrote no {}", site.join("index.html").display());
    // For looking at a failing site after the test: its temporary repository is gone by then.
    if let Some(keep) = std::env::var_os("BUDKAVLE_TEST_KEEP_SITES") {
        let name = format!("site-{}", std::thread::current().name().unwrap_or("main").replace("::", "-"));
        copy_dir(&site, &Path::new(&keep).join(name));
    }
    site
}

/// The post that gets two committed versions in the example copy.
const VERSIONED: &str = "2026-11-snorojning-storgatan";

/// A copy of the example repository at the crate root, committed twice so one post has two
/// versions (the crate's own git history is not used: a CI checkout may be shallow).
pub(crate) fn example_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let skip = ["target", "dist", ".git", ".ci", "src", "tests", "bench", "docs", "Cargo.toml", "Cargo.lock"];
    for entry in std::fs::read_dir(crate_root()).expect("read the crate root").flatten() {
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let to = dir.path().join(&name);
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    let post = dir.path().join(format!("content/posts/{VERSIONED}.md"));
    let current = std::fs::read_to_string(&post).expect("the versioned example post");
    let first = current.replacen("Butikerna på Storgatan har öppet som vanligt.", "Butikerna har öppet.", 1);
    assert_ne!(first, current, "the example post {VERSIONED} changed: pick another sentence to vary");
    std::fs::write(&post, first).expect("write");
    git(dir.path(), &["init", "-q"], "Redaktionen", "2026-11-20T09:00:00+01:00");
    git(dir.path(), &["add", "-A"], "Redaktionen", "2026-11-20T09:00:00+01:00");
    git(dir.path(), &["commit", "-q", "-m", "Exempelinnehåll"], "Redaktionen", "2026-11-20T09:00:00+01:00");
    std::fs::write(&post, current).expect("write");
    git(dir.path(), &["commit", "-q", "-a", "-m", "Butikerna"], "Redaktionen", "2026-11-21T10:30:00+01:00");
    dir
}

/// Every page of a built site, as URL paths (`/`, `/p/x/`, …), sorted.
pub(crate) fn all_pages(site: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() == "index.html")
        .map(|e| {
            let dir =
                e.path().parent().and_then(|d| d.strip_prefix(site).ok()).map(Path::to_path_buf).unwrap_or_default();
            let dir = dir.to_string_lossy().replace('\\', "/");
            if dir.is_empty() { "/".to_string() } else { format!("/{dir}/") }
        })
        .collect();
    pages.sort();
    pages
}

/// One page of every page type the archive has, by name; the first present page under `prefix`
/// stands for types with a variable path (a tag, a month).
fn page_types(site: &Path) -> (Vec<(&'static str, String)>, Vec<String>) {
    let pages = all_pages(site);
    let first_under = |prefix: &str, depth: usize| {
        pages.iter().find(|p| p.starts_with(prefix) && p.matches('/').count() == depth).cloned()
    };
    let wanted: Vec<(&'static str, Option<String>)> = vec![
        ("start page", Some("/".into())),
        ("start page 2", Some("/page/2/".into())),
        ("post", Some(format!("/p/{VERSIONED}/"))),
        ("post with images", Some("/p/2026-11-julmarknad-stortorget/".into())),
        ("post in English", Some("/p/2026-11-snow-clearing-in-english/".into())),
        ("correction", Some("/p/2026-11-rattelse-snorojning-storgatan/".into())),
        ("crisis post", Some("/p/2027-01-kokningsrekommendation-norra-exempelstad/".into())),
        ("tombstone of a retracted post", Some("/p/2026-11-julmarknad-marknadsplats/".into())),
        ("first version", Some(format!("/p/{VERSIONED}/v/1/"))),
        ("later version with a diff", Some(format!("/p/{VERSIONED}/v/2/"))),
        ("tag index", Some("/tags/".into())),
        ("tag page", first_under("/tags/", 3)),
        ("monthly index", Some("/arkiv/".into())),
        ("month page", first_under("/arkiv/", 4)),
        ("about", Some("/om/".into())),
        ("accessibility statement", Some("/tillganglighet/".into())),
        ("search", Some("/sok/".into())),
        ("crisis page", Some("/kris/".into())),
        ("results index", Some("/resultat/".into())),
        ("results of a month", Some("/resultat/2026-12/".into())),
    ];
    let mut present = Vec::new();
    let mut missing = Vec::new();
    for (name, path) in wanted {
        match path {
            Some(p) if pages.contains(&p) => present.push((name, p)),
            Some(p) => missing.push(format!("{name} ({p})")),
            None => missing.push(name.to_string()),
        }
    }
    (present, missing)
}

// ---------------------------------------------------------------------------------------------
// Running the browser scripts.

fn problem_lines(output: &str) -> String {
    output
        .lines()
        .filter(|l| {
            l.starts_with("VIOLATION")
                || l.starts_with("    ")
                || l.starts_with("UNSAFE")
                || l.starts_with("FOREIGN")
                || l.starts_with("error")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_page_type_passes_axe_in_light_and_dark_and_reflows() {
    preflight();
    let repo = example_repo();
    let site = build_site(repo.path());
    axe_gate(&site, "");
}

/// Every page type of the built `site` through axe (light, dark, 320 px); `context` says what
/// is special about this site in the failure message.
fn axe_gate(site: &Path, context: &str) {
    let base = serve(site);
    let (present, missing) = page_types(site);
    let mut args: Vec<String> = present.iter().map(|(_, p)| p.clone()).collect();
    args.push("--reflow".to_string());
    let run = browser("axe.mjs", &base, &args);
    assert_eq!(
        run.code,
        0,
        "{context}axe-core found WCAG 2.1 A/AA violations, or a page scrolls sideways at 320 px (or did not load):\n{}",
        problem_lines(&run.output)
    );
    assert!(missing.is_empty(), "the site has no page of these types: {}", missing.join(", "));
}

/// `budkavle report --format html` of the example's December (issue 13): the page with its
/// charts and tables passes the same gate, light and dark and at 320 px.
#[test]
fn the_html_report_passes_axe_in_light_and_dark_and_reflows() {
    preflight();
    let repo = example_repo();
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("rapport/index.html");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    // An inbox with two December items, one answered, so the inbox section has its chart too.
    let data = tempfile::tempdir().expect("temp dir");
    let store = data.path().join("store/inbox.sqlite3");
    let items = data.path().join("in.jsonl");
    std::fs::write(
        &items,
        "{\"platform\":\"facebook\",\"id\":\"1\",\"author\":\"A\",\"text\":\"Hej?\",\"at\":\"2026-12-01T08:00:00Z\"}\n\
         {\"platform\":\"mastodon\",\"id\":\"2\",\"author\":\"B\",\"text\":\"Hej?\",\"at\":\"2026-12-04T19:00:00Z\"}\n",
    )
    .unwrap();
    for (args, now) in [
        (vec!["inbox", "import", items.to_str().unwrap()], "2026-12-05T08:00:00Z"),
        (vec!["inbox", "resolve", "facebook:1", "--note", "Besvarad"], "2026-12-01T09:00:00Z"),
    ] {
        let out = bin()
            .arg("--root")
            .arg(repo.path())
            .args(&args)
            .env("BUDKAVLE_INBOX_STORE", &store)
            .env("BUDKAVLE_NOW", now)
            .env("BUDKAVLE_ACTOR", "Kim")
            .output()
            .expect("run budkavle");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = bin()
        .arg("--root")
        .arg(repo.path())
        .args(["report", "--period", "2026-12", "--now", "2027-01-20T00:00:00Z", "--format", "html", "-o"])
        .arg(&page)
        .env("BUDKAVLE_INBOX_STORE", &store)
        .output()
        .expect("run budkavle");
    assert!(out.status.success(), "budkavle report failed: {}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("role=\"img\"").count(), 4, "the example's December has all four charts");
    let base = serve(dir.path());
    let run = browser("axe.mjs", &base, &["/rapport/".to_string(), "--reflow".to_string()]);
    assert_eq!(
        run.code,
        0,
        "axe-core found WCAG 2.1 A/AA violations in the HTML report, or it scrolls sideways at 320 px:\n{}",
        problem_lines(&run.output)
    );
}

/// Crisis mode (issue 6): the banner on every page type and the crisis page with its timeline,
/// through the same gate, in light and dark and at 320 px.
#[test]
fn pages_with_the_crisis_banner_and_the_crisis_page_pass_axe() {
    preflight();
    let repo = example_repo();
    std::fs::write(
        repo.path().join("content/CRISIS"),
        "Krisledningen är aktiverad. Följ kommunens meddelanden här och på www.exempelstad.se.\n",
    )
    .expect("write content/CRISIS");
    let site = build_site(repo.path());
    let index = std::fs::read_to_string(site.join("index.html")).expect("read");
    assert!(index.contains("class=\"crisis-banner\""), "crisis mode is on but the start page has no banner");
    axe_gate(&site, "with the crisis banner, ");
}

#[test]
fn the_accessibility_gate_fails_on_a_broken_page() {
    preflight();
    let base = serve(&crate_root().join("tests/fixtures/site"));
    let run = browser("axe.mjs", &base, &["/broken.html".to_string(), "--reflow".to_string()]);
    assert_eq!(run.code, 1, "the gate must fail (exit 1) on tests/fixtures/site/broken.html:\n{}", run.output);
    for rule in ["html-has-lang", "image-alt", "color-contrast", "label", "link-name"] {
        for scheme in ["light", "dark"] {
            assert!(
                run.output.contains(&format!("VIOLATION /broken.html [{scheme}] {rule} ")),
                "the gate did not report `{rule}` in {scheme} mode on broken.html:\n{}",
                run.output
            );
        }
    }
    assert!(
        run.output.contains("VIOLATION /broken.html [320px] reflow"),
        "the gate did not report the page that scrolls sideways at 320 px:\n{}",
        run.output
    );
}

#[test]
fn no_page_of_the_example_loads_from_another_host() {
    preflight();
    let repo = example_repo();
    let site = build_site(repo.path());
    let base = serve(&site);
    let mut args = all_pages(&site);
    args.push("--search=snö".to_string());
    let run = browser("requests.mjs", &base, &args);
    assert_eq!(run.code, 0, "pages load resources from other hosts:\n{}", problem_lines(&run.output));
}

#[test]
fn the_request_check_catches_a_page_that_loads_from_another_host() {
    preflight();
    let base = serve(&crate_root().join("tests/fixtures/site"));
    let run = browser("requests.mjs", &base, &["/external.html".to_string()]);
    assert_eq!(run.code, 1, "requests.mjs must fail on tests/fixtures/site/external.html:\n{}", run.output);
    for url in ["https://fonts.example.net/", "http://tracker.example.com/pixel.gif", "https://cdn.example.org/x.woff2"]
    {
        assert!(run.output.contains(url), "requests.mjs missed {url}:\n{}", run.output);
    }
}

#[test]
fn search_finds_snow_clearing_posts() {
    preflight();
    let repo = example_repo();
    let site = build_site(repo.path());
    assert!(site.join("sok/index.html").is_file(), "the site has no search page /sok/");
    let base = serve(&site);
    let run = browser(
        "search.mjs",
        &base,
        &["--query=snö".to_string(), "--expect=sn(o|ö)r(o|ö)jning|snow-clearing".to_string()],
    );
    assert_eq!(run.code, 0, "searching for \"snö\" on /sok/ found no snow-clearing post:\n{}", run.output);
}

/// Payloads that call `alert(...)` or set `window.__pwned`: each names where it was planted, so a
/// failure says which field let it through.
fn xss_repo() -> Repo {
    let repo = Repo::new(
        r#"
[site]
show_authors = true
title = "Arkiv <script>alert('site title')</script>\"><img src=x onerror=\"window.__pwned='site title attr'\">"

[[goals]]
id = "xss"
description = "Mål <script>alert('goal')</script><img src=x onerror=\"window.__pwned='goal'\">"
"#,
    );
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).expect("strategy");
    let strategy = strategy.replacen(
        "name = \"Testby kommun\"",
        "name = \"Testby <script>alert('org name')</script>\\\" onmouseover=\\\"alert('org attr') kommun\"",
        1,
    );
    repo.file("strategy.toml", strategy.as_bytes());
    repo.file("content/media/bild.png", &std::fs::read(crate_root().join("content/media/plogbil.png")).expect("png"));

    repo.post(
        "xss-titel.md",
        r#"+++
title = "<script>alert('title')</script>\"><img src=x onerror=\"window.__pwned='title attr'\"> Snö och '><svg onload=alert('title svg')>"
date = 2026-11-02T09:00:00
goal = "xss"
tags = ["Snöröjning", "Snö＜script＞"]
+++

Plogning av <b>gatorna</b> i natt.
"#,
    );
    repo.post(
        "xss-brodtext.md",
        r#"+++
title = "Brödtext med skript"
date = 2026-11-03T09:00:00
goal = "info"
tags = ["Test"]
+++

<script>window.__pwned='body script'</script>

<img src="x" onerror="window.__pwned='body img onerror'">

<svg onload="window.__pwned='body svg onload'"><circle r="1"/></svg>

[klicka här](javascript:window.__pwned='markdown javascript link')

[versaler](JaVaScRiPt:alert('markdown case'))

<a href="javascript:alert('raw javascript link')">rå länk</a>

<a href="&#106;avascript:alert('entity link')">entitet</a>

<a href="https://example.org/" onclick="alert('onclick')" onmouseover="alert('onmouseover')">hovra</a>

[utbrytning](https://example.org/"onmouseover="alert('href breakout'))

"><script>alert('attribute breakout')</script>

'><img src=x onerror=alert('single quote breakout')>

<iframe src="javascript:alert('iframe')"></iframe>

<object data="javascript:alert('object')"></object>

<embed src="javascript:alert('embed')">

<form action="javascript:alert('form')"><button formaction="javascript:alert('formaction')">skicka</button></form>

<details open ontoggle="alert('ontoggle')"><summary>x</summary>y</details>

<math><mtext><table><mglyph><style><img src=x onerror="alert('mxss')"></style></mglyph></table></mtext></math>

<a href="data:text/html,<script>alert('data url')</script>">data</a>

<base href="javascript:alert('base')//">

<meta http-equiv="refresh" content="0;url=javascript:alert('meta refresh')">

<style>*{background:url("javascript:alert('css')")}</style>

<div style="background:url(javascript:alert('style attr'))">stil</div>

![bild](javascript:alert('markdown image'))

<javascript:alert('autolink')>

[referens][1]

[1]: javascript:alert('reference link')

```html
<script>alert('code block')</script>
```

`<script>alert('inline code')</script>`

</p><script>alert('closing tag')</script><p>

<!-- --><script>alert('comment')</script><!-- -->

<noscript><p title="</noscript><img src=x onerror=alert('noscript')>"></noscript>

<template><script>alert('template')</script></template>
"#,
    );
    repo.post(
        "xss-bild.md",
        r#"+++
title = "Bild med farlig alt-text"
date = 2026-11-04T09:00:00
goal = "info"

[[media]]
path = "../media/bild.png"
alt = "\"><script>alert('alt')</script><img src=x onerror=\"window.__pwned='alt img'\"> ' onerror='alert(1)"
+++

En bild.
"#,
    );
    repo.post(
        "xss-indraget.md",
        r#"+++
title = "Indraget inlägg"
date = 2026-11-05T09:00:00
goal = "info"
retracted = "<script>alert('retracted')</script>\"><img src=x onerror=\"window.__pwned='retracted'\">"
+++

<script>alert('retracted body')</script>
"#,
    );
    repo.post(
        "xss-rattelse.md",
        r#"+++
title = "Rättelse <script>alert('correction title')</script>"
date = 2026-11-06T09:00:00
goal = "info"
corrects = "xss-brodtext"
+++

Rättelse av <img src=x onerror=alert('correction body')>.
"#,
    );
    // The crisis banner shows the first line of content/CRISIS on every page.
    repo.file(
        "content/CRISIS",
        b"<script>alert('crisis note')</script><img src=x onerror=\"window.__pwned='crisis note'\">\n",
    );
    write_hostile_ledger(repo.path());
    let author = "Eve\" onmouseover=\"alert('author') ' onfocus='alert(2)";
    git(repo.path(), &["init", "-q"], author, "2026-11-06T12:00:00+01:00");
    git(repo.path(), &["add", "-A"], author, "2026-11-06T12:00:00+01:00");
    git(
        repo.path(),
        &["commit", "-q", "-m", "<script>alert('commit message')</script>"],
        author,
        "2026-11-06T12:00:00+01:00",
    );
    // A second version, so version pages and diffs carry payloads on both sides.
    let post = repo.path().join("content/posts/xss-brodtext.md");
    let text = std::fs::read_to_string(&post).expect("post");
    std::fs::write(&post, format!("{text}\n<img src=x onerror=\"window.__pwned='version 2'\">\n")).expect("write");
    git(repo.path(), &["commit", "-q", "-a", "-m", "v2"], author, "2026-11-07T12:00:00+01:00");
    repo
}

/// Publication records whose platform answers carry payloads: a platform's URL or post id is
/// input the organisation does not control either.
fn write_hostile_ledger(root: &Path) {
    use budkavle::PlatformId;
    use budkavle::ledger::{Appender, Event, NewEntry};
    use budkavle::platform::Remote;
    let mut ledger = Appender::open(root).expect("open the ledger");
    let answers = [
        ("xss-titel", PlatformId::Mastodon, "javascript:alert('ledger url')"),
        ("xss-brodtext", PlatformId::Bluesky, "https://bsky.example/p/1\"><script>alert('ledger attr')</script>"),
        ("xss-bild", PlatformId::Facebook, " JaVaScRiPt:window.__pwned='ledger case'"),
        ("xss-rattelse", PlatformId::X, "data:text/html,<script>alert('ledger data url')</script>"),
        ("xss-indraget", PlatformId::Threads, "https://threads.example/@x/1' onmouseover='alert(\"ledger single\")"),
    ];
    let hash = "0".repeat(64);
    for (post, platform, url) in answers {
        let key = format!("{post}:{}:1", platform.name());
        let mut intent = NewEntry::new(Event::Intent, post, platform);
        intent.key = Some(key.clone());
        intent.content = Some(hash.clone());
        intent.approvers = vec!["<script>alert('approver')</script>".to_string()];
        ledger.append(intent).expect("append intent");
        let mut published = NewEntry::new(Event::Published, post, platform);
        published.key = Some(key);
        published.remote = Some(Remote {
            id: "<img src=x onerror=\"window.__pwned='remote id'\">".to_string(),
            url: Some(url.to_string()),
            parts: Vec::new(),
        });
        ledger.append(published).expect("append published");
    }
}

#[test]
fn no_payload_in_a_post_runs_in_the_browser() {
    preflight();
    let repo = xss_repo();
    let site = build_site(repo.path());
    // The payloads must have reached the site as text, or the test proves nothing.
    for id in ["xss-titel", "xss-brodtext", "xss-bild", "xss-indraget", "xss-rattelse"] {
        let page = site.join("p").join(id).join("index.html");
        assert!(page.is_file(), "no page {} for a payload post", page.display());
    }
    let title_page = std::fs::read_to_string(site.join("p/xss-titel/index.html")).expect("read");
    assert!(
        title_page.contains("&lt;script&gt;alert("),
        "the title payload is not on its page as escaped text:\n{title_page}"
    );
    let base = serve(&site);
    let mut args = all_pages(&site);
    args.push("--search=script,alert,pwned,Snö,onerror".to_string());
    let run = browser("xss.mjs", &base, &args);
    assert_eq!(run.code, 0, "script payloads ran or survived as executable markup:\n{}", problem_lines(&run.output));
}

#[test]
fn post_content_cannot_make_a_page_load_from_another_host() {
    preflight();
    let repo = Repo::new("");
    repo.post(
        "extern.md",
        r#"+++
title = "Externa resurser"
date = 2026-11-02T09:00:00
goal = "info"
+++

![spårningspixel](https://tracker.example.com/pixel.png)

<img src="https://cdn.example.net/bild.jpg" alt="extern bild">

<img srcset="https://cdn.example.net/a.jpg 1x" src="/x.png" alt="srcset">

<video poster="https://cdn.example.net/poster.jpg" src="https://cdn.example.net/film.mp4"></video>

<audio src="https://cdn.example.net/ljud.mp3" autoplay></audio>

<link rel="stylesheet" href="https://fonts.example.net/css">

<style>@import url("https://fonts.example.net/x.css"); body { background: url(https://cdn.example.net/bg.png); }</style>

<p style="background-image: url(https://cdn.example.net/p.png)">stil</p>

En vanlig länk till [exempel.org](https://example.org/) ska finnas kvar, den laddas inte.
"#,
    );
    let site = build_site(repo.path());
    let base = serve(&site);
    let run = browser("requests.mjs", &base, &all_pages(&site));
    assert_eq!(run.code, 0, "a post made the site load resources from other hosts:\n{}", problem_lines(&run.output));
}

#[test]
fn the_xss_check_catches_a_payload_that_runs() {
    preflight();
    let base = serve(&crate_root().join("tests/fixtures/site"));
    let run = browser("xss.mjs", &base, &["/xss.html".to_string()]);
    assert_eq!(run.code, 1, "xss.mjs must fail on tests/fixtures/site/xss.html:\n{}", run.output);
    assert!(
        run.output.contains("window.__pwned = \"fixture onerror\""),
        "the trap missed the payload:\n{}",
        run.output
    );
    assert!(run.output.contains("script URL in href"), "the audit missed the javascript: link:\n{}", run.output);
}

/// Markup in the fields that reach URLs and attributes (tags, language) is refused at load, so it
/// never reaches the site.
#[test]
fn markup_in_tags_and_language_is_refused() {
    let repo = Repo::new("");
    repo.post(
        "tagg.md",
        "+++\ntitle = \"Tagg\"\ndate = 2026-11-02T09:00:00\ntags = [\"<script>alert(1)</script>\"]\nlang = \"sv\\\" onmouseover=\\\"alert(1)\"\n+++\n\nText.\n",
    );
    let out = bin().arg("--root").arg(repo.path()).arg("build").output().expect("run budkavle");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a tag and a language with markup were accepted");
    assert!(stderr.contains("cannot be a hashtag"), "{stderr}");
    assert!(stderr.contains("is not a language tag"), "{stderr}");
    assert!(!repo.path().join("dist/site").exists(), "a failed build wrote the site");
}
