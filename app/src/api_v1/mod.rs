//! The integration API, `/api/v1`: Bearer tokens with scopes, JSON, RFC 3339 times, RFC 9457
//! errors, and its OpenAPI 3.1 document generated from these handlers (`utoipa`). Every
//! handler is an adapter over the service function the pages use.

mod auth;
mod cases;
mod catalogue;
mod notices;
mod problem;
mod reference;
mod uploads;
mod views;
mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::server::AppState;

pub use problem::PROBLEM_JSON;

/// Largest JSON body of an API request (files go through `/api/v1/uploads`).
pub const JSON_MAX_BYTES: usize = 1024 * 1024;

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
pub const REFERENCE_PATH: &str = "/api/v1/reference";
pub const UPLOAD_PATH: &str = "/api/v1/uploads";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casia API",
        version = "1",
        description = "Casia's integration API for RED authorised users' software: the same rules as the pages. \
Authenticate with `Authorization: Bearer <token>` (tokens are created by the operator: `casia create-token`). \
Errors are `application/problem+json` (RFC 9457). Times are RFC 3339."
    ),
    paths(
        catalogue::taxonomy,
        catalogue::document_types,
        uploads::upload,
        cases::open::open_case,
        cases::read::search_cases,
        cases::read::get_case,
        cases::read::case_history,
        cases::actions::add_information,
        cases::actions::request_cancellation,
        cases::actions::rate_case,
        cases::read::case_receipts,
        cases::read::receipt_pdf,
        notices::inbox,
        notices::mark_read,
        notices::mark_all_read,
        webhooks::list,
        webhooks::create,
        webhooks::delete,
        webhooks::deliveries,
    ),
    components(schemas(problem::Problem, problem::FieldIssue)),
    modifiers(&BearerAuth, &CommonProblems),
    tags(
        (name = "catalogue", description = "Classification and document types"),
        (name = "cases", description = "Files, cases, history and receipts"),
        (name = "notices", description = "The inbox (Buzón)"),
        (name = "webhooks", description = "Signed notifications of the cases' milestones"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `casia create-token`; scopes: cases:read, cases:write, notices:read, webhooks",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answers every authenticated endpoint may give, added to each operation.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [item.get.as_mut(), item.post.as_mut(), item.delete.as_mut()]
                .into_iter()
                .flatten()
            {
                let responses = &mut op.responses.responses;
                for (code, text) in [
                    ("400", "The request could not be read"),
                    (
                        "401",
                        "No token, or a token that is unknown, revoked, expired, or whose user or authorisation is no longer active",
                    ),
                    ("403", "The token lacks the operation's scope"),
                    (
                        "429",
                        "Too many requests with this token: wait `Retry-After` seconds",
                    ),
                ] {
                    responses
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(text).into());
                }
            }
        }
    }
}

/// The document, as served.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        openapi_json(),
    )
        .into_response()
}

/// A JSON endpoint: bodies larger than `JSON_MAX_BYTES` are refused (the plain routes
/// disable axum's default limit for the streaming upload).
fn bounded(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(DefaultBodyLimit::max(JSON_MAX_BYTES))
}

/// Every `/api/v1` route: (method, path, handler), for `crate::api`'s route table.
pub fn route_table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, OPENAPI_PATH, get(openapi)),
        (Method::GET, REFERENCE_PATH, get(reference::page)),
        (Method::GET, "/api/v1/taxonomy", get(catalogue::taxonomy)),
        (
            Method::GET,
            "/api/v1/document-types",
            get(catalogue::document_types),
        ),
        (Method::POST, UPLOAD_PATH, post(uploads::upload)),
        (Method::GET, "/api/v1/cases", get(cases::read::search_cases)),
        (
            Method::POST,
            "/api/v1/cases",
            bounded(post(cases::open::open_case)),
        ),
        (
            Method::GET,
            "/api/v1/cases/{number}",
            get(cases::read::get_case),
        ),
        (
            Method::GET,
            "/api/v1/cases/{number}/history",
            get(cases::read::case_history),
        ),
        (
            Method::POST,
            "/api/v1/cases/{number}/information",
            bounded(post(cases::actions::add_information)),
        ),
        (
            Method::POST,
            "/api/v1/cases/{number}/cancellation",
            bounded(post(cases::actions::request_cancellation)),
        ),
        (
            Method::POST,
            "/api/v1/cases/{number}/rating",
            bounded(post(cases::actions::rate_case)),
        ),
        (
            Method::GET,
            "/api/v1/cases/{number}/receipts",
            get(cases::read::case_receipts),
        ),
        (
            Method::GET,
            "/api/v1/receipts/{id}",
            get(cases::read::receipt_pdf),
        ),
        (Method::GET, "/api/v1/notices", get(notices::inbox)),
        (
            Method::POST,
            "/api/v1/notices/{id}/read",
            bounded(post(notices::mark_read)),
        ),
        (
            Method::POST,
            "/api/v1/notices/read",
            bounded(post(notices::mark_all_read)),
        ),
        (Method::GET, "/api/v1/webhooks", get(webhooks::list)),
        (
            Method::POST,
            "/api/v1/webhooks",
            bounded(post(webhooks::create)),
        ),
        (
            Method::DELETE,
            "/api/v1/webhooks/{id}",
            bounded(delete(webhooks::delete)),
        ),
        (
            Method::GET,
            "/api/v1/webhooks/{id}/deliveries",
            get(webhooks::deliveries),
        ),
    ]
}
