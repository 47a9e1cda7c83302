//! Personnummer and samordningsnummer (Skatteverket, SKV 704 and SKV 707).
//!
//! Written `YYMMDD-NNNC`, `YYMMDD+NNNC` (the `+` from the year a person turns 100) or without a
//! separator, and `YYYYMMDD-NNNC` / `YYYYMMDDNNNC`; a space instead of the hyphen is read too,
//! since people type it. `C` is a Luhn digit over the ten digits
//! `YYMMDDNNN`. A samordningsnummer is the same with 60 added to the day (61–91). A ten-digit
//! string flagged here has passed both a real-date and a Luhn check: by chance about 1 in 250
//! random ten-digit strings would, which keeps dates, order and case numbers quiet.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::{Candidate, Kind, attached_after, attached_before, digit_values, luhn_valid, mask_last_digits, phone};

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([0-9]{8}|[0-9]{6})([-+\x{2010}-\x{2013}\x{2212} \x{a0}]?)([0-9]{4})(?-u:\b)")
        .expect("valid regex")
});

pub(super) fn find(text: &str, today: Date, out: &mut Vec<Candidate>) {
    for caps in NUMBER.captures_iter(text) {
        let (Some(all), Some(date), Some(sep), Some(serial)) = (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        if attached_before(text, all.start()) || attached_after(text, all.end()) {
            continue;
        }
        let plus = sep.as_str() == "+";
        let Some(kind) = classify(date.as_str(), plus, serial.as_str(), today) else {
            continue;
        };
        let written = all.as_str();
        let digits: String = written.chars().filter(char::is_ascii_digit).collect();
        let ten = digits[digits.len() - 10..].to_string();
        let masked = mask_last_digits(written, 4);
        let what = match kind {
            Kind::Samordningsnummer => format!("a coordination number (samordningsnummer, {masked})"),
            _ => format!("a personal identity number (personnummer, {masked})"),
        };
        // `0701234567` is both a valid personnummer (born 2007-01-23) and a mobile number.
        let also = if sep.as_str().is_empty() && date.len() == 6 && phone::national_valid(&digits) {
            " (it also reads as a phone number; either way it is personal data)"
        } else {
            ""
        };
        out.push(Candidate {
            kind,
            range: all.range(),
            keys: vec![digits, ten],
            message: format!(
                "{what}{also}: remove it, and contact the person privately; an identity number is never published"
            ),
        });
    }
}

/// Whether `date` (6 or 8 digits), a `+` separator or not, and the 4-digit `serial` make a
/// valid personnummer or samordningsnummer, as of `today`.
pub(super) fn classify(date: &str, plus: bool, serial: &str, today: Date) -> Option<Kind> {
    let d = digit_values(date);
    let s = digit_values(serial);
    if !(d.len() == 6 || d.len() == 8) || s.len() != 4 {
        return None;
    }
    let num = |a: u8, b: u8| i32::from(a) * 10 + i32::from(b);
    let century = (d.len() == 8).then(|| num(d[0], d[1]));
    let ymd = &d[d.len() - 6..];
    let ten: Vec<u8> = ymd.iter().chain(&s).copied().collect();
    if !luhn_valid(&ten) {
        return None;
    }
    let (yy, mm, dd) = (num(ymd[0], ymd[1]), num(ymd[2], ymd[3]), num(ymd[4], ymd[5]));
    let (kind, day) = match dd {
        1..=31 => (Kind::Personnummer, dd),
        61..=91 => (Kind::Samordningsnummer, dd - 60),
        _ => return None,
    };
    let year = match century {
        // The 12-digit form states the century, and has no `+`.
        Some(_) if plus => return None,
        Some(c) => c * 100 + yy,
        None => {
            // `-`: the most recent year ending in `yy` on which the person was already born;
            // `+`: a hundred years before that.
            let this = i32::from(today.year());
            let mut y = this - (this - yy).rem_euclid(100);
            if y == this && (mm, day) > (i32::from(today.month()), i32::from(today.day())) {
                y -= 100;
            }
            if plus { y - 100 } else { y }
        }
    };
    let born = Date::new(i16::try_from(year).ok()?, i8::try_from(mm).ok()?, i8::try_from(day).ok()?).ok()?;
    (year >= 1800 && born <= today).then_some(kind)
}
