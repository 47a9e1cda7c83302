//! IBAN (ISO 13616): a country code, two check digits and the national account number, written
//! in groups of four or unbroken. Only a country's exact length and a passing mod-97 check count,
//! so product codes and reference numbers that start with two capitals stay quiet.

use std::sync::LazyLock;

use regex::Regex;

use super::{Candidate, Kind, attached_after, attached_before, is_space};

static CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[A-Z]{2}[0-9]{2}(?:[ \x{a0}]?[0-9A-Z]){8,32}").expect("valid regex"));

/// IBAN lengths from the SWIFT IBAN registry: the Nordic countries, the EU/EEA, the UK and
/// Switzerland.
const LENGTHS: [(&str, usize); 36] = [
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
];

pub(super) fn find(text: &str, out: &mut Vec<Candidate>) {
    for m in CANDIDATE.find_iter(text) {
        let written = m.as_str();
        if attached_before(text, m.start()) {
            continue;
        }
        let Some(&(_, len)) = LENGTHS.iter().find(|(cc, _)| written.starts_with(cc)) else {
            continue;
        };
        // The candidate may run on into the next word (`… 7466 SEK`): take exactly `len`
        // characters and require the number to end there.
        let mut count = 0;
        let mut end = None;
        for (i, c) in written.char_indices() {
            if c.is_ascii_alphanumeric() {
                count += 1;
                if count == len {
                    end = Some(m.start() + i + 1);
                    break;
                }
            } else if !is_space(c) {
                break;
            }
        }
        let Some(end) = end else {
            continue;
        };
        if attached_after(text, end) {
            continue;
        }
        let iban: String = text[m.start()..end].chars().filter(char::is_ascii_alphanumeric).collect();
        if !mod97_valid(&iban) {
            continue;
        }
        out.push(Candidate {
            kind: Kind::Iban,
            range: m.start()..end,
            keys: vec![iban.clone()],
            message: format!(
                "a bank account number (IBAN, {}): remove it; if it is the organisation's own account for payments, add it to [voice] allow in strategy.toml",
                mask(&text[m.start()..end])
            ),
        });
    }
}

/// ISO 7064 mod 97-10 as IBAN uses it: the first four characters moved to the end, letters as
/// 10–35, the whole read as a number ≡ 1 (mod 97).
pub(super) fn mod97_valid(iban: &str) -> bool {
    if iban.len() < 5 || !iban.is_ascii() {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v < 10 { (rem * 10 + v) % 97 } else { (rem * 100 + v) % 97 };
    }
    rem == 1
}

/// Country, check digits and the last four characters; everything between as `*`.
fn mask(written: &str) -> String {
    let total = written.chars().filter(char::is_ascii_alphanumeric).count();
    let mut seen = 0;
    written
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                seen += 1;
                if seen > 4 && seen <= total.saturating_sub(4) { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}
