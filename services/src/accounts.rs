//! Personal accounts, passwords (argon2id), server-side sessions and the login rate limit.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use casia_domain::dto::{AuthorisationView, UserView};
use casia_domain::{FieldProblem, Lang, Role};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::clock::now;
use crate::config::{LoginLimits, SessionConfig, StaffMfa};
use crate::entity::{authorisation, authorisation_member, login_failure, session, user};
use crate::error::{ServiceError, ServiceResult};
use crate::passwords::PasswordChecks;
pub use crate::second_factor::SecondFactorState;

pub use crate::passwords::MIN_PASSWORD_CHARS;

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing password: {e}")))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing in particular, verified when the username is unknown so that a wrong
/// username takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    use std::sync::OnceLock;
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-matches").unwrap_or_default())
}

pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

/// Sessions are stored by the SHA-256 of their token: a leaked table opens no session.
pub fn session_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub email: Option<&'a str>,
    pub password: &'a str,
    pub role: Role,
    pub lang: Lang,
}

pub fn normalise_username(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Whether a new account's password must meet the policy. Only demo data skips it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PasswordPolicy {
    Enforced,
    /// The demo accounts' public password `casia-demo` (README, Playwright): demo data only.
    DemoOnly,
}

fn check_new_user(u: &NewUser<'_>, policy: PasswordPolicy) -> ServiceResult<()> {
    let mut p = casia_domain::validation::Problems::default();
    let name = normalise_username(u.username);
    if name.is_empty() {
        p.add("username", FieldProblem::Required);
    } else if name.chars().count() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        p.add("username", FieldProblem::InvalidChoice);
    }
    p.required_text("full_name", u.full_name, 150);
    if policy == PasswordPolicy::Enforced {
        crate::passwords::check_password(&mut p, "password", u.password, &name, u.full_name);
    }
    if let Some(email) = u.email.filter(|e| !e.trim().is_empty())
        && !casia_domain::validation::is_valid_email(email)
    {
        p.add("email", FieldProblem::InvalidEmail);
    }
    p.finish().map_err(ServiceError::Invalid)
}

/// Creates an account; its password must meet the policy (`passwords::password_problem`).
pub async fn create_user(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
) -> ServiceResult<user::Model> {
    insert_user(db, new, PasswordPolicy::Enforced).await
}

/// DEMO DATA ONLY (`demo::load`, and test fixtures that stand in for it): creates an account
/// whose password skips the policy, because the demo accounts' password `casia-demo` is
/// public, short and relied on by the README, the Playwright suite and people trying Casia.
/// Never call it for a real account.
pub async fn create_demo_user(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
) -> ServiceResult<user::Model> {
    insert_user(db, new, PasswordPolicy::DemoOnly).await
}

async fn insert_user(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
    policy: PasswordPolicy,
) -> ServiceResult<user::Model> {
    check_new_user(&new, policy)?;
    let username = normalise_username(new.username);
    if user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(db)
        .await?
        .is_some()
    {
        return Err(ServiceError::invalid(
            "username",
            FieldProblem::AlreadyExists,
        ));
    }
    let model = user::ActiveModel {
        username: Set(username),
        full_name: Set(new.full_name.trim().to_owned()),
        email: Set(new
            .email
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())),
        password_hash: Set(crate::passwords::hash_off_thread(new.password).await?),
        role: Set(new.role.code().to_owned()),
        lang: Set(new.lang.code().to_owned()),
        active: Set(true),
        created_at: Set(now()),
        must_change_password: Set(false),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

pub fn user_view(u: &user::Model) -> UserView {
    UserView {
        id: u.id,
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        role: Role::from_code(&u.role).unwrap_or(Role::Autorizado),
    }
}

/// The person behind a request, as established from the session cookie.
#[derive(Clone, Debug)]
pub struct Caller {
    pub session_id: String,
    pub user: user::Model,
    pub role: Role,
    pub lang: Lang,
    /// The authorisation the user acts for (authorised users only; chosen at login).
    pub authorisation: Option<authorisation::Model>,
    pub is_main_user: bool,
    /// The client address of the request (for the audit trail); the web layer fills it in.
    pub client: String,
    /// Whether the session passed the login's second step (see [`Caller::second_factor_gate`]).
    pub second_factor: SecondFactorState,
    /// An administrator reset the password: until the user changes it only the account page
    /// and logging out are open (`app::server::require` and the page guard enforce it).
    pub password_change_required: bool,
}

/// An authorised user acting for one authorisation: every case query is scoped by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserScope {
    pub user_id: i64,
    pub authorisation_id: i64,
}

impl Caller {
    /// The role check every server function starts with.
    pub fn require_role(&self, allowed: &[Role]) -> ServiceResult<()> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// An authorised user with a chosen authorisation.
    pub fn user_scope(&self) -> ServiceResult<UserScope> {
        self.require_role(&[Role::Autorizado])?;
        let auth = self
            .authorisation
            .as_ref()
            .ok_or(ServiceError::PickAuthorisation)?;
        Ok(UserScope {
            user_id: self.user.id,
            authorisation_id: auth.id,
        })
    }

    /// The second factor's gate, passed before any role check: a session still waiting for
    /// the login's second step opens nothing; staff without a second factor, while it is
    /// required, can only enrol one.
    pub fn second_factor_gate(&self, staff_mfa: StaffMfa) -> ServiceResult<()> {
        match self.second_factor {
            SecondFactorState::Pending => Err(ServiceError::SecondFactorPending),
            SecondFactorState::NotEnrolled
                if crate::second_factor::is_required(self.role, staff_mfa) =>
            {
                Err(ServiceError::SecondFactorRequired)
            }
            _ => Ok(()),
        }
    }

    pub fn actor(&self) -> casia_domain::Actor {
        casia_domain::Actor {
            user_id: self.user.id,
            role: self.role,
        }
    }

    pub fn authorisation_view(&self) -> Option<AuthorisationView> {
        self.authorisation
            .as_ref()
            .map(|a| authorisation_view(a, self.is_main_user))
    }
}

pub fn authorisation_view(a: &authorisation::Model, is_main_user: bool) -> AuthorisationView {
    AuthorisationView {
        id: a.id,
        number: a.number.clone(),
        company_name: a.company_name.clone(),
        nif: a.nif.clone(),
        is_main_user,
    }
}

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
        .with_user(user.id, &user.role)
        .from_client(client);
    audit::record(&txn, event).await?;
    txn.commit().await?;
    let role = Role::from_code(&user.role);
    Ok(LoggedIn {
        token,
        needs_authorisation: role == Some(Role::Autorizado) && preselected.is_none(),
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
            .with_user(u.id, &u.role)
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
    if at - sess.last_seen_at >= Duration::seconds(60) {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(at))
            .filter(session::Column::Id.eq(id.clone()))
            .exec(db)
            .await?;
    }
    let role = Role::from_code(&user.role)
        .ok_or_else(|| ServiceError::Internal(format!("unknown role {}", user.role)))?;
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

/// The active authorisations a user belongs to, as one query (membership as a subquery).
fn active_authorisations_of(user_id: i64) -> sea_orm::Select<authorisation::Entity> {
    let memberships = Query::select()
        .column(authorisation_member::Column::AuthorisationId)
        .from(authorisation_member::Entity)
        .and_where(Expr::col(authorisation_member::Column::UserId).eq(user_id))
        .to_owned();
    authorisation::Entity::find()
        .filter(authorisation::Column::Active.eq(true))
        .filter(authorisation::Column::Id.in_subquery(memberships))
}

/// How many active authorisations a user belongs to (the header needs only this).
pub async fn authorisation_count(db: &impl ConnectionTrait, user_id: i64) -> ServiceResult<u64> {
    Ok(active_authorisations_of(user_id).count(db).await?)
}

/// The active authorisations a user belongs to, by number.
pub async fn user_authorisations(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> ServiceResult<Vec<authorisation::Model>> {
    Ok(active_authorisations_of(user_id)
        .order_by_asc(authorisation::Column::Number)
        .all(db)
        .await?)
}

/// Guide §3: the user picks, by number, the authorisation to act for.
pub async fn choose_authorisation(
    db: &DatabaseConnection,
    caller: &Caller,
    authorisation_id: i64,
) -> ServiceResult<()> {
    caller.require_role(&[Role::Autorizado])?;
    let mine = user_authorisations(db, caller.user.id).await?;
    if !mine.iter().any(|a| a.id == authorisation_id) {
        return Err(ServiceError::NotFound);
    }
    session::Entity::update_many()
        .col_expr(
            session::Column::AuthorisationId,
            Expr::value(authorisation_id),
        )
        .filter(session::Column::Id.eq(caller.session_id.clone()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_language(
    db: &DatabaseConnection,
    caller: &Caller,
    lang: Lang,
) -> ServiceResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::Lang, Expr::value(lang.code()))
        .filter(user::Column::Id.eq(caller.user.id))
        .exec(db)
        .await?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("Correct horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(session_id(&a).len(), 64);
        assert_ne!(session_id(&a), a);
    }
}
