//! Cases with their numbering, submissions, history, messages and internal notes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index, unique};

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // One row per year; incremented inside the transaction that opens a case.
    m.create_table(
        Table::create()
            .table("case_counters")
            .col(integer("year").primary_key())
            .col(big_integer("last_value"))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table("cases")
            .col(big_pk_auto("id"))
            .col(big_integer_uniq("number"))
            .col(big_integer("authorisation_id"))
            .col(big_integer("opened_by"))
            .col(timestamp_with_time_zone("opened_at"))
            .col(string("channel"))
            .col(string("state"))
            .col(string("substate"))
            .col(timestamp_with_time_zone("substate_at"))
            .col(string("case_type"))
            .col(big_integer("subject_id"))
            .col(big_integer("category_id"))
            .col(big_integer_null("subcategory_id"))
            .col(boolean("affects_current_period"))
            .col(string("title"))
            .col(text("description"))
            .col(text_null("resolution"))
            .col(timestamp_with_time_zone_null("resolved_at"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(big_integer_null("assigned_to"))
            .col(boolean("cancellation_pending").default(false))
            .col(timestamp_with_time_zone_null("cancellation_requested_at"))
            .col(small_integer_null("rating"))
            .col(text_null("rating_observations"))
            .col(timestamp_with_time_zone_null("rated_at"))
            .col(integer("version").default(0))
            .foreign_key(&mut fk("cases", "authorisation_id", "authorisations"))
            .foreign_key(&mut fk("cases", "opened_by", "users"))
            .foreign_key(&mut fk("cases", "assigned_to", "users"))
            .foreign_key(&mut fk("cases", "subject_id", "taxonomy_nodes"))
            .foreign_key(&mut fk("cases", "category_id", "taxonomy_nodes"))
            .foreign_key(&mut fk("cases", "subcategory_id", "taxonomy_nodes"))
            .to_owned(),
    )
    .await?;
    // Opción 2 always filters by authorisation and an opening-date range in one month.
    m.create_index(index(
        "cases",
        "ix_cases_auth_opened",
        &["authorisation_id", "opened_at"],
    ))
    .await?;
    m.create_index(index(
        "cases",
        "ix_cases_auth_state_opened",
        &["authorisation_id", "state", "opened_at"],
    ))
    .await?;
    // Processor queues: by substate, filing-period cases first, oldest first.
    m.create_index(index(
        "cases",
        "ix_cases_queue",
        &["substate", "affects_current_period", "opened_at"],
    ))
    .await?;
    m.create_index(index(
        "cases",
        "ix_cases_assignee",
        &["assigned_to", "substate"],
    ))
    .await?;
    m.create_index(index(
        "cases",
        "ix_cases_pending_cancel",
        &["cancellation_pending", "opened_at"],
    ))
    .await?;

    // Pressing "Finalizar Alta" twice, or a resend, must not open two cases.
    m.create_table(
        Table::create()
            .table("submissions")
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string("idempotency_key"))
            .col(string("kind"))
            .col(big_integer_null("case_id"))
            .col(big_integer_null("receipt_id"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("submissions", "user_id", "users"))
            .to_owned(),
    )
    .await?;
    m.create_index(unique(
        "submissions",
        "ux_submissions_key",
        &["user_id", "idempotency_key"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table("case_history")
            .col(big_pk_auto("id"))
            .col(big_integer("case_id"))
            .col(string("state"))
            .col(string("substate"))
            .col(timestamp_with_time_zone("at"))
            .col(text("observations"))
            .col(string("action"))
            .col(big_integer_null("actor_id"))
            .foreign_key(&mut fk("case_history", "case_id", "cases"))
            .foreign_key(&mut fk("case_history", "actor_id", "users"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("case_history", "ix_history_case", &["case_id", "at"]))
        .await?;

    m.create_table(
        Table::create()
            .table("case_messages")
            .col(big_pk_auto("id"))
            .col(big_integer("case_id"))
            .col(string("kind"))
            .col(big_integer("author_id"))
            .col(text("body"))
            .col(timestamp_with_time_zone("at"))
            .foreign_key(&mut fk("case_messages", "case_id", "cases"))
            .foreign_key(&mut fk("case_messages", "author_id", "users"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("case_messages", "ix_messages_case", &["case_id"]))
        .await?;

    // Internal notes: only processors ever read this table.
    m.create_table(
        Table::create()
            .table("case_notes")
            .col(big_pk_auto("id"))
            .col(big_integer("case_id"))
            .col(big_integer("author_id"))
            .col(text("body"))
            .col(timestamp_with_time_zone("at"))
            .foreign_key(&mut fk("case_notes", "case_id", "cases"))
            .foreign_key(&mut fk("case_notes", "author_id", "users"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("case_notes", "ix_notes_case", &["case_id"]))
        .await?;
    Ok(())
}
