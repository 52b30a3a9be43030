//! Transactions: validation, reads, and (in `write`) create/update/delete with accrual and
//! redistribution in the same database transaction.

pub mod checks;
pub mod list_json;
pub mod rules;
pub mod write;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::budget::TxCategory;
use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::input::{Lines, text};
use crate::money::Money;
use crate::on_db;

use crate::money::{MAX_AMOUNT_CENTS, MIN_AMOUNT_CENTS};
pub const MAX_TAGS: usize = 10;
/// How far from now a spend may be dated.
pub const MAX_FUTURE_MS: i64 = 24 * 60 * 60 * 1000;
pub const MAX_PAST_MS: i64 = 7 * 366 * 24 * 60 * 60 * 1000;

pub(crate) const COLUMNS: &str = "id, user_id, goal_id, category, amount_cents, currency, description, merchant, location, \
    tags, is_recurring, confidence_score, receipt_url, notes, spent_at, local_date, created_at, updated_at";

/// A stored transaction.
#[derive(Clone, Debug, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct Row {
    pub id: Id,
    pub user_id: Id,
    pub goal_id: Option<Id>,
    pub category: String,
    pub amount_cents: i64,
    pub currency: String,
    pub description: Option<String>,
    pub merchant: Option<String>,
    pub location: Option<String>,
    pub tags: Json<Vec<String>>,
    pub is_recurring: bool,
    pub confidence_score: Option<f64>, // f64-ok: a confidence score, not money
    pub receipt_url: Option<String>,
    pub notes: Option<String>,
    pub spent_at: i64,
    pub local_date: NaiveDate,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A transaction as the app reads it.
#[derive(Clone, Debug, Serialize)]
pub struct TransactionView {
    pub id: Id,
    pub user_id: Id,
    pub goal_id: Option<Id>,
    pub category: String,
    pub amount: Money,
    pub currency: String,
    pub description: Option<String>,
    pub merchant: Option<String>,
    pub location: Option<String>,
    pub tags: Vec<String>,
    pub is_recurring: bool,
    pub confidence_score: Option<f64>, // f64-ok: a confidence score, not money
    pub receipt_url: Option<String>,
    pub notes: Option<String>,
    pub spent_at: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Row> for TransactionView {
    fn from(r: Row) -> Self {
        TransactionView {
            id: r.id,
            user_id: r.user_id,
            goal_id: r.goal_id,
            category: r.category,
            amount: Money::from_cents(r.amount_cents),
            currency: r.currency,
            description: r.description,
            merchant: r.merchant,
            location: r.location,
            tags: r.tags.0,
            is_recurring: r.is_recurring,
            confidence_score: r.confidence_score,
            receipt_url: r.receipt_url,
            notes: r.notes,
            spent_at: rfc3339(r.spent_at),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// Fields of a create (all) or a partial update (any).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionInput {
    /// 0.01 – 100000, at most 2 decimals. Required on create.
    pub amount: Option<Money>,
    /// One of the 22 categories (food, dining, groceries, transportation, gas, ...). Required on
    /// create.
    pub category: Option<String>,
    pub description: Option<String>,
    /// ISO 4217 (default USD).
    pub currency: Option<String>,
    pub merchant: Option<String>,
    pub location: Option<String>,
    /// At most 10.
    pub tags: Option<Vec<String>>,
    pub is_recurring: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    // f64-ok: the document's number type; the value is never a float here
    pub confidence_score: Option<serde_json::Number>,
    pub receipt_url: Option<String>,
    pub notes: Option<String>,
    /// RFC 3339 (without an offset: the user's timezone); at most 1 day ahead, 7 years back
    /// (default now).
    pub spent_at: Option<String>,
    pub goal_id: Option<String>,
}

/// Checked values of a [`TransactionInput`] (None = not given).
#[derive(Clone, Debug, Default)]
pub struct Checked {
    pub amount: Option<i64>,
    pub category: Option<TxCategory>,
    pub description: Option<String>,
    pub currency: Option<String>,
    pub merchant: Option<String>,
    pub location: Option<String>,
    pub tags: Option<Vec<String>>,
    pub is_recurring: Option<bool>,
    pub confidence_score: Option<f64>, // f64-ok: a confidence score, not money
    pub receipt_url: Option<String>,
    pub notes: Option<String>,
    pub spent_at: Option<i64>,
    pub goal_id: Option<Id>,
}

impl TransactionInput {
    /// Validates every given field; `create` requires amount and category.
    /// `tz`: the user's timezone, in which a `spent_at` without an offset is read.
    pub fn check(&self, create: bool, now_ms: i64, tz: Tz) -> Result<Checked> {
        let mut errors = Vec::new();
        let mut code = Code::Validation2001;
        let mut out = Checked::default();
        match self.amount {
            Some(m) if !(MIN_AMOUNT_CENTS..=MAX_AMOUNT_CENTS).contains(&m.cents()) => {
                errors.push(FieldError::new(
                    "body.amount",
                    "range",
                    "must be between 0.01 and 100000.00",
                ));
                code = Code::Validation2006;
            }
            Some(m) => out.amount = Some(m.cents()),
            None if create => {
                errors.push(FieldError::new("body.amount", "missing", "field required"));
                code = Code::Validation2006;
            }
            None => {}
        }
        match &self.category {
            Some(c) => match c.parse::<TxCategory>() {
                Ok(c) => out.category = Some(c),
                Err(()) => {
                    errors.push(FieldError::new(
                        "body.category",
                        "enum",
                        "must be one of the 22 transaction categories",
                    ));
                    code = Code::Validation2009;
                }
            },
            None if create => errors.push(FieldError::new(
                "body.category",
                "missing",
                "field required",
            )),
            None => {}
        }
        let mut field = |v, name, max| text(v, name, (0, max), Lines::Many, &mut errors);
        out.description = field(self.description.as_deref(), "body.description", 500);
        out.merchant = field(self.merchant.as_deref(), "body.merchant", 200);
        out.location = field(self.location.as_deref(), "body.location", 200);
        out.notes = field(self.notes.as_deref(), "body.notes", 2000);
        out.receipt_url = field(self.receipt_url.as_deref(), "body.receipt_url", 2048);
        if let Some(c) = &self.currency {
            let c = c.trim().to_ascii_uppercase();
            if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                out.currency = Some(c);
            } else {
                errors.push(FieldError::new(
                    "body.currency",
                    "format",
                    "must be a three-letter currency code",
                ));
            }
        }
        if let Some(tags) = &self.tags {
            if tags.len() > MAX_TAGS
                || tags
                    .iter()
                    .any(|t| t.trim().is_empty() || t.chars().count() > 50)
            {
                errors.push(FieldError::new(
                    "body.tags",
                    "length",
                    "at most 10 tags of 1 to 50 characters",
                ));
            } else {
                out.tags = Some(tags.iter().map(|t| t.trim().to_string()).collect());
            }
        }
        out.is_recurring = self.is_recurring;
        if let Some(n) = &self.confidence_score {
            match n.as_f64() {
                // f64-ok: a confidence score, not money
                Some(v) if (0.0..=1.0).contains(&v) => out.confidence_score = Some(v), // f64-ok: not money
                _ => errors.push(FieldError::new(
                    "body.confidence_score",
                    "range",
                    "must be between 0 and 1",
                )),
            }
        }
        if let Some(t) = &self.spent_at {
            match crate::time::parse_instant(t, "body.spent_at", tz) {
                Ok(ms) if ms > now_ms + MAX_FUTURE_MS || ms < now_ms - MAX_PAST_MS => {
                    errors.push(FieldError::new(
                        "body.spent_at",
                        "range",
                        "must be at most 1 day ahead and 7 years back",
                    ));
                    code = Code::Validation2007;
                }
                Ok(ms) => out.spent_at = Some(ms),
                Err(_) => {
                    errors.push(FieldError::new(
                        "body.spent_at",
                        "date",
                        "must be an RFC 3339 date-time",
                    ));
                    code = Code::Validation2007;
                }
            }
        }
        if let Some(g) = &self.goal_id {
            match g.parse::<Id>() {
                Ok(id) => out.goal_id = Some(id),
                Err(_) => {
                    errors.push(FieldError::new("body.goal_id", "format", "must be a UUID"));
                    code = Code::Validation2011;
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Error::Validation {
                code,
                message: "Request validation failed".into(),
                fields: errors,
            })
        }
    }
}

/// Filters of `GET /api/transactions`.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub skip: i64,
    pub limit: i64,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub category: Option<TxCategory>,
}

/// The list's filter and order: `$1` user, `$2`/`$3` first/last local date, `$4` category, `$5`
/// limit, `$6` offset (null filters match everything). Both list reads use it.
const LIST_WHERE: &str = "WHERE user_id = $1 AND deleted_at IS NULL AND ($2 IS NULL OR local_date >= $2) \
    AND ($3 IS NULL OR local_date <= $3) AND ($4 IS NULL OR category = $4) \
    ORDER BY spent_at DESC, id DESC LIMIT $5 OFFSET $6";

fn list_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM transactions {LIST_WHERE}"));
    &SQL
}

/// One user's transactions, newest `spent_at` first, soft-deleted excluded. 1 query.
pub async fn list(db: &Db, user: Id, f: &ListFilter) -> Result<Vec<TransactionView>> {
    let category = f.category.map(|c| c.as_str());
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(list_sql())).bind(user).bind(f.start).bind(f.end).bind(category)
        .bind(f.limit.clamp(1, 1000)).bind(f.skip.max(0)).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(TransactionView::from).collect())
}

/// The `limit` most recent transactions. 1 query.
pub async fn recent(db: &Db, user: Id, limit: i64) -> Result<Vec<TransactionView>> {
    list(
        db,
        user,
        &ListFilter {
            limit,
            ..ListFilter::default()
        },
    )
    .await
}

/// One transaction of `user` (another user's, or a deleted one, is not found). 1 query.
pub async fn get(db: &Db, user: Id, id: Id) -> Result<TransactionView> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM transactions WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<Row> =
        on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(pool).await)?;
    row.map(TransactionView::from)
        .ok_or(Error::NotFound("Transaction"))
}

/// Merchant names matching `q` (case-insensitive prefix or infix), most frequent first. 1 query.
pub async fn merchant_suggestions(db: &Db, user: Id, q: &str, limit: i64) -> Result<Vec<String>> {
    let escaped: String = q
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    let rows: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT merchant, COUNT(*) AS n FROM transactions WHERE user_id = $1 AND deleted_at IS NULL AND merchant IS NOT NULL \
         AND lower(merchant) LIKE $2 ESCAPE '\\' GROUP BY merchant ORDER BY n DESC, merchant LIMIT $3")
        .bind(user).bind(&pattern).bind(limit.clamp(1, 50)).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(m, _)| m).collect())
}

/// The user-local day of a spend.
pub fn local_day(spent_at: i64, tz: Tz) -> NaiveDate {
    crate::time::local_date(spent_at, tz)
}
