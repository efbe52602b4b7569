//! RFC 9457 problem details (`application/problem+json`): every API error, with a stable
//! `type` per kind of error, a `title` in the caller's language and, for `422`, the failing
//! fields by name. Built from the same `AppError` the pages get, so both say the same.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casia_domain::i18n::field_problem_text;
use casia_domain::{FieldProblem, Lang, Refusal};
use casia_services::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details object (RFC 9457).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:casia:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What went wrong, in the caller's language.
    pub title: String,
    pub status: u16,
    /// More about this occurrence, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The lifecycle's reason, for `urn:casia:problem:refused` (e.g. `CaseClosed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub refusal: Option<Refusal>,
    /// For `422`: each failing field by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldIssue>,
    /// Seconds to wait, for `429` (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// One field's problem.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldIssue {
    /// The request field's name (`title`, `documents.0.upload_id`, `from`, …).
    pub field: String,
    /// The problem, machine-readable (`Required`, `{"TooLong": {"max": 200}}`, …).
    #[schema(value_type = Object)]
    pub problem: FieldProblem,
    /// The problem in the caller's language.
    pub message: String,
}

/// An API error: the client-safe error and the language to tell it in.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub lang: Lang,
    /// A field name as the API calls it, for each name the services use (`upload_token` →
    /// `upload_id`).
    pub renames: &'static [(&'static str, &'static str)],
}

impl ApiError {
    pub fn new(error: impl Into<AppError>, lang: Lang) -> ApiError {
        ApiError {
            error: error.into(),
            lang,
            renames: &[],
        }
    }

    pub fn service(e: ServiceError, lang: Lang) -> ApiError {
        ApiError::new(AppError::from(e), lang)
    }

    pub fn renaming(mut self, renames: &'static [(&'static str, &'static str)]) -> ApiError {
        self.renames = renames;
        self
    }
}

/// The stable `type` of each error.
fn kind(e: &AppError) -> &'static str {
    match e {
        AppError::BadRequest => "bad-request",
        AppError::NotSignedIn | AppError::SessionExpired | AppError::BadCredentials => {
            "unauthenticated"
        }
        AppError::SecondFactorPending | AppError::SecondFactorRequired => "unauthenticated",
        AppError::Forbidden | AppError::PickAuthorisation | AppError::PasswordChangeRequired => {
            "forbidden"
        }
        AppError::CrossSite => "forbidden",
        AppError::NotFound => "not-found",
        AppError::Invalid(_) => "validation",
        AppError::Upload(_) => "upload-refused",
        AppError::Refused(_) => "refused",
        AppError::Conflict => "conflict",
        AppError::TooManyAttempts { .. } | AppError::Busy | AppError::TooManyRequests { .. } => {
            "rate-limited"
        }
        AppError::Network | AppError::Internal => "internal",
    }
}

/// `insufficient-scope` is the API's own: a valid token without the scope an endpoint needs.
pub fn missing_scope(scope: casia_domain::model::ApiScope, lang: Lang) -> Response {
    let title = match lang {
        Lang::Es => format!("El token no tiene el permiso «{scope}» que requiere esta operación."),
        Lang::En => format!("The token lacks the scope “{scope}” this operation requires."),
    };
    problem_response(Problem {
        kind: "urn:casia:problem:insufficient-scope".into(),
        title,
        status: 403,
        detail: None,
        refusal: None,
        errors: Vec::new(),
        retry_after: None,
    })
}

/// The API's name of a page form's field path (`documents.0.upload_token` →
/// `documents.0.upload_id`): each dot-separated part by the first rule naming it exactly, so
/// that one rule's result is never rewritten by another's.
fn renamed(field: &str, renames: &[(&str, &str)]) -> String {
    field
        .split('.')
        .map(|part| {
            renames
                .iter()
                .find(|(from, _)| *from == part)
                .map_or(part, |(_, to)| *to)
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Problem {
    pub fn of(e: &ApiError) -> Problem {
        let status = e.error.status();
        let errors = e
            .error
            .field_errors()
            .iter()
            .map(|f| FieldIssue {
                field: renamed(&f.field, e.renames),
                problem: f.problem.clone(),
                message: field_problem_text(&f.problem, e.lang),
            })
            .collect();
        Problem {
            kind: format!("urn:casia:problem:{}", kind(&e.error)),
            title: e.error.message(e.lang),
            status: status.as_u16(),
            detail: None,
            refusal: match &e.error {
                AppError::Refused(r) => Some(*r),
                _ => None,
            },
            errors,
            retry_after: e.error.retry_after_seconds(),
        }
    }
}

pub fn problem_response(p: Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if let Some(seconds) = p.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"casia\""),
        );
    }
    let body = serde_json::to_vec(&p).unwrap_or_default();
    (status, headers, body).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(Problem::of(&self))
    }
}

/// The language of a request that carries no valid token yet: English when the client
/// prefers it, Spanish otherwise.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let prefers_english = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("en"));
    if prefers_english { Lang::En } else { Lang::Es }
}

#[cfg(test)]
mod tests {
    use super::renamed;

    #[test]
    fn a_renamed_field_is_not_renamed_again() {
        let rules = [
            ("subject_id", "subcategory_id"),
            ("category_id", "subcategory_id"),
        ];
        assert_eq!(renamed("subject_id", &rules), "subcategory_id");
        assert_eq!(renamed("category_id", &rules), "subcategory_id");
        assert_eq!(
            renamed("documents.0.upload_token", &[("upload_token", "upload_id")]),
            "documents.0.upload_id"
        );
        assert_eq!(renamed("title", &rules), "title");
    }
}
