//! `budkavle check`: holds every post against the strategy's rules and reports findings with
//! exact positions, in formats made for code review.
//!
//! This is the engine's first rule pack, `limits`, measured on the rendered text; the
//! style, plain-language, accessibility, privacy and strategy packs plug into the same
//! [`Finding`] model.

mod finding;
mod limits;
pub mod report;

pub use finding::{Finding, Level};

use crate::error::Result;
use crate::project::Project;

/// Every finding for every post, in file order.
pub fn check(project: &Project) -> Result<Vec<Finding>> {
    let rendered = crate::build::render_all(project)?;
    let mut findings = Vec::new();
    for r in &rendered {
        if let Some(post) = project.post(&r.post) {
            if post.ignore.iter().any(|i| i == "limits") {
                continue;
            }
            let mut f = Vec::new();
            limits::check(post, r, &mut f);
            f.retain(|x| !post.ignore.contains(&x.rule));
            findings.extend(f);
        }
    }
    findings.sort_by(|a, b| (&a.file, a.line, a.column, &a.rule, a.platform).cmp(&(&b.file, b.line, b.column, &b.rule, b.platform)));
    Ok(findings)
}
