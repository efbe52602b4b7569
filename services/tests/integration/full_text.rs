//! `Buscar en los casos`: Spanish stems and accents, scope, ranking, fragments, and an index
//! that follows every change.

use casia_domain::dto::{CaseTextSearch, QueueFilter};
use casia_domain::model::{Queue, case_number};
use casia_domain::{CaseType, FieldProblem, Role};
use casia_services::Services;
use casia_services::accounts::Caller;
use casia_services::cases::full_text::{search_for_processor, search_for_user};
use casia_services::error::ServiceError;

use crate::fixtures;
use casia_services::db_test;

/// Opens a Consulta for `who` with this title and description; its number.
async fn open_with(s: &Services, who: &Caller, title: &str, description: &str) -> i64 {
    let path = fixtures::path_for(s, CaseType::Consulta).await;
    let mut form =
        fixtures::new_case_form(CaseType::Consulta, path, &uuid::Uuid::new_v4().to_string());
    form.title = title.into();
    form.description = description.into();
    casia_services::cases::open::open_case(s, who, form)
        .await
        .expect("open case")
        .number
}

async fn staff_finds(s: &Services, who: &Caller, text: &str) -> Vec<i64> {
    staff_finds_in(s, who, text, None, QueueFilter::default()).await
}

async fn staff_finds_in(
    s: &Services,
    who: &Caller,
    text: &str,
    queue: Option<Queue>,
    filter: QueueFilter,
) -> Vec<i64> {
    let search = CaseTextSearch {
        text: text.into(),
        queue: queue.map(|q| q.code().to_owned()),
        filter,
    };
    search_for_processor(&s.db, who, &search, None)
        .await
        .unwrap_or_else(|e| panic!("search {text}: {e:?}"))
        .hits
        .into_iter()
        .map(|h| h.row.row.number)
        .collect()
}

async fn user_finds(s: &Services, who: &Caller, text: &str) -> Vec<i64> {
    search_for_user(&s.db, who, text, None)
        .await
        .unwrap_or_else(|e| panic!("search {text}: {e:?}"))
        .hits
        .into_iter()
        .map(|h| h.row.number)
        .collect()
}

fn problem<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> (String, FieldProblem) {
    match r {
        Err(ServiceError::Invalid(e)) => (e[0].field.clone(), e[0].problem.clone()),
        other => panic!("expected a field problem, got {other:?}"),
    }
}

db_test!(finds_spanish_stems_without_accents, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let n = open_with(
        &s,
        &ana,
        "Cotización no reflejada",
        "La liquidación del día 31 no aparece en la Facturación de diciembre.",
    )
    .await;
    let other = open_with(&s, &ana, "Baja de trabajador", "Fin de contrato.").await;
    for text in [
        "reflejado",
        "REFLEJADAS",
        "dia",
        "facturacion",
        "liquidaciones diciembre",
    ] {
        assert_eq!(staff_finds(&s, &t1, text).await, [n], "{text}");
        assert_eq!(user_finds(&s, &ana, text).await, [n], "{text}");
    }
    // Every word must match.
    assert!(staff_finds(&s, &t1, "reflejada contrato").await.is_empty());
    // The title weighs more than the description: "baja" in a title ranks first.
    let third = open_with(&s, &ana, "Consulta general", "Una baja pendiente.").await;
    assert_eq!(staff_finds(&s, &t1, "baja").await, [other, third]);
    // A case number finds that case.
    let formatted = case_number::format(n);
    assert_eq!(staff_finds(&s, &t1, &formatted).await, [n]);
    assert_eq!(user_finds(&s, &ana, &formatted).await, [n]);
});

db_test!(fragments_mark_the_matching_words, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    open_with(
        &s,
        &ana,
        "Consulta",
        "Texto <script>alert(1)</script> con la nómina de enero reflejada.",
    )
    .await;
    let found = search_for_processor(
        &s.db,
        &t1,
        &CaseTextSearch {
            text: "nominas".into(),
            ..CaseTextSearch::default()
        },
        None,
    )
    .await
    .unwrap();
    let parts = &found.hits[0].fragment;
    let marked: Vec<&str> = parts
        .iter()
        .filter(|p| p.hit)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, ["nómina"]);
    // Markup stays text: the page escapes it.
    let all: String = parts.iter().map(|p| p.text.as_str()).collect();
    assert!(all.contains("<script>alert(1)</script>"), "{all}");
});

db_test!(each_caller_searches_only_what_they_may_see, |s| {
    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    let b = fixtures::authorisation(&s, "1000002", None, false).await;
    let ana = fixtures::member(&s, "ana", &a, true).await;
    let bea = fixtures::member(&s, "bea", &b, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let sup = fixtures::staff(&s, "sup", Role::Supervisor).await;
    let admin = fixtures::staff(&s, "admin", Role::Administrador).await;
    let mine = open_with(&s, &ana, "Embargo de salario", "Consulta sobre embargos.").await;
    let theirs = open_with(&s, &bea, "Embargo de nómina", "Otra consulta.").await;
    assert_eq!(user_finds(&s, &ana, "embargo").await, [mine]);
    assert_eq!(user_finds(&s, &bea, "embargo").await, [theirs]);
    // Another authorisation's number is not found either.
    assert!(
        user_finds(&s, &ana, &case_number::format(theirs))
            .await
            .is_empty()
    );
    let mut both = staff_finds(&s, &sup, "embargos").await;
    both.sort();
    assert_eq!(both, [mine, theirs]);
    // The queue filters narrow the search: one authorisation, one queue.
    let filter = QueueFilter {
        authorisation: Some("1000002".into()),
        ..QueueFilter::default()
    };
    assert_eq!(
        staff_finds_in(&s, &t1, "embargo", None, filter).await,
        [theirs]
    );
    fixtures::act(&s, &t1, mine, "take", "").await;
    assert_eq!(
        staff_finds_in(
            &s,
            &t1,
            "embargo",
            Some(Queue::Mine),
            QueueFilter::default()
        )
        .await,
        [mine]
    );
    assert_eq!(
        staff_finds_in(
            &s,
            &t1,
            "embargo",
            Some(Queue::Unassigned),
            QueueFilter::default()
        )
        .await,
        [theirs]
    );
    // Internal notes: processors find them, the authorised user never does.
    fixtures::act(
        &s,
        &t1,
        mine,
        "add_internal_note",
        "Revisar con la mutua colaboradora",
    )
    .await;
    assert_eq!(staff_finds(&s, &t1, "mutuas").await, [mine]);
    assert!(user_finds(&s, &ana, "mutua").await.is_empty());
    // Roles: users cannot use the processors' search and the other way round.
    let any = CaseTextSearch {
        text: "embargo".into(),
        ..CaseTextSearch::default()
    };
    for who in [&ana, &admin] {
        assert!(matches!(
            search_for_processor(&s.db, who, &any, None).await,
            Err(ServiceError::Forbidden)
        ));
    }
    assert!(matches!(
        search_for_user(&s.db, &t1, "embargo", None).await,
        Err(ServiceError::Forbidden)
    ));
});

db_test!(the_index_follows_every_change, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let n = open_with(&s, &ana, "Consulta", "Sin más datos.").await;
    assert!(user_finds(&s, &ana, "certificado").await.is_empty());
    fixtures::act(&s, &t1, n, "take", "").await;
    fixtures::act(
        &s,
        &t1,
        n,
        "request_information",
        "Aporte el certificado de empresa",
    )
    .await;
    assert_eq!(user_finds(&s, &ana, "certificados").await, [n]);
    assert_eq!(staff_finds(&s, &t1, "certificados empresas").await, [n]);
    // The user's answer.
    casia_services::cases::user_actions::modify_information(
        &s,
        &ana,
        n,
        casia_domain::dto::ModifyInformationForm {
            information: "Adjunto el justificante bancario".into(),
            version: fixtures::version_of(&s, n).await,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            ..casia_domain::dto::ModifyInformationForm::default()
        },
    )
    .await
    .expect("modify");
    assert_eq!(user_finds(&s, &ana, "bancarios").await, [n]);
    // The resolution.
    fixtures::act(&s, &t1, n, "resolve", "Resuelto: prestación reconocida").await;
    assert_eq!(staff_finds(&s, &t1, "reconocidas prestaciones").await, [n]);
    assert_eq!(user_finds(&s, &ana, "reconocida").await, [n]);
});

db_test!(a_search_needs_words_to_search_by, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let search = |text: &str| CaseTextSearch {
        text: text.into(),
        ..CaseTextSearch::default()
    };
    assert_eq!(
        problem(search_for_processor(&s.db, &t1, &search("  "), None).await),
        ("text".into(), FieldProblem::Required)
    );
    assert_eq!(
        problem(search_for_processor(&s.db, &t1, &search("de la que"), None).await),
        ("text".into(), FieldProblem::NothingToSearch)
    );
    assert_eq!(
        problem(search_for_user(&s.db, &ana, &"palabra ".repeat(40), None).await),
        ("text".into(), FieldProblem::TooLong { max: 200 })
    );
    assert_eq!(
        problem(search_for_processor(&s.db, &t1, &search("baja"), Some("7")).await),
        ("cursor".into(), FieldProblem::InvalidChoice)
    );
    // Quotes and FTS5 operators are words like any other.
    assert!(
        staff_finds(&s, &t1, "\"baja\" OR NEAR(x) *")
            .await
            .is_empty()
    );
});
