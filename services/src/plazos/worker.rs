//! The deadline worker: the reminder two business days before the user's deadline, and the
//! record of a deadline that passed unanswered. Every instance runs it; each case's step is
//! claimed by a conditional UPDATE (`… WHERE reminder_sent_at IS NULL`) in the transaction
//! that writes the notice or the history row, so of several workers exactly one does it, and
//! running it again changes nothing.

use casia_domain::Substate;
use casia_domain::deadlines;
use casia_domain::lifecycle::HistoryAction;
use casia_domain::model::NoticeKind;
use chrono::Days;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{calendars_for, from_naive, to_naive, today};
use crate::cases::{in_transaction, write_history};
use crate::clock::now;
use crate::entity::case;
use crate::error::ServiceResult;

/// Most cases looked at per step and run.
pub const BATCH: u64 = 500;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeadlineReport {
    pub reminders: usize,
    pub expired: usize,
}

fn waiting() -> [Substate; 2] {
    [
        Substate::SolicitadaInformacion,
        Substate::SolicitadaReclasificacion,
    ]
}

/// One pass: sends the reminders that are due and records the deadlines that passed.
pub async fn run_once(db: &sea_orm::DatabaseConnection) -> ServiceResult<DeadlineReport> {
    let today = today();
    let day = to_naive(today);
    let mut report = DeadlineReport::default();

    // Two business days never span more than two weeks, whatever the holidays.
    let horizon = day.checked_add_days(Days::new(14)).unwrap_or(day);
    let due = case::Entity::find()
        .filter(case::Column::Substate.is_in(waiting()))
        .filter(case::Column::ReminderSentAt.is_null())
        .filter(case::Column::AnswerDeadline.gte(day))
        .filter(case::Column::AnswerDeadline.lte(horizon))
        .order_by_asc(case::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let ids: Vec<i64> = due.iter().map(|c| c.authorisation_id).collect();
    let calendars = calendars_for(db, &ids).await?;
    for c in due {
        let Some(answer) = c.answer_deadline else {
            continue;
        };
        let cal = calendars
            .get(&c.authorisation_id)
            .cloned()
            .unwrap_or_default();
        if !deadlines::reminder_due(from_naive(answer), today, &cal) {
            continue;
        }
        let sent = in_transaction(db, async |tx| {
            if !claim(tx, &c, case::Column::ReminderSentAt).await? {
                return Ok(false);
            }
            // The Buzón always gets it; the e-mail only with the authorisation's consent.
            crate::notices::record(tx, &c, NoticeKind::AnswerReminder, None).await?;
            crate::live::record(tx, &c, false).await?;
            Ok(true)
        })
        .await?;
        report.reminders += usize::from(sent);
    }

    let expired = case::Entity::find()
        .filter(case::Column::Substate.is_in(waiting()))
        .filter(case::Column::AnswerExpiredAt.is_null())
        .filter(case::Column::AnswerDeadline.lt(day))
        .order_by_asc(case::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    for c in expired {
        let done = in_transaction(db, async |tx| {
            if !claim(tx, &c, case::Column::AnswerExpiredAt).await? {
                return Ok(false);
            }
            write_history(tx, &c, HistoryAction::AnswerExpired, "", None, now()).await?;
            crate::live::record(tx, &c, false).await?;
            Ok(true)
        })
        .await?;
        report.expired += usize::from(done);
    }
    Ok(report)
}

/// Sets `marker` on the case if it is still unset and the case still waits for the same
/// answer; true for the one caller whose UPDATE changed the row.
async fn claim(
    tx: &impl ConnectionTrait,
    c: &case::Model,
    marker: case::Column,
) -> ServiceResult<bool> {
    let result = case::Entity::update_many()
        .col_expr(marker, Expr::value(now()))
        .filter(case::Column::Id.eq(c.id))
        .filter(marker.is_null())
        .filter(case::Column::Substate.eq(c.substate))
        .filter(case::Column::AnswerDeadline.eq(c.answer_deadline))
        .exec(tx)
        .await?;
    Ok(result.rows_affected == 1)
}
