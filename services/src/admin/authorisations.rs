//! Authorisations: the paged list, creation, (de)activation, members and main user.

use casia_domain::dto::{AdminListPage, AuthorisationAdminView, MemberView, NewAuthorisationInput};
use casia_domain::{FieldProblem, Role};
use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::accounts::{self, Caller};
use crate::audit::AuditAction;
use crate::authorisations::{self, NewAuthorisation};
use crate::clock::display_opt;
use crate::db::{found, switch};
use crate::entity::{authorisation, authorisation_member, user};
use crate::error::{ServiceError, ServiceResult};

use super::{admin_write, audited, authorisation_json, list_page, require_admin, username_of};

/// Authorisations by number, `ADMIN_PAGE_SIZE` at a time, optionally those whose number or
/// company name contains `filter`, with their members (only the page's are read).
pub async fn authorisations(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &str,
    page: u64,
) -> ServiceResult<AdminListPage<AuthorisationAdminView>> {
    require_admin(caller)?;
    let query = authorisation::Entity::find()
        .order_by_asc(authorisation::Column::Number)
        .order_by_asc(authorisation::Column::Id);
    let (auths, has_next) = list_page(
        db,
        query,
        [
            authorisation::Column::Number,
            authorisation::Column::CompanyName,
        ],
        filter,
        page,
    )
    .await?;
    let members = authorisation_member::Entity::find()
        .filter(authorisation_member::Column::AuthorisationId.is_in(auths.iter().map(|a| a.id)))
        .all(db)
        .await?;
    let users: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id)))
        .filter(user::Column::Role.eq(Role::Autorizado))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut of_authorisation: HashMap<i64, Vec<&user::Model>> = HashMap::new();
    for m in &members {
        if let Some(u) = users.get(&m.user_id) {
            of_authorisation
                .entry(m.authorisation_id)
                .or_default()
                .push(u);
        }
    }
    let items = auths
        .into_iter()
        .map(|a| {
            let mut members: Vec<MemberView> = of_authorisation
                .remove(&a.id)
                .unwrap_or_default()
                .into_iter()
                .map(|u| MemberView {
                    user_id: u.id,
                    username: u.username.clone(),
                    full_name: u.full_name.clone(),
                    main: a.main_user_id == Some(u.id),
                })
                .collect();
            members.sort_by(|x, y| x.username.cmp(&y.username));
            AuthorisationAdminView {
                members,
                id: a.id,
                number: a.number,
                company_name: a.company_name,
                nif: a.nif,
                contact_email: a.contact_email,
                consent: a.notices_consent,
                contact_updated_at: display_opt(a.contact_updated_at),
                active: a.active,
            }
        })
        .collect();
    Ok(AdminListPage {
        items,
        page,
        has_next,
    })
}

/// A deactivated authorisation keeps its cases and members, but nobody can act for it: it
/// leaves the picker, and a session acting for it must choose again (checked on every request).
pub async fn set_authorisation_active(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    active: bool,
) -> ServiceResult<()> {
    admin_write(db, caller, async |tx| {
        let a =
            switch::<authorisation::Entity>(tx, id, authorisation::Column::Active, active).await?;
        let details = json!({ "before": { "active": a.active }, "after": { "active": active } });
        audited(
            tx,
            caller,
            AuditAction::AdminAuthorisationActivation,
            "authorisation",
            &a.number,
            details,
        )
        .await
    })
    .await
}

pub async fn create_authorisation(
    db: &DatabaseConnection,
    caller: &Caller,
    input: NewAuthorisationInput,
) -> ServiceResult<i64> {
    admin_write(db, caller, async |tx| {
        let a = authorisations::create_authorisation(
            tx,
            NewAuthorisation {
                number: &input.number,
                company_name: &input.company_name,
                nif: &input.nif,
                contact_email: Some(input.contact_email.as_str()),
                notices_consent: input.consent,
            },
        )
        .await?;
        audited(
            tx,
            caller,
            AuditAction::AdminAuthorisationCreated,
            "authorisation",
            &a.number,
            json!({ "after": authorisation_json(&a) }),
        )
        .await?;
        Ok(a.id)
    })
    .await
}

/// Adds a member by username (an authorised user's account).
pub async fn add_member(
    db: &DatabaseConnection,
    caller: &Caller,
    authorisation_id: i64,
    username: &str,
    main: bool,
) -> ServiceResult<()> {
    admin_write(db, caller, async |tx| {
        let u = user::Entity::find()
            .filter(user::Column::Username.eq(accounts::normalise_username(username)))
            .one(tx)
            .await?
            .ok_or(ServiceError::invalid(
                "username",
                FieldProblem::UnknownUsername,
            ))?;
        let a = found::<authorisation::Entity>(tx, authorisation_id).await?;
        let was_member = authorisation_member::Entity::find_by_id((authorisation_id, u.id))
            .one(tx)
            .await?
            .is_some();
        authorisations::add_member(tx, authorisation_id, u.id, main).await?;
        let main_after = if main { Some(u.id) } else { a.main_user_id };
        let details = json!({
            "user_id": u.id, "username": u.username,
            "before": { "member": was_member, "main_user": username_of(tx, a.main_user_id).await? },
            "after": { "member": true, "main_user": username_of(tx, main_after).await? },
        });
        audited(
            tx,
            caller,
            AuditAction::AdminMemberAdded,
            "authorisation",
            &a.number,
            details,
        )
        .await
    })
    .await
}

/// Removes a member; the main user cannot be removed until another is made main.
pub async fn remove_member(
    db: &DatabaseConnection,
    caller: &Caller,
    authorisation_id: i64,
    user_id: i64,
) -> ServiceResult<()> {
    admin_write(db, caller, async |tx| {
        let a = found::<authorisation::Entity>(tx, authorisation_id).await?;
        if a.main_user_id == Some(user_id) {
            return Err(ServiceError::invalid("user_id", FieldProblem::InUse));
        }
        let removed = authorisation_member::Entity::delete_by_id((authorisation_id, user_id))
            .exec(tx)
            .await?
            .rows_affected;
        let details = json!({
            "user_id": user_id, "username": username_of(tx, Some(user_id)).await?,
            "before": { "member": removed > 0 }, "after": { "member": false },
        });
        audited(
            tx,
            caller,
            AuditAction::AdminMemberRemoved,
            "authorisation",
            &a.number,
            details,
        )
        .await
    })
    .await
}

pub async fn set_main_user(
    db: &DatabaseConnection,
    caller: &Caller,
    authorisation_id: i64,
    user_id: i64,
) -> ServiceResult<()> {
    admin_write(db, caller, async |tx| {
        if authorisation_member::Entity::find_by_id((authorisation_id, user_id))
            .one(tx)
            .await?
            .is_none()
        {
            return Err(ServiceError::invalid(
                "user_id",
                FieldProblem::InvalidChoice,
            ));
        }
        let a = found::<authorisation::Entity>(tx, authorisation_id).await?;
        authorisation::Entity::update_many()
            .col_expr(authorisation::Column::MainUserId, Expr::value(user_id))
            .filter(authorisation::Column::Id.eq(authorisation_id))
            .exec(tx)
            .await?;
        let details = json!({
            "before": { "main_user": username_of(tx, a.main_user_id).await? },
            "after": { "main_user": username_of(tx, Some(user_id)).await? },
        });
        audited(
            tx,
            caller,
            AuditAction::AdminMainUserSet,
            "authorisation",
            &a.number,
            details,
        )
        .await
    })
    .await
}
