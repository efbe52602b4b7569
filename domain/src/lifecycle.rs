//! The case lifecycle (guide §4.2.1–§4.2.4; README "What it does").
//!
//! [`decide`] is the single authority on what may happen to a case: the browser calls it to
//! show only the buttons that apply, the server calls it again inside the transaction that
//! makes the change. It is pure: the caller passes the case's current status and who acts.

use serde::{Deserialize, Serialize};

use crate::model::{NoticeKind, Role, State, Substate, coded_enum};

/// Everything about a case that the rules look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStatus {
    pub substate: Substate,
    /// The processor working the case (kept while escalated, so it can be handed back).
    pub assigned_to: Option<i64>,
    /// The authorised user asked to cancel and a processor has not decided yet.
    pub cancellation_pending: bool,
    /// The authorised user already rated the case (once per case, guide §4.2.4).
    pub rated: bool,
    /// The user's deadline to answer an information or reclassification request has passed
    /// unanswered (Plazos: the `Plazo de subsanación vencido` queue).
    #[serde(default)]
    pub answer_overdue: bool,
}

impl CaseStatus {
    pub fn new_case() -> Self {
        CaseStatus {
            substate: Substate::Presentado,
            assigned_to: None,
            cancellation_pending: false,
            rated: false,
            answer_overdue: false,
        }
    }

    pub fn state(&self) -> State {
        self.substate.state()
    }
}

/// Who acts. Membership of the case's authorisation is checked before the lifecycle:
/// an authorised user of another authorisation never gets this far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
}

coded_enum!(
    /// Everything anyone can do to an existing case.
    Action {
        // The authorised user (guide §4.2.1–§4.2.4).
        /// `Modificar Información`: add information and/or documents.
        ModifyInformation => "modify_information",
        /// Change Tipo/Materia/Categoría/Subcategoría after a reclassification request.
        Reclassify => "reclassify",
        /// `Solicitar Anulación`.
        RequestCancellation => "request_cancellation",
        /// `Valoración`.
        Rate => "rate",
        // Processors and supervisors.
        /// Assign the case to oneself.
        Take => "take",
        /// Assign the case to another processor (the target is checked by the caller).
        Assign => "assign",
        Escalate => "escalate",
        RequestInformation => "request_information",
        RequestReclassification => "request_reclassification",
        Resolve => "resolve",
        ApproveCancellation => "approve_cancellation",
        RejectCancellation => "reject_cancellation",
        AddInternalNote => "add_internal_note",
        /// Plazos: the user let their deadline pass; the case is closed for withdrawal
        /// (Ley 39/2015, art. 68.1) with a standard, editable resolution text.
        CloseForWithdrawal => "close_withdrawal",
        /// Plazos: give the user a new answer window from today.
        GrantMoreTime => "grant_more_time",
    }
);

impl Action {
    /// Actions of the authorised user; the rest belong to processors.
    pub fn is_user_action(self) -> bool {
        matches!(
            self,
            Action::ModifyInformation
                | Action::Reclassify
                | Action::RequestCancellation
                | Action::Rate
        )
    }

    /// Actions that need a text from the actor (message, resolution or reasons).
    pub fn requires_text(self) -> bool {
        matches!(
            self,
            Action::RequestInformation
                | Action::RequestReclassification
                | Action::Resolve
                | Action::RejectCancellation
                | Action::AddInternalNote
                | Action::CloseForWithdrawal
        )
    }
}

mod history;
pub use history::HistoryAction;

/// What happens to the assignee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssigneeChange {
    Keep,
    /// The actor becomes the assignee.
    Actor,
    /// The processor chosen by the actor becomes the assignee.
    Target,
}

/// What happens to a pending cancellation request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PendingChange {
    Keep,
    Open,
    Clear,
}

/// The effect of an allowed action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: Substate,
    pub to: Substate,
    pub assignee: AssigneeChange,
    pub cancellation: PendingChange,
    /// Whether the case history gets a row. Internal notes and ratings do not: the history
    /// is shown to the authorised user and tracks the case's course.
    pub history: bool,
    /// The notice the authorisation receives, if any.
    pub notice: Option<NoticeKind>,
}

impl Transition {
    fn stay(status: &CaseStatus) -> Self {
        Transition {
            from: status.substate,
            to: status.substate,
            assignee: AssigneeChange::Keep,
            cancellation: PendingChange::Keep,
            history: true,
            notice: None,
        }
    }

    fn to(status: &CaseStatus, to: Substate) -> Self {
        Transition {
            to,
            ..Transition::stay(status)
        }
    }

    pub fn changes_substate(&self) -> bool {
        self.from != self.to
    }
}

/// Why an action is refused. Each has a message for the person (see `i18n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("this role may not do that")]
    RoleNotAllowed,
    #[error("the case is closed")]
    CaseClosed,
    #[error("the case is not closed yet")]
    CaseNotClosed,
    #[error("the case was already rated")]
    AlreadyRated,
    #[error("a cancellation request is already pending")]
    CancellationAlreadyPending,
    #[error("there is no cancellation request to decide")]
    NoCancellationPending,
    #[error("a cancellation request must be decided first")]
    CancellationPendingFirst,
    #[error("not allowed in the case's current substate")]
    WrongSubstate,
    #[error("the case is assigned to another processor")]
    NotYourCase,
    #[error("only a supervisor may do that")]
    SupervisorOnly,
    #[error("the case is already assigned to that person")]
    AlreadyAssigned,
    #[error("the user's deadline to answer has not passed")]
    AnswerNotOverdue,
}

/// Decide whether `actor` may do `action` to a case in `status`, and what it does.
pub fn decide(status: &CaseStatus, actor: &Actor, action: Action) -> Result<Transition, Refusal> {
    if action.is_user_action() {
        if actor.role != Role::Autorizado {
            return Err(Refusal::RoleNotAllowed);
        }
        decide_for_user(status, action)
    } else {
        if !actor.role.is_processor() {
            return Err(Refusal::RoleNotAllowed);
        }
        decide_for_processor(status, actor, action)
    }
}

/// Every action `actor` may take on a case in `status`, in a stable order.
pub fn allowed_actions(status: &CaseStatus, actor: &Actor) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| decide(status, actor, *a).is_ok())
        .collect()
}

fn decide_for_user(status: &CaseStatus, action: Action) -> Result<Transition, Refusal> {
    use Substate::*;
    let open = status.substate.is_open();
    match action {
        // Guide §4.2.1: allowed while the case is open; a requested information, once
        // given, sends the case back to the processor.
        Action::ModifyInformation => {
            if !open {
                return Err(Refusal::CaseClosed);
            }
            Ok(match status.substate {
                SolicitadaInformacion => Transition::to(status, Asignado),
                _ => Transition::stay(status),
            })
        }
        Action::Reclassify => match status.substate {
            SolicitadaReclasificacion => Ok(Transition::to(status, Asignado)),
            _ if !open => Err(Refusal::CaseClosed),
            _ => Err(Refusal::WrongSubstate),
        },
        // Guide §4.2.2: refused when closed; automatic while nobody has looked at it;
        // otherwise a request for a processor to decide.
        Action::RequestCancellation => {
            if !open {
                return Err(Refusal::CaseClosed);
            }
            if status.cancellation_pending {
                return Err(Refusal::CancellationAlreadyPending);
            }
            Ok(match status.substate {
                Presentado => Transition {
                    notice: Some(NoticeKind::CancelledAutomatically),
                    ..Transition::to(status, Anulado)
                },
                _ => Transition {
                    cancellation: PendingChange::Open,
                    ..Transition::stay(status)
                },
            })
        }
        // Guide §4.2.4: once, and only when closed.
        Action::Rate => {
            if open {
                return Err(Refusal::CaseNotClosed);
            }
            if status.rated {
                return Err(Refusal::AlreadyRated);
            }
            Ok(Transition {
                history: false,
                ..Transition::stay(status)
            })
        }
        _ => Err(Refusal::RoleNotAllowed),
    }
}

fn decide_for_processor(
    status: &CaseStatus,
    actor: &Actor,
    action: Action,
) -> Result<Transition, Refusal> {
    use Substate::*;
    let supervisor = actor.role == Role::Supervisor;
    let holder = status.assigned_to == Some(actor.user_id);
    let open = status.substate.is_open();

    // Notes are internal and never change the case.
    if action == Action::AddInternalNote {
        return Ok(Transition {
            history: false,
            ..Transition::stay(status)
        });
    }
    if !open {
        return Err(Refusal::CaseClosed);
    }

    // May this actor work the case as it stands? Unassigned cases are anyone's to take;
    // escalated cases belong to the supervisors; the rest to their assignee.
    let may_work = || -> Result<(), Refusal> {
        match status.substate {
            Escalado if !supervisor => Err(Refusal::SupervisorOnly),
            _ if supervisor || holder => Ok(()),
            _ => Err(Refusal::NotYourCase),
        }
    };

    match action {
        Action::ApproveCancellation | Action::RejectCancellation => {
            if !status.cancellation_pending {
                return Err(Refusal::NoCancellationPending);
            }
            may_work()?;
            Ok(if action == Action::ApproveCancellation {
                Transition {
                    cancellation: PendingChange::Clear,
                    notice: Some(NoticeKind::CancellationApproved),
                    ..Transition::to(status, Anulado)
                }
            } else {
                // Guide §4.2.2: a rejected request means the case goes on being processed.
                Transition {
                    cancellation: PendingChange::Clear,
                    notice: Some(NoticeKind::CancellationRejected),
                    ..Transition::to(status, Asignado)
                }
            })
        }
        Action::Take => match status.substate {
            Presentado => Ok(Transition {
                assignee: AssigneeChange::Actor,
                ..Transition::to(status, Asignado)
            }),
            Escalado if supervisor => Ok(Transition {
                assignee: AssigneeChange::Actor,
                ..Transition::to(status, Asignado)
            }),
            Escalado => Err(Refusal::SupervisorOnly),
            _ if holder => Err(Refusal::AlreadyAssigned),
            // Taking a case from a colleague is a reassignment: supervisors only.
            _ if supervisor => Ok(Transition {
                assignee: AssigneeChange::Actor,
                ..Transition::stay(status)
            }),
            _ => Err(Refusal::SupervisorOnly),
        },
        Action::Assign => match status.substate {
            Presentado => Ok(Transition {
                assignee: AssigneeChange::Target,
                ..Transition::to(status, Asignado)
            }),
            // Handing an escalated case back to a processor.
            Escalado if supervisor => Ok(Transition {
                assignee: AssigneeChange::Target,
                ..Transition::to(status, Asignado)
            }),
            Escalado => Err(Refusal::SupervisorOnly),
            // Reassignment keeps the substate; a processor may hand over their own case.
            _ if supervisor || holder => Ok(Transition {
                assignee: AssigneeChange::Target,
                ..Transition::stay(status)
            }),
            _ => Err(Refusal::SupervisorOnly),
        },
        _ if status.cancellation_pending => Err(Refusal::CancellationPendingFirst),
        Action::Escalate => match status.substate {
            Asignado => {
                may_work()?;
                Ok(Transition::to(status, Escalado))
            }
            _ => Err(Refusal::WrongSubstate),
        },
        Action::RequestInformation | Action::RequestReclassification => match status.substate {
            Asignado | Escalado => {
                may_work()?;
                Ok(if action == Action::RequestInformation {
                    Transition {
                        notice: Some(NoticeKind::InformationRequested),
                        ..Transition::to(status, SolicitadaInformacion)
                    }
                } else {
                    Transition {
                        notice: Some(NoticeKind::ReclassificationRequested),
                        ..Transition::to(status, SolicitadaReclasificacion)
                    }
                })
            }
            _ => Err(Refusal::WrongSubstate),
        },
        Action::GrantMoreTime | Action::CloseForWithdrawal => match status.substate {
            SolicitadaInformacion | SolicitadaReclasificacion => {
                may_work()?;
                if action == Action::GrantMoreTime {
                    Ok(Transition::stay(status))
                } else if status.answer_overdue {
                    Ok(Transition {
                        notice: Some(NoticeKind::Resolved),
                        ..Transition::to(status, Resuelto)
                    })
                } else {
                    Err(Refusal::AnswerNotOverdue)
                }
            }
            _ => Err(Refusal::WrongSubstate),
        },
        Action::Resolve => match status.substate {
            Presentado => Err(Refusal::WrongSubstate),
            _ => {
                may_work()?;
                Ok(Transition {
                    notice: Some(NoticeKind::Resolved),
                    ..Transition::to(status, Resuelto)
                })
            }
        },
        // User actions were routed away above; notes returned early.
        _ => Err(Refusal::RoleNotAllowed),
    }
}

#[cfg(test)]
mod tests;
