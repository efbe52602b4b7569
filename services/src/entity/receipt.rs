//! Table `receipts`.

use casia_domain::model::ReceiptKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub kind: ReceiptKind,
    pub cea: String,
    pub issued_at: DateTimeUtc,
    pub pdf_sha256: String,
    pub storage_key: String,
    /// The classification printed on the PDF (Spanish names at issue time); `None` for
    /// receipts issued before it was kept.
    pub classification: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
