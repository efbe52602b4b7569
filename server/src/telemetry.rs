//! Logs and request ids: every request gets an `x-request-id` (made here, or a trusted
//! proxy's), echoed in the answer and carried by every log line written while it runs.

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use casia_services::config::{LogFormat, TrustedProxies};
use std::net::SocketAddr;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a proxy (a UUID is 36 characters).
const MAX_FORWARDED_ID: usize = 64;

pub fn init_tracing(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // `try_init`: a test process sets it up more than once.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // One JSON object per line; the request's span (with its id) in `span`.
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// Wraps `router` in the request-id and tracing layers (outermost: they see every answer,
/// timeouts and CSRF refusals included).
pub fn with_request_ids(router: Router, trusted_proxies: TrustedProxies) -> Router {
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                // One line per answer (status, latency): the access log.
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            keep_only_trusted_ids,
        ))
}

/// The span of one request: its id, method and path (never the query, which can hold what a
/// person searched for).
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    )
}

/// A request id a client sent is dropped (a fresh one is made) unless it came through a
/// trusted proxy and is short and plain: what reaches the logs is ours or our proxy's.
async fn keep_only_trusted_ids(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let from_proxy = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| trusted.contains(peer.ip()));
    let plain = req.headers().get(&REQUEST_ID).is_some_and(|v| {
        let v = v.as_bytes();
        !v.is_empty()
            && v.len() <= MAX_FORWARDED_ID
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
    });
    if !(from_proxy && plain) {
        req.headers_mut().remove(&REQUEST_ID);
    }
    next.run(req).await
}
