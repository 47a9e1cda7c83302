//! The `a11y` pack: what makes a post hard or impossible to follow with a screen reader, a
//! braille display or low vision — images without a real description, hashtags read as one long
//! non-word, emoji read out by name, shouting capitals, "bold" letters that are really
//! mathematical symbols, and links that say only "click here".

mod emoji;

use std::ops::Range;

use regex::Regex;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::scan;
use crate::check::scope::{Scope, ScopeKind};
use crate::post::Inline;
use crate::strategy::Strategy;

pub(crate) fn rules(_strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(AltText),
        Box::new(HashtagCase),
        Box::new(Emoji),
        Box::new(Caps),
        Box::new(UnicodeBold),
        Box::new(LinkText),
    ]
}

/// Bare web and e-mail addresses written in the text (Markdown link targets are in
/// `scope.links` already).
/// `(?i)` applies to both branches: `BARE_WEB|BARE_EMAIL` is one pattern.
const BARE_WEB: &str = r"(?i)\b(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>]+";
const BARE_EMAIL: &str = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+";

/// Whether `range` of a scope's text overlaps an address (not prose: capitals, emoji and `#`
/// there are part of the address).
fn in_link(scope: &Scope, range: &Range<usize>) -> bool {
    let overlaps = |l: &Range<usize>| l.start < range.end && range.start < l.end;
    scope.links.iter().any(overlaps)
        || bare_addresses(&scope.text).is_some_and(|re| re.find_iter(&scope.text).any(|m| overlaps(&m.range())))
}

/// The addresses' pattern compiled for `text`, or `None` when it cannot match there. Without an `@`
/// its e-mail branch cannot match, and the web branch alone compiles at under a twentieth of the cost
/// (the e-mail branch's `\w` classes are what cost).
fn bare_addresses(text: &str) -> Option<&'static Regex> {
    static ALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("{BARE_WEB}|{BARE_EMAIL}")).expect("address pattern"));
    static WEB: LazyLock<Regex> = LazyLock::new(|| Regex::new(BARE_WEB).expect("address pattern"));
    if text.contains('@') {
        Some(&ALL)
    } else if text.contains("://") || scan::contains_folded(text, "www.") {
        Some(&WEB)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------

struct AltText;

/// X cuts alt text at 1000 characters, Mastodon at 1500, Bluesky at 2000: the lowest is what a
/// post written once for every platform can use.
const ALT_MAX: usize = 1000;

/// Alt texts that name the kind of thing instead of describing it (Swedish and English).
const PLACEHOLDERS: &[&str] = &[
    "bild",
    "bilden",
    "en bild",
    "foto",
    "fotot",
    "ett foto",
    "fotografi",
    "grafik",
    "illustration",
    "ikon",
    "logo",
    "logga",
    "loggan",
    "logotyp",
    "logotypen",
    "skärmdump",
    "karta",
    "image",
    "an image",
    "img",
    "photo",
    "a photo",
    "photograph",
    "picture",
    "a picture",
    "pic",
    "graphic",
    "icon",
    "screenshot",
    "map",
    "alt",
    "alt text",
    "alttext",
    "bildtext",
    "beskrivning",
    "description",
    "todo",
    "xxx",
];

/// Openings a screen reader makes redundant: it already announces "image".
const REDUNDANT_OPENINGS: &[&str] = &[
    "en bild på",
    "en bild av",
    "bild på",
    "bild av",
    "ett foto på",
    "ett foto av",
    "foto på",
    "foto av",
    "fotografi på",
    "fotografi av",
    "an image of",
    "image of",
    "a picture of",
    "picture of",
    "a photo of",
    "photo of",
    "a photograph of",
    "photograph of",
];

static FILE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(
            [\w.\- ]*\.(jpe?g|png|gif|webp|heic|heif|tiff?|bmp|svg|avif)
            | (img|dsc|dscn|dscf|pxl|dcim|gopr|mvimg|screenshot|skärmavbild|skärmbild|bild|image|photo|foto)[_\-\ ]?\d[\w\-]*
        )$",
    )
    .expect("file name pattern")
});

/// Whether `alt` can match [`FILE_NAME`] at all, which takes its compiling (the `\w` classes)
/// only for the alt texts that end in an image extension or start with a camera's prefix and
/// hold a digit.
fn may_be_file_name(alt: &str) -> bool {
    const EXTENSIONS: [&str; 12] =
        [".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".tif", ".tiff", ".bmp", ".svg", ".avif"];
    const PREFIXES: [&str; 15] = [
        "img",
        "dsc",
        "dscn",
        "dscf",
        "pxl",
        "dcim",
        "gopr",
        "mvimg",
        "screenshot",
        "skärmavbild",
        "skärmbild",
        "bild",
        "image",
        "photo",
        "foto",
    ];
    EXTENSIONS.iter().any(|e| scan::ends_folded(alt, e))
        || (PREFIXES.iter().any(|p| scan::starts_folded(alt, p)) && alt.chars().any(char::is_numeric))
}

impl Rule for AltText {
    fn id(&self) -> &str {
        "a11y.alt-text"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "Alt text that does not describe the image: a file name, a placeholder (\"bild\", \"image\"), \
         fewer than three words, a redundant \"Bild på\", or over the 1000 characters X accepts."
            .into()
    }
    fn example(&self) -> String {
        "[[media]] path = \"../media/IMG_1234.jpg\", alt = \"IMG_1234.jpg\"".into()
    }
    fn link(&self) -> Option<String> {
        Some("https://www.w3.org/WAI/tutorials/images/decision-tree/".into())
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for scope in ctx.scopes.iter().filter(|s| s.kind == ScopeKind::Alt) {
            check_alt(scope, out);
        }
    }
}

fn check_alt(scope: &Scope, out: &mut Emitter<'_>) {
    let text = &scope.text;
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    if start >= end {
        return; // empty: a load error already
    }
    let alt = &text[start..end];
    let whole = start..end;
    let normalized = alt.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace()).to_lowercase();

    if may_be_file_name(alt) && FILE_NAME.is_match(alt) {
        out.at(scope, whole, format!("alt text `{alt}` is a file name: describe what the image shows"))
            .with_level(Level::Error);
        return;
    }
    if PLACEHOLDERS.contains(&normalized.as_str()) {
        out.at(
            scope,
            whole,
            format!("alt text `{alt}` only says what kind of thing it is: describe what the image shows"),
        )
        .with_level(Level::Error);
        return;
    }
    let chars = alt.chars().count();
    if chars > ALT_MAX {
        let over = byte_of_char(alt, ALT_MAX);
        out.at(
            scope,
            start + over..end,
            format!(
                "alt text is {chars} characters; X takes at most {ALT_MAX} (Mastodon 1500, Bluesky 2000): \
                 shorten it, or put the details in the post"
            ),
        );
    }
    if let Some(opening) = REDUNDANT_OPENINGS.iter().find(|o| starts_with_words(alt, o)) {
        let mut cut = opening.len();
        cut += alt[cut..].len() - alt[cut..].trim_start().len();
        let rest = &alt[cut..];
        if let Some(first) = rest.chars().next() {
            let upper: String = first.to_uppercase().collect();
            out.at(
                scope,
                start..start + cut + first.len_utf8(),
                format!("drop `{}`: screen readers already say it is an image", alt[..opening.len()].trim_end()),
            )
            .with_level(Level::Suggestion)
            .with_fix(upper);
        }
    }
    let words = alt.unicode_words().count();
    if words < 3 {
        out.at(
            scope,
            whole,
            format!("alt text `{alt}` is too short to describe the image: say what it shows and why it is in the post"),
        );
    }
}

/// Whether `text` starts with `opening` (in any case) followed by a word boundary.
fn starts_with_words(text: &str, opening: &str) -> bool {
    text.get(..opening.len()).is_some_and(|head| head.to_lowercase() == opening)
        && text[opening.len()..].chars().next().is_some_and(|c| !c.is_alphanumeric())
}

/// Byte offset of the `n`th character of `s`.
fn byte_of_char(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

// ---------------------------------------------------------------------------------------------

struct HashtagCase;

/// A tag this long, in one case, is several words: a screen reader cannot find where they meet
/// and reads it as gibberish. Shorter tags are usually one word (#snöröjning, #valet).
const LONG_TAG: usize = 12;

impl Rule for HashtagCase {
    fn id(&self) -> &str {
        "a11y.hashtag-case"
    }
    fn level(&self) -> Level {
        Level::Suggestion
    }
    fn description(&self) -> String {
        "Long hashtags in capitals (#SNÖRÖJNING) or several words in lower case (#sommarjobbiexempelstad, #snowclearingupdate): screen readers cannot tell the words apart; write PascalCase (#SommarjobbIExempelstad).".into()
    }
    fn example(&self) -> String {
        "tags = [\"SNÖRÖJNINGISTAN\"]".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let lower = LowerCase::for_post(ctx);
        for scope in ctx.scopes {
            if scope.kind == ScopeKind::Hashtag {
                let text = scope.text.as_str();
                let start = text.len() - text.trim_start_matches(['#', ' ']).len();
                let end = text.trim_end().len();
                if start < end {
                    check_tag(scope, start..end, &lower, out);
                }
            } else if scope.kind.is_body() || scope.kind == ScopeKind::Title {
                for m in scan::body_hashtags(&scope.text) {
                    let range = m.start + 1..m.end;
                    if !in_link(scope, &range) {
                        check_tag(scope, range, &lower, out);
                    }
                }
            }
        }
    }
}

/// A bank's BIC/SWIFT code (`HANDSESS`, `NDEASESSXXX`) is capitals by definition; it is
/// recognised by its shape right after the label "BIC" or "SWIFT".
fn is_labelled_bic(text: &str, range: &Range<usize>) -> bool {
    let word = &text[range.clone()];
    let shape = (word.len() == 8 || word.len() == 11)
        && word.is_ascii()
        && word[..6].bytes().all(|b| b.is_ascii_uppercase())
        && word[6..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let before = text[..range.start].trim_end_matches([' ', ':', '\u{a0}']);
    shape && (before.ends_with("BIC") || before.ends_with("SWIFT") || before.ends_with("BIC/SWIFT"))
}

/// When an all-lower-case tag is several words run together. In English compounds are separate
/// words, so any long one is. In Swedish a long tag is often one compound word
/// (#kommunfullmäktige, read fine), so it counts as several words only when it runs a name into
/// other words (#sommarjobbiexempelstad): a name the organisation's own or one the post writes
/// with a capital letter.
enum LowerCase {
    Always,
    WithNames(Vec<String>),
}

impl LowerCase {
    fn for_post(ctx: &PostCtx<'_>) -> Self {
        if ctx.post.lang.starts_with("en") {
            return LowerCase::Always;
        }
        let mut names: Vec<String> = Vec::new();
        let mut add = |w: &str| {
            let w = w.trim_end_matches(|c: char| !c.is_alphabetic());
            let w = w.strip_suffix('s').filter(|s| s.chars().count() >= 4).unwrap_or(w);
            if w.chars().count() >= 4 && w.chars().all(char::is_alphabetic) {
                let lower = w.to_lowercase();
                if !names.contains(&lower) {
                    names.push(lower);
                }
            }
        };
        for w in ctx.project.strategy.organisation().name.split_whitespace() {
            if w.chars().next().is_some_and(char::is_uppercase) {
                add(w);
            }
        }
        for scope in ctx.scopes.iter().filter(|s| s.kind.is_body()) {
            // A capital after a word (not at a sentence start) marks a name.
            let words: Vec<&str> = scope.text.split_whitespace().collect();
            for pair in words.windows(2) {
                let ends_sentence = pair[0].ends_with(['.', '!', '?', ':']);
                let capital = pair[1].chars().next().is_some_and(char::is_uppercase);
                let shouting = pair[1].chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
                if !ends_sentence && capital && !shouting {
                    add(pair[1]);
                }
            }
        }
        LowerCase::WithNames(names)
    }

    fn several_words(&self, tag: &str) -> bool {
        match self {
            LowerCase::Always => true,
            LowerCase::WithNames(names) => {
                let tag = tag.to_lowercase();
                names.iter().any(|n| tag.contains(n.as_str()) && tag.len() > n.len())
            }
        }
    }
}

fn check_tag(scope: &Scope, range: Range<usize>, lower: &LowerCase, out: &mut Emitter<'_>) {
    let tag = &scope.text[range.clone()];
    let letters: Vec<char> = tag.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < LONG_TAG {
        return;
    }
    let cased: Vec<&char> = letters.iter().filter(|c| c.is_lowercase() || c.is_uppercase()).collect();
    if cased.is_empty() {
        return; // a script without case
    }
    let all_lower = cased.iter().all(|c| c.is_lowercase());
    let all_upper = cased.iter().all(|c| c.is_uppercase());
    if (all_lower && lower.several_words(tag)) || all_upper {
        out.at(
            scope,
            range,
            format!(
                "#{tag} is hard to read aloud: write each word with a capital letter (PascalCase), \
                 e.g. #SnöröjningIStan, so screen readers can tell the words apart"
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------

struct Emoji;

/// More than this and a screen reader user hears a list of emoji names instead of the message.
const MAX_EMOJI: usize = 3;

impl Rule for Emoji {
    fn id(&self) -> &str {
        "a11y.emoji"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "More than three emoji in a post, or emoji used as bullets at the start of list items and lines: \
         screen readers read every emoji's full name."
            .into()
    }
    fn example(&self) -> String {
        "- ✅ Koka vattnet\n- ✅ Spara kokt vatten i kylen".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let source = &ctx.post.source;
        let mut seen = 0;
        let mut line_starts: Vec<(&Scope, Range<usize>)> = Vec::new();
        for scope in ctx.scopes.iter().filter(|s| s.kind.is_body() || s.kind == ScopeKind::Title) {
            for range in emoji::emoji(&scope.text) {
                if in_link(scope, &range) {
                    continue;
                }
                seen += 1;
                if seen == MAX_EMOJI + 1 {
                    let total = count_emoji(ctx.scopes);
                    out.at(
                        scope,
                        range.clone(),
                        format!(
                            "{total} emoji in this post (at most {MAX_EMOJI} is easy to listen to): \
                             screen readers read the full name of each one"
                        ),
                    );
                }
                let followed = scope.text[range.end..].chars().next().is_some_and(|c| c != '\n');
                if scope.kind != ScopeKind::Title && followed && at_line_start(source, scope, range.start) {
                    line_starts.push((scope, range));
                }
            }
        }
        // One emoji opening a paragraph is a style choice; a list item that starts with one, or
        // several lines that do, use emoji as bullets.
        let pattern = line_starts.len() >= 2;
        for (scope, range) in line_starts {
            let is_item = scope.kind == ScopeKind::ListItem && scope.text[..range.start].trim().is_empty();
            if !(pattern || is_item) {
                continue;
            }
            let glyph = &scope.text[range.clone()];
            if is_item {
                let after = scope.text[range.end..].len() - scope.text[range.end..].trim_start().len();
                out.at(
                    scope,
                    range.start..range.end + after,
                    format!("{glyph} used as a bullet: the list already has one, and a screen reader reads the emoji's name on every item"),
                )
                .with_fix("");
            } else {
                out.at(
                    scope,
                    range,
                    format!("{glyph} used as a bullet: screen readers read its name on every line; use a Markdown list (`- `) instead"),
                );
            }
        }
    }
}

fn count_emoji(scopes: &[Scope]) -> usize {
    scopes
        .iter()
        .filter(|s| s.kind.is_body() || s.kind == ScopeKind::Title)
        .map(|s| emoji::emoji(&s.text).into_iter().filter(|r| !in_link(s, r)).count())
        .sum()
}

/// Whether the text at `at` begins its line in the file, after quote and list markers.
fn at_line_start(source: &str, scope: &Scope, at: usize) -> bool {
    let offset = scope.file_offset(at);
    let Some(before) = source.get(..offset) else { return false };
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let rest = line.trim_start_matches([' ', '\t', '>']);
    let rest = rest
        .strip_prefix(['-', '*', '+'])
        .or_else(|| {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (digits > 0).then(|| rest[digits..].strip_prefix(['.', ')'])).flatten()
        })
        .unwrap_or(rest);
    rest.chars().all(|c| c == ' ' || c == '\t')
}

// ---------------------------------------------------------------------------------------------

struct Caps;

/// Capitalised abbreviations and names that are written in capitals, not shouted. Shorter
/// acronyms (up to five letters) are allowed anyway; these matter in runs and when long.
const ACRONYMS: &[&str] = &[
    "AB", "AI", "BUP", "BVC", "CAP", "CBRNE", "CDC", "COVID", "CSN", "EU", "FAQ", "FN", "GDPR", "HBTQ", "HBTQI",
    "HBTQIA", "ICA", "IKEA", "IT", "IVA", "IVO", "LSS", "MSB", "MVC", "NATO", "OECD", "PDF", "RAKEL", "SCB", "SFI",
    "SJ", "SKR", "SL", "SMHI", "SMS", "SOS", "SR", "SVT", "TV", "UK", "UNESCO", "UNHCR", "UNICEF", "URL", "USA", "VMA",
    "WHO",
];

/// An all-capitals word this long is shouting, not an abbreviation.
const SHOUT_LETTERS: usize = 6;

impl Rule for Caps {
    fn id(&self) -> &str {
        "a11y.caps"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "Words in ALL CAPS (six letters or more, or several in a row) that are not abbreviations: \
         harder to read, and some screen readers spell them out letter by letter."
            .into()
    }
    fn example(&self) -> String {
        "VIKTIGT: koka vattnet.".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        // Not alt texts: they transcribe signs as written ("a sign saying VÄGARBETE PÅGÅR").
        for scope in ctx.scopes.iter().filter(|s| s.kind.is_body() || s.kind == ScopeKind::Title) {
            check_caps(scope, out);
        }
    }
}

struct Word {
    range: Range<usize>,
    letters: usize,
    caps: bool,
}

fn check_caps(scope: &Scope, out: &mut Emitter<'_>) {
    let text = &scope.text;
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let w = &text[s..i];
                // A word glued to digits or underscores is a code or a name (E4, COVID19, A_B).
                // A hashtag or handle is the hashtag rule's business.
                let glued = text[..s].chars().next_back().is_some_and(|c| c.is_ascii_digit() || "_#@".contains(c))
                    || text[i..].chars().next().is_some_and(|c| c.is_ascii_digit() || c == '_');
                let letters = w.chars().count();
                let caps = !glued && letters >= 2 && w.chars().all(char::is_uppercase);
                words.push(Word { range: s..i, letters, caps });
                start = None;
            }
            _ => {}
        }
    }
    let known = |w: &Word| ACRONYMS.contains(&&text[w.range.clone()]) || is_labelled_bic(text, &w.range);
    let mut i = 0;
    while i < words.len() {
        if !words[i].caps || in_link(scope, &words[i].range) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < words.len()
            && words[j].caps
            && !in_link(scope, &words[j].range)
            && only_space_between(text, &words[j - 1], &words[j])
        {
            j += 1;
        }
        let run = &words[i..j];
        // Two unknown capitalised words side by side are shouting ("LÄS MER", "TÄNK PÅ"); a name
        // with a known abbreviation is not ("ICA AB", "SMHI VMA").
        let unknown: Vec<&Word> = run.iter().filter(|w| !known(w)).collect();
        if unknown.len() >= 2 && unknown.iter().map(|w| w.letters).sum::<usize>() >= 5 {
            let range = run[0].range.start..run[run.len() - 1].range.end;
            out.at(
                scope,
                range.clone(),
                format!("`{}` is written in capitals: write it in ordinary case", &text[range]),
            );
        } else {
            for w in run.iter().filter(|w| w.letters >= SHOUT_LETTERS && !known(w)) {
                let word = &text[w.range.clone()];
                out.at(
                    scope,
                    w.range.clone(),
                    format!("`{word}` is written in capitals: write it in ordinary case (if it is an abbreviation, ignore this)"),
                );
            }
        }
        i = j;
    }
}

/// Whether two words are neighbours in one phrase: a comma or a full stop ends a run ("KTH, SLU").
fn only_space_between(text: &str, a: &Word, b: &Word) -> bool {
    text[a.range.end..b.range.start].chars().all(|c| c == ' ' || c == '-')
}

// ---------------------------------------------------------------------------------------------

struct UnicodeBold;

/// Mathematical Alphanumeric Symbols: letters and digits for formulas, which people paste as
/// "bold" or "italic" text. Screen readers say "mathematical bold capital V" or nothing.
fn is_math_alnum(c: char) -> bool {
    ('\u{1D400}'..='\u{1D7FF}').contains(&c)
}

impl Rule for UnicodeBold {
    fn id(&self) -> &str {
        "a11y.unicode-bold"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "\"Bold\" or \"italic\" letters made from mathematical symbols (𝗩𝗶𝗸𝘁𝗶𝗴𝘁): screen readers cannot read them and search cannot find them.".into()
    }
    fn example(&self) -> String {
        "𝗩𝗶𝗸𝘁𝗶𝗴𝘁: koka vattnet.".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for scope in ctx.scopes.iter().filter(|s| s.kind != ScopeKind::Code) {
            for range in math_runs(&scope.text) {
                let styled = &scope.text[range.clone()];
                let plain: String = styled.nfkc().collect();
                out.at(
                    scope,
                    range,
                    format!("`{styled}` is written with mathematical symbols, not letters: write `{plain}`"),
                )
                .with_fix(plain);
            }
        }
    }
}

/// Runs of mathematical letters, joined across the spaces and punctuation between them, so a
/// styled phrase is one finding with one fix.
fn math_runs(text: &str) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, c) in text.char_indices().filter(|(_, c)| is_math_alnum(*c)) {
        let end = i + c.len_utf8();
        match runs.last_mut() {
            Some(last) if text[last.end..i].chars().all(|c| c.is_whitespace() || c.is_ascii_punctuation()) => {
                last.end = end;
            }
            _ => runs.push(i..end),
        }
    }
    runs
}

// ---------------------------------------------------------------------------------------------

struct LinkText;

/// Link texts that say nothing about where the link goes; screen reader users often jump from
/// link to link and hear only these words.
const VAGUE_LINK_TEXTS: &[&str] = &[
    "klicka här",
    "klicka",
    "här",
    "läs mer",
    "läs mer här",
    "mer",
    "mer info",
    "mer information",
    "länk",
    "länken",
    "den här länken",
    "denna länk",
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "more info",
    "more information",
    "link",
    "this link",
    "learn more",
    "see more",
    "se mer",
];

impl Rule for LinkText {
    fn id(&self) -> &str {
        "a11y.link-text"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "Link text that does not say where it leads (\"klicka här\", \"läs mer\", \"here\"): \
         screen reader users jump between links and hear only their text."
            .into()
    }
    fn example(&self) -> String {
        "Anmäl dig [här](https://www.exempelstad.se/anmalan).".into()
    }
    fn link(&self) -> Option<String> {
        Some("https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html".into())
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for block in ctx.post.body().blocks() {
            for inline in &block.inlines {
                let Inline::Link { text, range, .. } = inline else { continue };
                let normalized = text
                    .trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || "»«→…›".contains(c))
                    .to_lowercase();
                if VAGUE_LINK_TEXTS.contains(&normalized.as_str()) {
                    out.at_file(
                        range.clone(),
                        format!(
                            "link text `{}` does not say where the link goes: use words that name the page, \
                             e.g. [anmälan till jobbmässan](…)",
                            text.trim()
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_name_passes_the_cheap_test() {
        let pieces = [
            "img",
            "IMG",
            "Dsc",
            "dscn",
            "ſcreenshot",
            "sKärmbild",
            "SKÄRMAVBILD",
            "\u{212A}",
            "foto",
            "Bild",
            "_",
            "-",
            " ",
            ".",
            "jpg",
            "JPEG",
            "ſvg",
            "tif",
            "f",
            "0",
            "٣",
            "²",
            "a",
            "ö",
            "x",
        ];
        let mut matched = 0;
        for text in crate::check::scan::tests::generated(&pieces, 30_000, 5) {
            if FILE_NAME.is_match(&text) {
                matched += 1;
                assert!(may_be_file_name(&text), "{text:?}");
            }
        }
        assert!(matched > 300, "{matched}");
        assert!(!may_be_file_name("En orange plogbil röjer snö på en gata i gryningen."));
    }

    #[test]
    fn addresses_are_found_with_either_pattern() {
        let all = Regex::new(&format!("{BARE_WEB}|{BARE_EMAIL}")).unwrap();
        for text in crate::check::scan::tests::generated(crate::check::scan::tests::PIECES, 20_000, 20) {
            let want: Vec<Range<usize>> = all.find_iter(&text).map(|m| m.range()).collect();
            let got: Vec<Range<usize>> =
                bare_addresses(&text).map(|re| re.find_iter(&text).map(|m| m.range()).collect()).unwrap_or_default();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
