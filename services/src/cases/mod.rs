//! Cases: opening, searching, the authorised user's actions and the processors' actions.
//!
//! Every change to an existing case goes through [`apply`]: the lifecycle decides, then one
//! transaction updates the case (guarded by its version, so of two concurrent actions exactly
//! one wins), writes the history row, the visible message and the notice.

pub mod full_text;
mod idempotency;
pub mod open;
pub mod processor;
pub mod query;
pub mod receipts;
pub mod user_actions;

use casia_domain::dto::MessageKind;
use casia_domain::lifecycle::{AssigneeChange, HistoryAction, PendingChange, Transition, decide};
use casia_domain::{Action, Actor, CaseStatus, State};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};

use crate::accounts::{Caller, UserScope};
use crate::clock::now;
use crate::entity::{case, case_history, case_message};
use crate::error::{ServiceError, ServiceResult};

pub fn status_of(c: &case::Model) -> CaseStatus {
    CaseStatus {
        substate: c.substate,
        assigned_to: c.assigned_to,
        cancellation_pending: c.cancellation_pending,
        rated: c.rating.is_some(),
        answer_overdue: crate::plazos::answer_overdue(c, crate::plazos::today()),
    }
}

/// A case of the caller's authorisation, by number. Another authorisation's case is
/// "not found", exactly like a number that does not exist (the audit trail tells them apart).
/// Call it outside a transaction: the refusal is written on its own.
pub async fn find_for_user(
    db: &impl ConnectionTrait,
    caller: &Caller,
    scope: UserScope,
    number: i64,
) -> ServiceResult<case::Model> {
    if let Some(c) = case::Entity::find()
        .filter(case::Column::Number.eq(number))
        .filter(case::Column::AuthorisationId.eq(scope.authorisation_id))
        .one(db)
        .await?
    {
        return Ok(c);
    }
    let reason = if find_by_number(db, number).await.is_ok() {
        "other_authorisation"
    } else {
        "missing"
    };
    Err(crate::audit::not_found(
        db,
        caller,
        "case",
        casia_domain::model::case_number::format(number),
        reason,
    )
    .await)
}

pub async fn find_by_number(db: &impl ConnectionTrait, number: i64) -> ServiceResult<case::Model> {
    case::Entity::find()
        .filter(case::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// What an action writes besides the state change.
#[derive(Default)]
pub struct Change {
    /// The history row's `Observaciones`.
    pub observations: String,
    /// For `Assign`: the processor who gets the case.
    pub target_assignee: Option<i64>,
    /// An entry of the visible conversation.
    pub message: Option<(MessageKind, String)>,
    /// The text carried by the notice (message, reasons, resolution).
    pub notice_message: Option<String>,
    /// For `Resolve` (and `CloseForWithdrawal`).
    pub resolution: Option<String>,
    /// Business days the user gets to answer a request (`[plazos]`; default 10).
    pub answer_window: Option<u32>,
}

/// Decides and applies `action` inside `tx`. `case` is the row as read before the
/// transaction; if it changed since (its version moved), nothing is written and the caller
/// gets `Conflict`. The UPDATE is the transaction's first statement, so SQLite takes its write
/// lock at once instead of failing to upgrade a read.
pub async fn apply(
    tx: &DatabaseTransaction,
    case: &case::Model,
    actor: &Actor,
    action: Action,
    change: Change,
) -> ServiceResult<(case::Model, Transition)> {
    let transition = decide(&status_of(case), actor, action)?;
    let at = now();
    let mut update = case::Entity::update_many()
        .col_expr(
            case::Column::Version,
            Expr::col(case::Column::Version).add(1),
        )
        .filter(case::Column::Id.eq(case.id))
        .filter(case::Column::Version.eq(case.version));
    let mut updated = case.clone();
    updated.version += 1;

    if transition.changes_substate() {
        let state = transition.to.state();
        update = update
            .col_expr(case::Column::Substate, Expr::value(transition.to))
            .col_expr(case::Column::State, Expr::value(state))
            .col_expr(case::Column::SubstateAt, Expr::value(at));
        updated.substate = transition.to;
        updated.state = state;
        updated.substate_at = at;
        if state == State::Cerrado {
            update = update.col_expr(case::Column::ClosedAt, Expr::value(at));
            updated.closed_at = Some(at);
        }
    }
    let assignee = match transition.assignee {
        AssigneeChange::Keep => None,
        AssigneeChange::Actor => Some(actor.user_id),
        AssigneeChange::Target => Some(
            change
                .target_assignee
                .ok_or_else(|| ServiceError::Internal("assign without target".into()))?,
        ),
    };
    if let Some(assignee) = assignee {
        if transition.assignee == AssigneeChange::Target && case.assigned_to == Some(assignee) {
            return Err(ServiceError::Refused(
                casia_domain::Refusal::AlreadyAssigned,
            ));
        }
        update = update.col_expr(case::Column::AssignedTo, Expr::value(assignee));
        updated.assigned_to = Some(assignee);
    }
    match transition.cancellation {
        PendingChange::Keep => {}
        PendingChange::Open => {
            update = update
                .col_expr(case::Column::CancellationPending, Expr::value(true))
                .col_expr(case::Column::CancellationRequestedAt, Expr::value(at));
            updated.cancellation_pending = true;
            updated.cancellation_requested_at = Some(at);
        }
        PendingChange::Clear => {
            update = update.col_expr(case::Column::CancellationPending, Expr::value(false));
            updated.cancellation_pending = false;
        }
    }
    if let Some(resolution) = &change.resolution {
        update = update
            .col_expr(case::Column::Resolution, Expr::value(resolution.clone()))
            .col_expr(case::Column::ResolvedAt, Expr::value(at));
        updated.resolution = Some(resolution.clone());
        updated.resolved_at = Some(at);
    }

    let result = update.exec(tx).await?;
    if result.rows_affected != 1 {
        return Err(ServiceError::Conflict);
    }
    // Plazos: the clock, once the guarded UPDATE holds the row (and SQLite's write lock).
    let window = change
        .answer_window
        .unwrap_or(casia_domain::deadlines::ANSWER_WINDOW_DAYS);
    let clock =
        crate::plazos::apply_clock(tx, case, &mut updated, action, &transition, window).await?;

    if transition.history {
        write_history(
            tx,
            &updated,
            action.into(),
            &change.observations,
            Some(actor.user_id),
            at,
        )
        .await?;
    }
    for row in clock.history(updated.substate) {
        write_history(tx, &updated, row, "", Some(actor.user_id), at).await?;
    }
    let written_text = change.message.is_some() || change.resolution.is_some();
    if let Some((kind, body)) = change.message {
        write_message(tx, updated.id, kind, actor.user_id, &body).await?;
    }
    if let Some(kind) = transition.notice {
        crate::notices::record(tx, &updated, kind, change.notice_message).await?;
    }
    // Messages and resolutions are searchable: the index moves with them.
    if written_text {
        full_text::refresh(tx, &updated).await?;
    }
    crate::live::record(tx, &updated, false).await?;
    Ok((updated, transition))
}

pub(crate) async fn write_history(
    db: &impl ConnectionTrait,
    case: &case::Model,
    action: HistoryAction,
    observations: &str,
    actor: Option<i64>,
    at: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<()> {
    case_history::ActiveModel {
        case_id: Set(case.id),
        state: Set(case.state),
        substate: Set(case.substate),
        at: Set(at),
        observations: Set(observations.trim().to_owned()),
        action: Set(action),
        actor_id: Set(actor),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub(crate) async fn write_message(
    db: &impl ConnectionTrait,
    case_id: i64,
    kind: MessageKind,
    author: i64,
    body: &str,
) -> ServiceResult<()> {
    case_message::ActiveModel {
        case_id: Set(case_id),
        kind: Set(kind),
        author_id: Set(author),
        body: Set(body.trim().to_owned()),
        at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Runs `work` in a transaction, committing on success. (A function rather than sea-orm's
/// closure API so that the work can borrow freely.)
pub(crate) async fn in_transaction<T>(
    db: &sea_orm::DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> ServiceResult<T>,
) -> ServiceResult<T> {
    use sea_orm::TransactionTrait;
    crate::db::settle(db.begin().await?, work).await
}
