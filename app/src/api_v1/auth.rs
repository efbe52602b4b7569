//! Who calls the API: the `Authorization: Bearer` token, checked on every request (revoked,
//! expired, the user removed from the authorisation or either deactivated: 401 at once),
//! then the token's rate limit (429 with `Retry-After`). A session cookie never counts here.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use casia_domain::Lang;
use casia_domain::dto::RateLimit;
use casia_domain::model::ApiScope;
use casia_services::ServiceError;
use casia_services::accounts::Caller;
use casia_services::api_tokens::{self, TokenCaller};
use serde::de::DeserializeOwned;

use super::problem::{ApiError, Problem, lang_of, missing_scope, problem_response};
use crate::error::AppError;
use crate::server::{AppState, client_address_of};

/// The caller of an API request.
pub struct ApiCaller(pub TokenCaller);

impl ApiCaller {
    pub fn caller(&self) -> &Caller {
        &self.0.caller
    }

    pub fn lang(&self) -> Lang {
        self.0.caller.lang
    }

    /// The endpoint's scope, or a 403 `insufficient-scope`.
    // The refusal is the handler's answer itself, built once per refused request.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, scope: ApiScope) -> Result<(), Response> {
        if self.0.allows(scope) {
            Ok(())
        } else {
            Err(missing_scope(scope, self.lang()))
        }
    }

    /// The id in the path a handler acts on, once the token has `scope`; text that is no id
    /// is a 404, like the id of nothing.
    #[allow(clippy::result_large_err)]
    pub fn scoped_id(&self, scope: ApiScope, id: &str) -> Result<i64, Response> {
        self.require(scope)?;
        id.parse().map_err(|_| self.fail(ServiceError::NotFound))
    }

    /// A service's error as this caller's problem.
    pub fn fail(&self, e: ServiceError) -> Response {
        ApiError::service(e, self.lang()).into_response()
    }
}

/// `Authorization: Bearer <token>`'s token.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let s = &state.services;
        let lang = lang_of(&parts.headers);
        let unauthenticated = || ApiError::new(AppError::NotSignedIn, lang).into_response();
        let Some(token) = bearer(parts) else {
            return Err(unauthenticated());
        };
        let client = client_address_of(&parts.headers, &parts.extensions);
        let caller = match api_tokens::caller_from_bearer(&s.db, token, client).await {
            Ok(c) => c,
            Err(ServiceError::NotSignedIn) => return Err(unauthenticated()),
            Err(e) => return Err(ApiError::service(e, lang).into_response()),
        };
        if let Err(retry_after_seconds) = s.limits.api.check_seconds(&caller.token_id.to_string()) {
            let limited = AppError::TooManyRequests {
                limit: RateLimit::ApiRequests {
                    per_minute: s.config.api.requests_per_minute,
                },
                retry_after_seconds,
            };
            return Err(ApiError::new(limited, caller.caller.lang).into_response());
        }
        Ok(ApiCaller(caller))
    }
}

/// A JSON body. One that is not JSON is a `400`; a field of the wrong type a `422` naming
/// it (its path, e.g. `documents.0.document_type_id`). Fields that are merely missing or
/// empty reach the domain's validation, which names them the same way.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(req.headers());
        let bad = |status: u16, detail: String| {
            let mut problem = Problem::of(&ApiError::new(AppError::BadRequest, lang));
            problem.status = status;
            problem.detail = Some(detail);
            problem_response(problem)
        };
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        if !is_json {
            return Err(bad(415, "Content-Type must be application/json".into()));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| bad(r.status().as_u16(), r.body_text()))?;
        let mut json = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut json) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) if e.inner().is_data() => {
                // `documents[0].title` → `documents.0.title`, as the domain names fields.
                let field = e.path().to_string().replace('[', ".").replace(']', "");
                let invalid = AppError::Invalid(vec![casia_domain::FieldError::new(
                    &field,
                    casia_domain::FieldProblem::InvalidChoice,
                )]);
                let mut problem = Problem::of(&ApiError::new(invalid, lang));
                problem.detail = Some(e.inner().to_string());
                Err(problem_response(problem))
            }
            Err(e) => Err(bad(400, e.inner().to_string())),
        }
    }
}

/// Query parameters; ones that do not decode are a `400` problem naming the reason.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => {
                let mut problem = Problem::of(&ApiError::new(AppError::BadRequest, lang));
                problem.detail = Some(rejection.body_text());
                Err(problem_response(problem))
            }
        }
    }
}
