//! Payment card numbers (ISO/IEC 7812): 13–19 digits, unbroken or in the groups printed on cards
//! (4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4), with a Luhn check digit and an issuer prefix of a real
//! card network at a length that network issues. Long numbers that are not cards (order and
//! case numbers, an OCR reference) pass all three only by accident.

use super::{
    Candidate, Kind, attached_after, attached_before, digit_groups, digit_values, luhn_valid, preceded_by_group,
};

/// Where the next card number can start, from `pos`: four digits, the first 2–6 (Mastercard's
/// 2-series, Amex/Diners/JCB, Visa, Mastercard/Maestro, Discover/UnionPay/Maestro), not after an
/// ASCII letter, digit or `_`. It is what `(?-u:\b)[2-6][0-9]{3}` finds, written out: compiling
/// that regex took longer than scanning a post's front matter does.
fn next_start(text: &str, pos: usize) -> Option<usize> {
    let b = text.as_bytes();
    (pos..b.len().saturating_sub(3)).find(|&i| {
        (b'2'..=b'6').contains(&b[i])
            && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
    })
}

pub(super) fn find(text: &str, out: &mut Vec<Candidate>) {
    let mut pos = 0;
    while let Some(start) = next_start(text, pos) {
        match parse(text, start) {
            Some(c) => {
                pos = c.range.end;
                out.push(c);
            }
            None => pos = start + 4,
        }
    }
}

fn parse(text: &str, start: usize) -> Option<Candidate> {
    if attached_before(text, start) || preceded_by_group(text, start) || after_ocr_label(text, start) {
        return None;
    }
    let groups = digit_groups(text, start, |s| s == " " || s == "-" || s == "\u{a0}", 5);
    for k in (1..=groups.len()).rev() {
        let end = groups[k - 1].end;
        let lens: Vec<usize> = groups[..k].iter().map(|g| g.len()).collect();
        let seps: Vec<&str> = groups[..k].windows(2).map(|w| &text[w[0].end..w[1].start]).collect();
        if !layout_ok(&lens, &seps) || attached_after(text, end) {
            continue;
        }
        let written = &text[start..end];
        let digits = digit_values(written);
        let Some(brand) = brand(&digits) else {
            continue;
        };
        if !luhn_valid(&digits) {
            continue;
        }
        let plain: String = written.chars().filter(char::is_ascii_digit).collect();
        return Some(Candidate {
            kind: Kind::Card,
            range: start..end,
            keys: vec![plain],
            message: format!(
                "a payment card number ({brand}, {}): remove it; a card number that has been published must be blocked by its holder",
                mask(written)
            ),
        });
    }
    None
}

/// Swedish payment references (OCR) carry a Luhn digit too; labelled, they are not cards.
fn after_ocr_label(text: &str, start: usize) -> bool {
    let before: String = text[..start].chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
    before.to_lowercase().contains("ocr")
}

fn layout_ok(lens: &[usize], seps: &[&str]) -> bool {
    let total: usize = lens.iter().sum();
    if !(13..=19).contains(&total) {
        return false;
    }
    if lens.len() == 1 {
        return true;
    }
    if seps.windows(2).any(|w| w[0] != w[1]) {
        return false;
    }
    let (last, init) = lens.split_last().unwrap_or((&0, &[]));
    let fours = init.len() >= 2 && init.iter().all(|&l| l == 4) && (1..=4).contains(last);
    fours || lens == [4, 6, 5] || lens == [4, 6, 4]
}

/// The card network whose issuer prefix and length fit, if any.
fn brand(d: &[u8]) -> Option<&'static str> {
    let prefix = |n: usize| d.iter().take(n).fold(0u32, |acc, &x| acc * 10 + u32::from(x));
    let len = d.len();
    let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
    if p1 == 4 && matches!(len, 13 | 16 | 19) {
        Some("Visa")
    } else if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16 {
        Some("Mastercard")
    } else if (p2 == 34 || p2 == 37) && len == 15 {
        Some("American Express")
    } else if ((300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&len)
    {
        Some("Diners Club")
    } else if (3528..=3589).contains(&p4) && (16..=19).contains(&len) {
        Some("JCB")
    } else if (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && (16..=19).contains(&len) {
        Some("Discover")
    } else if p2 == 62 && (16..=19).contains(&len) {
        Some("UnionPay")
    } else if (p2 == 50 || (56..=58).contains(&p2) || p4 == 6304 || p4 == 6759 || (6761..=6763).contains(&p4))
        && (13..=19).contains(&len)
    {
        Some("Maestro")
    } else {
        None
    }
}

/// Only the last four digits shown, as on a receipt.
fn mask(written: &str) -> String {
    let total = written.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    written
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 4 <= total { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn starts_are_the_regexs() {
        let re = regex::Regex::new(r"(?-u:\b)[2-6][0-9]{3}").unwrap();
        let pieces = ["1", "2", "4", "6", "7", "0", "a", "_", " ", "-", "é", "+"];
        let mut n = 0;
        for text in crate::check::scan::tests::generated(&pieces, 20_000, 12) {
            for pos in 0..=text.len() {
                let want = re.find_at(&text, pos).map(|m| m.start());
                assert_eq!(super::next_start(&text, pos), want, "{text:?} from {pos}");
                n += usize::from(want.is_some());
            }
        }
        assert!(n > 1_000, "{n}");
    }
}
