//! Bank-file import (docs/import.md): CSV with a column mapping, OFX/QFX ([`ofx`]) and QIF
//! ([`qif`]), in any common encoding ([`text`]). A file is parsed into a preview (rows, rejected
//! rows with their line, duplicates by bank id or fingerprint, the category each row gets from
//! the rules), stored for an hour; the commit inserts the rows in one database transaction and
//! moves the plan once per affected (day, plan category) through the spend path, as typed
//! spends do. Expired previews are purged by `mita serve`'s housekeeping ([`purge_expired`]).

pub mod ofx;
pub mod qif;
pub mod text;

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::budget::{PlanCategory, TxCategory, store};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
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

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// OFX and QFX (Quicken's OFX with an extra INTU.BID element).
    Ofx,
    Qif,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ofx => "ofx",
            Format::Qif => "qif",
        }
    }

    /// `csv`, `ofx`, `qfx` or `qif` (any case).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "ofx" | "qfx" => Some(Format::Ofx),
            "qif" => Some(Format::Qif),
            _ => None,
        }
    }

    /// From the text itself: an OFX header or `<OFX>` near the start is OFX, a `!Type:`,
    /// `!Account` or `!Option` first line is QIF, anything else CSV.
    pub fn detect(text: &str) -> Format {
        let head: String = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .take(4096)
            .collect::<String>()
            .to_ascii_uppercase();
        if head.starts_with("OFXHEADER") || head.contains("<OFX>") || head.contains("<?OFX") {
            Format::Ofx
        } else if ["!TYPE", "!ACCOUNT", "!OPTION", "!CLEAR"]
            .iter()
            .any(|p| head.starts_with(p))
        {
            Format::Qif
        } else {
            Format::Csv
        }
    }
}

/// How to read the file. For a CSV, how its columns map to a spend (column names as in the
/// header line); OFX and QIF need none of the column fields.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// `csv`, `ofx`, `qfx` or `qif`; detected from the content when absent.
    #[serde(default)]
    pub format: Option<String>,
    /// The text encoding (a label such as `utf-8`, `windows-1252`, `latin1`, `utf-16le`);
    /// detected when absent (see [`text`]).
    #[serde(default)]
    pub encoding: Option<String>,
    /// CSV: the date column (required for a CSV).
    #[serde(default)]
    pub date: String,
    /// One signed amount column (outflows negative, see `spends_positive`)...
    #[serde(default)]
    pub amount: Option<String>,
    /// ...or a debit (money out) and a credit (money in) column.
    #[serde(default)]
    pub debit: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    /// CSV: the payee / description column (required for a CSV).
    #[serde(default)]
    pub payee: String,
    /// CSV: a column with the bank's own id of each row (duplicates by id, like OFX's FITID).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    /// chrono format of the dates; CSV default `%Y-%m-%d`; QIF default: see [`qif::qif_date`].
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
    /// Already there (the same bank id, or the same date, amount and payee): skipped by the
    /// commit.
    pub duplicate: bool,
    /// The bank's id of the row (OFX: `ACCTID:FITID`, or FITID alone; CSV: the `id` column).
    #[serde(default)]
    pub external_id: Option<String>,
}

/// A line left out, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// A parsed file with its categories and duplicates, not stored (`mita import --dry-run`).
#[derive(Clone, Debug, Serialize)]
pub struct Prepared {
    pub format: &'static str,
    /// The encoding the file was read with (`UTF-8`, `UTF-16LE`, `windows-1252`...).
    pub encoding: &'static str,
    pub rows_parsed: usize,
    pub new_rows: usize,
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
    pub rows: Vec<ImportRow>,
}

/// The answer of an upload: the prepared file, stored for [`PREVIEW_TTL_MS`].
#[derive(Clone, Debug, Serialize)]
pub struct Preview {
    pub import_id: Id,
    #[serde(flatten)]
    pub prepared: Prepared,
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

pub(crate) fn file_error(line: u64, message: impl std::fmt::Display) -> Error {
    Error::Validation {
        code: Code::Validation2012,
        message: format!("The file is malformed at line {line}: {message}"),
        fields: vec![FieldError::new(
            "body.file",
            "format",
            format!("line {line}: {message}"),
        )],
    }
}

pub(crate) fn mapping_error(field: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid(Code::Validation2001, field, "value", message)
}

/// Parses an amount text: optional sign or parentheses, thousands separators, `decimal`.
pub(crate) fn parse_cents(text: &str, decimal: char) -> Option<i64> {
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

/// A parsed spend of a file (`cents` > 0).
#[derive(Clone, Debug)]
pub struct ParsedRow {
    pub line: u64,
    pub date: NaiveDate,
    pub cents: i64,
    pub payee: String,
    pub currency: String,
    /// The bank's id of the row, when the format has one.
    pub external_id: Option<String>,
    /// A memo beside the payee (OFX MEMO, QIF M): the description unless a rule sets one.
    pub memo: Option<String>,
    /// The account the file names (OFX ACCTID), for the rules when the mapping names none.
    pub account: Option<String>,
}

/// A parsed file.
pub struct Parsed {
    pub format: Format,
    pub encoding: &'static str,
    pub rows: Vec<ParsedRow>,
    pub rejected: Vec<Rejected>,
}

/// Payee and memo text: no control characters, at most 200 characters.
pub(crate) fn clean(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

/// Refuses the row after [`MAX_ROWS`] (`count` rows and rejected lines so far).
pub(crate) fn limit(line: u64, count: usize) -> Result<()> {
    if count >= MAX_ROWS {
        return Err(file_error(line, format!("more than {MAX_ROWS} rows")));
    }
    Ok(())
}

/// A row's spend in cents (money out positive), or why it is left out.
pub(crate) fn spend(line: u64, cents: i64) -> std::result::Result<i64, Rejected> {
    if cents <= 0 {
        return Err(Rejected {
            line,
            reason: "money in (a credit), not a spend".into(),
        });
    }
    if cents > MAX_CENTS {
        return Err(Rejected {
            line,
            reason: "the amount is above 100000.00".into(),
        });
    }
    Ok(cents)
}

/// Parses a file of any supported format into rows and rejected lines (pure; no database).
pub fn parse_file(bytes: &[u8], map: &Mapping) -> Result<Parsed> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(
            Code::Validation2012,
            "body.file",
            "size",
            format!("must be at most {MAX_FILE_BYTES} bytes"),
        ));
    }
    let given =
        match map
            .format
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            Some(name) => Some(Format::from_name(name).ok_or_else(|| {
                mapping_error("body.mapping.format", "must be csv, ofx, qfx or qif")
            })?),
            None => None,
        };
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
    let decoded = text::decode(bytes, map.encoding.as_deref())?;
    let text = decoded.text.as_ref();
    let format = given.unwrap_or_else(|| Format::detect(text));
    let (rows, rejected) = match format {
        Format::Csv => parse_csv(text, map, decimal)?,
        Format::Ofx => ofx::parse(text)?,
        Format::Qif => qif::parse(text, map, decimal)?,
    };
    Ok(Parsed {
        format,
        encoding: decoded.encoding,
        rows,
        rejected,
    })
}

/// Parses a CSV text into rows and rejected lines.
fn parse_csv(text: &str, map: &Mapping, decimal: char) -> Result<(Vec<ParsedRow>, Vec<Rejected>)> {
    for (field, value) in [("date", &map.date), ("payee", &map.payee)] {
        if value.trim().is_empty() {
            return Err(mapping_error(
                &format!("body.mapping.{field}"),
                "required for a CSV file: the column's name in the header line",
            ));
        }
    }
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
    let id_col = map
        .id
        .as_deref()
        .map(|c| col(c, "body.mapping.id"))
        .transpose()?;
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
        limit(line, rows.len() + rejected.len())?;
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
        let cents = match spend(line, cents) {
            Ok(c) => c,
            Err(r) => {
                rejected.push(r);
                continue;
            }
        };
        let payee = clean(get(payee_col));
        let currency = currency_col
            .map(|i| get(i).to_ascii_uppercase())
            .filter(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
            .unwrap_or_else(|| "USD".into());
        let external_id = id_col.map(|i| clean(get(i))).filter(|id| !id.is_empty());
        rows.push(ParsedRow {
            line,
            date,
            cents,
            payee,
            currency,
            external_id,
            memo: None,
            account: None,
        });
    }
    Ok((rows, rejected))
}

/// The (date, cents, payee) fingerprint of a spend.
type Key = (NaiveDate, i64, String);

fn fingerprint(date: NaiveDate, cents: i64, payee: &str) -> Key {
    (date, cents, payee.trim().to_lowercase())
}

/// What the user already has over a range of dates, for the duplicate rule.
struct There {
    /// Live spends per fingerprint.
    all: HashMap<Key, usize>,
    /// Live spends without a bank id per fingerprint (a spend with another bank id is another
    /// bank transaction, so a row with an id matches only these by fingerprint).
    without_id: HashMap<Key, usize>,
    /// Bank ids already there, deleted spends included (a spend the user deleted does not come
    /// back when the same file is imported again).
    ids: HashSet<String>,
}

/// The user's spends over the dates given. Two queries, whatever the number of rows.
async fn existing(
    tx: &mut crate::db::Tx,
    user: Id,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<There> {
    const SQL: &str = "SELECT local_date, amount_cents, COALESCE(merchant, description, ''), external_id FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3";
    const IDS: &str = "SELECT external_id FROM transactions \
         WHERE user_id = $1 AND external_id IS NOT NULL AND local_date >= $2 AND local_date <= $3";
    let found: Vec<(NaiveDate, i64, String, Option<String>)> = on_tx!(tx, conn => sqlx::query_as(SQL)
        .bind(user).bind(first).bind(last).fetch_all(&mut *conn).await)?;
    let ids: Vec<String> = on_tx!(tx, conn => sqlx::query_scalar(IDS)
        .bind(user).bind(first).bind(last).fetch_all(&mut *conn).await)?;
    let mut there = There {
        all: HashMap::new(),
        without_id: HashMap::new(),
        ids: ids.into_iter().collect(),
    };
    for (d, c, p, id) in found {
        let key = fingerprint(d, c, &p);
        if id.is_none() {
            *there.without_id.entry(key.clone()).or_insert(0) += 1;
        }
        *there.all.entry(key).or_insert(0) += 1;
    }
    Ok(there)
}

/// Takes one from a count; false when there was none.
fn take(counts: &mut HashMap<Key, usize>, key: &Key) -> bool {
    match counts.get_mut(key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// Marks duplicates. A row with a bank id is one when the id is already there (or earlier in
/// the file); otherwise (and for rows without an id) when the spends already there with its
/// fingerprint outnumber the rows with that fingerprint earlier in the file — so two equal
/// coffees on a day stay two. A row with an id matches by fingerprint only spends without one.
fn mark_duplicates(rows: &mut [ImportRow], mut there: There) {
    for r in rows {
        let key = fingerprint(r.date, r.amount.cents(), &r.payee);
        r.duplicate = match &r.external_id {
            Some(id) if there.ids.contains(id) => {
                take(&mut there.all, &key);
                true
            }
            Some(id) => {
                there.ids.insert(id.clone());
                let dup = take(&mut there.without_id, &key);
                if dup {
                    take(&mut there.all, &key);
                }
                dup
            }
            None => {
                let dup = take(&mut there.all, &key);
                // Keep "without an id" a part of "all".
                if let (Some(all), Some(free)) =
                    (there.all.get(&key), there.without_id.get_mut(&key))
                {
                    *free = (*free).min(*all);
                }
                dup
            }
        };
    }
}

/// Parses the file, applies the rules and marks duplicates; stores nothing.
pub async fn prepare(
    db: &Db,
    clock: &Clock,
    user: Id,
    tz: Tz,
    bytes: &[u8],
    map: &Mapping,
) -> Result<Prepared> {
    let Parsed {
        format,
        encoding,
        rows: parsed,
        mut rejected,
    } = parse_file(bytes, map)?;
    // The dates a typed spend may have (transactions::MAX_FUTURE_MS / MAX_PAST_MS).
    let now = clock.now_ms();
    let newest = crate::time::local_date(now + crate::transactions::MAX_FUTURE_MS, tz);
    let oldest = crate::time::local_date(now - crate::transactions::MAX_PAST_MS, tz);
    let parsed: Vec<_> = parsed
        .into_iter()
        .filter(|r| {
            let ok = (oldest..=newest).contains(&r.date);
            if !ok {
                rejected.push(Rejected {
                    line: r.line,
                    reason: format!("date {} is in the future or more than 7 years ago", r.date),
                });
            }
            ok
        })
        .collect();
    rejected.sort_by_key(|r| r.line);
    let rules = RuleSet::load(db, user).await?;
    let mut rows: Vec<ImportRow> = parsed
        .into_iter()
        .map(|r| {
            let out = rules.apply(&Subject {
                payee: &r.payee,
                cents: r.cents,
                account: map.account.as_deref().or(r.account.as_deref()),
            });
            ImportRow {
                line: r.line,
                date: r.date,
                amount: Money::from_cents(r.cents),
                currency: r.currency,
                category: out.category.unwrap_or_else(|| "other".into()),
                description: out.description.or(r.memo),
                tags: out.tags,
                payee: r.payee,
                duplicate: false,
                external_id: r.external_id,
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
    let duplicates = rows.iter().filter(|r| r.duplicate).count();
    Ok(Prepared {
        format: format.as_str(),
        encoding,
        rows_parsed: rows.len(),
        new_rows: rows.len() - duplicates,
        duplicates,
        rejected,
        rows,
    })
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
    let prepared = prepare(db, clock, user, tz, bytes, map).await?;
    let now = clock.now_ms();
    let id = Id::new();
    let name: Option<String> =
        file_name.map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect());
    crate::on_write!(db, pool => sqlx::query(
        "INSERT INTO imports (id, user_id, format, file_name, status, rows, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)")
        .bind(id).bind(user).bind(prepared.format).bind(&name).bind(Json(&prepared.rows))
        .bind(now).bind(now + PREVIEW_TTL_MS)
        .execute(pool).await.map(|_| ()))?;
    Ok(Preview {
        import_id: id,
        prepared,
        expires_at: crate::clock::rfc3339(now + PREVIEW_TTL_MS),
    })
}

/// Deletes the previews not committed before their expiry (run by `mita serve`'s
/// housekeeping). Committed imports stay (the user's record of what came in) until erasure.
pub async fn purge_expired(db: &Db, now_ms: i64) -> Result<u64> {
    Ok(crate::on_write!(db, pool => sqlx::query(
        "DELETE FROM imports WHERE status = 'pending' AND expires_at <= $1")
        .bind(now_ms).execute(pool).await.map(|r| r.rows_affected()))?)
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
    commit_with_progress(db, clock, metrics, user, tz, id, &|_, _| {}).await
}

/// [`commit`], calling `progress(rows inserted, rows to insert)` after each row (the CLI's
/// progress bar). The rows become visible only when the whole commit is done.
pub async fn commit_with_progress(
    db: &Db,
    clock: &Clock,
    metrics: &Metrics,
    user: Id,
    tz: Tz,
    id: Id,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
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
            code: Code::Resource3002,
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
    let to_insert = rows.iter().filter(|r| !r.duplicate).count();
    for r in rows.iter().filter(|r| !r.duplicate) {
        let txn = Id::new();
        // Noon of the day in the user's timezone: the day is the bank's, the hour unknown.
        let spent_at = crate::time::day_start_ms(r.date, tz) + 12 * 3_600_000;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, merchant, location, tags, \
             is_recurring, confidence_score, receipt_url, notes, spent_at, local_date, created_at, updated_at, external_id) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, NULL, $8, false, NULL, NULL, NULL, $9, $10, $11, $11, $12)")
            .bind(txn).bind(user).bind(&r.category).bind(r.amount.cents()).bind(&r.currency)
            .bind(r.description.as_ref().unwrap_or(&r.payee)).bind(&r.payee).bind(Json(&r.tags))
            .bind(spent_at).bind(r.date).bind(now).bind(&r.external_id).execute(&mut *conn).await.map(|_| ()))?;
        inserted += 1;
        progress(inserted, to_insert);
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
