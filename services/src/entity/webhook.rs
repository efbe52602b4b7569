//! Table `webhooks`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub authorisation_id: i64,
    pub created_by: i64,
    pub url: String,
    /// The HMAC-SHA256 key of `X-Casia-Signature` (shown once, when the webhook is created).
    pub secret: String,
    /// `NoticeKind` codes joined by commas.
    pub events: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
