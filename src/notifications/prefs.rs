//! Notification preferences: stored per user (one row), all on by default. `PUT` changes the
//! given switches and keeps the others.

use serde::{Deserialize, Serialize};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::id::Id;
use crate::{on_db, on_tx, on_write};

/// The switches the app shows (answered bare).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    sqlx::FromRow,
    mita::db::lite::LiteRow,
)]
pub struct Preferences {
    pub push_enabled: bool,
    pub email_enabled: bool,
    pub budget_alerts: bool,
    pub goal_updates: bool,
    pub daily_reminders: bool,
    pub ai_recommendations: bool,
    pub transaction_alerts: bool,
    pub achievement_notifications: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            push_enabled: true,
            email_enabled: true,
            budget_alerts: true,
            goal_updates: true,
            daily_reminders: true,
            ai_recommendations: true,
            transaction_alerts: true,
            achievement_notifications: true,
        }
    }
}

/// `PUT /api/notifications/preferences`: any subset of the switches (other fields ignored).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreferencesUpdate {
    pub push_enabled: Option<bool>,
    pub email_enabled: Option<bool>,
    pub budget_alerts: Option<bool>,
    pub goal_updates: Option<bool>,
    pub daily_reminders: Option<bool>,
    pub ai_recommendations: Option<bool>,
    pub transaction_alerts: Option<bool>,
    pub achievement_notifications: Option<bool>,
}

const COLUMNS: &str = "push_enabled, email_enabled, budget_alerts, goal_updates, daily_reminders, ai_recommendations, \
    transaction_alerts, achievement_notifications";

/// The user's preferences (the defaults when never set). 1 query.
pub async fn get(db: &Db, user: Id) -> Result<Preferences> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_preferences WHERE user_id = $1"
    ));
    let row: Option<Preferences> =
        on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_optional(pool).await)?;
    Ok(row.unwrap_or_default())
}

/// The user's preferences inside a write transaction (for the event hooks). 1 query.
pub async fn get_tx(tx: &mut Tx, user: Id) -> Result<Preferences> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_preferences WHERE user_id = $1"
    ));
    let row: Option<Preferences> =
        on_tx!(tx, conn => sqlx::query_as(sql).bind(user).fetch_optional(&mut *conn).await)?;
    Ok(row.unwrap_or_default())
}

/// Stores the given switches (creating the row with defaults for the rest). 1 statement.
pub async fn update(db: &Db, user: Id, u: &PreferencesUpdate, now: i64) -> Result<Preferences> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO notification_preferences (user_id, {COLUMNS}, updated_at) VALUES ($1, \
         COALESCE($2, TRUE), COALESCE($3, TRUE), COALESCE($4, TRUE), COALESCE($5, TRUE), COALESCE($6, TRUE), \
         COALESCE($7, TRUE), COALESCE($8, TRUE), COALESCE($9, TRUE), $10) \
         ON CONFLICT (user_id) DO UPDATE SET \
         push_enabled = COALESCE($2, notification_preferences.push_enabled), \
         email_enabled = COALESCE($3, notification_preferences.email_enabled), \
         budget_alerts = COALESCE($4, notification_preferences.budget_alerts), \
         goal_updates = COALESCE($5, notification_preferences.goal_updates), \
         daily_reminders = COALESCE($6, notification_preferences.daily_reminders), \
         ai_recommendations = COALESCE($7, notification_preferences.ai_recommendations), \
         transaction_alerts = COALESCE($8, notification_preferences.transaction_alerts), \
         achievement_notifications = COALESCE($9, notification_preferences.achievement_notifications), \
         updated_at = $10 RETURNING {COLUMNS}"
    ));
    Ok(
        on_write!(db, pool => sqlx::query_as(sql).bind(user).bind(u.push_enabled).bind(u.email_enabled)
        .bind(u.budget_alerts).bind(u.goal_updates).bind(u.daily_reminders).bind(u.ai_recommendations)
        .bind(u.transaction_alerts).bind(u.achievement_notifications).bind(now).fetch_one(pool).await)?,
    )
}
