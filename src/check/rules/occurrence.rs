//! `occurrence`: how many of something a sentence, a scope or a post may have.
//!
//! ```toml
//! [[rules]]
//! id = "org.meningslangd"
//! type = "occurrence"
//! token = "$word"        # a regex, or $word, $hashtag, $link, $emoji, $sentence
//! per = "sentence"       # sentence, scope (default) or post
//! max = 25               # and/or min
//! message = "Meningen har %s ord."   # %s: the count
//! ```
//!
//! `$hashtag` counts the post's `tags` (with `scope` including `hashtag`, the default) and
//! `#tags` written in the text; `$link` counts link targets and bare addresses. Over `max`, the
//! finding is on the sentence (`per = "sentence"`) or on the first occurrence past the limit;
//! under `min`, on the scope (or, per post, on the title).

use std::ops::Range;

use regex::Regex;

use super::{Common, Configured, Keys, Kind, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::scope::{Scope, ScopeKind};
use crate::check::text::{self, Prose};

pub(super) const KEYS: &[&str] = &["token", "per", "min", "max"];

pub(crate) enum Token {
    Word,
    Hashtag,
    Link,
    Emoji,
    Sentence,
    Regex(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Per {
    Sentence,
    Scope,
    Post,
}

pub(crate) struct Occurrence {
    pub token: Token,
    pub per: Per,
    pub min: Option<usize>,
    pub max: Option<usize>,
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let token = match k.string("token") {
        Some(t) => match t.as_str() {
            "$word" => Token::Word,
            "$hashtag" => Token::Hashtag,
            "$link" => Token::Link,
            "$emoji" => Token::Emoji,
            "$sentence" => Token::Sentence,
            special if special.starts_with('$') => {
                let at = k.key_at("token");
                k.error(
                    at,
                    format!("unknown token `{special}`"),
                    "use $word, $hashtag, $link, $emoji, $sentence or a regex",
                );
                return None;
            }
            re => Token::Regex(k.regex(re, k.key_at("token"), common.ignorecase, "token")?),
        },
        None => {
            if !k.has("token") {
                k.missing("token", "e.g. token = \"$word\" (or $hashtag, $link, $emoji, $sentence, or a regex)");
            }
            return None;
        }
    };
    let per = match k.string("per").as_deref() {
        None | Some("scope") => Per::Scope,
        Some("sentence") => Per::Sentence,
        Some("post") => Per::Post,
        Some(other) => {
            let at = k.key_at("per");
            k.error(
                at,
                format!("`per` is `{other}`, not sentence, scope or post"),
                "write per = \"sentence\", \"scope\" or \"post\"",
            );
            return None;
        }
    };
    if per == Per::Sentence && matches!(token, Token::Sentence) {
        let at = k.key_at("per");
        k.error(at, "sentences per sentence are always 1", "count $sentence per scope or per post");
        return None;
    }
    let min = k.count("min");
    let max = k.count("max");
    if min.is_none() && max.is_none() {
        if !k.has("min") && !k.has("max") {
            k.missing("max", "give max = N and/or min = N");
        }
        return None;
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        let at = k.key_at("min");
        k.error(at, format!("`min` ({lo}) is greater than `max` ({hi})"), "");
        return None;
    }
    Some(Configured::boxed(common, Occurrence { token, per, min, max }))
}

impl Occurrence {
    fn name(&self, n: usize) -> &'static str {
        let (one, many) = match self.token {
            Token::Word => ("word", "words"),
            Token::Hashtag => ("hashtag", "hashtags"),
            Token::Link => ("link", "links"),
            Token::Emoji => ("emoji", "emoji"),
            Token::Sentence => ("sentence", "sentences"),
            Token::Regex(_) => ("match", "matches"),
        };
        if n == 1 { one } else { many }
    }

    /// The occurrences in one scope.
    fn items(&self, scope: &Scope, prose: &Prose<'_>) -> Vec<Range<usize>> {
        match &self.token {
            Token::Word => prose.words.clone(),
            Token::Hashtag if scope.kind == ScopeKind::Hashtag => std::iter::once(0..scope.text.len()).collect(),
            Token::Hashtag => prose.hashtags.clone(),
            Token::Link => prose.urls.clone(),
            Token::Emoji => text::emoji(&scope.text).into_iter().filter(|r| !prose.is_skipped(r)).collect(),
            Token::Sentence => prose.sentences(),
            Token::Regex(re) => {
                re.find_iter(&scope.text).map(|m| m.range()).filter(|r| !r.is_empty() && !prose.is_skipped(r)).collect()
            }
        }
    }

    fn message(&self, common: &Common, n: usize, limit: usize, over: bool, unit: &str) -> String {
        let count = n.to_string();
        common.message(
            || {
                let bound = if over { "at most" } else { "at least" };
                format!("{n} {} in this {unit}; {bound} {limit}", self.name(n))
            },
            &[&count],
        )
    }
}

fn unit_name(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Title => "title",
        ScopeKind::Heading => "heading",
        ScopeKind::ListItem => "list item",
        ScopeKind::Quote => "quote",
        ScopeKind::Alt => "alt text",
        ScopeKind::Hashtag => "hashtag",
        ScopeKind::Paragraph | ScopeKind::Code => "paragraph",
    }
}

impl Kind for Occurrence {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let mut post_items: Vec<(&Scope, Range<usize>)> = Vec::new();
        for scope in common.scopes(ctx) {
            let prose = Prose::of_scope(scope);
            let items = self.items(scope, &prose);
            match self.per {
                Per::Sentence => {
                    for s in prose.sentences() {
                        let n = items.iter().filter(|r| r.start >= s.start && r.start < s.end).count();
                        if let Some(max) = self.max.filter(|m| n > *m) {
                            out.at(scope, s.clone(), self.message(common, n, max, true, "sentence"));
                        }
                        if let Some(min) = self.min.filter(|m| n < *m) {
                            out.at(scope, s, self.message(common, n, min, false, "sentence"));
                        }
                    }
                }
                Per::Scope => {
                    let n = items.len();
                    if let Some(max) = self.max.filter(|m| n > *m) {
                        out.at(scope, items[max].clone(), self.message(common, n, max, true, unit_name(scope.kind)));
                    }
                    if let Some(min) = self.min.filter(|m| n < *m)
                        && !scope.text.trim().is_empty()
                    {
                        out.at(scope, 0..scope.text.len(), self.message(common, n, min, false, unit_name(scope.kind)));
                    }
                }
                Per::Post => post_items.extend(items.into_iter().map(|r| (scope, r))),
            }
        }
        if self.per == Per::Post {
            // "The first one too many" reads in file order: front-matter tags come before the body.
            post_items.sort_by_key(|(scope, r)| scope.file_offset(r.start));
            let n = post_items.len();
            if let Some(max) = self.max.filter(|m| n > *m) {
                let (scope, r) = &post_items[max];
                out.at(scope, r.clone(), self.message(common, n, max, true, "post"));
            }
            if let Some(min) = self.min.filter(|m| n < *m) {
                out.on_post(self.message(common, n, min, false, "post"));
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        let per = match self.per {
            Per::Sentence => "sentence",
            Per::Scope => "block",
            Per::Post => "post",
        };
        let bounds = match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (Some(lo), None) => format!("at least {lo}"),
            (None, Some(hi)) => format!("at most {hi}"),
            (None, None) => String::new(),
        };
        format!("{} {} per {per}, {}.", capitalize_first(&bounds), self.name(2), scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        match (&self.token, self.max) {
            (Token::Word, Some(max)) => format!("A sentence of {} words.", max + 1),
            (Token::Hashtag, Some(max)) => format!("A post with {} hashtags.", max + 1),
            (Token::Emoji, Some(max)) => format!("A post with {} emoji.", max + 1),
            (Token::Link, Some(max)) => format!("A post with {} links.", max + 1),
            _ => "A text with too many or too few of what the rule counts.".into(),
        }
    }
}

fn capitalize_first(s: &str) -> String {
    text::capitalize(s)
}
