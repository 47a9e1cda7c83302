//! The organisation's own rule types (`[[rules]]` in strategy.toml) and the plain-language packs
//! built from them: for each type, texts that must fire (rule, line and column in the post file,
//! fix) and texts that must not; each kind of bad rule as a configuration error (exit code 2)
//! naming its line in strategy.toml.

use crate::common;

use std::path::Path;

use budkavle::check::{Finding, Level};
use common::Repo;

/// A repository with `packs` enabled, `readability` as the `[voice] readability` table (may be
/// empty) and `rules` appended to the strategy.
fn repo(packs: &[&str], readability: &str, rules: &str) -> Repo {
    let r = Repo::new(rules);
    let path = r.path().join("strategy.toml");
    let list = packs.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
    let voice = format!("[voice]\npacks = [{list}]\n{readability}\n");
    let text = std::fs::read_to_string(&path).unwrap().replacen("[voice]\n", &voice, 1);
    std::fs::write(&path, text).unwrap();
    r
}

fn rules(rules: &str) -> Repo {
    repo(&["limits"], "", rules)
}

/// A post whose title is on line 2, whose `extra` front matter is line 7 and whose body starts
/// on line 10.
fn post(title: &str, lang: &str, extra: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\"]\nlang = \"{lang}\"\n{extra}\n+++\n\n{body}\n"
    )
}

fn check(r: &Repo) -> Vec<Finding> {
    budkavle::check::check(&r.load()).expect("check runs")
}

/// (line, column, fix) of the findings of `rule` in `file`, in order.
fn hits(all: &[Finding], rule: &str, file: &str) -> Vec<(usize, usize, Option<String>)> {
    of(all, rule, file).iter().map(|f| (f.line, f.column, f.fix.clone())).collect()
}

fn of<'a>(all: &'a [Finding], rule: &str, file: &str) -> Vec<&'a Finding> {
    all.iter().filter(|f| f.rule == rule && f.file == Path::new("content/posts").join(file)).collect()
}

fn fix(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[track_caller]
fn none(all: &[Finding], rule: &str, file: &str) {
    let found = of(all, rule, file);
    assert!(found.is_empty(), "{rule} must not fire in {file}: {found:#?}");
}

// ---------------------------------------------------------------------------------------------
// existence

#[test]
fn existence() {
    let r = rules(
        r#"
[[rules]]
id = "org.ord"
type = "existence"
tokens = ["givetvis", "i dagsläget"]
patterns = ['\bca\.? \d']
message = "Undvik '%s'."
level = "suggestion"
"#,
    );
    r.post(
        "a.md",
        &post(
            "Givetvis öppet",
            "sv",
            "",
            "Vi har givetvis öppet.\nI dagsläget är det lugnt. Det tar ca 3 dagar.\n\n```\ngivetvis i kod\n```\n\nLäs [mer](https://a.se/givetvis) eller skriv till givetvis@a.se.",
        ),
    );
    r.post(
        "b.md",
        &post("Tydligt", "sv", "tags = [\"givetvis\"]", "Givetvisst inte, sa han. Dagsläget är bra. Circa 3 dagar."),
    );
    let all = check(&r);
    assert_eq!(hits(&all, "org.ord", "a.md"), [(2, 10, None), (10, 8, None), (11, 1, None), (11, 35, None)]);
    let f = &of(&all, "org.ord", "a.md")[2];
    assert_eq!((f.end_line, f.end_column, f.level), (11, 12, Level::Suggestion));
    assert_eq!(f.message, "Undvik 'I dagsläget'.");
    assert_eq!(of(&all, "org.ord", "a.md")[3].message, "Undvik 'ca 3'.");
    none(&all, "org.ord", "b.md");
}

// ---------------------------------------------------------------------------------------------
// substitution

#[test]
fn substitution_with_inflections_and_case() {
    let r = rules(
        r#"
[[rules]]
id = "org.ordval"
type = "substitution"
message = "'%s' heter '%s' hos oss."
swap = { "erhålla|erhåller|erhöll|erhållit" = "få|får|fick|fått", "i syfte att" = "för att" }
"#,
    );
    r.post(
        "a.md",
        &post(
            "Du erhåller svar",
            "sv",
            "",
            "Erhåller du inte beslutet? Vi erhöll många frågor\ni syfte att bli bättre. ERHÅLLIT!",
        ),
    );
    r.post(
        "b.md",
        &post(
            "Svar",
            "sv",
            "",
            "Erhållandet av svar går fort. Se [sidan](https://a.se/erhåller).\n\n    erhåller i kod\n\nI syfte. Att vi får.",
        ),
    );
    let all = check(&r);
    assert_eq!(
        hits(&all, "org.ordval", "a.md"),
        [
            (2, 13, fix("får")),
            (10, 1, fix("Får")),
            (10, 31, fix("fick")),
            (11, 1, fix("för att")),
            (11, 25, fix("FÅTT")),
        ]
    );
    assert_eq!(of(&all, "org.ordval", "a.md")[1].message, "'Erhåller' heter 'Får' hos oss.");
    // The phrase spans a line break: the finding ends on the next line.
    let f = &of(&all, "org.ordval", "a.md")[3];
    assert_eq!((f.end_line, f.end_column), (11, 12));
    none(&all, "org.ordval", "b.md");
}

#[test]
fn substitution_with_regexes() {
    let r = rules(
        r#"
[[rules]]
id = "org.kronor"
type = "substitution"
regex = true
swap = { '(\d+) ?kr\b' = "$1 kronor", 'e-?mail' = "e-post" }
"#,
    );
    r.post("a.md", &post("Pris", "sv", "", "Det kostar 100kr. Skicka ett Email. Se https://a.se/email."));
    r.post("b.md", &post("Pris", "sv", "", "Det kostar 100 kronor och krånglar inte."));
    let all = check(&r);
    assert_eq!(hits(&all, "org.kronor", "a.md"), [(10, 12, fix("100 kronor")), (10, 30, fix("E-post"))]);
    assert_eq!(of(&all, "org.kronor", "a.md")[0].message, "write '100 kronor' instead of '100kr'");
    none(&all, "org.kronor", "b.md");
}

// ---------------------------------------------------------------------------------------------
// occurrence

#[test]
fn occurrence_counts_words_hashtags_emoji_and_links() {
    let r = rules(
        r#"
[[rules]]
id = "org.mening"
type = "occurrence"
token = "$word"
per = "sentence"
max = 6
message = "Meningen har %s ord."

[[rules]]
id = "org.hashtaggar"
type = "occurrence"
token = "$hashtag"
per = "post"
max = 2

[[rules]]
id = "org.emoji"
type = "occurrence"
token = "$emoji"
per = "post"
max = 1
level = "suggestion"

[[rules]]
id = "org.lank"
type = "occurrence"
token = "$link"
per = "post"
min = 1
"#,
    );
    r.post(
        "a.md",
        &post(
            "Ett inlägg",
            "sv",
            "tags = [\"Snö\", \"Väder\", \"KrisInfo\"]",
            "Kort mening här. Den här meningen har alldeles för många ord i sig.\n\nSnöröjning 🚜 pågår ❄️ #Vinter",
        ),
    );
    r.post(
        "b.md",
        &post(
            "Ett inlägg",
            "sv",
            "tags = [\"Snö\"]",
            "Kort mening här. Sex ord i den här.\n\n- en punkt med sju ord i sig\n\nLäs [mer](https://a.se) 🚜",
        ),
    );
    let all = check(&r);
    assert_eq!(hits(&all, "org.mening", "a.md"), [(10, 18, None)]);
    assert_eq!(of(&all, "org.mening", "a.md")[0].message, "Meningen har 10 ord.");
    let f = &of(&all, "org.mening", "a.md")[0];
    assert_eq!((f.end_line, f.end_column), (10, 68));
    // The third hashtag is the first too many: it is in the front matter.
    assert_eq!(hits(&all, "org.hashtaggar", "a.md"), [(7, 26, None)]);
    assert!(of(&all, "org.hashtaggar", "a.md")[0].message.starts_with("4 hashtags in this post; at most 2"));
    assert_eq!(hits(&all, "org.emoji", "a.md"), [(12, 20, None)]);
    // Too few: the finding is on the post (its title).
    assert_eq!(hits(&all, "org.lank", "a.md"), [(2, 9, None)]);

    assert_eq!(hits(&all, "org.mening", "b.md"), [(12, 3, None)]);
    none(&all, "org.hashtaggar", "b.md");
    none(&all, "org.emoji", "b.md");
    none(&all, "org.lank", "b.md");
}

// ---------------------------------------------------------------------------------------------
// repetition

#[test]
fn repetition() {
    let r = rules(
        r#"
[[rules]]
id = "org.upprepning"
type = "repetition"
exceptions = ["ha"]
"#,
    );
    r.post("a.md", &post("Ses på på fredag", "sv", "", "Vi ses på fredag och och\noch lördag."));
    r.post("b.md", &post("Bra, bra", "sv", "", "Bra, bra! Hej. Hej igen. Ha ha. Sida 10 10 gånger."));
    let all = check(&r);
    assert_eq!(hits(&all, "org.upprepning", "a.md"), [(2, 14, fix("på")), (10, 18, fix("och"))]);
    let f = &of(&all, "org.upprepning", "a.md")[1];
    assert_eq!((f.end_line, f.end_column, f.message.as_str()), (10, 25, "'och' is written twice in a row"));
    none(&all, "org.upprepning", "b.md");
}

// ---------------------------------------------------------------------------------------------
// consistency

#[test]
fn consistency() {
    let r = rules(
        r#"
[[rules]]
id = "org.stavning"
type = "consistency"
either = { "e-post|e-posten" = "mejl|mejlet" }
"#,
    );
    r.post("a.md", &post("Skicka e-post", "sv", "", "Vi läser e-posten varje dag. Eller skicka ett Mejl."));
    r.post("b.md", &post("Mejla oss", "sv", "", "Skicka ett mejl. Vi läser mejlet varje dag."));
    r.post("c.md", &post("Mejl", "sv", "", "Skicka ett mejl, eller e-post."));
    let all = check(&r);
    assert_eq!(hits(&all, "org.stavning", "a.md"), [(10, 47, fix("E-post"))]);
    assert!(of(&all, "org.stavning", "a.md")[0].message.contains("'Mejl' here but 'e-post' elsewhere"));
    none(&all, "org.stavning", "b.md");
    // A tie: the spelling that came second is the one flagged.
    assert_eq!(hits(&all, "org.stavning", "c.md"), [(10, 24, fix("mejl"))]);
}

// ---------------------------------------------------------------------------------------------
// conditional

#[test]
fn conditional_acronyms() {
    let r = rules(
        r#"
[[rules]]
id = "org.forkortning"
type = "conditional"
exceptions = ["EU"]
"#,
    );
    r.post(
        "a.md",
        &post(
            "Råd från MSB",
            "sv",
            "",
            "MSB och SMHI (Sveriges meteorologiska och hydrologiska institut) varnar. EU hjälper till.\n\nSTÄNGT IDAG. Karl XII. Läs mer hos FHM och igen hos FHM.",
        ),
    );
    r.post(
        "b.md",
        &post(
            "Råd",
            "sv",
            "",
            "Myndigheten för samhällsskydd och beredskap (MSB) varnar. FHM (Folkhälsomyndigheten) också. Trafikverket, TRV, stänger. Läs på https://a.se/MSB eller @SMHI.",
        ),
    );
    let all = check(&r);
    assert_eq!(hits(&all, "org.forkortning", "a.md"), [(2, 19, None), (12, 36, None)]);
    assert!(of(&all, "org.forkortning", "a.md")[0].message.starts_with("'MSB' is not spelled out in this post"));
    none(&all, "org.forkortning", "b.md");
}

// ---------------------------------------------------------------------------------------------
// capitalization

#[test]
fn capitalization_sentence_case() {
    let r = rules(
        r#"
[[rules]]
id = "org.rubriker"
type = "capitalization"
match = "$sentence"
exceptions = ["Exempelstad", "Region Exempel"]
"#,
    );
    r.post(
        "a.md",
        &post("Nytt Bibliotek i Exempelstad", "sv", "", "## välkommen till Öppet hus\n\nDetta Är Ingen Rubrik."),
    );
    r.post(
        "b.md",
        &post("Nytt bibliotek i Exempelstad", "sv", "", "## Region Exempel och SMHI: Nu öppnar iPhone-appen\n\nText."),
    );
    let all = check(&r);
    assert_eq!(
        hits(&all, "org.rubriker", "a.md"),
        [(2, 15, fix("bibliotek")), (10, 4, fix("Välkommen")), (10, 19, fix("öppet"))]
    );
    assert!(of(&all, "org.rubriker", "a.md")[0].message.contains("write titles in sentence case"));
    none(&all, "org.rubriker", "b.md");
}

#[test]
fn capitalization_other_styles() {
    let r = rules(
        r#"
[[rules]]
id = "org.versaler"
type = "capitalization"
match = "$lower"
scope = "hashtag"

[[rules]]
id = "org.titel"
type = "capitalization"
match = "$title"
lang = "en"

[[rules]]
id = "org.monster"
type = "capitalization"
match = '^[A-ZÅÄÖ]'
scope = "list"
"#,
    );
    r.post("a.md", &post("A new library for the town", "en", "tags = [\"snö\", \"KrisInfo\"]", "- apples\n- Pears"));
    r.post("b.md", &post("A New Library for the Town", "en", "tags = [\"snö\"]", "- Apples"));
    r.post("c.md", &post("en ny titel", "sv", "", "Text."));
    let all = check(&r);
    assert_eq!(hits(&all, "org.versaler", "a.md"), [(7, 17, fix("krisinfo"))]);
    assert_eq!(hits(&all, "org.titel", "a.md"), [(2, 12, fix("New")), (2, 16, fix("Library")), (2, 32, fix("Town"))]);
    assert_eq!(hits(&all, "org.monster", "a.md"), [(10, 3, None)]);
    for rule in ["org.versaler", "org.titel", "org.monster"] {
        none(&all, rule, "b.md");
        none(&all, rule, "c.md");
    }
}

// ---------------------------------------------------------------------------------------------
// readability

const HARD_SV: &str =
    "Myndigheten kommer att tillhandahålla information avseende ansökan. Du erhåller beslutet efter handläggning.";
const EASY_SV: &str = "Vi ger dig information om ansökan. Du får beslutet snart.";

#[test]
fn readability_lix_and_flesch() {
    let r = rules(
        r#"
[[rules]]
id = "org.lix"
type = "readability"
metric = "lix"
max = 45
lang = "sv"

[[rules]]
id = "org.flesch"
type = "readability"
metric = "flesch"
min = 60
lang = "en"
min_words = 5
"#,
    );
    r.post("hard.md", &post("Beslut", "sv", "", HARD_SV));
    r.post("easy.md", &post("Beslut", "sv", "", EASY_SV));
    r.post("en-hard.md", &post("Decision", "en", "", HARD_SV));
    r.post(
        "en-wordy.md",
        &post(
            "Decision",
            "en",
            "",
            "Notwithstanding the aforementioned considerations, applicants are required to substantiate eligibility documentation comprehensively.",
        ),
    );
    r.post("en-easy.md", &post("Decision", "en", "", "The cat sat on the mat. It was happy."));
    r.post("short.md", &post("Kort", "sv", "", "Handläggningstiden förlängs betydligt."));
    let all = check(&r);
    assert_eq!(hits(&all, "org.lix", "hard.md"), [(10, 1, None)]);
    assert_eq!(
        of(&all, "org.lix", "hard.md")[0].message,
        "LIX is 72.67 (12 words, 2 sentences), above 45; shorter sentences and shorter, everyday words make it easier to read"
    );
    none(&all, "org.lix", "easy.md");
    none(&all, "org.lix", "en-hard.md");
    none(&all, "org.lix", "short.md");
    assert_eq!(hits(&all, "org.flesch", "en-wordy.md"), [(10, 1, None)]);
    assert!(of(&all, "org.flesch", "en-wordy.md")[0].message.starts_with("Flesch Reading Ease is -"));
    none(&all, "org.flesch", "en-easy.md");
    none(&all, "org.flesch", "hard.md");
}

// ---------------------------------------------------------------------------------------------
// Scope, lang and suppression apply to every type

#[test]
fn scope_lang_and_suppression() {
    let r = rules(
        r#"
[[rules]]
id = "org.alt"
type = "existence"
tokens = ["bild på"]
scope = ["alt"]
lang = "sv"
ignorecase = false
"#,
    );
    r.file("content/media/bild.png", b"\x89PNG\r\n\x1a\n");
    let media = "[[media]]\npath = \"../media/bild.png\"\nalt = \"En bild på en snöplog, Bild på\"";
    r.post("a.md", &post("Bild på snö", "sv", media, "En bild på snö."));
    r.post("b.md", &post("Bild på snö", "en", media, "En bild på snö."));
    r.post("c.md", &post("Bild på snö", "sv", &format!("ignore = [\"org\"]\n{media}"), "En bild på snö."));
    let all = check(&r);
    assert_eq!(hits(&all, "org.alt", "a.md"), [(9, 11, None)]);
    none(&all, "org.alt", "b.md");
    none(&all, "org.alt", "c.md");
}

// ---------------------------------------------------------------------------------------------
// The klarsprak and plain-en packs

const LONG_SV: &str = "Med anledning av det ändrade läget kommer vi från och med måndag att hålla stängt i biblioteket på torget men du kan fortfarande lämna tillbaka dina böcker i inkastet vid entrén.";

#[test]
fn klarsprak_pack() {
    let r = repo(&["klarsprak", "plain-en"], "readability = { lix_max = 45, max_sentence_words = 20 }", "");
    r.post("a.md", &post("Du erhåller beslut", "sv", "", &format!("{HARD_SV}\n\n{LONG_SV}")));
    r.post("b.md", &post("Beslut", "sv", "", EASY_SV));
    r.post("c.md", &post("Decision", "en", "", &format!("{HARD_SV}\n\n{LONG_SV}")));
    let all = check(&r);
    assert_eq!(
        hits(&all, "klarsprak.ordval", "a.md"),
        [
            (2, 13, fix("får")),
            (10, 24, fix("erbjuda")),
            (10, 51, fix("om")),
            (10, 72, fix("får")),
            (12, 1, fix("På grund av")),
        ]
    );
    let f = &of(&all, "klarsprak.ordval", "a.md")[0];
    assert_eq!(
        (f.level, f.message.as_str()),
        (Level::Warning, "'erhåller' is officialese; write 'får' (Svarta listan)")
    );
    assert_eq!(hits(&all, "klarsprak.lix", "a.md"), [(10, 1, None)]);
    let f = &of(&all, "klarsprak.lix", "a.md")[0];
    assert!(f.message.contains("above 45"), "{}", f.message);
    assert_eq!(hits(&all, "klarsprak.meningslangd", "a.md"), [(12, 1, None)]);
    let f = &of(&all, "klarsprak.meningslangd", "a.md")[0];
    assert_eq!(
        (f.level, f.message.as_str()),
        (Level::Suggestion, "sentence of 31 words; at most 20 is easier to read, so split it")
    );

    for rule in ["klarsprak.ordval", "klarsprak.lix", "klarsprak.meningslangd"] {
        none(&all, rule, "b.md");
        none(&all, rule, "c.md");
    }
    for rule in ["plain-en.wordiness", "plain-en.flesch", "plain-en.sentence-length"] {
        none(&all, rule, "a.md");
        none(&all, rule, "b.md");
    }
}

#[test]
fn klarsprak_defaults() {
    let r = repo(&["klarsprak"], "", "");
    // LIX 72.67 is over the default 50.
    r.post("a.md", &post("Beslut", "sv", "", HARD_SV));
    // LIX 46.90 is under the default 50 (and over 45); the 31-word sentence is over 25.
    r.post("b.md", &post("Beslut", "sv", "", &format!("{HARD_SV}\n\n{LONG_SV}")));
    let all = check(&r);
    assert_eq!(hits(&all, "klarsprak.lix", "a.md"), [(10, 1, None)]);
    assert!(of(&all, "klarsprak.lix", "a.md")[0].message.contains("above 50"));
    none(&all, "klarsprak.lix", "b.md");
    none(&all, "klarsprak.meningslangd", "a.md");
    assert_eq!(hits(&all, "klarsprak.meningslangd", "b.md"), [(12, 1, None)]);
    assert!(of(&all, "klarsprak.meningslangd", "b.md")[0].message.contains("at most 25"));
}

#[test]
fn plain_en_pack() {
    let r = repo(&["plain-en", "klarsprak"], "readability = { flesch_min = 50 }", "");
    let wordy = "We will commence work in order to facilitate access. Residents utilizing municipal facilities must familiarize themselves with applicable accessibility regulations.";
    let long = "The library on the square will be closed from Monday because of the changed situation but you can still return your books through the slot by the main entrance.";
    r.post("a.md", &post("We utilize feedback", "en", "", &format!("{wordy}\n\n{long}")));
    r.post(
        "b.md",
        &post(
            "Open today",
            "en",
            "",
            "The library is open today. Come in and borrow a book. We have new books for kids.",
        ),
    );
    r.post("c.md", &post("Open today", "sv", "", wordy));
    let all = check(&r);
    assert_eq!(
        hits(&all, "plain-en.wordiness", "a.md"),
        [
            (2, 13, fix("use")),
            (10, 9, fix("start")),
            (10, 23, fix("to")),
            (10, 35, fix("help")),
            (10, 64, fix("using")),
        ]
    );
    assert!(of(&all, "plain-en.wordiness", "a.md")[0].message.starts_with("'utilize' is wordy; write 'use' ("));
    assert_eq!(hits(&all, "plain-en.flesch", "a.md"), [(10, 1, None)]);
    assert!(of(&all, "plain-en.flesch", "a.md")[0].message.contains("below 50"));
    assert_eq!(hits(&all, "plain-en.sentence-length", "a.md"), [(12, 1, None)]);
    for rule in ["plain-en.wordiness", "plain-en.flesch", "plain-en.sentence-length"] {
        none(&all, rule, "b.md");
        none(&all, rule, "c.md");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad rules are configuration errors naming their line

/// Runs `budkavle check` on a repository with `rules`; returns the exit code and stderr.
fn check_bin(r: &Repo) -> (i32, String) {
    let out = common::bin().arg("--root").arg(r.path()).arg("check").output().expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `strategy.toml:LINE` of the first line of the strategy that contains `needle`, after `from`.
fn line_of(r: &Repo, needle: &str, from: &str) -> String {
    let text = std::fs::read_to_string(r.path().join("strategy.toml")).unwrap();
    let start = text.find(from).expect("from in strategy");
    let at = start + text[start..].find(needle).expect("needle in strategy");
    format!("strategy.toml:{}:", text[..at].matches('\n').count() + 1)
}

#[track_caller]
fn bad_rule(rule: &str, needle: &str, message: &str, hint: &str) {
    let r = rules(rule);
    r.post("a.md", &post("Titel", "sv", "", "Text."));
    let (code, stderr) = check_bin(&r);
    assert_eq!(code, 2, "{stderr}");
    let line = line_of(&r, needle, "[[rules]]");
    let reported = stderr.lines().find(|l| l.contains(&line)).unwrap_or_else(|| panic!("{line} not in:\n{stderr}"));
    assert!(reported.contains(message), "`{message}` not in `{reported}`:\n{stderr}");
    assert!(stderr.contains(hint), "`{hint}` not in:\n{stderr}");
}

#[test]
fn bad_regex() {
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"existence\"\npatterns = [\n  'ok',\n  'betal(a|ar'\n]\n",
        "'betal(a|ar'",
        "invalid regex `betal(a|ar` in `patterns`: unclosed group",
        "Rust regex syntax",
    );
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"substitution\"\nregex = true\nswap = { '(?<=a)b' = \"c\" }\n",
        "swap",
        "invalid regex `(?<=a)b` in `swap`: look-around",
        "no look-around",
    );
}

#[test]
fn bad_type() {
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"substituton\"\nswap = {}\n",
        "[[rules]]",
        "unknown rule type `substituton`",
        "did you mean `substitution`?",
    );
}

#[test]
fn missing_key() {
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"occurrence\"\nmax = 3\n",
        "[[rules]]",
        "an occurrence rule needs `token`",
        "$hashtag",
    );
    bad_rule("[[rules]]\ntype = \"existence\"\ntokens = [\"x\"]\n", "[[rules]]", "a rule needs an `id`", "id =");
}

#[test]
fn wrong_value_type() {
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"occurrence\"\ntoken = \"$word\"\nmax = \"25\"\n",
        "max = \"25\"",
        "`max` must be a whole number, 0 or more, not a string",
        "",
    );
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"substitution\"\nswap = { \"a|b\" = \"c|d|e\" }\n",
        "swap",
        "`swap` key `a|b` has 2 forms but its replacement `c|d|e` has 3",
        "one replacement per form",
    );
}

#[test]
fn unknown_key() {
    bad_rule(
        "[[rules]]\nid = \"org.x\"\ntype = \"readability\"\nmetric = \"lix\"\nmax = 40\nminwords = 10\n",
        "minwords",
        "unknown key `minwords` for a readability rule",
        "did you mean `min_words`?",
    );
}

#[test]
fn good_rules_leave_check_running() {
    let r = rules("[[rules]]\nid = \"org.x\"\ntype = \"existence\"\ntokens = [\"givetvis\"]\nlevel = \"error\"\n");
    r.post("a.md", &post("Titel", "sv", "", "Givetvis."));
    let (code, stderr) = check_bin(&r);
    assert_eq!(code, 1, "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Robustness: every type on awkward text, without panics

#[test]
fn awkward_text_does_not_break_any_rule() {
    let r = repo(
        &["klarsprak", "plain-en"],
        "",
        r#"
[[rules]]
id = "t.e"
type = "existence"
tokens = ["å", "e.g", "t.ex.", "’s"]
patterns = ['(?m)$', 'ö+']
[[rules]]
id = "t.s"
type = "substitution"
swap = { "ö|öö" = "ä|ää", "t.ex." = "till exempel" }
[[rules]]
id = "t.o"
type = "occurrence"
token = "$emoji"
per = "sentence"
max = 0
[[rules]]
id = "t.o2"
type = "occurrence"
token = '\b'
per = "post"
min = 1000
[[rules]]
id = "t.r"
type = "repetition"
[[rules]]
id = "t.c"
type = "consistency"
either = { "ö" = "ä" }
[[rules]]
id = "t.a"
type = "conditional"
[[rules]]
id = "t.k"
type = "capitalization"
match = "$title"
scope = "text"
[[rules]]
id = "t.k2"
type = "capitalization"
match = "$sentence"
scope = "text"
[[rules]]
id = "t.l"
type = "readability"
metric = "flesch"
min = 100
min_words = 0
"#,
    );
    let bodies = [
        "",
        "…",
        "ö ö ä ö’ ’ö’s",
        "👨‍👩‍👧 👨‍👩‍👧. 🇸🇪🇸🇪! ©️ ™",
        "mo\u{308}te mo\u{308}te. MÖTE (MÖTE)",
        "e.g’s e.g’ t.ex.’ t.ex.",
        "Zero\u{200b}width joiner\u{200d}here. \u{feff}BOM",
        "שלום עולם. مرحبا بالعالم.",
        "[](https://a.se) [x](https://a.se/ö) <https://b.se/ä> www.c.se/ö.",
        "- a\n- b\n\n> c c\n\n# ÅÄÖ ÅÄÖ\n\n```\nö ö\n```",
        "A.B.C. D. e. F? g! H…",
        "line  \nbreak  \nöö öö",
    ];
    for (i, body) in bodies.iter().enumerate() {
        r.post(
            &format!("p{i}.md"),
            &post("Ö ö – ÖÖ (ÖÖ)", if i % 2 == 0 { "sv" } else { "en" }, "tags = [\"ö\", \"Ö\"]", body),
        );
    }
    let all = check(&r);
    assert!(
        all.iter().all(|f| f.line >= 1 && f.column >= 1 && (f.end_line, f.end_column) >= (f.line, f.column)),
        "{all:#?}"
    );
    for rule in ["t.e", "t.s", "t.o", "t.o2", "t.r", "t.c", "t.a", "t.k", "t.k2", "t.l"] {
        assert!(all.iter().any(|f| f.rule == rule), "{rule} never fired");
    }
}
