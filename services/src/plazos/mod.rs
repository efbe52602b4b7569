//! Plazos on the server: the calendars that apply to a case, the resolution target, the
//! clock's suspension and resumption inside the lifecycle's transaction, and the views.
//! The arithmetic itself is `casia_domain::deadlines`.

pub mod figures;
pub mod worker;

use std::collections::{HashMap, HashSet};

use casia_domain::dates::CalendarDate;
use casia_domain::deadlines::{self, BusinessCalendar, DeadlineStatus};
use casia_domain::dto::DeadlineView;
use casia_domain::lifecycle::{HistoryAction, Transition};
use casia_domain::model::CaseType;
use casia_domain::{Action, Substate};
use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::clock::{now, today_in_spain};
use crate::entity::{authorisation, calendar, case, deadline_target, holiday};
use crate::error::{ServiceError, ServiceResult};

pub use casia_migration::NATIONAL_CALENDAR;

pub fn to_naive(d: CalendarDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year, d.month, d.day).expect("CalendarDate is always valid")
}

pub fn from_naive(d: NaiveDate) -> CalendarDate {
    CalendarDate {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

/// Today in Spain.
pub fn today() -> CalendarDate {
    today_in_spain(now())
}

/// Waiting for the user: the resolution clock is stopped (art. 22.1.a).
pub fn is_waiting(s: Substate) -> bool {
    matches!(
        s,
        Substate::SolicitadaInformacion | Substate::SolicitadaReclasificacion
    )
}

/// The user's deadline passed unanswered (the `Plazo de subsanación vencido` queue).
pub fn answer_overdue(c: &case::Model, today: CalendarDate) -> bool {
    is_waiting(c.substate) && c.answer_deadline.is_some_and(|d| from_naive(d) < today)
}

async fn national_id(db: &impl ConnectionTrait) -> ServiceResult<i64> {
    calendar::Entity::find()
        .filter(calendar::Column::Code.eq(NATIONAL_CALENDAR))
        .one(db)
        .await?
        .map(|c| c.id)
        .ok_or_else(|| ServiceError::Internal("the national calendar is missing".into()))
}

/// The business calendar of each authorisation: national holidays plus its regional ones.
pub async fn calendars_for(
    db: &impl ConnectionTrait,
    authorisation_ids: &[i64],
) -> ServiceResult<HashMap<i64, BusinessCalendar>> {
    let national = national_id(db).await?;
    let regional: HashMap<i64, Option<i64>> = if authorisation_ids.is_empty() {
        HashMap::new()
    } else {
        authorisation::Entity::find()
            .filter(authorisation::Column::Id.is_in(authorisation_ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.calendar_id))
            .collect()
    };
    let mut wanted: HashSet<i64> = regional.values().flatten().copied().collect();
    wanted.insert(national);
    let mut days: HashMap<i64, Vec<CalendarDate>> = HashMap::new();
    for h in holiday::Entity::find()
        .filter(holiday::Column::CalendarId.is_in(wanted))
        .all(db)
        .await?
    {
        days.entry(h.calendar_id)
            .or_default()
            .push(from_naive(h.day));
    }
    let of = |id: i64| days.get(&id).cloned().unwrap_or_default();
    Ok(authorisation_ids
        .iter()
        .map(|id| {
            let mut cal = BusinessCalendar::new(of(national));
            if let Some(Some(r)) = regional.get(id) {
                cal = cal.with(of(*r));
            }
            (*id, cal)
        })
        .collect())
}

pub async fn calendar_for(
    db: &impl ConnectionTrait,
    authorisation_id: i64,
) -> ServiceResult<BusinessCalendar> {
    Ok(calendars_for(db, &[authorisation_id])
        .await?
        .remove(&authorisation_id)
        .unwrap_or_default())
}

/// The target in business days of a case so classified: the most specific override
/// (subcategory, then category, then subject), else the case type's, else the seeded default.
pub async fn target_days(
    db: &impl ConnectionTrait,
    case_type: CaseType,
    nodes: [Option<i64>; 3],
) -> ServiceResult<u32> {
    let targets = deadline_target::Entity::find()
        .filter(deadline_target::Column::CaseType.eq(case_type))
        .all(db)
        .await?;
    let find = |node: Option<i64>| {
        targets
            .iter()
            .find(|t| t.taxonomy_node_id == node)
            .map(|t| t.business_days.max(0) as u32)
    };
    let [subject, category, subcategory] = nodes;
    Ok([subcategory, category, subject]
        .into_iter()
        .flatten()
        .find_map(|n| find(Some(n)))
        .or_else(|| find(None))
        .unwrap_or_else(|| deadlines::default_target(case_type)))
}

/// The resolution deadline of a case so classified, opened on `opened_on`: its target
/// counted from then, plus `suspended_days` (the business days its clock was stopped).
pub async fn deadline_from(
    db: &impl ConnectionTrait,
    case_type: CaseType,
    nodes: [Option<i64>; 3],
    opened_on: CalendarDate,
    suspended_days: i32,
    cal: &BusinessCalendar,
) -> ServiceResult<NaiveDate> {
    let days = target_days(db, case_type, nodes).await?;
    let total = i64::from(days) + i64::from(suspended_days.max(0));
    Ok(to_naive(deadlines::add_business_days(
        opened_on, total, cal,
    )))
}

/// [`deadline_from`] for an existing case (what "apply to open cases" recomputes).
pub async fn recomputed_deadline(
    db: &impl ConnectionTrait,
    c: &case::Model,
    cal: &BusinessCalendar,
) -> ServiceResult<NaiveDate> {
    deadline_from(
        db,
        c.case_type,
        [Some(c.subject_id), Some(c.category_id), c.subcategory_id],
        today_in_spain(c.opened_at),
        c.suspended_days,
        cal,
    )
    .await
}

/// What a lifecycle transition does to the clock, computed inside its transaction.
#[derive(Debug, Default)]
pub struct ClockChange {
    /// Entering `Solicitada …`: the day the clock stops and the user's deadline.
    pub suspend: Option<(NaiveDate, NaiveDate)>,
    /// Leaving it: the moved resolution deadline and the suspended days in all.
    pub resume: Option<(NaiveDate, i32)>,
    /// `Ampliar plazo`: the user's new deadline.
    pub new_answer_deadline: Option<NaiveDate>,
    /// Resolved: whether on time, and the business days it took (suspensions excluded).
    pub resolved: Option<(bool, i32)>,
}

impl ClockChange {
    /// The history rows it writes after the action's own (resumption only while open: a
    /// closed case has no clock left to run).
    pub fn history(&self, to: Substate) -> Vec<HistoryAction> {
        let mut rows = Vec::new();
        if self.suspend.is_some() {
            rows.push(HistoryAction::Suspend);
        }
        if self.resume.is_some() && to.is_open() {
            rows.push(HistoryAction::Resume);
        }
        rows
    }
}

pub async fn clock_change(
    db: &impl ConnectionTrait,
    c: &case::Model,
    action: Action,
    t: &Transition,
    answer_window: u32,
) -> ServiceResult<ClockChange> {
    let was = is_waiting(t.from);
    let will = is_waiting(t.to);
    let resolved = t.to == Substate::Resuelto && t.changes_substate();
    let mut out = ClockChange::default();
    if was == will && action != Action::GrantMoreTime && !resolved {
        return Ok(out);
    }
    let cal = calendar_for(db, c.authorisation_id).await?;
    let today = today();
    if !was && will {
        let answer = deadlines::answer_deadline(today, answer_window, &cal);
        out.suspend = Some((to_naive(today), to_naive(answer)));
    } else if was && !will {
        let since = c.suspended_since.map_or(today, from_naive);
        let (moved, stopped) =
            deadlines::resume(from_naive(c.resolution_deadline), since, today, &cal);
        out.resume = Some((to_naive(moved), c.suspended_days + stopped as i32));
    } else if action == Action::GrantMoreTime {
        let answer = deadlines::answer_deadline(today, answer_window, &cal);
        out.new_answer_deadline = Some(to_naive(answer));
    }
    if resolved {
        let (deadline, suspended) = out
            .resume
            .unwrap_or((c.resolution_deadline, c.suspended_days));
        let opened_on = today_in_spain(c.opened_at);
        let worked =
            deadlines::business_days_between(opened_on, today, &cal) - i64::from(suspended);
        out.resolved = Some((today <= from_naive(deadline), worked.max(0) as i32));
    }
    Ok(out)
}

/// Computes the transition's [`ClockChange`] and writes it to the case (by id: the caller's
/// version-guarded UPDATE already holds the row), updating `updated` to match.
pub async fn apply_clock(
    tx: &impl ConnectionTrait,
    before: &case::Model,
    updated: &mut case::Model,
    action: Action,
    t: &Transition,
    answer_window: u32,
) -> ServiceResult<ClockChange> {
    let clock = clock_change(tx, before, action, t, answer_window).await?;
    let mut update = case::Entity::update_many().filter(case::Column::Id.eq(before.id));
    let mut any = false;
    let no_time: Option<chrono::DateTime<chrono::Utc>> = None;
    let no_day: Option<NaiveDate> = None;
    if let Some((since, answer)) = clock.suspend {
        update = update
            .col_expr(case::Column::SuspendedSince, Expr::value(since))
            .col_expr(case::Column::AnswerDeadline, Expr::value(answer));
        updated.suspended_since = Some(since);
        updated.answer_deadline = Some(answer);
        any = true;
    }
    if let Some(answer) = clock.new_answer_deadline {
        update = update.col_expr(case::Column::AnswerDeadline, Expr::value(answer));
        updated.answer_deadline = Some(answer);
        any = true;
    }
    if clock.suspend.is_some() || clock.new_answer_deadline.is_some() {
        // A new deadline gets its own reminder and expiry.
        update = update
            .col_expr(case::Column::ReminderSentAt, Expr::value(no_time))
            .col_expr(case::Column::AnswerExpiredAt, Expr::value(no_time));
        updated.reminder_sent_at = None;
        updated.answer_expired_at = None;
    }
    if let Some((deadline, days)) = clock.resume {
        update = update
            .col_expr(case::Column::ResolutionDeadline, Expr::value(deadline))
            .col_expr(case::Column::SuspendedDays, Expr::value(days))
            .col_expr(case::Column::SuspendedSince, Expr::value(no_day));
        updated.resolution_deadline = deadline;
        updated.suspended_days = days;
        updated.suspended_since = None;
        any = true;
    }
    if let Some((on_time, days)) = clock.resolved {
        update = update
            .col_expr(case::Column::ResolvedOnTime, Expr::value(on_time))
            .col_expr(case::Column::ResolutionBusinessDays, Expr::value(days));
        updated.resolved_on_time = Some(on_time);
        updated.resolution_business_days = Some(days);
        any = true;
    }
    if any {
        update.exec(tx).await?;
    }
    Ok(clock)
}

/// The deadlines of a case as of `today`.
pub fn view(c: &case::Model, today: CalendarDate, cal: &BusinessCalendar) -> DeadlineView {
    let deadline = from_naive(c.resolution_deadline);
    let waiting = is_waiting(c.substate);
    let since = c.suspended_since.map(from_naive).filter(|_| waiting);
    let running = since.map_or(0, |s| {
        deadlines::business_days_between(s, today, cal).max(0)
    });
    let answer = c.answer_deadline.map(from_naive).filter(|_| waiting);
    DeadlineView {
        resolution_deadline: deadline,
        status: c
            .substate
            .is_open()
            .then(|| deadlines::status(deadline, today, waiting, cal)),
        days_left: deadlines::days_left(deadline, today, since, cal),
        suspended_days: i64::from(c.suspended_days) + running,
        answer_deadline: answer,
        answer_status: answer.map(|a| deadlines::status(a, today, false, cal)),
    }
}

/// Whether a deadline is at risk (due soon or overdue) with its clock running.
pub fn at_risk(status: Option<DeadlineStatus>) -> bool {
    matches!(
        status,
        Some(DeadlineStatus::ProximoAVencer | DeadlineStatus::Vencido)
    )
}
