//! `/api/installments/calculator` and `/api/installments/profile`: is a new installment
//! affordable, and the financial profile the calculator reads. Answered **bare** (the app's
//! `InstallmentService` decodes the body itself).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use mita::installments::calculator;
use mita::installments::input::{CalculatorInput, ProfileInput};
use mita::installments::profile::{self, ProfileView};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::installments::ctx;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(calculate))
        .routes(routes!(get_profile, save_profile))
}

/// Judge a new installment against the caller's plan and income: risk level (green, yellow,
/// orange, red), score, monthly payment, share of income, the schedule and advice (bare
/// `InstallmentCalculatorOutput`). The calculation is recorded for the achievements.
#[utoipa::path(post, path = "/api/installments/calculator", tag = "installments", request_body = CalculatorInput,
    responses((status = 200, description = "bare `{risk_level, risk_score, verdict, affordable, monthly_payment, total_interest, \
    total_cost, first_payment_amount, payment_schedule[{payment_number, amount, principal, interest, remaining_balance}], \
    dti_ratio, payment_to_income_ratio, remaining_monthly_funds, balance_after_first_payment, risk_factors[{factor, severity, \
    message, stat}], personalized_message, alternative_recommendation, warnings[], tips[], statistics[], monthly_income, \
    income_source, monthly_obligations, plan_capacity, active_installments_count, active_installments_monthly}`"),
    (status = 422)), security(("bearer" = [])))]
async fn calculate(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<CalculatorInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        calculator::calculate(&ctx(&state, &user), &input).await?,
    ))
}

/// The profile (documentation mirror of `ProfileView`; answered bare).
#[derive(ToSchema)]
#[schema(as = FinancialProfileDoc)]
#[allow(dead_code)]
pub struct ProfileDoc {
    id: String,
    user_id: String,
    monthly_income: Option<f64>,
    current_balance: Option<f64>,
    /// 18-24, 25-34, 35-44, 45+.
    age_group: Option<String>,
    credit_card_debt: Option<f64>,
    credit_card_payment: Option<f64>,
    other_loans_payment: Option<f64>,
    rent_payment: Option<f64>,
    subscriptions_payment: Option<f64>,
    planning_mortgage: bool,
    total_monthly_obligations: f64,
    created_at: String,
    updated_at: String,
}

/// The caller's financial profile (404 until one is saved).
#[utoipa::path(get, path = "/api/installments/profile", tag = "installments",
    responses((status = 200, body = ProfileDoc, description = "bare"), (status = 404)), security(("bearer" = [])))]
async fn get_profile(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    match profile::get(&state.db, user.id).await? {
        Some(row) => Ok(Json(ProfileView::from(&row))),
        None => Err(ApiError::from(mita::Error::NotFound("Financial profile"))),
    }
}

/// Save the financial profile: replaced by what is sent (a null amount is unknown); 201 the
/// first time, 200 after.
#[utoipa::path(post, path = "/api/installments/profile", tag = "installments", request_body = ProfileInput,
    responses((status = 201, body = ProfileDoc, description = "bare"), (status = 200, body = ProfileDoc), (status = 422)),
    security(("bearer" = [])))]
async fn save_profile(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<impl IntoResponse> {
    let (row, created) = profile::save(&ctx(&state, &user), &input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ProfileView::from(&row))))
}
