//! The administration's side (README "Processors and supervisors"): queues, the case with
//! internal notes, every lifecycle action, and the supervisor dashboard.

mod bulk;
mod dashboard;
mod queue;

use std::collections::HashMap;

use casia_domain::dto::{MessageKind, NoteView, ProcessorCase, ProcessorInput};
use casia_domain::model::case_number;
use casia_domain::validation::{MESSAGE_MAX, Problems, check_documents};
use casia_domain::{Action, FieldProblem, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::open::{attach_documents, claim_documents};
use super::query::{build_detail, history_rows};
use super::{Change, apply, find_by_number, in_transaction};
use crate::Services;
use crate::accounts::{Caller, authorisation_view};
use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::clock::{display, now};
use crate::db::found;
use crate::entity::{authorisation, case, case_note, user};
use crate::error::{ServiceError, ServiceResult};

pub use bulk::{BulkResults, assignable_staff, bulk_act};
pub use casia_domain::dto::{QUEUE_PAGE, QueueFilter, QueuePage, QueueRow};
pub use casia_domain::model::Queue;
pub use dashboard::dashboard;
pub use queue::queue;
pub(crate) use queue::{queue_rows, queue_select};

pub(crate) fn require_processor(caller: &Caller) -> ServiceResult<()> {
    caller.require_role(&[Role::Tramitador, Role::Supervisor])
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
    let detail = build_detail(db, &c, caller.lang).await?;
    let auth = found::<authorisation::Entity>(db, c.authorisation_id).await?;
    let notes = case_note::Entity::find()
        .filter(case_note::Column::CaseId.eq(c.id))
        .order_by_asc(case_note::Column::At)
        .all(db)
        .await?;
    let staff = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Tramitador, Role::Supervisor]))
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
        allowed: casia_domain::lifecycle::allowed_actions(&super::status_of(&c), &caller.actor()),
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
            super::full_text::refresh(tx, &c).await?;
            crate::live::record(tx, &c, true).await?;
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
                u.active && (u.role == Role::Tramitador || u.role == Role::Supervisor)
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
        Action::Resolve | Action::CloseForWithdrawal => Change {
            observations: text.clone(),
            message: visible(MessageKind::Resolution),
            notice_message: Some(text.clone()),
            resolution: Some(text.clone()),
            ..Change::default()
        },
        Action::GrantMoreTime => Change {
            observations: text.clone(),
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
        let change = Change {
            answer_window: Some(s.config.plazos.answer_business_days),
            ..change
        };
        let (updated, _) = apply(tx, &c, &caller.actor(), action, change).await?;
        if action == Action::Escalate && !text.is_empty() {
            case_note::ActiveModel { case_id: Set(c.id), author_id: Set(caller.user.id), body: Set(text.clone()), at: Set(now()), ..Default::default() }
                .insert(tx)
                .await?;
            super::full_text::refresh(tx, &updated).await?;
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
