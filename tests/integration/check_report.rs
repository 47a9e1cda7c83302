//! Every output format of `budkavle check` against golden files, and the SARIF output against
//! the SARIF 2.1.0 JSON schema. `BUDKAVLE_BLESS=1 cargo test --test check_report` rewrites the
//! golden files after an intended change; review the diff like any other.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Repo, bin};

fn repo() -> Repo {
    let repo = Repo::new("");
    repo.post(
        "lang.md",
        &format!("+++\ntitle = \"Lång | text\"\nplatforms = [\"instagram\", \"x\"]\n+++\n\n{}\n", "Ord ".repeat(600)),
    );
    repo.post("ok.md", "+++\ntitle = \"OK\"\nplatforms = [\"mastodon\"]\n+++\n\nKort.\n");
    repo.post(
        "mycket/bytes.md",
        &format!("+++\ntitle = \"Bytes\"\nplatforms = [\"bluesky\"]\n+++\n\n{}\n", "👨‍👩‍👧‍👦".repeat(150)),
    );
    repo
}

fn run(repo: &Repo, format: &str) -> (i32, String) {
    let out = bin().args(["--root", repo.path().to_str().unwrap(), "check", "--format", format]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("BUDKAVLE_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with BUDKAVLE_BLESS=1 to create it", path.display()));
    assert_eq!(actual, expected, "{name} differs from its golden file (BUDKAVLE_BLESS=1 to update)");
}

#[test]
fn every_format_matches_its_golden_file() {
    let repo = repo();
    for (format, file) in [
        ("human", "check.human.txt"),
        ("json", "check.json"),
        ("github", "check.github.txt"),
        ("gitlab", "check.gitlab.json"),
        ("sarif", "check.sarif"),
        ("markdown", "check.md"),
    ] {
        let (code, out) = run(&repo, format);
        assert_eq!(code, 1, "{format}: errors must fail the run");
        golden(file, &out);
    }
}

#[test]
fn fail_on_sets_the_exit_code() {
    let repo = Repo::new("");
    repo.post("ok.md", "+++\ntitle = \"OK\"\nplatforms = [\"mastodon\"]\n+++\n\nKort.\n");
    let (code, out) = run(&repo, "human");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "no findings\n");
    let out = bin().args(["--root", repo.path().to_str().unwrap(), "check", "--fail-on", "loud"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown level is a usage error");
}

fn schema() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/node/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
    assert!(path.is_file(), "the SARIF schema is missing: run `npm ci --prefix tests/node` (.ci/run does)");
    path
}

/// Validates with Python's `jsonschema` (installed by .ci/run), a complete JSON Schema
/// implementation, against the schema OASIS publishes.
fn validate(document: &Path) -> Result<(), String> {
    let script = "import json,sys,jsonschema\n\
                  s=json.load(open(sys.argv[1]))\n\
                  d=json.load(open(sys.argv[2]))\n\
                  errs=sorted(jsonschema.Draft202012Validator(s).iter_errors(d), key=str)\n\
                  [print(e.json_path, e.message) for e in errs]\n\
                  sys.exit(1 if errs else 0)";
    let out = Command::new("python3")
        .args(["-c", script, schema().to_str().unwrap(), document.to_str().unwrap()])
        .output()
        .expect("python3 is required for the SARIF schema test");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains("No module named"), "python3 needs jsonschema: pip install jsonschema ({text})");
    if out.status.success() { Ok(()) } else { Err(text) }
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let repo = repo();
    let (_, out) = run(&repo, "sarif");
    let file = repo.path().join("check.sarif");
    std::fs::write(&file, &out).unwrap();
    validate(&file).unwrap();

    // The validator is not a rubber stamp: a broken document fails.
    let broken = out.replacen("\"level\": \"error\"", "\"level\": \"severe\"", 1);
    assert_ne!(broken, out);
    std::fs::write(&file, broken).unwrap();
    let err = validate(&file).unwrap_err();
    assert!(err.contains("severe"), "{err}");
}
