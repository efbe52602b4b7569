//! `[session]`, `[http]`, `[live]`, `[metrics]` and the log format: how the server meets its
//! clients.

use serde::{Deserialize, Serialize};

use super::TrustedProxies;

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
