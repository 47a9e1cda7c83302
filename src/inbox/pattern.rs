//! Whether an inbox rule's regex compiles, without compiling it when it cannot fail.
//!
//! Every command validates the strategy's inbox rules, `check` on every save included, and
//! compiling one pattern with a Unicode class (`fjärrvärme\w*`) costs 2.5 M instructions, a sixth
//! of a one-post check. A regex fails to build in two ways: its syntax, which the parser alone
//! decides (a small part of the cost), and the compiled automaton's size limit (10 MB). A
//! pattern whose automaton is bounded well below that limit is therefore not compiled; one that
//! does not parse, or whose bound comes near the limit, is compiled for the error `regex` gives.

use regex::RegexBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// `regex`'s default limit on the size of a compiled automaton, in bytes.
const SIZE_LIMIT: usize = 10 << 20;

/// The bound under which a pattern is taken as within the limit: a quarter of it, for margin.
const SAFE: usize = SIZE_LIMIT / 4;

/// What `RegexBuilder::new(pattern).case_insensitive(true).build()` (the inbox's reading)
/// would answer, without the regex.
pub(crate) fn check(pattern: &str) -> Result<(), regex::Error> {
    // `regex` parses with these defaults (Unicode, UTF-8, nesting 250) and `(?i)`.
    let parsed = regex_syntax::ParserBuilder::new().case_insensitive(true).build().parse(pattern);
    match parsed {
        Ok(hir) if bound(&hir) <= SAFE => Ok(()),
        _ => RegexBuilder::new(pattern).case_insensitive(true).build().map(|_| ()),
    }
}

/// An upper bound of the bytes the compiled automata of `hir` take, each of them. Measured with
/// `regex` 1.13 (see the tests): a class costs at most about 70 bytes a range of code points
/// and 1.2 kB; a literal byte 50; each node little. Here each is counted at least three times
/// that, and a repetition as every copy the compiler makes of what it repeats.
fn bound(hir: &Hir) -> usize {
    const NODE: usize = 1024;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => NODE,
        HirKind::Literal(l) => NODE + 256 * l.0.len(),
        HirKind::Class(Class::Unicode(c)) => 4 * NODE + 256 * c.ranges().len(),
        HirKind::Class(Class::Bytes(c)) => 4 * NODE + 256 * c.ranges().len(),
        HirKind::Repetition(r) => {
            let copies = r.max.unwrap_or(r.min).max(r.min).saturating_add(1) as usize;
            NODE.saturating_add(bound(&r.sub).saturating_mul(copies))
        }
        HirKind::Capture(c) => NODE.saturating_add(bound(&c.sub)),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().fold(NODE, |sum, h| sum.saturating_add(bound(h))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(pattern: &str, limit: usize) -> Result<(), String> {
        RegexBuilder::new(pattern)
            .case_insensitive(true)
            .size_limit(limit)
            .build()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Patterns of every kind: classes large and small, literals, nesting, repetitions
    /// counted and not, and mistakes of syntax.
    fn patterns() -> Vec<String> {
        let mut out: Vec<String> = [
            r"fjärrvärme\w* (?:fungerar|funkar|har slutat)",
            r"\w",
            r"\W",
            r"\pL\pM\pN",
            r"\P{Cn}",
            r"[^\p{Lu}]",
            r"[\p{Greek}\p{Cyrillic}]+",
            r"\p{Han}{2,5}",
            r".",
            r"(?s).",
            r"\d{3}-\d{2}",
            r"\b(bidrag|ansök)\b",
            r"^\s*$",
            r"\?$",
            r"(?-u:\w)+",
            r"(?-u)[\x00-\xFF]",
            r"(?x) a b # comment",
            r"(?P<namn>\w+)\s(?P<efternamn>\w+)",
            r"a{0}",
            r"(?:a|b|c|d|e|f|g)*?",
            r"\w{20}",
            r"(?:\w+\s){3,8}",
            r"(?:\w{10}){10}",
            r"\w{1000}",
            r"(?:\w+){50}",
            r"[\w\d]{100,}",
            r"(a",
            r"a)",
            r"[a",
            r"\q",
            r"\p{Nonsense}",
            r"a{2,1}",
            r"(?P<x>a)(?P<x>b)",
            r"(?-u:\xFF)",
            r"(?<=a)b",
            r"*",
            r"",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        out.push("(".repeat(300) + &")".repeat(300));
        out.push("(".repeat(200) + "a" + &")".repeat(200));
        out.push("ä".repeat(2000));
        out.push(r"\w".repeat(30));
        out
    }

    #[test]
    fn answers_as_the_regex_does() {
        for p in patterns() {
            let ours = check(&p).map_err(|e| e.to_string());
            let theirs = RegexBuilder::new(&p).case_insensitive(true).build().map(|_| ()).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{p}");
        }
        assert!(check(r"\w{1000}{1000}").unwrap_err().to_string().contains("size limit"));
    }

    /// The bound is an upper bound: every pattern taken without compiling builds within it.
    #[test]
    fn the_bound_holds() {
        let mut taken = 0;
        for p in patterns() {
            let Ok(hir) = regex_syntax::ParserBuilder::new().case_insensitive(true).build().parse(&p) else {
                continue;
            };
            let b = bound(&hir);
            if b <= SAFE {
                taken += 1;
                assert_eq!(built(&p, b), Ok(()), "{p}: bound {b}");
            }
        }
        assert!(taken > 20, "{taken}");
    }
}
