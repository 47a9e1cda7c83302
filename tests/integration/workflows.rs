//! The workflows `budkavle init` writes run as written: each one is parsed, and its shell steps
//! run in order in a real content repository (with a bare `origin`), the publishing ones against
//! the local Mastodon peer, so a broken step fails here rather than on an organisation's first
//! pull request.
//!
//! What a forge does around the steps is done here the simplest faithful way: `uses:` actions
//! (checkout, cache, artifact upload) are skipped (the repository is already checked out, the
//! cache is empty), `${{ … }}` expressions and `if:` conditions are evaluated for the few forms
//! the workflows use — an unknown one fails the test — and the budkavle under test is on `PATH`,
//! which `.budkavle/install.sh` takes when its version is the pinned one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;

use crate::common::mastodon_peer::MastodonPeer;

const TOKEN_ENV: &str = "BUDKAVLE_MASTODON_TOKEN";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Anna Redaktör")
        .env("GIT_AUTHOR_EMAIL", "anna@kommun.test")
        .env("GIT_COMMITTER_NAME", "Anna Redaktör")
        .env("GIT_COMMITTER_EMAIL", "anna@kommun.test")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// The folder of the budkavle under test, first on `PATH`.
fn path_with_budkavle() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_budkavle")).parent().unwrap().display().to_string();
    format!("{bin}:{}", std::env::var("PATH").unwrap_or_default())
}

/// Runs one script as a CI runner does (`bash -e -o pipefail`), returning whether it succeeded
/// and what it printed.
fn bash(dir: &Path, script: &str, env: &BTreeMap<String, String>) -> (bool, String) {
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script])
        .current_dir(dir)
        .env_clear()
        .envs(env)
        .output()
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The GitHub Actions context of one simulated run.
struct GitHub {
    event: &'static str,
    secrets: BTreeMap<String, String>,
}

/// The address `actions/configure-pages` gives the simulated repository's Pages site.
const PAGES_URL: &str = "https://kommun.github.io/sociala-medier/";

impl GitHub {
    /// `${{ expr }}` for the expressions the workflows use; `outputs` holds the outputs of the
    /// job's steps so far, as `steps.<id>.outputs.<name>`.
    fn expr(&self, expr: &str, outputs: &BTreeMap<String, String>) -> String {
        let e = expr.trim();
        if e.starts_with("steps.") {
            return outputs.get(e).cloned().unwrap_or_default();
        }
        match e {
            "github.base_ref" => "main".into(),
            "github.token" => "ghs_test_token".into(),
            "github.event.pull_request.number" => "1".into(),
            "runner.os" => "Linux".into(),
            _ => match e.strip_prefix("secrets.") {
                Some(name) => self.secrets.get(name).cloned().unwrap_or_default(),
                None => panic!("the test does not know the expression `{e}`: teach it, or simplify the workflow"),
            },
        }
    }

    fn substitute(&self, text: &str, outputs: &BTreeMap<String, String>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..].find("}}").expect("closed expression") + start;
            out.push_str(&rest[..start]);
            out.push_str(&self.expr(&rest[start + 3..end], outputs));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:` condition: terms joined by `&&`.
    fn condition(&self, cond: &str, dir: &Path) -> bool {
        cond.split("&&").all(|term| {
            let t = term.trim();
            if t == "always()" {
                true
            } else if let Some(v) = t.strip_prefix("github.event_name == ") {
                v.trim_matches('\'') == self.event
            } else if let Some(v) = t.strip_prefix("matrix.") {
                panic!("no matrix in the content repository's workflows: {v}")
            } else if let Some(rest) = t.strip_prefix("hashFiles('") {
                let (file, cmp) = rest.split_once("')").expect("hashFiles('…')");
                assert_eq!(cmp.trim(), "!= ''", "only `hashFiles('…') != ''` is known");
                dir.join(file).exists()
            } else {
                panic!("the test does not know the condition `{t}`")
            }
        })
    }

    /// Runs every step of `job` in order; a failing step fails the test unless it is marked
    /// `continue-on-error`. Returns each run step's output.
    fn run_job(&self, workflow: &Path, job: &str, dir: &Path, extra: &BTreeMap<String, String>) -> Vec<String> {
        self.run_job_with_outputs(workflow, job, dir, extra).0
    }

    /// [`GitHub::run_job`], also returning the steps' outputs (`steps.<id>.outputs.<name>`).
    fn run_job_with_outputs(
        &self,
        workflow: &Path,
        job: &str,
        dir: &Path,
        extra: &BTreeMap<String, String>,
    ) -> (Vec<String>, BTreeMap<String, String>) {
        let doc = yaml(workflow);
        let steps = doc["jobs"][job]["steps"].as_sequence().unwrap_or_else(|| panic!("{job} has steps"));
        let github_path = dir.join(".github-path");
        std::fs::write(&github_path, "").unwrap();
        let github_output = dir.join(".github-output");
        let mut outputs = Vec::new();
        let mut step_outputs: BTreeMap<String, String> = BTreeMap::new();
        for step in steps {
            let Some(run) = step["run"].as_str() else {
                let uses = step["uses"].as_str().expect("a step runs or uses");
                assert!(
                    [
                        "actions/checkout@",
                        "actions/cache@",
                        "actions/upload-artifact@",
                        "actions/configure-pages@",
                        "actions/upload-pages-artifact@",
                        "actions/deploy-pages@",
                    ]
                    .iter()
                    .any(|a| uses.starts_with(a)),
                    "the test does not know the action {uses}"
                );
                // What configure-pages reports (its outputs: base_url, origin, host, base_path).
                if uses.starts_with("actions/configure-pages@")
                    && let Some(id) = step["id"].as_str()
                {
                    step_outputs.insert(format!("steps.{id}.outputs.base_url"), PAGES_URL.into());
                    step_outputs.insert(format!("steps.{id}.outputs.base_path"), "/sociala-medier".into());
                }
                continue;
            };
            if let Some(cond) = step["if"].as_str()
                && !self.condition(cond, dir)
            {
                continue;
            }
            let mut env: BTreeMap<String, String> = extra.clone();
            let added: Vec<String> = std::fs::read_to_string(&github_path).unwrap().lines().map(String::from).collect();
            let path = added.iter().rev().fold(path_with_budkavle(), |p, a| format!("{a}:{p}"));
            env.insert("PATH".into(), path);
            env.insert("GITHUB_PATH".into(), github_path.display().to_string());
            env.insert("GITHUB_EVENT_NAME".into(), self.event.into());
            std::fs::write(&github_output, "").unwrap();
            env.insert("GITHUB_OUTPUT".into(), github_output.display().to_string());
            if let Some(map) = step["env"].as_mapping() {
                for (k, v) in map {
                    env.insert(
                        k.as_str().unwrap().into(),
                        self.substitute(v.as_str().unwrap_or_default(), &step_outputs),
                    );
                }
            }
            let (ok, out) = bash(dir, &self.substitute(run, &step_outputs), &env);
            if let Some(id) = step["id"].as_str() {
                for line in std::fs::read_to_string(&github_output).unwrap().lines() {
                    if let Some((k, v)) = line.split_once('=') {
                        step_outputs.insert(format!("steps.{id}.outputs.{k}"), v.to_string());
                    }
                }
            }
            let allowed = step["continue-on-error"].as_bool() == Some(true);
            assert!(
                ok || allowed,
                "{} step `{}` failed:\n{run}\n{out}",
                workflow.display(),
                step["name"].as_str().unwrap_or(run)
            );
            outputs.push(out);
        }
        (outputs, step_outputs)
    }
}

/// A content repository from `budkavle init`, publishing to `peer`, with a bare `origin`.
fn content_repository(tmp: &Path, peer: &MastodonPeer) -> PathBuf {
    let origin = tmp.join("origin.git");
    let dir = tmp.join("kommun");
    let out = Command::new(env!("CARGO_BIN_EXE_budkavle"))
        .arg("init")
        .arg(&dir)
        .args(["--name", "Testby kommun"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let strategy = std::fs::read_to_string(dir.join("strategy.toml")).unwrap();
    let strategy = strategy
        .replace("instance = \"https://social.example.org\"", &format!("instance = \"{}\"", peer.url))
        .replace("account = \"@example@social.example.org\"", &format!("account = \"@{}@localhost\"", peer.username))
        .replace("[platforms.bluesky]\n", "[platforms.bluesky]\nenabled = false\n")
        .replace("approvals = 1", "approvals = 0");
    assert!(
        strategy.contains(&peer.url) && strategy.contains("approvals = 0"),
        "the scaffold strategy changed: update the test"
    );
    std::fs::write(dir.join("strategy.toml"), strategy).unwrap();
    git(&dir, &["commit", "-qam", "Publish to our Mastodon account"]);
    git(tmp, &["init", "-q", "--bare", "-b", "main", origin.to_str().unwrap()]);
    // GitLab takes push options (`-o ci.skip`); so does this origin.
    git(&origin, &["config", "receive.advertisePushOptions", "true"]);
    git(&dir, &["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&dir, &["push", "-q", "origin", "main"]);
    dir
}

fn post(dir: &Path, name: &str, title: &str) {
    let text = format!(
        "+++\ntitle = \"{title}\"\ndate = 2026-01-12T09:00:00\ngoal = \"informed-residents\"\naudiences = [\"residents\"]\nplatforms = [\"mastodon\"]\n+++\n\nVi plogar huvudgatorna i natt. Flytta gärna bilen från gatan.\n"
    );
    std::fs::write(dir.join("content/posts").join(name), text).unwrap();
}

#[test]
fn the_github_workflows_run_as_written() {
    let peer = MastodonPeer::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = content_repository(tmp.path(), &peer);
    let none = BTreeMap::new();

    // A pull request with a new post: checked, built, previewed (the comment needs `gh` and a
    // forge; it may fail here, as the workflow allows).
    git(&dir, &["checkout", "-qb", "snorojning"]);
    post(&dir, "snorojning.md", "Snöröjning i natt");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "Snöröjning i natt"]);
    let pr = GitHub { event: "pull_request", secrets: BTreeMap::new() };
    let out = pr.run_job(&dir.join(".github/workflows/budkavle.yml"), "check", &dir, &none);
    assert!(out.iter().any(|o| o.contains("budkavle 0.1.0")), "installed: {out:?}");
    assert!(dir.join("dist/previews/summary.md").is_file(), "the previews of the pull request: {out:?}");
    assert!(dir.join("dist/platforms/mastodon/snorojning.json").is_file());

    // Merged: the publishing workflow sends it and pushes the ledger.
    git(&dir, &["checkout", "-q", "main"]);
    git(&dir, &["merge", "-q", "--no-ff", "snorojning", "-m", "Merge pull request #1 from kommun/snorojning"]);
    git(&dir, &["push", "-q", "origin", "main"]);
    let push = GitHub { event: "push", secrets: BTreeMap::from([(TOKEN_ENV.to_string(), peer.token.clone())]) };
    let publish = dir.join(".github/workflows/budkavle-publish.yml");
    let (out, outputs) = push.run_job_with_outputs(&publish, "publish", &dir, &none);
    assert_eq!(peer.statuses().len(), 1, "published once: {out:?}");
    assert_eq!(outputs.get("steps.ledger.outputs.ledger").map(String::as_str), Some("changed"), "{outputs:?}");
    let log = git(&tmp.path().join("origin.git"), &["log", "--format=%s", "main"]);
    assert!(
        log.lines().next().is_some_and(|l| l.contains("ledger") || l.contains("publish")),
        "the ledger commit was pushed: {log}"
    );
    assert!(!out.iter().any(|o| o.contains(&peer.token)), "no secret in any step's output");
    // The weekly credential check: the token works, nothing needs attention.
    let weekly = GitHub { event: "schedule", secrets: push.secrets.clone() };
    let out = weekly.run_job(&dir.join(".github/workflows/budkavle-doctor.yml"), "doctor", &dir, &none);
    assert!(out.iter().any(|o| o.contains("mastodon") && o.contains(" ok ")), "{out:?}");
    assert!(!out.iter().any(|o| o.contains(&peer.token)), "no secret in the doctor's output");
    // Then the archive goes to GitHub Pages, built for the address Pages gives.
    assert_pages_job(&yaml(&publish));
    std::fs::remove_dir_all(dir.join("dist")).unwrap();
    push.run_job(&publish, "archive", &dir, &none);
    let feed = std::fs::read_to_string(dir.join("dist/site/feed.atom")).expect("the archive was built");
    assert!(feed.contains(&format!("href=\"{PAGES_URL}feed.atom\"")), "built for the Pages address: {feed}");
    assert!(feed.contains(&format!("{PAGES_URL}p/snorojning/")), "with the published post: {feed}");
    // Run again: nothing is sent twice, and the ledger did not change (a scheduled run like
    // this one leaves the archive alone).
    let (_, outputs) = push.run_job_with_outputs(&publish, "publish", &dir, &none);
    assert_eq!(peer.statuses().len(), 1);
    assert_eq!(outputs.get("steps.ledger.outputs.ledger"), None, "{outputs:?}");
}

/// The `archive` job of the publish workflow deploys `dist/site` the way GitHub Pages documents
/// (https://github.com/actions/deploy-pages): after `publish`, with `pages: write` and
/// `id-token: write`, in the `github-pages` environment, the artifact uploaded by
/// `actions/upload-pages-artifact`; on a schedule only when the ledger changed.
fn assert_pages_job(workflow: &Value) {
    let job = &workflow["jobs"]["archive"];
    assert_eq!(job["needs"].as_str(), Some("publish"), "{job:?}");
    let cond = job["if"].as_str().expect("the archive job has a condition");
    assert!(cond.starts_with("always()"), "the archive does not wait for publishing to succeed: {cond}");
    assert!(cond.contains("needs.publish.outputs.ledger == 'changed'") && cond.contains("'schedule'"), "{cond}");
    assert!(cond.contains("vars.BUDKAVLE_PAGES != 'false'"), "serving it elsewhere turns it off: {cond}");
    assert_eq!(workflow["jobs"]["publish"]["outputs"]["ledger"].as_str(), Some("${{ steps.ledger.outputs.ledger }}"));
    assert_eq!(job["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(job["permissions"]["id-token"].as_str(), Some("write"));
    assert_eq!(job["permissions"]["contents"].as_str(), Some("read"));
    assert_eq!(job["environment"]["name"].as_str(), Some("github-pages"));
    assert_eq!(job["environment"]["url"].as_str(), Some("${{ steps.deployment.outputs.page_url }}"));
    let steps = job["steps"].as_sequence().unwrap();
    let uses = |prefix: &str| {
        steps
            .iter()
            .position(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("the archive job does not use {prefix}"))
    };
    let (configure, upload, deploy) =
        (uses("actions/configure-pages@v5"), uses("actions/upload-pages-artifact@v4"), uses("actions/deploy-pages@v4"));
    assert!(configure < upload && upload < deploy);
    assert_eq!(steps[upload]["with"]["path"].as_str(), Some("dist/site"));
    assert_eq!(steps[deploy]["id"].as_str(), Some("deployment"));
    let build = steps
        .iter()
        .position(|s| s["run"].as_str().is_some_and(|r| r.contains("budkavle build --only site")))
        .expect("the archive job builds the site");
    assert!(configure < build && build < upload);
    let id = steps[configure]["id"].as_str().expect("configure-pages has an id");
    assert_eq!(
        steps[build]["env"]["BUDKAVLE_ARCHIVE_URL"].as_str(),
        Some(format!("${{{{ steps.{id}.outputs.base_url }}}}").as_str())
    );
    assert_eq!(steps[0]["with"]["fetch-depth"].as_u64(), Some(0), "every version is in the archive");
}

#[test]
fn the_gitlab_pipelines_run_as_written() {
    let peer = MastodonPeer::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = content_repository(tmp.path(), &peer);
    let ci = yaml(&dir.join(".gitlab-ci.yml"));
    let included = ci["include"][0]["local"].as_str().expect("the publish job is included");
    let publish = yaml(&dir.join(included));
    let lines = |job: &Value, key: &str| -> String {
        job[key]
            .as_sequence()
            .map(|s| s.iter().filter_map(|l| l.as_str()).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    };
    let base = |source: &str| -> BTreeMap<String, String> {
        BTreeMap::from([
            ("PATH".into(), path_with_budkavle()),
            ("HOME".into(), std::env::var("HOME").unwrap_or_default()),
            ("CI_PROJECT_DIR".into(), dir.display().to_string()),
            ("CI_PIPELINE_SOURCE".into(), source.into()),
            ("CI_DEFAULT_BRANCH".into(), "main".into()),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME".into(), "main".into()),
        ])
    };

    // A merge request: checked and built, previews in after_script (the note needs a token).
    git(&dir, &["checkout", "-qb", "vattenlacka"]);
    post(&dir, "vattenlacka.md", "Vattenläcka på Storgatan");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "Vattenläcka"]);
    let job = &ci["budkavle"];
    let (ok, out) =
        bash(&dir, &format!("{}\n{}", lines(job, "before_script"), lines(job, "script")), &base("merge_request_event"));
    assert!(ok, "the check job failed:\n{out}");
    let (ok, out) = bash(&dir, &lines(job, "after_script"), &base("merge_request_event"));
    assert!(ok, "after_script failed:\n{out}");
    assert!(dir.join("dist/previews/summary.md").is_file(), "{out}");

    // Merged: the publish job sends it and pushes the ledger with the push token, which git is
    // pointed back at the bare origin for.
    git(&dir, &["checkout", "-q", "main"]);
    git(&dir, &["merge", "-q", "--no-ff", "vattenlacka", "-m", "Merge branch 'vattenlacka' into 'main'"]);
    git(&dir, &["push", "-q", "origin", "main"]);
    let head = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    let mut env = base("push");
    let remote = "https://oauth2:glpat-test@gitlab.test/kommun/sociala-medier.git";
    env.extend([
        ("CI_COMMIT_BRANCH".to_string(), "main".to_string()),
        ("CI_COMMIT_SHA".into(), head),
        ("CI_SERVER_HOST".into(), "gitlab.test".into()),
        ("CI_PROJECT_PATH".into(), "kommun/sociala-medier".into()),
        ("BUDKAVLE_PUSH_TOKEN".into(), "glpat-test".into()),
        (TOKEN_ENV.into(), peer.token.clone()),
        ("GIT_CONFIG_COUNT".into(), "1".into()),
        ("GIT_CONFIG_KEY_0".into(), format!("url.{}.insteadOf", tmp.path().join("origin.git").display())),
        ("GIT_CONFIG_VALUE_0".into(), remote.into()),
    ]);
    let job = &publish["budkavle-publish"];
    let (ok, out) = bash(&dir, &format!("{}\n{}", lines(job, "before_script"), lines(job, "script")), &env);
    assert!(ok, "the publish job failed:\n{out}");
    assert_eq!(peer.statuses().len(), 1, "{out}");
    assert!(!out.contains(&peer.token), "no secret in the job's output");
    let pushed = git(&tmp.path().join("origin.git"), &["ls-tree", "-r", "--name-only", "main", "ledger"]);
    assert!(pushed.contains(".jsonl"), "the ledger reached origin: {pushed}");
    // The weekly schedule runs only the strict credential check, and passes.
    env.insert("BUDKAVLE_DOCTOR".into(), "weekly".into());
    let (ok, out) = bash(&dir, &format!("{}\n{}", lines(job, "before_script"), lines(job, "script")), &env);
    assert!(ok && out.contains(" ok "), "the weekly check failed:\n{out}");
    assert_eq!(peer.statuses().len(), 1, "the weekly check publishes nothing");

    // GitLab Pages: a job named `pages` whose artifact is `public/`, built for CI_PAGES_URL after
    // the publish job, on a push to the default branch; turned off by BUDKAVLE_PAGES=false.
    let pages = &publish["pages"];
    assert_eq!(pages["artifacts"]["paths"][0].as_str(), Some("public"), "{pages:?}");
    assert_eq!(pages["needs"][0]["job"].as_str(), Some("budkavle-publish"));
    let rules = serde_norway::to_string(&pages["rules"]).unwrap();
    assert!(rules.contains("$BUDKAVLE_PAGES == \"false\"") && rules.contains("never"), "{rules}");
    assert!(rules.contains("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH") && rules.contains("always"), "{rules}");
    assert!(!rules.contains("schedule"), "no redeploy every 10 minutes: {rules}");
    let gitlab_pages = "https://kommun.gitlab.io/sociala-medier/";
    let mut env = base("push");
    env.extend([("CI_COMMIT_BRANCH".to_string(), "main".to_string()), ("CI_PAGES_URL".into(), gitlab_pages.into())]);
    let (ok, out) = bash(&dir, &format!("{}\n{}", lines(pages, "before_script"), lines(pages, "script")), &env);
    assert!(ok, "the pages job failed:\n{out}");
    let feed = std::fs::read_to_string(dir.join("public/feed.atom")).expect("public/ holds the archive");
    assert!(feed.contains(&format!("href=\"{gitlab_pages}feed.atom\"")), "built for CI_PAGES_URL: {feed}");
    assert!(feed.contains(&format!("{gitlab_pages}p/vattenlacka/")), "with the published post: {feed}");
    assert!(dir.join("public/index.html").is_file() && !dir.join("public/.budkavle-manifest").exists());
}

/// The release workflow of this repository makes exactly the files `.budkavle/install.sh`
/// downloads: `budkavle-<tag>-<arch>-unknown-linux-musl.tar.gz` for both architectures, and
/// `SHA256SUMS`. (The build itself runs on GitHub, where the musl targets and zig are.)
#[test]
fn the_release_makes_what_install_downloads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let release = yaml(&root.join(".github/workflows/release.yml"));
    assert_eq!(release["on"]["push"]["tags"][0].as_str(), Some("v*"));
    let arches: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["arch"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert_eq!(arches, ["x86_64", "aarch64"]);
    let build = serde_norway::to_string(&release["jobs"]["build"]).unwrap();
    assert!(build.contains("budkavle-${GITHUB_REF_NAME}-${{ matrix.arch }}-unknown-linux-musl.tar.gz"), "{build}");
    assert!(build.contains("--target ${{ matrix.arch }}-unknown-linux-musl"), "{build}");
    let publish = serde_norway::to_string(&release["jobs"]["release"]).unwrap();
    assert!(publish.contains("> SHA256SUMS") && publish.contains("budkavle-*.tar.gz SHA256SUMS"), "{publish}");

    let install = std::fs::read_to_string(root.join("src/scaffold/install.sh")).unwrap();
    assert!(install.contains(r#"asset="budkavle-$BUDKAVLE_TAG-$(uname -m)-unknown-linux-musl.tar.gz""#));
    assert!(install.contains(r#"base="$BUDKAVLE_GIT/releases/download/$BUDKAVLE_TAG""#));
    assert!(install.contains("SHA256SUMS") && install.contains("sha256sum --check"));
    // `uname -m` says x86_64 and aarch64 on the runners both build for.
    let (ok, out) = bash(
        root,
        "bash -n src/scaffold/install.sh && uname -m",
        &BTreeMap::from([("PATH".into(), path_with_budkavle())]),
    );
    assert!(ok, "install.sh is not valid bash: {out}");
}

/// A release binary checked against SHA256SUMS is installed; one that does not match is
/// refused (the script then builds from source, which this test stops short of).
#[test]
fn install_takes_a_release_binary_only_when_its_checksum_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let arch =
        bash(tmp.path(), "uname -m", &BTreeMap::from([("PATH".into(), "/usr/bin:/bin".into())])).1.trim().to_string();
    // A "release" folder served by file:// (curl reads it like a web server's).
    let dl = tmp.path().join("tool/releases/download").join(&tag);
    std::fs::create_dir_all(&dl).unwrap();
    let asset = format!("budkavle-{tag}-{arch}-unknown-linux-musl.tar.gz");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_budkavle")).parent().unwrap();
    let pack = format!(
        "tar -czf '{}' -C '{}' budkavle && cd '{}' && sha256sum '{asset}' > SHA256SUMS",
        dl.join(&asset).display(),
        bin_dir.display(),
        dl.display()
    );
    let sys = BTreeMap::from([("PATH".to_string(), "/usr/bin:/bin".to_string())]);
    assert!(bash(tmp.path(), &pack, &sys).0);
    let repo = tmp.path().join("repo/.budkavle");
    std::fs::create_dir_all(&repo).unwrap();
    let script = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scaffold/install.sh"))
        .unwrap()
        .replace("{{TOOL_GIT}}", &format!("file://{}", tmp.path().join("tool").display()))
        .replace("{{TOOL_TAG}}", &tag);
    std::fs::write(repo.join("install.sh"), &script).unwrap();
    // No budkavle on PATH, and no cargo: only the verified download can succeed.
    let (ok, out) = bash(tmp.path(), "bash repo/.budkavle/install.sh", &sys);
    assert!(ok, "{out}");
    assert!(
        repo.join("bin/budkavle").is_file() && out.contains(&format!("budkavle {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );

    // A tampered binary: the checksum fails, so the script falls back to a source build
    // (which fails here without cargo on PATH) and installs nothing.
    std::fs::remove_dir_all(repo.join("bin")).unwrap();
    std::fs::write(dl.join(&asset), b"not the release").unwrap();
    let (ok, out) = bash(tmp.path(), "bash repo/.budkavle/install.sh", &sys);
    assert!(!ok && out.contains("no verified release binary"), "{out}");
    assert!(!repo.join("bin/budkavle").exists());
}
