//! Administration (README "Administrators"): the taxonomy and document types (add, rename,
//! deactivate — never delete what cases use), accounts and authorisations. Administrators only.

mod accounts;
mod authorisations;
mod document_types;
mod plazos;
mod taxonomy;

use casia_domain::Role;
use casia_domain::dto::ADMIN_PAGE_SIZE;
use casia_domain::validation::Problems;

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter,
    QuerySelect,
};
use serde_json::{Value, json};

use crate::accounts::Caller;
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::entity::{authorisation, document_type, taxonomy_node, user};
use crate::error::{ServiceError, ServiceResult};

pub use accounts::{accounts, create_account, reset_password, set_account_active};
pub use authorisations::{
    add_member, authorisations, create_authorisation, remove_member, set_authorisation_active,
    set_main_user,
};
pub use document_types::{
    add_document_type, document_types, document_types_admin, update_document_type,
};
pub use plazos::{TARGET_MAX, change_plazos, plazos_admin};
pub use taxonomy::{add_node, delete_node, node, set_node_active, taxonomy, update_node};

pub const NAME_MAX: usize = 70;

fn require_admin(caller: &Caller) -> ServiceResult<()> {
    caller.require_role(&[Role::Administrador])
}

/// An administrator's change: the role checked, then `work` in one write transaction.
async fn admin_write<T>(
    db: &DatabaseConnection,
    caller: &Caller,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> ServiceResult<T>,
) -> ServiceResult<T> {
    require_admin(caller)?;
    crate::db::write_transaction(db, work).await
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

/// One page of an administrator's list: `query` (already ordered) narrowed to the rows where
/// one of `columns` contains `filter`, `ADMIN_PAGE_SIZE` rows from `page` on, and whether more
/// follow.
async fn list_page<E>(
    db: &DatabaseConnection,
    mut query: sea_orm::Select<E>,
    columns: [E::Column; 2],
    filter: &str,
    page: u64,
) -> ServiceResult<(Vec<E::Model>, bool)>
where
    E: EntityTrait,
    E::Column: sea_orm::sea_query::IntoColumnRef,
{
    if let Some(pattern) = filter_pattern(filter) {
        let any = columns.into_iter().fold(Condition::any(), |any, column| {
            any.add(lower_like(column, &pattern))
        });
        query = query.filter(any);
    }
    let mut rows = query
        .offset(page_offset(page))
        .limit(ADMIN_PAGE_SIZE + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > ADMIN_PAGE_SIZE;
    rows.truncate(ADMIN_PAGE_SIZE as usize);
    Ok((rows, has_next))
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

/// The first row of `page`: a page past any real list is simply empty (and the database
/// drivers take offsets as signed 64-bit numbers).
fn page_offset(page: u64) -> u64 {
    std::cmp::min(page.saturating_mul(ADMIN_PAGE_SIZE), i64::MAX as u64)
}
