//! `readability`: a score for the whole post's text — LIX for Swedish, Flesch Reading Ease for
//! English.
//!
//! ```toml
//! [[rules]]
//! id = "org.lix"
//! type = "readability"
//! metric = "lix"        # or "flesch"
//! max = 40              # LIX: higher is harder; Flesch: give min, lower is harder
//! lang = "sv"           # LIX is defined for Swedish, the syllable count for English
//! min_words = 10        # shorter posts are not scored (the default)
//! message = "LIX %s."   # %s: the score, two decimals
//! ```
//!
//! - LIX = words / sentences + 100 · long words / words, a long word having more than 6 letters
//!   (Björnsson 1968). Under 30 very easy, 40 plain prose, over 50 hard, 60 bureaucratic.
//! - Flesch Reading Ease = 206.835 − 1.015 · words / sentences − 84.6 · syllables / words
//!   (Flesch 1948), syllables counted by English spelling rules. 60–70 is plain English; under
//!   50 is hard.
//!
//! Computed over headings, paragraphs and list items (the default scope) taken together; a
//! heading or list item without end punctuation is a sentence of its own, and one with fewer
//! than two words of letters (a time, a date) is data, not prose, and not counted. The finding
//! is on the first block of the text.

use super::{Common, Configured, Keys, Kind, first_scope, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::text::{self, Prose};

pub(super) const KEYS: &[&str] = &["metric", "max", "min", "min_words"];

/// Below this many words, a score says more about chance than about the writing.
const MIN_WORDS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    Lix,
    Flesch,
}

pub(crate) struct Readability {
    pub metric: Metric,
    pub max: Option<f64>,
    pub min: Option<f64>,
    pub min_words: usize,
}

impl Readability {
    pub(crate) fn new(metric: Metric, max: Option<f64>, min: Option<f64>) -> Self {
        Readability { metric, max, min, min_words: MIN_WORDS }
    }
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let metric = match k.string("metric").as_deref() {
        Some("lix") => Metric::Lix,
        Some("flesch") => Metric::Flesch,
        Some(other) => {
            let at = k.key_at("metric");
            k.error(
                at,
                format!("unknown readability metric `{other}`"),
                "use metric = \"lix\" (Swedish) or \"flesch\" (English)",
            );
            return None;
        }
        None => {
            if !k.has("metric") {
                k.missing("metric", "metric = \"lix\" for Swedish or \"flesch\" for English");
            }
            return None;
        }
    };
    let max = k.number("max");
    let min = k.number("min");
    if max.is_none() && min.is_none() {
        if !k.has("max") && !k.has("min") {
            let hint = match metric {
                Metric::Lix => "e.g. max = 45 (LIX: lower is easier)",
                Metric::Flesch => "e.g. min = 60 (Flesch Reading Ease: higher is easier)",
            };
            k.missing("max", hint);
        }
        return None;
    }
    let mut rule = Readability::new(metric, max, min);
    if let Some(n) = k.count("min_words") {
        rule.min_words = n;
    }
    Some(Configured::boxed(common, rule))
}

/// Word, sentence, long-word and syllable counts of a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub words: usize,
    pub sentences: usize,
    /// Words of more than 6 letters.
    pub long_words: usize,
    /// English syllables.
    pub syllables: usize,
}

impl Counts {
    /// Adds the sentences of `prose`. A "sentence" with fewer than two words of letters is data
    /// — a time, a date, a number in a list ("23 December: 10:00–15:00") — not prose, and is
    /// left out: it would make a timetable look easy or hard for reasons that are not language.
    ///
    /// Syllables are counted only `with_syllables`: LIX does not use them, and counting them
    /// was the costliest part of scoring a Swedish post.
    pub(crate) fn add(&mut self, prose: &Prose<'_>, with_syllables: bool) {
        for s in prose.sentences() {
            let words = prose.words_in(&s);
            let lettered = words.clone().filter(|&i| prose.word(i).chars().any(char::is_alphabetic)).count();
            if lettered < 2 {
                continue;
            }
            self.sentences += 1;
            for i in words {
                let w = prose.word(i);
                self.words += 1;
                if text::letters(w) > 6 {
                    self.long_words += 1;
                }
                if with_syllables {
                    self.syllables += syllables(w);
                }
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn of(text: &str) -> Counts {
        let mut c = Counts::default();
        c.add(&Prose::new(text, &[]), true);
        c
    }

    pub(crate) fn lix(&self) -> f64 {
        if self.words == 0 {
            return 0.0;
        }
        self.words as f64 / self.sentences.max(1) as f64 + 100.0 * self.long_words as f64 / self.words as f64
    }

    pub(crate) fn flesch(&self) -> f64 {
        if self.words == 0 {
            return 100.0;
        }
        206.835
            - 1.015 * self.words as f64 / self.sentences.max(1) as f64
            - 84.6 * self.syllables as f64 / self.words as f64
    }
}

/// English syllables by spelling: groups of vowels, less a silent final `e` and the silent `e`
/// of `-es` and `-ed`. Right for most everyday words, which is what a score over a post needs.
pub(crate) fn syllables(word: &str) -> usize {
    let w: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    if w.is_empty() {
        // A number is read as at least one syllable.
        return usize::from(word.chars().any(|c| c.is_ascii_digit()));
    }
    if w.len() <= 3 {
        return 1;
    }
    let vowel = |i: usize| match w[i] {
        'a' | 'e' | 'i' | 'o' | 'u' | 'å' | 'ä' | 'ö' | 'é' | 'è' => true,
        'y' => i > 0,
        _ => false,
    };
    let mut groups = 0;
    let mut prev = false;
    for i in 0..w.len() {
        let v = vowel(i);
        if v && !prev {
            groups += 1;
        }
        prev = v;
    }
    let n = w.len();
    let ends = |s: &str| w.iter().rev().take(s.chars().count()).rev().copied().eq(s.chars());
    let consonant_before = |k: usize| n > k && !vowel(n - k - 1);
    let silent = if ends("e") {
        // Silent unless part of a vowel group ("free") or "-le" after a consonant ("table").
        !(vowel(n - 2) || (ends("le") && consonant_before(2)))
    } else if ends("es") {
        // "makes", "times": silent; "boxes", "places", "houses": sounded after a sibilant.
        !vowel(n - 3) && !matches!(w[n - 3], 's' | 'x' | 'z' | 'c' | 'g') && !ends("ches") && !ends("shes")
    } else if ends("ed") {
        // "jumped", "played": silent; "wanted", "ended": sounded after t or d.
        !matches!(w[n - 3], 't' | 'd')
    } else {
        false
    };
    let count = if silent && groups > 1 { groups - 1 } else { groups };
    count.max(1)
}

impl Readability {
    fn score(&self, c: &Counts) -> f64 {
        match self.metric {
            Metric::Lix => c.lix(),
            Metric::Flesch => c.flesch(),
        }
    }
}

impl Kind for Readability {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let mut counts = Counts::default();
        for scope in common.scopes(ctx) {
            counts.add(&Prose::of_scope(scope), self.metric == Metric::Flesch);
        }
        if counts.words < self.min_words.max(1) {
            return;
        }
        let Some(scope) = first_scope(common, ctx) else { return };
        let score = self.score(&counts);
        let shown = format!("{score:.2}");
        let name = match self.metric {
            Metric::Lix => "LIX",
            Metric::Flesch => "Flesch Reading Ease",
        };
        let how = "shorter sentences and shorter, everyday words make it easier to read";
        let stats = format!("{} words, {} sentences", counts.words, counts.sentences);
        if let Some(max) = self.max.filter(|m| score > *m) {
            let msg = common.message(|| format!("{name} is {shown} ({stats}), above {max}; {how}"), &[&shown]);
            out.at(scope, 0..scope.text.len(), msg);
        } else if let Some(min) = self.min.filter(|m| score < *m) {
            let msg = common.message(|| format!("{name} is {shown} ({stats}), below {min}; {how}"), &[&shown]);
            out.at(scope, 0..scope.text.len(), msg);
        }
    }

    fn describe(&self, common: &Common) -> String {
        let (name, bound) = match (self.metric, self.max, self.min) {
            (Metric::Lix, Some(max), _) => ("LIX", format!("at most {max}")),
            (Metric::Flesch, _, Some(min)) => ("Flesch Reading Ease", format!("at least {min}")),
            (Metric::Lix, None, Some(min)) => ("LIX", format!("at least {min}")),
            (Metric::Flesch, Some(max), None) => ("Flesch Reading Ease", format!("at most {max}")),
            (Metric::Lix, None, None) => ("LIX", String::new()),
            (Metric::Flesch, None, None) => ("Flesch Reading Ease", String::new()),
        };
        format!("{name} of the post {bound}, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        match self.metric {
            Metric::Lix => "Myndigheten kommer att tillhandahålla information avseende ansökan. Du erhåller beslutet efter handläggning.".into(),
            Metric::Flesch => "Notwithstanding the aforementioned considerations, applicants are required to substantiate eligibility documentation.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two(x: f64) -> String {
        format!("{x:.2}")
    }

    #[test]
    fn lix_vectors() {
        let hard = Counts::of(
            "Myndigheten kommer att tillhandahålla information avseende ansökan. Du erhåller beslutet efter handläggning.",
        );
        assert_eq!((hard.words, hard.sentences, hard.long_words), (12, 2, 8));
        assert_eq!(two(hard.lix()), "72.67");
        assert_eq!(two(Counts::of("Vi ger dig information om ansökan. Du får beslutet snart.").lix()), "35.00");
    }

    #[test]
    fn flesch_vector() {
        let c = Counts::of("The cat sat on the mat. It was happy.");
        assert_eq!((c.words, c.sentences, c.syllables), (9, 2, 10));
        assert_eq!(two(c.flesch()), "108.27");
    }

    #[test]
    fn english_syllables() {
        for (w, n) in [
            ("the", 1),
            ("happy", 2),
            ("table", 2),
            ("make", 1),
            ("makes", 1),
            ("boxes", 2),
            ("places", 2),
            ("jumped", 1),
            ("wanted", 2),
            ("played", 1),
            ("free", 1),
            ("information", 4),
            ("beautiful", 3),
            ("don't", 1),
            ("2026", 1),
            ("yellow", 2),
        ] {
            assert_eq!(syllables(w), n, "{w}");
        }
    }
}
