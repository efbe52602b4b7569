//! The HTTP server: Leptos pages and server functions, static files, background jobs.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::server::{AppState, RequestCaller};
use app::{App, shell};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use casia_services::config::HttpConfig;
use casia_services::{Config, Services};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::csrf::{self, PublicOrigin};

/// The site root: `LEPTOS_SITE_ROOT` when cargo-leptos runs us, else the configuration.
pub fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT")
        .unwrap_or_else(|_| config.site_root.display().to_string());
    LeptosOptions::builder()
        .output_name("casia")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

/// Largest server-function request (forms and JSON; files go through `/api/uploads`).
pub const SERVER_FN_MAX_BODY: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    let options = state.leptos_options.clone();
    let config = state.services.config.clone();
    // Pages and every server function (leptos_axum registers those here too).
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            || provide_context(RequestCaller::default()),
            move || shell(options.clone()),
        )
        .layer(RequestBodyLimitLayer::new(SERVER_FN_MAX_BODY));
    let router = Router::new()
        .merge(app::api::routes())
        .merge(pages)
        // Compiled assets are served pre-compressed (brotli/gzip files made at build time).
        .nest_service("/pkg", ServeDir::new(format!("{site_root}/pkg")).precompressed_br().precompressed_gzip())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        // Every server function's error answer gets the status of the error it carries.
        .layer(axum::middleware::map_response(app::server::status_follows_the_error));
    // `public_url` is checked at start-up (`serve`); a test's is always well formed.
    let origin = PublicOrigin::of(&config.public_url).expect("public_url is an http(s) URL");
    let router = router
        .layer(axum::middleware::from_fn_with_state(origin, csrf::guard))
        // `app::server::client_address_of` reads them from every request.
        .layer(Extension(config.http.trusted_proxies.clone()))
        .layer(axum::middleware::from_fn_with_state(Deadlines::of(&config.http), deadline))
        // Idle time between two chunks of a body; a slow line that keeps sending is fine.
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(config.http.body_timeout_seconds)));
    let router = with_security_headers(router, config.uses_https())
        .layer(axum::middleware::from_fn(crate::metrics::record_request));
    crate::telemetry::with_request_ids(router, config.http.trusted_proxies.clone())
}

/// Headers every response carries: no framing (clickjacking), no content sniffing, no
/// referrer to other sites, forms and `<base>` kept to this site, and HSTS over https. Set
/// only when a handler did not set its own: pages set a stricter policy with their nonce
/// (`app::server::page_policy`), downloads their own caching.
fn with_security_headers(router: Router, https: bool) -> Router {
    let headers = [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        ),
    ];
    let router = headers.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    });
    let router = router.layer(axum::middleware::from_fn(no_store));
    if https {
        // Two years, as the preload list asks; every subdomain must be https too.
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ))
    } else {
        router
    }
}

/// `Cache-Control: no-store` on pages and data (case details, notices, contact data must not
/// stay in a shared computer's cache); compiled assets under `/pkg/` and images stay cacheable.
async fn no_store(req: Request, next: Next) -> Response {
    let asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let media = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let static_kind = [
        "image/",
        "font/",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/wasm",
    ]
    .iter()
    .any(|k| media.starts_with(k));
    if !asset && !static_kind && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// How long a request may take until its answer starts: uploads have their own (long) limit.
#[derive(Clone, Copy)]
struct Deadlines {
    request: Duration,
    upload: Duration,
}

impl Deadlines {
    fn of(http: &HttpConfig) -> Deadlines {
        Deadlines {
            request: Duration::from_secs(http.request_timeout_seconds),
            upload: Duration::from_secs(http.upload_timeout_seconds),
        }
    }
}

async fn deadline(State(limits): State<Deadlines>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let limit = if path == "/api/uploads" || path == app::api_v1::UPLOAD_PATH {
        limits.upload
    } else {
        limits.request
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "request timeout").into_response(),
    }
}

pub async fn serve(config: Config) -> Result<(), String> {
    let started = Instant::now();
    let addr: SocketAddr = config
        .listen
        .parse()
        .map_err(|e| format!("listen address {}: {e}", config.listen))?;
    PublicOrigin::of(&config.public_url)?;
    let services = Services::start(config.clone())
        .await
        .map_err(crate::cli::explain)?;
    let demo_loaded = config.demo_data
        && casia_services::demo::load(&services)
            .await
            .map_err(crate::cli::explain)?;
    let jobs = casia_services::jobs::spawn_background_jobs(&services);
    let stop = services.shutdown.clone();
    let metrics = serve_metrics(&config, &services).await?;

    let state = AppState {
        leptos_options: leptos_options(&config, addr),
        services,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let url = config.public_url.clone();
    tracing::info!(%addr, database = %redact(&config.database_url), ready_ms = started.elapsed().as_millis() as u64, "Casia listening");
    println!("Casia está disponible en {url}");
    if demo_loaded {
        crate::cli::print_demo_logins(config.auth.staff_mfa);
    }
    if config.smtp.is_none() {
        println!(
            "Sin SMTP configurado: los avisos se escriben como ficheros .eml en {}",
            config.outbox_dir().display()
        );
    }
    let grace = Duration::from_secs(config.http.shutdown_grace_seconds);
    let stopping = async {
        shutdown_signal().await;
        // Streams and background work end now; requests in flight get the grace period.
        stop.cancel();
    };
    serve_on(listener, router(state), &config.http, stopping).await;
    // The mail worker gives back the leases of what it has not sent (within the grace).
    if tokio::time::timeout(grace, jobs.finished()).await.is_err() {
        tracing::warn!("background jobs still running after the grace period; stopping anyway");
    }
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// The metrics listener, when `metrics.listen` names one.
async fn serve_metrics(
    config: &Config,
    services: &Services,
) -> Result<Option<tokio::task::JoinHandle<()>>, String> {
    let listen = config.metrics.listen.trim();
    if listen.is_empty() {
        return Ok(None);
    }
    let addr: SocketAddr = listen
        .parse()
        .map_err(|e| format!("metrics.listen {listen}: {e}"))?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} (metrics): {e}"))?;
    crate::metrics::spawn_upkeep(services);
    let app = crate::metrics::router(services.clone());
    let http = config.http.clone();
    let stop = services.shutdown.clone();
    tracing::info!(%addr, "metrics at /metrics");
    Ok(Some(tokio::spawn(async move {
        serve_on(listener, app, &http, stop.cancelled_owned()).await;
    })))
}

/// Serves `app` on `listener` until `shutdown`, then lets open requests finish (for at most
/// `http.shutdown_grace_seconds`; keep-alive connections are closed once idle). Unlike
/// `axum::serve` it gives hyper a timer, so a client that is slow to send its request line
/// and headers (slowloris) is disconnected after `http.header_read_timeout_seconds`.
pub async fn serve_on(
    listener: TcpListener,
    app: Router,
    http: &HttpConfig,
    shutdown: impl Future<Output = ()>,
) {
    let header_timeout = Duration::from_secs(http.header_read_timeout_seconds);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        // What `into_make_service_with_connect_info` gives handlers: the TCP peer.
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req)
            });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // hyper starts its header timer once it knows the protocol: a client that sends
            // nothing at all is cut off here.
            let mut first = [0u8; 1];
            if !matches!(tokio::time::timeout(header_timeout, stream.peek(&mut first)).await, Ok(Ok(n)) if n > 0)
            {
                return;
            }
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    // Stop accepting: new connections are refused from here on.
    drop(listener);
    let grace = Duration::from_secs(http.shutdown_grace_seconds);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(grace) => tracing::warn!(grace_seconds = grace.as_secs(), "requests still open after the grace period; stopping anyway"),
    }
}

/// Hides a password in a database URL for the logs (and the whole URL if it does not parse:
/// what it holds cannot be told apart).
fn redact(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot have a password at all.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => database_url.to_owned(),
        Err(_) => "(unreadable database URL)".to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing the requests in flight");
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_passwords_stay_out_of_the_logs() {
        assert_eq!(
            redact("postgres://casia:secreto@db:5432/casia"),
            "postgres://casia:***@db:5432/casia"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/casia"),
            "postgres://postgres@127.0.0.1/casia"
        );
        assert_eq!(
            redact("sqlite://data/casia.db?mode=rwc"),
            "sqlite://data/casia.db?mode=rwc"
        );
        // An `@` in the password, written unescaped: the host is what follows the last one.
        assert_eq!(
            redact("postgres://casia:se@creto@db/casia"),
            "postgres://casia:***@db/casia"
        );
        assert_eq!(
            redact("not a URL: casia:secreto@db"),
            "(unreadable database URL)"
        );
    }
}
