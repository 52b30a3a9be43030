//! Read views over the daily plan and the transactions: the figures behind `/api/budget/*`,
//! `/api/calendar/*`, `/api/dashboard*` and `/api/analytics/*`.
//!
//! Every view runs a fixed number of queries whatever the amount of data (aggregates are done
//! in SQL with `GROUP BY`, per-day and per-category shaping in memory), and every amount is an
//! integer number of cents ([`Money`]). "Today" and "this month" are the user's (timezone).

pub mod analytics;
pub mod calendar;
pub mod daily;
pub mod forecast;
pub mod preview;
pub mod settings;
pub mod stats;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use super::category::PlanCategory;
use super::days::days_in_month;
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::money::Money;
use crate::on_db;
use crate::users::{self, User};

/// Who is asking and when: the user row, their timezone and their local "today".
#[derive(Clone, Debug)]
pub struct Ctx {
    pub user: User,
    pub tz: Tz,
    pub today: NaiveDate,
    /// Now, epoch milliseconds.
    pub now: i64,
}

impl Ctx {
    /// Loads the user (1 query); an unknown user is 404.
    pub async fn load(db: &Db, user: Id, now: i64) -> Result<Ctx> {
        let user = users::by_id(db, user)
            .await?
            .ok_or(Error::NotFound("User"))?;
        let tz = crate::time::tz(&user.timezone);
        let today = crate::time::local_date(now, tz);
        Ok(Ctx {
            user,
            tz,
            today,
            now,
        })
    }

    /// The user's monthly income in cents (0 when unknown).
    pub fn monthly_income(&self) -> i64 {
        self.user.monthly_income_cents.unwrap_or(0)
    }

    /// A month from optional `year`/`month` parameters (default: the user's current month).
    pub fn month(&self, year: Option<i32>, month: Option<u32>) -> Result<(i32, u32)> {
        check_month(
            year.unwrap_or(self.today.year()),
            month.unwrap_or(self.today.month()),
        )
    }
}

/// Validates a (year, month) pair: months 1–12, years 2000–2100 → else 422.
pub fn check_month(year: i32, month: u32) -> Result<(i32, u32)> {
    if !(1..=12).contains(&month) {
        return Err(Error::invalid(
            Code::Validation2003,
            "month",
            "range",
            "must be between 1 and 12",
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid(
            Code::Validation2003,
            "year",
            "range",
            "must be between 2000 and 2100",
        ));
    }
    Ok((year, month))
}

/// First and last day of a checked month.
pub fn month_range(year: i32, month: u32) -> Result<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1);
    let last = NaiveDate::from_ymd_opt(year, month, days_in_month(year, month));
    first.zip(last).ok_or_else(|| {
        Error::invalid(
            Code::Validation2003,
            "month",
            "range",
            "is not a valid month",
        )
    })
}

/// Planned and spent of one (day, plan category), summed over goals for `goal_savings`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct PlanCell {
    pub date: NaiveDate,
    pub category: String,
    pub planned: i64,
    pub spent: i64,
}

impl PlanCell {
    /// The plan category, if the stored name is one.
    pub fn plan_category(&self) -> Option<PlanCategory> {
        self.category.parse().ok()
    }

    /// True for goal reservations (not spendable, excluded from day totals and statuses).
    pub fn is_goal(&self) -> bool {
        self.category == PlanCategory::GoalSavings.as_str()
    }
}

/// The plan cells of a date range, ordered by date then category (1 query).
pub async fn plan_cells(
    db: &Db,
    user: Id,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<PlanCell>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, PlanCell>(
        "SELECT date, category, CAST(COALESCE(SUM(planned_cents), 0) AS BIGINT) AS planned, \
         CAST(COALESCE(SUM(spent_cents), 0) AS BIGINT) AS spent FROM daily_plan \
         WHERE user_id = $1 AND date >= $2 AND date <= $3 GROUP BY date, category ORDER BY date, category")
        .bind(user).bind(first).bind(last).fetch_all(pool).await)?)
}

/// A day's totals over its spendable categories (goal reservations kept apart).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayTotals {
    pub planned: i64,
    pub spent: i64,
    pub goal: i64,
    /// True when the day has at least one plan row.
    pub has_rows: bool,
}

/// Sums cells per day.
pub fn day_totals(cells: &[PlanCell]) -> BTreeMap<NaiveDate, DayTotals> {
    let mut out: BTreeMap<NaiveDate, DayTotals> = BTreeMap::new();
    for c in cells {
        let t = out.entry(c.date).or_default();
        t.has_rows = true;
        if c.is_goal() {
            t.goal += c.planned;
        } else {
            t.planned += c.planned;
            t.spent += c.spent;
        }
    }
    out
}

/// Sums cells per plan category: (planned, spent).
pub fn category_totals(cells: &[PlanCell]) -> BTreeMap<PlanCategory, (i64, i64)> {
    let mut out: BTreeMap<PlanCategory, (i64, i64)> = BTreeMap::new();
    for c in cells {
        if let Some(cat) = c.plan_category() {
            let t = out.entry(cat).or_default();
            t.0 += c.planned;
            t.1 += c.spent;
        }
    }
    out
}

/// How spending compares with a budget, for live status and the dashboard week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pace {
    /// Spent more than the budget.
    Over,
    /// Spent more than 90 % of the budget (`spent × 10 > budget × 9`).
    Warning,
    /// Within 90 % of the budget.
    Good,
    /// No budget and no spending.
    Neutral,
}

/// The [`Pace`] of `spent` against `budget` (cents).
pub fn pace(budget: i64, spent: i64) -> Pace {
    if budget == 0 && spent == 0 {
        Pace::Neutral
    } else if spent > budget {
        Pace::Over
    } else if i128::from(spent) * 10 > i128::from(budget) * 9 {
        Pace::Warning
    } else {
        Pace::Good
    }
}

/// `numerator × scale ÷ denominator`, rounded half away from zero, in 128-bit arithmetic
/// (0 when the denominator is 0). Used for per-day averages and rates in hundredths.
pub fn ratio(numerator: i64, scale: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let n = i128::from(numerator) * i128::from(scale);
    let d = i128::from(denominator);
    let q = (2 * n + n.signum() * d.abs()) / (2 * d);
    i64::try_from(q).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN })
}

/// Cents as [`Money`].
pub fn money(cents: i64) -> Money {
    Money::from_cents(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_thresholds() {
        assert_eq!(pace(0, 0), Pace::Neutral);
        assert_eq!(pace(0, 1), Pace::Over);
        assert_eq!(pace(10_000, 9_000), Pace::Good);
        assert_eq!(pace(10_000, 9_001), Pace::Warning);
        assert_eq!(pace(10_000, 10_000), Pace::Warning);
        assert_eq!(pace(10_000, 10_001), Pace::Over);
    }

    #[test]
    fn ratios_round_half_away_from_zero() {
        assert_eq!(ratio(10, 1, 4), 3);
        assert_eq!(ratio(10, 1, 3), 3);
        assert_eq!(ratio(-10, 1, 4), -3);
        assert_eq!(ratio(1, 10_000, 3), 3333);
        assert_eq!(ratio(10, 1, -4), -3);
        assert_eq!(ratio(5, 1, 0), 0);
    }

    #[test]
    fn months_are_checked() {
        assert!(check_month(2026, 13).is_err());
        assert!(check_month(1999, 1).is_err());
        assert_eq!(month_range(2028, 2).unwrap().1.day(), 29);
    }

    #[test]
    fn day_totals_keep_goal_reservations_apart() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let cells = vec![
            PlanCell {
                date: d,
                category: "food".into(),
                planned: 100,
                spent: 50,
            },
            PlanCell {
                date: d,
                category: "goal_savings".into(),
                planned: 30,
                spent: 0,
            },
        ];
        let t = day_totals(&cells)[&d];
        assert_eq!(
            (t.planned, t.spent, t.goal, t.has_rows),
            (100, 50, 30, true)
        );
    }
}
