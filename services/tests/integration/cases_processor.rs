//! The processor side: roles, queues, concurrency, notes, cancellation decisions, dashboard.

use casia_domain::dto::ProcessorInput;
use casia_domain::{CaseType, Refusal, Role, Substate};
use casia_services::Services;
use casia_services::accounts::Caller;
use casia_services::cases::processor::{
    Queue, QueueFilter, act, case_for_processor, dashboard, queue,
};
use casia_services::cases::{query, user_actions};
use casia_services::error::ServiceError;

use crate::fixtures::{self, try_act};
use casia_services::db_test;

async fn substate(s: &Services, number: i64) -> Substate {
    casia_services::cases::find_by_number(&s.db, number)
        .await
        .unwrap()
        .substate
}

/// Ana's case of `case_type` (her authorisation's notices to `contact`, if any) and the
/// staff who handle it: two processors and a supervisor.
async fn team(
    s: &Services,
    contact: Option<&str>,
    case_type: CaseType,
) -> (Caller, [Caller; 3], i64) {
    let auth = fixtures::authorisation(s, "1000001", contact, contact.is_some()).await;
    let ana = fixtures::member(s, "ana", &auth, true).await;
    let staff = [
        fixtures::staff(s, "t1", Role::Tramitador).await,
        fixtures::staff(s, "t2", Role::Tramitador).await,
        fixtures::staff(s, "sup", Role::Supervisor).await,
    ];
    let n = fixtures::open(s, &ana, case_type).await;
    (ana, staff, n)
}

db_test!(authorised_users_cannot_call_processor_functions, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let admin = fixtures::staff(&s, "admin", Role::Administrador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    for who in [&ana, &admin] {
        assert!(matches!(
            try_act(&s, who, n, "take", "").await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            queue(&s.db, who, Queue::Unassigned, &QueueFilter::default(), None).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            case_for_processor(&s.db, who, n).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            dashboard(&s.db, who).await,
            Err(ServiceError::Forbidden)
        ));
    }
    // A processor cannot use the user's functions either.
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    assert!(matches!(
        user_actions::request_cancellation(&s, &tram, n, "", 0).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(
        matches!(dashboard(&s.db, &tram).await, Err(ServiceError::Forbidden)),
        "the dashboard is for supervisors"
    );
    assert_eq!(substate(&s, n).await, Substate::Presentado);
});

db_test!(the_whole_course_of_a_case_with_the_right_refusals, |s| {
    let (_, [t1, t2, sup], n) = team(&s, Some("avisos@x.es"), CaseType::Incidencia).await;

    // Each step, and what follows: the case's new substate, a refusal, or a missing text.
    enum Then {
        Now(Substate),
        Refused(Refusal),
        Invalid,
    }
    use Then::{Invalid, Now, Refused};
    #[rustfmt::skip]
    let steps = [
        (&t1, "resolve", "x", Refused(Refusal::WrongSubstate)),
        (&t1, "take", "", Now(Substate::Asignado)),
        (&t2, "resolve", "x", Refused(Refusal::NotYourCase)),
        (&t2, "take", "", Refused(Refusal::SupervisorOnly)),
        // Texts are required where the user must be told something.
        (&t1, "request_information", " ", Invalid),
        (&t1, "escalate", "Necesita criterio del segundo nivel", Now(Substate::Escalado)),
        (&t1, "resolve", "x", Refused(Refusal::SupervisorOnly)),
        (&sup, "take", "", Now(Substate::Asignado)),
        (&sup, "request_reclassification", "Reclasifique como Trámite", Now(Substate::SolicitadaReclasificacion)),
        (&sup, "resolve", "Resuelto de oficio.", Now(Substate::Resuelto)),
        (&sup, "take", "", Refused(Refusal::CaseClosed)),
    ];
    for (who, action, text, then) in steps {
        let done = try_act(&s, who, n, action, text).await;
        match then {
            Now(substate_after) => {
                done.unwrap_or_else(|e| panic!("{action}: {e:?}"));
                assert_eq!(substate(&s, n).await, substate_after, "after {action}");
            }
            Refused(refusal) => assert!(
                matches!(&done, Err(ServiceError::Refused(r)) if *r == refusal),
                "{action}: {done:?}"
            ),
            Invalid => assert!(
                matches!(done, Err(ServiceError::Invalid(_))),
                "{action}: {done:?}"
            ),
        }
    }
    // Supervisors reassign: each step wrote history with who did it (and the request
    // reclassification its `Plazo suspendido` row).
    let pc = case_for_processor(&s.db, &sup, n).await.unwrap();
    assert_eq!(pc.history.rows.len(), 7);
    assert!(pc.history.rows[1..].iter().all(|r| r.actor.is_some()));
    assert_eq!(
        fixtures::notice_kinds(&s).await,
        ["case_opened", "reclassification_requested", "resolved"]
    );
});

db_test!(assignment_and_reassignment_rules, |s| {
    let (ana, [t1, t2, sup], n) = team(&s, None, CaseType::Consulta).await;
    let assign = |who: Caller, target: i64| {
        let s = s.clone();
        async move {
            let version = fixtures::version_of(&s, n).await;
            act(
                &s,
                &who,
                n,
                ProcessorInput {
                    action: "assign".into(),
                    version,
                    target_user_id: Some(target),
                    ..ProcessorInput::default()
                },
            )
            .await
        }
    };
    // Anyone may dispatch an unassigned case.
    assign(t1.clone(), t2.user.id).await.unwrap();
    assert_eq!(
        casia_services::cases::find_by_number(&s.db, n)
            .await
            .unwrap()
            .assigned_to,
        Some(t2.user.id)
    );
    // t1 cannot reassign t2's case; t2 can hand it over; the supervisor can move it.
    assert_eq!(
        fixtures::refusal(assign(t1.clone(), t1.user.id).await),
        Some(Refusal::SupervisorOnly)
    );
    assign(t2.clone(), t1.user.id).await.unwrap();
    assign(sup.clone(), t2.user.id).await.unwrap();
    assert_eq!(
        fixtures::refusal(assign(sup.clone(), t2.user.id).await),
        Some(Refusal::AlreadyAssigned)
    );
    // Only staff can be assigned.
    assert!(matches!(
        assign(sup.clone(), ana.user.id).await,
        Err(ServiceError::Invalid(_))
    ));
    assert_eq!(substate(&s, n).await, Substate::Asignado);
});

db_test!(
    fifty_concurrent_conflicting_actions_have_exactly_one_winner,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let mut processors = Vec::new();
        for i in 0..5 {
            processors.push(fixtures::staff(&s, &format!("t{i}"), Role::Tramitador).await);
        }
        for round in 0..2 {
            let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
            let version = fixtures::version_of(&s, n).await;
            let mut tasks = Vec::new();
            for i in 0..50 {
                let (s, who) = (s.clone(), processors[i % processors.len()].clone());
                tasks.push(tokio::spawn(async move {
                    act(
                        &s,
                        &who,
                        n,
                        ProcessorInput {
                            action: "take".into(),
                            version,
                            ..ProcessorInput::default()
                        },
                    )
                    .await
                }));
            }
            let mut wins = 0;
            for t in tasks {
                match t.await.unwrap() {
                    Ok(()) => wins += 1,
                    Err(ServiceError::Conflict) => {}
                    Err(other) => panic!("round {round}: unexpected {other:?}"),
                }
            }
            assert_eq!(wins, 1, "round {round}");
            let pc = case_for_processor(&s.db, &processors[0], n).await.unwrap();
            assert_eq!(
                pc.history.rows.len(),
                2,
                "one opening row and one assignment, no duplicates"
            );
            assert_eq!(fixtures::version_of(&s, n).await, version + 1);
        }
    }
);

db_test!(internal_notes_never_reach_the_user, |s| {
    let auth = fixtures::authorisation(&s, "1000001", Some("a@b.es"), true).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    fixtures::acts(
        &s,
        &t1,
        n,
        &[
            ("take", ""),
            ("add_internal_note", "SECRETO: revisar con inspección"),
            ("escalate", "SECRETO2: posible fraude"),
        ],
    )
    .await;
    let pc = case_for_processor(&s.db, &t1, n).await.unwrap();
    assert_eq!(pc.notes.len(), 2);
    let detail =
        serde_json::to_string(&query::detail_for_user(&s.db, &ana, n).await.unwrap()).unwrap();
    let history =
        serde_json::to_string(&query::history_for_user(&s.db, &ana, n).await.unwrap()).unwrap();
    use sea_orm::EntityTrait;
    let notices = serde_json::to_string(
        &casia_services::entity::notice::Entity::find()
            .all(&s.db)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.payload)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for text in [detail, history, notices] {
        assert!(!text.contains("SECRETO"), "{text}");
    }
});

db_test!(
    cancellation_requests_are_approved_or_rejected_with_reasons,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", Some("a@b.es"), true).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
        let approve = fixtures::open(&s, &ana, CaseType::Consulta).await;
        let reject = fixtures::open(&s, &ana, CaseType::Consulta).await;
        for n in [approve, reject] {
            fixtures::acts(
                &s,
                &t1,
                n,
                &[("take", ""), ("request_information", "Falta el NAF")],
            )
            .await;
            let v = fixtures::version_of(&s, n).await;
            assert_eq!(
                user_actions::request_cancellation(&s, &ana, n, "Ya no es necesario", v)
                    .await
                    .unwrap(),
                Substate::SolicitadaInformacion
            );
            let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
            assert!(d.status.cancellation_pending);
            assert!(!d.user_may(casia_domain::Action::RequestCancellation));
        }
        let pending = queue(
            &s.db,
            &t1,
            Queue::PendingCancellation,
            &QueueFilter::default(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(pending.rows.len(), 2);
        // Other actions wait for the decision.
        assert_eq!(
            fixtures::refusal(try_act(&s, &t1, approve, "resolve", "x").await),
            Some(Refusal::CancellationPendingFirst)
        );
        fixtures::act(&s, &t1, approve, "approve_cancellation", "").await;
        assert_eq!(substate(&s, approve).await, Substate::Anulado);
        assert!(
            matches!(
                try_act(&s, &t1, reject, "reject_cancellation", "").await,
                Err(ServiceError::Invalid(_))
            ),
            "reasons required"
        );
        fixtures::act(
            &s,
            &t1,
            reject,
            "reject_cancellation",
            "El trámite ya está en curso",
        )
        .await;
        assert_eq!(substate(&s, reject).await, Substate::Asignado);
        let d = query::detail_for_user(&s.db, &ana, reject).await.unwrap();
        assert!(!d.status.cancellation_pending);
        assert!(
            d.messages
                .iter()
                .any(|m| m.body == "El trámite ya está en curso")
        );
        let kinds = fixtures::notice_kinds(&s).await;
        assert!(kinds.contains(&"cancellation_approved".to_owned()));
        assert!(kinds.contains(&"cancellation_rejected".to_owned()));
    }
);

db_test!(
    queues_put_filing_period_cases_first_and_page_by_cursor,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
        let path = fixtures::path_for(&s, CaseType::Consulta).await;
        let mut urgent = Vec::new();
        for i in 0..(casia_services::cases::processor::QUEUE_PAGE + 3) {
            let mut form = fixtures::new_case_form(CaseType::Consulta, path, &format!("q{i}"));
            form.affects_current_period = Some(i % 10 == 0);
            let opened = casia_services::cases::open::open_case(&s, &ana, form)
                .await
                .unwrap();
            if i % 10 == 0 {
                urgent.push(opened.number);
            }
        }
        let first = queue(&s.db, &t1, Queue::Unassigned, &QueueFilter::default(), None)
            .await
            .unwrap();
        let head: Vec<i64> = first
            .rows
            .iter()
            .take(urgent.len())
            .map(|r| r.row.number)
            .collect();
        assert_eq!(head, urgent, "filing-period cases first, oldest first");
        let second = queue(
            &s.db,
            &t1,
            Queue::Unassigned,
            &QueueFilter::default(),
            first.next.as_deref(),
        )
        .await
        .unwrap();
        assert_eq!(
            first.rows.len() + second.rows.len(),
            casia_services::cases::processor::QUEUE_PAGE as usize + 3
        );
        assert!(second.next.is_none());
        let mut seen: Vec<i64> = first
            .rows
            .iter()
            .chain(&second.rows)
            .map(|r| r.row.number)
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen.len(),
            casia_services::cases::processor::QUEUE_PAGE as usize + 3
        );
        // Filter by authorisation number.
        let filter = QueueFilter {
            authorisation: Some("9999999".into()),
            ..QueueFilter::default()
        };
        assert!(
            queue(&s.db, &t1, Queue::Unassigned, &filter, None)
                .await
                .unwrap()
                .rows
                .is_empty()
        );
        // A mistyped filter is refused naming its field, not answered with an empty queue.
        for (filter, field) in [
            (
                QueueFilter {
                    authorisation: Some("abc".into()),
                    ..QueueFilter::default()
                },
                "authorisation",
            ),
            (
                QueueFilter {
                    from: Some("2026-11-20".into()),
                    to: Some("2026-11-02".into()),
                    ..QueueFilter::default()
                },
                "to",
            ),
        ] {
            match queue(&s.db, &t1, Queue::Unassigned, &filter, None).await {
                Err(casia_services::error::ServiceError::Invalid(e)) => {
                    assert_eq!(e[0].field, field)
                }
                other => panic!("{filter:?} gave {other:?}"),
            }
        }
        fixtures::act(&s, &t1, urgent[0], "take", "").await;
        let mine = queue(&s.db, &t1, Queue::Mine, &QueueFilter::default(), None)
            .await
            .unwrap();
        assert_eq!(
            mine.rows.iter().map(|r| r.row.number).collect::<Vec<_>>(),
            [urgent[0]]
        );
    }
);

db_test!(
    the_dashboard_counts_open_cases_resolution_time_and_ratings,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let sup = fixtures::staff(&s, "sup", Role::Supervisor).await;
        let a = fixtures::open(&s, &ana, CaseType::Consulta).await;
        let b = fixtures::open(&s, &ana, CaseType::Consulta).await;
        fixtures::open(&s, &ana, CaseType::Consulta).await;
        fixtures::act(&s, &sup, a, "take", "").await;
        fixtures::acts(&s, &sup, b, &[("take", ""), ("resolve", "Hecho")]).await;
        user_actions::rate(&s, &ana, b, Some(4), "").await.unwrap();
        let d = dashboard(&s.db, &sup).await.unwrap();
        let count = |sub: Substate| {
            d.open_by_substate
                .iter()
                .find(|(s, _)| *s == sub)
                .unwrap()
                .1
        };
        assert_eq!(
            (count(Substate::Presentado), count(Substate::Asignado)),
            (1, 1)
        );
        assert_eq!(d.backlog_age[0].1, 2, "two open cases younger than a day");
        assert_eq!(d.resolved_last_30_days, 1);
        assert!(d.mean_hours_to_resolution.unwrap() < 1.0);
        assert_eq!(d.mean_rating, Some(4.0));
        assert_eq!(d.opened_per_day.last().unwrap().1, 3);
    }
);

/// Puts a case into `substate` (with an assignee and pending flag) directly, as earlier
/// actions would have left it.
async fn force_status(
    s: &Services,
    number: i64,
    substate: Substate,
    assigned_to: Option<i64>,
    pending: bool,
) {
    use casia_services::entity::case;
    use sea_orm::{ActiveModelTrait, Set};
    let c = casia_services::cases::find_by_number(&s.db, number)
        .await
        .unwrap();
    let mut am: case::ActiveModel = c.into();
    am.substate = Set(substate);
    am.state = Set(substate.state());
    am.assigned_to = Set(assigned_to);
    am.cancellation_pending = Set(pending);
    am.update(&s.db).await.unwrap();
}

db_test!(
    every_processor_action_in_every_substate_matches_the_lifecycle,
    |s| {
        use casia_domain::Action;
        use casia_domain::lifecycle::decide;
        let (_, [t1, t2, sup], n) = team(&s, None, CaseType::Consulta).await;
        let mut checked = 0;
        for substate in Substate::ALL {
            for assignee in [None, Some(t1.user.id)] {
                for pending in [false, true] {
                    for who in [&t1, &t2, &sup] {
                        for action in Action::ALL
                            .iter()
                            .filter(|a| !a.is_user_action() && **a != Action::AddInternalNote)
                        {
                            force_status(&s, n, *substate, assignee, pending).await;
                            let before = casia_services::cases::find_by_number(&s.db, n)
                                .await
                                .unwrap();
                            let expected = decide(
                                &casia_services::cases::status_of(&before),
                                &who.actor(),
                                *action,
                            );
                            let target = if who.user.id == t2.user.id {
                                t1.user.id
                            } else {
                                t2.user.id
                            };
                            let input = ProcessorInput {
                                action: action.code().into(),
                                version: before.version,
                                text: "Texto de la acción".into(),
                                target_user_id: Some(target),
                                ..ProcessorInput::default()
                            };
                            let got = act(&s, who, n, input).await;
                            let after = casia_services::cases::find_by_number(&s.db, n)
                                .await
                                .unwrap();
                            match (&expected, &got) {
                                (Ok(t), Ok(())) => {
                                    assert_eq!(
                                        after.substate, t.to,
                                        "{action:?} by {} in {substate:?}",
                                        who.user.username
                                    );
                                    assert_eq!(after.version, before.version + 1);
                                }
                                (Err(refusal), Err(ServiceError::Refused(r))) if refusal == r => {
                                    assert_eq!(
                                        after.version, before.version,
                                        "a refusal writes nothing"
                                    );
                                }
                                // Assigning to the current assignee is refused by the service.
                                (Ok(_), Err(ServiceError::Refused(Refusal::AlreadyAssigned)))
                                    if *action == Action::Assign => {}
                                other => panic!(
                                    "{action:?} by {} in {substate:?} (assignee {assignee:?}, pending {pending}): {other:?}",
                                    who.user.username
                                ),
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 7 * 2 * 2 * 3 * 10);
    }
);
