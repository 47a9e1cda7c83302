//! `[interaction]` of strategy.toml as the inbox uses it, validated once with every problem at
//! its line: the office hours, the durations, the retention, the store's place.

use std::path::{Component, Path, PathBuf};

use jiff::tz::TimeZone;
use toml::Spanned;

use super::office::{OfficeHours, WorkDuration};
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::project::Project;

/// Environment variable that puts the store elsewhere than `[interaction] store` says: a
/// test's temporary folder, or a server's data volume.
pub const STORE_ENV: &str = "BUDKAVLE_INBOX_STORE";

/// The store's file name in its folder.
pub const STORE_FILE: &str = "inbox.sqlite3";

#[derive(Debug, Clone)]
pub struct Settings {
    pub(crate) response_time: WorkDuration,
    pub(crate) office_hours: OfficeHours,
    pub(crate) supervise_every: WorkDuration,
    /// How long items are kept; `None`: forever (no gallring decision).
    pub keep: Option<jiff::Span>,
    pub timezone: TimeZone,
    /// What the strategy says about the store, before the environment is asked.
    pub(crate) store: StoreSetting,
    /// `[interaction.templates]`: the ready answers, by name.
    pub templates: std::collections::BTreeMap<String, String>,
    /// Written by everything the derived columns (kinds, due) depend on: when it changes, the
    /// store re-triages and re-times every item.
    pub(crate) fingerprint: String,
}

#[derive(Debug, Clone)]
pub(crate) enum StoreSetting {
    Default,
    Configured(PathBuf),
}

/// One working day: the promise when the strategy makes none, and the default supervision.
const ONE_DAY: WorkDuration = WorkDuration { days: 1, seconds: 0 };

impl Settings {
    /// The inbox settings of `project`, or every problem with them at its line of strategy.toml.
    pub fn of(project: &Project) -> Result<Settings> {
        let strategy = &project.strategy;
        let file = Path::new(crate::strategy::FILE_NAME);
        let text = strategy.source.as_str();
        let i = &strategy.file.interaction;
        let mut diags = Diagnostics::default();
        let at = |s: &Spanned<String>, (msg, hint): (String, String)| {
            Diagnostic::at(file, text, s.span().start, 1, msg).hint(hint)
        };
        let mut duration = |value: &Option<Spanned<String>>, key: &str| match value {
            None => ONE_DAY,
            Some(v) => WorkDuration::parse(v.get_ref()).unwrap_or_else(|e| {
                diags.push(at(v, (format!("`{key}`: {}", e.0), e.1)));
                ONE_DAY
            }),
        };
        let response_time = duration(&i.response_time, "response_time");
        let supervise_every = duration(&i.supervise_every, "supervise_every");
        let office_hours = match &i.office_hours {
            None => OfficeHours::default(),
            Some(v) => OfficeHours::parse(v.get_ref()).unwrap_or_else(|e| {
                diags.push(at(v, (format!("`office_hours`: {}", e.0), e.1)));
                OfficeHours::default()
            }),
        };
        let keep = i.keep.as_ref().and_then(|v| match parse_keep(v.get_ref()) {
            Some(span) => Some(span),
            None => {
                diags.push(at(
                    v,
                    (
                        format!("`keep`: `{}` is not a retention period", v.get_ref()),
                        "write how long items are kept under the gallring decision, e.g. \"2y\", \"18mo\" or \"90d\"; leave keep out to keep everything".into(),
                    ),
                ));
                None
            }
        });
        let store = match &i.store {
            None => StoreSetting::Default,
            Some(v) => {
                let path = expand(v.get_ref(), &project.root);
                if let Err(why) = refuse_inside(&path, &project.root) {
                    diags.push(at(v, (
                        format!("`store` {why}: citizens' messages must never be in the content repository"),
                        "put the store outside the repository, e.g. store = \"~/.local/share/budkavle/inbox.sqlite3\", or leave `store` out for the user's data directory".into(),
                    )));
                }
                StoreSetting::Configured(path)
            }
        };
        let mut templates = std::collections::BTreeMap::new();
        for (name, text) in &i.templates {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                diags.push(at(
                    text,
                    (
                        format!("template name `{name}` is not a simple name"),
                        format!("use lower-case a-z, digits and `-`, e.g. {} = \"…\"", crate::id::slugify(name)),
                    ),
                ));
            } else if text.get_ref().trim().is_empty() {
                diags.push(at(
                    text,
                    (
                        format!("template `{name}` is empty"),
                        "write the answer the template sends, or remove the line".into(),
                    ),
                ));
            } else {
                templates.insert(name.clone(), text.get_ref().trim().to_string());
            }
        }
        let fingerprint = format!(
            "v1|{}|{}|{}|{:?}",
            i.response_time.as_ref().map_or("", |v| v.get_ref()),
            i.office_hours.as_ref().map_or("", |v| v.get_ref()),
            strategy.timezone.iana_name().unwrap_or(""),
            (
                &i.rules.iter().map(|r| (r.id.get_ref(), r.kind.get_ref())).collect::<Vec<_>>(),
                hash_rules(strategy),
                &strategy.file.voice.allow,
                &strategy.organisation().phone,
                &strategy.organisation().url,
                env!("CARGO_PKG_VERSION"),
            ),
        );
        diags.into_result(Settings {
            response_time,
            office_hours,
            supervise_every,
            templates,
            keep,
            timezone: strategy.timezone.clone(),
            store,
            fingerprint,
        })
    }

    /// Where the store is: `$BUDKAVLE_INBOX_STORE`, else `[interaction] store`, else
    /// `<data dir>/budkavle/<organisation>/inbox.sqlite3` (`$XDG_DATA_HOME` or
    /// `~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
    /// Windows, as the `dirs` crate knows them). Never inside the repository.
    pub fn store_path(&self, project: &Project) -> Result<PathBuf> {
        if let Some(v) = std::env::var_os(STORE_ENV).filter(|v| !v.is_empty()) {
            let path = expand(&v.to_string_lossy(), &project.root);
            refuse_inside(&path, &project.root).map_err(|why| {
                Error::Usage(format!(
                    "{STORE_ENV}={} {why}: citizens' messages must never be in the content repository; point it outside",
                    path.display()
                ))
            })?;
            return Ok(path);
        }
        match &self.store {
            StoreSetting::Configured(p) => Ok(p.clone()),
            StoreSetting::Default => {
                let base = dirs::data_dir().ok_or_else(|| {
                    Error::Usage(format!(
                        "no data directory is known for this user (no $HOME?): set [interaction] store in strategy.toml or {STORE_ENV}"
                    ))
                })?;
                let slug = crate::id::slugify(&project.strategy.organisation().name);
                let path =
                    base.join("budkavle").join(if slug.is_empty() { "inbox".into() } else { slug }).join(STORE_FILE);
                refuse_inside(&path, &project.root).map_err(|why| {
                    Error::Usage(format!(
                        "the default store {} {why}: set [interaction] store or {STORE_ENV} to a place outside the repository",
                        path.display()
                    ))
                })?;
                Ok(path)
            }
        }
    }
}

/// The organisation's rules as written, so a changed token re-triages the store.
fn hash_rules(strategy: &crate::strategy::Strategy) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for r in &strategy.file.interaction.rules {
        for list in [&r.tokens, &r.patterns, &r.unless] {
            for t in list {
                h.update(t.get_ref().as_bytes());
                h.update([0]);
            }
            h.update([1]);
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_keep(text: &str) -> Option<jiff::Span> {
    let span: jiff::Span = text.trim().parse().ok()?;
    (span.is_positive() && span.get_hours() == 0 && span.get_minutes() == 0 && span.get_seconds() == 0).then_some(span)
}

/// `~/x` in the home folder; a relative path from the repository root.
fn expand(written: &str, root: &Path) -> PathBuf {
    let path = match written.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().map_or_else(|| PathBuf::from(written), |h| h.join(rest)),
        None => PathBuf::from(written),
    };
    if path.is_absolute() { path } else { root.join(path) }
}

/// Refuses a store in the content repository (its folder, or the git work tree it is in),
/// wherever symbolic links and `..` lead.
pub(crate) fn refuse_inside(store: &Path, root: &Path) -> std::result::Result<(), String> {
    let store = resolved(store);
    let mut roots = vec![resolved(root)];
    if let Ok(repo) = git2::Repository::discover(root)
        && let Some(work) = repo.workdir()
    {
        roots.push(resolved(work));
    }
    match roots.iter().find(|r| store.starts_with(r)) {
        Some(r) => Err(format!("is inside the repository ({})", r.display())),
        None => Ok(()),
    }
}

/// The absolute path with `.` and `..` taken away and the longest existing prefix
/// canonicalised (the store itself may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    let abs =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut clean = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}
