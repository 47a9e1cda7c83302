//! `dist/previews/summary.md`: the comment a CI job posts on a pull request — each changed post
//! × platform with `len/limit` (parts of a thread) and the post's finding counts, so a reviewer
//! sees at a glance what is over a limit and what the checks found, before opening a preview.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{Changed, PostRow};
use crate::platform::PlatformId;
use crate::project::Project;

/// The summary in GitHub/GitLab-flavoured Markdown. `rows` are the changed posts.
pub(crate) fn markdown(project: &Project, rows: &[&PostRow], changed: &Changed) -> String {
    let mut out = String::new();
    // A marker line lets the CI job find and update its own earlier comment.
    let _ = writeln!(out, "<!-- budkavle-previews -->");
    let _ = writeln!(out, "### budkavle: changed posts");
    let _ = writeln!(out);
    let n = rows.len();
    let _ = writeln!(
        out,
        "{n} post{} changed since `{}`{}.",
        if n == 1 { "" } else { "s" },
        cell(&changed.rev),
        if changed.removed.is_empty() { String::new() } else { format!(", {} removed", changed.removed.len()) }
    );
    if changed.settings_changed {
        let _ = writeln!(
            out,
            "\n⚠️ `strategy.toml` or the theme changed too: every post may render differently; run `budkavle build --previews` without `--changed-since` to see them all."
        );
    }
    if n > 0 {
        let used: BTreeSet<usize> = rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .filter_map(|c| PlatformId::ALL.iter().position(|p| p.name() == c.platform))
            .collect();
        let platforms: Vec<PlatformId> = used.into_iter().map(|i| PlatformId::ALL[i]).collect();
        let _ = writeln!(out);
        let mut header = String::from("| Post |");
        let mut rule = String::from("|---|");
        for p in &platforms {
            let _ = write!(header, " {} |", p.display_name());
            rule.push_str("---:|");
        }
        header.push_str(" Findings |");
        rule.push_str("---|");
        let _ = writeln!(out, "{header}\n{rule}");
        for r in rows {
            let mut line = format!(
                "| **{}**{}<br>`{}` |",
                cell(&r.title),
                if r.draft { " (draft)" } else { "" },
                cell(&r.path.display().to_string())
            );
            for p in &platforms {
                match r.cells.iter().find(|c| c.platform == p.name()) {
                    Some(c) => {
                        let parts = if c.parts > 1 { format!(" ×{}", c.parts) } else { String::new() };
                        let mark = if c.over { "❌ " } else { "" };
                        let _ = write!(line, " {mark}{}/{}{parts} |", c.length, c.limit);
                    }
                    None => line.push_str(" – |"),
                }
            }
            let _ = write!(line, " {} |", findings(r));
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(
            out,
            "\nLengths are in each platform's own unit; ×N is a thread of N parts, the longest part shown. ❌ over the limit."
        );
    }
    if !changed.removed.is_empty() {
        let _ = writeln!(out, "\nRemoved:");
        for p in &changed.removed {
            let _ = writeln!(out, "- `{}`", cell(&p.display().to_string()));
        }
    }
    let org = &project.strategy.organisation().name;
    let _ = writeln!(out, "\n<sub>{} · previews in `dist/previews/`</sub>", cell(org));
    out
}

fn findings(r: &PostRow) -> String {
    let mut parts = Vec::new();
    if r.errors > 0 {
        parts.push(format!("❌ {} error{}", r.errors, if r.errors == 1 { "" } else { "s" }));
    }
    if r.warnings > 0 {
        parts.push(format!("⚠️ {} warning{}", r.warnings, if r.warnings == 1 { "" } else { "s" }));
    }
    if r.suggestions > 0 {
        parts.push(format!("💡 {} suggestion{}", r.suggestions, if r.suggestions == 1 { "" } else { "s" }));
    }
    if parts.is_empty() { "✔ none".to_string() } else { parts.join(", ") }
}

/// Table cells cannot hold `|` or line breaks; HTML in a title must not become markup.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('\n', " ").replace('<', "&lt;").replace('>', "&gt;")
}
