//! Live updates: one row per committed change to a case, written in the change's own
//! transaction (an outbox of events), read by every instance to tell the open pages.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000001_case_events"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("case_events")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer("case_number"))
                .col(big_integer("authorisation_id"))
                // Internal notes: processors' pages only (the user must not learn one exists).
                .col(boolean("staff_only").default(false))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        // What a reconnecting page missed, and the old rows housekeeping removes.
        m.create_index(
            Index::create()
                .name("ix_case_events_authorisation")
                .table("case_events")
                .col("authorisation_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_case_events_at")
                .table("case_events")
                .col("at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("case_events").to_owned())
            .await
    }
}
