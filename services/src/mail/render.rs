//! How a notice reads: the email (plain text and HTML) and the in-app inbox text.

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
}
