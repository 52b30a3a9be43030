//! Habit completions: at most one per (habit, user-local day) — completing twice on one day
//! counts once — and the progress of a habit over a date range.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::streaks::{self, Frequency};
use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::{on_db, on_tx};

/// `{date}` from the JSON body (the app) or the query string.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DateInput {
    pub date: Option<String>,
}

impl DateInput {
    /// The day meant: a date or a date-time (taken in the user's timezone), default today; never
    /// after today.
    pub fn day(&self, today: NaiveDate, tz: Tz) -> Result<NaiveDate> {
        let Some(text) = self.date.as_deref() else {
            return Ok(today);
        };
        let day = crate::time::parse_day(text, "body.date", tz)?;
        if day > today {
            return Err(Error::invalid(
                Code::Validation2007,
                "body.date",
                "range",
                "must not be after today",
            ));
        }
        Ok(day)
    }
}

/// The answer of completing or uncompleting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompletionAnswer {
    /// `completed` / `already_completed` / `uncompleted` / `not_completed`.
    pub status: &'static str,
    pub habit_id: Id,
    pub date: String,
    pub completed_at: Option<String>,
}

async fn owned(tx: &mut crate::db::Tx, user: Id, habit: Id) -> Result<()> {
    let found: Option<i32> = on_tx!(tx, conn => sqlx::query_scalar("SELECT 1 FROM habits WHERE id = $1 AND user_id = $2")
        .bind(habit).bind(user).fetch_optional(&mut *conn).await)?;
    found.map(|_| ()).ok_or(Error::NotFound("Habit"))
}

/// Marks `day` done (idempotent: a second call answers `already_completed` and changes nothing).
pub async fn complete(
    db: &Db,
    user: Id,
    habit: Id,
    day: NaiveDate,
    now: i64,
) -> Result<CompletionAnswer> {
    let mut tx = db.begin().await?;
    owned(&mut tx, user, habit).await?;
    let inserted: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "INSERT INTO habit_completions (id, habit_id, user_id, date, completed_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (habit_id, date) DO NOTHING RETURNING completed_at")
        .bind(Id::new()).bind(habit).bind(user).bind(day).bind(now).fetch_optional(&mut *conn).await)?;
    let (status, at) = match inserted {
        Some(at) => ("completed", at),
        None => {
            let at: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
                "SELECT completed_at FROM habit_completions WHERE habit_id = $1 AND date = $2")
                .bind(habit).bind(day).fetch_one(&mut *conn).await)?;
            ("already_completed", at)
        }
    };
    tx.commit().await?;
    Ok(CompletionAnswer {
        status,
        habit_id: habit,
        date: day.to_string(),
        completed_at: Some(rfc3339(at)),
    })
}

/// Removes the completion of `day` (`not_completed` when there was none).
pub async fn uncomplete(db: &Db, user: Id, habit: Id, day: NaiveDate) -> Result<CompletionAnswer> {
    let mut tx = db.begin().await?;
    owned(&mut tx, user, habit).await?;
    let n = on_tx!(&mut tx, conn => sqlx::query("DELETE FROM habit_completions WHERE habit_id = $1 AND user_id = $2 AND date = $3")
        .bind(habit).bind(user).bind(day).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    let status = if n > 0 {
        "uncompleted"
    } else {
        "not_completed"
    };
    Ok(CompletionAnswer {
        status,
        habit_id: habit,
        date: day.to_string(),
        completed_at: None,
    })
}

/// Every completion day of one habit, oldest first. 1 query.
pub async fn dates(db: &Db, user: Id, habit: Id) -> Result<Vec<NaiveDate>> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT date FROM habit_completions WHERE habit_id = $1 AND user_id = $2 ORDER BY date")
        .bind(habit).bind(user).fetch_all(pool).await)?)
}

/// `GET /api/habits/{id}/progress`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub habit_id: Id,
    pub start_date: String,
    pub end_date: String,
    pub total_completions: i64,
    /// A fraction 0–1 (four decimals), as the app expects here.
    pub completion_rate: Fixed,
    pub current_streak: i64,
    pub completion_dates: Vec<String>,
}

/// Progress over `start..=end` (at most 366 days; default the last 30 days). 2 queries.
pub async fn progress(
    db: &Db,
    user: Id,
    habit: Id,
    range: (Option<NaiveDate>, Option<NaiveDate>),
    today: NaiveDate,
) -> Result<Progress> {
    let end = range.1.unwrap_or(today);
    let start = range.0.unwrap_or(end - chrono::Duration::days(29));
    if start > end || (end - start).num_days() > 366 {
        return Err(Error::invalid(
            Code::Validation2007,
            "query.start_date",
            "range",
            "must be on or before end_date, at most 366 days apart",
        ));
    }
    let row = super::get(db, user, habit).await?;
    let all = dates(db, user, habit).await?;
    let freq = Frequency::parse(&row.target_frequency).unwrap_or(Frequency::Daily);
    let in_range: Vec<NaiveDate> = all
        .iter()
        .copied()
        .filter(|d| *d >= start && *d <= end)
        .collect();
    let (done, expected) = streaks::coverage(&in_range, start, end, freq);
    Ok(Progress {
        habit_id: habit,
        start_date: start.to_string(),
        end_date: end.to_string(),
        total_completions: i64::try_from(in_range.len()).unwrap_or(0),
        completion_rate: Fixed::fraction_capped(done, expected),
        current_streak: streaks::streaks(&all, today, freq).0,
        completion_dates: in_range.iter().map(NaiveDate::to_string).collect(),
    })
}
