//! `Nuevo Caso` → `Finalizar Alta` (guide §4.1, §4.1.2): one transaction creates the case
//! (Abierto/Presentado) with its number, documents, first history row, the receipt of a
//! Trámite and the "case opened" notice. Pressing twice, or a resend, opens one case.

use casia_domain::dto::{CaseOpened, DocumentToAttach, NewCaseForm, ReceiptKind};
use casia_domain::model::{CaseType, Channel, NoticeKind, SubmissionKind, case_number};
use casia_domain::validation::check_new_case;
use casia_domain::{FieldProblem, State, Substate};
use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::receipts::{self, receipt_view};
use super::{idempotency, in_transaction, write_history};
use crate::Services;
use crate::accounts::Caller;
use crate::clock::{display, now};
use crate::db::{found, insert_unless_present};
use crate::entity::{case, case_counter, document, document_type, upload};
use crate::error::{ServiceError, ServiceResult};
use casia_domain::lifecycle::HistoryAction;

pub async fn open_case(
    s: &Services,
    caller: &Caller,
    form: NewCaseForm,
) -> ServiceResult<CaseOpened> {
    let scope = caller.user_scope()?;
    let db = &s.db;
    let key = idempotency::idempotency_key(&form.idempotency_key)?;
    // A resend of a form that already opened its case gets the same answer.
    if let Some(done) =
        existing_submission(db, caller.user.id, scope.authorisation_id, &key).await?
    {
        return Ok(done);
    }

    let taxonomy = crate::taxonomy::load(db, caller.lang).await?;
    let facts = taxonomy.facts(
        &form.case_type,
        form.subject_id,
        form.category_id,
        form.subcategory_id,
    );
    let valid = check_new_case(&form, facts)?;
    let uploads = claim_documents(db, caller.user.id, &valid.documents).await?;

    let opened_at = now();
    let opened_on = crate::clock::today_in_spain(opened_at);
    let year = opened_on.year;
    // Plazos: the target counted in the authorisation's business days from today.
    let calendar = crate::plazos::calendar_for(db, scope.authorisation_id).await?;
    let resolution_deadline = crate::plazos::deadline_from(
        db,
        valid.case_type,
        [
            Some(valid.subject_id),
            Some(valid.category_id),
            valid.subcategory_id,
        ],
        opened_on,
        0,
        &calendar,
    )
    .await?;
    ensure_counter(db, year).await?;

    let result = in_transaction(db, async |tx| {
        // First statement writes (SQLite takes its write lock here); a duplicate key means
        // the same form was sent twice at once and the other request is opening the case.
        idempotency::record(
            tx,
            caller.user.id,
            &key,
            SubmissionKind::OpenCase,
            None,
            opened_at,
        )
        .await?;

        let number = next_case_number(tx, year).await?;
        let c = case::ActiveModel {
            number: Set(number),
            authorisation_id: Set(scope.authorisation_id),
            opened_by: Set(caller.user.id),
            opened_at: Set(opened_at),
            channel: Set(Channel::Web),
            state: Set(State::Abierto),
            substate: Set(Substate::Presentado),
            substate_at: Set(opened_at),
            case_type: Set(valid.case_type),
            subject_id: Set(valid.subject_id),
            category_id: Set(valid.category_id),
            subcategory_id: Set(valid.subcategory_id),
            affects_current_period: Set(valid.affects_current_period),
            title: Set(valid.title.clone()),
            description: Set(valid.description.clone()),
            resolution: Set(None),
            resolved_at: Set(None),
            closed_at: Set(None),
            assigned_to: Set(None),
            cancellation_pending: Set(false),
            cancellation_requested_at: Set(None),
            rating: Set(None),
            rating_observations: Set(None),
            rated_at: Set(None),
            version: Set(0),
            resolution_deadline: Set(resolution_deadline),
            suspended_days: Set(0),
            ..Default::default()
        }
        .insert(tx)
        .await?;

        let documents =
            attach_documents(tx, &c, caller.user.id, &uploads, false, opened_at).await?;
        if documents.is_empty() {
            super::full_text::refresh(tx, &c).await?;
        }
        write_history(
            tx,
            &c,
            HistoryAction::Open,
            "",
            Some(caller.user.id),
            opened_at,
        )
        .await?;

        // Guide §4.1.2: a Trámite gets its `Justificante de solicitud de trámite`.
        let receipt = if valid.case_type == CaseType::Tramite {
            Some(
                receipts::issue(
                    tx,
                    &s.storage,
                    &s.config.public_url,
                    &c,
                    ReceiptKind::Solicitud,
                    &documents,
                    opened_at,
                )
                .await?,
            )
        } else {
            None
        };
        crate::notices::record(tx, &c, NoticeKind::CaseOpened, None).await?;
        crate::live::record(tx, &c, false).await?;

        idempotency::complete(
            tx,
            caller.user.id,
            &key,
            c.id,
            receipt.as_ref().map(|r| r.id),
        )
        .await?;
        Ok(CaseOpened {
            number: c.number,
            number_display: case_number::format(c.number),
            opened_at: display(c.opened_at),
            receipt: receipt.as_ref().map(receipt_view),
        })
    })
    .await;

    if result.is_ok() {
        // Committed: the "case opened" email can leave now.
        s.mail_wakeup.notify_one();
    }
    match result {
        Err(ServiceError::Db(e)) if crate::db::is_unique_violation(&e) => {
            // Lost the race against our own resend: answer with what the winner opened.
            wait_for_submission(db, caller.user.id, scope.authorisation_id, &key).await
        }
        other => other,
    }
}

/// Creates this year's counter row if missing (outside the opening transaction, so two
/// first cases of a year do not collide on it).
async fn ensure_counter(db: &DatabaseConnection, year: i32) -> ServiceResult<()> {
    let row = case_counter::ActiveModel {
        year: Set(year),
        last_value: Set(0),
    };
    insert_unless_present(db, row, [case_counter::Column::Year]).await?;
    Ok(())
}

/// Increments the year's counter inside the transaction: the row stays locked until commit,
/// so numbers are unique and increase in the order cases are opened.
async fn next_case_number(tx: &impl ConnectionTrait, year: i32) -> ServiceResult<i64> {
    let updated = case_counter::Entity::update_many()
        .col_expr(
            case_counter::Column::LastValue,
            Expr::col(case_counter::Column::LastValue).add(1),
        )
        .filter(case_counter::Column::Year.eq(year))
        .exec(tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ServiceError::Internal(format!(
            "no case counter for {year}"
        )));
    }
    let counter = found::<case_counter::Entity>(tx, year).await?;
    if counter.last_value >= case_number::SEQUENCE_SPAN {
        return Err(ServiceError::Internal(
            "case numbers exhausted for the year".into(),
        ));
    }
    Ok(case_number::compose(year, counter.last_value))
}

/// The answer already given to `(user_id, key)`. A key whose case belongs to another
/// authorisation than the one the user acts for now (they may have been removed from it) is a
/// conflict: neither that case nor its receipt is shown, and no second case is opened under it.
async fn existing_submission(
    db: &impl ConnectionTrait,
    user_id: i64,
    authorisation_id: i64,
    key: &str,
) -> ServiceResult<Option<CaseOpened>> {
    let Some((sub, receipt)) = idempotency::previous(db, user_id, key).await? else {
        return Ok(None);
    };
    let Some(case_id) = sub.case_id else {
        return Ok(None);
    };
    let c = found::<case::Entity>(db, case_id).await?;
    if c.authorisation_id != authorisation_id {
        return Err(ServiceError::Conflict);
    }
    Ok(Some(CaseOpened {
        number: c.number,
        number_display: case_number::format(c.number),
        opened_at: display(c.opened_at),
        receipt,
    }))
}

async fn wait_for_submission(
    db: &DatabaseConnection,
    user_id: i64,
    authorisation_id: i64,
    key: &str,
) -> ServiceResult<CaseOpened> {
    for _ in 0..50 {
        if let Some(done) = existing_submission(db, user_id, authorisation_id, key).await? {
            return Ok(done);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(ServiceError::Conflict)
}

/// Checks every document to attach before anything is written: the upload is the caller's
/// and unused, the document type exists and is active.
pub(crate) async fn claim_documents(
    db: &impl ConnectionTrait,
    user_id: i64,
    documents: &[DocumentToAttach],
) -> ServiceResult<Vec<(upload::Model, i64, String)>> {
    let mut out = Vec::with_capacity(documents.len());
    for (i, d) in documents.iter().enumerate() {
        let type_id = d.document_type_id.unwrap_or_default();
        let active_type = document_type::Entity::find_by_id(type_id)
            .one(db)
            .await?
            .is_some_and(|t| t.active);
        if !active_type {
            return Err(ServiceError::invalid(
                &format!("documents.{i}.document_type_id"),
                FieldProblem::InvalidChoice,
            ));
        }
        let up = crate::files::claim_upload(db, user_id, &d.upload_token).await?;
        if out
            .iter()
            .any(|(u, _, _): &(upload::Model, i64, String)| u.id == up.id)
        {
            return Err(ServiceError::Upload(
                casia_domain::dto::UploadProblem::UnknownUpload,
            ));
        }
        out.push((up, type_id, d.title.trim().to_owned()));
    }
    Ok(out)
}

/// Turns claimed uploads into documents of `case` (inside the caller's transaction). An
/// upload attached meanwhile by another request fails the whole transaction.
pub(crate) async fn attach_documents(
    tx: &impl ConnectionTrait,
    c: &case::Model,
    attached_by: i64,
    uploads: &[(upload::Model, i64, String)],
    from_processor: bool,
    at: DateTime<Utc>,
) -> ServiceResult<Vec<document::Model>> {
    let mut docs = Vec::with_capacity(uploads.len());
    for (up, type_id, title) in uploads {
        let marked = upload::Entity::update_many()
            .col_expr(upload::Column::AttachedAt, Expr::value(at))
            .filter(upload::Column::Id.eq(up.id))
            .filter(upload::Column::AttachedAt.is_null())
            .exec(tx)
            .await?;
        if marked.rows_affected != 1 {
            return Err(ServiceError::Upload(
                casia_domain::dto::UploadProblem::UnknownUpload,
            ));
        }
        docs.push(
            document::ActiveModel {
                case_id: Set(c.id),
                document_type_id: Set(*type_id),
                title: Set(title.clone()),
                original_name: Set(up.original_name.clone()),
                size_bytes: Set(up.size_bytes),
                media_type: Set(up.media_type.clone()),
                sha256: Set(up.sha256.clone()),
                storage_key: Set(up.storage_key.clone()),
                attached_at: Set(at),
                attached_by: Set(attached_by),
                from_processor: Set(from_processor),
                receipt_id: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await?,
        );
    }
    // Documents' titles and file names are searchable.
    if !docs.is_empty() {
        super::full_text::refresh(tx, c).await?;
    }
    Ok(docs)
}
