//! Logging in and out, and the session a token stands for.

use casia_domain::validation::Problems;
use casia_domain::{FieldProblem, Lang, Role};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::clock::now;
use crate::config::{LoginLimits, SessionConfig};
use crate::entity::{authorisation, authorisation_member, login_failure, session, user};
use crate::error::{ServiceError, ServiceResult};
use crate::passwords::PasswordChecks;

use super::users::decoy_hash;
use super::{Caller, normalise_username, random_token, session_id, user_authorisations};

/// What a successful login hands back: the cookie value and where to go next.
pub struct LoggedIn {
    pub token: String,
    pub user: user::Model,
    pub needs_authorisation: bool,
    /// Go to `/cuenta` first: an administrator reset the password.
    pub password_change_required: bool,
}

pub async fn login(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    sessions: &SessionConfig,
    username: &str,
    password: &str,
    client: &str,
) -> ServiceResult<LoggedIn> {
    let username = normalise_username(username);
    // Nothing typed is not a wrong password: say which fields are missing.
    let mut p = Problems::default();
    if username.is_empty() {
        p.add("username", FieldProblem::Required);
    }
    if password.is_empty() {
        p.add("password", FieldProblem::Required);
    }
    p.finish()?;
    // Throttle first (delays per username and client, see `throttle`), then the password
    // check, off the async threads and within the process-wide cap.
    let attempt = match crate::throttle::begin(db, limits, &username, client).await {
        Ok(attempt) => attempt,
        Err(
            e @ ServiceError::TooManyAttempts {
                retry_after_seconds,
            },
        ) => {
            let event =
                AuditEvent::anonymous(&username, AuditAction::LoginThrottled, Outcome::Refused)
                    .from_client(client)
                    .with_details(json!({ "retry_after_seconds": retry_after_seconds }));
            audit::record(db, event).await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?;
    // A wrong username takes as long as a wrong password.
    let stored_hash = found
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |u| u.password_hash.clone());
    let verified = match PasswordChecks::global(limits)
        .verify(password, &stored_hash)
        .await
    {
        Ok(ok) => ok && found.is_some(),
        Err(e) => {
            attempt.abandon(db).await?;
            return Err(e);
        }
    };
    let Some(user) = found.filter(|_| verified) else {
        // The attempt stays recorded as a failure.
        let event = AuditEvent::anonymous(&username, AuditAction::LoginFailed, Outcome::Failure)
            .from_client(client);
        audit::record(db, event).await?;
        return Err(ServiceError::BadCredentials);
    };
    attempt.succeeded(db).await?;
    let at = now();

    // With exactly one authorisation the picker is skipped (guide §3).
    let memberships = user_authorisations(db, user.id).await?;
    let preselected = if memberships.len() == 1 {
        Some(memberships[0].id)
    } else {
        None
    };
    let token = random_token();
    let txn = db.begin().await?;
    session::ActiveModel {
        id: Set(session_id(&token)),
        user_id: Set(user.id),
        authorisation_id: Set(preselected),
        created_at: Set(at),
        last_seen_at: Set(at),
        expires_at: Set(at + Duration::hours(sessions.absolute_hours)),
        device: Set(String::new()),
        client: Set(client.chars().take(64).collect()),
        // Not yet: a user with a second factor passes it next (`second_factor::verify_login`).
        second_factor_verified_at: Set(None),
    }
    .insert(&txn)
    .await?;
    end_sessions_over_cap(&txn, user.id, sessions.max_per_user).await?;
    let event = AuditEvent::anonymous(&username, AuditAction::LoginSucceeded, Outcome::Success)
        .with_user(user.id, user.role)
        .from_client(client);
    audit::record(&txn, event).await?;
    txn.commit().await?;
    Ok(LoggedIn {
        token,
        needs_authorisation: user.role == Role::Autorizado && preselected.is_none(),
        password_change_required: user.must_change_password,
        user,
    })
}

/// Ends the oldest sessions of a user beyond `max` (0: no cap), newest kept.
async fn end_sessions_over_cap(
    db: &impl ConnectionTrait,
    user_id: i64,
    max: u64,
) -> ServiceResult<()> {
    if max == 0 {
        return Ok(());
    }
    let over: Vec<String> = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .order_by_desc(session::Column::CreatedAt)
        .order_by_desc(session::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .skip(max as usize)
        .map(|s| s.id)
        .collect();
    if !over.is_empty() {
        session::Entity::delete_many()
            .filter(session::Column::Id.is_in(over))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Ends the session of `token` (logging out); recorded in the audit trail when it existed.
pub async fn logout(db: &DatabaseConnection, token: &str) -> ServiceResult<()> {
    let id = session_id(token);
    let Some(sess) = session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Ok(());
    };
    let txn = db.begin().await?;
    session::Entity::delete_by_id(id).exec(&txn).await?;
    if let Some(u) = user::Entity::find_by_id(sess.user_id).one(&txn).await? {
        let event = AuditEvent::anonymous(&u.username, AuditAction::Logout, Outcome::Success)
            .with_user(u.id, u.role)
            .from_client(&sess.client);
        audit::record(&txn, event).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Finds the caller of a request. Expired sessions (idle or absolute) are deleted and
/// reported as such, so the page can say why the person must sign in again.
pub async fn caller_from_token(
    db: &DatabaseConnection,
    config: &SessionConfig,
    token: &str,
) -> ServiceResult<Caller> {
    look_up_session(db, config, token, true).await
}

/// [`caller_from_token`] without counting as use of the session: for a page's event stream,
/// which must not keep an idle session alive.
pub async fn watcher_from_token(
    db: &DatabaseConnection,
    config: &SessionConfig,
    token: &str,
) -> ServiceResult<Caller> {
    look_up_session(db, config, token, false).await
}

async fn look_up_session(
    db: &DatabaseConnection,
    config: &SessionConfig,
    token: &str,
    touch: bool,
) -> ServiceResult<Caller> {
    let id = session_id(token);
    let Some(sess) = session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Err(ServiceError::NotSignedIn);
    };
    let at = now();
    if at >= sess.expires_at || at - sess.last_seen_at >= Duration::minutes(config.idle_minutes) {
        session::Entity::delete_by_id(id).exec(db).await?;
        return Err(ServiceError::SessionExpired);
    }
    let Some(user) = user::Entity::find_by_id(sess.user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
    else {
        session::Entity::delete_by_id(id).exec(db).await?;
        return Err(ServiceError::NotSignedIn);
    };
    // Touch at most once a minute: a write per page view would cost more than it tells.
    if touch && at - sess.last_seen_at >= Duration::seconds(60) {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(at))
            .filter(session::Column::Id.eq(id.clone()))
            .exec(db)
            .await?;
    }
    let role = user.role;
    let lang = Lang::from_code(&user.lang).unwrap_or_default();
    let mut authorisation = None;
    let mut is_main_user = false;
    if let Some(auth_id) = sess.authorisation_id {
        // Membership is re-checked on every request: removing a member takes effect at once.
        let membership = Query::select()
            .expr(Expr::val(1))
            .from(authorisation_member::Entity)
            .and_where(Expr::col(authorisation_member::Column::AuthorisationId).eq(auth_id))
            .and_where(Expr::col(authorisation_member::Column::UserId).eq(user.id))
            .to_owned();
        if let Some(a) = authorisation::Entity::find_by_id(auth_id)
            .filter(authorisation::Column::Active.eq(true))
            .filter(Expr::exists(membership))
            .one(db)
            .await?
        {
            is_main_user = a.main_user_id == Some(user.id);
            authorisation = Some(a);
        }
    }
    let second_factor = crate::second_factor::state_of(db, &sess).await?;
    let password_change_required = user.must_change_password;
    Ok(Caller {
        session_id: id,
        user,
        role,
        lang,
        authorisation,
        is_main_user,
        client: String::new(),
        second_factor,
        password_change_required,
    })
}

/// Removes sessions past their absolute expiry and old login failures (run periodically).
pub async fn purge_expired(
    db: &DatabaseConnection,
    config: &SessionConfig,
    limits: &LoginLimits,
) -> ServiceResult<u64> {
    let at = now();
    let idle_cutoff: DateTime<Utc> = at - Duration::minutes(config.idle_minutes);
    let sessions = session::Entity::delete_many()
        .filter(
            session::Column::ExpiresAt
                .lte(at)
                .or(session::Column::LastSeenAt.lte(idle_cutoff)),
        )
        .exec(db)
        .await?
        .rows_affected;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lte(at - Duration::minutes(limits.window_minutes)))
        .exec(db)
        .await?;
    Ok(sessions)
}
