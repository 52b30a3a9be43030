//! `mita migrate`, `--dry-run`, `status --json`, two migrations racing on PostgreSQL, and a
//! database migrated by a newer mita (rolling deploys).

use mita::testing::TestDatabase;

use crate::support::{Server, mita, register, run, stderr, stdout};

#[tokio::test]
async fn migrate_applies_and_prints_each_migration_then_has_nothing_to_do() {
    let db = TestDatabase::create().await.unwrap();
    let first = run(mita().args(["migrate", "--database-url", &db.url]));
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("applied 1 init"),
        "{}",
        stdout(&first)
    );

    let second = run(mita().args(["migrate", "--database-url", &db.url]));
    assert_eq!(second.status.code(), Some(0), "nothing to do is success");
    assert!(stdout(&second).contains("Nothing to do"));
}

#[tokio::test]
async fn dry_run_lists_what_would_run_and_changes_nothing() {
    let db = TestDatabase::create().await.unwrap();
    let dry = run(mita().args(["migrate", "--dry-run", "--database-url", &db.url]));
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("would apply 1 init"));

    let status = run(mita().args(["migrate", "status", "--json", "--database-url", &db.url]));
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "pending"),
        "{json}"
    );
}

#[tokio::test]
async fn status_json_is_valid_json_after_migrating() {
    let db = TestDatabase::create().await.unwrap();
    assert!(
        run(mita().args(["migrate", "--database-url", &db.url]))
            .status
            .success()
    );
    let status = run(mita().args(["migrate", "status", "--json", "--database-url", &db.url]));
    assert!(status.status.success());
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).expect("valid JSON");
    let rows = json.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|m| m["state"] == "applied" && m["version"].is_i64())
    );

    let table = run(mita().args(["migrate", "status", "--database-url", &db.url]));
    assert!(stdout(&table).contains("applied"));
}

#[tokio::test]
async fn two_migrate_processes_started_together_on_postgres_apply_once() {
    let db = TestDatabase::create().await.unwrap();
    if !db.postgres_or_skip("concurrent migrate on PostgreSQL") {
        return;
    }
    let spawn = || {
        mita()
            .args(["migrate", "--json", "--database-url", &db.url])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    let applied = |o: &std::process::Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["applied"].as_array().unwrap().len()
    };
    let status = run(mita().args(["migrate", "status", "--json", "--database-url", &db.url]));
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let all = json.as_array().unwrap();
    assert_eq!(
        applied(&a) + applied(&b),
        all.len(),
        "each migration applied by exactly one process"
    );
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "applied")
    );
}

#[tokio::test]
async fn serve_refuses_a_postgres_database_with_pending_migrations_unless_asked_to_migrate() {
    let db = TestDatabase::create().await.unwrap();
    if !db.postgres_or_skip("serve refuses pending migrations on PostgreSQL") {
        return;
    }
    let out = run(mita().args(["serve", "--bind", "127.0.0.1:0", "--database-url", &db.url]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("pending migrations"),
        "{}",
        stderr(&out)
    );

    let mut server = crate::support::Server::start(&db.url, &["--migrate"], &[]);
    let ready = reqwest::get(server.url("/ready")).await.unwrap();
    assert_eq!(ready.status(), 200);
    server.signal("TERM");
    assert_eq!(
        server.wait_exit(std::time::Duration::from_secs(30)),
        Some(0)
    );
}

/// What a newer mita's additive migration does to the database: a new table, a new nullable
/// column on a table this binary reads and writes, and its row in the bookkeeping table.
async fn apply_a_newer_additive_migration(db: &TestDatabase) {
    let conn = mita::db::Db::connect(&db.settings()).await.unwrap();
    for sql in [
        "CREATE TABLE future_feature (id BIGINT PRIMARY KEY, note TEXT)",
        "ALTER TABLE transactions ADD COLUMN future_note TEXT",
    ] {
        mita::on_write!(&conn, pool => sqlx::query(sql).execute(pool).await.map(|_| ())).unwrap();
    }
    mita::on_write!(&conn, pool => sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'a newer mita', TRUE, $1, 1)")
        .bind(vec![7u8; 48])
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
    conn.close().await;
}

/// Registers a user on `server` and posts one spend; answers the token.
async fn register_and_spend(server: &Server, email: &str) -> String {
    let register_url = server.url("/api/auth/register");
    let token = register(
        &reqwest::Client::new(),
        &register_url,
        email,
        "Sturdy-Passw0rd",
    )
    .await;
    spend(server, &token).await;
    token
}

/// Posts a spend and lists the user's transactions: both must succeed; answers the count.
async fn spend(server: &Server, token: &str) -> usize {
    let client = reqwest::Client::new();
    let created = client
        .post(server.url("/api/transactions"))
        .bearer_auth(token)
        .json(&serde_json::json!({"amount": 4.25, "category": "food"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let list = client
        .get(server.url("/api/transactions"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let body: serde_json::Value = list.json().await.unwrap();
    body["data"]["transactions"]
        .as_array()
        .or_else(|| body["data"].as_array())
        .map_or(0, Vec::len)
}

/// Expand/contract (docs/operations.md, "Rolling deploys"): a newer mita applies an additive
/// migration while this binary serves. The running instance keeps answering writes and reads
/// and stays ready; a new instance of this binary refuses to start on a schema it does not
/// know, and starts when `database.allow_newer_schema` says the newer migrations are additive.
#[tokio::test]
async fn a_newer_additive_migration_keeps_a_running_instance_working_and_stops_a_new_one() {
    let db = TestDatabase::create().await.unwrap();
    let running = Server::start(&db.url, &["--migrate"], &[]);
    let token = register_and_spend(&running, "rollout@example.com").await;

    apply_a_newer_additive_migration(&db).await;

    assert_eq!(spend(&running, &token).await, 2);
    let ready = reqwest::get(running.url("/ready")).await.unwrap();
    assert_eq!(ready.status(), 200);

    // Bounded: a binary that wrongly starts must fail the test, not hang it.
    let data_dir = tempfile::tempdir().unwrap();
    let mut child = mita()
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &db.url])
        .env("MITA_DATA_DIR", data_dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("mita serve started on a schema a newer mita migrated");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let refused = child.wait_with_output().unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("migrated by a newer mita")
            && message.contains("99990101000000")
            && message.contains("database.allow_newer_schema"),
        "{message}"
    );

    let allowed = Server::start(
        &db.url,
        &["--migrate"],
        &[("MITA_DATABASE__ALLOW_NEWER_SCHEMA", "true")],
    );
    let ready = reqwest::get(allowed.url("/ready")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let other = register_and_spend(&allowed, "rollback@example.com").await;
    assert_eq!(spend(&allowed, &other).await, 2);
    // The running instance is still fine after the second one came up.
    assert_eq!(spend(&running, &token).await, 3);
}
