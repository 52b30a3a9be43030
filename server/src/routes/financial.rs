//! `/api/financial/*`: installment evaluations (enveloped list), income-relative thresholds and
//! housing ratios (both **bare**: the app's `DynamicThresholdService` reads the body's keys).

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use mita::error::Code;
use mita::financial::thresholds::{self, HousingInput, ThresholdsInput, UserContextInput};
use mita::financial::{self, Proposed};
use mita::input::Checker;
use mita::installments::context;
use mita::money::Money;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(evaluate))
        .routes(routes!(dynamic_thresholds))
        .routes(routes!(housing_affordability))
}

#[derive(Deserialize, IntoParams)]
pub struct EvaluateQuery {
    /// A proposed purchase price (with `months`); without it the caller's active installments
    /// are evaluated.
    #[param(value_type = Option<f64>)]
    price: Option<Money>,
    /// Number of monthly payments of the proposed purchase, 1–360.
    months: Option<i64>,
    /// Annual percent 0–100 (default 0).
    #[param(value_type = Option<f64>)]
    interest_rate: Option<Money>,
    /// Paid up front (at most the price).
    #[param(value_type = Option<f64>)]
    down_payment: Option<Money>,
    /// Overrides the known monthly income.
    #[param(value_type = Option<f64>)]
    monthly_income: Option<Money>,
}

/// Evaluate installments against the caller's plan and income: each active installment (against
/// the others), or the proposed purchase of the query. `data` is a list of `{installment_id,
/// item_name, monthly_payment, remaining_payments, remaining_balance, total_cost, total_interest,
/// payment_to_income_ratio, debt_to_income_ratio, remaining_monthly_funds, risk_level, risk_score,
/// can_afford, budget_impact_assessment, reason, recommendations[]}`.
#[utoipa::path(get, path = "/api/financial/installment-evaluate", tag = "financial", params(EvaluateQuery),
    responses((status = 200, description = "`data[]` evaluations"), (status = 422)), security(("bearer" = [])))]
async fn evaluate(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<EvaluateQuery>,
) -> ApiResult<impl IntoResponse> {
    let mut c = Checker::new();
    let max = mita::installments::MAX_TOTAL_CENTS;
    let income = q
        .monthly_income
        .and_then(|m| c.amount(m, "query.monthly_income", 0, max));
    let proposed = match (q.price, q.months) {
        (None, None) => None,
        (price, months) => {
            let price = match price {
                Some(p) => c.amount(p, "query.price", 1, max),
                None => {
                    c.fail(
                        "query.price",
                        "missing",
                        "field required with months",
                        Code::Validation2006,
                    );
                    None
                }
            };
            let months = match months {
                Some(m) => c.count(m, "query.months", 1, mita::installments::MAX_PAYMENTS),
                None => {
                    c.fail(
                        "query.months",
                        "missing",
                        "field required with price",
                        Code::Validation2003,
                    );
                    None
                }
            };
            let rate = q
                .interest_rate
                .map_or(Some(0), |r| c.rate(r, "query.interest_rate"));
            let down = q.down_payment.map_or(Some(0), |d| {
                c.amount(
                    d,
                    "query.down_payment",
                    0,
                    price.unwrap_or(max).saturating_sub(1),
                )
            });
            match (price, months, rate, down) {
                (Some(price), Some(months), Some(rate_bp), Some(down_payment)) => Some(Proposed {
                    price,
                    down_payment,
                    months: u32::try_from(months).unwrap_or(1),
                    rate_bp,
                }),
                _ => None,
            }
        }
    };
    c.finish(())?;
    let list = financial::evaluate(&state.db, user.id, proposed.as_ref(), income).await?;
    Ok(ok(list))
}

/// Income-relative thresholds of one type, answered bare (a map the app reads by key):
/// allocation shares, purchase sizes, grade boundaries, savings rates, goal limits or
/// overspending triggers, plus `threshold_type`, `income_tier`, `monthly_income`.
#[utoipa::path(post, path = "/api/financial/dynamic-thresholds", tag = "financial", request_body = ThresholdsInput,
    responses((status = 200, description = "bare map"), (status = 422)), security(("bearer" = [])))]
async fn dynamic_thresholds(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<ThresholdsInput>,
) -> ApiResult<impl IntoResponse> {
    let Some(kind) = input.threshold_type.as_deref().map(str::trim) else {
        return Err(mita::Error::invalid(
            Code::Validation2001,
            "body.threshold_type",
            "missing",
            "field required",
        )
        .into());
    };
    let known = context::load(&state.db, user.id).await?;
    let u = input.user_context.unwrap_or_default().check(&known)?;
    Ok(Json(thresholds::thresholds(kind, &u)?))
}

/// Housing ratios for the income (bare): `{recommended_housing_ratio, maximum_housing_ratio,
/// comfortable_housing_ratio, regional_adjustment_factor, income_tier, monthly_income,
/// recommended_monthly_housing, maximum_monthly_housing, comfortable_monthly_housing,
/// current_monthly_housing, current_housing_ratio}`.
#[utoipa::path(post, path = "/api/financial/housing-affordability", tag = "financial", request_body = HousingInput,
    responses((status = 200, description = "bare map"), (status = 422)), security(("bearer" = [])))]
async fn housing_affordability(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<HousingInput>,
) -> ApiResult<impl IntoResponse> {
    let known = context::load(&state.db, user.id).await?;
    let ctx: UserContextInput = input.user_context.unwrap_or_default();
    let u = ctx.check(&known)?;
    Ok(Json(thresholds::housing(&u, &known)))
}
