//! Table `documents`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub document_type_id: i64,
    pub title: String,
    pub original_name: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub sha256: String,
    pub storage_key: String,
    pub attached_at: DateTimeUtc,
    pub attached_by: i64,
    pub from_processor: bool,
    pub receipt_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
