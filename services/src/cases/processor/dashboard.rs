//! The supervisor dashboard: counts per queue, state and day.

use casia_domain::dto::Dashboard;
use casia_domain::{Role, State, Substate};
use chrono::Duration;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};

use crate::accounts::Caller;
use crate::clock::{now, start_of_day_in_spain};
use crate::entity::case;
use crate::error::ServiceResult;

async fn count(db: &impl ConnectionTrait, q: sea_orm::Select<case::Entity>) -> ServiceResult<i64> {
    use sea_orm::PaginatorTrait;
    Ok(q.count(db).await? as i64)
}

/// The supervisor dashboard (README "Processors and supervisors"). Aggregates run in the
/// database; nothing loads the case table into memory.
pub async fn dashboard(db: &impl ConnectionTrait, caller: &Caller) -> ServiceResult<Dashboard> {
    caller.require_role(&[Role::Supervisor])?;
    let at = now();
    let mut d = Dashboard::default();
    let grouped: Vec<(Substate, i64)> = case::Entity::find()
        .select_only()
        .column(case::Column::Substate)
        .column_as(case::Column::Id.count(), "n")
        .filter(case::Column::State.eq(State::Abierto))
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
                    .find(|(substate, _)| *substate == s)
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
                .filter(case::Column::State.eq(State::Abierto))
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
        day = day.previous_day();
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
    d.deadlines = crate::plazos::figures::figures(db).await?;
    Ok(d)
}
