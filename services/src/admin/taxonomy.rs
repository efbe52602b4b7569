//! The taxonomy editor: nodes added, renamed, (de)activated, deleted while unused.

use casia_domain::dto::{AdminNode, NodeInput, Taxonomy};
use casia_domain::model::CaseType;
use casia_domain::{FieldProblem, Lang};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;

use crate::accounts::Caller;
use crate::audit::AuditAction;
use crate::db::write_transaction;
use crate::db::{found, switch};
use crate::entity::taxonomy_node;
use crate::error::{ServiceError, ServiceResult};

use super::{admin_write, audited, check_names, node_json, require_admin};

/// The audit event of a change to a taxonomy node, in the change's transaction.
async fn node_changed(
    tx: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    details: serde_json::Value,
) -> ServiceResult<()> {
    audited(
        tx,
        caller,
        AuditAction::AdminTaxonomyChanged,
        "taxonomy_node",
        id,
        details,
    )
    .await
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
        node_changed(
            tx,
            caller,
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
            let p = found::<taxonomy_node::Entity>(db, pid).await?;
            if p.depth >= 3 {
                return Err(ServiceError::invalid(
                    "parent_id",
                    FieldProblem::InvalidChoice,
                ));
            }
            (p.case_type, p.depth + 1)
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
        case_type: Set(case_type),
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
        let n = found::<taxonomy_node::Entity>(tx, id).await?;
        let before = node_json(&n);
        let technical = input.technical && n.case_type == CaseType::Incidencia;
        let mut am: taxonomy_node::ActiveModel = n.into();
        am.name_es = Set(input.name_es.trim().to_owned());
        am.name_en = Set(input.name_en.trim().to_owned());
        am.help_es = Set(input.help_es.trim().to_owned());
        am.help_en = Set(input.help_en.trim().to_owned());
        am.technical = Set(technical);
        let after = am.update(tx).await?;
        node_changed(
            tx,
            caller,
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
    admin_write(db, caller, async |tx| {
        let n = switch::<taxonomy_node::Entity>(tx, id, taxonomy_node::Column::Active, active).await?;
        let change = if active { "activated" } else { "deactivated" };
        node_changed(tx, caller, id, json!({ "change": change, "name_es": n.name_es, "before": { "active": n.active }, "after": { "active": active } })).await
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
        let n = found::<taxonomy_node::Entity>(tx, id).await?;
        taxonomy_node::Entity::delete_by_id(id).exec(tx).await?;
        node_changed(
            tx,
            caller,
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
    let n = found::<taxonomy_node::Entity>(db, id).await?;
    Ok(AdminNode {
        id: n.id,
        depth: n.depth,
        case_type: n.case_type,
        name_es: n.name_es,
        name_en: n.name_en,
        help_es: n.help_es,
        help_en: n.help_en,
        technical: n.technical,
        active: n.active,
    })
}
