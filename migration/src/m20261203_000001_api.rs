//! The integration API: tokens (one user acting for one authorisation, with scopes), the
//! authorisation's webhooks and their outbox of deliveries (the delivery log too).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000001_api"
    }
}

fn fk(table: &'static str, column: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Only the SHA-256 of a token is kept: a leaked table authenticates nobody.
        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer("authorisation_id"))
                .col(string("name"))
                .col(string_uniq("token_hash"))
                .col(string("scopes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .foreign_key(&mut fk("api_tokens", "user_id", "users"))
                .foreign_key(&mut fk("api_tokens", "authorisation_id", "authorisations"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_api_tokens_authorisation")
                .table("api_tokens")
                .col("authorisation_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhooks")
                .col(big_pk_auto("id"))
                .col(big_integer("authorisation_id"))
                .col(big_integer("created_by"))
                .col(string("url"))
                .col(string("secret"))
                .col(string("events"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("webhooks", "authorisation_id", "authorisations"))
                .foreign_key(&mut fk("webhooks", "created_by", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhooks_authorisation")
                .table("webhooks")
                .col("authorisation_id")
                .to_owned(),
        )
        .await?;
        // The outbox and the delivery log at once: one row per (webhook, event), written in
        // the transaction of the change; the worker leases due rows as the mail worker does.
        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                .col(big_pk_auto("id"))
                .col(big_integer("webhook_id"))
                .col(string("event"))
                .col(text("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .col(integer_null("last_status"))
                .col(string_null("last_error"))
                .foreign_key(&mut fk("webhook_deliveries", "webhook_id", "webhooks"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_due")
                .table("webhook_deliveries")
                .col("status")
                .col("next_attempt_at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_webhook")
                .table("webhook_deliveries")
                .col("webhook_id")
                .col("id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_deliveries", "webhooks", "api_tokens"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
