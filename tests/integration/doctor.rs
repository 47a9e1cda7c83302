//! `budkavle doctor` against the real local peers (mastodon-mock, an AT Protocol PDS): a merged
//! post is due, and the credentials are good, unset, wrong, short of a scope or unreachable.
//! The exit code is 1 only when a due post would fail; no secret appears in any output, in
//! either format, nor in the `Debug` of the report or of a client's error.

use std::process::Output;

use serde_json::{Value, json};

use crate::common::bin;
use crate::common::bluesky_peer::BlueskyPeer;
use crate::common::mastodon_peer::MastodonPeer;
use crate::common::world::{PASSWORD_ENV, TOKEN_ENV, World};

const NOW: &str = "2026-12-01T12:00:00Z";

const DUE: &str = "+++\ntitle = \"Snöröjning\"\ndate = 2026-11-30T09:00:00\n+++\n\nI natt plogar vi Storgatan.\n";
const LATER: &str = "+++\ntitle = \"Julmarknad\"\ndate = 2026-12-12T10:00:00\n+++\n\nJulmarknad på torget.\n";

/// `budkavle doctor` at NOW with exactly these secrets in the environment (the World's
/// variables otherwise removed), asserting that none of `secrets` is in its output.
fn doctor(w: &World, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = bin();
    command
        .arg("--root")
        .arg(w.repo.path())
        .args(["doctor", "--now", NOW, "--timeout", "10"])
        .args(args)
        .env_remove(TOKEN_ENV)
        .env_remove(PASSWORD_ENV);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    let text = all(&out);
    for (_, secret) in env.iter().filter(|(_, s)| !s.trim().is_empty()) {
        assert!(!text.contains(secret), "the secret {secret:?} was printed:\n{text}");
    }
    out
}

fn all(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --format json is not JSON ({e}):\n{}", all(out)))
}

fn platform<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["platforms"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["platform"] == name))
        .unwrap_or_else(|| panic!("{name} missing from {report:#}"))
}

/// The table row of a platform (the line that starts with its name).
fn row<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("no row for {name}:\n{text}"))
}

/// A token of an application with exactly `scopes`, for the peer's account: mastodon-mock's
/// authorization-code flow (its codes name the account) gives the token the app's scopes, and
/// answers `GET /api/v1/apps/verify_credentials` with them, as Mastodon 4.3 does.
fn app_token(peer: &MastodonPeer, scopes: &str) -> String {
    let http = reqwest::blocking::Client::new();
    let app: Value = http
        .post(format!("{}/api/v1/apps", peer.url))
        .form(&[("client_name", "budkavle"), ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"), ("scopes", scopes)])
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("POST /api/v1/apps");
    let client_id = app["client_id"].as_str().expect("client_id").to_string();
    let code = format!("mockcode_{}", peer.username);
    let token: Value = http
        .post(format!("{}/oauth/token", peer.url))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("client_id", client_id.as_str())])
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("POST /oauth/token");
    token["access_token"].as_str().expect("access_token").to_string()
}

/// An app password of the peer's account (`com.atproto.server.createAppPassword`), which is
/// what an organisation should give budkavle instead of the account's own password.
fn app_password(peer: &BlueskyPeer) -> String {
    let http = reqwest::blocking::Client::new();
    let session: Value = http
        .post(format!("{}/xrpc/com.atproto.server.createSession", peer.service))
        .json(&json!({ "identifier": peer.handle, "password": peer.password }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("createSession");
    let access = session["accessJwt"].as_str().expect("accessJwt");
    let created: Value = http
        .post(format!("{}/xrpc/com.atproto.server.createAppPassword", peer.service))
        .bearer_auth(access)
        .json(&json!({ "name": "budkavle-doctor" }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("createAppPassword");
    created["password"].as_str().expect("an app password").to_string()
}

/// The line of strategy.toml that holds `needle`.
fn line_of(w: &World, needle: &str) -> usize {
    let text = std::fs::read_to_string(w.repo.path().join("strategy.toml")).unwrap();
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1).expect("the line is there")
}

#[test]
fn doctor_passes_good_credentials_as_a_table_and_as_json() {
    let mut w = World::new("[platforms.x]\nby_hand = true\n");
    w.merge("snorojning.md", DUE);
    let token = app_token(&w.mastodon, "read write");
    let password = app_password(&w.bluesky);
    let env = [(TOKEN_ENV, token.as_str()), (PASSWORD_ENV, password.as_str())];

    let out = doctor(&w, &env, &[]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let mastodon = row(&text, "mastodon");
    assert!(mastodon.contains(" ok ") && mastodon.contains("@budkavle"), "{mastodon}\n{text}");
    let bluesky = row(&text, "bluesky");
    assert!(bluesky.contains(" ok ") && bluesky.contains(&format!("@{}", w.bluesky.handle)), "{bluesky}\n{text}");
    assert!(row(&text, "x").contains("by hand"), "{text}");
    assert!(
        text.contains(&format!("{TOKEN_ENV} (token_env, strategy.toml:{}): set", line_of(&w, "token_env"))),
        "{text}"
    );
    assert!(text.contains("every platform budkavle publishes to is ready"), "{text}");
    assert!(!text.contains("scopes   not shown"), "the app's scopes are read: {text}");

    let out = doctor(&w, &env, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let report = json_of(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["failing"], json!([]));
    assert_eq!(report["warn_days"], 14);
    assert_eq!(report["now"], NOW);
    let m = platform(&report, "mastodon");
    assert_eq!((&m["status"], &m["fails"], &m["due"]), (&json!("ok"), &json!(false), &json!(1)), "{m:#}");
    assert_eq!(m["scopes"], json!(["read", "write"]));
    assert_eq!(m["needed"], json!(["write:statuses", "write:media"]));
    assert_eq!(m["missing"], json!([]));
    assert_eq!(m["account"], "@budkavle");
    assert_eq!(
        m["secrets"],
        json!([{"field": "token_env", "variable": TOKEN_ENV, "line": line_of(&w, "token_env"), "set": true}])
    );
    for key in ["expires", "expires_in_days", "quota", "message", "warnings", "notes"] {
        assert!(m.get(key).is_some(), "{key} missing: {m:#}");
    }
    let b = platform(&report, "bluesky");
    assert_eq!((&b["status"], &b["due"]), (&json!("ok"), &json!(1)), "{b:#}");
    assert_eq!(b["scopes"], json!(["com.atproto.appPass"]));
    assert_eq!(b["expires"], Value::Null, "app passwords do not expire");
    let x = platform(&report, "x");
    assert_eq!((&x["status"], &x["fails"], &x["due"]), (&json!("by-hand"), &json!(false), &json!(0)));

    // One platform only.
    let out = doctor(&w, &env, &["--format", "json", "--platform", "bluesky"]);
    let names: Vec<Value> =
        json_of(&out)["platforms"].as_array().unwrap().iter().map(|p| p["platform"].clone()).collect();
    assert_eq!(names, vec![json!("bluesky")]);

    // The account's own password works, but is a warning; the exit code stays 0.
    let own = [(TOKEN_ENV, token.as_str()), (PASSWORD_ENV, w.bluesky.password.as_str())];
    let out = doctor(&w, &own, &[]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(row(&text, "bluesky").contains("warning") && text.contains("app password"), "{text}");

    // A server that cannot answer says nothing about the credentials: reported, exit 0.
    w.mastodon.add_fault(&json!({
        "match": {"methods": ["GET"], "path": "/api/v1/accounts/verify_credentials"},
        "effect": {"type": "status", "status": 503},
        "count": 5
    }));
    let out = doctor(&w, &env, &[]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(row(&text, "mastodon").contains("could not reach"), "{text}");
    assert!(text.contains("says nothing about the credentials"), "{text}");
    w.mastodon.clear_faults();

    // And the library's own answer holds no secret either, not even in `Debug`.
    let project = budkavle::Project::load(w.repo.path()).unwrap();
    let settings = budkavle::doctor::Settings { now: Some(NOW.parse().unwrap()), ..Default::default() };
    let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let report = budkavle::doctor::run(&project, &settings, &lookup).unwrap();
    let shown = format!("{report:?}");
    assert!(report.ok && !shown.contains(&token) && !shown.contains(&password), "{shown}");
}

#[test]
fn doctor_names_an_unset_secret_and_fails_only_when_a_post_is_due() {
    let mut w = World::new("");
    w.merge("julmarknad.md", LATER);
    let password = w.bluesky.password.clone();
    let env = [(PASSWORD_ENV, password.as_str())];
    let line = line_of(&w, "token_env");

    // Nothing due yet: reported, exit 0.
    let out = doctor(&w, &env, &[]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(0), "nothing is due: {text}");
    assert!(row(&text, "mastodon").contains("secret not set"), "{text}");
    assert!(text.contains(TOKEN_ENV) && text.contains(&format!("strategy.toml:{line}")), "{text}");
    assert!(text.contains("nothing is due there now"), "{text}");

    // A due post on that platform: exit 1, naming the variable and the line.
    w.merge("snorojning.md", DUE);
    let out = doctor(&w, &env, &[]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("{TOKEN_ENV} (token_env, strategy.toml:{line}): NOT SET")), "{text}");
    assert!(text.contains("1 platform with a post due now would fail: mastodon"), "{text}");
    assert!(!row(&text, "bluesky").contains("secret not set"), "the other platform is fine: {text}");

    let out = doctor(&w, &env, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    assert_eq!((&report["ok"], &report["failing"]), (&json!(false), &json!(["mastodon"])));
    let m = platform(&report, "mastodon");
    assert_eq!((&m["status"], &m["fails"], &m["due"]), (&json!("missing-secret"), &json!(true), &json!(1)));
    assert_eq!(m["secrets"], json!([{"field": "token_env", "variable": TOKEN_ENV, "line": line, "set": false}]));
    assert!(m["message"].as_str().is_some_and(|msg| msg.contains("not set")), "{m:#}");

    // An empty variable is as unset as a missing one.
    let out = doctor(&w, &[(PASSWORD_ENV, password.as_str()), (TOKEN_ENV, "  ")], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
}

#[test]
fn doctor_fails_a_due_post_on_refused_credentials_and_never_prints_them() {
    let mut w = World::new("");
    w.merge("snorojning.md", DUE);
    let wrong_token = "FEL-TOKEN-doctor-7c1e5a";
    let wrong_password = "FEL-LOSEN-doctor-9b2d4f";
    let env = [(TOKEN_ENV, wrong_token), (PASSWORD_ENV, wrong_password)];

    let out = doctor(&w, &env, &[]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(row(&text, "mastodon").contains("invalid") && row(&text, "bluesky").contains("invalid"), "{text}");
    assert!(text.contains("2 platforms with a post due now would fail: mastodon, bluesky"), "{text}");

    let out = doctor(&w, &env, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    assert_eq!(report["failing"], json!(["mastodon", "bluesky"]));
    for name in ["mastodon", "bluesky"] {
        let p = platform(&report, name);
        assert_eq!((&p["status"], &p["fails"]), (&json!("invalid"), &json!(true)), "{p:#}");
        assert_eq!(p["secrets"][0]["set"], true);
    }

    // A valid token whose application lacks `write:media`: a missing permission, exit 1.
    let short = app_token(&w.mastodon, "read write:statuses write:accounts");
    let out =
        doctor(&w, &[(TOKEN_ENV, short.as_str()), (PASSWORD_ENV, w.bluesky.password.as_str())], &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let m = platform(&json_of(&out), "mastodon").clone();
    assert_eq!((&m["status"], &m["missing"]), (&json!("missing-permission"), &json!(["write:media"])), "{m:#}");
    let out = doctor(&w, &[(TOKEN_ENV, short.as_str()), (PASSWORD_ENV, w.bluesky.password.as_str())], &[]);
    assert!(row(&all(&out), "mastodon").contains("missing permission"), "{}", all(&out));

    // Through the library: neither the report nor a client's error shows a secret in `Debug`.
    let project = budkavle::Project::load(w.repo.path()).unwrap();
    let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let settings = budkavle::doctor::Settings { now: Some(NOW.parse().unwrap()), ..Default::default() };
    let report = budkavle::doctor::run(&project, &settings, &lookup).unwrap();
    assert!(!report.ok);
    let http = budkavle::clients::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    let mut shown = format!("{report:?}\n{report:#?}");
    for id in [budkavle::PlatformId::Mastodon, budkavle::PlatformId::Bluesky] {
        let mut connection = budkavle::clients::connect(&project.strategy, id, &lookup, &http).unwrap();
        let err = connection.health().unwrap_err();
        shown.push_str(&format!("\n{err:?}\n{err}"));
    }
    for secret in [wrong_token, wrong_password] {
        assert!(!shown.contains(secret), "{secret} in:\n{shown}");
    }
}
