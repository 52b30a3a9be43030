//! Schema migrations, embedded in the binary: `migrations/sqlite` and `migrations/postgres` hold
//! the same schema in each dialect.

use serde::Serialize;
use sqlx::migrate::Migrator;

use super::Db;
use crate::error::Result;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The newest migration this binary carries for `backend`.
pub fn latest_version(backend: super::Backend) -> i64 {
    let migrator = match backend {
        super::Backend::Sqlite => &SQLITE,
        super::Backend::Postgres => &POSTGRES,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Key of the advisory lock that serialises `mita migrate` runs on PostgreSQL ("mita" in ASCII).
const MIGRATE_LOCK_KEY: i64 = 0x6d69_7461;

/// Where a migration stands in a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationState {
    Applied,
    Pending,
    /// Applied, but the embedded file has changed since (the checksum differs).
    Modified,
}

/// One embedded migration and its state.
#[derive(Clone, Debug, Serialize)]
pub struct MigrationInfo {
    pub version: i64,
    pub description: String,
    pub state: MigrationState,
}

impl Db {
    fn migrator(&self) -> &'static Migrator {
        match self {
            Db::Sqlite(_) => &SQLITE,
            Db::Postgres(_) => &POSTGRES,
        }
    }

    /// Applied migration versions with their checksums; empty when the table does not exist yet.
    async fn applied(&self) -> Result<Vec<(i64, Vec<u8>)>> {
        let rows: Vec<(i64, Vec<u8>)> = match self {
            Db::Sqlite(s) => {
                let exists: Option<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_optional(&s.tools)
                .await?;
                if exists.is_none() {
                    return Ok(Vec::new());
                }
                sqlx::query_as(
                    "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
                )
                .fetch_all(&s.tools)
                .await?
            }
            Db::Postgres(p) => {
                let exists: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations')",
                )
                .fetch_one(p)
                .await?;
                if !exists {
                    return Ok(Vec::new());
                }
                sqlx::query_as(
                    "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    /// Every embedded migration with its state in this database. Changes nothing.
    pub async fn migration_status(&self) -> Result<Vec<MigrationInfo>> {
        let applied = self.applied().await?;
        Ok(self
            .migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| {
                let state = match applied.iter().find(|(v, _)| *v == m.version) {
                    None => MigrationState::Pending,
                    Some((_, sum)) if sum.as_slice() == &*m.checksum => MigrationState::Applied,
                    Some(_) => MigrationState::Modified,
                };
                MigrationInfo {
                    version: m.version,
                    description: m.description.to_string(),
                    state,
                }
            })
            .collect())
    }

    /// Versions applied to the database that this binary does not carry: a newer mita migrated
    /// it (`mita serve` refuses to start on it unless `database.allow_newer_schema`).
    pub async fn unknown_migrations(&self) -> Result<Vec<i64>> {
        let migrator = self.migrator();
        Ok(self
            .applied()
            .await?
            .into_iter()
            .map(|(version, _)| version)
            .filter(|version| !migrator.version_exists(*version))
            .collect())
    }

    /// True when every embedded migration is applied unchanged.
    pub async fn migrations_current(&self) -> Result<bool> {
        Ok(self
            .migration_status()
            .await?
            .iter()
            .all(|m| m.state == MigrationState::Applied))
    }

    /// Applies the pending migrations and returns those this call applied. On PostgreSQL an
    /// advisory lock makes concurrent runs wait for each other, so the second one finds nothing
    /// to do instead of racing; it needs two connections of the pool (the lock's and the
    /// migrations').
    pub async fn migrate(&self) -> Result<Vec<MigrationInfo>> {
        match self {
            Db::Sqlite(s) => {
                let pending = pending(self.migration_status().await?);
                SQLITE.run(&s.tools).await?;
                Ok(pending)
            }
            Db::Postgres(p) => {
                // The lock is transaction-scoped, held by a transaction that stays open on a
                // connection of its own while the migrations run on another. A session lock
                // (sqlx's own, or ours as it was) breaks behind a transaction-mode pooler such
                // as PgBouncer: the unlock may reach another server connection, and the lock
                // then stays with a pooled connection forever. An open transaction keeps its
                // server connection, so this works directly and through the pooler alike.
                let mut lock = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(MIGRATE_LOCK_KEY)
                    .execute(&mut *lock)
                    .await?;
                let result = async {
                    let pending = pending(self.migration_status().await?);
                    let mut migrator =
                        Migrator::with_migrations(POSTGRES.iter().cloned().collect());
                    migrator.set_locking(false);
                    migrator.run(p).await?;
                    Ok(pending)
                }
                .await;
                // Ending the transaction releases the lock; a failure here ends it with the
                // connection.
                if lock.rollback().await.is_err() {
                    tracing::warn!("the migration lock's transaction did not end cleanly");
                }
                result
            }
        }
    }
}

fn pending(all: Vec<MigrationInfo>) -> Vec<MigrationInfo> {
    all.into_iter()
        .filter(|m| m.state == MigrationState::Pending)
        .collect()
}
