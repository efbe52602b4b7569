//! `/api/v1/cases…`: each handler checks the token's scope, adapts the request to the form the
//! pages send, and calls the same service function the page does (same validation, same
//! lifecycle, same scoping to the authorisation: another authorisation's case is a 404).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casia_domain::dto::{
    DocumentToAttach, ModifyInformationForm, NewCaseForm, Reclassification, SearchForm, Taxonomy,
};
use casia_domain::model::{ApiScope, case_number};
use casia_services::cases::{self, query, user_actions};
use casia_services::{ServiceError, Services};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::{ApiCaller, ApiJson, ApiQuery};
use super::problem::{ApiError, Problem};
use super::views::{Case, CasePage, History, HistoryEntry, InformationAdded, Receipt};
use crate::server::AppState;

type ApiResult = Result<Response, Response>;

/// Field names the services use that the API calls otherwise.
const RENAMES: &[(&str, &str)] = &[("upload_token", "upload_id")];

/// A document to attach: an upload's `id` (from `POST /api/v1/uploads`).
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DocumentInput {
    pub upload_id: String,
    pub document_type_id: Option<i64>,
    pub title: String,
}

fn documents(docs: Vec<DocumentInput>) -> Vec<DocumentToAttach> {
    docs.into_iter()
        .map(|d| DocumentToAttach {
            document_type_id: d.document_type_id,
            title: d.title,
            upload_token: d.upload_id,
        })
        .collect()
}

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

/// The form's classification fields from the chosen node: a Subcategoría names its
/// Categoría, Materia and type; nothing is decided here (the domain's check does that).
fn classification(
    taxonomy: &Taxonomy,
    subcategory_id: Option<i64>,
    category_id: Option<i64>,
) -> (String, Option<i64>, Option<i64>, Option<i64>) {
    let node = |id: Option<i64>| id.and_then(|id| taxonomy.node(id));
    let (sub, cat) = match node(subcategory_id) {
        Some(s) => (subcategory_id, s.parent_id),
        None => (subcategory_id, category_id),
    };
    let category = node(cat);
    let subject = category.and_then(|c| c.parent_id);
    let case_type = category
        .map(|c| c.case_type.code().to_owned())
        .unwrap_or_default();
    (case_type, subject, cat, sub)
}

/// The `Idempotency-Key` header, or a key of its own for a request without one (which then
/// cannot be repeated safely). API keys are kept apart from the pages' form keys.
fn idempotency_key(headers: &HeaderMap) -> String {
    match headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(key) => format!("api:{key}"),
        None => format!("api-once:{}", uuid::Uuid::new_v4().simple()),
    }
}

// The refusal is the handler's answer itself, built once per refused request.
#[allow(clippy::result_large_err)]
fn number_of(text: &str, c: &ApiCaller) -> Result<i64, Response> {
    case_number::parse(text).ok_or_else(|| c.fail(ServiceError::NotFound))
}

async fn case_view(s: &Services, c: &ApiCaller, number: i64) -> Result<Case, Response> {
    let scope = c.caller().user_scope().map_err(|e| c.fail(e))?;
    let model = cases::find_for_user(&s.db, c.caller(), scope, number)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(Case::from(&model))
}

fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    (status, axum::Json(body)).into_response()
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
    let taxonomy = casia_services::taxonomy::load(&s.db, c.lang())
        .await
        .map_err(|e| c.fail(e))?;
    let (case_type, subject_id, category_id, subcategory_id) =
        classification(&taxonomy, input.subcategory_id, input.category_id);
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

/// The form names the classification by level; the API by the one node it was given.
fn classification_renames(subcategory: Option<i64>) -> &'static [(&'static str, &'static str)] {
    if subcategory.is_some() {
        &[
            ("upload_token", "upload_id"),
            ("case_type", "subcategory_id"),
            ("subject_id", "subcategory_id"),
            ("category_id", "subcategory_id"),
        ]
    } else {
        &[
            ("upload_token", "upload_id"),
            ("case_type", "category_id"),
            ("subject_id", "category_id"),
        ]
    }
}

fn field_error(
    e: ServiceError,
    c: &ApiCaller,
    renames: &'static [(&'static str, &'static str)],
) -> Response {
    let mut error = ApiError::service(e, c.lang()).renaming(renames);
    // One failing level is named once, whatever the services called it.
    if let crate::error::AppError::Invalid(errors) = &mut error.error {
        let mut seen = Vec::new();
        errors.retain(|f| {
            let name = renames
                .iter()
                .fold(f.field.clone(), |n, (from, to)| n.replace(from, to));
            let fresh = !seen.contains(&name);
            seen.push(name);
            fresh
        });
    }
    error.into_response()
}

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
    c.require(ApiScope::CasesRead)?;
    let n = number_of(&number, &c)?;
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
    c.require(ApiScope::CasesRead)?;
    let n = number_of(&number, &c)?;
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
    c.require(ApiScope::CasesWrite)?;
    let s = &state.services;
    let n = number_of(&number, &c)?;
    let current = case_view(s, &c, n).await?;
    let renames = match &input.reclassification {
        Some(r) => classification_renames(r.subcategory_id),
        None => RENAMES,
    };
    let reclassification = match input.reclassification {
        Some(r) => {
            let taxonomy = casia_services::taxonomy::load(&s.db, c.lang())
                .await
                .map_err(|e| c.fail(e))?;
            let (case_type, subject_id, category_id, subcategory_id) =
                classification(&taxonomy, r.subcategory_id, r.category_id);
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
        version: input.version.unwrap_or(current.version),
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
    c.require(ApiScope::CasesWrite)?;
    let s = &state.services;
    let n = number_of(&number, &c)?;
    let current = case_view(s, &c, n).await?;
    user_actions::request_cancellation(
        s,
        c.caller(),
        n,
        &input.reason,
        input.version.unwrap_or(current.version),
    )
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
    c.require(ApiScope::CasesWrite)?;
    let s = &state.services;
    let n = number_of(&number, &c)?;
    user_actions::rate(s, c.caller(), n, input.score, &input.observations)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(json(StatusCode::OK, &case_view(s, &c, n).await?))
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
    c.require(ApiScope::CasesRead)?;
    let s = &state.services;
    let n = number_of(&number, &c)?;
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
        (status = 200, description = "The PDF", content_type = "application/pdf", body = super::views::FileBytes),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["cases:read"]))
)]
pub async fn receipt_pdf(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult {
    c.require(ApiScope::CasesRead)?;
    let id: i64 = id.parse().map_err(|_| c.fail(ServiceError::NotFound))?;
    let (r, name) = query::receipt_download(&state.services.db, c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    crate::api::stream_file(&state, &r.storage_key, "application/pdf", &name, false)
        .await
        .map_err(|e| ApiError::new(e, c.lang()).into_response())
}
