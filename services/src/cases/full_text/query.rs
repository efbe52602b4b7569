//! `Buscar en los casos`: ranked full-text search, scoped like the screens it belongs to
//! (processors and supervisors: any case, within a queue and its filters if they ask;
//! authorised users: their authorisation's cases, never the internal notes).

use std::collections::HashMap;

use casia_domain::FieldProblem;
use casia_domain::dto::{
    CaseTextSearch, ProcessorTextResults, SEARCH_TEXT_MAX, TEXT_SEARCH_MAX_PAGES, TEXT_SEARCH_PAGE,
    TextHit, TextResults, UserTextResults,
};
use casia_domain::model::case_number;
use casia_domain::validation::{Problems, check_queue_filter};
use sea_orm::sea_query::{Alias, Expr, Order};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};

use super::analysis::SearchTerms;
use super::fragment::fragment;
use super::index::CaseTexts;
use crate::accounts::Caller;
use crate::cases::processor::{queue_rows, queue_select, require_processor};
use crate::cases::query::rows_of;
use crate::entity::case;
use crate::error::{ServiceError, ServiceResult};

/// Who reads the results: what they may match and see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Audience {
    /// Authorised users: title, description, messages, resolution, documents.
    User,
    /// Processors and supervisors: that and the internal notes.
    Staff,
}

impl Audience {
    fn tsvector(self) -> &'static str {
        match self {
            Audience::User => "public_tsv",
            Audience::Staff => "staff_tsv",
        }
    }

    fn fts5_columns(self) -> &'static str {
        match self {
            Audience::User => "head body",
            Audience::Staff => "head body notes",
        }
    }

    fn texts(self, t: &CaseTexts) -> Vec<&str> {
        match self {
            Audience::User => vec![&t.head, &t.body],
            Audience::Staff => vec![&t.head, &t.body, &t.notes],
        }
    }
}

/// What was asked: a case number, or terms to rank by.
enum Asked {
    Number(i64),
    Terms(SearchTerms),
}

fn read_text(text: &str) -> ServiceResult<Asked> {
    let mut p = Problems::default();
    p.required_text("text", text, SEARCH_TEXT_MAX);
    p.finish()?;
    if let Some(n) = case_number::parse(text) {
        return Ok(Asked::Number(n));
    }
    SearchTerms::of(text)
        .map(Asked::Terms)
        .ok_or(ServiceError::invalid("text", FieldProblem::NothingToSearch))
}

/// The page's offset (ranked results page by offset, up to `TEXT_SEARCH_MAX_PAGES`).
fn offset_of(cursor: Option<&str>) -> ServiceResult<u64> {
    let Some(c) = cursor else { return Ok(0) };
    c.parse::<u64>()
        .ok()
        .filter(|o| o % TEXT_SEARCH_PAGE == 0 && *o < TEXT_SEARCH_PAGE * TEXT_SEARCH_MAX_PAGES)
        .ok_or(ServiceError::invalid("cursor", FieldProblem::InvalidChoice))
}

/// The cases of `base` that match, best first, one page from `offset` (and whether more).
async fn ranked(
    db: &impl ConnectionTrait,
    base: Select<case::Entity>,
    asked: &Asked,
    audience: Audience,
    offset: u64,
) -> ServiceResult<(Vec<case::Model>, bool)> {
    let mut q = base;
    match asked {
        Asked::Number(n) => q = q.filter(case::Column::Number.eq(*n)),
        Asked::Terms(terms) => match db.get_database_backend() {
            DbBackend::Postgres => {
                let col = audience.tsvector();
                // Each word as either of its stems (`analysis`), every word required.
                let query = (1..=terms.words.len())
                    .map(|i| {
                        format!(
                            "(plainto_tsquery('spanish', ${i}) || plainto_tsquery('casia_spanish', ${i}))"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" && ");
                let words = || terms.words.iter().cloned().map(sea_orm::Value::from);
                QueryTrait::query(&mut q)
                    .inner_join(
                        Alias::new("case_search"),
                        Expr::cust("case_search.case_id = cases.id"),
                    )
                    .and_where(Expr::cust_with_values(
                        format!("case_search.{col} @@ ({query})"),
                        words(),
                    ))
                    .order_by_expr(
                        Expr::cust_with_values(
                            format!("ts_rank_cd(case_search.{col}, ({query}))"),
                            words(),
                        ),
                        Order::Desc,
                    );
            }
            _ => {
                QueryTrait::query(&mut q)
                    .inner_join(
                        Alias::new("case_search_fts"),
                        Expr::cust("case_search_fts.rowid = cases.id"),
                    )
                    .and_where(Expr::cust_with_values(
                        "case_search_fts MATCH ?",
                        [terms.fts5_query(audience.fts5_columns())],
                    ))
                    // The title weighs most, then the case's visible text, then the notes.
                    .order_by_expr(
                        Expr::cust("bm25(case_search_fts, 10.0, 4.0, 1.0)"),
                        Order::Asc,
                    );
            }
        },
    }
    let mut cases = q
        .order_by_desc(case::Column::Id)
        .offset(offset)
        .limit(TEXT_SEARCH_PAGE + 1)
        .all(db)
        .await?;
    let more = cases.len() as u64 > TEXT_SEARCH_PAGE;
    cases.truncate(TEXT_SEARCH_PAGE as usize);
    Ok((cases, more))
}

/// The fragments of the found cases, from their indexed texts.
async fn fragments(
    db: &impl ConnectionTrait,
    cases: &[case::Model],
    asked: &Asked,
    audience: Audience,
) -> ServiceResult<Vec<Vec<casia_domain::dto::FragmentPart>>> {
    use sea_orm::{FromQueryResult, Statement};
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let ids: Vec<String> = cases.iter().map(|c| c.id.to_string()).collect();
    // Ids from the database itself, not from the request.
    let rows = CaseTexts::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT case_id, head, body, notes FROM case_search WHERE case_id IN ({})",
            ids.join(",")
        ),
    ))
    .all(db)
    .await?;
    let texts: HashMap<i64, CaseTexts> = rows.into_iter().map(|t| (t.case_id, t)).collect();
    Ok(cases
        .iter()
        .map(|c| {
            let Some(t) = texts.get(&c.id) else {
                return Vec::new();
            };
            match asked {
                Asked::Terms(terms) => fragment(&audience.texts(t), terms),
                // A number matches no word: the title, as it is.
                Asked::Number(_) => vec![casia_domain::dto::FragmentPart::plain(&t.head)],
            }
        })
        .collect())
}

fn page<R>(
    rows: Vec<R>,
    fragments: Vec<Vec<casia_domain::dto::FragmentPart>>,
    offset: u64,
    more: bool,
) -> TextResults<R> {
    TextResults {
        hits: rows
            .into_iter()
            .zip(fragments)
            .map(|(row, fragment)| TextHit { row, fragment })
            .collect(),
        next: (more && offset + TEXT_SEARCH_PAGE < TEXT_SEARCH_PAGE * TEXT_SEARCH_MAX_PAGES)
            .then(|| (offset + TEXT_SEARCH_PAGE).to_string()),
    }
}

/// A processor's or supervisor's search: every case, or one queue, with its filters.
pub async fn search_for_processor(
    db: &impl ConnectionTrait,
    caller: &Caller,
    search: &CaseTextSearch,
    cursor: Option<&str>,
) -> ServiceResult<ProcessorTextResults> {
    require_processor(caller)?;
    let asked = read_text(&search.text)?;
    let filter = check_queue_filter(&search.filter)?;
    let offset = offset_of(cursor)?;
    let base = queue_select(db, caller, search.queue(), &filter).await?;
    let (cases, more) = ranked(db, base, &asked, Audience::Staff, offset).await?;
    let fragments = fragments(db, &cases, &asked, Audience::Staff).await?;
    let rows = queue_rows(db, &cases, caller.lang).await?;
    Ok(page(rows, fragments, offset, more))
}

/// An authorised user's search (`Gestión de Casos`): their authorisation's cases only.
pub async fn search_for_user(
    db: &impl ConnectionTrait,
    caller: &Caller,
    text: &str,
    cursor: Option<&str>,
) -> ServiceResult<UserTextResults> {
    let scope = caller.user_scope()?;
    let asked = read_text(text)?;
    let offset = offset_of(cursor)?;
    let base =
        case::Entity::find().filter(case::Column::AuthorisationId.eq(scope.authorisation_id));
    let (cases, more) = ranked(db, base, &asked, Audience::User, offset).await?;
    let fragments = fragments(db, &cases, &asked, Audience::User).await?;
    let rows = rows_of(db, &cases, caller.lang).await?;
    Ok(page(rows, fragments, offset, more))
}
