//! Table `taxonomy_nodes`.

use casia_domain::model::CaseType;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "taxonomy_nodes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    pub case_type: CaseType,
    pub depth: i16,
    pub name_es: String,
    pub name_en: String,
    #[sea_orm(column_type = "Text")]
    pub help_es: String,
    #[sea_orm(column_type = "Text")]
    pub help_en: String,
    pub technical: bool,
    pub active: bool,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
