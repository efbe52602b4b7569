//! The second factor (ASVS V6.3.3): TOTP as in RFC 6238 — six digits, 30-second steps,
//! HMAC-SHA-1 (the one every authenticator app reads), one step of clock drift either way —
//! with ten one-time recovery codes for a lost phone.
//!
//! A code is never accepted twice: the factor keeps the time step of the last code it took
//! and accepts only later ones (RFC 6238 §5.2). Guesses are throttled per user: each check is
//! written down before it is made, so guesses sent all at once see each other.
//! The audit trail records every outcome, never the secret nor a code.

use casia_domain::second_factor::{
    Enrolment, RECOVERY_CODES, SecondFactorStatus, TypedCode, grouped, read_code,
};
use casia_domain::{FieldProblem, Role};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::accounts::{Caller, verify_password};
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::clock::now;
use crate::config::{AuthConfig, StaffMfa};
use crate::entity::{recovery_code, second_factor, second_factor_failure, session};
use crate::error::{ServiceError, ServiceResult};

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

/// The name authenticator apps show next to the account.
pub const ISSUER: &str = "Casia";
/// 160 bits, as RFC 4226 §4 recommends.
const SECRET_BYTES: usize = 20;
/// 120 bits per recovery code (24 base32 characters): its SHA-256 cannot be reversed by
/// trying codes (ASVS V6.5.2 asks for at least 112).
const RECOVERY_CODE_BYTES: usize = casia_domain::second_factor::RECOVERY_CODE_CHARS * 5 / 8;

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

fn totp(secret_base32: &str, account: &str) -> ServiceResult<Totp> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|e| ServiceError::Internal(format!("stored TOTP secret: {e}")))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| ServiceError::Internal(format!("TOTP: {e}")))
}

fn unix_seconds(at: DateTime<Utc>) -> u64 {
    at.timestamp().max(0) as u64
}

fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

fn recovery_code_hash(normalised: &str) -> String {
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// Ten new codes: as shown to the person (`ABCD-EFGH-…`) and as stored (hashes).
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_CODE_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let code = data_encoding::BASE32_NOPAD.encode(&bytes);
            (grouped(&code, '-'), recovery_code_hash(&code))
        })
        .unzip()
}

/// The QR code of the otpauth URI, drawn as SVG (inline in the page: no external asset).
fn enrolment_view(factor: &second_factor::Model, account: &str) -> ServiceResult<Enrolment> {
    let uri = totp(&factor.secret, account)?
        .to_url()
        .map_err(|e| ServiceError::Internal(format!("otpauth URI: {e}")))?;
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| ServiceError::Internal(format!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    // The XML prolog has no place inside HTML.
    let svg = svg.find("<svg").map(|i| svg[i..].to_owned()).unwrap_or(svg);
    Ok(Enrolment {
        qr_svg: svg,
        otpauth_uri: uri,
        manual_key: grouped(&factor.secret, ' '),
    })
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

/// The enrolment page: enrolled or not, codes left, an enrolment in progress.
pub async fn status(
    db: &DatabaseConnection,
    caller: &Caller,
    policy: StaffMfa,
) -> ServiceResult<SecondFactorStatus> {
    let factor = second_factor::Entity::find_by_id(caller.user.id)
        .one(db)
        .await?;
    let recovery_codes_left = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(caller.user.id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await? as u32;
    let pending = match &factor {
        Some(f) if f.confirmed_at.is_none() => Some(enrolment_view(f, &caller.user.username)?),
        _ => None,
    };
    Ok(SecondFactorStatus {
        enrolled_at: factor
            .and_then(|f| f.confirmed_at)
            .map(crate::clock::display),
        recovery_codes_left,
        pending,
        required: is_required(caller.role, policy),
    })
}

/// Starts (or starts again) an enrolment: a new secret, not in force until a code from it
/// is confirmed.
pub async fn start_enrolment(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Enrolment> {
    use sea_orm::sea_query::OnConflict;
    let factor = second_factor::Model {
        user_id: caller.user.id,
        secret: new_secret(),
        created_at: now(),
        confirmed_at: None,
        last_used_step: None,
    };
    // One statement: a pending enrolment is replaced, a confirmed factor never is. Two starts
    // at once (two tabs) then both succeed, the later secret winning, instead of one of them
    // meeting the other's row.
    let written = second_factor::Entity::insert(second_factor::ActiveModel::from(factor.clone()))
        .on_conflict(
            OnConflict::column(second_factor::Column::UserId)
                .update_columns([
                    second_factor::Column::Secret,
                    second_factor::Column::CreatedAt,
                    second_factor::Column::ConfirmedAt,
                    second_factor::Column::LastUsedStep,
                ])
                .action_and_where(sea_orm::ExprTrait::is_null(Expr::col((
                    second_factor::Entity,
                    second_factor::Column::ConfirmedAt,
                ))))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if written == 0 {
        return Err(ServiceError::invalid(
            "second_factor",
            FieldProblem::AlreadyExists,
        ));
    }
    enrolment_view(&factor, &caller.user.username)
}

/// Confirms the enrolment with a code from the app: the factor is in force, this session
/// counts as verified, and the ten recovery codes are returned (the only time they are).
pub async fn confirm_enrolment(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    caller: &Caller,
    code: &str,
) -> ServiceResult<Vec<String>> {
    let factor = second_factor::Entity::find_by_id(caller.user.id)
        .filter(second_factor::Column::ConfirmedAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let typed = typed_code(code, false)?;
    let txn = checked(db, auth, caller, &factor, &typed, Purpose::Enrolment).await?;
    let at = now();
    second_factor::Entity::update_many()
        .col_expr(second_factor::Column::ConfirmedAt, Expr::value(at))
        .filter(second_factor::Column::UserId.eq(caller.user.id))
        .exec(&txn)
        .await?;
    mark_session_verified(&txn, caller, at).await?;
    let codes = replace_recovery_codes(&txn, caller.user.id, at).await?;
    audit::record(
        &txn,
        AuditEvent::by(caller, AuditAction::MfaEnrolled, Outcome::Success)
            .on("account", caller.user.id),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
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

/// New recovery codes (the old ones stop working); needs a current code from the app.
pub async fn renew_recovery_codes(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    caller: &Caller,
    code: &str,
) -> ServiceResult<Vec<String>> {
    let factor = confirmed_factor(db, caller).await?;
    let typed = typed_code(code, false)?;
    let txn = checked(db, auth, caller, &factor, &typed, Purpose::Renewal).await?;
    let codes = replace_recovery_codes(&txn, caller.user.id, now()).await?;
    audit::record(
        &txn,
        AuditEvent::by(
            caller,
            AuditAction::MfaRecoveryCodesRenewed,
            Outcome::Success,
        )
        .on("account", caller.user.id),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns the second factor off: the person proves themselves again with their password AND a
/// code (from the app or a recovery code).
pub async fn disable(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    caller: &Caller,
    password: &str,
    code: &str,
) -> ServiceResult<()> {
    let factor = confirmed_factor(db, caller).await?;
    if password.is_empty() {
        return Err(ServiceError::invalid("password", FieldProblem::Required));
    }
    let typed = typed_code(code, true)?;
    // The password is checked under the same throttle as the code: both are guesses.
    begin_attempt(db, auth, caller).await?;
    let stored = caller.user.password_hash.clone();
    let given = password.to_owned();
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&given, &stored))
        .await
        .map_err(|e| ServiceError::Internal(format!("password check: {e}")))?;
    if !password_ok {
        audit::record(
            db,
            failure_event(caller, Purpose::Disable)
                .with_details(json!({ "purpose": "disable", "wrong": "password" })),
        )
        .await?;
        return Err(ServiceError::invalid(
            "password",
            FieldProblem::WrongPassword,
        ));
    }
    let txn = check_after_attempt(db, caller, &factor, &typed, Purpose::Disable).await?;
    second_factor::Entity::delete_by_id(caller.user.id)
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(caller.user.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEvent::by(caller, AuditAction::MfaDisabled, Outcome::Success)
            .on("account", caller.user.id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
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

async fn replace_recovery_codes(
    txn: &DatabaseTransaction,
    user_id: i64,
    at: DateTime<Utc>,
) -> ServiceResult<Vec<String>> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    let (shown, hashes) = new_recovery_codes();
    recovery_code::Entity::insert_many(hashes.into_iter().map(|hash| recovery_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(hash),
        created_at: Set(at),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec(txn)
    .await?;
    Ok(shown)
}

/// The code an authenticator app shows at `at` for a base32 secret (tests and the demo).
pub fn code_at(secret_base32: &str, at: DateTime<Utc>) -> ServiceResult<String> {
    Ok(totp(secret_base32, "code")?
        .generate(unix_seconds(at))
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, with the low six digits of its eight.
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        for (t, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at = DateTime::from_timestamp(t, 0).unwrap();
            assert_eq!(code_at(&secret, at).unwrap(), expected, "t = {t}");
        }
    }

    #[test]
    fn recovery_codes_are_random_and_stored_hashed() {
        let (shown, hashes) = new_recovery_codes();
        assert_eq!(shown.len(), RECOVERY_CODES);
        assert_eq!(
            shown[0].len(),
            29,
            "24 characters in groups of four: {}",
            shown[0]
        );
        let mut unique = shown.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let TypedCode::Recovery(normalised) = read_code(&shown[0]) else {
            panic!("{} is not read back", shown[0])
        };
        assert_eq!(recovery_code_hash(&normalised), hashes[0]);
        assert!(!hashes[0].contains(&normalised));
    }

    #[test]
    fn the_qr_code_is_inline_svg_of_the_otpauth_uri() {
        let factor = second_factor::Model {
            user_id: 1,
            secret: new_secret(),
            created_at: now(),
            confirmed_at: None,
            last_used_step: None,
        };
        let view = enrolment_view(&factor, "tramitador1").unwrap();
        assert!(
            view.otpauth_uri
                .starts_with("otpauth://totp/Casia:tramitador1?"),
            "{}",
            view.otpauth_uri
        );
        assert!(view.otpauth_uri.contains("issuer=Casia"));
        assert!(
            view.otpauth_uri
                .contains(&format!("secret={}", factor.secret))
        );
        assert!(view.qr_svg.starts_with("<svg") && view.qr_svg.ends_with("</svg>"));
        assert_eq!(view.manual_key.replace(' ', ""), factor.secret);
        assert_eq!(view.manual_key.split(' ').next().unwrap().len(), 4);
    }
}
