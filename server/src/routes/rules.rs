//! Categorisation rules (docs/rules.md): CRUD under `/api/rules`. Every `{id}` route answers 404
//! for another user's rule and leaves it unchanged.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::rules::{self, NewRule, RuleView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_rule, list_rules))
        .routes(routes!(get_rule, replace_rule, delete_rule))
        .routes(routes!(apply_rule))
}

/// A stored rule.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RuleDoc {
    id: String,
    name: String,
    /// Rules run in increasing position (creation order).
    position: i32,
    payee_contains: Option<String>,
    payee_matches: Option<String>,
    min_amount: Option<f64>,
    max_amount: Option<f64>,
    account: Option<String>,
    set_category: Option<String>,
    set_description: Option<String>,
    add_tag: Option<String>,
    created_at: String,
}

/// Make a rule; it runs after the existing ones.
#[utoipa::path(post, path = "/api/rules", tag = "rules", request_body = NewRule,
    responses((status = 201, body = RuleDoc), (status = 401), (status = 422, description = "A field named in the error; BUSINESS_4011 too many rules")),
    security(("bearer" = [])))]
async fn create_rule(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<NewRule>,
) -> ApiResult<impl IntoResponse> {
    let rule = rules::create(&state.db, &state.clock, user.id, &body).await?;
    Ok(created(rule).message("Rule created"))
}

/// The caller's rules in the order they run.
#[utoipa::path(get, path = "/api/rules", tag = "rules",
    responses((status = 200, body = Vec<RuleDoc>), (status = 401)),
    security(("bearer" = [])))]
async fn list_rules(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let rows = rules::list(&state.db, user.id).await?;
    Ok(ok(rows.into_iter().map(RuleView::from).collect::<Vec<_>>()))
}

/// One rule.
#[utoipa::path(get, path = "/api/rules/{id}", tag = "rules",
    params(("id" = String, Path, description = "The rule's id")),
    responses((status = 200, body = RuleDoc), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn get_rule(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(rules::get(&state.db, user.id, id).await?))
}

/// Replace a rule (same fields as a create; the position is kept).
#[utoipa::path(put, path = "/api/rules/{id}", tag = "rules", request_body = NewRule,
    params(("id" = String, Path, description = "The rule's id")),
    responses((status = 200, body = RuleDoc), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn replace_rule(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(body): ApiJson<NewRule>,
) -> ApiResult<impl IntoResponse> {
    Ok(
        ok(rules::replace(&state.db, &state.clock, user.id, id, &body).await?)
            .message("Rule updated"),
    )
}

#[derive(Serialize, ToSchema)]
pub struct RuleDeleted {
    deleted: bool,
    rule_id: String,
}

/// Delete a rule.
#[utoipa::path(delete, path = "/api/rules/{id}", tag = "rules",
    params(("id" = String, Path, description = "The rule's id")),
    responses((status = 200, body = RuleDeleted), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn delete_rule(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    rules::delete(&state.db, user.id, id).await?;
    Ok(ok(RuleDeleted {
        deleted: true,
        rule_id: id.to_string(),
    })
    .message("Rule deleted"))
}

/// What an apply asks for.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// False or absent: a preview, nothing written. True: apply the changes (one transaction).
    #[serde(default)]
    confirm: bool,
}

/// One change an apply makes (or would make).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ChangeDoc {
    transaction_id: String,
    date: String,
    amount: f64,
    payee: String,
    category: String,
    new_category: String,
    description: Option<String>,
    new_description: Option<String>,
    tags: Vec<String>,
    new_tags: Vec<String>,
}

/// The answer of an apply.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ApplyDoc {
    rule_id: String,
    /// False: a preview.
    applied: bool,
    /// Transactions looked at (the 10,000 most recent at most).
    scanned: i64,
    /// Transactions the rule's conditions hold for.
    matched: i64,
    changes: Vec<ChangeDoc>,
}

/// Re-apply a rule to past transactions: a preview of the changes, or with `confirm` the
/// changes written in one transaction and the plan re-accrued once per affected day and category.
#[utoipa::path(post, path = "/api/rules/{id}/apply", tag = "rules", request_body = ApplyRequest,
    params(("id" = String, Path, description = "The rule's id")),
    responses((status = 200, body = ApplyDoc), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn apply_rule(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ApplyRequest>,
) -> ApiResult<impl IntoResponse> {
    let report = mita::transactions::rules::apply_to_past(
        &state.db,
        &state.clock,
        &state.metrics,
        user.id,
        user.timezone,
        id,
        body.confirm,
    )
    .await?;
    let message = if report.applied {
        "Rule applied"
    } else {
        "Preview: nothing written"
    };
    Ok(ok(report).message(message))
}
