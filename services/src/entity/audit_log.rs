//! Table `audit_log` (append-only; see `crate::audit`).

use casia_domain::audit::{AuditAction, Outcome};
use casia_domain::model::Role;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    pub actor_username: String,
    pub actor_role: Option<Role>,
    pub authorisation_id: Option<i64>,
    pub client: String,
    pub action: AuditAction,
    pub outcome: Outcome,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
