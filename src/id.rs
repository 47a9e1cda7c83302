//! Ids of posts, goals and audiences: the stable identity a post keeps across edits and renames,
//! used in the ledger, `dist/` paths and archive URLs — hence the strict, URL-safe alphabet.

/// Lower-case ASCII letters, digits and single `-` between them.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// A file name and id from a title: Swedish letters fold to their base letter (å, ä → a, ö → o),
/// other accents are stripped, everything else becomes `-`.
pub fn slugify(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::new();
    let mut dash = false;
    for c in title.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'ß' => 's',
            'æ' | 'Æ' => 'a',
            'ø' | 'Ø' => 'o',
            other => other,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !slug.is_empty() {
            slug.push('-');
            dash = true;
        }
    }
    let trimmed = slug.trim_end_matches('-');
    let mut out: String = trimmed.chars().take(80).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_swedish_letters() {
        assert_eq!(slugify("Snöröjning på Storgatan – åter öppen!"), "snorojning-pa-storgatan-ater-oppen");
        assert_eq!(slugify("Ärenden & Öppettider 2027"), "arenden-oppettider-2027");
        assert!(is_valid_id(&slugify("  Hej  ")));
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("kokning-2026-11"));
        assert!(!is_valid_id("Kokning"));
        assert!(!is_valid_id("a--b"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("snö"));
    }
}
