//! `strategy.toml`: who the organisation is, what it wants to achieve, where it speaks and how.
//! Everything later stages decide (defaults for posts, limits, cadence, review policy, crisis
//! mode) comes from here, so it is validated strictly: unknown keys and secrets are errors.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Diagnostic, Diagnostics};
use crate::kind::Kind;
use crate::platform::PlatformId;
use crate::toml_diag;

pub const FILE_NAME: &str = "strategy.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyFile {
    pub organisation: Organisation,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub audiences: Vec<Audience>,
    #[serde(default)]
    pub platforms: BTreeMap<String, Spanned<PlatformConfig>>,
    #[serde(default)]
    pub voice: Voice,
    /// Organisation rules, compiled and checked by `check` ([`crate::check::validate`]).
    #[serde(default)]
    pub rules: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    pub review: Review,
    #[serde(default)]
    pub interaction: Interaction,
    #[serde(default)]
    pub crisis: CrisisMode,
    #[serde(default)]
    pub blackout: Blackout,
    #[serde(default)]
    pub render: RenderSettings,
    #[serde(default)]
    pub site: SiteSettings,
    #[serde(default)]
    pub report: ReportSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// Environment variable that overrides `[organisation] archive_url` for one run (a CI job that
/// publishes the archive to GitHub or GitLab Pages sets it to the address the host gives).
pub const ARCHIVE_URL_ENV: &str = "BUDKAVLE_ARCHIVE_URL";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: String,
    pub url: Option<String>,
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default = "default_timezone")]
    pub timezone: Spanned<String>,
    pub archive_url: Option<String>,
    /// Theme folder under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Public contact for the accessibility statement and CAP alerts.
    pub contact_email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Organisationsnummer: public, and allow-listed by the privacy rules.
    pub org_number: Option<String>,
}

fn default_lang() -> String {
    "sv".into()
}
fn default_timezone() -> Spanned<String> {
    Spanned::new(0..0, "Europe/Stockholm".into())
}
fn default_theme() -> String {
    "default".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub id: Spanned<String>,
    pub description: String,
    pub kpi: Option<Kpi>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    pub metric: Metric,
    pub target: f64,
    #[serde(default)]
    pub per: Period,
}

/// What a KPI measures: `engagement` (a share, 0–1) or one of the counts of a metrics snapshot
/// (`docs/metrics.md` has the formulas `report` uses for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Engagement,
    /// Interactions of every kind summed: likes, reposts, replies, quotes, shares, saves, clicks.
    Interactions,
    Reach,
    /// Meta renamed impressions to views in 2025; the old name is still read.
    #[serde(alias = "impressions")]
    Views,
    Likes,
    Reposts,
    Replies,
    Quotes,
    Clicks,
    Saves,
    Shares,
    Followers,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Engagement => "engagement",
            Metric::Interactions => "interactions",
            Metric::Reach => "reach",
            Metric::Views => "views",
            Metric::Likes => "likes",
            Metric::Reposts => "reposts",
            Metric::Replies => "replies",
            Metric::Quotes => "quotes",
            Metric::Clicks => "clicks",
            Metric::Saves => "saves",
            Metric::Shares => "shares",
            Metric::Followers => "followers",
        }
    }

    /// A share between 0 and 1 rather than a count.
    pub fn is_rate(self) -> bool {
        self == Metric::Engagement
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    pub id: Spanned<String>,
    pub description: String,
}

/// One platform account. Secrets are never here: only the names of the environment variables
/// that hold them (`*_env`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The team posts here by hand from `dist/platforms/` (no API access, or not yet): `check`,
    /// `build` and the previews go on as for any platform; `publish` holds its posts as "by
    /// hand" instead of sending.
    #[serde(default)]
    pub by_hand: bool,
    /// Display name shown in previews and the archive.
    pub display_name: Option<String>,
    /// `@user@instance` on Mastodon, handle on Bluesky/X/Threads/Instagram, page name elsewhere.
    pub account: Option<String>,
    /// Mastodon instance base URL.
    pub instance: Option<Spanned<String>>,
    /// Bluesky PDS / service URL.
    pub service: Option<Spanned<String>>,
    /// Facebook page id, Instagram professional account id, LinkedIn organisation URN.
    pub page_id: Option<String>,
    /// The API's base URL, for X, Facebook, Instagram, LinkedIn and Threads (default: the
    /// platform's own host); a test peer, or a proxy the organisation must go through.
    pub api_url: Option<Spanned<String>>,
    /// The API version where the platform versions its API: Meta's Graph API (`"v21.0"`), the
    /// `LinkedIn-Version` header (`"202511"`). Platforms retire old versions: when one stops
    /// working, the error names this setting.
    pub api_version: Option<Spanned<String>>,
    /// Overrides the platform's default character limit (Mastodon instances differ).
    pub char_limit: Option<usize>,
    /// Mastodon `visibility` for posts.
    pub visibility: Option<Visibility>,
    pub token_env: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub api_key_env: Option<Spanned<String>>,
    pub api_secret_env: Option<Spanned<String>>,
    pub access_token_env: Option<Spanned<String>>,
    pub access_secret_env: Option<Spanned<String>>,
    pub cadence: Option<Cadence>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

/// How often the organisation means to post on a platform; `check` and `plan` hold posts to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    /// Smallest gap between two posts, e.g. `"2h"`.
    pub min_gap: Option<Spanned<String>>,
    pub max_per_day: Option<u32>,
    pub min_per_week: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voice {
    /// Built-in rule packs by name; `check` knows them ([`crate::check::Pack`]).
    #[serde(default)]
    pub packs: Vec<Spanned<String>>,
    #[serde(default)]
    pub readability: Readability,
    /// Appended by the default templates, e.g. `"/Kommunikationsavdelningen"`.
    pub signature: Option<String>,
    /// The organisation's own numbers and addresses, never flagged by the privacy rules.
    #[serde(default)]
    pub allow: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Readability {
    /// Highest LIX for Swedish posts.
    pub lix_max: Option<f64>,
    /// Lowest Flesch Reading Ease for English posts.
    pub flesch_min: Option<f64>,
    pub max_sentence_words: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[serde(default = "one")]
    pub approvals: u32,
    /// Approvals needed per post kind, overriding `approvals`.
    #[serde(default)]
    pub per_kind: BTreeMap<Kind, u32>,
    #[serde(default)]
    pub require_signed_merges: bool,
}

fn one() -> u32 {
    1
}

impl Default for Review {
    fn default() -> Self {
        Review { approvals: 1, per_kind: BTreeMap::new(), require_signed_merges: false }
    }
}

/// Citizens' replies and comments: the inbox (`crate::inbox` reads and validates these keys).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// Promised first-response time in working time, e.g. `"4h"` or `"1d"` (one working day).
    pub response_time: Option<Spanned<String>>,
    /// e.g. `"mån–fre 08:00–16:30"`.
    pub office_hours: Option<Spanned<String>>,
    /// The comment policy shown on the archive's about page.
    pub guidelines: Option<String>,
    /// The inbox database: a path outside the repository (`~/` is the home folder); default
    /// the user's data directory.
    pub store: Option<Spanned<String>>,
    /// How often each account must be reviewed, in working time (default `"1d"`).
    pub supervise_every: Option<Spanned<String>>,
    /// How long items are kept before `inbox weed` deletes them (`"2y"`, `"18mo"`); none by
    /// default: nothing is ever deleted without a gallring decision.
    pub keep: Option<Spanned<String>>,
    /// The organisation's own triage rules, added to the built-in packs.
    #[serde(default)]
    pub rules: Vec<InteractionRule>,
    /// `[interaction.templates]`: name = text, the ready answers of `inbox reply --template`.
    #[serde(default)]
    pub templates: std::collections::BTreeMap<String, Spanned<String>>,
}

/// `[[interaction.rules]]`: a kind an item gets when one of the words or patterns is in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionRule {
    pub id: Spanned<String>,
    /// `question`, `criticism`, `praise`, `abuse`, `personal-data` or `spam`.
    pub kind: Spanned<String>,
    /// Words and phrases, matched as whole words, case-insensitively.
    #[serde(default)]
    pub tokens: Vec<Spanned<String>>,
    /// Regular expressions, matched case-insensitively anywhere in the text.
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    /// Regular expressions that, when one matches, keep this rule from firing (`"tack för
    /// inget"` is no praise).
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisMode {
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// CAP `sender`, e.g. an e-mail address of the crisis communications function.
    pub cap_sender: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blackout {
    #[serde(default)]
    pub periods: Vec<BlackoutPeriod>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlackoutPeriod {
    pub start: Spanned<toml::value::Datetime>,
    pub end: Spanned<toml::value::Datetime>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderSettings {
    /// Where auto-split and thematic-break threads show their position.
    #[serde(default)]
    pub thread_numbering: Numbering,
    /// `{n}` and `{total}` are replaced.
    #[serde(default = "default_numbering_format")]
    pub numbering_format: String,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings { thread_numbering: Numbering::default(), numbering_format: default_numbering_format() }
    }
}

fn default_numbering_format() -> String {
    "{n}/{total}".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    /// No numbering.
    None,
    /// ` 1/3` after each part.
    #[default]
    Suffix,
    /// `1/3 ` before each part.
    Prefix,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// Show git author names on version pages.
    #[serde(default)]
    pub show_authors: bool,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Publish a results page per month in the archive (`resultat/`, `results/` in English):
    /// the goals, their KPIs and aggregate figures of the organisation's own posts.
    #[serde(default)]
    pub public: bool,
}

/// `[metrics]`: when `metrics pull` reads a post's figures. Each point is a time after
/// publishing; a post is read once per point that has passed, and never after `until`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Default `["1h", "1d", "7d", "30d"]`.
    pub snapshots: Option<Vec<String>>,
    /// Default `"90d"`.
    pub until: Option<String>,
}

impl MetricsSettings {
    pub const DEFAULT_SNAPSHOTS: [&str; 4] = ["1h", "1d", "7d", "30d"];
    pub const DEFAULT_UNTIL: &str = "90d";

    /// The points after publishing, in order; what does not parse was reported by the check.
    pub fn points(&self) -> Vec<jiff::SignedDuration> {
        let mut points: Vec<_> = match &self.snapshots {
            Some(list) => list.iter().filter_map(|s| parse_duration(s)).collect(),
            None => Self::DEFAULT_SNAPSHOTS.iter().filter_map(|s| parse_duration(s)).collect(),
        };
        points.sort();
        points.dedup();
        points
    }

    /// How long after publishing a post is still read.
    pub fn until(&self) -> jiff::SignedDuration {
        self.until
            .as_deref()
            .and_then(parse_duration)
            .or_else(|| parse_duration(Self::DEFAULT_UNTIL))
            .unwrap_or(jiff::SignedDuration::from_hours(90 * 24))
    }
}

/// The validated strategy: the file's contents plus what was derived from them once.
#[derive(Debug, Clone)]
pub struct Strategy {
    pub file: StrategyFile,
    pub timezone: TimeZone,
    /// Enabled platforms, in a stable order; a post without `platforms` goes to these.
    pub platforms: BTreeMap<PlatformId, PlatformConfig>,
    /// Every configured platform, enabled or not, so posts may name a disabled one knowingly.
    pub configured: BTreeMap<PlatformId, PlatformConfig>,
    /// The file as read, for rules that report positions in it.
    pub source: String,
}

impl Strategy {
    pub fn organisation(&self) -> &Organisation {
        &self.file.organisation
    }

    pub fn has_goal(&self, id: &str) -> bool {
        self.file.goals.iter().any(|g| *g.id.get_ref() == id)
    }

    pub fn has_audience(&self, id: &str) -> bool {
        self.file.audiences.iter().any(|a| *a.id.get_ref() == id)
    }

    pub fn goal_ids(&self) -> impl Iterator<Item = &str> {
        self.file.goals.iter().map(|g| g.id.get_ref().as_str())
    }

    pub fn audience_ids(&self) -> impl Iterator<Item = &str> {
        self.file.audiences.iter().map(|a| a.id.get_ref().as_str())
    }

    pub fn enabled_platforms(&self) -> impl Iterator<Item = PlatformId> + '_ {
        self.platforms.keys().copied()
    }

    /// `BUDKAVLE_ARCHIVE_URL`, when set, in place of `[organisation] archive_url`: where this
    /// build's archive is published, for a host that decides it (GitHub Pages gives
    /// `https://<owner>.github.io/<repo>`, GitLab Pages `CI_PAGES_URL`), so one repository can
    /// build for a preview host and for its own web server.
    pub(crate) fn archive_url_from_env(&mut self, diags: &mut Diagnostics) {
        let Ok(url) = std::env::var(ARCHIVE_URL_ENV) else { return };
        let url = url.trim();
        if url.is_empty() {
            return;
        }
        if crate::escape::is_web_url(url) {
            self.file.organisation.archive_url = Some(url.to_string());
        } else {
            diags.push(
                Diagnostic::file(
                    Path::new(FILE_NAME),
                    format!("{ARCHIVE_URL_ENV}={url} is not the web address of the archive"),
                )
                .hint("write the address the archive (dist/site) is served at, e.g. https://www.kommun.se/sociala-medier/arkiv/, or unset it to use [organisation] archive_url"),
            );
        }
    }

    pub(crate) fn from_str(file: &Path, text: &str, diags: &mut Diagnostics) -> Option<Strategy> {
        let parsed: StrategyFile = match toml_diag::parse(file, text, 1) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        let at = |offset: usize, msg: String| Diagnostic::at(file, text, offset, 1, msg);

        let tz_name = parsed.organisation.timezone.get_ref();
        let timezone = match crate::datetime::zone(tz_name) {
            Ok(tz) => tz,
            Err(_) => {
                diags.push(
                    at(parsed.organisation.timezone.span().start, format!("unknown time zone `{tz_name}`"))
                        .hint("use an IANA name such as \"Europe/Stockholm\""),
                );
                TimeZone::UTC
            }
        };
        if !crate::lang::is_tag(&parsed.organisation.lang) {
            diags.push(
                Diagnostic::new(
                    file,
                    find_line(text, "lang"),
                    1,
                    format!("`{}` is not a language tag", parsed.organisation.lang),
                )
                .hint("use a BCP 47 tag such as \"sv\" or \"en\""),
            );
        }

        check_unique_ids(file, text, parsed.goals.iter().map(|g| &g.id), "goal", diags);
        check_unique_ids(file, text, parsed.audiences.iter().map(|a| &a.id), "audience", diags);
        for goal in &parsed.goals {
            if let Some(kpi) = &goal.kpi {
                check_kpi(file, text, goal, kpi, diags);
            }
        }

        check_metrics(file, text, &parsed.metrics, diags);

        let mut platforms = BTreeMap::new();
        let mut configured = BTreeMap::new();
        for (name, cfg) in &parsed.platforms {
            let id = match name.parse::<PlatformId>() {
                Ok(id) => id,
                Err(_) => {
                    let mut d = at(cfg.span().start, format!("unknown platform `{name}`"));
                    let known = PlatformId::names().join(", ");
                    d = match toml_diag::closest(name, PlatformId::names()) {
                        Some(best) => d.hint(format!("did you mean `{best}`? (known: {known})")),
                        None => d.hint(format!("known platforms: {known}")),
                    };
                    diags.push(d);
                    continue;
                }
            };
            validate_platform(file, text, id, cfg.get_ref(), diags);
            configured.insert(id, cfg.get_ref().clone());
            if cfg.get_ref().enabled {
                platforms.insert(id, cfg.get_ref().clone());
            }
        }

        for period in &parsed.blackout.periods {
            let start = crate::datetime::resolve_datetime(period.start.get_ref(), &timezone);
            let end = crate::datetime::resolve_datetime(period.end.get_ref(), &timezone);
            match (start, end) {
                (Err(e), _) => diags.push(at(period.start.span().start, e)),
                (_, Err(e)) => diags.push(at(period.end.span().start, e)),
                (Ok(s), Ok(e)) if e <= s => diags.push(
                    at(period.end.span().start, "blackout period ends before it starts".into())
                        .hint("swap `start` and `end`, or correct the dates"),
                ),
                _ => {}
            }
        }

        if !parsed.render.numbering_format.contains("{n}") {
            diags.push(
                Diagnostic::new(file, find_line(text, "numbering_format"), 1, "numbering_format has no `{n}`")
                    .hint("write it like \"{n}/{total}\""),
            );
        }

        Some(Strategy { file: parsed, timezone, platforms, configured, source: text.to_string() })
    }

    /// The character limit in force on a platform: the account's override or the platform's own.
    /// Whether `publish` sends to `platform` itself: it is enabled and the strategy does not
    /// say the team posts there by hand (budkavle has a client for every platform).
    pub fn publishes(&self, platform: PlatformId) -> bool {
        self.platforms.get(&platform).is_some_and(|c| !c.by_hand)
    }

    pub fn char_limit(&self, platform: PlatformId) -> Option<usize> {
        self.configured.get(&platform).and_then(|c| c.char_limit)
    }
}

fn validate_platform(file: &Path, text: &str, id: PlatformId, cfg: &PlatformConfig, diags: &mut Diagnostics) {
    let env_fields = [
        ("token_env", &cfg.token_env),
        ("password_env", &cfg.password_env),
        ("api_key_env", &cfg.api_key_env),
        ("api_secret_env", &cfg.api_secret_env),
        ("access_token_env", &cfg.access_token_env),
        ("access_secret_env", &cfg.access_secret_env),
    ];
    for (key, value) in env_fields {
        let Some(value) = value else { continue };
        if !is_env_name(value.get_ref()) {
            diags.push(
                Diagnostic::at(file, text, value.span().start, 1, format!("`{key}` must name an environment variable, and this does not look like one"))
                    .hint("write the variable's NAME (e.g. \"BUDKAVLE_MASTODON_TOKEN\"), never the secret itself; if this was a real secret, revoke it now: it is in git history"),
            );
        }
    }
    for url in [&cfg.instance, &cfg.service, &cfg.api_url].into_iter().flatten() {
        if !url.get_ref().starts_with("https://")
            && !url.get_ref().starts_with("http://127.0.0.1")
            && !url.get_ref().starts_with("http://localhost")
        {
            diags.push(
                Diagnostic::at(
                    file,
                    text,
                    url.span().start,
                    1,
                    format!("{id} server `{}` is not an https:// URL", url.get_ref()),
                )
                .hint("write the full address, e.g. \"https://social.example.se\""),
            );
        }
    }
    if let Some(min_gap) = cfg.cadence.as_ref().and_then(|c| c.min_gap.as_ref())
        && parse_duration(min_gap.get_ref()).is_none()
    {
        diags.push(
            Diagnostic::at(file, text, min_gap.span().start, 1, format!("`{}` is not a duration", min_gap.get_ref()))
                .hint("write e.g. \"2h\", \"90m\" or \"1d\""),
        );
    }
    if cfg.char_limit == Some(0) {
        diags.push(
            Diagnostic::new(file, find_line(text, "char_limit"), 1, "char_limit must be greater than 0")
                .hint("remove char_limit to use the platform's own limit"),
        );
    }
}

/// A KPI `report` can measure: engagement is a share (0–1, not per cent), every other metric a
/// count of accounts or actions, so a target below 1 for a count is a share of something the
/// platforms do not count (a population, the people "concerned"): no snapshot can show it.
fn check_kpi(file: &Path, text: &str, goal: &Goal, kpi: &Kpi, diags: &mut Diagnostics) {
    let at = |msg: String| Diagnostic::at(file, text, goal.id.span().start, 1, msg);
    let id = goal.id.get_ref();
    let metric = kpi.metric.name();
    if !kpi.target.is_finite() || kpi.target < 0.0 {
        diags.push(at(format!("goal `{id}`: the KPI target must be a number ≥ 0")).hint("e.g. target = 20000"));
    } else if kpi.metric.is_rate() && kpi.target > 1.0 {
        diags.push(
            at(format!("goal `{id}`: engagement is a share between 0 and 1, and the target is {}", kpi.target))
                .hint(format!("write {} for {} %", kpi.target / 100.0, kpi.target)),
        );
    } else if !kpi.metric.is_rate() && kpi.target > 0.0 && kpi.target < 1.0 {
        diags.push(
            at(format!(
                "goal `{id}`: `{metric}` is a count, so a target of {} cannot be measured: the platforms count accounts and actions, not a share of residents",
                kpi.target
            ))
            .hint(format!(
                "write the number you aim for (e.g. {} % of 25 000 residents is target = {}), or measure `engagement`, a share of the reach",
                kpi.target * 100.0,
                (kpi.target * 25_000.0).round()
            )),
        );
    }
}

/// `[metrics]`: every point and `until` a positive duration, and no point after `until`.
fn check_metrics(file: &Path, text: &str, m: &MetricsSettings, diags: &mut Diagnostics) {
    let positive = |s: &str| parse_duration(s).filter(|d| d.is_positive());
    for s in m.snapshots.iter().flatten() {
        if positive(s).is_none() {
            diags.push(
                Diagnostic::new(
                    file,
                    find_line(text, "snapshots"),
                    1,
                    format!("[metrics] snapshots: `{s}` is not a duration after publishing"),
                )
                .hint("write e.g. snapshots = [\"1h\", \"1d\", \"7d\", \"30d\"]"),
            );
        }
    }
    match m.until.as_deref().map(|u| (u, positive(u))) {
        Some((u, None)) => diags.push(
            Diagnostic::new(file, find_line(text, "until"), 1, format!("[metrics] until: `{u}` is not a duration"))
                .hint("write e.g. until = \"90d\""),
        ),
        _ => {
            if let Some(last) = m.points().last()
                && *last > m.until()
            {
                diags.push(
                    Diagnostic::new(
                        file,
                        find_line(text, "snapshots"),
                        1,
                        "[metrics] a snapshot point lies after `until`, so it would never be taken",
                    )
                    .hint("make `until` later than the last point, or drop the point"),
                );
            }
        }
    }
}

/// A duration as people write it in strategy.toml: `"90m"`, `"2h"`, `"1d"` (a day is 24 hours
/// here: cadence gaps are about spacing, not calendar days).
pub fn parse_duration(s: &str) -> Option<jiff::SignedDuration> {
    if let Ok(d) = s.parse::<jiff::SignedDuration>() {
        return Some(d);
    }
    let span: jiff::Span = s.parse().ok()?;
    span.to_duration(jiff::SpanRelativeTo::days_are_24_hours()).ok()
}

fn check_unique_ids<'a>(
    file: &Path,
    text: &str,
    ids: impl Iterator<Item = &'a Spanned<String>>,
    what: &str,
    diags: &mut Diagnostics,
) {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !crate::id::is_valid_id(id.get_ref()) {
            diags.push(
                Diagnostic::at(
                    file,
                    text,
                    id.span().start,
                    1,
                    format!("{what} id `{}` is not a valid id", id.get_ref()),
                )
                .hint("use lower-case a-z, digits and `-`"),
            );
        }
        if !seen.insert(id.get_ref().clone()) {
            diags.push(
                Diagnostic::at(
                    file,
                    text,
                    id.span().start,
                    1,
                    format!("{what} id `{}` is defined twice", id.get_ref()),
                )
                .hint(format!("give each {what} its own id")),
            );
        }
    }
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= 64
}

/// Best-effort line of a key for values serde gives no span for.
fn find_line(text: &str, key: &str) -> usize {
    text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Option<Strategy>, Vec<Diagnostic>) {
        let mut d = Diagnostics::default();
        let s = Strategy::from_str(Path::new("strategy.toml"), text, &mut d);
        (s, d.0)
    }

    #[test]
    fn minimal_strategy_loads() {
        let (s, d) =
            load("[organisation]\nname = \"X kommun\"\n[platforms.mastodon]\ninstance = \"https://s.example\"\n");
        assert!(d.is_empty(), "{d:?}");
        let s = s.unwrap();
        assert_eq!(s.enabled_platforms().collect::<Vec<_>>(), vec![PlatformId::Mastodon]);
        assert_eq!(s.organisation().lang, "sv");
    }

    #[test]
    fn a_bad_metrics_schedule_names_its_line() {
        let (s, d) =
            load("[organisation]\nname = \"X\"\n[metrics]\nsnapshots = [\"1h\", \"snart\"]\nuntil = \"90d\"\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].line, 4);
        assert!(d[0].message.contains("`snart`"), "{d:?}");
        assert!(s.is_some());
        let (_, d) = load("[organisation]\nname = \"X\"\n[metrics]\nsnapshots = [\"1h\", \"120d\"]\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("after `until`"), "{d:?}");
        let (s, d) = load("[organisation]\nname = \"X\"\n");
        assert!(d.is_empty());
        assert_eq!(s.unwrap().file.metrics.points().len(), 4, "the default schedule");
    }

    #[test]
    fn unknown_platform_and_bad_env_name_reported_together() {
        let (_, d) = load(
            "[organisation]\nname = \"X\"\n[platforms.mastadon]\n[platforms.bluesky]\npassword_env = \"hunter2-abc\"\n",
        );
        assert_eq!(d.len(), 2, "{d:?}");
        let platform = d.iter().find(|d| d.message.contains("mastadon")).unwrap();
        assert!(platform.hint.as_deref().unwrap().contains("did you mean `mastodon`"));
        let env = d.iter().find(|d| d.message.contains("password_env")).unwrap();
        assert_eq!(env.line, 5);
    }

    #[test]
    fn unknown_timezone() {
        let (_, d) = load("[organisation]\nname = \"X\"\ntimezone = \"Europe/Stockholn\"\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, 3);
    }

    #[test]
    fn kpi_targets_that_cannot_be_measured() {
        let goal = |kpi: &str| {
            format!("[organisation]\nname = \"X\"\n[[goals]]\nid = \"g\"\ndescription = \"G\"\nkpi = {{ {kpi} }}\n")
        };
        let (_, d) = load(&goal("metric = \"reach\", target = 0.8, per = \"week\""));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("cannot be measured"), "{d:?}");
        assert_eq!(d[0].line, 4);
        let (_, d) = load(&goal("metric = \"engagement\", target = 3"));
        assert!(d[0].hint.as_deref().unwrap().contains("write 0.03 for 3 %"), "{d:?}");
        let (_, d) = load(&goal("metric = \"engagement\", target = 0.03"));
        assert!(d.is_empty(), "{d:?}");
        let (s, d) = load(&goal("metric = \"impressions\", target = 5000, per = \"month\""));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.unwrap().file.goals[0].kpi.as_ref().unwrap().metric, Metric::Views);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Some(jiff::SignedDuration::from_hours(2)));
        assert_eq!(parse_duration("1d"), Some(jiff::SignedDuration::from_hours(24)));
        assert_eq!(parse_duration("90m"), Some(jiff::SignedDuration::from_mins(90)));
        assert_eq!(parse_duration("soon"), None);
    }
}
