//! Notice emails: how a notice reads (Spanish or English, plain text and HTML) and the
//! delivery worker that sends the pending ones.
//!
//! The `notices` row is the outbox: it is written in the transaction of the case change, so a
//! notice exists exactly when its event happened. The worker claims rows with a lease
//! (`locked_until`), sends them, and records the outcome only while it still holds the lease,
//! so two workers (one per server instance) never send the same notice. A failed send is
//! retried with exponential backoff for as long as it takes: nothing is dropped.
//!
//! Consent and address are read again when the notice is sent: a main user who withdraws
//! consent, or changes the address, while notices wait (mail server down) is obeyed. A
//! refusal that retrying cannot cure (an SMTP 5xx, an address no server accepts) ends the
//! notice as `failed`, recorded with the reason, instead of being retried for ever.
//!
//! One corner stays at-least-once: if the mail server accepted a message and recording
//! "sent" then failed, the notice goes out again after its lease. Its `Message-ID` is the
//! same every time, so the receiving side can drop the copy.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use casia_domain::i18n::{notice_subject, notice_text};
use casia_domain::model::NoticeKind;
use casia_domain::{Lang, Msg};
use chrono::{DateTime, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::clock::now;
use crate::config::SmtpConfig;
use crate::entity::{authorisation, notice};
use crate::error::{ServiceError, ServiceResult};
use crate::notices::{NoticePayload, email_status};
use crate::{Config, Services};

/// How many notices one round of the worker claims.
pub const DELIVERY_BATCH: u64 = 20;

/// `last_error` keeps this many characters: enough to diagnose, bounded in the table.
const LAST_ERROR_MAX_CHARS: usize = 500;

// ---------------------------------------------------------------------------------------
// Rendering

/// A notice as an email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A notice as the in-app inbox (`Buzón`) shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxText {
    pub subject: String,
    pub body: String,
}

/// The notice's event and what it carries. A row this service did not write is an internal
/// error, never shown to anyone.
pub fn decode(n: &notice::Model) -> ServiceResult<(NoticeKind, NoticePayload)> {
    let kind = NoticeKind::from_code(&n.kind).ok_or_else(|| {
        ServiceError::Internal(format!("notice {}: unknown kind {:?}", n.id, n.kind))
    })?;
    let payload: NoticePayload = serde_json::from_str(&n.payload)
        .map_err(|e| ServiceError::Internal(format!("notice {}: bad payload: {e}", n.id)))?;
    Ok((kind, payload))
}

/// Where the email's link takes the user: the case's detail page.
pub fn case_link(public_url: &str, case_number: &str) -> String {
    format!(
        "{}/casia/casos/{}",
        public_url.trim_end_matches('/'),
        case_number
    )
}

/// The mail's language is the one recorded with the notice (that of the person who opened
/// the case): English when it says so, Spanish otherwise.
fn mail_lang(n: &notice::Model) -> Lang {
    if n.lang == Lang::En.code() {
        Lang::En
    } else {
        Lang::Es
    }
}

/// The processor's text, when there is one worth showing.
fn visible_message(payload: &NoticePayload) -> Option<&str> {
    payload
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
}

/// The email of a notice, in the notice's language.
pub fn render(n: &notice::Model, public_url: &str) -> ServiceResult<RenderedMail> {
    let (kind, payload) = decode(n)?;
    let lang = mail_lang(n);
    let subject = notice_subject(kind, lang, &payload.case_number);
    let words = notice_text(kind, lang, &payload.case_number, &payload.case_title);
    let link = case_link(public_url, &payload.case_number);
    let message = visible_message(&payload);

    let mut text = format!(
        "{}\n\n{}\n\n",
        Msg::NoticeGreeting.text(lang),
        words.summary
    );
    if let Some(m) = message {
        text.push_str(&format!("{}\n{}\n\n", words.message_label, m));
    }
    text.push_str(&format!(
        "{}\n\n{} {}\n\n-- \n{}\n{}\n",
        words.next_step,
        Msg::NoticeCaseLink.text(lang),
        link,
        Msg::NoticeAutomatic.text(lang),
        Msg::NoticeWhyReceived.text(lang),
    ));

    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><title>{subject}</title></head>\n\
         <body style=\"font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; line-height: 1.5;\">\n\
         <p>{greeting}</p>\n<p>{summary}</p>\n",
        lang = lang.code(),
        subject = escape_html(&subject),
        greeting = escape_html(Msg::NoticeGreeting.text(lang)),
        summary = escape_html(&words.summary),
    );
    if let Some(m) = message {
        html.push_str(&format!(
            "<p><strong>{}</strong></p>\n<blockquote style=\"margin: 0 0 1em 0; padding: 0.5em 1em; border-left: 4px solid #b0b0b0; white-space: pre-wrap;\">{}</blockquote>\n",
            escape_html(words.message_label),
            escape_html(m),
        ));
    }
    html.push_str(&format!(
        "<p>{next}</p>\n<p><a href=\"{href}\">{open}</a><br>{link_label} {href}</p>\n<hr>\n\
         <p style=\"font-size: 0.85em; color: #555555;\">{automatic}<br>{why}</p>\n</body>\n</html>\n",
        next = escape_html(words.next_step),
        href = escape_html(&link),
        open = escape_html(Msg::NoticeOpenCase.text(lang)),
        link_label = escape_html(Msg::NoticeCaseLink.text(lang)),
        automatic = escape_html(Msg::NoticeAutomatic.text(lang)),
        why = escape_html(Msg::NoticeWhyReceived.text(lang)),
    ));
    Ok(RenderedMail {
        subject,
        text,
        html,
    })
}

/// The same notice for the inbox, in the reader's language (which may differ from the
/// mail's): no greeting, link or footer, the page supplies those.
pub fn render_for_inbox(n: &notice::Model, lang: Lang) -> ServiceResult<InboxText> {
    let (kind, payload) = decode(n)?;
    let words = notice_text(kind, lang, &payload.case_number, &payload.case_title);
    let mut body = words.summary;
    if let Some(m) = visible_message(&payload) {
        body.push_str(&format!("\n\n{}\n{}", words.message_label, m));
    }
    body.push_str(&format!("\n\n{}", words.next_step));
    Ok(InboxText {
        subject: notice_subject(kind, lang, &payload.case_number),
        body,
    })
}

/// Text made safe for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Messages and senders

/// A rendered notice on its way out.
#[derive(Clone, Debug)]
pub struct OutgoingMail {
    pub notice_id: i64,
    pub kind: String,
    pub message: Message,
}

/// The host part of the public address (`https://casia.example.es:8443/x` → `casia.example.es`).
fn public_host(public_url: &str) -> String {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        "casia.localhost".to_owned()
    } else {
        host.to_ascii_lowercase()
    }
}

/// The same for every send of one notice, so that a receiving server can drop a repeat.
pub fn message_id(notice_id: i64, public_url: &str) -> String {
    format!("<casia-notice-{notice_id}@{}>", public_host(public_url))
}

/// Builds the RFC 5322 message of a pending notice.
pub fn compose(n: &notice::Model, config: &Config) -> ServiceResult<OutgoingMail> {
    let rendered = render(n, &config.public_url)?;
    let from: Mailbox = config.mail.from.parse().map_err(|e| {
        ServiceError::Internal(format!(
            "mail.from {:?} is not an address: {e}",
            config.mail.from
        ))
    })?;
    let address = n.email_to.as_deref().ok_or_else(|| {
        ServiceError::Internal(format!("notice {} is pending without an address", n.id))
    })?;
    let to: Mailbox = address.parse().map_err(|e| {
        ServiceError::MailRefused(format!("notice {}: address {address:?} refused: {e}", n.id))
    })?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(message_id(n.id, &config.public_url)))
        .date(SystemTime::from(n.created_at))
        // RFC 3834: tells vacation responders not to answer.
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_owned()))
        .multipart(MultiPart::alternative_plain_html(rendered.text, rendered.html))
        .map_err(|e| ServiceError::Internal(format!("notice {}: building the message: {e}", n.id)))?;
    Ok(OutgoingMail {
        notice_id: n.id,
        kind: n.kind.clone(),
        message,
    })
}

/// Where notice emails go: an SMTP server, or files when none is configured.
#[async_trait]
pub trait MailSender: Send + Sync {
    /// Hands the message over; `Ok` means the receiving side took responsibility for it.
    async fn send(&self, mail: &OutgoingMail) -> ServiceResult<()>;
}

/// Sends through an SMTP server (`[smtp]` in the configuration).
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    pub fn new(c: &SmtpConfig) -> ServiceResult<SmtpSender> {
        let smtp_error = |e: lettre::transport::smtp::Error| {
            ServiceError::Internal(format!("smtp {}: {e}", c.host))
        };
        let mut builder = match c.tls.trim().to_ascii_lowercase().as_str() {
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.host.as_str()),
            "starttls" => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host).map_err(smtp_error)?
            }
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).map_err(smtp_error)?,
            other => {
                return Err(ServiceError::Internal(format!(
                    "smtp.tls must be none, starttls or tls, not {other:?}"
                )));
            }
        }
        .port(c.port)
        .timeout(Some(Duration::from_secs(c.timeout_seconds.max(1))));
        if let Some(user) = c.username.as_deref().filter(|u| !u.trim().is_empty()) {
            builder = builder.credentials(Credentials::new(
                user.to_owned(),
                c.password.clone().unwrap_or_default(),
            ));
        }
        Ok(SmtpSender {
            transport: builder.build(),
        })
    }
}

#[async_trait]
impl MailSender for SmtpSender {
    async fn send(&self, mail: &OutgoingMail) -> ServiceResult<()> {
        self.transport
            .send(mail.message.clone())
            .await
            .map(|_| ())
            .map_err(|e| {
                // 5xx: the server will say the same next time.
                if e.is_permanent() {
                    ServiceError::MailRefused(format!("smtp: {e}"))
                } else {
                    ServiceError::Internal(format!("smtp: {e}"))
                }
            })
    }
}

/// Writes each message as `<notice id>-<kind>.eml` into a directory (the outbox when no SMTP
/// server is configured): a file appears whole or not at all, and a resend overwrites it.
pub struct FileSender {
    dir: PathBuf,
}

impl FileSender {
    pub fn new(dir: PathBuf) -> FileSender {
        FileSender { dir }
    }

    pub fn file_name(mail: &OutgoingMail) -> String {
        let kind: String = mail
            .kind
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        format!("{}-{kind}.eml", mail.notice_id)
    }
}

#[async_trait]
impl MailSender for FileSender {
    async fn send(&self, mail: &OutgoingMail) -> ServiceResult<()> {
        let dir = self.dir.clone();
        let name = FileSender::file_name(mail);
        let bytes = mail.message.formatted();
        tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
            .await
            .map_err(|e| ServiceError::Internal(format!("writing mail file: {e}")))?
    }
}

fn write_atomically(dir: &std::path::Path, name: &str, bytes: &[u8]) -> ServiceResult<()> {
    use std::io::Write;
    let storage = |what: &str, path: &std::path::Path, e: std::io::Error| {
        ServiceError::Storage(format!("{what} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| storage("creating", dir, e))?;
    let temp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let target = dir.join(name);
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, &target)) {
        std::fs::remove_file(&temp).ok();
        return Err(storage("writing", &target, e));
    }
    Ok(())
}

/// The sender the configuration asks for: SMTP when `[smtp]` is set, files otherwise.
pub fn sender_for(config: &Config) -> ServiceResult<Box<dyn MailSender>> {
    match &config.smtp {
        Some(smtp) => Ok(Box::new(SmtpSender::new(smtp)?)),
        None => Ok(Box::new(FileSender::new(config.outbox_dir()))),
    }
}

// ---------------------------------------------------------------------------------------
// Delivery

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
        .add(notice::Column::EmailStatus.eq(email_status::PENDING))
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
fn while_leased(n: &notice::Model) -> sea_orm::UpdateMany<notice::Entity> {
    let mut update = notice::Entity::update_many().filter(notice::Column::Id.eq(n.id));
    if let Some(lease) = n.locked_until {
        update = update.filter(notice::Column::LockedUntil.eq(lease));
    }
    update.filter(notice::Column::EmailStatus.eq(email_status::PENDING))
}

async fn record_sent(db: &impl ConnectionTrait, n: &notice::Model) -> ServiceResult<bool> {
    // Scoped here: its `max`/`min` would shadow the integers' everywhere else.
    use sea_orm::ExprTrait;
    let at = now();
    let done = while_leased(n)
        .col_expr(notice::Column::EmailStatus, Expr::value(email_status::SENT))
        .col_expr(notice::Column::EmailTo, Expr::value(n.email_to.clone()))
        .col_expr(notice::Column::SentAt, Expr::value(at))
        .col_expr(
            notice::Column::Attempts,
            Expr::col(notice::Column::Attempts).add(1),
        )
        .col_expr(
            notice::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
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
    let text: String = error
        .to_string()
        .chars()
        .take(LAST_ERROR_MAX_CHARS)
        .collect();
    let done = while_leased(n)
        .col_expr(notice::Column::Attempts, Expr::value(attempts))
        .col_expr(notice::Column::LastError, Expr::value(text))
        .col_expr(notice::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            notice::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Ends a notice without sending it: `status` is `skipped` (no consent or address any more)
/// or `failed` (refused for good), with the reason.
async fn record_final(
    db: &impl ConnectionTrait,
    n: &notice::Model,
    status: &str,
    reason: &str,
) -> ServiceResult<bool> {
    let text: String = reason.chars().take(LAST_ERROR_MAX_CHARS).collect();
    let attempts = if status == email_status::FAILED {
        n.attempts.saturating_add(1)
    } else {
        n.attempts
    };
    let done = while_leased(n)
        .col_expr(notice::Column::EmailStatus, Expr::value(status))
        .col_expr(notice::Column::Attempts, Expr::value(attempts))
        .col_expr(notice::Column::LastError, Expr::value(text))
        .col_expr(
            notice::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
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
    while_leased(n)
        .col_expr(
            notice::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(db)
        .await?;
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
        if now() + send_budget >= lease_until {
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
                email_status::SKIPPED,
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
                tracing::error!(notice = n.id, error = %e, "notice email refused for good; not retried");
                if !record_final(db, n, email_status::FAILED, &e.to_string()).await? {
                    tracing::warn!(
                        notice = n.id,
                        "notice lease ended before its failure was recorded"
                    );
                }
            }
            Err(e) => {
                report.failed += 1;
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
pub async fn run_worker(services: Services, sender: Box<dyn MailSender>) {
    let poll = Duration::from_secs(services.config.mail.poll_seconds.max(1));
    loop {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice_of(kind: NoticeKind, lang: &str, message: Option<&str>) -> notice::Model {
        let payload = NoticePayload {
            case_number: "2026-0000042".into(),
            case_title: "Baja de <b>trabajador</b> & \"otros\"".into(),
            message: message.map(str::to_owned),
        };
        notice::Model {
            id: 7,
            authorisation_id: 1,
            case_id: Some(3),
            kind: kind.code().into(),
            lang: lang.into(),
            payload: serde_json::to_string(&payload).unwrap(),
            created_at: Utc::now(),
            email_status: email_status::PENDING.into(),
            email_to: Some("avisos@gestoria.es".into()),
            attempts: 0,
            next_attempt_at: None,
            locked_until: None,
            sent_at: None,
            last_error: None,
        }
    }

    #[test]
    fn spanish_mail_says_what_to_do_and_links_the_case() {
        let n = notice_of(
            NoticeKind::InformationRequested,
            "es",
            Some("Aporte el modelo TA.2/S firmado."),
        );
        let m = render(&n, "https://casia.example.es/").unwrap();
        assert_eq!(m.subject, "Caso 2026-0000042: Solicitud de información");
        for text in [&m.text, &m.html] {
            assert!(text.contains("2026-0000042"));
            assert!(text.contains("Aporte el modelo TA.2/S firmado."));
            assert!(text.contains("Modificar Información"));
            assert!(text.contains("no por correo electrónico"));
            assert!(text.contains("https://casia.example.es/casia/casos/2026-0000042"));
        }
        assert!(m.html.contains("<html lang=\"es\">"));
    }

    #[test]
    fn english_when_the_notice_is_english() {
        let n = notice_of(
            NoticeKind::CancellationRejected,
            "en",
            Some("The case is already being processed."),
        );
        let m = render(&n, "http://localhost:3000").unwrap();
        assert_eq!(m.subject, "Case 2026-0000042: Cancellation rejected");
        assert!(
            m.text
                .contains("Reasons for the rejection:\nThe case is already being processed.")
        );
        assert!(m.text.contains("Dear authorised user"));
        assert!(m.html.contains("<html lang=\"en\">"));
        // Any other code falls back to Spanish.
        let m = render(
            &notice_of(NoticeKind::Resolved, "xx", None),
            "http://localhost:3000",
        )
        .unwrap();
        assert!(m.subject.starts_with("Caso "));
    }

    #[test]
    fn case_opened_tells_the_assigned_number() {
        let m = render(&notice_of(NoticeKind::CaseOpened, "es", None), "http://h").unwrap();
        assert!(
            m.text
                .contains("El número de caso asignado es 2026-0000042.")
        );
        // No processor text: no empty heading.
        assert!(!m.text.contains("Observaciones:"));
    }

    #[test]
    fn user_text_is_escaped_in_html_and_left_alone_in_plain_text() {
        let n = notice_of(
            NoticeKind::Resolved,
            "es",
            Some("<script>alert('x')</script>\nSegunda línea & fin"),
        );
        let m = render(&n, "http://h").unwrap();
        assert!(!m.html.contains("<script>"));
        assert!(!m.html.contains("<b>trabajador</b>"));
        assert!(
            m.html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        );
        assert!(
            m.html
                .contains("Baja de &lt;b&gt;trabajador&lt;/b&gt; &amp; &quot;otros&quot;")
        );
        assert!(
            m.text
                .contains("<script>alert('x')</script>\nSegunda línea & fin")
        );
    }

    #[test]
    fn inbox_text_follows_the_reader_language() {
        let n = notice_of(NoticeKind::Resolved, "es", Some("Tramitado."));
        let es = render_for_inbox(&n, Lang::Es).unwrap();
        let en = render_for_inbox(&n, Lang::En).unwrap();
        assert_eq!(es.subject, "Caso 2026-0000042: Caso resuelto");
        assert_eq!(en.subject, "Case 2026-0000042: Case resolved");
        assert!(es.body.contains("Resolución:\nTramitado."));
        assert!(en.body.contains("Resolution:\nTramitado."));
        assert!(!es.body.contains("http"));
    }

    #[test]
    fn a_broken_row_is_an_internal_error() {
        let mut n = notice_of(NoticeKind::Resolved, "es", None);
        n.payload = "{".into();
        assert!(matches!(
            render(&n, "http://h"),
            Err(ServiceError::Internal(_))
        ));
        let mut n = notice_of(NoticeKind::Resolved, "es", None);
        n.kind = "nope".into();
        assert!(matches!(
            render_for_inbox(&n, Lang::Es),
            Err(ServiceError::Internal(_))
        ));
    }

    #[test]
    fn message_ids_are_stable_and_name_the_public_host() {
        assert_eq!(
            message_id(7, "https://casia.example.es:8443/base"),
            "<casia-notice-7@casia.example.es>"
        );
        assert_eq!(
            message_id(7, "http://127.0.0.1:3000"),
            "<casia-notice-7@127.0.0.1>"
        );
        assert_eq!(message_id(7, ""), "<casia-notice-7@casia.localhost>");
        assert_eq!(message_id(7, "http://[::1]:3000"), "<casia-notice-7@[::1]>");
    }

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let d = |a| retry_delay(a, 10, 3600).num_seconds();
        assert_eq!((d(1), d(2), d(3), d(4)), (10, 20, 40, 80));
        assert_eq!(d(20), 3600);
        assert_eq!(d(i32::MAX), 3600);
        assert_eq!(d(0), 10);
    }

    #[test]
    fn composed_message_has_both_parts_and_the_stable_id() {
        let mut config = Config {
            public_url: "https://casia.example.es".into(),
            ..Config::default()
        };
        config.fill_derived();
        let mail = compose(
            &notice_of(NoticeKind::Resolved, "es", Some("Hecho.")),
            &config,
        )
        .unwrap();
        let raw = String::from_utf8(mail.message.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <casia-notice-7@casia.example.es>"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert_eq!(FileSender::file_name(&mail), "7-resolved.eml");
    }
}
