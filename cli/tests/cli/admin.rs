//! `mita admin` end to end: the real binary against the same database as a running `mita serve`.

mod accounts;
mod privacy;
mod two_factor;

use std::io::Write as _;
use std::process::{Output, Stdio};

use mita::testing::TestDatabase;
use serde_json::{Value, json};

use crate::support::{Server, mita, run, stderr, stdout};

const PASSWORD: &str = "Sturdy-Passw0rd";
const WRONG: &str = "Wrong-Passw0rd";

/// A migrated database, and optionally a server on it.
struct Fixture {
    db: TestDatabase,
    server: Option<Server>,
}

impl Fixture {
    async fn new() -> Fixture {
        let db = TestDatabase::create().await.unwrap();
        let out = run(mita().args(["migrate", "--database-url", &db.url]));
        assert!(out.status.success(), "{}", stderr(&out));
        Fixture { db, server: None }
    }

    /// With `mita serve` running (rate limits off, so the lockout test is not throttled).
    async fn serving() -> Fixture {
        let mut f = Fixture::new().await;
        f.server = Some(Server::start(
            &f.db.url,
            &[],
            &[("MITA_RATE_LIMIT__ENABLED", "false")],
        ));
        f
    }

    /// Runs `mita admin ARGS --database-url URL` with stdin closed (not a terminal).
    fn admin(&self, args: &[&str]) -> Output {
        run(mita()
            .arg("admin")
            .args(args)
            .args(["--database-url", &self.db.url])
            .stdin(Stdio::null()))
    }

    /// `mita admin ARGS --json`, which must succeed; its stdout parsed.
    fn admin_json(&self, args: &[&str]) -> Value {
        let out = self.admin(&[args, &["--json"]].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
    }

    /// Creates an account through `mita admin create-user --password-file`.
    fn create_user(&self, email: &str) {
        let file = self.db.path().join(format!("{email}.password"));
        std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
        let out = self.admin(&[
            "create-user",
            "--email",
            email,
            "--password-file",
            file.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    fn url(&self, path: &str) -> String {
        self.server.as_ref().expect("a running server").url(path)
    }

    async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Registers through the API and locks the account with five wrong passwords.
    async fn locked_account(&self, email: &str) {
        let resp = reqwest::Client::new()
            .post(self.url("/api/auth/register"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        for _ in 0..5 {
            assert_eq!(self.login(email, WRONG).await.status(), 401);
        }
        assert_eq!(self.login(email, PASSWORD).await.status(), 401, "locked");
        assert_eq!(self.state(email)["locked"], true);
    }

    /// `mita admin user show EMAIL --json`.
    fn state(&self, email: &str) -> Value {
        self.admin_json(&["user", "show", email])
    }
}

#[tokio::test]
async fn unlock_with_yes_while_the_server_runs_makes_the_correct_password_work_again() {
    let f = Fixture::serving().await;
    f.locked_account("ulla@example.com").await;

    let out = f.admin(&["unlock", "ulla@example.com", "--yes"]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Unlocked ulla@example.com"));
    assert_eq!(f.login("ulla@example.com", PASSWORD).await.status(), 200);
    let state = f.state("ulla@example.com");
    assert_eq!(state["locked"], false);
    assert_eq!(state["failed_login_attempts"], 0);
}

#[tokio::test]
async fn unlock_without_yes_and_without_a_terminal_refuses_and_nothing_changes() {
    let f = Fixture::serving().await;
    f.locked_account("tom@example.com").await;

    let out = f.admin(&["unlock", "tom@example.com"]);

    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let state = f.state("tom@example.com");
    assert_eq!(state["locked"], true);
    assert_eq!(state["failed_login_attempts"], 5);
    assert_eq!(f.login("tom@example.com", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn unlock_of_an_unknown_email_exits_3() {
    let f = Fixture::new().await;

    let out = f.admin(&["unlock", "nobody@example.com", "--yes"]);

    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("nobody@example.com"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn unlock_of_an_account_that_is_not_locked_exits_4_and_says_so_in_json() {
    let f = Fixture::new().await;
    f.create_user("free@example.com");

    let plain = f.admin(&["unlock", "free@example.com", "--yes"]);
    let json = f.admin(&["unlock", "free@example.com", "--yes", "--json"]);

    assert_eq!(plain.status.code(), Some(4), "{}", stderr(&plain));
    assert!(stdout(&plain).contains("not locked"));
    assert_eq!(json.status.code(), Some(4));
    let body: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(body["result"], "not_locked");
}

#[tokio::test]
async fn unlock_dry_run_reports_what_it_would_do_and_changes_nothing() {
    let f = Fixture::serving().await;
    f.locked_account("dry@example.com").await;

    let body = f.admin_json(&["unlock", "dry@example.com", "--dry-run"]);

    assert_eq!(body["result"], "would_unlock");
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["account"]["locked"], true);
    assert_eq!(body["account"]["failed_login_attempts"], 5);
    assert_eq!(f.state("dry@example.com")["locked"], true);
    assert_eq!(f.login("dry@example.com", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn locked_json_lists_a_locked_account_until_it_is_unlocked() {
    let f = Fixture::serving().await;
    f.locked_account("lia@example.com").await;
    f.create_user("other@example.com");

    let listed = f.admin_json(&["locked"]);
    let emails: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["lia@example.com"]);
    assert!(listed[0]["locked_until"].as_str().unwrap().ends_with('Z'));

    assert!(
        f.admin(&["unlock", "lia@example.com", "-y"])
            .status
            .success()
    );
    assert_eq!(f.admin_json(&["locked"]), json!([]));
}

#[tokio::test]
async fn audit_json_lists_the_unlock_with_its_reason_and_the_cli_operator() {
    let f = Fixture::serving().await;
    f.locked_account("rea@example.com").await;
    let reason = "ticket 4711, caller verified";
    let out = f.admin(&["unlock", "rea@example.com", "--yes", "--reason", reason]);
    assert!(out.status.success(), "{}", stderr(&out));

    let events = f.admin_json(&[
        "audit",
        "--user",
        "rea@example.com",
        "--event",
        "unlock",
        "--since",
        "1h",
    ]);

    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let unlock = &events[0];
    assert_eq!(unlock["details"]["reason"], reason);
    assert!(
        unlock["actor"].as_str().unwrap().starts_with("cli:"),
        "{unlock}"
    );
    let user_id = f.state("rea@example.com")["id"].clone();
    assert_eq!(unlock["user_id"], user_id);
    // The server's own events about the account are in the same trail.
    let lockouts = f.admin_json(&["audit", "--user", "rea@example.com", "--event", "lockout"]);
    assert_eq!(lockouts.as_array().unwrap().len(), 1);
    let table = f.admin(&["audit", "--limit", "5"]);
    assert!(
        stdout(&table).contains("reason=ticket 4711"),
        "{}",
        stdout(&table)
    );
}

#[tokio::test]
async fn audit_for_an_unknown_user_exits_3_and_a_bad_since_is_a_usage_error() {
    let f = Fixture::new().await;

    assert_eq!(
        f.admin(&["audit", "--user", "ghost@example.com"])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(
        f.admin(&["audit", "--since", "yesterday"]).status.code(),
        Some(2)
    );
}

/// Writes `text` to the child's stdin and waits for it.
fn with_stdin(cmd: &mut std::process::Command, text: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
