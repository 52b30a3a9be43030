//! `/api/onboarding/*`: the questions and the submitted answers (→ budget plan + this month's
//! daily plan).

use axum::extract::State;
use axum::response::IntoResponse;
use mita::onboarding::{self, Submission};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(questions))
        .routes(routes!(submit))
}

/// The questions (documentation mirror of the core `Question`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct QuestionDoc {
    id: String,
    /// income, fixed_expenses, spending_habits, goals, profile.
    section: String,
    /// Dotted path of the answer in the submit body.
    field: String,
    /// money, count, text, timezone.
    #[schema(rename = "type")]
    kind: String,
    label: String,
    required: bool,
    min: Option<u32>,
    max: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionsAnswer {
    #[schema(value_type = Vec<QuestionDoc>)]
    questions: Vec<onboarding::Question>,
}

/// The onboarding questions the app shows.
#[utoipa::path(get, path = "/api/onboarding/questions", tag = "onboarding",
    responses((status = 200, body = QuestionsAnswer), (status = 401)), security(("bearer" = [])))]
async fn questions(Authed(_user): Authed) -> ApiResult<impl IntoResponse> {
    // 0 queries (beyond authentication).
    Ok(ok(QuestionsAnswer {
        questions: onboarding::questions(),
    }))
}

/// Submit the onboarding answers: stores them, sets the income and savings goal, and builds
/// this month's daily plan. A second submit answers `already_onboarded` and changes nothing.
#[utoipa::path(post, path = "/api/onboarding/submit", tag = "onboarding", request_body = Submission,
    responses((status = 200, description = "`data{status: success, calendar_days, budget_plan}` or `data{status: already_onboarded}`"),
              (status = 401), (status = 422, description = "Invalid answers, or BUSINESS_4001 fixed expenses above income")),
    security(("bearer" = [])))]
async fn submit(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<Submission>,
) -> ApiResult<impl IntoResponse> {
    // 5 statements + one upsert per plan row of the month (bounded by days × categories).
    let answer = onboarding::submit(
        &state.db,
        user.id,
        body,
        state.clock.now_ms(),
        &state.metrics,
    )
    .await?;
    let message = if answer.status == "success" {
        "Onboarding completed successfully"
    } else {
        "Already onboarded"
    };
    Ok(ok(answer).message(message))
}
