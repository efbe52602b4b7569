//! The HTTP server: Leptos pages and server functions, static files, background jobs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use app::server::{AppState, RequestCaller};
use leptos::prelude::provide_context;
use app::{shell, App};
use axum::Router;
use casia_services::{Config, Services};
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use axum::http::{header, HeaderValue};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing_subscriber::EnvFilter;

pub fn init_tracing(filter: &str) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// The site root: `LEPTOS_SITE_ROOT` when cargo-leptos runs us, else the configuration.
pub fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| config.site_root.display().to_string());
    LeptosOptions::builder()
        .output_name("casia")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    let options = state.leptos_options.clone();
    let router = Router::new()
        .merge(app::api::routes())
        .leptos_routes_with_context(&state, routes, || provide_context(RequestCaller::default()), move || shell(options.clone()))
        // Compiled assets are served pre-compressed (brotli/gzip files made at build time).
        .nest_service("/pkg", ServeDir::new(format!("{site_root}/pkg")).precompressed_br().precompressed_gzip())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        // Every server function's error answer gets the status of the error it carries.
        .layer(axum::middleware::map_response(app::server::status_follows_the_error));
    with_security_headers(router).layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Headers every response carries: no framing (clickjacking), no content sniffing, no
/// referrer to other sites, and forms and `<base>` kept to this site. Set only when a handler
/// did not set its own.
fn with_security_headers(router: Router) -> Router {
    let headers = [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
    ];
    headers.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)))
    })
}

pub async fn serve(config: Config) -> Result<(), String> {
    let started = Instant::now();
    let addr: SocketAddr = config.listen.parse().map_err(|e| format!("listen address {}: {e}", config.listen))?;
    let services = Services::start(config.clone()).await.map_err(crate::cli::explain)?;
    let demo_loaded = config.demo_data && casia_services::demo::load(&services).await.map_err(crate::cli::explain)?;
    casia_services::jobs::spawn_background_jobs(&services);

    let state = AppState { leptos_options: leptos_options(&config, addr), services };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let url = config.public_url.clone();
    tracing::info!(%addr, database = %redact(&config.database_url), ready_ms = started.elapsed().as_millis() as u64, "Casia listening");
    println!("Casia está disponible en {url}");
    if demo_loaded {
        crate::cli::print_demo_logins();
    }
    if config.smtp.is_none() {
        println!("Sin SMTP configurado: los avisos se escriben como ficheros .eml en {}", config.outbox_dir().display());
    }
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// Hides a password in a database URL for the logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_passwords_stay_out_of_the_logs() {
        assert_eq!(redact("postgres://casia:secreto@db:5432/casia"), "postgres://casia:***@db:5432/casia");
        assert_eq!(redact("postgres://postgres@127.0.0.1/casia"), "postgres://postgres@127.0.0.1/casia");
        assert_eq!(redact("sqlite://data/casia.db?mode=rwc"), "sqlite://data/casia.db?mode=rwc");
    }
}
