//! Stored analyses (`ai_snapshots`): every computed health score, anomaly list, pattern set,
//! report and insight overview is kept, so `/api/ai/latest-snapshots` and
//! `/api/insights/history` can list them. An analysis identical to the latest stored one of its
//! kind (same figures, same source) is not stored again.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use super::Origin;
use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::{on_db, on_write};

/// Snapshot kinds, one per stored analysis.
pub const KINDS: [&str; 7] = [
    "financial_health_score",
    "spending_anomalies",
    "spending_patterns",
    "monthly_report",
    "weekly_insights",
    "insights",
    "month_snapshot",
];

/// What to store about one analysis.
#[derive(Clone, Debug)]
pub struct NewSnapshot<'a> {
    pub kind: &'static str,
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// A grade (health score).
    pub rating: Option<String>,
    /// A risk level (health score).
    pub risk: Option<String>,
    pub summary: Option<String>,
    /// The whole answer as the API gave it.
    pub data: Value,
    pub origin: &'a Origin,
}

/// A stored analysis as the API lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub id: Id,
    pub kind: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub rating: Option<String>,
    pub risk: Option<String>,
    pub summary: Option<String>,
    pub data: Value,
    pub source: String,
    pub model: Option<String>,
    pub created_at: String,
    /// The same as `created_at` (the name the app's advice history reads).
    pub date: String,
    /// The line the app shows: `summary`, else the kind's label ([`label`]).
    pub text: String,
}

/// A kind's label, e.g. `Weekly insights` for `weekly_insights`.
pub fn label(kind: &str) -> String {
    let mut text = kind.replace('_', " ");
    if let Some(first) = text.get(..1) {
        let upper = first.to_ascii_uppercase();
        text.replace_range(..1, &upper);
    }
    text
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Row {
    id: Id,
    kind: String,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    rating: Option<String>,
    risk: Option<String>,
    summary: Option<String>,
    data: Json<Value>,
    source: String,
    model: Option<String>,
    created_at: i64,
}

impl From<Row> for Snapshot {
    fn from(r: Row) -> Self {
        let created_at = rfc3339(r.created_at);
        let text = r
            .summary
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| label(&r.kind));
        Snapshot {
            id: r.id,
            kind: r.kind,
            period_start: r.period_start,
            period_end: r.period_end,
            rating: r.rating,
            risk: r.risk,
            summary: r.summary,
            data: r.data.0,
            source: r.source,
            model: r.model,
            date: created_at.clone(),
            created_at,
            text,
        }
    }
}

const COLUMNS: &str =
    "id, kind, period_start, period_end, rating, risk, summary, data, source, model, created_at";

/// Stores `s` unless the latest snapshot of its kind holds the same data. 1–2 queries.
pub async fn store(db: &Db, user: Id, s: &NewSnapshot<'_>, now: i64) -> Result<()> {
    let latest: Option<(Json<Value>,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT data FROM ai_snapshots WHERE user_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind(user).bind(s.kind).fetch_optional(pool).await)?;
    if latest.is_some_and(|(d,)| d.0 == s.data) {
        return Ok(());
    }
    let (start, end) = s.period.unzip();
    let data = Json(&s.data);
    on_write!(db, pool => sqlx::query(
        "INSERT INTO ai_snapshots (id, user_id, kind, period_start, period_end, rating, risk, summary, data, source, model, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(Id::new()).bind(user).bind(s.kind).bind(start).bind(end).bind(&s.rating).bind(&s.risk)
        .bind(&s.summary).bind(data).bind(s.origin.source.as_str()).bind(&s.origin.model).bind(now)
        .execute(pool).await.map(|_| ()))?;
    Ok(())
}

/// The newest snapshot of each kind, newest first. 1 query.
pub async fn latest(db: &Db, user: Id) -> Result<Vec<Snapshot>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_snapshots s WHERE user_id = $1 AND id = (SELECT t.id FROM ai_snapshots t \
         WHERE t.user_id = s.user_id AND t.kind = s.kind ORDER BY t.created_at DESC, t.id DESC LIMIT 1) \
         ORDER BY created_at DESC, id DESC"
    ));
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(Snapshot::from).collect())
}

/// Filters of the history.
#[derive(Clone, Debug)]
pub struct HistoryFilter {
    /// One of [`KINDS`].
    pub kind: Option<String>,
    /// 1–100.
    pub limit: i64,
    pub skip: i64,
}

/// The user's snapshots, newest first. 1 query. An unknown kind or a limit outside 1–100 → 422.
pub async fn history(db: &Db, user: Id, f: &HistoryFilter) -> Result<Vec<Snapshot>> {
    if let Some(kind) = &f.kind
        && !KINDS.contains(&kind.as_str())
    {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.kind",
            "enum",
            format!("must be one of {}", KINDS.join(", ")),
        ));
    }
    crate::page::limit(Some(f.limit), f.limit, 100)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_snapshots WHERE user_id = $1 AND ($2 IS NULL OR kind = $2) \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
    ));
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(&f.kind)
        .bind(f.limit).bind(f.skip.max(0)).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(Snapshot::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_readable_label() {
        assert_eq!(label("weekly_insights"), "Weekly insights");
        assert_eq!(label("financial_health_score"), "Financial health score");
        assert_eq!(label("insights"), "Insights");
        assert_eq!(label(""), "");
    }
}
