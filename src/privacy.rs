//! A person's data as a whole (GDPR articles 15, 17 and 20): everything stored about one user,
//! exported as JSON, and erased in one transaction.
//!
//! Both work from the database's own catalogue rather than a hand-kept list, so a table added
//! later is covered without anyone remembering to: every table with a `user_id` column (and
//! `users` itself) holds a person's data. The few tables that do not are named in
//! [`NOT_PERSONAL`], and [`check_catalogue`] refuses a schema with a table that is neither (the
//! test suite runs it), so a new table always gets a decision.
//!
//! - **Export** reads every personal table in one read snapshot, drops columns that hold
//!   credentials ([`is_credential`]: hashes, encrypted secrets, token ids, push tokens) and
//!   skips the tables in [`NOT_EXPORTED`] (internal copies and short-lived sign-in state).
//! - **Erasure** removes every row of the user (the `users` row, whose foreign keys cascade,
//!   plus the tables that keep rows when a user goes, such as error reports), checks in the same
//!   transaction that no personal table still holds a row of the user, and rewrites the user's
//!   audit events under a random pseudonym with the client address and user agent removed: the
//!   trail of what happened stays, nothing in it leads back to the person. The erasure records
//!   itself (`account_deletion`, under the pseudonym) in that same transaction.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;

use crate::audit::{self, AuditEvent, AuditLog, EventType, Outcome};
use crate::auth::RequestMeta;
use crate::clock::{Clock, rfc3339};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::id::Id;
use crate::{on_db, on_tx};

/// The version of the export document's layout.
pub const EXPORT_FORMAT: &str = "mita-export-1";

/// Tables that hold nothing about a person, with the reason.
pub const NOT_PERSONAL: &[(&str, &str)] = &[
    ("_sqlx_migrations", "the schema's migration history"),
    (
        "rate_limit_buckets",
        "per client-address counters that expire within minutes; no user id",
    ),
    ("cluster_leases", "which instance runs a scheduled job"),
    (
        "instance_markers",
        "which instances share the receipt directory",
    ),
];

/// Personal tables left out of the export (they are erased all the same), with the reason.
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    (
        "idempotency_keys",
        "stored answers of retried requests: copies of rows exported from their own tables",
    ),
    (
        "revoked_tokens",
        "ids of signed-out access tokens, kept until they expire",
    ),
    (
        "login_challenges",
        "half-finished two-factor sign-ins, valid for minutes",
    ),
];

/// Audit events are not erased but pseudonymised (see the module documentation).
const AUDIT_TABLE: &str = "audit_events";

/// Columns never exported: password and token hashes, encrypted secrets, token ids and push
/// tokens are credentials, not information about the person.
pub fn is_credential(column: &str) -> bool {
    column.ends_with("_hash")
        || column.contains("secret")
        || column.ends_with("jti")
        || column == "push_token"
}

/// A table of the schema and its columns.
#[derive(Clone, Debug)]
struct Table {
    name: String,
    columns: Vec<Column>,
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    /// Holds JSON text (SQLite: declared with `json_valid(column)`; PostgreSQL: json/jsonb).
    json: bool,
    /// A 0/1 flag (SQLite: declared `CHECK (column IN (0, 1))`; PostgreSQL: boolean).
    boolean: bool,
}

impl Table {
    /// The column that ties a row to its user, if the table holds personal data.
    fn owner_column(&self) -> Option<&'static str> {
        if self.name == "users" {
            Some("id")
        } else if self.columns.iter().any(|c| c.name == "user_id") {
            Some("user_id")
        } else {
            None
        }
    }
}

/// Quotes an identifier taken from the catalogue.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every base table with its columns, from the database's catalogue.
async fn catalogue(db: &Db) -> Result<Vec<Table>> {
    let mut tables: Vec<Table> = Vec::new();
    let mut push = |table: String, column: Column| match tables.last_mut() {
        Some(t) if t.name == table => t.columns.push(column),
        _ => tables.push(Table {
            name: table,
            columns: vec![column],
        }),
    };
    match db {
        Db::Sqlite(s) => {
            let rows = sqlx::query(
                "SELECT m.name, m.sql, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
            )
            .fetch_all(&s.tools)
            .await?;
            for row in rows {
                let table: String = row.try_get(0)?;
                let sql: String = row.try_get::<Option<String>, _>(1)?.unwrap_or_default();
                let name: String = row.try_get(2)?;
                let sql = sql.to_ascii_lowercase();
                let lower = name.to_ascii_lowercase();
                let json = sql.contains(&format!("json_valid({lower})"));
                let boolean = sql.contains(&format!("{lower} in (0, 1)"));
                push(
                    table,
                    Column {
                        name,
                        json,
                        boolean,
                    },
                );
            }
        }
        Db::Postgres(p) => {
            let rows = sqlx::query(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(p)
            .await?;
            for row in rows {
                let table: String = row.try_get(0)?;
                let name: String = row.try_get(1)?;
                let kind: String = row.try_get(2)?;
                push(
                    table,
                    Column {
                        name,
                        json: kind == "json" || kind == "jsonb",
                        boolean: kind == "boolean",
                    },
                );
            }
        }
    }
    Ok(tables)
}

/// Tables the schema has that are neither personal (no `user_id`) nor named in
/// [`NOT_PERSONAL`]: each needs a decision before export and erasure can claim to be complete.
pub async fn check_catalogue(db: &Db) -> Result<Vec<String>> {
    Ok(catalogue(db)
        .await?
        .into_iter()
        .filter(|t| t.owner_column().is_none())
        .filter(|t| !NOT_PERSONAL.iter().any(|(name, _)| *name == t.name))
        .map(|t| t.name)
        .collect())
}

/// The tables holding personal data, after checking the catalogue is fully classified.
async fn personal_tables(db: &Db) -> Result<Vec<Table>> {
    let tables = catalogue(db).await?;
    let unknown: Vec<&str> = tables
        .iter()
        .filter(|t| t.owner_column().is_none())
        .filter(|t| !NOT_PERSONAL.iter().any(|(name, _)| *name == t.name))
        .map(|t| t.name.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Internal(format!(
            "tables not classified for export and erasure: {} (add a user_id column or list them in mita::privacy::NOT_PERSONAL)",
            unknown.join(", ")
        )));
    }
    Ok(tables
        .into_iter()
        .filter(|t| t.owner_column().is_some())
        .collect())
}

/// Everything stored about one user.
#[derive(Clone, Debug, Serialize)]
pub struct Export {
    pub format: &'static str,
    pub exported_at: String,
    pub user_id: Id,
    /// Rows per table (every personal table is present, empty ones too).
    pub tables: BTreeMap<String, Vec<Map<String, Value>>>,
    /// What was left out on purpose, and why.
    pub omitted: Omitted,
}

#[derive(Clone, Debug, Serialize)]
pub struct Omitted {
    /// `table.column` of the credential columns removed from the rows.
    pub columns: Vec<String>,
    /// Personal tables not exported, with the reason.
    pub tables: BTreeMap<String, String>,
    /// Receipt images are files, not rows: their names are in `ocr_jobs.image_path`, the
    /// images themselves are served by `GET /api/transactions/receipt/{id}/image`.
    pub receipt_images: &'static str,
}

/// The SELECT that reads one table's rows of a user as one JSON object per row.
fn export_sql(db: &Db, table: &Table, owner: &str) -> String {
    let order = if table.columns.iter().any(|c| c.name == "created_at") {
        format!("{}, {}", ident("created_at"), ident(&table.columns[0].name))
    } else {
        ident(&table.columns[0].name)
    };
    match db {
        Db::Postgres(_) => format!(
            "SELECT row_to_json(t)::text FROM {} t WHERE t.{} = $1 ORDER BY {order}",
            ident(&table.name),
            ident(owner)
        ),
        Db::Sqlite(_) => {
            let fields: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    let col = ident(&c.name);
                    let value = if c.json {
                        format!("json({col})")
                    } else if c.boolean {
                        format!(
                            "CASE WHEN {col} IS NULL THEN NULL WHEN {col} THEN json('true') ELSE json('false') END"
                        )
                    } else {
                        col
                    };
                    format!("'{}', {value}", c.name.replace('\'', "''"))
                })
                .collect();
            format!(
                "SELECT json_object({}) FROM {} WHERE {} = $1 ORDER BY {order}",
                fields.join(", "),
                ident(&table.name),
                ident(owner)
            )
        }
    }
}

/// Reads everything stored about `user` in one snapshot.
pub async fn export(db: &Db, clock: &Clock, user: Id) -> Result<Export> {
    let tables = personal_tables(db).await?;
    let mut out = BTreeMap::new();
    let mut omitted_columns = Vec::new();
    let mut omitted_tables = BTreeMap::new();
    let statements: Vec<(String, Option<String>)> = tables
        .iter()
        .map(|t| {
            let skipped = NOT_EXPORTED.iter().find(|(name, _)| *name == t.name);
            match skipped {
                Some((_, why)) => {
                    omitted_tables.insert(t.name.clone(), (*why).to_string());
                    (t.name.clone(), None)
                }
                None => {
                    for c in t.columns.iter().filter(|c| is_credential(&c.name)) {
                        omitted_columns.push(format!("{}.{}", t.name, c.name));
                    }
                    let owner = t.owner_column().unwrap_or("user_id");
                    (t.name.clone(), Some(export_sql(db, t, owner)))
                }
            }
        })
        .collect();
    let rows_of = |texts: Vec<String>| -> Result<Vec<Map<String, Value>>> {
        texts
            .into_iter()
            .map(|text| match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(mut row)) => {
                    row.retain(|k, _| !is_credential(k));
                    Ok(row)
                }
                _ => Err(Error::Internal(
                    "an exported row is not a JSON object".into(),
                )),
            })
            .collect()
    };
    // One read transaction: every table as of the same moment.
    match db {
        Db::Sqlite(s) => {
            let mut tx = s.tools.begin().await?;
            for (name, sql) in statements {
                let Some(sql) = sql else { continue };
                let texts: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(user)
                    .fetch_all(&mut *tx)
                    .await?;
                out.insert(name, rows_of(texts)?);
            }
            tx.commit().await?;
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
            for (name, sql) in statements {
                let Some(sql) = sql else { continue };
                let texts: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(user)
                    .fetch_all(&mut *tx)
                    .await?;
                out.insert(name, rows_of(texts)?);
            }
            tx.commit().await?;
        }
    }
    if out.get("users").is_none_or(Vec::is_empty) {
        return Err(Error::NotFound("User"));
    }
    Ok(Export {
        format: EXPORT_FORMAT,
        exported_at: rfc3339(clock.now_ms()),
        user_id: user,
        tables: out,
        omitted: Omitted {
            columns: omitted_columns,
            tables: omitted_tables,
            receipt_images: "files named in ocr_jobs.image_path; download each with GET /api/transactions/receipt/{id}/image",
        },
    })
}

/// What an erasure removed (or, in a dry run, would remove).
#[derive(Clone, Debug, Serialize)]
pub struct Erasure {
    pub user_id: Id,
    /// The id the user's audit events carry from now on (random, stored nowhere else); `None`
    /// in a dry run.
    pub pseudonym: Option<Id>,
    /// Rows removed per table (tables with none are left out).
    pub rows: BTreeMap<String, i64>,
    /// Audit events kept under the pseudonym.
    pub audit_events: i64,
    pub dry_run: bool,
}

/// One statement counting the user's rows in every personal table but the audit log.
fn count_sql(tables: &[Table]) -> String {
    tables
        .iter()
        .filter(|t| t.name != AUDIT_TABLE)
        .map(|t| {
            format!(
                "SELECT '{}' AS tbl, COUNT(*) AS n FROM {} WHERE {} = $1",
                t.name.replace('\'', "''"),
                ident(&t.name),
                ident(t.owner_column().unwrap_or("user_id"))
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

async fn counts(tx: &mut Tx, sql: &str, user: Id) -> Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(user).fetch_all(&mut *conn).await)?;
    Ok(rows.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// Personal tables whose foreign key to `users` does not remove their rows with the user
/// (`ON DELETE SET NULL`): deleted by hand first.
const KEPT_ON_USER_DELETE: &[&str] = &["client_error_reports"];

/// Erases `user`: every row removed, the audit trail pseudonymised, all in one transaction.
/// Receipt image files are the caller's to remove afterwards (`Services::erase_account`).
pub async fn erase(
    db: &Db,
    audit_log: &AuditLog,
    clock: &Clock,
    user: Id,
    meta: &RequestMeta,
    dry_run: bool,
) -> Result<Erasure> {
    let tables = personal_tables(db).await?;
    let count = count_sql(&tables);
    // Events about the user still queued must be stored first, so they are pseudonymised too.
    audit_log.flush().await;
    let mut tx = db.begin().await?;
    let rows = counts(&mut tx, &count, user).await?;
    if !rows.contains_key("users") {
        let _ = tx.rollback().await;
        return Err(Error::NotFound("User"));
    }
    let audit_events: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE user_id = $1")
        .bind(user).fetch_one(&mut *conn).await)?;
    if dry_run {
        let _ = tx.rollback().await;
        return Ok(Erasure {
            user_id: user,
            pseudonym: None,
            rows,
            audit_events,
            dry_run,
        });
    }
    for table in KEPT_ON_USER_DELETE {
        let sql = format!("DELETE FROM {} WHERE user_id = $1", ident(table));
        on_tx!(&mut tx, conn => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user).execute(&mut *conn).await.map(|_| ()))?;
    }
    on_tx!(&mut tx, conn => sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user).execute(&mut *conn).await.map(|_| ()))?;
    let left = counts(&mut tx, &count, user).await?;
    if !left.is_empty() {
        let _ = tx.rollback().await;
        return Err(Error::Internal(format!(
            "erasure stopped, nothing changed: rows of the user would remain in {}",
            left.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let pseudonym = Id::new();
    pseudonymise(&mut tx, user, pseudonym).await?;
    let now = clock.now_ms();
    let total: i64 = rows.values().sum();
    let mut event = AuditEvent::new(EventType::AccountDeletion, Outcome::Success)
        .user(pseudonym)
        .actor(meta.actor.clone())
        .request_id(meta.request_id.clone())
        .detail("erased_rows", total)
        .detail("pseudonymised_events", audit_events);
    // The request's own address and user agent are the person's: not kept.
    event.client_ip = None;
    event.user_agent = None;
    audit::record_in(&mut tx, now, event).await?;
    tx.commit().await?;
    // An event recorded by a request of the user that was in flight during the erasure.
    audit_log.flush().await;
    let mut tx = db.begin().await?;
    pseudonymise(&mut tx, user, pseudonym).await?;
    tx.commit().await?;
    Ok(Erasure {
        user_id: user,
        pseudonym: Some(pseudonym),
        rows,
        audit_events,
        dry_run,
    })
}

async fn pseudonymise(tx: &mut Tx, user: Id, pseudonym: Id) -> Result<u64> {
    Ok(on_tx!(tx, conn => sqlx::query(
        "UPDATE audit_events SET user_id = $2, client_ip = NULL, user_agent = NULL WHERE user_id = $1")
        .bind(user).bind(pseudonym).execute(&mut *conn).await.map(|r| r.rows_affected()))?)
}

/// Row counts of `user` per personal table (for `mita admin user export --dry-run` and tests).
pub async fn row_counts(db: &Db, user: Id) -> Result<BTreeMap<String, i64>> {
    let tables = personal_tables(db).await?;
    let sql = count_sql(&tables);
    let rows: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user).fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}
