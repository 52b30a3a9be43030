//! `mita config`, and the production secret rule at startup.

use crate::support::{mita, run, stderr, stdout};

#[test]
fn production_without_a_jwt_secret_refuses_to_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("p.db").display());
    let out = run(mita()
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url])
        .env("MITA_ENV", "production"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("JWT_SECRET must be set"),
        "{}",
        stderr(&out)
    );

    let short = run(mita()
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url])
        .env("MITA_ENV", "production")
        .env("JWT_SECRET", "short"));
    assert_eq!(short.status.code(), Some(1));
    assert!(stderr(&short).contains("at least 32 bytes"));
    assert!(!dir.path().join("p.db").exists(), "nothing was created");
}

#[test]
fn config_show_prints_effective_settings_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mita.toml");
    std::fs::write(&file, "[server]\nbind = \"0.0.0.0:9999\"\n").unwrap();
    let out = run(mita()
        .args(["config", "show", "--config", file.to_str().unwrap()])
        .env("JWT_SECRET", "a-very-secret-value-that-is-long-enough")
        .env("MITA_LOG__LEVEL", "debug"));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(shown.contains("0.0.0.0:9999"), "file value: {shown}");
    assert!(shown.contains("level = \"debug\""), "env value: {shown}");
    assert!(
        shown.contains("[redacted]") && !shown.contains("a-very-secret"),
        "{shown}"
    );
}

#[test]
fn config_example_is_a_commented_file() {
    let out = run(mita().args(["config", "example"]));
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("[database]") && text.contains("# "));
}

/// Issue 12 §3: a card number in what the CLI prints as an error is masked.
#[test]
fn card_numbers_in_error_output_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("c.db").display());
    let out = run(mita()
        .args([
            "serve",
            "--bind",
            "4111111111111111",
            "--database-url",
            &url,
        ])
        .env("MITA_DATA_DIR", dir.path()));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains("4111111111111111"), "{err}");
    assert!(err.contains("************1111"), "{err}");
}
