//! The `privacy` pack: personal data that must not go out in a public post — personnummer and
//! samordningsnummer, phone numbers, e-mail addresses, bank accounts (IBAN) and payment cards.
//!
//! Precision comes from checking what a number claims to be instead of its shape alone: an
//! identity number must carry a real date and a right Luhn digit, an IBAN must pass mod-97, a
//! card number Luhn and a known issuer prefix, a phone number a real Swedish numbering plan. A
//! communications officer stops reading a checker that cries wolf at every date and amount.
//!
//! What is never flagged:
//! - organisationsnummer: public by law; their third digit is ≥ 2, so the "month" is ≥ 20 and the
//!   date check rejects them without a special case;
//! - the organisation's own numbers and addresses: `[voice] allow`, `organisation.phone`,
//!   `organisation.contact_email`, `organisation.org_number`, compared normalised (digits only,
//!   `+46`/`0046` read as `0`; e-mail case-insensitively);
//! - any e-mail address at the organisation's own domain (from `organisation.url`, without
//!   `www.`, subdomains included): those are role or staff addresses the organisation publishes
//!   itself (`kundcenter@exempelstad.se`), and staff work addresses are public documents;
//! - service numbers no private person has (020 free phone, 0900/0939/0944 premium rate, 077
//!   shared cost, 071 machine-to-machine) and fediverse handles (`@namn@server.se`);
//! - numbers in the path of a web address (page ids, timestamps, post ids); the query, the
//!   fragment and `tel:`/`sms:` links are read, since a number there is published just the same,
//!   and so are e-mail addresses anywhere in an address (`mailto:`).
//!
//! Every prose scope is read (title, body blocks with their link addresses, alt texts,
//! hashtags), and so is the rest of the front matter as written (platform override texts, crisis
//! fields, comments): those texts go out too, in other channels. One scan finds every kind at
//! once so that overlapping readings are resolved in one place: an IBAN's digit groups are not
//! also a card number, and a ten-digit string that is both a valid personnummer and a phone
//! number is reported once, as the graver of the two.
//!
//! No finding carries a `fix`: there is no safe automatic replacement for someone's data.

mod card;
mod email;
mod iban;
mod identity;
mod phone;

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

use jiff::civil::Date;
use regex::Regex;

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::post::Post;
use crate::strategy::Strategy;

pub(crate) fn rules(strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    let today = jiff::Timestamp::now().to_zoned_datetime(strategy.timezone.clone()).date();
    let cfg = Arc::new(Config::from_strategy(strategy, today));
    Kind::ALL.iter().map(|&kind| Box::new(Privacy { kind, cfg: Arc::clone(&cfg) }) as Box<dyn Rule>).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Personnummer,
    Samordningsnummer,
    Phone,
    Email,
    Iban,
    Card,
}

impl Kind {
    const ALL: [Kind; 6] =
        [Kind::Personnummer, Kind::Samordningsnummer, Kind::Phone, Kind::Email, Kind::Iban, Kind::Card];

    pub(crate) fn id(self) -> &'static str {
        match self {
            Kind::Personnummer => "privacy.personnummer",
            Kind::Samordningsnummer => "privacy.samordningsnummer",
            Kind::Phone => "privacy.phone",
            Kind::Email => "privacy.email",
            Kind::Iban => "privacy.iban",
            Kind::Card => "privacy.card",
        }
    }

    /// A personnummer or samordningsnummer: the numbers a records request masks.
    pub(crate) fn is_identity_number(self) -> bool {
        matches!(self, Kind::Personnummer | Kind::Samordningsnummer)
    }

    /// Phone numbers and e-mail addresses are sometimes published with consent; the rest never.
    fn level(self) -> Level {
        match self {
            Kind::Phone | Kind::Email => Level::Warning,
            _ => Level::Error,
        }
    }

    fn description(self) -> &'static str {
        match self {
            Kind::Personnummer => {
                "A Swedish personal identity number (10 or 12 digits, `-` or `+`) with a real birth date and a right Luhn check digit."
            }
            Kind::Samordningsnummer => {
                "A Swedish coordination number (samordningsnummer: a personnummer with 60 added to the day), date and Luhn checked."
            }
            Kind::Phone => {
                "A Swedish mobile or landline phone number that is not the organisation's own ([voice] allow, organisation.phone)."
            }
            Kind::Email => "An e-mail address that is neither the organisation's own nor at its own domain.",
            Kind::Iban => "A bank account number in IBAN form (SE and other countries) that passes the mod-97 check.",
            Kind::Card => {
                "A payment card number (13–19 digits) with a known issuer prefix and a right Luhn check digit."
            }
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Personnummer => "Grattis till Tolvan Tolvansson, 19121212-1212, som fyller år!",
            Kind::Samordningsnummer => "Hans samordningsnummer är 701063-2391.",
            Kind::Phone => "Ring Anna på 070-123 45 67 om du har frågor.",
            Kind::Email => "Mejla anna.andersson@gmail.com för att anmäla dig.",
            Kind::Iban => "Betala anmälningsavgiften till SE45 5000 0000 0583 9825 7466.",
            Kind::Card => "Kortet 4111 1111 1111 1111 hittades i receptionen.",
        }
    }
}

struct Privacy {
    kind: Kind,
    cfg: Arc<Config>,
}

impl Rule for Privacy {
    fn id(&self) -> &str {
        self.kind.id()
    }
    fn level(&self) -> Level {
        self.kind.level()
    }
    fn description(&self) -> String {
        self.kind.description().into()
    }
    fn example(&self) -> String {
        self.kind.example().into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for scope in ctx.scopes {
            for hit in self.cfg.scan(&scope.text, &scope.links) {
                if hit.kind == self.kind {
                    out.at(scope, hit.range, hit.message);
                }
            }
        }
        let (start, front) = (ctx.post.front_offset, ctx.post.front_source());
        let covered = scoped_spans(ctx.post);
        for hit in self.cfg.scan(front, &[]) {
            let range = start + hit.range.start..start + hit.range.end;
            if hit.kind == self.kind && !covered.iter().any(|c| overlaps(c, &range)) {
                out.at_file(range, hit.message);
            }
        }
    }
}

/// File ranges of front-matter values that are scopes of their own (title, alt texts, tags):
/// already read there, with decoded text.
fn scoped_spans(post: &Post) -> Vec<Range<usize>> {
    let o = post.front_offset;
    let shift = |r: Range<usize>| o + r.start..o + r.end;
    let mut out = vec![shift(post.front.title.span())];
    out.extend(post.front.media.iter().filter_map(|m| m.alt.as_ref()).map(|a| shift(a.span())));
    out.extend(post.front.tags.iter().map(|t| shift(t.span())));
    out
}

/// Web addresses in raw text (the front matter has no parsed links).
fn url_ranges(text: &str) -> Vec<Range<usize>> {
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?i)(?-u:\b)(?:https?://|www\.|tel:|sms:)[^\s"'<>]+"#).expect("valid regex"));
    URL.find_iter(text).map(|m| m.range()).collect()
}

/// What the organisation has said is its own, normalised for comparison.
#[derive(Debug, Default)]
pub(crate) struct Config {
    /// Tells configurations apart in the per-thread memory of recent scans.
    id: u64,
    today: Date,
    /// Digits-only forms (phone numbers also in national form, identity numbers also in their
    /// 10-digit form) and upper-case alphanumeric forms (IBAN).
    numbers: HashSet<String>,
    /// Lower-case e-mail addresses.
    emails: HashSet<String>,
    /// Lower-case host of `organisation.url` without `www.`.
    domain: Option<String>,
}

impl Config {
    pub(crate) fn from_strategy(strategy: &Strategy, today: Date) -> Config {
        let org = strategy.organisation();
        let own = [&org.phone, &org.contact_email, &org.org_number].into_iter().flatten();
        let allow: Vec<&str> = strategy.file.voice.allow.iter().chain(own).map(String::as_str).collect();
        Config::new(today, &allow, org.url.as_deref())
    }

    pub(crate) fn new(today: Date, allow: &[&str], url: Option<&str>) -> Config {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let mut cfg = Config { id, today, domain: url.and_then(host), ..Config::default() };
        for entry in allow {
            let entry = entry.trim();
            if entry.contains('@') {
                cfg.emails.insert(entry.to_lowercase());
                continue;
            }
            cfg.numbers.extend(number_keys(entry));
        }
        cfg
    }

    fn allowed(&self, c: &Candidate) -> bool {
        if c.kind == Kind::Email {
            let address = c.keys.first().map_or("", String::as_str);
            return self.emails.contains(address)
                || self.domain.as_deref().is_some_and(|d| email::at_domain(address, d));
        }
        c.keys.iter().any(|k| self.numbers.contains(k))
    }

    /// Every finding in `text`, in text order. `links` are the ranges of web addresses in it.
    ///
    /// The six rules of the pack each ask about the same scopes of a post, one rule after the
    /// other on the same thread; the answer is kept for the last few texts so the scan runs once
    /// per scope, not six times.
    pub(crate) fn scan(&self, text: &str, links: &[Range<usize>]) -> Vec<Hit> {
        // One pass over the bytes decides which detectors can find anything at all: most
        // scopes (titles, paragraphs with a date or a time) end here.
        let shape = Shape::of(text);
        if !shape.any() {
            return Vec::new();
        }
        RECENT.with_borrow_mut(|recent| {
            if let Some(r) = recent.iter().rev().find(|r| r.config == self.id && r.text == text && r.links == links) {
                return r.hits.clone();
            }
            let hits = self.scan_shaped(text, links, &shape);
            if recent.len() == RECENT_SCANS {
                recent.pop_front();
            }
            recent.push_back(Recent {
                config: self.id,
                text: text.to_string(),
                links: links.to_vec(),
                hits: hits.clone(),
            });
            hits
        })
    }

    fn scan_shaped(&self, text: &str, links: &[Range<usize>], shape: &Shape) -> Vec<Hit> {
        // Markdown links come with the scope; bare addresses in the text are found here, when a
        // number is found at all (most texts with digits hold none).
        let mut all_links: Option<Vec<Range<usize>>> = None;
        let mut found = Vec::new();
        // In priority order: where two readings overlap, the first one found wins.
        if shape.iban_start && shape.digits >= 8 {
            iban::find(text, &mut found);
        }
        if shape.digits >= 13 && shape.longest_run >= 4 {
            card::find(text, &mut found);
        }
        if shape.longest_run >= 6 {
            identity::find(text, self.today, &mut found);
        }
        if shape.digits >= 8 {
            phone::find(text, &mut found);
        }
        if shape.at {
            email::find(text, &mut found);
        }
        let mut claimed: Vec<Range<usize>> = Vec::new();
        let mut hits = Vec::new();
        for c in found {
            if claimed.iter().any(|r| overlaps(r, &c.range)) {
                continue;
            }
            if c.kind != Kind::Email {
                let links = all_links.get_or_insert_with(|| {
                    let mut all = links.to_vec();
                    all.extend(url_ranges(text));
                    all
                });
                if !number_counts_in_link(text, links, &c.range) {
                    continue;
                }
            }
            claimed.push(c.range.clone());
            if !self.allowed(&c) {
                hits.push(Hit { kind: c.kind, range: c.range, message: c.message });
            }
        }
        hits.sort_by_key(|h| h.range.start);
        hits
    }
}

/// How many scans a thread remembers: more than the scopes of any ordinary post.
const RECENT_SCANS: usize = 32;

thread_local! {
    static RECENT: RefCell<VecDeque<Recent>> = const { RefCell::new(VecDeque::new()) };
}

struct Recent {
    config: u64,
    text: String,
    links: Vec<Range<usize>>,
    hits: Vec<Hit>,
}

/// What a text has that the detectors need: cheap to compute, and enough to skip most of them.
#[derive(Debug, Default)]
struct Shape {
    digits: usize,
    longest_run: usize,
    at: bool,
    /// Two capital letters followed by two digits somewhere (`SE45`).
    iban_start: bool,
}

impl Shape {
    fn of(text: &str) -> Shape {
        let mut s = Shape::default();
        let (mut run, mut caps) = (0, 0);
        for b in text.bytes() {
            if b.is_ascii_digit() {
                s.digits += 1;
                run += 1;
                s.longest_run = s.longest_run.max(run);
                s.iban_start |= run == 2 && caps >= 2;
            } else {
                run = 0;
                s.at |= b == b'@';
            }
            // Capitals directly before the current digit run.
            caps = if b.is_ascii_uppercase() {
                caps + 1
            } else if b.is_ascii_digit() {
                caps
            } else {
                0
            };
        }
        s
    }

    fn any(&self) -> bool {
        self.digits >= 8 || self.at
    }
}

/// One finding of the scan, before it becomes a [`crate::check::Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub kind: Kind,
    pub range: Range<usize>,
    pub message: String,
}

/// What a detector found, with the normalised forms the allow-list is compared against.
#[derive(Debug)]
struct Candidate {
    kind: Kind,
    range: Range<usize>,
    keys: Vec<String>,
    message: String,
}

/// The forms an allow-list entry may be met in: digits only; a phone number also in national
/// form; an identity or organisation number also in its 10-digit form; an IBAN upper-case.
fn number_keys(entry: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let digits = digits_only(entry);
    if !digits.is_empty() {
        keys.push(digits.clone());
        if digits.len() == 12 {
            keys.push(digits[2..].to_string());
        }
    }
    if let Some(national) = phone::national_form(entry) {
        keys.push(national);
    }
    let alnum: String = entry.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if alnum != digits {
        keys.push(alnum);
    }
    keys
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?.split(':').next()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).trim_end_matches('.').to_string();
    host.contains('.').then_some(host)
}

/// A number inside a web address is read only in its query or fragment, or in a `tel:`/`sms:`
/// link: in a path, digits are page ids, timestamps and post ids (`/posts/4111…`), which would
/// pass a date or Luhn check by chance far more often than a path holds someone's number.
fn number_counts_in_link(text: &str, links: &[Range<usize>], range: &Range<usize>) -> bool {
    let Some(link) = links.iter().find(|l| overlaps(l, range)) else {
        return true;
    };
    let url = text.get(link.clone()).unwrap_or("");
    let lower = url.get(..4).unwrap_or("").to_ascii_lowercase();
    if lower == "tel:" || lower == "sms:" {
        return true;
    }
    if !url.contains("://") && !url.to_ascii_lowercase().starts_with("www.") {
        // Not an address at all (code, or a bare word): prose.
        return true;
    }
    url.find(['?', '#']).is_some_and(|q| range.start >= link.start + q)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Luhn (mod 10) over decimal digits, the check digit last: personnummer, cards.
fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Digit values of the ASCII digits in `s`.
fn digit_values(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect()
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2013}' | '\u{2212}')
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}')
}

/// Punctuation that joins digits into a larger number (dates, times, decimals, ranges).
fn is_joiner(c: char) -> bool {
    is_dash(c) || matches!(c, '.' | ',' | ':' | '/' | '+')
}

/// Whether the number starting at `start` is the tail of a larger one (`2024-08-12`, `3,0701…`).
fn attached_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match (before.next(), before.next()) {
        (Some(c), _) if c.is_alphanumeric() || c == '_' => true,
        (Some(c), Some(d)) => is_joiner(c) && d.is_ascii_digit(),
        _ => false,
    }
}

/// A number that follows another digit group (`5000 0311 2345…`) is part of a longer figure.
fn preceded_by_group(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    matches!((before.next(), before.next()), (Some(c), Some(d)) if is_space(c) && d.is_ascii_digit())
}

/// Whether the number ending at `end` goes on (`…-12-2024`, `…,50`, `…kr` glued on).
fn attached_after(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match (after.next(), after.next()) {
        (Some(c), _) if c.is_alphanumeric() || c == '_' => true,
        (Some(c), Some(d)) => is_joiner(c) && d.is_ascii_digit(),
        _ => false,
    }
}

/// `s` with its last `n` ASCII digits replaced by `*`, separators kept, so a message can say
/// which number is meant without repeating it.
fn mask_last_digits(s: &str, n: usize) -> String {
    let total = s.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > total.saturating_sub(n) { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

/// Digit runs separated by single separators, from `start` (at a digit): `070-123 45 67`,
/// `4111 1111 1111 1111`. `sep` accepts the text between two runs. Returns each run's range.
fn digit_groups(text: &str, start: usize, sep: impl Fn(&str) -> bool, max_groups: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut groups = Vec::new();
    let mut i = start;
    while groups.len() < max_groups {
        let j = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if j == i {
            break;
        }
        groups.push(i..j);
        // The separator is at most three characters (` - `) and must lead to a digit.
        let next = text[j..].char_indices().take(4).find(|(_, c)| c.is_ascii_digit()).map(|(k, _)| j + k);
        match next {
            Some(k) if k > j && sep(&text[j..k]) => i = k,
            _ => break,
        }
    }
    groups
}

#[cfg(test)]
mod tests;
