//! The processors' queues: filters, keyset cursors and the page of rows.

use std::collections::HashMap;

use casia_domain::dto::{QUEUE_PAGE, QueueFilter, QueuePage, QueueRow};
use casia_domain::model::Queue;
use casia_domain::validation::check_queue_filter;
use casia_domain::{State, Substate};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::accounts::Caller;
use crate::cases::query::rows_of;
use crate::clock::start_of_day_in_spain;
use crate::entity::{authorisation, case, user};
use crate::error::ServiceResult;

use super::require_processor;

/// Keyset cursor over (affects filing period, opened at, id).
fn encode_cursor(c: &case::Model) -> String {
    format!(
        "{}.{}.{}",
        u8::from(c.affects_current_period),
        c.opened_at.timestamp_micros(),
        c.id
    )
}

fn decode_cursor(s: &str) -> Option<(bool, DateTime<Utc>, i64)> {
    let mut parts = s.split('.');
    let affects = parts.next()? == "1";
    let at = DateTime::from_timestamp_micros(parts.next()?.parse().ok()?)?;
    let id = parts.next()?.parse().ok()?;
    Some((affects, at, id))
}

/// A queue page. Cases that affect the current filing period come first, then by opening
/// time; pages are keyset-paginated (no count over the table).
pub async fn queue(
    db: &impl ConnectionTrait,
    caller: &Caller,
    queue: Queue,
    filter: &QueueFilter,
    cursor: Option<&str>,
) -> ServiceResult<QueuePage> {
    require_processor(caller)?;
    let mut q = case::Entity::find();
    q = match queue {
        Queue::Unassigned => q.filter(case::Column::Substate.eq(Substate::Presentado)),
        Queue::Mine => q
            .filter(case::Column::AssignedTo.eq(caller.user.id))
            .filter(case::Column::State.eq(State::Abierto)),
        Queue::Escalated => q.filter(case::Column::Substate.eq(Substate::Escalado)),
        Queue::WaitingForUser => q.filter(case::Column::Substate.is_in([
            Substate::SolicitadaInformacion,
            Substate::SolicitadaReclasificacion,
        ])),
        Queue::PendingCancellation => q.filter(case::Column::CancellationPending.eq(true)),
        Queue::AllOpen => q.filter(case::Column::State.eq(State::Abierto)),
    };
    let f = check_queue_filter(filter)?;
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
    let newest = f.newest;
    if let Some((affects, at, id)) = cursor.and_then(decode_cursor) {
        // Rows after the cursor in (affects DESC, opened_at ASC|DESC, id ASC|DESC) order.
        let later_time = if newest {
            case::Column::OpenedAt.lt(at)
        } else {
            case::Column::OpenedAt.gt(at)
        };
        let later_id = if newest {
            case::Column::Id.lt(id)
        } else {
            case::Column::Id.gt(id)
        };
        let same_group = Condition::all()
            .add(case::Column::AffectsCurrentPeriod.eq(affects))
            .add(
                Condition::any().add(later_time).add(
                    Condition::all()
                        .add(case::Column::OpenedAt.eq(at))
                        .add(later_id),
                ),
            );
        let cond = if affects {
            Condition::any()
                .add(case::Column::AffectsCurrentPeriod.eq(false))
                .add(same_group)
        } else {
            same_group
        };
        q = q.filter(cond);
    }
    q = q.order_by_desc(case::Column::AffectsCurrentPeriod);
    q = if newest {
        q.order_by_desc(case::Column::OpenedAt)
            .order_by_desc(case::Column::Id)
    } else {
        q.order_by_asc(case::Column::OpenedAt)
            .order_by_asc(case::Column::Id)
    };
    let mut cases = q.limit(QUEUE_PAGE + 1).all(db).await?;
    let next = if cases.len() as u64 > QUEUE_PAGE {
        cases.truncate(QUEUE_PAGE as usize);
        cases.last().map(encode_cursor)
    } else {
        None
    };
    let rows = rows_of(db, &cases, caller.lang).await?;
    let auth_ids: Vec<i64> = cases.iter().map(|c| c.authorisation_id).collect();
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
    Ok(QueuePage {
        rows: cases
            .iter()
            .zip(rows)
            .map(|(c, row)| QueueRow {
                row,
                authorisation_number: auths.get(&c.authorisation_id).cloned().unwrap_or_default(),
                assigned_to: c.assigned_to.and_then(|id| assignees.get(&id).cloned()),
            })
            .collect(),
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_cursor_round_trips() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_000_001).unwrap();
        let s = format!("1.{}.7", at.timestamp_micros());
        assert_eq!(decode_cursor(&s), Some((true, at, 7)));
        assert_eq!(decode_cursor("x"), None);
    }
}
