//! The processors' queues: filters, keyset cursors and the page of rows.

use std::collections::HashMap;

use casia_domain::dto::{QUEUE_PAGE, QueueFilter, QueuePage, QueueRow};
use casia_domain::model::Queue;
use casia_domain::validation::{ValidQueueFilter, check_queue_filter};
use casia_domain::{FieldProblem, Lang, State, Substate};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use crate::accounts::Caller;
use crate::cases::query::rows_of;
use crate::clock::start_of_day_in_spain;
use crate::entity::{authorisation, case, user};
use crate::error::{ServiceError, ServiceResult};
use crate::plazos::{from_naive, to_naive, today};
use casia_domain::deadlines;

use super::require_processor;

/// The order of a queue: by resolution deadline (the default, Plazos) or by opening time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Deadline,
    Oldest,
    Newest,
}

impl Order {
    fn of(filter: &QueueFilter) -> Order {
        match filter.sort.as_deref() {
            Some("newest") => Order::Newest,
            Some("oldest") => Order::Oldest,
            _ => Order::Deadline,
        }
    }

    fn column(self) -> case::Column {
        match self {
            Order::Deadline => case::Column::ResolutionDeadline,
            _ => case::Column::OpenedAt,
        }
    }

    /// The sort key of a row as the cursor carries it: the deadline's day number or the
    /// opening time in microseconds.
    fn key(self, c: &case::Model) -> i64 {
        match self {
            Order::Deadline => deadlines::day_number(from_naive(c.resolution_deadline)),
            _ => c.opened_at.timestamp_micros(),
        }
    }

    fn value(self, key: i64) -> Option<sea_orm::Value> {
        Some(match self {
            Order::Deadline => to_naive(deadlines::from_day_number(key)).into(),
            _ => DateTime::<Utc>::from_timestamp_micros(key)?.into(),
        })
    }
}

/// Keyset cursor over (affects filing period, sort key, id).
fn encode_cursor(order: Order, c: &case::Model) -> String {
    format!(
        "{}.{}.{}",
        u8::from(c.affects_current_period),
        order.key(c),
        c.id
    )
}

fn decode_cursor(s: &str) -> Option<(bool, i64, i64)> {
    let mut parts = s.split('.');
    let affects = parts.next()? == "1";
    let key = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    Some((affects, key, id))
}

/// The rows after the cursor `(affects, at, id)` in the queue's order: (deadline ASC,
/// affects DESC, id ASC) by deadline, (affects DESC, opened ASC|DESC, id ASC|DESC) otherwise.
fn after_cursor(order: Order, affects: bool, at: sea_orm::Value, id: i64) -> Condition {
    let col = order.column();
    match order {
        Order::Deadline => Condition::any().add(col.gt(at.clone())).add(
            Condition::all()
                .add(col.eq(at))
                .add(in_group_after(affects, case::Column::Id.gt(id).into())),
        ),
        Order::Oldest | Order::Newest => {
            let (later_key, later_id) = if order == Order::Newest {
                (col.lt(at.clone()), case::Column::Id.lt(id))
            } else {
                (col.gt(at.clone()), case::Column::Id.gt(id))
            };
            let rest = Condition::any()
                .add(later_key)
                .add(Condition::all().add(col.eq(at)).add(later_id));
            in_group_after(affects, rest)
        }
    }
}

/// Rows after one whose filing-period flag is `affects` (true sorts first): the same flag and
/// `rest`, or, after a `true`, any `false`.
fn in_group_after(affects: bool, rest: Condition) -> Condition {
    let same = Condition::all()
        .add(case::Column::AffectsCurrentPeriod.eq(affects))
        .add(rest);
    if affects {
        Condition::any()
            .add(case::Column::AffectsCurrentPeriod.eq(false))
            .add(same)
    } else {
        same
    }
}

/// The cases of `queue` (every case when none) that pass the filters, unordered: what a
/// queue page and a processor's text search both start from.
pub(crate) async fn queue_select(
    db: &impl ConnectionTrait,
    caller: &Caller,
    queue: Option<Queue>,
    f: &ValidQueueFilter,
) -> ServiceResult<Select<case::Entity>> {
    let mut q = case::Entity::find();
    q = match queue {
        None => q,
        Some(Queue::Unassigned) => q.filter(case::Column::Substate.eq(Substate::Presentado)),
        Some(Queue::Mine) => q
            .filter(case::Column::AssignedTo.eq(caller.user.id))
            .filter(case::Column::State.eq(State::Abierto)),
        Some(Queue::Escalated) => q.filter(case::Column::Substate.eq(Substate::Escalado)),
        Some(Queue::WaitingForUser) => q.filter(case::Column::Substate.is_in([
            Substate::SolicitadaInformacion,
            Substate::SolicitadaReclasificacion,
        ])),
        Some(Queue::PendingCancellation) => q.filter(case::Column::CancellationPending.eq(true)),
        Some(Queue::AllOpen) => q.filter(case::Column::State.eq(State::Abierto)),
        Some(Queue::AnswerExpired) => q
            .filter(case::Column::Substate.is_in([
                Substate::SolicitadaInformacion,
                Substate::SolicitadaReclasificacion,
            ]))
            .filter(case::Column::AnswerDeadline.lt(to_naive(today()))),
    };
    if let Some(t) = f.case_type {
        q = q.filter(case::Column::CaseType.eq(t.code()));
    }
    if let Some(subject) = f.subject_id {
        q = q.filter(case::Column::SubjectId.eq(subject));
    }
    if let Some(number) = &f.authorisation {
        let auth = authorisation::Entity::find()
            .filter(authorisation::Column::Number.eq(number.as_str()))
            .one(db)
            .await?;
        // A well-formed number no authorisation has matches nothing.
        q = q.filter(case::Column::AuthorisationId.eq(auth.map(|a| a.id).unwrap_or(-1)));
    }
    if let Some(d) = f.from {
        q = q.filter(case::Column::OpenedAt.gte(start_of_day_in_spain(d)));
    }
    if let Some(d) = f.to {
        q = q.filter(case::Column::OpenedAt.lt(start_of_day_in_spain(d.next_day())));
    }
    Ok(q)
}

/// A queue page: by resolution deadline, cases that affect the current filing period first
/// among equals; or, when asked, those cases first and then by opening time. Pages are
/// keyset-paginated (no count over the table).
pub async fn queue(
    db: &impl ConnectionTrait,
    caller: &Caller,
    queue: Queue,
    filter: &QueueFilter,
    cursor: Option<&str>,
) -> ServiceResult<QueuePage> {
    require_processor(caller)?;
    let f = check_queue_filter(filter)?;
    let mut q = queue_select(db, caller, Some(queue), &f).await?;
    let order = Order::of(filter);
    let newest = order == Order::Newest;
    let col = order.column();
    if let Some((affects, key, id)) = cursor.and_then(decode_cursor) {
        let at = order
            .value(key)
            .ok_or(ServiceError::invalid("cursor", FieldProblem::InvalidChoice))?;
        q = q.filter(after_cursor(order, affects, at, id));
    }
    q = if order == Order::Deadline {
        // By deadline; among equal deadlines, those affecting the filing period first.
        q.order_by_asc(col)
            .order_by_desc(case::Column::AffectsCurrentPeriod)
            .order_by_asc(case::Column::Id)
    } else {
        let q = q.order_by_desc(case::Column::AffectsCurrentPeriod);
        if newest {
            q.order_by_desc(col).order_by_desc(case::Column::Id)
        } else {
            q.order_by_asc(col).order_by_asc(case::Column::Id)
        }
    };
    let mut cases = q.limit(QUEUE_PAGE + 1).all(db).await?;
    let next = if cases.len() as u64 > QUEUE_PAGE {
        cases.truncate(QUEUE_PAGE as usize);
        cases.last().map(|c| encode_cursor(order, c))
    } else {
        None
    };
    Ok(QueuePage {
        rows: queue_rows(db, &cases, caller.lang).await?,
        next,
    })
}

/// Queue rows of `cases`, in their order, with names looked up in batches.
pub(crate) async fn queue_rows(
    db: &impl ConnectionTrait,
    cases: &[case::Model],
    lang: Lang,
) -> ServiceResult<Vec<QueueRow>> {
    let rows = rows_of(db, cases, lang).await?;
    let auth_ids: Vec<i64> = cases.iter().map(|c| c.authorisation_id).collect();
    let calendars = crate::plazos::calendars_for(db, &auth_ids).await?;
    let today = today();
    let auths: HashMap<i64, String> = authorisation::Entity::find()
        .filter(authorisation::Column::Id.is_in(auth_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.number))
        .collect();
    let assignee_ids: Vec<i64> = cases.iter().filter_map(|c| c.assigned_to).collect();
    let assignees: HashMap<i64, String> = if assignee_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(assignee_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.full_name))
            .collect()
    };
    Ok(cases
        .iter()
        .zip(rows)
        .map(|(c, row)| QueueRow {
            row,
            authorisation_number: auths.get(&c.authorisation_id).cloned().unwrap_or_default(),
            assigned_to: c.assigned_to.and_then(|id| assignees.get(&id).cloned()),
            version: c.version,
            deadline: crate::plazos::view(
                c,
                today,
                &calendars
                    .get(&c.authorisation_id)
                    .cloned()
                    .unwrap_or_default(),
            ),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_cursor_round_trips() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_000_001).unwrap();
        let s = format!("1.{}.7", at.timestamp_micros());
        assert_eq!(decode_cursor(&s), Some((true, at.timestamp_micros(), 7)));
        assert_eq!(Order::Oldest.value(at.timestamp_micros()), Some(at.into()));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 16).unwrap();
        let key = deadlines::day_number(from_naive(day));
        assert_eq!(Order::Deadline.value(key), Some(day.into()));
        assert_eq!(decode_cursor("x"), None);
    }
}
