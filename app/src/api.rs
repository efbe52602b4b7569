//! Plain HTTP endpoints beside the server functions: health, streaming uploads, downloads of
//! documents and receipts, and verification of a receipt file. Streams do not fit server
//! functions' encodings; the checks are the same: session, role, authorisation scope.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use casia_domain::Role;
use casia_domain::dto::{UploadProblem, Verification};
use casia_services::ServiceError;
use casia_services::accounts::{self, Caller};
use casia_services::cases::{query, receipts};
use futures::StreamExt;
use serde::Deserialize;

use crate::error::AppError;
use crate::server::{AppState, session_token_of};

/// Receipt files given for verification are small; anything larger is not one of ours.
const VERIFY_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Time allowed to send a file for verification.
const VERIFY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Every plain route: (method, path, handler). The router and the access-matrix test both
/// read this one list, so a route cannot be added without the test knowing it.
fn route_table() -> Vec<(http::Method, &'static str, MethodRouter<AppState>)> {
    use http::Method;
    vec![
        (Method::GET, "/healthz", get(health)),
        (Method::POST, "/api/uploads", post(upload)),
        (Method::GET, "/api/documentos/{id}", get(download_document)),
        (
            Method::GET,
            "/api/justificantes/{id}",
            get(download_receipt),
        ),
        (Method::POST, "/api/verificacion/fichero", post(verify_file)),
        (
            Method::GET,
            crate::api_audit::CSV_PATH,
            get(crate::api_audit::export_csv),
        ),
    ]
}

/// The method and path of every plain route (for tests and the endpoint inventory).
pub fn route_list() -> Vec<(http::Method, &'static str)> {
    route_table()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

pub fn routes() -> Router<AppState> {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| router.route(path, handler))
        // The upload handler enforces its own (configurable) limit while streaming.
        .layer(axum::extract::DefaultBodyLimit::disable())
}

/// Ready when the database answers.
async fn health(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// An error as JSON with its status (the same `AppError` the server functions use).
pub(crate) fn error_response(e: ServiceError) -> Response {
    let err = AppError::from(e);
    let mut response = (err.status(), Json(&err)).into_response();
    if let Some(seconds) = err.retry_after_seconds() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The signed-in caller of a plain route, with the request's client address (audit trail).
pub(crate) async fn caller_of(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> Result<Caller, ServiceError> {
    let token =
        session_token_of(headers, &state.services.config).ok_or(ServiceError::NotSignedIn)?;
    let mut caller =
        accounts::caller_from_token(&state.services.db, &state.services.config.session, &token)
            .await?;
    // The same second-factor gate as every server function's.
    caller.second_factor_gate(state.services.config.auth.staff_mfa)?;
    // As in `server::require`: after an administrator's reset only `/cuenta` is open.
    if caller.password_change_required {
        return Err(ServiceError::PasswordChangeRequired);
    }
    caller.client = crate::server::client_address_of(headers, extensions);
    Ok(caller)
}

#[derive(Deserialize)]
struct UploadQuery {
    name: Option<String>,
}

/// `POST /api/uploads?name=<file name>` with the file as the raw body. Streams it to storage
/// (checking size and content as it arrives) and answers `UploadedFile` or an `AppError`.
async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Response {
    let caller = match caller_of(&state, &headers, &extensions).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    // Authorised users attach to their cases; processors to resolutions and requests.
    if caller.role == Role::Autorizado {
        if let Err(e) = caller.user_scope() {
            return error_response(e);
        }
    } else if !caller.role.is_processor() {
        let details = serde_json::json!({ "role": caller.role.code() });
        return error_response(
            casia_services::audit::forbidden(
                &state.services.db,
                &caller,
                "endpoint",
                "/api/uploads",
                details,
            )
            .await,
        );
    }
    let name = q.name.unwrap_or_default();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Size, quota and uploads in progress are checked before the body is read.
    match casia_services::files::receive_upload(
        &state.services,
        &caller,
        &name,
        declared,
        body.into_data_stream(),
    )
    .await
    {
        Ok(uploaded) => (StatusCode::OK, Json(uploaded)).into_response(),
        Err(e) => error_response(e),
    }
}

/// `Content-Disposition` with the original name, safely encoded (RFC 6266 / 5987).
fn disposition(kind: &str, file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn stream_file(
    state: &AppState,
    key: &str,
    media_type: &str,
    file_name: &str,
    inline: bool,
) -> Response {
    match state.services.storage.stream(key).await {
        Ok((size, stream)) => {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(media_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            headers.insert(
                header::CONTENT_DISPOSITION,
                disposition(if inline { "inline" } else { "attachment" }, file_name),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            (StatusCode::OK, headers, Body::from_stream(stream)).into_response()
        }
        Err(e) => error_response(e),
    }
}

/// A case document, to the authorised users of its authorisation and to processors.
async fn download_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    Path(id): Path<i64>,
) -> Response {
    let caller = match caller_of(&state, &headers, &extensions).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    match query::document_for(&state.services.db, &caller, id).await {
        Ok(d) => {
            stream_file(
                &state,
                &d.storage_key,
                &d.media_type,
                &d.original_name,
                false,
            )
            .await
        }
        Err(e) => error_response(e),
    }
}

/// A receipt's PDF, under the same rules.
async fn download_receipt(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    Path(id): Path<i64>,
) -> Response {
    let caller = match caller_of(&state, &headers, &extensions).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    match query::receipt_download(&state.services.db, &caller, id).await {
        Ok((r, name)) => stream_file(&state, &r.storage_key, "application/pdf", &name, true).await,
        Err(e) => error_response(e),
    }
}

/// `Verificación de Documentos` with the receipt file itself (public: it reveals only what the
/// receipt holds, and only for the exact file that was issued). Before the body is read the
/// client must be within its allowance and a slot free (busy: refused at once); the body must
/// arrive within `VERIFY_READ_TIMEOUT`, so a slow sender cannot hold a slot.
async fn verify_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Body,
) -> Response {
    let client = crate::server::client_address_of(&headers, &extensions);
    let _slot = match receipts::admit_file_check(&state.services, &client) {
        Ok(permit) => permit,
        Err(e) => return error_response(e),
    };
    let read = async {
        let mut bytes = Vec::new();
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let c = chunk.map_err(|_| ServiceError::Upload(UploadProblem::Incomplete))?;
            if bytes.len() + c.len() > VERIFY_MAX_BYTES {
                return Ok(None);
            }
            bytes.extend_from_slice(&c);
        }
        Ok(Some(bytes))
    };
    let bytes = match tokio::time::timeout(VERIFY_READ_TIMEOUT, read).await {
        Ok(Ok(Some(bytes))) => bytes,
        // Larger than any receipt: not one of ours, whatever it holds.
        Ok(Ok(None)) => return (StatusCode::OK, Json(Verification::NotAReceipt)).into_response(),
        Ok(Err(e)) => return error_response(e),
        Err(_) => return error_response(ServiceError::Upload(UploadProblem::Incomplete)),
    };
    if bytes.is_empty() {
        return error_response(ServiceError::Upload(UploadProblem::Empty));
    }
    match receipts::verify_file(&state.services.db, &bytes).await {
        Ok(v) => (StatusCode::OK, Json(v)).into_response(),
        Err(e) => error_response(e),
    }
}
