//! `/api/budget/mode` (persisted in `user_budget_settings`) and
//! `/api/budget/redistribution_history`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::money::Money;
use crate::{on_db, on_write};

/// How the user wants the budget to behave (stored; default `default`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BudgetMode {
    #[serde(rename = "strict")]
    Strict,
    #[serde(rename = "flexible")]
    Flexible,
    #[serde(rename = "behavioral")]
    Behavioral,
    /// Answered as `goal` (the app's name); `goal-oriented` is accepted too and is what is stored.
    #[serde(rename = "goal", alias = "goal-oriented")]
    GoalOriented,
    #[default]
    #[serde(rename = "default")]
    Default,
}

impl BudgetMode {
    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetMode::Strict => "strict",
            BudgetMode::Flexible => "flexible",
            BudgetMode::Behavioral => "behavioral",
            BudgetMode::GoalOriented => "goal-oriented",
            BudgetMode::Default => "default",
        }
    }

    /// Parses a stored name (unknown → `default`).
    pub fn parse(s: &str) -> BudgetMode {
        if s == "goal" {
            return BudgetMode::GoalOriented;
        }
        [
            BudgetMode::Strict,
            BudgetMode::Flexible,
            BudgetMode::Behavioral,
            BudgetMode::GoalOriented,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .unwrap_or_default()
    }
}

/// `{mode}` as read and written by the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModeBody {
    pub mode: BudgetMode,
}

/// The user's budget mode (1 query).
pub async fn mode(db: &Db, user: Id) -> Result<ModeBody> {
    let stored: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT budget_mode FROM user_budget_settings WHERE user_id = $1")
        .bind(user).fetch_optional(pool).await)?;
    Ok(ModeBody {
        mode: stored.map(|s| BudgetMode::parse(&s)).unwrap_or_default(),
    })
}

/// Stores the user's budget mode (1 statement, an upsert).
pub async fn set_mode(db: &Db, user: Id, mode: BudgetMode, now: i64) -> Result<ModeBody> {
    on_write!(db, pool => sqlx::query(
        "INSERT INTO user_budget_settings (user_id, budget_mode, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET budget_mode = excluded.budget_mode, updated_at = excluded.updated_at")
        .bind(user).bind(mode.as_str()).bind(now).execute(pool).await.map(|_| ()))?;
    Ok(ModeBody { mode })
}

/// One recorded redistribution (BUDGET.md §5).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RedistributionEvent {
    pub id: Id,
    pub from_category: String,
    pub to_category: String,
    pub amount: Money,
    pub reason: String,
    pub from_day: NaiveDate,
    pub to_day: NaiveDate,
    /// Day of the month of `from_day` (the earliest donor day) and of `to_day` (the overspent
    /// day): the app shows "Day {from} → Day {to}".
    pub from: u32,
    pub to: u32,
    pub created_at: String,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct EventRow {
    id: Id,
    from_category: String,
    to_category: String,
    amount_cents: i64,
    reason: String,
    from_day: NaiveDate,
    to_day: NaiveDate,
    created_at: i64,
}

/// Default and maximum page size of the history.
pub const HISTORY_DEFAULT_LIMIT: i64 = 50;
pub const HISTORY_MAX_LIMIT: i64 = 100;

/// The user's redistribution events, newest first (1 query). `limit` 1–100 (default 50).
pub async fn redistribution_history(
    db: &Db,
    user: Id,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Vec<RedistributionEvent>> {
    let limit = crate::page::limit(limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT)?;
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.offset",
            "range",
            "must not be negative",
        ));
    }
    let rows: Vec<EventRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, from_category, to_category, amount_cents, reason, from_day, to_day, created_at \
         FROM redistribution_events WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3")
        .bind(user).bind(limit).bind(offset).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| RedistributionEvent {
            id: r.id,
            from_category: r.from_category,
            to_category: r.to_category,
            amount: Money::from_cents(r.amount_cents),
            reason: r.reason,
            from_day: r.from_day,
            to_day: r.to_day,
            from: chrono::Datelike::day(&r.from_day),
            to: chrono::Datelike::day(&r.to_day),
            created_at: rfc3339(r.created_at),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_and_unknown_is_default() {
        for m in [
            BudgetMode::Strict,
            BudgetMode::Flexible,
            BudgetMode::Behavioral,
            BudgetMode::GoalOriented,
            BudgetMode::Default,
        ] {
            assert_eq!(BudgetMode::parse(m.as_str()), m);
            let json = serde_json::to_string(&ModeBody { mode: m }).unwrap();
            assert_eq!(serde_json::from_str::<ModeBody>(&json).unwrap().mode, m);
        }
        assert_eq!(BudgetMode::parse("chaotic"), BudgetMode::Default);
        assert!(serde_json::from_str::<ModeBody>(r#"{"mode":"chaotic"}"#).is_err());
    }
}
