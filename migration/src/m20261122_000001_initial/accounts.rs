//! Accounts, authorisations and their members, sessions and login failures.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("users")
            .col(big_pk_auto("id"))
            .col(string_uniq("username"))
            .col(string("full_name"))
            .col(string_null("email"))
            .col(string("password_hash"))
            .col(string("role"))
            .col(string_len("lang", 2).default("es"))
            .col(boolean("active").default(true))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table("authorisations")
            .col(big_pk_auto("id"))
            .col(string_uniq("number"))
            .col(string("company_name"))
            .col(string("nif"))
            .col(string_null("contact_email"))
            .col(boolean("notices_consent").default(false))
            .col(timestamp_with_time_zone_null("contact_updated_at"))
            .col(big_integer_null("main_user_id"))
            .col(boolean("active").default(true))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("authorisations", "main_user_id", "users"))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table("authorisation_members")
            .col(big_integer("authorisation_id"))
            .col(big_integer("user_id"))
            .col(timestamp_with_time_zone("added_at"))
            .primary_key(Index::create().col("authorisation_id").col("user_id"))
            .foreign_key(&mut fk(
                "authorisation_members",
                "authorisation_id",
                "authorisations",
            ))
            .foreign_key(&mut fk("authorisation_members", "user_id", "users"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "authorisation_members",
        "ix_members_user",
        &["user_id"],
    ))
    .await?;

    // The cookie carries a random token; only its SHA-256 is stored.
    m.create_table(
        Table::create()
            .table("sessions")
            .col(string("id").primary_key())
            .col(big_integer("user_id"))
            .col(big_integer_null("authorisation_id"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("last_seen_at"))
            .col(timestamp_with_time_zone("expires_at"))
            .foreign_key(&mut fk("sessions", "user_id", "users"))
            .foreign_key(&mut fk("sessions", "authorisation_id", "authorisations"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("sessions", "ix_sessions_user", &["user_id"]))
        .await?;

    m.create_table(
        Table::create()
            .table("login_failures")
            .col(big_pk_auto("id"))
            .col(string("username"))
            .col(string("client"))
            .col(timestamp_with_time_zone("at"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "login_failures",
        "ix_login_failures_user",
        &["username", "at"],
    ))
    .await?;
    m.create_index(index(
        "login_failures",
        "ix_login_failures_client",
        &["client", "at"],
    ))
    .await?;
    Ok(())
}
