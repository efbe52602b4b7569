//! The supervisor dashboard's deadline figures, aggregated in the database: each resolved
//! case carries whether it was on time and the business days it took (set in the
//! transaction that resolved it), so no figure loads the case table.

use casia_domain::deadlines::{self, BusinessCalendar, DUE_SOON_DAYS};
use casia_domain::dto::DeadlineFigures;
use casia_domain::{State, Substate};
use chrono::Duration;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{calendars_for, to_naive, today};
use crate::clock::{now, start_of_day_in_spain};
use crate::entity::case;
use crate::error::ServiceResult;

/// Months the on-time rate covers.
pub const MONTHS: usize = 6;

pub async fn figures(db: &impl ConnectionTrait) -> ServiceResult<DeadlineFigures> {
    let today = today();
    let mut out = DeadlineFigures::default();

    let mut month = today.first_of_month();
    let mut months = Vec::new();
    for _ in 0..MONTHS {
        months.push(month);
        month = month.previous_month().first_of_month();
    }
    months.reverse();
    for first in months {
        let next = first.last_of_month().next_day();
        let resolved = || {
            case::Entity::find()
                .filter(case::Column::Substate.eq(Substate::Resuelto))
                .filter(case::Column::ResolvedOnTime.is_not_null())
                .filter(case::Column::ResolvedAt.gte(start_of_day_in_spain(first)))
                .filter(case::Column::ResolvedAt.lt(start_of_day_in_spain(next)))
        };
        let all = resolved().count(db).await? as i64;
        let on_time = resolved()
            .filter(case::Column::ResolvedOnTime.eq(true))
            .count(db)
            .await? as i64;
        out.on_time_by_month.push((
            format!("{:04}-{:02}", first.year, first.month),
            all,
            on_time,
        ));
    }

    // At risk: the clock runs and at most two business days are left (or none). The
    // threshold is counted on the national calendar: a regional holiday can only push a
    // case's own threshold later, so this never counts a case that is not at risk.
    let cal = national_calendar(db).await?;
    let threshold = deadlines::add_business_days(today, DUE_SOON_DAYS, &cal);
    out.at_risk_now = case::Entity::find()
        .filter(case::Column::State.eq(State::Abierto))
        .filter(case::Column::Substate.is_not_in([
            Substate::SolicitadaInformacion,
            Substate::SolicitadaReclasificacion,
        ]))
        .filter(case::Column::ResolutionDeadline.lte(to_naive(threshold)))
        .count(db)
        .await? as i64;

    // The median of the cases resolved in the last 90 days: the middle row(s) in order.
    let since = now() - Duration::days(90);
    let recent = || {
        case::Entity::find()
            .filter(case::Column::Substate.eq(Substate::Resuelto))
            .filter(case::Column::ResolutionBusinessDays.is_not_null())
            .filter(case::Column::ResolvedAt.gte(since))
    };
    let n = recent().count(db).await?;
    if n > 0 {
        let middle: Vec<Option<i32>> = recent()
            .select_only()
            .column(case::Column::ResolutionBusinessDays)
            .order_by_asc(case::Column::ResolutionBusinessDays)
            .offset((n - 1) / 2)
            .limit(if n % 2 == 0 { 2 } else { 1 })
            .into_tuple()
            .all(db)
            .await?;
        let values: Vec<f64> = middle.into_iter().flatten().map(f64::from).collect();
        if !values.is_empty() {
            out.median_business_days_to_resolve =
                Some(values.iter().sum::<f64>() / values.len() as f64);
        }
    }
    Ok(out)
}

async fn national_calendar(db: &impl ConnectionTrait) -> ServiceResult<BusinessCalendar> {
    // An authorisation id that does not exist gets the national calendar alone.
    Ok(calendars_for(db, &[-1])
        .await?
        .remove(&-1)
        .unwrap_or_default())
}
