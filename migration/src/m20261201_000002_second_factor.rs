//! The second factor (TOTP, RFC 6238): one factor per user, its one-time recovery codes, the
//! wrong codes that throttle guessing, and the session's mark that the login's second step
//! passed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_second_factor"
    }
}

fn user_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_user_id"))
        .from(table, "user_id")
        .to("users", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A row without `confirmed_at` is an enrolment in progress (the secret shown, no code
        // typed yet). `last_used_step` is the RFC 6238 time step of the last accepted code:
        // a code is never accepted twice.
        m.create_table(
            Table::create()
                .table("second_factors")
                .col(big_integer("user_id").primary_key())
                .col(string("secret"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(big_integer_null("last_used_step"))
                .foreign_key(&mut user_fk("second_factors"))
                .to_owned(),
        )
        .await?;

        // Only the SHA-256 of each code is kept (the codes are random, 80 bits).
        m.create_table(
            Table::create()
                .table("recovery_codes")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("code_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut user_fk("recovery_codes"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_recovery_codes_user")
                .table("recovery_codes")
                .col("user_id")
                .col("code_hash")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("second_factor_failures")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut user_fk("second_factor_failures"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_second_factor_failures_user")
                .table("second_factor_failures")
                .col("user_id")
                .col("at")
                .to_owned(),
        )
        .await?;

        // Empty while the session waits for the login's second step (for a user with a
        // confirmed factor); set when a code passes it, or when the factor is confirmed in it.
        m.alter_table(
            Table::alter()
                .table("sessions")
                .add_column(timestamp_with_time_zone_null("second_factor_verified_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("sessions")
                .drop_column("second_factor_verified_at")
                .to_owned(),
        )
        .await?;
        for table in ["second_factor_failures", "recovery_codes", "second_factors"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
