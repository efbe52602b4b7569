//! Table `uploads`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub token: String,
    pub user_id: i64,
    pub original_name: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: DateTimeUtc,
    pub attached_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
