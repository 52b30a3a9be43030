//! Notifications the server raises itself, inside the write transaction of the event that causes
//! them (so they commit with it, or not at all):
//!
//! | event | preference | dedupe key |
//! |---|---|---|
//! | a spend ≥ the large-spend threshold | `transaction_alerts` | `large_spend:<transaction id>` |
//! | a day whose status turns red | `budget_alerts` | `day_red:<date>` |
//! | a goal passing 25 / 50 / 75 % | `goal_updates` | `goal:<id>:<milestone>` |
//! | a goal completed | `goal_updates` | `goal:<id>:completed` |
//!
//! The dedupe key is unique per user, and the insert is `ON CONFLICT DO NOTHING`: the same event
//! never notifies twice. The threshold is `notifications.large_spend` (default 200.00), or the
//! user's own `user_budget_settings.large_spend_threshold_cents` when set.

use chrono::NaiveDate;
use serde_json::{Value, json};
use sqlx::types::Json;

use super::prefs;
use crate::db::Tx;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::on_tx;

/// One notification to raise.
struct Raised<'a> {
    title: &'a str,
    message: String,
    kind: &'a str,
    priority: &'a str,
    category: &'a str,
    data: Value,
    action_url: Option<String>,
    dedupe_key: String,
}

/// Inserts a notification unless one with the same dedupe key exists. True when inserted.
async fn raise(tx: &mut Tx, user: Id, n: Raised<'_>, now: i64) -> Result<bool> {
    let inserted = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO notifications (id, user_id, title, message, type, priority, action_url, data, status, channel, is_read, \
         sent_at, category, group_key, dedupe_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sent', 'in_app', FALSE, $9, $10, $10, $11, $9, $9) \
         ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING")
        .bind(Id::new()).bind(user).bind(n.title).bind(&n.message).bind(n.kind).bind(n.priority).bind(&n.action_url)
        .bind(Json(&n.data)).bind(now).bind(n.category).bind(&n.dedupe_key)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(inserted > 0)
}

/// A spend that was just applied to the plan.
#[derive(Clone, Debug)]
pub struct SpendEvent {
    pub transaction: Id,
    /// The transaction category (one of the 22).
    pub category: String,
    pub amount_cents: i64,
    /// The user-local day it was applied to.
    pub day: NaiveDate,
}

impl SpendEvent {
    pub fn new(transaction: Id, category: &str, amount_cents: i64, day: NaiveDate) -> SpendEvent {
        SpendEvent {
            transaction,
            category: category.to_string(),
            amount_cents,
            day,
        }
    }
}

/// The user's own large-spend threshold, if set. 1 query.
pub async fn own_threshold(tx: &mut Tx, user: Id) -> Result<Option<i64>> {
    let own: Option<Option<i64>> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT large_spend_threshold_cents FROM user_budget_settings WHERE user_id = $1")
        .bind(user).fetch_optional(&mut *conn).await)?;
    Ok(own.flatten())
}

/// A large-spend alert (amount ≥ `threshold`) and a day-went-red alert, each when its
/// preference is on and the user's `realtime_alerts` budget-automation switch is on
/// (docs/budget-automation.md) — for a caller that already knows both facts. 0 statements when
/// neither applies, else 2 (the switch, preferences) + 1 per alert.
pub async fn on_spend_applied(
    tx: &mut Tx,
    user: Id,
    ev: &SpendEvent,
    turned_red: bool,
    threshold: Option<i64>,
    now: i64,
) -> Result<()> {
    let large = threshold.is_some_and(|t| ev.amount_cents >= t);
    if !large && !turned_red {
        return Ok(());
    }
    // The switch is the budget settings screen's (table budget_automation_settings, every switch
    // on without a row); read here, not through crate::budget, to keep notifications below budget.
    let realtime: Option<bool> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT realtime_alerts FROM budget_automation_settings WHERE user_id = $1")
        .bind(user).fetch_optional(&mut *conn).await)?;
    if realtime == Some(false) {
        return Ok(());
    }
    let p = prefs::get_tx(tx, user).await?;
    let amount = Money::from_cents(ev.amount_cents);
    if large && p.transaction_alerts {
        let n = Raised {
            title: "Large purchase",
            message: format!("You spent {amount} on {}.", ev.category),
            kind: "alert",
            priority: "high",
            category: "transaction",
            data: json!({"transaction_id": ev.transaction, "amount": amount, "category": ev.category}),
            action_url: Some(format!("/transactions/{}", ev.transaction)),
            dedupe_key: format!("large_spend:{}", ev.transaction),
        };
        raise(tx, user, n, now).await?;
    }
    if turned_red && p.budget_alerts {
        let n = Raised {
            title: "Over budget today",
            message: format!("Your spending on {} is over the plan for the day.", ev.day),
            kind: "warning",
            priority: "high",
            category: "budget",
            data: json!({"date": ev.day.to_string(), "transaction_id": ev.transaction}),
            action_url: Some("/calendar".into()),
            dedupe_key: format!("day_red:{}", ev.day),
        };
        raise(tx, user, n, now).await?;
    }
    Ok(())
}

/// A goal change (inside its transaction) reached milestone `reached` (25 / 50 / 75, or 100 when
/// completed; `plan::goals::GoalRow::milestone`): announced when `goal_updates` is on.
pub async fn on_goal_milestone(
    tx: &mut Tx,
    user: Id,
    goal: Id,
    title: &str,
    reached: i32,
    progress: Fixed,
    now: i64,
) -> Result<()> {
    let p = prefs::get_tx(tx, user).await?;
    if p.goal_updates {
        let (title, message, kind, key) = if reached == 100 {
            (
                "Goal completed",
                format!("You completed your goal '{title}'."),
                "achievement",
                format!("goal:{goal}:completed"),
            )
        } else {
            (
                "Goal progress",
                format!("Your goal '{title}' is {reached}% there."),
                "info",
                format!("goal:{goal}:{reached}"),
            )
        };
        let n = Raised {
            title,
            message,
            kind,
            priority: "medium",
            category: "goal",
            data: json!({"goal_id": goal, "milestone": reached, "progress": progress}),
            action_url: Some(format!("/goals/{goal}")),
            dedupe_key: key,
        };
        raise(tx, user, n, now).await?;
    }
    Ok(())
}
