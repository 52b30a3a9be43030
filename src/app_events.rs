//! Product-analytics events the app reports (docs/analytics-events.md): a feature was used, a
//! feature's access was attempted, a paywall was shown. Each is one `app_events` row of the
//! caller, with short printable names and a small metadata object; a user records at most
//! `analytics.events_per_hour` per rolling hour (more → 429) and keeps at most
//! `analytics.events_kept_per_user` (one more removes their oldest). Only the caller reads them
//! back, as counts per feature.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;

use crate::clock::rfc3339;
use crate::config::AnalyticsSettings;
use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::{on_db, on_tx};

/// Longest name (feature, screen, action, ...) in characters.
pub const NAME_MAX: usize = 100;
/// Largest serialised metadata object in bytes.
pub const METADATA_MAX: usize = 2048;
/// How far back the "recent" count of the statistics looks.
pub const RECENT_DAYS: i64 = 30;

pub use crate::metrics::AppEventKind as Kind;

/// The body of any of the three event routes; which fields are required depends on the kind.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventInput {
    /// Required for feature-usage and feature-access-attempt; at most 100 characters.
    pub feature: Option<String>,
    /// Required for paywall-impression.
    pub screen: Option<String>,
    pub action: Option<String>,
    pub context: Option<String>,
    pub session_id: Option<String>,
    pub platform: Option<String>,
    pub app_version: Option<String>,
    /// Required for feature-access-attempt.
    pub has_access: Option<bool>,
    pub is_premium_feature: Option<bool>,
    /// An object of at most 2048 bytes serialised.
    pub metadata: Option<Value>,
    /// The client's clock (informative).
    pub timestamp: Option<String>,
}

/// The answer of an event route.
#[derive(Clone, Debug, Serialize)]
pub struct Recorded {
    pub event_id: Id,
    pub kind: Kind,
    pub recorded_at: String,
}

fn name(
    v: Option<&str>,
    field: &str,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let t = v.map(str::trim).filter(|t| !t.is_empty());
    let Some(t) = t else {
        if required {
            errors.push(FieldError::new(field, "missing", "field required"));
        }
        return None;
    };
    if t.chars().count() > NAME_MAX || t.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "length",
            format!("must be at most {NAME_MAX} printable characters"),
        ));
        return None;
    }
    Some(t.to_string())
}

struct Checked {
    feature: Option<String>,
    screen: Option<String>,
    action: Option<String>,
    context: Option<String>,
    session_id: Option<String>,
    platform: Option<String>,
    app_version: Option<String>,
    metadata: Value,
    client_at: Option<i64>,
}

fn check(kind: Kind, e: &EventInput) -> Result<Checked> {
    let mut errors = Vec::new();
    let feature = name(
        e.feature.as_deref(),
        "body.feature",
        kind != Kind::PaywallImpression,
        &mut errors,
    );
    let screen = name(
        e.screen.as_deref(),
        "body.screen",
        kind == Kind::PaywallImpression,
        &mut errors,
    );
    let action = name(e.action.as_deref(), "body.action", false, &mut errors);
    let context = name(e.context.as_deref(), "body.context", false, &mut errors);
    let session_id = name(
        e.session_id.as_deref(),
        "body.session_id",
        false,
        &mut errors,
    );
    let platform = name(e.platform.as_deref(), "body.platform", false, &mut errors);
    let app_version = name(
        e.app_version.as_deref(),
        "body.app_version",
        false,
        &mut errors,
    );
    if kind == Kind::FeatureAccessAttempt && e.has_access.is_none() {
        errors.push(FieldError::new(
            "body.has_access",
            "missing",
            "field required",
        ));
    }
    let metadata = match &e.metadata {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v @ Value::Object(_)) => {
            if v.to_string().len() > METADATA_MAX {
                errors.push(FieldError::new(
                    "body.metadata",
                    "length",
                    format!("must serialise to at most {METADATA_MAX} bytes"),
                ));
            }
            v.clone()
        }
        Some(_) => {
            errors.push(FieldError::new(
                "body.metadata",
                "type",
                "must be an object",
            ));
            Value::Null
        }
    };
    // The client's own clock is informative only: an unreadable one is dropped, not refused.
    let client_at = e
        .timestamp
        .as_deref()
        .and_then(|t| crate::time::parse_instant(t, "body.timestamp", chrono_tz::Tz::UTC).ok());
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: Code::Validation2001,
            message: "Request validation failed".into(),
            fields: errors,
        });
    }
    Ok(Checked {
        feature,
        screen,
        action,
        context,
        session_id,
        platform,
        app_version,
        metadata,
        client_at,
    })
}

/// Records one event of `user`. At most 3 statements in one transaction: the user's counts, the
/// oldest removed when the user is at `events_kept_per_user`, the insert.
pub async fn record(
    db: &Db,
    limits: &AnalyticsSettings,
    user: Id,
    kind: Kind,
    e: &EventInput,
    now: i64,
) -> Result<Recorded> {
    let c = check(kind, e)?;
    let hour_ago = now - 3_600_000;
    let mut tx = db.begin().await?;
    let (kept, last_hour): (i64, i64) = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN created_at > $2 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM app_events WHERE user_id = $1")
        .bind(user).bind(hour_ago).fetch_one(&mut *conn).await)?;
    if last_hour >= i64::from(limits.events_per_hour) {
        tx.rollback().await?;
        // The oldest event of the hour leaves the window within the hour; an upper bound.
        return Err(Error::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let over = kept - i64::from(limits.events_kept_per_user) + 1;
    if over > 0 {
        on_tx!(&mut tx, conn => sqlx::query(
            "DELETE FROM app_events WHERE id IN (SELECT id FROM app_events WHERE user_id = $1 \
             ORDER BY created_at, id LIMIT $2)")
            .bind(user).bind(over).execute(&mut *conn).await.map(|_| ()))?;
    }
    let id = Id::new();
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO app_events (id, user_id, kind, feature, screen, action, context, session_id, platform, \
         app_version, has_access, is_premium_feature, metadata, client_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
        .bind(id).bind(user).bind(kind.as_str()).bind(&c.feature).bind(&c.screen).bind(&c.action)
        .bind(&c.context).bind(&c.session_id).bind(&c.platform).bind(&c.app_version)
        .bind(e.has_access).bind(e.is_premium_feature).bind(Json(&c.metadata)).bind(c.client_at).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(Recorded {
        event_id: id,
        kind,
        recorded_at: rfc3339(now),
    })
}

/// Counts per kind of one feature (`GET /api/analytics/feature-usage/{user}/{feature}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    pub feature_usage: i64,
    pub feature_access_attempt: i64,
    pub paywall_impression: i64,
}

/// The caller's statistics of one feature.
#[derive(Clone, Debug, Serialize)]
pub struct FeatureStats {
    pub user_id: Id,
    pub feature: String,
    /// Every stored event naming the feature.
    pub total_events: i64,
    pub by_kind: KindCounts,
    /// Of the access attempts: allowed and refused.
    pub access_granted: i64,
    pub access_denied: i64,
    /// Events of the last 30 days.
    pub events_last_30_days: i64,
    pub first_used_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// Statistics of one feature of `user` from their own events. 1 statement.
pub async fn feature_stats(db: &Db, user: Id, feature: &str, now: i64) -> Result<FeatureStats> {
    let feature = feature.trim();
    if feature.is_empty()
        || feature.chars().count() > NAME_MAX
        || feature.chars().any(char::is_control)
    {
        return Err(Error::invalid(
            Code::Validation2001,
            "path.feature",
            "length",
            format!("must be 1 to {NAME_MAX} printable characters"),
        ));
    }
    let since = now - RECENT_DAYS * 86_400_000;
    let row: (i64, i64, i64, i64, i64, i64, i64, Option<i64>, Option<i64>) = on_db!(db, conn => sqlx::query_as(
        "SELECT COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN kind = 'feature_usage' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN kind = 'feature_access_attempt' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN kind = 'paywall_impression' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN kind = 'feature_access_attempt' AND has_access THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN kind = 'feature_access_attempt' AND NOT has_access THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN created_at >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         MIN(created_at), MAX(created_at) \
         FROM app_events WHERE user_id = $1 AND feature = $2")
        .bind(user).bind(feature).bind(since).fetch_one(conn).await)?;
    Ok(FeatureStats {
        user_id: user,
        feature: feature.to_string(),
        total_events: row.0,
        by_kind: KindCounts {
            feature_usage: row.1,
            feature_access_attempt: row.2,
            paywall_impression: row.3,
        },
        access_granted: row.4,
        access_denied: row.5,
        events_last_30_days: row.6,
        first_used_at: row.7.map(rfc3339),
        last_used_at: row.8.map(rfc3339),
    })
}
