//! `POST /api/v1/cases`: `Nuevo Caso` → `Finalizar Alta`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use casia_domain::dto::NewCaseForm;
use casia_domain::model::ApiScope;
use casia_services::cases;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiResult, DocumentInput, case_view, classification_renames, documents, field_error,
    idempotency_key, json, load_classification,
};
use crate::api_v1::auth::{ApiCaller, ApiJson};
use crate::api_v1::problem::Problem;
use crate::api_v1::views::Case;
use crate::server::AppState;

/// Where a case is classified: a Subcategoría (its Categoría, Materia and type follow), or a
/// Categoría without Subcategorías.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewCase {
    pub subcategory_id: Option<i64>,
    /// Only for a Categoría that has no Subcategorías.
    pub category_id: Option<i64>,
    pub affects_current_period: Option<bool>,
    pub title: String,
    pub description: String,
    pub documents: Vec<DocumentInput>,
}

/// Opens a case (`Nuevo Caso` → `Finalizar Alta`).
#[utoipa::path(
    post, path = "/api/v1/cases", tag = "cases",
    request_body = NewCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key again returns the case the first request opened, instead of opening another.")),
    responses(
        (status = 201, description = "Opened (or opened before with this key)", body = Case,
         headers(("Location" = String, description = "The case's URL"))),
        (status = 422, description = "A field is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:write"]))
)]
pub async fn open_case(
    State(state): State<AppState>,
    c: ApiCaller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewCase>,
) -> ApiResult {
    c.require(ApiScope::CasesWrite)?;
    let s = &state.services;
    let (case_type, subject_id, category_id, subcategory_id) =
        load_classification(s, &c, input.subcategory_id, input.category_id).await?;
    let form = NewCaseForm {
        case_type,
        subject_id,
        category_id,
        subcategory_id,
        affects_current_period: input.affects_current_period,
        title: input.title,
        description: input.description,
        documents: documents(input.documents),
        idempotency_key: idempotency_key(&headers),
    };
    let opened = cases::open::open_case(s, c.caller(), form)
        .await
        .map_err(|e| field_error(e, &c, classification_renames(input.subcategory_id)))?;
    let case = case_view(s, &c, opened.number).await?;
    let mut res = json(StatusCode::CREATED, &case);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", case.number)) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}
