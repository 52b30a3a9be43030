//! Storage tests: migrations on an empty database, idempotence, status, schema parity between
//! the two dialects, and id round trips. Run on SQLite, or PostgreSQL with MITA_TEST_DATABASE_URL.

use std::collections::BTreeMap;

use mita::db::Db;
use mita::db::migrate::MigrationState;
use mita::id::Id;
use mita::testing::TestDatabase;
use mita::{on_db, on_write};

#[tokio::test]
async fn migrations_apply_on_an_empty_database_and_a_rerun_is_a_no_op() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = Db::connect(&test_db.settings()).await.unwrap();

    let before = db.migration_status().await.unwrap();
    assert!(!before.is_empty());
    assert!(before.iter().all(|m| m.state == MigrationState::Pending));
    assert!(!db.migrations_current().await.unwrap());

    let applied = db.migrate().await.unwrap();
    assert_eq!(
        applied.len(),
        before.len(),
        "every pending migration is applied and reported"
    );
    assert!(db.migrations_current().await.unwrap());

    let again = db.migrate().await.unwrap();
    assert!(again.is_empty(), "a second run applies nothing");
    assert!(
        db.migration_status()
            .await
            .unwrap()
            .iter()
            .all(|m| m.state == MigrationState::Applied)
    );
}

#[tokio::test]
async fn reading_the_status_of_an_empty_database_changes_nothing() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = Db::connect(&test_db.settings()).await.unwrap();
    db.migration_status().await.unwrap();
    db.migration_status().await.unwrap();
    assert!(
        table_names(&db).await.is_empty(),
        "status must not create any table"
    );
}

#[tokio::test]
async fn status_serializes_as_json_with_version_description_and_state() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let json = serde_json::to_value(db.migration_status().await.unwrap()).unwrap();
    let first = &json.as_array().unwrap()[0];
    assert_eq!(first["version"], 1);
    assert_eq!(first["state"], "applied");
    assert!(first["description"].is_string());
}

#[tokio::test]
async fn ids_round_trip_and_are_stored_readably() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let id = Id::new();
    on_write!(&db, pool => sqlx::query(
        "INSERT INTO client_error_reports (id, error, created_at) VALUES ($1, 'x', 1)")
        .bind(id).execute(pool).await.map(|_| ()))
    .unwrap();
    let back: Id = on_db!(&db, pool => sqlx::query_scalar("SELECT id FROM client_error_reports")
        .fetch_one(pool).await)
    .unwrap();
    assert_eq!(back, id);
    // Stored as text (SQLite) or uuid (PostgreSQL): either way its text form is the hyphenated id.
    let text: String = on_db!(&db, pool => sqlx::query_scalar(
        "SELECT CAST(id AS TEXT) FROM client_error_reports").fetch_one(pool).await)
    .unwrap();
    assert_eq!(text, id.to_string());
}

#[tokio::test]
async fn deleting_a_user_cascades_to_owned_rows() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let user = Id::new();
    let mut tx = db.begin().await.unwrap();
    mita::on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ($1, 'a@b.c', 'x', 1, 1)")
            .bind(user).execute(&mut *conn).await.unwrap();
        sqlx::query("INSERT INTO habits (id, user_id, title, created_at, updated_at) VALUES ($1, $2, 'walk', 1, 1)")
            .bind(Id::new()).bind(user).execute(&mut *conn).await.unwrap();
    });
    tx.commit().await.unwrap();
    on_write!(&db, pool => sqlx::query("DELETE FROM users WHERE id = $1").bind(user).execute(pool).await.map(|_| ())).unwrap();
    let habits: i64 = on_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM habits").fetch_one(pool).await).unwrap();
    assert_eq!(habits, 0);
}

/// Table → ordered column names (and nullability), excluding the migration bookkeeping table.
type Shape = BTreeMap<String, Vec<(String, bool)>>;

async fn table_names(db: &Db) -> Vec<String> {
    schema(db).await.0.into_keys().collect()
}

async fn schema(db: &Db) -> (Shape, Vec<String>) {
    let mut tables = Shape::new();
    let mut indexes: Vec<String> = Vec::new();
    match db {
        Db::Sqlite(s) => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(&s.tools)
            .await
            .unwrap();
            for t in names {
                let cols: Vec<(String, bool)> = sqlx::query_as(
                    "SELECT name, \"notnull\" OR pk > 0 FROM pragma_table_info($1) ORDER BY cid",
                )
                .bind(&t)
                .fetch_all(&s.tools)
                .await
                .unwrap();
                let idx: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM pragma_index_list($1) WHERE origin <> 'pk'",
                )
                .bind(&t)
                .fetch_all(&s.tools)
                .await
                .unwrap();
                indexes.extend(idx);
                tables.insert(t, cols);
            }
        }
        Db::Postgres(p) => {
            let rows: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable = 'NO' FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
                 ORDER BY table_name, ordinal_position",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (t, c, not_null) in rows {
                tables.entry(t).or_default().push((c, not_null));
            }
            indexes = sqlx::query_scalar(
                "SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary \
                 AND t.relname <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap();
        }
    }
    indexes.sort();
    (tables, indexes)
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_produce_the_same_tables_columns_and_indexes() {
    let pg = TestDatabase::create().await.unwrap();
    if !pg.postgres_or_skip("schema parity") {
        return;
    }
    let pg_db = pg.migrated().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_settings = mita::config::DatabaseSettings {
        url: format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("parity.db").display()
        )
        .into(),
        ..Default::default()
    };
    let sqlite_db = Db::connect(&sqlite_settings).await.unwrap();
    sqlite_db.migrate().await.unwrap();

    let (sqlite_tables, sqlite_indexes) = schema(&sqlite_db).await;
    let (pg_tables, pg_indexes) = schema(&pg_db).await;
    assert_eq!(
        sqlite_tables.keys().collect::<Vec<_>>(),
        pg_tables.keys().collect::<Vec<_>>(),
        "same tables"
    );
    for (table, cols) in &sqlite_tables {
        assert_eq!(
            cols, &pg_tables[table],
            "columns (order and NOT NULL) of {table}"
        );
    }
    assert_eq!(sqlite_indexes, pg_indexes, "same index names");
    assert!(sqlite_tables.len() >= 19, "the complete schema is present");
}

#[tokio::test]
async fn the_database_computes_day_status_exactly_like_the_rust_rule() {
    use mita::budget::status::day_status;
    use mita::budget::store::update_day_status;
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let user = Id::new();
    on_write!(&db, pool => sqlx::query("INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ($1, 's@x.io', 'x', 1, 1)")
        .bind(user).execute(pool).await.map(|_| ())).unwrap();
    let cases: &[(i64, i64)] = &[
        (0, 0),
        (10_000, 10_000),
        (10_000, 10_200),
        (10_000, 10_500),
        (10_000, 10_501),
        (100_000, 102_500),
        (100_000, 102_501),
        (0, 200),
        (0, 201),
        (3_999, 4_199),
        (3_999, 4_200),
        (1_000_000, 1_025_000),
    ];
    for (i, (planned, spent)) in cases.iter().enumerate() {
        let day =
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(i as i64);
        let mut tx = db.begin().await.unwrap();
        // Split over two categories: the rule applies to the day's sums.
        mita::on_tx!(&mut tx, conn => {
            for (cat, p, s) in [("food", planned / 2, spent / 2), ("other", planned - planned / 2, spent - spent / 2)] {
                sqlx::query("INSERT INTO daily_plan (id, user_id, date, category, planned_cents, spent_cents, status, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, 'green', 1, 1)")
                    .bind(Id::new()).bind(user).bind(day).bind(cat).bind(p).bind(s).execute(&mut *conn).await.unwrap();
            }
        });
        let got = update_day_status(&mut tx, user, day, 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            got,
            day_status(*planned, *spent),
            "planned {planned} spent {spent}"
        );
    }
    // The range statement (one correlated aggregate per row) applies the same rule.
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let last = first + chrono::Duration::days(cases.len() as i64 - 1);
    on_write!(&db, pool => sqlx::query("UPDATE daily_plan SET status = 'neutral'").execute(pool).await.map(|_| ())).unwrap();
    let mut tx = db.begin().await.unwrap();
    mita::budget::store::update_statuses_between(&mut tx, user, first, last, 3)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (i, (planned, spent)) in cases.iter().enumerate() {
        let day = first + chrono::Duration::days(i as i64);
        let statuses: Vec<String> = on_db!(&db, pool => sqlx::query_scalar("SELECT status FROM daily_plan WHERE user_id = $1 AND date = $2")
            .bind(user).bind(day).fetch_all(pool).await).unwrap();
        assert_eq!(statuses.len(), 2);
        for s in statuses {
            assert_eq!(
                s,
                day_status(*planned, *spent).as_str(),
                "range: planned {planned} spent {spent}"
            );
        }
    }
}

/// Issue 18 §5: PostgreSQL over TLS works (`sslmode=require`, and `verify-full` against the CI
/// cluster's self-signed certificate, `MITA_TEST_PG_CA`), and the connection really is
/// encrypted.
#[tokio::test]
async fn postgres_connections_can_require_tls() {
    let pg = TestDatabase::create().await.unwrap();
    if !pg.postgres_or_skip("PostgreSQL over TLS") {
        return;
    }
    let sep = if pg.url.contains('?') { '&' } else { '?' };
    let mut urls = vec![format!("{}{sep}sslmode=require", pg.url)];
    match std::env::var("MITA_TEST_PG_CA") {
        Ok(ca) if !ca.is_empty() => {
            urls.push(format!(
                "{}{sep}sslmode=verify-full&sslrootcert={ca}",
                pg.url
            ));
        }
        _ => eprintln!("MITA_TEST_PG_CA unset: verify-full is not tried"),
    }
    for url in urls {
        let settings = mita::config::DatabaseSettings {
            url: url.clone().into(),
            ..Default::default()
        };
        let db = Db::connect(&settings).await.unwrap();
        let encrypted: bool = on_db!(&db, pool => sqlx::query_scalar(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(pool).await)
        .unwrap_or_else(|e| panic!("{}: {e}", mita::config::redact_url(&url)));
        assert!(encrypted, "{}", mita::config::redact_url(&url));
        db.close().await;
    }
}

/// A `lease_once` guarded job runs at most once per period in the whole cluster, whoever asks
/// (the daily audit purge); `lease` lets its holder renew.
#[tokio::test]
async fn a_once_lease_is_taken_only_after_it_expired() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let once = |now: i64| {
        let db = db.clone();
        async move {
            mita::cluster::lease_once(&db, "daily", now, 1_000)
                .await
                .unwrap()
        }
    };
    assert!(once(0).await);
    assert!(
        !once(500).await,
        "not before it expires, even for its holder"
    );
    assert!(once(1_000).await);
    assert!(
        mita::cluster::lease(&db, "renewable", 0, 1_000)
            .await
            .unwrap()
    );
    assert!(
        mita::cluster::lease(&db, "renewable", 500, 1_000)
            .await
            .unwrap(),
        "the holder renews"
    );
}
