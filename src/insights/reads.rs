//! The remaining `/api/ai/*` reads: the rules of [`super::rules::advice`] over the caller's
//! data (a fixed number of queries each), their text phrased by the LLM when one is configured.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::rules::advice::{
    self, Feedback, GoalAnalysis, MAX_DAYS_AHEAD, Optimization, PREDICTION_DAYS, Profile,
    SavingsOptimization, SpendingPrediction,
};
use super::rules::monthly::BudgetSide;
use super::{Insights, Narrated, Sourced};
use crate::budget::views::Ctx;
use crate::error::{Code, Error, Result};
use crate::goals::health;
use crate::goals::store::{self, ListFilter};
use crate::id::Id;
use crate::insights::behavior::service::{self as behavior, month_start_back, months_back};
use crate::insights::data::days_before;
use crate::money::Money;

/// `POST /api/ai/snapshot?year=&month=`: the month graded by rule A1 and stored.
#[derive(Clone, Debug, Serialize)]
pub struct MonthSnapshot {
    pub year: i32,
    pub month: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// A–F, or `N/A` without a plan or an income.
    pub rating: &'static str,
    /// low, moderate, high, or unknown.
    pub risk: &'static str,
    pub total_spent: Money,
    pub income: Option<Money>,
    pub savings_rate_bp: Option<i64>,
    pub budget: BudgetSide,
    pub summary: String,
}

impl Narrated for MonthSnapshot {
    const KIND: &'static str = "month_snapshot";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

impl Insights {
    /// O1 over the 3 complete months before this one (2 queries).
    async fn optimization_of(&self, ctx: &Ctx) -> Result<Optimization> {
        let this_first = ctx.today.with_day(1).unwrap_or(ctx.today);
        let last = days_before(this_first, 1);
        let all = behavior::spends(&self.db, ctx, month_start_back(ctx.today, 3), last).await?;
        Ok(advice::optimization(
            &all,
            &months_back(month_start_back(last, 0), 3),
        ))
    }

    /// `GET /api/ai/budget-optimization` (O1).
    pub async fn budget_optimization(&self, user: Id) -> Result<Sourced<Optimization>> {
        let ctx = self.ctx(user).await?;
        let o = self.optimization_of(&ctx).await?;
        Ok(self.enrich(user, o, None).await)
    }

    /// `GET /api/ai/savings-optimization` (O2).
    pub async fn savings_optimization(&self, user: Id) -> Result<Sourced<SavingsOptimization>> {
        let ctx = self.ctx(user).await?;
        let o = self.optimization_of(&ctx).await?;
        let s = advice::savings(&o, ctx.monthly_income());
        Ok(self.enrich(user, s, None).await)
    }

    /// `GET /api/ai/spending-prediction?days_ahead=1..365` (SP1).
    pub async fn spending_prediction(
        &self,
        user: Id,
        days_ahead: Option<u32>,
    ) -> Result<Sourced<SpendingPrediction>> {
        let days = days_ahead.unwrap_or(30);
        if !(1..=MAX_DAYS_AHEAD).contains(&days) {
            return Err(Error::invalid(
                Code::Validation2003,
                "query.days_ahead",
                "range",
                "must be 1 to 365",
            ));
        }
        let ctx = self.ctx(user).await?;
        let start = days_before(ctx.today, PREDICTION_DAYS - 1);
        let all = behavior::spends(&self.db, &ctx, start, ctx.today).await?;
        let p = advice::predict_spending(&all, ctx.today, days);
        Ok(self.enrich(user, p, None).await)
    }

    /// `GET /api/ai/personalized-feedback?year=&month=` (F1).
    pub async fn personalized_feedback(
        &self,
        user: Id,
        year: Option<i32>,
        month: Option<u32>,
    ) -> Result<Sourced<Feedback>> {
        let ctx = self.ctx(user).await?;
        let (year, month) = ctx.month(year, month)?;
        let (f, p, t) = behavior::month(&self.db, &ctx, year, month).await?;
        let fb = advice::feedback(&f, &p, &t);
        Ok(self.enrich(user, fb, None).await)
    }

    /// `GET /api/ai/profile?year=&month=` (FP1).
    pub async fn profile(
        &self,
        user: Id,
        year: Option<i32>,
        month: Option<u32>,
    ) -> Result<Sourced<Profile>> {
        let ctx = self.ctx(user).await?;
        let (year, month) = ctx.month(year, month)?;
        let (f, _, t) = behavior::month(&self.db, &ctx, year, month).await?;
        let p = advice::profile(&f, &t, ctx.monthly_income());
        Ok(self.enrich(user, p, None).await)
    }

    /// `GET /api/ai/goal-analysis?goal_id=` (G1): one goal (404 when it is not the caller's)
    /// or every active goal (at most 100).
    pub async fn goal_analysis(&self, user: Id, goal: Option<Id>) -> Result<Sourced<GoalAnalysis>> {
        let ctx = self.ctx(user).await?;
        let rows = match goal {
            Some(id) => vec![store::get(&self.db, user, id).await?],
            None => {
                let filter = ListFilter {
                    status: Some("active".to_string()),
                    category: None,
                    limit: 100,
                    skip: 0,
                };
                store::list(&self.db, user, &filter).await?
            }
        };
        let healths = rows
            .iter()
            .map(|g| health::assess(g, ctx.today, ctx.tz))
            .collect();
        let a = advice::goal_analysis(goal.map(|g| g.to_string()), healths);
        Ok(self.enrich(user, a, None).await)
    }

    /// `POST /api/ai/snapshot?year=&month=` (A1): grades the month and stores it as a
    /// `month_snapshot` (listed first by `/api/ai/latest-snapshots` afterwards).
    pub async fn month_snapshot(
        &self,
        user: Id,
        year: Option<i32>,
        month: Option<u32>,
    ) -> Result<Sourced<MonthSnapshot>> {
        let ctx = self.ctx(user).await?;
        let r = self.month_report(&ctx, year, month).await?;
        let (rating, risk) = advice::grade(&r);
        let days = advice::planned_days(&r);
        let summary = if days > 0 {
            format!(
                "{rating}: {} of {days} day(s) within the plan; {} spent.",
                r.budget.days_green, r.total_spent
            )
        } else if let Some(rate) = r.savings_rate_bp {
            format!(
                "{rating}: {} spent, {}% of the income left.",
                r.total_spent,
                crate::budget::views::ratio(rate, 1, 100)
            )
        } else {
            format!(
                "{} spent; no plan or income to grade the month against.",
                r.total_spent
            )
        };
        let snap = MonthSnapshot {
            year: r.year,
            month: r.month,
            period_start: r.period_start,
            period_end: r.period_end,
            rating,
            risk,
            total_spent: r.total_spent,
            income: r.income,
            savings_rate_bp: r.savings_rate_bp,
            budget: r.budget.clone(),
            summary,
        };
        let answer = self.enrich(user, snap, None).await;
        self.keep(
            user,
            &answer,
            (answer.body.period_start, answer.body.period_end),
            Some((rating, risk)),
        )
        .await?;
        Ok(answer)
    }
}
