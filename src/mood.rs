//! Moods (docs/mood.md): one mood per user and user-local day, 1 (very sad) to 5 (great), the
//! last write of a day wins. Insights read them with [`between`].

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::{on_db, on_write};

/// The lowest and highest mood (the app's slider).
pub const MOODS: std::ops::RangeInclusive<i64> = 1..=5;

/// The longest range one read may cover, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// A mood as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct MoodRow {
    pub id: Id,
    pub date: NaiveDate,
    pub mood: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The mood object of the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoodView {
    pub id: Id,
    pub date: String,
    pub mood: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&MoodRow> for MoodView {
    fn from(r: &MoodRow) -> MoodView {
        MoodView {
            id: r.id,
            date: r.date.to_string(),
            mood: r.mood,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// Body of `POST /api/mood`: `{mood: 1..5, date?}` (the app sends its local clock as a naive
/// date-time). Kept as JSON values so a wrong type is reported on the field.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoodInput {
    /// Required: a whole number from 1 to 5.
    #[cfg_attr(feature = "openapi", schema(value_type = i32))]
    pub mood: Option<Value>,
    /// A date or a date-time (a naive one is the caller's local time); default today, never
    /// after today.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub date: Option<Value>,
}

impl MoodInput {
    /// The checked mood and day (default today; never after today).
    pub fn check(&self, today: NaiveDate, tz: Tz) -> Result<(i32, NaiveDate)> {
        let mood = match &self.mood {
            None | Some(Value::Null) => {
                return Err(Error::invalid(
                    Code::Validation2001,
                    "body.mood",
                    "missing",
                    "field required",
                ));
            }
            Some(v) => v
                .as_i64()
                .filter(|m| MOODS.contains(m))
                .and_then(|m| i32::try_from(m).ok())
                .ok_or_else(|| {
                    Error::invalid(
                        Code::Validation2003,
                        "body.mood",
                        "range",
                        "must be a whole number from 1 to 5",
                    )
                })?,
        };
        let day = match &self.date {
            None | Some(Value::Null) => today,
            Some(Value::String(text)) => crate::time::parse_day(text, "body.date", tz)?,
            Some(_) => {
                return Err(Error::invalid(
                    Code::Validation2007,
                    "body.date",
                    "type",
                    "must be a date or a date-time string",
                ));
            }
        };
        if day > today {
            return Err(Error::invalid(
                Code::Validation2007,
                "body.date",
                "range",
                "must not be after today",
            ));
        }
        Ok((mood, day))
    }
}

const COLUMNS: &str = "id, date, mood, created_at, updated_at";

/// Records the mood of `day` (replacing that day's earlier one). Returns the row and whether it
/// is new. 1 statement.
pub async fn record(
    db: &Db,
    user: Id,
    mood: i32,
    day: NaiveDate,
    now: i64,
) -> Result<(MoodRow, bool)> {
    let id = Id::new();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO moods (id, user_id, date, mood, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (user_id, date) DO UPDATE SET mood = excluded.mood, updated_at = excluded.updated_at \
         RETURNING {COLUMNS}"
    ));
    let row: MoodRow = on_write!(db, pool => sqlx::query_as(sql).bind(id).bind(user).bind(day)
        .bind(mood).bind(now).fetch_one(pool).await)?;
    let created = row.id == id;
    Ok((row, created))
}

/// The user's moods from `start` to `end` (both included), oldest first. 1 query.
pub async fn between(db: &Db, user: Id, start: NaiveDate, end: NaiveDate) -> Result<Vec<MoodRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM moods WHERE user_id = $1 AND date >= $2 AND date <= $3 ORDER BY date"
    ));
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(start).bind(end).fetch_all(pool).await)?,
    )
}

/// The range of `GET /api/mood`: `end` defaults to today, `start` to 29 days before `end`;
/// `start ≤ end` and at most [`MAX_RANGE_DAYS`] days.
pub fn range(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate)> {
    let end = end.unwrap_or(today);
    let start = start.unwrap_or(end - Duration::days(29));
    if start > end {
        return Err(Error::invalid(
            Code::Validation2007,
            "query.start_date",
            "range",
            "must not be after end_date",
        ));
    }
    if (end - start).num_days() >= MAX_RANGE_DAYS {
        return Err(Error::invalid(
            Code::Validation2007,
            "query.start_date",
            "range",
            "the range must be at most 366 days",
        ));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_mood_is_a_whole_number_from_one_to_five_on_a_day_not_after_today() {
        let today = day("2026-12-05");
        let tz = chrono_tz::UTC;
        let ok = MoodInput {
            mood: Some(json!(4)),
            date: Some(json!("2026-12-05T23:10:00.000")),
        };
        assert_eq!(ok.check(today, tz).unwrap(), (4, today));
        for bad in [json!(0), json!(6), json!(2.5), json!("3"), json!(true)] {
            let input = MoodInput {
                mood: Some(bad),
                date: None,
            };
            assert!(input.check(today, tz).is_err());
        }
        let future = MoodInput {
            mood: Some(json!(3)),
            date: Some(json!("2026-12-06")),
        };
        assert!(future.check(today, tz).is_err());
    }

    #[test]
    fn the_default_range_is_the_last_thirty_days() {
        let today = day("2026-12-05");
        assert_eq!(
            range(None, None, today).unwrap(),
            (day("2026-11-06"), today)
        );
        assert!(range(Some(day("2026-12-06")), None, today).is_err());
        assert!(range(Some(day("2025-01-01")), None, today).is_err());
    }
}
