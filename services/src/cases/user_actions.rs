//! What an authorised user does to an existing case: `Modificar Información` (guide §4.2.1),
//! `Solicitar Anulación` (§4.2.2) and `Valoración` (§4.2.4).

use casia_domain::dto::{
    CASE_LIST_MAX, MessageKind, ModificationDone, ModifyInformationForm, ReceiptKind,
    Reclassification,
};
use casia_domain::model::{CaseType, SubmissionKind};
use casia_domain::validation::{MESSAGE_MAX, Problems, check_modification, check_rating};
use casia_domain::{Action, FieldProblem, Substate};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::open::{attach_documents, claim_documents};
use super::receipts::{self, receipt_view};
use super::{Change, apply, find_for_user, idempotency, in_transaction};
use crate::Services;
use crate::accounts::Caller;
use crate::clock::now;
use crate::entity::{case, document};
use crate::error::{ServiceError, ServiceResult};

/// Adds information and/or documents; while `Solicitada Información` this answers the
/// request (→ Asignado); while `Solicitada Reclasificación` it may also change the
/// classification (→ Asignado). A Trámite gets a receipt for the new documents.
pub async fn modify_information(
    s: &Services,
    caller: &Caller,
    number: i64,
    form: ModifyInformationForm,
) -> ServiceResult<ModificationDone> {
    let scope = caller.user_scope()?;
    let db = &s.db;
    let key = idempotency::idempotency_key(&form.idempotency_key)?;
    let c = find_for_user(db, caller, scope, number).await?;
    if let Some(done) = previous_modification(db, caller.user.id, &key, &c).await? {
        return Ok(done);
    }

    // What the taxonomy says of the proposed classification, if one is proposed.
    let facts = match &form.reclassification {
        Some(r) => Some(crate::taxonomy::load(db, caller.lang).await?.facts(
            &r.case_type,
            r.subject_id,
            r.category_id,
            r.subcategory_id,
        )),
        None => None,
    };
    let current = Reclassification::of(c.case_type, c.subject_id, c.category_id, c.subcategory_id);
    let p = check_modification(&form, &current, |_| facts.unwrap_or_default());
    p.finish()?;
    if !form.documents.is_empty() {
        // A case holds at most CASE_LIST_MAX documents, so its pages can show them all.
        let attached = document::Entity::find()
            .filter(document::Column::CaseId.eq(c.id))
            .count(db)
            .await?;
        if attached + form.documents.len() as u64 > CASE_LIST_MAX {
            return Err(ServiceError::invalid(
                "documents",
                FieldProblem::TooManyDocuments {
                    max: CASE_LIST_MAX as usize,
                },
            ));
        }
    }
    if form.version != c.version {
        return Err(ServiceError::Conflict);
    }
    let action = if form.reclassification.is_some() {
        Action::Reclassify
    } else {
        Action::ModifyInformation
    };
    // Refuse before touching the uploads (closed case, wrong substate…).
    casia_domain::lifecycle::decide(&super::status_of(&c), &caller.actor(), action)?;
    let uploads = claim_documents(db, caller.user.id, &form.documents).await?;

    in_transaction(db, async |tx| {
        idempotency::record(
            tx,
            caller.user.id,
            &key,
            SubmissionKind::ModifyInformation,
            Some(c.id),
            now(),
        )
        .await?;
        let information = form.information.trim().to_owned();
        let (mut updated, _) = apply(
            tx,
            &c,
            &caller.actor(),
            action,
            Change {
                observations: information.clone(),
                message: (!information.is_empty())
                    .then(|| (MessageKind::UserInformation, information.clone())),
                ..Change::default()
            },
        )
        .await?;
        if let Some(r) = &form.reclassification {
            // Checked above (`check_classification`): a code that is none was refused there.
            let case_type = CaseType::from_code(&r.case_type).ok_or(ServiceError::invalid(
                "case_type",
                FieldProblem::InvalidChoice,
            ))?;
            case::Entity::update_many()
                .col_expr(case::Column::CaseType, Expr::value(case_type))
                .col_expr(
                    case::Column::SubjectId,
                    Expr::value(r.subject_id.unwrap_or_default()),
                )
                .col_expr(
                    case::Column::CategoryId,
                    Expr::value(r.category_id.unwrap_or_default()),
                )
                .col_expr(case::Column::SubcategoryId, Expr::value(r.subcategory_id))
                .filter(case::Column::Id.eq(c.id))
                .exec(tx)
                .await?;
            updated.case_type = case_type;
            updated.subject_id = r.subject_id.unwrap_or_default();
            updated.category_id = r.category_id.unwrap_or_default();
            updated.subcategory_id = r.subcategory_id;
        }
        let at = now();
        let documents = attach_documents(tx, &updated, caller.user.id, &uploads, false, at).await?;
        // Guide §4.2.1: new documents of a Trámite get a `Justificante de documentación
        // complementaria anexada`.
        let receipt = if !documents.is_empty() && updated.case_type == CaseType::Tramite {
            Some(
                receipts::issue(
                    tx,
                    &s.storage,
                    &s.config.public_url,
                    &updated,
                    ReceiptKind::Complementaria,
                    &documents,
                    at,
                )
                .await?,
            )
        } else {
            None
        };
        if let Some(r) = &receipt {
            idempotency::complete(tx, caller.user.id, &key, c.id, Some(r.id)).await?;
        }
        Ok(ModificationDone {
            substate: updated.substate,
            receipt: receipt.as_ref().map(receipt_view),
        })
    })
    .await
    .map_err(|e| match e {
        ServiceError::Db(err) if crate::db::is_unique_violation(&err) => ServiceError::Conflict,
        other => other,
    })
}

async fn previous_modification(
    db: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
    c: &case::Model,
) -> ServiceResult<Option<ModificationDone>> {
    let Some((sub, receipt)) = idempotency::previous(db, user_id, key).await? else {
        return Ok(None);
    };
    if sub.case_id != Some(c.id) {
        return Err(ServiceError::invalid(
            "idempotency_key",
            FieldProblem::InvalidChoice,
        ));
    }
    Ok(Some(ModificationDone {
        substate: c.substate,
        receipt,
    }))
}

/// Guide §4.2.2. Returns the substate afterwards: `Anulado` when the case had not been
/// taken yet, otherwise unchanged with a pending request for a processor to decide.
pub async fn request_cancellation(
    s: &Services,
    caller: &Caller,
    number: i64,
    reason: &str,
    version: i32,
) -> ServiceResult<Substate> {
    let scope = caller.user_scope()?;
    let mut p = Problems::default();
    p.optional_text("reason", reason, MESSAGE_MAX);
    p.finish()?;
    let c = find_for_user(&s.db, caller, scope, number).await?;
    if version != c.version {
        // A closed or already-pending case says so, rather than "changed meanwhile".
        casia_domain::lifecycle::decide(
            &super::status_of(&c),
            &caller.actor(),
            Action::RequestCancellation,
        )?;
        return Err(ServiceError::Conflict);
    }
    let reason = reason.trim().to_owned();
    let (updated, _) = in_transaction(&s.db, async |tx| {
        apply(
            tx,
            &c,
            &caller.actor(),
            Action::RequestCancellation,
            Change {
                observations: reason.clone(),
                message: (!reason.is_empty())
                    .then(|| (MessageKind::CancellationRequest, reason.clone())),
                ..Change::default()
            },
        )
        .await
    })
    .await?;
    // Committed: an automatic cancellation's notice can be mailed now.
    s.mail_wakeup.notify_one();
    Ok(updated.substate)
}

/// Guide §4.2.4: once per case, only when closed, 1 to 5 with optional observations.
pub async fn rate(
    s: &Services,
    caller: &Caller,
    number: i64,
    score: Option<i64>,
    observations: &str,
) -> ServiceResult<()> {
    let scope = caller.user_scope()?;
    check_rating(score, observations)?;
    let c = find_for_user(&s.db, caller, scope, number).await?;
    let score = score.unwrap_or_default() as i16;
    in_transaction(&s.db, async |tx| {
        let (updated, _) = apply(tx, &c, &caller.actor(), Action::Rate, Change::default()).await?;
        let mut am: case::ActiveModel = updated.into();
        am.rating = Set(Some(score));
        am.rating_observations =
            Set(Some(observations.trim().to_owned()).filter(|o| !o.is_empty()));
        am.rated_at = Set(Some(now()));
        am.update(tx).await?;
        Ok(())
    })
    .await
}
