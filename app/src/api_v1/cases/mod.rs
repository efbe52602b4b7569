//! `/api/v1/cases…`: each handler checks the token's scope, adapts the request to the form the
//! pages send, and calls the same service function the page does (same validation, same
//! lifecycle, same scoping to the authorisation: another authorisation's case is a 404).
//! `open` opens a case, `read` reads them, `actions` changes one; here, what they share.

pub mod actions;
pub mod open;
pub mod read;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casia_domain::dto::{DocumentToAttach, Taxonomy};
use casia_domain::model::{ApiScope, case_number};
use casia_services::cases;
use casia_services::{ServiceError, Services};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::problem::ApiError;
use super::views::Case;

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

/// The case number a handler acts on, once the token has the scope it needs.
// The refusal is the handler's answer itself, built once per refused request.
#[allow(clippy::result_large_err)]
fn scoped_number(c: &ApiCaller, scope: ApiScope, text: &str) -> Result<i64, Response> {
    c.require(scope)?;
    case_number::parse(text).ok_or_else(|| c.fail(ServiceError::NotFound))
}

/// The classification fields for the node a request names, from the taxonomy in the
/// caller's language.
async fn load_classification(
    s: &Services,
    c: &ApiCaller,
    subcategory_id: Option<i64>,
    category_id: Option<i64>,
) -> Result<(String, Option<i64>, Option<i64>, Option<i64>), Response> {
    let taxonomy = casia_services::taxonomy::load(&s.db, c.lang())
        .await
        .map_err(|e| c.fail(e))?;
    Ok(classification(&taxonomy, subcategory_id, category_id))
}

/// The `version` a change is checked against: the one the request gives, else the case's
/// own (read either way, so that another authorisation's case is a 404 first).
async fn expected_version(
    s: &Services,
    c: &ApiCaller,
    number: i64,
    given: Option<i32>,
) -> Result<i32, Response> {
    let current = case_view(s, c, number).await?;
    Ok(given.unwrap_or(current.version))
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
