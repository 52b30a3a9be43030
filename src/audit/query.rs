//! Reading the audit trail back (`GET /api/admin/audit`, `mita admin audit`).

use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::on_db;

/// Events returned when the caller does not say.
pub const DEFAULT_LIMIT: i64 = 100;
/// Most events one call returns.
pub const MAX_LIMIT: i64 = 1000;

/// Which events to list. Every condition is optional except the limit (clamped to
/// `1..=`[`MAX_LIMIT`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFilter {
    /// Stored event type name (see [`super::EventType::as_str`]).
    pub event_type: Option<String>,
    pub user_id: Option<Id>,
    /// Only events at or after this instant (epoch ms; see [`parse_since`]).
    pub since_ms: Option<i64>,
    pub limit: i64,
}

impl Default for AuditFilter {
    fn default() -> Self {
        AuditFilter {
            event_type: None,
            user_id: None,
            since_ms: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// One stored event, as the API and `--json` show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: Id,
    /// RFC 3339 UTC with milliseconds and a `Z`.
    pub time: String,
    pub event_type: String,
    pub outcome: String,
    pub user_id: Option<Id>,
    pub actor: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub details: Value,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Row {
    id: Id,
    created_at: i64,
    event_type: String,
    outcome: String,
    user_id: Option<Id>,
    actor: String,
    client_ip: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    details: Json<Value>,
}

impl From<Row> for AuditRecord {
    fn from(r: Row) -> Self {
        AuditRecord {
            id: r.id,
            time: rfc3339(r.created_at),
            event_type: r.event_type,
            outcome: r.outcome,
            user_id: r.user_id,
            actor: r.actor,
            client_ip: r.client_ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
            details: r.details.0,
        }
    }
}

// Absent conditions are bound as NULL and switch their predicate off, so one SQL text (and one
// cached statement) serves every filter on both backends. Ids are time-ordered (UUID v7), so
// `id` breaks ties between events of the same millisecond in recording order.
const LIST: &str = "SELECT id, created_at, event_type, outcome, user_id, actor, client_ip, \
    user_agent, request_id, details FROM audit_events \
    WHERE ($1 IS NULL OR event_type = $1) AND ($2 IS NULL OR user_id = $2) \
    AND ($3 IS NULL OR created_at >= $3) \
    ORDER BY created_at DESC, id DESC LIMIT $4";

/// The events matching `filter`, newest first.
pub async fn list(db: &Db, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
    let limit = filter.limit.clamp(1, MAX_LIMIT);
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(LIST)
        .bind(filter.event_type.as_deref())
        .bind(filter.user_id)
        .bind(filter.since_ms)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(AuditRecord::from).collect())
}

/// Parses a `since` value into epoch ms: a look-back such as `90s`, `30m`, `24h`, `7d`, `2w`
/// (counted back from `now_ms`), or an RFC 3339 instant such as `2026-01-31T00:00:00Z`.
pub fn parse_since(text: &str, now_ms: i64) -> Result<i64> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    let invalid = || {
        Error::invalid(
            Code::Validation2007,
            "query.since",
            "format",
            "must be a duration such as 30m, 24h or 7d, or an RFC 3339 timestamp",
        )
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(invalid)?;
    let (number, unit) = text.split_at(split);
    let unit_ms: i64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return Err(invalid()),
    };
    let back = number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_ms))
        .ok_or_else(invalid)?;
    Ok(now_ms.saturating_sub(back))
}

/// Removes audit events recorded before `cutoff_ms`, at most `limit` of them (oldest first, so
/// a backlog is worked off over a few runs); returns how many. One statement.
pub async fn purge_before(db: &Db, cutoff_ms: i64, limit: i64) -> Result<u64> {
    Ok(crate::on_write!(db, pool => sqlx::query(
        "DELETE FROM audit_events WHERE id IN \
         (SELECT id FROM audit_events WHERE created_at < $1 ORDER BY created_at LIMIT $2)")
        .bind(cutoff_ms).bind(limit).execute(pool).await.map(|r| r.rows_affected()))?)
}
