//! Personal accounts, passwords (argon2id), server-side sessions and the login rate limit.

mod login;
mod users;

use casia_domain::dto::AuthorisationView;
use casia_domain::{Lang, Role};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::config::StaffMfa;
use crate::entity::{authorisation, authorisation_member, session, user};
use crate::error::{ServiceError, ServiceResult};
pub use crate::passwords::MIN_PASSWORD_CHARS;
pub use crate::second_factor::SecondFactorState;

pub use login::{LoggedIn, caller_from_token, login, logout, purge_expired, watcher_from_token};
pub(crate) use users::random_token;
pub use users::{
    NewUser, create_demo_user, create_user, hash_password, normalise_username, session_id,
    user_view, verify_password,
};

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
    set_user_language(db, caller.user.id, lang).await
}

/// Remembers `lang` for the account `user_id` (e.g. the language chosen on the login page).
pub async fn set_user_language(
    db: &DatabaseConnection,
    user_id: i64,
    lang: Lang,
) -> ServiceResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::Lang, Expr::value(lang.code()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
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
