//! Budget automation (docs/budget-automation.md): the automation switches of the budget settings
//! screen, the pending adaptation of the current month ([`adapt::plan`]) and applying it.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::adapt::{self, Move, Projection, Row};
use super::category::PlanCategory;
use super::store;
use super::views::settings::{RedistributionEvent, redistribution_history};
use super::views::{Ctx, month_range};
use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::{on_db, on_tx, on_write};

/// The switches (a user without a row has every switch on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct Settings {
    pub auto_redistribution: bool,
    pub smart_suggestions: bool,
    pub behavioral_learning: bool,
    pub realtime_alerts: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            auto_redistribution: true,
            smart_suggestions: true,
            behavioral_learning: true,
            realtime_alerts: true,
        }
    }
}

/// The settings answer.
#[derive(Clone, Debug, Serialize)]
pub struct SettingsView {
    #[serde(flatten)]
    pub settings: Settings,
    /// When they were last changed (null: never, the defaults).
    pub updated_at: Option<String>,
}

/// Body of the PATCH: any of the switches, each a JSON boolean; other keys are refused.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub auto_redistribution: Option<bool>,
    pub smart_suggestions: Option<bool>,
    pub behavioral_learning: Option<bool>,
    pub realtime_alerts: Option<bool>,
}

/// The user's switches. 1 query.
pub async fn settings(db: &Db, user: Id) -> Result<SettingsView> {
    let row: Option<(bool, bool, bool, bool, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT auto_redistribution, smart_suggestions, behavioral_learning, realtime_alerts, updated_at \
         FROM budget_automation_settings WHERE user_id = $1")
        .bind(user).fetch_optional(pool).await)?;
    Ok(match row {
        Some((a, s, b, r, at)) => SettingsView {
            settings: Settings {
                auto_redistribution: a,
                smart_suggestions: s,
                behavioral_learning: b,
                realtime_alerts: r,
            },
            updated_at: Some(rfc3339(at)),
        },
        None => SettingsView {
            settings: Settings::default(),
            updated_at: None,
        },
    })
}

/// Changes the switches given (1 statement, an upsert; the others keep their value).
pub async fn update_settings(
    db: &Db,
    user: Id,
    patch: &SettingsPatch,
    now: i64,
) -> Result<SettingsView> {
    let d = Settings::default();
    on_write!(db, pool => sqlx::query(
        "INSERT INTO budget_automation_settings (user_id, auto_redistribution, smart_suggestions, behavioral_learning, \
         realtime_alerts, created_at, updated_at) VALUES ($1, COALESCE($2, $6), COALESCE($3, $7), COALESCE($4, $8), \
         COALESCE($5, $9), $10, $10) ON CONFLICT (user_id) DO UPDATE SET \
         auto_redistribution = COALESCE($2, budget_automation_settings.auto_redistribution), \
         smart_suggestions = COALESCE($3, budget_automation_settings.smart_suggestions), \
         behavioral_learning = COALESCE($4, budget_automation_settings.behavioral_learning), \
         realtime_alerts = COALESCE($5, budget_automation_settings.realtime_alerts), updated_at = $10")
        .bind(user).bind(patch.auto_redistribution).bind(patch.smart_suggestions)
        .bind(patch.behavioral_learning).bind(patch.realtime_alerts)
        .bind(d.auto_redistribution).bind(d.smart_suggestions).bind(d.behavioral_learning)
        .bind(d.realtime_alerts).bind(now).execute(pool).await.map(|_| ()))?;
    settings(db, user).await
}

const ROWS: &str = "SELECT id, date, category, planned_cents, spent_cents FROM daily_plan \
    WHERE user_id = $1 AND date >= $2 AND date <= $3 AND goal_id IS NULL AND installment_id IS NULL \
    ORDER BY date, category";

/// The month's plain rows. 1 query.
async fn rows(db: &Db, ctx: &Ctx) -> Result<Vec<Row>> {
    let (first, last) = month_range(ctx.today.year(), ctx.today.month())?;
    Ok(
        on_db!(db, pool => sqlx::query_as(ROWS).bind(ctx.user.id).bind(first).bind(last).fetch_all(pool).await)?,
    )
}

/// The adaptations answer.
#[derive(Clone, Debug, Serialize)]
pub struct Adaptations {
    pub auto_adapt_enabled: bool,
    pub month: String,
    /// The moves `POST /api/budget/auto_adapt` would make now.
    pub pending_suggestions: Vec<Move>,
    pub pending_total: crate::money::Money,
    /// Each variable category's pace.
    pub categories: std::collections::BTreeMap<PlanCategory, Projection>,
    /// The latest applied adaptations (newest first, at most 10).
    pub recent_adaptations: Vec<RedistributionEvent>,
}

/// `GET /api/budget/adaptations`. 4 queries.
pub async fn adaptations(db: &Db, ctx: &Ctx) -> Result<Adaptations> {
    let switches = settings(db, ctx.user.id).await?;
    let rows = rows(db, ctx).await?;
    let plan = adapt::plan(&rows, ctx.today);
    let days = i64::from(super::days::days_in_month(
        ctx.today.year(),
        ctx.today.month(),
    ));
    let categories = adapt::projections(&rows, days, i64::from(ctx.today.day()))
        .into_iter()
        .map(|(c, p)| (c, adapt::projection(p)))
        .collect();
    let recent: Vec<RedistributionEvent> = redistribution_history(db, ctx.user.id, Some(100), None)
        .await?
        .into_iter()
        .filter(|e| e.reason == AUTO_ADAPT)
        .take(10)
        .collect();
    Ok(Adaptations {
        auto_adapt_enabled: switches.settings.auto_redistribution,
        month: format!("{:04}-{:02}", ctx.today.year(), ctx.today.month()),
        pending_total: crate::money::Money::from_cents(
            plan.moves.iter().map(|m| m.amount.cents()).sum(),
        ),
        pending_suggestions: plan.moves,
        categories,
        recent_adaptations: recent,
    })
}

/// The `reason` of the redistribution events an adaptation records.
pub const AUTO_ADAPT: &str = "auto_adapt";

/// The auto_adapt answer.
#[derive(Clone, Debug, Serialize)]
pub struct Adapted {
    pub adapted: bool,
    pub reason: &'static str,
    pub message: &'static str,
    pub transfers: Vec<Move>,
    pub total_moved: crate::money::Money,
    pub rows_changed: usize,
}

/// `POST /api/budget/auto_adapt`: computes and applies the adaptation in one transaction (the
/// user's rows read under the user's lock), records one `auto_adapt` redistribution event per
/// move and recomputes the statuses of the changed days.
pub async fn auto_adapt(db: &Db, ctx: &Ctx) -> Result<Adapted> {
    let user = ctx.user.id;
    let (first, last) = month_range(ctx.today.year(), ctx.today.month())?;
    let mut tx = db.begin().await?;
    store::lock_user(&mut tx, user).await?;
    let rows: Vec<Row> = on_tx!(&mut tx, conn => sqlx::query_as(ROWS).bind(user).bind(first).bind(last)
        .fetch_all(&mut *conn).await)?;
    let plan = adapt::plan(&rows, ctx.today);
    if plan.moves.is_empty() {
        return Ok(Adapted {
            adapted: false,
            reason: "no_adaptation_needed",
            message: "Every category is on pace with its plan, or nothing can be moved",
            transfers: Vec::new(),
            total_moved: crate::money::Money::from_cents(0),
            rows_changed: 0,
        });
    }
    for (id, planned) in &plan.rows {
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE daily_plan SET planned_cents = $3, updated_at = $4 WHERE id = $1 AND user_id = $2")
            .bind(id).bind(user).bind(planned).bind(ctx.now).execute(&mut *conn).await.map(|_| ()))?;
    }
    for m in &plan.moves {
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO redistribution_events (id, user_id, from_category, to_category, amount_cents, reason, \
             from_day, to_day, transaction_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)")
            .bind(Id::new()).bind(user).bind(m.from_category.as_str()).bind(m.to_category.as_str())
            .bind(m.amount.cents()).bind(AUTO_ADAPT).bind(m.from_day).bind(m.to_day).bind(ctx.now)
            .execute(&mut *conn).await.map(|_| ()))?;
    }
    store::update_statuses_between(
        &mut tx,
        user,
        ctx.today.succ_opt().unwrap_or(last),
        last,
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    Ok(Adapted {
        adapted: true,
        reason: "pace",
        message: "Budget categories adjusted to your spending pace",
        total_moved: crate::money::Money::from_cents(
            plan.moves.iter().map(|m| m.amount.cents()).sum(),
        ),
        transfers: plan.moves,
        rows_changed: plan.rows.len(),
    })
}
