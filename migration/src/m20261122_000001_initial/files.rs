//! Uploads, receipts and documents.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Files streamed to storage before the form that attaches them is sent.
    m.create_table(
        Table::create()
            .table("uploads")
            .col(big_pk_auto("id"))
            .col(string_uniq("token"))
            .col(big_integer("user_id"))
            .col(string("original_name"))
            .col(big_integer("size_bytes"))
            .col(string("media_type"))
            .col(string("sha256"))
            .col(string("storage_key"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("attached_at"))
            .foreign_key(&mut fk("uploads", "user_id", "users"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("uploads", "ix_uploads_created", &["created_at"]))
        .await?;

    m.create_table(
        Table::create()
            .table("receipts")
            .col(big_pk_auto("id"))
            .col(big_integer("case_id"))
            .col(string("kind"))
            .col(string_uniq("cea"))
            .col(timestamp_with_time_zone("issued_at"))
            .col(string("pdf_sha256"))
            .col(string("storage_key"))
            .foreign_key(&mut fk("receipts", "case_id", "cases"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("receipts", "ix_receipts_case", &["case_id"]))
        .await?;
    m.create_index(index("receipts", "ix_receipts_pdf", &["pdf_sha256"]))
        .await?;

    m.create_table(
        Table::create()
            .table("documents")
            .col(big_pk_auto("id"))
            .col(big_integer("case_id"))
            .col(big_integer("document_type_id"))
            .col(string("title"))
            .col(string("original_name"))
            .col(big_integer("size_bytes"))
            .col(string("media_type"))
            .col(string("sha256"))
            .col(string("storage_key"))
            .col(timestamp_with_time_zone("attached_at"))
            .col(big_integer("attached_by"))
            .col(boolean("from_processor").default(false))
            .col(big_integer_null("receipt_id"))
            .foreign_key(&mut fk("documents", "case_id", "cases"))
            .foreign_key(&mut fk("documents", "document_type_id", "document_types"))
            .foreign_key(&mut fk("documents", "attached_by", "users"))
            .foreign_key(&mut fk("documents", "receipt_id", "receipts"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("documents", "ix_documents_case", &["case_id"]))
        .await?;
    Ok(())
}
