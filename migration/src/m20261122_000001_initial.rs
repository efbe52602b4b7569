//! The whole first schema: accounts, authorisations, sessions, taxonomy, cases with their
//! documents, history, messages and notes, receipts, uploads and the notice outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_initial"
    }
}

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    idx.to_owned()
}

fn unique(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    index(table, name, cols).unique().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
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

        // Tipo de Caso → Materia (depth 1) → Categoría (2) → Subcategoría (3).
        m.create_table(
            Table::create()
                .table("taxonomy_nodes")
                .col(big_pk_auto("id"))
                .col(big_integer_null("parent_id"))
                .col(string("case_type"))
                .col(small_integer("depth"))
                .col(string("name_es"))
                .col(string("name_en"))
                .col(text("help_es"))
                .col(text("help_en"))
                .col(boolean("technical").default(false))
                .col(boolean("active").default(true))
                .col(integer("position").default(0))
                .foreign_key(&mut fk("taxonomy_nodes", "parent_id", "taxonomy_nodes"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "taxonomy_nodes",
            "ix_taxonomy_parent",
            &["case_type", "parent_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("document_types")
                .col(big_pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name_es"))
                .col(string("name_en"))
                .col(boolean("active").default(true))
                .col(integer("position").default(0))
                .to_owned(),
        )
        .await?;

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

        // Files streamed to storage before the form that attaches them is sent.
        m.create_table(
            Table::create()
                .table("uploads")
                .col(big_pk_auto("id"))
                .col(string_uniq("token"))
                .col(big_integer("user_id"))
                .col(string("original_name"))
                .col(big_integer("size_bytes"))
                .col(string("media_type"))
                .col(string("sha256"))
                .col(string("storage_key"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("attached_at"))
                .foreign_key(&mut fk("uploads", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("uploads", "ix_uploads_created", &["created_at"]))
            .await?;

        m.create_table(
            Table::create()
                .table("receipts")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string("kind"))
                .col(string_uniq("cea"))
                .col(timestamp_with_time_zone("issued_at"))
                .col(string("pdf_sha256"))
                .col(string("storage_key"))
                .foreign_key(&mut fk("receipts", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("receipts", "ix_receipts_case", &["case_id"]))
            .await?;
        m.create_index(index("receipts", "ix_receipts_pdf", &["pdf_sha256"]))
            .await?;

        m.create_table(
            Table::create()
                .table("documents")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer("document_type_id"))
                .col(string("title"))
                .col(string("original_name"))
                .col(big_integer("size_bytes"))
                .col(string("media_type"))
                .col(string("sha256"))
                .col(string("storage_key"))
                .col(timestamp_with_time_zone("attached_at"))
                .col(big_integer("attached_by"))
                .col(boolean("from_processor").default(false))
                .col(big_integer_null("receipt_id"))
                .foreign_key(&mut fk("documents", "case_id", "cases"))
                .foreign_key(&mut fk("documents", "document_type_id", "document_types"))
                .foreign_key(&mut fk("documents", "attached_by", "users"))
                .foreign_key(&mut fk("documents", "receipt_id", "receipts"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("documents", "ix_documents_case", &["case_id"]))
            .await?;

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

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "notice_reads",
            "notices",
            "documents",
            "receipts",
            "uploads",
            "case_notes",
            "case_messages",
            "case_history",
            "submissions",
            "cases",
            "case_counters",
            "document_types",
            "taxonomy_nodes",
            "login_failures",
            "sessions",
            "authorisation_members",
            "authorisations",
            "users",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
