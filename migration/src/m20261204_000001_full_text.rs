//! `Buscar en los casos`: one row per case with its searchable text, kept up to date in the
//! transaction of every change (services `cases::full_text`).
//!
//! `head` is the title, `body` the description, messages, resolution and documents' titles
//! and file names, `notes` the internal notes (processors only). PostgreSQL indexes them in
//! two `tsvector` columns (what authorised users may match, and that plus the notes) under a
//! `casia_spanish` configuration: `unaccent`, then Snowball Spanish, with GIN indexes. SQLite
//! has an FTS5 table of the same columns holding the terms Rust computed (accents stripped,
//! Spanish stems), with `unicode61 remove_diacritics 2` for anything else. Cases that exist
//! before this migration are indexed at start-up (`full_text::backfill`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000001_full_text"
    }
}

const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'casia_spanish') THEN
            CREATE TEXT SEARCH CONFIGURATION casia_spanish (COPY = spanish);
            ALTER TEXT SEARCH CONFIGURATION casia_spanish
                ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
                WITH unaccent, spanish_stem;
        END IF;
    END $$",
    "CREATE TABLE case_search (
        case_id BIGINT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        head TEXT NOT NULL,
        body TEXT NOT NULL,
        notes TEXT NOT NULL,
        public_tsv TSVECTOR NOT NULL,
        staff_tsv TSVECTOR NOT NULL
    )",
    "CREATE INDEX ix_case_search_public ON case_search USING GIN (public_tsv)",
    "CREATE INDEX ix_case_search_staff ON case_search USING GIN (staff_tsv)",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE case_search (
        case_id INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        head TEXT NOT NULL,
        body TEXT NOT NULL,
        notes TEXT NOT NULL
    )",
    "CREATE VIRTUAL TABLE case_search_fts USING fts5(
        head, body, notes, tokenize = 'unicode61 remove_diacritics 2'
    )",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let statements = match m.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in statements {
            m.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS case_search_fts")
                .await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS case_search")
            .await?;
        Ok(())
    }
}
