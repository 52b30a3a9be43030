//! What the calculator, the summary's load and the evaluations know about the caller's money:
//! income, the onboarding plan, the financial profile and the active installments
//! (docs/installments.md §3). Read in a fixed number of queries.

use sqlx::types::Json;

use super::profile::{self, ProfileRow};
use super::{COLUMNS, InstallmentRow};
use crate::budget::allocation::BudgetPlan;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::on_db;

/// The caller's figures.
#[derive(Clone, Debug)]
pub struct Context {
    /// `users.monthly_income + additional_income` (cents), when known.
    pub user_income: Option<i64>,
    /// The onboarding plan (BUDGET.md §2), when the user onboarded.
    pub plan: Option<BudgetPlan>,
    pub profile: Option<ProfileRow>,
    /// The user's live installments (every status), oldest first.
    pub installments: Vec<InstallmentRow>,
    pub user_created_at: i64,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct UserFigures {
    monthly_income_cents: Option<i64>,
    additional_income_cents: Option<i64>,
    created_at: i64,
    budget_plan: Option<Json<BudgetPlan>>,
}

/// Loads the context. 3 queries (user and plan, profile, installments).
pub async fn load(db: &Db, user: Id) -> Result<Context> {
    let figures: Option<UserFigures> = on_db!(db, pool => sqlx::query_as(
        "SELECT u.monthly_income_cents, u.additional_income_cents, u.created_at, o.budget_plan \
         FROM users u LEFT JOIN onboarding_answers o ON o.user_id = u.id WHERE u.id = $1")
        .bind(user).fetch_optional(pool).await)?;
    let profile = profile::get(db, user).await?;
    let installments = live(db, user).await?;
    let (user_income, plan, user_created_at) = match figures {
        Some(f) => {
            let income = match (f.monthly_income_cents, f.additional_income_cents) {
                (None, None) => None,
                (m, a) => Some(m.unwrap_or(0) + a.unwrap_or(0)),
            };
            (income, f.budget_plan.map(|p| p.0), f.created_at)
        }
        None => (None, None, 0),
    };
    Ok(Context {
        user_income,
        plan,
        profile,
        installments,
        user_created_at,
    })
}

/// The user's live installments (every status), oldest first. 1 query.
pub async fn live(db: &Db, user: Id) -> Result<Vec<InstallmentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM installments WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
    ));
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)?)
}

/// Where a figure came from (answered next to the figures, so the app can say so).
pub type Source = &'static str;

impl Context {
    /// Monthly income: the one sent (above 0), else the profile's (above 0), else the user's.
    pub fn income(&self, sent: Option<i64>) -> Option<(i64, Source)> {
        if let Some(i) = sent.filter(|i| *i > 0) {
            return Some((i, "request"));
        }
        if let Some(i) = self
            .profile
            .as_ref()
            .and_then(|p| p.monthly_income_cents)
            .filter(|i| *i > 0)
        {
            return Some((i, "profile"));
        }
        self.user_income.filter(|i| *i > 0).map(|i| (i, "account"))
    }

    /// Other monthly obligations: the ones sent (above 0), else the profile's, else the plan's
    /// fixed expenses, else 0.
    pub fn obligations(&self, sent: Option<i64>) -> i64 {
        if let Some(o) = sent.filter(|o| *o > 0) {
            return o;
        }
        if let Some(o) = self.profile.as_ref().and_then(ProfileRow::obligations) {
            return o;
        }
        self.plan
            .as_ref()
            .map_or(0, |p| p.fixed_expenses_total.cents())
    }

    /// What the month already commits before any installment: the onboarding plan's fixed
    /// expenses, savings and category allocations (`total_income − unallocated`), else the
    /// obligations.
    pub fn committed(&self, obligations: i64) -> i64 {
        match &self.plan {
            Some(p) => p.total_income.cents() - p.unallocated.cents(),
            None => obligations,
        }
    }

    /// The monthly money left for installments: `income − committed` (docs/installments.md §3).
    pub fn capacity(&self, income: i64, obligations: i64) -> i64 {
        income - self.committed(obligations)
    }

    /// The capacity from the known income and obligations (none without an income).
    pub fn plan_capacity(&self) -> Option<i64> {
        self.income(None)
            .map(|(income, _)| self.capacity(income, self.obligations(None)))
    }

    /// Active installments: how many, and what they cost a month together (optionally leaving
    /// one out).
    pub fn active_load(&self, except: Option<Id>) -> (i64, i64) {
        let active = self
            .installments
            .iter()
            .filter(|i| i.status == "active" && Some(i.id) != except);
        active.fold((0, 0), |(n, sum), i| (n + 1, sum + i.monthly_cents()))
    }

    /// The current balance: the one sent, else the profile's.
    pub fn balance(&self, sent: Option<i64>) -> Option<i64> {
        sent.or_else(|| self.profile.as_ref().and_then(|p| p.current_balance_cents))
    }
}
