//! The inbox as public records: an export for a records request (begäran om allmän
//! handling), and gallring under the organisation's retention decision.
//!
//! An export holds every item with a version written in the period, all its versions and its
//! action log, with third parties' identity numbers (personnummer, samordningsnummer) masked:
//! they are secret in a disclosure and the registrar should not have to find them by hand.
//! Everything else a citizen wrote on a public account is the record as received; the
//! registrar still makes the secrecy assessment (OSL) before handing it out.
//!
//! `weed` deletes items whose last version is older than `[interaction] keep`, except those on
//! legal hold, and logs how many it deleted. Without `keep` it deletes nothing: deleting
//! public records needs a gallring decision, and the default is to keep.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::params;
use serde::Serialize;

use super::actions::Action;
use super::{Inbox, Label, ts_text};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Html,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordItem {
    pub key: i64,
    pub platform: String,
    pub id: String,
    pub status: String,
    pub hold: bool,
    pub kinds: Vec<Label>,
    pub versions: Vec<RecordVersion>,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordVersion {
    pub n: i64,
    pub author: String,
    pub at: String,
    pub text: String,
    pub in_reply_to: Option<String>,
    pub url: Option<String>,
    pub deleted: bool,
    pub received: String,
    pub source: String,
}

/// What `weed` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Weeded {
    pub deleted: usize,
    pub kept_on_hold: usize,
}

impl Inbox {
    /// The items with a version written from `from` to `to` (whole days, both included, in the
    /// organisation's time zone), identity numbers masked.
    pub fn records(&self, from: Date, to: Date) -> Result<Vec<RecordItem>> {
        if to < from {
            return Err(Error::Usage(format!("--to {to} is before --from {from}")));
        }
        let tz = &self.settings.timezone;
        let start = from.to_zoned_datetime(tz.clone()).map_err(|e| Error::Usage(e.to_string()))?.timestamp();
        let end = to
            .tomorrow()
            .and_then(|d| d.to_zoned_datetime(tz.clone()))
            .map_err(|e| Error::Usage(e.to_string()))?
            .timestamp();
        self.load(
            "key IN (SELECT DISTINCT item FROM versions WHERE at >= ?1 AND at < ?2)",
            params![ts_text(start), ts_text(end)],
        )
    }

    /// One item with all its versions and actions, identity numbers masked.
    pub fn record(&self, key: i64) -> Result<RecordItem> {
        let mut found = self.load("key = ?1", params![key])?;
        found.pop().ok_or_else(|| Error::Usage(format!("no item {key} in the inbox")))
    }

    fn load(&self, condition: &str, args: impl rusqlite::Params) -> Result<Vec<RecordItem>> {
        let sql = |e| self.sql(e);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT key, platform, remote_id, status, hold, kinds FROM items WHERE {condition} ORDER BY first_at, key"
            ))
            .map_err(sql)?;
        let mut items = stmt
            .query_map(args, |r| {
                let kinds: String = r.get(5)?;
                Ok(RecordItem {
                    key: r.get(0)?,
                    platform: r.get(1)?,
                    id: r.get(2)?,
                    status: r.get(3)?,
                    hold: r.get(4)?,
                    kinds: serde_json::from_str(&kinds).unwrap_or_default(),
                    versions: Vec::new(),
                    actions: Vec::new(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql)?;
        let mut versions = self
            .conn
            .prepare(
                "SELECT n, author, at, text, in_reply_to, url, deleted, received, source FROM versions WHERE item = ?1 ORDER BY n",
            )
            .map_err(sql)?;
        let triage = self.triage()?;
        for item in &mut items {
            item.versions = versions
                .query_map([item.key], |r| {
                    Ok(RecordVersion {
                        n: r.get(0)?,
                        author: r.get(1)?,
                        at: r.get(2)?,
                        text: r.get(3)?,
                        in_reply_to: r.get(4)?,
                        url: r.get(5)?,
                        deleted: r.get(6)?,
                        received: r.get(7)?,
                        source: r.get(8)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sql)?;
            for v in &mut item.versions {
                v.text = triage.mask_identity_numbers(&v.text);
                v.author = triage.mask_identity_numbers(&v.author);
            }
            item.actions = self.history(item.key)?;
            for a in &mut item.actions {
                a.note = a.note.as_deref().map(|n| triage.mask_identity_numbers(n));
            }
        }
        Ok(items)
    }

    /// Deletes what `[interaction] keep` no longer keeps; logs the count. `None` when the
    /// strategy sets no retention.
    pub fn weed(&mut self, by: &str, now: Timestamp) -> Result<Option<Weeded>> {
        let Some(keep) = self.settings.keep else { return Ok(None) };
        let cutoff = now
            .to_zoned_datetime(self.settings.timezone.clone())
            .checked_sub(keep)
            .map_err(|e| Error::Usage(format!("keep = {keep}: {e}")))?
            .timestamp();
        let cutoff_text = ts_text(cutoff);
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        let old = "SELECT item FROM versions GROUP BY item HAVING max(at) < ?1";
        let kept: i64 = tx
            .query_row(&format!("SELECT count(*) FROM items WHERE hold = 1 AND key IN ({old})"), [&cutoff_text], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS weed (key INTEGER PRIMARY KEY); DELETE FROM weed;")
            .map_err(sql)?;
        let deleted = tx
            .execute(
                &format!("INSERT INTO weed SELECT key FROM items WHERE hold = 0 AND key IN ({old})"),
                [&cutoff_text],
            )
            .map_err(sql)?;
        tx.execute_batch(
            "DELETE FROM versions WHERE item IN (SELECT key FROM weed);
             DELETE FROM actions WHERE item IN (SELECT key FROM weed);
             DELETE FROM sends WHERE item IN (SELECT key FROM weed);
             DELETE FROM items WHERE key IN (SELECT key FROM weed);
             DELETE FROM weed;",
        )
        .map_err(sql)?;
        let note = format!(
            "keep = {keep}: deleted {deleted} items last written before {cutoff_text}; {kept} older items kept on legal hold"
        );
        super::actions::log_in(&tx, None, None, "weed", by, now, Some(&note)).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(Some(Weeded { deleted, kept_on_hold: kept as usize }))
    }
}

/// The records as CSV, one row a version, for a spreadsheet. A cell that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`: citizens wrote these texts.
pub fn csv(items: &[RecordItem]) -> String {
    let mut out =
        String::from("item,platform,id,version,author,at,text,in_reply_to,url,deleted,status,kinds,actions\n");
    for item in items {
        let kinds: Vec<&str> = item.kinds.iter().map(|l| l.kind.name()).collect();
        let actions: Vec<String> = item
            .actions
            .iter()
            .map(|a| format!("{} {} by {}: {}", a.at, a.action, a.by, a.note.as_deref().unwrap_or("")))
            .collect();
        for v in &item.versions {
            let cells = [
                item.key.to_string(),
                item.platform.clone(),
                item.id.clone(),
                v.n.to_string(),
                v.author.clone(),
                v.at.clone(),
                v.text.clone(),
                v.in_reply_to.clone().unwrap_or_default(),
                v.url.clone().unwrap_or_default(),
                v.deleted.to_string(),
                item.status.clone(),
                kinds.join(" "),
                actions.join("; "),
            ];
            let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

fn csv_cell(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// The records as one self-contained HTML page, to print or hand over.
pub fn html(items: &[RecordItem], organisation: &str, from: Date, to: Date) -> String {
    use crate::escape::html as e;
    let mut out = format!(
        "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>Inkomna meddelanden {from} – {to}, {org}</title>\n<style>body{{font-family:sans-serif;margin:2rem}}table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #999;padding:.3rem;text-align:left;vertical-align:top}}</style></head>\n<body>\n<h1>Inkomna meddelanden {from} – {to}</h1>\n<p>{org}. {n} ärenden. Personnummer och samordningsnummer är maskerade.</p>\n",
        org = e(organisation),
        n = items.len()
    );
    for item in items {
        out.push_str(&format!(
            "<h2>Ärende {} ({}:{})</h2>\n<table>\n<tr><th scope=\"col\">Version</th><th scope=\"col\">Skrivet</th><th scope=\"col\">Av</th><th scope=\"col\">Text</th></tr>\n",
            item.key,
            e(&item.platform),
            e(&item.id)
        ));
        for v in &item.versions {
            let text = if v.deleted { format!("(raderat av författaren) {}", e(&v.text)) } else { e(&v.text) };
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                v.n,
                e(&v.at),
                e(&v.author),
                text
            ));
        }
        out.push_str("</table>\n");
        if !item.actions.is_empty() {
            out.push_str("<ul>\n");
            for a in &item.actions {
                out.push_str(&format!(
                    "<li>{} {} ({}): {}</li>\n",
                    e(&a.at),
                    e(&a.action),
                    e(&a.by),
                    e(a.note.as_deref().unwrap_or(""))
                ));
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}
