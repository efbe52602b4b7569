//! Table `cases`.

use casia_domain::model::{CaseType, Channel, State, Substate};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: i64,
    pub authorisation_id: i64,
    pub opened_by: i64,
    pub opened_at: DateTimeUtc,
    pub channel: Channel,
    pub state: State,
    pub substate: Substate,
    pub substate_at: DateTimeUtc,
    pub case_type: CaseType,
    pub subject_id: i64,
    pub category_id: i64,
    pub subcategory_id: Option<i64>,
    pub affects_current_period: bool,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub resolution: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub assigned_to: Option<i64>,
    pub cancellation_pending: bool,
    pub cancellation_requested_at: Option<DateTimeUtc>,
    pub rating: Option<i16>,
    #[sea_orm(column_type = "Text")]
    pub rating_observations: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
