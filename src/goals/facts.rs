//! The user's own data the advisory goal routes are computed from, loaded with a fixed number of
//! queries: the user (income, savings goal), the live goals, the month's plan per category and the
//! last 30 days of spending.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use super::{COLUMNS, GoalRow, math};
use crate::budget::store::month_bounds;
use crate::budget::{PlanCategory, TxCategory};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::money::Money;
use crate::on_db;

/// Planned and spent of one plan category over a month (goal reservations excluded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanSums {
    pub planned_month: i64,
    pub planned_to_date: i64,
    pub spent_to_date: i64,
}

/// Everything the advice is computed from.
#[derive(Clone, Debug)]
pub struct Facts {
    pub today: NaiveDate,
    /// The month the figures are about and its first day.
    pub year: i32,
    pub month: u32,
    /// Monthly income + additional income (cents).
    pub income: i64,
    /// The monthly savings goal from onboarding (cents).
    pub savings_goal: i64,
    /// Live goals, most important first ([`math::importance`]).
    pub goals: Vec<GoalRow>,
    pub plan: BTreeMap<PlanCategory, PlanSums>,
    /// Spending of the last 30 days (today included) per plan category.
    pub spent_30d: BTreeMap<PlanCategory, i64>,
}

impl Facts {
    /// True when the month has plan rows.
    pub fn has_plan(&self) -> bool {
        self.plan.values().any(|s| s.planned_month > 0)
    }

    /// Σ planned of the month over the spendable categories.
    pub fn planned_month(&self) -> i64 {
        self.plan.values().map(|s| s.planned_month).sum()
    }

    /// Active goals, most important first.
    pub fn active(&self) -> impl Iterator<Item = &GoalRow> {
        self.goals.iter().filter(|g| g.status == "active")
    }

    /// The day from which goal needs are reckoned: today, or the month's first day when the
    /// month lies ahead.
    pub fn reference_day(&self) -> NaiveDate {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(self.today);
        first.max(self.today)
    }

    /// Money the month leaves for goals: income − Σ planned spending when the month has a plan,
    /// else the onboarding savings goal.
    pub fn available_for_goals(&self) -> i64 {
        if self.has_plan() {
            (self.income - self.planned_month()).max(0)
        } else {
            self.savings_goal.max(0)
        }
    }

    /// What a goal asks of the month: its required monthly amount when it has a target date,
    /// else its monthly contribution.
    pub fn need(&self, goal: &GoalRow) -> i64 {
        math::required(goal, self.reference_day()).unwrap_or_else(|| goal.contribution_cents())
    }

    /// The categories that may give money up, most discretionary first.
    pub fn flexible_categories() -> [PlanCategory; 4] {
        [
            PlanCategory::Entertainment,
            PlanCategory::Travel,
            PlanCategory::Shopping,
            PlanCategory::Other,
        ]
    }
}

/// One advisory item (the fields that do not apply are left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Advice {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `high`, `medium` or `low`.
    pub priority: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<PlanCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_monthly: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_target_date: Option<String>,
    /// The text the app shows (adjustments and opportunities): the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The goal's monthly contribution today (adjustments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_monthly: Option<Money>,
    /// The goal the money could go to (opportunities): the top goal's title, else a label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_goal: Option<String>,
    /// Money freed per month (opportunities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_contribution: Option<Money>,
    /// What the money could fill (opportunities): the top goal's remaining amount, else a
    /// year of `monthly_contribution`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_amount: Option<Money>,
}

impl Advice {
    /// An item of `kind` with a message and nothing else.
    pub fn new(kind: &'static str, priority: &'static str, message: String) -> Advice {
        Advice {
            kind,
            priority,
            message,
            goal_id: None,
            goal_title: None,
            category: None,
            amount: None,
            suggested_monthly: None,
            suggested_target_date: None,
            reason: None,
            current_monthly: None,
            suggested_goal: None,
            monthly_contribution: None,
            target_amount: None,
        }
    }

    /// About `goal`.
    pub fn goal(mut self, goal: &GoalRow) -> Advice {
        self.goal_id = Some(goal.id);
        self.goal_title = Some(goal.title.clone());
        self
    }

    pub fn amount(mut self, cents: i64) -> Advice {
        self.amount = Some(Money::from_cents(cents));
        self
    }
}

/// Checks `year`/`month` query parameters (default: the user's current month).
pub fn month_of(today: NaiveDate, year: Option<i32>, month: Option<u32>) -> Result<(i32, u32)> {
    let (y, m) = (year.unwrap_or(today.year()), month.unwrap_or(today.month()));
    if !(1..=12).contains(&m) {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.month",
            "range",
            "must be 1 to 12",
        ));
    }
    if !(2000..=2100).contains(&y) {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.year",
            "range",
            "must be 2000 to 2100",
        ));
    }
    Ok((y, m))
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct CategoryRow {
    category: String,
    planned_month: i64,
    planned_to_date: i64,
    spent_to_date: i64,
}

/// Loads the facts of `user` for the month `(year, month)` as of `today`. 4 queries.
pub async fn load(
    db: &Db,
    user: Id,
    today: NaiveDate,
    tz: Tz,
    (year, month): (i32, u32),
) -> Result<Facts> {
    let u = crate::users::by_id(db, user)
        .await?
        .ok_or(Error::NotFound("User"))?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM goals WHERE user_id = $1 AND deleted_at IS NULL"
    ));
    let mut goals: Vec<GoalRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)?;
    goals.sort_by_key(math::importance);
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
    let (first, last) = month_bounds(first);
    let to_date = today.min(last);
    let rows: Vec<CategoryRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT category, CAST(COALESCE(SUM(planned_cents), 0) AS BIGINT) AS planned_month, \
         CAST(COALESCE(SUM(CASE WHEN date <= $4 THEN planned_cents ELSE 0 END), 0) AS BIGINT) AS planned_to_date, \
         CAST(COALESCE(SUM(CASE WHEN date <= $4 THEN spent_cents ELSE 0 END), 0) AS BIGINT) AS spent_to_date \
         FROM daily_plan WHERE user_id = $1 AND date >= $2 AND date <= $3 AND goal_id IS NULL GROUP BY category")
        .bind(user).bind(first).bind(last).bind(to_date).fetch_all(pool).await)?;
    let mut plan = BTreeMap::new();
    for r in rows {
        if let Ok(c) = r.category.parse::<PlanCategory>() {
            let sums = PlanSums {
                planned_month: r.planned_month,
                planned_to_date: r.planned_to_date,
                spent_to_date: r.spent_to_date,
            };
            plan.insert(c, sums);
        }
    }
    let tomorrow = today + chrono::Duration::days(1);
    let start = crate::time::day_start_ms(today - chrono::Duration::days(29), tz);
    let end = crate::time::day_start_ms(tomorrow, tz);
    let by_tx: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT category, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND spent_at >= $2 AND spent_at < $3 GROUP BY category")
        .bind(user).bind(start).bind(end).fetch_all(pool).await)?;
    let mut spent_30d: BTreeMap<PlanCategory, i64> = BTreeMap::new();
    for (category, cents) in by_tx {
        if let Ok(c) = category.parse::<TxCategory>() {
            *spent_30d.entry(c.plan()).or_default() += cents;
        }
    }
    Ok(Facts {
        today,
        year,
        month,
        income: u.monthly_income_cents.unwrap_or(0) + u.additional_income_cents.unwrap_or(0),
        savings_goal: u.savings_goal_cents.unwrap_or(0),
        goals,
        plan,
        spent_30d,
    })
}
