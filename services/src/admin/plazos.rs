//! Administración → Plazos: holidays by year and calendar, the regional calendar of each
//! authorisation, and the resolution targets. Cases already open keep their deadline unless
//! the administrator asks to apply the change to them (`apply_to_open`).

use casia_domain::dates::CalendarDate;
use casia_domain::dto::{
    CalendarOption, HolidayForm, HolidayRow, PlazosAdmin, PlazosSaved, TargetForm, TargetRow,
};
use casia_domain::model::CaseType;
use casia_domain::validation::Problems;
use casia_domain::{FieldProblem, State};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

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

pub async fn add_holiday(
    db: &DatabaseConnection,
    caller: &Caller,
    form: &HolidayForm,
) -> ServiceResult<PlazosSaved> {
    require_admin(caller)?;
    let mut p = Problems::default();
    let day = CalendarDate::parse(&form.day);
    if form.day.trim().is_empty() {
        p.add("day", FieldProblem::Required);
    } else if day.is_none() {
        p.add("day", FieldProblem::InvalidChoice);
    }
    p.required_text("name", form.name.trim(), NAME_MAX);
    let cal = calendar::Entity::find_by_id(form.calendar_id)
        .one(db)
        .await?;
    if cal.is_none() {
        p.add("calendar_id", FieldProblem::InvalidChoice);
    }
    p.finish()?;
    let (Some(day), Some(cal)) = (day, cal) else {
        return Err(ServiceError::Internal("checked above".into()));
    };
    let taken = holiday::Entity::find()
        .filter(holiday::Column::CalendarId.eq(cal.id))
        .filter(holiday::Column::Day.eq(to_naive(day)))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(ServiceError::invalid("day", FieldProblem::AlreadyExists));
    }
    write_transaction(db, async |tx| {
        let h = holiday::ActiveModel {
            calendar_id: Set(cal.id),
            day: Set(to_naive(day)),
            name: Set(form.name.trim().to_owned()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        let recomputed = if form.apply_to_open {
            recompute_open(tx, Scope::Calendar(cal.id, &cal.code)).await?
        } else {
            0
        };
        let details = json!({ "calendar": cal.code, "day": day.iso(), "name": h.name, "added": true, "recomputed": recomputed });
        audited(tx, caller, AuditAction::AdminPlazosChanged, "holiday", h.id, details).await?;
        Ok(PlazosSaved { recomputed })
    })
    .await
}

pub async fn remove_holiday(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    apply_to_open: bool,
) -> ServiceResult<PlazosSaved> {
    require_admin(caller)?;
    let h = holiday::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let cal = calendar::Entity::find_by_id(h.calendar_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    write_transaction(db, async |tx| {
        holiday::Entity::delete_by_id(h.id).exec(tx).await?;
        let recomputed = if apply_to_open {
            recompute_open(tx, Scope::Calendar(cal.id, &cal.code)).await?
        } else {
            0
        };
        let details = json!({ "calendar": cal.code, "day": from_naive(h.day).iso(), "name": h.name, "added": false, "recomputed": recomputed });
        audited(tx, caller, AuditAction::AdminPlazosChanged, "holiday", h.id, details).await?;
        Ok(PlazosSaved { recomputed })
    })
    .await
}

/// Sets a case type's target, or the override of one of its taxonomy nodes.
pub async fn set_target(
    db: &DatabaseConnection,
    caller: &Caller,
    form: &TargetForm,
) -> ServiceResult<PlazosSaved> {
    require_admin(caller)?;
    let mut p = Problems::default();
    let case_type = CaseType::from_code(form.case_type.trim());
    if case_type.is_none() {
        p.add("case_type", FieldProblem::InvalidChoice);
    }
    let days = form.business_days.trim().parse::<i64>().ok();
    match days {
        Some(d) if (1..=TARGET_MAX).contains(&d) => {}
        _ if form.business_days.trim().is_empty() => p.add("business_days", FieldProblem::Required),
        _ => p.add(
            "business_days",
            FieldProblem::OutOfRange {
                min: 1,
                max: TARGET_MAX,
            },
        ),
    }
    if let (Some(node), Some(t)) = (form.node_id, case_type) {
        let ok = taxonomy_node::Entity::find_by_id(node)
            .one(db)
            .await?
            .is_some_and(|n| n.case_type == t);
        if !ok {
            p.add("node_id", FieldProblem::InvalidChoice);
        }
    }
    p.finish()?;
    let (Some(case_type), Some(days)) = (case_type, days) else {
        return Err(ServiceError::Internal("checked above".into()));
    };
    write_transaction(db, async |tx| {
        let mut q = deadline_target::Entity::find()
            .filter(deadline_target::Column::CaseType.eq(case_type));
        q = match form.node_id {
            Some(n) => q.filter(deadline_target::Column::TaxonomyNodeId.eq(n)),
            None => q.filter(deadline_target::Column::TaxonomyNodeId.is_null()),
        };
        let before = q.one(tx).await?;
        let id = match &before {
            Some(t) => {
                deadline_target::Entity::update_many()
                    .col_expr(deadline_target::Column::BusinessDays, Expr::value(days as i32))
                    .filter(deadline_target::Column::Id.eq(t.id))
                    .exec(tx)
                    .await?;
                t.id
            }
            None => {
                deadline_target::ActiveModel {
                    case_type: Set(case_type),
                    taxonomy_node_id: Set(form.node_id),
                    business_days: Set(days as i32),
                    ..Default::default()
                }
                .insert(tx)
                .await?
                .id
            }
        };
        let recomputed = if form.apply_to_open {
            recompute_open(tx, Scope::CaseType(case_type)).await?
        } else {
            0
        };
        let details = json!({ "case_type": case_type, "node_id": form.node_id, "before": before.map(|t| t.business_days), "after": days, "recomputed": recomputed });
        audited(tx, caller, AuditAction::AdminPlazosChanged, "deadline_target", id, details).await?;
        Ok(PlazosSaved { recomputed })
    })
    .await
}

/// Removes a node's override (a case type's own target stays: it can only be changed).
pub async fn remove_target(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
    apply_to_open: bool,
) -> ServiceResult<PlazosSaved> {
    require_admin(caller)?;
    let t = deadline_target::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if t.taxonomy_node_id.is_none() {
        return Err(ServiceError::invalid("id", FieldProblem::InUse));
    }
    write_transaction(db, async |tx| {
        deadline_target::Entity::delete_by_id(t.id).exec(tx).await?;
        let recomputed = if apply_to_open {
            recompute_open(tx, Scope::CaseType(t.case_type)).await?
        } else {
            0
        };
        let details = json!({ "case_type": t.case_type, "node_id": t.taxonomy_node_id, "before": t.business_days, "after": null, "recomputed": recomputed });
        audited(tx, caller, AuditAction::AdminPlazosChanged, "deadline_target", t.id, details).await?;
        Ok(PlazosSaved { recomputed })
    })
    .await
}

/// Gives an authorisation a regional calendar (or none: the national one alone).
pub async fn assign_calendar(
    db: &DatabaseConnection,
    caller: &Caller,
    authorisation_id: i64,
    calendar_id: Option<i64>,
    apply_to_open: bool,
) -> ServiceResult<PlazosSaved> {
    require_admin(caller)?;
    let auth = authorisation::Entity::find_by_id(authorisation_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if let Some(id) = calendar_id {
        let ok = calendar::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|c| c.code != NATIONAL_CALENDAR);
        if !ok {
            return Err(ServiceError::invalid(
                "calendar_id",
                FieldProblem::InvalidChoice,
            ));
        }
    }
    write_transaction(db, async |tx| {
        authorisation::Entity::update_many()
            .col_expr(authorisation::Column::CalendarId, Expr::value(calendar_id))
            .filter(authorisation::Column::Id.eq(auth.id))
            .exec(tx)
            .await?;
        let recomputed = if apply_to_open {
            recompute_open(tx, Scope::Authorisation(auth.id)).await?
        } else {
            0
        };
        let details =
            json!({ "before": auth.calendar_id, "after": calendar_id, "recomputed": recomputed });
        audited(
            tx,
            caller,
            AuditAction::AdminPlazosChanged,
            "authorisation",
            &auth.number,
            details,
        )
        .await?;
        Ok(PlazosSaved { recomputed })
    })
    .await
}

/// Which open cases a change concerns.
enum Scope<'a> {
    /// Those a calendar applies to (every case for the national one).
    Calendar(i64, &'a str),
    CaseType(CaseType),
    Authorisation(i64),
}

/// Recomputes the resolution deadline of the open cases in `scope` from their targets and
/// calendars as they are now; returns how many changed.
async fn recompute_open(tx: &impl ConnectionTrait, scope: Scope<'_>) -> ServiceResult<u64> {
    let mut q = case::Entity::find().filter(case::Column::State.eq(State::Abierto));
    q = match scope {
        Scope::Calendar(_, code) if code == NATIONAL_CALENDAR => q,
        Scope::Calendar(id, _) => {
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
