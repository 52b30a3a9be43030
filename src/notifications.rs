//! Notifications (API.md "Notifications"): the user's notification list, read state,
//! preferences ([`prefs`]), push devices ([`devices`]) and the notifications the server raises
//! itself on events ([`events`]: large spends, a day going red, goal milestones and completion).
//!
//! Expired notifications (`expires_at` passed) are invisible: lists, counts and `{id}` routes.

pub mod devices;
pub mod events;
pub mod input;
pub mod prefs;

use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::{on_db, on_write};

pub use input::NotificationInput;

/// The columns of [`Row`], in order.
pub(crate) const COLUMNS: &str = "id, user_id, title, message, type, priority, image_url, action_url, data, status, \
    channel, is_read, read_at, scheduled_for, sent_at, delivered_at, error_message, expires_at, category, group_key, \
    created_at, updated_at";

/// A notification as stored.
#[derive(Clone, Debug, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct Row {
    pub id: Id,
    pub user_id: Id,
    pub title: String,
    pub message: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub priority: String,
    pub image_url: Option<String>,
    pub action_url: Option<String>,
    pub data: Option<Json<Value>>,
    pub status: String,
    pub channel: Option<String>,
    pub is_read: bool,
    pub read_at: Option<i64>,
    pub scheduled_for: Option<i64>,
    pub sent_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub error_message: Option<String>,
    pub expires_at: Option<i64>,
    pub category: Option<String>,
    pub group_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The notification object the app reads (answered bare, without the envelope).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NotificationView {
    pub id: Id,
    pub user_id: Id,
    pub title: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: String,
    pub image_url: Option<String>,
    pub action_url: Option<String>,
    pub data: Option<Value>,
    pub status: String,
    pub channel: Option<String>,
    pub is_read: bool,
    pub read_at: Option<String>,
    pub scheduled_for: Option<String>,
    pub sent_at: Option<String>,
    pub delivered_at: Option<String>,
    pub error_message: Option<String>,
    pub expires_at: Option<String>,
    pub category: Option<String>,
    pub group_key: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Row> for NotificationView {
    fn from(r: Row) -> Self {
        NotificationView {
            id: r.id,
            user_id: r.user_id,
            title: r.title,
            message: r.message,
            kind: r.kind,
            priority: r.priority,
            image_url: r.image_url,
            action_url: r.action_url,
            data: r.data.map(|d| d.0),
            status: r.status,
            channel: r.channel,
            is_read: r.is_read,
            read_at: r.read_at.map(rfc3339),
            scheduled_for: r.scheduled_for.map(rfc3339),
            sent_at: r.sent_at.map(rfc3339),
            delivered_at: r.delivered_at.map(rfc3339),
            error_message: r.error_message,
            expires_at: r.expires_at.map(rfc3339),
            category: r.category,
            group_key: r.group_key,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// Filters of `GET /api/notifications/list`.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub limit: i64,
    pub offset: i64,
    pub unread_only: bool,
    pub kind: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
}

/// `GET /api/notifications/list` (bare): the page, how many match in all, how many are unread,
/// and whether more pages follow.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Page {
    pub notifications: Vec<NotificationView>,
    /// Every live notification matching the filters (not just this page).
    pub total: i64,
    /// Every live unread notification of the user (the badge count).
    pub unread_count: i64,
    pub has_more: bool,
}

/// The filter clause shared by the page and its count (`$2` = now, `$3`–`$6` the filters).
const FILTER: &str = "user_id = $1 AND (expires_at IS NULL OR expires_at > $2) AND ($3 = FALSE OR is_read = FALSE) \
    AND ($4 IS NULL OR type = $4) AND ($5 IS NULL OR priority = $5) AND ($6 IS NULL OR category = $6)";

/// A page of the user's live notifications, newest first. 2 queries.
pub async fn list(db: &Db, user: Id, f: &ListFilter, now: i64) -> Result<Page> {
    let limit = f.limit.clamp(1, 100);
    let offset = f.offset.max(0);
    let page_sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications WHERE {FILTER} ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
    ));
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(page_sql).bind(user).bind(now).bind(f.unread_only)
        .bind(&f.kind).bind(&f.priority).bind(&f.category).bind(limit).bind(offset).fetch_all(pool).await)?;
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN {FILTER} THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN is_read = FALSE THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM notifications WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > $2)"
    ));
    let (total, unread): (i64, i64) = on_db!(db, pool => sqlx::query_as(count_sql).bind(user).bind(now)
        .bind(f.unread_only).bind(&f.kind).bind(&f.priority).bind(&f.category).fetch_one(pool).await)?;
    let returned = i64::try_from(rows.len()).unwrap_or(0);
    Ok(Page {
        notifications: rows.into_iter().map(NotificationView::from).collect(),
        total,
        unread_count: unread,
        has_more: offset + returned < total,
    })
}

/// Live unread notifications of the user. 1 query.
pub async fn unread_count(db: &Db, user: Id, now: i64) -> Result<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM notifications WHERE user_id = $1 AND is_read = FALSE \
         AND (expires_at IS NULL OR expires_at > $2)")
        .bind(user).bind(now).fetch_one(pool).await)?)
}

/// One live notification of the user (404 for another user's or an expired one). 1 query.
pub async fn get(db: &Db, user: Id, id: Id, now: i64) -> Result<NotificationView> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications WHERE id = $1 AND user_id = $2 AND (expires_at IS NULL OR expires_at > $3)"
    ));
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(user).bind(now).fetch_optional(pool).await)?;
    row.map(NotificationView::from)
        .ok_or(Error::NotFound("Notification"))
}

/// `POST /api/notifications/create`: a notification for the caller. 1 statement.
pub async fn create(
    db: &Db,
    user: Id,
    input: &NotificationInput,
    now: i64,
    tz: chrono_tz::Tz,
) -> Result<NotificationView> {
    let c = input.check(now, tz)?;
    let scheduled = c.scheduled_for.filter(|at| *at > now);
    let (status, sent_at) = if scheduled.is_some() {
        ("pending", None)
    } else {
        ("sent", Some(now))
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO notifications (id, user_id, title, message, type, priority, image_url, action_url, data, status, channel, \
         is_read, scheduled_for, sent_at, expires_at, category, group_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE, $12, $13, $14, $15, $16, $17, $17) RETURNING {COLUMNS}"
    ));
    let row: Row = on_write!(db, pool => sqlx::query_as(sql).bind(Id::new()).bind(user).bind(&c.title).bind(&c.message)
        .bind(&c.kind).bind(&c.priority).bind(&c.image_url).bind(&c.action_url).bind(c.data.as_ref().map(Json))
        .bind(status).bind(c.channel.as_deref().unwrap_or("in_app")).bind(c.scheduled_for).bind(sent_at)
        .bind(c.expires_at).bind(&c.category).bind(&c.group_key).bind(now).fetch_one(pool).await)?;
    Ok(NotificationView::from(row))
}

/// `POST /api/notifications/{id}/mark-read`: marks one read (idempotent; `read_at` kept from the
/// first time). 1 statement.
pub async fn mark_read(db: &Db, user: Id, id: Id, now: i64) -> Result<NotificationView> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET is_read = TRUE, read_at = COALESCE(read_at, $3), status = 'read', updated_at = $3 \
         WHERE id = $1 AND user_id = $2 AND (expires_at IS NULL OR expires_at > $3) RETURNING {COLUMNS}"
    ));
    let row: Option<Row> = on_write!(db, pool => sqlx::query_as(sql).bind(id).bind(user).bind(now).fetch_optional(pool).await)?;
    row.map(NotificationView::from)
        .ok_or(Error::NotFound("Notification"))
}

/// `POST /api/notifications/mark-all-read`: how many were marked. 1 statement.
pub async fn mark_all_read(db: &Db, user: Id, now: i64) -> Result<u64> {
    Ok(on_write!(db, pool => sqlx::query(
        "UPDATE notifications SET is_read = TRUE, read_at = $2, status = 'read', updated_at = $2 \
         WHERE user_id = $1 AND is_read = FALSE AND (expires_at IS NULL OR expires_at > $2)")
        .bind(user).bind(now).execute(pool).await.map(|r| r.rows_affected()))?)
}

/// `DELETE /api/notifications/{id}`. 1 statement.
pub async fn delete(db: &Db, user: Id, id: Id, now: i64) -> Result<()> {
    let n = on_write!(db, pool => sqlx::query(
        "DELETE FROM notifications WHERE id = $1 AND user_id = $2 AND (expires_at IS NULL OR expires_at > $3)")
        .bind(id).bind(user).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound("Notification"));
    }
    Ok(())
}
