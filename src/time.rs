//! Calendar time in the user's timezone: "today", "this month" and the local day of an instant
//! (API.md: computed in `users.timezone`), and parsing of API date/time inputs.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::clock::ms_to_datetime;
use crate::error::{Error, Result};

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
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.timestamp_millis()
        }
        // Midnight skipped by a DST jump: the day starts an hour later.
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|| naive.and_utc().timestamp_millis()),
    }
}

/// Parses an instant: RFC 3339 with any offset, or a naive date-time (taken as UTC).
pub fn parse_instant(text: &str, field: &str) -> Result<i64> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(naive.and_utc().timestamp_millis());
        }
    }
    Err(Error::invalid(
        "VALIDATION_2007",
        field,
        "date",
        "must be an RFC 3339 date-time",
    ))
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str, field: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            "VALIDATION_2007",
            field,
            "date",
            "must be a date (YYYY-MM-DD)",
        )
    })
}

/// A date, or a date-time reduced to its day in `tz` (for routes that take either).
pub fn parse_day(text: &str, field: &str, tz: Tz) -> Result<NaiveDate> {
    parse_date(text, field).or_else(|_| parse_instant(text, field).map(|ms| local_date(ms, tz)))
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
        let ms = parse_instant("2026-11-26T02:30:00Z", "t").unwrap();
        assert_eq!(
            local_date(ms, tz("America/New_York")).to_string(),
            "2026-11-25"
        );
        assert_eq!(local_date(ms, tz("UTC")).to_string(), "2026-11-26");
        assert_eq!(local_date(ms, tz("Asia/Tokyo")).to_string(), "2026-11-26");
    }

    #[test]
    fn naive_datetimes_are_utc_and_offsets_are_honoured() {
        assert_eq!(
            parse_instant("2026-11-26T10:00:00", "t").unwrap(),
            parse_instant("2026-11-26T12:00:00+02:00", "t").unwrap()
        );
        assert!(parse_instant("yesterday", "t").is_err());
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
            parse_instant("2026-11-26T00:00:00Z", "t").unwrap()
        );
        assert_eq!(
            day_start_ms(day, tz("Europe/Berlin")),
            parse_instant("2026-11-25T23:00:00Z", "t").unwrap()
        );
    }
}
