//! Live events: written in the change's transaction, scoped like the queries, and carried
//! between two instances on one database (PostgreSQL LISTEN/NOTIFY; SQLite by polling the
//! shared file).

use std::time::Duration;

use casia_domain::dto::ProcessorInput;
use casia_domain::{CaseType, Role};
use casia_services::db_test;
use casia_services::entity::case_event;
use casia_services::live::{self, Audience};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::fixtures;

db_test!(events_commit_with_their_change_and_follow_the_scope, |s| {
    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    let b = fixtures::authorisation(&s, "1000002", None, false).await;
    let ana = fixtures::member(&s, "ana", &a, true).await;
    let bea = fixtures::member(&s, "bea", &b, true).await;
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let mine = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let theirs = fixtures::open(&s, &bea, CaseType::Consulta).await;
    // An internal note: processors hear of it, the user must not.
    let version = fixtures::version_of(&s, mine).await;
    casia_services::cases::processor::act(
        &s,
        &tram,
        mine,
        ProcessorInput {
            action: "add_internal_note".into(),
            text: "Llamar mañana".into(),
            version,
            ..ProcessorInput::default()
        },
    )
    .await
    .unwrap();
    let numbers = |rows: Vec<case_event::Model>| -> Vec<i64> {
        rows.into_iter().map(|e| e.case_number).collect()
    };
    let anas = live::missed(&s.db, Audience::Authorisation(a.id), 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        numbers(anas),
        vec![mine],
        "her case opening, not the note nor B's case"
    );
    let staff = live::missed(&s.db, Audience::Staff, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(numbers(staff), vec![mine, theirs, mine]);

    // A refused change (stale version) writes no event.
    let before = case_event::Entity::find().count(&s.db).await.unwrap();
    let stale = casia_services::cases::processor::act(
        &s,
        &tram,
        mine,
        ProcessorInput {
            action: "take".into(),
            version: version - 1,
            ..ProcessorInput::default()
        },
    )
    .await;
    assert!(stale.is_err());
    assert_eq!(
        case_event::Entity::find().count(&s.db).await.unwrap(),
        before
    );
});

db_test!(an_event_written_by_one_instance_reaches_the_other, |s| {
    // A second instance: its own pool, its own hub and pump, on the same database.
    let other = casia_services::Services::start((*s.config).clone())
        .await
        .unwrap();
    let mut jobs = tokio::task::JoinSet::new();
    live::spawn(&other, &mut jobs);
    let mut heard = other.live.subscribe();
    tokio::time::sleep(Duration::from_millis(300)).await; // the pump has its cursor

    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &a, true).await;
    let number = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let event = tokio::time::timeout(Duration::from_secs(2), heard.recv())
        .await
        .expect("within 2 s")
        .unwrap();
    assert_eq!((event.case_number, event.authorisation_id), (number, a.id));
    other.shutdown.cancel();
    while jobs.join_next().await.is_some() {}
    other.db.close().await.ok();
});
