//! Audit log tests: storage of every field, sanitising and redaction here; the writer's fallback
//! file, queue and shutdown in `audit/writer.rs`; listing in `audit/listing.rs`. Run on SQLite, or
//! PostgreSQL with MITA_TEST_DATABASE_URL.

mod listing;
mod writer;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use mita::audit::{
    AuditEvent, AuditFilter, AuditLog, AuditOptions, AuditRecord, AuditStats, EventType, Outcome,
    REDACTED, list,
};
use mita::clock::Clock;
use mita::db::Db;
use mita::id::Id;
use mita::on_db;
use mita::testing::TestDatabase;
use serde_json::{Value, json};

/// 2026-03-01T12:00:00Z
const T0: i64 = 1_772_366_400_000;

struct Fixture {
    test_db: TestDatabase,
    db: Db,
    clock: Clock,
    log: AuditLog,
}

async fn fixture_with(options: AuditOptions) -> Fixture {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let clock = Clock::manual(Utc.timestamp_millis_opt(T0).unwrap());
    let log = AuditLog::start_with(db.clone(), clock.clone(), fallback_path(&test_db), options);
    Fixture {
        test_db,
        db,
        clock,
        log,
    }
}

async fn fixture() -> Fixture {
    fixture_with(AuditOptions::default()).await
}

fn fallback_path(test_db: &TestDatabase) -> PathBuf {
    test_db
        .path()
        .join("state")
        .join("audit")
        .join("fallback.jsonl")
}

/// Every line of the fallback file, parsed (an empty list when there is no file).
fn fallback_lines(path: &Path) -> Vec<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn stored_count(db: &Db) -> i64 {
    on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(pool).await)
        .unwrap()
}

async fn all(db: &Db) -> Vec<AuditRecord> {
    let filter = AuditFilter {
        limit: 1000,
        ..AuditFilter::default()
    };
    list(db, &filter).await.unwrap()
}

fn assert_no_control_chars(value: &Value) {
    match value {
        Value::String(s) => assert!(
            !s.chars().any(char::is_control),
            "control character left in {s:?}"
        ),
        Value::Array(items) => items.iter().for_each(assert_no_control_chars),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            assert!(
                !k.chars().any(char::is_control),
                "control character in key {k:?}"
            );
            assert_no_control_chars(v);
        }),
        _ => {}
    }
}

#[tokio::test]
async fn recorded_events_are_stored_with_every_field_after_flush() {
    let f = fixture().await;
    let user = Id::new();

    f.log.record(
        AuditEvent::new(EventType::LoginFailure, Outcome::Failure)
            .user(user)
            .client_ip("203.0.113.9")
            .user_agent("Mozilla/5.0 (X11)")
            .request_id("req-42")
            .detail("reason", "bad_password")
            .detail("attempts", 3),
    );
    f.log.flush().await;

    let records = all(&f.db).await;
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.time, "2026-03-01T12:00:00.000Z");
    assert_eq!(r.event_type, "login_failure");
    assert_eq!(r.outcome, "failure");
    assert_eq!(r.user_id, Some(user));
    assert_eq!(r.actor, "api");
    assert_eq!(r.client_ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (X11)"));
    assert_eq!(r.request_id.as_deref(), Some("req-42"));
    assert_eq!(r.details, json!({"reason": "bad_password", "attempts": 3}));
    let created_at: i64 =
        on_db!(&f.db, pool => sqlx::query_scalar("SELECT created_at FROM audit_events")
        .fetch_one(pool).await)
        .unwrap();
    assert_eq!(created_at, T0);
    assert_eq!(
        f.log.stats(),
        AuditStats {
            stored: 1,
            fallback: 0,
            lost: 0
        }
    );
}

#[tokio::test]
async fn every_event_type_is_stored_under_its_snake_case_name() {
    let f = fixture().await;
    let outcomes = [Outcome::Success, Outcome::Failure, Outcome::Denied];

    for (i, event_type) in EventType::ALL.into_iter().enumerate() {
        f.log
            .record(AuditEvent::new(event_type, outcomes[i % 3]).actor(mita::audit::ACTOR_SYSTEM));
    }
    f.log.flush().await;

    let stored: HashSet<String> = all(&f.db).await.into_iter().map(|r| r.event_type).collect();
    let expected: HashSet<String> = EventType::ALL.iter().map(|t| t.to_string()).collect();
    assert_eq!(stored, expected);
    assert!(expected.contains("refresh_reuse_detected") && expected.contains("login_locked"));
    for t in EventType::ALL {
        assert_eq!(t.as_str().parse::<EventType>().unwrap(), t);
        assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
    }
    assert!("login".parse::<EventType>().is_err());
}

#[tokio::test]
async fn line_breaks_and_control_characters_are_neutralised_in_every_field() {
    let f = fixture().await;

    f.log.record(
        AuditEvent::new(EventType::Register, Outcome::Success)
            .actor("cli:bob\r\nforged")
            .client_ip("198.51.100.1\n")
            .user_agent(format!("evil\r\nX-Forged: 1\u{1b}[2J{}", "A".repeat(2000)))
            .request_id("r\n1\u{0}")
            .detail("note", "line1\nline2\u{2028}")
            .detail("bad\nkey", 1)
            .detail("nested", json!({"list": ["x\ry", {"deeper": "\u{7}bell"}]})),
    );
    f.log.flush().await;

    let r = &all(&f.db).await[0];
    let as_json = serde_json::to_value(r).unwrap();
    assert_no_control_chars(&as_json);
    assert!(!as_json.to_string().contains('\u{2028}'));
    assert!(r.actor.starts_with("cli:bob") && r.actor.ends_with("forged"));
    let user_agent = r.user_agent.as_deref().unwrap();
    assert!(user_agent.starts_with("evil\u{fffd}\u{fffd}X-Forged: 1"));
    assert!(user_agent.chars().count() <= 512, "user agent is capped");
    assert_eq!(r.details["nested"]["list"][0], "x\u{fffd}y");
    assert!(r.details.get("bad\u{fffd}key").is_some());
}

#[tokio::test]
async fn credential_like_detail_keys_are_redacted_at_any_depth() {
    let f = fixture().await;

    f.log.record(
        AuditEvent::new(EventType::PasswordResetComplete, Outcome::Success)
            .detail("password", "hunter2")
            .detail("newPassword", "correct horse")
            .detail("refresh_token", "eyJhbGciOi.abc.def")
            .detail(
                "reset",
                json!({"Reset_Token": "rst-123", "client_secret": ["s3cr3t"]}),
            )
            .detail("source", "email_link"),
    );
    f.log.flush().await;

    let r = &all(&f.db).await[0];
    assert_eq!(r.details["password"], REDACTED);
    assert_eq!(r.details["newPassword"], REDACTED);
    assert_eq!(r.details["refresh_token"], REDACTED);
    assert_eq!(r.details["reset"]["Reset_Token"], REDACTED);
    assert_eq!(r.details["reset"]["client_secret"], REDACTED);
    assert_eq!(r.details["source"], "email_link");
    let text = serde_json::to_string(r).unwrap();
    for secret in [
        "hunter2",
        "correct horse",
        "eyJhbGciOi",
        "rst-123",
        "s3cr3t",
    ] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
}

/// Issue 12 §3: events older than the retention are removed, the purge is counted in metrics
/// and recorded itself; younger events stay.
#[tokio::test]
async fn events_past_the_retention_are_purged_counted_and_the_purge_is_audited() {
    let f = fixture().await;
    for _ in 0..3 {
        f.log
            .record(AuditEvent::new(EventType::LoginFailure, Outcome::Failure));
    }
    f.log.flush().await;
    f.clock.advance_ms(200 * 86_400_000);
    f.log
        .record(AuditEvent::new(EventType::LoginSuccess, Outcome::Success));
    f.log.flush().await;
    let metrics = mita::metrics::Metrics::new().unwrap();
    // 366 days after the first three, 166 after the last one.
    f.clock.advance_ms(166 * 86_400_000);
    let purged = mita::audit::purge_expired(&f.db, &f.log, &metrics, 365, f.clock.now_ms())
        .await
        .unwrap();
    assert_eq!(purged, 3);
    assert_eq!(metrics.audit_events_purged_total.get(), 3);
    f.log.flush().await;
    let left = list(
        &f.db,
        &AuditFilter {
            event_type: None,
            user_id: None,
            since_ms: None,
            limit: 100,
        },
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = left.iter().map(|r| r.event_type.as_str()).collect();
    assert!(kinds.contains(&"login_success"), "{kinds:?}");
    assert!(!kinds.contains(&"login_failure"), "{kinds:?}");
    let purge = left.iter().find(|r| r.event_type == "audit_purge").unwrap();
    assert_eq!(purge.details["purged"], 3);
    assert_eq!(purge.details["retention_days"], 365);
    // Retention 0 keeps everything.
    assert_eq!(
        mita::audit::purge_expired(
            &f.db,
            &f.log,
            &metrics,
            0,
            f.clock.now_ms() + 10 * 365 * 86_400_000
        )
        .await
        .unwrap(),
        0
    );
}
