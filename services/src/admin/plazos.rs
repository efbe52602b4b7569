//! Administración → Plazos: holidays by year and calendar, the regional calendar of each
//! authorisation, and the resolution targets. Cases already open keep their deadline unless
//! the administrator asks to apply the change to them (`apply_to_open`).

use casia_domain::dates::CalendarDate;
use casia_domain::dto::{
    CalendarOption, HolidayRow, PlazosAdmin, PlazosChange, PlazosChangeForm, PlazosSaved, TargetRow,
};
use casia_domain::model::CaseType;
use casia_domain::validation::Problems;
use casia_domain::{FieldProblem, State};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};

use super::{NAME_MAX, audited, require_admin};
use crate::accounts::Caller;
use crate::audit::AuditAction;
use crate::db::write_transaction;
use crate::entity::{authorisation, calendar, case, deadline_target, holiday, taxonomy_node};
use crate::error::{ServiceError, ServiceResult};
use crate::plazos::{NATIONAL_CALENDAR, calendars_for, from_naive, recomputed_deadline, to_naive};

/// Business days a target may have.
pub const TARGET_MAX: i64 = 365;

/// The page: one calendar's holidays of one year (the national calendar and this year when
/// not said), every calendar, the targets and the authorisations' calendars.
pub async fn plazos_admin(
    db: &DatabaseConnection,
    caller: &Caller,
    calendar_id: Option<i64>,
    year: Option<i32>,
) -> ServiceResult<PlazosAdmin> {
    require_admin(caller)?;
    let calendars = calendar::Entity::find()
        .order_by_asc(calendar::Column::Id)
        .all(db)
        .await?;
    let national = calendars
        .iter()
        .find(|c| c.code == NATIONAL_CALENDAR)
        .map(|c| c.id)
        .unwrap_or_default();
    let calendar_id = calendar_id
        .filter(|id| calendars.iter().any(|c| c.id == *id))
        .unwrap_or(national);
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(crate::plazos::today().year);
    let first = to_naive(CalendarDate {
        year,
        month: 1,
        day: 1,
    });
    let last = to_naive(CalendarDate {
        year,
        month: 12,
        day: 31,
    });
    let holidays = holiday::Entity::find()
        .filter(holiday::Column::CalendarId.eq(calendar_id))
        .filter(holiday::Column::Day.between(first, last))
        .order_by_asc(holiday::Column::Day)
        .all(db)
        .await?
        .into_iter()
        .map(|h| HolidayRow {
            id: h.id,
            day: from_naive(h.day),
            name: h.name,
        })
        .collect();
    let nodes = taxonomy_node::Entity::find().all(db).await?;
    let path = |id: i64| {
        let mut names = Vec::new();
        let mut at = nodes.iter().find(|n| n.id == id);
        while let Some(n) = at {
            names.push(crate::taxonomy::node_name(n, caller.lang));
            at = n.parent_id.and_then(|p| nodes.iter().find(|x| x.id == p));
        }
        names.reverse();
        names.join(" › ")
    };
    let mut targets: Vec<TargetRow> = deadline_target::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| TargetRow {
            id: t.id,
            case_type: t.case_type,
            node_id: t.taxonomy_node_id,
            node: t.taxonomy_node_id.map(path).unwrap_or_default(),
            business_days: t.business_days,
        })
        .collect();
    targets.sort_by(|a, b| (a.case_type, &a.node).cmp(&(b.case_type, &b.node)));
    let authorisations = authorisation::Entity::find()
        .filter(authorisation::Column::Active.eq(true))
        .order_by_asc(authorisation::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.number, a.company_name, a.calendar_id))
        .collect();
    Ok(PlazosAdmin {
        calendars: calendars
            .into_iter()
            .map(|c| CalendarOption {
                id: c.id,
                name: if c.code == NATIONAL_CALENDAR {
                    casia_domain::Msg::CalendarioNacional.t(caller.lang)
                } else {
                    c.name
                },
                code: c.code,
            })
            .collect(),
        calendar_id,
        year,
        holidays,
        targets,
        authorisations,
    })
}

/// Makes one change; with `apply_to_open` the open cases it concerns get their resolution
/// deadline recomputed in the same transaction (otherwise they keep theirs). Audited with what
/// it was before and after.
pub async fn change_plazos(
    db: &DatabaseConnection,
    caller: &Caller,
    form: &PlazosChangeForm,
) -> ServiceResult<PlazosSaved> {
    require_admin(caller)?;
    let checked = check(db, &form.change).await?;
    write_transaction(db, async |tx| {
        let (scope, kind, id, mut details) = write(tx, &checked).await?;
        let recomputed = if form.apply_to_open {
            recompute_open(tx, scope).await?
        } else {
            0
        };
        details["recomputed"] = json!(recomputed);
        audited(
            tx,
            caller,
            AuditAction::AdminPlazosChanged,
            kind,
            id,
            details,
        )
        .await?;
        Ok(PlazosSaved { recomputed })
    })
    .await
}

/// A change whose every field was checked, with the rows it concerns.
enum Checked {
    AddHoliday(calendar::Model, CalendarDate, String),
    RemoveHoliday(holiday::Model, calendar::Model),
    SetTarget(CaseType, Option<i64>, i32),
    RemoveTarget(deadline_target::Model),
    AssignCalendar(authorisation::Model, Option<i64>),
}

/// Parses and checks a change (reads only): every bad field named, or what it concerns is
/// not found.
async fn check(db: &DatabaseConnection, change: &PlazosChange) -> ServiceResult<Checked> {
    let mut p = Problems::default();
    let checked = match change {
        PlazosChange::AddHoliday {
            calendar_id,
            day,
            name,
        } => {
            let parsed = CalendarDate::parse(day);
            if day.trim().is_empty() {
                p.add("day", FieldProblem::Required);
            } else if parsed.is_none() {
                p.add("day", FieldProblem::InvalidChoice);
            }
            p.required_text("name", name.trim(), NAME_MAX);
            let cal = calendar::Entity::find_by_id(*calendar_id).one(db).await?;
            if cal.is_none() {
                p.add("calendar_id", FieldProblem::InvalidChoice);
            }
            if let (Some(cal), Some(d)) = (&cal, parsed) {
                let taken = holiday::Entity::find()
                    .filter(holiday::Column::CalendarId.eq(cal.id))
                    .filter(holiday::Column::Day.eq(to_naive(d)))
                    .one(db)
                    .await?;
                if taken.is_some() {
                    p.add("day", FieldProblem::AlreadyExists);
                }
            }
            p.finish()?;
            match (cal, parsed) {
                (Some(cal), Some(d)) => Checked::AddHoliday(cal, d, name.trim().to_owned()),
                _ => return Err(ServiceError::Internal("checked above".into())),
            }
        }
        PlazosChange::RemoveHoliday { id } => {
            let h = holiday::Entity::find_by_id(*id)
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let cal = calendar::Entity::find_by_id(h.calendar_id)
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?;
            Checked::RemoveHoliday(h, cal)
        }
        PlazosChange::SetTarget {
            case_type,
            node_id,
            business_days,
        } => {
            let t = CaseType::from_code(case_type.trim());
            if t.is_none() {
                p.add("case_type", FieldProblem::InvalidChoice);
            }
            let days = business_days.trim().parse::<i64>().ok();
            match days {
                Some(d) if (1..=TARGET_MAX).contains(&d) => {}
                _ if business_days.trim().is_empty() => {
                    p.add("business_days", FieldProblem::Required)
                }
                _ => p.add(
                    "business_days",
                    FieldProblem::OutOfRange {
                        min: 1,
                        max: TARGET_MAX,
                    },
                ),
            }
            if let (Some(node), Some(t)) = (node_id, t) {
                let ok = taxonomy_node::Entity::find_by_id(*node)
                    .one(db)
                    .await?
                    .is_some_and(|n| n.case_type == t);
                if !ok {
                    p.add("node_id", FieldProblem::InvalidChoice);
                }
            }
            p.finish()?;
            match (t, days) {
                (Some(t), Some(d)) => Checked::SetTarget(t, *node_id, d as i32),
                _ => return Err(ServiceError::Internal("checked above".into())),
            }
        }
        PlazosChange::RemoveTarget { id } => {
            let t = deadline_target::Entity::find_by_id(*id)
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if t.taxonomy_node_id.is_none() {
                return Err(ServiceError::invalid("id", FieldProblem::InUse));
            }
            Checked::RemoveTarget(t)
        }
        PlazosChange::AssignCalendar {
            authorisation_id,
            calendar_id,
        } => {
            let auth = authorisation::Entity::find_by_id(*authorisation_id)
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if let Some(id) = calendar_id {
                let regional = calendar::Entity::find_by_id(*id)
                    .one(db)
                    .await?
                    .is_some_and(|c| c.code != NATIONAL_CALENDAR);
                if !regional {
                    return Err(ServiceError::invalid(
                        "calendar_id",
                        FieldProblem::InvalidChoice,
                    ));
                }
            }
            Checked::AssignCalendar(auth, *calendar_id)
        }
    };
    Ok(checked)
}

/// Writes a checked change: which open cases it concerns, and the audit event's object and
/// details.
async fn write(
    tx: &impl ConnectionTrait,
    checked: &Checked,
) -> ServiceResult<(Scope, &'static str, String, Value)> {
    Ok(match checked {
        Checked::AddHoliday(cal, day, name) => {
            let h = holiday::ActiveModel {
                calendar_id: Set(cal.id),
                day: Set(to_naive(*day)),
                name: Set(name.clone()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
            let details =
                json!({ "calendar": cal.code, "day": day.iso(), "name": name, "added": true });
            (Scope::of(cal), "holiday", h.id.to_string(), details)
        }
        Checked::RemoveHoliday(h, cal) => {
            holiday::Entity::delete_by_id(h.id).exec(tx).await?;
            let details = json!({ "calendar": cal.code, "day": from_naive(h.day).iso(), "name": h.name, "added": false });
            (Scope::of(cal), "holiday", h.id.to_string(), details)
        }
        Checked::SetTarget(case_type, node_id, days) => {
            let mut q = deadline_target::Entity::find()
                .filter(deadline_target::Column::CaseType.eq(*case_type));
            q = match node_id {
                Some(n) => q.filter(deadline_target::Column::TaxonomyNodeId.eq(*n)),
                None => q.filter(deadline_target::Column::TaxonomyNodeId.is_null()),
            };
            let before = q.one(tx).await?;
            let id = match &before {
                Some(t) => {
                    deadline_target::Entity::update_many()
                        .col_expr(deadline_target::Column::BusinessDays, Expr::value(*days))
                        .filter(deadline_target::Column::Id.eq(t.id))
                        .exec(tx)
                        .await?;
                    t.id
                }
                None => {
                    deadline_target::ActiveModel {
                        case_type: Set(*case_type),
                        taxonomy_node_id: Set(*node_id),
                        business_days: Set(*days),
                        ..Default::default()
                    }
                    .insert(tx)
                    .await?
                    .id
                }
            };
            let details = json!({ "case_type": case_type, "node_id": node_id, "before": before.map(|t| t.business_days), "after": days });
            (
                Scope::CaseType(*case_type),
                "deadline_target",
                id.to_string(),
                details,
            )
        }
        Checked::RemoveTarget(t) => {
            deadline_target::Entity::delete_by_id(t.id).exec(tx).await?;
            let details = json!({ "case_type": t.case_type, "node_id": t.taxonomy_node_id, "before": t.business_days, "after": null });
            (
                Scope::CaseType(t.case_type),
                "deadline_target",
                t.id.to_string(),
                details,
            )
        }
        Checked::AssignCalendar(auth, calendar_id) => {
            authorisation::Entity::update_many()
                .col_expr(authorisation::Column::CalendarId, Expr::value(*calendar_id))
                .filter(authorisation::Column::Id.eq(auth.id))
                .exec(tx)
                .await?;
            let details = json!({ "before": auth.calendar_id, "after": calendar_id });
            (
                Scope::Authorisation(auth.id),
                "authorisation",
                auth.number.clone(),
                details,
            )
        }
    })
}

/// Which open cases a change concerns.
enum Scope {
    /// Every open case (a national holiday).
    All,
    /// Those of the authorisations a regional calendar is assigned to.
    Calendar(i64),
    CaseType(CaseType),
    Authorisation(i64),
}

impl Scope {
    fn of(cal: &calendar::Model) -> Scope {
        if cal.code == NATIONAL_CALENDAR {
            Scope::All
        } else {
            Scope::Calendar(cal.id)
        }
    }
}

/// Recomputes the resolution deadline of the open cases in `scope` from their targets and
/// calendars as they are now; returns how many changed.
async fn recompute_open(tx: &impl ConnectionTrait, scope: Scope) -> ServiceResult<u64> {
    let mut q = case::Entity::find().filter(case::Column::State.eq(State::Abierto));
    q = match scope {
        Scope::All => q,
        Scope::Calendar(id) => {
            let ids: Vec<i64> = authorisation::Entity::find()
                .filter(authorisation::Column::CalendarId.eq(id))
                .all(tx)
                .await?
                .into_iter()
                .map(|a| a.id)
                .collect();
            q.filter(case::Column::AuthorisationId.is_in(ids))
        }
        Scope::CaseType(t) => q.filter(case::Column::CaseType.eq(t)),
        Scope::Authorisation(id) => q.filter(case::Column::AuthorisationId.eq(id)),
    };
    let cases = q.all(tx).await?;
    let mut auth_ids: Vec<i64> = cases.iter().map(|c| c.authorisation_id).collect();
    auth_ids.dedup();
    let calendars = calendars_for(tx, &auth_ids).await?;
    let mut changed = 0;
    for c in &cases {
        let cal = calendars
            .get(&c.authorisation_id)
            .cloned()
            .unwrap_or_default();
        let deadline = recomputed_deadline(tx, c, &cal).await?;
        if deadline != c.resolution_deadline {
            case::Entity::update_many()
                .col_expr(case::Column::ResolutionDeadline, Expr::value(deadline))
                .filter(case::Column::Id.eq(c.id))
                .exec(tx)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}
