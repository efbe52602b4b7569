//! Reading cases: the search (Opción 2), one case, its history, its receipts and their PDFs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use casia_domain::dto::SearchForm;
use casia_domain::model::ApiScope;
use casia_services::cases::query;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiResult, case_view, json, scoped_number};
use crate::api_v1::auth::{ApiCaller, ApiQuery};
use crate::api_v1::problem::{ApiError, Problem};
use crate::api_v1::views::{Case, CasePage, History, HistoryEntry, Receipt};
use crate::server::AppState;

/// Opción 2's filters: `state` is required; `from` and `to` (dates) within one calendar month.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// `abierto`, `cerrado` or `todos`.
    #[param(required = true)]
    pub state: String,
    /// First day (`YYYY-MM-DD`).
    #[param(required = true)]
    pub from: String,
    /// Last day (`YYYY-MM-DD`), in the same month as `from`.
    #[param(required = true)]
    pub to: String,
    pub substate: Option<String>,
    pub case_type: Option<String>,
    pub subject_id: Option<i64>,
    /// A user id of the authorisation.
    pub opened_by: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Cases per page (1–50, default 50).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u64>,
}

/// Searches the authorisation's cases (Opción 2), newest first, with the total.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "cases",
    params(CaseFilter),
    responses(
        (status = 200, description = "A page and the total", body = CasePage),
        (status = 422, description = "A filter is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:read"]))
)]
pub async fn search_cases(
    State(state): State<AppState>,
    c: ApiCaller,
    ApiQuery(f): ApiQuery<CaseFilter>,
) -> ApiResult {
    c.require(ApiScope::CasesRead)?;
    let db = &state.services.db;
    let form = SearchForm {
        state: f.state,
        from: f.from,
        to: f.to,
        substate: f.substate,
        case_type: f.case_type,
        subject_id: f.subject_id,
        opened_by: f.opened_by,
    };
    let limit = f.limit.unwrap_or(query::PAGE_SIZE);
    let (rows, next) = query::page(db, c.caller(), &form, f.cursor.as_deref(), limit)
        .await
        .map_err(|e| c.fail(e))?;
    let total = query::count(db, c.caller(), &form)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(json(
        StatusCode::OK,
        &CasePage {
            items: rows.iter().map(Case::from).collect(),
            total,
            next_cursor: next,
        },
    ))
}

/// A case of the token's authorisation.
#[utoipa::path(
    get, path = "/api/v1/cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "`2026-0000001`")),
    responses(
        (status = 200, body = Case),
        (status = 404, description = "No such case in this authorisation", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:read"]))
)]
pub async fn get_case(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(number): Path<String>,
) -> ApiResult {
    let n = scoped_number(&c, ApiScope::CasesRead, &number)?;
    Ok(json(
        StatusCode::OK,
        &case_view(&state.services, &c, n).await?,
    ))
}

/// `Consulta Histórico`, oldest first.
#[utoipa::path(
    get, path = "/api/v1/cases/{number}/history", tag = "cases",
    params(("number" = String, Path, description = "`2026-0000001`")),
    responses((status = 200, body = History), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["cases:read"]))
)]
pub async fn case_history(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(number): Path<String>,
) -> ApiResult {
    let n = scoped_number(&c, ApiScope::CasesRead, &number)?;
    let h = query::history_for_user(&state.services.db, c.caller(), n)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(json(
        StatusCode::OK,
        &History {
            number: h.number_display,
            entries: h.rows.into_iter().map(HistoryEntry::from).collect(),
            capped: h.capped,
        },
    ))
}

/// The case's receipts, oldest first.
#[utoipa::path(
    get, path = "/api/v1/cases/{number}/receipts", tag = "cases",
    params(("number" = String, Path, description = "`2026-0000001`")),
    responses((status = 200, body = Vec<Receipt>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["cases:read"]))
)]
pub async fn case_receipts(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(number): Path<String>,
) -> ApiResult {
    let n = scoped_number(&c, ApiScope::CasesRead, &number)?;
    let s = &state.services;
    let rows = query::receipts_for_user(&s.db, c.caller(), n)
        .await
        .map_err(|e| c.fail(e))?;
    let list: Vec<Receipt> = rows.iter().map(Receipt::from).collect();
    Ok(json(StatusCode::OK, &list))
}

/// A receipt's PDF.
#[utoipa::path(
    get, path = "/api/v1/receipts/{id}", tag = "cases",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = crate::api_v1::views::FileBytes),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:read"]))
)]
pub async fn receipt_pdf(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult {
    let id = c.scoped_id(ApiScope::CasesRead, &id)?;
    let (r, name) = query::receipt_download(&state.services.db, c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    crate::api::stream_file(&state, &r.storage_key, "application/pdf", &name, false)
        .await
        .map_err(|e| ApiError::new(e, c.lang()).into_response())
}
