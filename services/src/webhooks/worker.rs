//! The webhook delivery worker: leases due deliveries, POSTs each signed body to its
//! receiver, records the outcome; a failure is retried with a doubling delay (the mail
//! worker's `retry_delay`) until `api.webhooks.max_attempts`, and stays in the log either way.

use std::time::Duration;

use casia_domain::model::DeliveryStatus;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    UpdateMany,
};
use sha2::Sha256;

use crate::Services;
use crate::clock::now;
use crate::entity::{webhook, webhook_delivery};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::retry_delay;

/// Deliveries one round claims.
pub const BATCH: u64 = 20;
const LAST_ERROR_MAX_CHARS: usize = 500;

/// `X-Casia-Signature`'s value: `sha256=` and the hex HMAC-SHA256 of `body` keyed by `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub claimed: usize,
    pub delivered: usize,
    /// Failed tries that will be retried.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
}

fn claimable(at: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .add(webhook_delivery::Column::NextAttemptAt.lte(at))
        .add(
            Condition::any()
                .add(webhook_delivery::Column::LockedUntil.is_null())
                .add(webhook_delivery::Column::LockedUntil.lt(at)),
        )
}

/// Takes due deliveries until `lease_until`: a conditional UPDATE per candidate, so of
/// several workers (instances) exactly one takes each row; the others skip it.
async fn claim(
    db: &impl ConnectionTrait,
    lease_until: DateTime<Utc>,
) -> ServiceResult<Vec<webhook_delivery::Model>> {
    let at = now();
    let candidates = webhook_delivery::Entity::find()
        .filter(claimable(at))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for mut d in candidates {
        let taken = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::LockedUntil,
                Expr::value(lease_until),
            )
            .filter(webhook_delivery::Column::Id.eq(d.id))
            .filter(claimable(at))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            d.locked_until = Some(lease_until);
            claimed.push(d);
        }
    }
    Ok(claimed)
}

/// An update that applies only while this worker still holds the row's lease, and gives it
/// back.
fn while_leased(d: &webhook_delivery::Model) -> UpdateMany<webhook_delivery::Entity> {
    let mut update = webhook_delivery::Entity::update_many()
        .filter(webhook_delivery::Column::Id.eq(d.id))
        .col_expr(
            webhook_delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    if let Some(lease) = d.locked_until {
        update = update.filter(webhook_delivery::Column::LockedUntil.eq(lease));
    }
    update
}

/// The receiver's answer: its status, or why there was none.
enum Outcome {
    Answered(u16),
    NoAnswer(String),
}

async fn send(
    s: &Services,
    client: &reqwest::Client,
    hook: &webhook::Model,
    d: &webhook_delivery::Model,
) -> Outcome {
    // DNS may have changed since the webhook was made: the address is checked again.
    if let Err(e) = super::check_url(&s.config.api.webhooks, &hook.url).await {
        return Outcome::NoAnswer(format!("address refused: {e}"));
    }
    let body = d.payload.clone().into_bytes();
    let sent = client
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Casia-Event", &d.event)
        .header("X-Casia-Delivery", d.id.to_string())
        .header("X-Casia-Signature", signature(&hook.secret, &body))
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) => Outcome::Answered(r.status().as_u16()),
        Err(e) => Outcome::NoAnswer(crate::error::chain(&e)),
    }
}

/// The client every delivery uses: bounded in time, and never following a redirect (which
/// could lead past the address check).
pub fn http_client(s: &Services) -> ServiceResult<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(
            s.config.api.webhooks.timeout_seconds.max(1),
        ))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Casia-Webhooks/1")
        .build()
        .map_err(|e| ServiceError::failed("webhook client", e))
}

/// One round: claims due deliveries and tries each once.
pub async fn deliver_due(s: &Services, client: &reqwest::Client) -> ServiceResult<RoundReport> {
    let db = &s.db;
    let config = &s.config.api.webhooks;
    let lease_until = now() + chrono::Duration::seconds(config.lease_seconds.max(1));
    let claimed = claim(db, lease_until).await?;
    let mut report = RoundReport {
        claimed: claimed.len(),
        ..RoundReport::default()
    };
    for d in &claimed {
        let attempts = d.attempts.saturating_add(1);
        let Some(hook) = webhook::Entity::find_by_id(d.webhook_id).one(db).await? else {
            continue;
        };
        let outcome = send(s, client, &hook, d).await;
        let update =
            while_leased(d).col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts));
        let update = match outcome {
            Outcome::Answered(status) if (200..300).contains(&status) => {
                report.delivered += 1;
                update
                    .col_expr(
                        webhook_delivery::Column::Status,
                        Expr::value(DeliveryStatus::Delivered),
                    )
                    .col_expr(
                        webhook_delivery::Column::LastStatus,
                        Expr::value(i32::from(status)),
                    )
                    .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(now()))
            }
            failed => {
                let (status, error) = match failed {
                    Outcome::Answered(status) => {
                        (Some(i32::from(status)), format!("answered HTTP {status}"))
                    }
                    Outcome::NoAnswer(e) => (None, e),
                };
                let error: String = error.chars().take(LAST_ERROR_MAX_CHARS).collect();
                tracing::warn!(delivery = d.id, webhook = hook.id, attempt = attempts, %error, "webhook delivery failed");
                let update = update
                    .col_expr(webhook_delivery::Column::LastStatus, Expr::value(status))
                    .col_expr(webhook_delivery::Column::LastError, Expr::value(error));
                if attempts >= config.max_attempts.max(1) {
                    report.failed += 1;
                    update.col_expr(
                        webhook_delivery::Column::Status,
                        Expr::value(DeliveryStatus::Failed),
                    )
                } else {
                    report.retrying += 1;
                    let next = now()
                        + retry_delay(attempts, config.backoff_seconds, config.max_backoff_seconds);
                    update.col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
                }
            }
        };
        if update.exec(db).await?.rows_affected != 1 {
            tracing::warn!(
                delivery = d.id,
                "webhook delivery lease ended before its outcome was recorded"
            );
        }
    }
    Ok(report)
}

/// The worker loop of a running server: a round every `api.webhooks.poll_seconds`, and at
/// once again after a full batch; it ends when the process stops (a delivery in flight is
/// retried by the next instance once its lease runs out).
pub async fn run_worker(s: Services) {
    let client = match http_client(&s) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), "webhook delivery not started");
            return;
        }
    };
    let poll = Duration::from_secs(s.config.api.webhooks.poll_seconds.max(1));
    while !s.shutdown.is_cancelled() {
        let full = match deliver_due(&s, &client).await {
            Ok(r) => r.claimed as u64 == BATCH,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery round failed");
                false
            }
        };
        if !full {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = s.shutdown.cancelled() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
