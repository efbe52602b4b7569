//! Integration API tokens: one user acting for one authorisation, with scopes and an optional
//! expiry. Created by the operator (`casia create-token`), listed and revoked on `Tokens de
//! acceso`, checked on every API request.
//!
//! A token is 256 random bits, so its plain SHA-256 is what is stored: unlike a password it
//! cannot be guessed from a dictionary, and a slow hash (argon2) would cost every request
//! tens of milliseconds for nothing. A leaked table authenticates nobody.

use casia_domain::dto::{TokenList, TokenView};
use casia_domain::model::ApiScope;
use casia_domain::{FieldProblem, Lang, Role};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::accounts::{Caller, SecondFactorState, normalise_username, random_token, session_id};
use crate::clock::{display, display_opt, now};
use crate::entity::{api_token, authorisation, authorisation_member, user};
use crate::error::{ServiceError, ServiceResult};

/// Every token starts so, which lets secret scanners recognise a leaked one.
pub const TOKEN_PREFIX: &str = "casia_";
pub const NAME_MAX: usize = 100;
/// The longest expiry the CLI accepts: ten years.
pub const EXPIRES_DAYS_MAX: i64 = 3650;

/// What the operator asks for.
pub struct NewToken<'a> {
    pub username: &'a str,
    /// Nº Autorización.
    pub authorisation_number: &'a str,
    pub name: &'a str,
    pub scopes: Vec<ApiScope>,
    pub expires_days: Option<i64>,
}

/// The token, to be shown once, and its row.
pub struct IssuedToken {
    pub token: String,
    pub row: api_token::Model,
}

/// Checks the request and stores a new token's hash. The user must be an active authorised
/// user and a member of the active authorisation.
pub async fn create(db: &impl ConnectionTrait, new: NewToken<'_>) -> ServiceResult<IssuedToken> {
    let mut problems = casia_domain::validation::Problems::default();
    let name = new.name.trim();
    if name.is_empty() {
        problems.add("name", FieldProblem::Required);
    } else if name.chars().count() > NAME_MAX {
        problems.add("name", FieldProblem::TooLong { max: NAME_MAX });
    }
    if new.scopes.is_empty() {
        problems.add("scopes", FieldProblem::Required);
    }
    if let Some(days) = new.expires_days
        && !(1..=EXPIRES_DAYS_MAX).contains(&days)
    {
        problems.add(
            "expires_days",
            FieldProblem::OutOfRange {
                min: 1,
                max: EXPIRES_DAYS_MAX,
            },
        );
    }
    problems.finish()?;
    let Some(u) = user::Entity::find()
        .filter(user::Column::Username.eq(normalise_username(new.username)))
        .one(db)
        .await?
    else {
        return Err(ServiceError::invalid(
            "username",
            FieldProblem::UnknownUsername,
        ));
    };
    if u.role != Role::Autorizado || !u.active {
        return Err(ServiceError::invalid(
            "username",
            FieldProblem::InvalidChoice,
        ));
    }
    let Some(a) = authorisation::Entity::find()
        .filter(authorisation::Column::Number.eq(new.authorisation_number.trim()))
        .one(db)
        .await?
    else {
        return Err(ServiceError::invalid(
            "authorisation",
            FieldProblem::InvalidChoice,
        ));
    };
    if !a.active || !is_member(db, a.id, u.id).await? {
        return Err(ServiceError::invalid(
            "authorisation",
            FieldProblem::NotAMember,
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let at = now();
    let row = api_token::ActiveModel {
        user_id: Set(u.id),
        authorisation_id: Set(a.id),
        name: Set(name.to_owned()),
        token_hash: Set(session_id(&token)),
        scopes: Set(ApiScope::join(&new.scopes)),
        created_at: Set(at),
        expires_at: Set(new.expires_days.map(|d| at + Duration::days(d))),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(IssuedToken { token, row })
}

async fn is_member(
    db: &impl ConnectionTrait,
    authorisation_id: i64,
    user_id: i64,
) -> ServiceResult<bool> {
    Ok(authorisation_member::Entity::find()
        .filter(authorisation_member::Column::AuthorisationId.eq(authorisation_id))
        .filter(authorisation_member::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .is_some())
}

/// The caller behind a Bearer token, and what the token may do.
#[derive(Clone, Debug)]
pub struct TokenCaller {
    pub caller: Caller,
    pub token_id: i64,
    pub scopes: Vec<ApiScope>,
}

impl TokenCaller {
    pub fn allows(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// The caller of an API request. Every condition is checked on every request, so revoking
/// the token, its expiry, removing the user from the authorisation or deactivating either
/// takes effect at once. Any failure is the same `NotSignedIn` (401): nothing tells a caller
/// which part of a token was wrong.
pub async fn caller_from_bearer(
    db: &impl ConnectionTrait,
    token: &str,
    client: String,
) -> ServiceResult<TokenCaller> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
        return Err(ServiceError::NotSignedIn);
    }
    let at = now();
    let membership = Query::select()
        .expr(Expr::val(1))
        .from(authorisation_member::Entity)
        .and_where(
            Expr::col((
                authorisation_member::Entity,
                authorisation_member::Column::AuthorisationId,
            ))
            .equals((api_token::Entity, api_token::Column::AuthorisationId)),
        )
        .and_where(
            Expr::col((
                authorisation_member::Entity,
                authorisation_member::Column::UserId,
            ))
            .equals((api_token::Entity, api_token::Column::UserId)),
        )
        .to_owned();
    let Some(t) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(session_id(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(api_token::Column::ExpiresAt.is_null())
                .add(api_token::Column::ExpiresAt.gt(at)),
        )
        .filter(Expr::exists(membership))
        .one(db)
        .await?
    else {
        return Err(ServiceError::NotSignedIn);
    };
    let Some(u) = user::Entity::find_by_id(t.user_id)
        .one(db)
        .await?
        .filter(|u| u.active && u.role == Role::Autorizado)
    else {
        return Err(ServiceError::NotSignedIn);
    };
    let Some(a) = authorisation::Entity::find_by_id(t.authorisation_id)
        .one(db)
        .await?
        .filter(|a| a.active)
    else {
        return Err(ServiceError::NotSignedIn);
    };
    // Touch at most once a minute, as sessions do.
    if t.last_used_at
        .is_none_or(|last| at - last >= Duration::seconds(60))
    {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(at))
            .filter(api_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    let scopes = ApiScope::parse_list(&t.scopes).unwrap_or_default();
    let lang = Lang::from_code(&u.lang).unwrap_or_default();
    let is_main_user = a.main_user_id == Some(u.id);
    Ok(TokenCaller {
        caller: Caller {
            // Not a session: the audit trail tells the token apart by this.
            session_id: format!("api-token:{}", t.id),
            role: u.role,
            lang,
            authorisation: Some(a),
            is_main_user,
            client,
            // The operator issued the token to this user for this authorisation; a token
            // has no login to pass a second step in.
            second_factor: SecondFactorState::Verified,
            password_change_required: false,
            user: u,
        },
        token_id: t.id,
        scopes,
    })
}

/// Tokens the caller may see: their own for the current authorisation; a main user sees
/// every token of the authorisation.
fn visible_to(caller: &Caller) -> ServiceResult<sea_orm::Select<api_token::Entity>> {
    let scope = caller.user_scope()?;
    let mut q = api_token::Entity::find()
        .filter(api_token::Column::AuthorisationId.eq(scope.authorisation_id));
    if !caller.is_main_user {
        q = q.filter(api_token::Column::UserId.eq(scope.user_id));
    }
    Ok(q)
}

/// `Tokens de acceso`, newest first.
pub async fn list(db: &impl ConnectionTrait, caller: &Caller) -> ServiceResult<TokenList> {
    let rows = visible_to(caller)?
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?;
    let owner_ids: Vec<i64> = rows.iter().map(|t| t.user_id).collect();
    let owners: std::collections::HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(owner_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, format!("{} ({})", u.full_name, u.username)))
        .collect();
    let at = now();
    Ok(TokenList {
        tokens: rows
            .into_iter()
            .map(|t| view(t, &owners, caller.user.id, at))
            .collect(),
        is_main_user: caller.is_main_user,
    })
}

fn view(
    t: api_token::Model,
    owners: &std::collections::HashMap<i64, String>,
    me: i64,
    at: DateTime<Utc>,
) -> TokenView {
    TokenView {
        id: t.id,
        owner: owners.get(&t.user_id).cloned().unwrap_or_default(),
        mine: t.user_id == me,
        scopes: ApiScope::parse_list(&t.scopes).unwrap_or_default(),
        created_at: display(t.created_at),
        expires_at: display_opt(t.expires_at),
        last_used_at: display_opt(t.last_used_at),
        revoked_at: display_opt(t.revoked_at),
        expired: t.expires_at.is_some_and(|e| e <= at),
        name: t.name,
    }
}

/// Revokes a token the caller may see; at once, for every request after this one. Revoking
/// an already revoked token changes nothing.
pub async fn revoke(db: &impl ConnectionTrait, caller: &Caller, id: i64) -> ServiceResult<()> {
    let Some(t) = visible_to(caller)?
        .filter(api_token::Column::Id.eq(id))
        .one(db)
        .await?
    else {
        return Err(crate::audit::not_found(db, caller, "api_token", id, "not_visible").await);
    };
    if t.revoked_at.is_none() {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(now()))
            .filter(api_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    Ok(())
}
