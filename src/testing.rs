//! Helpers for tests (used by the test suites of every crate): a fresh, empty database per test
//! on the backend chosen by `MITA_TEST_DATABASE_URL` (unset → a temporary SQLite file).

pub mod fakes;
pub mod multipart;
pub mod receipt_image;

use std::path::PathBuf;

use crate::config::DatabaseSettings;
use crate::db::Db;
use crate::error::{Error, Result};

/// Environment variable naming a PostgreSQL server for tests (its URL points at any database the
/// user may connect to; each test creates its own database beside it).
pub const TEST_DATABASE_ENV: &str = "MITA_TEST_DATABASE_URL";

/// When `MITA_TEST_DATABASE_URL` names a pooler (CI runs the suite once more through PgBouncer
/// in transaction mode), the same PostgreSQL server reached directly: for the few tools that
/// must not go through a transaction pooler (`pg_dump` sets session state).
pub const TEST_DIRECT_DATABASE_ENV: &str = "MITA_TEST_DIRECT_DATABASE_URL";

/// A fresh database for one test. SQLite files live in a temporary directory removed on drop; a
/// PostgreSQL database is dropped with it (a full suite creates hundreds: kept, they fill the
/// disk of a small CI machine).
pub struct TestDatabase {
    pub url: String,
    /// The same database reached without a pooler ([`TEST_DIRECT_DATABASE_ENV`]); equal to
    /// `url` when there is none.
    pub direct_url: String,
    pub dir: tempfile::TempDir,
    /// `(admin URL, database name)` of a PostgreSQL database this value created and drops.
    owned: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.owned.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own
        // with a small runtime does the work, and the test waits for it (bounded by the connect
        // and statement timeouts of the server).
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("test database was not dropped: {e}"),
            Err(_) => eprintln!("test database was not dropped: the dropping thread panicked"),
        }
    }
}

impl TestDatabase {
    /// Creates an empty database (not migrated).
    pub async fn create() -> Result<TestDatabase> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let (url, owned) = match std::env::var(TEST_DATABASE_ENV)
            .ok()
            .filter(|s| !s.is_empty())
        {
            Some(admin_url) if admin_url.starts_with("postgres") => {
                let name = create_pg_database(&admin_url).await?;
                (replace_db_name(&admin_url, &name), Some((admin_url, name)))
            }
            _ => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("mita-test.db").display()
                ),
                None,
            ),
        };
        let direct_url = match (&owned, std::env::var(TEST_DIRECT_DATABASE_ENV)) {
            (Some((_, name)), Ok(direct)) if !direct.is_empty() => replace_db_name(&direct, name),
            _ => url.clone(),
        };
        Ok(TestDatabase {
            url,
            direct_url,
            dir,
            owned,
        })
    }

    /// Another handle on an existing database (e.g. a second server instance on the first
    /// one's database), with a scratch directory of its own; dropping it keeps the database.
    pub fn shared(url: &str) -> Result<TestDatabase> {
        Ok(TestDatabase {
            url: url.to_string(),
            direct_url: url.to_string(),
            dir: tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?,
            owned: None,
        })
    }

    /// True when tests run against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// For PostgreSQL-only tests: true on PostgreSQL; otherwise prints that `test` is skipped
    /// and returns false — or fails when `MITA_REQUIRE_POSTGRES=1` (set by `.ci/run` in its
    /// PostgreSQL step, so such a test can never pass there without running).
    pub fn postgres_or_skip(&self, test: &str) -> bool {
        if self.is_postgres() {
            return true;
        }
        assert!(
            std::env::var("MITA_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "{test}: MITA_REQUIRE_POSTGRES=1 but MITA_TEST_DATABASE_URL is not a PostgreSQL URL"
        );
        eprintln!("SKIPPED {test}: PostgreSQL-only (set MITA_TEST_DATABASE_URL=postgres://...)");
        false
    }

    /// Settings pointing at this database.
    pub fn settings(&self) -> DatabaseSettings {
        DatabaseSettings {
            url: self.url.clone().into(),
            ..DatabaseSettings::default()
        }
    }

    /// Connects and applies every migration.
    pub async fn migrated(&self) -> Result<Db> {
        let db = Db::connect(&self.settings()).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// A scratch directory for the test's files.
    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

/// Creates a database beside `admin_url`'s and answers its name.
async fn create_pg_database(admin_url: &str) -> Result<String> {
    use sqlx::Connection;
    let name = format!("mita_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(name)
}

/// Replaces the database name in a PostgreSQL URL (keeping any query string).
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // postgres://user:pass@host:port/db → cut after the authority.
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let authority_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..authority_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Whether the real `tesseract` program can run here. Tests that need it call this: without the
/// program they are skipped with a message, unless `MITA_REQUIRE_TESSERACT=1` (set by `.ci/run`),
/// where a missing program fails the test instead — CI always runs them.
pub fn tesseract_or_skip(test: &str) -> bool {
    let available = std::process::Command::new("tesseract")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if available {
        return true;
    }
    assert!(
        std::env::var("MITA_REQUIRE_TESSERACT").as_deref() != Ok("1"),
        "{test}: the `tesseract` program is required (apt-get install tesseract-ocr tesseract-ocr-eng)"
    );
    eprintln!(
        "SKIPPED {test}: `tesseract` is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(
            replace_db_name("postgres://u:p@h:5/postgres", "x"),
            "postgres://u:p@h:5/x"
        );
        assert_eq!(
            replace_db_name("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(replace_db_name("postgres://h", "x"), "postgres://h/x");
    }
}
