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
    /// Plazos: `Fecha límite de resolución` (moves by the suspended business days).
    pub resolution_deadline: Date,
    /// The day the clock stopped (while `Solicitada Información`/`Reclasificación`).
    pub suspended_since: Option<Date>,
    /// Business days the clock was stopped, over every finished suspension.
    pub suspended_days: i32,
    /// `Fecha límite para aportar la información` while waiting for the user.
    pub answer_deadline: Option<Date>,
    /// Set once, by the one worker that sends the reminder (a conditional UPDATE).
    pub reminder_sent_at: Option<DateTimeUtc>,
    /// Set once, when the expiry of the user's deadline was recorded in the history.
    pub answer_expired_at: Option<DateTimeUtc>,
    /// Set when resolved: by the deadline or not (the dashboard's on-time rate).
    pub resolved_on_time: Option<bool>,
    /// Set when resolved: business days from opening, the suspended ones excluded.
    pub resolution_business_days: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
