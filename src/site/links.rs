//! Links that work wherever the archive is put: at the root of a domain, under a path
//! (`https://www.kommun.se/sociala-medier/arkiv/`) or opened from disk (`file://`).
//!
//! Templates and views write every link to the archive's own files site-absolute, as if the site
//! were at the root of its domain (`/arkiv/`, `/p/<id>/`, `/static/style.css`). The last step of
//! rendering a page, [`localize`], rewrites each such `href`, `src`, `action` and `data-index`
//! into a link relative to that page (`../../arkiv/index.html`). So nothing needs to know the
//! path the archive is served under, a theme written for the root keeps working under a path, and
//! a new page or template gets it without doing anything.
//!
//! A link to a folder gets its `index.html` written out: a web server finds a folder's index by
//! itself, a browser reading files from disk does not (it shows a listing of the folder), and the
//! archive is a public record that must stay readable as a plain copy of its files. Absolute
//! addresses (feeds, sitemap, CAP, the addresses sent to platforms) keep the folder form, from
//! `[organisation] archive_url` with its path.

/// The attributes that hold a link to one of the archive's files. `data-index` is where
/// `search.js` finds the search index.
const LINK_ATTRIBUTES: &[&str] = &["href", "src", "action", "data-index"];

/// A site-absolute `target` (`/p/a/#x`) as a link from the file at `page` (the path relative to
/// the site root, `p/b/index.html`): `../a/index.html#x`-style, through the root. Anything that
/// is not site-absolute (`https://…`, `//host/…`, `#main`, `mailto:…`) comes back unchanged.
pub(crate) fn relative(page: &str, target: &str) -> String {
    if !is_site_absolute(target) {
        return target.to_string();
    }
    let mut out = Vec::with_capacity(target.len() + 16);
    push_relative(&mut out, &root(page), target);
    // Made of `root`'s ASCII and pieces of `target` split at ASCII bytes.
    String::from_utf8(out).unwrap_or_else(|_| target.to_string())
}

/// [`relative`] of a site-absolute `target`, from a page that `root` leads back from, appended
/// to `out`: a page of a thousand links works out its way to the root once.
fn push_relative(out: &mut Vec<u8>, root: &str, target: &str) {
    let split = memchr::memchr2(b'?', b'#', target.as_bytes()).unwrap_or(target.len());
    let (path, rest) = target.split_at(split);
    let path = path.trim_start_matches('/');
    out.extend_from_slice(root.as_bytes());
    out.extend_from_slice(path.as_bytes());
    if path.is_empty() || path.ends_with('/') {
        out.extend_from_slice(b"index.html");
    }
    out.extend_from_slice(rest.as_bytes());
}

/// From the file at `page` back to the site root: `""` at the root, `"../../"` two folders down.
pub(crate) fn root(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

fn is_site_absolute(target: &str) -> bool {
    target.starts_with('/') && !target.starts_with("//") && !target.starts_with("/\\")
}

/// The HTML `page` with every site-absolute link in [`LINK_ATTRIBUTES`] made relative to `page`
/// ([`relative`]). Markup is scanned, not parsed into a tree: tags and their attributes (quoted
/// or not), comments, and the raw text of `<script>` and `<style>`, which is left alone. Text is
/// never touched: budkavle's templates escape every `"` and `<` in it.
pub(crate) fn localize(page: &str, html: &[u8]) -> Vec<u8> {
    // Only the links are rewritten; everything between them is copied in runs, from `copied`.
    let mut out = Vec::with_capacity(html.len() + html.len() / 16);
    let root = root(page);
    let mut copied = 0;
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &html[i..]).map(|n| n + i) {
        let rest = &html[lt..];
        if rest.starts_with(b"<!--") {
            i = memchr::memmem::find(rest, b"-->").map_or(html.len(), |n| lt + n + 3);
            continue;
        }
        let name_len = rest[1..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 || !rest[1].is_ascii_alphabetic() {
            // `</x>`, `<!doctype>`, or a `<` that starts no tag.
            i = lt + 1;
            continue;
        }
        let name = &rest[1..1 + name_len];
        i = tag(&root, html, lt + 1 + name_len, &mut out, &mut copied);
        // Raw text: up to the matching end tag, untouched.
        for raw in [&b"script"[..], b"style"] {
            if name.eq_ignore_ascii_case(raw) {
                i = find_end_tag(&html[i..], raw).map_or(html.len(), |n| i + n);
            }
        }
    }
    out.extend_from_slice(&html[copied..]);
    out
}

/// Scans the start tag whose attributes begin at `at`, rewriting its links into `out` (which
/// holds `html` up to `copied`) for a page `root` leads back from; returns where the tag ends.
fn tag(root: &str, html: &[u8], mut at: usize, out: &mut Vec<u8>, copied: &mut usize) -> usize {
    loop {
        at += html[at..].iter().take_while(|b| b.is_ascii_whitespace() || **b == b'/').count();
        match html.get(at) {
            None => return at,
            Some(b'>') => return at + 1,
            Some(_) => {}
        }
        let name_len =
            html[at..].iter().take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/')).count();
        let name = &html[at..at + name_len.max(1)];
        at += name.len();
        let gap = html[at..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        if html.get(at + gap) != Some(&b'=') {
            continue;
        }
        let after_eq = at + gap + 1;
        at = after_eq + html[after_eq..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        let (value_start, value_end, next) = match html.get(at) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = memchr::memchr(q, &html[at + 1..]).map_or(html.len(), |n| at + 1 + n);
                (at + 1, end, (end + 1).min(html.len()))
            }
            _ => {
                let end = at + html[at..].iter().take_while(|b| !b.is_ascii_whitespace() && **b != b'>').count();
                (at, end, end)
            }
        };
        let value = &html[value_start..value_end];
        if value.first() == Some(&b'/')
            && LINK_ATTRIBUTES.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(name))
            && let Ok(v) = std::str::from_utf8(value)
            && is_site_absolute(v)
        {
            out.extend_from_slice(&html[*copied..value_start]);
            push_relative(out, root, v);
            *copied = value_end;
        }
        at = next;
    }
}

/// Where `</name` starts in `hay`, in any case.
fn find_end_tag(hay: &[u8], name: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(n) = memchr::memmem::find(&hay[from..], b"</") {
        let at = from + n;
        if hay.get(at + 2..at + 2 + name.len()).is_some_and(|w| w.eq_ignore_ascii_case(name)) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_absolute_links_become_relative_to_the_page() {
        assert_eq!(relative("index.html", "/"), "index.html");
        assert_eq!(relative("index.html", "/static/style.css"), "static/style.css");
        assert_eq!(relative("p/a/index.html", "/"), "../../index.html");
        assert_eq!(relative("p/a/index.html", "/arkiv/"), "../../arkiv/index.html");
        assert_eq!(relative("p/a/v/2/index.html", "/p/a/v/1/"), "../../../../p/a/v/1/index.html");
        assert_eq!(relative("kris/index.html", "/kris/#kedja-x"), "../kris/index.html#kedja-x");
        assert_eq!(relative("sok/index.html", "/sok/?q=snö"), "../sok/index.html?q=snö");
        assert_eq!(relative("search-index.json", "/p/a/"), "p/a/index.html");
        for other in ["https://x.se/a/", "//cdn.example/x.css", "#main", "mailto:a@b.se", "tel:+46", "p/a/", ""] {
            assert_eq!(relative("p/a/index.html", other), other);
        }
    }

    #[test]
    fn pages_get_relative_links_and_keep_everything_else() {
        let page = concat!(
            "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/static/style.css\">",
            "<script src='/static/search.js' defer></script>",
            "<script>var a = '<a href=\"/inline/\">';</script><style>a[href=\"/x/\"]{}</style></head>",
            "<body><!-- <a href=\"/comment/\"> --><a class=skip href=#main>Hoppa</a>",
            "<a href=/om/>Om</a> <a\nhref = \"/arkiv/2026/11/\" lang=\"sv\">nov</a>",
            "<form action=\"/sok/\" data-index=\"/search-index.json\" data-none=\"/inte/\" hidden>",
            "<img src=\"/media/a.png\" alt=\"a < b, href=&quot;/no/&quot;\"><br/>",
            "<a href=\"https://www.kommun.se/\">kommun</a> 1 < 2 <a href=\"//x/\">x</a></body></html>",
        );
        let out = String::from_utf8(localize("p/a/index.html", page.as_bytes())).unwrap();
        let expected = page
            .replace("\"/static/style.css\"", "\"../../static/style.css\"")
            .replace("'/static/search.js'", "'../../static/search.js'")
            .replace("href=/om/>", "href=../../om/index.html>")
            .replace("\"/arkiv/2026/11/\"", "\"../../arkiv/2026/11/index.html\"")
            .replace("\"/sok/\"", "\"../../sok/index.html\"")
            .replace("\"/search-index.json\"", "\"../../search-index.json\"")
            .replace("\"/media/a.png\"", "\"../../media/a.png\"");
        assert_eq!(out, expected);
    }

    #[test]
    fn broken_markup_is_copied_not_lost() {
        for page in ["<a href=\"/x/", "<a href=", "<a", "<", "<a href='/p/'", "<script>never closed", "<!-- open"] {
            let out = localize("index.html", page.as_bytes());
            assert!(out.len() >= page.len() - 1, "{page}: {}", String::from_utf8_lossy(&out));
        }
        assert_eq!(localize("index.html", b"<a href='/p/'"), b"<a href='p/index.html'");
    }
}
