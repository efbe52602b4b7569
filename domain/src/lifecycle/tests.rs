use super::*;
use crate::i18n::Msg;
use Action::*;
use Substate::*;

const ME: i64 = 10;
const COLLEAGUE: i64 = 11;

fn status(substate: Substate, assigned_to: Option<i64>, pending: bool, rated: bool) -> CaseStatus {
    CaseStatus {
        substate,
        assigned_to,
        cancellation_pending: pending,
        rated,
        answer_overdue: false,
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
                    let waiting = matches!(
                        s.substate,
                        SolicitadaInformacion | SolicitadaReclasificacion
                    );
                    if waiting && works {
                        out.push(GrantMoreTime);
                        if s.answer_overdue {
                            out.push(CloseForWithdrawal);
                        }
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
                    for overdue in [false, true] {
                        // Impossible combinations are still checked: the rules must not
                        // panic or allow anything odd whatever the database holds.
                        all.push(CaseStatus {
                            answer_overdue: overdue,
                            ..status(*sub, assigned, pending, rated)
                        });
                    }
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
    assert_eq!(checked, 4 * 7 * 3 * 2 * 2 * 2 * 15);
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

#[test]
fn history_actions_are_open_or_an_action() {
    assert_eq!(HistoryAction::from_code("open"), Some(HistoryAction::Open));
    for a in Action::ALL {
        let h = HistoryAction::from(*a);
        assert_eq!(HistoryAction::from_code(h.code()), Some(h));
    }
    assert_eq!("nope".parse::<HistoryAction>().ok(), None);
    assert_eq!(HistoryAction::Open.note(), Some(Msg::NotaAlta));
    assert_eq!(HistoryAction::Act(Escalate).note(), None);
}

#[test]
fn withdrawal_only_once_the_users_deadline_has_passed() {
    let proc = actor(Role::Tramitador);
    let waiting = status(SolicitadaInformacion, Some(ME), false, false);
    assert_eq!(
        decide(&waiting, &proc, CloseForWithdrawal),
        Err(Refusal::AnswerNotOverdue)
    );
    let overdue = CaseStatus {
        answer_overdue: true,
        ..waiting
    };
    let t = decide(&overdue, &proc, CloseForWithdrawal).unwrap();
    assert_eq!(t.to, Resuelto);
    assert_eq!(t.notice, Some(NoticeKind::Resolved));
    let more = decide(&overdue, &proc, GrantMoreTime).unwrap();
    assert_eq!(more.to, SolicitadaInformacion);
    assert!(more.history);
    assert_eq!(
        decide(&overdue, &actor(Role::Autorizado), CloseForWithdrawal),
        Err(Refusal::RoleNotAllowed)
    );
    assert_eq!(
        decide(
            &status(Asignado, Some(ME), false, false),
            &proc,
            GrantMoreTime
        ),
        Err(Refusal::WrongSubstate)
    );
}
