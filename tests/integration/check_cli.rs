//! `check --fix` and `budkavle rules` through the binary.

use crate::common;

use common::{Repo, bin};

fn with_packs(packs: &str) -> Repo {
    let repo = Repo::new("");
    let path = repo.path().join("strategy.toml");
    let strategy = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, strategy.replace("[voice]\n", &format!("[voice]\npacks = [{packs}]\n"))).unwrap();
    repo
}

#[test]
fn fix_applies_plain_language_replacements_and_rechecks() {
    let repo = with_packs("\"klarsprak\", \"limits\"");
    let path = repo.post(
        "a.md",
        "+++\ntitle = \"Ansökan\"\nplatforms = [\"mastodon\"]\n+++\n\nDu erhåller beslutet i brev. Vi kommer att tillhandahålla hjälp samt svar.\n",
    );
    let root = repo.path().to_str().unwrap();
    let out = bin().args(["--root", root, "check", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "klarsprak.ordval")
        .filter_map(|f| f["fix"].as_str())
        .collect();
    assert!(fixes.contains(&"får"), "{json}");

    let out = bin().args(["--root", root, "check", "--fix"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stderr.contains("fixed") && stderr.contains("content/posts/a.md"), "{stderr}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Du får beslutet i brev."), "{text}");
    assert!(!text.contains("erhåller"), "{text}");
    assert!(!stdout.contains("erhåller"), "the re-check no longer finds it: {stdout}");
    assert!(text.starts_with("+++\ntitle = \"Ansökan\""), "front matter untouched: {text}");
}

#[test]
fn rules_lists_every_pack_and_the_organisation_rules() {
    let repo = Repo::new(
        "[[rules]]\nid = \"testby.namn\"\ntype = \"existence\"\ntokens = [\"Testbyn\"]\nmessage = \"Skriv Testby.\"\n",
    );
    let out = bin().args(["--root", repo.path().to_str().unwrap(), "rules"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for prefix in
        ["klarsprak.", "plain-en.", "a11y.", "privacy.", "limits.", "strategy.", "links.", "crisis.", "testby.namn"]
    {
        assert!(text.contains(prefix), "{prefix} missing from:\n{text}");
    }
    let out = bin().args(["--root", repo.path().to_str().unwrap(), "rules", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = json.as_array().unwrap();
    assert!(list.len() > 30, "{}", list.len());
    for rule in list {
        assert!(!rule["description"].as_str().unwrap().is_empty(), "{rule}");
        assert!(!rule["example"].as_str().unwrap().is_empty(), "{rule}");
    }
}
