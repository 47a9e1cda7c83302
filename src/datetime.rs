//! Publication times. An offset datetime is absolute; a local one is read in the organisation's
//! time zone, because that is what the person writing `date = 2026-12-01T09:00:00` means.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Disambiguation, TimeZone};

/// Resolves a TOML datetime to an instant, or says in plain words why it cannot.
pub(crate) fn resolve_datetime(dt: &toml::value::Datetime, tz: &TimeZone) -> Result<Timestamp, String> {
    let (Some(d), Some(t)) = (dt.date, dt.time) else {
        return Err(match dt.date {
            Some(d) => format!(
                "`{dt}` has no time of day; write when it should go out, e.g. {:04}-{:02}-{:02}T09:00:00",
                d.year, d.month, d.day
            ),
            None => format!("`{dt}` has no date"),
        });
    };
    let date =
        Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|_| format!("`{dt}` is not a real date"))?;
    let time = Time::new(t.hour as i8, t.minute as i8, t.second.unwrap_or(0) as i8, t.nanosecond.unwrap_or(0) as i32)
        .map_err(|_| format!("`{dt}` is not a real time of day"))?;
    let civil = DateTime::from_parts(date, time);
    match dt.offset {
        Some(toml::value::Offset::Z) => {
            civil.to_zoned_datetime(TimeZone::UTC).map(|z| z.timestamp()).map_err(|e| e.to_string())
        }
        Some(toml::value::Offset::Custom { minutes }) => {
            let offset = jiff::tz::Offset::from_seconds(i32::from(minutes) * 60).map_err(|e| e.to_string())?;
            offset.to_timestamp(civil).map_err(|e| e.to_string())
        }
        None => {
            tz.to_ambiguous_zoned_datetime(civil).disambiguate(Disambiguation::Reject).map(|z| z.timestamp()).map_err(
                |_| {
                    format!(
                        "`{dt}` does not exist or is ambiguous in {} (a daylight-saving change)",
                        tz.iana_name().unwrap_or("the organisation's time zone")
                    )
                },
            )
        }
    }
}

/// The IANA time zone `name` as `jiff::tz::db().get(name)` finds it, without building the
/// database when the name is written exactly as it is listed: building it walks all of the
/// zoneinfo directory (some 600 files, 2.7 M instructions: a fifth of a one-post `check`) to
/// look names up regardless of case. Here the one file is read from the directory the
/// database would use (`TZDIR`, else `/usr/share/zoneinfo`), found the way its walk lists it:
/// each folder a real folder listed under that exact name, not `posix/` or `right/`. A name
/// in another case of letters, one not found so, one that is not TZif, UTC (which jiff answers
/// without a file) and any other platform go to the database as before.
pub fn zone(name: &str) -> Result<TimeZone, jiff::Error> {
    match zone_file(name) {
        Some(tz) => Ok(tz),
        None => jiff::tz::db().get(name),
    }
}

#[cfg(all(unix, not(target_os = "android")))]
fn zone_file(name: &str) -> Option<TimeZone> {
    if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("etc/unknown") {
        return None;
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..") || matches!(parts[0], "posix" | "right") {
        return None;
    }
    let mut path = match std::env::var_os("TZDIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::PathBuf::from("/usr/share/zoneinfo"),
    };
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        // Listed under this exact name: a case-insensitive file system opens other cases too.
        let entry = std::fs::read_dir(&path).ok()?.flatten().find(|e| e.file_name() == std::ffi::OsStr::new(part))?;
        // The walk descends only into real folders (not links to them) and lists the rest.
        if entry.file_type().ok()?.is_dir() == last {
            return None;
        }
        path.push(part);
    }
    TimeZone::tzif(name, &std::fs::read(&path).ok()?).ok()
}

#[cfg(not(all(unix, not(target_os = "android"))))]
fn zone_file(_name: &str) -> Option<TimeZone> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> toml::value::Datetime {
        s.parse().unwrap()
    }

    #[test]
    fn local_times_use_the_organisation_zone() {
        let tz = jiff::tz::db().get("Europe/Stockholm").unwrap();
        let ts = resolve_datetime(&parse("2026-12-01T09:00:00"), &tz).unwrap();
        assert_eq!(ts.to_string(), "2026-12-01T08:00:00Z");
        let summer = resolve_datetime(&parse("2026-06-01T09:00:00"), &tz).unwrap();
        assert_eq!(summer.to_string(), "2026-06-01T07:00:00Z");
        let abs = resolve_datetime(&parse("2026-12-01T09:00:00+00:00"), &tz).unwrap();
        assert_eq!(abs.to_string(), "2026-12-01T09:00:00Z");
    }

    #[test]
    fn impossible_times_are_errors() {
        let tz = jiff::tz::db().get("Europe/Stockholm").unwrap();
        assert!(resolve_datetime(&parse("2026-03-29T02:30:00"), &tz).is_err());
        assert!(resolve_datetime(&parse("2026-12-01"), &tz).unwrap_err().contains("T09:00"));
    }

    /// The zone read from its file is the database's, and every other name is the database's
    /// answer, errors included.
    #[test]
    fn zones_are_the_databases() {
        let at: Timestamp = "2026-03-29T00:30:00Z".parse().unwrap();
        for name in [
            "Europe/Stockholm",
            "America/Argentina/Buenos_Aires",
            "Cuba",
            "EST5EDT",
            "UTC",
            "utc",
            "Etc/Unknown",
            "europe/stockholm",
            "EUROPE/STOCKHOLM",
            "posix/Europe/Stockholm",
            "Europe",
            "Europe/",
            "/Europe/Stockholm",
            "Europe//Stockholm",
            "Europe/../Europe/Stockholm",
            "zone.tab",
            "Mars/Olympus_Mons",
            "",
        ] {
            let ours = zone(name);
            let jiffs = jiff::tz::db().get(name);
            match (&ours, &jiffs) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{name}");
                    assert_eq!(a.iana_name(), b.iana_name(), "{name}");
                    for days in 0..400 {
                        let t = at + jiff::SignedDuration::from_hours(24 * days);
                        assert_eq!(a.to_offset_info(t), b.to_offset_info(t), "{name} at {t}");
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
                _ => panic!("{name}: {ours:?} but the database: {jiffs:?}"),
            }
        }
        // On this machine the usual zone is read from its file.
        if std::path::Path::new("/usr/share/zoneinfo/Europe/Stockholm").is_file() && std::env::var_os("TZDIR").is_none()
        {
            assert!(zone_file("Europe/Stockholm").is_some());
            assert!(zone_file("europe/stockholm").is_none());
        }
    }
}
