//! The `privacy` pack through the whole engine: real post files, positions in the file, the
//! allow-list from strategy.toml, and tables of strings that must and must not be flagged.
//!
//! Identity numbers are made here with a computed Luhn digit (never a real person's number);
//! card and IBAN numbers are the networks' and registries' published test numbers.

use crate::common;

use budkavle::check::{Finding, Level, check};
use common::Repo;

/// A repository with only the privacy pack on, the organisation's own numbers in `[organisation]`
/// and `allow` in `[voice]`.
fn repo(allow: &[&str]) -> Repo {
    let repo = Repo::new("");
    let path = repo.path().join("strategy.toml");
    let text = std::fs::read_to_string(&path).expect("strategy");
    let allow: Vec<String> = allow.iter().map(|a| format!("{a:?}")).collect();
    let text = text
        .replacen(
            "[organisation]\n",
            "[organisation]\nphone = \"08-123 456 78\"\ncontact_email = \"Info@Partnerbolaget.se\"\norg_number = \"811228-9874\"\n",
            1,
        )
        .replacen("[voice]\n", &format!("[voice]\npacks = [\"privacy\"]\nallow = [{}]\n", allow.join(", ")), 1);
    std::fs::write(&path, text).expect("write strategy");
    repo
}

fn privacy(findings: Vec<Finding>) -> Vec<Finding> {
    findings.into_iter().filter(|f| f.rule.starts_with("privacy.")).collect()
}

/// The Luhn digit that completes `digits`.
fn luhn_digit(digits: &str) -> char {
    for c in '0'..='9' {
        let mut sum = 0;
        for (i, d) in format!("{digits}{c}").bytes().rev().enumerate() {
            let d = u32::from(d - b'0');
            sum += if i % 2 == 1 { (d * 2) / 10 + (d * 2) % 10 } else { d };
        }
        if sum % 10 == 0 {
            return c;
        }
    }
    unreachable!()
}

/// `date` (YYMMDD or YYYYMMDD) + `sep` + `serial` (3 digits) + the Luhn digit over the 10-digit
/// form; `wrong` gives a wrong digit instead.
fn id(date: &str, sep: &str, serial: &str, wrong: bool) -> String {
    let c = luhn_digit(&format!("{}{serial}", &date[date.len() - 6..]));
    let c = if wrong { if c == '9' { '0' } else { char::from(c as u8 + 1) } } else { c };
    format!("{date}{sep}{serial}{c}")
}

fn valid(date: &str, sep: &str, serial: &str) -> String {
    id(date, sep, serial, false)
}

fn post(title: &str, body: &str) -> String {
    format!("+++\ntitle = {title:?}\ngoal = \"info\"\naudiences = [\"alla\"]\n+++\n\n{body}\n")
}

#[test]
fn positions_in_a_real_post() {
    let repo = repo(&[]);
    let pnr = valid("19811218", "-", "987");
    let sam = valid("701063", "-", "239");
    let text = format!(
        r#"+++
title = "Mejla anna.andersson@gmail.com"
goal = "info"
audiences = ["alla"]

[[media]]
path = "../media/bild.png"
alt = "Skylt med kontonummer SE45 5000 0000 0583 9825 7466"
+++

Grattis till Tolvan, **{pnr}**, som fyller år!

- Ring *070-123 45 67* eller
  +46 70 765 43 21 i morgon.

> Kortet 4111 1111 1111 1111 hittades.

Se [formuläret](https://example.com/form?nr={sam}) nu.
"#
    );
    repo.file("content/media/bild.png", b"\x89PNG\r\n\x1a\n");
    repo.post("p.md", &text);
    let project = repo.load();
    let found = privacy(check(&project).expect("check"));
    let got: Vec<(String, usize, usize, usize, usize)> =
        found.iter().map(|f| (f.rule.clone(), f.line, f.column, f.end_line, f.end_column)).collect();
    let want = [
        ("privacy.email", 2, 16, 2, 40),
        ("privacy.iban", 8, 30, 8, 59),
        ("privacy.personnummer", 11, 24, 11, 37),
        ("privacy.phone", 13, 9, 13, 22),
        ("privacy.phone", 14, 3, 14, 19),
        ("privacy.card", 16, 10, 16, 29),
        ("privacy.samordningsnummer", 18, 45, 18, 56),
    ];
    let want: Vec<(String, usize, usize, usize, usize)> =
        want.iter().map(|&(r, a, b, c, d)| (r.to_string(), a, b, c, d)).collect();
    assert_eq!(got, want, "{found:#?}");
    // Check the positions against the file itself.
    let lines: Vec<&str> = text.lines().collect();
    let cut =
        |f: &Finding| lines[f.line - 1].chars().skip(f.column - 1).take(f.end_column - f.column).collect::<String>();
    let texts: Vec<String> = found.iter().map(cut).collect();
    assert_eq!(
        texts,
        [
            "anna.andersson@gmail.com",
            "SE45 5000 0000 0583 9825 7466",
            pnr.as_str(),
            "070-123 45 67",
            "+46 70 765 43 21",
            "4111 1111 1111 1111",
            sam.as_str()
        ]
    );
    for f in &found {
        assert_eq!(f.fix, None, "{f:?}");
        let level =
            if matches!(f.rule.as_str(), "privacy.phone" | "privacy.email") { Level::Warning } else { Level::Error };
        assert_eq!(f.level, level, "{f:?}");
        for secret in
            [pnr.as_str(), sam.as_str(), "4111 1111 1111 1111", "070-123 45 67", "anna.andersson@", "0583 9825"]
        {
            assert!(!f.message.contains(secret), "message repeats the number: {}", f.message);
        }
    }
    assert!(found[2].message.contains("19811218-****"), "{}", found[2].message);
    assert!(found[2].message.contains("contact the person privately"), "{}", found[2].message);
}

#[test]
fn front_matter_override_and_crisis_fields() {
    let repo = repo(&[]);
    let text = r#"+++
title = "Vattenläcka"
goal = "info"
audiences = ["alla"]
kind = "crisis"

[crisis]
event = "Vattenläcka"
contact = "Jouren, 073-111 22 33"

[platform.x]
text = "Kontakta anna@gmail.com"
+++

Text.
"#;
    repo.post("p.md", text);
    let found = privacy(check(&repo.load()).expect("check"));
    let got: Vec<(&str, usize, usize, usize)> =
        found.iter().map(|f| (f.rule.as_str(), f.line, f.column, f.end_column)).collect();
    assert_eq!(got, [("privacy.phone", 9, 20, 33), ("privacy.email", 12, 18, 32)], "{found:#?}");
}

#[test]
fn allow_list_from_strategy() {
    let repo = repo(&["070-999 88 77", "Press@Partner.se", "SE35 5000 0000 0549 1000 0003"]);
    let body = [
        // organisation.phone, in other forms.
        "Växeln 08-123 456 78, +46 8 123 456 78 och 0812345678.",
        // [voice] allow.
        "Presstelefon +46 70 999 88 77 och press@partner.se.",
        "Plusgiro SE3550000000054910000003.",
        // organisation.contact_email, any case.
        "Mejla info@partnerbolaget.se.",
        // The organisation's own domain (www.testby.se) and its subdomains.
        "Mejla kundcenter@testby.se eller rektor@skola.testby.se.",
        // organisation.org_number (a sole trader's, which is a personnummer).
        "Org.nr 811228-9874 och 19811228-9874.",
        // Organisationsnummer of others are public.
        &format!("Bolaget {} och kommunen {}.", valid("556677", "-", "889"), valid("212000", "-", "014")),
    ];
    for (i, b) in body.iter().enumerate() {
        repo.post(&format!("p{i}.md"), &post("Kontakt", b));
    }
    // Not ours: a lookalike domain and a different number.
    repo.post("x.md", &post("Kontakt", "Mejla x@nottestby.se eller ring 070-999 88 76."));
    let found = privacy(check(&repo.load()).expect("check"));
    let got: Vec<(String, &str)> =
        found.iter().map(|f| (f.file.file_name().unwrap().to_string_lossy().into_owned(), f.rule.as_str())).collect();
    assert_eq!(got, [("x.md".to_string(), "privacy.email"), ("x.md".to_string(), "privacy.phone")], "{found:#?}");
}

/// Each string in its own post; returns the privacy findings per post, as (rule, text found).
fn run_table(cases: &[String]) -> Vec<Vec<(String, String)>> {
    let repo = repo(&[]);
    for (i, c) in cases.iter().enumerate() {
        repo.post(&format!("p{i:03}.md"), &post("Inlägg", &format!("Text {c} text.")));
    }
    let found = privacy(check(&repo.load()).expect("check"));
    (0..cases.len())
        .map(|i| {
            let name = format!("p{i:03}.md");
            found
                .iter()
                .filter(|f| f.file.file_name().is_some_and(|n| n.to_string_lossy() == name))
                .map(|f| {
                    // Body line 7 is `Text {c} text.`; the columns select what was found.
                    assert_eq!((f.line, f.end_line), (7, 7), "{f:?}");
                    let line = format!("Text {} text.", cases[i]);
                    (f.rule.clone(), line.chars().skip(f.column - 1).take(f.end_column - f.column).collect())
                })
                .collect()
        })
        .collect()
}

fn assert_fires(rule: &str, cases: &[String]) {
    for (case, got) in cases.iter().zip(run_table(cases)) {
        assert_eq!(got, [(rule.to_string(), case.clone())], "{case:?}");
    }
}

fn assert_quiet(cases: &[String]) {
    for (case, got) in cases.iter().zip(run_table(cases)) {
        assert_eq!(got, [], "{case:?}");
    }
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

#[test]
fn personnummer_table() {
    assert_fires(
        "privacy.personnummer",
        &[
            valid("811218", "-", "987"),
            valid("811218", "+", "987"),
            valid("811218", "", "987"),
            valid("19811218", "-", "987"),
            valid("19811218", "", "987"),
            "19121212-1212".to_string(),
            "121212-1212".to_string(),
            valid("20000229", "-", "123"),
            valid("000229", "-", "123"),
            valid("19960229", "", "456"),
            valid("19000101", "-", "234"),
            valid("20100101", "-", "111"),
            valid("100101", "", "111"),
            valid("450505", "+", "222"),
            valid("991231", "-", "333"),
            valid("811218", "\u{2011}", "987"),
        ],
    );
    assert_quiet(&[
        id("811218", "-", "987", true),
        id("19811218", "-", "987", true),
        id("811218", "", "987", true),
        valid("810230", "-", "123"),
        valid("19810230", "-", "123"),
        valid("970229", "-", "123"),
        valid("000229", "+", "123"),
        valid("19000229", "-", "123"),
        valid("811318", "-", "987"),
        valid("811232", "-", "987"),
        valid("811200", "-", "987"),
        valid("212000", "-", "014"),
        valid("556677", "-", "889"),
        valid("16556677", "-", "889"),
        valid("20990101", "-", "123"),
        valid("19811218", "+", "987"),
        format!("{}0", valid("811218", "-", "987")),
        "2024-01-15".to_string(),
        "20240101-20241231".to_string(),
    ]);
}

#[test]
fn samordningsnummer_table() {
    assert_fires(
        "privacy.samordningsnummer",
        &[
            "701063-2391".to_string(),
            "19701063-2391".to_string(),
            "197010632391".to_string(),
            valid("811261", "-", "987"),
            valid("811278", "", "987"),
            valid("810191", "-", "987"),
            valid("000289", "-", "123"),
            valid("20000289", "-", "123"),
            valid("19960289", "", "123"),
            valid("121272", "+", "121"),
            valid("19121272", "-", "121"),
            valid("100161", "-", "111"),
            valid("20100161", "", "111"),
            valid("810390", "-", "555"),
            valid("810490", "-", "555"),
        ],
    );
    assert_quiet(&[
        id("701063", "-", "239", true),
        id("19701063", "", "239", true),
        valid("811260", "-", "987"),
        valid("811292", "-", "987"),
        valid("810290", "-", "123"),
        valid("970289", "-", "123"),
        valid("000289", "+", "123"),
        valid("19000289", "-", "123"),
        valid("810491", "-", "123"),
        valid("810691", "", "123"),
        valid("811361", "-", "987"),
        valid("20990161", "-", "123"),
        valid("19811261", "+", "987"),
        valid("212061", "-", "014"),
        format!("9{}", valid("811261", "-", "987")),
    ]);
}

#[test]
fn phone_table() {
    assert_fires(
        "privacy.phone",
        &strings(&[
            "070-123 45 67",
            "0731234567",
            "070 123 45 67",
            "+46 70 123 45 67",
            "+46701234567",
            "0046 70 123 45 67",
            "0046701234567",
            "+46 (0)70-123 45 67",
            "08-765 432 10",
            "031-12 34 56",
            "0123-45 67 00",
            "(08) 765 432 10",
            "+46 8 765 432 10",
            "0470-123 45",
            "076-1234567",
            "072–123 45 67",
        ]),
    );
    assert_quiet(&strings(&[
        "2024-08-12",
        "08.00–16.30",
        "08:00-16:30",
        "08–16",
        "2025",
        "1 500 kr",
        "25 000 kronor",
        "0,5 procent",
        "123 45",
        "123 45 Exempelstad",
        "212000-0142",
        "020-123 456",
        "0771-567 567",
        "08-12-2024",
        "070-123 45",
        "1177",
        "114 14",
        "08-123 456 78",
        "+46 8 123 456 78",
    ]));
}

#[test]
fn email_table() {
    assert_fires(
        "privacy.email",
        &strings(&[
            "anna.andersson@gmail.com",
            "Anna@Example.SE",
            "first+tag@sub.example.org",
            "åsa.öberg@exempel.nu",
            "x@nottestby.se",
            "press@partner.se",
        ]),
    );
    assert_quiet(&strings(&[
        "@anna@mastodon.social",
        "logo@2x.png",
        "kundcenter@testby.se",
        "Kundcenter@Testby.SE",
        "info@skola.testby.se",
        "info@partnerbolaget.se",
        "anna@localhost",
        "a @ b.se",
    ]));
}

#[test]
fn iban_table() {
    assert_fires(
        "privacy.iban",
        &strings(&[
            "SE45 5000 0000 0583 9825 7466",
            "SE4550000000058398257466",
            "GB29 NWBK 6016 1331 9268 19",
            "DE89 3704 0044 0532 0130 00",
            "NO93 8601 1117 947",
            "DK50 0040 0440 1162 43",
            "FI21 1234 5600 0007 85",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NL91 ABNA 0417 1643 00",
            "ES91 2100 0418 4502 0005 1332",
            "IT60 X054 2811 1010 0000 0123 456",
        ]),
    );
    assert_quiet(&strings(&[
        "SE45 5000 0000 0583 9825 7467",
        "SE45 5000 0000 0583 9825 746",
        "SE45 5000 0000 0583 9825 74661",
        "DE89 3704 0044 0532 0130 01",
        "XX45 5000 0000 0583 9825 7466",
        "NO93 8601 1117 948",
    ]));
}

#[test]
fn card_table() {
    assert_fires(
        "privacy.card",
        &strings(&[
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "4111111111111111",
            "4222222222222",
            "5555 5555 5555 4444",
            "2223 0031 2200 3222",
            "3782 822463 10005",
            "3056 9309 0259 04",
            "6011 1111 1111 1117",
            "3530 1113 3330 0000",
        ]),
    );
    assert_quiet(&strings(&[
        "4111 1111 1111 1112",
        "4111 1111 1111 111",
        "1234 5678 9012 3452",
        "8000 0000 0000 0002",
        "4111-1111 1111-1111",
        "41 11 11 11 11 11 11 11",
        "5555 5555 5555 444",
    ]));
}

#[test]
fn suppressed_by_ignore_and_disable_comments() {
    let repo = repo(&[]);
    repo.post(
        "a.md",
        "+++\ntitle = \"T\"\nignore = [\"privacy.phone\"]\n+++\n\nRing 070-123 45 67 eller mejla a@gmail.com.\n",
    );
    repo.post(
        "b.md",
        "+++\ntitle = \"T\"\n+++\n\n<!-- budkavle-disable privacy -->\nRing 070-123 45 67.\n<!-- budkavle-enable privacy -->\n\nRing 073-123 45 67.\n",
    );
    let found = privacy(check(&repo.load()).expect("check"));
    let got: Vec<(String, &str, usize)> = found
        .iter()
        .map(|f| (f.file.file_name().unwrap().to_string_lossy().into_owned(), f.rule.as_str(), f.line))
        .collect();
    assert_eq!(got, [("a.md".into(), "privacy.email", 6), ("b.md".into(), "privacy.phone", 9)], "{found:#?}");
}

#[test]
fn rules_are_listed() {
    let repo = repo(&[]);
    let project = repo.load();
    let rules = budkavle::check::active_rules(&project).expect("the rules compile");
    let ids: Vec<(&str, Level)> = rules.iter().map(|r| (r.id(), r.level())).collect();
    assert_eq!(
        ids,
        [
            ("post.placeholder", Level::Error),
            ("publish.correction", Level::Warning),
            ("privacy.personnummer", Level::Error),
            ("privacy.samordningsnummer", Level::Error),
            ("privacy.phone", Level::Warning),
            ("privacy.email", Level::Warning),
            ("privacy.iban", Level::Error),
            ("privacy.card", Level::Error),
        ]
    );
    // Each privacy rule's own example makes it fire.
    let rules: Vec<_> = rules.iter().filter(|r| r.id().starts_with("privacy.")).collect();
    for r in &rules {
        repo.post(&format!("{}.md", r.id().replace('.', "-")), &post("Exempel", &r.example()));
    }
    let found = privacy(check(&repo.load()).expect("check"));
    for r in &rules {
        let name = format!("{}.md", r.id().replace('.', "-"));
        let mine: Vec<&str> = found
            .iter()
            .filter(|f| f.file.file_name().is_some_and(|n| n.to_string_lossy() == name))
            .map(|f| f.rule.as_str())
            .collect();
        assert_eq!(mine, [r.id()], "example of {}", r.id());
        assert!(!r.description().is_empty());
    }
}
