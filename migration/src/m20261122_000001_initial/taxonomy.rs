//! The taxonomy of cases and the document types.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
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
    Ok(())
}
