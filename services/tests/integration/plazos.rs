//! Plazos: the resolution deadline at opening, its suspension and resumption through the
//! real processor and user actions, the user's deadline with its reminder (once, under two
//! workers), the expiry queue, withdrawal and more time, targets and calendars.

use casia_domain::dates::CalendarDate;
use casia_domain::deadlines::{self, DeadlineStatus};
use casia_domain::dto::{
    ModifyInformationForm, PlazosChange, PlazosChangeForm, PlazosSaved, QueuePage,
};
use casia_domain::lifecycle::HistoryAction;
use casia_domain::{CaseType, Refusal, Role, Substate};
use casia_services::Services;
use casia_services::accounts::Caller;
use casia_services::cases::processor::{Queue, QueueFilter, case_for_processor, dashboard, queue};
use casia_services::cases::{find_by_number, query, user_actions};
use casia_services::entity::{case, notice};
use casia_services::error::ServiceError;
use casia_services::plazos::{self, calendar_for, from_naive, to_naive, today};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures;
use casia_services::db_test;

struct World {
    ana: Caller,
    tram: Caller,
    admin: Caller,
    sup: Caller,
    auth_id: i64,
}

async fn world(s: &Services, email: Option<&str>, consent: bool) -> World {
    let auth = fixtures::authorisation(s, "1000001", email, consent).await;
    World {
        ana: fixtures::member(s, "ana", &auth, true).await,
        tram: fixtures::staff(s, "tram", Role::Tramitador).await,
        admin: fixtures::staff(s, "admin", Role::Administrador).await,
        sup: fixtures::staff(s, "sup", Role::Supervisor).await,
        auth_id: auth.id,
    }
}

/// Opens a case, takes it and asks the user for information.
async fn asked(s: &Services, w: &World) -> i64 {
    let n = fixtures::open(s, &w.ana, CaseType::Consulta).await;
    fixtures::act(s, &w.tram, n, "take", "").await;
    fixtures::act(s, &w.tram, n, "request_information", "Aporte el contrato.").await;
    n
}

async fn set_dates(s: &Services, n: i64, col: case::Column, day: CalendarDate) {
    case::Entity::update_many()
        .col_expr(col, Expr::value(to_naive(day)))
        .filter(case::Column::Number.eq(n))
        .exec(&s.db)
        .await
        .unwrap();
}

async fn history(s: &Services, w: &World, n: i64) -> Vec<HistoryAction> {
    case_for_processor(&s.db, &w.sup, n)
        .await
        .unwrap()
        .history
        .rows
        .iter()
        .map(|r| r.action)
        .collect()
}

/// One change of Administración → Plazos.
async fn change(
    s: &Services,
    who: &Caller,
    change: PlazosChange,
    apply_to_open: bool,
) -> Result<PlazosSaved, ServiceError> {
    let form = PlazosChangeForm {
        change,
        apply_to_open,
    };
    casia_services::admin::change_plazos(&s.db, who, &form).await
}

async fn unassigned(s: &Services, w: &World, cursor: Option<&str>) -> QueuePage {
    queue(
        &s.db,
        &w.tram,
        Queue::Unassigned,
        &QueueFilter::default(),
        cursor,
    )
    .await
    .unwrap()
}

async fn numbers(s: &Services, who: &Caller, q: Queue, sort: Option<&str>) -> Vec<i64> {
    let filter = QueueFilter {
        sort: sort.map(str::to_owned),
        ..QueueFilter::default()
    };
    queue(&s.db, who, q, &filter, None)
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.row.number)
        .collect()
}

db_test!(
    each_case_gets_its_deadline_at_opening_from_the_targets,
    |s| {
        let w = world(&s, None, false).await;
        let cal = calendar_for(&s.db, w.auth_id).await.unwrap();
        for (t, days) in [
            (CaseType::Consulta, 5),
            (CaseType::Incidencia, 3),
            (CaseType::Tramite, 20),
        ] {
            let n = fixtures::open(&s, &w.ana, t).await;
            let c = find_by_number(&s.db, n).await.unwrap();
            let want = deadlines::add_business_days(today(), days, &cal);
            assert_eq!(from_naive(c.resolution_deadline), want, "{t:?}");
            let d = query::detail_for_user(&s.db, &w.ana, n).await.unwrap();
            assert_eq!(d.deadlines.resolution_deadline, want);
            assert_eq!(d.deadlines.days_left, days);
            assert_eq!(d.deadlines.answer_deadline, None);
        }

        // An override for the subject: new cases get it; open ones keep theirs unless asked.
        let (subject, _, _) = fixtures::path_for(&s, CaseType::Consulta).await;
        let before = fixtures::open(&s, &w.ana, CaseType::Consulta).await;
        let target = |days: &str| PlazosChange::SetTarget {
            case_type: "consulta".into(),
            node_id: Some(subject),
            business_days: days.into(),
        };
        let saved = change(&s, &w.admin, target("8"), false).await.unwrap();
        assert_eq!(saved.recomputed, 0);
        let kept = find_by_number(&s.db, before).await.unwrap();
        assert_eq!(
            from_naive(kept.resolution_deadline),
            deadlines::add_business_days(today(), 5, &cal)
        );
        let after = fixtures::open(&s, &w.ana, CaseType::Consulta).await;
        let c = find_by_number(&s.db, after).await.unwrap();
        assert_eq!(
            from_naive(c.resolution_deadline),
            deadlines::add_business_days(today(), 8, &cal)
        );
        let saved = change(&s, &w.admin, target("8"), true).await.unwrap();
        assert!(saved.recomputed >= 2, "{saved:?}");
        let moved = find_by_number(&s.db, before).await.unwrap();
        assert_eq!(moved.resolution_deadline, c.resolution_deadline);

        // Bad input names its field; only administrators may change targets.
        let bad = change(&s, &w.admin, target("0"), false).await;
        assert!(matches!(bad, Err(ServiceError::Invalid(ref f)) if f[0].field == "business_days"));
        assert!(matches!(
            change(&s, &w.tram, target("8"), false).await,
            Err(ServiceError::Forbidden)
        ));

        // Resolved the same day: on time, in no business days; the dashboard counts it.
        fixtures::act(&s, &w.tram, after, "take", "").await;
        fixtures::act(&s, &w.tram, after, "resolve", "Resuelto.").await;
        let c = find_by_number(&s.db, after).await.unwrap();
        assert_eq!(c.resolved_on_time, Some(true));
        assert_eq!(c.resolution_business_days, Some(0));
        assert_eq!(c.answer_deadline, None);
        let figures = dashboard(&s.db, &w.sup).await.unwrap().deadlines;
        let this_month = figures.on_time_by_month.last().unwrap();
        assert_eq!((this_month.1, this_month.2), (1, 1));
        assert_eq!(figures.on_time_by_month.len(), 6);
        assert_eq!(figures.median_business_days_to_resolve, Some(0.0));
    }
);

db_test!(suspension_and_resumption_through_the_real_actions, |s| {
    let w = world(&s, None, false).await;
    let cal = calendar_for(&s.db, w.auth_id).await.unwrap();
    let n = asked(&s, &w).await;
    let c = find_by_number(&s.db, n).await.unwrap();
    assert_eq!(c.suspended_since.map(from_naive), Some(today()));
    let answer = deadlines::add_business_days(today(), 10, &cal);
    assert_eq!(c.answer_deadline.map(from_naive), Some(answer));
    let d = query::detail_for_user(&s.db, &w.ana, n).await.unwrap();
    assert_eq!(d.deadlines.status, Some(DeadlineStatus::Suspendido));
    assert_eq!(d.deadlines.answer_deadline, Some(answer));
    assert_eq!(
        history(&s, &w, n).await.last(),
        Some(&HistoryAction::Suspend),
        "the suspension has its history row"
    );

    // Three business days later the user answers: the deadline moves by three.
    let since = deadlines::add_business_days(today(), -3, &cal);
    set_dates(&s, n, case::Column::SuspendedSince, since).await;
    let original = from_naive(c.resolution_deadline);
    let form = ModifyInformationForm {
        information: "Adjunto el contrato.".into(),
        version: fixtures::version_of(&s, n).await,
        idempotency_key: "plazos-1".into(),
        ..ModifyInformationForm::default()
    };
    user_actions::modify_information(&s, &w.ana, n, form)
        .await
        .unwrap();
    let c = find_by_number(&s.db, n).await.unwrap();
    assert_eq!(c.substate, Substate::Asignado);
    assert_eq!(c.suspended_days, 3);
    assert_eq!(c.suspended_since, None);
    assert_eq!(
        from_naive(c.resolution_deadline),
        deadlines::add_business_days(original, 3, &cal)
    );
    let d = query::detail_for_user(&s.db, &w.ana, n).await.unwrap();
    assert_eq!(d.deadlines.suspended_days, 3);
    assert_ne!(d.deadlines.status, Some(DeadlineStatus::Suspendido));
    assert_eq!(d.deadlines.answer_deadline, None);
    let rows = history(&s, &w, n).await;
    assert_eq!(rows.last(), Some(&HistoryAction::Resume));
    assert_eq!(
        rows.iter()
            .filter(|r| **r == HistoryAction::Suspend)
            .count(),
        1
    );

    // A reclassification request suspends the clock the same way.
    fixtures::act(&s, &w.tram, n, "request_reclassification", "Es un Trámite.").await;
    let c = find_by_number(&s.db, n).await.unwrap();
    assert_eq!(c.suspended_since.map(from_naive), Some(today()));
});

db_test!(the_reminder_is_sent_once_under_two_workers, |s| {
    let w = world(&s, Some("avisos@gestoria.example"), true).await;
    let cal = calendar_for(&s.db, w.auth_id).await.unwrap();
    let n = asked(&s, &w).await;
    // Not due yet: ten business days left.
    let r = plazos::worker::run_once(&s.db).await.unwrap();
    assert_eq!(r.reminders, 0);
    set_dates(
        &s,
        n,
        case::Column::AnswerDeadline,
        deadlines::add_business_days(today(), 2, &cal),
    )
    .await;
    let (a, b) = tokio::join!(
        plazos::worker::run_once(&s.db),
        plazos::worker::run_once(&s.db)
    );
    assert_eq!(a.unwrap().reminders + b.unwrap().reminders, 1);
    assert_eq!(
        plazos::worker::run_once(&s.db).await.unwrap().reminders,
        0,
        "never twice"
    );
    let reminders = notice::Entity::find()
        .filter(notice::Column::Kind.eq("answer_reminder"))
        .all(&s.db)
        .await
        .unwrap();
    assert_eq!(reminders.len(), 1);
    // Consent given: it is mailed, and says the deadline.
    assert_eq!(reminders[0].email_status.code(), "pending");
    let mail = casia_services::mail::render(&reminders[0], "https://casia.example").unwrap();
    let day = deadlines::add_business_days(today(), 2, &cal).display();
    assert!(
        mail.text
            .contains(&format!("Fecha límite para aportar la información: {day}")),
        "{}",
        mail.text
    );
});

db_test!(without_consent_the_reminder_stays_in_the_inbox, |s| {
    let w = world(&s, Some("avisos@gestoria.example"), false).await;
    let cal = calendar_for(&s.db, w.auth_id).await.unwrap();
    let n = asked(&s, &w).await;
    set_dates(
        &s,
        n,
        case::Column::AnswerDeadline,
        deadlines::add_business_days(today(), 1, &cal),
    )
    .await;
    assert_eq!(plazos::worker::run_once(&s.db).await.unwrap().reminders, 1);
    let reminder = notice::Entity::find()
        .filter(notice::Column::Kind.eq("answer_reminder"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reminder.email_status.code(), "skipped");
});

db_test!(
    an_expired_answer_goes_to_its_queue_and_may_be_closed_or_extended,
    |s| {
        let w = world(&s, None, false).await;
        let cal = calendar_for(&s.db, w.auth_id).await.unwrap();
        let n = asked(&s, &w).await;
        let other = asked(&s, &w).await;
        assert!(
            numbers(&s, &w.tram, Queue::AnswerExpired, None)
                .await
                .is_empty()
        );
        assert!(matches!(
            fixtures::try_act(&s, &w.tram, n, "close_withdrawal", "Desistido.").await,
            Err(ServiceError::Refused(Refusal::AnswerNotOverdue))
        ));

        for number in [n, other] {
            set_dates(
                &s,
                number,
                case::Column::AnswerDeadline,
                deadlines::add_business_days(today(), -1, &cal),
            )
            .await;
        }
        let mut expired = numbers(&s, &w.tram, Queue::AnswerExpired, None).await;
        expired.sort();
        assert_eq!(expired, [n, other]);
        let r = plazos::worker::run_once(&s.db).await.unwrap();
        assert_eq!(r.expired, 2);
        assert_eq!(plazos::worker::run_once(&s.db).await.unwrap().expired, 0);
        assert_eq!(
            history(&s, &w, n).await.last(),
            Some(&HistoryAction::AnswerExpired)
        );

        // Withdrawal: closed and resolved with the text given.
        let text = casia_domain::Msg::TextoDesistimiento.text(casia_domain::Lang::Es);
        fixtures::act(&s, &w.tram, n, "close_withdrawal", text).await;
        let c = find_by_number(&s.db, n).await.unwrap();
        assert_eq!(c.substate, Substate::Resuelto);
        assert_eq!(c.resolution.as_deref(), Some(text));
        assert!(text.contains("68.1"));
        assert!(c.resolved_on_time.is_some());

        // More time: a new window from today, out of the queue, reminder and expiry re-armed.
        fixtures::act(&s, &w.tram, other, "grant_more_time", "").await;
        let c = find_by_number(&s.db, other).await.unwrap();
        assert_eq!(c.substate, Substate::SolicitadaInformacion);
        assert_eq!(
            c.answer_deadline.map(from_naive),
            Some(deadlines::add_business_days(today(), 10, &cal))
        );
        assert_eq!(c.answer_expired_at, None);
        assert!(
            numbers(&s, &w.tram, Queue::AnswerExpired, None)
                .await
                .is_empty()
        );
        assert_eq!(
            history(&s, &w, other).await.last(),
            Some(&HistoryAction::Act(casia_domain::Action::GrantMoreTime))
        );
    }
);

db_test!(queues_sort_by_deadline_unless_asked_otherwise, |s| {
    let w = world(&s, None, false).await;
    let tramite = fixtures::open(&s, &w.ana, CaseType::Tramite).await;
    let consulta = fixtures::open(&s, &w.ana, CaseType::Consulta).await;
    let incidencia = fixtures::open(&s, &w.ana, CaseType::Incidencia).await;
    assert_eq!(
        numbers(&s, &w.tram, Queue::Unassigned, None).await,
        [incidencia, consulta, tramite]
    );
    assert_eq!(
        numbers(&s, &w.tram, Queue::Unassigned, Some("oldest")).await,
        [tramite, consulta, incidencia]
    );
    assert_eq!(
        numbers(&s, &w.tram, Queue::Unassigned, Some("newest")).await,
        [incidencia, consulta, tramite]
    );
    let page = unassigned(&s, &w, None).await;
    let first = &page.rows[0].deadline;
    assert_eq!(first.days_left, 3);
    assert_eq!(first.status, Some(DeadlineStatus::EnPlazo));
    // A case whose deadline passed is `Vencido` and comes first.
    let cal = calendar_for(&s.db, w.auth_id).await.unwrap();
    set_dates(
        &s,
        tramite,
        case::Column::ResolutionDeadline,
        deadlines::add_business_days(today(), -1, &cal),
    )
    .await;
    let page = unassigned(&s, &w, None).await;
    assert_eq!(page.rows[0].row.number, tramite);
    assert_eq!(page.rows[0].deadline.status, Some(DeadlineStatus::Vencido));
    assert_eq!(
        dashboard(&s.db, &w.sup)
            .await
            .unwrap()
            .deadlines
            .at_risk_now,
        1
    );
});

db_test!(
    a_regional_holiday_moves_the_deadlines_of_its_authorisations,
    |s| {
        let w = world(&s, None, false).await;
        let data = casia_services::admin::plazos_admin(&s.db, &w.admin, None, None)
            .await
            .unwrap();
        assert!(
            data.holidays.len() >= 10 || data.year > 2027,
            "national holidays seeded"
        );
        let madrid = data
            .calendars
            .iter()
            .find(|c| c.code == "madrid")
            .unwrap()
            .id;
        let assign = PlazosChange::AssignCalendar {
            authorisation_id: w.auth_id,
            calendar_id: Some(madrid),
        };
        change(&s, &w.admin, assign, false).await.unwrap();
        let national = calendar_for(&s.db, w.auth_id).await.unwrap();
        // The next business day becomes a regional holiday.
        let holiday = deadlines::add_business_days(today(), 1, &national);
        let n = fixtures::open(&s, &w.ana, CaseType::Incidencia).await;
        let add = PlazosChange::AddHoliday {
            calendar_id: madrid,
            day: holiday.iso(),
            name: "Fiesta regional".into(),
        };
        let saved = change(&s, &w.admin, add.clone(), true).await.unwrap();
        assert_eq!(saved.recomputed, 1);
        let regional = calendar_for(&s.db, w.auth_id).await.unwrap();
        assert!(!regional.is_business_day(holiday));
        let c = find_by_number(&s.db, n).await.unwrap();
        assert_eq!(
            from_naive(c.resolution_deadline),
            deadlines::add_business_days(today(), 3, &regional)
        );
        assert_eq!(
            from_naive(c.resolution_deadline),
            deadlines::add_business_days(
                deadlines::add_business_days(today(), 3, &national),
                1,
                &regional
            )
        );
        // The same day twice is refused on its field.
        assert!(matches!(
            change(&s, &w.admin, add, true).await,
            Err(ServiceError::Invalid(ref f)) if f[0].field == "day"
        ));
    }
);

db_test!(paging_by_deadline_skips_and_repeats_nothing, |s| {
    let w = world(&s, None, false).await;
    let types = [CaseType::Tramite, CaseType::Consulta, CaseType::Incidencia];
    for i in 0..(casia_domain::dto::QUEUE_PAGE as usize + 7) {
        let t = types[i % 3];
        let mut form =
            fixtures::new_case_form(t, fixtures::path_for(&s, t).await, &format!("p{i}"));
        form.affects_current_period = Some(i % 2 == 0);
        casia_services::cases::open::open_case(&s, &w.ana, form)
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = unassigned(&s, &w, cursor.as_deref()).await;
        seen.extend(page.rows.iter().map(|r| r.row.number));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut want: Vec<case::Model> = case::Entity::find().all(&s.db).await.unwrap();
    want.sort_by_key(|c| (c.resolution_deadline, !c.affects_current_period, c.id));
    assert_eq!(seen, want.iter().map(|c| c.number).collect::<Vec<_>>());
});
