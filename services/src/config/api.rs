//! `[api]`: the integration API's per-token rate and its webhooks' delivery.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiConfig {
    /// Requests one token may make per minute (a burst of as many, then evenly refilled).
    pub requests_per_minute: u32,
    pub webhooks: WebhookConfig,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookConfig {
    /// Allow `http://` and private, loopback and link-local targets (a receiver on the
    /// operator's own network, or a test). Off: only public `https://` addresses.
    pub allow_private_targets: bool,
    /// How often the delivery worker looks for due deliveries.
    pub poll_seconds: u64,
    /// First retry delay; doubles on each failure up to `max_backoff_seconds`.
    pub backoff_seconds: i64,
    pub max_backoff_seconds: i64,
    /// Tries before a delivery is marked failed (it stays in the log).
    pub max_attempts: i32,
    /// A receiver must answer within this.
    pub timeout_seconds: u64,
    /// A claimed delivery whose sender died is retried after this long.
    pub lease_seconds: i64,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            requests_per_minute: 120,
            webhooks: WebhookConfig::default(),
        }
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private_targets: false,
            poll_seconds: 5,
            backoff_seconds: 30,
            // With 15 tries doubling from 30 s and capped at 6 h: about three days of retries.
            max_backoff_seconds: 6 * 3600,
            max_attempts: 15,
            timeout_seconds: 10,
            lease_seconds: 60,
        }
    }
}
