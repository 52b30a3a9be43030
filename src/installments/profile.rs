//! The financial profile of the installment calculator (`/api/installments/profile`): one per
//! user, replaced by each `POST`, read by the calculator when the app sends no figures.

use serde::Serialize;

use super::InstallmentCtx;
use super::input::{Profile, ProfileInput};
use crate::budget::store::lock_user;
use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::money::Money;
use crate::{on_db, on_tx};

/// The columns of [`ProfileRow`], in order.
pub(crate) const COLUMNS: &str = "id, user_id, monthly_income_cents, current_balance_cents, age_group, credit_card_debt_cents, \
    credit_card_payment_cents, other_loans_payment_cents, rent_payment_cents, subscriptions_payment_cents, planning_mortgage, \
    created_at, updated_at";

/// A stored profile.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct ProfileRow {
    pub id: Id,
    pub user_id: Id,
    pub monthly_income_cents: Option<i64>,
    pub current_balance_cents: Option<i64>,
    pub age_group: Option<String>,
    pub credit_card_debt_cents: Option<i64>,
    pub credit_card_payment_cents: Option<i64>,
    pub other_loans_payment_cents: Option<i64>,
    pub rent_payment_cents: Option<i64>,
    pub subscriptions_payment_cents: Option<i64>,
    pub planning_mortgage: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProfileRow {
    /// Σ of the monthly obligations the profile knows (card, loans, rent, subscriptions), or
    /// `None` when it knows none of them.
    pub fn obligations(&self) -> Option<i64> {
        let parts = [
            self.credit_card_payment_cents,
            self.other_loans_payment_cents,
            self.rent_payment_cents,
            self.subscriptions_payment_cents,
        ];
        parts
            .iter()
            .any(Option::is_some)
            .then(|| parts.iter().flatten().sum())
    }
}

/// The profile as the app reads it (`UserFinancialProfile.fromJson`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ProfileView {
    pub id: Id,
    pub user_id: Id,
    pub monthly_income: Option<Money>,
    pub current_balance: Option<Money>,
    pub age_group: Option<String>,
    pub credit_card_debt: Option<Money>,
    pub credit_card_payment: Option<Money>,
    pub other_loans_payment: Option<Money>,
    pub rent_payment: Option<Money>,
    pub subscriptions_payment: Option<Money>,
    pub planning_mortgage: bool,
    /// Σ of the obligations above (0 when none is known).
    pub total_monthly_obligations: Money,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&ProfileRow> for ProfileView {
    fn from(r: &ProfileRow) -> Self {
        let m = |c: Option<i64>| c.map(Money::from_cents);
        ProfileView {
            id: r.id,
            user_id: r.user_id,
            monthly_income: m(r.monthly_income_cents),
            current_balance: m(r.current_balance_cents),
            age_group: r.age_group.clone(),
            credit_card_debt: m(r.credit_card_debt_cents),
            credit_card_payment: m(r.credit_card_payment_cents),
            other_loans_payment: m(r.other_loans_payment_cents),
            rent_payment: m(r.rent_payment_cents),
            subscriptions_payment: m(r.subscriptions_payment_cents),
            planning_mortgage: r.planning_mortgage,
            total_monthly_obligations: Money::from_cents(r.obligations().unwrap_or(0)),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// The caller's profile, if any. 1 query.
pub async fn get(db: &Db, user: Id) -> Result<Option<ProfileRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM installment_profiles WHERE user_id = $1"
    ));
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_optional(pool).await)?)
}

/// `POST /api/installments/profile`: replaces the caller's profile with the checked body (its
/// id and creation time stay). Returns the stored profile and whether it was created.
pub async fn save(ctx: &InstallmentCtx<'_>, input: &ProfileInput) -> Result<(ProfileRow, bool)> {
    let p: Profile = input.check()?;
    let (now, _) = ctx.now();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let existing: Option<(Id, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT id, created_at FROM installment_profiles WHERE user_id = $1")
        .bind(ctx.user).fetch_optional(&mut *conn).await)?;
    let (id, created_at) = existing.unwrap_or((Id::new(), now));
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO installment_profiles ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (user_id) DO UPDATE SET monthly_income_cents = excluded.monthly_income_cents, \
         current_balance_cents = excluded.current_balance_cents, age_group = excluded.age_group, \
         credit_card_debt_cents = excluded.credit_card_debt_cents, credit_card_payment_cents = excluded.credit_card_payment_cents, \
         other_loans_payment_cents = excluded.other_loans_payment_cents, rent_payment_cents = excluded.rent_payment_cents, \
         subscriptions_payment_cents = excluded.subscriptions_payment_cents, planning_mortgage = excluded.planning_mortgage, \
         updated_at = excluded.updated_at RETURNING {COLUMNS}"
    ));
    let row: ProfileRow = on_tx!(&mut tx, conn => sqlx::query_as(sql).bind(id).bind(ctx.user).bind(p.monthly_income)
        .bind(p.current_balance).bind(&p.age_group).bind(p.credit_card_debt).bind(p.credit_card_payment)
        .bind(p.other_loans_payment).bind(p.rent_payment).bind(p.subscriptions_payment).bind(p.planning_mortgage)
        .bind(created_at).bind(now).fetch_one(&mut *conn).await)?;
    tx.commit().await?;
    Ok((row, existing.is_none()))
}
