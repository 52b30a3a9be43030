//! Streaks and completion rates of a habit from its completion dates (user-local days), per
//! period of the habit's frequency: a day (`daily`), an ISO week starting Monday (`weekly`) or
//! a calendar month (`monthly`). Pure functions, so they are tested without a database.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use crate::fixed::Fixed;

/// How often a habit is meant to be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    /// Parses `daily`, `weekly` or `monthly` (any case).
    pub fn parse(s: &str) -> Option<Frequency> {
        match s.trim().to_ascii_lowercase().as_str() {
            "daily" => Some(Frequency::Daily),
            "weekly" => Some(Frequency::Weekly),
            "monthly" => Some(Frequency::Monthly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    /// A number per period, consecutive periods differing by one.
    pub fn period(self, day: NaiveDate) -> i64 {
        match self {
            Frequency::Daily => i64::from(day.num_days_from_ce()),
            Frequency::Weekly => {
                let monday = i64::from(day.num_days_from_ce())
                    - i64::from(day.weekday().num_days_from_monday());
                monday.div_euclid(7)
            }
            Frequency::Monthly => i64::from(day.year()) * 12 + i64::from(day.month0()),
        }
    }
}

/// (current streak, longest streak) in periods. The current streak is alive while its last
/// period is this one or the one before (today's completion may still come).
pub fn streaks(dates: &[NaiveDate], today: NaiveDate, freq: Frequency) -> (i64, i64) {
    let periods: BTreeSet<i64> = dates
        .iter()
        .filter(|d| **d <= today)
        .map(|d| freq.period(*d))
        .collect();
    let mut longest = 0;
    let mut run = 0;
    let mut prev: Option<i64> = None;
    for p in &periods {
        run = match prev {
            Some(q) if *p == q + 1 => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        prev = Some(*p);
    }
    let now = freq.period(today);
    let current = match prev {
        Some(last) if last == now || last == now - 1 => run,
        _ => 0,
    };
    (current, longest)
}

/// Periods with a completion ÷ periods touched by the days `start..=end`, as (done, expected).
pub fn coverage(
    dates: &[NaiveDate],
    start: NaiveDate,
    end: NaiveDate,
    freq: Frequency,
) -> (i64, i64) {
    if end < start {
        return (0, 0);
    }
    let expected: BTreeSet<i64> = start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|d| freq.period(d))
        .collect();
    let done: BTreeSet<i64> = dates
        .iter()
        .filter(|d| **d >= start && **d <= end)
        .map(|d| freq.period(*d))
        .collect();
    let n = |s: &BTreeSet<i64>| i64::try_from(s.len()).unwrap_or(i64::MAX);
    (n(&done), n(&expected))
}

/// Completion rate of the last 30 days (today included), percent with two decimals.
pub fn rate_30_days(dates: &[NaiveDate], today: NaiveDate, freq: Frequency) -> Fixed {
    let start = today - chrono::Duration::days(29);
    let (done, expected) = coverage(dates, start, today, freq);
    Fixed::percent_capped(done, expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn daily_streaks_run_across_a_month_boundary() {
        let dates = [
            d(2026, 1, 29),
            d(2026, 1, 30),
            d(2026, 1, 31),
            d(2026, 2, 1),
            d(2026, 2, 2),
        ];
        assert_eq!(streaks(&dates, d(2026, 2, 2), Frequency::Daily), (5, 5));
        assert_eq!(
            streaks(&dates, d(2026, 2, 3), Frequency::Daily),
            (5, 5),
            "alive until today ends"
        );
        assert_eq!(streaks(&dates, d(2026, 2, 4), Frequency::Daily), (0, 5));
    }

    #[test]
    fn the_longest_streak_survives_a_gap() {
        let dates = [
            d(2026, 3, 1),
            d(2026, 3, 2),
            d(2026, 3, 3),
            d(2026, 3, 5),
            d(2026, 3, 6),
        ];
        assert_eq!(streaks(&dates, d(2026, 3, 6), Frequency::Daily), (2, 3));
    }

    #[test]
    fn weekly_and_monthly_streaks_count_periods() {
        // Mondays and Sundays of consecutive ISO weeks (2026-03-02 is a Monday).
        let dates = [d(2026, 3, 2), d(2026, 3, 15), d(2026, 3, 16)];
        assert_eq!(streaks(&dates, d(2026, 3, 18), Frequency::Weekly), (3, 3));
        let months = [d(2025, 12, 31), d(2026, 1, 1), d(2026, 2, 10)];
        assert_eq!(streaks(&months, d(2026, 3, 1), Frequency::Monthly), (3, 3));
    }

    #[test]
    fn rates_count_periods_in_the_window() {
        let today = d(2026, 3, 30);
        let dates: Vec<NaiveDate> = (1..=15).map(|i| d(2026, 3, i * 2)).collect();
        assert_eq!(
            rate_30_days(&dates, today, Frequency::Daily).to_string(),
            "50.00"
        );
        assert_eq!(
            coverage(&dates, d(2026, 3, 1), d(2026, 3, 4), Frequency::Daily),
            (2, 4)
        );
    }
}
