//! Running the browser checks of tests/browser/*.mjs (playwright-core driving Debian's
//! Chromium, axe-core), shared by the archive's and the previews' browser tests.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn chromium() -> PathBuf {
    std::env::var_os("BUDKAVLE_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Fails (never skips) when a tool the browser checks need is missing.
pub fn preflight() {
    let hint = "install the browser test tools with `apt-get install -y nodejs npm chromium && npm ci --prefix tests/node` (or run `bash .ci/run`, which installs all of it)";
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => panic!("`node` is missing or broken: {hint}"),
    }
    let modules = crate_root().join("tests/node/node_modules");
    for package in ["playwright-core/package.json", "axe-core/axe.min.js"] {
        assert!(modules.join(package).is_file(), "{} is missing: {hint}", modules.join(package).display());
    }
    let chromium = chromium();
    assert!(chromium.is_file(), "{} is missing: {hint}", chromium.display());
}

pub struct Run {
    pub code: i32,
    pub output: String,
}

/// Runs `node tests/browser/<script> <base> <args…>`; its output is printed, so the test harness
/// shows it when the test fails.
pub fn browser(script: &str, base: &str, args: &[String]) -> Run {
    let out = Command::new("node")
        .arg(crate_root().join("tests/browser").join(script))
        .arg(base)
        .args(args)
        .current_dir(crate_root())
        .output()
        .expect("run node");
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("--- node tests/browser/{script} {base} ({} args)\n{output}", args.len());
    Run { code: out.status.code().unwrap_or(-1), output }
}
