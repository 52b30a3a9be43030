//! `mita db backup` / `mita db verify` on SQLite and PostgreSQL.

use mita::testing::TestDatabase;
use serde_json::{Value, json};

use crate::support::{Server, mita, register, run, stderr, stdout};

/// `mita db` on the test's database, as an operator runs it: the URL the server uses and, when
/// that is a transaction pooler (CI's PgBouncer step), `database.direct_url` naming PostgreSQL
/// itself — without it pg_dump's session state reaches the server's queries through the pooler
/// (the creates below then fail with 500).
fn db_command(db: &TestDatabase) -> std::process::Command {
    let mut cmd = mita();
    cmd.args(["db", "--database-url", &db.url]);
    if db.direct_url != db.url {
        cmd.env("MITA_DATABASE__DIRECT_URL", &db.direct_url);
    }
    cmd
}

#[tokio::test]
async fn a_backup_taken_under_write_load_verifies_and_a_corrupted_one_does_not() {
    let db = TestDatabase::create().await.unwrap();
    let server = Server::start(&db.url, &["--migrate"], &[]);
    let client = reqwest::Client::new();
    let token = register(
        &client,
        &server.url("/api/auth/register"),
        "backup@example.com",
        "Sturdy-Passw0rd",
    )
    .await;
    // Writes keep coming while the backup runs.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let writer = {
        let url = server.url("/api/transactions");
        tokio::spawn(async move {
            let mut written = 0u32;
            while !*stopped.borrow_and_update() {
                let resp = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"amount": 3.5, "category": "food"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 201);
                written += 1;
            }
            written
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mita.backup");
    let backup_cmd = db_command(&db);
    let file_arg = file.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = backup_cmd;
        run(cmd.args(["backup", "--json"]).arg(&file_arg))
    })
    .await
    .unwrap();
    stop.send(true).unwrap();
    let written = writer.await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(manifest["tables"]["transactions"].as_i64().unwrap() <= i64::from(written));
    assert!(manifest["schema_version"].as_i64().unwrap() > 0);
    assert!(dir.path().join("mita.backup.manifest.json").exists());

    // Never overwrites.
    let again = run(db_command(&db).arg("backup").arg(&file));
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));

    let verify = |path: &std::path::Path| run(db_command(&db).args(["verify", "--json"]).arg(path));
    let ok = verify(&file);
    assert!(ok.status.success(), "{} {}", stdout(&ok), stderr(&ok));
    let found: Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(found["ok"], true, "{found}");
    assert_eq!(found["schema_version"], manifest["schema_version"]);

    // Damage the middle of the file: the verification fails and says why.
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    let end = mid + 4096.min(bytes.len() - mid);
    for b in &mut bytes[mid..end] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).unwrap();
    let bad = verify(&file);
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    let found: Value = serde_json::from_str(&stdout(&bad)).unwrap();
    assert_eq!(found["ok"], false);
    assert!(!found["problems"].as_array().unwrap().is_empty());
}
