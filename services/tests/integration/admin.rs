//! Administration: taxonomy and document types (never deleting what cases use), accounts,
//! authorisations; administrators only.

use casia_domain::dto::{NewAccount, NewAuthorisationInput, NodeInput};
use casia_domain::{CaseType, FieldProblem, Role};
use casia_services::admin;
use casia_services::db_test;
use casia_services::error::ServiceError;

use crate::fixtures;

fn node(name: &str) -> NodeInput {
    NodeInput {
        name_es: name.into(),
        name_en: format!("{name} (en)"),
        help_es: "Ayuda".into(),
        help_en: "Help".into(),
        technical: false,
    }
}

db_test!(only_administrators_administer, |s| {
    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    let user = fixtures::member(&s, "ana", &a, true).await;
    let sup = fixtures::staff(&s, "sup", Role::Supervisor).await;
    for who in [&user, &sup] {
        assert!(matches!(
            admin::taxonomy(&s.db, who).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            admin::add_node(&s.db, who, "consulta", None, node("X")).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            admin::accounts(&s.db, who, "", 0).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            admin::set_account_active(&s.db, who, who.user.id, false).await,
            Err(ServiceError::Forbidden)
        ));
    }
});

db_test!(
    taxonomy_nodes_are_added_renamed_deactivated_and_never_deleted_when_used,
    |s| {
        let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
        let subject = admin::add_node(&s.db, &admin_user, "tramite", None, node("Prestaciones"))
            .await
            .unwrap();
        let category = admin::add_node(&s.db, &admin_user, "", Some(subject), node("Nacimiento"))
            .await
            .unwrap();
        let sub = admin::add_node(&s.db, &admin_user, "", Some(category), node("Solicitud"))
            .await
            .unwrap();
        // No fourth level, no duplicate sibling names.
        assert!(matches!(
            admin::add_node(&s.db, &admin_user, "", Some(sub), node("Más")).await,
            Err(ServiceError::Invalid(_))
        ));
        let dup = admin::add_node(&s.db, &admin_user, "tramite", None, node("prestaciones")).await;
        assert!(
            matches!(dup, Err(ServiceError::Invalid(e)) if e[0].problem == FieldProblem::AlreadyExists)
        );

        // A case uses the new path: it can be renamed and deactivated, not deleted.
        let a = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &a, true).await;
        let mut form =
            fixtures::new_case_form(CaseType::Tramite, (subject, category, Some(sub)), "k");
        form.documents.clear();
        let opened = casia_services::cases::open::open_case(&s, &ana, form)
            .await
            .unwrap();
        assert!(
            matches!(admin::delete_node(&s.db, &admin_user, sub).await, Err(ServiceError::Invalid(e)) if e[0].problem == FieldProblem::InUse)
        );
        admin::update_node(&s.db, &admin_user, sub, node("Solicitud inicial"))
            .await
            .unwrap();
        // The case follows the new name; its receipt says which name it was issued with.
        let d = casia_services::cases::query::detail_for_user(&s.db, &ana, opened.number)
            .await
            .unwrap();
        assert_eq!(d.subcategory.as_deref(), Some("Solicitud inicial"));
        assert_eq!(
            d.receipts[0].classification.as_deref(),
            Some("Trámite / Prestaciones / Nacimiento / Solicitud")
        );
        admin::set_node_active(&s.db, &admin_user, sub, false)
            .await
            .unwrap();
        let tree = casia_services::taxonomy::load(&s.db, casia_domain::Lang::Es)
            .await
            .unwrap();
        assert!(
            tree.children(category).is_empty(),
            "inactive nodes are not offered"
        );
        let n = tree.node(sub).unwrap();
        assert_eq!((n.name.as_str(), n.active), ("Solicitud inicial", false));
        // New cases can no longer choose it.
        let form = fixtures::new_case_form(CaseType::Tramite, (subject, category, Some(sub)), "k2");
        assert!(matches!(
            casia_services::cases::open::open_case(&s, &ana, form).await,
            Err(ServiceError::Invalid(_))
        ));
        // An unused leaf can be deleted.
        let spare = admin::add_node(&s.db, &admin_user, "", Some(category), node("Sin uso"))
            .await
            .unwrap();
        admin::delete_node(&s.db, &admin_user, spare).await.unwrap();
    }
);

db_test!(document_types_are_added_renamed_and_deactivated, |s| {
    let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
    let id = admin::add_document_type(&s.db, &admin_user, "Modelo TA.2/S", "TA.2/S form")
        .await
        .unwrap();
    admin::update_document_type(
        &s.db,
        &admin_user,
        id,
        "Modelo TA.2/S (afiliación)",
        "TA.2/S form",
        false,
    )
    .await
    .unwrap();
    let types = admin::document_types(&s.db, &admin_user).await.unwrap();
    let t = types.iter().find(|t| t.id == id).unwrap();
    assert_eq!(
        (t.name.as_str(), t.active),
        ("Modelo TA.2/S (afiliación)", false)
    );
    assert!(matches!(
        admin::add_document_type(&s.db, &admin_user, "Modelo TA.2/S", "x").await,
        Err(ServiceError::Invalid(_))
    ));
});

db_test!(accounts_are_created_deactivated_and_reset, |s| {
    let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
    let id = admin::create_account(
        &s.db,
        &admin_user,
        NewAccount {
            username: "nuevo.tramitador".into(),
            full_name: "Nuevo Tramitador".into(),
            email: "".into(),
            role: "tramitador".into(),
            password: "una-clave-larga".into(),
        },
    )
    .await
    .unwrap();
    let (token, _) = {
        let logged = fixtures::attempt(&s, "nuevo.tramitador", "una-clave-larga", "t")
            .await
            .unwrap();
        (logged.token, ())
    };
    admin::set_account_active(&s.db, &admin_user, id, false)
        .await
        .unwrap();
    assert!(
        !fixtures::session_works(&s, &token).await,
        "sessions end at once"
    );
    assert!(
        fixtures::attempt(&s, "nuevo.tramitador", "una-clave-larga", "t")
            .await
            .is_err()
    );
    admin::set_account_active(&s.db, &admin_user, id, true)
        .await
        .unwrap();
    assert!(matches!(
        admin::reset_password(&s.db, &admin_user, id, "corta").await,
        Err(ServiceError::Invalid(_))
    ));
    admin::reset_password(&s.db, &admin_user, id, "otra-clave-larga")
        .await
        .unwrap();
    assert!(
        fixtures::attempt(&s, "nuevo.tramitador", "otra-clave-larga", "t")
            .await
            .is_ok()
    );
    // An administrator cannot lock themself out, and is told why (next to "Desactivar").
    match admin::set_account_active(&s.db, &admin_user, admin_user.user.id, false).await {
        Err(ServiceError::Invalid(e)) => assert_eq!(
            (e[0].field.as_str(), &e[0].problem),
            ("active", &FieldProblem::OwnAccount)
        ),
        other => panic!("deactivating oneself: {other:?}"),
    }
    let list = admin::accounts(&s.db, &admin_user, "", 0)
        .await
        .unwrap()
        .items;
    assert!(
        list.iter()
            .any(|a| a.username == "nuevo.tramitador" && a.role == Role::Tramitador)
    );
});

db_test!(authorisations_members_and_main_user, |s| {
    let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
    let a = admin::create_authorisation(
        &s.db,
        &admin_user,
        NewAuthorisationInput {
            number: "7777777".into(),
            company_name: "Asesoría Nueva, S.L.".into(),
            nif: "B99999999".into(),
            contact_email: "".into(),
            consent: false,
        },
    )
    .await
    .unwrap();
    fixtures::user(&s, "ana", Role::Autorizado).await;
    let luis = fixtures::user(&s, "luis", Role::Autorizado).await;
    fixtures::user(&s, "tram", Role::Tramitador).await;
    admin::add_member(&s.db, &admin_user, a, "ana", true)
        .await
        .unwrap();
    admin::add_member(&s.db, &admin_user, a, "luis", false)
        .await
        .unwrap();
    assert!(
        admin::add_member(&s.db, &admin_user, a, "tram", false)
            .await
            .is_err(),
        "staff cannot be members"
    );
    // A username nobody has: said so, on the username field.
    match admin::add_member(&s.db, &admin_user, a, "nadie", false).await {
        Err(ServiceError::Invalid(e)) => assert_eq!(
            (e[0].field.as_str(), &e[0].problem),
            ("username", &FieldProblem::UnknownUsername)
        ),
        other => panic!("an unknown username: {other:?}"),
    }
    let view = admin::authorisations(&s.db, &admin_user, "", 0)
        .await
        .unwrap()
        .items;
    let v = view.iter().find(|x| x.id == a).unwrap();
    assert_eq!(v.members.len(), 2);
    let ana_id = v
        .members
        .iter()
        .find(|m| m.username == "ana")
        .unwrap()
        .user_id;
    assert!(
        matches!(admin::remove_member(&s.db, &admin_user, a, ana_id).await, Err(ServiceError::Invalid(e)) if e[0].problem == FieldProblem::InUse)
    );
    admin::set_main_user(&s.db, &admin_user, a, luis.id)
        .await
        .unwrap();
    admin::remove_member(&s.db, &admin_user, a, ana_id)
        .await
        .unwrap();
    let view = admin::authorisations(&s.db, &admin_user, "", 0)
        .await
        .unwrap()
        .items;
    let v = view.iter().find(|x| x.id == a).unwrap();
    assert_eq!(
        v.members
            .iter()
            .map(|m| (m.username.as_str(), m.main))
            .collect::<Vec<_>>(),
        [("luis", true)]
    );
});

db_test!(
    a_deactivated_authorisation_cannot_be_acted_for_until_reactivated,
    |s| {
        use casia_services::accounts;
        let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
        let a = fixtures::authorisation(&s, "1000001", None, false).await;
        let b = fixtures::authorisation(&s, "1000002", None, false).await;
        let ana = fixtures::member(&s, "ana", &a, true).await;
        casia_services::authorisations::add_member(&s.db, b.id, ana.user.id, false)
            .await
            .unwrap();
        let number = fixtures::open(&s, &ana, CaseType::Consulta).await;
        let (token, _) = fixtures::login(&s, "ana").await;
        accounts::choose_authorisation(
            &s.db,
            &accounts::caller_from_token(&s.db, &s.config.session, &token)
                .await
                .unwrap(),
            a.id,
        )
        .await
        .unwrap();

        // Only administrators, and only existing authorisations.
        assert!(matches!(
            admin::set_authorisation_active(&s.db, &ana, a.id, false).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            admin::set_authorisation_active(&s.db, &admin_user, 999_999, false).await,
            Err(ServiceError::NotFound)
        ));
        admin::set_authorisation_active(&s.db, &admin_user, a.id, false)
            .await
            .unwrap();

        // The open session no longer acts for it, the picker no longer offers it, its cases stay.
        let now = accounts::caller_from_token(&s.db, &s.config.session, &token)
            .await
            .unwrap();
        assert!(now.authorisation.is_none());
        assert!(matches!(
            casia_services::cases::query::detail_for_user(&s.db, &now, number).await,
            Err(ServiceError::PickAuthorisation)
        ));
        let offered: Vec<String> = accounts::user_authorisations(&s.db, ana.user.id)
            .await
            .unwrap()
            .into_iter()
            .map(|x| x.number)
            .collect();
        assert_eq!(offered, ["1000002"]);
        assert!(
            accounts::choose_authorisation(&s.db, &now, a.id)
                .await
                .is_err()
        );
        let listed = admin::authorisations(&s.db, &admin_user, "", 0)
            .await
            .unwrap()
            .items;
        assert!(!listed.iter().find(|x| x.id == a.id).unwrap().active);

        // Reactivated: chosen again, its cases are there.
        admin::set_authorisation_active(&s.db, &admin_user, a.id, true)
            .await
            .unwrap();
        accounts::choose_authorisation(&s.db, &now, a.id)
            .await
            .unwrap();
        let again = accounts::caller_from_token(&s.db, &s.config.session, &token)
            .await
            .unwrap();
        assert_eq!(
            casia_services::cases::query::detail_for_user(&s.db, &again, number)
                .await
                .unwrap()
                .number,
            number
        );
    }
);

db_test!(
    the_administrators_lists_come_in_pages_of_fifty_and_filter_by_name_or_number,
    |s| {
        use casia_domain::dto::ADMIN_PAGE_SIZE;
        let admin_user = fixtures::staff(&s, "admin", Role::Administrador).await;
        for i in 0..60 {
            let a = fixtures::authorisation(&s, &format!("20000{i:02}"), None, false).await;
            let u = fixtures::user(&s, &format!("gestor{i:02}"), Role::Autorizado).await;
            casia_services::authorisations::add_member(&s.db, a.id, u.id, false)
                .await
                .unwrap();
        }
        // 61 accounts (with the administrator): 50, then 11.
        let first = admin::accounts(&s.db, &admin_user, "", 0).await.unwrap();
        assert_eq!(first.items.len() as u64, ADMIN_PAGE_SIZE);
        assert!(first.has_next);
        let second = admin::accounts(&s.db, &admin_user, "", 1).await.unwrap();
        assert_eq!(second.items.len(), 11);
        assert!(!second.has_next);
        assert!(
            first
                .items
                .iter()
                .all(|a| second.items.iter().all(|b| a.id != b.id)),
            "pages do not overlap"
        );
        let gestor = first
            .items
            .iter()
            .find(|a| a.username == "gestor07")
            .unwrap();
        assert_eq!(gestor.authorisations, ["2000007"]);
        // By username or name, whatever the case; wildcards are taken literally.
        let found = admin::accounts(&s.db, &admin_user, "  NOMBRE GESTOR0", 0)
            .await
            .unwrap();
        assert_eq!(found.items.len(), 10);
        assert!(
            admin::accounts(&s.db, &admin_user, "%", 0)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(
            admin::accounts(&s.db, &admin_user, "gestor_1", 0)
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let first = admin::authorisations(&s.db, &admin_user, "", 0)
            .await
            .unwrap();
        assert_eq!(
            (first.items.len() as u64, first.has_next),
            (ADMIN_PAGE_SIZE, true)
        );
        assert_eq!(
            first.items[7]
                .members
                .iter()
                .map(|m| m.username.as_str())
                .collect::<Vec<_>>(),
            ["gestor07"]
        );
        assert_eq!(
            admin::authorisations(&s.db, &admin_user, "", 1)
                .await
                .unwrap()
                .items
                .len(),
            10
        );
        let by_number = admin::authorisations(&s.db, &admin_user, "2000059", 0)
            .await
            .unwrap();
        assert_eq!(
            by_number
                .items
                .iter()
                .map(|a| a.number.as_str())
                .collect::<Vec<_>>(),
            ["2000059"]
        );
        let by_name = admin::authorisations(&s.db, &admin_user, "empresa 200001", 0)
            .await
            .unwrap();
        assert_eq!(by_name.items.len(), 10);
    }
);
