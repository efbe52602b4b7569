//! Idempotent forms (`Finalizar Alta`, `Modificar Información`): each carries a key, and a
//! resend with the same key gets the answer the first one got instead of doing it again.

use casia_domain::FieldProblem;
use casia_domain::dto::ReceiptView;
use casia_domain::model::SubmissionKind;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::receipts::receipt_view;
use crate::entity::{receipt, submission};
use crate::error::{ServiceError, ServiceResult};

/// The form's key, trimmed: a form without one, or with one longer than 100 bytes, is refused.
pub(crate) fn idempotency_key(raw: &str) -> ServiceResult<String> {
    let key = raw.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(ServiceError::invalid(
            "idempotency_key",
            FieldProblem::Required,
        ));
    }
    Ok(key.to_owned())
}

/// Records `(user_id, key)` in the form's transaction. Make it the first write: a resend
/// that races this one fails here on the unique key, before doing any of the work.
pub(crate) async fn record(
    tx: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
    kind: SubmissionKind,
    case_id: Option<i64>,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    submission::ActiveModel {
        user_id: Set(user_id),
        idempotency_key: Set(key.to_owned()),
        kind: Set(kind),
        case_id: Set(case_id),
        receipt_id: Set(None),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// Writes what the form did (its case and receipt) into its submission, in its transaction.
pub(crate) async fn complete(
    tx: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
    case_id: i64,
    receipt_id: Option<i64>,
) -> ServiceResult<()> {
    submission::Entity::update_many()
        .col_expr(submission::Column::CaseId, Expr::value(case_id))
        .col_expr(submission::Column::ReceiptId, Expr::value(receipt_id))
        .filter(submission::Column::UserId.eq(user_id))
        .filter(submission::Column::IdempotencyKey.eq(key))
        .exec(tx)
        .await?;
    Ok(())
}

/// An earlier submission of `(user_id, key)`, with the receipt it issued.
pub(crate) async fn previous(
    db: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
) -> ServiceResult<Option<(submission::Model, Option<ReceiptView>)>> {
    let Some(sub) = submission::Entity::find()
        .filter(submission::Column::UserId.eq(user_id))
        .filter(submission::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let receipt = match sub.receipt_id {
        Some(id) => receipt::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Some((sub, receipt.as_ref().map(receipt_view))))
}
