//! The whole first schema: accounts, authorisations, sessions, taxonomy, cases with their
//! documents, history, messages and notes, receipts, uploads and the notice outbox.

use sea_orm_migration::prelude::*;

mod accounts;
mod cases;
mod files;
mod notices;
mod taxonomy;

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
        accounts::create(m).await?;
        taxonomy::create(m).await?;
        cases::create(m).await?;
        files::create(m).await?;
        notices::create(m).await?;
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
