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
    /// Dated: not overdue and the projected completion is not after the target date; undated:
    /// a contribution is set; completed: true; cancelled: false.
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
    /// When the current monthly contribution completes the goal at a steady rate (none without
    /// a contribution, for a completed goal, or beyond 100 years).
    pub projected_completion_date: Option<String>,
    /// The same as `projected_completion_date` (the name the app reads).
    pub predicted_completion_date: Option<String>,
    pub is_overdue: bool,
    /// What the figures say, in sentences (see [`insights`]).
    pub insights: Vec<String>,
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
    let projected = if goal.status == "completed" {
        None
    } else {
        projected_completion(goal, today, contribution)
    };
    let (score, on_track) = match goal.status.as_str() {
        "completed" => (100, true),
        "cancelled" => (0, false),
        _ => match (expected, goal.target_date) {
            (Some(expected), Some(target)) => {
                let gap = (expected - progress).max(0);
                let score = (100 - gap * 2 / 100).clamp(0, 100);
                // On track when the current contribution finishes by the target date.
                let on_track = !overdue && projected.is_some_and(|p| p <= target);
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
    let mut health = Health {
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
        predicted_completion_date: projected.map(|d| d.to_string()),
        is_overdue: overdue,
        insights: Vec::new(),
        recommendations,
    };
    health.insights = insights(&health, goal, projected);
    health
}

/// The health in sentences, in a fixed order (docs/goals.md §4): the status of a finished goal,
/// else what is saved, the time left, progress against the schedule, the monthly amounts and
/// when the contribution finishes the goal.
pub fn insights(h: &Health, goal: &GoalRow, projected: Option<NaiveDate>) -> Vec<String> {
    match h.status.as_str() {
        "completed" => return vec!["Goal completed.".into()],
        "cancelled" => return vec!["Goal cancelled.".into()],
        _ => {}
    }
    let mut out = vec![format!(
        "You have saved {}% of {}: {} to go.",
        h.progress,
        Money::from_cents(goal.target_amount_cents),
        h.remaining_amount
    )];
    if let (Some(target), Some(days)) = (&h.target_date, h.days_left) {
        if h.is_overdue {
            out.push(format!(
                "The target date {target} passed {} days ago.",
                -days
            ));
        } else if let Some(months) = h.months_left {
            out.push(format!(
                "{days} days ({months} months) left until {target}."
            ));
        }
    }
    if let Some(expected) = h.expected_progress {
        let gap = h.progress.units() - expected.units();
        let schedule = match gap {
            1.. => format!("You are {} points ahead of schedule", Fixed::new(gap, 2)),
            0 => "You are on schedule".to_string(),
            _ => format!("You are {} points behind schedule", Fixed::new(-gap, 2)),
        };
        out.push(format!("{schedule} ({expected}% expected by today)."));
    }
    if let Some(required) = h.required_monthly.filter(|_| !h.is_overdue) {
        out.push(format!(
            "You save {} a month; {required} a month reaches the target on time.",
            h.monthly_contribution
        ));
    }
    match projected {
        _ if goal.remaining_cents() == 0 => {
            out.push("The target amount is reached: mark the goal completed.".into());
        }
        Some(p) => {
            let when = match goal.target_date {
                Some(t) if p > t => format!(" — {} days after the target date", (p - t).num_days()),
                Some(_) => " — on time".to_string(),
                None => String::new(),
            };
            out.push(format!(
                "At {} a month you finish on {p}{when}.",
                h.monthly_contribution
            ));
        }
        None if goal.contribution_cents() > 0 => out.push(format!(
            "At {} a month the goal takes more than 100 years.",
            h.monthly_contribution
        )),
        None => out.push("Without a monthly contribution there is no completion date.".into()),
    }
    out
}

/// The health of one of the user's goals (404 for another user's). 1 query.
pub async fn of_goal(db: &Db, user: Id, id: Id, today: NaiveDate, tz: Tz) -> Result<Health> {
    let goal = store::get(db, user, id).await?;
    Ok(assess(&goal, today, tz))
}
