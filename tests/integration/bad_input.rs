//! A corpus of broken content repositories. Each case copies the valid repository in
//! `tests/fixtures/minimal/` into a temporary folder, breaks one thing (or a few), runs
//! `budkavle build` and requires:
//!
//! - exit code exactly 2, and no panic;
//! - every expected fragment in stderr: the file relative to the repository root with its line
//!   (`content/posts/x.md:4:`), or for a whole-file problem the file; a distinctive part of the
//!   message; and a `hint:` under every diagnostic;
//! - no forbidden fragment (a secret's value) anywhere in stdout or stderr;
//! - `dist/` absent when there was no earlier build, or byte-for-byte what the earlier build
//!   wrote: a failed build never leaves a partial or changed `dist/`.
//!
//! Large and binary-broken inputs (20 MB, invalid UTF-8, symbolic links) are generated here at
//! run time and never committed.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/minimal");

/// A throw-away copy of the fixture, plus a folder outside it for links that leave the repository.
struct Repo {
    dir: TempDir,
    outside: TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = TempDir::new().expect("temporary folder");
        copy_dir(Path::new(FIXTURE), dir.path());
        Repo { dir, outside: TempDir::new().expect("temporary folder") }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    /// Replaces the one occurrence of `from` in a file of the fixture.
    fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = fs::read_to_string(self.path(rel)).unwrap();
        assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once in {rel}");
        self.write(rel, text.replacen(from, to, 1));
    }

    fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).unwrap();
    }

    fn symlink(&self, target: &Path, rel: &str) {
        symlink(target, self.path(rel)).unwrap();
    }

    fn build(&self) -> Output {
        Command::new(env!("CARGO_BIN_EXE_budkavle"))
            .arg("--root")
            .arg(self.root())
            .arg("build")
            .env("NO_COLOR", "1")
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("run budkavle")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every entry under `dir` (hidden ones too: a left-over `.platforms.new-…` is a partial build),
/// with the contents of files and the targets of links.
fn snapshot(dir: &Path) -> Option<BTreeMap<PathBuf, String>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                out.insert(rel, format!("link to {}", fs::read_link(&path).unwrap().display()));
            } else if kind.is_dir() {
                out.insert(rel, "folder".into());
                walk(base, &path, out);
            } else {
                out.insert(rel, format!("{:?}", fs::read(&path).unwrap()));
            }
        }
    }
    if !dir.exists() {
        return None;
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    Some(out)
}

/// A post file from its lines, so a case's expected line numbers can be read off the source.
fn md(lines: &[&str]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

struct Case {
    /// Run a successful build on the clean copy first, so there is a `dist/` to keep intact.
    prebuild: bool,
    mutate: fn(&Repo),
    /// Each must occur in stderr.
    expect: &'static [&'static str],
    /// None may occur in stdout or stderr.
    forbid: &'static [&'static str],
}

fn run(case: Case) {
    let repo = Repo::new();
    let dist = repo.path("dist");
    if case.prebuild {
        let out = repo.build();
        assert!(out.status.success(), "the clean fixture must build:\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(dist.join("platforms").is_dir(), "the clean build wrote no dist/platforms");
    }
    let before = snapshot(&dist);
    (case.mutate)(&repo);

    let out = repo.build();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Shown with `--nocapture`, to read the messages of passing cases too.
    println!("{stderr}");
    let mut failures = Vec::new();
    if out.status.code() != Some(2) {
        failures.push(format!("exit code {:?}, expected 2", out.status.code()));
    }
    if stderr.contains("panicked") {
        failures.push("budkavle panicked".to_string());
    }
    for fragment in case.expect {
        if !stderr.contains(fragment) {
            failures.push(format!("stderr lacks {fragment:?}"));
        }
    }
    if !stderr.lines().any(|l| l.starts_with("error: ")) {
        failures.push("stderr has no `error:` line".to_string());
    }
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let is_summary = line.strip_prefix("error: ").is_some_and(|rest| rest.ends_with(" found"));
        if line.starts_with("error: ") && !is_summary && !lines.get(i + 1).is_some_and(|l| l.starts_with("  hint: ")) {
            failures.push(format!("no hint for {line:?}"));
        }
    }
    for fragment in case.forbid {
        if stderr.contains(fragment) || stdout.contains(fragment) {
            failures.push(format!("output shows {fragment:?}, which it must never print"));
        }
    }
    let root = repo.root().to_string_lossy();
    if stderr.lines().any(|l| l.starts_with("error:") && l.contains(root.as_ref())) {
        failures.push("an error names a file by its absolute path, not relative to the repository".to_string());
    }
    if snapshot(&dist) != before {
        failures.push(if before.is_none() {
            "the failed build created dist/".to_string()
        } else {
            "the failed build changed dist/".to_string()
        });
    }
    assert!(
        failures.is_empty(),
        "\n{}\n--- stderr ---\n{stderr}--- stdout ---\n{stdout}",
        failures.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n")
    );
}

/// One `#[test]` per case, so each failure is visible on its own.
macro_rules! cases {
    ($(
        $(#[$doc:meta])*
        $name:ident {
            prebuild: $prebuild:expr,
            mutate: $mutate:expr,
            expect: [$($expect:expr),* $(,)?],
            $(forbid: [$($forbid:expr),* $(,)?],)?
        }
    )*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            run(Case {
                prebuild: $prebuild,
                mutate: $mutate,
                expect: &[$($expect),*],
                forbid: &[$($($forbid),*)?],
            });
        }
    )*};
}

// ---------------------------------------------------------------------------------------------
// strategy.toml (line numbers refer to tests/fixtures/minimal/strategy.toml)
// ---------------------------------------------------------------------------------------------

cases! {
    /// A typo in a key: the closest known key is suggested.
    strategy_unknown_key {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", "timezone = ", "timezon = "),
        expect: ["strategy.toml:7:", "unknown field `timezon`", "did you mean `timezone`"],
    }

    /// An unknown rule pack fails the build too, at its line, with the closest name (a pack that
    /// silently has no rules would let every post through unchecked).
    strategy_unknown_pack {
        prebuild: true,
        mutate: |r| r.replace(
            "strategy.toml",
            "[platforms.mastodon]",
            "[voice]\npacks = [\"klarsprak\", \"a11yy\"]\n\n[platforms.mastodon]"
        ),
        expect: ["strategy.toml:26:", "unknown rule pack `a11yy`", "did you mean `a11y`"],
    }

    /// A secret is an error of its own, and its value is never printed back.
    strategy_secret {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", r#"token_env = "BUDKAVLE_MASTODON_TOKEN""#, r#"token = "abc123""#),
        expect: ["strategy.toml:28:", "secret", "token_env"],
        forbid: ["abc123"],
    }

    /// A secret where the name of its environment variable belongs.
    strategy_secret_in_env_field {
        prebuild: false,
        mutate: |r| r.replace(
            "strategy.toml",
            r#"password_env = "BUDKAVLE_BLUESKY_APP_PASSWORD""#,
            r#"password_env = "hunter2-abc123""#,
        ),
        expect: ["strategy.toml:33:", "must name an environment variable"],
        forbid: ["hunter2", "abc123"],
    }

    /// A secret on a line TOML cannot even parse: the excerpt of the line must not leak it.
    strategy_secret_in_syntax_error {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", r#"token_env = "BUDKAVLE_MASTODON_TOKEN""#, r#"token = "abc123"#),
        expect: ["strategy.toml:28:"],
        forbid: ["abc123"],
    }

    strategy_unknown_time_zone {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", "Europe/Stockholm", "Europe/Stockholn"),
        expect: ["strategy.toml:7:", "unknown time zone `Europe/Stockholn`"],
    }

    strategy_unknown_platform {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", "[platforms.bluesky]", "[platforms.bluesk]"),
        expect: ["strategy.toml:30:", "unknown platform `bluesk`", "did you mean `bluesky`"],
    }

    strategy_syntax_error {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", "name = \"Testby kommun\"", "name = \"Testby kommun"),
        expect: ["strategy.toml:4:"],
    }

    strategy_goal_defined_twice {
        prebuild: true,
        mutate: |r| r.replace(
            "strategy.toml",
            "[[audiences]]\nid = \"invanare\"",
            "[[goals]]\nid = \"delaktighet\"\ndescription = \"Igen.\"\n\n[[audiences]]\nid = \"invanare\"",
        ),
        expect: ["strategy.toml:18:", "goal id `delaktighet` is defined twice"],
    }

    strategy_missing {
        prebuild: false,
        mutate: |r| r.remove("strategy.toml"),
        expect: ["strategy.toml", "there is no strategy.toml here", "budkavle init"],
    }

    strategy_empty {
        prebuild: true,
        mutate: |r| r.write("strategy.toml", ""),
        expect: ["strategy.toml", "organisation"],
    }

    /// Invalid UTF-8 in strategy.toml, on line 4 (inside the organisation's name).
    strategy_invalid_utf8 {
        prebuild: true,
        mutate: |r| {
            let text = fs::read(r.path("strategy.toml")).unwrap();
            let at = text.windows(6).position(|w| w == b"Testby").unwrap();
            let mut broken = text[..at].to_vec();
            broken.extend_from_slice(b"Test\xffby");
            broken.extend_from_slice(&text[at + 6..]);
            r.write("strategy.toml", broken);
        },
        expect: ["strategy.toml:4:13:", "UTF-8"],
    }
}

// ---------------------------------------------------------------------------------------------
// Front matter: shape, types, keys
// ---------------------------------------------------------------------------------------------

cases! {
    front_matter_yaml {
        prebuild: true,
        mutate: |r| r.write("content/posts/yaml.md", md(&["---", "title: Snöröjning", "---", "Text."])),
        expect: ["content/posts/yaml.md:1:", "YAML", "replace both `---` lines with `+++`"],
    }

    front_matter_unclosed {
        prebuild: true,
        mutate: |r| r.write("content/posts/oppen.md", md(&["+++", "title = \"Öppen\"", "", "Text utan slut."])),
        expect: ["content/posts/oppen.md:1:", "never closed"],
    }

    front_matter_missing {
        prebuild: false,
        mutate: |r| r.write("content/posts/bara-text.md", md(&["Bara text, ingen front matter."])),
        expect: ["content/posts/bara-text.md:1:", "no front matter"],
    }

    /// `tags` must be a list.
    wrong_type_tags {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/typ.md",
            md(&["+++", "title = \"Typ\"", "goal = \"trygg-vardag\"", "tags = \"Snö\"", "+++", "Text."]),
        ),
        expect: ["content/posts/typ.md:4:", "invalid type", "sequence"],
    }

    wrong_type_draft {
        prebuild: false,
        mutate: |r| r.write("content/posts/typ.md", md(&["+++", "title = \"Typ\"", "draft = \"yes\"", "+++", "Text."])),
        expect: ["content/posts/typ.md:3:", "invalid type", "boolean"],
    }

    unknown_post_key {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/nyckel.md",
            md(&["+++", "title = \"Nyckel\"", "audience = [\"invanare\"]", "+++", "Text."]),
        ),
        expect: ["content/posts/nyckel.md:3:", "unknown field `audience`", "did you mean `audiences`"],
    }

    /// A secret in a post is called out like one in strategy.toml, and never echoed.
    secret_in_post {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/hemlig.md",
            md(&["+++", "title = \"Hemlig\"", "", "[platform.mastodon]", "token = \"abc123\"", "+++", "Text."]),
        ),
        expect: ["content/posts/hemlig.md:5:", "secret"],
        forbid: ["abc123"],
    }

    duplicate_key {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/dubbel.md",
            md(&["+++", "title = \"Ett\"", "goal = \"delaktighet\"", "title = \"Två\"", "+++", "Text."]),
        ),
        expect: ["content/posts/dubbel.md:4:", "duplicate key"],
    }

    missing_title {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/utan-titel.md",
            md(&["+++", "goal = \"trygg-vardag\"", "audiences = [\"invanare\"]", "+++", "Text."]),
        ),
        expect: ["content/posts/utan-titel.md:2:", "missing field `title`"],
    }

    empty_title {
        prebuild: true,
        mutate: |r| r.write("content/posts/tom-titel.md", md(&["+++", "goal = \"trygg-vardag\"", "title = \"  \"", "+++", "Text."])),
        expect: ["content/posts/tom-titel.md:3:", "the title is empty"],
    }

    unknown_kind {
        prebuild: true,
        mutate: |r| r.write("content/posts/sort.md", md(&["+++", "title = \"Sort\"", "kind = \"nyhet\"", "+++", "Text."])),
        expect: ["content/posts/sort.md:3:", "unknown variant `nyhet`", "crisis"],
    }

    bad_language_tag {
        prebuild: true,
        mutate: |r| r.write("content/posts/sprak.md", md(&["+++", "title = \"Språk\"", "lang = \"svenska\"", "+++", "Text."])),
        expect: ["content/posts/sprak.md:3:", "`svenska` is not a language tag"],
    }

    bad_hashtag {
        prebuild: true,
        mutate: |r| r.write("content/posts/tagg.md", md(&["+++", "title = \"Tagg\"", "tags = [\"Snö röjning\"]", "+++", "Text."])),
        expect: ["content/posts/tagg.md:3:", "cannot be a hashtag", "PascalCase"],
    }
}

// ---------------------------------------------------------------------------------------------
// Ids and relations
// ---------------------------------------------------------------------------------------------

cases! {
    /// Two files claim the same id: the message names both of them.
    duplicate_id_across_files {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/arkiv/kopia.md",
            md(&["+++", "title = \"Kopia\"", "id = \"snorojning\"", "+++", "Text."]),
        ),
        expect: ["content/posts/arkiv/kopia.md:3:6:", "content/posts/snorojning.md:1:", "post id `snorojning` is also used by", "content/posts/arkiv/kopia.md"],
    }

    invalid_id {
        prebuild: true,
        mutate: |r| r.write("content/posts/ogiltig.md", md(&["+++", "title = \"Ogiltig\"", "id = \"Snö Röjning\"", "+++", "Text."])),
        expect: ["content/posts/ogiltig.md:3:", "`Snö Röjning` is not a valid id", "sno-rojning"],
    }

    invalid_file_name_as_id {
        prebuild: true,
        mutate: |r| r.write("content/posts/Snö Röjning.md", md(&["+++", "title = \"Fil\"", "+++", "Text."])),
        expect: ["content/posts/Snö Röjning.md:1:", "not a valid post id", "sno-rojning"],
    }

    updates_itself {
        prebuild: true,
        mutate: |r| r.write("content/posts/sjalv.md", md(&["+++", "title = \"Själv\"", "updates = \"sjalv\"", "+++", "Text."])),
        expect: ["content/posts/sjalv.md:3:", "itself"],
    }

    retracted_without_reason {
        prebuild: true,
        mutate: |r| r.write("content/posts/indragen.md", md(&["+++", "title = \"Indragen\"", "retracted = \" \"", "+++", "Text."])),
        expect: ["content/posts/indragen.md:3:", "`retracted` needs the reason"],
    }

    updates_missing_post {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/uppdatering.md",
            md(&["+++", "title = \"Uppdatering\"", "updates = \"snorojnig\"", "+++", "Text."]),
        ),
        expect: ["content/posts/uppdatering.md:3:", "`updates` points at `snorojnig`, which is no post", "did you mean `snorojning`"],
    }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

cases! {
    date_february_30 {
        prebuild: true,
        mutate: |r| r.write("content/posts/datum.md", md(&["+++", "title = \"Datum\"", "date = 2026-02-30T09:00:00", "+++", "Text."])),
        expect: ["content/posts/datum.md:3:", "invalid date", "between 01 and 28"],
    }

    /// 02:30 on 29 March 2026 does not exist in Europe/Stockholm (clocks jump 02:00 → 03:00).
    date_in_daylight_saving_gap {
        prebuild: true,
        mutate: |r| r.write("content/posts/datum.md", md(&["+++", "title = \"Datum\"", "date = 2026-03-29T02:30:00", "+++", "Text."])),
        expect: ["content/posts/datum.md:3:", "does not exist", "Europe/Stockholm"],
    }

    date_without_time {
        prebuild: false,
        mutate: |r| r.write("content/posts/datum.md", md(&["+++", "title = \"Datum\"", "date = 2026-12-01", "+++", "Text."])),
        expect: ["content/posts/datum.md:3:", "has no time of day", "2026-12-01T09:00:00"],
    }

    date_as_string {
        prebuild: true,
        mutate: |r| r.write("content/posts/datum.md", md(&["+++", "title = \"Datum\"", "date = \"1 december\"", "+++", "Text."])),
        expect: ["content/posts/datum.md:3:", "invalid type"],
    }
}

// ---------------------------------------------------------------------------------------------
// Strategy references: goals, audiences, platforms
// ---------------------------------------------------------------------------------------------

cases! {
    unknown_goal {
        prebuild: true,
        mutate: |r| r.write("content/posts/mal.md", md(&["+++", "title = \"Mål\"", "goal = \"trygg-vardagen\"", "+++", "Text."])),
        expect: ["content/posts/mal.md:3:", "unknown goal `trygg-vardagen`", "did you mean `trygg-vardag`"],
    }

    unknown_audience {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/malgrupp.md",
            md(&["+++", "title = \"Målgrupp\"", "audiences = [", "  \"invanare\",", "  \"ungdomar\",", "]", "+++", "Text."]),
        ),
        expect: ["content/posts/malgrupp.md:5:", "unknown audience `ungdomar`", "did you mean `unga`"],
    }

    unknown_platform_in_post {
        prebuild: true,
        mutate: |r| r.write("content/posts/kanal.md", md(&["+++", "title = \"Kanal\"", "platforms = [\"mastadon\"]", "+++", "Text."])),
        expect: ["content/posts/kanal.md:3:", "unknown platform `mastadon`", "did you mean `mastodon`"],
    }

    platform_not_configured {
        prebuild: true,
        mutate: |r| r.write("content/posts/kanal.md", md(&["+++", "title = \"Kanal\"", "platforms = [\"linkedin\"]", "+++", "Text."])),
        expect: ["content/posts/kanal.md:3:", "not configured in strategy.toml", "[platforms.linkedin]"],
    }
}

// ---------------------------------------------------------------------------------------------
// Media and links out of the repository
// ---------------------------------------------------------------------------------------------

/// A post with one image at `path` (line 5) and alt text on line 6.
fn media_post(r: &Repo, path: &str) {
    let path_line = format!("path = \"{path}\"");
    r.write(
        "content/posts/bild.md",
        md(&["+++", "title = \"Bild\"", "", "[[media]]", &path_line, "alt = \"En bild.\"", "+++", "Text."]),
    );
}

cases! {
    /// From content/posts/, `../../etc/passwd` is `<root>/etc/passwd`: inside the repository,
    /// and missing. Nothing outside may be read, whatever the message.
    media_dot_dot_etc_passwd {
        prebuild: true,
        mutate: |r| media_post(r, "../../etc/passwd"),
        expect: ["content/posts/bild.md:5:", "etc/passwd"],
    }

    media_leaves_repository {
        prebuild: true,
        mutate: |r| media_post(r, "../../../../../../../../etc/passwd"),
        expect: ["content/posts/bild.md:5:", "leaves the repository"],
    }

    media_absolute_path {
        prebuild: false,
        mutate: |r| media_post(r, "/etc/passwd"),
        expect: ["content/posts/bild.md:5:", "is absolute"],
    }

    media_symlink_to_etc_passwd {
        prebuild: true,
        mutate: |r| {
            r.symlink(Path::new("/etc/passwd"), "content/media/karta.png");
            media_post(r, "../media/karta.png");
        },
        expect: ["content/posts/bild.md:5:", "outside the repository"],
        forbid: ["root:x:0:0"],
    }

    /// A linked folder inside content/media/ that points out of the repository.
    media_symlinked_folder_outside {
        prebuild: true,
        mutate: |r| {
            fs::copy(r.path("content/media/plogbil.png"), r.outside.path().join("bild.png")).unwrap();
            r.symlink(r.outside.path(), "content/media/extern");
            media_post(r, "../media/extern/bild.png");
        },
        expect: ["content/posts/bild.md:5:", "outside the repository"],
    }

    media_missing_file {
        prebuild: true,
        mutate: |r| media_post(r, "../media/finns-inte.png"),
        expect: ["content/posts/bild.md:5:", "content/media/finns-inte.png", "does not exist"],
    }

    media_is_a_folder {
        prebuild: true,
        mutate: |r| media_post(r, "../media"),
        expect: ["content/posts/bild.md:5:", "is not a file"],
    }

    media_empty_path {
        prebuild: true,
        mutate: |r| media_post(r, ""),
        expect: ["content/posts/bild.md:5:", "the media path is empty"],
    }

    media_missing_alt {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/bild.md",
            md(&["+++", "title = \"Bild\"", "", "[[media]]", "path = \"../media/plogbil.png\"", "+++", "Text."]),
        ),
        expect: ["content/posts/bild.md:5:", "has no alt text"],
    }

    media_empty_alt {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/bild.md",
            md(&["+++", "title = \"Bild\"", "", "[[media]]", "path = \"../media/plogbil.png\"", "alt = \" \"", "+++", "Text."]),
        ),
        expect: ["content/posts/bild.md:6:", "has no alt text"],
    }

    /// A post that is a link to a file outside the repository.
    post_symlink_outside {
        prebuild: true,
        mutate: |r| r.symlink(Path::new("/etc/passwd"), "content/posts/lank.md"),
        expect: ["content/posts/lank.md", "symbolic link"],
        forbid: ["root:x:0:0"],
    }

    /// A linked folder of posts outside the repository must not be silently skipped.
    posts_symlinked_folder_outside {
        prebuild: true,
        mutate: |r| {
            fs::write(r.outside.path().join("extern.md"), md(&["+++", "title = \"Extern\"", "+++", "Text."])).unwrap();
            r.symlink(r.outside.path(), "content/posts/extern");
        },
        expect: ["content/posts/extern", "symbolic link"],
    }
}

// ---------------------------------------------------------------------------------------------
// Whole files: encoding, empty, huge
// ---------------------------------------------------------------------------------------------

cases! {
    /// Byte 0xFF on line 5 after `Hej ` (column 5).
    invalid_utf8_at_known_line {
        prebuild: true,
        mutate: |r| {
            let mut bytes = md(&["+++", "title = \"Kodning\"", "+++", "Första raden."]).into_bytes();
            bytes.extend_from_slice(b"Hej \xff d\xe5!\n");
            r.write("content/posts/kodning.md", bytes);
        },
        expect: ["content/posts/kodning.md:5:5:", "not valid UTF-8"],
    }

    /// Latin-1 in the front matter: `ö` as the single byte 0xF6 on line 2.
    latin1_in_front_matter {
        prebuild: false,
        mutate: |r| r.write("content/posts/latin1.md", b"+++\ntitle = \"Sn\xf6r\xf6jning\"\n+++\nText.\n"),
        expect: ["content/posts/latin1.md:2:", "not valid UTF-8"],
    }

    /// A file name that is not UTF-8 (`sn\xf6.md`, Latin-1 `ö`).
    non_utf8_file_name {
        prebuild: true,
        mutate: |r| {
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"sn\xf6.md");
            fs::write(r.path("content/posts").join(name), md(&["+++", "title = \"Snö\"", "+++", "Text."])).unwrap();
        },
        expect: ["content/posts/sn", ".md:1:", "not a valid post id"],
    }

    /// Windows line endings do not shift line numbers: the unknown goal is on line 3.
    crlf_line_numbers {
        prebuild: true,
        mutate: |r| r.write("content/posts/crlf.md", "+++\r\ntitle = \"CRLF\"\r\ngoal = \"okand\"\r\n+++\r\nText.\r\n"),
        expect: ["content/posts/crlf.md:3:8:", "unknown goal `okand`"],
    }

    /// A byte-order mark does not shift line or column: the unknown key is at line 3, column 1.
    bom_line_numbers {
        prebuild: true,
        mutate: |r| r.write("content/posts/bom.md", "\u{feff}+++\ntitle = \"BOM\"\naudience = []\n+++\nText.\n"),
        expect: ["content/posts/bom.md:3:1:", "unknown field `audience`"],
    }

    empty_file {
        prebuild: true,
        mutate: |r| r.write("content/posts/tom.md", ""),
        expect: ["content/posts/tom.md: ", "the file is empty"],
    }

    whitespace_only_file {
        prebuild: true,
        mutate: |r| r.write("content/posts/blank.md", " \n\t\n   \r\n"),
        expect: ["content/posts/blank.md: ", "the file is empty"],
    }

    /// 20 MB of otherwise valid post, generated here.
    huge_file {
        prebuild: true,
        mutate: |r| {
            let mut text = md(&["+++", "title = \"Stor\"", "+++"]);
            let line = "Mycket lång text om snöröjning.\n";
            text.push_str(&line.repeat(20 * 1024 * 1024 / line.len()));
            r.write("content/posts/stor.md", text);
        },
        expect: ["content/posts/stor.md: ", "MB", "at most"],
    }
}

// ---------------------------------------------------------------------------------------------
// Theme templates
// ---------------------------------------------------------------------------------------------

cases! {
    missing_template {
        prebuild: true,
        mutate: |r| r.remove("themes/default/platforms/x.tera"),
        expect: ["themes/default/platforms/x.tera", "no template for X"],
    }

    missing_theme {
        prebuild: true,
        mutate: |r| r.replace("strategy.toml", "timezone = \"Europe/Stockholm\"", "timezone = \"Europe/Stockholm\"\ntheme = \"morkt\""),
        expect: ["strategy.toml", "theme `morkt` not found"],
    }

    /// `{{ text }` on line 2 of the Mastodon template.
    template_syntax_error {
        prebuild: true,
        mutate: |r| r.replace("themes/default/platforms/mastodon.tera", "{{ text }}", "{{ text }"),
        expect: ["themes/default/platforms/mastodon.tera:2:", "template error"],
    }

    /// An unclosed `{% if %}` block: the parser notices at the end of the file, line 6.
    template_unclosed_block {
        prebuild: true,
        mutate: |r| r.replace("themes/default/platforms/x.tera", "{% endif %}", ""),
        expect: ["themes/default/platforms/x.tera:6:", "template error"],
    }

    /// A variable the renderer does not provide (line 3) only fails when rendering; Tera's
    /// error has no position, but the name can be found in the template.
    template_unknown_variable {
        prebuild: true,
        mutate: |r| r.replace("themes/default/platforms/bluesky.tera", "{{ text }}", "{{ text }}\n{{ rubrik }}"),
        expect: ["themes/default/platforms/bluesky.tera:3:", "rubrik"],
    }

    /// A template that is a link out of the repository: its contents would be published.
    template_symlink_outside {
        prebuild: true,
        mutate: |r| {
            r.remove("themes/default/platforms/x.tera");
            r.symlink(Path::new("/etc/passwd"), "themes/default/platforms/x.tera");
        },
        expect: ["themes/default/platforms/x.tera", "outside the repository"],
        forbid: ["root:x:0:0"],
    }

    /// Byte 0xFF right after `{{ text }}` on line 2 (column 11).
    template_invalid_utf8 {
        prebuild: true,
        mutate: |r| {
            let text = fs::read_to_string(r.path("themes/default/platforms/mastodon.tera")).unwrap();
            let at = text.find("{{ text }}").unwrap() + "{{ text }}".len();
            let mut bytes = text.as_bytes()[..at].to_vec();
            bytes.push(0xff);
            bytes.extend_from_slice(&text.as_bytes()[at..]);
            r.write("themes/default/platforms/mastodon.tera", bytes);
        },
        expect: ["themes/default/platforms/mastodon.tera:2:11:", "UTF-8"],
    }
}

// ---------------------------------------------------------------------------------------------
// Several problems in one run: all reported
// ---------------------------------------------------------------------------------------------

cases! {
    /// Four posts, each broken differently: all four reported in one run.
    several_broken_posts {
        prebuild: true,
        mutate: |r| {
            r.write("content/posts/a.md", md(&["---", "title: A", "---"]));
            r.write("content/posts/b.md", md(&["+++", "title = \"B\"", "goal = \"okand\"", "+++", "Text."]));
            r.write("content/posts/c.md", "");
            r.write("content/posts/d/e.md", md(&["+++", "title = \"E\"", "date = 2026-03-29T02:30:00", "+++", "Text."]));
        },
        expect: [
            "content/posts/a.md:1:",
            "content/posts/b.md:3:",
            "content/posts/c.md: ",
            "content/posts/d/e.md:3:",
            "4 problems found",
        ],
    }

    /// A broken strategy and a broken post: both in the same run.
    strategy_and_post_together {
        prebuild: true,
        mutate: |r| {
            r.replace("strategy.toml", "Europe/Stockholm", "Europe/Stockholn");
            r.write("content/posts/mal.md", md(&["+++", "title = \"Mål\"", "goal = \"okand\"", "+++", "Text."]));
        },
        expect: ["strategy.toml:7:", "unknown time zone", "content/posts/mal.md:3:", "unknown goal `okand`", "2 problems found"],
    }

    /// A template syntax error and a broken post: both in the same run.
    template_and_post_together {
        prebuild: false,
        mutate: |r| {
            r.replace("themes/default/platforms/mastodon.tera", "{{ text }}", "{{ text }");
            r.write("content/posts/yaml.md", md(&["---", "title: A", "---"]));
        },
        expect: ["themes/default/platforms/mastodon.tera:2:", "content/posts/yaml.md:1:", "YAML", "2 problems found"],
    }

    /// Two problems in one post: an unknown audience and a missing image.
    two_problems_in_one_post {
        prebuild: true,
        mutate: |r| r.write(
            "content/posts/tva.md",
            md(&[
                "+++",
                "title = \"Två fel\"",
                "audiences = [\"alla\"]",
                "",
                "[[media]]",
                "path = \"../media/saknas.png\"",
                "alt = \"Saknas.\"",
                "+++",
                "Text.",
            ]),
        ),
        expect: ["content/posts/tva.md:3:", "unknown audience `alla`", "content/posts/tva.md:6:", "does not exist", "2 problems found"],
    }
}
