//! Habits (API.md "Habits"): a habit, its completions (one per user-local day at most) and the
//! streaks and rates computed from them in the user's timezone ([`streaks`]).

pub mod completions;
pub mod streaks;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::input::nullable;
use crate::{on_db, on_write};
use streaks::Frequency;

/// A habit as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct HabitRow {
    pub id: Id,
    pub user_id: Id,
    pub title: String,
    pub description: Option<String>,
    pub target_frequency: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, user_id, title, description, target_frequency, created_at, updated_at";

/// The habit object the app reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HabitView {
    pub id: Id,
    pub title: String,
    pub description: Option<String>,
    pub target_frequency: String,
    pub created_at: String,
    pub current_streak: i64,
    pub longest_streak: i64,
    /// Percent of the last 30 days' periods with a completion.
    pub completion_rate: Fixed,
    /// Every completion day, oldest first.
    pub completed_dates: Vec<String>,
}

impl HabitView {
    /// The view of a habit with its completion dates (sorted), as of the user's `today`.
    pub fn of(row: &HabitRow, dates: &[NaiveDate], today: NaiveDate) -> HabitView {
        let freq = Frequency::parse(&row.target_frequency).unwrap_or(Frequency::Daily);
        let (current, longest) = streaks::streaks(dates, today, freq);
        HabitView {
            id: row.id,
            title: row.title.clone(),
            description: row.description.clone(),
            target_frequency: row.target_frequency.clone(),
            created_at: rfc3339(row.created_at),
            current_streak: current,
            longest_streak: longest,
            completion_rate: streaks::rate_30_days(dates, today, freq),
            completed_dates: dates.iter().map(NaiveDate::to_string).collect(),
        }
    }
}

/// Body of `POST /api/habits` (title required) and `PATCH /api/habits/{id}` (any field).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HabitInput {
    /// Required on create.
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// daily (default), weekly, monthly.
    pub target_frequency: Option<String>,
}

struct Checked {
    title: Option<String>,
    description: Option<Option<String>>,
    frequency: Option<Frequency>,
}

impl HabitInput {
    fn check(&self, create: bool) -> Result<Checked> {
        let mut errors = Vec::new();
        let title = match &self.title {
            Some(t)
                if !t.trim().is_empty()
                    && t.trim().chars().count() <= 200
                    && !t.chars().any(char::is_control) =>
            {
                Some(t.trim().to_string())
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "body.title",
                    "length",
                    "must be 1 to 200 printable characters",
                ));
                None
            }
            None if create => {
                errors.push(FieldError::new("body.title", "missing", "field required"));
                None
            }
            None => None,
        };
        let description = match &self.description {
            Some(Some(d)) if d.chars().count() > 1000 => {
                errors.push(FieldError::new(
                    "body.description",
                    "length",
                    "must be at most 1000 characters",
                ));
                None
            }
            Some(d) => Some(d.as_ref().map(|d| d.trim().to_string())),
            None => None,
        };
        let frequency = match self.target_frequency.as_deref().map(Frequency::parse) {
            Some(Some(f)) => Some(f),
            Some(None) => {
                errors.push(FieldError::new(
                    "body.target_frequency",
                    "enum",
                    "must be daily, weekly or monthly",
                ));
                None
            }
            None => None,
        };
        if errors.is_empty() {
            Ok(Checked {
                title,
                description,
                frequency,
            })
        } else {
            Err(Error::Validation {
                code: Code::Validation2001,
                message: "Request validation failed".into(),
                fields: errors,
            })
        }
    }
}

/// `POST /api/habits`. 1 statement.
pub async fn create(db: &Db, user: Id, input: &HabitInput, now: i64) -> Result<HabitRow> {
    let c = input.check(true)?;
    let title = c
        .title
        .ok_or_else(|| Error::Internal("checked habit lacks a title".into()))?;
    let frequency = c.frequency.unwrap_or(Frequency::Daily);
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO habits (id, user_id, title, description, target_frequency, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
    ));
    Ok(
        on_write!(db, pool => sqlx::query_as(sql).bind(Id::new()).bind(user).bind(&title).bind(c.description.flatten())
        .bind(frequency.as_str()).bind(now).fetch_one(pool).await)?,
    )
}

/// `PATCH /api/habits/{id}` (404 for another user's habit). 1 statement.
pub async fn update(db: &Db, user: Id, id: Id, input: &HabitInput, now: i64) -> Result<HabitRow> {
    let c = input.check(false)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE habits SET title = COALESCE($3, title), description = CASE WHEN $4 THEN $5 ELSE description END, \
         target_frequency = COALESCE($6, target_frequency), updated_at = $7 WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}"
    ));
    let set_description = c.description.is_some();
    let row: Option<HabitRow> = on_write!(db, pool => sqlx::query_as(sql).bind(id).bind(user).bind(&c.title)
        .bind(set_description).bind(c.description.flatten()).bind(c.frequency.map(Frequency::as_str)).bind(now)
        .fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("Habit"))
}

/// `DELETE /api/habits/{id}`: the habit and its completions. 1 statement.
pub async fn delete(db: &Db, user: Id, id: Id) -> Result<()> {
    let n = on_write!(db, pool => sqlx::query("DELETE FROM habits WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user).execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound("Habit"));
    }
    Ok(())
}

/// One habit of the user (404 otherwise). 1 query.
pub async fn get(db: &Db, user: Id, id: Id) -> Result<HabitRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM habits WHERE id = $1 AND user_id = $2"
    ));
    let row: Option<HabitRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("Habit"))
}

/// A page of the user's habits (oldest first) with their completions. 2 queries.
pub async fn list(
    db: &Db,
    user: Id,
    limit: i64,
    skip: i64,
    today: NaiveDate,
) -> Result<Vec<HabitView>> {
    let (limit, skip) = (limit.clamp(1, 100), skip.max(0));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM habits WHERE user_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"
    ));
    let habits: Vec<HabitRow> = on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(limit).bind(skip).fetch_all(pool).await)?;
    let done: Vec<(Id, NaiveDate)> = on_db!(db, pool => sqlx::query_as(
        "SELECT habit_id, date FROM habit_completions WHERE user_id = $1 AND habit_id IN \
         (SELECT id FROM habits WHERE user_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3) ORDER BY habit_id, date")
        .bind(user).bind(limit).bind(skip).fetch_all(pool).await)?;
    let mut by_habit: BTreeMap<Id, Vec<NaiveDate>> = BTreeMap::new();
    for (habit, date) in done {
        by_habit.entry(habit).or_default().push(date);
    }
    Ok(habits
        .iter()
        .map(|h| {
            HabitView::of(
                h,
                by_habit.get(&h.id).map(Vec::as_slice).unwrap_or_default(),
                today,
            )
        })
        .collect())
}

/// One habit's view (404 for another user's). 2 queries.
pub async fn view(db: &Db, user: Id, id: Id, today: NaiveDate) -> Result<HabitView> {
    let row = get(db, user, id).await?;
    let dates = completions::dates(db, user, id).await?;
    Ok(HabitView::of(&row, &dates, today))
}
