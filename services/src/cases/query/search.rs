//! `Gestión de Casos` search: the filters, the keyset cursor and the page of rows.

use casia_domain::Lang;
use casia_domain::dto::{CaseRow, SearchForm, SearchResults};
use casia_domain::model::case_number;
use casia_domain::validation::check_search;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::accounts::Caller;
use crate::clock::{display, start_of_day_in_spain};
use crate::entity::case;
use crate::error::ServiceResult;

use super::{node_names, user_names};

pub const PAGE_SIZE: u64 = 50;

/// Keyset cursor: the last row's opening time (µs) and id.
pub fn encode_cursor(at: DateTime<Utc>, id: i64) -> String {
    format!("{}.{}", at.timestamp_micros(), id)
}

pub fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, i64)> {
    let (micros, id) = cursor.split_once('.')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

/// Rows of a page, with names looked up in two batched queries (no query per row).
pub async fn rows_of(
    db: &impl ConnectionTrait,
    cases: &[case::Model],
    lang: Lang,
) -> ServiceResult<Vec<CaseRow>> {
    let subject_ids: Vec<i64> = cases.iter().map(|c| c.subject_id).collect();
    let user_ids: Vec<i64> = cases.iter().map(|c| c.opened_by).collect();
    let subjects = node_names(db, &subject_ids, lang).await?;
    let users = user_names(db, &user_ids).await?;
    Ok(cases
        .iter()
        .map(|c| {
            let substate = c.substate;
            CaseRow {
                number: c.number,
                number_display: case_number::format(c.number),
                opened_at: display(c.opened_at),
                case_type: c.case_type,
                subject: subjects.get(&c.subject_id).cloned().unwrap_or_default(),
                title: c.title.clone(),
                state: substate.state(),
                substate,
                substate_at: display(c.substate_at),
                opened_by: users.get(&c.opened_by).cloned().unwrap_or_default(),
                affects_current_period: c.affects_current_period,
                cancellation_pending: c.cancellation_pending,
            }
        })
        .collect())
}

/// The cases Opción 2 of guide §4.2 selects: the caller's authorisation, one calendar month,
/// the filters. The one definition the page's rows and the API's rows and total share.
fn matching(caller: &Caller, form: &SearchForm) -> ServiceResult<sea_orm::Select<case::Entity>> {
    let scope = caller.user_scope()?;
    let search = check_search(form)?;
    let mut q = case::Entity::find()
        .filter(case::Column::AuthorisationId.eq(scope.authorisation_id))
        .filter(case::Column::OpenedAt.gte(start_of_day_in_spain(search.from)))
        .filter(case::Column::OpenedAt.lt(start_of_day_in_spain(search.to.next_day())));
    if let Some(state) = search.state {
        q = q.filter(case::Column::State.eq(state));
    }
    if let Some(sub) = search.substate {
        q = q.filter(case::Column::Substate.eq(sub));
    }
    if let Some(t) = search.case_type {
        q = q.filter(case::Column::CaseType.eq(t));
    }
    if let Some(subject) = search.subject_id {
        q = q.filter(case::Column::SubjectId.eq(subject));
    }
    if let Some(opened_by) = search.opened_by {
        q = q.filter(case::Column::OpenedBy.eq(opened_by));
    }
    Ok(q)
}

/// How many cases the search selects, over all its pages.
pub async fn count(
    db: &impl ConnectionTrait,
    caller: &Caller,
    form: &SearchForm,
) -> ServiceResult<u64> {
    Ok(matching(caller, form)?.count(db).await?)
}

/// A page of the search's cases, newest first (`limit` at most `PAGE_SIZE`; keyset: no
/// count over the table), and the cursor of the next page if there is one.
pub async fn page(
    db: &impl ConnectionTrait,
    caller: &Caller,
    form: &SearchForm,
    cursor: Option<&str>,
    limit: u64,
) -> ServiceResult<(Vec<case::Model>, Option<String>)> {
    let limit = limit.clamp(1, PAGE_SIZE);
    let mut q = matching(caller, form)?;
    if let Some((at, id)) = cursor.and_then(decode_cursor) {
        q = q.filter(
            Condition::any().add(case::Column::OpenedAt.lt(at)).add(
                Condition::all()
                    .add(case::Column::OpenedAt.eq(at))
                    .add(case::Column::Id.lt(id)),
            ),
        );
    }
    let mut cases = q
        .order_by_desc(case::Column::OpenedAt)
        .order_by_desc(case::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let next = if cases.len() as u64 > limit {
        cases.truncate(limit as usize);
        cases.last().map(|c| encode_cursor(c.opened_at, c.id))
    } else {
        None
    };
    Ok((cases, next))
}

/// Opción 2 of guide §4.2, as the page shows it: pages of `PAGE_SIZE` rows.
pub async fn search(
    db: &impl ConnectionTrait,
    caller: &Caller,
    form: &SearchForm,
    cursor: Option<&str>,
) -> ServiceResult<SearchResults> {
    let (cases, next) = page(db, caller, form, cursor, PAGE_SIZE).await?;
    Ok(SearchResults {
        rows: rows_of(db, &cases, caller.lang).await?,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        assert_eq!(decode_cursor(&encode_cursor(at, 42)), Some((at, 42)));
        assert_eq!(decode_cursor("x.1"), None);
        assert_eq!(decode_cursor("12"), None);
    }
}
