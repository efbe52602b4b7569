//! Opción 2 with a Subestado (guide §4.2): the authorisation's cases of one substate in one
//! month, newest first. With only (authorisation, state, opened_at) a rare substate in a busy
//! month means reading thousands of rows to keep a few; this index reads exactly the page.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_search_by_substate"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_cases_auth_substate_opened")
                .table("cases")
                .col("authorisation_id")
                .col("substate")
                .col("opened_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cases_auth_substate_opened").table("cases").to_owned()).await
    }
}
