//! The administration's side (SPEC.md "Processor side"): queues, the case with internal
//! notes, every lifecycle action, and the supervisor dashboard.

use std::collections::HashMap;

use casia_domain::dto::{Dashboard, MessageKind, NoteView, ProcessorCase, ProcessorInput};
use casia_domain::model::{CaseType, case_number};
use casia_domain::validation::{MESSAGE_MAX, Problems, check_documents};
use casia_domain::{Action, FieldProblem, Role, State, Substate};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use serde::{Deserialize, Serialize};

use super::open::{attach_documents, claim_documents};
use super::query::{build_detail, history_rows, rows_of};
use super::{Change, apply, find_by_number, in_transaction};
use crate::Services;
use crate::accounts::{Caller, authorisation_view};
use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::clock::{display, now, start_of_day_in_spain};
use crate::entity::{authorisation, case, case_note, user};
use crate::error::{ServiceError, ServiceResult};

pub const QUEUE_PAGE: u64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Presentado: nobody has it yet.
    Unassigned,
    /// Open cases assigned to the caller.
    Mine,
    Escalated,
    /// Solicitada Información / Solicitada Reclasificación.
    WaitingForUser,
    /// Cancellation requests waiting for a decision.
    PendingCancellation,
    /// Every open case.
    AllOpen,
}

impl Queue {
    pub const ALL: &'static [Queue] = &[
        Queue::Unassigned,
        Queue::Mine,
        Queue::Escalated,
        Queue::WaitingForUser,
        Queue::PendingCancellation,
        Queue::AllOpen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Queue::Unassigned => "sin_asignar",
            Queue::Mine => "mios",
            Queue::Escalated => "escalados",
            Queue::WaitingForUser => "esperando",
            Queue::PendingCancellation => "anulaciones",
            Queue::AllOpen => "abiertos",
        }
    }

    pub fn from_code(code: &str) -> Option<Queue> {
        Queue::ALL.iter().copied().find(|q| q.code() == code)
    }
}

/// Filters of a queue; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub case_type: Option<String>,
    pub subject_id: Option<i64>,
    /// Nº Autorización.
    pub authorisation: Option<String>,
    /// Opened from/to (`YYYY-MM-DD`, inclusive).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `newest` for newest first; oldest first otherwise.
    pub sort: Option<String>,
}

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub row: casia_domain::dto::CaseRow,
    pub authorisation_number: String,
    pub assigned_to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub next: Option<String>,
}

fn require_processor(caller: &Caller) -> ServiceResult<()> {
    caller.require_role(&[Role::Tramitador, Role::Supervisor])
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
        Queue::Unassigned => q.filter(case::Column::Substate.eq(Substate::Presentado.code())),
        Queue::Mine => q
            .filter(case::Column::AssignedTo.eq(caller.user.id))
            .filter(case::Column::State.eq(State::Abierto.code())),
        Queue::Escalated => q.filter(case::Column::Substate.eq(Substate::Escalado.code())),
        Queue::WaitingForUser => q.filter(case::Column::Substate.is_in([
            Substate::SolicitadaInformacion.code(),
            Substate::SolicitadaReclasificacion.code(),
        ])),
        Queue::PendingCancellation => q.filter(case::Column::CancellationPending.eq(true)),
        Queue::AllOpen => q.filter(case::Column::State.eq(State::Abierto.code())),
    };
    let mut p = Problems::default();
    if let Some(t) = filter.case_type.as_deref().filter(|t| !t.is_empty()) {
        match CaseType::from_code(t) {
            Some(t) => q = q.filter(case::Column::CaseType.eq(t.code())),
            None => p.add("case_type", FieldProblem::InvalidChoice),
        }
    }
    if let Some(subject) = filter.subject_id {
        q = q.filter(case::Column::SubjectId.eq(subject));
    }
    if let Some(number) = filter
        .authorisation
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let auth = authorisation::Entity::find()
            .filter(authorisation::Column::Number.eq(number))
            .one(db)
            .await?;
        // An unknown number matches nothing (not an error: the filter is free text).
        q = q.filter(case::Column::AuthorisationId.eq(auth.map(|a| a.id).unwrap_or(-1)));
    }
    for (field, value, lower) in [("from", &filter.from, true), ("to", &filter.to, false)] {
        if let Some(text) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            match casia_domain::dates::CalendarDate::parse(text) {
                Some(d) if lower => {
                    q = q.filter(case::Column::OpenedAt.gte(start_of_day_in_spain(d)))
                }
                Some(d) => {
                    q = q.filter(case::Column::OpenedAt.lt(start_of_day_in_spain(d.next_day())))
                }
                None => p.add(
                    field,
                    FieldProblem::DateRange(casia_domain::dates::RangeProblem::FromInvalid),
                ),
            }
        }
    }
    p.finish()?;
    let newest = filter.sort.as_deref() == Some("newest");
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

/// The case as processors see it: the user's view plus notes, history with actors, and the
/// actions the lifecycle allows this processor.
pub async fn case_for_processor(
    db: &impl ConnectionTrait,
    caller: &Caller,
    number: i64,
) -> ServiceResult<ProcessorCase> {
    require_processor(caller)?;
    let c = find_by_number(db, number).await?;
    let detail = build_detail(db, &c, caller.lang, &caller.actor()).await?;
    let auth = authorisation::Entity::find_by_id(c.authorisation_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let notes = case_note::Entity::find()
        .filter(case_note::Column::CaseId.eq(c.id))
        .order_by_asc(case_note::Column::At)
        .all(db)
        .await?;
    let staff = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Tramitador.code(), Role::Supervisor.code()]))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::FullName)
        .all(db)
        .await?;
    let name_of = |id: i64| {
        staff
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.full_name.clone())
    };
    let mut authors = HashMap::new();
    for n in &notes {
        if let std::collections::hash_map::Entry::Vacant(e) = authors.entry(n.author_id) {
            let name = match name_of(n.author_id) {
                Some(name) => name,
                None => user::Entity::find_by_id(n.author_id)
                    .one(db)
                    .await?
                    .map(|u| u.full_name)
                    .unwrap_or_default(),
            };
            e.insert(name);
        }
    }
    Ok(ProcessorCase {
        detail,
        authorisation: authorisation_view(&auth, false),
        assigned_to: c
            .assigned_to
            .map(|id| (id, name_of(id).unwrap_or_default())),
        notes: notes
            .into_iter()
            .map(|n| NoteView {
                at: display(n.at),
                author: authors.get(&n.author_id).cloned().unwrap_or_default(),
                body: n.body,
            })
            .collect(),
        history: history_rows(db, &c, true).await?,
        assignable: staff.iter().map(|u| (u.id, u.full_name.clone())).collect(),
    })
}

/// Does one lifecycle action (or writes a note) on a case. Stale pages get `Conflict`.
pub async fn act(
    s: &Services,
    caller: &Caller,
    number: i64,
    input: ProcessorInput,
) -> ServiceResult<()> {
    require_processor(caller)?;
    let db = &s.db;
    let action = Action::from_code(&input.action)
        .filter(|a| !a.is_user_action())
        .ok_or(ServiceError::invalid("action", FieldProblem::InvalidChoice))?;
    let text = input.text.trim().to_owned();
    let mut p = Problems::default();
    if action.requires_text() {
        p.required_text("text", &text, MESSAGE_MAX);
    } else {
        p.optional_text("text", &text, MESSAGE_MAX);
    }
    if action == Action::Assign && input.target_user_id.is_none() {
        p.add("target_user_id", FieldProblem::Required);
    }
    check_documents(&mut p, &input.documents);
    if !input.documents.is_empty()
        && !matches!(
            action,
            Action::Resolve | Action::RequestInformation | Action::RequestReclassification
        )
    {
        p.add("documents", FieldProblem::InvalidChoice);
    }
    p.finish()?;
    let c = find_by_number(db, number).await?;

    if action == Action::AddInternalNote {
        // Notes never change the case, so they never conflict. The event says a note was
        // written, not what it says.
        in_transaction(db, async |tx| {
            let note = case_note::ActiveModel {
                case_id: Set(c.id),
                author_id: Set(caller.user.id),
                body: Set(text.clone()),
                at: Set(now()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
            let event = AuditEvent::by(caller, AuditAction::CaseNote, Outcome::Success)
                .on("case", case_number::format(c.number))
                .with_details(serde_json::json!({ "note_id": note.id, "substate": c.substate }));
            crate::audit::record(tx, event).await
        })
        .await?;
        return Ok(());
    }
    if input.version != c.version {
        return Err(ServiceError::Conflict);
    }
    if let Some(target) = input.target_user_id.filter(|_| action == Action::Assign) {
        let ok = user::Entity::find_by_id(target)
            .one(db)
            .await?
            .is_some_and(|u| {
                u.active && (u.role == Role::Tramitador.code() || u.role == Role::Supervisor.code())
            });
        if !ok {
            return Err(ServiceError::invalid(
                "target_user_id",
                FieldProblem::InvalidChoice,
            ));
        }
    }
    casia_domain::lifecycle::decide(&super::status_of(&c), &caller.actor(), action)?;
    let uploads = claim_documents(db, caller.user.id, &input.documents).await?;
    let visible = |kind: MessageKind| (!text.is_empty()).then(|| (kind, text.clone()));
    let change = match action {
        Action::RequestInformation => Change {
            observations: text.clone(),
            message: visible(MessageKind::InformationRequest),
            notice_message: Some(text.clone()),
            ..Change::default()
        },
        Action::RequestReclassification => Change {
            observations: text.clone(),
            message: visible(MessageKind::ReclassificationRequest),
            notice_message: Some(text.clone()),
            ..Change::default()
        },
        Action::Resolve => Change {
            observations: text.clone(),
            message: visible(MessageKind::Resolution),
            notice_message: Some(text.clone()),
            resolution: Some(text.clone()),
            ..Change::default()
        },
        Action::RejectCancellation => Change {
            observations: text.clone(),
            message: visible(MessageKind::CancellationRejection),
            notice_message: Some(text.clone()),
            ..Change::default()
        },
        Action::ApproveCancellation => Change {
            observations: text.clone(),
            ..Change::default()
        },
        Action::Assign => Change {
            target_assignee: input.target_user_id,
            ..Change::default()
        },
        // Escalation reasons are internal: they go to the notes, not to the history.
        _ => Change::default(),
    };
    in_transaction(db, async |tx| {
        let (updated, _) = apply(tx, &c, &caller.actor(), action, change).await?;
        if action == Action::Escalate && !text.is_empty() {
            case_note::ActiveModel { case_id: Set(c.id), author_id: Set(caller.user.id), body: Set(text.clone()), at: Set(now()), ..Default::default() }
                .insert(tx)
                .await?;
        }
        attach_documents(tx, &updated, caller.user.id, &uploads, true, now()).await?;
        // What changed on the case; the texts sent to the user stay in the case itself.
        let state = |c: &case::Model| serde_json::json!({ "substate": c.substate, "assigned_to": c.assigned_to, "cancellation_pending": c.cancellation_pending });
        let event = AuditEvent::by(caller, AuditAction::CaseAction, Outcome::Success)
            .on("case", case_number::format(c.number))
            .with_details(serde_json::json!({ "action": action.code(), "before": state(&c), "after": state(&updated), "documents": uploads.len() }));
        crate::audit::record(tx, event).await?;
        Ok(())
    })
    .await?;
    // Committed: a notice it wrote can be mailed now.
    s.mail_wakeup.notify_one();
    Ok(())
}

async fn count(db: &impl ConnectionTrait, q: sea_orm::Select<case::Entity>) -> ServiceResult<i64> {
    use sea_orm::PaginatorTrait;
    Ok(q.count(db).await? as i64)
}

/// The supervisor dashboard (SPEC.md). Aggregates run in the database; nothing loads the
/// case table into memory.
pub async fn dashboard(db: &impl ConnectionTrait, caller: &Caller) -> ServiceResult<Dashboard> {
    caller.require_role(&[Role::Supervisor])?;
    let at = now();
    let mut d = Dashboard::default();
    let grouped: Vec<(String, i64)> = case::Entity::find()
        .select_only()
        .column(case::Column::Substate)
        .column_as(case::Column::Id.count(), "n")
        .filter(case::Column::State.eq(State::Abierto.code()))
        .group_by(case::Column::Substate)
        .into_tuple()
        .all(db)
        .await?;
    d.open_by_substate = Substate::for_state(Some(State::Abierto))
        .into_iter()
        .map(|s| {
            (
                s,
                grouped
                    .iter()
                    .find(|(code, _)| code == s.code())
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    let bounds = [
        ("lt1d", Duration::zero(), Duration::days(1)),
        ("d1_3", Duration::days(1), Duration::days(3)),
        ("d3_7", Duration::days(3), Duration::days(7)),
        ("d7_30", Duration::days(7), Duration::days(30)),
        ("gt30d", Duration::days(30), Duration::days(36500)),
    ];
    for (label, min_age, max_age) in bounds {
        let n = count(
            db,
            case::Entity::find()
                .filter(case::Column::State.eq(State::Abierto.code()))
                .filter(case::Column::OpenedAt.lte(at - min_age))
                .filter(case::Column::OpenedAt.gt(at - max_age)),
        )
        .await?;
        d.backlog_age.push((label.to_owned(), n));
    }
    d.pending_cancellations = count(
        db,
        case::Entity::find().filter(case::Column::CancellationPending.eq(true)),
    )
    .await?;

    let since = at - Duration::days(30);
    let (avg_sql, params) = match db.get_database_backend() {
        DbBackend::Postgres => (
            "SELECT COUNT(*)::BIGINT, AVG(EXTRACT(EPOCH FROM (resolved_at - opened_at)))::DOUBLE PRECISION FROM cases WHERE substate = $1 AND resolved_at >= $2",
            vec![Substate::Resuelto.code().into(), since.into()],
        ),
        _ => (
            "SELECT COUNT(*), AVG((julianday(resolved_at) - julianday(opened_at)) * 86400.0) FROM cases WHERE substate = ? AND resolved_at >= ?",
            vec![Substate::Resuelto.code().into(), since.into()],
        ),
    };
    if let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            avg_sql,
            params,
        ))
        .await?
    {
        d.resolved_last_30_days = row.try_get_by_index::<i64>(0).unwrap_or(0);
        d.mean_hours_to_resolution = row
            .try_get_by_index::<Option<f64>>(1)
            .ok()
            .flatten()
            .map(|s| s / 3600.0);
    }

    let rating_since = at - Duration::days(90);
    let ratings: Vec<(Option<i16>, i64)> = case::Entity::find()
        .select_only()
        .column(case::Column::Rating)
        .column_as(case::Column::Id.count(), "n")
        .filter(case::Column::Rating.is_not_null())
        .filter(case::Column::RatedAt.gte(rating_since))
        .group_by(case::Column::Rating)
        .into_tuple()
        .all(db)
        .await?;
    d.ratings = (1..=5)
        .map(|score| {
            (
                score,
                ratings
                    .iter()
                    .find(|(s, _)| *s == Some(score))
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    let total: i64 = d.ratings.iter().map(|(_, n)| n).sum();
    if total > 0 {
        d.mean_rating = Some(
            d.ratings
                .iter()
                .map(|(s, n)| f64::from(*s) * *n as f64)
                .sum::<f64>()
                / total as f64,
        );
    }

    let today = crate::clock::today_in_spain(at);
    let mut day = today;
    let mut days = Vec::new();
    for _ in 0..14 {
        days.push(day);
        day = previous_day(day);
    }
    days.reverse();
    for day in days {
        let n = count(
            db,
            case::Entity::find()
                .filter(case::Column::OpenedAt.gte(start_of_day_in_spain(day)))
                .filter(case::Column::OpenedAt.lt(start_of_day_in_spain(day.next_day()))),
        )
        .await?;
        d.opened_per_day.push((day.display()[..5].to_owned(), n));
    }
    Ok(d)
}

fn previous_day(d: casia_domain::dates::CalendarDate) -> casia_domain::dates::CalendarDate {
    use casia_domain::dates::{CalendarDate, days_in_month};
    if d.day > 1 {
        CalendarDate {
            day: d.day - 1,
            ..d
        }
    } else if d.month > 1 {
        CalendarDate {
            year: d.year,
            month: d.month - 1,
            day: days_in_month(d.year, d.month - 1),
        }
    } else {
        CalendarDate {
            year: d.year - 1,
            month: 12,
            day: 31,
        }
    }
}

/// Case numbers as shown (used by pages linking to the processor view).
pub fn number_display(n: i64) -> String {
    case_number::format(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_codes_round_trip() {
        for q in Queue::ALL {
            assert_eq!(Queue::from_code(q.code()), Some(*q));
        }
    }

    #[test]
    fn queue_cursor_round_trips() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_000_001).unwrap();
        let s = format!("1.{}.7", at.timestamp_micros());
        assert_eq!(decode_cursor(&s), Some((true, at, 7)));
        assert_eq!(decode_cursor("x"), None);
    }

    #[test]
    fn previous_day_crosses_months_and_years() {
        use casia_domain::dates::CalendarDate;
        assert_eq!(
            previous_day(CalendarDate::new(2026, 3, 1).unwrap()),
            CalendarDate::new(2026, 2, 28).unwrap()
        );
        assert_eq!(
            previous_day(CalendarDate::new(2026, 1, 1).unwrap()),
            CalendarDate::new(2025, 12, 31).unwrap()
        );
    }
}
