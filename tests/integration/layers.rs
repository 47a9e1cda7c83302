//! The library's layers are one-way: a top-level module imports only from modules listed before
//! it in `src/lib.rs`'s layer list. The list is read from `lib.rs` itself (written once), and
//! every `crate::` path in code (not in comments) is held against it.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The modules of the layer list in `lib.rs`, bottom up.
fn layer_order(lib_rs: &str) -> Vec<String> {
    let start = lib_rs.find("<!-- layers:").expect("src/lib.rs has a `<!-- layers: … -->` marker");
    let end = lib_rs[start..].find("<!-- /layers -->").expect("src/lib.rs closes the layer list") + start;
    let mut order = Vec::new();
    for line in lib_rs[start..end].lines().skip(1) {
        let mut rest = line;
        while let Some(open) = rest.find('`') {
            let Some(close) = rest[open + 1..].find('`') else { break };
            order.push(rest[open + 1..open + 1 + close].to_string());
            rest = &rest[open + close + 2..];
        }
    }
    order
}

/// The top-level module a file under `src/` belongs to (`src/site/feeds/atom.rs` → `site`).
fn top_module(rel: &Path) -> String {
    let first = rel.components().next().expect("a path under src").as_os_str().to_string_lossy().into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// Every `crate::module` a line of code names, with the module names `use crate::{a, b}` lists.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.push(name);
        }
        rest = after;
    }
    out
}

/// The code of a line without its `//` comment (strings holding `//` are rare enough in
/// `use` paths not to matter here).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Every import that goes up the layers, as `file:line: from → to`.
fn back_edges(order: &[String], files: &[(PathBuf, String)]) -> Vec<String> {
    let rank: HashMap<&str, usize> = order.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let mut found = Vec::new();
    for (rel, text) in files {
        let from = top_module(rel);
        let Some(&from_rank) = rank.get(from.as_str()) else {
            found.push(format!("src/{}: module `{from}` is not in src/lib.rs's layer list", rel.display()));
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for to in crate_paths(code_of(line)) {
                if let Some(&to_rank) = rank.get(to.as_str())
                    && to_rank > from_rank
                {
                    found.push(format!("src/{}:{}: `{from}` imports `{to}`, a layer above it", rel.display(), n + 1));
                }
            }
        }
    }
    found
}

/// The library's files: everything under `src/` but the binary (`main.rs`, `cmd/`), relative.
fn library_files() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(SRC).sort_by_file_name() {
        let entry = entry.expect("readable src/");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(SRC).expect("under src").to_path_buf();
        let top = top_module(&rel);
        if matches!(top.as_str(), "main" | "lib" | "cmd") {
            continue;
        }
        files.push((rel, fs::read_to_string(path).expect("readable source")));
    }
    files
}

#[test]
fn every_import_goes_down_the_layers() {
    let order = layer_order(&fs::read_to_string(Path::new(SRC).join("lib.rs")).expect("src/lib.rs"));
    assert!(order.len() > 10, "the layer list in src/lib.rs is too short to be real: {order:?}");
    let files = library_files();
    let edges = back_edges(&order, &files);
    assert!(edges.is_empty(), "imports against the layer order of src/lib.rs:\n{}", edges.join("\n"));
    // Every module declared in lib.rs is in the list, so none escapes the check.
    let lib = fs::read_to_string(Path::new(SRC).join("lib.rs")).expect("src/lib.rs");
    for line in lib.lines() {
        let decl = line.trim_start_matches("pub ").trim_start_matches("pub(crate) ");
        if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            assert!(order.iter().any(|m| m == name), "src/lib.rs declares `mod {name}` outside the layer list");
        }
    }
}

#[test]
fn a_back_edge_is_named_with_its_file_and_line() {
    let order: Vec<String> = ["error", "platform", "publish"].iter().map(|s| s.to_string()).collect();
    let files = vec![
        (
            PathBuf::from("platform/x.rs"),
            "use crate::error::Error;\n// crate::publish in a comment\nuse crate::{error, publish};\n".to_string(),
        ),
        (PathBuf::from("publish/mod.rs"), "use crate::platform::PlatformId;\n".to_string()),
    ];
    assert_eq!(back_edges(&order, &files), vec!["src/platform/x.rs:3: `platform` imports `publish`, a layer above it"]);
}
