//! Accounts and their passwords: hashing, validation of a new account, creation.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, SaltString};
use casia_domain::dto::UserView;
use casia_domain::{FieldProblem, Lang, Role};
use rand::RngCore;
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::clock::now;
use crate::entity::{session, user};
use crate::error::{ServiceError, ServiceResult};

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
pub(super) fn decoy_hash() -> &'static str {
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
