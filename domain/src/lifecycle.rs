//! The case lifecycle (guide §4.2.1–§4.2.4; README "What it does").
//!
//! [`decide`] is the single authority on what may happen to a case: the browser calls it to
//! show only the buttons that apply, the server calls it again inside the transaction that
//! makes the change. It is pure: the caller passes the case's current status and who acts.

use serde::{Deserialize, Serialize};

use crate::model::{NoticeKind, Role, State, Substate};

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
}

impl CaseStatus {
    pub fn new_case() -> Self {
        CaseStatus {
            substate: Substate::Presentado,
            assigned_to: None,
            cancellation_pending: false,
            rated: false,
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

/// Everything anyone can do to an existing case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // The authorised user (guide §4.2.1–§4.2.4).
    /// `Modificar Información`: add information and/or documents.
    ModifyInformation,
    /// Change Tipo/Materia/Categoría/Subcategoría after a reclassification request.
    Reclassify,
    /// `Solicitar Anulación`.
    RequestCancellation,
    /// `Valoración`.
    Rate,
    // Processors and supervisors.
    /// Assign the case to oneself.
    Take,
    /// Assign the case to another processor (the target is checked by the caller).
    Assign,
    Escalate,
    RequestInformation,
    RequestReclassification,
    Resolve,
    ApproveCancellation,
    RejectCancellation,
    AddInternalNote,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::ModifyInformation,
        Action::Reclassify,
        Action::RequestCancellation,
        Action::Rate,
        Action::Take,
        Action::Assign,
        Action::Escalate,
        Action::RequestInformation,
        Action::RequestReclassification,
        Action::Resolve,
        Action::ApproveCancellation,
        Action::RejectCancellation,
        Action::AddInternalNote,
    ];

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

    pub fn code(self) -> &'static str {
        match self {
            Action::ModifyInformation => "modify_information",
            Action::Reclassify => "reclassify",
            Action::RequestCancellation => "request_cancellation",
            Action::Rate => "rate",
            Action::Take => "take",
            Action::Assign => "assign",
            Action::Escalate => "escalate",
            Action::RequestInformation => "request_information",
            Action::RequestReclassification => "request_reclassification",
            Action::Resolve => "resolve",
            Action::ApproveCancellation => "approve_cancellation",
            Action::RejectCancellation => "reject_cancellation",
            Action::AddInternalNote => "add_internal_note",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.code() == code)
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
        )
    }
}

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
mod tests {
    use super::*;
    use Action::*;
    use Substate::*;

    const ME: i64 = 10;
    const COLLEAGUE: i64 = 11;

    fn status(
        substate: Substate,
        assigned_to: Option<i64>,
        pending: bool,
        rated: bool,
    ) -> CaseStatus {
        CaseStatus {
            substate,
            assigned_to,
            cancellation_pending: pending,
            rated,
        }
    }

    fn actor(role: Role) -> Actor {
        Actor { user_id: ME, role }
    }

    /// The full expected table: for every role, substate, assignee, pending flag and rating,
    /// the exact set of allowed actions. Written out independently of `decide`'s structure.
    fn expected(role: Role, s: &CaseStatus) -> Vec<Action> {
        let open = s.substate.is_open();
        let mut out = Vec::new();
        match role {
            Role::Administrador => {}
            Role::Autorizado => {
                if open {
                    out.push(ModifyInformation);
                }
                if s.substate == SolicitadaReclasificacion {
                    out.push(Reclassify);
                }
                if open && !s.cancellation_pending {
                    out.push(RequestCancellation);
                }
                if !open && !s.rated {
                    out.push(Rate);
                }
            }
            Role::Tramitador | Role::Supervisor => {
                let sup = role == Role::Supervisor;
                let holder = s.assigned_to == Some(ME);
                let works = match s.substate {
                    Escalado => sup,
                    _ => sup || holder,
                };
                if open {
                    let take = match s.substate {
                        Presentado => true,
                        Escalado => sup,
                        _ => sup && !holder,
                    };
                    if take {
                        out.push(Take);
                    }
                    let assign = match s.substate {
                        Presentado => true,
                        Escalado => sup,
                        _ => sup || holder,
                    };
                    if assign {
                        out.push(Assign);
                    }
                    if !s.cancellation_pending {
                        if s.substate == Asignado && works {
                            out.push(Escalate);
                        }
                        if matches!(s.substate, Asignado | Escalado) && works {
                            out.push(RequestInformation);
                            out.push(RequestReclassification);
                        }
                        if s.substate != Presentado && works {
                            out.push(Resolve);
                        }
                    } else if works {
                        out.push(ApproveCancellation);
                        out.push(RejectCancellation);
                    }
                }
                out.push(AddInternalNote);
            }
        }
        out
    }

    fn every_status() -> Vec<CaseStatus> {
        let mut all = Vec::new();
        for sub in Substate::ALL {
            for assigned in [None, Some(ME), Some(COLLEAGUE)] {
                for pending in [false, true] {
                    for rated in [false, true] {
                        // Impossible combinations are still checked: the rules must not
                        // panic or allow anything odd whatever the database holds.
                        all.push(status(*sub, assigned, pending, rated));
                    }
                }
            }
        }
        all
    }

    #[test]
    fn every_role_state_and_action_matches_the_table() {
        let mut checked = 0;
        for role in Role::ALL {
            for s in every_status() {
                let mut want = expected(*role, &s);
                want.sort_by_key(|a| a.code());
                let mut got = allowed_actions(&s, &actor(*role));
                got.sort_by_key(|a| a.code());
                assert_eq!(got, want, "role {role:?}, status {s:?}");
                checked += Action::ALL.len();
            }
        }
        assert_eq!(checked, 4 * 7 * 3 * 2 * 2 * 13);
    }

    #[test]
    fn cancellation_on_presentado_is_automatic() {
        let t = decide(
            &CaseStatus::new_case(),
            &actor(Role::Autorizado),
            RequestCancellation,
        )
        .unwrap();
        assert_eq!(t.to, Anulado);
        assert_eq!(t.to.state(), State::Cerrado);
        assert_eq!(t.notice, Some(NoticeKind::CancelledAutomatically));
        assert_eq!(t.cancellation, PendingChange::Keep);
    }

    #[test]
    fn cancellation_on_assigned_case_becomes_a_pending_request() {
        for sub in [
            Asignado,
            Escalado,
            SolicitadaInformacion,
            SolicitadaReclasificacion,
        ] {
            let s = status(sub, Some(COLLEAGUE), false, false);
            let t = decide(&s, &actor(Role::Autorizado), RequestCancellation).unwrap();
            assert_eq!(t.to, sub);
            assert_eq!(t.cancellation, PendingChange::Open);
            assert_eq!(t.notice, None);
        }
    }

    #[test]
    fn closed_cases_refuse_modification_and_cancellation() {
        for sub in [Resuelto, Anulado] {
            let s = status(sub, Some(ME), false, false);
            let user = actor(Role::Autorizado);
            assert_eq!(
                decide(&s, &user, ModifyInformation),
                Err(Refusal::CaseClosed)
            );
            assert_eq!(
                decide(&s, &user, RequestCancellation),
                Err(Refusal::CaseClosed)
            );
            assert_eq!(decide(&s, &user, Reclassify), Err(Refusal::CaseClosed));
            let proc = actor(Role::Supervisor);
            for a in [
                Take,
                Assign,
                Escalate,
                RequestInformation,
                RequestReclassification,
                Resolve,
            ] {
                assert_eq!(decide(&s, &proc, a), Err(Refusal::CaseClosed), "{a:?}");
            }
        }
    }

    #[test]
    fn rating_once_and_only_when_closed() {
        let user = actor(Role::Autorizado);
        assert_eq!(
            decide(&status(Asignado, None, false, false), &user, Rate),
            Err(Refusal::CaseNotClosed)
        );
        let t = decide(&status(Resuelto, None, false, false), &user, Rate).unwrap();
        assert!(!t.history);
        assert_eq!(
            decide(&status(Resuelto, None, false, true), &user, Rate),
            Err(Refusal::AlreadyRated)
        );
        assert!(decide(&status(Anulado, None, false, false), &user, Rate).is_ok());
    }

    #[test]
    fn information_given_returns_the_case_to_the_processor() {
        let user = actor(Role::Autorizado);
        let t = decide(
            &status(SolicitadaInformacion, Some(COLLEAGUE), false, false),
            &user,
            ModifyInformation,
        )
        .unwrap();
        assert_eq!(t.to, Asignado);
        let t = decide(
            &status(Escalado, Some(COLLEAGUE), false, false),
            &user,
            ModifyInformation,
        )
        .unwrap();
        assert_eq!(t.to, Escalado);
        let t = decide(
            &status(SolicitadaReclasificacion, Some(COLLEAGUE), false, false),
            &user,
            Reclassify,
        )
        .unwrap();
        assert_eq!(t.to, Asignado);
        assert_eq!(
            decide(
                &status(Asignado, Some(COLLEAGUE), false, false),
                &user,
                Reclassify
            ),
            Err(Refusal::WrongSubstate)
        );
    }

    #[test]
    fn processor_transitions_and_their_notices() {
        let p = actor(Role::Tramitador);
        let t = decide(&CaseStatus::new_case(), &p, Take).unwrap();
        assert_eq!((t.to, t.assignee), (Asignado, AssigneeChange::Actor));
        let mine = status(Asignado, Some(ME), false, false);
        assert_eq!(decide(&mine, &p, Escalate).unwrap().to, Escalado);
        let t = decide(&mine, &p, RequestInformation).unwrap();
        assert_eq!(
            (t.to, t.notice),
            (
                SolicitadaInformacion,
                Some(NoticeKind::InformationRequested)
            )
        );
        let t = decide(&mine, &p, RequestReclassification).unwrap();
        assert_eq!(
            (t.to, t.notice),
            (
                SolicitadaReclasificacion,
                Some(NoticeKind::ReclassificationRequested)
            )
        );
        let t = decide(&mine, &p, Resolve).unwrap();
        assert_eq!((t.to, t.notice), (Resuelto, Some(NoticeKind::Resolved)));
        assert_eq!(
            decide(&CaseStatus::new_case(), &p, Resolve),
            Err(Refusal::WrongSubstate)
        );
    }

    #[test]
    fn processors_cannot_work_a_colleagues_case_but_supervisors_can() {
        let theirs = status(Asignado, Some(COLLEAGUE), false, false);
        let p = actor(Role::Tramitador);
        assert_eq!(decide(&theirs, &p, Resolve), Err(Refusal::NotYourCase));
        assert_eq!(decide(&theirs, &p, Take), Err(Refusal::SupervisorOnly));
        assert_eq!(decide(&theirs, &p, Assign), Err(Refusal::SupervisorOnly));
        let s = actor(Role::Supervisor);
        assert!(decide(&theirs, &s, Resolve).is_ok());
        assert_eq!(
            decide(&theirs, &s, Take).unwrap().assignee,
            AssigneeChange::Actor
        );
        assert_eq!(decide(&theirs, &s, Take).unwrap().to, Asignado);
    }

    #[test]
    fn escalated_cases_belong_to_supervisors() {
        let esc = status(Escalado, Some(ME), false, false);
        let p = actor(Role::Tramitador);
        assert_eq!(decide(&esc, &p, Resolve), Err(Refusal::SupervisorOnly));
        assert_eq!(decide(&esc, &p, Take), Err(Refusal::SupervisorOnly));
        let s = actor(Role::Supervisor);
        let t = decide(&esc, &s, Take).unwrap();
        assert_eq!((t.to, t.assignee), (Asignado, AssigneeChange::Actor));
        let t = decide(&esc, &s, Assign).unwrap();
        assert_eq!((t.to, t.assignee), (Asignado, AssigneeChange::Target));
        assert_eq!(decide(&esc, &s, Escalate), Err(Refusal::WrongSubstate));
    }

    #[test]
    fn pending_cancellation_is_decided_before_anything_else() {
        let pending = status(SolicitadaInformacion, Some(ME), true, false);
        let p = actor(Role::Tramitador);
        assert_eq!(
            decide(&pending, &p, Resolve),
            Err(Refusal::CancellationPendingFirst)
        );
        assert_eq!(
            decide(&pending, &p, RequestInformation),
            Err(Refusal::CancellationPendingFirst)
        );
        let t = decide(&pending, &p, ApproveCancellation).unwrap();
        assert_eq!(
            (t.to, t.cancellation, t.notice),
            (
                Anulado,
                PendingChange::Clear,
                Some(NoticeKind::CancellationApproved)
            )
        );
        let t = decide(&pending, &p, RejectCancellation).unwrap();
        assert_eq!(
            (t.to, t.cancellation, t.notice),
            (
                Asignado,
                PendingChange::Clear,
                Some(NoticeKind::CancellationRejected)
            )
        );
        let not_pending = status(Asignado, Some(ME), false, false);
        assert_eq!(
            decide(&not_pending, &p, ApproveCancellation),
            Err(Refusal::NoCancellationPending)
        );
        assert_eq!(
            decide(&pending, &actor(Role::Autorizado), RequestCancellation),
            Err(Refusal::CancellationAlreadyPending)
        );
    }

    #[test]
    fn roles_cannot_borrow_each_others_actions() {
        let s = status(Asignado, Some(ME), false, false);
        for a in Action::ALL {
            let by_admin = decide(&s, &actor(Role::Administrador), *a);
            assert_eq!(by_admin, Err(Refusal::RoleNotAllowed), "{a:?}");
            if a.is_user_action() {
                assert_eq!(
                    decide(&s, &actor(Role::Tramitador), *a),
                    Err(Refusal::RoleNotAllowed)
                );
            } else {
                assert_eq!(
                    decide(&s, &actor(Role::Autorizado), *a),
                    Err(Refusal::RoleNotAllowed)
                );
            }
        }
    }

    #[test]
    fn notes_and_ratings_stay_out_of_the_history() {
        let s = status(Asignado, Some(ME), false, false);
        assert!(
            !decide(&s, &actor(Role::Tramitador), AddInternalNote)
                .unwrap()
                .history
        );
        assert!(
            decide(&s, &actor(Role::Tramitador), Escalate)
                .unwrap()
                .history
        );
    }

    #[test]
    fn action_codes_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(*a));
        }
        assert_eq!(Action::from_code("nope"), None);
    }
}
