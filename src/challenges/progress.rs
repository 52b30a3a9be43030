//! A challenge attempt's progress from the user's days (pure; docs/challenges.md §Rules).
//!
//! Only *finished* days (before today, user's timezone) count as done or not done, since a day
//! can still receive spends until it is over; spends of today already count against a cap.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::catalogue::{Challenge, Rule};

/// What the user did on one day, as far as challenges care.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Day {
    /// Spent per transaction category (non-deleted transactions of that user-local day).
    pub spent: BTreeMap<String, i64>,
    /// The day's plan without goal reservations: (Σ planned, Σ spent); None without plan rows.
    pub plan: Option<(i64, i64)>,
}

/// Where an attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Active,
    Completed,
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Completed => "completed",
            State::Failed => "failed",
        }
    }
}

/// The computed progress of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub state: State,
    /// Days reached (the rule's unit), at most the target.
    pub current: i64,
    pub target: i64,
    /// Finished days of the window.
    pub days_completed: i64,
    /// Days of the window from today on (today included).
    pub days_remaining: i64,
    pub current_streak: i64,
    pub best_streak: i64,
    /// category_cap: spent so far in the window and the cap.
    pub spent_cents: Option<i64>,
    pub cap_cents: Option<i64>,
}

/// The progress of `challenge` attempted over `start..=end`, as of the user's `today`.
pub fn progress(
    challenge: &Challenge,
    start: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
    days: &BTreeMap<NaiveDate, Day>,
) -> Progress {
    let last_finished = end.min(today - Duration::days(1));
    let finished: Vec<NaiveDate> = start
        .iter_days()
        .take_while(|d| *d <= last_finished)
        .collect();
    let days_completed = i64::try_from(finished.len()).unwrap_or(i64::MAX);
    let days_remaining = if today > end {
        0
    } else {
        (end - today.max(start)).num_days() + 1
    };
    let empty = Day::default();
    let day = |d: &NaiveDate| days.get(d).unwrap_or(&empty);
    let spent_in = |d: &Day| -> i64 {
        d.spent
            .iter()
            .filter(|(k, _)| challenge.counts(k))
            .map(|(_, v)| *v)
            .sum()
    };
    let met: Vec<bool> = match challenge.rule {
        Rule::NoSpendDays => finished.iter().map(|d| spent_in(day(d)) == 0).collect(),
        Rule::WithinPlanStreak => finished
            .iter()
            .map(|d| day(d).plan.is_some_and(|(planned, spent)| spent <= planned))
            .collect(),
        Rule::CategoryCap => vec![true; finished.len()],
    };
    let (current_streak, best_streak) = streaks(&met);
    let target = challenge.target_value();
    let mut p = Progress {
        state: State::Active,
        current: 0,
        target,
        days_completed,
        days_remaining,
        current_streak,
        best_streak,
        spent_cents: None,
        cap_cents: None,
    };
    match challenge.rule {
        Rule::NoSpendDays => {
            let reached = i64::try_from(met.iter().filter(|m| **m).count()).unwrap_or(0);
            p.current = reached.min(target);
            p.state = if reached >= target {
                State::Completed
            } else if reached + days_remaining < target {
                State::Failed
            } else {
                State::Active
            };
        }
        Rule::WithinPlanStreak => {
            p.current = best_streak.min(target);
            p.state = if best_streak >= target {
                State::Completed
            } else if current_streak + days_remaining < target {
                State::Failed
            } else {
                State::Active
            };
        }
        Rule::CategoryCap => {
            let spent: i64 = start
                .iter_days()
                .take_while(|d| *d <= end.min(today))
                .map(|d| spent_in(day(&d)))
                .sum();
            p.spent_cents = Some(spent);
            p.cap_cents = Some(challenge.cap_cents);
            p.current = days_completed.min(target);
            p.state = if spent > challenge.cap_cents {
                State::Failed
            } else if today > end {
                State::Completed
            } else {
                State::Active
            };
        }
    }
    p
}

/// (trailing run, longest run) of `true`s.
pub fn streaks(met: &[bool]) -> (i64, i64) {
    let (mut run, mut best) = (0_i64, 0_i64);
    for m in met {
        run = if *m { run + 1 } else { 0 };
        best = best.max(run);
    }
    (run, best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenges::catalogue::catalogue;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn spend(days: &mut BTreeMap<NaiveDate, Day>, day: &str, cat: &str, cents: i64) {
        *days
            .entry(d(day))
            .or_default()
            .spent
            .entry(cat.into())
            .or_default() += cents;
    }

    #[test]
    fn no_spend_days_count_finished_days_only_and_fail_when_out_of_reach() {
        let ch = catalogue().get("three_no_spend_days").unwrap();
        let mut days = BTreeMap::new();
        spend(&mut days, "2026-12-02", "dining", 1200);
        spend(&mut days, "2026-12-03", "rent", 150_000); // not one of its categories
        let p = progress(ch, d("2026-12-01"), d("2026-12-07"), d("2026-12-04"), &days);
        // 1st and 3rd are no-spend days; the 4th (today) is not finished.
        assert_eq!((p.current, p.target, p.state), (2, 3, State::Active));
        assert_eq!((p.days_completed, p.days_remaining), (3, 4));
        let p = progress(ch, d("2026-12-01"), d("2026-12-07"), d("2026-12-05"), &days);
        assert_eq!(p.state, State::Completed);
        for day in ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"] {
            spend(&mut days, day, "travel", 100);
        }
        spend(&mut days, "2026-12-01", "shopping", 100);
        spend(&mut days, "2026-12-03", "gifts", 100);
        let p = progress(ch, d("2026-12-01"), d("2026-12-07"), d("2026-12-06"), &days);
        // No no-spend day yet, 2 days left (6th, 7th): 3 is out of reach.
        assert_eq!((p.current, p.state), (0, State::Failed));
    }

    #[test]
    fn a_cap_fails_on_the_spend_that_crosses_it_and_completes_when_the_window_ends() {
        let ch = catalogue().get("dining_cap_week").unwrap();
        let mut days = BTreeMap::new();
        spend(&mut days, "2026-12-01", "dining", 2500);
        let p = progress(ch, d("2026-12-01"), d("2026-12-07"), d("2026-12-03"), &days);
        assert_eq!(
            (p.spent_cents, p.state, p.current),
            (Some(2500), State::Active, 2)
        );
        let done = progress(ch, d("2026-12-01"), d("2026-12-07"), d("2026-12-08"), &days);
        assert_eq!((done.state, done.current), (State::Completed, 7));
        spend(&mut days, "2026-12-03", "dining", 1501);
        let p = progress(ch, d("2026-12-01"), d("2026-12-07"), d("2026-12-03"), &days);
        assert_eq!((p.spent_cents, p.state), (Some(4001), State::Failed));
    }

    #[test]
    fn a_plan_streak_needs_consecutive_days_within_the_plan() {
        let ch = catalogue().get("plan_streak_7").unwrap();
        let mut days = BTreeMap::new();
        for (i, day) in d("2026-12-01").iter_days().take(9).enumerate() {
            let spent = if i == 2 { 5_000 } else { 1_000 };
            days.insert(
                day,
                Day {
                    spent: BTreeMap::new(),
                    plan: Some((4_000, spent)),
                },
            );
        }
        let p = progress(ch, d("2026-12-01"), d("2026-12-10"), d("2026-12-08"), &days);
        assert_eq!(
            (p.current_streak, p.best_streak, p.state),
            (4, 4, State::Active)
        );
        let p = progress(ch, d("2026-12-01"), d("2026-12-10"), d("2026-12-10"), &days);
        assert_eq!((p.current, p.state), (6, State::Active));
        let p = progress(ch, d("2026-12-01"), d("2026-12-10"), d("2026-12-11"), &days);
        assert_eq!(p.state, State::Failed);
        assert_eq!(streaks(&[true, true, false, true]), (1, 2));
    }
}
