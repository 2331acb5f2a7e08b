//! Civil time without a date crate: epoch seconds in, `YYYY-MM-DDTHH:MM:SSZ` out.
//!
//! The generator reasons in epoch seconds (ages relative to an "as of" instant) and renders
//! ISO-8601 UTC strings, the only time format the sync writes. Algorithms are Howard Hinnant's
//! `days_from_civil` / `civil_from_days`.

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let month = month as i64;
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
pub(crate) const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = if days >= 0 { days } else { days - 146_096 } / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of epoch seconds.
pub(crate) fn iso8601(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let second_of_day = epoch_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// (year, month) of epoch seconds, for patch titles such as `2026-10 Cumulative Update`.
pub(crate) fn year_month(epoch_seconds: i64) -> (i64, u32) {
    let (year, month, _) = civil_from_days(epoch_seconds.div_euclid(86_400));
    (year, month)
}

/// Epoch seconds of a `YYYY-MM-DDTHH:MM:SSZ` string; `None` for anything else.
pub(crate) fn parse_iso8601(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' || bytes[19] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let year = number(0..4)?;
    let month = u32::try_from(number(5..7)?).ok()?;
    let day = u32::try_from(number(8..10)?).ok()?;
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

pub(crate) const DAY: i64 = 86_400;
pub(crate) const HOUR: i64 = 3_600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_793_491_200), "2026-11-01T00:00:00Z");
        assert_eq!(parse_iso8601("2026-11-01T00:00:00Z"), Some(1_793_491_200));
        assert_eq!(year_month(1_793_491_200), (2026, 11));
    }

    #[test]
    fn round_trips_and_rejects() {
        for seconds in [0, 59, 86_399, 1_000_000_007, 1_793_491_199, 4_102_444_800] {
            assert_eq!(parse_iso8601(&iso8601(seconds)), Some(seconds));
        }
        for bad in [
            "",
            "2026-11-01",
            "2026-11-01 00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-01T00:00:00+01:00",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }
}
