//! Plazos: holiday calendars (the national one seeded with 2025–2027 from the BOE, one
//! regional calendar per autonomous community that administrators fill and assign to an
//! authorisation), resolution targets per case type with overrides per taxonomy node, and the
//! deadline columns of a case.
//!
//! Cases opened before this migration get `opening date + 28 calendar days` (about 20
//! business days) as their resolution deadline; Administración → Plazos → "Aplicar también a
//! los casos abiertos" recomputes them from the targets and the calendars.

use casia_domain::deadlines::{NATIONAL_HOLIDAYS, REGIONAL_CALENDARS, default_target};
use casia_domain::model::CaseType;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_plazos"
    }
}

/// The code of the national calendar (every case counts its holidays).
pub const NATIONAL: &str = "nacional";

async fn add_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: ColumnDef,
) -> Result<(), DbErr> {
    // One column per statement: SQLite alters one at a time.
    let mut col = col;
    m.alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendars")
                .col(big_pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("holidays")
                .col(big_pk_auto("id"))
                .col(big_integer("calendar_id"))
                .col(date("day"))
                .col(string("name"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_holidays_calendar_id")
                        .from("holidays", "calendar_id")
                        .to("calendars", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_holidays_calendar_day")
                .table("holidays")
                .col("calendar_id")
                .col("day")
                .unique()
                .to_owned(),
        )
        .await?;
        // A row without a node is the case type's target; a node's row overrides it for the
        // cases classified under that subject, category or subcategory.
        m.create_table(
            Table::create()
                .table("deadline_targets")
                .col(big_pk_auto("id"))
                .col(string("case_type"))
                .col(big_integer_null("taxonomy_node_id"))
                .col(integer("business_days"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_deadline_targets_node")
                        .from("deadline_targets", "taxonomy_node_id")
                        .to("taxonomy_nodes", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;

        add_column(m, "authorisations", big_integer_null("calendar_id")).await?;
        add_column(
            m,
            "cases",
            date("resolution_deadline").default("2000-01-01").to_owned(),
        )
        .await?;
        add_column(m, "cases", date_null("suspended_since")).await?;
        add_column(m, "cases", integer("suspended_days").default(0).to_owned()).await?;
        add_column(m, "cases", date_null("answer_deadline")).await?;
        add_column(
            m,
            "cases",
            timestamp_with_time_zone_null("reminder_sent_at"),
        )
        .await?;
        add_column(
            m,
            "cases",
            timestamp_with_time_zone_null("answer_expired_at"),
        )
        .await?;
        add_column(m, "cases", boolean_null("resolved_on_time")).await?;
        add_column(m, "cases", integer_null("resolution_business_days")).await?;
        m.create_index(
            Index::create()
                .name("ix_cases_deadline")
                .table("cases")
                .col("state")
                .col("resolution_deadline")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_cases_answer_deadline")
                .table("cases")
                .col("answer_deadline")
                .to_owned(),
        )
        .await?;

        let backfill = match m.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                "UPDATE cases SET resolution_deadline = (opened_at AT TIME ZONE 'Europe/Madrid')::date + 28"
            }
            _ => "UPDATE cases SET resolution_deadline = date(opened_at, '+28 days')",
        };
        m.get_connection().execute_unprepared(backfill).await?;

        let mut calendars = Query::insert()
            .into_table("calendars")
            .columns(["code", "name"])
            .to_owned();
        calendars.values_panic([NATIONAL.into(), "Nacional".into()]);
        for (code, name) in REGIONAL_CALENDARS {
            calendars.values_panic([(*code).into(), (*name).into()]);
        }
        m.exec_stmt(calendars).await?;

        let mut holidays = Query::insert()
            .into_table("holidays")
            .columns(["calendar_id", "day", "name"])
            .to_owned();
        for (day, name) in NATIONAL_HOLIDAYS {
            holidays.values_panic([
                Expr::cust(format!(
                    "(SELECT id FROM calendars WHERE code = '{NATIONAL}')"
                )),
                // A literal (not a text parameter) so that PostgreSQL reads it as a date.
                Expr::cust(format!("'{}'", day.iso())),
                (*name).into(),
            ]);
        }
        m.exec_stmt(holidays).await?;

        let mut targets = Query::insert()
            .into_table("deadline_targets")
            .columns(["case_type", "business_days"])
            .to_owned();
        for t in CaseType::ALL {
            targets.values_panic([t.code().into(), i64::from(default_target(*t)).into()]);
        }
        m.exec_stmt(targets).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for idx in ["ix_cases_deadline", "ix_cases_answer_deadline"] {
            m.drop_index(Index::drop().name(idx).table("cases").to_owned())
                .await?;
        }
        for col in [
            "resolution_deadline",
            "suspended_since",
            "suspended_days",
            "answer_deadline",
            "reminder_sent_at",
            "answer_expired_at",
            "resolved_on_time",
            "resolution_business_days",
        ] {
            m.alter_table(Table::alter().table("cases").drop_column(col).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("authorisations")
                .drop_column("calendar_id")
                .to_owned(),
        )
        .await?;
        for t in ["deadline_targets", "holidays", "calendars"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
