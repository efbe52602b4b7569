//! Passwords (ASVS V6.2): the one policy every new password meets, password checks that run
//! off the async threads behind a process-wide cap, and changing one's own password.

use std::sync::OnceLock;
use std::time::Duration;

use casia_domain::FieldProblem;
use casia_domain::validation::Problems;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use tokio::sync::Semaphore;

use crate::accounts::{Caller, hash_password, verify_password};
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::config::LoginLimits;
use crate::entity::user;
use crate::error::{ServiceError, ServiceResult};
use crate::throttle;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The password policy (ASVS 6.2.1, 6.2.4, 6.2.9, 6.2.11, 6.2.12): 12 to 128 characters of
/// any kind (counted as characters, not bytes; no composition rules), not containing the
/// username, and not common or easily guessed (zxcvbn score 3 or more, knowing the username
/// and full name, so "Juan Español 2026" is weak for Juan Español).
///
/// Every new password goes through here: account creation (admin screen and CLI), an
/// administrator's reset and the user's own change. Only the demo loader skips it.
pub fn password_problem(password: &str, username: &str, full_name: &str) -> Option<FieldProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(FieldProblem::TooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(FieldProblem::TooLong {
            max: MAX_PASSWORD_CHARS,
        });
    }
    let username = username.trim().to_lowercase();
    if !username.is_empty() && password.to_lowercase().contains(&username) {
        return Some(FieldProblem::PasswordContainsUsername);
    }
    let mut inputs: Vec<&str> = vec![username.as_str(), "casia"];
    inputs.extend(full_name.split_whitespace());
    if (zxcvbn::zxcvbn(password, &inputs).score() as u8) < 3 {
        return Some(FieldProblem::WeakPassword);
    }
    None
}

/// Adds the policy's problem with `password` (if any) to `problems` under `field`.
pub fn check_password(
    problems: &mut Problems,
    field: &str,
    password: &str,
    username: &str,
    full_name: &str,
) {
    if let Some(p) = password_problem(password, username, full_name) {
        problems.add(field, p);
    }
}

/// At most `permits` argon2 runs at once in the process: each takes ~19 MiB and tens of
/// milliseconds of a core, so a flood of logins (random usernames from many addresses pass
/// every per-name limit) must queue here instead of filling memory with blocking threads.
pub struct PasswordChecks {
    permits: Semaphore,
    wait: Duration,
}

static GLOBAL: OnceLock<PasswordChecks> = OnceLock::new();

impl PasswordChecks {
    pub fn new(permits: usize, wait: Duration) -> Self {
        PasswordChecks {
            permits: Semaphore::new(permits.max(1)),
            wait,
        }
    }

    /// The process-wide gate, sized by the first configuration that asks (`Services::start`).
    pub fn global(limits: &LoginLimits) -> &'static PasswordChecks {
        GLOBAL.get_or_init(|| {
            PasswordChecks::new(
                limits.concurrent_password_checks,
                Duration::from_secs(limits.password_check_wait_seconds),
            )
        })
    }

    /// Runs `work` on a blocking thread once a permit is free; `Busy` if none came in time.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let _permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| ServiceError::Busy)?
            .map_err(|_| ServiceError::Busy)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ServiceError::Internal(format!("password check: {e}")))
    }

    pub async fn verify(&self, password: &str, stored_hash: &str) -> ServiceResult<bool> {
        let (given, stored) = (password.to_owned(), stored_hash.to_owned());
        self.run(move || verify_password(&given, &stored)).await
    }

    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let given = password.to_owned();
        self.run(move || hash_password(&given)).await?
    }
}

/// Hashes a new password off the async threads, within the global cap.
pub async fn hash_off_thread(password: &str) -> ServiceResult<String> {
    PasswordChecks::global(&LoginLimits::default())
        .hash(password)
        .await
}

/// The signed-in caller's own password typed again (to change it, or the notices address):
/// throttled like a login (the same failures, keyed on the user and the client) and checked
/// off the async threads, so a stolen session cannot grind it (ASVS V6.3.1). A throttled or
/// wrong try is recorded with `refused(outcome, details)` and refused, naming `field`.
pub(crate) async fn recheck_password(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    caller: &Caller,
    password: &str,
    field: &'static str,
    refused: impl Fn(Outcome, serde_json::Value) -> AuditEvent,
) -> ServiceResult<()> {
    let attempt = match throttle::begin(db, limits, &caller.user.username, &caller.client).await {
        Ok(a) => a,
        Err(
            e @ ServiceError::TooManyAttempts {
                retry_after_seconds,
            },
        ) => {
            let details =
                json!({ "reason": "throttled", "retry_after_seconds": retry_after_seconds });
            audit::record(db, refused(Outcome::Refused, details)).await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let verified = match PasswordChecks::global(limits)
        .verify(password, &caller.user.password_hash)
        .await
    {
        Ok(ok) => ok,
        Err(e) => {
            attempt.abandon(db).await?;
            return Err(e);
        }
    };
    if !verified {
        // The attempt stays recorded as a failure: the next ones wait longer.
        let details = json!({ "reason": format!("wrong_{field}") });
        audit::record(db, refused(Outcome::Failure, details)).await?;
        return Err(ServiceError::invalid(field, FieldProblem::WrongPassword));
    }
    attempt.succeeded(db).await
}

/// "Cambiar contraseña" in `/cuenta`: the current password (throttled like a login), then the
/// new one twice. On success every other session of the user ends (this one stays), a forced
/// change is cleared, and the number of sessions ended is returned.
pub async fn change_password(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    caller: &Caller,
    current: &str,
    new: &str,
    repeat: &str,
) -> ServiceResult<u64> {
    // The new password first: a refusal there costs no password check and tells nothing.
    let mut p = Problems::default();
    if current.is_empty() {
        p.add("current_password", FieldProblem::Required);
    }
    check_password(
        &mut p,
        "new_password",
        new,
        &caller.user.username,
        &caller.user.full_name,
    );
    if new != repeat {
        p.add("repeat_password", FieldProblem::PasswordMismatch);
    }
    p.finish()?;

    recheck_password(
        db,
        limits,
        caller,
        current,
        "current_password",
        |outcome, details| {
            AuditEvent::by(caller, AuditAction::PasswordChangeFailed, outcome)
                .on("account", caller.user.id)
                .with_details(details)
        },
    )
    .await?;
    let hash = PasswordChecks::global(limits).hash(new).await?;

    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::MustChangePassword, Expr::value(false))
        .filter(user::Column::Id.eq(caller.user.id))
        .exec(&txn)
        .await?;
    let was_required = caller.password_change_required;
    let ended = crate::sessions::end_others_in(
        &txn,
        caller,
        AuditAction::PasswordChanged,
        |ended| json!({ "other_sessions_ended": ended, "was_required": was_required }),
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_counts_characters_and_refuses_guessable_passwords() {
        assert_eq!(
            password_problem("corta", "ana", "Ana Ruiz"),
            Some(FieldProblem::TooShort { min: 12 })
        );
        // Twelve characters of Spanish text are twelve, however many bytes they take.
        assert_eq!(password_problem("ñandú cigüeña", "ana", "Ana Ruiz"), None);
        assert_eq!(
            password_problem(&"x".repeat(129), "ana", "Ana Ruiz"),
            Some(FieldProblem::TooLong { max: 128 })
        );
        assert_eq!(
            password_problem("password1234", "ana", "Ana Ruiz"),
            Some(FieldProblem::WeakPassword)
        );
        assert_eq!(
            password_problem("123456789012", "ana", "Ana Ruiz"),
            Some(FieldProblem::WeakPassword)
        );
        assert_eq!(
            password_problem("qwertyuiopas", "ana", "Ana Ruiz"),
            Some(FieldProblem::WeakPassword)
        );
        assert_eq!(
            password_problem("tramitador1-segura-9", "tramitador1", "Pedro Martín"),
            Some(FieldProblem::PasswordContainsUsername)
        );
        // The person's own name makes a password guessable.
        assert_eq!(
            password_problem("ruizpedro123", "pmartin", "Pedro Martín Ruiz"),
            Some(FieldProblem::WeakPassword)
        );
        // No composition rules: a long phrase of lower-case words is fine.
        assert_eq!(
            password_problem("caballo grapa batería correcta", "ana", "Ana Ruiz"),
            None
        );
    }

    #[tokio::test]
    async fn password_checks_beyond_the_cap_wait_and_then_give_up() {
        let gate = std::sync::Arc::new(PasswordChecks::new(1, Duration::from_millis(200)));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let busy = gate.clone();
        // One check holds the only permit until told to finish.
        let holder = tokio::spawn(async move { busy.run(move || rx.recv().ok()).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            matches!(gate.run(|| ()).await, Err(ServiceError::Busy)),
            "no permit within the wait"
        );
        tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        assert!(gate.run(|| ()).await.is_ok(), "the permit is back");
    }
}
