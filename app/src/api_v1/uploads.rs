//! `POST /api/v1/uploads`: the page's streaming upload (same size, quota and content checks).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casia_domain::model::ApiScope;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{ApiCaller, ApiQuery};
use super::views::Upload;
use crate::server::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadName {
    /// The file's name (its extension must match its content).
    pub name: Option<String>,
}

/// Receives a file as the raw request body; attach it to a case by its `id`.
#[utoipa::path(
    post, path = "/api/v1/uploads", tag = "cases",
    params(UploadName),
    request_body(content = super::views::FileBytes, content_type = "application/octet-stream", description = "The file itself"),
    responses(
        (status = 201, body = Upload),
        (status = 422, description = "Empty, too large, or a kind of file not accepted", body = super::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Upload quota or uploads at once", body = super::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:write"]))
)]
pub async fn upload(
    State(state): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<UploadName>,
    body: Body,
) -> Result<Response, Response> {
    c.require(ApiScope::CasesWrite)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let name = q.name.unwrap_or_default();
    let f = casia_services::files::receive_upload(
        &state.services,
        c.caller(),
        &name,
        declared,
        body.into_data_stream(),
    )
    .await
    .map_err(|e| c.fail(e))?;
    let upload = Upload {
        id: f.token,
        file_name: f.file_name,
        size: f.size,
        media_type: f.media_type,
    };
    Ok((StatusCode::CREATED, axum::Json(upload)).into_response())
}
