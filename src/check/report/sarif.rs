//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, IDEs).
//! Columns are counted in Unicode code points, declared in `columnKind`.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::json;

use super::{Context, fingerprint};
use crate::check::{Finding, Level};

pub(super) fn write(findings: &[Finding], ctx: &Context<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    // Rules that produced findings, in id order; ruleIndex points into this list.
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        let len = ids.len();
        ids.entry(f.rule.as_str()).or_insert(len);
    }
    let mut ordered: Vec<(&str, usize)> = ids.iter().map(|(k, v)| (*k, *v)).collect();
    ordered.sort_by_key(|(_, i)| *i);
    let rules: Vec<serde_json::Value> = ordered
        .iter()
        .map(|(id, _)| {
            let info = ctx.rules.iter().find(|r| r.id == *id || id.starts_with(&format!("{}.", r.id)));
            let mut rule = json!({
                "id": id,
                "shortDescription": { "text": info.map_or_else(|| id.to_string(), |i| i.description.clone()) },
            });
            if let Some(link) = info.and_then(|i| i.link.clone()) {
                rule["helpUri"] = json!(link);
            }
            rule
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": ids[f.rule.as_str()],
                "level": match f.level { Level::Error => "error", Level::Warning => "warning", Level::Suggestion => "note" },
                "message": { "text": match f.platform {
                    Some(p) => format!("{} [{}]", f.message, p.display_name()),
                    None => f.message.clone(),
                } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file) },
                        "region": region(f),
                    }
                }],
                "partialFingerprints": { "budkavle/v1": fingerprint(f) },
            });
            if let Some(fix) = &f.fix {
                result["fixes"] = json!([{
                    "description": { "text": format!("Replace with “{fix}”") },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri(&f.file) },
                        "replacements": [{ "deletedRegion": region(f), "insertedContent": { "text": fix } }],
                    }],
                }]);
            }
            if let Some(p) = f.platform {
                result["properties"] = json!({ "platform": p.name() });
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "budkavle",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn region(f: &Finding) -> serde_json::Value {
    json!({ "startLine": f.line.max(1), "startColumn": f.column.max(1), "endLine": f.end_line.max(f.line).max(1), "endColumn": f.end_column.max(1) })
}

/// A relative URI with `/` separators and percent-encoded bytes outside the unreserved set, so
/// `ö` in a file name stays a valid URI reference.
fn uri(path: &std::path::Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
