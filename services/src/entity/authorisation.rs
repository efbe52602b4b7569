//! Table `authorisations`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub company_name: String,
    pub nif: String,
    pub contact_email: Option<String>,
    pub notices_consent: bool,
    pub contact_updated_at: Option<DateTimeUtc>,
    pub main_user_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// Plazos: the regional holiday calendar that applies besides the national one.
    pub calendar_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
