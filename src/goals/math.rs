//! Integer arithmetic shared by the goal figures (see docs/goals.md for the formulas). A month
//! is 30.44 days, as in the plan (BUDGET.md §6).

use chrono::NaiveDate;

use super::GoalRow;
use crate::fixed::Fixed;
use crate::plan::goals::{MONTH_DAYS_X100, required_monthly};

/// Days from `today` to the goal's target date (negative when past); None without a date.
pub fn days_left(goal: &GoalRow, today: NaiveDate) -> Option<i64> {
    goal.target_date.map(|d| (d - today).num_days())
}

/// Months left (`days ÷ 30.44`, two decimals, never negative).
pub fn months_left(days: i64) -> Fixed {
    Fixed::ratio(days.max(0) * 100, MONTH_DAYS_X100, 2)
}

/// The monthly amount that reaches the target by its date (BUDGET.md §6); None without a date.
pub fn required(goal: &GoalRow, today: NaiveDate) -> Option<i64> {
    days_left(goal, today).map(|days| required_monthly(goal.remaining_cents(), days))
}

/// Whole months of `monthly` needed to cover `remaining` (rounded up); None when `monthly` is 0.
pub fn months_to_reach(remaining: i64, monthly: i64) -> Option<i64> {
    if monthly <= 0 {
        return None;
    }
    Some((remaining.max(0) + monthly - 1) / monthly)
}

/// The day reached after `months` average months from `today` (`ceil(months × 30.44)` days),
/// at most the last date there is.
pub fn after_months(today: NaiveDate, months: i64) -> NaiveDate {
    let days = months
        .max(0)
        .saturating_mul(MONTH_DAYS_X100)
        .saturating_add(99)
        / 100;
    u64::try_from(days)
        .ok()
        .and_then(|d| today.checked_add_days(chrono::Days::new(d)))
        .unwrap_or(NaiveDate::MAX)
}

/// Projections further out than this many months are "never" (100 years).
pub const HORIZON_MONTHS: i64 = 1_200;

/// When saving `monthly` from `today` completes the goal, at a steady rate (a month is 30.44
/// days): `today + ⌈remaining × 30.44 ÷ monthly⌉` days — so saving exactly the [`required`]
/// amount finishes by the target date. None without a contribution, or when the day lies
/// beyond [`HORIZON_MONTHS`] (target 100000.00 at 0.01 a month would be 834,000 years out).
pub fn projected_completion(goal: &GoalRow, today: NaiveDate, monthly: i64) -> Option<NaiveDate> {
    let remaining = goal.remaining_cents();
    if remaining == 0 {
        return Some(today);
    }
    if monthly <= 0 {
        return None;
    }
    let numerator = i128::from(remaining) * i128::from(MONTH_DAYS_X100);
    let denominator = i128::from(monthly) * 100;
    let days = (numerator + denominator - 1) / denominator;
    let horizon = (HORIZON_MONTHS * MONTH_DAYS_X100 + 99) / 100;
    let days = u64::try_from(days)
        .ok()
        .filter(|d| *d <= horizon.unsigned_abs())?;
    today.checked_add_days(chrono::Days::new(days))
}

/// Progress in hundredths of a percent (0–10000).
pub fn progress_bp(goal: &GoalRow) -> i64 {
    goal.progress().units()
}

/// Where progress should be by `today` on a straight line from creation to the target date,
/// in hundredths of a percent (0–10000); None without a date. Past the date it is 10000.
pub fn expected_bp(goal: &GoalRow, created: NaiveDate, today: NaiveDate) -> Option<i64> {
    let target = goal.target_date?;
    let total = (target - created).num_days().max(1);
    let elapsed = (today - created).num_days().clamp(0, total);
    Some(Fixed::ratio(elapsed * 10_000, total, 0).units().min(10_000))
}

/// Sort key of goals by importance: priority (high first), then the earliest target date (goals
/// without one last), then age, then id — a total order, so results never depend on row order.
pub fn importance(goal: &GoalRow) -> (u8, NaiveDate, i64, crate::id::Id) {
    let rank = match goal.priority.as_str() {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    (
        rank,
        goal.target_date.unwrap_or(NaiveDate::MAX),
        goal.created_at,
        goal.id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_and_projections_use_30_44_day_months() {
        assert_eq!(months_left(3044).to_string(), "100.00");
        assert_eq!(months_left(-5).to_string(), "0.00");
        assert_eq!(months_to_reach(1000, 300), Some(4));
        assert_eq!(months_to_reach(900, 300), Some(3));
        assert_eq!(months_to_reach(900, 0), None);
        // 3 months = 91.32 days → 92 days.
        assert_eq!(after_months(day(2026, 1, 1), 3), day(2026, 4, 3));
        assert_eq!(
            after_months(day(2026, 1, 1), i64::MAX),
            NaiveDate::MAX,
            "never a panic"
        );
    }

    fn goal(remaining: i64, target_date: Option<NaiveDate>) -> GoalRow {
        GoalRow {
            id: crate::id::Id::new(),
            user_id: crate::id::Id::new(),
            title: "g".into(),
            description: None,
            category: None,
            target_amount_cents: remaining,
            saved_amount_cents: 0,
            monthly_contribution_cents: None,
            currency: "USD".into(),
            status: "active".into(),
            priority: "medium".into(),
            target_date,
            goal_milestones_notified: 0,
            created_at: 0,
            updated_at: 0,
            completed_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn saving_the_required_amount_is_projected_to_finish_by_the_target_date() {
        let today = day(2026, 11, 10);
        let target = day(2027, 11, 10);
        let g = goal(900_000, Some(target));
        let need = required(&g, today).unwrap();
        assert_eq!(need, 75_058);
        assert!(projected_completion(&g, today, need).unwrap() <= target);
        assert!(projected_completion(&g, today, need - 1).unwrap() > target);
        // 2500 at 900 a month: 2.78 months = 84.56 days → 85 days.
        assert_eq!(
            projected_completion(&goal(250_000, None), today, 90_000),
            Some(today + chrono::Duration::days(85))
        );
        assert_eq!(projected_completion(&g, today, 0), None);
        assert_eq!(
            projected_completion(&goal(10_000_000_000, None), today, 1),
            None,
            "more than 100 years away"
        );
        assert_eq!(projected_completion(&goal(0, None), today, 0), Some(today));
    }
}
