//! `mita doctor` on a healthy installation and on broken ones.

use std::process::Command;

use mita::testing::TestDatabase;
use serde_json::Value;

use crate::support::{mita, run, stderr, stdout};

/// `mita doctor --json` with `envs` over a migrated test database and a scratch data directory;
/// returns (exit code, the checks by name).
fn doctor(db_url: &str, data_dir: &std::path::Path, envs: &[(&str, &str)]) -> (i32, Value) {
    let mut cmd: Command = mita();
    cmd.args(["doctor", "--json", "--database-url", db_url])
        .env("MITA_DATA_DIR", data_dir)
        // The OCR engine has tests of its own; here it is not needed unless a test asks.
        .env("MITA_OCR__WORKERS", "0")
        .envs(envs.iter().copied());
    let out = run(&mut cmd);
    let json: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {} / {}", stdout(&out), stderr(&out)));
    let by_name: serde_json::Map<String, Value> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["check"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    (out.status.code().unwrap(), Value::Object(by_name))
}

async fn migrated() -> TestDatabase {
    let db = TestDatabase::create().await.unwrap();
    db.migrated().await.unwrap().close().await;
    db
}

#[tokio::test]
async fn a_healthy_installation_passes_with_every_check_listed() {
    let db = migrated().await;
    let dir = tempfile::tempdir().unwrap();
    let (code, checks) = doctor(&db.url, dir.path(), &[]);
    assert_eq!(code, 0, "{checks}");
    for name in [
        "configuration",
        "secrets",
        "database",
        "migrations",
        "clock",
        "tesseract",
        "receipts",
        "smtp",
        "google",
        "llm",
    ] {
        assert!(checks.get(name).is_some(), "{name} missing: {checks}");
        assert_ne!(checks[name]["status"], "fail", "{name}: {checks}");
    }
    assert_eq!(checks["database"]["status"], "ok");
    assert_eq!(checks["migrations"]["status"], "ok");
    assert!(
        !dir.path().join("receipts/.mita-doctor-probe").exists(),
        "the probe is removed"
    );
}

#[tokio::test]
async fn broken_installations_fail_on_the_broken_part() {
    let db = migrated().await;
    let dir = tempfile::tempdir().unwrap();
    // Production without secrets.
    let (code, checks) = doctor(&db.url, dir.path(), &[("MITA_ENV", "production")]);
    assert_eq!(code, 1);
    assert_eq!(checks["secrets"]["status"], "fail", "{checks}");
    // A mail server and an LLM that cannot be reached.
    let (code, checks) = doctor(
        &db.url,
        dir.path(),
        &[
            ("MITA_SMTP__HOST", "127.0.0.1"),
            ("MITA_SMTP__PORT", "1"),
            ("MITA_LLM_BASE_URL", "http://127.0.0.1:1/v1"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(checks["smtp"]["status"], "fail", "{checks}");
    assert_eq!(checks["llm"]["status"], "fail", "{checks}");
    // OCR workers without the program.
    let (code, checks) = doctor(
        &db.url,
        dir.path(),
        &[
            ("MITA_OCR__WORKERS", "1"),
            ("MITA_OCR__TESSERACT_PATH", "/nonexistent/tesseract"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(checks["tesseract"]["status"], "fail", "{checks}");

    // A database with pending migrations.
    let fresh = TestDatabase::create().await.unwrap();
    let (code, checks) = doctor(&fresh.url, dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(checks["migrations"]["status"], "fail", "{checks}");

    // A database that is not there.
    let (code, checks) = doctor("postgres://nobody:pw@127.0.0.1:1/none", dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(checks["database"]["status"], "fail", "{checks}");
    assert!(
        !checks.to_string().contains(":pw@"),
        "no password in the report"
    );

    // A configuration file that does not parse.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "this is = = not toml").unwrap();
    let (code, checks) = doctor(
        &db.url,
        dir.path(),
        &[("MITA_CONFIG", bad.to_str().unwrap())],
    );
    assert_eq!(code, 1);
    assert_eq!(checks["configuration"]["status"], "fail", "{checks}");
}
