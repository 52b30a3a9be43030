//! Bank-file import (docs/import.md), CSV with a column mapping: parse into a preview (rows,
//! rejected rows with their line, duplicates, the category each row gets from the rules), stored
//! for an hour; the commit inserts the rows in one database transaction and moves the plan once
//! per affected (day, plan category) through the spend path, as typed spends do.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::budget::{PlanCategory, TxCategory, store};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, FieldError, Result};
use crate::id::Id;
use crate::metrics::Metrics;
use crate::money::Money;
use crate::on_tx;
use crate::rules::{RuleSet, Subject};

/// Largest file accepted (bytes).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows in one file.
pub const MAX_ROWS: usize = 20_000;
/// A preview can be committed for this long.
pub const PREVIEW_TTL_MS: i64 = 3_600_000;
/// The largest single spend (as `POST /api/transactions`).
const MAX_CENTS: i64 = 10_000_000;

/// How the CSV's columns map to a spend (column names as in the header line).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub date: String,
    /// One signed amount column (outflows negative, see `spends_positive`)...
    #[serde(default)]
    pub amount: Option<String>,
    /// ...or a debit (money out) and a credit (money in) column.
    #[serde(default)]
    pub debit: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    pub payee: String,
    #[serde(default)]
    pub currency: Option<String>,
    /// chrono format of the dates; default `%Y-%m-%d`.
    #[serde(default)]
    pub date_format: Option<String>,
    /// `.` (default) or `,`.
    #[serde(default)]
    pub decimal: Option<String>,
    /// One character; detected from the header line when absent (`,` `;` tab `|`).
    #[serde(default)]
    pub delimiter: Option<String>,
    /// With `amount`: spends are positive numbers (default: spends are negative).
    #[serde(default)]
    pub spends_positive: bool,
    /// The account the file comes from (rules' `account` condition).
    #[serde(default)]
    pub account: Option<String>,
}

/// One row the commit would insert.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub date: NaiveDate,
    pub amount: Money,
    pub currency: String,
    pub payee: String,
    pub category: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Already there (same date, amount and payee): skipped by the commit.
    pub duplicate: bool,
}

/// A line left out, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// The answer of an upload.
#[derive(Clone, Debug, Serialize)]
pub struct Preview {
    pub import_id: Id,
    pub format: &'static str,
    pub rows_parsed: usize,
    pub new_rows: usize,
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
    pub rows: Vec<ImportRow>,
    pub expires_at: String,
}

/// The answer of a commit.
#[derive(Clone, Debug, Serialize)]
pub struct Committed {
    pub import_id: Id,
    pub inserted: usize,
    pub duplicates: usize,
    /// Distinct days whose plan moved.
    pub days_affected: usize,
}

fn file_error(line: u64, message: impl std::fmt::Display) -> Error {
    Error::Validation {
        code: "VALIDATION_2012",
        message: format!("The file is malformed at line {line}: {message}"),
        fields: vec![FieldError::new(
            "body.file",
            "format",
            format!("line {line}: {message}"),
        )],
    }
}

fn mapping_error(field: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid("VALIDATION_2001", field, "value", message)
}

/// Parses an amount text: optional sign or parentheses, thousands separators, `decimal`.
fn parse_cents(text: &str, decimal: char) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        (true, inner)
    } else if let Some(rest) = t.strip_prefix('-') {
        (true, rest)
    } else {
        (false, t.strip_prefix('+').unwrap_or(t))
    };
    let thousands = if decimal == ',' {
        ['.', ' ']
    } else {
        [',', ' ']
    };
    let cleaned: String = t.chars().filter(|c| !thousands.contains(c)).collect();
    let normal = cleaned.replace(decimal, ".");
    let m = Money::parse(&normal).ok()?;
    Some(if neg { -m.cents() } else { m.cents() })
}

/// A parsed line: (line, date, cents, payee, currency).
pub type ParsedRow = (u64, NaiveDate, i64, String, String);

/// Parses a CSV file into rows and rejected lines (pure; no database).
pub fn parse_csv(bytes: &[u8], map: &Mapping) -> Result<(Vec<ParsedRow>, Vec<Rejected>)> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(
            "VALIDATION_2012",
            "body.file",
            "size",
            format!("must be at most {MAX_FILE_BYTES} bytes"),
        ));
    }
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            file_error(line, "not UTF-8 text")
        })?;
    let decimal = match map.decimal.as_deref() {
        None | Some(".") => '.',
        Some(",") => ',',
        Some(_) => {
            return Err(mapping_error(
                "body.mapping.decimal",
                "must be \".\" or \",\"",
            ));
        }
    };
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = match map.delimiter.as_deref() {
        Some(d) if d.len() == 1 && d.is_ascii() => d.as_bytes()[0],
        Some("\\t") => b'\t',
        Some(_) => {
            return Err(mapping_error(
                "body.mapping.delimiter",
                "must be one ASCII character",
            ));
        }
        None => *[b',', b';', b'\t', b'|']
            .iter()
            .max_by_key(|d| header_line.bytes().filter(|b| b == *d).count())
            .unwrap_or(&b','),
    };
    let date_format = map.date_format.as_deref().unwrap_or("%Y-%m-%d");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| file_error(1, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>();
    let col = |name: &str, field: &str| -> Result<usize> {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                mapping_error(
                    field,
                    format!("no column named {name:?} in the header line"),
                )
            })
    };
    let date_col = col(&map.date, "body.mapping.date")?;
    let payee_col = col(&map.payee, "body.mapping.payee")?;
    let currency_col = map
        .currency
        .as_deref()
        .map(|c| col(c, "body.mapping.currency"))
        .transpose()?;
    enum Amount {
        Signed(usize),
        DebitCredit(usize, Option<usize>),
    }
    let amount = match (&map.amount, &map.debit) {
        (Some(a), None) => Amount::Signed(col(a, "body.mapping.amount")?),
        (None, Some(d)) => Amount::DebitCredit(
            col(d, "body.mapping.debit")?,
            map.credit
                .as_deref()
                .map(|c| col(c, "body.mapping.credit"))
                .transpose()?,
        ),
        _ => {
            return Err(mapping_error(
                "body.mapping.amount",
                "give either amount or debit (with an optional credit)",
            ));
        }
    };
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            file_error(line, e)
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() + rejected.len() >= MAX_ROWS {
            return Err(file_error(line, format!("more than {MAX_ROWS} rows")));
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let Ok(date) = NaiveDate::parse_from_str(get(date_col), date_format) else {
            rejected.push(Rejected {
                line,
                reason: format!("date {:?} does not match {date_format}", get(date_col)),
            });
            continue;
        };
        let cents = match amount {
            Amount::Signed(i) => {
                parse_cents(get(i), decimal).map(|c| if map.spends_positive { c } else { -c })
            }
            Amount::DebitCredit(d, c) => {
                let debit = get(d);
                if debit.is_empty() {
                    match c.map(get) {
                        Some(credit) if !credit.is_empty() => {
                            parse_cents(credit, decimal).map(|v| -v.abs())
                        }
                        _ => None,
                    }
                } else {
                    parse_cents(debit, decimal).map(i64::abs)
                }
            }
        };
        let Some(cents) = cents else {
            rejected.push(Rejected {
                line,
                reason: "the amount is not a number".into(),
            });
            continue;
        };
        if cents <= 0 {
            rejected.push(Rejected {
                line,
                reason: "money in (a credit), not a spend".into(),
            });
            continue;
        }
        if cents > MAX_CENTS {
            rejected.push(Rejected {
                line,
                reason: "the amount is above 100000.00".into(),
            });
            continue;
        }
        let payee: String = get(payee_col)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let currency = currency_col
            .map(|i| get(i).to_ascii_uppercase())
            .filter(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
            .unwrap_or_else(|| "USD".into());
        rows.push((line, date, cents, payee, currency));
    }
    Ok((rows, rejected))
}

/// The (date, cents, payee) fingerprint of a spend.
fn fingerprint(date: NaiveDate, cents: i64, payee: &str) -> (NaiveDate, i64, String) {
    (date, cents, payee.trim().to_lowercase())
}

/// How many live spends of the user have each fingerprint, over the dates given. One query.
async fn existing(
    tx: &mut crate::db::Tx,
    user: Id,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<HashMap<(NaiveDate, i64, String), usize>> {
    const SQL: &str = "SELECT local_date, amount_cents, COALESCE(merchant, description, '') FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3";
    let found: Vec<(NaiveDate, i64, String)> = on_tx!(tx, conn => sqlx::query_as(SQL)
        .bind(user).bind(first).bind(last).fetch_all(&mut *conn).await)?;
    let mut counts = HashMap::new();
    for (d, c, p) in found {
        *counts.entry(fingerprint(d, c, &p)).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Marks duplicates: a row is one when the spends already there with its fingerprint outnumber
/// the rows with that fingerprint before it in the file (two equal coffees on a day stay two).
fn mark_duplicates(rows: &mut [ImportRow], mut there: HashMap<(NaiveDate, i64, String), usize>) {
    for r in rows {
        let key = fingerprint(r.date, r.amount.cents(), &r.payee);
        match there.get_mut(&key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                r.duplicate = true;
            }
            _ => r.duplicate = false,
        }
    }
}

/// Parses the file, applies the rules, marks duplicates and stores the preview.
pub async fn preview(
    db: &Db,
    clock: &Clock,
    user: Id,
    tz: Tz,
    file_name: Option<&str>,
    bytes: &[u8],
    map: &Mapping,
) -> Result<Preview> {
    let (parsed, mut rejected) = parse_csv(bytes, map)?;
    // The dates a typed spend may have (transactions::MAX_FUTURE_MS / MAX_PAST_MS).
    let now = clock.now_ms();
    let newest = crate::time::local_date(now + crate::transactions::MAX_FUTURE_MS, tz);
    let oldest = crate::time::local_date(now - crate::transactions::MAX_PAST_MS, tz);
    let parsed: Vec<_> = parsed
        .into_iter()
        .filter(|r| {
            let ok = (oldest..=newest).contains(&r.1);
            if !ok {
                rejected.push(Rejected {
                    line: r.0,
                    reason: format!("date {} is in the future or more than 7 years ago", r.1),
                });
            }
            ok
        })
        .collect();
    rejected.sort_by_key(|r| r.line);
    let rules = RuleSet::load(db, user).await?;
    let mut rows: Vec<ImportRow> = parsed
        .into_iter()
        .map(|(line, date, cents, payee, currency)| {
            let out = rules.apply(&Subject {
                payee: &payee,
                cents,
                account: map.account.as_deref(),
            });
            ImportRow {
                line,
                date,
                amount: Money::from_cents(cents),
                currency,
                category: out.category.unwrap_or_else(|| "other".into()),
                description: out.description,
                tags: out.tags,
                payee,
                duplicate: false,
            }
        })
        .collect();
    if let (Some(first), Some(last)) = (
        rows.iter().map(|r| r.date).min(),
        rows.iter().map(|r| r.date).max(),
    ) {
        let mut tx = db.begin().await?;
        let there = existing(&mut tx, user, first, last).await?;
        tx.rollback().await?;
        mark_duplicates(&mut rows, there);
    }
    let id = Id::new();
    let name: Option<String> =
        file_name.map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect());
    crate::on_write!(db, pool => sqlx::query(
        "INSERT INTO imports (id, user_id, format, file_name, status, rows, created_at, expires_at) \
         VALUES ($1, $2, 'csv', $3, 'pending', $4, $5, $6)")
        .bind(id).bind(user).bind(&name).bind(Json(&rows)).bind(now).bind(now + PREVIEW_TTL_MS)
        .execute(pool).await.map(|_| ()))?;
    let duplicates = rows.iter().filter(|r| r.duplicate).count();
    Ok(Preview {
        import_id: id,
        format: "csv",
        rows_parsed: rows.len(),
        new_rows: rows.len() - duplicates,
        duplicates,
        rejected,
        rows,
        expires_at: crate::clock::rfc3339(now + PREVIEW_TTL_MS),
    })
}

/// Commits a pending preview of the user: all or nothing.
pub async fn commit(
    db: &Db,
    clock: &Clock,
    metrics: &Metrics,
    user: Id,
    tz: Tz,
    id: Id,
) -> Result<Committed> {
    let now = clock.now_ms();
    let mut tx = db.begin().await?;
    store::lock_user(&mut tx, user).await?;
    let found: Option<(String, Json<Vec<ImportRow>>, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT status, rows, expires_at FROM imports WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user).fetch_optional(&mut *conn).await)?;
    let Some((status, Json(mut rows), expires_at)) = found else {
        return Err(Error::NotFound("Import"));
    };
    if status != "pending" {
        return Err(Error::Conflict {
            code: "RESOURCE_3002",
            message: "This import is already committed".into(),
        });
    }
    if expires_at <= now {
        return Err(Error::NotFound("Import"));
    }
    // Duplicates again, inside the transaction: something may have come in since the preview.
    if let (Some(first), Some(last)) = (
        rows.iter().map(|r| r.date).min(),
        rows.iter().map(|r| r.date).max(),
    ) {
        let there = existing(&mut tx, user, first, last).await?;
        mark_duplicates(&mut rows, there);
    }
    let plan_of = |c: &str| {
        c.parse::<TxCategory>()
            .map(TxCategory::plan)
            .unwrap_or(PlanCategory::Other)
    };
    let mut keys: BTreeSet<(NaiveDate, &'static str)> = BTreeSet::new();
    let mut gaining: Vec<(NaiveDate, PlanCategory, Id)> = Vec::new();
    let mut inserted = 0;
    for r in rows.iter().filter(|r| !r.duplicate) {
        let txn = Id::new();
        // Noon of the day in the user's timezone: the day is the bank's, the hour unknown.
        let spent_at = crate::time::day_start_ms(r.date, tz) + 12 * 3_600_000;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, merchant, location, tags, \
             is_recurring, confidence_score, receipt_url, notes, spent_at, local_date, created_at, updated_at) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, NULL, $8, false, NULL, NULL, NULL, $9, $10, $11, $11)")
            .bind(txn).bind(user).bind(&r.category).bind(r.amount.cents()).bind(&r.currency)
            .bind(r.description.as_ref().unwrap_or(&r.payee)).bind(&r.payee).bind(Json(&r.tags))
            .bind(spent_at).bind(r.date).bind(now).execute(&mut *conn).await.map(|_| ()))?;
        inserted += 1;
        let p = plan_of(&r.category);
        if keys.insert((r.date, p.as_str())) {
            gaining.push((r.date, p, txn));
        }
    }
    gaining.sort_by_key(|(d, p, _)| (*d, p.as_str()));
    let today = crate::time::local_date(now, tz);
    for (day, p, txn) in &gaining {
        store::apply_spend(&mut tx, user, *day, *p, today, Some(*txn), now, metrics).await?;
    }
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE imports SET status = 'committed', committed_at = $3, inserted = $4 WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user).bind(now).bind(inserted as i32).execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    let days: BTreeSet<NaiveDate> = gaining.iter().map(|(d, _, _)| *d).collect();
    Ok(Committed {
        import_id: id,
        inserted,
        duplicates: rows.len() - inserted,
        days_affected: days.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_both_decimal_styles() {
        assert_eq!(parse_cents("-1,234.50", '.'), Some(-123_450));
        assert_eq!(parse_cents("(12.00)", '.'), Some(-1200));
        assert_eq!(parse_cents("1.234,5", ','), Some(123_450));
        assert_eq!(parse_cents("abc", '.'), None);
    }
}
