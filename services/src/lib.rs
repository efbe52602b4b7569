//! Casia's server side as plain async functions over a database connection: the web layer
//! (server functions and HTTP handlers in `app`) only adapts requests to these.

pub mod accounts;
pub mod admin;
pub mod api_tokens;
pub mod audit;
pub mod authorisations;
pub mod cases;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod entity;
pub mod error;
pub mod files;
pub mod jobs;
pub mod live;
#[cfg(feature = "bench")]
pub mod loadgen;
pub mod mail;
pub mod notices;
pub mod passwords;
pub mod plazos;
pub mod rate_limit;
pub mod second_factor;
pub mod sessions;
pub mod taxonomy;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod throttle;
pub mod webhooks;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use config::Config;
pub use error::{ServiceError, ServiceResult};

/// Everything a request handler needs, cheap to clone (shared through Leptos context and
/// axum state).
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub storage: files::Storage,
    /// Wakes the mail worker when a milestone has been committed, so its email leaves at
    /// once instead of at the next poll. Only a hint: the worker also polls.
    pub mail_wakeup: Arc<Notify>,
    /// Rate and concurrency limits of this process (verification, uploads).
    pub limits: Arc<rate_limit::Limits>,
    /// Cancelled when the process is asked to stop (SIGTERM): background work gives back
    /// what it holds (mail leases) and long-lived answers (event streams) end.
    pub shutdown: CancellationToken,
    /// This instance's live-update streams and the pump that feeds them.
    pub live: Arc<live::Hub>,
}

impl Services {
    /// Connects, migrates and seeds the reference data (taxonomy, document types).
    pub async fn start(config: Config) -> ServiceResult<Services> {
        // Size the process-wide cap on password checks from this configuration.
        passwords::PasswordChecks::global(&config.login);
        let db = db::connect_and_migrate(&config.database_url).await?;
        taxonomy::seed(&db).await?;
        // Cases from before the full-text index (or from a bulk loader) get their rows.
        let indexed = cases::full_text::backfill(&db).await?;
        if indexed > 0 {
            tracing::info!(indexed, "full-text search: indexed cases");
        }
        let storage = files::Storage::from_config(&config.storage, &config.storage_dir())?;
        let limits = Arc::new(rate_limit::Limits::from_config(&config));
        let config_live = config.live.clone();
        Ok(Services {
            db,
            config: Arc::new(config),
            storage,
            mail_wakeup: Arc::new(Notify::new()),
            limits,
            shutdown: CancellationToken::new(),
            live: live::Hub::new(config_live.max_streams, config_live.max_streams_per_user),
        })
    }
}
