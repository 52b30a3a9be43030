//! The transaction list is read two ways: the typed read (`transactions::list`, sqlx) and the
//! JSON text the busiest route answers (`transactions::list_json`: rusqlite + serde on a SQLite
//! file, `json_agg` on PostgreSQL). A property test: for any rows and any filter, both give the
//! same objects in the same order (numbers compared by value: the app parses them).

use chrono::{DateTime, NaiveDate};
use mita::id::Id;
use mita::testing::TestDatabase;
use mita::transactions::{ListFilter, list, list_json::list_json};
use mita::{on_db, on_tx};
use proptest::prelude::*;
use serde_json::Value;

const CATEGORIES: [&str; 4] = ["food", "gas", "shopping", "entertainment"];
/// 2026-03-01T00:00:00Z; rows fall in the 10 days after it.
const START_MS: i64 = 1_772_323_200_000;

#[derive(Clone, Debug)]
struct TxRow {
    category: usize,
    cents: i64,
    /// Few distinct instants, so that ties (ordered by id) are common.
    spent_at: i64,
    description: Option<String>,
    tags: Vec<String>,
    confidence: Option<u8>,
    recurring: bool,
    deleted: bool,
}

fn row() -> impl Strategy<Value = TxRow> {
    (
        0..CATEGORIES.len(),
        prop_oneof![Just(1i64), Just(99), Just(100), 1..100_000_000_i64],
        (
            0..10i64,
            prop_oneof![Just(0i64), Just(999), 0..86_400_000i64],
        ),
        proptest::option::of("[a-zA-Z0-9 \"\\\\/éü€\u{1F600}\t]{0,12}"),
        proptest::collection::vec("[a-z\"\\\\]{1,6}", 0..3),
        proptest::option::of(0u8..=100),
        any::<bool>(),
        proptest::bool::weighted(0.15),
    )
        .prop_map(
            |(category, cents, (day, ms), description, tags, confidence, recurring, deleted)| {
                TxRow {
                    category,
                    cents,
                    spent_at: START_MS + day * 86_400_000 + ms,
                    description,
                    tags,
                    confidence,
                    recurring,
                    deleted,
                }
            },
        )
}

fn filter() -> impl Strategy<Value = ListFilter> {
    (
        0..4i64,
        prop_oneof![Just(1i64), 1..30i64, Just(1000)],
        proptest::option::of(0..10u32),
        proptest::option::of(0..10u32),
        proptest::option::of(0..CATEGORIES.len()),
    )
        .prop_map(|(skip, limit, start, end, category)| {
            let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, 1 + d).unwrap();
            ListFilter {
                skip,
                limit,
                start: start.map(day),
                end: end.map(day),
                category: category.map(|c| CATEGORIES[c].parse().unwrap()),
            }
        })
}

/// Numbers as f64 (their text may differ: `12.5` and `12.50`), everything else as is.
fn by_value(v: Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(by_value).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, by_value(v))).collect()),
        other => other,
    }
}

async fn insert(db: &mita::db::Db, user: Id, rows: &[TxRow]) {
    let mut tx = db.begin().await.unwrap();
    on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ($1, $2, 'x', 1, 1)")
            .bind(user).bind(format!("{user}@example.com")).execute(&mut *conn).await.unwrap();
        for r in rows {
            let day = DateTime::from_timestamp_millis(r.spent_at).unwrap().date_naive();
            let confidence = r.confidence.map(|c| f64::from(c) / 100.0);
            sqlx::query("INSERT INTO transactions (id, user_id, category, amount_cents, currency, description, tags, \
                is_recurring, confidence_score, spent_at, local_date, created_at, updated_at, deleted_at) \
                VALUES ($1, $2, $3, $4, 'USD', $5, $6, $7, $8, $9, $10, $11, $11, $12)")
                .bind(Id::new()).bind(user).bind(CATEGORIES[r.category]).bind(r.cents).bind(&r.description)
                .bind(sqlx::types::Json(&r.tags)).bind(r.recurring).bind(confidence)
                .bind(r.spent_at).bind(day).bind(r.spent_at + 7).bind(r.deleted.then_some(r.spent_at + 9))
                .execute(&mut *conn).await.unwrap();
        }
    });
    tx.commit().await.unwrap();
}

#[test]
fn the_json_list_and_the_typed_list_agree_for_any_rows_and_filter() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let test_db = rt.block_on(TestDatabase::create()).unwrap();
    let db = rt.block_on(test_db.migrated()).unwrap();
    let config = ProptestConfig {
        cases: 40,
        ..ProptestConfig::default()
    };
    proptest!(config, |(rows in proptest::collection::vec(row(), 0..14), f in filter())| {
        rt.block_on(async {
            let user = Id::new();
            insert(&db, user, &rows).await;
            let typed = serde_json::to_value(list(&db, user, &f).await.unwrap()).unwrap();
            let text: Value = serde_json::from_str(&list_json(&db, user, &f).await.unwrap()).unwrap();
            prop_assert_eq!(by_value(text), by_value(typed), "{:?}", f);
            Ok(())
        })?;
    });
    let users: i64 = rt
        .block_on(async {
            on_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)
        })
        .unwrap();
    assert!(users >= 40, "every case ran ({users} users)");
}
