//! Notices and who has read them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Notices: the in-app inbox and the email outbox in one row, written in the same
    // transaction as the change that caused it.
    m.create_table(
        Table::create()
            .table("notices")
            .col(big_pk_auto("id"))
            .col(big_integer("authorisation_id"))
            .col(big_integer_null("case_id"))
            .col(string("kind"))
            .col(string_len("lang", 2))
            .col(text("payload"))
            .col(timestamp_with_time_zone("created_at"))
            .col(string("email_status"))
            .col(string_null("email_to"))
            .col(integer("attempts").default(0))
            .col(timestamp_with_time_zone_null("next_attempt_at"))
            .col(timestamp_with_time_zone_null("locked_until"))
            .col(timestamp_with_time_zone_null("sent_at"))
            .col(text_null("last_error"))
            .foreign_key(&mut fk("notices", "authorisation_id", "authorisations"))
            .foreign_key(&mut fk("notices", "case_id", "cases"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "notices",
        "ix_notices_outbox",
        &["email_status", "next_attempt_at"],
    ))
    .await?;
    m.create_index(index(
        "notices",
        "ix_notices_inbox",
        &["authorisation_id", "id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table("notice_reads")
            .col(big_integer("notice_id"))
            .col(big_integer("user_id"))
            .col(timestamp_with_time_zone("read_at"))
            .primary_key(Index::create().col("notice_id").col("user_id"))
            .foreign_key(&mut fk("notice_reads", "notice_id", "notices"))
            .foreign_key(&mut fk("notice_reads", "user_id", "users"))
            .to_owned(),
    )
    .await?;
    Ok(())
}
