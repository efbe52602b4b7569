//! Administration (SPEC.md roles): the taxonomy and document types (add, rename, deactivate —
//! never delete what cases use), accounts and authorisations. Administrators only.

use casia_domain::dto::{
    AccountView, AdminDocumentType, AdminNode, AuthorisationAdminView, DocumentTypeView, MemberView, NewAccount,
    NewAuthorisationInput, NodeInput, Taxonomy,
};
use casia_domain::model::CaseType;
use casia_domain::validation::Problems;
use casia_domain::{FieldProblem, Lang, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::accounts::{self, Caller, NewUser};
use crate::authorisations::{self, NewAuthorisation};
use crate::clock::{display, display_opt};
use crate::entity::{authorisation, authorisation_member, document_type, session, taxonomy_node, user};
use crate::error::{ServiceError, ServiceResult};

pub const NAME_MAX: usize = 70;

fn require_admin(caller: &Caller) -> ServiceResult<()> {
    caller.require_role(&[Role::Administrador])
}

fn check_names(name_es: &str, name_en: &str) -> ServiceResult<()> {
    let mut p = Problems::default();
    p.required_text("name_es", name_es, NAME_MAX);
    p.required_text("name_en", name_en, NAME_MAX);
    p.finish().map_err(ServiceError::Invalid)
}

/// The whole tree, with the nodes cases use marked (they can be deactivated, not deleted).
pub async fn taxonomy(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Taxonomy> {
    require_admin(caller)?;
    crate::taxonomy::load_for_admin(db, caller.lang).await
}


/// Adds a subject under a case type (`parent = None`), a category under a subject, or a
/// subcategory under a category.
pub async fn add_node(db: &DatabaseConnection, caller: &Caller, case_type: &str, parent: Option<i64>, input: NodeInput) -> ServiceResult<i64> {
    require_admin(caller)?;
    check_names(&input.name_es, &input.name_en)?;
    let (case_type, depth) = match parent {
        None => (CaseType::from_code(case_type).ok_or(ServiceError::invalid("case_type", FieldProblem::InvalidChoice))?, 1),
        Some(pid) => {
            let p = taxonomy_node::Entity::find_by_id(pid).one(db).await?.ok_or(ServiceError::NotFound)?;
            if p.depth >= 3 {
                return Err(ServiceError::invalid("parent_id", FieldProblem::InvalidChoice));
            }
            (CaseType::from_code(&p.case_type).unwrap_or(CaseType::Consulta), p.depth + 1)
        }
    };
    let siblings = taxonomy_node::Entity::find()
        .filter(taxonomy_node::Column::CaseType.eq(case_type.code()))
        .filter(match parent {
            Some(pid) => taxonomy_node::Column::ParentId.eq(pid),
            None => taxonomy_node::Column::ParentId.is_null(),
        })
        .all(db)
        .await?;
    if siblings.iter().any(|n| n.name_es.eq_ignore_ascii_case(input.name_es.trim())) {
        return Err(ServiceError::invalid("name_es", FieldProblem::AlreadyExists));
    }
    let node = taxonomy_node::ActiveModel {
        parent_id: Set(parent),
        case_type: Set(case_type.code().to_owned()),
        depth: Set(depth),
        name_es: Set(input.name_es.trim().to_owned()),
        name_en: Set(input.name_en.trim().to_owned()),
        help_es: Set(input.help_es.trim().to_owned()),
        help_en: Set(input.help_en.trim().to_owned()),
        technical: Set(input.technical && case_type == CaseType::Incidencia),
        active: Set(true),
        position: Set(siblings.iter().map(|n| n.position).max().unwrap_or(-1) + 1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(node.id)
}

/// Renames a node and updates its help (the path of existing cases follows by reference).
pub async fn update_node(db: &DatabaseConnection, caller: &Caller, id: i64, input: NodeInput) -> ServiceResult<()> {
    require_admin(caller)?;
    check_names(&input.name_es, &input.name_en)?;
    let n = taxonomy_node::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?;
    let technical = input.technical && n.case_type == CaseType::Incidencia.code();
    let mut am: taxonomy_node::ActiveModel = n.into();
    am.name_es = Set(input.name_es.trim().to_owned());
    am.name_en = Set(input.name_en.trim().to_owned());
    am.help_es = Set(input.help_es.trim().to_owned());
    am.help_en = Set(input.help_en.trim().to_owned());
    am.technical = Set(technical);
    am.update(db).await?;
    Ok(())
}

/// Deactivates (no longer offered for new cases, existing cases keep it) or reactivates.
pub async fn set_node_active(db: &DatabaseConnection, caller: &Caller, id: i64, active: bool) -> ServiceResult<()> {
    require_admin(caller)?;
    let updated = taxonomy_node::Entity::update_many()
        .col_expr(taxonomy_node::Column::Active, Expr::value(active))
        .filter(taxonomy_node::Column::Id.eq(id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// Deletes a node only when no case uses it and it has no children.
pub async fn delete_node(db: &DatabaseConnection, caller: &Caller, id: i64) -> ServiceResult<()> {
    require_admin(caller)?;
    let tree = crate::taxonomy::load_for_admin(db, Lang::Es).await?;
    let node = tree.node(id).ok_or(ServiceError::NotFound)?;
    if node.in_use || tree.nodes.iter().any(|n| n.parent_id == Some(id)) {
        return Err(ServiceError::invalid("id", FieldProblem::InUse));
    }
    taxonomy_node::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Both languages of one node, for its editor.
pub async fn node(db: &DatabaseConnection, caller: &Caller, id: i64) -> ServiceResult<AdminNode> {
    require_admin(caller)?;
    let n = taxonomy_node::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?;
    Ok(AdminNode {
        id: n.id,
        depth: n.depth,
        case_type: CaseType::from_code(&n.case_type).unwrap_or(CaseType::Consulta),
        name_es: n.name_es,
        name_en: n.name_en,
        help_es: n.help_es,
        help_en: n.help_en,
        technical: n.technical,
        active: n.active,
    })
}

/// Document types with both names, for the editor.
pub async fn document_types_admin(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Vec<AdminDocumentType>> {
    require_admin(caller)?;
    Ok(document_type::Entity::find()
        .order_by_asc(document_type::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|t| AdminDocumentType { id: t.id, code: t.code, name_es: t.name_es, name_en: t.name_en, active: t.active })
        .collect())
}

pub async fn document_types(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Vec<DocumentTypeView>> {
    require_admin(caller)?;
    crate::taxonomy::document_types(db, caller.lang).await
}

pub async fn add_document_type(db: &DatabaseConnection, caller: &Caller, name_es: &str, name_en: &str) -> ServiceResult<i64> {
    require_admin(caller)?;
    check_names(name_es, name_en)?;
    let code: String = name_es
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if document_type::Entity::find().filter(document_type::Column::Code.eq(&code)).one(db).await?.is_some() {
        return Err(ServiceError::invalid("name_es", FieldProblem::AlreadyExists));
    }
    let position = document_type::Entity::find().count(db).await? as i32;
    let t = document_type::ActiveModel {
        code: Set(code),
        name_es: Set(name_es.trim().to_owned()),
        name_en: Set(name_en.trim().to_owned()),
        active: Set(true),
        position: Set(position),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(t.id)
}

pub async fn update_document_type(db: &DatabaseConnection, caller: &Caller, id: i64, name_es: &str, name_en: &str, active: bool) -> ServiceResult<()> {
    require_admin(caller)?;
    check_names(name_es, name_en)?;
    let t = document_type::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?;
    let mut am: document_type::ActiveModel = t.into();
    am.name_es = Set(name_es.trim().to_owned());
    am.name_en = Set(name_en.trim().to_owned());
    am.active = Set(active);
    am.update(db).await?;
    Ok(())
}


pub async fn accounts(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Vec<AccountView>> {
    require_admin(caller)?;
    let users = user::Entity::find().order_by_asc(user::Column::Username).all(db).await?;
    let members = authorisation_member::Entity::find().all(db).await?;
    let auths = authorisation::Entity::find().all(db).await?;
    Ok(users
        .into_iter()
        .map(|u| AccountView {
            authorisations: members
                .iter()
                .filter(|m| m.user_id == u.id)
                .filter_map(|m| auths.iter().find(|a| a.id == m.authorisation_id).map(|a| a.number.clone()))
                .collect(),
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            email: u.email,
            role: Role::from_code(&u.role).unwrap_or(Role::Autorizado),
            active: u.active,
            created_at: display(u.created_at),
        })
        .collect())
}


pub async fn create_account(db: &DatabaseConnection, caller: &Caller, input: NewAccount) -> ServiceResult<i64> {
    require_admin(caller)?;
    let role = Role::from_code(&input.role).ok_or(ServiceError::invalid("role", FieldProblem::InvalidChoice))?;
    let u = accounts::create_user(
        db,
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
    Ok(u.id)
}

/// Deactivating an account also ends its sessions at once.
pub async fn set_account_active(db: &DatabaseConnection, caller: &Caller, id: i64, active: bool) -> ServiceResult<()> {
    require_admin(caller)?;
    if id == caller.user.id && !active {
        return Err(ServiceError::invalid("id", FieldProblem::InvalidChoice));
    }
    let updated = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    if !active {
        session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(db).await?;
    }
    Ok(())
}

/// Sets a new password (meeting the policy), ends the account's sessions and makes the user
/// choose their own at the next login (ASVS V6.2.3: the administrator knows this one).
pub async fn reset_password(db: &DatabaseConnection, caller: &Caller, id: i64, password: &str) -> ServiceResult<()> {
    require_admin(caller)?;
    let u = user::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?;
    let mut p = Problems::default();
    crate::passwords::check_password(&mut p, "password", password, &u.username, &u.full_name);
    p.finish()?;
    let hash = crate::passwords::hash_off_thread(password).await?;
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(hash);
    am.must_change_password = Set(true);
    am.update(db).await?;
    session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(db).await?;
    Ok(())
}

pub async fn authorisations(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Vec<AuthorisationAdminView>> {
    require_admin(caller)?;
    let auths = authorisation::Entity::find().order_by_asc(authorisation::Column::Number).all(db).await?;
    let members = authorisation_member::Entity::find().all(db).await?;
    let users = user::Entity::find().filter(user::Column::Role.eq(Role::Autorizado.code())).all(db).await?;
    Ok(auths
        .into_iter()
        .map(|a| AuthorisationAdminView {
            members: members
                .iter()
                .filter(|m| m.authorisation_id == a.id)
                .filter_map(|m| users.iter().find(|u| u.id == m.user_id))
                .map(|u| MemberView { user_id: u.id, username: u.username.clone(), full_name: u.full_name.clone(), main: a.main_user_id == Some(u.id) })
                .collect(),
            id: a.id,
            number: a.number,
            company_name: a.company_name,
            nif: a.nif,
            contact_email: a.contact_email,
            consent: a.notices_consent,
            contact_updated_at: display_opt(a.contact_updated_at),
            active: a.active,
        })
        .collect())
}


/// A deactivated authorisation keeps its cases and members, but nobody can act for it: it
/// leaves the picker, and a session acting for it must choose again (checked on every request).
pub async fn set_authorisation_active(db: &DatabaseConnection, caller: &Caller, id: i64, active: bool) -> ServiceResult<()> {
    require_admin(caller)?;
    let updated = authorisation::Entity::update_many()
        .col_expr(authorisation::Column::Active, Expr::value(active))
        .filter(authorisation::Column::Id.eq(id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

pub async fn create_authorisation(db: &DatabaseConnection, caller: &Caller, input: NewAuthorisationInput) -> ServiceResult<i64> {
    require_admin(caller)?;
    let a = authorisations::create_authorisation(
        db,
        NewAuthorisation {
            number: &input.number,
            company_name: &input.company_name,
            nif: &input.nif,
            contact_email: Some(input.contact_email.as_str()),
            notices_consent: input.consent,
        },
    )
    .await?;
    Ok(a.id)
}

/// Adds a member by username (an authorised user's account).
pub async fn add_member(db: &DatabaseConnection, caller: &Caller, authorisation_id: i64, username: &str, main: bool) -> ServiceResult<()> {
    require_admin(caller)?;
    let u = user::Entity::find()
        .filter(user::Column::Username.eq(accounts::normalise_username(username)))
        .one(db)
        .await?
        .ok_or(ServiceError::invalid("username", FieldProblem::InvalidChoice))?;
    authorisations::add_member(db, authorisation_id, u.id, main).await
}

/// Removes a member; the main user cannot be removed until another is made main.
pub async fn remove_member(db: &DatabaseConnection, caller: &Caller, authorisation_id: i64, user_id: i64) -> ServiceResult<()> {
    require_admin(caller)?;
    let a = authorisation::Entity::find_by_id(authorisation_id).one(db).await?.ok_or(ServiceError::NotFound)?;
    if a.main_user_id == Some(user_id) {
        return Err(ServiceError::invalid("user_id", FieldProblem::InUse));
    }
    authorisation_member::Entity::delete_by_id((authorisation_id, user_id)).exec(db).await?;
    Ok(())
}

pub async fn set_main_user(db: &DatabaseConnection, caller: &Caller, authorisation_id: i64, user_id: i64) -> ServiceResult<()> {
    require_admin(caller)?;
    if authorisation_member::Entity::find_by_id((authorisation_id, user_id)).one(db).await?.is_none() {
        return Err(ServiceError::invalid("user_id", FieldProblem::InvalidChoice));
    }
    authorisation::Entity::update_many()
        .col_expr(authorisation::Column::MainUserId, Expr::value(user_id))
        .filter(authorisation::Column::Id.eq(authorisation_id))
        .exec(db)
        .await?;
    Ok(())
}
