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
pub(crate) mod scan;
pub mod scope;
mod suppress;
pub mod text;

pub use finding::{Finding, Level};
pub use packs::Pack;
pub use rule::Rule;

use crate::error::{Diagnostics, Result};
use crate::project::{Project, par_map};
use crate::render::Rendered;

/// Problems with the strategy's rule configuration, each at its line of strategy.toml: an
/// unknown pack in `[voice] packs`, a `[[rules]]` table that does not compile. Every command
/// that loads a project runs this, so a broken rule fails a build as it fails a check.
pub fn validate(project: &Project) -> Result<()> {
    compiled(project).map(|_| ())
}

/// The enabled packs and the organisation's compiled rules.
struct Config {
    packs: Vec<Pack>,
    own: Vec<Box<dyn Rule>>,
}

/// The enabled packs and the organisation's compiled rules, or every problem with them.
fn compiled(project: &Project) -> Result<Config> {
    let strategy = &project.strategy;
    let file = std::path::Path::new(crate::strategy::FILE_NAME);
    let mut diags = Diagnostics::default();
    let mut packs = Vec::new();
    let names = || Pack::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ");
    for name in &strategy.file.voice.packs {
        match Pack::from_name(name.get_ref()) {
            Some(pack) => packs.push(pack),
            None => {
                let d = crate::Diagnostic::at(
                    file,
                    &strategy.source,
                    name.span().start,
                    1,
                    format!("unknown rule pack `{}`", name.get_ref()),
                );
                diags.push(match crate::toml_diag::closest(name.get_ref(), Pack::ALL.iter().map(|p| p.name())) {
                    Some(best) => d.hint(format!("did you mean `{best}`? (known: {})", names())),
                    None => d.hint(format!("known packs: {}", names())),
                });
            }
        }
    }
    // `limits` is what platforms refuse outright: on even when no pack is listed.
    if strategy.file.voice.packs.is_empty() {
        packs.push(Pack::Limits);
    }
    let compiled = rules::compile(strategy);
    for d in compiled.diagnostics {
        diags.push(d);
    }
    diags.into_result(Config { packs, own: compiled.rules })
}

/// Every rule in force for this project: the packs the strategy enables, then its own rules.
pub fn active_rules(project: &Project) -> Result<Vec<Box<dyn Rule>>> {
    let Config { packs, own } = compiled(project)?;
    let mut out = packs::always();
    out.extend(packs.into_iter().flat_map(|p| p.rules(&project.strategy)));
    out.extend(own);
    Ok(out)
}

/// Every rule budkavle has, whether enabled or not: all built-in packs, then the
/// organisation's rules. For `budkavle rules` and for describing rules in reports.
pub fn all_rules(project: &Project) -> Result<Vec<Box<dyn Rule>>> {
    let Config { own, .. } = compiled(project)?;
    let mut out = packs::always();
    out.extend(Pack::ALL.into_iter().flat_map(|p| p.rules(&project.strategy)));
    out.extend(own);
    Ok(out)
}

/// Every finding for every post, in file order.
///
/// Each post is rendered and checked in one go and its renderings dropped, rather than all
/// renderings held at once: it keeps memory flat on large repositories.
pub fn check(project: &Project) -> Result<Vec<Finding>> {
    let rules = active_rules(project)?;
    let per_post = par_map(&project.posts, |post| -> std::result::Result<Vec<Finding>, crate::Diagnostic> {
        let rendered = crate::render::render_targets(project, post)?;
        Ok(check_post(project, post, &rendered, &rules))
    });
    let mut diags = Diagnostics::default();
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

/// One post's findings, as [`check`] would report them for it: its own rules (`rules` are
/// [`active_rules`], compiled once), and what the rules that compare posts (schedule, cadence)
/// say about it, given as `across` ([`check_project`]'s findings), not worked out again over
/// every post: `serve` re-checks only the post that was edited, and keeps `across` between
/// edits that do not move a post in the schedule.
pub(crate) fn check_one(
    project: &Project,
    post: &crate::post::Post,
    rules: &[Box<dyn Rule>],
    across: &[Finding],
) -> std::result::Result<Vec<Finding>, crate::Diagnostic> {
    let rendered = post
        .targets()
        .map(|p| crate::render::render(project, post, p))
        .collect::<std::result::Result<Vec<Rendered>, _>>()?;
    let mut findings = check_post(project, post, &rendered, rules);
    findings.extend(across.iter().filter(|f| f.file == post.path).cloned());
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
pub(crate) fn check_project(project: &Project, rules: &[Box<dyn Rule>]) -> Vec<Finding> {
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

/// The file name findings on a [`check_text`] text carry: no file holds it.
pub const TEXT_FILE: &str = "(reply)";

/// A short text checked, and rendered for its platform exactly as it will be sent.
#[derive(Debug, Clone)]
pub struct TextCheck {
    pub findings: Vec<Finding>,
    pub rendered: Rendered,
}

impl TextCheck {
    /// Whether a finding forbids sending the text.
    pub fn refused(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }
}

/// The findings on a short text the organisation sends outside a post — a reply to a citizen —
/// from the same rules in force for posts: the text is made a post of its own for `platform`,
/// checked like one, and only the findings on the text itself are kept (a made-up post has no
/// goal, date or images to find fault with). Lines and columns are the text's own, from 1. A
/// reply is one message: a text the platform would need a thread for is an error. The privacy
/// pack always applies.
pub fn check_text(project: &Project, platform: crate::platform::PlatformId, text: &str) -> Result<TextCheck> {
    let mut rules = active_rules(project)?;
    // A reply goes to one person in public: personal data is never let through, whether or
    // not the organisation's posts are held to the privacy pack.
    if !project.strategy.file.voice.packs.iter().any(|p| p.get_ref() == Pack::Privacy.name()) {
        rules.extend(Pack::Privacy.rules(&project.strategy));
    }
    let front = format!("+++\nid = \"reply\"\ntitle = \"reply\"\nplatforms = [\"{}\"]\n+++\n\n", platform.name());
    let skip = front.lines().count();
    let source = format!("{front}{}\n", text.trim());
    let canonical_root = project.root.canonicalize().unwrap_or_else(|_| project.root.clone());
    let ctx = crate::post::Context {
        root: &project.root,
        canonical_root: &canonical_root,
        strategy: &project.strategy,
        media: Default::default(),
    };
    let file = std::path::PathBuf::from(TEXT_FILE);
    let mut diags = Diagnostics::default();
    let Some(post) = crate::post::from_source(&ctx, &file, source, &mut diags) else {
        return Err(crate::Error::Invalid(diags.0));
    };
    let rendered = crate::render::render(project, &post, platform).map_err(|d| crate::Error::Invalid(vec![d]))?;
    let mut findings: Vec<Finding> = check_post(project, &post, std::slice::from_ref(&rendered), &rules)
        .into_iter()
        // A reply carries no images: what a post needs of them is not asked of it.
        .filter(|f| f.line > skip && !f.rule.starts_with("limits.media"))
        .map(|mut f| {
            f.line -= skip;
            f.end_line = f.end_line.saturating_sub(skip).max(f.line);
            f
        })
        .collect();
    if rendered.parts.len() > 1 {
        findings.push(Finding {
            file,
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            rule: "limits.length".into(),
            level: Level::Error,
            message: format!(
                "a reply is one message, and this text needs {} on {} (limit {} characters): shorten it",
                rendered.parts.len(),
                platform.display_name(),
                rendered.limit
            ),
            fix: None,
            platform: Some(platform),
        });
    }
    findings.sort_by(|a, b| (a.line, a.column, &a.rule).cmp(&(b.line, b.column, &b.rule)));
    findings.dedup();
    Ok(TextCheck { findings, rendered })
}
