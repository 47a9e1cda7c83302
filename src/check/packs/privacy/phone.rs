//! Swedish phone numbers, as people write them: `070-123 45 67`, `0701234567`, `+46 70 123 45 67`,
//! `+46 (0)8-123 456 78`, `0046…`, `08-123 456 78`, `031-12 34 56`, `(0123) 45 67 00`.
//!
//! A candidate is a run of digit groups that starts with `0`, `(0`, `+46` or `0046`; it counts
//! when it fits the Swedish numbering plan (PTS): mobile `07X` + 7 digits, or an area code (08,
//! the two-digit codes, otherwise three digits after the 0) followed by a 5–8 digit subscriber
//! number that does not start with 0, 8–10 digits in all. Dates, times, years, amounts and
//! postcodes fail that test: none of them starts with a valid area code and a non-zero
//! subscriber number, and a number glued to a date or decimal (`2024-08-12`) is not read at all.

use super::{
    Candidate, Kind, attached_after, attached_before, digit_groups, is_dash, is_space, mask_last_digits,
    preceded_by_group,
};

/// Where a phone number can start, and how: `+46`, `0046`, `(0` or `0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Start {
    at: usize,
    how: &'static str,
}

impl Start {
    fn start(self) -> usize {
        self.at
    }
    fn end(self) -> usize {
        self.at + self.how.len()
    }
    fn as_str(self) -> &'static str {
        self.how
    }
}

/// The next place from `pos` a phone number can start. It is what the regex
/// `\+46|(?-u:\b)0046|\(0|(?-u:\b)0` finds (leftmost, then in that order), written out: compiling
/// that regex took longer than scanning a post's front matter does.
fn next_start(text: &str, pos: usize) -> Option<Start> {
    let b = text.as_bytes();
    let boundary = |i: usize| i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    (pos..b.len()).find_map(|i| {
        let rest = &b[i..];
        let how = if rest.starts_with(b"+46") {
            "+46"
        } else if rest.starts_with(b"0046") && boundary(i) {
            "0046"
        } else if rest.starts_with(b"(0") {
            "(0"
        } else if rest.starts_with(b"0") && boundary(i) {
            "0"
        } else {
            return None;
        };
        Some(Start { at: i, how })
    })
}

/// Area codes with two digits after the 0 (`010` is the nationwide non-geographic series); 08
/// is the only one-digit code, every other area code has three digits after the 0.
const TWO_DIGIT_AREAS: [&str; 21] = [
    "10", "11", "13", "16", "18", "19", "21", "23", "26", "31", "33", "35", "36", "40", "42", "44", "46", "54", "60",
    "63", "90",
];

/// Numbers no private person holds: free phone, premium rate, shared cost, machine-to-machine.
/// Number series for businesses and authorities, not people: 010 (e.g. Giftinformation,
/// 010-456 67 00), 020 free phone, 0900/0939/0944 premium, 071 and 077 shared cost.
const SERVICE_PREFIXES: [&str; 7] = ["010", "020", "0900", "0939", "0944", "071", "077"];

/// The third digit of a mobile (or personal) number series: 070, 072–076, 079.
const MOBILE_THIRD: &[u8] = b"0234569";

pub(super) fn find(text: &str, out: &mut Vec<Candidate>) {
    let mut pos = 0;
    while let Some(m) = next_start(text, pos) {
        match parse(text, m) {
            Some(c) => {
                pos = c.range.end;
                out.push(c);
            }
            None => pos = m.end(),
        }
    }
}

enum Verdict {
    Personal,
    /// A service number: neither it nor a shorter reading of it is flagged.
    Service,
    No,
}

fn parse(text: &str, m: Start) -> Option<Candidate> {
    if attached_before(text, m.start()) || preceded_by_group(text, m.start()) {
        return None;
    }
    let bytes = text.as_bytes();
    // `(070-123 45 67)`: a parenthesis around the whole number, not the area code.
    let close = m.start() + 1 + text[m.start() + 1..].bytes().take_while(u8::is_ascii_digit).count();
    let paren_area = m.as_str() == "(0" && bytes.get(close) == Some(&b')') && {
        let next = close + 1 + skip_one(text, close + 1, is_space);
        bytes.get(next).is_some_and(u8::is_ascii_digit)
    };
    let (kind, start, after) = if m.as_str() == "(0" && !paren_area {
        let s = m.start() + 1;
        if text[s..].starts_with("0046") { ("0046", s, s + 4) } else { ("0", s, s + 1) }
    } else {
        (m.as_str(), m.start(), m.end())
    };
    // The national digits that precede the groups (the `0` that `+46` stands for), and the groups.
    let (prefix, groups) = match kind {
        "+46" | "0046" => {
            let mut i = after;
            i += skip_one(text, i, |c| is_space(c) || is_dash(c));
            if text[i..].starts_with("(0)") {
                i += 3;
                i += skip_one(text, i, |c| is_space(c) || is_dash(c));
            }
            if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            // `+46 070…` keeps a 0 that should have gone; read it as the national form.
            let prefix = if bytes[i] == b'0' { "" } else { "0" };
            (prefix, digit_groups(text, i, separator, 6))
        }
        "(0" => {
            // `paren_area` has seen the closing parenthesis and the digit after it.
            let area = m.start() + 1..close;
            let after_paren = close + 1 + skip_one(text, close + 1, is_space);
            let mut groups = Vec::from([area]);
            groups.extend(digit_groups(text, after_paren, separator, 5));
            ("", groups)
        }
        _ => ("", digit_groups(text, start, separator, 6)),
    };
    for k in (1..=groups.len()).rev() {
        let end = groups[k - 1].end;
        if attached_after(text, end) {
            continue;
        }
        let mut national = prefix.to_string();
        for g in &groups[..k] {
            national.push_str(&text[g.clone()]);
        }
        let lens: Vec<usize> = groups[..k].iter().map(|g| g.len()).collect();
        let seps: Vec<&str> = groups[..k].windows(2).map(|w| &text[w[0].end..w[1].start]).collect();
        match verdict(&national, prefix.len() + lens[0], k > 1) {
            Verdict::Service => return None,
            Verdict::No => continue,
            Verdict::Personal if looks_like_date(&lens, &seps, &text[groups[k - 1].clone()]) => return None,
            Verdict::Personal => {
                let written = &text[start..end];
                let digits: String = written.chars().filter(char::is_ascii_digit).collect();
                return Some(Candidate {
                    kind: Kind::Phone,
                    range: start..end,
                    keys: vec![national, digits],
                    message: format!(
                        "a phone number ({}): remove it unless the person has agreed to have it published, and contact them privately; if it is the organisation's own number, add it to [voice] allow in strategy.toml",
                        mask_last_digits(written, 4)
                    ),
                });
            }
        }
    }
    None
}

/// Whether national digits `d` (`0…`) are a personal phone number. `first` is the length of the
/// first written group, `grouped` whether there are more: an area code is not split by the way
/// a number is written (`0701 23 45 67` is not how anyone writes 070).
fn verdict(d: &str, first: usize, grouped: bool) -> Verdict {
    let b = d.as_bytes();
    if !(8..=10).contains(&b.len()) || b[0] != b'0' || b[1] == b'0' {
        return Verdict::No;
    }
    if SERVICE_PREFIXES.iter().any(|p| d.starts_with(p)) {
        return Verdict::Service;
    }
    if b[1] == b'7' {
        let mobile = MOBILE_THIRD.contains(&b[2]) && b.len() == 10 && (!grouped || first >= 3);
        return if mobile { Verdict::Personal } else { Verdict::No };
    }
    let area = if b[1] == b'8' {
        2
    } else if TWO_DIGIT_AREAS.contains(&&d[1..3]) {
        3
    } else {
        4
    };
    let subscriber = &d[area..];
    if (grouped && first < area) || !(5..=8).contains(&subscriber.len()) || subscriber.starts_with('0') {
        return Verdict::No;
    }
    Verdict::Personal
}

/// `08-12-2024`, `01/02/2019`: a day-month-year date, whose first two digits happen to be an
/// area code.
fn looks_like_date(lens: &[usize], seps: &[&str], last: &str) -> bool {
    lens == [2, 2, 4]
        && seps.iter().all(|s| s.chars().count() == 1 && (s.starts_with(is_dash) || *s == "/"))
        && (last.starts_with("19") || last.starts_with("20"))
}

/// Between two digit groups: one space, or a dash or slash with at most one space each side.
fn separator(s: &str) -> bool {
    let joins = |c: char| is_dash(c) || c == '/';
    let c: Vec<char> = s.chars().collect();
    match c.as_slice() {
        [a] => is_space(*a) || joins(*a),
        [a, b] => (is_space(*a) && joins(*b)) || (joins(*a) && is_space(*b)),
        [a, b, c] => is_space(*a) && joins(*b) && is_space(*c),
        _ => false,
    }
}

fn skip_one(text: &str, i: usize, accept: impl Fn(char) -> bool) -> usize {
    text[i..].chars().next().filter(|&c| accept(c)).map_or(0, char::len_utf8)
}

/// Whether national digits are a personal phone number, however they are grouped.
pub(super) fn national_valid(digits: &str) -> bool {
    matches!(verdict(digits, digits.len(), false), Verdict::Personal)
}

/// The national form (`0…`, digits only) of a number written `+46…`, `0046…` or `0…`.
pub(super) fn national_form(written: &str) -> Option<String> {
    let w = written.trim().replace("(0)", "");
    let digits: String = w.chars().filter(char::is_ascii_digit).collect();
    if w.starts_with("+46") {
        Some(format!("0{}", &digits[2..]))
    } else if let Some(rest) = digits.strip_prefix("0046") {
        Some(format!("0{rest}"))
    } else if digits.starts_with('0') {
        Some(digits)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn starts_are_the_regexs() {
        let re = regex::Regex::new(r"\+46|(?-u:\b)0046|\(0|(?-u:\b)0").unwrap();
        let pieces = ["+", "46", "0", "00", "4", "6", "(", ")", "1", "a", "_", " ", "é", "-"];
        let mut n = 0;
        for text in crate::check::scan::tests::generated(&pieces, 20_000, 10) {
            for pos in 0..=text.len() {
                let want = re.find_at(&text, pos).map(|m| super::Start {
                    at: m.start(),
                    how: match m.as_str() {
                        "+46" => "+46",
                        "0046" => "0046",
                        "(0" => "(0",
                        _ => "0",
                    },
                });
                assert_eq!(super::next_start(&text, pos), want, "{text:?} from {pos}");
                n += usize::from(want.is_some());
            }
        }
        assert!(n > 10_000, "{n}");
    }
}
