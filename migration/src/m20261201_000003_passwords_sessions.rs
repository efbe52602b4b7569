//! Passwords and sessions (ASVS V6.2, V7.4, V7.5): an administrator's reset forces the user to
//! choose a new password, and each session remembers where it was opened from (device and
//! client address) so its owner can recognise and end it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000003_passwords_sessions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column at a time.
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(boolean("must_change_password").default(false))
                .to_owned(),
        )
        .await?;
        // Sessions opened before this migration have no device or address: shown as unknown.
        m.alter_table(
            Table::alter()
                .table("sessions")
                .add_column(string("device").default(""))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sessions")
                .add_column(string("client").default(""))
                .to_owned(),
        )
        .await?;
        // The login throttle looks failures up per (username, client) pair.
        m.create_index(
            Index::create()
                .name("ix_login_failures_user_client")
                .table("login_failures")
                .col("username")
                .col("client")
                .col("at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_login_failures_user_client")
                .table("login_failures")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sessions")
                .drop_column("client")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sessions")
                .drop_column("device")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .drop_column("must_change_password")
                .to_owned(),
        )
        .await
    }
}
