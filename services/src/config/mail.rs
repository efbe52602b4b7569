//! `[mail]` and `[smtp]`: how notices are sent.

use serde::{Deserialize, Serialize};

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
