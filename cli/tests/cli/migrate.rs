//! `mita migrate`, `--dry-run`, `status --json`, and two migrations racing on PostgreSQL.

use mita::testing::TestDatabase;

use crate::support::{mita, run, stderr, stdout};

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
