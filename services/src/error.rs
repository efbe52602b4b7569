//! The services' error: precise for the caller, never shown raw to a person. The web layer
//! maps it to its one client-safe error type; database and storage texts stay in the logs.

use casia_domain::dto::{RateLimit, UploadProblem};
use casia_domain::{FieldError, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("session expired")]
    SessionExpired,
    #[error("the role may not do this")]
    Forbidden,
    #[error("an authorisation must be chosen first")]
    PickAuthorisation,
    #[error("not found (or not visible to the caller)")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("refused by the lifecycle: {0}")]
    Refused(Refusal),
    #[error("the case changed meanwhile")]
    Conflict,
    #[error("wrong username or password")]
    BadCredentials,
    /// Staff must enrol a second factor before anything else (`auth.staff_mfa = required`).
    #[error("a second factor must be enrolled first")]
    SecondFactorRequired,
    /// The session waits for the login's second step.
    #[error("the login's second step is pending")]
    SecondFactorPending,
    #[error("too many failed password attempts")]
    TooManyAttempts { retry_after_seconds: i64 },
    /// Every password check is taken and this one waited too long for its turn.
    #[error("too many password checks at once")]
    Busy,
    /// An administrator reset the password: only the account page (to choose a new one)
    /// and logging out are open until then.
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("upload refused: {0:?}")]
    Upload(UploadProblem),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("storage: {0}")]
    Storage(String),
    /// The mail server (or the address itself) refuses the message for good: retrying
    /// cannot help.
    #[error("mail refused: {0}")]
    MailRefused(String),
    #[error("internal: {0}")]
    Internal(String),
    /// An internal failure caused by another error, kept whole so the log shows its chain.
    #[error("{context}")]
    Failed {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A rate, quota or concurrency limit: refused for now, retry after the given time.
    #[error("limit reached: {limit:?}")]
    TooManyRequests {
        limit: RateLimit,
        retry_after_seconds: u64,
    },
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        ServiceError::Refused(r)
    }
}

impl From<Vec<FieldError>> for ServiceError {
    fn from(e: Vec<FieldError>) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<sea_orm::TransactionError<ServiceError>> for ServiceError {
    fn from(e: sea_orm::TransactionError<ServiceError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => ServiceError::Db(db),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}

impl ServiceError {
    pub fn invalid(field: &str, problem: casia_domain::FieldProblem) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// An internal failure with its cause: `ServiceError::failed("writing receipt", e)`.
    pub fn failed(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ServiceError::Failed {
            context: context.into(),
            source: Box::new(source),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// An error and every cause below it, for the log: "writing receipt: disk full". A cause its
/// parent already quotes at its end (`database: {0}`) is not repeated.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let said = cause.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        next = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_failure_keeps_its_whole_cause_chain_for_the_log() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disco protegido");
        let e = ServiceError::failed("writing receipt", io);
        assert_eq!(e.to_string(), "writing receipt");
        assert_eq!(chain(&e), "writing receipt: disco protegido");
        let db = ServiceError::from(sea_orm::DbErr::Custom("conexión perdida".into()));
        assert!(chain(&db).contains("conexión perdida"), "{}", chain(&db));
        // A cause the error already quotes is said once.
        assert_eq!(
            chain(&db).matches("conexión perdida").count(),
            1,
            "{}",
            chain(&db)
        );
    }
}
