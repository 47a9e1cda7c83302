//! Switching rules off: a post's `ignore` list, and `<!-- budkavle-disable rule -->` …
//! `<!-- budkavle-enable rule -->` spans in its body. Naming a pack (`klarsprak`) switches off
//! all its rules (`klarsprak.*`); a disable comment without names switches off every rule.

use crate::check::Finding;
use crate::post::Post;

pub(crate) fn retain(post: &Post, findings: &mut Vec<Finding>) {
    findings.retain(|f| keeps(post, f));
}

pub(crate) fn keeps(post: &Post, f: &Finding) -> bool {
    if post.ignore.iter().any(|i| matches(i, &f.rule)) {
        return false;
    }
    !disabled_at(post, &f.rule, f.line)
}

/// Whether `name` (a rule id or a pack) covers `rule`.
fn matches(name: &str, rule: &str) -> bool {
    rule == name || rule.strip_prefix(name).is_some_and(|rest| rest.starts_with('.'))
}

fn disabled_at(post: &Post, rule: &str, line: usize) -> bool {
    let mut disabled = false;
    for d in &post.body().directives {
        let (dline, _) = post.position(d.offset);
        if dline > line {
            break;
        }
        let applies = d.rules.is_empty() || d.rules.iter().any(|r| matches(r, rule));
        if applies {
            disabled = !d.enable;
        }
    }
    disabled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Level;

    fn finding(rule: &str, line: usize) -> Finding {
        Finding {
            file: "content/posts/t.md".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            rule: rule.into(),
            level: Level::Warning,
            message: String::new(),
            fix: None,
            platform: None,
        }
    }

    #[test]
    fn spans_and_ignore_lists() {
        let post = crate::post::tests_support::post_from_source(
            "+++\ntitle = \"T\"\nignore = [\"a11y\"]\n+++\n\nRad 6.\n\n<!-- budkavle-disable klarsprak.ordval -->\nRad 9.\n<!-- budkavle-enable klarsprak.ordval -->\n\nRad 12.\n\n<!-- budkavle-disable -->\nRad 15.\n",
        );
        assert!(keeps(&post, &finding("klarsprak.ordval", 6)));
        assert!(!keeps(&post, &finding("klarsprak.ordval", 9)));
        assert!(keeps(&post, &finding("klarsprak.lix", 9)));
        assert!(keeps(&post, &finding("klarsprak.ordval", 12)));
        assert!(!keeps(&post, &finding("privacy.email", 15)));
        assert!(!keeps(&post, &finding("a11y.alt-text", 6)));
        assert!(keeps(&post, &finding("a11yx.other", 6)));
    }
}
