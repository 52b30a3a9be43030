//! Savings goals (API.md "Goals"): the goal object, its state machine, savings and transfers,
//! reservations in the daily plan (BUDGET.md §6, see `plan::goals`) and the advisory
//! figures — every amount in integer cents, every figure deterministic for the same data.
//!
//! Soft-deleted goals (`deleted_at` set) are invisible everywhere: lists, statistics, the
//! dashboard summary ([`summary`]) and every `{id}` route (404).

pub mod advice;
pub mod budget;
pub mod facts;
pub mod health;
pub mod input;
pub mod math;
pub mod savings;
pub mod state;
pub mod store;
pub mod suggestions;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use crate::clock::{Clock, rfc3339};
use crate::db::Db;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::metrics::Metrics;
use crate::money::Money;

/// The goal categories the app offers.
pub const CATEGORIES: [&str; 10] = [
    "Savings",
    "Travel",
    "Emergency",
    "Technology",
    "Education",
    "Health",
    "Home",
    "Vehicle",
    "Investment",
    "Other",
];

/// Largest target or saved amount of one goal (100,000,000.00).
pub const MAX_GOAL_CENTS: i64 = 10_000_000_000;

pub(crate) use crate::plan::goals::COLUMNS;
use crate::plan::goals::GoalRow;

/// The goal object the app reads (API.md "Goals"); `current_amount` and `deadline` are the
/// aliases the app uses for `saved_amount` and `target_date`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GoalView {
    pub id: Id,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub target_amount: Money,
    pub saved_amount: Money,
    pub current_amount: Money,
    pub monthly_contribution: Money,
    pub status: String,
    pub progress: Fixed,
    pub target_date: Option<String>,
    pub deadline: Option<String>,
    pub created_at: String,
    pub last_updated: String,
    pub completed_at: Option<String>,
    pub priority: String,
    pub remaining_amount: Money,
    pub is_completed: bool,
    pub is_overdue: bool,
}

impl GoalView {
    /// The view of a row as of the user's `today`.
    pub fn of(row: &GoalRow, today: NaiveDate) -> GoalView {
        let date = row.target_date.map(|d| d.to_string());
        GoalView {
            id: row.id,
            title: row.title.clone(),
            description: row.description.clone(),
            category: row.category.clone(),
            target_amount: Money::from_cents(row.target_amount_cents),
            saved_amount: Money::from_cents(row.saved_amount_cents),
            current_amount: Money::from_cents(row.saved_amount_cents),
            monthly_contribution: Money::from_cents(row.contribution_cents()),
            status: row.status.clone(),
            progress: row.progress(),
            target_date: date.clone(),
            deadline: date,
            created_at: rfc3339(row.created_at),
            last_updated: rfc3339(row.updated_at),
            completed_at: row.completed_at.map(rfc3339),
            priority: row.priority.clone(),
            remaining_amount: Money::from_cents(row.remaining_cents()),
            is_completed: row.status == "completed",
            is_overdue: row.is_overdue(today),
        }
    }
}

/// Who changes goals, and when "today" is for them.
pub struct GoalCtx<'a> {
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub metrics: &'a Metrics,
    pub user: Id,
    pub tz: Tz,
    /// The request id written into stored (idempotent) answers.
    pub request_id: &'a str,
}

impl GoalCtx<'_> {
    /// Now (epoch ms) and the user's local today.
    pub fn now(&self) -> (i64, NaiveDate) {
        let now = self.clock.now_ms();
        (now, crate::time::local_date(now, self.tz))
    }
}

/// `goals_summary` of the dashboard: active goals, those at ≥ 80 % and those past their date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GoalsSummary {
    pub total_active: i64,
    pub near_completion: i64,
    pub overdue: i64,
}

/// The dashboard's goal summary as of `today` (soft-deleted goals excluded). 1 query.
pub async fn summary(db: &Db, user: Id, today: NaiveDate) -> Result<GoalsSummary> {
    let s = store::statistics(db, user, today).await?;
    Ok(GoalsSummary {
        total_active: s.active_goals,
        near_completion: s.near_completion,
        overdue: s.overdue_goals,
    })
}

#[cfg(test)]
mod tests;
