//! A receipt keeps the classification it was issued with (the names printed on its PDF), so
//! the case page can say which one the receipt shows after the taxonomy is renamed.
//! Receipts issued before this column have no copy (`NULL`): their PDF is the record.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000006_receipt_classification"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("receipts")
                .add_column(ColumnDef::new("classification").text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("receipts")
                .drop_column("classification")
                .to_owned(),
        )
        .await
    }
}
