//! `/api/v1/notices`: the inbox (`Buzón`) of the token's authorisation, read marks per user.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casia_domain::model::ApiScope;
use casia_services::notices::{self, INBOX_PAGE_MAX};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::{ApiCaller, ApiQuery};
use super::views::{Notice, NoticePage};
use crate::server::AppState;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// `next_before` of the previous page.
    pub before: Option<i64>,
    /// Notices per page (1–100, default 50).
    pub limit: Option<u64>,
}

/// The inbox, newest first.
#[utoipa::path(
    get, path = "/api/v1/notices", tag = "notices",
    params(NoticeQuery),
    responses((status = 200, body = NoticePage)),
    security(("bearer" = ["notices:read"]))
)]
pub async fn inbox(
    State(state): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> Result<Response, Response> {
    c.require(ApiScope::NoticesRead)?;
    let limit = q.limit.unwrap_or(50).clamp(1, INBOX_PAGE_MAX);
    let rows = notices::inbox(&state.services.db, c.caller(), c.lang(), q.before, limit)
        .await
        .map_err(|e| c.fail(e))?;
    let next_before = (rows.len() as u64 == limit)
        .then(|| rows.last().map(|n| n.id))
        .flatten();
    let page = NoticePage {
        items: rows.into_iter().map(Notice::from).collect(),
        next_before,
    };
    Ok(axum::Json(page).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    /// Notices newly marked read.
    pub marked: u64,
}

/// Marks one notice read by the token's user.
#[utoipa::path(
    post, path = "/api/v1/notices/{id}/read", tag = "notices",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::problem::Problem, content_type = "application/problem+json")),
    security(("bearer" = ["notices:read"]))
)]
pub async fn mark_read(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let id = c.scoped_id(ApiScope::NoticesRead, &id)?;
    notices::mark_read(&state.services.db, c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Marks every notice of the inbox read by the token's user.
#[utoipa::path(
    post, path = "/api/v1/notices/read", tag = "notices",
    responses((status = 200, body = Marked)),
    security(("bearer" = ["notices:read"]))
)]
pub async fn mark_all_read(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, Response> {
    c.require(ApiScope::NoticesRead)?;
    let marked = notices::mark_all_read(&state.services.db, c.caller())
        .await
        .map_err(|e| c.fail(e))?;
    Ok(axum::Json(Marked { marked }).into_response())
}
