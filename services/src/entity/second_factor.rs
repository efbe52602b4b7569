//! Table `second_factors`: a user's TOTP secret (one per user).

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "second_factors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// Base32 (RFC 4648, no padding), as authenticator apps take it.
    pub secret: String,
    pub created_at: DateTimeUtc,
    /// `None` while the enrolment waits for its first code.
    pub confirmed_at: Option<DateTimeUtc>,
    /// RFC 6238 time step of the last code accepted: codes of this step or earlier are refused.
    pub last_used_step: Option<i64>,
}

/// Never prints the secret (logs, panics).
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("second_factor::Model")
            .field("user_id", &self.user_id)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_used_step", &self.last_used_step)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
