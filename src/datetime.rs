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
}
