//! Materialising recurring definitions (docs/recurring.md §2–4): each due occurrence becomes a
//! transaction through the spend path of a typed `POST /api/transactions` (accrual, one cover
//! of an overspend, the day's status: `budget::store::apply_spend`), and the fixed-expense
//! occurrences of the current month reserve their plan rows ahead.
//!
//! Exactly once: every occurrence is a row of `recurring_occurrences`, unique on (definition,
//! date). A materialisation claims its row (insert, or take over a reservation row not claimed
//! yet) before it inserts the transaction; a second claim of the same (definition, date) —
//! another instance, a retried request, the job racing a list — gets nothing back and inserts
//! nothing. The user's row lock (`lock_user`) taken first also serialises two runs for one user
//! on PostgreSQL, so the second one reads the first one's `next_date`; the unique key is what
//! holds even if it did not. Every run is one database transaction per user and does at most
//! [`MAX_PER_RUN`] occurrences; the rest of a long catch-up comes with the next run.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;
use sqlx::types::Json;

use super::{COLUMNS, RecurringRow};
use crate::budget::PlanCategory;
use crate::budget::store::{self, lock_user, month_bounds, plan_conflict, update_statuses_between};
use crate::clock::Clock;
use crate::db::{Db, Tx};
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::{Metrics, TransactionOp};
use crate::money::Money;
use crate::{on_db, on_tx};

/// Occurrences materialised per user and run (a catch-up after a long downtime takes several
/// runs: each list of `/api/recurring` and each tick of the job is one).
pub const MAX_PER_RUN: usize = 100;
/// Users per tick of the background job.
pub const USERS_PER_TICK: i64 = 500;
/// Largest `days` of `/api/recurring/upcoming`, and most occurrences it lists.
pub const MAX_UPCOMING_DAYS: i64 = 366;
pub const MAX_UPCOMING: usize = 500;

/// The user's live definitions that still have dates. 1 query.
async fn live(tx: &mut Tx, user: Id) -> Result<Vec<RecurringRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM recurring_transactions WHERE user_id = $1 AND deleted_at IS NULL \
         AND next_date IS NOT NULL ORDER BY created_at, id"
    ));
    Ok(on_tx!(tx, conn => sqlx::query_as(sql).bind(user).fetch_all(&mut *conn).await)?)
}

/// Claims the occurrence (definition, date) for a transaction: true when this call got it. A
/// reservation row is taken over; a row already materialised is not.
async fn claim(tx: &mut Tx, def: &RecurringRow, date: NaiveDate, now: i64) -> Result<bool> {
    let got: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO recurring_occurrences (id, user_id, definition_id, occurrence_date, transaction_id, reserved_cents, \
         created_at, materialised_at) VALUES ($1, $2, $3, $4, NULL, 0, $5, $5) \
         ON CONFLICT (definition_id, occurrence_date) DO UPDATE SET materialised_at = excluded.materialised_at \
         WHERE recurring_occurrences.materialised_at IS NULL RETURNING reserved_cents")
        .bind(Id::new()).bind(def.user_id).bind(def.id).bind(date).bind(now)
        .fetch_optional(&mut *conn).await)?;
    Ok(got.is_some())
}

/// Inserts the occurrence's transaction (as a typed spend would be stored, `is_recurring`
/// true, at noon of the day in the user's timezone) and links it to the occurrence.
async fn insert_transaction(
    tx: &mut Tx,
    def: &RecurringRow,
    date: NaiveDate,
    tz: Tz,
    now: i64,
) -> Result<Id> {
    let id = Id::new();
    let spent_at = crate::time::day_start_ms(date, tz) + 12 * 3_600_000;
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, merchant, location, tags, \
         is_recurring, confidence_score, receipt_url, notes, spent_at, local_date, created_at, updated_at) \
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, NULL, $8, true, NULL, NULL, $9, $10, $11, $12, $12)")
        .bind(id).bind(def.user_id).bind(&def.category).bind(def.amount_cents).bind(&def.currency)
        .bind(def.description.as_ref().unwrap_or(&def.payee)).bind(&def.payee).bind(Json(Vec::<String>::new()))
        .bind(&def.notes).bind(spent_at).bind(date).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query(
        "UPDATE recurring_occurrences SET transaction_id = $1 WHERE definition_id = $2 AND occurrence_date = $3")
        .bind(id).bind(def.id).bind(date).execute(&mut *conn).await.map(|_| ()))?;
    Ok(id)
}

/// Adds `cents` to the planned amount of the plain (date, category) row, creating it.
async fn add_planned(
    tx: &mut Tx,
    user: Id,
    date: NaiveDate,
    category: PlanCategory,
    cents: i64,
    now: i64,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO daily_plan (id, user_id, date, category, goal_id, planned_cents, spent_cents, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, 0, 'green', $6, $6) {} DO UPDATE SET \
         planned_cents = daily_plan.planned_cents + excluded.planned_cents, updated_at = excluded.updated_at",
        plan_conflict(tx)
    );
    on_tx!(tx, conn => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(Id::new()).bind(user).bind(date)
        .bind(category.as_str()).bind(cents).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// Reserves the definition's occurrences from `today` (or its next date) to the month's end on
/// the plain row of its sacred plan category: one reservation row per occurrence, its amount
/// added to the day's planned amount. Returns how many were added.
async fn reserve(tx: &mut Tx, def: &RecurringRow, today: NaiveDate, now: i64) -> Result<usize> {
    let Some(next) = def.next_date else {
        return Ok(0);
    };
    let (_, last) = month_bounds(today);
    let done = u32::try_from(def.occurrences_done).unwrap_or(0);
    let plan = def.tx_category().plan();
    let mut added = 0;
    for date in def.schedule().between(next.max(today), last, done, 31) {
        let inserted: Option<Id> = on_tx!(tx, conn => sqlx::query_scalar(
            "INSERT INTO recurring_occurrences (id, user_id, definition_id, occurrence_date, transaction_id, reserved_cents, \
             created_at, materialised_at) VALUES ($1, $2, $3, $4, NULL, $5, $6, NULL) \
             ON CONFLICT (definition_id, occurrence_date) DO NOTHING RETURNING id")
            .bind(Id::new()).bind(def.user_id).bind(def.id).bind(date).bind(def.amount_cents).bind(now)
            .fetch_optional(&mut *conn).await)?;
        if inserted.is_some() {
            add_planned(tx, def.user_id, date, plan, def.amount_cents, now).await?;
            added += 1;
        }
    }
    on_tx!(tx, conn => sqlx::query("UPDATE recurring_transactions SET reserved_through = $2 WHERE id = $1")
        .bind(def.id).bind(last).execute(&mut *conn).await.map(|_| ()))?;
    Ok(added)
}

/// Gives back the definition's reservations from `today` on (a delete, or a PATCH before it
/// reserves again): each reserved amount leaves its plan row (never below 0), the reservation
/// rows go. Past rows never change.
pub async fn release(tx: &mut Tx, def: &RecurringRow, today: NaiveDate, now: i64) -> Result<()> {
    let held: Vec<(NaiveDate, i64)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT occurrence_date, reserved_cents FROM recurring_occurrences \
         WHERE definition_id = $1 AND materialised_at IS NULL AND occurrence_date >= $2 ORDER BY occurrence_date")
        .bind(def.id).bind(today).fetch_all(&mut *conn).await)?;
    if held.is_empty() {
        return Ok(());
    }
    let plan = def.tx_category().plan();
    for (date, cents) in &held {
        on_tx!(tx, conn => sqlx::query(
            "UPDATE daily_plan SET planned_cents = CASE WHEN planned_cents > $4 THEN planned_cents - $4 ELSE 0 END, \
             updated_at = $5 WHERE user_id = $1 AND date = $2 AND category = $3 AND goal_id IS NULL AND installment_id IS NULL")
            .bind(def.user_id).bind(*date).bind(plan.as_str()).bind(*cents).bind(now)
            .execute(&mut *conn).await.map(|_| ()))?;
    }
    on_tx!(tx, conn => sqlx::query(
        "DELETE FROM recurring_occurrences WHERE definition_id = $1 AND materialised_at IS NULL AND occurrence_date >= $2")
        .bind(def.id).bind(today).execute(&mut *conn).await.map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query("UPDATE recurring_transactions SET reserved_through = NULL WHERE id = $1")
        .bind(def.id).execute(&mut *conn).await.map(|_| ()))?;
    let last = held.iter().map(|(d, _)| *d).max().unwrap_or(today);
    update_statuses_between(tx, def.user_id, today, last, now).await?;
    Ok(())
}

/// The user's due occurrences (up to `limit`) become transactions, in date order, each through
/// the typed spend path; then the fixed-expense definitions not reserved for this month yet
/// reserve it. Inside the caller's write transaction, after `lock_user`. Returns how many
/// transactions were made.
pub async fn materialise_in(
    tx: &mut Tx,
    user: Id,
    tz: Tz,
    now: i64,
    metrics: &Metrics,
    limit: usize,
) -> Result<usize> {
    let today = crate::time::local_date(now, tz);
    let (_, month_end) = month_bounds(today);
    let defs = live(tx, user).await?;
    let mut due: Vec<(NaiveDate, usize)> = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        if def.next_date.is_some_and(|n| n <= today) && due.len() < limit {
            let done = u32::try_from(def.occurrences_done).unwrap_or(0);
            let from = def.next_date.unwrap_or(def.start_date);
            for d in def.schedule().between(from, today, done, limit - due.len()) {
                due.push((d, i));
            }
        }
    }
    let to_reserve: Vec<usize> = defs
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.tx_category().plan().is_sacred() && d.reserved_through.is_none_or(|r| r < month_end)
        })
        .map(|(i, _)| i)
        .collect();
    if due.is_empty() && to_reserve.is_empty() {
        return Ok(0);
    }
    // As a typed spend's preflight: the current month's plan exists before anything lands on it.
    crate::plan::ensure_month(tx, user, today, now, metrics).await?;
    // The order a person typing them would follow: by date, then by definition.
    due.sort();
    let mut made = 0;
    let mut last: Vec<Option<NaiveDate>> = vec![None; defs.len()];
    let mut count: Vec<i32> = vec![0; defs.len()];
    for (date, i) in &due {
        let def = &defs[*i];
        last[*i] = Some(*date);
        // Another run got there first (the unique key): nothing to add.
        if !claim(tx, def, *date, now).await? {
            continue;
        }
        let txn = insert_transaction(tx, def, *date, tz, now).await?;
        let plan = def.tx_category().plan();
        store::apply_spend(tx, user, *date, plan, today, Some(txn), now, metrics).await?;
        count[*i] += 1;
        made += 1;
    }
    for (i, def) in defs.iter().enumerate() {
        let Some(last) = last[i] else { continue };
        let done = def.occurrences_done + count[i];
        let schedule = def.schedule();
        let next = if schedule
            .count
            .is_some_and(|c| u32::try_from(done).unwrap_or(0) >= c)
        {
            None
        } else {
            schedule.after(last)
        };
        on_tx!(tx, conn => sqlx::query(
            "UPDATE recurring_transactions SET occurrences_done = $2, next_date = $3 WHERE id = $1")
            .bind(def.id).bind(done).bind(next).execute(&mut *conn).await.map(|_| ()))?;
    }
    if !to_reserve.is_empty() {
        // Reserve from the dates left after this run's materialisation.
        let fresh = live(tx, user).await?;
        let mut reserved = 0;
        for def in fresh.iter().filter(|d| {
            d.tx_category().plan().is_sacred() && d.reserved_through.is_none_or(|r| r < month_end)
        }) {
            reserved += reserve(tx, def, today, now).await?;
        }
        if reserved > 0 {
            update_statuses_between(tx, user, today, month_end, now).await?;
        }
    }
    if made > 0 {
        metrics
            .transactions_total
            .inc_by(TransactionOp::Recurring, made as u64);
    }
    Ok(made)
}

/// [`materialise_in`] in its own write transaction (user lock first). Returns how many
/// transactions were made.
pub async fn materialise_user(
    db: &Db,
    clock: &Clock,
    metrics: &Metrics,
    user: Id,
    tz: Tz,
    limit: usize,
) -> Result<usize> {
    let now = clock.now_ms();
    let mut tx = db.begin().await?;
    lock_user(&mut tx, user).await?;
    let made = materialise_in(&mut tx, user, tz, now, metrics, limit).await?;
    tx.commit().await?;
    Ok(made)
}

/// What one tick of the background job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub users: usize,
    pub materialised: usize,
}

/// One tick of the background job: every user with a definition due (or a month to reserve)
/// by tomorrow in UTC — a superset of "due today in their timezone" — gets one run of
/// [`materialise_user`] in their timezone. Safe on every instance at once (the unique key, see
/// the module documentation), so it takes no lease. A user whose run fails is logged and
/// retried next tick.
pub async fn tick(db: &Db, clock: &Clock, metrics: &Metrics) -> Result<Tick> {
    let now = clock.now_ms();
    let horizon = crate::time::local_date(now, Tz::UTC)
        .checked_add_days(Days::new(1))
        .ok_or_else(|| Error::Internal("date out of range".into()))?;
    let users: Vec<(Id, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT DISTINCT r.user_id, u.timezone FROM recurring_transactions r JOIN users u ON u.id = r.user_id \
         WHERE r.deleted_at IS NULL AND r.next_date IS NOT NULL AND (r.next_date <= $1 OR r.reserved_through < $1) \
         LIMIT $2")
        .bind(horizon).bind(USERS_PER_TICK).fetch_all(pool).await)?;
    let mut out = Tick::default();
    for (user, tz) in users {
        match materialise_user(db, clock, metrics, user, crate::time::tz(&tz), MAX_PER_RUN).await {
            Ok(n) => {
                out.users += 1;
                out.materialised += n;
            }
            Err(e) => tracing::warn!(error = %e, %user, "recurring materialisation failed"),
        }
    }
    Ok(out)
}

/// One coming occurrence.
#[derive(Clone, Debug, Serialize)]
pub struct UpcomingItem {
    pub date: NaiveDate,
    pub recurring_id: Id,
    pub amount: Money,
    pub currency: String,
    pub category: String,
    pub payee: String,
    /// A fixed expense: the plan reserves it (within the current month).
    pub reserves_plan: bool,
}

/// The answer of `/api/recurring/upcoming`.
#[derive(Clone, Debug, Serialize)]
pub struct Upcoming {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    pub occurrences: Vec<UpcomingItem>,
    /// Σ of the listed amounts.
    pub total: Money,
}

/// The occurrences of the user's live definitions from today to `days` ahead, by date (at most
/// [`MAX_UPCOMING`]). 1 query.
pub async fn upcoming(db: &Db, user: Id, today: NaiveDate, days: i64) -> Result<Upcoming> {
    if !(1..=MAX_UPCOMING_DAYS).contains(&days) {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.days",
            "range",
            format!("must be 1 to {MAX_UPCOMING_DAYS}"),
        ));
    }
    let to = today
        .checked_add_days(Days::new(days.unsigned_abs()))
        .ok_or_else(|| Error::Internal("date out of range".into()))?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM recurring_transactions WHERE user_id = $1 AND deleted_at IS NULL \
         AND next_date IS NOT NULL AND next_date <= $2 ORDER BY created_at, id"
    ));
    let defs: Vec<RecurringRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(to).fetch_all(pool).await)?;
    let mut items: Vec<UpcomingItem> = Vec::new();
    let mut seen = BTreeSet::new();
    for def in &defs {
        let done = u32::try_from(def.occurrences_done).unwrap_or(0);
        let from = def.next_date.unwrap_or(today).max(today);
        for date in def.schedule().between(from, to, done, MAX_UPCOMING) {
            if seen.insert((date, def.id)) {
                items.push(UpcomingItem {
                    date,
                    recurring_id: def.id,
                    amount: Money::from_cents(def.amount_cents),
                    currency: def.currency.clone(),
                    category: def.category.clone(),
                    payee: def.payee.clone(),
                    reserves_plan: def.tx_category().plan().is_sacred(),
                });
            }
        }
    }
    items.sort_by(|a, b| (a.date, &a.payee).cmp(&(b.date, &b.payee)));
    items.truncate(MAX_UPCOMING);
    let total = Money::from_cents(items.iter().map(|i| i.amount.cents()).sum());
    Ok(Upcoming {
        from: today,
        to,
        days,
        occurrences: items,
        total,
    })
}
