//! `mita db backup FILE` and `mita db verify FILE`: a backup is only as good as the restore it
//! allows, so each one carries a manifest (`FILE.manifest.json`: backend, schema version, row
//! count per table, size and SHA-256, written at backup time from the very snapshot that was
//! saved), and verifying restores the file in a scratch place and compares.
//!
//! - SQLite: SQLite's online backup API (one step, inside one read transaction: a consistent
//!   snapshot while the server keeps writing), then the counts are read from the copy itself.
//! - PostgreSQL: `pg_dump --format=custom` on a snapshot exported by a repeatable-read
//!   transaction in which the counts are taken, so file and manifest describe the same moment.
//!   Verifying restores it with `pg_restore` into a scratch database on the configured server
//!   (the role needs CREATEDB) and drops that database afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Row};

use super::{Backend, backend_of, sqlite_path};
use crate::config::DatabaseSettings;
use crate::error::{Error, Result};

/// What a backup holds, written beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: String,
    /// The highest migration applied in the backed-up database.
    pub schema_version: i64,
    /// Rows per table at the moment of the backup.
    pub tables: BTreeMap<String, i64>,
    pub bytes: u64,
    pub sha256: String,
}

/// What a verification found.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub backend: String,
    pub schema_version: i64,
    /// The newest migration this binary knows (a backup from a newer binary is reported).
    pub known_schema_version: i64,
    pub tables: usize,
    pub rows: i64,
    /// Every difference found (empty when `ok`).
    pub problems: Vec<String>,
}

/// The manifest path of a backup file.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

fn io(what: &str, e: std::io::Error) -> Error {
    Error::Internal(format!("{what}: {e}"))
}

async fn sha256_of(file: &Path) -> Result<(u64, String)> {
    let bytes = tokio::fs::read(file)
        .await
        .map_err(|e| io("cannot read the backup", e))?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok((u64::try_from(bytes.len()).unwrap_or(u64::MAX), hex))
}

/// Backs the configured database up into `file` and writes its manifest.
pub async fn backup(settings: &DatabaseSettings, file: &Path) -> Result<Manifest> {
    if tokio::fs::try_exists(file).await.unwrap_or(false) {
        return Err(Error::Config(format!(
            "{} exists: a backup never overwrites a file",
            file.display()
        )));
    }
    let (schema_version, tables) = match backend_of(&settings.url)? {
        Backend::Sqlite => sqlite_backup(&settings.url, file).await?,
        Backend::Postgres => postgres_backup(settings.direct_or_url(), file).await?,
    };
    let (bytes, sha256) = sha256_of(file).await?;
    let manifest = Manifest {
        backend: backend_of(&settings.url)?.name().to_string(),
        created_at: crate::clock::rfc3339(chrono::Utc::now().timestamp_millis()),
        schema_version,
        tables,
        bytes,
        sha256,
    };
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
    tokio::fs::write(manifest_path(file), text)
        .await
        .map_err(|e| io("cannot write the manifest", e))?;
    Ok(manifest)
}

/// Restores `file` in a scratch place and compares it with its manifest. `settings` names the
/// PostgreSQL server a scratch database is created on (not used for SQLite backups).
pub async fn verify(settings: &DatabaseSettings, file: &Path) -> Result<Verification> {
    let text = tokio::fs::read_to_string(manifest_path(file))
        .await
        .map_err(|e| io("cannot read the manifest", e))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::Config(format!("the manifest does not parse: {e}")))?;
    let mut problems = Vec::new();
    let (bytes, sha256) = sha256_of(file).await?;
    if bytes != manifest.bytes || sha256 != manifest.sha256 {
        problems.push(format!(
            "the file changed since the backup ({bytes} bytes, sha256 {sha256}; the manifest says {} bytes, {})",
            manifest.bytes, manifest.sha256
        ));
    }
    let restored = match manifest.backend.as_str() {
        "sqlite" => sqlite_restore(file).await,
        "postgres" => postgres_restore(settings, file).await,
        other => Err(Error::Config(format!(
            "unknown backend {other} in the manifest"
        ))),
    };
    let backend = manifest.backend.clone();
    let known = latest_known(&backend);
    let (schema_version, tables) = match restored {
        Ok(found) => found,
        Err(e) => {
            problems.push(format!("the backup does not restore: {e}"));
            (0, BTreeMap::new())
        }
    };
    if !tables.is_empty() {
        if schema_version != manifest.schema_version {
            problems.push(format!(
                "schema version {schema_version}, the manifest says {}",
                manifest.schema_version
            ));
        }
        for (table, expected) in &manifest.tables {
            match tables.get(table) {
                None => problems.push(format!("table {table} is missing")),
                Some(n) if n != expected => {
                    problems.push(format!(
                        "table {table}: {n} rows, the manifest says {expected}"
                    ));
                }
                Some(_) => {}
            }
        }
        for table in tables.keys().filter(|t| !manifest.tables.contains_key(*t)) {
            problems.push(format!("table {table} is not in the manifest"));
        }
    }
    if schema_version > known {
        problems.push(format!(
            "schema version {schema_version} is newer than this binary knows ({known}): restore it with a newer mita"
        ));
    }
    Ok(Verification {
        ok: problems.is_empty(),
        backend,
        schema_version,
        known_schema_version: known,
        tables: tables.len(),
        rows: tables.values().sum(),
        problems,
    })
}

fn latest_known(backend: &str) -> i64 {
    super::migrate::latest_version(if backend == "postgres" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    })
}

/// `url` naming database `name` on the same server (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

// ---------------------------------------------------------------------------------- SQLite

async fn sqlite_backup(url: &str, file: &Path) -> Result<(i64, BTreeMap<String, i64>)> {
    let source =
        sqlite_path(url).ok_or_else(|| Error::Config("the SQLite URL names no file".into()))?;
    let target = file.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<(i64, BTreeMap<String, i64>)> {
        let src = rusqlite::Connection::open_with_flags(
            &source,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .map_err(sqlite_error)?;
        let mut dst = rusqlite::Connection::open(&target).map_err(sqlite_error)?;
        {
            let backup = rusqlite::backup::Backup::new(&src, &mut dst).map_err(sqlite_error)?;
            // One step copies every page inside one read transaction: a consistent snapshot
            // even while the server writes (smaller steps restart on every write).
            backup.step(-1).map_err(sqlite_error)?;
        }
        sqlite_contents(&dst)
    })
    .await
    .map_err(|e| Error::Internal(format!("backup task: {e}")))?
}

async fn sqlite_restore(file: &Path) -> Result<(i64, BTreeMap<String, i64>)> {
    let scratch = tempfile::tempdir().map_err(|e| io("cannot make a scratch directory", e))?;
    let copy = scratch.path().join("restore.db");
    tokio::fs::copy(file, &copy)
        .await
        .map_err(|e| io("cannot copy the backup", e))?;
    tokio::task::spawn_blocking(move || -> Result<(i64, BTreeMap<String, i64>)> {
        let conn = rusqlite::Connection::open(&copy).map_err(sqlite_error)?;
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sqlite_error)?;
        if check != "ok" {
            return Err(Error::Internal(format!("integrity check: {check}")));
        }
        let found = sqlite_contents(&conn);
        drop(scratch);
        found
    })
    .await
    .map_err(|e| Error::Internal(format!("restore task: {e}")))?
}

fn sqlite_error(e: rusqlite::Error) -> Error {
    Error::Internal(format!("sqlite: {e}"))
}

/// The schema version and row count per table of a SQLite database.
fn sqlite_contents(conn: &rusqlite::Connection) -> Result<(i64, BTreeMap<String, i64>)> {
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .map_err(sqlite_error)?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(sqlite_error)?
        .collect::<std::result::Result<_, _>>()
        .map_err(sqlite_error)?;
    let mut tables = BTreeMap::new();
    for name in names {
        // Names come from sqlite_master itself; quoted as identifiers.
        let n: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )
            .map_err(sqlite_error)?;
        tables.insert(name, n);
    }
    let version: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
            [],
            |r| r.get(0),
        )
        .map_err(sqlite_error)?;
    Ok((version, tables))
}

// ------------------------------------------------------------------------------ PostgreSQL

/// `url` without its password, and the password (percent-decoded), for `PGPASSWORD`: a
/// password never appears on a command line (where `ps` shows it).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, password)) => (
                format!("{scheme}://{user}@{host}{tail}"),
                Some(percent_decode(password)),
            ),
            None => (url.to_string(), None),
        },
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client program (`pg_dump`, `pg_restore`) with the password in the
/// environment; a missing program is a clear error.
async fn pg_tool(program: &str, url: &str, args: &[&str]) -> Result<()> {
    let (url, password) = split_password(url);
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args).arg(format!("--dbname={url}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Config(format!(
                "{program} is not installed (Debian: apt-get install postgresql-client); it is needed for PostgreSQL backups"
            ))
        } else {
            io(&format!("cannot run {program}"), e)
        }
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(Error::Internal(format!(
            "{program} failed: {}",
            crate::config::redact_url(stderr.trim())
        )))
    }
}

async fn postgres_backup(url: &str, file: &Path) -> Result<(i64, BTreeMap<String, i64>)> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    // The counts and the dump come from one snapshot: the transaction stays open (and the
    // snapshot exported) until pg_dump is done.
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut conn)
        .await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await?;
    let found = postgres_contents(&mut conn).await?;
    let file_arg = format!("--file={}", file.display());
    let snapshot_arg = format!("--snapshot={snapshot}");
    let dumped = pg_tool(
        "pg_dump",
        url,
        &["--format=custom", "--no-owner", &snapshot_arg, &file_arg],
    )
    .await;
    sqlx::query("COMMIT").execute(&mut conn).await?;
    conn.close().await?;
    dumped?;
    Ok(found)
}

async fn postgres_restore(
    settings: &DatabaseSettings,
    file: &Path,
) -> Result<(i64, BTreeMap<String, i64>)> {
    let admin = settings.direct_or_url().to_string();
    if backend_of(&admin)? != Backend::Postgres {
        return Err(Error::Config(
            "verifying a PostgreSQL backup needs DATABASE_URL to name a PostgreSQL server (a scratch database is created there)".into(),
        ));
    }
    let name = format!("mita_verify_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    let scratch = with_database(&admin, &name);
    let result = async {
        pg_tool(
            "pg_restore",
            &scratch,
            &["--no-owner", "--exit-on-error", &file.display().to_string()],
        )
        .await?;
        let mut restored = sqlx::PgConnection::connect(&scratch).await?;
        let found = postgres_contents(&mut restored).await;
        restored.close().await?;
        found
    }
    .await;
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await;
    conn.close().await?;
    result
}

/// The schema version and row count per table of the public schema.
async fn postgres_contents(conn: &mut sqlx::PgConnection) -> Result<(i64, BTreeMap<String, i64>)> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = BTreeMap::new();
    for name in names {
        // Names come from the catalog itself; quoted as identifiers.
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""));
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        tables.insert(name, row.try_get::<i64, _>(0)?);
    }
    let version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    Ok((version, tables))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://mita:p%40ss@db:5432/mita?sslmode=require"),
            (
                "postgres://mita@db:5432/mita?sslmode=require".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://db/mita"),
            ("postgres://db/mita".to_string(), None)
        );
        assert_eq!(
            with_database("postgres://u:p@h:5/postgres?sslmode=require", "scratch"),
            "postgres://u:p@h:5/scratch?sslmode=require"
        );
        assert_eq!(with_database("postgres://h", "s"), "postgres://h/s");
        assert_eq!(
            manifest_path(Path::new("/b/x.dump")),
            PathBuf::from("/b/x.dump.manifest.json")
        );
    }
}
