//! Notice emails as RFC 5322 messages, and the senders that hand them over (SMTP or files).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::render::render;
use crate::Config;
use crate::config::SmtpConfig;
use crate::entity::notice;
use crate::error::{ServiceError, ServiceResult};

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

#[cfg(test)]
mod tests {
    use casia_domain::model::NoticeKind;

    use super::*;
    use crate::mail::test_support::notice_of;

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
