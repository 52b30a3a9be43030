//! Premium status and subscriptions (docs/premium.md). Premium comes from the account (an
//! administrator's grant, `users.is_premium`) or from a subscription row, and a subscription row
//! is only ever created or extended by a receipt the store itself confirmed
//! ([`StoreClient::verify`]): the app can end a subscription, never start one.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::{Clock, rfc3339};
use crate::config::{IapSettings, Secret};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::{ExternalService, ExternalStatus, Metrics};
use crate::resilience::{BreakerConfig, CircuitBreaker};
use crate::{on_db, on_tx};

/// The service label of the store calls in the external-API and breaker metrics.
pub const SERVICE: ExternalService = ExternalService::Iap;
/// The features a premium account has (the names the app knows).
pub const FEATURES: [&str; 8] = [
    "advanced_ocr",
    "batch_receipt_processing",
    "premium_insights",
    "enhanced_analytics",
    "unlimited_transactions",
    "priority_support",
    "custom_categories",
    "export_data",
];
/// Longest receipt accepted, in characters.
pub const MAX_RECEIPT_CHARS: usize = 65_536;
/// Rows of the subscription history answered.
pub const HISTORY_LIMIT: i64 = 100;

/// What the store confirmed about a purchase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub product_id: String,
    /// Apple's original transaction id, Google's order id (without its renewal suffix).
    pub store_id: String,
    pub expires_at: i64,
    pub auto_renew: bool,
    pub trial_period: bool,
    /// active, expired, cancelled or refunded.
    pub status: &'static str,
}

/// Talks to Apple's `verifyReceipt` and Google's `purchases.subscriptionsv2.get`, behind a
/// timeout and a circuit breaker. Credentials never appear in logs or errors.
pub struct StoreClient {
    client: reqwest::Client,
    apple: Option<(Url, Option<Secret>)>,
    google: Option<(Url, String, Option<Secret>)>,
    allowed: Vec<String>,
    clock: Clock,
    metrics: Arc<Metrics>,
    breaker: CircuitBreaker,
}

impl fmt::Debug for StoreClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreClient")
            .field("apple", &self.apple.as_ref().map(|a| a.0.as_str()))
            .field("google", &self.google.as_ref().map(|g| g.0.as_str()))
            .finish()
    }
}

#[derive(Deserialize)]
struct AppleAnswer {
    status: i64,
    #[serde(default)]
    latest_receipt_info: Vec<AppleItem>,
    #[serde(default)]
    pending_renewal_info: Vec<AppleRenewal>,
}

#[derive(Deserialize)]
struct AppleItem {
    product_id: String,
    original_transaction_id: String,
    expires_date_ms: Option<String>,
    #[serde(default)]
    is_trial_period: Option<String>,
    #[serde(default)]
    cancellation_date_ms: Option<String>,
}

#[derive(Deserialize)]
struct AppleRenewal {
    original_transaction_id: Option<String>,
    auto_renew_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleAnswer {
    subscription_state: Option<String>,
    latest_order_id: Option<String>,
    #[serde(default)]
    line_items: Vec<GoogleItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleItem {
    product_id: String,
    expiry_time: Option<String>,
    auto_renewing_plan: Option<GoogleAutoRenew>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleAutoRenew {
    auto_renew_enabled: Option<bool>,
}

fn refused(message: &str) -> Error {
    Error::invalid(Code::Validation2020, "body.receipt", "store", message)
}

fn parse_url(text: &str, key: &str) -> Result<Url> {
    Url::parse(text.trim()).map_err(|e| Error::Config(format!("iap.{key}: {e}")))
}

fn configured(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl StoreClient {
    /// A client for `settings` (a platform without a URL is answered 503).
    pub fn from_settings(s: &IapSettings, clock: Clock, metrics: Arc<Metrics>) -> Result<Self> {
        let timeout = Duration::from_millis(s.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("iap http client: {e}")))?;
        let apple = configured(&s.apple_verify_url)
            .map(|u| parse_url(u, "apple_verify_url").map(|u| (u, s.apple_shared_secret.clone())))
            .transpose()?;
        let google = match (configured(&s.google_api_url), configured(&s.google_package)) {
            (Some(u), Some(p)) => Some((
                parse_url(u, "google_api_url")?,
                p.to_string(),
                s.google_access_token.clone(),
            )),
            _ => None,
        };
        let config = BreakerConfig {
            failure_threshold: s.breaker_threshold.max(1),
            open_for_ms: i64::try_from(s.breaker_open_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX),
            half_open_max_calls: 1,
        };
        Ok(StoreClient {
            client,
            apple,
            google,
            allowed: s.allowed_products.clone(),
            breaker: CircuitBreaker::new(SERVICE, config, clock.clone(), Some(metrics.clone())),
            clock,
            metrics,
        })
    }

    fn count(&self, status: ExternalStatus) {
        self.metrics
            .external_api_requests_total
            .inc((SERVICE, status));
    }

    fn allowed(&self, product: &str) -> bool {
        self.allowed.iter().any(|p| p == product)
    }

    /// Asks the store about `receipt`: the purchase it confirms, a 422 on `body.receipt` when
    /// the store refuses it (or it is for no allowed product), a 503 when the platform is not
    /// configured, the breaker is open or the store fails.
    pub async fn verify(&self, platform: &str, receipt: &str) -> Result<Verified> {
        let unconfigured = || Error::Unavailable {
            reason: format!("in-app purchase validation is not configured for {platform}"),
            retry_after_secs: 0,
        };
        let request = match platform {
            "ios" => {
                let (url, secret) = self.apple.as_ref().ok_or_else(unconfigured)?;
                let mut body = json!({"receipt-data": receipt, "exclude-old-transactions": true});
                if let Some(s) = secret {
                    body["password"] = Value::String(s.expose().to_string());
                }
                self.client.post(url.clone()).json(&body)
            }
            _ => {
                let (base, package, token) = self.google.as_ref().ok_or_else(unconfigured)?;
                let mut url = base.clone();
                url.path_segments_mut()
                    .map_err(|_| Error::Config("iap.google_api_url cannot be a base".into()))?
                    .pop_if_empty()
                    .extend([
                        "androidpublisher",
                        "v3",
                        "applications",
                        package,
                        "purchases",
                        "subscriptionsv2",
                        "tokens",
                        receipt,
                    ]);
                let mut r = self.client.get(url);
                if let Some(t) = token {
                    r = r.bearer_auth(t.expose());
                }
                r
            }
        };
        let Ok(permit) = self.breaker.try_acquire() else {
            self.count(ExternalStatus::CircuitOpen);
            return Err(Error::External {
                message: "the store is unavailable".into(),
                retry_after_secs: 30,
            });
        };
        let started = Instant::now();
        let answer = async {
            let response = request.send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        }
        .await;
        self.metrics
            .external_api_duration_seconds
            .observe(SERVICE, started.elapsed().as_secs_f64());
        let failed = |label: &str| Error::External {
            message: format!("the store did not answer ({label})"),
            retry_after_secs: 30,
        };
        let (status, bytes) = match answer {
            Ok(a) => a,
            Err(e) => {
                permit.failure();
                let label = ExternalStatus::failed(e.is_timeout());
                self.count(label);
                tracing::warn!(service = SERVICE.as_str(), error = %e.without_url(), "store call failed");
                return Err(failed(label.as_str()));
            }
        };
        let now = self.clock.now_ms();
        if platform == "ios" {
            if status != StatusCode::OK {
                permit.failure();
                self.count(ExternalStatus::Error);
                return Err(failed("status"));
            }
            let Ok(a) = serde_json::from_slice::<AppleAnswer>(&bytes) else {
                permit.failure();
                self.count(ExternalStatus::Error);
                return Err(failed("unreadable"));
            };
            permit.success();
            self.count(ExternalStatus::Ok);
            return self.apple_verdict(&a, now);
        }
        match status {
            StatusCode::OK => {}
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND | StatusCode::GONE => {
                permit.success();
                self.count(ExternalStatus::Ok);
                return Err(refused("The store does not know this purchase."));
            }
            _ => {
                permit.failure();
                self.count(ExternalStatus::Error);
                return Err(failed("status"));
            }
        }
        let Ok(g) = serde_json::from_slice::<GoogleAnswer>(&bytes) else {
            permit.failure();
            self.count(ExternalStatus::Error);
            return Err(failed("unreadable"));
        };
        permit.success();
        self.count(ExternalStatus::Ok);
        self.google_verdict(&g, now)
    }

    fn apple_verdict(&self, a: &AppleAnswer, now: i64) -> Result<Verified> {
        if a.status != 0 {
            return Err(refused(&format!(
                "The store refused the receipt (status {}).",
                a.status
            )));
        }
        let ms = |s: &Option<String>| s.as_deref().and_then(|v| v.parse::<i64>().ok());
        let best = a
            .latest_receipt_info
            .iter()
            .filter(|i| self.allowed(&i.product_id))
            .filter_map(|i| ms(&i.expires_date_ms).map(|e| (e, i)))
            .max_by_key(|(e, _)| *e);
        let Some((expires, item)) = best else {
            return Err(refused("The receipt holds no subscription of this app."));
        };
        let auto_renew = a.pending_renewal_info.iter().any(|r| {
            r.original_transaction_id.as_deref() == Some(item.original_transaction_id.as_str())
                && r.auto_renew_status.as_deref() == Some("1")
        });
        let status = if item.cancellation_date_ms.is_some() {
            "refunded"
        } else if expires <= now {
            "expired"
        } else {
            "active"
        };
        Ok(Verified {
            product_id: item.product_id.clone(),
            store_id: item.original_transaction_id.clone(),
            expires_at: expires,
            auto_renew,
            trial_period: item.is_trial_period.as_deref() == Some("true"),
            status,
        })
    }

    fn google_verdict(&self, g: &GoogleAnswer, now: i64) -> Result<Verified> {
        let item = g
            .line_items
            .iter()
            .find(|i| self.allowed(&i.product_id))
            .ok_or_else(|| refused("The purchase is not a subscription of this app."))?;
        let expires = item
            .expiry_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| refused("The store gave no expiry time."))?;
        let order = g
            .latest_order_id
            .as_deref()
            .map(|o| o.split("..").next().unwrap_or(o).to_string())
            .filter(|o| !o.is_empty())
            .ok_or_else(|| refused("The store gave no order id."))?;
        let state = g.subscription_state.as_deref().unwrap_or("");
        let status = match state {
            _ if expires <= now => "expired",
            "SUBSCRIPTION_STATE_ACTIVE" | "SUBSCRIPTION_STATE_IN_GRACE_PERIOD" => "active",
            "SUBSCRIPTION_STATE_CANCELED" => "cancelled",
            _ => "expired",
        };
        Ok(Verified {
            product_id: item.product_id.clone(),
            store_id: order,
            expires_at: expires,
            auto_renew: item
                .auto_renewing_plan
                .as_ref()
                .and_then(|p| p.auto_renew_enabled)
                .unwrap_or(false),
            trial_period: false,
            status,
        })
    }
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow, Clone, Debug)]
struct SubRow {
    id: Id,
    user_id: Id,
    platform: String,
    product_id: String,
    status: String,
    auto_renew: bool,
    trial_period: bool,
    expires_at: i64,
}

const SUB_COLUMNS: &str =
    "id, user_id, platform, product_id, status, auto_renew, trial_period, expires_at";

/// A subscription as the app's `SubscriptionInfo.fromJson` reads it.
#[derive(Clone, Debug, Serialize)]
pub struct SubscriptionView {
    pub subscription_id: Id,
    pub product_id: String,
    /// active, expired (also an active row past its expiry), cancelled, refunded.
    pub status: String,
    pub expires_at: String,
    pub auto_renew: bool,
    pub trial_period: bool,
    pub platform: String,
    pub grace_period_expires_at: Option<String>,
    pub billing_retry_until: Option<String>,
    pub metadata: Value,
}

fn view(r: &SubRow, now: i64) -> SubscriptionView {
    SubscriptionView {
        subscription_id: r.id,
        product_id: r.product_id.clone(),
        status: if r.status == "active" && r.expires_at <= now {
            "expired".to_string()
        } else {
            r.status.clone()
        },
        expires_at: rfc3339(r.expires_at),
        auto_renew: r.auto_renew,
        trial_period: r.trial_period,
        platform: r.platform.clone(),
        grace_period_expires_at: None,
        billing_retry_until: None,
        metadata: json!({}),
    }
}

/// `GET /api/users/{id}/premium-status`.
#[derive(Clone, Debug, Serialize)]
pub struct PremiumStatus {
    pub user_id: Id,
    pub is_premium: bool,
    /// account (an administrator's grant), subscription, or null.
    pub premium_source: Option<&'static str>,
    /// The subscription with the latest expiry (null without any).
    pub subscription: Option<SubscriptionView>,
    pub expires_at: Option<String>,
    pub features: Vec<&'static str>,
}

/// The caller's premium status (2 queries).
pub async fn status(db: &Db, user: Id, now: i64) -> Result<PremiumStatus> {
    let u = crate::users::by_id(db, user)
        .await?
        .ok_or(Error::NotFound("User"))?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SUB_COLUMNS} FROM subscriptions WHERE user_id = $1 ORDER BY expires_at DESC, id LIMIT 1"
    ));
    let row: Option<SubRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_optional(pool).await)?;
    let sub = row.as_ref().map(|r| view(r, now));
    let by_sub = sub.as_ref().is_some_and(|s| s.status == "active");
    let is_premium = u.is_premium || u.role == "premium_user" || by_sub;
    Ok(PremiumStatus {
        user_id: user,
        is_premium,
        premium_source: if u.is_premium || u.role == "premium_user" {
            Some("account")
        } else if by_sub {
            Some("subscription")
        } else {
            None
        },
        expires_at: sub
            .as_ref()
            .filter(|_| by_sub)
            .map(|s| s.expires_at.clone()),
        subscription: sub,
        features: if is_premium {
            FEATURES.to_vec()
        } else {
            Vec::new()
        },
    })
}

/// One row of `GET /api/users/{id}/subscription-history`.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct HistoryRow {
    pub id: Id,
    pub subscription_id: Id,
    /// validated, status_changed.
    pub event: String,
    pub status: String,
    /// store, app.
    pub source: String,
    pub product_id: String,
    pub platform: String,
    #[serde(skip)]
    pub expires_ms: i64,
    #[serde(skip)]
    pub created_ms: i64,
}

/// A history row with its instants as RFC 3339.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryItem {
    #[serde(flatten)]
    pub row: HistoryRow,
    pub expires_at: String,
    pub created_at: String,
}

/// The caller's subscription events, newest first, at most [`HISTORY_LIMIT`] (1 query).
pub async fn history(db: &Db, user: Id) -> Result<Vec<HistoryItem>> {
    let rows: Vec<HistoryRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT e.id, e.subscription_id, e.event, e.status, e.source, s.product_id, s.platform, \
         e.expires_at AS expires_ms, e.created_at AS created_ms FROM subscription_events e \
         JOIN subscriptions s ON s.id = e.subscription_id WHERE e.user_id = $1 \
         ORDER BY e.created_at DESC, e.id DESC LIMIT $2")
        .bind(user).bind(HISTORY_LIMIT).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|row| HistoryItem {
            expires_at: rfc3339(row.expires_ms),
            created_at: rfc3339(row.created_ms),
            row,
        })
        .collect())
}

/// `POST /api/iap/validate {user_id, receipt, platform}`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidateInput {
    /// The caller's id (another → 404).
    pub user_id: Option<String>,
    /// Apple: the base64 receipt; Google: the purchase token.
    pub receipt: Option<String>,
    /// ios or android.
    pub platform: Option<String>,
}

/// The caller must be the user named (another id → 404, as for a path id).
pub fn check_user(user: Id, named: Option<&str>) -> Result<()> {
    match named {
        Some(n) if n.parse::<Id>().ok() != Some(user) => Err(Error::NotFound("User")),
        _ => Ok(()),
    }
}

/// Validates a receipt with the store and records what it confirmed; a purchase already
/// recorded for another account is a 409 and nothing changes.
pub async fn validate(
    db: &Db,
    store: &StoreClient,
    user: Id,
    input: &ValidateInput,
    now: i64,
) -> Result<PremiumStatus> {
    check_user(user, input.user_id.as_deref())?;
    let platform = match input.platform.as_deref().map(str::trim) {
        Some(p @ ("ios" | "android")) => p,
        _ => {
            return Err(Error::invalid(
                Code::Validation2003,
                "body.platform",
                "enum",
                "must be ios or android",
            ));
        }
    };
    let receipt = input.receipt.as_deref().map(str::trim).unwrap_or("");
    if receipt.is_empty() || receipt.chars().count() > MAX_RECEIPT_CHARS {
        return Err(Error::invalid(
            Code::Validation2003,
            "body.receipt",
            "length",
            "must be 1 to 65536 characters",
        ));
    }
    let v = store.verify(platform, receipt).await?;
    let mut tx = db.begin().await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SUB_COLUMNS} FROM subscriptions WHERE platform = $1 AND store_id = $2"
    ));
    let existing: Option<SubRow> = on_tx!(&mut tx, conn => sqlx::query_as(sql)
        .bind(platform).bind(&v.store_id).fetch_optional(&mut *conn).await)?;
    let id = match existing {
        Some(r) if r.user_id != user => {
            return Err(Error::Conflict {
                code: Code::Resource4009,
                message: "This purchase belongs to another account.".into(),
            });
        }
        Some(r) => {
            on_tx!(&mut tx, conn => sqlx::query(
                "UPDATE subscriptions SET product_id = $2, status = $3, auto_renew = $4, trial_period = $5, \
                 expires_at = $6, updated_at = $7 WHERE id = $1")
                .bind(r.id).bind(&v.product_id).bind(v.status).bind(v.auto_renew).bind(v.trial_period)
                .bind(v.expires_at).bind(now).execute(&mut *conn).await.map(|_| ()))?;
            r.id
        }
        None => {
            let id = Id::new();
            on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO subscriptions (id, user_id, platform, product_id, store_id, status, auto_renew, \
                 trial_period, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)")
                .bind(id).bind(user).bind(platform).bind(&v.product_id).bind(&v.store_id).bind(v.status)
                .bind(v.auto_renew).bind(v.trial_period).bind(v.expires_at).bind(now).execute(&mut *conn).await.map(|_| ()))?;
            id
        }
    };
    event(
        &mut tx,
        user,
        id,
        "validated",
        v.status,
        "store",
        v.expires_at,
        now,
    )
    .await?;
    tx.commit().await?;
    status(db, user, now).await
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut crate::db::Tx,
    user: Id,
    sub: Id,
    event: &str,
    status: &str,
    source: &str,
    expires: i64,
    now: i64,
) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO subscription_events (id, user_id, subscription_id, event, status, source, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(Id::new()).bind(user).bind(sub).bind(event).bind(status).bind(source).bind(expires).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// `PUT /api/subscriptions/{id}/status {user_id, status, expires_at, metadata, updated_by}`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusInput {
    /// The caller's id (another → 404).
    pub user_id: Option<String>,
    /// cancelled or expired; anything else is 422.
    pub status: Option<String>,
}

/// The app ends one of the caller's subscriptions (`cancelled` or `expired`; another user's or
/// an unknown id → 404). Any other status is 422: only a store receipt starts premium. The
/// app's `expires_at` and `metadata` are not stored (the store's dates stand).
pub async fn set_status(
    db: &Db,
    user: Id,
    sub: Id,
    input: &StatusInput,
    now: i64,
) -> Result<SubscriptionView> {
    check_user(user, input.user_id.as_deref())?;
    let new = match input.status.as_deref().map(str::trim) {
        Some(s @ ("cancelled" | "expired")) => s,
        _ => {
            return Err(Error::invalid(
                Code::Validation2003,
                "body.status",
                "enum",
                "must be cancelled or expired (only a store receipt starts a subscription)",
            ));
        }
    };
    let mut tx = db.begin().await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SUB_COLUMNS} FROM subscriptions WHERE id = $1 AND user_id = $2"
    ));
    let row: Option<SubRow> = on_tx!(&mut tx, conn => sqlx::query_as(sql)
        .bind(sub).bind(user).fetch_optional(&mut *conn).await)?;
    let mut row = row.ok_or(Error::NotFound("Subscription"))?;
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE subscriptions SET status = $2, auto_renew = $3, updated_at = $4 WHERE id = $1")
        .bind(sub).bind(new).bind(false).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    event(
        &mut tx,
        user,
        sub,
        "status_changed",
        new,
        "app",
        row.expires_at,
        now,
    )
    .await?;
    tx.commit().await?;
    row.status = new.to_string();
    row.auto_renew = false;
    Ok(view(&row, now))
}
