//! The document types editor.

use casia_domain::FieldProblem;
use casia_domain::dto::{AdminDocumentType, DocumentTypeView};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

use crate::accounts::Caller;
use crate::audit::AuditAction;
use crate::db::found;
use crate::db::write_transaction;
use crate::entity::document_type;
use crate::error::{ServiceError, ServiceResult};

use super::{audited, check_names, document_type_json, require_admin};

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
        let t = found::<document_type::Entity>(tx, id).await?;
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
