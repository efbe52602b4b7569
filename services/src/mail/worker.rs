//! The delivery worker: claims pending notices with a lease, sends them, records the outcome.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, UpdateMany,
};

use super::send::{MailSender, compose};
use crate::clock::now;
use crate::entity::{authorisation, notice};
use crate::error::{ServiceError, ServiceResult};
use crate::notices::EmailStatus;
use crate::{Config, Services};

/// Prometheus: failed sends, by `outcome` (`retry`: tried again later; `refused`: for good).
pub const MAIL_FAILURES: &str = "casia_mail_failures_total";

/// How many notices one round of the worker claims.
pub const DELIVERY_BATCH: u64 = 20;

/// `last_error` keeps this many characters: enough to diagnose, bounded in the table.
const LAST_ERROR_MAX_CHARS: usize = 500;

/// What one round of [`deliver_pending`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Notices this worker claimed.
    pub claimed: usize,
    pub sent: usize,
    /// Sends that failed; each will be retried after its backoff.
    pub failed: usize,
    /// Claimed but given back untried, because the lease was running out.
    pub released: usize,
    /// Not sent: the authorisation withdrew consent or removed its address meanwhile.
    pub skipped: usize,
    /// Refused for good: recorded as failed, not retried.
    pub given_up: usize,
}

/// The retry delay after the `attempts`-th failed try: `backoff · 2^(attempts−1)`, capped.
pub fn retry_delay(
    attempts: i32,
    backoff_seconds: i64,
    max_backoff_seconds: i64,
) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(62);
    let factor = 1_i64.checked_shl(doublings).unwrap_or(i64::MAX);
    let seconds = backoff_seconds
        .max(1)
        .saturating_mul(factor)
        .min(max_backoff_seconds.max(1));
    chrono::Duration::seconds(seconds)
}

/// Pending, due, and not held by a live lease.
fn claimable(at: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(notice::Column::EmailStatus.eq(EmailStatus::Pending))
        .add(notice::Column::NextAttemptAt.lte(at))
        .add(
            Condition::any()
                .add(notice::Column::LockedUntil.is_null())
                .add(notice::Column::LockedUntil.lt(at)),
        )
}

/// Takes up to `batch` due notices for this worker until `lease_until`.
///
/// PostgreSQL (several server instances): `SELECT … FOR UPDATE SKIP LOCKED` in a short
/// transaction, so concurrent workers take disjoint rows without waiting for each other.
/// SQLite (one instance, writes serialised): a conditional UPDATE per candidate; a row
/// another worker took meanwhile no longer matches and is left alone.
async fn claim(
    db: &DatabaseConnection,
    batch: u64,
    lease_until: DateTime<Utc>,
) -> ServiceResult<Vec<notice::Model>> {
    let at = now();
    let due = || {
        notice::Entity::find()
            .filter(claimable(at))
            .order_by_asc(notice::Column::NextAttemptAt)
            .order_by_asc(notice::Column::Id)
            .limit(batch)
    };
    let mut claimed = Vec::new();
    if db.get_database_backend() == DbBackend::Postgres {
        let tx = db.begin().await?;
        let rows = due()
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&tx)
            .await?;
        if !rows.is_empty() {
            notice::Entity::update_many()
                .col_expr(notice::Column::LockedUntil, Expr::value(lease_until))
                .filter(notice::Column::Id.is_in(rows.iter().map(|n| n.id)))
                .exec(&tx)
                .await?;
        }
        tx.commit().await?;
        claimed = rows;
    } else {
        for candidate in due().all(db).await? {
            let taken = notice::Entity::update_many()
                .col_expr(notice::Column::LockedUntil, Expr::value(lease_until))
                .filter(notice::Column::Id.eq(candidate.id))
                .filter(claimable(at))
                .exec(db)
                .await?;
            if taken.rows_affected == 1 {
                claimed.push(candidate);
            }
        }
    }
    for n in &mut claimed {
        n.locked_until = Some(lease_until);
    }
    Ok(claimed)
}

/// An update of a claimed notice that only applies while this worker still holds its lease
/// (`locked_until` is the lease this worker set: no other claim can have set the same one).
fn while_leased(n: &notice::Model) -> UpdateMany<notice::Entity> {
    let mut update = notice::Entity::update_many().filter(notice::Column::Id.eq(n.id));
    if let Some(lease) = n.locked_until {
        update = update.filter(notice::Column::LockedUntil.eq(lease));
    }
    update.filter(notice::Column::EmailStatus.eq(EmailStatus::Pending))
}

/// [`while_leased`] that also gives the lease back; `true` when the row was still this
/// worker's and so changed.
async fn record_releasing(
    db: &impl ConnectionTrait,
    n: &notice::Model,
    change: impl FnOnce(UpdateMany<notice::Entity>) -> UpdateMany<notice::Entity>,
) -> ServiceResult<bool> {
    let update = while_leased(n).col_expr(
        notice::Column::LockedUntil,
        Expr::value(Option::<DateTime<Utc>>::None),
    );
    Ok(change(update).exec(db).await?.rows_affected == 1)
}

/// The reason kept in `last_error`, bounded.
fn last_error(text: &str) -> String {
    text.chars().take(LAST_ERROR_MAX_CHARS).collect()
}

async fn record_sent(db: &impl ConnectionTrait, n: &notice::Model) -> ServiceResult<bool> {
    // Scoped here: its `max`/`min` would shadow the integers' everywhere else.
    use sea_orm::ExprTrait;
    let at = now();
    record_releasing(db, n, |update| {
        update
            .col_expr(notice::Column::EmailStatus, Expr::value(EmailStatus::Sent))
            .col_expr(notice::Column::EmailTo, Expr::value(n.email_to.clone()))
            .col_expr(notice::Column::SentAt, Expr::value(at))
            .col_expr(
                notice::Column::Attempts,
                Expr::col(notice::Column::Attempts).add(1),
            )
    })
    .await
}

async fn record_failure(
    db: &impl ConnectionTrait,
    config: &Config,
    n: &notice::Model,
    error: &ServiceError,
) -> ServiceResult<bool> {
    let attempts = n.attempts.saturating_add(1);
    let next = now()
        + retry_delay(
            attempts,
            config.mail.backoff_seconds,
            config.mail.max_backoff_seconds,
        );
    record_releasing(db, n, |update| {
        update
            .col_expr(notice::Column::Attempts, Expr::value(attempts))
            .col_expr(
                notice::Column::LastError,
                Expr::value(last_error(&error.to_string())),
            )
            .col_expr(notice::Column::NextAttemptAt, Expr::value(next))
    })
    .await
}

/// Ends a notice without sending it: `status` is `skipped` (no consent or address any more)
/// or `failed` (refused for good), with the reason.
async fn record_final(
    db: &impl ConnectionTrait,
    n: &notice::Model,
    status: EmailStatus,
    reason: &str,
) -> ServiceResult<bool> {
    let attempts = if status == EmailStatus::Failed {
        n.attempts.saturating_add(1)
    } else {
        n.attempts
    };
    record_releasing(db, n, |update| {
        update
            .col_expr(notice::Column::EmailStatus, Expr::value(status))
            .col_expr(notice::Column::Attempts, Expr::value(attempts))
            .col_expr(notice::Column::LastError, Expr::value(last_error(reason)))
    })
    .await
}

/// Where each authorisation wants its notices now: its address, if it has one and consents.
async fn current_recipients(
    db: &impl ConnectionTrait,
    claimed: &[notice::Model],
) -> ServiceResult<HashMap<i64, String>> {
    let ids: Vec<i64> = claimed.iter().map(|n| n.authorisation_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(authorisation::Entity::find()
        .filter(authorisation::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|a| a.notices_consent)
        .filter_map(|a| {
            a.contact_email
                .filter(|e| !e.trim().is_empty())
                .map(|e| (a.id, e.trim().to_owned()))
        })
        .collect())
}

async fn release(db: &impl ConnectionTrait, n: &notice::Model) -> ServiceResult<()> {
    record_releasing(db, n, |update| update).await?;
    Ok(())
}

/// One round of the delivery worker: claims up to `batch` due notices and sends each.
///
/// A send is given at most a quarter of the lease, and no send starts unless it can finish
/// before the lease ends; the rest of the batch is given back for the next round. So while a
/// message is being handed over, no other worker can have claimed its notice.
pub async fn deliver_pending(
    services: &Services,
    transport: &dyn MailSender,
    batch: u64,
) -> ServiceResult<DeliveryReport> {
    let db = &services.db;
    let config = &services.config;
    let lease = chrono::Duration::seconds(config.mail.lease_seconds.max(4));
    let send_budget = lease / 4;
    let lease_until = now() + lease;
    let claimed = claim(db, batch, lease_until).await?;
    let mut report = DeliveryReport {
        claimed: claimed.len(),
        ..DeliveryReport::default()
    };
    let recipients = current_recipients(db, &claimed).await?;

    for n in &claimed {
        // Stopping (SIGTERM): what is not sent yet goes back at once, for another instance
        // or the next start, instead of waiting out the lease.
        if services.shutdown.is_cancelled() || now() + send_budget >= lease_until {
            release(db, n).await?;
            report.released += 1;
            continue;
        }
        // The authorisation's wishes now, not when the event happened.
        let Some(address) = recipients.get(&n.authorisation_id) else {
            report.skipped += 1;
            tracing::info!(
                notice = n.id,
                "notice email not sent: no contact address or consent any more"
            );
            record_final(
                db,
                n,
                EmailStatus::Skipped,
                "no contact address or consent when it was to be sent",
            )
            .await?;
            continue;
        };
        let n = &notice::Model {
            email_to: Some(address.clone()),
            ..n.clone()
        };
        let outcome = match compose(n, config) {
            Ok(mail) => match tokio::time::timeout(
                send_budget.to_std().unwrap_or(Duration::from_secs(30)),
                transport.send(&mail),
            )
            .await
            {
                Ok(result) => result,
                Err(_) => Err(ServiceError::Internal(format!(
                    "sending took longer than {}s",
                    send_budget.num_seconds()
                ))),
            },
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                report.sent += 1;
                if !record_sent(db, n).await? {
                    tracing::warn!(
                        notice = n.id,
                        "notice sent after its lease ended; another worker may send it again"
                    );
                }
            }
            Err(e @ ServiceError::MailRefused(_)) => {
                report.given_up += 1;
                metrics::counter!(MAIL_FAILURES, "outcome" => "refused").increment(1);
                tracing::error!(notice = n.id, error = %e, "notice email refused for good; not retried");
                if !record_final(db, n, EmailStatus::Failed, &e.to_string()).await? {
                    tracing::warn!(
                        notice = n.id,
                        "notice lease ended before its failure was recorded"
                    );
                }
            }
            Err(e) => {
                report.failed += 1;
                metrics::counter!(MAIL_FAILURES, "outcome" => "retry").increment(1);
                tracing::warn!(notice = n.id, attempt = n.attempts + 1, error = %e, "notice email not sent; will retry");
                if !record_failure(db, config, n, &e).await? {
                    tracing::warn!(
                        notice = n.id,
                        "notice lease ended before its failure was recorded"
                    );
                }
            }
        }
    }
    Ok(report)
}

/// The worker loop of a running server: a round whenever a milestone is committed
/// (`Services::mail_wakeup`) and every `mail.poll_seconds` (retries, other instances).
///
/// Returns once `Services::shutdown` is cancelled, after the round in progress (which gives
/// back the notices it has not sent yet).
pub async fn run_worker(services: Services, sender: Box<dyn MailSender>) {
    let poll = Duration::from_secs(services.config.mail.poll_seconds.max(1));
    while !services.shutdown.is_cancelled() {
        let full_batch = match deliver_pending(&services, sender.as_ref(), DELIVERY_BATCH).await {
            Ok(report) => {
                if report.sent + report.failed > 0 {
                    tracing::info!(sent = report.sent, failed = report.failed, "notice emails");
                }
                report.claimed as u64 == DELIVERY_BATCH
            }
            Err(e) => {
                tracing::warn!(error = %e, "mail delivery round failed");
                false
            }
        };
        if full_batch {
            // More may be waiting: go on at once.
            continue;
        }
        tokio::select! {
            _ = services.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = services.shutdown.cancelled() => {}
        }
    }
    tracing::info!("mail delivery stopped");
}

/// Notices whose email is still to go out, and when the oldest of them was written (the
/// outbox's backlog, for `/metrics`).
pub async fn backlog(db: &impl ConnectionTrait) -> ServiceResult<(u64, Option<DateTime<Utc>>)> {
    use sea_orm::PaginatorTrait;
    let pending =
        || notice::Entity::find().filter(notice::Column::EmailStatus.eq(EmailStatus::Pending));
    let count = pending().count(db).await?;
    let oldest: Option<DateTime<Utc>> = pending()
        .select_only()
        .column(notice::Column::CreatedAt)
        .order_by_asc(notice::Column::CreatedAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok((count, oldest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let d = |a| retry_delay(a, 10, 3600).num_seconds();
        assert_eq!((d(1), d(2), d(3), d(4)), (10, 20, 40, 80));
        assert_eq!(d(20), 3600);
        assert_eq!(d(i32::MAX), 3600);
        assert_eq!(d(0), 10);
    }
}
