//! Gestión de Casos: search, detail, Modificar Información, Solicitar Anulación, history,
//! Valoración, and the walls between authorisations.

use casia_domain::dto::{
    DocumentToAttach, ModifyInformationForm, ReceiptKind, Reclassification, SearchForm,
};
use casia_domain::{CaseType, FieldProblem, Refusal, Role, Substate};
use casia_services::cases::{query, user_actions};
use casia_services::error::ServiceError;

use crate::fixtures::{self, PDF_BYTES};
use casia_services::db_test;

fn this_month() -> (String, String) {
    let today = casia_services::clock::today_in_spain(casia_services::clock::now());
    (today.first_of_month().iso(), today.last_of_month().iso())
}

fn search_form(state: &str) -> SearchForm {
    let (from, to) = this_month();
    SearchForm {
        state: state.into(),
        from,
        to,
        ..SearchForm::default()
    }
}

/// Ana and Eve, main users of two authorisations (1000001 and 1000002, Eve's is returned).
async fn ana_and_eve(
    s: &casia_services::Services,
) -> (
    casia_services::entity::authorisation::Model,
    casia_services::accounts::Caller,
    casia_services::accounts::Caller,
) {
    let mine = fixtures::authorisation(s, "1000001", None, false).await;
    let other = fixtures::authorisation(s, "1000002", None, false).await;
    let ana = fixtures::member(s, "ana", &mine, true).await;
    let eve = fixtures::member(s, "eve", &other, true).await;
    (other, ana, eve)
}

/// A `Modificar Información` form at `version` with `key`, and nothing in it yet.
fn modification(version: i32, key: &str) -> ModifyInformationForm {
    ModifyInformationForm {
        version,
        idempotency_key: key.into(),
        ..ModifyInformationForm::default()
    }
}

db_test!(
    search_finds_this_months_cases_of_the_authorisation_only,
    |s| {
        let (_, ana, eve) = ana_and_eve(&s).await;
        let a1 = fixtures::open(&s, &ana, CaseType::Consulta).await;
        let a2 = fixtures::open(&s, &ana, CaseType::Tramite).await;
        fixtures::open(&s, &eve, CaseType::Consulta).await;

        let all = query::search(&s.db, &ana, &search_form("todos"), None)
            .await
            .unwrap();
        assert_eq!(
            all.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
            [a2, a1],
            "newest first, own only"
        );
        assert!(all.next.is_none());
        let found = async |f: &SearchForm| {
            query::search(&s.db, &ana, f, None)
                .await
                .unwrap()
                .rows
                .len()
        };
        let mut f = search_form("abierto");
        f.case_type = Some("tramite".into());
        assert_eq!(found(&f).await, 1);
        let closed = query::search(&s.db, &ana, &search_form("cerrado"), None)
            .await
            .unwrap();
        assert!(closed.rows.is_empty());
        let mut f = search_form("abierto");
        f.substate = Some("presentado".into());
        f.opened_by = Some(ana.user.id);
        assert_eq!(found(&f).await, 2);
    }
);

db_test!(the_server_enforces_the_month_and_substate_rules, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let f = SearchForm {
        state: "abierto".into(),
        from: "2026-01-31".into(),
        to: "2026-02-01".into(),
        ..SearchForm::default()
    };
    let Err(ServiceError::Invalid(e)) = query::search(&s.db, &ana, &f, None).await else {
        panic!()
    };
    assert_eq!(e[0].field, "to");
    let mut f = search_form("cerrado");
    f.substate = Some("asignado".into());
    let Err(ServiceError::Invalid(e)) = query::search(&s.db, &ana, &f, None).await else {
        panic!()
    };
    assert_eq!(e[0].problem, FieldProblem::SubstateNotInState);
});

db_test!(search_pages_with_a_cursor, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let total = query::PAGE_SIZE as usize + 5;
    for _ in 0..total {
        fixtures::open(&s, &ana, CaseType::Consulta).await;
    }
    let first = query::search(&s.db, &ana, &search_form("todos"), None)
        .await
        .unwrap();
    assert_eq!(first.rows.len(), query::PAGE_SIZE as usize);
    let second = query::search(&s.db, &ana, &search_form("todos"), first.next.as_deref())
        .await
        .unwrap();
    assert_eq!(second.rows.len(), 5);
    assert!(second.next.is_none());
    let mut all: Vec<i64> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.number)
        .collect();
    all.dedup();
    assert_eq!(all.len(), total);
});

db_test!(
    another_authorisation_cannot_touch_the_case_even_with_its_number,
    |s| {
        let (other, ana, eve) = ana_and_eve(&s).await;
        let up = fixtures::upload(&s, &ana, "dni.pdf", PDF_BYTES)
            .await
            .unwrap();
        let form = fixtures::form_with_document(&s, up.token, "DNI", "k").await;
        let opened = casia_services::cases::open::open_case(&s, &ana, form)
            .await
            .unwrap();
        let n = opened.number;
        let detail = query::detail_for_user(&s.db, &ana, n).await.unwrap();
        let doc_id = detail.documents[0].id;
        let receipt_id = opened.receipt.unwrap().id;

        // Eve's authorisation sees nothing of it: not the case, its history, document or receipt.
        let seen_by_eve = [
            query::detail_for_user(&s.db, &eve, n).await.map(drop),
            query::history_for_user(&s.db, &eve, n).await.map(drop),
            query::document_for(&s.db, &eve, doc_id).await.map(drop),
            query::receipt_for(&s.db, &eve, receipt_id).await.map(drop),
        ];
        for (i, seen) in seen_by_eve.into_iter().enumerate() {
            assert!(matches!(seen, Err(ServiceError::NotFound)), "{i}: {seen:?}");
        }
        let modify = ModifyInformationForm {
            information: "x".into(),
            ..modification(0, "m")
        };
        assert!(matches!(
            user_actions::modify_information(&s, &eve, n, modify).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            user_actions::request_cancellation(&s, &eve, n, "", 0).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            user_actions::rate(&s, &eve, n, Some(5), "").await,
            Err(ServiceError::NotFound)
        ));
        // The same user, switched to the other authorisation, does not see it either.
        casia_services::authorisations::add_member(&s.db, other.id, ana.user.id, false)
            .await
            .unwrap();
        let (token, _) = fixtures::login(&s, "ana").await;
        let ana_multi =
            casia_services::accounts::caller_from_token(&s.db, &s.config.session, &token)
                .await
                .unwrap();
        casia_services::accounts::choose_authorisation(&s.db, &ana_multi, other.id)
            .await
            .unwrap();
        let ana_other =
            casia_services::accounts::caller_from_token(&s.db, &s.config.session, &token)
                .await
                .unwrap();
        assert!(matches!(
            query::detail_for_user(&s.db, &ana_other, n).await,
            Err(ServiceError::NotFound)
        ));
        // Nothing changed.
        assert_eq!(
            query::detail_for_user(&s.db, &ana, n)
                .await
                .unwrap()
                .substate,
            Substate::Presentado
        );
    }
);

/// The raw `substate` and `cancellation_pending` columns of case `number`.
async fn raw_substate(s: &casia_services::Services, number: i64) -> (String, bool) {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = s.db.get_database_backend();
    let row =
        s.db.query_one_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "SELECT substate, cancellation_pending FROM cases WHERE number = $1"
                }
                _ => "SELECT substate, cancellation_pending FROM cases WHERE number = ?",
            },
            [number.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get::<String>("", "substate").unwrap(),
        row.try_get::<bool>("", "cancellation_pending").unwrap(),
    )
}

db_test!(
    a_corrupt_substate_is_an_internal_error_never_presentado,
    |s| {
        use sea_orm::ConnectionTrait;
        let auth = fixtures::authorisation(&s, "1000001", Some("a@b.es"), true).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
        // A Presentado case would be cancelled at once: corrupt it so it reads as nothing.
        s.db.execute_unprepared(&format!(
            "UPDATE cases SET substate = 'garbage' WHERE number = {n}"
        ))
        .await
        .unwrap();
        let read = query::detail_for_user(&s.db, &ana, n).await;
        assert!(
            matches!(&read, Err(e) if is_internal(e)),
            "reading a corrupt case is an internal error: {read:?}"
        );
        for version in [0, 1] {
            let cancel = user_actions::request_cancellation(&s, &ana, n, "", version).await;
            assert!(
                matches!(&cancel, Err(e) if is_internal(e)),
                "cancelling a corrupt case is an internal error: {cancel:?}"
            );
        }
        assert_eq!(raw_substate(&s, n).await, ("garbage".to_owned(), false));
        assert_eq!(fixtures::notice_kinds(&s).await, ["case_opened"]);
    }
);

db_test!(a_notice_of_an_unknown_kind_is_an_internal_error, |s| {
    use sea_orm::ConnectionTrait;
    let auth = fixtures::authorisation(&s, "1000001", Some("a@b.es"), true).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    fixtures::open(&s, &ana, CaseType::Consulta).await;
    s.db.execute_unprepared("UPDATE notices SET kind = 'nope'")
        .await
        .unwrap();
    let inbox = casia_services::notices::inbox(&s.db, &ana, casia_domain::Lang::Es, None, 10).await;
    assert!(
        matches!(&inbox, Err(e) if is_internal(e)),
        "a row this service did not write is an internal error: {inbox:?}"
    );
});

db_test!(cancelling_a_presentado_case_is_immediate, |s| {
    let auth = fixtures::authorisation(&s, "1000001", Some("a@b.es"), true).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let sub = user_actions::request_cancellation(&s, &ana, n, "Abierto por error", 0)
        .await
        .unwrap();
    assert_eq!(sub, Substate::Anulado);
    let h = query::history_for_user(&s.db, &ana, n).await.unwrap();
    assert_eq!(
        h.rows.iter().map(|r| r.substate).collect::<Vec<_>>(),
        [Substate::Presentado, Substate::Anulado]
    );
    assert_eq!(h.rows[1].observations, "Abierto por error");
    // A closed case refuses another request and any modification.
    let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    assert_eq!(
        fixtures::refusal(user_actions::request_cancellation(&s, &ana, n, "", d.version).await),
        Some(Refusal::CaseClosed)
    );
    let modify = ModifyInformationForm {
        information: "más".into(),
        ..modification(d.version, "m")
    };
    assert_eq!(
        fixtures::refusal(user_actions::modify_information(&s, &ana, n, modify).await),
        Some(Refusal::CaseClosed)
    );
    let kinds = fixtures::notice_kinds(&s).await;
    assert_eq!(kinds, ["case_opened", "cancelled_automatically"]);
});

db_test!(
    information_requested_is_answered_and_the_case_returns_to_the_processor,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
        let n = fixtures::open(&s, &ana, CaseType::Tramite).await;
        fixtures::acts(
            &s,
            &tram,
            n,
            &[
                ("take", ""),
                ("request_information", "Aporte el contrato firmado."),
            ],
        )
        .await;
        let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
        assert_eq!(d.substate, Substate::SolicitadaInformacion);
        assert!(
            d.messages
                .iter()
                .any(|m| m.body == "Aporte el contrato firmado." && m.author == "TGSS")
        );

        let up = fixtures::upload(&s, &ana, "contrato.pdf", PDF_BYTES)
            .await
            .unwrap();
        let form = ModifyInformationForm {
            information: "Adjunto el contrato.".into(),
            documents: vec![DocumentToAttach {
                document_type_id: Some(fixtures::document_type_id(&s).await),
                title: "Contrato".into(),
                upload_token: up.token,
            }],
            reclassification: None,
            version: d.version,
            idempotency_key: "m1".into(),
        };
        let done = user_actions::modify_information(&s, &ana, n, form.clone())
            .await
            .unwrap();
        assert_eq!(done.substate, Substate::Asignado);
        // A Trámite's new documents get a complementary receipt.
        let receipt = done.receipt.clone().expect("complementary receipt");
        assert_eq!(receipt.kind, ReceiptKind::Complementaria);
        // Sending the same form again changes nothing and answers the same.
        assert_eq!(
            user_actions::modify_information(&s, &ana, n, form)
                .await
                .unwrap(),
            done
        );
        let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
        assert_eq!(d.documents.len(), 1);
        // The opening receipt (no documents then) and the complementary one.
        assert_eq!(
            d.receipts.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReceiptKind::Solicitud, ReceiptKind::Complementaria]
        );
        assert_eq!(d.receipts[1], receipt);
        let h = query::history_for_user(&s.db, &ana, n).await.unwrap();
        assert_eq!(
            h.rows.iter().map(|r| r.substate).collect::<Vec<_>>(),
            // The request and its `Plazo suspendido` row, the answer and `Plazo reanudado`.
            [
                Substate::Presentado,
                Substate::Asignado,
                Substate::SolicitadaInformacion,
                Substate::SolicitadaInformacion,
                Substate::Asignado,
                Substate::Asignado
            ]
        );
        assert!(
            h.rows.iter().all(|r| r.actor.is_none()),
            "users do not see who processed"
        );
    }
);

db_test!(reclassification_changes_the_classification, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    fixtures::act(&s, &tram, n, "take", "").await;
    let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    // Not asked for: refused.
    let (subject, category, sub) = fixtures::tramite_path(&s).await;
    let reclass = Reclassification {
        case_type: "tramite".into(),
        subject_id: Some(subject),
        category_id: Some(category),
        subcategory_id: sub,
    };
    let form = ModifyInformationForm {
        reclassification: Some(reclass.clone()),
        ..modification(d.version, "r0")
    };
    assert_eq!(
        fixtures::refusal(user_actions::modify_information(&s, &ana, n, form).await),
        Some(Refusal::WrongSubstate)
    );

    fixtures::act(
        &s,
        &tram,
        n,
        "request_reclassification",
        "Es un trámite de afiliación.",
    )
    .await;
    let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    assert!(d.user_may(casia_domain::Action::Reclassify));
    // Answered with the classification the case already has: refused, naming the field,
    // and nothing written (still waiting for a reclassification, no false history row).
    let same = ModifyInformationForm {
        reclassification: Some(Reclassification::of(
            d.case_type,
            d.subject_id,
            d.category_id,
            d.subcategory_id,
        )),
        version: d.version,
        idempotency_key: "r-same".into(),
        ..ModifyInformationForm::default()
    };
    match user_actions::modify_information(&s, &ana, n, same).await {
        Err(ServiceError::Invalid(e)) => assert_eq!(
            (e[0].field.as_str(), &e[0].problem),
            (
                "subject_id",
                &casia_domain::FieldProblem::ClassificationUnchanged
            )
        ),
        other => panic!("an unchanged classification was accepted: {other:?}"),
    }
    let after = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    assert_eq!(after.substate, Substate::SolicitadaReclasificacion);
    assert_eq!(after.version, d.version);
    let h = query::history_for_user(&s.db, &ana, n).await.unwrap();
    assert!(
        !h.rows.iter().any(|r| r.action
            == casia_domain::lifecycle::HistoryAction::Act(casia_domain::Action::Reclassify)),
        "no 'Clasificación modificada' without a change"
    );
    let form = ModifyInformationForm {
        reclassification: Some(reclass),
        ..modification(d.version, "r1")
    };
    assert_eq!(
        user_actions::modify_information(&s, &ana, n, form)
            .await
            .unwrap()
            .substate,
        Substate::Asignado
    );
    let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    assert_eq!(
        (d.case_type, d.subject_id, d.category_id),
        (CaseType::Tramite, subject, category)
    );
});

db_test!(a_stale_page_cannot_overwrite_a_newer_state, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let stale = query::detail_for_user(&s.db, &ana, n)
        .await
        .unwrap()
        .version;
    fixtures::act(&s, &tram, n, "take", "").await;
    let form = ModifyInformationForm {
        information: "dato".into(),
        ..modification(stale, "s")
    };
    assert!(matches!(
        user_actions::modify_information(&s, &ana, n, form).await,
        Err(ServiceError::Conflict)
    ));
});

db_test!(nothing_to_add_is_refused, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let form = ModifyInformationForm {
        information: "  ".into(),
        ..modification(0, "e")
    };
    let Err(ServiceError::Invalid(e)) = user_actions::modify_information(&s, &ana, n, form).await
    else {
        panic!()
    };
    assert_eq!(e[0].problem, FieldProblem::NothingToAdd);
});

db_test!(rating_only_once_and_only_when_closed, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    assert_eq!(
        fixtures::refusal(user_actions::rate(&s, &ana, n, Some(4), "").await),
        Some(Refusal::CaseNotClosed)
    );
    fixtures::acts(
        &s,
        &tram,
        n,
        &[("take", ""), ("resolve", "Se ha tramitado la baja.")],
    )
    .await;
    let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    assert_eq!(d.resolution.as_deref(), Some("Se ha tramitado la baja."));
    assert!(matches!(
        user_actions::rate(&s, &ana, n, Some(9), "").await,
        Err(ServiceError::Invalid(_))
    ));
    user_actions::rate(&s, &ana, n, Some(4), "Rápido y claro")
        .await
        .unwrap();
    assert_eq!(
        fixtures::refusal(user_actions::rate(&s, &ana, n, Some(5), "").await),
        Some(Refusal::AlreadyRated)
    );
    let d = query::detail_for_user(&s.db, &ana, n).await.unwrap();
    assert_eq!(
        d.rating.map(|r| (r.score, r.observations)),
        Some((4, "Rápido y claro".to_owned()))
    );
});

/// What the web layer answers with a 500 (app's `AppError::Internal`): the database, storage
/// or an internal fault, never a refusal the user could act on.
fn is_internal(e: &casia_services::ServiceError) -> bool {
    use casia_services::ServiceError as E;
    matches!(
        e,
        E::Db(_) | E::Storage(_) | E::Internal(_) | E::Failed { .. }
    )
}
