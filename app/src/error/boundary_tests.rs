//! The boundary between services and the person: every `ServiceError` becomes the right
//! status and text; an internal one a generic text, its whole chain in the log and nowhere
//! else.

use super::AppError;
use axum::response::IntoResponse;
use casia_domain::dto::{RateLimit, UploadProblem};
use casia_domain::{FieldError, FieldProblem, Lang, Msg, Refusal};
use casia_services::ServiceError;
use std::sync::{Arc, Mutex};

#[test]
fn each_refusal_is_told_with_its_status_and_text() {
    let es = |m: Msg| m.t(Lang::Es);
    let cases: Vec<(ServiceError, u16, String)> = vec![
        (ServiceError::NotSignedIn, 401, es(Msg::ErrNotSignedIn)),
        (ServiceError::SessionExpired, 401, es(Msg::SessionExpired)),
        (ServiceError::BadCredentials, 401, es(Msg::ErrBadCredentials)),
        (
            ServiceError::SecondFactorPending,
            401,
            es(Msg::ErrSecondFactorPending),
        ),
        (ServiceError::Forbidden, 403, es(Msg::ErrForbidden)),
        (
            ServiceError::PickAuthorisation,
            403,
            es(Msg::ErrPickAuthorisation),
        ),
        (
            ServiceError::SecondFactorRequired,
            403,
            es(Msg::ErrSecondFactorRequired),
        ),
        (
            ServiceError::PasswordChangeRequired,
            403,
            es(Msg::ErrPasswordChangeRequired),
        ),
        (ServiceError::NotFound, 404, es(Msg::ErrNotFound)),
        (ServiceError::Conflict, 409, es(Msg::ErrConflict)),
        (
            ServiceError::Refused(Refusal::CaseClosed),
            409,
            casia_domain::i18n::refusal_text(Refusal::CaseClosed, Lang::Es).to_owned(),
        ),
        (
            ServiceError::invalid("email", FieldProblem::Required),
            422,
            es(Msg::ErrValidation),
        ),
        (
            ServiceError::Upload(UploadProblem::Empty),
            422,
            casia_domain::i18n::upload_problem_text(&UploadProblem::Empty, Lang::Es),
        ),
        (ServiceError::Busy, 429, es(Msg::ErrBusy)),
        (
            ServiceError::TooManyAttempts {
                retry_after_seconds: 90,
            },
            429,
            "Demasiados intentos fallidos. Por seguridad, espere 2 minutos antes de volver a intentarlo."
                .to_owned(),
        ),
        (
            ServiceError::TooManyRequests {
                limit: RateLimit::Verification,
                retry_after_seconds: 30,
            },
            429,
            casia_domain::i18n::rate_limit_text(RateLimit::Verification, 30, Lang::Es),
        ),
    ];
    for (service, status, text) in cases {
        let what = format!("{service:?}");
        let told = AppError::from(service);
        assert_ne!(told, AppError::Internal, "{what}");
        assert_eq!(told.status().as_u16(), status, "{what}");
        assert_eq!(told.message(Lang::Es), text, "{what}");
    }
    // Field problems travel whole, for the form to show beside each field.
    let told = AppError::from(ServiceError::invalid("email", FieldProblem::Required));
    assert_eq!(
        told.field_errors(),
        [FieldError::new("email", FieldProblem::Required)]
    );
}

/// Runs `f` with a log subscriber and returns what it logged.
fn logged<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let value = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    (value, text)
}

#[tokio::test]
async fn an_internal_failure_is_told_nothing_and_logged_with_its_chain() {
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disco protegido");
    let internal = [
        (
            ServiceError::failed("writing receipt", io),
            "writing receipt: disco protegido",
        ),
        (
            ServiceError::Db(sea_orm::DbErr::Custom(
                "relation users does not exist".into(),
            )),
            "relation users does not exist",
        ),
        (
            ServiceError::Storage("bucket casia-private: 403".into()),
            "bucket casia-private: 403",
        ),
        (
            ServiceError::MailRefused("smtp: 550 no such user".into()),
            "550 no such user",
        ),
        (
            ServiceError::Internal("TOTP: bad secret".into()),
            "TOTP: bad secret",
        ),
    ];
    for (service, cause) in internal {
        let (told, log) = logged(|| AppError::from(service));
        assert_eq!(told, AppError::Internal);
        assert_eq!(told.message(Lang::Es), Msg::ErrInternal.t(Lang::Es));
        assert!(
            log.contains("request failed") && log.contains(cause),
            "{log}"
        );
        assert_eq!(log.lines().count(), 1, "logged once: {log}");
        // The answer says 500 and nothing of the cause.
        let response = told.into_response();
        assert_eq!(response.status().as_u16(), 500);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(body, "\"Internal\"".as_bytes());
    }
    // A refusal is no failure of ours: nothing is logged.
    let (_, log) = logged(|| AppError::from(ServiceError::NotFound));
    assert!(log.is_empty(), "{log}");
}

#[tokio::test]
async fn a_plain_route_answers_with_the_status_json_and_retry_after() {
    let response = AppError::from(ServiceError::TooManyRequests {
        limit: RateLimit::VerificationBusy,
        retry_after_seconds: 0,
    })
    .into_response();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()[http::header::RETRY_AFTER], "1");
    assert_eq!(
        response.headers()[http::header::CONTENT_TYPE],
        "application/json"
    );
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    let back: AppError = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        back,
        AppError::TooManyRequests {
            limit: RateLimit::VerificationBusy,
            retry_after_seconds: 0
        }
    );
    let response = AppError::NotFound.into_response();
    assert_eq!(response.status().as_u16(), 404);
    assert!(response.headers().get(http::header::RETRY_AFTER).is_none());
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(body, "\"NotFound\"".as_bytes());
}
