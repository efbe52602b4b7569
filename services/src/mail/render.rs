//! How a notice reads: the email (plain text and HTML) and the in-app inbox text.

use std::fmt;

use askama::Template;
use casia_domain::i18n::{notice_subject, notice_text};
use casia_domain::model::NoticeKind;
use casia_domain::{Lang, Msg};

use crate::entity::notice;
use crate::error::{ServiceError, ServiceResult};
use crate::notices::NoticePayload;

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
    let kind = n.kind;
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
    let deadline = payload
        .answer_deadline
        .as_deref()
        .map(|d| (Msg::FechaLimiteAportar.text(lang), d));
    if let Some((label, d)) = deadline {
        text.push_str(&format!("{label}: {d}\n\n"));
    }
    text.push_str(&format!(
        "{}\n\n{} {}\n\n-- \n{}\n{}\n",
        words.next_step,
        Msg::NoticeCaseLink.text(lang),
        link,
        Msg::NoticeAutomatic.text(lang),
        Msg::NoticeWhyReceived.text(lang),
    ));

    let html = NoticeHtml {
        lang: lang.code(),
        subject: &subject,
        greeting: Msg::NoticeGreeting.text(lang),
        summary: &words.summary,
        message: message.map(|m| (words.message_label, m)),
        deadline,
        next_step: words.next_step,
        link: &link,
        open_case: Msg::NoticeOpenCase.text(lang),
        link_label: Msg::NoticeCaseLink.text(lang),
        automatic: Msg::NoticeAutomatic.text(lang),
        why: Msg::NoticeWhyReceived.text(lang),
    }
    .render()
    .map_err(|e| ServiceError::Internal(format!("notice {}: rendering the mail: {e}", n.id)))?;
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
    if let Some(d) = &payload.answer_deadline {
        body.push_str(&format!("\n\n{}: {d}", Msg::FechaLimiteAportar.text(lang)));
    }
    body.push_str(&format!("\n\n{}", words.next_step));
    Ok(InboxText {
        subject: notice_subject(kind, lang, &payload.case_number),
        body,
    })
}

/// The HTML part of a notice email (`templates/mail/notice.html`). Every value is escaped by
/// the template.
#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    summary: &'a str,
    /// The heading and the processor's text, when there is one.
    message: Option<(&'a str, &'a str)>,
    /// Plazos: the label and the user's deadline to answer, while asked.
    deadline: Option<(&'a str, &'a str)>,
    next_step: &'a str,
    link: &'a str,
    open_case: &'a str,
    link_label: &'a str,
    automatic: &'a str,
    why: &'a str,
}

/// The escaper of the `.html` templates (see `askama.toml`): text made safe for element
/// content and attribute values with the named entities mail has always carried, where
/// askama's own writes numeric ones (`&#38;` for `&amp;`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MailHtml;

impl askama::filters::Escaper for MailHtml {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let mut written = 0;
        for (at, byte) in text.bytes().enumerate() {
            let entity = match byte {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&text[written..at])?;
            dest.write_str(entity)?;
            written = at + 1;
        }
        dest.write_str(&text[written..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::test_support::notice_of;

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
            // Plazos: the user's deadline to answer.
            assert!(text.contains("Fecha límite para aportar la información: 16/12/2026"));
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
    }
}
