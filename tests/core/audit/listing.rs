//! Listing events for the admin route and the CLI, and parsing `since`.

use mita::audit::{AuditEvent, AuditFilter, AuditRecord, EventType, Outcome, list, parse_since};
use mita::id::Id;

use super::{T0, fixture};

#[tokio::test]
async fn list_filters_by_type_user_and_since_newest_first_within_the_limit() {
    let f = fixture().await;
    let (alice, bob) = (Id::new(), Id::new());
    let steps = [
        (EventType::LoginSuccess, Some(alice)),
        (EventType::LoginFailure, Some(bob)),
        (EventType::LoginFailure, Some(alice)),
        (EventType::Logout, Some(alice)),
        (EventType::Lockout, None),
    ];
    for (event_type, user) in steps {
        f.log
            .record(AuditEvent::new(event_type, Outcome::Success).user(user));
        f.clock.advance_ms(1000);
    }
    // Two in the same millisecond: the later one is listed first.
    f.log
        .record(AuditEvent::new(EventType::Revoke, Outcome::Success).detail("n", 1));
    f.log
        .record(AuditEvent::new(EventType::Revoke, Outcome::Success).detail("n", 2));
    f.log.flush().await;

    let query = |event_type: Option<&str>, user_id: Option<Id>, since_ms: Option<i64>, limit| {
        let db = f.db.clone();
        let filter = AuditFilter {
            event_type: event_type.map(str::to_owned),
            user_id,
            since_ms,
            limit,
        };
        async move { list(&db, &filter).await.unwrap() }
    };
    let types = |records: &[AuditRecord]| -> Vec<String> {
        records.iter().map(|r| r.event_type.clone()).collect()
    };

    let everything = query(None, None, None, 100).await;
    assert_eq!(
        types(&everything),
        [
            "revoke",
            "revoke",
            "lockout",
            "logout",
            "login_failure",
            "login_failure",
            "login_success"
        ]
    );
    assert_eq!(everything[0].details["n"], 2);
    assert!(everything.windows(2).all(|w| w[0].time >= w[1].time));

    let failures = query(Some("login_failure"), None, None, 100).await;
    assert_eq!(
        failures.iter().map(|r| r.user_id).collect::<Vec<_>>(),
        [Some(alice), Some(bob)]
    );
    let of_alice = query(None, Some(alice), None, 100).await;
    assert_eq!(
        types(&of_alice),
        ["logout", "login_failure", "login_success"]
    );
    let alice_failures = query(Some("login_failure"), Some(alice), None, 100).await;
    assert_eq!(alice_failures.len(), 1);
    let recent = query(None, None, Some(T0 + 3000), 100).await;
    assert_eq!(types(&recent), ["revoke", "revoke", "lockout", "logout"]);
    let newest_two = query(None, None, None, 2).await;
    assert_eq!(
        newest_two
            .iter()
            .map(|r| &r.details["n"])
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(
        query(None, None, None, 0).await.len(),
        1,
        "limit is at least 1"
    );
    assert_eq!(query(None, None, None, 1_000_000).await.len(), 7);
    assert!(
        query(Some("no_such_type"), None, None, 100)
            .await
            .is_empty()
    );
    assert!(query(None, Some(Id::new()), None, 100).await.is_empty());
}

#[test]
fn since_accepts_look_backs_and_rfc3339_instants() {
    let now = T0;
    assert_eq!(parse_since("24h", now).unwrap(), now - 86_400_000);
    assert_eq!(parse_since("30m", now).unwrap(), now - 1_800_000);
    assert_eq!(parse_since("90s", now).unwrap(), now - 90_000);
    assert_eq!(parse_since("7d", now).unwrap(), now - 7 * 86_400_000);
    assert_eq!(parse_since("2w", now).unwrap(), now - 14 * 86_400_000);
    assert_eq!(parse_since("2026-03-01T12:00:00Z", 0).unwrap(), T0);
    assert_eq!(parse_since("2026-03-01T13:00:00+01:00", 0).unwrap(), T0);
    for bad in [
        "",
        "24",
        "h",
        "-5m",
        "5 m",
        "3y",
        "yesterday",
        "99999999999999999999d",
    ] {
        assert!(parse_since(bad, now).is_err(), "{bad:?} must be rejected");
    }
}
