//! `budkavle doctor`: the credential pre-flight. For every enabled platform it asks what
//! `publish` would find out too late — at the hour a post is due — and asks it before then: is
//! the secret strategy.toml names set, does the platform accept it (a cheap authenticated
//! read, [`crate::clients::api::Connection::health`]), which permissions does it hold against the ones publishing
//! needs, when does it expire, how much of the rate or publishing quota is left.
//!
//! It sends nothing and writes nothing (no ledger lock either, so it may run beside a
//! publisher). The exit code is 1 only when a post that is **due now** would fail for a reason
//! in the credentials (missing, invalid, lacking a needed permission, or strategy.toml cannot
//! build the client): a broken token on a platform with nothing due is reported but is not yet
//! an emergency, and a token that expires within `warn_days` is a warning. A server that cannot
//! be reached says nothing about the credentials (publish retries on its next run), so it is
//! reported and does not fail the check either. Platforms the team posts to
//! by hand (`by_hand = true`, [`crate::strategy::Strategy::publishes`]) are listed, unchecked.
//!
//! No secret is ever printed: the secrets are read only by the clients, through the `env`
//! function; this module sees only the names of the variables that were asked for and whether
//! they were set, and the clients' messages, which never carry a secret.
//!
//! # JSON (`budkavle doctor --format json`)
//!
//! A stable interface for CI; fields are added, never renamed or removed.
//!
//! ```json
//! {
//!   "now": "2026-12-01T12:00:00Z",          // the clock the plan was made at
//!   "warn_days": 14,                         // expiry closer than this is a warning
//!   "ok": false,                             // false exactly when the exit code is 1
//!   "failing": ["bluesky"],                  // platforms whose due posts would fail
//!   "notes": ["…"],                          // about the plan (approvals read from git)
//!   "platforms": [
//!     {
//!       "platform": "mastodon",              // strategy.toml's name
//!       "status": "ok",                      // ok | warning | missing-secret | invalid |
//!                                            // missing-permission | unreachable |
//!                                            // misconfigured | by-hand
//!       "fails": false,                      // publishing here would fail now
//!       "due": 1,                            // due actions: send, edit, delete, pin, unpin
//!       "message": null,                     // what is wrong and what to do, or null
//!       "secrets": [                         // the variables the client read (never values)
//!         { "field": "token_env", "variable": "BUDKAVLE_MASTODON_TOKEN", "line": 14, "set": true }
//!       ],
//!       "account": "@info",                  // who the credentials log in as, or null
//!       "scopes": ["read", "write"],         // what they may do, or null: the platform does not say
//!       "needed": ["write:statuses", "write:media"],
//!       "missing": [],                       // needed and certainly not held
//!       "expires": null,                     // RFC 3339, or null: does not expire / not told
//!       "expires_in_days": null,
//!       "quota": {                           // or null: the platform does not tell
//!         "what": "API requests in the current window",
//!         "used": 2, "limit": 300, "remaining": 298,
//!         "resets": "2026-12-01T12:05:00Z"   // or null
//!       },
//!       "warnings": ["…"],                   // fix before it fails (expiry, wrong account)
//!       "notes": ["…"]                       // how far the check could see
//!     }
//!   ]
//! }
//! ```
//!
//! `field` and `line` are null for a variable that no known `*_env` setting of the platform's
//! table names. `status` is `warning` when the credentials work and `warnings` is not empty.

mod describe;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

pub use describe::describe;

use crate::clients::api::{ErrorKind, Health, Quota, SendError};
use crate::clients::http::{DEFAULT_TIMEOUT, Http};
use crate::error::Result;
use crate::platform::PlatformId;
use crate::project::Project;
use crate::schedule::Options;
use crate::strategy::{PlatformConfig, Strategy};

/// How a check is made.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The clock for what is due (tests and `--now`); `None`: the system clock.
    pub now: Option<Timestamp>,
    /// Credentials that expire within this many days are a warning.
    pub warn_days: u32,
    /// Only these platforms (empty: every enabled one).
    pub platforms: Vec<PlatformId>,
    /// Per request.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { now: None, warn_days: 14, platforms: Vec::new(), timeout: DEFAULT_TIMEOUT }
    }
}

/// What the check found, for every platform.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub now: Timestamp,
    pub warn_days: u32,
    /// False exactly when a due post would fail: the exit code is then 1.
    pub ok: bool,
    /// The platforms with a due post whose credentials would fail it.
    pub failing: Vec<PlatformId>,
    pub platforms: Vec<Check>,
    /// About the plan the due posts come from (approvals that could not be read, …).
    pub notes: Vec<String>,
    /// The accounts whose comments were not reviewed within `[interaction] supervise_every`
    /// (§4 lagen (1998:112)); read only when the inbox store exists, which doctor never
    /// creates.
    pub supervision: Vec<crate::inbox::queue::Supervision>,
}

/// One platform's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub platform: PlatformId,
    pub status: Status,
    /// Publishing here would fail now, because of the credentials or their configuration.
    pub fails: bool,
    /// Due actions on this platform at `now` (send, edit, delete, pin, unpin).
    pub due: usize,
    /// What is wrong and what to do about it; `None` when nothing is.
    pub message: Option<String>,
    pub secrets: Vec<SecretUse>,
    pub account: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub needed: Vec<String>,
    pub missing: Vec<String>,
    pub expires: Option<Timestamp>,
    pub expires_in_days: Option<i64>,
    pub quota: Option<QuotaLeft>,
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

/// How a platform stands. The names are the JSON's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The credentials work and nothing needs attention.
    Ok,
    /// The credentials work; something needs attention before it fails (see `warnings`).
    Warning,
    /// A variable strategy.toml names is not set (or empty).
    MissingSecret,
    /// The platform refused the credentials (wrong, revoked or expired).
    Invalid,
    /// The credentials work but lack a permission publishing needs.
    MissingPermission,
    /// The server could not be reached or was busy: nothing is known about the credentials.
    Unreachable,
    /// strategy.toml's table cannot build a client (no server address, a malformed secret), or
    /// the server answered something that makes no sense.
    Misconfigured,
    /// budkavle does not publish here: a person posts the rendering by hand.
    ByHand,
}

impl Status {
    /// Whether a post sent now would fail because of this.
    pub fn fails(self) -> bool {
        matches!(self, Status::MissingSecret | Status::Invalid | Status::MissingPermission | Status::Misconfigured)
    }

    /// The word the table shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::MissingSecret => "secret not set",
            Status::Invalid => "invalid",
            Status::MissingPermission => "missing permission",
            Status::Unreachable => "could not reach",
            Status::Misconfigured => "misconfigured",
            Status::ByHand => "by hand",
        }
    }
}

/// An environment variable a client read: its name and whether it held anything, never its
/// value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretUse {
    /// The strategy.toml setting that names it (`token_env`), where one does.
    pub field: Option<&'static str>,
    pub variable: String,
    /// Its line in strategy.toml.
    pub line: Option<usize>,
    pub set: bool,
}

/// A quota as the JSON shows it: the platform's count and what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaLeft {
    pub what: String,
    pub used: u64,
    pub limit: u64,
    pub remaining: u64,
    pub resets: Option<Timestamp>,
}

impl From<&Quota> for QuotaLeft {
    fn from(q: &Quota) -> QuotaLeft {
        QuotaLeft { what: q.what.clone(), used: q.used, limit: q.limit, remaining: q.remaining(), resets: q.resets }
    }
}

/// Checks every enabled platform (or those `settings.platforms` names). `env` reads the
/// secrets strategy.toml names (the process environment in the CLI); only the clients see
/// what it returns.
pub fn run(project: &Project, settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Result<Report> {
    let now = settings.now.unwrap_or_else(Timestamp::now);
    // Due is judged on the whole plan, like a publish run: narrowing the check to a platform
    // must not change what counts as due there.
    let (plan, notes) = crate::schedule::plan_at(project, now, &Options::default())?;
    let mut due: BTreeMap<PlatformId, usize> = BTreeMap::new();
    for item in plan.actions() {
        *due.entry(item.platform).or_default() += 1;
    }
    let http = Http::new(settings.timeout)?;
    let strategy = &project.strategy;
    let mut checks = Vec::new();
    for id in strategy.enabled_platforms() {
        if !settings.platforms.is_empty() && !settings.platforms.contains(&id) {
            continue;
        }
        let mut check = if strategy.publishes(id) {
            check_one(strategy, id, env, &http, now, settings.warn_days)
        } else {
            by_hand(id)
        };
        check.due = due.get(&id).copied().unwrap_or(0);
        checks.push(check);
    }
    let failing: Vec<PlatformId> = checks.iter().filter(|c| c.fails && c.due > 0).map(|c| c.platform).collect();
    let mut notes = notes;
    let supervision = supervision(project, settings, now).unwrap_or_else(|e| {
        notes.push(format!("the inbox store could not be read for the supervision check: {e}"));
        Vec::new()
    });
    Ok(Report {
        now,
        warn_days: settings.warn_days,
        ok: failing.is_empty(),
        failing,
        platforms: checks,
        notes,
        supervision,
    })
}

/// The accounts overdue for a review, from the inbox store if there is one: an organisation
/// that has not started using the inbox gets no warning and no store.
fn supervision(
    project: &Project,
    settings: &Settings,
    now: Timestamp,
) -> Result<Vec<crate::inbox::queue::Supervision>> {
    let inbox_settings = crate::inbox::Settings::of(project)?;
    if !inbox_settings.store_path(project)?.is_file() {
        return Ok(Vec::new());
    }
    let platforms: Vec<String> = project
        .strategy
        .enabled_platforms()
        .filter(|p| settings.platforms.is_empty() || settings.platforms.contains(p))
        .map(|p| p.to_string())
        .collect();
    let inbox = crate::inbox::Inbox::open(project, now)?;
    Ok(inbox.supervision(now, &platforms)?.into_iter().filter(|s| s.overdue).collect())
}

fn blank(platform: PlatformId, status: Status) -> Check {
    Check {
        platform,
        status,
        fails: status.fails(),
        due: 0,
        message: None,
        secrets: Vec::new(),
        account: None,
        scopes: None,
        needed: Vec::new(),
        missing: Vec::new(),
        expires: None,
        expires_in_days: None,
        quota: None,
        warnings: Vec::new(),
        notes: Vec::new(),
    }
}

fn by_hand(platform: PlatformId) -> Check {
    let mut check = blank(platform, Status::ByHand);
    check.message = Some(format!(
        "budkavle does not publish to {} itself: its renderings in dist/platforms/{platform}/ are posted by hand, so there are no credentials to check",
        platform.display_name()
    ));
    check
}

/// Builds the client the way `publish` does and asks it for its health. The environment is
/// wrapped so that the names the client asked for, and whether each was set, are known
/// afterwards without this module ever holding a value.
fn check_one(
    strategy: &Strategy,
    platform: PlatformId,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
    now: Timestamp,
    warn_days: u32,
) -> Check {
    let asked: RefCell<Vec<(String, bool)>> = RefCell::new(Vec::new());
    let recording = |name: &str| {
        let value = env(name);
        let set = value.as_deref().is_some_and(|v| !v.trim().is_empty());
        let mut asked = asked.borrow_mut();
        if !asked.iter().any(|(n, _)| n == name) {
            asked.push((name.to_string(), set));
        }
        value
    };
    let connected = crate::clients::connect(strategy, platform, &recording, http);
    let secrets = secret_uses(strategy, platform, &asked.into_inner());
    match connected {
        Ok(mut connection) => {
            let health = connection.health();
            judge(platform, secrets, health, now, warn_days, &strategy.timezone)
        }
        Err(e) => {
            let status = if secrets.iter().any(|s| !s.set) { Status::MissingSecret } else { Status::Misconfigured };
            let mut check = blank(platform, status);
            check.message = Some(e.to_string());
            check.secrets = secrets;
            check
        }
    }
}

/// The `*_env` settings a platform table may have, by name.
fn env_fields(config: &PlatformConfig) -> [(&'static str, Option<&toml::Spanned<String>>); 6] {
    [
        ("token_env", config.token_env.as_ref()),
        ("password_env", config.password_env.as_ref()),
        ("api_key_env", config.api_key_env.as_ref()),
        ("api_secret_env", config.api_secret_env.as_ref()),
        ("access_token_env", config.access_token_env.as_ref()),
        ("access_secret_env", config.access_secret_env.as_ref()),
    ]
}

/// The variables asked for, each with the setting and strategy.toml line that names it.
fn secret_uses(strategy: &Strategy, platform: PlatformId, asked: &[(String, bool)]) -> Vec<SecretUse> {
    let config = strategy.platforms.get(&platform);
    asked
        .iter()
        .map(|(variable, set)| {
            let named = config.and_then(|c| {
                env_fields(c).into_iter().find_map(|(field, value)| {
                    value.filter(|v| v.get_ref() == variable).map(|v| (field, v.span().start))
                })
            });
            SecretUse {
                field: named.map(|(f, _)| f),
                variable: variable.clone(),
                line: named.map(|(_, at)| crate::error::line_col(&strategy.source, at).0),
                set: *set,
            }
        })
        .collect()
}

/// Where a secret comes from, for messages: `WORLD_TOKEN (token_env, strategy.toml:14)`.
fn sources(secrets: &[SecretUse]) -> String {
    secrets
        .iter()
        .map(|s| match (s.field, s.line) {
            (Some(f), Some(l)) => format!("{} ({f}, strategy.toml:{l})", s.variable),
            _ => s.variable.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A time for a person, in the organisation's zone.
fn local(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// What a client's answer means. Pure, so every way a check can end is tested without a
/// server: the client's [`SendError`] kinds map to statuses (401 invalid, 403 missing
/// permission, transient could not reach), then a working login is held against what
/// publishing needs, the expiry and the quota.
fn judge(
    platform: PlatformId,
    secrets: Vec<SecretUse>,
    health: std::result::Result<Health, SendError>,
    now: Timestamp,
    warn_days: u32,
    tz: &TimeZone,
) -> Check {
    let name = platform.display_name();
    let from = sources(&secrets);
    let health = match health {
        Ok(h) => h,
        Err(e) => {
            let (status, message) = match &e {
                SendError::Transient { .. } => (
                    Status::Unreachable,
                    format!(
                        "could not reach {name} ({e}): this says nothing about the credentials; publish tries again on its next run"
                    ),
                ),
                SendError::Permanent { kind: ErrorKind::Auth, message } => (
                    Status::Invalid,
                    format!(
                        "{name} refused the credentials ({message}): put a current secret for the account in {from}"
                    ),
                ),
                SendError::Permanent { kind: ErrorKind::Forbidden, .. } => (Status::MissingPermission, e.to_string()),
                SendError::Permanent { .. } => (Status::Misconfigured, e.to_string()),
            };
            let mut check = blank(platform, status);
            check.message = Some(message);
            check.secrets = secrets;
            return check;
        }
    };

    let mut check = blank(platform, Status::Ok);
    check.secrets = secrets;
    check.account = health.account;
    check.scopes = health.scopes;
    check.needed = health.needed.iter().map(|n| (*n).to_string()).collect();
    check.missing = health.missing;
    check.expires = health.expires;
    check.quota = health.quota.as_ref().map(QuotaLeft::from);
    check.warnings = health.warnings;
    check.notes = health.notes;

    let mut status = Status::Ok;
    if let Some(expires) = check.expires {
        // Whole days left, rounded down: 13 days and 23 hours is 13, a warning under the default 14.
        let days = expires.duration_since(now).as_secs().div_euclid(86_400);
        check.expires_in_days = Some(days);
        if expires <= now {
            status = Status::Invalid;
            check.message = Some(format!(
                "the credentials expired at {}: renew them and put the new secret in {from}",
                local(expires, tz)
            ));
        } else if days < i64::from(warn_days) {
            let when = match days {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                d => format!("in {d} days"),
            };
            check.warnings.push(format!(
                "the credentials expire {when}, at {}: renew them before then and put the new secret in {from}",
                local(expires, tz)
            ));
        }
    }
    if status == Status::Ok && !check.missing.is_empty() {
        status = Status::MissingPermission;
        check.message = Some(format!(
            "the credentials lack {}, which publishing to {name} needs: make new ones that have {} and put them in {from}",
            check.missing.join(", "),
            check.needed.join(", ")
        ));
    }
    if let Some(q) = &check.quota
        && q.remaining == 0
    {
        let until = q.resets.map_or(String::new(), |r| format!(" until {}", local(r, tz)));
        check.warnings.push(format!("the quota of {} is used up{until}: publishing waits for it", q.what));
    }
    if status == Status::Ok && !check.warnings.is_empty() {
        status = Status::Warning;
    }
    check.status = status;
    check.fails = status.fails();
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn secret() -> Vec<SecretUse> {
        vec![SecretUse { field: Some("token_env"), variable: "TOKEN".into(), line: Some(14), set: true }]
    }

    fn judged(health: std::result::Result<Health, SendError>) -> Check {
        judge(PlatformId::Mastodon, secret(), health, now(), 14, &TimeZone::UTC)
    }

    #[test]
    fn doctor_maps_client_errors_to_statuses() {
        let invalid = judged(Err(SendError::permanent(ErrorKind::Auth, "reading: HTTP 401")));
        assert_eq!((invalid.status, invalid.fails), (Status::Invalid, true));
        let message = invalid.message.unwrap();
        assert!(message.contains("TOKEN (token_env, strategy.toml:14)") && message.contains("HTTP 401"), "{message}");

        let forbidden = judged(Err(SendError::permanent(ErrorKind::Forbidden, "HTTP 403")));
        assert_eq!((forbidden.status, forbidden.fails), (Status::MissingPermission, true));

        let busy = judged(Err(SendError::transient("reading: could not connect")));
        assert_eq!((busy.status, busy.fails), (Status::Unreachable, false), "not a failure of the credentials");
        assert!(busy.message.unwrap().contains("says nothing about the credentials"));

        let odd = judged(Err(SendError::permanent(ErrorKind::Protocol, "not JSON")));
        assert_eq!((odd.status, odd.fails), (Status::Misconfigured, true));
    }

    #[test]
    fn doctor_holds_a_working_login_against_scopes_expiry_and_quota() {
        let fine = judged(Ok(Health { needed: vec!["write:statuses"], ..Health::default() }));
        assert_eq!((fine.status, fine.fails, fine.message), (Status::Ok, false, None));

        let lacking = judged(Ok(Health {
            scopes: Some(vec!["read".into()]),
            needed: vec!["write:statuses", "write:media"],
            missing: vec!["write:media".into()],
            ..Health::default()
        }));
        assert_eq!((lacking.status, lacking.fails), (Status::MissingPermission, true));
        assert!(lacking.message.unwrap().contains("lack write:media"));

        let soon = now() + jiff::SignedDuration::from_hours(24 * 10 + 1);
        let expiring = judged(Ok(Health { expires: Some(soon), ..Health::default() }));
        assert_eq!((expiring.status, expiring.fails, expiring.expires_in_days), (Status::Warning, false, Some(10)));
        assert!(expiring.warnings[0].contains("in 10 days") && expiring.warnings[0].contains("2026-12-11"));

        let later = now() + jiff::SignedDuration::from_hours(24 * 30);
        assert_eq!(judged(Ok(Health { expires: Some(later), ..Health::default() })).status, Status::Ok);
        let past = now() - jiff::SignedDuration::from_hours(1);
        let expired = judged(Ok(Health { expires: Some(past), ..Health::default() }));
        assert_eq!((expired.status, expired.fails), (Status::Invalid, true));

        let quota = Quota { what: "posts in 24 hours".into(), used: 25, limit: 25, resets: None };
        let spent = judged(Ok(Health { quota: Some(quota), ..Health::default() }));
        assert_eq!((spent.status, spent.fails), (Status::Warning, false));
        assert_eq!(spent.quota.as_ref().map(|q| q.remaining), Some(0));
    }

    /// A client that implements no `health` of its own, answering `limits` with `answer`.
    struct Plain(std::result::Result<crate::clients::api::Limits, SendError>);

    impl crate::clients::api::Connection for Plain {
        fn platform(&self) -> PlatformId {
            PlatformId::Linkedin
        }
        fn publish(
            &mut self,
            _: &crate::clients::api::Outgoing<'_>,
        ) -> std::result::Result<crate::platform::Remote, SendError> {
            unreachable!("a check sends nothing")
        }
        fn edit(
            &mut self,
            _: &crate::platform::Remote,
            _: &crate::clients::api::Outgoing<'_>,
        ) -> std::result::Result<crate::platform::Remote, SendError> {
            unreachable!("a check edits nothing")
        }
        fn delete(&mut self, _: &crate::platform::Remote) -> std::result::Result<(), SendError> {
            unreachable!("a check deletes nothing")
        }
        fn lookup(
            &mut self,
            _: &crate::clients::api::Outgoing<'_>,
            _: Timestamp,
        ) -> std::result::Result<crate::clients::api::Lookup, SendError> {
            unreachable!("a check looks nothing up")
        }
        fn limits(&mut self) -> std::result::Result<crate::clients::api::Limits, SendError> {
            self.0.clone()
        }
    }

    #[test]
    fn doctor_gets_a_validity_check_from_clients_without_their_own_health() {
        use crate::clients::api::Connection;
        let health = Plain(Ok(Default::default())).health().unwrap();
        assert_eq!((health.scopes, health.expires, health.quota), (None, None, None), "unknown stays unknown");
        assert!(health.notes[0].contains("LinkedIn") && health.notes[0].contains("only checked"), "{:?}", health.notes);
        let refused = Plain(Err(SendError::permanent(ErrorKind::Auth, "HTTP 401"))).health();
        assert_eq!(judged(refused).status, Status::Invalid);
    }

    #[test]
    fn doctor_names_the_setting_and_line_of_each_variable() {
        let text = "[organisation]\nname = \"T\"\nurl = \"https://t.se\"\n\n[platforms.mastodon]\ninstance = \"https://s.se\"\ntoken_env = \"MY_TOKEN\"\n";
        let mut diags = crate::error::Diagnostics::default();
        let strategy = Strategy::from_str(std::path::Path::new("strategy.toml"), text, &mut diags)
            .unwrap_or_else(|| panic!("{diags:?}"));
        let uses = secret_uses(&strategy, PlatformId::Mastodon, &[("MY_TOKEN".into(), false), ("OTHER".into(), true)]);
        assert_eq!(
            uses[0],
            SecretUse { field: Some("token_env"), variable: "MY_TOKEN".into(), line: Some(7), set: false }
        );
        assert_eq!(uses[1], SecretUse { field: None, variable: "OTHER".into(), line: None, set: true });
    }
}
