//! The `crisis` pack: a crisis post becomes a CAP 1.2 alert (issue 6), so its `[crisis]` values
//! must be ones CAP allows, its area drawable, its expiry after it goes out and its page https;
//! and an update, correction or cancellation must follow a post that goes out before it.

use std::ops::Range;

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::kind::Kind;
use crate::post::{CrisisInfo, Post};
use crate::strategy::Strategy;

pub(crate) fn rules(_strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    vec![Box::new(Fields), Box::new(Values), Box::new(AreaRule), Box::new(Expires), Box::new(Web), Box::new(Chain)]
}

/// CAP 1.2 §3.2.2 value lists, exact case.
const CATEGORIES: &[&str] =
    &["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"];
const URGENCIES: &[&str] = &["Immediate", "Expected", "Future", "Past", "Unknown"];
const SEVERITIES: &[&str] = &["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
const CERTAINTIES: &[&str] = &["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

/// The `[crisis]` table of a crisis post; other posts have none (the loader insists).
fn crisis_of<'a>(ctx: &PostCtx<'a>) -> Option<&'a CrisisInfo> {
    (ctx.post.kind == Kind::Crisis).then_some(ctx.post.crisis.as_ref()).flatten()
}

/// Where a front-matter value is written: (`key = value`, the value), as file byte ranges. The
/// deserialized front matter keeps no positions inside `[crisis]`, so the front matter is
/// parsed again, with spans for every key and value.
pub(super) fn front_value(post: &Post, path: &[&str]) -> Option<(Range<usize>, Range<usize>)> {
    let text = post.front_source();
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut found = None;
    for (i, key) in path.iter().enumerate() {
        let (k, v) = table.iter().find(|(k, _)| k.get_ref() == key)?;
        if i + 1 == path.len() {
            found = Some((k.span().start..v.span().end, v.span()));
        } else if let toml::de::DeValue::Table(t) = v.get_ref() {
            table = t;
        } else {
            return None;
        }
    }
    let (kv, value) = found?;
    let o = post.front_offset;
    Some((o + kv.start..o + kv.end, o + value.start..o + value.end))
}

/// A string value's range without its quotes, when it is a one-line string written as is.
fn inside_quotes(post: &Post, value: Range<usize>) -> Range<usize> {
    let raw = post.source.get(value.clone()).unwrap_or("");
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"')) || (raw.starts_with('\'') && raw.ends_with('\'')))
        && !raw.starts_with("\"\"\"")
        && !raw.starts_with("'''");
    if quoted { value.start + 1..value.end - 1 } else { value }
}

/// Where to report on a `[crisis]` key: its value, else the table.
fn value_range(post: &Post, path: &[&str]) -> Range<usize> {
    match front_value(post, path) {
        Some((_, value)) => inside_quotes(post, value),
        None => table_range(post),
    }
}

fn table_range(post: &Post) -> Range<usize> {
    if let Some((kv, _)) = front_value(post, &["crisis"]) {
        // A `[crisis]` header: the whole header line; an inline `crisis = { … }`: the key.
        let line_start = post.source[..kv.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = post.source[kv.start..].find('\n').map_or(post.source.len(), |i| kv.start + i);
        let line = &post.source[line_start..line_end];
        if line.trim_start().starts_with('[') {
            let start = line_start + (line.len() - line.trim_start().len());
            return start..line_start + line.trim_end().len();
        }
        return kv.start..kv.start + "crisis".len();
    }
    let o = post.front_offset;
    post.front.crisis.as_ref().map_or(o..o, |c| o + c.span().start..o + c.span().start)
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

// ---------------------------------------------------------------------------------------------

struct Fields;

impl Rule for Fields {
    fn id(&self) -> &str {
        "crisis.fields"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "A crisis post's [crisis] table without one of the CAP 1.2 fields event, category, urgency, severity, certainty and area.".into()
    }
    fn example(&self) -> String {
        "kind = \"crisis\" with [crisis] event = \"Storm\" and nothing else".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let Some(c) = crisis_of(ctx) else { return };
        let post = ctx.post;
        let missing: [(&str, bool, String); 6] = [
            ("event", blank(&c.event), "what is happening, e.g. event = \"Kokningsrekommendation\"".into()),
            ("category", blank(&c.category), format!("one of {}", CATEGORIES.join(", "))),
            ("urgency", blank(&c.urgency), format!("one of {}", URGENCIES.join(", "))),
            ("severity", blank(&c.severity), format!("one of {}", SEVERITIES.join(", "))),
            ("certainty", blank(&c.certainty), format!("one of {}", CERTAINTIES.join(", "))),
            ("area", c.area.is_none(), "where it applies, e.g. area = { description = \"Norra Exempelstad\" }".into()),
        ];
        for (key, is_missing, what) in missing {
            if is_missing {
                let at = match front_value(post, &["crisis", key]) {
                    Some((kv, _)) => kv,
                    None => table_range(post),
                };
                out.at_file(at, format!("the crisis alert needs `{key}` (CAP 1.2): {what}"));
            }
        }
        if let Some(area) = &c.area
            && area.description.trim().is_empty()
        {
            out.at_file(
                value_range(post, &["crisis", "area", "description"]),
                "the crisis area needs a description people recognise, e.g. \"Norra Exempelstad: Björkhagen och Norrby\"",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------

struct Values;

impl Rule for Values {
    fn id(&self) -> &str {
        "crisis.values"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "category, urgency, severity and certainty outside CAP 1.2's values (exact case).".into()
    }
    fn example(&self) -> String {
        "[crisis] category = \"health\"".into()
    }
    fn link(&self) -> Option<String> {
        Some("https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html".into())
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let Some(c) = crisis_of(ctx) else { return };
        let fields = [
            ("category", &c.category, CATEGORIES),
            ("urgency", &c.urgency, URGENCIES),
            ("severity", &c.severity, SEVERITIES),
            ("certainty", &c.certainty, CERTAINTIES),
        ];
        for (key, value, allowed) in fields {
            let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) else { continue };
            if allowed.contains(&value) {
                continue;
            }
            let at = value_range(ctx.post, &["crisis", key]);
            let finding =
                out.at_file(at, format!("`{value}` is not a CAP 1.2 {key}: use one of {}", allowed.join(", ")));
            if let Some(right) = allowed.iter().find(|a| a.eq_ignore_ascii_case(value.trim())) {
                finding.with_fix(*right);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

struct AreaRule;

impl Rule for AreaRule {
    fn id(&self) -> &str {
        "crisis.area"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "A CAP polygon that is not closed, has fewer than four points or impossible coordinates; a circle that is not \"lat,lon radius\".".into()
    }
    fn example(&self) -> String {
        "area = { description = \"Centrum\", polygon = \"59.3,18.0 59.4,18.1 59.3,18.2\" }".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let Some(area) = crisis_of(ctx).and_then(|c| c.area.as_ref()) else { return };
        let post = ctx.post;
        if let Some(polygon) = &area.polygon {
            let at = value_range(post, &["crisis", "area", "polygon"]);
            match check_polygon(polygon) {
                Ok(()) => {}
                Err(PolygonError::NotClosed(first)) => {
                    let fixed = format!("{} {first}", polygon.trim_end());
                    let raw_matches = post.source.get(at.clone()) == Some(polygon.as_str());
                    let f = out.at_file(
                        at,
                        format!("the polygon is not closed: CAP needs the last point to repeat the first ({first})"),
                    );
                    if raw_matches {
                        f.with_fix(fixed);
                    }
                }
                Err(PolygonError::Other(msg)) => {
                    out.at_file(at, msg);
                }
            }
        }
        if let Some(circle) = &area.circle
            && let Err(msg) = check_circle(circle)
        {
            out.at_file(value_range(post, &["crisis", "area", "circle"]), msg);
        }
    }
}

enum PolygonError {
    /// The first pair, to append.
    NotClosed(String),
    Other(String),
}

/// A CAP point: "lat,lon" in WGS 84 decimal degrees.
fn point(pair: &str) -> Result<(f64, f64), String> {
    let bad = || {
        format!(
            "`{pair}` is not a point: CAP writes \"latitude,longitude\" in decimal degrees, e.g. \"59.3185,17.9750\""
        )
    };
    let (lat, lon) = pair.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("`{pair}`: latitude {lat} is outside −90…90 (is it \"latitude,longitude\"?)"));
    }
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("`{pair}`: longitude {lon} is outside −180…180"));
    }
    Ok((lat, lon))
}

fn check_polygon(polygon: &str) -> Result<(), PolygonError> {
    let pairs: Vec<&str> = polygon.split_whitespace().collect();
    let mut points = Vec::with_capacity(pairs.len());
    for p in &pairs {
        points.push(point(p).map_err(PolygonError::Other)?);
    }
    if points.len() < 4 {
        return Err(PolygonError::Other(format!(
            "a CAP polygon needs at least four points (three corners and the first again); this has {}",
            points.len()
        )));
    }
    if points.first() != points.last() {
        return Err(PolygonError::NotClosed(pairs[0].to_string()));
    }
    Ok(())
}

fn check_circle(circle: &str) -> Result<(), String> {
    let parts: Vec<&str> = circle.split_whitespace().collect();
    let [centre, radius] = parts.as_slice() else {
        return Err(format!(
            "`{circle}` is not a CAP circle: write \"latitude,longitude radius-in-km\", e.g. \"59.3185,17.9750 2.5\""
        ));
    };
    point(centre)?;
    match radius.parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 0.0 => Ok(()),
        _ => Err(format!("`{radius}` is not a radius: write the radius in kilometres, 0 or more, e.g. 2.5")),
    }
}

// ---------------------------------------------------------------------------------------------

struct Expires;

impl Rule for Expires {
    fn id(&self) -> &str {
        "crisis.expires"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "A crisis alert that expires before (or when) it is published.".into()
    }
    fn example(&self) -> String {
        "date = 2027-01-19T07:30:00 with [crisis] expires = 2027-01-18T18:00:00".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let Some(expires) = crisis_of(ctx).and_then(|c| c.expires.as_ref()) else { return };
        let Some(date) = ctx.post.date else { return };
        let tz = &ctx.project.strategy.timezone;
        let Ok(end) = crate::datetime::resolve_datetime(expires, tz) else { return };
        if end <= date {
            let at = value_range(ctx.post, &["crisis", "expires"]);
            out.at_file(
                at,
                format!(
                    "the alert expires {} but the post goes out {}: it would be out of date when published",
                    local(end, tz),
                    local(date, tz)
                ),
            );
        }
    }
}

fn local(ts: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

// ---------------------------------------------------------------------------------------------

struct Web;

impl Rule for Web {
    fn id(&self) -> &str {
        "crisis.web"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "A crisis alert's `web` that is not a full https:// address of the authority's page.".into()
    }
    fn example(&self) -> String {
        "[crisis] web = \"http://www.exempelstad.se/vatten\"".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let Some(web) = crisis_of(ctx).and_then(|c| c.web.as_deref()) else { return };
        let w = web.trim();
        if w.len() > "https://".len()
            && w.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
            && !w.contains(' ')
        {
            return;
        }
        let at = value_range(ctx.post, &["crisis", "web"]);
        let raw_matches = ctx.post.source.get(at.clone()) == Some(web);
        if let Some(rest) = w.get(..7).filter(|s| s.eq_ignore_ascii_case("http://")).map(|_| &w[7..]) {
            let f = out
                .at_file(at, format!("`{w}` is not secure: the alert's page must be an https:// address"))
                .with_level(Level::Warning);
            if raw_matches {
                f.with_fix(format!("https://{rest}"));
            }
        } else if !w.contains("://") && !w.contains(' ') && w.contains('.') {
            let f = out.at_file(at, format!("`{w}` is not a full address: CAP needs it with https://"));
            if raw_matches {
                f.with_fix(format!("https://{w}"));
            }
        } else {
            out.at_file(
                at,
                format!("`{w}` is not an address: write the https:// address of the page about the crisis"),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------

struct Chain;

impl Rule for Chain {
    fn id(&self) -> &str {
        "crisis.chain"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "An update, correction or cancellation whose earlier post is scheduled after it, is a draft, or (for a crisis update) is not a crisis post.".into()
    }
    fn example(&self) -> String {
        "updates = \"stormvarning\" on a post dated before stormvarning".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let post = ctx.post;
        let f = &post.front;
        let relations = [("updates", &f.updates), ("corrects", &f.corrects), ("cancels", &f.cancels)];
        let Some((relation, target)) = relations.into_iter().find_map(|(n, v)| v.as_ref().map(|v| (n, v))) else {
            return;
        };
        // A missing target is a load error; nothing more to say here.
        let Some(earlier) = ctx.project.post(target.get_ref()) else { return };
        let span = target.span();
        let tz = &ctx.project.strategy.timezone;
        if earlier.draft {
            out.at_front(
                span.clone(),
                format!(
                    "the post it {relation} (`{}`) is a draft and is never published: there is nothing to reply to",
                    earlier.id
                ),
            );
        }
        if let (Some(mine), Some(theirs)) = (post.date, earlier.date)
            && theirs > mine
        {
            out.at_front(
                span.clone(),
                format!(
                    "the post it {relation} (`{}`) is scheduled after it ({} against {}): move one of the dates",
                    earlier.id,
                    local(theirs, tz),
                    local(mine, tz)
                ),
            );
        }
        if earlier.retracted.is_some() {
            out.at_front(
                span.clone(),
                format!("the post it {relation} (`{}`) is retracted: the reply would hang in the air", earlier.id),
            )
            .with_level(Level::Warning);
        }
        if post.kind == Kind::Crisis && relation != "corrects" && earlier.kind != Kind::Crisis {
            out.at_front(
                span,
                format!(
                    "a crisis post {relation} `{}`, which is not a crisis post: its CAP alert would reference an alert that does not exist",
                    earlier.id
                ),
            )
            .with_level(Level::Warning);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_and_circles() {
        assert!(check_polygon("59.1,17.9 59.2,18.0 59.0,18.1 59.1,17.9").is_ok());
        assert!(
            matches!(check_polygon("59.1,17.9 59.2,18.0 59.0,18.1 59.3,17.9"), Err(PolygonError::NotClosed(p)) if p == "59.1,17.9")
        );
        assert!(matches!(check_polygon("59.1,17.9 59.2,18.0 59.1,17.9"), Err(PolygonError::Other(_))));
        assert!(
            matches!(check_polygon("95.1,17.9 59.2,18.0 59.0,18.1 95.1,17.9"), Err(PolygonError::Other(m)) if m.contains("latitude"))
        );
        assert!(matches!(check_polygon("59.1;17.9 59.2,18.0 59.0,18.1 59.1;17.9"), Err(PolygonError::Other(_))));
        assert!(check_circle("59.1,17.9 2.5").is_ok());
        assert!(check_circle("59.1,17.9 0").is_ok());
        assert!(check_circle("59.1,17.9 -1").is_err());
        assert!(check_circle("59.1,17.9").is_err());
        assert!(check_circle("59.1,190 1").is_err());
    }

    #[test]
    fn front_values_are_found_in_tables_and_inline_tables() {
        let src = "+++\ntitle = \"T\"\nkind = \"crisis\"\n\n[crisis]\nevent = \"E\"\ncategory = \"health\"\narea = { description = \"A\", polygon = \"1,2 3,4\" }\n+++\n\nText.\n";
        let post = crate::post::tests_support::post_from_source(src);
        let (kv, v) = front_value(&post, &["crisis", "category"]).unwrap();
        assert_eq!(&src[kv], "category = \"health\"");
        assert_eq!(&src[inside_quotes(&post, v)], "health");
        let (_, v) = front_value(&post, &["crisis", "area", "polygon"]).unwrap();
        assert_eq!(&src[v], "\"1,2 3,4\"");
        assert_eq!(&src[table_range(&post)], "[crisis]");
        assert!(front_value(&post, &["crisis", "urgency"]).is_none());
    }
}
