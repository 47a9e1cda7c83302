//! The rule interface. A rule reads a post's prose scopes and rendered texts and emits findings
//! through an [`Emitter`], which turns positions in scope text into file lines and columns, so no
//! rule deals with source positions itself.

use std::ops::Range;

use crate::check::finding::{Finding, Level};
use crate::check::scope::Scope;
use crate::platform::PlatformId;
use crate::post::Post;
use crate::project::Project;
use crate::render::Rendered;

/// What a rule sees of one post.
pub struct PostCtx<'a> {
    pub project: &'a Project,
    pub post: &'a Post,
    pub scopes: &'a [Scope],
    /// The post rendered for each of its target platforms.
    pub rendered: &'a [Rendered],
}

/// What a rule sees of the whole repository, for rules across posts (cadence, conflicts).
pub struct ProjectCtx<'a> {
    pub project: &'a Project,
}

pub trait Rule: Send + Sync {
    /// `pack.name` for built-in rules, the organisation's `id` for its own.
    fn id(&self) -> &str;

    fn level(&self) -> Level;

    /// One sentence for `budkavle rules`.
    fn description(&self) -> String;

    /// A text that makes the rule fire, for `budkavle rules`.
    fn example(&self) -> String;

    /// Where guidance on the rule is, if anywhere.
    fn link(&self) -> Option<String> {
        None
    }

    fn check_post(&self, _ctx: &PostCtx<'_>, _out: &mut Emitter<'_>) {}

    fn check_project(&self, _ctx: &ProjectCtx<'_>, _out: &mut ProjectEmitter) {}
}

/// Collects one rule's findings on one post.
pub struct Emitter<'a> {
    post: &'a Post,
    rule: &'a str,
    level: Level,
    pub(crate) findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(post: &'a Post, rule: &'a str, level: Level) -> Self {
        Emitter { post, rule, level, findings: Vec::new() }
    }

    /// A finding on `range` of a scope's text.
    pub fn at(&mut self, scope: &Scope, range: Range<usize>, message: impl Into<String>) -> &mut Finding {
        let ((line, column), (end_line, end_column)) = scope.position(self.post, &range);
        self.push(line, column, end_line, end_column, message.into())
    }

    /// A finding on a byte range of the post file (front-matter values, whole blocks).
    pub fn at_file(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Finding {
        let (line, column) = self.post.position(range.start);
        let (end_line, end_column) = self.post.position(range.end.max(range.start));
        self.push(line, column, end_line, end_column, message.into())
    }

    /// A finding on a byte range of the front matter (a `Spanned` value's span).
    pub fn at_front(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Finding {
        let o = self.post.front_offset;
        self.at_file(o + range.start..o + range.end, message)
    }

    /// A finding about the post as a whole, placed on its title line.
    pub fn on_post(&mut self, message: impl Into<String>) -> &mut Finding {
        let span = self.post.front.title.span();
        self.at_front(span, message)
    }

    fn push(
        &mut self,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
        message: String,
    ) -> &mut Finding {
        self.findings.push(Finding {
            file: self.post.path.clone(),
            line,
            column,
            end_line,
            end_column,
            rule: self.rule.to_string(),
            level: self.level,
            message,
            fix: None,
            platform: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

impl Finding {
    pub fn with_fix(&mut self, fix: impl Into<String>) -> &mut Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn on_platform(&mut self, platform: PlatformId) -> &mut Self {
        self.platform = Some(platform);
        self
    }

    /// Narrows the rule id, for a rule that reports several kinds (`limits.media` →
    /// `limits.media.required`), so each kind can be ignored on its own.
    pub fn with_rule_suffix(&mut self, suffix: &str) -> &mut Self {
        self.rule = format!("{}.{suffix}", self.rule);
        self
    }

    pub fn with_level(&mut self, level: Level) -> &mut Self {
        self.level = level;
        self
    }
}

/// Collects one rule's findings across posts; each names its post.
pub struct ProjectEmitter {
    rule: String,
    level: Level,
    pub(crate) findings: Vec<Finding>,
}

impl ProjectEmitter {
    pub(crate) fn new(rule: &str, level: Level) -> Self {
        ProjectEmitter { rule: rule.to_string(), level, findings: Vec::new() }
    }

    /// A finding in `post`, through an [`Emitter`] for it.
    pub fn post<'a>(&'a mut self, post: &'a Post) -> PostFindings<'a> {
        PostFindings { inner: Emitter::new(post, &self.rule, self.level), sink: &mut self.findings }
    }
}

/// An [`Emitter`] whose findings go to a [`ProjectEmitter`] when dropped.
pub struct PostFindings<'a> {
    inner: Emitter<'a>,
    sink: &'a mut Vec<Finding>,
}

impl<'a> std::ops::Deref for PostFindings<'a> {
    type Target = Emitter<'a>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for PostFindings<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

impl Drop for PostFindings<'_> {
    fn drop(&mut self) {
        self.sink.append(&mut self.inner.findings);
    }
}
