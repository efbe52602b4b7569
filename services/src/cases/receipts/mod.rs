//! Receipts (`Justificante de solicitud de trámite`, `Justificante de documentación
//! complementaria anexada`): real PDF files with a verification code (CEA), and the public
//! check of a CEA or of the file itself.
//!
//! A CEA is 100 random bits (20 Crockford base-32 characters): unguessable, and it reveals
//! nothing but the receipt it points to.

mod cea;
mod font;
mod pdf;
#[cfg(test)]
mod tests;

pub use cea::{new_cea, normalise_cea};
pub use pdf::{ReceiptContent, ReceiptLine, cea_in_pdf, kind_title, render_pdf};

use casia_domain::dto::{
    RateLimit, ReceiptDocument, ReceiptKind, ReceiptView, Verification, VerifiedReceipt,
};
use casia_domain::model::case_number;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::Services;
use crate::clock::display;
use crate::db::found;
use crate::entity::{authorisation, case, document, document_type, receipt};
use crate::error::{ServiceError, ServiceResult};
use crate::files::{Storage, new_storage_key};

pub fn receipt_view(r: &receipt::Model) -> ReceiptView {
    ReceiptView {
        id: r.id,
        kind: r.kind,
        cea: r.cea.clone(),
        issued_at: display(r.issued_at),
        classification: r.classification.clone(),
    }
}

/// Issues a receipt for `documents` of `case` inside the caller's transaction: makes the PDF,
/// stores it, records it and links the documents to it.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    db: &impl ConnectionTrait,
    storage: &Storage,
    public_url: &str,
    case: &case::Model,
    kind: ReceiptKind,
    documents: &[document::Model],
    issued_at: DateTime<Utc>,
) -> ServiceResult<receipt::Model> {
    let auth = found::<authorisation::Entity>(db, case.authorisation_id).await?;
    let classification =
        super::query::classification_text(db, case, casia_domain::Lang::Es).await?;
    let types = document_type::Entity::find().all(db).await?;
    let lines: Vec<ReceiptLine> = documents
        .iter()
        .map(|d| ReceiptLine {
            type_name: types
                .iter()
                .find(|t| t.id == d.document_type_id)
                .map(|t| t.name_es.clone())
                .unwrap_or_default(),
            title: d.title.clone(),
            file_name: d.original_name.clone(),
            size: d.size_bytes,
            sha256: d.sha256.clone(),
        })
        .collect();
    let cea = new_cea();
    let pdf = render_pdf(&ReceiptContent {
        kind,
        cea: &cea,
        case_number: case.number,
        opened_at: case.opened_at,
        issued_at,
        authorisation: &auth,
        classification: classification.clone(),
        title: &case.title,
        documents: &lines,
        verify_url: format!("{public_url}/verificacion"),
    })?;
    let key = new_storage_key("receipts");
    let pdf_sha256 = hex::encode(Sha256::digest(&pdf));
    storage.put(&key, pdf).await?;
    let r = receipt::ActiveModel {
        case_id: Set(case.id),
        kind: Set(kind),
        cea: Set(cea),
        issued_at: Set(issued_at),
        pdf_sha256: Set(pdf_sha256),
        storage_key: Set(key),
        classification: Set(Some(classification)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for d in documents {
        let mut am: document::ActiveModel = d.clone().into();
        am.receipt_id = Set(Some(r.id));
        am.update(db).await?;
    }
    Ok(r)
}

async fn verified(db: &impl ConnectionTrait, r: &receipt::Model) -> ServiceResult<VerifiedReceipt> {
    let c = found::<case::Entity>(db, r.case_id).await?;
    let docs = document::Entity::find()
        .filter(document::Column::ReceiptId.eq(r.id))
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?;
    let types = document_type::Entity::find().all(db).await?;
    Ok(VerifiedReceipt {
        kind: r.kind,
        cea: r.cea.clone(),
        case_number: case_number::format(c.number),
        case_opened_at: display(c.opened_at),
        issued_at: display(r.issued_at),
        classification: r.classification.clone(),
        documents: docs
            .into_iter()
            .map(|d| ReceiptDocument {
                type_name: types
                    .iter()
                    .find(|t| t.id == d.document_type_id)
                    .map(|t| t.name_es.clone())
                    .unwrap_or_default(),
                title: d.title,
                file_name: d.original_name,
                size: d.size_bytes,
            })
            .collect(),
    })
}

/// `Verificación de Documentos` by code.
pub async fn verify_cea(db: &impl ConnectionTrait, input: &str) -> ServiceResult<Verification> {
    if input.trim().is_empty() {
        return Err(ServiceError::invalid(
            "cea",
            casia_domain::FieldProblem::Required,
        ));
    }
    let Some(cea) = normalise_cea(input) else {
        return Ok(Verification::Unknown);
    };
    match receipt::Entity::find()
        .filter(receipt::Column::Cea.eq(cea))
        .one(db)
        .await?
    {
        Some(r) => Ok(Verification::Authentic(verified(db, &r).await?)),
        None => Ok(Verification::Unknown),
    }
}

/// `Verificación de Documentos` by code from the public page: counted against the client's
/// allowance first (`verification.per_minute`).
pub async fn verify_cea_for(
    s: &Services,
    client: &str,
    input: &str,
) -> ServiceResult<Verification> {
    count_verification(s, client)?;
    verify_cea(&s.db, input).await
}

/// One verification (by code or by file) for `client`, or `TooManyRequests` with the wait.
pub fn count_verification(s: &Services, client: &str) -> ServiceResult<()> {
    s.limits
        .verification
        .check_seconds(client)
        .map_err(|retry_after_seconds| {
            tracing::info!(client, "verification rate limit reached");
            ServiceError::TooManyRequests {
                limit: RateLimit::Verification,
                retry_after_seconds,
            }
        })
}

/// Admits one file check before its body is read: within the client's allowance and within
/// the files checked at once (`verification.max_concurrent_files`). Busy: refused at once,
/// never queued. Hold the permit until the answer is made.
pub fn admit_file_check(
    s: &Services,
    client: &str,
) -> ServiceResult<tokio::sync::OwnedSemaphorePermit> {
    count_verification(s, client)?;
    s.limits
        .verification_files
        .clone()
        .try_acquire_owned()
        .map_err(|_| ServiceError::TooManyRequests {
            limit: RateLimit::VerificationBusy,
            retry_after_seconds: 1,
        })
}

/// `Verificación de Documentos` by file: authentic only if the bytes are exactly an issued
/// receipt (its SHA-256 is stored when it is issued). A file that names a real CEA but
/// differs was altered. The file is never parsed as a PDF (see `cea_in_pdf`).
pub async fn verify_file(db: &impl ConnectionTrait, bytes: &[u8]) -> ServiceResult<Verification> {
    let digest = hex::encode(Sha256::digest(bytes));
    if let Some(r) = receipt::Entity::find()
        .filter(receipt::Column::PdfSha256.eq(digest))
        .one(db)
        .await?
    {
        return Ok(Verification::Authentic(verified(db, &r).await?));
    }
    match cea_in_pdf(bytes) {
        Some(cea)
            if receipt::Entity::find()
                .filter(receipt::Column::Cea.eq(cea.clone()))
                .one(db)
                .await?
                .is_some() =>
        {
            Ok(Verification::Altered)
        }
        _ => Ok(Verification::NotAReceipt),
    }
}
