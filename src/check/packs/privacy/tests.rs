//! Tables of strings each rule must and must not flag. Identity numbers are built here with their
//! Luhn digit computed, never copied from a real person; card and IBAN numbers are the networks'
//! and registries' published test numbers.

use jiff::civil::date;

use super::*;

const TODAY: Date = date(2025, 6, 15);

fn cfg() -> Config {
    Config::new(
        TODAY,
        &["08-123 456 78", "Press@Partner.se", "SE35 5000 0000 0549 1000 0003", "811228-9874"],
        Some("https://www.exempelstad.se/"),
    )
}

/// Findings of `text`, as (kind, the text found).
fn found(text: &str) -> Vec<(Kind, String)> {
    cfg().scan(text, &[]).into_iter().map(|h| (h.kind, text[h.range].to_string())).collect()
}

/// Asserts that `needle` (inside `text`) is found as exactly one finding of `kind`, and nothing else.
fn fires(kind: Kind, text: &str, needle: &str) {
    assert_eq!(found(text), vec![(kind, needle.to_string())], "in {text:?}");
}

fn quiet(text: &str) {
    assert_eq!(found(text), vec![], "in {text:?}");
}

/// The Luhn digit that completes `digits`.
fn luhn_digit(digits: &str) -> char {
    (b'0'..=b'9').map(char::from).find(|&c| luhn_valid(&digit_values(&format!("{digits}{c}")))).unwrap_or('0')
}

/// A personnummer-shaped string `date` + `sep` + `serial` (3 digits) + a right Luhn digit
/// (computed over the 10-digit form). `wrong` gives the next digit instead.
fn id(date: &str, sep: &str, serial: &str, wrong: bool) -> String {
    let ten = &date[date.len() - 6..];
    let c = luhn_digit(&format!("{ten}{serial}"));
    let c = if wrong { char::from(b'0' + ((c as u8 - b'0' + 1) % 10)) } else { c };
    format!("{date}{sep}{serial}{c}")
}

fn valid(date: &str, sep: &str, serial: &str) -> String {
    id(date, sep, serial, false)
}

#[test]
fn luhn_and_mod97() {
    assert!(luhn_valid(&digit_values("4111111111111111")));
    assert!(!luhn_valid(&digit_values("4111111111111112")));
    // Skatteverket's well-known example numbers.
    assert!(luhn_valid(&digit_values("1212121212")));
    assert!(luhn_valid(&digit_values("7010632391")));
    assert!(iban::mod97_valid("SE4550000000058398257466"));
    assert!(iban::mod97_valid("GB29NWBK60161331926819"));
    assert!(!iban::mod97_valid("GB29NWBK60161331926818"));
}

#[test]
fn personnummer_fires() {
    let cases = [
        valid("811218", "-", "987"),
        valid("19811218", "-", "987"),
        valid("19811218", "", "987"),
        valid("811218", "", "987"),
        // `+`: 100 years or older, born 1912.
        valid("121212", "+", "121"),
        "19121212-1212".to_string(),
        // Leap days.
        valid("20000229", "-", "123"),
        valid("000229", "-", "123"),
        valid("960229", "-", "456"),
        valid("20240229", "", "789"),
        valid("19000101", "-", "234"),
        // Born today; and born on a later day of this year, so a hundred years ago.
        valid("250615", "-", "345"),
        valid("250616", "-", "345"),
        valid("100101", "-", "111"),
        valid("20100101", "-", "111"),
        valid("811218", "\u{2013}", "987"),
        valid("811231", "-", "002"),
        valid("811218", " ", "987"),
        valid("19811218", " ", "987"),
    ];
    for n in &cases {
        fires(Kind::Personnummer, &format!("Personnr: {n}."), n);
        fires(Kind::Personnummer, &format!("({n})"), n);
        fires(Kind::Personnummer, n, n);
    }
    assert!(cases.len() >= 15);
    // In a link's query string (the scope keeps the address).
    let n = valid("19811218", "", "987");
    let text = format!("Se https://example.com/form?pnr={n}");
    let links = vec![Range { start: 3, end: text.len() }];
    assert_eq!(cfg().scan(&text, &links).len(), 1);
}

#[test]
fn personnummer_quiet() {
    let cases = [
        id("811218", "-", "987", true),
        id("19811218", "", "987", true),
        id("811218", "", "987", true),
        // 30 February, 29 February in years that are not leap years.
        valid("810230", "-", "123"),
        valid("970229", "-", "123"),
        valid("000229", "+", "123"),
        valid("19000229", "-", "123"),
        valid("20230229", "-", "123"),
        // Month 13, day 32, day 00, month 00.
        valid("811318", "-", "987"),
        valid("811232", "-", "987"),
        valid("811200", "-", "987"),
        valid("810012", "-", "987"),
        // Organisationsnummer: a municipality, a limited company, and the 16-prefixed form.
        valid("212000", "-", "014"),
        valid("556677", "-", "889"),
        valid("16212000", "-", "014"),
        // Born in the future; a year before 1800; `+` with the century written out.
        valid("20300101", "-", "123"),
        valid("17811218", "-", "987"),
        valid("19811218", "+", "987"),
        // A 1 too many or too few.
        format!("1{}", valid("811218", "-", "987")),
        format!("{}1", valid("811218", "-", "987")),
        // A date range, glued to letters, part of a longer number.
        "20240101-20241231".to_string(),
        format!("ABC{}", valid("811218", "-", "987")),
        format!("12-{}", valid("811218", "-", "987")),
        format!("{}-5", valid("811218", "-", "987")),
        format!("{},50", valid("811218", "", "987")),
        // A customer number and a year; a month 34.
        "123456 2024".to_string(),
        valid("123456", " ", "202"),
    ];
    for n in &cases {
        quiet(&format!("Nummer {n} här."));
    }
    assert!(cases.len() >= 15);
}

#[test]
fn samordningsnummer_fires() {
    let cases = [
        "701063-2391".to_string(),
        "19701063-2391".to_string(),
        "7010632391".to_string(),
        valid("811261", "-", "987"),
        valid("810191", "-", "987"),
        valid("811291", "", "987"),
        valid("000289", "-", "123"),
        valid("20000289", "-", "123"),
        valid("19960289", "", "123"),
        valid("121272", "+", "121"),
        valid("19121272", "-", "121"),
        valid("250675", "-", "345"),
        valid("100161", "-", "111"),
        valid("20100161", "-", "111"),
        valid("810390", "-", "555"),
        valid("810490", "-", "555"),
    ];
    for n in &cases {
        fires(Kind::Samordningsnummer, &format!("Samordningsnr {n}, tack."), n);
    }
    assert!(cases.len() >= 15);
}

#[test]
fn samordningsnummer_quiet() {
    let cases = [
        id("701063", "-", "239", true),
        id("19701063", "", "239", true),
        valid("811260", "-", "987"),
        valid("811292", "-", "987"),
        valid("811299", "-", "987"),
        // 30 February + 60; 29 February + 60 in years that are not leap years.
        valid("810290", "-", "123"),
        valid("970289", "-", "123"),
        valid("000289", "+", "123"),
        valid("19000289", "-", "123"),
        // 31 April + 60, 31 June + 60.
        valid("810491", "-", "123"),
        valid("810691", "", "123"),
        valid("811361", "-", "987"),
        valid("20300161", "-", "123"),
        valid("19811261", "+", "987"),
        format!("9{}", valid("811261", "-", "987")),
        format!("{}9", valid("811261", "-", "987")),
    ];
    for n in &cases {
        quiet(&format!("Nummer {n} här."));
    }
    assert!(cases.len() >= 15);
}

#[test]
fn allow_listed_identity_number_is_quiet() {
    // An enskild firma's organisationsnummer is the owner's personnummer: allow-listed as written
    // with 10 digits, it is quiet in every form.
    quiet("Org.nr 811228-9874.");
    quiet("Org.nr 19811228-9874.");
    quiet("Org.nr 198112289874.");
}

#[test]
fn phone_fires() {
    let cases = [
        "070-123 45 67",
        "0731234567",
        "070 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "0046701234567",
        "+46 (0)70-123 45 67",
        "+46 (0)8-765 432 10",
        "08-765 432 10",
        "031-12 34 56",
        "0123-45 67 00",
        "(08) 765 432 10",
        "(031) 12 34 56",
        "+46 8 765 432 10",
        "08 - 765 432 10",
        "0470-123 45",
        "070\u{2013}123 45 67",
        "070-123\u{a0}45\u{a0}67",
        "076-1234567",
        "079/123 45 67",
    ];
    for n in cases {
        fires(Kind::Phone, &format!("Ring {n} i dag."), n);
        fires(Kind::Phone, &format!("Ring {n}."), n);
        fires(Kind::Phone, &format!("({n})"), n);
        // Followed by a year or another number, the phone number is still read alone.
        fires(Kind::Phone, &format!("Ring {n}, 2025."), n);
    }
    assert_eq!(
        found("Ring 073-123 45 67 eller 031-12 34 56 eller 0046 8 765 432 10"),
        vec![
            (Kind::Phone, "073-123 45 67".to_string()),
            (Kind::Phone, "031-12 34 56".to_string()),
            (Kind::Phone, "0046 8 765 432 10".to_string())
        ]
    );
}

#[test]
fn phone_quiet() {
    let cases = [
        "2024-08-12",
        "den 2024-08-12 kl. 08.00",
        "08.00–16.30",
        "kl. 08:00-16:30",
        "öppet 08–16",
        "år 2025",
        "1 500 kr",
        "2 000 000 kronor",
        "0,5 procent",
        "123 45 Exempelstad",
        "Box 123, 123 45 Exempelstad",
        "212000-0142",
        "020-123 456",
        "010-456 67 00",
        "0771-567 567",
        "0900-123 45 67",
        "0939-12 34 56",
        "071-123 45 67",
        "08-12-2024",
        "08/12/2024",
        "070-123 45",
        "070-12 34",
        "112",
        "1177",
        "114 14",
        "00 00 00",
        "08-000 00 00",
        "023-4567",
        // Our own switchboard, in any form.
        "08-123 456 78",
        "+46 8 123 456 78",
        "0812345678",
    ];
    for n in cases {
        quiet(&format!("Text {n} text."));
    }
    assert!(cases.len() >= 15);
    // Digit groups inside an IBAN or another long number are not read as a phone number.
    let iban = "SE92 5000 0311 2345 6789 0123";
    assert_eq!(found(&format!("Konto {iban}.")), vec![(Kind::Iban, iban.to_string())]);
    quiet("Nr 5000 0311 2345 6789 0123.");
}

#[test]
fn numbers_in_links() {
    let with_link = |text: &str| {
        let start = text.find("http").or_else(|| text.find("tel:")).unwrap_or(0);
        let end = text[start..].find(' ').map_or(text.len(), |e| start + e);
        cfg().scan(text, &[Range { start, end }]).into_iter().map(|h| h.kind).collect::<Vec<_>>()
    };
    let bare = |text: &str| cfg().scan(text, &[]).into_iter().map(|h| h.kind).collect::<Vec<_>>();
    let pnr = valid("19811218", "", "987");
    // Ids and timestamps in a path are not read; a query, fragment or tel: link is.
    for scan in [with_link, bare] {
        assert_eq!(scan("Läs https://exempelstad.se/nyheter/0731234567 nu"), vec![]);
        assert_eq!(scan(&format!("Läs https://exempelstad.se/bild/{pnr}.jpg nu")), vec![]);
        assert_eq!(scan("Läs https://www.facebook.com/exempelstad/posts/4111111111111111 nu"), vec![]);
        assert_eq!(scan("Läs www.exempelstad.se/a/0731234567 nu"), vec![]);
        assert_eq!(scan("Läs https://exempelstad.se/s?tel=0731234567 nu"), vec![Kind::Phone]);
        assert_eq!(scan("Läs https://exempelstad.se/s#0731234567 nu"), vec![Kind::Phone]);
        assert_eq!(scan(&format!("Läs https://exempelstad.se/s?pnr={pnr} nu")), vec![Kind::Personnummer]);
        assert_eq!(scan("Ring tel:+46731234567 nu"), vec![Kind::Phone]);
        assert_eq!(scan("Mejla mailto:anna@gmail.com nu"), vec![Kind::Email]);
        assert_eq!(scan("Se https://anna@gmail.com/x nu"), vec![Kind::Email]);
    }
}

#[test]
fn ambiguous_ten_digits_reported_once() {
    // Whatever 0701234567 reads as, it is reported once; if both, as the graver.
    let n = "0701234567";
    let hits = found(&format!("Ring {n}."));
    assert_eq!(hits.len(), 1);
    let as_id = identity::classify("070123", false, "4567", TODAY).is_some();
    assert_eq!(hits[0].0, if as_id { Kind::Personnummer } else { Kind::Phone });
    // A number that is both, explicitly.
    let both = valid("070101", "", "234");
    let hits = cfg().scan(&both, &[]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, Kind::Personnummer);
    assert!(hits[0].message.contains("phone number"), "{}", hits[0].message);
}

#[test]
fn email() {
    for (text, needle) in [
        ("Mejla anna.andersson@gmail.com idag", "anna.andersson@gmail.com"),
        ("Mejla Anna@Example.SE.", "Anna@Example.SE"),
        ("(first+tag@sub.example.org)", "first+tag@sub.example.org"),
        ("Skriv till åsa.öberg@exempel.nu!", "åsa.öberg@exempel.nu"),
        ("e-post:kalle_k@hotmail.com", "kalle_k@hotmail.com"),
        ("mailto:anna@gmail.com", "anna@gmail.com"),
        // Not our domain, only ends like it.
        ("x@notexempelstad.se", "x@notexempelstad.se"),
        ("x@exempelstad.se.evil.com", "x@exempelstad.se.evil.com"),
    ] {
        fires(Kind::Email, text, needle);
    }
    for text in [
        "Följ @anna@mastodon.social",
        "Följ oss på @exempelstad@social.exempelstad.se",
        "Bilden logo@2x.png",
        "kundcenter@exempelstad.se",
        "Kundcenter@Exempelstad.SE",
        "info@skola.exempelstad.se",
        "press@partner.se",
        "PRESS@PARTNER.SE",
        "anna@localhost",
        "a @ b.se",
        "exempelstad.se",
        "@",
    ] {
        quiet(text);
    }
}

#[test]
fn iban() {
    for n in [
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
    ] {
        fires(Kind::Iban, &format!("Konto {n}."), n);
        fires(Kind::Iban, &format!("Konto {n} SEK"), n);
    }
    for text in [
        // One digit changed; one digit missing; one too many; an unknown country; lower case.
        "SE45 5000 0000 0583 9825 7467",
        "SE45 5000 0000 0583 9825 746",
        "SE45 5000 0000 0583 9825 74661",
        "XX45 5000 0000 0583 9825 7466",
        "se45 5000 0000 0583 9825 7466",
        // Allow-listed: the organisation's own account.
        "SE35 5000 0000 0549 1000 0003",
        "SE3550000000054910000003",
        "Artikel AB12 3456 7890",
    ] {
        quiet(&format!("Konto {text}."));
    }
}

#[test]
fn card() {
    for (n, brand) in [
        ("4111 1111 1111 1111", "Visa"),
        ("4111-1111-1111-1111", "Visa"),
        ("4111111111111111", "Visa"),
        ("4222222222222", "Visa"),
        ("5555 5555 5555 4444", "Mastercard"),
        ("2223 0031 2200 3222", "Mastercard"),
        ("3782 822463 10005", "American Express"),
        ("371449635398431", "American Express"),
        ("3056 9309 0259 04", "Diners Club"),
        ("6011 1111 1111 1117", "Discover"),
        ("3530 1113 3330 0000", "JCB"),
        ("6200 0000 0000 0005", "UnionPay"),
    ] {
        let text = format!("Kort {n}, 2025.");
        let hits = cfg().scan(&text, &[]);
        assert_eq!(hits.len(), 1, "{text}");
        assert_eq!((hits[0].kind, &text[hits[0].range.clone()]), (Kind::Card, n));
        assert!(hits[0].message.contains(brand), "{}", hits[0].message);
        assert!(!hits[0].message.contains(n), "unmasked: {}", hits[0].message);
    }
    for text in [
        "4111 1111 1111 1112",
        "4111 1111 1111 111",
        "1234 5678 9012 3452",
        "9111 1111 1111 1111",
        "8000 0000 0000 0002",
        "4111-1111 1111-1111",
        "41 11 11 11 11 11 11 11",
        "5555 5555 5555 444",
        "2000 2001 2002 2003",
        "1234 4111 1111 1111 1111",
        // A payment reference, which has a Luhn digit too.
        "OCR 4111111111111111",
        "OCR-nummer: 4111 1111 1111 1111",
    ] {
        quiet(&format!("Nummer {text}."));
    }
}

#[test]
fn messages_are_masked_and_say_what_to_do() {
    let n = valid("19811218", "-", "987");
    let hits = cfg().scan(&format!("Personnr {n}"), &[]);
    assert!(hits[0].message.contains("19811218-****"), "{}", hits[0].message);
    assert!(!hits[0].message.contains(&n));
    assert!(hits[0].message.contains("contact the person privately"));
    let hits = cfg().scan("Ring 070-123 45 67", &[]);
    assert!(hits[0].message.contains("070-123 ** **"), "{}", hits[0].message);
    let hits = cfg().scan("Mejla anna.andersson@gmail.com", &[]);
    assert!(hits[0].message.contains("a…@gmail.com"), "{}", hits[0].message);
    let hits = cfg().scan("Konto SE45 5000 0000 0583 9825 7466", &[]);
    assert!(hits[0].message.contains("SE45 **** **** **** **** 7466"), "{}", hits[0].message);
}

#[test]
fn own_domain_from_organisation_url() {
    assert_eq!(host("https://www.exempelstad.se/"), Some("exempelstad.se".into()));
    assert_eq!(host("https://kommun.example.org:8443/x?y"), Some("kommun.example.org".into()));
    assert_eq!(host("exempelstad.se"), Some("exempelstad.se".into()));
    assert_eq!(host("https://localhost/"), None);
}

#[test]
fn front_matter_outside_scopes() {
    let src = "+++\ntitle = \"Ring 073-123 45 67\"\n# Kontakt: 076-111 22 33\n[platform.x]\ntext = \"Mejla kalle@gmail.com\"\n+++\n\nText.\n";
    let post = crate::post::tests_support::post_from_source(src);
    let (start, front) = (post.front_offset, post.front_source());
    assert!(front.starts_with("title") && front.ends_with("gmail.com\"\n"), "{front:?}");
    let covered = scoped_spans(&post);
    let kept: Vec<String> = cfg()
        .scan(front, &url_ranges(front))
        .into_iter()
        .filter(|h| !covered.iter().any(|c| overlaps(c, &(start + h.range.start..start + h.range.end))))
        .map(|h| front[h.range].to_string())
        .collect();
    // The title is a scope of its own; the comment and the override text are read here.
    assert_eq!(kept, ["076-111 22 33", "kalle@gmail.com"]);
}
