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
use casia_domain::dto::{UploadProblem, Verification, previewable};
use casia_services::ServiceError;
use casia_services::cases::{query, receipts};
use futures::StreamExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use crate::error::AppError;
use crate::server::{AppState, SignedIn};

/// Receipt files given for verification are small; anything larger is not one of ours.
const VERIFY_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Time allowed to send a file for verification.
const VERIFY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Every plain route: (method, path, handler). The router and the access-matrix test both
/// read this one list, so a route cannot be added without the test knowing it.
fn route_table() -> Vec<(http::Method, &'static str, MethodRouter<AppState>)> {
    use http::Method;
    let mut table = vec![
        (Method::GET, "/healthz", get(health)),
        (Method::GET, "/readyz", get(ready)),
        (Method::POST, "/api/uploads", post(upload)),
        (Method::GET, "/api/documentos/{id}", get(download_document)),
        (
            Method::GET,
            "/api/documentos/{id}/vista",
            get(preview_document),
        ),
        (
            Method::GET,
            "/api/justificantes/{id}",
            get(download_receipt),
        ),
        (Method::POST, "/api/verificacion/fichero", post(verify_file)),
        (
            Method::GET,
            crate::api_live::EVENTS_PATH,
            get(crate::api_live::events),
        ),
        (
            Method::GET,
            crate::api_audit::CSV_PATH,
            get(crate::api_audit::export_csv),
        ),
        (
            Method::GET,
            crate::api_csv::CASES_PATH,
            get(crate::api_csv::export_cases),
        ),
        (
            Method::GET,
            crate::api_csv::QUEUE_PATH,
            get(crate::api_csv::export_queue),
        ),
        (
            Method::GET,
            crate::api_csv::SEARCH_PATH,
            get(crate::api_csv::export_search),
        ),
    ];
    // The integration API (Bearer tokens): listed here too, so the access matrix knows it.
    table.extend(crate::api_v1::route_table());
    table
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

/// Alive: the process answers and its database does.
async fn health(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Ready for traffic: the database and the file store both answer (a load balancer sends
/// nothing to an instance that cannot reach either). Says which one failed, never why.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let s = &state.services;
    let (db, files) = futures::join!(s.db.ping(), s.storage.check_reachable());
    match (db, files) {
        (Ok(()), Ok(())) => (StatusCode::OK, "ready"),
        (Err(e), _) => {
            tracing::warn!(error = %e, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        (_, Err(e)) => {
            tracing::warn!(error = %e, "not ready: file storage unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
        }
    }
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
    Query(q): Query<UploadQuery>,
    // After the query, as before: extractors run in this order.
    SignedIn(caller): SignedIn,
    body: Body,
) -> Result<Response, AppError> {
    // Authorised users attach to their cases; processors to resolutions and requests.
    if caller.role == Role::Autorizado {
        caller.user_scope()?;
    } else if !caller.role.is_processor() {
        let details = serde_json::json!({ "role": caller.role.code() });
        let refused = casia_services::audit::forbidden(
            &state.services.db,
            &caller,
            "endpoint",
            "/api/uploads",
            details,
        )
        .await;
        return Err(refused.into());
    }
    let name = q.name.unwrap_or_default();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Size, quota and uploads in progress are checked before the body is read.
    let uploaded = casia_services::files::receive_upload(
        &state.services,
        &caller,
        &name,
        declared,
        body.into_data_stream(),
    )
    .await?;
    Ok((StatusCode::OK, Json(uploaded)).into_response())
}

/// What RFC 5987 leaves unescaped in `filename*`: letters, digits and `-._~`.
const FILENAME_STAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

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
    let encoded = utf8_percent_encode(file_name, FILENAME_STAR);
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The headers of a file sent for download: its type, how to show it, never sniffed, and how it
/// may be cached.
pub(crate) fn download_headers(
    content_type: HeaderValue,
    disposition: HeaderValue,
    cache: &'static str,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers
}

pub(crate) async fn stream_file(
    state: &AppState,
    key: &str,
    media_type: &str,
    file_name: &str,
    inline: bool,
) -> Result<Response, AppError> {
    let (size, stream) = state.services.storage.stream(key).await?;
    let media_type = HeaderValue::from_str(media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let kind = if inline { "inline" } else { "attachment" };
    let mut headers = download_headers(
        media_type,
        disposition(kind, file_name),
        "private, no-store",
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    Ok((StatusCode::OK, headers, Body::from_stream(stream)).into_response())
}

/// A case document, to the authorised users of its authorisation and to processors.
async fn download_document(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    SignedIn(caller): SignedIn,
) -> Result<Response, AppError> {
    let d = query::document_for(&state.services.db, &caller, id).await?;
    stream_file(
        &state,
        &d.storage_key,
        &d.media_type,
        &d.original_name,
        false,
    )
    .await
}

/// A case document to look at beside the case, under the same rules as its download: inline
/// only for the kinds the browser shows without running them (`dto::previewable`; kinds are
/// sniffed from the content at upload), and then in a sandbox of its own (no scripts, no origin)
/// whatever frame shows it; anything else is the download.
async fn preview_document(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    SignedIn(caller): SignedIn,
) -> Result<Response, AppError> {
    let d = query::document_for(&state.services.db, &caller, id).await?;
    let inline = previewable(&d.media_type);
    let mut response = stream_file(
        &state,
        &d.storage_key,
        &d.media_type,
        &d.original_name,
        inline,
    )
    .await?;
    if inline {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    Ok(response)
}

/// A receipt's PDF, under the same rules.
async fn download_receipt(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    SignedIn(caller): SignedIn,
) -> Result<Response, AppError> {
    let (r, name) = query::receipt_download(&state.services.db, &caller, id).await?;
    stream_file(&state, &r.storage_key, "application/pdf", &name, true).await
}

/// `Verificación de Documentos` with the receipt file itself (public: it reveals only what the
/// receipt holds, and only for the exact file that was issued). Before the body is read the
/// client must be within its allowance and a slot free (busy: refused at once); the body must
/// arrive within `VERIFY_READ_TIMEOUT`, so a slow sender cannot hold a slot.
async fn verify_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Result<Response, AppError> {
    let client = crate::server::client_address_of(&headers, &extensions);
    let _slot = receipts::admit_file_check(&state.services, &client)?;
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
        Ok::<_, ServiceError>(Some(bytes))
    };
    let bytes = match tokio::time::timeout(VERIFY_READ_TIMEOUT, read).await {
        Ok(read) => read?,
        Err(_) => return Err(ServiceError::Upload(UploadProblem::Incomplete).into()),
    };
    // Larger than any receipt: not one of ours, whatever it holds.
    let Some(bytes) = bytes else {
        return Ok((StatusCode::OK, Json(Verification::NotAReceipt)).into_response());
    };
    if bytes.is_empty() {
        return Err(ServiceError::Upload(UploadProblem::Empty).into());
    }
    let v = receipts::verify_file(&state.services.db, &bytes).await?;
    Ok((StatusCode::OK, Json(v)).into_response())
}

#[cfg(test)]
mod tests {
    use super::{disposition, previewable};

    #[test]
    fn only_kinds_the_browser_shows_without_running_them_are_previewed() {
        for t in ["application/pdf", "image/png", "image/jpeg"] {
            assert!(previewable(t), "{t}");
        }
        for t in [
            "text/xml",
            "image/svg+xml",
            "text/html",
            "image/tiff",
            "application/zip",
        ] {
            assert!(!previewable(t), "{t}");
        }
    }

    #[test]
    fn file_names_are_quoted_for_old_browsers_and_percent_encoded_for_new_ones() {
        let d = disposition("attachment", "Informe año 2026 (v2).pdf");
        assert_eq!(
            d.to_str().unwrap(),
            "attachment; filename=\"Informe a_o 2026 (v2).pdf\"; \
             filename*=UTF-8''Informe%20a%C3%B1o%202026%20%28v2%29.pdf"
        );
        // Quotes, separators and line breaks cannot escape the header's syntax.
        let d = disposition("inline", "a\";b\r\n~x.pdf");
        assert_eq!(
            d.to_str().unwrap(),
            "inline; filename=\"a__b___x.pdf\"; filename*=UTF-8''a%22%3Bb%0D%0A~x.pdf"
        );
    }
}
