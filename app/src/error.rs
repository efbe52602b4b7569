//! The one error type every server function returns: safe to show, never carrying a
//! database's or a library's text. The page turns it into a message in the person's language.

use casia_domain::dto::{RateLimit, UploadProblem};
use casia_domain::i18n::{field_problem_text, rate_limit_text, refusal_text, upload_problem_text};
use casia_domain::{FieldError, Lang, Msg, Refusal};
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself could not be read (undecodable or missing arguments): a client's
    /// mistake, never the server's.
    #[error("bad request")]
    BadRequest,
    #[error("not signed in")]
    NotSignedIn,
    #[error("session expired")]
    SessionExpired,
    #[error("forbidden")]
    Forbidden,
    #[error("authorisation not chosen")]
    PickAuthorisation,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("refused")]
    Refused(Refusal),
    #[error("conflict")]
    Conflict,
    #[error("bad credentials")]
    BadCredentials,
    /// Staff must turn on two-step verification before anything else.
    #[error("second factor required")]
    SecondFactorRequired,
    /// The login's second step (a code) has not been passed yet.
    #[error("second factor pending")]
    SecondFactorPending,
    /// Password guesses are being slowed down: wait this long before the next try.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_seconds: i64 },
    /// Too many password checks at once in the whole service: try again shortly.
    #[error("busy")]
    Busy,
    /// An administrator reset the password: only `/cuenta` (to choose a new one) and
    /// logging out are open.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("upload refused")]
    Upload(UploadProblem),
    /// The request never reached the server, or its answer never came back.
    #[error("network")]
    Network,
    #[error("internal")]
    Internal,
    /// A state-changing request that did not come from Casia's own pages (CSRF layer).
    #[error("cross-site request")]
    CrossSite,
    /// A rate, quota or concurrency limit; the answer carries `Retry-After` too.
    #[error("too many requests")]
    TooManyRequests {
        limit: RateLimit,
        retry_after_seconds: u64,
    },
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these come from reading the request: its arguments did not decode.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::BadRequest,
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network,
            #[cfg(feature = "ssr")]
            other => {
                tracing::error!(error = %other, "server function failed outside its body");
                AppError::Internal
            }
            #[cfg(not(feature = "ssr"))]
            _ => AppError::Internal,
        }
    }
}

impl AppError {
    /// The sentence shown to the person.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::BadRequest => match lang {
                Lang::Es => "La solicitud no es válida".to_owned(),
                Lang::En => "The request is not valid".to_owned(),
            },
            AppError::NotSignedIn => Msg::ErrNotSignedIn.t(lang),
            AppError::SessionExpired => Msg::SessionExpired.t(lang),
            AppError::Forbidden => Msg::ErrForbidden.t(lang),
            AppError::PickAuthorisation => Msg::ErrPickAuthorisation.t(lang),
            AppError::NotFound => Msg::ErrNotFound.t(lang),
            AppError::Invalid(errors) => match errors.as_slice() {
                [only] if only.field.is_empty() => field_problem_text(&only.problem, lang),
                _ => Msg::ErrValidation.t(lang),
            },
            AppError::Refused(r) => refusal_text(*r, lang).to_owned(),
            AppError::Conflict => Msg::ErrConflict.t(lang),
            AppError::BadCredentials => Msg::ErrBadCredentials.t(lang),
            AppError::SecondFactorRequired => Msg::ErrSecondFactorRequired.t(lang),
            AppError::SecondFactorPending => Msg::ErrSecondFactorPending.t(lang),
            AppError::TooManyAttempts {
                retry_after_seconds,
            } => {
                let wait = wait_text(*retry_after_seconds, lang);
                match lang {
                    Lang::Es => format!(
                        "Demasiados intentos fallidos. Por seguridad, espere {wait} antes de volver a intentarlo."
                    ),
                    Lang::En => format!(
                        "Too many failed attempts. For your security, wait {wait} before trying again."
                    ),
                }
            }
            AppError::Busy => Msg::ErrBusy.t(lang),
            AppError::PasswordChangeRequired => Msg::ErrPasswordChangeRequired.t(lang),
            AppError::Upload(p) => upload_problem_text(p, lang),
            AppError::Network => Msg::ErrNetwork.t(lang),
            AppError::Internal => Msg::ErrInternal.t(lang),
            AppError::CrossSite => AppError::cross_site_text(lang).to_owned(),
            AppError::TooManyRequests {
                limit,
                retry_after_seconds,
            } => rate_limit_text(*limit, *retry_after_seconds, lang),
        }
    }

    /// Also the text of the CSRF layer's own 403 page.
    pub fn cross_site_text(lang: Lang) -> &'static str {
        match lang {
            Lang::Es => {
                "Por seguridad, se ha rechazado una petición que no procede de las páginas de Casia. Vuelva a la página y repita la operación."
            }
            Lang::En => {
                "For your security, a request that did not come from Casia's pages was refused. Go back to the page and try again."
            }
        }
    }

    /// Problems tied to form fields (empty for other errors).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

/// "45 segundos", "1 minuto", "3 minutos" (rounded up to whole minutes past one minute).
fn wait_text(seconds: i64, lang: Lang) -> String {
    let seconds = seconds.max(1);
    let (n, es, en) = if seconds < 60 {
        (seconds, ("segundo", "segundos"), ("second", "seconds"))
    } else {
        (
            (seconds + 59) / 60,
            ("minuto", "minutos"),
            ("minute", "minutes"),
        )
    };
    let unit = match (lang, n == 1) {
        (Lang::Es, true) => es.0,
        (Lang::Es, false) => es.1,
        (Lang::En, true) => en.0,
        (Lang::En, false) => en.1,
    };
    format!("{n} {unit}")
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;
    use axum::Json;
    use axum::response::{IntoResponse, Response};
    use casia_services::ServiceError;
    use casia_services::error::chain;
    use http::{HeaderValue, StatusCode};

    impl AppError {
        /// The HTTP status of every answer carrying this error, whatever raised it: the one
        /// mapping (see `server::status_follows_the_error`). 500 only for the server's faults.
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::BadRequest => StatusCode::BAD_REQUEST,
                AppError::NotSignedIn
                | AppError::SessionExpired
                | AppError::BadCredentials
                | AppError::SecondFactorPending => StatusCode::UNAUTHORIZED,
                AppError::Forbidden
                | AppError::PickAuthorisation
                | AppError::CrossSite
                | AppError::SecondFactorRequired
                | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
                AppError::NotFound => StatusCode::NOT_FOUND,
                AppError::Invalid(_) | AppError::Upload(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Refused(_) | AppError::Conflict => StatusCode::CONFLICT,
                AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                // Busy: too many checks at once in the whole service. Still a "slow down, try
                // again in a moment" (429 with Retry-After): a client's flood must never be able
                // to make the server answer with a 5xx.
                AppError::Busy => StatusCode::TOO_MANY_REQUESTS,
                AppError::Network | AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            }
        }

        /// Seconds for a `Retry-After` header, for errors that say when to try again.
        pub fn retry_after_seconds(&self) -> Option<u64> {
            match self {
                AppError::TooManyRequests {
                    retry_after_seconds,
                    ..
                } => Some((*retry_after_seconds).max(1)),
                AppError::Busy => Some(1),
                AppError::TooManyAttempts {
                    retry_after_seconds,
                } => Some((*retry_after_seconds).max(1) as u64),
                _ => None,
            }
        }
    }

    /// The answer of a plain route that failed: the status, `Retry-After` where it applies,
    /// and the error as JSON (the same body a server function's error answer carries).
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let mut response = (self.status(), Json(&self)).into_response();
            if let Some(seconds) = self.retry_after_seconds() {
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    }

    /// The boundary between the services and the person: what a service refused is told (in
    /// the browser's own vocabulary); a failure of the server itself is told only that it
    /// failed, and logged here, once, with its whole `source()` chain.
    impl From<ServiceError> for AppError {
        fn from(e: ServiceError) -> Self {
            told(e).unwrap_or_else(|internal| {
                tracing::error!(error = %chain(&internal), "request failed");
                AppError::Internal
            })
        }
    }

    /// What the person is told of a service's refusal, or the error itself when it is the
    /// server's own failure (a database, storage or mail fault, a bug), of which they are told
    /// nothing.
    fn told(e: ServiceError) -> Result<AppError, ServiceError> {
        Ok(match e {
            ServiceError::NotSignedIn => AppError::NotSignedIn,
            ServiceError::SessionExpired => AppError::SessionExpired,
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::PickAuthorisation => AppError::PickAuthorisation,
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Invalid(errors) => AppError::Invalid(errors),
            ServiceError::Refused(r) => AppError::Refused(r),
            ServiceError::Conflict => AppError::Conflict,
            ServiceError::BadCredentials => AppError::BadCredentials,
            ServiceError::SecondFactorRequired => AppError::SecondFactorRequired,
            ServiceError::SecondFactorPending => AppError::SecondFactorPending,
            ServiceError::TooManyAttempts {
                retry_after_seconds,
            } => AppError::TooManyAttempts {
                retry_after_seconds,
            },
            ServiceError::Busy => AppError::Busy,
            ServiceError::PasswordChangeRequired => AppError::PasswordChangeRequired,
            ServiceError::Upload(p) => AppError::Upload(p),
            ServiceError::TooManyRequests {
                limit,
                retry_after_seconds,
            } => AppError::TooManyRequests {
                limit,
                retry_after_seconds,
            },
            // Text the database cannot store came from the client: its mistake, not ours.
            ServiceError::Db(e) if casia_services::db::is_unstorable_text(&e) => {
                AppError::BadRequest
            }
            internal @ (ServiceError::Db(_)
            | ServiceError::Storage(_)
            | ServiceError::MailRefused(_)
            | ServiceError::Internal(_)
            | ServiceError::Failed { .. }) => return Err(internal),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_said_in_seconds_or_whole_minutes() {
        let es = |s| {
            AppError::TooManyAttempts {
                retry_after_seconds: s,
            }
            .message(Lang::Es)
        };
        assert!(es(1).contains("espere 1 segundo antes"), "{}", es(1));
        assert!(es(8).contains("espere 8 segundos antes"));
        assert!(es(60).contains("espere 1 minuto antes"));
        assert!(es(61).contains("espere 2 minutos antes"));
        let en = AppError::TooManyAttempts {
            retry_after_seconds: 300,
        }
        .message(Lang::En);
        assert!(en.contains("wait 5 minutes before"), "{en}");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod boundary_tests;
