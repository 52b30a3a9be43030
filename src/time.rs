//! Calendar time in the user's timezone: "today", "this month" and the local day of an instant
//! (API.md: computed in `users.timezone`), and parsing of API date/time inputs.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::clock::ms_to_datetime;
use crate::error::{Code, Error, Result};

/// A user's timezone (falls back to UTC for an unknown stored name).
pub fn tz(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The local calendar day of an instant (epoch ms) in `tz`.
pub fn local_date(ms: i64, tz: Tz) -> NaiveDate {
    ms_to_datetime(ms).with_timezone(&tz).date_naive()
}

/// The instant (epoch ms) at which a local day starts in `tz` (the earliest valid local time).
pub fn day_start_ms(day: NaiveDate, tz: Tz) -> i64 {
    // Midnight skipped by a DST jump: the day starts an hour later.
    local_instant(day.and_hms_opt(0, 0, 0).unwrap_or_default(), tz)
}

/// Parses an instant: RFC 3339 with any offset, or a naive date-time, which is a wall-clock time
/// in `tz` (the mobile app sends `DateTime.toIso8601String()` of local times, without an offset;
/// callers pass the user's timezone, or UTC when there is no user).
pub fn parse_instant(text: &str, field: &str, tz: Tz) -> Result<i64> {
    let t = text.trim();
    let in_range = |ms: i64| {
        if YEARS.contains(&crate::clock::ms_to_datetime(ms).year()) {
            Ok(ms)
        } else {
            Err(out_of_range(field))
        }
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return in_range(dt.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            if !YEARS.contains(&naive.year()) {
                return Err(out_of_range(field));
            }
            return in_range(local_instant(naive, tz));
        }
    }
    Err(Error::invalid(
        Code::Validation2007,
        field,
        "date",
        "must be an RFC 3339 date-time",
    ))
}

/// The instant of a wall-clock time in `tz`: the earlier one when the clocks go back, and the
/// time shifted by the gap when they jump forward (02:30 on a spring-forward day is 03:30).
pub fn local_instant(naive: NaiveDateTime, tz: Tz) -> i64 {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.timestamp_millis()
        }
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|| naive.and_utc().timestamp_millis()),
    }
}

/// The years an input date may have: four-digit years, which every storage (PostgreSQL's
/// `date`, SQLite text) and every date computation of the service can take.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

fn out_of_range(field: &str) -> Error {
    Error::invalid(
        Code::Validation2007,
        field,
        "range",
        "must be a date between the years 1000 and 9999",
    )
}

/// Parses `YYYY-MM-DD` with a year in [`YEARS`].
pub fn parse_date(text: &str, field: &str) -> Result<NaiveDate> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            Code::Validation2007,
            field,
            "date",
            "must be a date (YYYY-MM-DD)",
        )
    })?;
    if !YEARS.contains(&date.year()) {
        return Err(out_of_range(field));
    }
    Ok(date)
}

/// A date, or a date-time reduced to its day in `tz` (for routes that take either).
pub fn parse_day(text: &str, field: &str, tz: Tz) -> Result<NaiveDate> {
    parse_date(text, field).or_else(|_| parse_instant(text, field, tz).map(|ms| local_date(ms, tz)))
}

/// Now as a UTC date-time (for arithmetic on calendar months).
pub fn utc(ms: i64) -> DateTime<Utc> {
    ms_to_datetime(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_lands_on_the_users_day_not_the_utc_day() {
        // 2026-11-26 02:30 UTC is still the 25th in New York.
        let ms = parse_instant("2026-11-26T02:30:00Z", "t", Tz::UTC).unwrap();
        assert_eq!(
            local_date(ms, tz("America/New_York")).to_string(),
            "2026-11-25"
        );
        assert_eq!(local_date(ms, tz("UTC")).to_string(), "2026-11-26");
        assert_eq!(local_date(ms, tz("Asia/Tokyo")).to_string(), "2026-11-26");
    }

    #[test]
    fn naive_datetimes_are_wall_clock_in_the_given_zone_and_offsets_are_honoured() {
        assert_eq!(
            parse_instant("2026-11-26T10:00:00", "t", Tz::UTC).unwrap(),
            parse_instant("2026-11-26T12:00:00+02:00", "t", Tz::UTC).unwrap()
        );
        // What the app's DateTime.toIso8601String() sends for a local time in Berlin (UTC+1).
        assert_eq!(
            parse_instant("2026-11-26T10:00:00.123456", "t", tz("Europe/Berlin")).unwrap(),
            parse_instant("2026-11-26T09:00:00.123Z", "t", Tz::UTC).unwrap()
        );
        // An offset wins over the zone.
        assert_eq!(
            parse_instant("2026-11-26T10:00:00Z", "t", tz("Europe/Berlin")).unwrap(),
            parse_instant("2026-11-26T10:00:00", "t", Tz::UTC).unwrap()
        );
        // 23:30 local in New York is the 26th there, though the 27th in UTC.
        assert_eq!(
            parse_day("2026-11-26T23:30:00", "d", tz("America/New_York"))
                .unwrap()
                .to_string(),
            "2026-11-26"
        );
        assert!(parse_instant("yesterday", "t", Tz::UTC).is_err());
    }

    #[test]
    fn dates_outside_four_digit_years_are_refused() {
        for bad in [
            "-262143-01-10",
            "0999-12-31",
            "+10000-01-01",
            "262142-12-31",
        ] {
            assert!(parse_date(bad, "d").is_err(), "{bad}");
            assert!(parse_day(bad, "d", Tz::UTC).is_err(), "{bad}");
        }
        assert!(parse_instant("+10000-01-01T00:00:00", "t", Tz::UTC).is_err());
        assert!(parse_instant("0500-01-01T00:00:00Z", "t", Tz::UTC).is_err());
        assert_eq!(
            parse_date("1000-01-01", "d").unwrap().to_string(),
            "1000-01-01"
        );
        assert_eq!(
            parse_date("9999-12-31", "d").unwrap().to_string(),
            "9999-12-31"
        );
        assert_eq!(
            parse_day("2026-11-26T23:30:00-05:00", "d", tz("UTC"))
                .unwrap()
                .to_string(),
            "2026-11-27"
        );
    }

    #[test]
    fn days_start_at_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(
            day_start_ms(day, tz("UTC")),
            parse_instant("2026-11-26T00:00:00Z", "t", Tz::UTC).unwrap()
        );
        assert_eq!(
            day_start_ms(day, tz("Europe/Berlin")),
            parse_instant("2026-11-25T23:00:00Z", "t", Tz::UTC).unwrap()
        );
    }
}
