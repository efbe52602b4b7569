//! Accounts: the paged list, creation, (de)activation and password reset.

use casia_domain::dto::{AccountView, AdminListPage, NewAccount};
use casia_domain::validation::Problems;
use casia_domain::{FieldProblem, Lang, Role};
use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use crate::accounts::{self, Caller, NewUser};
use crate::audit::AuditAction;
use crate::clock::display;
use crate::db::write_transaction;
use crate::db::{found, switch};
use crate::entity::{authorisation, authorisation_member, session, user};
use crate::error::{ServiceError, ServiceResult};

use super::{account_json, audited, list_page, require_admin};

/// Accounts by username, `ADMIN_PAGE_SIZE` at a time, optionally those whose username or name
/// contains `filter`. Only the page's memberships are read.
pub async fn accounts(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &str,
    page: u64,
) -> ServiceResult<AdminListPage<AccountView>> {
    require_admin(caller)?;
    let query = user::Entity::find()
        .order_by_asc(user::Column::Username)
        .order_by_asc(user::Column::Id);
    let (users, has_next) = list_page(
        db,
        query,
        [user::Column::Username, user::Column::FullName],
        filter,
        page,
    )
    .await?;
    let members = authorisation_member::Entity::find()
        .filter(authorisation_member::Column::UserId.is_in(users.iter().map(|u| u.id)))
        .all(db)
        .await?;
    let numbers: HashMap<i64, String> = authorisation::Entity::find()
        .filter(authorisation::Column::Id.is_in(members.iter().map(|m| m.authorisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.number))
        .collect();
    let mut of_user: HashMap<i64, Vec<String>> = HashMap::new();
    for m in &members {
        if let Some(number) = numbers.get(&m.authorisation_id) {
            of_user.entry(m.user_id).or_default().push(number.clone());
        }
    }
    let items = users
        .into_iter()
        .map(|u| {
            let mut authorisations = of_user.remove(&u.id).unwrap_or_default();
            authorisations.sort();
            AccountView {
                authorisations,
                id: u.id,
                username: u.username,
                full_name: u.full_name,
                email: u.email,
                role: u.role,
                active: u.active,
                created_at: display(u.created_at),
            }
        })
        .collect();
    Ok(AdminListPage {
        items,
        page,
        has_next,
    })
}

pub async fn create_account(
    db: &DatabaseConnection,
    caller: &Caller,
    input: NewAccount,
) -> ServiceResult<i64> {
    require_admin(caller)?;
    let role = Role::from_code(&input.role)
        .ok_or(ServiceError::invalid("role", FieldProblem::InvalidChoice))?;
    write_transaction(db, async |tx| {
        let u = accounts::create_user(
            tx,
            NewUser {
                username: &input.username,
                full_name: &input.full_name,
                email: Some(input.email.as_str()),
                password: &input.password,
                role,
                lang: Lang::Es,
            },
        )
        .await?;
        // The password is never part of the event.
        audited(
            tx,
            caller,
            AuditAction::AdminAccountCreated,
            "account",
            u.id,
            json!({ "after": account_json(&u) }),
        )
        .await?;
        Ok(u.id)
    })
    .await
}

/// Deactivating an account also ends its sessions at once.
pub async fn set_account_active(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    active: bool,
) -> ServiceResult<()> {
    require_admin(caller)?;
    if id == caller.user.id && !active {
        return Err(ServiceError::invalid("active", FieldProblem::OwnAccount));
    }
    write_transaction(db, async |tx| {
        let u = switch::<user::Entity>(tx, id, user::Column::Active, active).await?;
        let mut sessions_ended = 0;
        if !active {
            sessions_ended = session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(tx).await?.rows_affected;
        }
        let details = json!({ "username": u.username, "before": { "active": u.active }, "after": { "active": active }, "sessions_ended": sessions_ended });
        audited(tx, caller, AuditAction::AdminAccountActivation, "account", id, details).await
    })
    .await
}

/// Sets a new password (meeting the policy), ends the account's sessions and makes the user
/// choose their own at the next login (ASVS V6.2.3: the administrator knows this one).
pub async fn reset_password(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    password: &str,
) -> ServiceResult<()> {
    require_admin(caller)?;
    let u = found::<user::Entity>(db, id).await?;
    let mut p = Problems::default();
    crate::passwords::check_password(&mut p, "password", password, &u.username, &u.full_name);
    p.finish()?;
    // Hashed before the transaction (and off the async threads): the slow part must not hold
    // the write lock.
    let hash = crate::passwords::hash_off_thread(password).await?;
    write_transaction(db, async |tx| {
        let u = found::<user::Entity>(tx, id).await?;
        let username = u.username.clone();
        let mut am: user::ActiveModel = u.into();
        am.password_hash = Set(hash);
        // The person must choose their own at the next login (ASVS 6.4.1).
        am.must_change_password = Set(true);
        am.update(tx).await?;
        let sessions_ended = session::Entity::delete_many()
            .filter(session::Column::UserId.eq(id))
            .exec(tx)
            .await?
            .rows_affected;
        // That it changed, never the password or its hash.
        audited(
            tx,
            caller,
            AuditAction::AdminPasswordReset,
            "account",
            id,
            json!({ "username": username, "sessions_ended": sessions_ended }),
        )
        .await
    })
    .await
}
