//! `budkavle check`: holds every post against the strategy's rules and reports findings with
//! exact positions, in formats made for code review.
//!
//! The engine is small: it builds each post's prose [`scope`]s once, runs every enabled rule
//! over them (built-in packs chosen in `[voice] packs`, and the organisation's `[[rules]]`),
//! drops what the post's `ignore` list or `budkavle-disable` comments switch off, and sorts.

mod finding;
pub mod fix;
pub mod packs;
pub mod report;
pub mod rule;
pub mod rules;
pub mod scope;
mod suppress;
pub mod text;

pub use finding::{Finding, Level};
pub use rule::Rule;

use crate::error::Result;
use crate::project::{Project, par_map};
use crate::render::Rendered;

/// Every rule in force for this project: the packs the strategy enables, then its own rules.
pub fn active_rules(project: &Project) -> Vec<Box<dyn Rule>> {
    let strategy = &project.strategy;
    let mut out = Vec::new();
    for pack in &strategy.file.voice.packs {
        out.extend(packs::rules(pack.get_ref(), strategy));
    }
    // `limits` is what platforms refuse outright: on even when no pack is listed.
    if strategy.file.voice.packs.is_empty() {
        out.extend(packs::rules("limits", strategy));
    }
    out.extend(rules::compile(strategy).rules);
    out
}

/// Every rule budkavle has, whether enabled or not: all built-in packs, then the
/// organisation's rules. For `budkavle rules` and for describing rules in reports.
pub fn all_rules(project: &Project) -> Vec<Box<dyn Rule>> {
    let mut out = Vec::new();
    for pack in crate::strategy::KNOWN_PACKS {
        out.extend(packs::rules(pack, &project.strategy));
    }
    out.extend(rules::compile(&project.strategy).rules);
    out
}

/// Every finding for every post, in file order.
///
/// Each post is rendered and checked in one go and its renderings dropped, rather than all
/// renderings held at once: it keeps memory flat on large repositories.
pub fn check(project: &Project) -> Result<Vec<Finding>> {
    let rules = active_rules(project);
    let per_post = par_map(&project.posts, |post| -> std::result::Result<Vec<Finding>, crate::Diagnostic> {
        let rendered = crate::render::render_targets(project, post)?;
        Ok(check_post(project, post, &rendered, &rules))
    });
    let mut diags = crate::error::Diagnostics::default();
    let mut findings = Vec::new();
    for r in per_post {
        match r {
            Ok(f) => findings.extend(f),
            Err(d) => diags.push(d),
        }
    }
    diags.into_result(())?;
    findings.extend(check_project(project, &rules));
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.rule, a.platform).cmp(&(&b.file, b.line, b.column, &b.rule, b.platform))
    });
    findings.dedup();
    Ok(findings)
}

/// One post's findings, as [`check`] would report them for it: its own rules, and what the rules
/// that compare posts (schedule, cadence) say about it. `serve` re-checks only the post that was
/// edited; `rules` are [`active_rules`], compiled once.
pub fn check_one(
    project: &Project,
    post: &crate::post::Post,
    rules: &[Box<dyn Rule>],
) -> std::result::Result<Vec<Finding>, crate::Diagnostic> {
    let rendered = crate::render::targets(post)
        .map(|p| crate::render::render(project, post, p))
        .collect::<std::result::Result<Vec<Rendered>, _>>()?;
    let mut findings = check_post(project, post, &rendered, rules);
    findings.extend(check_project(project, rules).into_iter().filter(|f| f.file == post.path));
    findings.sort_by(|a, b| (a.line, a.column, &a.rule, a.platform).cmp(&(b.line, b.column, &b.rule, b.platform)));
    findings.dedup();
    Ok(findings)
}

/// One post's findings from the rules that read a post, after its suppressions.
fn check_post(
    project: &Project,
    post: &crate::post::Post,
    rendered: &[Rendered],
    rules: &[Box<dyn Rule>],
) -> Vec<Finding> {
    let scopes = scope::scopes(post);
    let ctx = rule::PostCtx { project, post, scopes: &scopes, rendered };
    let mut found = Vec::new();
    for r in rules {
        let mut e = rule::Emitter::new(post, r.id(), r.level());
        r.check_post(&ctx, &mut e);
        found.append(&mut e.findings);
    }
    suppress::retain(post, &mut found);
    found
}

/// Findings of the rules that compare posts (schedule, cadence).
fn check_project(project: &Project, rules: &[Box<dyn Rule>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let ctx = rule::ProjectCtx { project };
    let by_path: std::collections::HashMap<&std::path::Path, &crate::post::Post> =
        project.posts.iter().map(|p| (p.path.as_path(), p)).collect();
    for r in rules {
        let mut e = rule::ProjectEmitter::new(r.id(), r.level());
        r.check_project(&ctx, &mut e);
        for f in e.findings {
            if by_path.get(f.file.as_path()).is_none_or(|p| suppress::keeps(p, &f)) {
                findings.push(f);
            }
        }
    }
    findings
}
