//! The `a11y`, `links`, `crisis` and `strategy` packs of `budkavle check`: for each rule, texts
//! that must fire (rule, level, line and column in the file, fix) and texts that must not.

use crate::common;

use std::path::Path;

use budkavle::check::{Finding, Level};
use common::Repo;

/// A repository with the given packs enabled (`[voice] packs`) and `extra` strategy text.
fn repo(packs: &[&str], extra: &str) -> Repo {
    let r = Repo::new(extra);
    let path = r.path().join("strategy.toml");
    let list = packs.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
    let text =
        std::fs::read_to_string(&path).unwrap().replacen("[voice]\n", &format!("[voice]\npacks = [{list}]\n"), 1);
    std::fs::write(&path, text).unwrap();
    r.file("content/media/bild.png", b"\x89PNG\r\n\x1a\n");
    r
}

fn check(r: &Repo) -> Vec<Finding> {
    budkavle::check::check(&r.load()).expect("check runs")
}

/// Findings of one rule (its id or a suffixed id) in one file.
fn of<'a>(all: &'a [Finding], rule: &str, file: &str) -> Vec<&'a Finding> {
    all.iter()
        .filter(|f| {
            (f.rule == rule || f.rule.starts_with(&format!("{rule}.")))
                && f.file == Path::new("content/posts").join(file)
        })
        .collect()
}

/// A news post to Mastodon with a goal and an audience, so only the rule under test speaks.
fn post(front: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"Ett inlägg\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\"]\n{front}\n+++\n\n{body}\n"
    )
}

/// 1-based line and character column of the `nth` occurrence of `needle` in `text`, and of the
/// character just past it.
fn span(text: &str, needle: &str, nth: usize) -> ((usize, usize), (usize, usize)) {
    let at = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("`{needle}` not in the post")).0;
    let pos = |offset: usize| {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
        (line, col)
    };
    (pos(at), pos(at + needle.len()))
}

/// Asserts that `f` covers exactly the `nth` occurrence of `needle` in `text`.
#[track_caller]
fn assert_at(f: &Finding, text: &str, needle: &str, nth: usize) {
    let ((line, col), (end_line, end_col)) = span(text, needle, nth);
    assert_eq!(
        (f.line, f.column, f.end_line, f.end_column),
        (line, col, end_line, end_col),
        "{} should cover `{needle}`: {f:#?}",
        f.rule
    );
}

#[track_caller]
fn none(all: &[Finding], rule: &str, file: &str) {
    let found = of(all, rule, file);
    assert!(found.is_empty(), "{rule} must not fire in {file}: {found:#?}");
}

fn media(alt: &str) -> String {
    format!("[[media]]\npath = \"../media/bild.png\"\nalt = \"{alt}\"\n")
}

// ---------------------------------------------------------------------------------------------
// a11y

#[test]
fn alt_text_that_describes_nothing() {
    let r = repo(&["a11y"], "");
    let long = "Ett ord ".repeat(130);
    let cases = [
        ("fil.md", "IMG_1234.jpg", Level::Error, "IMG_1234.jpg", "file name"),
        ("fil2.md", "plogbil_storgatan.png", Level::Error, "plogbil_storgatan.png", "file name"),
        ("ord.md", "Bild", Level::Error, "Bild", "what kind of thing"),
        ("ord2.md", "Logo.", Level::Error, "Logo.", "what kind of thing"),
        ("ord3.md", "an image", Level::Error, "an image", "what kind of thing"),
        ("kort.md", "Plogbil", Level::Warning, "Plogbil", "too short"),
    ];
    for (file, alt, ..) in &cases {
        r.post(file, &post(&media(alt), "Text."));
    }
    r.post("pa.md", &post(&media("Bild på en plogbil som röjer snö"), "Text."));
    r.post("of.md", &post(&media("Image of a snow plough on Main Street"), "Text."));
    r.post("lang.md", &post(&media(long.trim()), "Text."));
    let all = check(&r);

    for (file, alt, level, needle, words) in cases {
        let found = of(&all, "a11y.alt-text", file);
        assert_eq!(found.len(), 1, "{file}: {found:#?}");
        assert_eq!(found[0].level, level, "{file}");
        assert!(found[0].message.contains(words), "{file}: {}", found[0].message);
        assert!(found[0].message.contains(alt), "{file}: the message quotes the alt text");
        assert_at(found[0], &post(&media(alt), "Text."), needle, 0);
    }

    let found = of(&all, "a11y.alt-text", "pa.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Suggestion);
    assert_at(found[0], &post(&media("Bild på en plogbil som röjer snö"), "Text."), "Bild på e", 0);
    assert_eq!(found[0].fix.as_deref(), Some("E"));
    let found = of(&all, "a11y.alt-text", "of.md");
    assert_eq!(found[0].fix.as_deref(), Some("A"));

    let found = of(&all, "a11y.alt-text", "lang.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("1039 characters"), "{}", found[0].message);
    // The part beyond the 1000th character is marked.
    let text = post(&media(long.trim()), "Text.");
    let alt_start = text.find("Ett ord").unwrap();
    let line = text[..alt_start].matches('\n').count() + 1;
    assert_eq!((found[0].line, found[0].column), (line, "alt = \"".len() + 1 + 1000));
}

#[test]
fn alt_text_that_describes_is_left_alone() {
    let r = repo(&["a11y"], "");
    for (i, alt) in [
        "En plogbil röjer snö på Storgatan en tidig morgon.",
        "Bildspel från julmarknaden på Stortorget.",
        "Logotyp för Exempelstads kommun: en blå sköld med tre snöflingor.",
        "Karta över Parkstråket med de nya gångvägarna markerade i rött.",
        "Fotografering av årets skolklasser i aulan.",
        "A snow plough clears Main Street at dawn.",
        "Bild 1 av 3: en kastrull med kokande vatten.",
    ]
    .iter()
    .enumerate()
    {
        r.post(&format!("ok{i}.md"), &post(&media(alt), "Text."));
    }
    let all = check(&r);
    let found: Vec<&Finding> = all.iter().filter(|f| f.rule == "a11y.alt-text").collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn long_one_case_hashtags() {
    let r = repo(&["a11y"], "");
    let text = post(
        "tags = [\"snöröjningitestby\", \"KRISINFORMATION\", \"SnöröjningITestby\", \"Dricksvatten\", \"kommunen\", \"#valvakan2026\", \"日本語のハッシュタグです\", \"kommunfullmäktige\"]",
        "Följ #vattenläckanistorby och #Vattenläckan här, i Storby. Se https://www.exempelstad.se/#avsnittettvåochtre.",
    );
    r.post("tag.md", &text);
    let all = check(&r);
    let found = of(&all, "a11y.hashtag-case", "tag.md");
    assert_eq!(found.len(), 3, "{found:#?}");
    // A Swedish compound (#kommunfullmäktige) is one word; a name run into other words is not.
    assert_at(found[0], &text, "snöröjningitestby", 0);
    assert_at(found[1], &text, "KRISINFORMATION", 0);
    assert_at(found[2], &text, "vattenläckanistorby", 0);
    assert!(found.iter().all(|f| f.level == Level::Suggestion && f.fix.is_none()));
    assert!(found[0].message.contains("#snöröjningitestby"), "{}", found[0].message);

    // In English every long lower-case tag is several words.
    let en = post("lang = \"en\"\ntags = [\"snowclearingupdate\", \"Snow\"]", "We clear the roads tonight.");
    r.post("en.md", &en);
    let all = check(&r);
    let found = of(&all, "a11y.hashtag-case", "en.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_at(found[0], &en, "snowclearingupdate", 0);
}

#[test]
fn emoji_counted_per_post() {
    let r = repo(&["a11y"], "");
    let four = post("", "Julmarknad 🎄 på torget ✨ med glögg ☕ och tomtar 🎅!");
    let three = post("", "Julmarknad 🎄 på torget ✨ med glögg ☕ och tomtar!\n\nVälkommen – kl. 10–16, © 2026 ✓");
    r.post("fyra.md", &four);
    r.post("tre.md", &three);
    let all = check(&r);
    let found = of(&all, "a11y.emoji", "fyra.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_at(found[0], &four, "🎅", 0);
    assert!(found[0].message.starts_with("4 emoji"), "{}", found[0].message);
    assert_eq!(found[0].level, Level::Warning);
    none(&all, "a11y.emoji", "tre.md");
}

#[test]
fn emoji_as_bullets() {
    let r = repo(&["a11y"], "");
    let list = post("", "Så gör du:\n\n- ✅ Koka vattnet.\n- Spara kokt vatten i kylen.\n\n1. 👉 Ring oss.\n");
    let lines = post("", "Så gör du:\n👉 Koka vattnet.\n👉 Spara kokt vatten.");
    let single = post("", "⚠️ Varning för hala vägar i kväll.\n\nKör försiktigt.");
    let inside = post("", "- Koka vattnet ✅\n- Spara vatten 💧");
    r.post("lista.md", &list);
    r.post("rader.md", &lines);
    r.post("en.md", &single);
    r.post("inne.md", &inside);
    let all = check(&r);

    let found = of(&all, "a11y.emoji", "lista.md");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_at(found[0], &list, "✅ ", 0);
    assert_eq!(found[0].fix.as_deref(), Some(""));
    assert_at(found[1], &list, "👉 ", 0);
    assert_eq!(found[1].fix.as_deref(), Some(""));

    let found = of(&all, "a11y.emoji", "rader.md");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_at(found[0], &lines, "👉", 0);
    assert_at(found[1], &lines, "👉", 1);
    assert!(found[0].fix.is_none());
    assert!(found[0].message.contains("Markdown list"));

    none(&all, "a11y.emoji", "en.md");
    none(&all, "a11y.emoji", "inne.md");
}

#[test]
fn shouting_capitals() {
    let r = repo(&["a11y"], "");
    let text = post("", "VIKTIGT: koka vattnet. LÄS MER om det nedan.\n\nTÄNK PÅ grannarna.");
    r.post("caps.md", &text);
    let title = "+++\ntitle = \"VARNING för halka\"\n+++\n\nText.\n";
    r.post("rubrik.md", title);
    let calm = post(
        "[[media]]\npath = \"../media/bild.png\"\nalt = \"Skylt från SMHI med texten VÄGARBETE PÅGÅR.\"",
        "SMHI och VMA varnar. Läs om UNICEF, COVID-19, SMS-tjänsten och ICA AB. KRIS i EU. Följ #KRISINFORMATION och https://www.exempelstad.se/VIKTIGT. Vi på SOS 112.",
    );
    r.post("lugn.md", &calm);
    let all = check(&r);

    let found = of(&all, "a11y.caps", "caps.md");
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_at(found[0], &text, "VIKTIGT", 0);
    assert_at(found[1], &text, "LÄS MER", 0);
    assert_at(found[2], &text, "TÄNK PÅ", 0);
    assert!(found.iter().all(|f| f.level == Level::Warning && f.fix.is_none()));

    let found = of(&all, "a11y.caps", "rubrik.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_at(found[0], title, "VARNING", 0);

    none(&all, "a11y.caps", "lugn.md");
}

#[test]
fn unicode_bold_letters() {
    let r = repo(&["a11y"], "");
    let text = "+++\ntitle = \"𝗩𝗶𝗸𝘁𝗶𝗴𝘁 om vattnet\"\n+++\n\n𝗩𝗶𝗸𝘁𝗶𝗴𝘁 𝗶𝗻𝗳𝗼: koka vattnet. 𝘒𝘰𝘬𝘢 i en minut.\n";
    r.post("fet.md", text);
    r.post("vanlig.md", &post("", "**Viktigt**: koka vattnet. x² + ℝ och ＡＢＣ är inte matematiska bokstäver."));
    let all = check(&r);
    let found = of(&all, "a11y.unicode-bold", "fet.md");
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_at(found[0], text, "𝗩𝗶𝗸𝘁𝗶𝗴𝘁", 0);
    assert_eq!(found[0].fix.as_deref(), Some("Viktigt"));
    assert_at(found[1], text, "𝗩𝗶𝗸𝘁𝗶𝗴𝘁 𝗶𝗻𝗳𝗼", 0);
    assert_eq!(found[1].fix.as_deref(), Some("Viktigt info"));
    assert_at(found[2], text, "𝘒𝘰𝘬𝘢", 0);
    assert_eq!(found[2].fix.as_deref(), Some("Koka"));
    assert!(found.iter().all(|f| f.level == Level::Error));
    none(&all, "a11y.unicode-bold", "vanlig.md");
}

#[test]
fn link_text_that_says_nothing() {
    let r = repo(&["a11y"], "");
    let text = post(
        "",
        "Anmäl dig [här](https://www.exempelstad.se/anmalan).\n\n[Läs mer.](https://www.exempelstad.se/a) Eller [klicka HÄR](https://www.exempelstad.se/b).\n\n- [Read more →](https://www.exempelstad.se/c)",
    );
    r.post("lank.md", &text);
    r.post(
        "bra.md",
        &post("", "Läs mer om [anmälan till jobbmässan](https://www.exempelstad.se/jobb). [Läs mer om vattnet](https://www.exempelstad.se/vatten). <https://www.exempelstad.se>"),
    );
    let all = check(&r);
    let found = of(&all, "a11y.link-text", "lank.md");
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_at(found[0], &text, "[här](https://www.exempelstad.se/anmalan)", 0);
    assert_at(found[1], &text, "[Läs mer.](https://www.exempelstad.se/a)", 0);
    assert_at(found[2], &text, "[klicka HÄR](https://www.exempelstad.se/b)", 0);
    assert_at(found[3], &text, "[Read more →](https://www.exempelstad.se/c)", 0);
    assert!(found[0].message.contains("`här`"), "{}", found[0].message);
    none(&all, "a11y.link-text", "bra.md");
}

#[test]
fn a11y_findings_can_be_switched_off() {
    let r = repo(&["a11y"], "");
    r.post(
        "av.md",
        &post("ignore = [\"a11y.caps\"]", "VIKTIGT: koka vattnet.\n\n<!-- budkavle-disable a11y -->\n\n𝗩𝗶𝗸𝘁𝗶𝗴𝘁"),
    );
    let all = check(&r);
    none(&all, "a11y", "av.md");
}

// ---------------------------------------------------------------------------------------------
// links

#[test]
fn http_links() {
    let r = repo(&["links"], "");
    let text = post(
        "[platform.mastodon]\ntext = \"Se http://www.exempelstad.se/m för mer.\"",
        "Se http://www.exempelstad.se/vatten.\n\nEller [sidan](HTTP://www.exempelstad.se/x) och <http://www.exempelstad.se/y>.",
    );
    r.post("http.md", &text);
    r.post(
        "https.md",
        &post(
            "",
            "Se https://www.exempelstad.se/vatten och www.exempelstad.se/x. Skriv till kundcenter@exempelstad.se.",
        ),
    );
    let all = check(&r);
    let found = of(&all, "links.https", "http.md");
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_at(found[0], &text, "http://www.exempelstad.se/m", 0);
    assert_eq!(found[0].fix.as_deref(), Some("https://www.exempelstad.se/m"));
    assert_at(found[1], &text, "http://www.exempelstad.se/vatten", 0);
    assert_eq!(found[1].fix.as_deref(), Some("https://www.exempelstad.se/vatten"));
    assert_at(found[2], &text, "HTTP://www.exempelstad.se/x", 0);
    assert_eq!(found[2].fix.as_deref(), Some("https://www.exempelstad.se/x"));
    assert_at(found[3], &text, "http://www.exempelstad.se/y", 0);
    assert!(found.iter().all(|f| f.level == Level::Warning));
    none(&all, "links.https", "https.md");
}

#[test]
fn shortened_links() {
    let r = repo(&["links"], "");
    let text = post(
        "",
        "Anmäl dig på https://bit.ly/3xYz eller bit.ly/abc.\n\n[Formuläret](https://t.co/AbC) och https://www.tinyurl.com/y2k.",
    );
    r.post("kort.md", &text);
    r.post(
        "lang.md",
        &post("", "Se https://www.exempelstad.se/bit.ly och https://bit.lyx.se/a och https://sub.t.co.se/x. Mejla info@bit.ly.se."),
    );
    let all = check(&r);
    let found = of(&all, "links.shortener", "kort.md");
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_at(found[0], &text, "https://bit.ly/3xYz", 0);
    assert_at(found[1], &text, "bit.ly/abc", 0);
    assert_at(found[2], &text, "https://t.co/AbC", 0);
    assert_at(found[3], &text, "https://www.tinyurl.com/y2k", 0);
    assert!(found.iter().all(|f| f.level == Level::Error && f.fix.is_none()));
    assert!(found[0].message.contains("bit.ly"));
    none(&all, "links.shortener", "lang.md");
}

#[test]
fn tracking_parameters() {
    let r = repo(&["links"], "");
    let text = post(
        "",
        "Sök jobb: https://www.exempelstad.se/jobb?id=4&utm_source=facebook&utm_medium=social#lediga\n\n[Mässan](https://www.exempelstad.se/massa?fbclid=IwAR0abc).",
    );
    r.post("spar.md", &text);
    r.post(
        "ren.md",
        &post("", "Se https://www.exempelstad.se/sok?q=utm_source och https://www.exempelstad.se/?sida=2."),
    );
    let all = check(&r);
    let found = of(&all, "links.tracking", "spar.md");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_at(found[0], &text, "https://www.exempelstad.se/jobb?id=4&utm_source=facebook&utm_medium=social#lediga", 0);
    assert_eq!(found[0].fix.as_deref(), Some("https://www.exempelstad.se/jobb?id=4#lediga"));
    assert!(found[0].message.contains("utm_source, utm_medium"), "{}", found[0].message);
    assert_at(found[1], &text, "https://www.exempelstad.se/massa?fbclid=IwAR0abc", 0);
    assert_eq!(found[1].fix.as_deref(), Some("https://www.exempelstad.se/massa"));
    assert!(found.iter().all(|f| f.level == Level::Suggestion));
    none(&all, "links.tracking", "ren.md");
}

// ---------------------------------------------------------------------------------------------
// crisis

const AREA: &str = "area = { description = \"Norra Exempelstad\", polygon = \"59.3185,17.9750 59.3200,18.0120 59.3110,18.0260 59.3185,17.9750\" }";

/// A crisis post with `crisis` as the body of its `[crisis]` table.
fn crisis(front: &str, crisis: &str) -> String {
    format!(
        "+++\ntitle = \"Koka vattnet\"\nkind = \"crisis\"\ngoal = \"info\"\naudiences = [\"alla\"]\nplatforms = [\"mastodon\"]\n{front}\n[crisis]\n{crisis}\n+++\n\nKoka vattnet.\n"
    )
}

fn full_crisis(extra: &str) -> String {
    format!(
        "event = \"Kokningsrekommendation\"\ncategory = \"Health\"\nurgency = \"Immediate\"\nseverity = \"Moderate\"\ncertainty = \"Observed\"\n{AREA}\n{extra}"
    )
}

#[test]
fn crisis_fields_required() {
    let r = repo(&["crisis"], "");
    let partial = crisis("", "event = \"Kokningsrekommendation\"\ncategory = \"Health\"\nseverity = \" \"");
    r.post("delvis.md", &partial);
    let blank_area = crisis("", &full_crisis("").replace("Norra Exempelstad", " "));
    r.post("omrade.md", &blank_area);
    r.post("hel.md", &crisis("", &full_crisis("")));
    r.post("nyhet.md", &post("", "Ingen kris."));
    let all = check(&r);

    let found = of(&all, "crisis.fields", "delvis.md");
    let keys: Vec<&str> = found.iter().map(|f| f.message.split('`').nth(1).unwrap_or("")).collect();
    assert_eq!(keys, ["urgency", "certainty", "area", "severity"], "{found:#?}");
    // Missing keys point at the table, a blank one at itself.
    assert_at(found[0], &partial, "[crisis]", 0);
    assert!(found[0].message.contains("Immediate, Expected, Future, Past, Unknown"), "{}", found[0].message);
    assert_at(found[3], &partial, "severity = \" \"", 0);
    assert!(found.iter().all(|f| f.level == Level::Error));

    let found = of(&all, "crisis.fields", "omrade.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("description"));
    let ((line, col), _) = span(&blank_area, "description = \" \"", 0);
    assert_eq!((found[0].line, found[0].column, found[0].end_column), (line, col + 15, col + 16), "{found:#?}");

    none(&all, "crisis.fields", "hel.md");
    none(&all, "crisis", "nyhet.md");
}

#[test]
fn crisis_values_from_cap() {
    let r = repo(&["crisis"], "");
    let text = crisis(
        "",
        &format!(
            "event = \"Storm\"\ncategory = \"met\"\nurgency = \"Now\"\nseverity = 'SEVERE'\ncertainty = \"Observed\"\n{AREA}"
        ),
    );
    r.post("fel.md", &text);
    r.post("ratt.md", &crisis("", &full_crisis("")));
    let all = check(&r);
    let found = of(&all, "crisis.values", "fel.md");
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_at(found[0], &text, "met", 0);
    assert_eq!(found[0].fix.as_deref(), Some("Met"));
    assert!(
        found[0]
            .message
            .contains("Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other")
    );
    assert_at(found[1], &text, "Now", 0);
    assert_eq!(found[1].fix, None);
    assert!(found[1].message.contains("Immediate, Expected, Future, Past, Unknown"));
    assert_at(found[2], &text, "SEVERE", 0);
    assert_eq!(found[2].fix.as_deref(), Some("Severe"));
    none(&all, "crisis.values", "ratt.md");
}

#[test]
fn crisis_area_shapes() {
    let r = repo(&["crisis"], "");
    let base = full_crisis("").replace(&format!("{AREA}\n"), "");
    let open = crisis(
        "",
        &format!("{base}area = {{ description = \"A\", polygon = \"59.1,17.9 59.2,18.0 59.0,18.1 59.3,17.9\" }}"),
    );
    let few =
        crisis("", &format!("{base}area = {{ description = \"A\", polygon = \"59.1,17.9 59.2,18.0 59.1,17.9\" }}"));
    let swapped = crisis(
        "",
        &format!("{base}[crisis.area]\ndescription = \"A\"\npolygon = \"159.1,17.9 159.2,18.0 159.0,18.1 159.1,17.9\""),
    );
    let circle = crisis("", &format!("{base}area = {{ description = \"A\", circle = \"59.1,17.9 -2\" }}"));
    let good = crisis("", &format!("{base}area = {{ description = \"A\", circle = \"59.1,17.9 2.5\" }}"));
    for (f, t) in
        [("open.md", &open), ("few.md", &few), ("swapped.md", &swapped), ("circle.md", &circle), ("good.md", &good)]
    {
        r.post(f, t);
    }
    r.post("poly.md", &crisis("", &full_crisis("")));
    let all = check(&r);

    let found = of(&all, "crisis.area", "open.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_at(found[0], &open, "59.1,17.9 59.2,18.0 59.0,18.1 59.3,17.9", 0);
    assert_eq!(found[0].fix.as_deref(), Some("59.1,17.9 59.2,18.0 59.0,18.1 59.3,17.9 59.1,17.9"));
    let found = of(&all, "crisis.area", "few.md");
    assert!(found[0].message.contains("at least four points"), "{found:#?}");
    let found = of(&all, "crisis.area", "swapped.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("latitude 159.1"), "{}", found[0].message);
    assert_at(found[0], &swapped, "159.1,17.9 159.2,18.0 159.0,18.1 159.1,17.9", 0);
    let found = of(&all, "crisis.area", "circle.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("radius"));
    assert_at(found[0], &circle, "59.1,17.9 -2", 0);
    none(&all, "crisis.area", "good.md");
    none(&all, "crisis.area", "poly.md");
}

#[test]
fn crisis_expires_after_the_post() {
    let r = repo(&["crisis"], "");
    let early = crisis("date = 2027-01-19T07:30:00", &full_crisis("expires = 2027-01-19T07:00:00"));
    r.post("tidig.md", &early);
    r.post("sen.md", &crisis("date = 2027-01-19T07:30:00", &full_crisis("expires = 2027-01-22T18:00:00")));
    r.post("odaterad.md", &crisis("", &full_crisis("expires = 2020-01-22T18:00:00")));
    let all = check(&r);
    let found = of(&all, "crisis.expires", "tidig.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_at(found[0], &early, "2027-01-19T07:00:00", 0);
    assert!(
        found[0].message.contains("2027-01-19 07:00") && found[0].message.contains("2027-01-19 07:30"),
        "{}",
        found[0].message
    );
    none(&all, "crisis.expires", "sen.md");
    none(&all, "crisis.expires", "odaterad.md");
}

#[test]
fn crisis_web_is_https() {
    let r = repo(&["crisis"], "");
    let http = crisis("", &full_crisis("web = \"http://www.exempelstad.se/vatten\""));
    let bare = crisis("", &full_crisis("web = \"www.exempelstad.se/vatten\""));
    let text = crisis("", &full_crisis("web = \"Se vår webbplats\""));
    r.post("http.md", &http);
    r.post("bar.md", &bare);
    r.post("text.md", &text);
    r.post("https.md", &crisis("", &full_crisis("web = \"https://www.exempelstad.se/vatten\"")));
    let all = check(&r);
    let found = of(&all, "crisis.web", "http.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Warning);
    assert_at(found[0], &http, "http://www.exempelstad.se/vatten", 0);
    assert_eq!(found[0].fix.as_deref(), Some("https://www.exempelstad.se/vatten"));
    let found = of(&all, "crisis.web", "bar.md");
    assert_eq!(found[0].level, Level::Error);
    assert_eq!(found[0].fix.as_deref(), Some("https://www.exempelstad.se/vatten"));
    let found = of(&all, "crisis.web", "text.md");
    assert_eq!((found[0].level, found[0].fix.as_deref()), (Level::Error, None));
    assert_at(found[0], &text, "Se vår webbplats", 0);
    none(&all, "crisis.web", "https.md");
}

#[test]
fn crisis_chains_follow_their_target() {
    let r = repo(&["crisis"], "");
    r.post("start.md", &crisis("date = 2027-01-19T07:30:00", &full_crisis("")));
    let early = crisis("date = 2027-01-19T07:00:00\nupdates = \"start\"", &full_crisis(""));
    r.post("tidig.md", &early);
    r.post("senare.md", &crisis("date = 2027-01-19T16:00:00\nupdates = \"start\"", &full_crisis("")));
    r.post("samtidig.md", &crisis("date = 2027-01-19T07:30:00\ncancels = \"start\"", &full_crisis("")));
    r.post("utkast.md", &post("draft = true\ndate = 2027-01-10T07:00:00", "Utkast."));
    let on_draft = post("date = 2027-01-11T07:00:00\ncorrects = \"utkast\"", "Rättelse.");
    r.post("pa-utkast.md", &on_draft);
    r.post("nyhet.md", &post("date = 2027-01-12T07:00:00", "Nyhet."));
    let on_news = crisis("date = 2027-01-13T07:00:00\nupdates = \"nyhet\"", &full_crisis(""));
    r.post("pa-nyhet.md", &on_news);
    r.post("rattar-nyhet.md", &post("date = 2027-01-13T07:00:00\ncorrects = \"nyhet\"", "Rättelse."));
    let all = check(&r);

    let found = of(&all, "crisis.chain", "tidig.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Error);
    assert_at(found[0], &early, "\"start\"", 0);
    assert!(found[0].message.contains("scheduled after it"), "{}", found[0].message);
    let found = of(&all, "crisis.chain", "pa-utkast.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("draft"));
    assert_at(found[0], &on_draft, "\"utkast\"", 0);
    let found = of(&all, "crisis.chain", "pa-nyhet.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Warning);
    assert!(found[0].message.contains("not a crisis post"));
    for ok in ["start.md", "senare.md", "samtidig.md", "nyhet.md", "rattar-nyhet.md"] {
        none(&all, "crisis.chain", ok);
    }
}

// ---------------------------------------------------------------------------------------------
// strategy

#[test]
fn goal_and_audience_suggested() {
    let r = repo(&["strategy"], "");
    let bare = "+++\ntitle = \"Utan mål\"\nplatforms = [\"mastodon\"]\n+++\n\nText.\n";
    r.post("utan.md", bare);
    r.post("utkast.md", "+++\ntitle = \"Utkast\"\ndraft = true\n+++\n\nText.\n");
    r.post("med.md", &post("", "Text."));
    let all = check(&r);
    for rule in ["strategy.goal", "strategy.audience"] {
        let found = of(&all, rule, "utan.md");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].level, Level::Suggestion);
        assert_at(found[0], bare, "\"Utan mål\"", 0);
        none(&all, rule, "utkast.md");
        none(&all, rule, "med.md");
    }
    assert!(of(&all, "strategy.goal", "utan.md")[0].message.contains("info"));
    assert!(of(&all, "strategy.audience", "utan.md")[0].message.contains("alla"));
}

#[test]
fn no_goal_suggested_when_the_strategy_has_none() {
    let r = repo(&["strategy"], "");
    let path = r.path().join("strategy.toml");
    let s =
        std::fs::read_to_string(&path).unwrap().replace("[[goals]]\nid = \"info\"\ndescription = \"Informera\"\n", "");
    std::fs::write(&path, s).unwrap();
    r.post("utan.md", "+++\ntitle = \"Utan mål\"\naudiences = [\"alla\"]\n+++\n\nText.\n");
    let all = check(&r);
    none(&all, "strategy.goal", "utan.md");
}

const BLACKOUT: &str = "[[blackout.periods]]\nstart = 2026-12-24T00:00:00\nend = 2026-12-26T23:59:00\nreason = \"Julhelg: bara kriskommunikation\"\n";

#[test]
fn blackout_periods() {
    let r = repo(&["strategy"], BLACKOUT);
    let inside = post("date = 2026-12-25T10:00:00", "God jul!");
    r.post("jul.md", &inside);
    // 2026-12-26T23:30:00Z is 00:30 on the 27th in Stockholm: after the period.
    r.post("efter.md", &post("date = 2026-12-26T23:30:00Z", "Mellandagar."));
    r.post("fore.md", &post("date = 2026-12-23T23:59:00", "Dan före dopparedan."));
    r.post("kris.md", &crisis("date = 2026-12-25T10:00:00", &full_crisis("")));
    r.post("utkast.md", &post("draft = true\ndate = 2026-12-25T10:00:00", "Utkast."));
    r.post("odaterad.md", &post("", "Går ut när den slås ihop."));
    let all = check(&r);
    let found = of(&all, "strategy.blackout", "jul.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Error);
    assert_at(found[0], &inside, "2026-12-25T10:00:00", 0);
    assert!(found[0].message.contains("Julhelg: bara kriskommunikation."), "{}", found[0].message);
    assert!(found[0].message.contains("2026-12-24 00:00 – 2026-12-26 23:59"), "{}", found[0].message);
    for ok in ["efter.md", "fore.md", "kris.md", "utkast.md", "odaterad.md"] {
        none(&all, "strategy.blackout", ok);
    }
}

const CADENCE: &str = "[platforms.mastodon.cadence]\nmin_gap = \"2h\"\n[platforms.x.cadence]\nmin_gap = \"3h\"\n";

#[test]
fn posts_too_close_together() {
    let r = repo(&["strategy"], CADENCE);
    let both = "platforms = [\"mastodon\", \"x\"]";
    let at = |date: &str| format!("date = {date}\n{both}");
    let two = |date: &str, body: &str| post(&at(date), body).replace("platforms = [\"mastodon\"]\n", "");
    r.post("a.md", &two("2026-12-01T09:00:00", "Först."));
    let b = two("2026-12-01T10:30:00", "Strax efter.");
    r.post("b.md", &b);
    // 2h30m after b: far enough on Mastodon (2h), too close on X (3h).
    let c = two("2026-12-01T13:00:00", "Senare.");
    r.post("c.md", &c);
    r.post("d.md", &two("2026-12-01T17:00:00", "Kväll."));
    // Exempt: crisis posts, drafts, corrections.
    r.post("kris.md", &crisis("date = 2026-12-01T09:30:00", &full_crisis("")));
    r.post("utkast.md", &two("2026-12-01T17:10:00", "Utkast.").replace("+++\n\n", "draft = true\n+++\n\n"));
    r.post("rattelse.md", &two("2026-12-01T17:20:00", "Rättelse.").replace("+++\n\n", "corrects = \"d\"\n+++\n\n"));
    // Another platform only: no clash with d.
    r.post(
        "fb.md",
        &post("date = 2026-12-01T17:30:00\nplatforms = [\"facebook\"]", "Facebook.")
            .replace("platforms = [\"mastodon\"]\n", ""),
    );
    let all = check(&r);

    let found = of(&all, "strategy.collision", "b.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Warning);
    assert_at(found[0], &b, "2026-12-01T10:30:00", 0);
    assert_eq!(found[0].platform, None);
    assert!(found[0].message.contains("1h 30m after `a` (2026-12-01 09:00)"), "{}", found[0].message);
    assert!(found[0].message.contains("Mastodon (min_gap 2h) and X (min_gap 3h)"), "{}", found[0].message);

    let found = of(&all, "strategy.collision", "c.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].platform, Some(budkavle::PlatformId::X));
    assert!(found[0].message.contains("2h 30m after `b`"), "{}", found[0].message);

    for ok in ["a.md", "d.md", "kris.md", "utkast.md", "rattelse.md", "fb.md"] {
        none(&all, "strategy.collision", ok);
    }
}

#[test]
fn too_many_posts_in_a_day() {
    let r = repo(&["strategy"], "[platforms.mastodon.cadence]\nmax_per_day = 2\n");
    let at = |date: &str| post(&format!("date = {date}"), "Text.");
    r.post("a.md", &at("2026-12-01T09:00:00"));
    r.post("b.md", &at("2026-12-01T14:00:00"));
    let third = at("2026-12-01T23:30:00");
    r.post("c.md", &third);
    // 00:30 local on 2 December is 23:30 UTC on 1 December: a new day where the posts are read.
    r.post("d.md", &at("2026-12-02T00:30:00"));
    r.post("e.md", &at("2026-12-02T12:00:00"));
    r.post("kris.md", &crisis("date = 2026-12-02T13:00:00", &full_crisis("")));
    let all = check(&r);
    let found = of(&all, "strategy.cadence", "c.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Warning);
    assert_at(found[0], &third, "2026-12-01T23:30:00", 0);
    assert_eq!(found[0].platform, Some(budkavle::PlatformId::Mastodon));
    assert!(
        found[0].message.contains("3rd post on 2026-12-01 on Mastodon (max_per_day 2), after `a` and `b`"),
        "{}",
        found[0].message
    );
    for ok in ["a.md", "b.md", "d.md", "e.md", "kris.md"] {
        none(&all, "strategy.cadence", ok);
    }
}

// ---------------------------------------------------------------------------------------------
// The example repository

/// Prints what these packs say about the example repository (run with `--nocapture`), and
/// holds it free of errors from them.
#[test]
fn example_repository() {
    let project = budkavle::Project::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("example loads");
    let all = budkavle::check::check(&project).expect("check runs");
    let mine: Vec<&Finding> = all
        .iter()
        .filter(|f| ["a11y.", "links.", "crisis.", "strategy."].iter().any(|p| f.rule.starts_with(p)))
        .collect();
    for f in &mine {
        println!("{}:{}:{}: {} [{}] {}", f.file.display(), f.line, f.column, f.level.name(), f.rule, f.message);
    }
    let errors: Vec<&&Finding> = mine.iter().filter(|f| f.level == Level::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
