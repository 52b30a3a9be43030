//! Schedule maths of a recurring definition (docs/recurring.md §1), pure: which dates a schedule
//! produces from its start date, within its end date and count.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::budget::days::days_in_month;

/// How often a definition recurs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Every month on `day` (29–31 clamp to the month's last day).
    Monthly { day: u32 },
    /// Every week on `weekday`.
    Weekly { weekday: Weekday },
    /// Every `days` days from the start date.
    EveryNDays { days: u32 },
    /// Every year on `month`/`day` (29 February clamps to the 28th in common years).
    Yearly { month: u32, day: u32 },
}

/// A rule with its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub rule: Rule,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// At most this many occurrences (counted from the start).
    pub count: Option<u32>,
}

/// `day` of (year, month), clamped to the month's last day.
fn clamped(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day.min(days_in_month(year, month)))
}

impl Rule {
    /// The first date of the rule on or after `from`, ignoring the schedule's bounds other than
    /// `start` (the anchor of every-N-days).
    pub fn next_on_or_after(self, start: NaiveDate, from: NaiveDate) -> Option<NaiveDate> {
        let from = from.max(start);
        match self {
            Rule::Monthly { day } => {
                let this = clamped(from.year(), from.month(), day)?;
                if this >= from {
                    return Some(this);
                }
                let (y, m) = if from.month() == 12 {
                    (from.year() + 1, 1)
                } else {
                    (from.year(), from.month() + 1)
                };
                clamped(y, m, day)
            }
            Rule::Weekly { weekday } => {
                let ahead = (7 + weekday.num_days_from_monday()
                    - from.weekday().num_days_from_monday())
                    % 7;
                from.checked_add_days(Days::new(u64::from(ahead)))
            }
            Rule::EveryNDays { days } => {
                let n = i64::from(days.max(1));
                let since = (from - start).num_days();
                let k = (since + n - 1) / n;
                start.checked_add_days(Days::new(u64::try_from(k * n).ok()?))
            }
            Rule::Yearly { month, day } => {
                let this = clamped(from.year(), month, day)?;
                if this >= from {
                    Some(this)
                } else {
                    clamped(from.year() + 1, month, day)
                }
            }
        }
    }
}

impl Schedule {
    /// The first occurrence on or after `from` that the end date allows, or None.
    pub fn next_on_or_after(&self, from: NaiveDate) -> Option<NaiveDate> {
        let date = self.rule.next_on_or_after(self.start, from)?;
        match self.end {
            Some(end) if date > end => None,
            _ => Some(date),
        }
    }

    /// The occurrence after `date`.
    pub fn after(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.next_on_or_after(date.succ_opt()?)
    }

    /// The occurrences in `from ..= to`, at most `limit`, given that `done` occurrences were
    /// already produced (the count bounds the total). `from` should be an occurrence date or the
    /// start.
    pub fn between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        done: u32,
        limit: usize,
    ) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let left = self.count.map_or(u32::MAX, |c| c.saturating_sub(done));
        let mut next = self.next_on_or_after(from);
        while let Some(d) = next {
            if d > to || out.len() >= limit || out.len() as u64 >= u64::from(left) {
                break;
            }
            out.push(d);
            next = self.after(d);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sched(rule: Rule, start: NaiveDate) -> Schedule {
        Schedule {
            rule,
            start,
            end: None,
            count: None,
        }
    }

    #[test]
    fn monthly_on_the_31st_clamps_to_each_months_last_day() {
        let s = sched(Rule::Monthly { day: 31 }, d(2027, 1, 1));
        assert_eq!(
            s.between(d(2027, 1, 1), d(2027, 5, 31), 0, 100),
            vec![
                d(2027, 1, 31),
                d(2027, 2, 28),
                d(2027, 3, 31),
                d(2027, 4, 30),
                d(2027, 5, 31)
            ]
        );
        let leap = sched(Rule::Monthly { day: 30 }, d(2028, 2, 1));
        assert_eq!(leap.next_on_or_after(d(2028, 2, 1)), Some(d(2028, 2, 29)));
    }

    #[test]
    fn monthly_starting_after_the_day_begins_next_month_and_crosses_the_year() {
        let s = sched(Rule::Monthly { day: 5 }, d(2026, 12, 10));
        assert_eq!(
            s.between(s.start, d(2027, 2, 28), 0, 100),
            vec![d(2027, 1, 5), d(2027, 2, 5)]
        );
    }

    #[test]
    fn weekly_falls_on_the_weekday() {
        // 2026-12-01 is a Tuesday.
        let s = sched(
            Rule::Weekly {
                weekday: Weekday::Fri,
            },
            d(2026, 12, 1),
        );
        assert_eq!(
            s.between(s.start, d(2026, 12, 18), 0, 100),
            vec![d(2026, 12, 4), d(2026, 12, 11), d(2026, 12, 18)]
        );
        let on_start = sched(
            Rule::Weekly {
                weekday: Weekday::Tue,
            },
            d(2026, 12, 1),
        );
        assert_eq!(
            on_start.next_on_or_after(d(2026, 11, 1)),
            Some(d(2026, 12, 1))
        );
    }

    #[test]
    fn every_n_days_counts_from_the_start() {
        let s = sched(Rule::EveryNDays { days: 10 }, d(2026, 12, 25));
        assert_eq!(
            s.between(s.start, d(2027, 1, 20), 0, 100),
            vec![d(2026, 12, 25), d(2027, 1, 4), d(2027, 1, 14)]
        );
        assert_eq!(s.next_on_or_after(d(2027, 1, 5)), Some(d(2027, 1, 14)));
    }

    #[test]
    fn yearly_on_february_29_clamps_in_common_years() {
        let s = sched(Rule::Yearly { month: 2, day: 29 }, d(2027, 1, 1));
        assert_eq!(
            s.between(s.start, d(2030, 12, 31), 0, 100),
            vec![
                d(2027, 2, 28),
                d(2028, 2, 29),
                d(2029, 2, 28),
                d(2030, 2, 28)
            ]
        );
    }

    #[test]
    fn end_date_and_count_bound_the_occurrences() {
        let mut s = sched(Rule::Monthly { day: 1 }, d(2027, 1, 1));
        s.end = Some(d(2027, 3, 15));
        assert_eq!(
            s.between(s.start, d(2027, 12, 31), 0, 100),
            vec![d(2027, 1, 1), d(2027, 2, 1), d(2027, 3, 1)]
        );
        s.end = None;
        s.count = Some(4);
        assert_eq!(s.between(d(2027, 3, 1), d(2027, 12, 31), 2, 100).len(), 2);
        assert_eq!(s.between(s.start, d(2027, 12, 31), 0, 3).len(), 3, "limit");
    }
}
