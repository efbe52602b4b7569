//! The audit trail (ASVS V16): an append-only table of security and administrative events,
//! written in the same transaction as the change it records. Nothing updates or deletes rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000001_audit_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                // Who acted: a user id when known, and the username as typed (failed logins
                // have no user).
                .col(big_integer_null("actor_user_id"))
                .col(string("actor_username"))
                .col(string_null("actor_role"))
                .col(big_integer_null("authorisation_id"))
                .col(string("client"))
                .col(string("action"))
                .col(string("outcome"))
                // What was acted on, e.g. ("case", "2026-0000012") or ("account", "17").
                .col(string_null("target_kind"))
                .col(string_null("target_id"))
                // JSON: before/after of administrative changes, reasons of refusals.
                .col(text_null("details"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_audit_log_at", &["at", "id"][..]),
            ("ix_audit_log_actor", &["actor_user_id", "at"][..]),
            ("ix_audit_log_action", &["action", "at"][..]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table("audit_log");
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_log").to_owned())
            .await
    }
}
