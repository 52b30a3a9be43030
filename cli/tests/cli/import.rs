//! `mita import` end to end: the real binary on a migrated database (SQLite or PostgreSQL).

use std::process::{Output, Stdio};

use mita::testing::TestDatabase;
use serde_json::Value;

use crate::support::{mita, run, stderr, stdout};

const EMAIL: &str = "cli-import@example.com";

async fn fixture() -> TestDatabase {
    let db = TestDatabase::create().await.unwrap();
    let out = run(mita().args(["migrate", "--database-url", &db.url]));
    assert!(out.status.success(), "{}", stderr(&out));
    let file = db.path().join("password");
    std::fs::write(&file, "Sturdy-Passw0rd\n").unwrap();
    let out = run(mita()
        .args(["admin", "create-user", "--email", EMAIL, "--password-file"])
        .arg(&file)
        .args(["--database-url", &db.url])
        .stdin(Stdio::null()));
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn import(db: &TestDatabase, file: &std::path::Path, args: &[&str]) -> Output {
    run(mita()
        .arg("import")
        .arg(file)
        .args(["--user", EMAIL, "--database-url", &db.url])
        .args(args)
        .stdin(Stdio::null()))
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

async fn count(db: &TestDatabase) -> i64 {
    let pool = db.migrated().await.unwrap();
    let n = mita::on_db!(&pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM transactions").fetch_one(p).await).unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn import_twice_adds_nothing_and_dry_run_writes_nothing() {
    let db = fixture().await;
    let ofx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/import/checking-sgml.ofx");
    let out = import(&db, &ofx, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["preview"]["format"], "ofx", "{v}");
    assert_eq!(v["commit"]["inserted"], 4, "{v}");
    assert_eq!(count(&db).await, 4);
    // The same file again: nothing new (exit 4), nothing added.
    let out = import(&db, &ofx, &["--json"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(json(&out)["commit"]["inserted"], 0);
    assert_eq!(count(&db).await, 4);

    // A CSV with the column flags, dry run: the preview, nothing written.
    let day = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let csv = db.path().join("bank.csv");
    std::fs::write(
        &csv,
        format!("Date;Who;Amount\n{day};Caf\u{e9};-3,20\n{day};Bakery;-2,00\n"),
    )
    .unwrap();
    let flags = [
        "--date",
        "Date",
        "--payee",
        "Who",
        "--amount",
        "Amount",
        "--decimal",
        ",",
    ];
    let out = import(&db, &csv, &[&flags[..], &["--dry-run", "--json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["preview"]["new_rows"], 2, "{v}");
    assert_eq!(v["preview"]["rows"][0]["payee"], "Café");
    assert_eq!(count(&db).await, 4);
    let pool = db.migrated().await.unwrap();
    let stored: i64 = mita::on_db!(&pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM imports").fetch_one(p).await).unwrap();
    pool.close().await;
    assert_eq!(stored, 2, "a dry run stores no preview");
    // Without --json: a summary table.
    let out = import(&db, &csv, &flags);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("inserted"), "{}", stdout(&out));
    assert_eq!(count(&db).await, 6);
    // An unknown user exits 3; a malformed file names its line.
    let out = run(mita()
        .arg("import")
        .arg(&csv)
        .args(["--user", "nobody@example.com", "--database-url", &db.url])
        .args(flags));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let bad = db.path().join("bad.qif");
    std::fs::write(&bad, "!Type:Bank\nD11/18'26\nnot a field\n^\n").unwrap();
    let out = import(&db, &bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("line 3:"), "{}", stderr(&out));
}
