//! The user's categorisation rules (`crate::rules`) applied to spends: filling in a new spend
//! sent without a category, and running one rule over the past spends.

use serde::Serialize;

use super::TransactionInput;
use crate::budget::TxCategory;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::money::Money;
use crate::rules::{RuleSet, Subject, get};

/// A spend sent without a category: the user's rules fill in the category, the description (when
/// a rule sets one) and tags. One query; the input is unchanged when no rule matches.
pub async fn fill(db: &Db, user: Id, input: &TransactionInput) -> Result<TransactionInput> {
    let mut out = input.clone();
    let set = RuleSet::load(db, user).await?;
    if set.is_empty() {
        return Ok(out);
    }
    let payee = input
        .merchant
        .as_deref()
        .or(input.description.as_deref())
        .unwrap_or("");
    let decided = set.apply(&Subject {
        payee,
        cents: input.amount.map_or(0, Money::cents),
        account: None,
    });
    if decided.category.is_some() {
        out.category = decided.category;
    }
    if decided.description.is_some() {
        out.description = decided.description;
    }
    if !decided.tags.is_empty() {
        let mut tags = out.tags.unwrap_or_default();
        for t in decided.tags {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        out.tags = Some(tags);
    }
    Ok(out)
}

/// Most transactions one apply looks at (the most recent ones).
pub const APPLY_SCAN_LIMIT: i64 = 10_000;

/// One transaction a rule would change.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub transaction_id: Id,
    pub date: chrono::NaiveDate,
    pub amount: Money,
    pub payee: String,
    pub category: String,
    pub new_category: String,
    pub description: Option<String>,
    pub new_description: Option<String>,
    pub tags: Vec<String>,
    pub new_tags: Vec<String>,
}

/// The answer of `POST /api/rules/{id}/apply`.
#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    pub rule_id: Id,
    /// False: a preview, nothing written.
    pub applied: bool,
    /// Transactions looked at (the most recent, at most [`APPLY_SCAN_LIMIT`]).
    pub scanned: usize,
    pub matched: usize,
    pub changes: Vec<Change>,
}

/// Runs one rule over the user's past spends (not deleted, not installment payments): a preview,
/// or with `confirm` every change in one transaction, the plan re-accrued once per affected
/// (day, category) and each affected day's status recomputed once.
#[allow(clippy::too_many_arguments)] // each is a distinct fact of the request
pub async fn apply_to_past(
    db: &Db,
    clock: &Clock,
    metrics: &crate::metrics::Metrics,
    user: Id,
    tz: chrono_tz::Tz,
    id: Id,
    confirm: bool,
) -> Result<ApplyReport> {
    use crate::budget::{PlanCategory, store};
    use crate::on_tx;
    let rule = get(db, user, id).await?.row;
    let set = RuleSet::new(vec![rule]);
    let now = clock.now_ms();
    let mut tx = db.begin().await?;
    store::lock_user(&mut tx, user).await?;
    let sql = format!(
        "SELECT {} FROM transactions t WHERE user_id = $1 AND deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM installment_payments p WHERE p.transaction_id = t.id) \
         ORDER BY spent_at DESC, id LIMIT $2",
        super::COLUMNS
    );
    let rows: Vec<super::Row> = on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user).bind(APPLY_SCAN_LIMIT).fetch_all(&mut *conn).await)?;
    let mut report = ApplyReport {
        rule_id: id,
        applied: confirm,
        scanned: rows.len(),
        matched: 0,
        changes: Vec::new(),
    };
    for r in &rows {
        let payee = r
            .merchant
            .as_deref()
            .or(r.description.as_deref())
            .unwrap_or("");
        let out = set.apply(&Subject {
            payee,
            cents: r.amount_cents,
            account: None,
        });
        if out.matched.is_empty() {
            continue;
        }
        report.matched += 1;
        let new_category = out.category.unwrap_or_else(|| r.category.clone());
        let new_description = out.description.or_else(|| r.description.clone());
        let mut new_tags = r.tags.0.clone();
        for t in out.tags {
            if !new_tags.contains(&t) {
                new_tags.push(t);
            }
        }
        if new_category == r.category && new_description == r.description && new_tags == r.tags.0 {
            continue;
        }
        report.changes.push(Change {
            transaction_id: r.id,
            date: r.local_date,
            amount: Money::from_cents(r.amount_cents),
            payee: payee.to_string(),
            category: r.category.clone(),
            new_category,
            description: r.description.clone(),
            new_description,
            tags: r.tags.0.clone(),
            new_tags,
        });
    }
    if !confirm || report.changes.is_empty() {
        tx.rollback().await?;
        return Ok(report);
    }
    let plan_of = |c: &str| {
        c.parse::<TxCategory>()
            .map(TxCategory::plan)
            .unwrap_or(PlanCategory::Other)
    };
    // (day, plan) rows losing spends: re-accrued; rows gaining spends: applied as a typed spend
    // is (accrual, overspend cover, day status), once per row, in date order.
    let mut seen: std::collections::BTreeSet<(chrono::NaiveDate, &'static str, bool)> =
        Default::default();
    let mut losing: Vec<(chrono::NaiveDate, PlanCategory)> = Vec::new();
    let mut gaining: Vec<(chrono::NaiveDate, PlanCategory, Id)> = Vec::new();
    for c in &report.changes {
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE transactions SET category = $3, description = $4, tags = $5, updated_at = $6 WHERE id = $1 AND user_id = $2")
            .bind(c.transaction_id).bind(user).bind(&c.new_category).bind(&c.new_description)
            .bind(sqlx::types::Json(&c.new_tags)).bind(now).execute(&mut *conn).await.map(|_| ()))?;
        let (old, new) = (plan_of(&c.category), plan_of(&c.new_category));
        if old == new {
            continue;
        }
        if seen.insert((c.date, old.as_str(), false)) {
            losing.push((c.date, old));
        }
        if seen.insert((c.date, new.as_str(), true)) {
            gaining.push((c.date, new, c.transaction_id));
        }
    }
    losing.sort_by_key(|(d, p)| (*d, p.as_str()));
    gaining.sort_by_key(|(d, p, _)| (*d, p.as_str()));
    for (day, p) in &losing {
        store::accrue(&mut tx, user, *day, *p, now).await?;
    }
    let mut days: Vec<chrono::NaiveDate> = losing.iter().map(|(d, _)| *d).collect();
    days.dedup();
    store::update_day_statuses(&mut tx, user, &days, now).await?;
    let today = crate::time::local_date(now, tz);
    for (day, p, txn) in &gaining {
        store::apply_spend(&mut tx, user, *day, *p, today, Some(*txn), now, metrics).await?;
    }
    tx.commit().await?;
    Ok(report)
}
