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

mod render;
mod send;
mod worker;

pub use render::{InboxText, RenderedMail, case_link, decode, render, render_for_inbox};
pub use send::{FileSender, MailSender, OutgoingMail, SmtpSender, compose, message_id, sender_for};
pub use worker::{
    DELIVERY_BATCH, DeliveryReport, MAIL_FAILURES, backlog, deliver_pending, retry_delay,
    run_worker,
};

#[cfg(test)]
mod test_support {
    use casia_domain::model::NoticeKind;
    use chrono::Utc;

    use crate::entity::notice;
    use crate::notices::{EmailStatus, NoticePayload};

    pub(super) fn notice_of(kind: NoticeKind, lang: &str, message: Option<&str>) -> notice::Model {
        let payload = NoticePayload {
            case_number: "2026-0000042".into(),
            case_title: "Baja de <b>trabajador</b> & \"otros\"".into(),
            message: message.map(str::to_owned),
            answer_deadline: (kind == NoticeKind::InformationRequested)
                .then(|| "16/12/2026".to_owned()),
        };
        notice::Model {
            id: 7,
            authorisation_id: 1,
            case_id: Some(3),
            kind,
            lang: lang.into(),
            payload: serde_json::to_string(&payload).unwrap(),
            created_at: Utc::now(),
            email_status: EmailStatus::Pending,
            email_to: Some("avisos@gestoria.es".into()),
            attempts: 0,
            next_attempt_at: None,
            locked_until: None,
            sent_at: None,
            last_error: None,
        }
    }
}
