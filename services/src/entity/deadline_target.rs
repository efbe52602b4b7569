//! Table `deadline_targets`: business days to resolve, per case type (no node) or for the
//! cases under one subject, category or subcategory (an override).

use casia_domain::model::CaseType;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline_targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_type: CaseType,
    pub taxonomy_node_id: Option<i64>,
    pub business_days: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
