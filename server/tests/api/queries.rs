//! Bounded queries: a list or summary endpoint runs the same number of SQL statements whether
//! the user has 5 transactions or 200 (no per-row queries).
//!
//! sqlx emits one `tracing` event per executed statement (target `sqlx::query`, DEBUG; WARN
//! when slow), and so do the rusqlite readers of the hottest SQLite reads (`mita::db::sqlite`). A global subscriber counts those events per request: each request to a test
//! server carries an `x-count-key` header, a middleware runs the handler inside a
//! `query_count{key}` span, and the counting layer attributes each statement to the key of its
//! enclosing span. It is global, not thread-local, because SQLite runs statements on its own
//! worker threads (sqlx re-enters the caller's span there); the span keeps counts of tests
//! running in parallel apart.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{Datelike, Days, Utc};
use mita::budget::TxCategory;
use mita::id::Id;
use tracing::Instrument;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id as SpanId};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use crate::onboarding::onboard;
use crate::support::{TestApp, spawn_app};

const SPAN: &str = "query_count";

/// The statements (their summaries) counted per request key.
fn counts() -> &'static Mutex<HashMap<String, Vec<String>>> {
    static COUNTS: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();
    COUNTS.get_or_init(Default::default)
}

struct Key(String);

/// Reads one string field (`key` of our span, `summary` of sqlx's event).
struct FieldVisitor(&'static str, Option<String>);

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == self.0 {
            self.1 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == self.0 {
            self.1 = Some(format!("{value:?}"));
        }
    }
}

struct CountStatements;

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CountStatements {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &SpanId, ctx: Context<'_, S>) {
        let mut visitor = FieldVisitor("key", None);
        attrs.record(&mut visitor);
        if let (Some(span), Some(key)) = (ctx.span(id), visitor.1.filter(|k| !k.is_empty())) {
            span.extensions_mut().insert(Key(key));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut summary = FieldVisitor("summary", None);
        event.record(&mut summary);
        let summary = summary.1.unwrap_or_default();
        // A new SQLite connection runs its setup PRAGMAs inside whichever request opened it.
        if summary
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("PRAGMA")
        {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        for span in scope {
            if let Some(Key(key)) = span.extensions().get::<Key>() {
                counts()
                    .lock()
                    .unwrap()
                    .entry(key.clone())
                    .or_default()
                    .push(summary);
                return;
            }
        }
    }
}

/// Every event of the `mita` crates, as text: the secrets test reads it (hardening::secrets).
fn captured() -> &'static Mutex<Vec<u8>> {
    static CAPTURED: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    CAPTURED.get_or_init(Default::default)
}

/// What the `mita` crates have logged in this test binary so far.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&captured().lock().unwrap()).into_owned()
}

struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        captured().lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The binary's one global subscriber: the statement counter, and a capture of every event of
/// the `mita` crates (a global one, because a thread-local default misses events of callsites
/// that other tests' threads registered first).
pub fn install_counter() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let layer = CountStatements.with_filter(filter_fn(|m| {
            m.target().starts_with("sqlx::query")
                || m.target() == mita::db::blocking::TRACE_TARGET
                || m.name() == SPAN
        }));
        let capture = tracing_subscriber::fmt::layer()
            .with_writer(|| Capture)
            .with_ansi(false)
            .with_filter(filter_fn(|m| m.target().starts_with("mita")));
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(layer).with(capture),
        )
        .expect("no other global tracing subscriber in the test binary");
    });
}

async fn tag(req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("x-count-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    next.run(req)
        .instrument(tracing::info_span!(SPAN, key = %key))
        .await
}

/// A second listener over the app's state whose requests run inside the counting span.
async fn counted_server(app: &TestApp) -> String {
    let router =
        mita_server::app::router(app.state.clone(), true).layer(axum::middleware::from_fn(tag));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    );
    tokio::spawn(async move { server.await });
    base
}

/// `n` transactions over this month's days up to today, applied to the plan.
async fn seed(app: &TestApp, user: Id, n: usize) {
    let today = Utc::now().date_naive();
    let categories = [
        TxCategory::Food,
        TxCategory::Dining,
        TxCategory::Gas,
        TxCategory::Shopping,
        TxCategory::Entertainment,
        TxCategory::Other,
    ];
    let now = Utc::now().timestamp_millis();
    let mut tx = app.db.begin().await.unwrap();
    let mut touched = std::collections::BTreeSet::new();
    for i in 0..n {
        let date = today
            .checked_sub_days(Days::new((i % today.day() as usize) as u64))
            .unwrap();
        let category = categories[i % categories.len()];
        let spent_at = mita::time::day_start_ms(date, mita::time::tz("UTC")) + i as i64 * 1000;
        mita::on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO transactions (id, user_id, category, amount_cents, spent_at, local_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
            .bind(Id::new()).bind(user).bind(category.as_str()).bind(100 + i as i64).bind(spent_at).bind(date).bind(now)
            .execute(&mut *conn).await.map(|_| ())).unwrap();
        touched.insert((date, category.plan()));
    }
    for (date, category) in &touched {
        mita::budget::store::accrue(&mut tx, user, *date, *category, now)
            .await
            .unwrap();
    }
    let days: Vec<_> = touched.iter().map(|(d, _)| *d).collect();
    mita::budget::store::update_day_statuses(&mut tx, user, &days, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn statements(app: &TestApp, base: &str, path: &str, token: &str, key: &str) -> Vec<String> {
    let resp = app
        .client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .header("x-count-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    let _ = resp.bytes().await.unwrap();
    counts()
        .lock()
        .unwrap()
        .get(key)
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "current_thread")]
async fn list_endpoints_run_a_fixed_number_of_queries_whatever_the_rows() {
    install_counter();
    let app = spawn_app().await;
    let base = counted_server(&app).await;
    let (few, _, few_id) = app.user("few@example.com").await;
    let (many, _, many_id) = app.user("many@example.com").await;
    onboard(&app, &few).await;
    onboard(&app, &many).await;
    seed(&app, few_id.parse().unwrap(), 5).await;
    seed(&app, many_id.parse().unwrap(), 200).await;

    let paths = [
        "/api/dashboard",
        "/api/dashboard/quick-stats",
        "/api/calendar/current-month",
        "/api/budget/daily",
        "/api/budget/spent",
        "/api/budget/remaining",
        "/api/budget/live_status",
        "/api/budget/forecast",
        "/api/budget/redistribution_history",
        "/api/analytics/monthly",
        "/api/analytics/trend",
        "/api/transactions?limit=1000",
        "/api/behavior/analysis",
        "/api/behavior/patterns",
        "/api/behavior/warnings",
        "/api/behavior/anomalies?days=90",
        "/api/behavior/progress?months=12",
        "/api/behavior/predictions",
        "/api/behavior/recommendations",
        "/api/behavior/cluster",
        "/api/behavior/category/food",
        "/api/analytics/seasonal-patterns",
        "/api/analytics/behavioral-insights",
        "/api/ai/budget-optimization",
        "/api/ai/savings-optimization",
        "/api/ai/spending-prediction",
        "/api/ai/personalized-feedback",
        "/api/ai/profile",
        "/api/ai/goal-analysis",
        "/api/cohort/income_classification",
        "/api/cohort/peer_comparison",
        "/api/cohort/insights",
        "/api/insights/income_based_tips",
    ];
    for (i, path) in paths.iter().enumerate() {
        // Warm-up (authentication caches, pool connections) outside the counted requests.
        statements(&app, &base, path, &few, "").await;
        statements(&app, &base, path, &many, "").await;
        let with_few = statements(&app, &base, path, &few, &format!("few-{i}")).await;
        let with_many = statements(&app, &base, path, &many, &format!("many-{i}")).await;
        assert!(
            !with_few.is_empty(),
            "statements of {path} were not counted"
        );
        if path.starts_with("/api/transactions") {
            // The token check and the list itself: both must be seen to be counted.
            assert!(with_few.len() >= 2, "{path}: {with_few:#?}");
        }
        assert_eq!(
            with_few.len(),
            with_many.len(),
            "{path}: with 5 rows {with_few:#?}, with 200 {with_many:#?}"
        );
    }
}

/// `n` installments due from today (a payment made on every other one) and one calculation.
async fn seed_installments(app: &TestApp, token: &str, n: usize) {
    let today = Utc::now().date_naive();
    for i in 0..n {
        let body = serde_json::json!({"item_name": format!("Item {i}"), "category": "electronics", "total_amount": 60,
            "payment_amount": 10, "total_payments": 6, "payment_frequency": if i % 2 == 0 { "monthly" } else { "biweekly" },
            "first_payment_date": today.to_string()});
        let resp = app
            .authed(reqwest::Method::POST, "/api/installments", token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        if i % 2 == 0 {
            let resp = app
                .authed(
                    reqwest::Method::PATCH,
                    &format!("/api/installments/{id}"),
                    token,
                )
                .json(&serde_json::json!({"payments_made": 1}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        }
    }
    let calc = serde_json::json!({"purchase_amount": 100, "category": "other", "num_payments": 4});
    let resp = app
        .authed(reqwest::Method::POST, "/api/installments/calculator", token)
        .json(&calc)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test(flavor = "current_thread")]
async fn installment_endpoints_run_a_fixed_number_of_queries_whatever_the_rows() {
    install_counter();
    let app = spawn_app().await;
    let base = counted_server(&app).await;
    let (few, _, _) = app.user("few-installments@example.com").await;
    let (many, _, _) = app.user("many-installments@example.com").await;
    onboard(&app, &few).await;
    onboard(&app, &many).await;
    seed_installments(&app, &few, 1).await;
    seed_installments(&app, &many, 20).await;
    let today = Utc::now().date_naive();
    let calendar = format!(
        "/api/installments/calendar/{}/{}",
        today.year(),
        today.month()
    );
    let paths = [
        "/api/installments",
        "/api/installments?status=overdue",
        calendar.as_str(),
        "/api/installments/achievements",
        "/api/financial/installment-evaluate",
    ];
    for (i, path) in paths.iter().enumerate() {
        statements(&app, &base, path, &few, "").await;
        statements(&app, &base, path, &many, "").await;
        let with_few = statements(&app, &base, path, &few, &format!("inst-few-{i}")).await;
        let with_many = statements(&app, &base, path, &many, &format!("inst-many-{i}")).await;
        assert!(
            !with_few.is_empty(),
            "statements of {path} were not counted"
        );
        assert_eq!(
            with_few.len(),
            with_many.len(),
            "{path}: with 1 installment {with_few:#?}, with 20 {with_many:#?}"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn mood_challenge_and_budget_advice_endpoints_run_a_fixed_number_of_queries() {
    install_counter();
    let app = spawn_app().await;
    let base = counted_server(&app).await;
    let (few, _, few_id) = app.user("few-advice@example.com").await;
    let (many, _, many_id) = app.user("many-advice@example.com").await;
    onboard(&app, &few).await;
    onboard(&app, &many).await;
    seed(&app, few_id.parse().unwrap(), 5).await;
    seed(&app, many_id.parse().unwrap(), 200).await;
    // One running challenge against all of them (each kind of rule), moods on a few days.
    let join = |token: String, id: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .authed(
                    reqwest::Method::POST,
                    &format!("/api/challenge/{id}/join"),
                    &token,
                )
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 201);
        }
    };
    join(few.clone(), "plan_streak_21").await;
    for id in [
        "three_no_spend_days",
        "ten_no_spend_days",
        "dining_cap_week",
        "shopping_cap_month",
        "plan_streak_21",
    ] {
        join(many.clone(), id).await;
    }
    let today = Utc::now().date_naive();
    for back in 0..20_u64 {
        let day = today.checked_sub_days(Days::new(back)).unwrap();
        let resp = app
            .authed(reqwest::Method::POST, "/api/mood", &many)
            .json(&serde_json::json!({"mood": 3, "date": day.to_string()}))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
    }
    let paths = [
        "/api/mood",
        "/api/challenge/active",
        "/api/challenge/available",
        "/api/challenge/stats",
        "/api/challenge/leaderboard",
        "/api/challenge/plan_streak_21/progress",
        "/api/budget/suggestions",
        "/api/budget/adaptations",
        "/api/budget/automation_settings",
    ];
    for (i, path) in paths.iter().enumerate() {
        statements(&app, &base, path, &few, "").await;
        statements(&app, &base, path, &many, "").await;
        let with_few = statements(&app, &base, path, &few, &format!("adv-few-{i}")).await;
        let with_many = statements(&app, &base, path, &many, &format!("adv-many-{i}")).await;
        assert!(
            !with_few.is_empty(),
            "statements of {path} were not counted"
        );
        assert_eq!(
            with_few.len(),
            with_many.len(),
            "{path}: few rows {with_few:#?}, many {with_many:#?}"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn premium_reads_run_a_fixed_number_of_queries_whatever_the_purchases() {
    install_counter();
    let app = crate::premium::spawn_with_store().await;
    let base = counted_server(&app).await;
    let (few, _, few_id) = app.user("few-premium@example.com").await;
    let (many, _, many_id) = app.user("many-premium@example.com").await;
    // One store-confirmed purchase for one user, six (each its own original transaction, so
    // six subscriptions and their events) for the other.
    let buy = |token: String, receipt: String| {
        let app = &app;
        async move {
            let resp = app
                .authed(reqwest::Method::POST, "/api/iap/validate", &token)
                .json(&serde_json::json!({"receipt": receipt, "platform": "ios"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        }
    };
    buy(few.clone(), "good-apple-few".into()).await;
    for i in 0..6 {
        buy(many.clone(), format!("good-apple-many-{i}")).await;
    }
    for kind in ["premium-status", "premium-features", "subscription-history"] {
        let few_path = format!("/api/users/{few_id}/{kind}");
        let many_path = format!("/api/users/{many_id}/{kind}");
        statements(&app, &base, &few_path, &few, "").await;
        statements(&app, &base, &many_path, &many, "").await;
        let with_few = statements(&app, &base, &few_path, &few, &format!("prem-few-{kind}")).await;
        let with_many =
            statements(&app, &base, &many_path, &many, &format!("prem-many-{kind}")).await;
        assert!(
            !with_few.is_empty(),
            "statements of {kind} were not counted"
        );
        assert_eq!(
            with_few.len(),
            with_many.len(),
            "{kind}: one purchase {with_few:#?}, six {with_many:#?}"
        );
    }
    // The history really holds six purchases' worth of events for the second user.
    let history: serde_json::Value = app
        .authed(
            reqwest::Method::GET,
            &format!("/api/users/{many_id}/subscription-history"),
            &many,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = history["data"]
        .as_array()
        .or_else(|| history.as_array())
        .map_or(0, Vec::len);
    assert!(items >= 6, "{history:#}");
}
