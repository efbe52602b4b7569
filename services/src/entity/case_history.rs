//! Table `case_history`.

use casia_domain::lifecycle::HistoryAction;
use casia_domain::model::{State, Substate};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub state: State,
    pub substate: Substate,
    pub at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub observations: String,
    pub action: HistoryAction,
    pub actor_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
