//! Swedish public holidays, computed for any year rather than listed per year, so the response
//! times of next year and of 2040 are right without anyone updating a table.
//!
//! The public holidays (allmänna helgdagar) are those of lagen (1989:253) om allmänna
//! helgdagar: nyårsdagen, trettondedag jul, långfredagen, påskdagen, annandag påsk, Kristi
//! himmelsfärds dag, första maj, nationaldagen, pingstdagen, midsommardagen, alla helgons dag,
//! juldagen and annandag jul. Easter is computed by the Gregorian computus; the movable days
//! follow from it (långfredagen −2, annandag påsk +1, Kristi himmelsfärds dag +39, pingstdagen
//! +49) or by rule (midsommardagen: the Saturday 20–26 June; alla helgons dag: the Saturday
//! 31 October–6 November).
//!
//! Three eves count as non-working too: **midsommarafton, julafton and nyårsafton**. They are
//! not public holidays in law, but the law that counts statutory deadlines (lagen (1930:173) om
//! beräkning av lagstadgad tid) and semesterlagen treat them like a Sunday, and the municipal
//! collective agreements give them off; nobody answers the inbox then. Påskafton is always a
//! Saturday. The other eves (trettondagsafton, skärtorsdagen, valborgsmässoafton, alla helgons
//! afton) are shortened days at most, and count as working days.

use jiff::civil::{Date, Weekday};

/// Why `date` is not a working day in Sweden, or `None` when it is one.
#[cfg(test)]
pub(crate) fn non_working(date: Date) -> Option<&'static str> {
    if let Some(name) = holiday(date) {
        return Some(name);
    }
    match date.weekday() {
        Weekday::Saturday => Some("lördag"),
        Weekday::Sunday => Some("söndag"),
        _ => None,
    }
}

/// The name of the public holiday or non-working eve on `date`, if any.
pub(crate) fn holiday(date: Date) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let fixed = match (m, d) {
        (1, 1) => Some("nyårsdagen"),
        (1, 6) => Some("trettondedag jul"),
        (5, 1) => Some("första maj"),
        (6, 6) => Some("Sveriges nationaldag"),
        (12, 24) => Some("julafton"),
        (12, 25) => Some("juldagen"),
        (12, 26) => Some("annandag jul"),
        (12, 31) => Some("nyårsafton"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let weekday = date.weekday();
    if m == 6 && (19..=25).contains(&d) && weekday == Weekday::Friday {
        return Some("midsommarafton");
    }
    if m == 6 && (20..=26).contains(&d) && weekday == Weekday::Saturday {
        return Some("midsommardagen");
    }
    if ((m == 10 && d == 31) || (m == 11 && d <= 6)) && weekday == Weekday::Saturday {
        return Some("alla helgons dag");
    }
    let easter = easter_sunday(y)?;
    let offset = easter.until(date).ok()?.get_days();
    match offset {
        -2 => Some("långfredagen"),
        0 => Some("påskdagen"),
        1 => Some("annandag påsk"),
        39 => Some("Kristi himmelsfärds dag"),
        49 => Some("pingstdagen"),
        _ => None,
    }
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
pub(crate) fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_against_known_dates() {
        // Svenska kyrkans almanacka / any almanac.
        for (y, m, d) in [
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn movable_holidays_of_several_years() {
        // 2025: långfredag 18/4, annandag påsk 21/4, Kristi himmelsfärd 29/5, midsommarafton
        // 20/6, midsommardagen 21/6, alla helgons dag 1/11.
        assert_eq!(holiday(date(2025, 4, 18)), Some("långfredagen"));
        assert_eq!(holiday(date(2025, 4, 21)), Some("annandag påsk"));
        assert_eq!(holiday(date(2025, 5, 29)), Some("Kristi himmelsfärds dag"));
        assert_eq!(holiday(date(2025, 6, 20)), Some("midsommarafton"));
        assert_eq!(holiday(date(2025, 6, 21)), Some("midsommardagen"));
        assert_eq!(holiday(date(2025, 11, 1)), Some("alla helgons dag"));
        // 2026: långfredag 3/4, annandag påsk 6/4, Kristi himmelsfärd 14/5, midsommarafton
        // 19/6, alla helgons dag 31/10.
        assert_eq!(holiday(date(2026, 4, 3)), Some("långfredagen"));
        assert_eq!(holiday(date(2026, 4, 6)), Some("annandag påsk"));
        assert_eq!(holiday(date(2026, 5, 14)), Some("Kristi himmelsfärds dag"));
        assert_eq!(holiday(date(2026, 6, 19)), Some("midsommarafton"));
        assert_eq!(holiday(date(2026, 10, 31)), Some("alla helgons dag"));
        // 2027: långfredag 26/3, annandag påsk 29/3, Kristi himmelsfärd 6/5, midsommarafton
        // 25/6, alla helgons dag 6/11.
        assert_eq!(holiday(date(2027, 3, 26)), Some("långfredagen"));
        assert_eq!(holiday(date(2027, 3, 29)), Some("annandag påsk"));
        assert_eq!(holiday(date(2027, 5, 6)), Some("Kristi himmelsfärds dag"));
        assert_eq!(holiday(date(2027, 6, 25)), Some("midsommarafton"));
        assert_eq!(holiday(date(2027, 11, 6)), Some("alla helgons dag"));
        // 2024: påsk 31/3, so långfredag 29/3 and annandag påsk 1/4.
        assert_eq!(holiday(date(2024, 3, 29)), Some("långfredagen"));
        assert_eq!(holiday(date(2024, 4, 1)), Some("annandag påsk"));
    }

    #[test]
    fn fixed_days_eves_and_ordinary_days() {
        for (m, d) in [(1, 1), (1, 6), (5, 1), (6, 6), (12, 24), (12, 25), (12, 26), (12, 31)] {
            assert!(holiday(date(2030, m, d)).is_some(), "{m}-{d}");
        }
        // Shortened days at most: working days.
        assert_eq!(non_working(date(2026, 1, 5)), None); // trettondagsafton, a Monday
        assert_eq!(non_working(date(2026, 4, 2)), None); // skärtorsdagen
        assert_eq!(non_working(date(2026, 4, 30)), None); // valborgsmässoafton, a Thursday
        assert_eq!(non_working(date(2026, 12, 23)), None);
        assert_eq!(non_working(date(2026, 12, 5)), Some("lördag"));
        assert_eq!(non_working(date(2026, 12, 6)), Some("söndag"));
        // Midsommar is not the 24th unless that is the Friday.
        assert_eq!(holiday(date(2026, 6, 24)), None);
    }
}
