//! Writing a case's searchable text (`case_search`, and SQLite's `case_search_fts`). Every
//! change to a case's text calls [`refresh`] inside its own transaction, so a search never
//! sees a committed change without its text or the other way round.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};

use super::analysis::{plain_words, terms};
use crate::entity::{case, case_message, case_note, document};
use crate::error::ServiceResult;

/// A case's texts as they are indexed and shown in fragments.
#[derive(Clone, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct CaseTexts {
    pub case_id: i64,
    /// The title.
    pub head: String,
    /// What the authorised user sees too: description, messages, resolution, documents.
    pub body: String,
    /// Internal notes: processors' search only.
    pub notes: String,
}

/// Reads what is searchable of a case now.
pub async fn texts_of(db: &impl ConnectionTrait, c: &case::Model) -> ServiceResult<CaseTexts> {
    let messages: Vec<String> = case_message::Entity::find()
        .filter(case_message::Column::CaseId.eq(c.id))
        .order_by_asc(case_message::Column::Id)
        .select_only()
        .column(case_message::Column::Body)
        .into_tuple()
        .all(db)
        .await?;
    let documents: Vec<(String, String)> = document::Entity::find()
        .filter(document::Column::CaseId.eq(c.id))
        .order_by_asc(document::Column::Id)
        .select_only()
        .column(document::Column::Title)
        .column(document::Column::OriginalName)
        .into_tuple()
        .all(db)
        .await?;
    let notes: Vec<String> = case_note::Entity::find()
        .filter(case_note::Column::CaseId.eq(c.id))
        .order_by_asc(case_note::Column::Id)
        .select_only()
        .column(case_note::Column::Body)
        .into_tuple()
        .all(db)
        .await?;
    let mut body = vec![c.description.clone()];
    body.extend(messages.iter().cloned());
    // The resolution is usually also the last message; once is enough.
    if let Some(r) = c.resolution.as_ref().filter(|r| !messages.contains(r)) {
        body.push(r.clone());
    }
    body.extend(
        documents
            .into_iter()
            .map(|(title, name)| format!("{title} ({name})")),
    );
    Ok(CaseTexts {
        case_id: c.id,
        head: c.title.clone(),
        body: body.join("\n"),
        notes: notes.join("\n"),
    })
}

/// Indexes `c` as it is now (inside the caller's transaction).
pub async fn refresh(db: &impl ConnectionTrait, c: &case::Model) -> ServiceResult<()> {
    let texts = texts_of(db, c).await?;
    write(db, &texts).await
}

async fn write(db: &impl ConnectionTrait, t: &CaseTexts) -> ServiceResult<()> {
    let backend = db.get_database_backend();
    match backend {
        DbBackend::Postgres => {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO case_search (case_id, head, body, notes, public_tsv, staff_tsv)
                 SELECT $1, $2, $3, $4, p.v, p.v || setweight(
                     to_tsvector('spanish', $7) || to_tsvector('casia_spanish', $7), 'C')
                 FROM (SELECT setweight(
                               to_tsvector('spanish', $5) || to_tsvector('casia_spanish', $5), 'A')
                           || setweight(
                               to_tsvector('spanish', $6) || to_tsvector('casia_spanish', $6), 'B')
                       AS v) p
                 ON CONFLICT (case_id) DO UPDATE SET head = EXCLUDED.head, body = EXCLUDED.body,
                     notes = EXCLUDED.notes, public_tsv = EXCLUDED.public_tsv,
                     staff_tsv = EXCLUDED.staff_tsv",
                [
                    t.case_id.into(),
                    t.head.clone().into(),
                    t.body.clone().into(),
                    t.notes.clone().into(),
                    plain_words(&t.head).into(),
                    plain_words(&t.body).into(),
                    plain_words(&t.notes).into(),
                ],
            ))
            .await?;
        }
        _ => {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO case_search (case_id, head, body, notes) VALUES (?, ?, ?, ?)
                 ON CONFLICT (case_id) DO UPDATE SET head = excluded.head, body = excluded.body,
                     notes = excluded.notes",
                [
                    t.case_id.into(),
                    t.head.clone().into(),
                    t.body.clone().into(),
                    t.notes.clone().into(),
                ],
            ))
            .await?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "DELETE FROM case_search_fts WHERE rowid = ?",
                [t.case_id.into()],
            ))
            .await?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO case_search_fts (rowid, head, body, notes) VALUES (?, ?, ?, ?)",
                [
                    t.case_id.into(),
                    terms(&t.head).into(),
                    terms(&t.body).into(),
                    terms(&t.notes).into(),
                ],
            ))
            .await?;
        }
    }
    Ok(())
}

/// Cases per batch of [`backfill`].
const BACKFILL_BATCH: u64 = 500;

/// Indexes every case that has no search row yet (those from before the migration, or
/// written by a bulk loader), in batches, each in its own transaction. Returns how many.
pub async fn backfill(db: &sea_orm::DatabaseConnection) -> ServiceResult<u64> {
    use sea_orm::sea_query::{Expr, Query};
    let mut done = 0;
    loop {
        let missing = case::Entity::find()
            .filter(
                case::Column::Id.not_in_subquery(
                    Query::select()
                        .expr(Expr::col("case_id"))
                        .from("case_search")
                        .to_owned(),
                ),
            )
            .order_by_asc(case::Column::Id)
            .limit(BACKFILL_BATCH)
            .all(db)
            .await?;
        if missing.is_empty() {
            return Ok(done);
        }
        let n = missing.len() as u64;
        let mut texts = Vec::with_capacity(missing.len());
        for c in &missing {
            texts.push(texts_of(db, c).await?);
        }
        // Read first, then write: SQLite's transaction starts with its write.
        crate::cases::in_transaction(db, async |tx| {
            for t in &texts {
                write(tx, t).await?;
            }
            Ok(())
        })
        .await?;
        done += n;
        if n < BACKFILL_BATCH {
            return Ok(done);
        }
    }
}
