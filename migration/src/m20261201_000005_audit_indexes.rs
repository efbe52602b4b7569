//! The audit page filters by the username as typed (failed logins have no user id): an index
//! on it, in the page's order, so that filter reads one range instead of the whole table.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000005_audit_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_audit_log_username")
                .table("audit_log")
                .col("actor_username")
                .col("at")
                .col("id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_audit_log_username")
                .table("audit_log")
                .to_owned(),
        )
        .await
    }
}
