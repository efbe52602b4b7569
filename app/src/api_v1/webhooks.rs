//! `/api/v1/webhooks`: the authorisation's receivers of its cases' milestones.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casia_domain::model::{ApiScope, NoticeKind};
use casia_services::webhooks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{ApiCaller, ApiJson};
use super::views::{Delivery, Webhook};
use crate::server::AppState;

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewWebhook {
    /// `https://…` on a public address.
    pub url: String,
    /// Milestones to send: `case_opened`, `information_requested`,
    /// `reclassification_requested`, `cancelled_automatically`, `cancellation_approved`,
    /// `cancellation_rejected`, `resolved`, `answer_reminder`.
    #[schema(value_type = Vec<String>)]
    pub events: Vec<NoticeKind>,
}

/// The authorisation's webhooks.
#[utoipa::path(
    get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<Webhook>)),
    security(("bearer" = ["webhooks"]))
)]
pub async fn list(State(state): State<AppState>, c: ApiCaller) -> Result<Response, Response> {
    c.require(ApiScope::Webhooks)?;
    let hooks = webhooks::list(&state.services.db, c.caller())
        .await
        .map_err(|e| c.fail(e))?;
    let list: Vec<Webhook> = hooks.into_iter().map(|w| Webhook::of(w, false)).collect();
    Ok(axum::Json(list).into_response())
}

/// Adds a webhook. Each delivery is a POST of the event's JSON with `X-Casia-Event`,
/// `X-Casia-Delivery` and `X-Casia-Signature: sha256=<hex HMAC-SHA256 of the body, keyed
/// with the secret>`; the secret is in this answer only.
#[utoipa::path(
    post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = NewWebhook,
    responses(
        (status = 201, body = Webhook),
        (status = 422, description = "Not https, a private address, or no events", body = super::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks"]))
)]
pub async fn create(
    State(state): State<AppState>,
    c: ApiCaller,
    ApiJson(input): ApiJson<NewWebhook>,
) -> Result<Response, Response> {
    c.require(ApiScope::Webhooks)?;
    let s = &state.services;
    let w = webhooks::create(
        &s.db,
        &s.config.api.webhooks,
        c.caller(),
        &input.url,
        &input.events,
    )
    .await
    .map_err(|e| c.fail(e))?;
    Ok((StatusCode::CREATED, axum::Json(Webhook::of(w, true))).into_response())
}

/// Removes a webhook with its pending deliveries and its log.
#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::problem::Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]))
)]
pub async fn delete(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let id = c.scoped_id(ApiScope::Webhooks, &id)?;
    webhooks::delete(&state.services.db, c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The webhook's delivery log, newest first (the last 100).
#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Delivery>), (status = 404, body = super::problem::Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let id = c.scoped_id(ApiScope::Webhooks, &id)?;
    let log = webhooks::deliveries(&state.services.db, c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let list: Vec<Delivery> = log.into_iter().map(Delivery::from).collect();
    Ok(axum::Json(list).into_response())
}
