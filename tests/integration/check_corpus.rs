//! Precision and recall of `budkavle check`, pack by pack, on a labelled corpus.
//!
//! `tests/corpus` is a small content repository of realistic municipal posts in Swedish and
//! English: many clean (with near misses that a careless rule would flag — organisationsnummer,
//! dates, times, the organisation's own numbers, acronyms, PascalCase tags), many with deliberate
//! faults of every pack. `tests/corpus/expected.toml` says what a careful human reviewer expects:
//! one `[[finding]]` per finding (file, rule id, the line where it starts, and the platform when
//! the finding is about one platform's rendering), and a `[[clean]]` entry for every post that
//! should have none — so a post nobody labelled is an error here, not silently "clean".
//!
//! Labels state the truth, not what the tool happens to say: when a rule is wrong, this test
//! fails for its pack and lists the finding it missed or made up.
//!
//! Nothing depends on the day the test runs: post dates are fixed, and the identity numbers in
//! the corpus belong to birth dates long past, so the privacy pack's "born before today" check
//! reads them the same way in any year.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use budkavle::check::Finding;
use serde::Deserialize;

/// Every built-in pack; each must have labelled findings in the corpus.
const PACKS: [&str; 8] = ["klarsprak", "plain-en", "a11y", "privacy", "limits", "strategy", "links", "crisis"];

const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.95;
const MIN_LABELS_PER_PACK: usize = 8;
const MIN_POSTS: usize = 60;
const MIN_ENGLISH: usize = 20;
const MIN_SWEDISH: usize = 40;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    finding: Vec<Label>,
    #[serde(default)]
    clean: Vec<Clean>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    file: PathBuf,
    rule: String,
    line: usize,
    /// Only for findings about one platform's rendering (limits, a collision on one platform).
    platform: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Clean {
    file: PathBuf,
    #[allow(dead_code)]
    note: Option<String>,
}

/// The pack of a rule id: what comes before the first `.`.
fn pack(rule: &str) -> &str {
    rule.split('.').next().unwrap_or(rule)
}

fn platform_name(f: &Finding) -> Option<&'static str> {
    f.platform.map(|p| p.name())
}

/// Whether `label` describes `finding`: same file, the same full rule id (a kind suffix such as
/// `limits.media.required` is part of the id), same line, and the platform if the label names one.
fn matches(label: &Label, finding: &Finding) -> bool {
    label.file == finding.file
        && label.rule == finding.rule
        && label.line == finding.line
        && label.platform.as_deref().is_none_or(|p| Some(p) == platform_name(finding))
}

#[derive(Debug, Default, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn precision(self) -> f64 {
        if self.tp + self.fp == 0 { 1.0 } else { self.tp as f64 / (self.tp + self.fp) as f64 }
    }
    fn recall(self) -> f64 {
        if self.tp + self.fn_ == 0 { 1.0 } else { self.tp as f64 / (self.tp + self.fn_) as f64 }
    }
}

#[test]
fn corpus_precision_and_recall_per_pack() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let project = match budkavle::Project::load(&root) {
        Ok(p) => p,
        Err(budkavle::Error::Invalid(d)) => panic!("the corpus does not load: {d:#?}"),
        Err(e) => panic!("the corpus does not load: {e}"),
    };
    let text = std::fs::read_to_string(root.join("expected.toml")).expect("tests/corpus/expected.toml");
    let expected: Expected = toml::from_str(&text).unwrap_or_else(|e| panic!("expected.toml: {e}"));
    let findings = budkavle::check::check(&project).expect("check runs");

    let mut problems: Vec<String> = Vec::new();

    // The corpus itself: big enough, in both languages, and every post labelled exactly once.
    let posts: BTreeSet<&Path> = project.posts.iter().map(|p| p.path.as_path()).collect();
    let english = project.posts.iter().filter(|p| p.lang.starts_with("en")).count();
    let swedish = project.posts.iter().filter(|p| p.lang.starts_with("sv")).count();
    if posts.len() < MIN_POSTS || english < MIN_ENGLISH || swedish < MIN_SWEDISH {
        problems.push(format!(
            "the corpus has {} posts ({swedish} Swedish, {english} English); it needs at least {MIN_POSTS}, with {MIN_SWEDISH} Swedish and {MIN_ENGLISH} English",
            posts.len()
        ));
    }
    let labelled: BTreeSet<&Path> = expected.finding.iter().map(|l| l.file.as_path()).collect();
    let clean: BTreeSet<&Path> = expected.clean.iter().map(|c| c.file.as_path()).collect();
    for post in &posts {
        match (labelled.contains(post), clean.contains(post)) {
            (false, false) => problems.push(format!(
                "{} has no labels: add its [[finding]]s, or [[clean]] if it should have none",
                post.display()
            )),
            (true, true) => problems.push(format!("{} is both [[clean]] and has [[finding]]s", post.display())),
            _ => {}
        }
    }
    for file in labelled.iter().chain(&clean).filter(|f| !posts.contains(*f)) {
        problems.push(format!("expected.toml names {}, which is not a post of the corpus", file.display()));
    }
    let mut seen_clean = BTreeSet::new();
    for c in &expected.clean {
        if !seen_clean.insert(&c.file) {
            problems.push(format!("{} is [[clean]] twice", c.file.display()));
        }
    }
    for l in &expected.finding {
        if !l.rule.contains('.') {
            problems.push(format!("{}:{}: `{}` is not a rule id (pack.rule)", l.file.display(), l.line, l.rule));
        }
    }

    // Match findings to labels one to one. Labels that name a platform are tried first, so a
    // label without one does not take a finding that a more precise label describes.
    let mut order: Vec<usize> = (0..expected.finding.len()).collect();
    order.sort_by_key(|&i| expected.finding[i].platform.is_none());
    let mut used = vec![false; expected.finding.len()];
    let mut false_positives: Vec<&Finding> = Vec::new();
    for f in &findings {
        match order.iter().copied().find(|&i| !used[i] && matches(&expected.finding[i], f)) {
            Some(i) => used[i] = true,
            None => false_positives.push(f),
        }
    }
    let false_negatives: Vec<&Label> =
        expected.finding.iter().zip(&used).filter(|(_, used)| !**used).map(|(l, _)| l).collect();

    let mut scores: BTreeMap<String, Score> = PACKS.iter().map(|p| (p.to_string(), Score::default())).collect();
    let mut labels_per_pack: BTreeMap<String, usize> = BTreeMap::new();
    for (l, used) in expected.finding.iter().zip(&used) {
        *labels_per_pack.entry(pack(&l.rule).to_string()).or_default() += 1;
        let s = scores.entry(pack(&l.rule).to_string()).or_default();
        if *used {
            s.tp += 1;
        } else {
            s.fn_ += 1;
        }
    }
    for f in &false_positives {
        scores.entry(pack(&f.rule).to_string()).or_default().fp += 1;
    }

    println!("\ncheck corpus: {} posts ({swedish} Swedish, {english} English), {} clean", posts.len(), clean.len());
    println!("{:<12} {:>6} {:>4} {:>4} {:>4} {:>9} {:>7}", "pack", "labels", "TP", "FP", "FN", "precision", "recall");
    for (name, s) in &scores {
        let labels = labels_per_pack.get(name).copied().unwrap_or(0);
        println!(
            "{name:<12} {labels:>6} {:>4} {:>4} {:>4} {:>9.3} {:>7.3}",
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall()
        );
    }

    for name in PACKS {
        let labels = labels_per_pack.get(name).copied().unwrap_or(0);
        if labels < MIN_LABELS_PER_PACK {
            problems
                .push(format!("pack {name} has {labels} labelled findings; the corpus needs {MIN_LABELS_PER_PACK}"));
        }
    }
    for (name, s) in &scores {
        if labels_per_pack.get(name).copied().unwrap_or(0) == 0 && s.fp == 0 {
            continue;
        }
        if s.precision() < MIN_PRECISION || s.recall() < MIN_RECALL {
            problems.push(format!(
                "pack {name}: precision {:.3}, recall {:.3} (at least {MIN_PRECISION} each)",
                s.precision(),
                s.recall()
            ));
        }
    }

    if !false_positives.is_empty() || !false_negatives.is_empty() {
        println!("\nfindings no label expects (false positives):");
        for f in &false_positives {
            let on = platform_name(f).map(|p| format!(" [{p}]")).unwrap_or_default();
            println!("  {}:{}:{} {}{on}: {}", f.file.display(), f.line, f.column, f.rule, f.message);
        }
        println!("labelled findings check did not report (false negatives):");
        for l in &false_negatives {
            let on = l.platform.as_deref().map(|p| format!(" [{p}]")).unwrap_or_default();
            println!("  {}:{} {}{on}: {}", l.file.display(), l.line, l.rule, l.note.as_deref().unwrap_or(""));
            // What check did say on that line, which often shows why (another line, another id).
            for f in findings.iter().filter(|f| f.file == l.file && f.line.abs_diff(l.line) <= 1) {
                println!("      check said {}:{} {}: {}", f.line, f.column, f.rule, f.message);
            }
        }
    }

    let failing: Vec<&str> = problems.iter().map(String::as_str).collect();
    assert!(
        failing.is_empty(),
        "check corpus:\n  {}\n(run with --nocapture for the table and every FP and FN)",
        failing.join("\n  ")
    );
}
