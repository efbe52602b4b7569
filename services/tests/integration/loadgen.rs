//! The benchmark data generator (`casia generate`): on PostgreSQL it fills a database the
//! application then reads as its own; on SQLite it refuses with a clear message.

use casia_domain::CaseType;
use casia_domain::dto::SearchForm;
use casia_services::ServiceError;
use casia_services::accounts;
use casia_services::cases::query;
use casia_services::db::is_sqlite;
use casia_services::db_test;
use casia_services::loadgen::{self, LoadPlan};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::fixtures;

async fn scalar(s: &casia_services::Services, sql: &str) -> i64 {
    let row =
        s.db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
            .await
            .unwrap()
            .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

db_test!(
    generated_data_is_consistent_and_usable_by_the_application,
    |s| {
        let plan = LoadPlan {
            cases: 3_000,
            authorisations: 30,
            months: 24,
            processors: 5,
            ..LoadPlan::default()
        };
        if is_sqlite(&s.db) {
            let Err(ServiceError::Internal(why)) = loadgen::generate(&s, &plan, |_| {}).await
            else {
                panic!("SQLite must be refused")
            };
            assert!(why.contains("PostgreSQL"), "{why}");
            return;
        }
        let report = loadgen::generate(&s, &plan, |_| {})
            .await
            .expect("generate");
        assert_eq!(report.cases, 3_000);
        assert_eq!(report.authorisations, 30);
        assert!(
            report.history_rows >= 3_000 && report.documents > 0 && report.rated > 0,
            "{report:?}"
        );

        // Every case has its opening row, numbers are unique, and the year's counter is past them.
        assert_eq!(scalar(&s, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.action = 'open')").await, 0);
        assert_eq!(
            scalar(&s, "SELECT count(DISTINCT number) FROM cases").await,
            3_000
        );
        assert_eq!(scalar(&s, "SELECT count(*) FROM cases c JOIN case_counters k ON k.year = c.number / 10000000 WHERE c.number % 10000000 > k.last_value").await, 0);
        // Closed cases are the state of their substate; a case's opener belongs to its authorisation.
        assert_eq!(scalar(&s, "SELECT count(*) FROM cases WHERE (substate IN ('resuelto','anulado')) <> (state = 'cerrado')").await, 0);
        assert_eq!(scalar(&s, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM authorisation_members m WHERE m.authorisation_id = c.authorisation_id AND m.user_id = c.opened_by)").await, 0);
        // Sizes are skewed: the largest authorisation has many times the median's cases.
        let largest = scalar(&s, &format!("SELECT count(*) FROM cases c JOIN authorisations a ON a.id = c.authorisation_id WHERE a.number = '{}'", report.largest_authorisation)).await;
        assert!(largest > 300, "{largest}");

        // The largest authorisation's user signs in with the documented password and finds last
        // month's cases through the application's own search.
        let logged = accounts::login(
            &s.db,
            &s.config.login,
            &s.config.session,
            &report.largest_user,
            loadgen::LOAD_PASSWORD,
            "test",
        )
        .await
        .expect("generated users sign in");
        let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
            .await
            .unwrap();
        let today = casia_services::clock::today_in_spain(casia_services::clock::now());
        let last_month = today.previous_month().last_of_month();
        let form = SearchForm {
            state: "todos".into(),
            from: last_month.first_of_month().iso(),
            to: last_month.iso(),
            ..SearchForm::default()
        };
        let found = query::search(&s.db, &caller, &form, None)
            .await
            .expect("search");
        assert!(!found.rows.is_empty());
        let in_month = scalar(&s, &format!(
        "SELECT count(*) FROM cases c JOIN authorisations a ON a.id = c.authorisation_id WHERE a.number = '{}' \
         AND c.opened_at >= '{} 00:00 Europe/Madrid' AND c.opened_at < '{} 00:00 Europe/Madrid'",
        report.largest_authorisation, last_month.first_of_month().iso(), today.first_of_month().iso())).await;
        assert_eq!(
            found.rows.len() as i64,
            in_month.min(query::PAGE_SIZE as i64)
        );

        // A case opened afterwards continues the numbering.
        let max_before = scalar(&s, "SELECT max(number) FROM cases").await;
        let number = fixtures::open(&s, &caller, CaseType::Consulta).await;
        assert!(number > max_before, "{number} after {max_before}");

        // Generating twice into the same database is refused.
        let Err(ServiceError::Internal(why)) = loadgen::generate(&s, &plan, |_| {}).await else {
            panic!("second run must be refused")
        };
        assert!(why.contains("already has cases"), "{why}");
    }
);
