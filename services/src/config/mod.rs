//! Typed configuration: defaults, then an optional TOML file, then `CASIA_*` environment
//! variables (nested keys with `__`, e.g. `CASIA_SMTP__HOST`). See README "Configuration".

mod api;
mod plazos;
mod proxies;

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use api::{ApiConfig, WebhookConfig};
pub use plazos::PlazosConfig;
pub use proxies::{TrustedProxies, canonical};

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

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfig {
    /// A session unused for this long ends.
    pub idle_minutes: i64,
    /// A session ends this long after login, used or not.
    pub absolute_hours: i64,
    /// Sessions one user may have open at once; a new login ends the oldest beyond it
    /// (0: no cap).
    pub max_per_user: u64,
    // No `secure_cookie`: the cookie is `Secure` (and `__Host-` prefixed) exactly when
    // `public_url` is https (`Config::uses_https`). An old key in a file is ignored.
}

/// The HTTP server's limits and the proxies it believes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpConfig {
    /// A client must send a request's line and headers within this (slowloris).
    pub header_read_timeout_seconds: u64,
    /// Whole request, from the first byte to the answer's headers; uploads use their own.
    pub request_timeout_seconds: u64,
    /// Whole `POST /api/uploads` (a 20 MiB file on a slow line takes minutes).
    pub upload_timeout_seconds: u64,
    /// Longest silence while a request body is arriving (reset by every chunk).
    pub body_timeout_seconds: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed: IPs or CIDRs.
    pub trusted_proxies: TrustedProxies,
    /// On SIGTERM: how long requests in flight may take to finish (and the mail worker to give
    /// back its leases) before the process stops anyway.
    pub shutdown_grace_seconds: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Where documents, receipts and uploads are kept.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    pub backend: StorageBackend,
    /// `s3`: the bucket (it must exist).
    pub bucket: String,
    /// `s3`: the service's URL for S3-compatible servers (MinIO, Ceph, a provider's);
    /// empty for AWS itself. `http://` is accepted only when written so.
    pub endpoint: String,
    /// `s3`: the region; empty: `AWS_REGION` / `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: String,
    /// `s3`: `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (what most
    /// S3-compatible servers need).
    pub path_style: bool,
    /// `s3`: the access key. Leave it out of files: the standard `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`) variables, or the instance's role, are
    /// used when these are empty; `CASIA_STORAGE__ACCESS_KEY_ID` /
    /// `CASIA_STORAGE__SECRET_ACCESS_KEY` when the AWS names are taken by something else.
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// `local` by default; `s3` keeps every file in one bucket, shared by all instances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// Files under `data_dir/files` (one instance, or a shared file system).
    #[default]
    Local,
    S3,
}

/// Live updates (`GET /api/eventos`, one stream per open tab).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct LiveConfig {
    /// Streams this instance keeps open at once; more are refused (503) and those pages
    /// simply do not update.
    pub max_streams: usize,
    /// Streams one person may have open at once (tabs), in this instance.
    pub max_streams_per_user: usize,
    /// A stream ends after this long; the browser reconnects at once (and the session is
    /// checked again). Between, the session is re-read every minute.
    pub stream_minutes: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            max_streams: 5000,
            max_streams_per_user: 10,
            stream_minutes: 10,
        }
    }
}

/// The Prometheus endpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsConfig {
    /// Address of a second listener that answers `GET /metrics` and nothing else; empty: no
    /// metrics. Never the public listener: what it tells (traffic, backlog) is for the
    /// operators' network only (e.g. `127.0.0.1:9464`, or a private interface).
    pub listen: String,
}

/// Password guessing (ASVS V6.1.1, V6.3.1): delays that grow instead of a lock an attacker
/// could keep shut on someone else's account. The same limits guard every place a password
/// is checked (login, the account page, the contact-data re-check).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginLimits {
    /// Failed attempts per (username, client) answered at once; after them the n-th failure
    /// makes the next attempt wait 2^(n - free_failures) seconds.
    pub free_failures: u64,
    /// The longest wait imposed on one (username, client).
    pub max_delay_seconds: i64,
    /// Failures per username from all clients together before a shared wait applies
    /// (looser: it is what a stranger can impose on the real user).
    pub username_free_failures: u64,
    /// The longest shared wait: at most this long can anyone else keep a user out.
    pub username_max_delay_seconds: i64,
    /// Failures per client address over all usernames before that client must wait for the
    /// window to pass (offices share addresses: keep it high).
    pub client_max_failures: u64,
    /// Failures older than this are forgotten (and every delay with them).
    pub window_minutes: i64,
    /// Password checks (argon2, ~19 MiB and tens of milliseconds each) running at once in
    /// the whole process; more wait their turn.
    pub concurrent_password_checks: usize,
    /// A password check that waited this long for its turn is refused (503, try again).
    pub password_check_wait_seconds: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// Whether processors, supervisors and administrators must have a second factor.
    pub staff_mfa: StaffMfa,
    /// Wrong second-factor codes per user within the window before code checks are refused.
    pub code_max_failures: u64,
    pub code_window_minutes: i64,
}

/// `required`: staff without a confirmed second factor reach only its enrolment page.
/// `optional`: they get in with their password alone (the demo).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffMfa {
    #[default]
    Required,
    Optional,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadConfig {
    /// Largest accepted document, in bytes.
    pub max_bytes: u64,
    /// Uploaded files never attached to a case are deleted after this long.
    pub stale_hours: i64,
    /// Files one user may upload in an hour (attached or not).
    pub max_files_per_hour: u64,
    /// Bytes one user may upload in an hour.
    pub max_bytes_per_hour: u64,
    /// Uploads one user may have in progress at the same time.
    pub max_concurrent_per_user: u64,
}

/// The public `Verificación de Documentos`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationConfig {
    /// Checks (by code or by file, together) one client address may make per minute.
    pub per_minute: u32,
    /// Receipt files checked at the same time, all clients together; more are refused at once.
    pub max_concurrent_files: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct MailConfig {
    pub from: String,
    /// How often the delivery worker looks for pending notices (it is also woken at once).
    pub poll_seconds: u64,
    /// First retry delay; doubles on each failure up to `max_backoff_seconds`.
    pub backoff_seconds: i64,
    pub max_backoff_seconds: i64,
    /// A claimed notice whose sender died is retried after this long.
    pub lease_seconds: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// `none` (plain, for local relays and tests), `starttls` or `tls`.
    #[serde(default = "default_tls")]
    pub tls: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_tls() -> String {
    "starttls".into()
}

fn default_timeout() -> u64 {
    15
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

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_minutes: 30,
            absolute_hours: 12,
            max_per_user: 10,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            header_read_timeout_seconds: 10,
            request_timeout_seconds: 60,
            upload_timeout_seconds: 1800,
            body_timeout_seconds: 30,
            trusted_proxies: TrustedProxies::default(),
            shutdown_grace_seconds: 30,
        }
    }
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            free_failures: 5,
            max_delay_seconds: 300,
            username_free_failures: 20,
            username_max_delay_seconds: 30,
            client_max_failures: 100,
            window_minutes: 15,
            concurrent_password_checks: 4,
            password_check_wait_seconds: 5,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            staff_mfa: StaffMfa::Required,
            code_max_failures: 5,
            code_window_minutes: 15,
        }
    }
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            max_bytes: 20 * 1024 * 1024,
            stale_hours: 24,
            max_files_per_hour: 100,
            max_bytes_per_hour: 500 * 1024 * 1024,
            max_concurrent_per_user: 3,
        }
    }
}

impl Default for VerificationConfig {
    fn default() -> Self {
        VerificationConfig {
            per_minute: 20,
            max_concurrent_files: 2,
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from: "Casia <no-responder@casia.localhost>".into(),
            poll_seconds: 5,
            backoff_seconds: 10,
            max_backoff_seconds: 3600,
            lease_seconds: 120,
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

#[cfg(test)]
// figment::Jail's closures return figment's (large) error: its API, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_derive_the_database_and_public_url() {
        let mut c = Config::default();
        c.fill_derived();
        assert_eq!(c.database_url, "sqlite://data/casia.db?mode=rwc");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.smtp.is_none());
    }

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("casia.toml", "listen = \"0.0.0.0:8080\"\n[session]\nidle_minutes = 5\n[smtp]\nhost = \"mail\"\nport = 25\n")?;
            jail.set_env("CASIA_SESSION__IDLE_MINUTES", "7");
            jail.set_env("CASIA_PUBLIC_URL", "https://casia.example.es/");
            let c = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap();
            assert_eq!(c.listen, "0.0.0.0:8080");
            assert_eq!(c.session.idle_minutes, 7);
            assert_eq!(c.session.absolute_hours, 12);
            assert_eq!(
                c.auth.staff_mfa,
                StaffMfa::Required,
                "staff need a second factor unless told otherwise"
            );
            assert_eq!(c.public_url, "https://casia.example.es");
            assert!(c.uses_https());
            let smtp = c.smtp.unwrap();
            assert_eq!(
                (smtp.host.as_str(), smtp.port, smtp.tls.as_str()),
                ("mail", 25, "starttls")
            );
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_come_as_a_list_or_a_comma_separated_string() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "casia.toml",
                "[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n",
            )?;
            let c = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap();
            assert!(c.http.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
            assert!(c.http.trusted_proxies.contains("::1".parse().unwrap()));
            assert!(
                !c.http
                    .trusted_proxies
                    .contains("192.168.0.1".parse().unwrap())
            );
            jail.set_env("CASIA_HTTP__TRUSTED_PROXIES", "192.168.0.1, fd00::/8");
            let c = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap();
            assert!(
                c.http
                    .trusted_proxies
                    .contains("192.168.0.1".parse().unwrap())
            );
            assert!(
                c.http
                    .trusted_proxies
                    .contains("::ffff:192.168.0.1".parse().unwrap()),
                "IPv4-mapped IPv6 is the IPv4 address"
            );
            assert!(c.http.trusted_proxies.contains("fd12::7".parse().unwrap()));
            assert!(
                !c.http.trusted_proxies.contains("10.1.2.3".parse().unwrap()),
                "the environment replaces the file"
            );
            jail.set_env("CASIA_HTTP__TRUSTED_PROXIES", "10.0.0.300");
            let e = Config::load(Some(std::path::Path::new("casia.toml"))).unwrap_err();
            assert!(e.to_string().contains("10.0.0.300"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn storage_logs_and_metrics_come_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).unwrap();
            assert_eq!(
                c.storage.backend,
                StorageBackend::Local,
                "local files by default"
            );
            assert_eq!(c.log_format, LogFormat::Text);
            assert!(c.metrics.listen.is_empty(), "no metrics unless asked for");
            assert_eq!(c.http.shutdown_grace_seconds, 30);
            jail.set_env("CASIA_STORAGE__BACKEND", "s3");
            jail.set_env("CASIA_STORAGE__BUCKET", "casia-docs");
            jail.set_env("CASIA_STORAGE__ENDPOINT", "http://minio:9000");
            jail.set_env("CASIA_STORAGE__PATH_STYLE", "true");
            jail.set_env("CASIA_LOG_FORMAT", "json");
            jail.set_env("CASIA_METRICS__LISTEN", "10.0.0.5:9464");
            jail.set_env("CASIA_HTTP__SHUTDOWN_GRACE_SECONDS", "5");
            let c = Config::load(None).unwrap();
            assert_eq!(c.storage.backend, StorageBackend::S3);
            assert_eq!(c.storage.bucket, "casia-docs");
            assert_eq!(c.storage.endpoint, "http://minio:9000");
            assert!(c.storage.path_style);
            assert_eq!(c.log_format, LogFormat::Json);
            assert_eq!(c.metrics.listen, "10.0.0.5:9464");
            assert_eq!(c.http.shutdown_grace_seconds, 5);
            jail.set_env("CASIA_STORAGE__BACKEND", "ftp");
            assert!(
                Config::load(None).is_err(),
                "an unknown backend is an error"
            );
            Ok(())
        });
    }

    #[test]
    fn no_proxy_is_trusted_by_default_and_timeouts_are_set() {
        let c = Config::default();
        assert!(c.http.trusted_proxies.is_empty());
        assert_eq!(c.http.header_read_timeout_seconds, 10);
        assert!(!c.uses_https());
    }

    #[test]
    fn staff_mfa_is_set_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CASIA_AUTH__STAFF_MFA", "optional");
            assert_eq!(
                Config::load(None).unwrap().auth.staff_mfa,
                StaffMfa::Optional
            );
            jail.set_env("CASIA_AUTH__STAFF_MFA", "sometimes");
            assert!(
                Config::load(None).is_err(),
                "an unknown value is an error, not a silent default"
            );
            Ok(())
        });
    }
}
