//! `mita admin user export` and `mita admin user delete` (data access and erasure requests).

use serde_json::{Value, json};

use super::{Fixture, PASSWORD};
use crate::support::{register, stderr, stdout};

/// Registers `email` through the API and records one spend.
async fn with_a_spend(f: &Fixture, email: &str) {
    let client = reqwest::Client::new();
    let token = &register(&client, &f.url("/api/auth/register"), email, PASSWORD).await;
    let resp = client
        .post(f.url("/api/transactions"))
        .bearer_auth(token)
        .json(&json!({"amount": 7.5, "category": "food", "description": "cli-export-lunch"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn export_writes_the_users_rows_to_a_private_file_and_never_overwrites() {
    let f = Fixture::serving().await;
    with_a_spend(&f, "ex@example.com").await;
    let file = f.db.path().join("ex.json");
    let path = file.to_str().unwrap();

    let summary = f.admin_json(&["user", "export", "ex@example.com", "--output", path]);

    assert_eq!(summary["rows"]["transactions"], 1);
    assert_eq!(summary["rows"]["users"], 1);
    let export: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(export["format"], "mita-export-1");
    assert_eq!(export["tables"]["users"][0]["email"], "ex@example.com");
    assert_eq!(
        export["tables"]["transactions"][0]["description"],
        "cli-export-lunch"
    );
    assert!(export["tables"]["users"][0].get("password_hash").is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
    }
    let again = f.admin(&["user", "export", "ex@example.com", "--output", path]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("cannot create"),
        "{}",
        stderr(&again)
    );

    // To stdout, the document itself.
    let out = f.admin(&["user", "export", "ex@example.com"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["tables"]["transactions"][0]["amount_cents"], 750);
}

#[tokio::test]
async fn delete_asks_first_dry_runs_and_then_erases_everything_of_the_user() {
    let f = Fixture::serving().await;
    with_a_spend(&f, "gone@example.com").await;
    with_a_spend(&f, "stays@example.com").await;

    // No terminal and no --yes: refused, nothing changed.
    let refused = f.admin(&["user", "delete", "gone@example.com"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    let dry = f.admin_json(&["user", "delete", "gone@example.com", "--dry-run"]);
    assert_eq!(dry["result"], "would_erase");
    assert_eq!(dry["rows"]["transactions"], 1);
    assert!(dry["pseudonym"].is_null());
    assert_eq!(f.login("gone@example.com", PASSWORD).await.status(), 200);

    let done = f.admin_json(&["user", "delete", "gone@example.com", "--yes"]);
    assert_eq!(done["result"], "erased");
    assert!(done["pseudonym"].is_string());
    assert_eq!(done["rows"]["users"], 1);
    assert_eq!(f.login("gone@example.com", PASSWORD).await.status(), 401);
    assert_eq!(f.login("stays@example.com", PASSWORD).await.status(), 200);
    let missing = f.admin(&["user", "delete", "gone@example.com", "--yes"]);
    assert_eq!(missing.status.code(), Some(3), "{}", stdout(&missing));

    // The erasure is in the audit log under the pseudonym, by the operator.
    let events = f.admin_json(&["audit", "--event", "account_deletion"]);
    let event = &events.as_array().unwrap()[0];
    assert_eq!(event["user_id"], done["pseudonym"]);
    assert!(event["actor"].as_str().unwrap().starts_with("cli:"));
}
