//! Administration (SPEC.md roles): the taxonomy and document types (add, rename, deactivate —
//! never delete what cases use), accounts and authorisations. Administrators only.

use casia_domain::dto::{
    ADMIN_PAGE_SIZE, AccountView, AdminDocumentType, AdminListPage, AdminNode,
    AuthorisationAdminView, DocumentTypeView, MemberView, NewAccount, NewAuthorisationInput,
    NodeInput, Taxonomy,
};
use casia_domain::model::CaseType;
use casia_domain::validation::Problems;
use casia_domain::{FieldProblem, Lang, Role};
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};

use crate::accounts::{self, Caller, NewUser};
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::authorisations::{self, NewAuthorisation};
use crate::clock::{display, display_opt};
use crate::db::write_transaction;
use crate::entity::{
    authorisation, authorisation_member, document_type, session, taxonomy_node, user,
};
use crate::error::{ServiceError, ServiceResult};

pub const NAME_MAX: usize = 70;

fn require_admin(caller: &Caller) -> ServiceResult<()> {
    caller.require_role(&[Role::Administrador])
}

/// Writes the audit event of an administrative change, in the change's transaction.
async fn audited(
    tx: &impl ConnectionTrait,
    caller: &Caller,
    action: AuditAction,
    kind: &str,
    id: impl ToString,
    details: Value,
) -> ServiceResult<()> {
    audit::record(
        tx,
        AuditEvent::by(caller, action, Outcome::Success)
            .on(kind, id)
            .with_details(details),
    )
    .await
}

fn node_json(n: &taxonomy_node::Model) -> Value {
    json!({
        "case_type": n.case_type, "parent_id": n.parent_id, "depth": n.depth,
        "name_es": n.name_es, "name_en": n.name_en, "help_es": n.help_es, "help_en": n.help_en,
        "technical": n.technical, "active": n.active,
    })
}

fn document_type_json(t: &document_type::Model) -> Value {
    json!({ "code": t.code, "name_es": t.name_es, "name_en": t.name_en, "active": t.active })
}

/// An account as the audit trail shows it: never its password or hash.
fn account_json(u: &user::Model) -> Value {
    json!({ "username": u.username, "full_name": u.full_name, "email": u.email, "role": u.role, "active": u.active })
}

fn authorisation_json(a: &authorisation::Model) -> Value {
    json!({
        "number": a.number, "company_name": a.company_name, "nif": a.nif,
        "contact_email": a.contact_email, "consent": a.notices_consent, "main_user_id": a.main_user_id, "active": a.active,
    })
}

async fn username_of(db: &impl ConnectionTrait, id: Option<i64>) -> ServiceResult<Option<String>> {
    Ok(match id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.username),
        None => None,
    })
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
pub async fn add_node(
    db: &DatabaseConnection,
    caller: &Caller,
    case_type: &str,
    parent: Option<i64>,
    input: NodeInput,
) -> ServiceResult<i64> {
    require_admin(caller)?;
    check_names(&input.name_es, &input.name_en)?;
    write_transaction(db, async |tx| {
        let node = insert_node(tx, case_type, parent, &input).await?;
        audited(
            tx,
            caller,
            AuditAction::AdminTaxonomyChanged,
            "taxonomy_node",
            node.id,
            json!({ "change": "added", "after": node_json(&node) }),
        )
        .await?;
        Ok(node.id)
    })
    .await
}

async fn insert_node(
    db: &impl ConnectionTrait,
    case_type: &str,
    parent: Option<i64>,
    input: &NodeInput,
) -> ServiceResult<taxonomy_node::Model> {
    let (case_type, depth) = match parent {
        None => (
            CaseType::from_code(case_type).ok_or(ServiceError::invalid(
                "case_type",
                FieldProblem::InvalidChoice,
            ))?,
            1,
        ),
        Some(pid) => {
            let p = taxonomy_node::Entity::find_by_id(pid)
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if p.depth >= 3 {
                return Err(ServiceError::invalid(
                    "parent_id",
                    FieldProblem::InvalidChoice,
                ));
            }
            (
                CaseType::from_code(&p.case_type).unwrap_or(CaseType::Consulta),
                p.depth + 1,
            )
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
    if siblings
        .iter()
        .any(|n| n.name_es.eq_ignore_ascii_case(input.name_es.trim()))
    {
        return Err(ServiceError::invalid(
            "name_es",
            FieldProblem::AlreadyExists,
        ));
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
    Ok(node)
}

/// Renames a node and updates its help (the path of existing cases follows by reference).
pub async fn update_node(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    input: NodeInput,
) -> ServiceResult<()> {
    require_admin(caller)?;
    check_names(&input.name_es, &input.name_en)?;
    write_transaction(db, async |tx| {
        let n = taxonomy_node::Entity::find_by_id(id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let before = node_json(&n);
        let technical = input.technical && n.case_type == CaseType::Incidencia.code();
        let mut am: taxonomy_node::ActiveModel = n.into();
        am.name_es = Set(input.name_es.trim().to_owned());
        am.name_en = Set(input.name_en.trim().to_owned());
        am.help_es = Set(input.help_es.trim().to_owned());
        am.help_en = Set(input.help_en.trim().to_owned());
        am.technical = Set(technical);
        let after = am.update(tx).await?;
        audited(
            tx,
            caller,
            AuditAction::AdminTaxonomyChanged,
            "taxonomy_node",
            id,
            json!({ "change": "updated", "before": before, "after": node_json(&after) }),
        )
        .await
    })
    .await
}

/// Deactivates (no longer offered for new cases, existing cases keep it) or reactivates.
pub async fn set_node_active(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    active: bool,
) -> ServiceResult<()> {
    require_admin(caller)?;
    write_transaction(db, async |tx| {
        let n = taxonomy_node::Entity::find_by_id(id).one(tx).await?.ok_or(ServiceError::NotFound)?;
        taxonomy_node::Entity::update_many()
            .col_expr(taxonomy_node::Column::Active, Expr::value(active))
            .filter(taxonomy_node::Column::Id.eq(id))
            .exec(tx)
            .await?;
        let change = if active { "activated" } else { "deactivated" };
        audited(tx, caller, AuditAction::AdminTaxonomyChanged, "taxonomy_node", id, json!({ "change": change, "name_es": n.name_es, "before": { "active": n.active }, "after": { "active": active } })).await
    })
    .await
}

/// Deletes a node only when no case uses it and it has no children.
pub async fn delete_node(db: &DatabaseConnection, caller: &Caller, id: i64) -> ServiceResult<()> {
    require_admin(caller)?;
    let tree = crate::taxonomy::load_for_admin(db, Lang::Es).await?;
    let node = tree.node(id).ok_or(ServiceError::NotFound)?;
    if node.in_use || tree.nodes.iter().any(|n| n.parent_id == Some(id)) {
        return Err(ServiceError::invalid("id", FieldProblem::InUse));
    }
    write_transaction(db, async |tx| {
        let n = taxonomy_node::Entity::find_by_id(id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
        taxonomy_node::Entity::delete_by_id(id).exec(tx).await?;
        audited(
            tx,
            caller,
            AuditAction::AdminTaxonomyChanged,
            "taxonomy_node",
            id,
            json!({ "change": "deleted", "before": node_json(&n) }),
        )
        .await
    })
    .await
}

/// Both languages of one node, for its editor.
pub async fn node(db: &DatabaseConnection, caller: &Caller, id: i64) -> ServiceResult<AdminNode> {
    require_admin(caller)?;
    let n = taxonomy_node::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
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
pub async fn document_types_admin(
    db: &DatabaseConnection,
    caller: &Caller,
) -> ServiceResult<Vec<AdminDocumentType>> {
    require_admin(caller)?;
    Ok(document_type::Entity::find()
        .order_by_asc(document_type::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|t| AdminDocumentType {
            id: t.id,
            code: t.code,
            name_es: t.name_es,
            name_en: t.name_en,
            active: t.active,
        })
        .collect())
}

pub async fn document_types(
    db: &DatabaseConnection,
    caller: &Caller,
) -> ServiceResult<Vec<DocumentTypeView>> {
    require_admin(caller)?;
    crate::taxonomy::document_types(db, caller.lang).await
}

pub async fn add_document_type(
    db: &DatabaseConnection,
    caller: &Caller,
    name_es: &str,
    name_en: &str,
) -> ServiceResult<i64> {
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
    write_transaction(db, async |tx| {
        if document_type::Entity::find()
            .filter(document_type::Column::Code.eq(&code))
            .one(tx)
            .await?
            .is_some()
        {
            return Err(ServiceError::invalid(
                "name_es",
                FieldProblem::AlreadyExists,
            ));
        }
        let position = document_type::Entity::find().count(tx).await? as i32;
        let t = document_type::ActiveModel {
            code: Set(code.clone()),
            name_es: Set(name_es.trim().to_owned()),
            name_en: Set(name_en.trim().to_owned()),
            active: Set(true),
            position: Set(position),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        audited(
            tx,
            caller,
            AuditAction::AdminDocumentTypeChanged,
            "document_type",
            t.id,
            json!({ "change": "added", "after": document_type_json(&t) }),
        )
        .await?;
        Ok(t.id)
    })
    .await
}

pub async fn update_document_type(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    name_es: &str,
    name_en: &str,
    active: bool,
) -> ServiceResult<()> {
    require_admin(caller)?;
    check_names(name_es, name_en)?;
    write_transaction(db, async |tx| {
        let t = document_type::Entity::find_by_id(id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let before = document_type_json(&t);
        let mut am: document_type::ActiveModel = t.into();
        am.name_es = Set(name_es.trim().to_owned());
        am.name_en = Set(name_en.trim().to_owned());
        am.active = Set(active);
        let after = am.update(tx).await?;
        audited(
            tx,
            caller,
            AuditAction::AdminDocumentTypeChanged,
            "document_type",
            id,
            json!({ "change": "updated", "before": before, "after": document_type_json(&after) }),
        )
        .await
    })
    .await
}

/// What an administrator typed to narrow a list, as a lower-case `LIKE` pattern that takes
/// `%`, `_` and `\\` literally.
fn filter_pattern(filter: &str) -> Option<String> {
    let cleaned: String = filter
        .trim()
        .chars()
        .take(100)
        .collect::<String>()
        .to_lowercase();
    if cleaned.is_empty() {
        return None;
    }
    let mut pattern = String::from("%");
    for c in cleaned.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// `lower(column) LIKE pattern ESCAPE '\\'`, the same on SQLite and PostgreSQL.
fn lower_like(
    column: impl sea_orm::sea_query::IntoColumnRef,
    pattern: &str,
) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern).escape('\\'))
}

/// Accounts by username, `ADMIN_PAGE_SIZE` at a time, optionally those whose username or name
/// contains `filter`. Only the page's memberships are read.
/// The first row of `page`: a page past any real list is simply empty (and the database
/// drivers take offsets as signed 64-bit numbers).
fn page_offset(page: u64) -> u64 {
    std::cmp::min(page.saturating_mul(ADMIN_PAGE_SIZE), i64::MAX as u64)
}

pub async fn accounts(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &str,
    page: u64,
) -> ServiceResult<AdminListPage<AccountView>> {
    require_admin(caller)?;
    let mut query = user::Entity::find()
        .order_by_asc(user::Column::Username)
        .order_by_asc(user::Column::Id);
    if let Some(pattern) = filter_pattern(filter) {
        query = query.filter(
            Condition::any()
                .add(lower_like(user::Column::Username, &pattern))
                .add(lower_like(user::Column::FullName, &pattern)),
        );
    }
    let mut users = query
        .offset(page_offset(page))
        .limit(ADMIN_PAGE_SIZE + 1)
        .all(db)
        .await?;
    let has_next = users.len() as u64 > ADMIN_PAGE_SIZE;
    users.truncate(ADMIN_PAGE_SIZE as usize);
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
                role: Role::from_code(&u.role).unwrap_or(Role::Autorizado),
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
        return Err(ServiceError::invalid("id", FieldProblem::InvalidChoice));
    }
    write_transaction(db, async |tx| {
        let u = user::Entity::find_by_id(id).one(tx).await?.ok_or(ServiceError::NotFound)?;
        user::Entity::update_many()
            .col_expr(user::Column::Active, Expr::value(active))
            .filter(user::Column::Id.eq(id))
            .exec(tx)
            .await?;
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
    let u = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut p = Problems::default();
    crate::passwords::check_password(&mut p, "password", password, &u.username, &u.full_name);
    p.finish()?;
    // Hashed before the transaction (and off the async threads): the slow part must not hold
    // the write lock.
    let hash = crate::passwords::hash_off_thread(password).await?;
    write_transaction(db, async |tx| {
        let u = user::Entity::find_by_id(id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
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

/// Authorisations by number, `ADMIN_PAGE_SIZE` at a time, optionally those whose number or
/// company name contains `filter`, with their members (only the page's are read).
pub async fn authorisations(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &str,
    page: u64,
) -> ServiceResult<AdminListPage<AuthorisationAdminView>> {
    require_admin(caller)?;
    let mut query = authorisation::Entity::find()
        .order_by_asc(authorisation::Column::Number)
        .order_by_asc(authorisation::Column::Id);
    if let Some(pattern) = filter_pattern(filter) {
        query = query.filter(
            Condition::any()
                .add(lower_like(authorisation::Column::Number, &pattern))
                .add(lower_like(authorisation::Column::CompanyName, &pattern)),
        );
    }
    let mut auths = query
        .offset(page_offset(page))
        .limit(ADMIN_PAGE_SIZE + 1)
        .all(db)
        .await?;
    let has_next = auths.len() as u64 > ADMIN_PAGE_SIZE;
    auths.truncate(ADMIN_PAGE_SIZE as usize);
    let members = authorisation_member::Entity::find()
        .filter(authorisation_member::Column::AuthorisationId.is_in(auths.iter().map(|a| a.id)))
        .all(db)
        .await?;
    let users: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id)))
        .filter(user::Column::Role.eq(Role::Autorizado.code()))
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
    require_admin(caller)?;
    write_transaction(db, async |tx| {
        let a = authorisation::Entity::find_by_id(id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
        authorisation::Entity::update_many()
            .col_expr(authorisation::Column::Active, Expr::value(active))
            .filter(authorisation::Column::Id.eq(id))
            .exec(tx)
            .await?;
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
    require_admin(caller)?;
    write_transaction(db, async |tx| {
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
    require_admin(caller)?;
    write_transaction(db, async |tx| {
        let u = user::Entity::find()
            .filter(user::Column::Username.eq(accounts::normalise_username(username)))
            .one(tx)
            .await?
            .ok_or(ServiceError::invalid(
                "username",
                FieldProblem::InvalidChoice,
            ))?;
        let a = authorisation::Entity::find_by_id(authorisation_id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
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
    require_admin(caller)?;
    write_transaction(db, async |tx| {
        let a = authorisation::Entity::find_by_id(authorisation_id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
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
    require_admin(caller)?;
    write_transaction(db, async |tx| {
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
        let a = authorisation::Entity::find_by_id(authorisation_id)
            .one(tx)
            .await?
            .ok_or(ServiceError::NotFound)?;
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
