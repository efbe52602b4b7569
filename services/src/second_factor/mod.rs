//! The second factor (ASVS V6.3.3): TOTP as in RFC 6238 — six digits, 30-second steps,
//! HMAC-SHA-1 (the one every authenticator app reads), one step of clock drift either way —
//! with ten one-time recovery codes for a lost phone.
//!
//! A code is never accepted twice: the factor keeps the time step of the last code it took
//! and accepts only later ones (RFC 6238 §5.2). Guesses are throttled per user: each check is
//! written down before it is made, so guesses sent all at once see each other.
//! The audit trail records every outcome, never the secret nor a code.

mod enrolment;
mod totp;

use casia_domain::second_factor::{Enrolment, TypedCode, read_code};
use casia_domain::{FieldProblem, Role};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::json;
use sha2::Digest;
use totp_rs::Totp;

use crate::accounts::Caller;
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::clock::now;
use crate::config::{AuthConfig, StaffMfa};
use crate::entity::{recovery_code, second_factor, second_factor_failure, session};
use crate::error::{ServiceError, ServiceResult};

pub use enrolment::{confirm_enrolment, disable, renew_recovery_codes, start_enrolment, status};
pub use totp::{ISSUER, code_at};
use totp::{
    enrolment_view, new_recovery_codes, new_secret, recovery_code_hash, totp, unix_seconds,
};

/// Where a session stands with its user's second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactorState {
    /// The user has no confirmed second factor.
    NotEnrolled,
    /// Confirmed factor; this session has not passed the login's second step yet.
    Pending,
    /// Confirmed factor, and this session passed the step (or confirmed the factor).
    Verified,
}

/// What a code is being checked for (in the audit trail's details).
#[derive(Clone, Copy, Debug)]
enum Purpose {
    Enrolment,
    Login,
    Renewal,
    Disable,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::Enrolment => "enrolment",
            Purpose::Login => "login",
            Purpose::Renewal => "recovery_codes_renewal",
            Purpose::Disable => "disable",
        }
    }
}

/// A code that passed, and was used up in the transaction of the change it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Used {
    Totp,
    RecoveryCode,
}

/// The state of `session`, read by every request (one primary-key look-up).
pub async fn state_of(
    db: &impl ConnectionTrait,
    session: &session::Model,
) -> ServiceResult<SecondFactorState> {
    if !is_enrolled(db, session.user_id).await? {
        Ok(SecondFactorState::NotEnrolled)
    } else if session.second_factor_verified_at.is_some() {
        Ok(SecondFactorState::Verified)
    } else {
        Ok(SecondFactorState::Pending)
    }
}

/// Whether the user has a confirmed second factor.
pub async fn is_enrolled(db: &impl ConnectionTrait, user_id: i64) -> ServiceResult<bool> {
    Ok(second_factor::Entity::find_by_id(user_id)
        .filter(second_factor::Column::ConfirmedAt.is_not_null())
        .count(db)
        .await?
        > 0)
}

/// Whether `role` must have a second factor under `policy`.
pub fn is_required(role: Role, policy: StaffMfa) -> bool {
    policy == StaffMfa::Required && role != Role::Autorizado
}

/// The login's second step: a code from the app or a recovery code completes the login. The
/// session that waited for the code ends and a new one (a new token, returned for the cookie)
/// starts verified: a token seen before the last authentication step opens nothing
/// (ASVS V7.2.4). `None` when the session had already passed the step.
pub async fn verify_login(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    caller: &Caller,
    code: &str,
) -> ServiceResult<Option<String>> {
    use crate::second_factor::SecondFactorState::*;
    match caller.second_factor {
        Verified => return Ok(None),
        NotEnrolled => return Err(ServiceError::Forbidden),
        Pending => {}
    }
    let factor = confirmed_factor(db, caller).await?;
    let typed = typed_code(code, true)?;
    let txn = checked(db, auth, caller, &factor, &typed, Purpose::Login).await?;
    let token = rotate_into_verified_session(&txn, caller, now()).await?;
    audit::record(
        &txn,
        AuditEvent::by(caller, AuditAction::MfaVerified, Outcome::Success).on("session", "login"),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(token))
}

/// Replaces the caller's session by a new one with the same user, authorisation, expiry and
/// device, verified at `at`; the old row (and so the old token) is deleted.
async fn rotate_into_verified_session(
    txn: &DatabaseTransaction,
    caller: &Caller,
    at: DateTime<Utc>,
) -> ServiceResult<String> {
    let old = session::Entity::find_by_id(caller.session_id.clone())
        .one(txn)
        .await?
        .ok_or(ServiceError::NotSignedIn)?;
    let token = crate::accounts::random_token();
    session::ActiveModel {
        id: Set(crate::accounts::session_id(&token)),
        user_id: Set(old.user_id),
        authorisation_id: Set(old.authorisation_id),
        created_at: Set(old.created_at),
        last_seen_at: Set(at),
        expires_at: Set(old.expires_at),
        second_factor_verified_at: Set(Some(at)),
        device: Set(old.device),
        client: Set(old.client),
    }
    .insert(txn)
    .await?;
    session::Entity::delete_by_id(old.id).exec(txn).await?;
    Ok(token)
}

async fn confirmed_factor(
    db: &DatabaseConnection,
    caller: &Caller,
) -> ServiceResult<second_factor::Model> {
    second_factor::Entity::find_by_id(caller.user.id)
        .filter(second_factor::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Reads the typed code; malformed input is a wrong code (and counts as a guess), empty
/// input is a missing field (and does not).
fn typed_code(code: &str, recovery_allowed: bool) -> ServiceResult<TypedCode> {
    if code.trim().is_empty() {
        return Err(ServiceError::invalid("code", FieldProblem::Required));
    }
    Ok(match read_code(code) {
        TypedCode::Recovery(_) if !recovery_allowed => TypedCode::Malformed,
        typed => typed,
    })
}

fn failure_event(caller: &Caller, purpose: Purpose) -> AuditEvent {
    AuditEvent::by(caller, AuditAction::MfaFailed, Outcome::Failure)
        .with_details(json!({ "purpose": purpose.code() }))
}

/// Writes the check down before making it, then refuses when the user already used up the
/// window's wrong codes. The row is removed again if the code passes.
async fn begin_attempt(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    caller: &Caller,
) -> ServiceResult<()> {
    let at = now();
    let attempt = second_factor_failure::ActiveModel {
        user_id: Set(caller.user.id),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let failures = second_factor_failure::Entity::find()
        .filter(second_factor_failure::Column::UserId.eq(caller.user.id))
        .filter(
            second_factor_failure::Column::At.gt(at - Duration::minutes(auth.code_window_minutes)),
        )
        .count(db)
        .await?;
    // The count includes this attempt.
    if failures > auth.code_max_failures {
        // A refused attempt does not extend the wait.
        second_factor_failure::Entity::delete_by_id(attempt.id)
            .exec(db)
            .await?;
        audit::record(
            db,
            AuditEvent::by(caller, AuditAction::MfaThrottled, Outcome::Refused),
        )
        .await?;
        return Err(ServiceError::TooManyAttempts {
            retry_after_seconds: auth.code_window_minutes * 60,
        });
    }
    Ok(())
}

/// Throttles, checks the code and, when it passes, returns the open transaction in which it
/// was used up: the caller adds the change the code allows and commits.
async fn checked(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    caller: &Caller,
    factor: &second_factor::Model,
    typed: &TypedCode,
    purpose: Purpose,
) -> ServiceResult<DatabaseTransaction> {
    begin_attempt(db, auth, caller).await?;
    check_after_attempt(db, caller, factor, typed, purpose).await
}

async fn check_after_attempt(
    db: &DatabaseConnection,
    caller: &Caller,
    factor: &second_factor::Model,
    typed: &TypedCode,
    purpose: Purpose,
) -> ServiceResult<DatabaseTransaction> {
    let txn = db.begin().await?;
    match use_code(&txn, caller, factor, typed).await? {
        Some(used) => {
            // A right code clears the user's wrong ones (as a right password does).
            second_factor_failure::Entity::delete_many()
                .filter(second_factor_failure::Column::UserId.eq(caller.user.id))
                .exec(&txn)
                .await?;
            if used == Used::RecoveryCode {
                let left = recovery_code::Entity::find()
                    .filter(recovery_code::Column::UserId.eq(caller.user.id))
                    .filter(recovery_code::Column::UsedAt.is_null())
                    .count(&txn)
                    .await?;
                audit::record(
                    &txn,
                    AuditEvent::by(caller, AuditAction::MfaRecoveryCodeUsed, Outcome::Success)
                        .on("account", caller.user.id)
                        .with_details(json!({ "purpose": purpose.code(), "left": left })),
                )
                .await?;
            }
            Ok(txn)
        }
        None => {
            txn.rollback().await?;
            // The attempt's row stays: a wrong code in the window.
            audit::record(db, failure_event(caller, purpose)).await?;
            Err(ServiceError::invalid("code", FieldProblem::WrongCode))
        }
    }
}

/// Accepts the code at most once: a TOTP code only for a time step later than the last one
/// accepted, a recovery code only while unused. Both are claimed with a guarded update, so
/// of two requests with the same code exactly one gets it.
async fn use_code(
    txn: &DatabaseTransaction,
    caller: &Caller,
    factor: &second_factor::Model,
    typed: &TypedCode,
) -> ServiceResult<Option<Used>> {
    match typed {
        TypedCode::Totp(code) => {
            let Some(step) =
                totp(&factor.secret, &caller.user.username)?.check(code, unix_seconds(now()))
            else {
                return Ok(None);
            };
            let step = step as i64;
            let claimed = second_factor::Entity::update_many()
                .col_expr(second_factor::Column::LastUsedStep, Expr::value(step))
                .filter(second_factor::Column::UserId.eq(factor.user_id))
                .filter(
                    Condition::any()
                        .add(second_factor::Column::LastUsedStep.is_null())
                        .add(second_factor::Column::LastUsedStep.lt(step)),
                )
                .exec(txn)
                .await?
                .rows_affected;
            Ok((claimed == 1).then_some(Used::Totp))
        }
        TypedCode::Recovery(code) => {
            let claimed = recovery_code::Entity::update_many()
                .col_expr(recovery_code::Column::UsedAt, Expr::value(now()))
                .filter(recovery_code::Column::UserId.eq(factor.user_id))
                .filter(recovery_code::Column::CodeHash.eq(recovery_code_hash(code)))
                .filter(recovery_code::Column::UsedAt.is_null())
                .exec(txn)
                .await?
                .rows_affected;
            Ok((claimed >= 1).then_some(Used::RecoveryCode))
        }
        TypedCode::Malformed => Ok(None),
    }
}

async fn mark_session_verified(
    txn: &DatabaseTransaction,
    caller: &Caller,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::SecondFactorVerifiedAt, Expr::value(at))
        .filter(session::Column::Id.eq(caller.session_id.clone()))
        .exec(txn)
        .await?;
    Ok(())
}
