//! Splitting a part that is too long for one post into several, at sentence boundaries where
//! possible, then at spaces; never inside a word or a link.

/// A text's size as a platform counts it: characters in its own unit, and bytes.
pub(crate) type Size = (usize, usize);

/// Splits `text` into pieces whose size satisfies `fits`, greedily. A piece that cannot be made
/// to fit (one enormous word) is kept whole, and the caller reports it as over the limit.
///
/// Sizes add up across the whitespace between sentences and words (no grapheme, link or
/// mention spans it), so each unit is measured once and a candidate's size is a sum — linear in
/// the length of the text rather than quadratic.
pub(crate) fn split_to_fit(
    text: &str,
    measure: &mut dyn FnMut(&str) -> Size,
    fits: &dyn Fn(Size) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    pack(&sentences(text), measure, fits, &mut out, true);
    out
}

fn add(a: Size, b: Size) -> Size {
    (a.0 + b.0, a.1 + b.1)
}

fn pack(
    units: &[&str],
    measure: &mut dyn FnMut(&str) -> Size,
    fits: &dyn Fn(Size) -> bool,
    out: &mut Vec<String>,
    can_refine: bool,
) {
    // `current` holds whole units with their trailing whitespace; `size` is its size.
    let mut current = String::new();
    let mut size: Size = (0, 0);
    for unit in units {
        let trimmed = measure(unit.trim_end());
        if fits(add(size, trimmed)) {
            current.push_str(unit);
            size = add(size, with_tail(unit, trimmed, measure));
            continue;
        }
        if !current.trim().is_empty() {
            out.push(current.trim().to_string());
        }
        current.clear();
        size = (0, 0);
        if fits(trimmed) {
            current.push_str(unit);
            size = with_tail(unit, trimmed, measure);
        } else if can_refine {
            // One sentence is too long on its own: fall back to words.
            let words = words(unit);
            let mut inner = Vec::new();
            pack(&words, measure, fits, &mut inner, false);
            if let Some(last) = inner.pop() {
                out.extend(inner);
                current = format!("{last} ");
                size = measure(&current);
            }
        } else {
            out.push(unit.trim().to_string());
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
}

/// The size of `unit`, given the size of `unit.trim_end()`, without measuring it again where
/// that is safe: after a sentence's closing `.`, `!` or `?`, a run of spaces, tabs and line
/// feeds adds one character and one byte each on every platform — no counter joins them to what
/// comes before (they end a URL, a mention and a grapheme cluster alike, and normalisation
/// leaves them alone) and each weighs one on X. Otherwise the whole unit is measured.
pub(super) fn with_tail(unit: &str, trimmed: Size, measure: &mut dyn FnMut(&str) -> Size) -> Size {
    let body = unit.trim_end();
    let tail = &unit[body.len()..];
    if tail.is_empty() {
        return trimmed;
    }
    if body.ends_with(['.', '!', '?']) && tail.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n')) {
        return add(trimmed, (tail.len(), tail.len()));
    }
    measure(unit)
}

/// Sentences with their trailing whitespace. A sentence ends at `.`, `!`, `?` or `…` (and any
/// closing quotes or brackets) when the next word starts with a capital letter, a digit-free
/// bullet, or a new line — so "t.ex. detta" and "kl. 10" stay whole.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    // Walks byte offsets, decoding characters where it looks, rather than collecting every
    // character of the text first: this runs for every part too long for one post.
    let at = |j: usize| text[j..].chars().next();
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Only `.`, `!`, `?`, `…` (E2 80 A6) and a line feed can end a sentence: other bytes are
        // passed without decoding them. No byte of these continues a character, so where one
        // is, a character starts.
        let Some(skip) = bytes[i..].iter().position(|b| matches!(b, b'.' | b'!' | b'?' | b'\n' | 0xE2)) else {
            break;
        };
        i += skip;
        let Some(c) = at(i) else { break };
        let is_end = matches!(c, '.' | '!' | '?' | '…');
        if c == '\n' || is_end {
            let mut j = i + c.len_utf8();
            while let Some(d) = at(j).filter(|d| matches!(d, '"' | '”' | '’' | ')' | '»' | '.' | '!' | '?')) {
                j += d.len_utf8();
            }
            let ws_start = j;
            let mut newline = c == '\n';
            while let Some(d) = at(j).filter(|d| d.is_whitespace()) {
                newline |= d == '\n';
                j += d.len_utf8();
            }
            let had_ws = j > ws_start || c == '\n';
            let starts_sentence = at(j).is_some_and(|n| {
                n.is_uppercase() || n == '•' || n == '”' || n == '"' || crate::platform::segment::is_marker(n)
            });
            if had_ws && (newline || (is_end && starts_sentence)) {
                out.push(&text[start..j]);
                start = j;
                i = j;
                continue;
            }
        }
        i += c.len_utf8();
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            in_space = true;
        } else if in_space {
            out.push(&text[start..i]);
            start = i;
            in_space = false;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first way of finding sentences, over a list of the characters, kept to hold the
    /// byte-walking one to it.
    fn sentences_by_chars(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (_, c) = chars[i];
            let is_end = matches!(c, '.' | '!' | '?' | '…');
            if c == '\n' || is_end {
                let mut j = i + 1;
                while j < chars.len() && matches!(chars[j].1, '"' | '”' | '’' | ')' | '»' | '.' | '!' | '?') {
                    j += 1;
                }
                let ws_start = j;
                let mut newline = c == '\n';
                while j < chars.len() && chars[j].1.is_whitespace() {
                    newline |= chars[j].1 == '\n';
                    j += 1;
                }
                let had_ws = j > ws_start || c == '\n';
                let next = chars.get(j).map(|&(_, ch)| ch);
                let starts_sentence = next.is_some_and(|n| {
                    n.is_uppercase() || n == '•' || n == '”' || n == '"' || crate::platform::segment::is_marker(n)
                });
                if had_ws && (newline || (is_end && starts_sentence)) {
                    let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
                    out.push(&text[start..end]);
                    start = end;
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
        if start < text.len() {
            out.push(&text[start..]);
        }
        out
    }

    #[test]
    fn sentences_agree_with_the_character_list() {
        const PIECES: [&str; 20] = [
            "Vi", " ", "\n", "\n\n", ".", "!", "?", "…", "”", "\"", "’", ")", "»", "Å", "é", "kl", "•", "\u{E000}",
            "\t", "1",
        ];
        let mut next = crate::testing::seeded(7);
        for _ in 0..5000 {
            let text: String = (0..next(16)).map(|_| PIECES[next(PIECES.len())]).collect();
            assert_eq!(sentences(&text), sentences_by_chars(&text), "{text:?}");
        }
    }

    #[test]
    fn sentences_respect_abbreviations() {
        let s = sentences("Vi plogar t.ex. gator. Börja kl. 10 i dag! Sedan?\n\nNy rad.");
        assert_eq!(s, vec!["Vi plogar t.ex. gator. ", "Börja kl. 10 i dag! ", "Sedan?\n\n", "Ny rad."]);
    }

    fn chars(s: &str) -> Size {
        (s.chars().count(), s.len())
    }

    #[test]
    fn greedy_packing_by_length() {
        let text = "Ett två tre. Fyra fem sex. Sju åtta nio.";
        let parts = split_to_fit(text, &mut chars, &|s: Size| s.0 <= 26);
        assert_eq!(parts, vec!["Ett två tre. Fyra fem sex.", "Sju åtta nio."]);
    }

    #[test]
    fn long_sentence_falls_back_to_words() {
        let text = "aaaa bbbb cccc dddd eeee.";
        let parts = split_to_fit(text, &mut chars, &|s: Size| s.0 <= 10);
        assert_eq!(parts, vec!["aaaa bbbb", "cccc dddd", "eeee."]);
        assert!(parts.iter().all(|p| p.chars().count() <= 10));
    }

    #[test]
    fn byte_budget_applies_too() {
        let parts = split_to_fit("åå åå åå.", &mut chars, &|s: Size| s.1 <= 9);
        assert_eq!(parts, vec!["åå åå", "åå."]);
    }

    #[test]
    fn unsplittable_word_is_kept() {
        let parts = split_to_fit("kort ordjättelångtordsomintefår", &mut chars, &|s: Size| s.0 <= 10);
        assert_eq!(parts, vec!["kort", "ordjättelångtordsomintefår"]);
    }
}
