//! The audit trail: administrative changes with before/after and never a password, nothing
//! for a change that failed, processor actions, refusals (403/404), and the administrators'
//! search with its filters and pages.

use casia_domain::audit::{AuditFilter, PAGE_SIZE};
use casia_domain::dto::{NewAccount, NodeInput, ProcessorInput};
use casia_domain::{CaseType, FieldProblem, Role};
use casia_services::audit::{self, AuditAction, AuditEvent, Outcome};
use casia_services::entity::audit_log;
use casia_services::error::ServiceError;
use casia_services::{Services, admin, db_test};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::Value;

use crate::fixtures;

async fn events(s: &Services, action: AuditAction) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action.code()))
        .order_by_asc(audit_log::Column::Id)
        .all(&s.db)
        .await
        .unwrap()
}

fn details(e: &audit_log::Model) -> Value {
    serde_json::from_str(e.details.as_deref().expect("details")).expect("details are JSON")
}

async fn total(s: &Services) -> usize {
    audit_log::Entity::find().all(&s.db).await.unwrap().len()
}

const NEW_PASSWORD: &str = "clave-muy-secreta-123";

db_test!(
    an_administrative_change_writes_one_row_with_before_and_after_and_no_password,
    |s| {
        let mut admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
        admin_user.client = "203.0.113.7".into();
        let id = admin::create_account(
            &s.db,
            &admin_user,
            NewAccount {
                username: "Nueva.Tramitadora".into(),
                full_name: "Nueva Tramitadora".into(),
                email: "".into(),
                role: "tramitador".into(),
                password: NEW_PASSWORD.into(),
            },
        )
        .await
        .unwrap();
        let created = events(&s, AuditAction::AdminAccountCreated).await;
        assert_eq!(created.len(), 1);
        let e = &created[0];
        assert_eq!(
            (
                e.actor_username.as_str(),
                e.actor_role.map(Role::code),
                e.client.as_str(),
                e.outcome.code()
            ),
            ("admin", Some("administrador"), "203.0.113.7", "success")
        );
        assert_eq!(
            (e.target_kind.as_deref(), e.target_id.clone()),
            (Some("account"), Some(id.to_string()))
        );
        assert_eq!(details(e)["after"]["username"], "nueva.tramitadora");
        assert_eq!(details(e)["after"]["role"], "tramitador");

        admin::reset_password(&s.db, &admin_user, id, "otra-clave-muy-larga")
            .await
            .unwrap();
        admin::set_account_active(&s.db, &admin_user, id, false)
            .await
            .unwrap();
        let off = events(&s, AuditAction::AdminAccountActivation).await;
        assert_eq!(off.len(), 1);
        assert_eq!(details(&off[0])["before"]["active"], true);
        assert_eq!(details(&off[0])["after"]["active"], false);
        assert_eq!(events(&s, AuditAction::AdminPasswordReset).await.len(), 1);

        // Nothing anywhere in the trail carries a password or its hash.
        for row in audit_log::Entity::find().all(&s.db).await.unwrap() {
            let text = row.details.unwrap_or_default();
            assert!(
                !text.contains(NEW_PASSWORD)
                    && !text.contains("otra-clave")
                    && !text.contains("argon2")
                    && !text.contains("password_hash"),
                "{text}"
            );
        }

        // Renaming a node keeps both names.
        let node = |name: &str| NodeInput {
            name_es: name.into(),
            name_en: format!("{name} (en)"),
            help_es: "Ayuda".into(),
            help_en: "Help".into(),
            technical: false,
        };
        let n = admin::add_node(&s.db, &admin_user, "consulta", None, node("Pensiones"))
            .await
            .unwrap();
        admin::update_node(&s.db, &admin_user, n, node("Jubilación"))
            .await
            .unwrap();
        let tax = events(&s, AuditAction::AdminTaxonomyChanged).await;
        assert_eq!(tax.len(), 2);
        let renamed = details(&tax[1]);
        assert_eq!(
            (
                renamed["before"]["name_es"].as_str(),
                renamed["after"]["name_es"].as_str()
            ),
            (Some("Pensiones"), Some("Jubilación"))
        );

        // Members and the main user say who before and after.
        let a = fixtures::authorisation(&s, "1000001", None, false).await;
        fixtures::user(&s, "ana", Role::Autorizado).await;
        let luis = fixtures::user(&s, "luis", Role::Autorizado).await;
        admin::add_member(&s.db, &admin_user, a.id, "ana", true)
            .await
            .unwrap();
        admin::add_member(&s.db, &admin_user, a.id, "luis", false)
            .await
            .unwrap();
        admin::set_main_user(&s.db, &admin_user, a.id, luis.id)
            .await
            .unwrap();
        let main = events(&s, AuditAction::AdminMainUserSet).await;
        assert_eq!(main.len(), 1);
        assert_eq!(
            (
                details(&main[0])["before"]["main_user"].as_str(),
                details(&main[0])["after"]["main_user"].as_str()
            ),
            (Some("ana"), Some("luis"))
        );
        assert_eq!(main[0].target_id.as_deref(), Some("1000001"));
        assert_eq!(events(&s, AuditAction::AdminMemberAdded).await.len(), 2);
    }
);

db_test!(a_change_that_fails_or_rolls_back_writes_nothing, |s| {
    let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
    fixtures::user(&s, "ana", Role::Autorizado).await;
    let before = total(&s).await;
    let dup = admin::create_account(
        &s.db,
        &admin_user,
        NewAccount {
            username: "ana".into(),
            full_name: "Otra Ana".into(),
            email: "".into(),
            role: "autorizado".into(),
            password: NEW_PASSWORD.into(),
        },
    )
    .await;
    assert!(
        matches!(dup, Err(ServiceError::Invalid(e)) if e[0].problem == FieldProblem::AlreadyExists)
    );
    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    admin::add_member(&s.db, &admin_user, a.id, "ana", true)
        .await
        .unwrap();
    let with_member = total(&s).await;
    assert_eq!(with_member, before + 1);
    let ana = fixtures::user(&s, "otra", Role::Tramitador).await;
    assert!(
        admin::add_member(&s.db, &admin_user, a.id, "otra", false)
            .await
            .is_err(),
        "staff are never members"
    );
    let main = casia_services::entity::authorisation::Entity::find_by_id(a.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap()
        .main_user_id
        .unwrap();
    assert!(
        admin::remove_member(&s.db, &admin_user, a.id, main)
            .await
            .is_err(),
        "the main user stays"
    );
    assert!(
        admin::set_account_active(&s.db, &admin_user, 999_999, false)
            .await
            .is_err()
    );
    assert!(
        admin::reset_password(&s.db, &admin_user, ana.id, "corta")
            .await
            .is_err()
    );
    assert_eq!(
        total(&s).await,
        with_member,
        "no event for what did not happen"
    );

    // An event written in a transaction that rolls back is gone with it.
    let tx = s.db.begin().await.unwrap();
    audit::record(
        &tx,
        AuditEvent::by(
            &admin_user,
            AuditAction::AdminSettingChanged,
            Outcome::Success,
        ),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(total(&s).await, with_member);
});

db_test!(
    a_processor_action_writes_one_row_and_a_note_never_its_text,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
        let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
        let act = |action: &str, text: &str| {
            let (s, t1) = (s.clone(), t1.clone());
            let (action, text) = (action.to_owned(), text.to_owned());
            async move {
                let version = fixtures::version_of(&s, n).await;
                casia_services::cases::processor::act(
                    &s,
                    &t1,
                    n,
                    ProcessorInput {
                        action,
                        version,
                        text,
                        ..ProcessorInput::default()
                    },
                )
                .await
            }
        };
        act("take", "").await.unwrap();
        let actions = events(&s, AuditAction::CaseAction).await;
        assert_eq!(actions.len(), 1);
        let d = details(&actions[0]);
        assert_eq!(
            (
                d["action"].as_str(),
                d["before"]["substate"].as_str(),
                d["after"]["substate"].as_str()
            ),
            (Some("take"), Some("presentado"), Some("asignado"))
        );
        assert_eq!(d["after"]["assigned_to"], t1.user.id);
        assert_eq!(
            actions[0].target_id.as_deref(),
            Some(casia_domain::model::case_number::format(n).as_str())
        );
        assert_eq!(actions[0].actor_username, "t1");

        act("add_internal_note", "El empleador llamó por teléfono")
            .await
            .unwrap();
        let notes = events(&s, AuditAction::CaseNote).await;
        assert_eq!(notes.len(), 1);
        assert!(
            !notes[0]
                .details
                .as_deref()
                .unwrap_or_default()
                .contains("teléfono"),
            "the note's text stays out"
        );

        // A refused or stale action changes nothing and records nothing.
        let stale = casia_services::cases::processor::act(
            &s,
            &t1,
            n,
            ProcessorInput {
                action: "escalate".into(),
                version: 0,
                ..ProcessorInput::default()
            },
        )
        .await;
        assert!(matches!(stale, Err(ServiceError::Conflict)));
        assert!(act("approve_cancellation", "").await.is_err());
        assert_eq!(events(&s, AuditAction::CaseAction).await.len(), 1);
    }
);

db_test!(
    another_authorisations_case_or_document_is_not_found_and_recorded,
    |s| {
        use casia_services::cases::query;
        let a = fixtures::authorisation(&s, "1000001", None, false).await;
        let b = fixtures::authorisation(&s, "1000002", None, false).await;
        let ana = fixtures::member(&s, "ana", &a, true).await;
        let mut bea = fixtures::member(&s, "bea", &b, true).await;
        bea.client = "198.51.100.4".into();
        let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
        assert!(query::detail_for_user(&s.db, &ana, n).await.is_ok());
        assert!(
            events(&s, AuditAction::AccessNotFound).await.is_empty(),
            "the owner's reads are not refusals"
        );

        assert!(matches!(
            query::detail_for_user(&s.db, &bea, n).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            query::detail_for_user(&s.db, &bea, n + 1000).await,
            Err(ServiceError::NotFound)
        ));
        let missing = events(&s, AuditAction::AccessNotFound).await;
        assert_eq!(missing.len(), 2);
        let number = casia_domain::model::case_number::format(n);
        assert_eq!(
            (
                missing[0].target_kind.as_deref(),
                missing[0].target_id.as_deref()
            ),
            (Some("case"), Some(number.as_str()))
        );
        assert_eq!(details(&missing[0])["reason"], "other_authorisation");
        assert_eq!(details(&missing[1])["reason"], "missing");
        assert_eq!(
            (
                missing[0].actor_username.as_str(),
                missing[0].client.as_str(),
                missing[0].outcome.code()
            ),
            ("bea", "198.51.100.4", "refused")
        );
        assert_eq!(missing[0].authorisation_id, Some(b.id));

        // A notice of the other authorisation too.
        let theirs = casia_services::notices::inbox(&s.db, &ana, casia_domain::Lang::Es, None, 10)
            .await
            .unwrap();
        assert!(matches!(
            casia_services::notices::mark_read(&s.db, &bea, theirs[0].id).await,
            Err(ServiceError::NotFound)
        ));
        let last = events(&s, AuditAction::AccessNotFound).await.pop().unwrap();
        assert_eq!(
            (
                last.target_kind.as_deref(),
                details(&last)["reason"].as_str()
            ),
            (Some("notice"), Some("other_authorisation"))
        );

        // A role that never downloads documents is refused with a 403 event.
        let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
        let (doc_id, _) = fixtures_document(&s, &ana).await;
        assert!(matches!(
            query::document_for(&s.db, &admin_user, doc_id).await,
            Err(ServiceError::Forbidden)
        ));
        let forbidden = events(&s, AuditAction::AccessForbidden).await;
        assert_eq!(forbidden.len(), 1);
        assert_eq!(
            (
                forbidden[0].target_kind.as_deref(),
                forbidden[0].target_id.clone()
            ),
            (Some("document"), Some(doc_id.to_string()))
        );
        assert!(matches!(
            query::document_for(&s.db, &bea, doc_id).await,
            Err(ServiceError::NotFound)
        ));
        assert_eq!(
            events(&s, AuditAction::AccessNotFound)
                .await
                .last()
                .unwrap()
                .target_kind
                .as_deref(),
            Some("document")
        );
    }
);

/// Opens a case of `who` with one document; returns the document's id and the case number.
async fn fixtures_document(s: &Services, who: &casia_services::accounts::Caller) -> (i64, i64) {
    let up = fixtures::upload(s, who, "anexo.pdf", fixtures::PDF_BYTES)
        .await
        .unwrap();
    let mut form = fixtures::new_case_form(
        CaseType::Tramite,
        fixtures::tramite_path(s).await,
        &uuid::Uuid::new_v4().to_string(),
    );
    form.documents = vec![casia_domain::dto::DocumentToAttach {
        document_type_id: Some(fixtures::document_type_id(s).await),
        title: "Anexo".into(),
        upload_token: up.token,
    }];
    let number = casia_services::cases::open::open_case(s, who, form)
        .await
        .unwrap()
        .number;
    let d = casia_services::entity::document::Entity::find()
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    (d.id, number)
}

db_test!(
    administrators_search_the_trail_by_user_action_outcome_and_dates_in_pages,
    |s| {
        let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
        let ana = fixtures::staff(&s, "ana", Role::Tramitador).await;
        // (Logins may already be in the trail.)
        let base = total(&s).await;
        // 120 events by ana, 7 of them refusals; 3 failed logins of someone unknown; one old event.
        for i in 0..120 {
            let outcome = if i % 17 == 0 {
                Outcome::Refused
            } else {
                Outcome::Success
            };
            audit::record(
                &s.db,
                AuditEvent::by(&ana, AuditAction::CaseAction, outcome).on("case", i),
            )
            .await
            .unwrap();
        }
        for _ in 0..3 {
            audit::record(
                &s.db,
                AuditEvent::anonymous("Intruso", AuditAction::LoginFailed, Outcome::Failure)
                    .from_client("192.0.2.1"),
            )
            .await
            .unwrap();
        }
        let old = chrono::DateTime::parse_from_rfc3339("2026-01-15T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        audit_log::ActiveModel {
            at: Set(old),
            actor_user_id: Set(Some(ana.user.id)),
            actor_username: Set("ana".into()),
            actor_role: Set(Some("tramitador".parse().unwrap())),
            authorisation_id: Set(None),
            client: Set(String::new()),
            action: Set("case.note".parse().unwrap()),
            outcome: Set("success".parse().unwrap()),
            target_kind: Set(None),
            target_id: Set(None),
            details: Set(None),
            ..Default::default()
        }
        .insert(&s.db)
        .await
        .unwrap();

        let f = |username: Option<&str>,
                 action: Option<&str>,
                 outcome: Option<&str>,
                 from: Option<&str>,
                 to: Option<&str>| AuditFilter {
            username: username.map(Into::into),
            action: action.map(Into::into),
            outcome: outcome.map(Into::into),
            from: from.map(Into::into),
            to: to.map(Into::into),
        };
        // Every row, newest first, in pages of 50 that neither repeat nor skip.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = audit::search(
                &s.db,
                &admin_user,
                &AuditFilter::default(),
                cursor.as_deref(),
            )
            .await
            .unwrap();
            assert!(page.rows.len() as u64 <= PAGE_SIZE);
            seen.extend(page.rows.iter().map(|r| r.id));
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), base + 124);
        assert_eq!(pages, (base + 124).div_ceil(PAGE_SIZE as usize));
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(sorted.len(), base + 124, "no row twice");
        let first = audit::search(&s.db, &admin_user, &AuditFilter::default(), None)
            .await
            .unwrap();
        assert_eq!(
            first.rows[0].action.code(),
            "auth.login_failed",
            "newest first"
        );
        assert_eq!(first.rows[0].username, "Intruso");
        assert!(
            first.rows[0].at.len() == 19 && first.rows[0].at.as_bytes()[2] == b'/',
            "shown as DD/MM/YYYY HH:MM:SS: {}",
            first.rows[0].at
        );

        let count = |filter: AuditFilter| {
            let (s, admin_user) = (s.clone(), admin_user.clone());
            async move {
                audit::search(&s.db, &admin_user, &filter, None)
                    .await
                    .unwrap()
                    .rows
                    .len()
            }
        };
        assert_eq!(
            count(f(Some("Intruso"), None, None, None, None)).await,
            3,
            "the username as typed"
        );
        assert_eq!(
            count(f(Some("ANA"), Some("case.note"), None, None, None)).await,
            1,
            "accounts in any case"
        );
        assert_eq!(
            count(f(None, Some("auth.login_failed"), None, None, None)).await,
            3
        );
        assert_eq!(
            count(f(Some("ana"), None, Some("refused"), None, None)).await,
            8
        );
        assert_eq!(
            count(f(
                None,
                Some("case.note"),
                None,
                Some("2026-01-15"),
                Some("15/01/2026")
            ))
            .await,
            1
        );
        assert_eq!(
            count(f(
                Some("ana"),
                None,
                None,
                Some("2026-01-01"),
                Some("2026-01-14")
            ))
            .await,
            0
        );
        let today = casia_services::clock::today_in_spain(chrono::Utc::now()).iso();
        assert_eq!(
            count(f(
                Some("ana"),
                Some("case.action"),
                Some("success"),
                Some(&today),
                Some(&today)
            ))
            .await,
            50,
            "a full first page"
        );

        // Bad input names its field; only administrators search.
        let bad = audit::search(
            &s.db,
            &admin_user,
            &f(
                None,
                Some("admin.everything"),
                None,
                Some("31/02/2026"),
                None,
            ),
            None,
        )
        .await;
        let fields: Vec<String> = match bad {
            Err(ServiceError::Invalid(e)) => e.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(fields, ["action", "from"]);
        assert!(
            matches!(audit::search(&s.db, &admin_user, &AuditFilter::default(), Some("zz")).await, Err(ServiceError::Invalid(e)) if e[0].field == "cursor")
        );
        assert!(matches!(
            audit::search(&s.db, &ana, &AuditFilter::default(), None).await,
            Err(ServiceError::Forbidden)
        ));
    }
);
