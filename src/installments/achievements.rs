//! `GET /api/installments/achievements`: the habits the installments screen rewards, computed
//! from the user's own installments and calculations (docs/installments.md §7). Nothing is
//! stored: the figures are read each time. 2 queries.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::money::Money;
use crate::on_db;

/// A risky calculation followed by a new installment within this many days was taken, not
/// declined.
pub const DECLINE_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The app's `InstallmentAchievement` (bare).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Achievements {
    /// The user's id (the achievements are one per user).
    pub id: Id,
    pub user_id: Id,
    pub installments_completed: i64,
    pub calculations_performed: i64,
    /// Orange or red calculations not followed by a new installment within 7 days.
    pub calculations_declined: i64,
    /// Days since the latest installment was added (since registration without any).
    pub days_without_new_installment: i64,
    /// The longest such stretch so far (the current one included).
    pub max_days_streak: i64,
    /// Σ interest of the declined calculations.
    pub interest_saved: Money,
    /// `beginner`, `cautious`, `wise` or `master`.
    pub achievement_level: &'static str,
    pub last_calculation_date: Option<String>,
    pub updated_at: String,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Counts {
    completed: i64,
    performed: i64,
    declined: i64,
    interest_saved: i64,
    last_calculation: Option<i64>,
    last_change: Option<i64>,
    registered: i64,
}

/// The level (docs/installments.md §7).
pub fn level(completed: i64, declined: i64, performed: i64, days_without: i64) -> &'static str {
    if completed >= 3 && days_without >= 90 {
        "master"
    } else if declined >= 3 || (completed >= 1 && days_without >= 60) {
        "wise"
    } else if performed >= 1 {
        "cautious"
    } else {
        "beginner"
    }
}

/// (current, longest) stretch in days between `registered`, each installment creation (sorted)
/// and `today`.
pub fn streaks(registered: NaiveDate, created: &[NaiveDate], today: NaiveDate) -> (i64, i64) {
    let mut previous = registered;
    let mut longest = 0;
    for day in created {
        longest = longest.max((*day - previous).num_days());
        previous = previous.max(*day);
    }
    let current = (today - previous).num_days().max(0);
    (current, longest.max(current))
}

/// The caller's achievements as of `now`.
pub async fn get(db: &Db, user: Id, now: i64, tz: Tz) -> Result<Achievements> {
    let counts: Counts = on_db!(db, pool => sqlx::query_as(
        "SELECT \
           (SELECT CAST(COUNT(*) AS BIGINT) FROM installments WHERE user_id = $1 AND deleted_at IS NULL \
              AND status = 'completed') AS completed, \
           (SELECT CAST(COUNT(*) AS BIGINT) FROM installment_calculations WHERE user_id = $1) AS performed, \
           (SELECT CAST(COUNT(*) AS BIGINT) FROM installment_calculations c WHERE c.user_id = $1 \
              AND c.risk_level IN ('orange', 'red') AND NOT EXISTS (SELECT 1 FROM installments i WHERE i.user_id = $1 \
              AND i.created_at >= c.created_at AND i.created_at <= c.created_at + $2)) AS declined, \
           (SELECT CAST(COALESCE(SUM(c.total_interest_cents), 0) AS BIGINT) FROM installment_calculations c \
              WHERE c.user_id = $1 AND c.risk_level IN ('orange', 'red') AND NOT EXISTS (SELECT 1 FROM installments i \
              WHERE i.user_id = $1 AND i.created_at >= c.created_at AND i.created_at <= c.created_at + $2)) AS interest_saved, \
           (SELECT MAX(created_at) FROM installment_calculations WHERE user_id = $1) AS last_calculation, \
           (SELECT MAX(updated_at) FROM installments WHERE user_id = $1) AS last_change, \
           u.created_at AS registered \
         FROM users u WHERE u.id = $1")
        .bind(user).bind(DECLINE_WINDOW_MS).fetch_one(pool).await)?;
    let created: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT created_at FROM installments WHERE user_id = $1 ORDER BY created_at")
        .bind(user).fetch_all(pool).await)?;
    let day = |ms: i64| crate::time::local_date(ms, tz);
    let created: Vec<NaiveDate> = created.into_iter().map(day).collect();
    let (current, longest) = streaks(day(counts.registered), &created, day(now));
    let updated = [
        counts.last_calculation,
        counts.last_change,
        Some(counts.registered),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(now);
    Ok(Achievements {
        id: user,
        user_id: user,
        installments_completed: counts.completed,
        calculations_performed: counts.performed,
        calculations_declined: counts.declined,
        days_without_new_installment: current,
        max_days_streak: longest,
        interest_saved: Money::from_cents(counts.interest_saved),
        achievement_level: level(counts.completed, counts.declined, counts.performed, current),
        last_calculation_date: counts.last_calculation.map(rfc3339),
        updated_at: rfc3339(updated),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn streaks_are_the_gaps_between_new_installments() {
        assert_eq!(streaks(d(1, 1), &[], d(1, 31)), (30, 30));
        assert_eq!(streaks(d(1, 1), &[d(3, 2), d(3, 12)], d(3, 22)), (10, 60));
        assert_eq!(streaks(d(1, 1), &[d(1, 1)], d(1, 1)), (0, 0));
    }

    #[test]
    fn levels_climb_with_completed_installments_declines_and_time() {
        assert_eq!(level(0, 0, 0, 0), "beginner");
        assert_eq!(level(0, 0, 1, 0), "cautious");
        assert_eq!(level(0, 3, 3, 0), "wise");
        assert_eq!(level(1, 0, 0, 60), "wise");
        assert_eq!(level(3, 0, 0, 90), "master");
        assert_eq!(level(3, 0, 0, 89), "wise");
    }
}
