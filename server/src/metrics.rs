//! Prometheus metrics: requests by route and status with their latency, the mail outbox's
//! backlog, failed sends, the database pool and the open event streams. Served by a listener
//! of its own (`metrics.listen`), never on the public port.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use casia_services::Services;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;

const REQUESTS: &str = "casia_http_requests_total";
const LATENCY: &str = "casia_http_request_duration_seconds";
const OUTBOX_PENDING: &str = "casia_outbox_pending";
const OUTBOX_OLDEST_AGE: &str = "casia_outbox_oldest_age_seconds";
const POOL_CONNECTIONS: &str = "casia_db_pool_connections";
const POOL_MAX: &str = "casia_db_pool_max_connections";

/// Upper bounds of the latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder (the `metrics` facade has one per process; tests run many servers).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.into()), &LATENCY_BUCKETS)
            .expect("latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first: then ours renders nothing.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
        }
        handle
    })
}

/// Counts every answer and its latency under the route's pattern (`/casia/casos/{id}`, never
/// the path itself: the label set stays bounded whatever clients ask for).
pub async fn record_request(req: Request, next: Next) -> Response {
    handle();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!(LATENCY, "route" => route.clone(), "method" => method.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(REQUESTS, "route" => route, "method" => method, "status" => status)
        .increment(1);
    res
}

/// `GET /metrics` and nothing else, for `metrics.listen`.
pub fn router(services: Services) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(services)
}

async fn scrape(State(s): State<Services>) -> Response {
    let handle = handle();
    // Read when asked, so they are as fresh as the scrape.
    match casia_services::mail::backlog(&s.db).await {
        Ok((pending, oldest)) => {
            metrics::gauge!(OUTBOX_PENDING).set(pending as f64);
            let age = oldest.map_or(0.0, |t| {
                (casia_services::clock::now() - t).num_milliseconds().max(0) as f64 / 1000.0
            });
            metrics::gauge!(OUTBOX_OLDEST_AGE).set(age);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox backlog unreadable"),
    }
    record_pool(&s.db);
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// The database pool's connections: `idle` and `in_use`, and the most it opens.
fn record_pool(db: &DatabaseConnection) {
    let (size, idle, max) = if casia_services::db::is_sqlite(db) {
        let pool = db.get_sqlite_connection_pool();
        (
            pool.size(),
            pool.num_idle() as u32,
            pool.options().get_max_connections(),
        )
    } else {
        let pool = db.get_postgres_connection_pool();
        (
            pool.size(),
            pool.num_idle() as u32,
            pool.options().get_max_connections(),
        )
    };
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(POOL_MAX).set(f64::from(max));
}

/// Histograms keep their samples until upkeep folds them in: done at each scrape and, when
/// nobody scrapes, every few seconds so memory stays bounded.
pub fn spawn_upkeep(services: &Services) {
    let stop = services.shutdown.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                _ = tick.tick() => handle().run_upkeep(),
                () = stop.cancelled() => break,
            }
        }
    });
}
