//! Google sign-in against a fake token-info endpoint on loopback that speaks Google's protocol
//! (`GET /tokeninfo?id_token=...`, 200 with string-typed claims or 400 `invalid_token`), including
//! outages: 500s, an unreachable port, and an answer slower than the timeout.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use serde_json::json;

use mita::clock::Clock;
use mita::config::GoogleSettings;
use mita::google::{GoogleError, GoogleIdentity, GoogleVerifier};
use mita::metrics::{ExternalService, ExternalStatus, Metrics};
use mita::resilience::{BreakerConfig, BreakerState};
use mita::testing::fakes::{self, Control, Mode};

const CLIENT_ID: &str = "mita-test.apps.googleusercontent.com";
/// 2026-01-01T00:00:00Z, where the manual clock starts.
const START_SECS: i64 = 1_767_225_600;
const BREAKER: BreakerConfig = BreakerConfig {
    failure_threshold: 2,
    open_for_ms: 10_000,
    half_open_max_calls: 1,
};

fn claims(token: &str) -> Option<serde_json::Value> {
    let exp = (START_SECS + 3600).to_string();
    let mut c = json!({
        "iss": "https://accounts.google.com", "azp": CLIENT_ID, "aud": CLIENT_ID,
        "sub": "1234567890", "email": "Alice@Example.COM", "email_verified": "true",
        "iat": (START_SECS - 60).to_string(), "exp": exp, "name": "Alice Doe",
        "alg": "RS256", "typ": "JWT",
    });
    match token {
        "good" => {}
        "native" => {
            c["iss"] = json!("accounts.google.com");
            c["exp"] = json!(START_SECS + 3600);
            c["email_verified"] = json!(true);
            c.as_object_mut().unwrap().remove("name");
        }
        "other-aud" => c["aud"] = json!("someone-else.apps.googleusercontent.com"),
        "unverified" => c["email_verified"] = json!("false"),
        "expired" => c["exp"] = json!((START_SECS - 1).to_string()),
        "wrong-iss" => c["iss"] = json!("https://evil.example.com"),
        _ => return None,
    }
    Some(c)
}

async fn spawn_fake() -> (Arc<Control>, String) {
    let (url, control) = fakes::google_tokeninfo(claims).await;
    (control, url)
}

struct Harness {
    verifier: GoogleVerifier,
    clock: Clock,
    metrics: Arc<Metrics>,
}

impl Harness {
    fn new(url: &str, client_ids: &[&str]) -> Harness {
        let clock = Clock::manual(chrono::Utc.timestamp_opt(START_SECS, 0).unwrap());
        let metrics = Arc::new(Metrics::new().unwrap());
        let settings = GoogleSettings {
            client_ids: client_ids.iter().map(|s| s.to_string()).collect(),
            tokeninfo_url: url.to_string(),
            timeout_ms: 300,
        };
        let verifier = GoogleVerifier::new(&settings, clock.clone(), metrics.clone())
            .unwrap()
            .with_breaker(BREAKER);
        Harness {
            verifier,
            clock,
            metrics,
        }
    }

    async fn verify(&self, token: &str) -> Result<GoogleIdentity, GoogleError> {
        bounded(self.verifier.verify(token)).await
    }

    fn calls(&self, status: ExternalStatus) -> u64 {
        let requests = &self.metrics.external_api_requests_total;
        requests.get((ExternalService::GoogleOauth, status))
    }
}

/// Every call is bounded by the verifier's own timeout; this guard only keeps a bug from hanging CI.
async fn bounded<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_good_token_yields_the_identity_with_a_lower_cased_email() {
    let (fake, url) = spawn_fake().await;
    let h = Harness::new(&url, &["another-client", CLIENT_ID]);

    let identity = h.verify("good").await.unwrap();

    assert_eq!(
        identity,
        GoogleIdentity {
            sub: "1234567890".into(),
            email: "alice@example.com".into(),
            name: Some("Alice Doe".into()),
        }
    );
    assert_eq!(fake.calls(), 1);
    assert_eq!(h.calls(ExternalStatus::Ok), 1);
    let latency = h
        .metrics
        .external_api_duration_seconds
        .with(ExternalService::GoogleOauth);
    assert_eq!(latency.get_sample_count(), 1);
}

#[tokio::test]
async fn numbers_booleans_and_the_bare_issuer_are_accepted() {
    let (_, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);

    let identity = h.verify("native").await.unwrap();

    assert_eq!(identity.email, "alice@example.com");
    assert_eq!(identity.name, None);
}

#[tokio::test]
async fn claims_that_break_a_rule_are_invalid() {
    let (_, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);

    for (token, reason) in [
        ("other-aud", "audience mismatch"),
        ("unverified", "email not verified"),
        ("expired", "expired"),
        ("wrong-iss", "wrong issuer"),
    ] {
        assert_eq!(
            h.verify(token).await,
            Err(GoogleError::Invalid(reason)),
            "{token}"
        );
    }
    assert_eq!(h.verifier.breaker_state(), BreakerState::Closed);
}

#[tokio::test]
async fn expiry_is_judged_by_the_injected_clock() {
    let (_, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);

    h.clock.advance_ms(3_600_000);

    assert_eq!(h.verify("good").await, Err(GoogleError::Invalid("expired")));
}

#[tokio::test]
async fn a_token_google_rejects_is_invalid_and_leaves_the_breaker_closed() {
    let (fake, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);

    for _ in 0..5 {
        let result = h.verify("forged.token.value").await;
        assert_eq!(result, Err(GoogleError::Invalid("rejected by Google")));
    }

    assert_eq!(fake.calls(), 5, "every call reached Google");
    assert_eq!(h.verifier.breaker_state(), BreakerState::Closed);
}

#[tokio::test]
async fn malformed_tokens_and_a_missing_configuration_never_reach_google() {
    let (fake, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);
    let off = Harness::new(&url, &[]);

    assert_eq!(
        h.verify("").await,
        Err(GoogleError::Invalid("malformed token"))
    );
    assert_eq!(
        h.verify("a b&c").await,
        Err(GoogleError::Invalid("malformed token"))
    );
    assert_eq!(off.verify("good").await, Err(GoogleError::NotConfigured));
    assert_eq!(fake.calls(), 0);
}

#[tokio::test]
async fn server_errors_open_the_breaker_and_later_calls_fail_fast_without_reaching_google() {
    let (fake, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);
    fake.set(Mode::Failing);

    for _ in 0..BREAKER.failure_threshold {
        assert_eq!(h.verify("good").await, Err(GoogleError::Unavailable));
    }
    assert_eq!(h.verifier.breaker_state(), BreakerState::Open);
    fake.set(Mode::Healthy);
    assert_eq!(h.verify("good").await, Err(GoogleError::Unavailable));

    assert_eq!(fake.calls(), 2, "the third call never left the process");
    assert_eq!(h.verifier.retry_after_secs(), 10);
    assert_eq!(h.calls(ExternalStatus::Error), 2);
    assert_eq!(h.calls(ExternalStatus::CircuitOpen), 1);
    let state = &h.metrics.circuit_breaker_state;
    assert_eq!(state.get(ExternalService::GoogleOauth), 1);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_unavailable_and_opens_the_breaker() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // the listener is closed again here, so connections are refused
    let h = Harness::new(&format!("http://127.0.0.1:{port}/tokeninfo"), &[CLIENT_ID]);

    for _ in 0..BREAKER.failure_threshold {
        assert_eq!(h.verify("good").await, Err(GoogleError::Unavailable));
    }

    assert_eq!(h.verifier.breaker_state(), BreakerState::Open);
    assert_eq!(h.calls(ExternalStatus::Error), 2);
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_unavailable_and_opens_the_breaker() {
    let (fake, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);
    fake.set(Mode::Slow);

    for _ in 0..BREAKER.failure_threshold {
        assert_eq!(h.verify("good").await, Err(GoogleError::Unavailable));
    }
    assert_eq!(h.verify("good").await, Err(GoogleError::Unavailable));

    assert_eq!(h.verifier.breaker_state(), BreakerState::Open);
    assert_eq!(fake.calls(), 2);
    assert_eq!(h.calls(ExternalStatus::Timeout), 2);
    assert_eq!(h.calls(ExternalStatus::CircuitOpen), 1);
}

#[tokio::test]
async fn after_the_open_time_a_trial_against_a_healthy_google_closes_the_breaker() {
    let (fake, url) = spawn_fake().await;
    let h = Harness::new(&url, &[CLIENT_ID]);
    fake.set(Mode::Failing);
    for _ in 0..BREAKER.failure_threshold {
        assert_eq!(h.verify("good").await, Err(GoogleError::Unavailable));
    }
    fake.set(Mode::Healthy);

    h.clock.advance_ms(BREAKER.open_for_ms);
    assert_eq!(h.verifier.breaker_state(), BreakerState::HalfOpen);
    let identity = h.verify("good").await.unwrap();

    assert_eq!(identity.sub, "1234567890");
    assert_eq!(h.verifier.breaker_state(), BreakerState::Closed);
    assert_eq!(fake.calls(), 3);
}
