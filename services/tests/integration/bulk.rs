//! Bulk actions in the queues: each case on its own, with its own version check and answer.

use casia_domain::dto::{BulkCase, BulkInput};
use casia_domain::{CaseType, FieldProblem, Role, Substate};
use casia_services::cases::processor::bulk_act;
use casia_services::error::ServiceError;

use crate::fixtures;
use casia_services::db_test;

async fn picked(s: &casia_services::Services, numbers: &[i64]) -> Vec<BulkCase> {
    let mut out = Vec::new();
    for &number in numbers {
        out.push(BulkCase {
            number,
            version: fixtures::version_of(s, number).await,
        });
    }
    out
}

async fn substate(s: &casia_services::Services, number: i64) -> (Substate, Option<i64>) {
    let c = casia_services::cases::find_by_number(&s.db, number)
        .await
        .unwrap();
    (c.substate, c.assigned_to)
}

db_test!(a_bulk_take_does_every_case_but_the_one_that_changed, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let t2 = fixtures::staff(&s, "t2", Role::Tramitador).await;
    let mut numbers = Vec::new();
    for _ in 0..3 {
        numbers.push(fixtures::open(&s, &ana, CaseType::Consulta).await);
    }
    // The queue page t1 saw; meanwhile t2 takes the second case.
    let cases = picked(&s, &numbers).await;
    fixtures::act(&s, &t2, numbers[1], "take", "").await;
    let input = BulkInput {
        action: "take".into(),
        cases,
        ..BulkInput::default()
    };
    let results = bulk_act(&s, &t1, &input).await.unwrap();
    assert_eq!(results.iter().map(|(n, _)| *n).collect::<Vec<_>>(), numbers);
    assert!(results[0].1.is_ok() && results[2].1.is_ok(), "{results:?}");
    assert!(
        matches!(results[1].1, Err(ServiceError::Conflict)),
        "{results:?}"
    );
    assert_eq!(
        substate(&s, numbers[0]).await,
        (Substate::Asignado, Some(t1.user.id))
    );
    assert_eq!(
        substate(&s, numbers[1]).await,
        (Substate::Asignado, Some(t2.user.id))
    );
    assert_eq!(
        substate(&s, numbers[2]).await,
        (Substate::Asignado, Some(t1.user.id))
    );

    // Escalating: the lifecycle refuses a case that is not the caller's to escalate, alone.
    let sup = fixtures::staff(&s, "sup", Role::Supervisor).await;
    let input = BulkInput {
        action: "escalate".into(),
        cases: picked(&s, &numbers).await,
        text: "Varios casos iguales".into(),
        ..BulkInput::default()
    };
    let results = bulk_act(&s, &t1, &input).await.unwrap();
    assert!(results[0].1.is_ok() && results[2].1.is_ok(), "{results:?}");
    assert!(
        matches!(results[1].1, Err(ServiceError::Refused(_))),
        "{results:?}"
    );
    assert_eq!(substate(&s, numbers[0]).await.0, Substate::Escalado);

    // Assigning needs someone to assign to; then the supervisor reassigns both.
    let mut input = BulkInput {
        action: "assign".into(),
        cases: picked(&s, &[numbers[0], numbers[2]]).await,
        ..BulkInput::default()
    };
    assert!(matches!(
        bulk_act(&s, &sup, &input).await,
        Err(ServiceError::Invalid(e)) if e[0].field == "target_user_id"
    ));
    input.target_user_id = Some(t2.user.id);
    let results = bulk_act(&s, &sup, &input).await.unwrap();
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    assert_eq!(substate(&s, numbers[2]).await.1, Some(t2.user.id));
});

db_test!(bulk_actions_are_for_staff_and_three_actions_only, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let t1 = fixtures::staff(&s, "t1", Role::Tramitador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let input = |action: &str| BulkInput {
        action: action.into(),
        cases: vec![BulkCase {
            number: n,
            version: 0,
        }],
        ..BulkInput::default()
    };
    assert!(matches!(
        bulk_act(&s, &ana, &input("take")).await,
        Err(ServiceError::Forbidden)
    ));
    match bulk_act(&s, &t1, &input("resolve")).await {
        Err(ServiceError::Invalid(e)) => {
            assert_eq!(
                (e[0].field.as_str(), &e[0].problem),
                ("action", &FieldProblem::InvalidChoice)
            )
        }
        other => panic!("{other:?}"),
    }
    let none = BulkInput {
        cases: vec![],
        ..input("take")
    };
    assert!(matches!(
        bulk_act(&s, &t1, &none).await,
        Err(ServiceError::Invalid(e)) if e[0].field == "cases"
    ));
});
