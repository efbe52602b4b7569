//! Enrolling, renewing the recovery codes and disabling the second factor.

use casia_domain::FieldProblem;
use casia_domain::second_factor::{Enrolment, SecondFactorStatus};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::json;
use sha2::Digest;
use totp_rs::Secret;

use crate::accounts::{Caller, verify_password};
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::clock::now;
use crate::config::{AuthConfig, StaffMfa};
use crate::entity::{recovery_code, second_factor, session};
use crate::error::{ServiceError, ServiceResult};

use super::{
    Purpose, begin_attempt, check_after_attempt, checked, confirmed_factor, enrolment_view,
    failure_event, is_required, mark_session_verified, new_recovery_codes, new_secret, typed_code,
};

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
