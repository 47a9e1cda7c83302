//! The CAP 1.2 alert message as data: every element of the OASIS schema, in schema order, with
//! the specification's value lists as enums. Building ([`super::build`]), writing
//! ([`super::write`]) and reading ([`super::read`]) all go through these types, so an alert read
//! from XML and written back carries the same elements and values.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

/// The XML namespace of CAP 1.2.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// The namespace of XML Signature elements, the only foreign elements `<alert>` may end with.
pub const XMLDSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";

/// `<alert>`: one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Unique per sender; [`is_token`] (section 3.2.1: no spaces, commas, `<` or `&`).
    pub identifier: String,
    /// Globally unique for the originator; [`is_token`].
    pub sender: String,
    pub sent: CapTime,
    pub status: Status,
    pub msg_type: MsgType,
    pub source: Option<String>,
    pub scope: Scope,
    pub restriction: Option<String>,
    pub addresses: Option<String>,
    pub codes: Vec<String>,
    pub note: Option<String>,
    /// The earlier messages this one updates or cancels.
    pub references: Vec<Reference>,
    pub incidents: Option<String>,
    pub infos: Vec<Info>,
    /// `<Signature>` elements of XML Signature, as written in the document they were read from.
    /// They sign the alert's exact bytes, so one survives only a copy that changes nothing.
    pub signatures: Vec<String>,
}

/// One entry of `<references>`: `sender,identifier,sent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub sender: String,
    pub identifier: String,
    pub sent: CapTime,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.sender, self.identifier, self.sent)
    }
}

/// `<info>`: the event in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// RFC 3066 language tag; absent means `en-US`.
    pub language: Option<String>,
    /// At least one.
    pub categories: Vec<Category>,
    pub event: String,
    pub response_types: Vec<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub audience: Option<String>,
    pub event_codes: Vec<NamedValue>,
    pub effective: Option<CapTime>,
    pub onset: Option<CapTime>,
    pub expires: Option<CapTime>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub web: Option<String>,
    pub contact: Option<String>,
    pub parameters: Vec<NamedValue>,
    pub resources: Vec<Resource>,
    pub areas: Vec<Area>,
}

/// `<eventCode>`, `<parameter>`, `<geocode>`: a `valueName` and its `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedValue {
    pub value_name: String,
    pub value: String,
}

/// `<resource>`: a file with more about the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub resource_desc: String,
    pub mime_type: String,
    /// Bytes.
    pub size: Option<u64>,
    pub uri: Option<String>,
    pub deref_uri: Option<String>,
    /// SHA-1 of the file, hex.
    pub digest: Option<String>,
}

/// `<area>`: where the event applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub area_desc: String,
    /// Each "lat,lon lat,lon …", first pair equal to the last (WGS 84).
    pub polygons: Vec<String>,
    /// Each "lat,lon radius" (radius in km).
    pub circles: Vec<String>,
    pub geocodes: Vec<NamedValue>,
    /// Feet above sea level, as written (an `xs:decimal`).
    pub altitude: Option<String>,
    pub ceiling: Option<String>,
}

/// A CAP date and time: `YYYY-MM-DDThh:mm:ss±hh:mm` (section 3.3.2). Whole seconds, and always a
/// numeric offset: never `Z`; UTC is written `-00:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapTime {
    /// The local clock time at `offset`.
    pub datetime: DateTime,
    pub offset: Offset,
}

impl CapTime {
    /// `at` as the clocks of `tz` showed it, to the second.
    pub fn in_zone(at: Timestamp, tz: &TimeZone) -> CapTime {
        let offset = tz.to_offset(at);
        let whole = Timestamp::from_second(at.as_second()).unwrap_or(at);
        CapTime { datetime: offset.to_datetime(whole), offset }
    }

    pub fn timestamp(&self) -> Timestamp {
        self.offset.to_timestamp(self.datetime).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Parses the section 3.3.2 form, and nothing looser: a `Z`, fractional seconds or a
    /// missing offset are errors, as the schema's pattern has it.
    pub fn parse(s: &str) -> Result<CapTime, String> {
        let b = s.as_bytes();
        let shape = b.len() == 25
            && b.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                10 => c == b'T',
                13 | 16 | 22 => c == b':',
                19 => c == b'+' || c == b'-',
                _ => c.is_ascii_digit(),
            });
        if !shape {
            return Err(format!("`{s}` is not a CAP time: write YYYY-MM-DDThh:mm:ss±hh:mm (never Z)"));
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<i32>().unwrap_or(0);
        let datetime = DateTime::new(
            num(0..4) as i16,
            num(5..7) as i8,
            num(8..10) as i8,
            num(11..13) as i8,
            num(14..16) as i8,
            num(17..19) as i8,
            0,
        )
        .map_err(|e| format!("`{s}` is not a real date and time: {e}"))?;
        let minutes = num(20..22) * 60 + num(23..25);
        let sign = if b[19] == b'-' { -1 } else { 1 };
        let offset = Offset::from_seconds(sign * minutes * 60).map_err(|e| format!("`{s}`: {e}"))?;
        Ok(CapTime { datetime, offset })
    }
}

impl fmt::Display for CapTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.datetime;
        let secs = self.offset.seconds();
        // Section 3.3.2: "The timezone for UTC MUST be represented as -00:00".
        let sign = if secs > 0 { '+' } else { '-' };
        let minutes = secs.unsigned_abs() / 60;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            minutes / 60,
            minutes % 60
        )
    }
}

/// Whether `s` may be an `identifier` or `sender` (section 3.2.1): not empty, and no whitespace,
/// commas or the restricted characters `<` and `&`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
}

/// An enum of the specification's value list for one element, with its exact spelling.
macro_rules! cap_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in the specification's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value written exactly as the specification spells it.
            pub fn parse(s: &str) -> Result<$name, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "`{other}` is not a CAP {}; use one of {}",
                        stringify!($name),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

cap_enum!(
    /// `<status>`: how the message is meant.
    Status { Actual = "Actual", Exercise = "Exercise", System = "System", Test = "Test", Draft = "Draft" }
);
cap_enum!(
    /// `<msgType>`.
    MsgType { Alert = "Alert", Update = "Update", Cancel = "Cancel", Ack = "Ack", Error = "Error" }
);
cap_enum!(
    /// `<scope>`: who may see it.
    Scope { Public = "Public", Restricted = "Restricted", Private = "Private" }
);
cap_enum!(
    /// `<category>`.
    Category {
        Geo = "Geo",
        Met = "Met",
        Safety = "Safety",
        Security = "Security",
        Rescue = "Rescue",
        Fire = "Fire",
        Health = "Health",
        Env = "Env",
        Transport = "Transport",
        Infra = "Infra",
        Cbrne = "CBRNE",
        Other = "Other",
    }
);
cap_enum!(
    /// `<responseType>`: what the audience should do.
    ResponseType {
        Shelter = "Shelter",
        Evacuate = "Evacuate",
        Prepare = "Prepare",
        Execute = "Execute",
        Avoid = "Avoid",
        Monitor = "Monitor",
        Assess = "Assess",
        AllClear = "AllClear",
        None = "None",
    }
);
cap_enum!(
    /// `<urgency>`.
    Urgency { Immediate = "Immediate", Expected = "Expected", Future = "Future", Past = "Past", Unknown = "Unknown" }
);
cap_enum!(
    /// `<severity>`.
    Severity { Extreme = "Extreme", Severe = "Severe", Moderate = "Moderate", Minor = "Minor", Unknown = "Unknown" }
);
cap_enum!(
    /// `<certainty>`.
    Certainty { Observed = "Observed", Likely = "Likely", Possible = "Possible", Unlikely = "Unlikely", Unknown = "Unknown" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_their_offset_and_never_say_z() {
        let t = CapTime::parse("2003-06-11T20:56:00-07:00").unwrap();
        assert_eq!(t.to_string(), "2003-06-11T20:56:00-07:00");
        assert_eq!(t.timestamp().to_string(), "2003-06-12T03:56:00Z");
        let utc = CapTime::in_zone("2027-01-19T06:30:00.5Z".parse().unwrap(), &TimeZone::UTC);
        assert_eq!(utc.to_string(), "2027-01-19T06:30:00-00:00");
        let sthlm = jiff::tz::db().get("Europe/Stockholm").unwrap();
        let summer = CapTime::in_zone("2027-06-01T07:00:00Z".parse().unwrap(), &sthlm);
        assert_eq!(summer.to_string(), "2027-06-01T09:00:00+02:00");
        for bad in [
            "2003-06-11T20:56:00Z",
            "2003-06-11T20:56:00.1-07:00",
            "2003-06-11 20:56:00-07:00",
            "2003-02-30T00:00:00+01:00",
        ] {
            assert!(CapTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_follow_section_3() {
        assert!(is_token("exempelstad.se.2027-01-a") && is_token("KARO@CLETS.DOJ.CA.GOV"));
        for bad in ["", "a b", "a,b", "a<b", "a&b", "a\tb"] {
            assert!(!is_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn enums_spell_values_as_the_specification() {
        assert_eq!(Category::parse("CBRNE"), Ok(Category::Cbrne));
        assert_eq!(ResponseType::AllClear.to_string(), "AllClear");
        assert!(Urgency::parse("immediate").unwrap_err().contains("Immediate, Expected"));
        assert_eq!(Status::ALL.len(), 5);
    }
}
