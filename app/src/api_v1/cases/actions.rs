//! What the user does to a case: `Modificar Información`, `Solicitar Anulación`, `Valoración`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use casia_domain::dto::{ModifyInformationForm, Reclassification};
use casia_domain::model::ApiScope;
use casia_services::cases::{query, user_actions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiResult, DocumentInput, RENAMES, case_view, classification_renames, documents,
    expected_version, field_error, idempotency_key, json, load_classification, scoped_number,
};
use crate::api_v1::auth::{ApiCaller, ApiJson};
use crate::api_v1::problem::Problem;
use crate::api_v1::views::{Case, InformationAdded, Receipt};
use crate::server::AppState;

/// New classification, while reclassification is requested.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewClassification {
    pub subcategory_id: Option<i64>,
    /// Only for a Categoría without Subcategorías.
    pub category_id: Option<i64>,
}

/// `Modificar Información`: text and/or documents; answers an information request, or
/// carries the new classification while reclassification is requested.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct Information {
    pub information: String,
    pub documents: Vec<DocumentInput>,
    pub reclassification: Option<NewClassification>,
    /// The case's `version` as last read: refused with `409` if it changed since.
    pub version: Option<i32>,
}

/// Adds information and/or documents to a case.
#[utoipa::path(
    post, path = "/api/v1/cases/{number}/information", tag = "cases",
    params(
        ("number" = String, Path, description = "`2026-0000001`"),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key again returns the first answer instead of adding twice."),
    ),
    request_body = Information,
    responses(
        (status = 200, body = InformationAdded),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the lifecycle, or the case changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:write"]))
)]
pub async fn add_information(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(number): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Information>,
) -> ApiResult {
    let n = scoped_number(&c, ApiScope::CasesWrite, &number)?;
    let s = &state.services;
    let version = expected_version(s, &c, n, input.version).await?;
    let renames = match &input.reclassification {
        Some(r) => classification_renames(r.subcategory_id),
        None => RENAMES,
    };
    let reclassification = match input.reclassification {
        Some(r) => {
            let (case_type, subject_id, category_id, subcategory_id) =
                load_classification(s, &c, r.subcategory_id, r.category_id).await?;
            Some(Reclassification {
                case_type,
                subject_id,
                category_id,
                subcategory_id,
            })
        }
        None => None,
    };
    let form = ModifyInformationForm {
        information: input.information,
        documents: documents(input.documents),
        reclassification,
        version,
        idempotency_key: idempotency_key(&headers),
    };
    let done = user_actions::modify_information(s, c.caller(), n, form)
        .await
        .map_err(|e| field_error(e, &c, renames))?;
    let receipt = match done.receipt {
        Some(r) => Some(Receipt::from(
            &query::receipt_for(&s.db, c.caller(), r.id)
                .await
                .map_err(|e| c.fail(e))?,
        )),
        None => None,
    };
    let case = case_view(s, &c, n).await?;
    Ok(json(StatusCode::OK, &InformationAdded { case, receipt }))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct Cancellation {
    /// Why (optional).
    pub reason: String,
    /// The case's `version` as last read: refused with `409` if it changed since.
    pub version: Option<i32>,
}

/// `Solicitar Anulación`: cancels a case not taken yet; otherwise asks the processor.
#[utoipa::path(
    post, path = "/api/v1/cases/{number}/cancellation", tag = "cases",
    params(("number" = String, Path, description = "`2026-0000001`")),
    request_body = Cancellation,
    responses(
        (status = 200, description = "The case afterwards: `anulado`, or `cancellation_pending`", body = Case),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:write"]))
)]
pub async fn request_cancellation(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<Cancellation>,
) -> ApiResult {
    let n = scoped_number(&c, ApiScope::CasesWrite, &number)?;
    let s = &state.services;
    let version = expected_version(s, &c, n, input.version).await?;
    user_actions::request_cancellation(s, c.caller(), n, &input.reason, version)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(json(StatusCode::OK, &case_view(s, &c, n).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct Rating {
    /// 1 to 5.
    pub score: Option<i64>,
    pub observations: String,
}

/// `Valoración`: once, when the case is closed.
#[utoipa::path(
    post, path = "/api/v1/cases/{number}/rating", tag = "cases",
    params(("number" = String, Path, description = "`2026-0000001`")),
    request_body = Rating,
    responses(
        (status = 200, body = Case),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:write"]))
)]
pub async fn rate_case(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<Rating>,
) -> ApiResult {
    let n = scoped_number(&c, ApiScope::CasesWrite, &number)?;
    let s = &state.services;
    user_actions::rate(s, c.caller(), n, input.score, &input.observations)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(json(StatusCode::OK, &case_view(s, &c, n).await?))
}
