//! Typed configuration: defaults, then an optional TOML file, then `CASIA_*` environment
//! variables (nested keys with `__`, e.g. `CASIA_SMTP__HOST`). See README "Configuration".

mod api;
mod auth;
mod http;
mod mail;
mod plazos;
mod proxies;
mod storage;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use api::{ApiConfig, WebhookConfig};
pub use auth::{AuthConfig, LoginLimits, StaffMfa, VerificationConfig};
pub use http::{HttpConfig, LiveConfig, LogFormat, MetricsConfig, SessionConfig};
pub use mail::{MailConfig, SmtpConfig};
pub use plazos::PlazosConfig;
pub use proxies::{TrustedProxies, canonical};
pub use storage::{StorageBackend, StorageConfig, UploadConfig};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `sqlite://…` (embedded default) or `postgres://…`. Empty: `data_dir/casia.db`.
    pub database_url: String,
    /// Where the embedded database, stored documents, receipts and outgoing mail live.
    pub data_dir: PathBuf,
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Public address used in links inside emails.
    pub public_url: String,
    /// Where cargo-leptos put the compiled site (wasm, js, css, public files).
    pub site_root: PathBuf,
    /// Load the demo accounts into an empty database at start-up. Off unless asked for
    /// (`scripts/run.sh` asks): a production database must never get `admin`/`casia-demo`.
    pub demo_data: bool,
    /// `tracing` filter, e.g. `info` or `casia=debug,info`.
    pub log: String,
    /// `text` (for a person at a terminal) or `json` (one object per line, for a log
    /// collector); every line of a request carries its `request_id` either way.
    pub log_format: LogFormat,
    pub session: SessionConfig,
    pub http: HttpConfig,
    pub login: LoginLimits,
    pub auth: AuthConfig,
    pub uploads: UploadConfig,
    pub verification: VerificationConfig,
    pub mail: MailConfig,
    pub plazos: PlazosConfig,
    pub api: ApiConfig,
    pub storage: StorageConfig,
    pub metrics: MetricsConfig,
    pub live: LiveConfig,
    /// Absent: notices are written as `.eml` files under `data_dir/outbox/`.
    pub smtp: Option<SmtpConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            listen: "127.0.0.1:3000".into(),
            public_url: String::new(),
            site_root: PathBuf::from("target/site"),
            demo_data: false,
            // lopdf warns about every malformed PDF given for verification: expected, not news.
            log: "info,lopdf=error".into(),
            log_format: LogFormat::Text,
            session: SessionConfig::default(),
            http: HttpConfig::default(),
            login: LoginLimits::default(),
            auth: AuthConfig::default(),
            uploads: UploadConfig::default(),
            verification: VerificationConfig::default(),
            mail: MailConfig::default(),
            plazos: PlazosConfig::default(),
            api: ApiConfig::default(),
            storage: StorageConfig::default(),
            metrics: MetricsConfig::default(),
            live: LiveConfig::default(),
            smtp: None,
        }
    }
}

impl Config {
    /// Defaults ← `file` (if it exists) ← `CASIA_*` environment variables.
    // figment's own error type, large because it carries the failing key's whole path and
    // source; it is built once, at start-up.
    #[allow(clippy::result_large_err)]
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, figment::Error> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            fig = fig.merge(Toml::file(path));
        }
        let mut config: Config = fig.merge(Env::prefixed("CASIA_").split("__")).extract()?;
        config.fill_derived();
        Ok(config)
    }

    /// Values that default from others.
    pub fn fill_derived(&mut self) {
        if self.database_url.trim().is_empty() {
            self.database_url = format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("casia.db").display()
            );
        }
        if self.public_url.trim().is_empty() {
            self.public_url = format!("http://{}", self.listen);
        }
        self.public_url = self.public_url.trim_end_matches('/').to_owned();
    }

    pub fn storage_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// Served to people over HTTPS (directly or behind a proxy): secure cookies and HSTS.
    pub fn uses_https(&self) -> bool {
        self.public_url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }
}
