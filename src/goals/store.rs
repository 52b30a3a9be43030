//! Goals in the database: create, read, list, statistics, partial update and soft delete. Every
//! write is one database transaction (user lock first) holding the goal row, its plan
//! reservation and the notifications it raises.

use chrono::NaiveDate;
use serde::Serialize;

use super::input::{GoalChanges, GoalInput};
use super::{COLUMNS, GoalCtx, GoalRow, GoalView, state};
use crate::budget::store::lock_user;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::plan::goals as goals_plan;
use crate::{notifications, on_db, on_tx};

/// Loads a live (not deleted) goal of `user` inside a write transaction; else 404.
pub(crate) async fn load(tx: &mut Tx, user: Id, id: Id) -> Result<GoalRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM goals WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<GoalRow> = on_tx!(tx, conn => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(&mut *conn).await)?;
    row.ok_or(Error::NotFound("Goal"))
}

async fn save(tx: &mut Tx, g: &GoalRow) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE goals SET title = $3, description = $4, category = $5, target_amount_cents = $6, saved_amount_cents = $7, \
         monthly_contribution_cents = $8, status = $9, priority = $10, target_date = $11, goal_milestones_notified = $12, \
         updated_at = $13, completed_at = $14, deleted_at = $15 WHERE id = $1 AND user_id = $2")
        .bind(g.id).bind(g.user_id).bind(&g.title).bind(&g.description).bind(&g.category).bind(g.target_amount_cents)
        .bind(g.saved_amount_cents).bind(g.monthly_contribution_cents).bind(&g.status).bind(&g.priority).bind(g.target_date)
        .bind(g.goal_milestones_notified).bind(g.updated_at).bind(g.completed_at).bind(g.deleted_at)
        .execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// True when the change touches what the plan reservation depends on.
fn plan_relevant(before: &GoalRow, after: &GoalRow) -> bool {
    before.status != after.status
        || before.target_amount_cents != after.target_amount_cents
        || before.saved_amount_cents != after.saved_amount_cents
        || before.target_date != after.target_date
        || before.deleted_at != after.deleted_at
}

/// Stores a changed goal with its consequences: milestone/completion notifications, then the
/// row, then the plan reservation. Inside the caller's transaction.
pub(crate) async fn commit_change(
    tx: &mut Tx,
    ctx: &GoalCtx<'_>,
    before: &GoalRow,
    after: &mut GoalRow,
    today: NaiveDate,
    now: i64,
) -> Result<()> {
    after.updated_at = now;
    // The marker moves even when `goal_updates` is off: turning it on later announces no old news.
    after.goal_milestones_notified = before.goal_milestones_notified;
    let reached = after.milestone();
    if after.deleted_at.is_none() && reached > before.goal_milestones_notified {
        let (user, id, progress) = (after.user_id, after.id, after.progress());
        notifications::events::on_goal_milestone(
            tx,
            user,
            id,
            &after.title,
            reached,
            progress,
            now,
        )
        .await?;
        after.goal_milestones_notified = reached;
    }
    save(tx, after).await?;
    if plan_relevant(before, after) {
        goals_plan::sync(tx, after, today, now, ctx.metrics).await?;
    }
    Ok(())
}

/// Loads a goal, lets `change` edit it (or refuse), and commits the result. 404 for a goal that
/// is not the caller's.
pub(crate) async fn modify(
    ctx: &GoalCtx<'_>,
    id: Id,
    change: impl FnOnce(&mut GoalRow, i64) -> Result<()>,
) -> Result<GoalView> {
    let (now, today) = ctx.now();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let before = load(&mut tx, ctx.user, id).await?;
    let mut after = before.clone();
    change(&mut after, now)?;
    commit_change(&mut tx, ctx, &before, &mut after, today, now).await?;
    tx.commit().await?;
    Ok(GoalView::of(&after, today))
}

/// `POST /api/goals`: creates an active goal (completed at once when already fully saved).
pub async fn create(ctx: &GoalCtx<'_>, input: &GoalInput) -> Result<GoalView> {
    let (now, today) = ctx.now();
    let c = input.check(true, today, ctx.tz)?;
    let (Some(title), Some(target)) = (c.title.clone(), c.target_cents) else {
        return Err(Error::Internal("checked goal lacks title or target".into()));
    };
    let mut row = GoalRow {
        id: Id::new(),
        user_id: ctx.user,
        title,
        description: c.description.clone().flatten(),
        category: c.category.clone().flatten(),
        target_amount_cents: target,
        saved_amount_cents: c.saved_cents.unwrap_or(0),
        monthly_contribution_cents: c.contribution_cents.flatten(),
        currency: "USD".into(),
        status: "active".into(),
        priority: c.priority.clone().unwrap_or_else(|| "medium".into()),
        target_date: c.target_date.flatten(),
        goal_milestones_notified: 0,
        created_at: now,
        updated_at: now,
        completed_at: None,
        deleted_at: None,
    };
    state::auto_complete(&mut row, now);
    // Where a goal starts is not an event: milestones already reached are not announced.
    row.goal_milestones_notified = row.milestone();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO goals (id, user_id, title, description, category, target_amount_cents, saved_amount_cents, \
         monthly_contribution_cents, currency, status, priority, target_date, goal_milestones_notified, created_at, \
         updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)")
        .bind(row.id).bind(row.user_id).bind(&row.title).bind(&row.description).bind(&row.category)
        .bind(row.target_amount_cents).bind(row.saved_amount_cents).bind(row.monthly_contribution_cents).bind(&row.currency)
        .bind(&row.status).bind(&row.priority).bind(row.target_date).bind(row.goal_milestones_notified).bind(now)
        .bind(row.completed_at).execute(&mut *conn).await.map(|_| ()))?;
    goals_plan::sync(&mut tx, &row, today, now, ctx.metrics).await?;
    tx.commit().await?;
    Ok(GoalView::of(&row, today))
}

/// Applies checked changes to a row (status moves go through the state machine).
fn apply_changes(row: &mut GoalRow, c: GoalChanges, now: i64) -> Result<()> {
    if let Some(t) = c.title {
        row.title = t;
    }
    if let Some(d) = c.description {
        row.description = d;
    }
    if let Some(cat) = c.category {
        row.category = cat;
    }
    if let Some(t) = c.target_cents {
        row.target_amount_cents = t;
    }
    if let Some(s) = c.saved_cents {
        row.saved_amount_cents = s;
    }
    if let Some(m) = c.contribution_cents {
        row.monthly_contribution_cents = m;
    }
    if let Some(d) = c.target_date {
        row.target_date = d;
    }
    if let Some(p) = c.priority {
        row.priority = p;
    }
    if let Some(s) = c.status {
        state::apply_status(row, &s, now)?;
    }
    state::auto_complete(row, now);
    Ok(())
}

/// `PATCH /api/goals/{id}`: a partial update; the plan reservation follows.
pub async fn update(ctx: &GoalCtx<'_>, id: Id, input: &GoalInput) -> Result<GoalView> {
    let (_, today) = ctx.now();
    let changes = input.check(false, today, ctx.tz)?;
    modify(ctx, id, |row, now| apply_changes(row, changes, now)).await
}

/// `DELETE /api/goals/{id}`: a soft delete; the goal's future plan rows are released.
pub async fn delete(ctx: &GoalCtx<'_>, id: Id) -> Result<()> {
    modify(ctx, id, |row, now| {
        row.deleted_at = Some(now);
        Ok(())
    })
    .await
    .map(|_| ())
}

/// One live goal of `user` (404 otherwise). 1 query.
pub async fn get(db: &Db, user: Id, id: Id) -> Result<GoalRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM goals WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<GoalRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("Goal"))
}

/// Filters of `GET /api/goals`.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub limit: i64,
    pub skip: i64,
}

/// The user's live goals, newest first. 1 query.
pub async fn list(db: &Db, user: Id, f: &ListFilter) -> Result<Vec<GoalRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM goals WHERE user_id = $1 AND deleted_at IS NULL AND ($2 IS NULL OR status = $2) \
         AND ($3 IS NULL OR category = $3) ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    ));
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(&f.status).bind(&f.category)
        .bind(f.limit.clamp(1, 100)).bind(f.skip.max(0)).fetch_all(pool).await)?,
    )
}

/// `GET /api/goals/statistics` (soft-deleted goals excluded).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub total_goals: i64,
    pub active_goals: i64,
    pub completed_goals: i64,
    pub paused_goals: i64,
    /// completed ÷ total, percent.
    pub completion_rate: Fixed,
    /// Mean progress (percent, each goal capped at 100).
    pub average_progress: Fixed,
    pub total_target_amount: Money,
    pub total_saved_amount: Money,
    /// Active or paused goals past their target date.
    pub overdue_goals: i64,
    /// Active goals due within the next 30 days (today included).
    pub due_soon: i64,
    /// Active goals at 80 % or more (the dashboard's `near_completion`).
    #[serde(skip)]
    pub near_completion: i64,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Sums {
    total: i64,
    active: i64,
    completed: i64,
    paused: i64,
    near: i64,
    overdue: i64,
    due_soon: i64,
    target: i64,
    saved: i64,
    progress: i64,
}

/// Statistics of the user's live goals as of `today`. 1 query.
pub async fn statistics(db: &Db, user: Id, today: NaiveDate) -> Result<Statistics> {
    let soon = today + chrono::Duration::days(30);
    let s: Sums = on_db!(db, pool => sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS BIGINT) AS active, \
         CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed, \
         CAST(COALESCE(SUM(CASE WHEN status = 'paused' THEN 1 ELSE 0 END), 0) AS BIGINT) AS paused, \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' AND saved_amount_cents * 100 >= target_amount_cents * 80 \
              THEN 1 ELSE 0 END), 0) AS BIGINT) AS near, \
         CAST(COALESCE(SUM(CASE WHEN status IN ('active', 'paused') AND target_date < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' AND target_date >= $2 AND target_date <= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_soon, \
         CAST(COALESCE(SUM(target_amount_cents), 0) AS BIGINT) AS target, \
         CAST(COALESCE(SUM(saved_amount_cents), 0) AS BIGINT) AS saved, \
         CAST(COALESCE(SUM(CASE WHEN saved_amount_cents >= target_amount_cents THEN 10000 \
              ELSE (saved_amount_cents * 20000 + target_amount_cents) / (2 * target_amount_cents) END), 0) AS BIGINT) AS progress \
         FROM goals WHERE user_id = $1 AND deleted_at IS NULL")
        .bind(user).bind(today).bind(soon).fetch_one(pool).await)?;
    Ok(Statistics {
        total_goals: s.total,
        active_goals: s.active,
        completed_goals: s.completed,
        paused_goals: s.paused,
        completion_rate: Fixed::percent(s.completed, s.total),
        average_progress: Fixed::new(Fixed::ratio(s.progress, s.total, 0).units(), 2),
        total_target_amount: Money::from_cents(s.target),
        total_saved_amount: Money::from_cents(s.saved),
        overdue_goals: s.overdue,
        due_soon: s.due_soon,
        near_completion: s.near,
    })
}
