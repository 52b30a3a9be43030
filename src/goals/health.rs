//! `GET /api/goals/{id}/health`: is one goal on track? (formulas in docs/goals.md)

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use super::math::{self, expected_bp, progress_bp, projected_completion, required};
use super::{GoalRow, store};
use crate::db::Db;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;

/// The health of one goal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    pub goal_id: Id,
    pub title: String,
    pub status: String,
    /// 0–100.
    pub health_score: i64,
    /// `low` (score ≥ 80), `medium` (≥ 50) or `high`.
    pub risk_level: &'static str,
    pub on_track: bool,
    pub progress: Fixed,
    /// Where progress should be today on a straight line from creation to the target date.
    pub expected_progress: Option<Fixed>,
    pub remaining_amount: Money,
    pub target_date: Option<String>,
    pub days_left: Option<i64>,
    pub months_left: Option<Fixed>,
    /// What to save per month to reach the target by its date (BUDGET.md §6).
    pub required_monthly: Option<Money>,
    pub monthly_contribution: Money,
    /// When the current monthly contribution completes the goal (none without a contribution).
    pub projected_completion_date: Option<String>,
    pub is_overdue: bool,
    pub recommendations: Vec<String>,
}

/// The health of `goal` as of `today` (pure).
pub fn assess(goal: &GoalRow, today: NaiveDate, tz: Tz) -> Health {
    let created = crate::time::local_date(goal.created_at, tz);
    let progress = progress_bp(goal);
    let expected = expected_bp(goal, created, today);
    let need = required(goal, today);
    let contribution = goal.contribution_cents();
    let overdue = goal.is_overdue(today);
    let (score, on_track) = match goal.status.as_str() {
        "completed" => (100, true),
        "cancelled" => (0, false),
        _ => match (expected, need) {
            (Some(expected), Some(need)) => {
                let gap = (expected - progress).max(0);
                let score = (100 - gap * 2 / 100).clamp(0, 100);
                let on_track = !overdue && (contribution >= need || progress >= expected);
                (score, on_track)
            }
            _ => {
                let score = if contribution > 0 {
                    100
                } else {
                    50 + progress / 200
                };
                (score, contribution > 0)
            }
        },
    };
    let risk_level = if score >= 80 {
        "low"
    } else if score >= 50 {
        "medium"
    } else {
        "high"
    };
    let projected = if goal.status == "completed" {
        None
    } else {
        projected_completion(goal, today, contribution)
    };
    let mut recommendations = Vec::new();
    if goal.status == "active" || goal.status == "paused" {
        if let Some(need) = need.filter(|n| *n > contribution) {
            recommendations.push(format!(
                "Save {} a month to reach the target by the target date",
                Money::from_cents(need)
            ));
        }
        if goal.target_date.is_none() && contribution > 0 {
            recommendations
                .push("Set a target date to reserve the money in your daily plan".into());
        }
        if contribution == 0 {
            recommendations.push("Set a monthly contribution".into());
        }
        if overdue {
            recommendations.push("The target date has passed: move it or complete the goal".into());
        }
    }
    let days = math::days_left(goal, today);
    Health {
        goal_id: goal.id,
        title: goal.title.clone(),
        status: goal.status.clone(),
        health_score: score,
        risk_level,
        on_track,
        progress: goal.progress(),
        expected_progress: expected.map(|e| Fixed::new(e, 2)),
        remaining_amount: Money::from_cents(goal.remaining_cents()),
        target_date: goal.target_date.map(|d| d.to_string()),
        days_left: days,
        months_left: days.map(math::months_left),
        required_monthly: need.map(Money::from_cents),
        monthly_contribution: Money::from_cents(contribution),
        projected_completion_date: projected.map(|d| d.to_string()),
        is_overdue: overdue,
        recommendations,
    }
}

/// The health of one of the user's goals (404 for another user's). 1 query.
pub async fn of_goal(db: &Db, user: Id, id: Id, today: NaiveDate, tz: Tz) -> Result<Health> {
    let goal = store::get(db, user, id).await?;
    Ok(assess(&goal, today, tz))
}
