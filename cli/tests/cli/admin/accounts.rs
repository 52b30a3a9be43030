//! `mita admin create-user`, `set-role`, `user show` and `revoke-tokens`.

use serde_json::Value;

use super::{Fixture, PASSWORD, with_stdin};
use crate::support::{mita, stderr, stdout};

#[tokio::test]
async fn create_user_from_a_password_file_is_idempotent_only_with_if_not_exists() {
    let f = Fixture::serving().await;
    let file = f.db.path().join("password");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    let file = file.to_str().unwrap();
    let create = |extra: &[&str]| {
        f.admin(
            &[
                &[
                    "create-user",
                    "--email",
                    "new@example.com",
                    "--password-file",
                    file,
                ][..],
                extra,
            ]
            .concat(),
        )
    };

    let first = create(&["--json"]);
    let again = create(&["--if-not-exists", "--json"]);
    let conflict = create(&[]);

    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first["created"], true);
    assert_eq!(first["account"]["role"], "basic_user");
    assert!(
        first.get("password").is_none(),
        "a password from a file is never printed"
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["created"], false);
    assert_eq!(again["account"]["id"], first["account"]["id"]);
    assert_eq!(conflict.status.code(), Some(1));
    assert!(
        stderr(&conflict).contains("already exists"),
        "{}",
        stderr(&conflict)
    );
    // The password was read (without its newline) and works.
    assert_eq!(f.login("new@example.com", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn create_user_reads_the_password_from_stdin_and_refuses_a_weak_one() {
    let f = Fixture::new().await;
    let create = |email: &str, password: &str| {
        with_stdin(
            mita().args([
                "admin",
                "create-user",
                "--email",
                email,
                "--password-file",
                "-",
                "--database-url",
                &f.db.url,
            ]),
            &format!("{password}\n"),
        )
    };

    let ok = create("stdin@example.com", PASSWORD);
    let weak = create("weak@example.com", "weaklings");

    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(!stdout(&ok).contains(PASSWORD));
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr(&weak).contains("password:"), "{}", stderr(&weak));
    assert!(
        !stderr(&weak).contains("weaklings"),
        "the password is not echoed"
    );
    assert_eq!(
        f.admin(&["user", "show", "weak@example.com"]).status.code(),
        Some(3)
    );
}

#[tokio::test]
async fn create_user_has_no_password_flag_and_needs_a_password_source() {
    let f = Fixture::new().await;

    let with_flag = f.admin(&[
        "create-user",
        "--email",
        "p@example.com",
        "--password",
        PASSWORD,
    ]);
    let without_source = f.admin(&["create-user", "--email", "p@example.com"]);

    assert_eq!(with_flag.status.code(), Some(2), "clap rejects --password");
    assert_eq!(without_source.status.code(), Some(2));
    assert_eq!(
        f.admin(&["user", "show", "p@example.com"]).status.code(),
        Some(3)
    );
}

#[tokio::test]
async fn a_random_password_is_printed_once_and_lets_the_user_log_in() {
    let f = Fixture::serving().await;

    let created = f.admin_json(&[
        "create-user",
        "--email",
        "rnd@example.com",
        "--role",
        "admin",
        "--random-password",
    ]);
    let again = f.admin_json(&[
        "create-user",
        "--email",
        "rnd@example.com",
        "--random-password",
        "--if-not-exists",
    ]);

    let password = created["password"].as_str().unwrap();
    assert!(password.len() >= 16, "{password}");
    assert_eq!(created["account"]["role"], "admin");
    assert!(
        again.get("password").is_none(),
        "nothing was set, nothing is shown"
    );
    assert_eq!(f.login("rnd@example.com", password).await.status(), 200);
}

#[tokio::test]
async fn set_role_changes_the_role_user_show_reports_it_and_the_same_role_exits_4() {
    let f = Fixture::new().await;
    f.create_user("role@example.com");

    let dry = f.admin_json(&["set-role", "role@example.com", "admin", "--dry-run"]);
    assert_eq!(dry["result"], "would_change");
    assert_eq!(f.state("role@example.com")["role"], "basic_user");
    let refused = f.admin(&["set-role", "role@example.com", "admin"]);
    assert_eq!(refused.status.code(), Some(1), "no terminal and no --yes");

    let changed = f.admin_json(&["set-role", "role@example.com", "admin", "--yes"]);
    let same = f.admin(&["set-role", "role@example.com", "admin", "--yes"]);

    assert_eq!(changed["from"], "basic_user");
    assert_eq!(changed["to"], "admin");
    assert_eq!(f.state("role@example.com")["role"], "admin");
    assert_eq!(same.status.code(), Some(4));
    let back = f.admin(&["set-role", "role@example.com", "user", "--yes"]);
    assert_eq!(back.status.code(), Some(0), "{}", stderr(&back));
    assert_eq!(f.state("role@example.com")["role"], "basic_user");
    assert_eq!(
        f.admin(&["set-role", "ghost@example.com", "admin", "--yes"])
            .status
            .code(),
        Some(3)
    );
}

#[tokio::test]
async fn revoke_tokens_ends_a_session_of_the_running_server() {
    let f = Fixture::serving().await;
    f.create_user("rev@example.com");
    let login: Value = f
        .login("rev@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let token = login["data"]["access_token"].as_str().unwrap().to_string();
    let me = || async {
        reqwest::Client::new()
            .get(f.url("/api/users/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(me().await, 200);

    let out = f.admin(&["revoke-tokens", "rev@example.com", "--yes"]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(me().await, 401);
    let events = f.admin_json(&[
        "audit",
        "--user",
        "rev@example.com",
        "--event",
        "admin_action",
    ]);
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["details"]["action"] == "revoke_tokens"),
        "{events}"
    );
}
