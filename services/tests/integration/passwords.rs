//! Own password change, forced change after an administrator's reset, one's sessions, and
//! the password-guessing throttle (delays, their expiry, bursts, the contact re-check).

use casia_domain::{FieldProblem, Role};
use casia_services::accounts::{self, session_id};
use casia_services::config::LoginLimits;
use casia_services::entity::{audit_log, login_failure, session};
use casia_services::error::ServiceError;
use casia_services::{Services, admin, passwords, sessions};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::{self, PASSWORD};
use casia_services::db_test;

const NEW_PASSWORD: &str = "nueva frase de paso larga";

async fn actions(s: &casia_services::Services) -> Vec<String> {
    use sea_orm::QueryOrder;
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.code().to_owned())
        .collect()
}

/// Makes every recorded failure `seconds` older, as if that much time had passed.
async fn age_failures(s: &casia_services::Services, seconds: i64) {
    for f in login_failure::Entity::find().all(&s.db).await.unwrap() {
        login_failure::Entity::update_many()
            .col_expr(
                login_failure::Column::At,
                Expr::value(f.at - Duration::seconds(seconds)),
            )
            .filter(login_failure::Column::Id.eq(f.id))
            .exec(&s.db)
            .await
            .unwrap();
    }
}

/// Pepe's account, and the test's login limits: the configured ones, changed by `change`.
async fn pepe_with_limits(s: &Services, change: impl FnOnce(&mut LoginLimits)) -> LoginLimits {
    fixtures::user(s, "pepe", Role::Autorizado).await;
    let mut limits = s.config.login.clone();
    change(&mut limits);
    limits
}

db_test!(
    changing_the_password_ends_every_other_session_and_keeps_this_one,
    |s| {
        fixtures::user(&s, "pepe", Role::Autorizado).await;
        let (this, caller) = fixtures::login(&s, "pepe").await;
        let (other, _) = fixtures::login(&s, "pepe").await;
        let (third, _) = fixtures::login(&s, "pepe").await;

        let ended = passwords::change_password(
            &s.db,
            &s.config.login,
            &caller,
            PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD,
        )
        .await
        .unwrap();
        assert_eq!(ended, 2);
        assert!(
            fixtures::session_works(&s, &this).await,
            "this session stays"
        );
        for gone in [other, third] {
            assert!(matches!(
                accounts::caller_from_token(&s.db, &s.config.session, &gone).await,
                Err(ServiceError::NotSignedIn)
            ));
        }
        // The old password no longer opens the account; the new one does.
        let old = fixtures::attempt(&s, "pepe", PASSWORD, "c9").await;
        assert!(matches!(old, Err(ServiceError::BadCredentials)));
        assert!(
            fixtures::attempt(&s, "pepe", NEW_PASSWORD, "c9")
                .await
                .is_ok()
        );
        assert!(actions(&s).await.contains(&"password.changed".to_owned()));
    }
);

db_test!(
    a_password_change_needs_the_current_password_and_a_good_new_one,
    |s| {
        fixtures::user(&s, "pepe", Role::Autorizado).await;
        let (_, caller) = fixtures::login(&s, "pepe").await;
        let problem = |r: Result<u64, ServiceError>| match r {
            Err(ServiceError::Invalid(e)) => (e[0].field.clone(), e[0].problem.clone()),
            other => panic!("{other:?}"),
        };
        let change = |current: &'static str, new: &'static str, repeat: &'static str| {
            let (s, caller) = (s.clone(), caller.clone());
            async move {
                passwords::change_password(&s.db, &s.config.login, &caller, current, new, repeat)
                    .await
            }
        };
        assert_eq!(
            problem(change("otra-cosa-mal", NEW_PASSWORD, NEW_PASSWORD).await),
            ("current_password".into(), FieldProblem::WrongPassword)
        );
        assert_eq!(
            problem(change(PASSWORD, "123456789012", "123456789012").await),
            ("new_password".into(), FieldProblem::WeakPassword)
        );
        assert_eq!(
            problem(change(PASSWORD, NEW_PASSWORD, "otra distinta de verdad").await),
            ("repeat_password".into(), FieldProblem::PasswordMismatch)
        );
        let log = actions(&s).await;
        assert_eq!(
            log.iter()
                .filter(|a| *a == "password.change_failed")
                .count(),
            1,
            "{log:?}"
        );
        // Nothing changed: the old password still works.
        assert!(fixtures::attempt(&s, "pepe", PASSWORD, "c9").await.is_ok());
    }
);

db_test!(
    an_administrators_reset_forces_a_change_at_the_next_login,
    |s| {
        let admin_user = fixtures::staff(&s, "jefa", Role::Administrador).await;
        let u = fixtures::user(&s, "pepe", Role::Tramitador).await;
        let (before, _) = fixtures::login(&s, "pepe").await;
        // The policy applies to resets too.
        let weak = admin::reset_password(&s.db, &admin_user, u.id, "password1234").await;
        assert!(
            matches!(weak, Err(ServiceError::Invalid(ref e)) if e[0].problem == FieldProblem::WeakPassword),
            "{weak:?}"
        );
        admin::reset_password(&s.db, &admin_user, u.id, "clave temporal de hoy")
            .await
            .unwrap();
        assert!(
            !fixtures::session_works(&s, &before).await,
            "the reset ends sessions"
        );

        let logged = fixtures::attempt(&s, "pepe", "clave temporal de hoy", "c1")
            .await
            .unwrap();
        assert!(logged.password_change_required);
        let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
            .await
            .unwrap();
        assert!(caller.password_change_required);

        passwords::change_password(
            &s.db,
            &s.config.login,
            &caller,
            "clave temporal de hoy",
            NEW_PASSWORD,
            NEW_PASSWORD,
        )
        .await
        .unwrap();
        let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
            .await
            .unwrap();
        assert!(
            !caller.password_change_required,
            "the change clears the flag"
        );
        let again = fixtures::attempt(&s, "pepe", NEW_PASSWORD, "c1")
            .await
            .unwrap();
        assert!(!again.password_change_required);
    }
);

db_test!(the_sessions_list_shows_only_ones_own_and_ends_them, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    fixtures::user(&s, "otra", Role::Autorizado).await;
    let (this, caller) = fixtures::login(&s, "pepe").await;
    let (other, _) = fixtures::login(&s, "pepe").await;
    sessions::set_device(
        &s.db,
        &other,
        "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36",
    )
    .await
    .unwrap();
    let (strangers, _) = fixtures::login(&s, "otra").await;

    let list = sessions::list(&s.db, &caller).await.unwrap();
    assert_eq!(list.len(), 2, "only pepe's sessions");
    assert_eq!(list.iter().filter(|v| v.current).count(), 1);
    let other_row = list.iter().find(|v| !v.current).unwrap();
    assert_eq!(other_row.device, "Chrome · Linux");
    assert_eq!(other_row.client, "test");
    // Rows are named by an id that is neither the token nor the stored hash.
    assert!(
        list.iter()
            .all(|v| v.id != session_id(&this) && v.id != session_id(&other) && v.id != this)
    );

    // Another user's session cannot be ended, even knowing its public id; nor the current one.
    let strangers_id = sessions::public_id(&session_id(&strangers));
    assert!(matches!(
        sessions::end(&s.db, &caller, &strangers_id).await,
        Err(ServiceError::NotFound)
    ));
    let current_id = list.iter().find(|v| v.current).unwrap().id.clone();
    assert!(matches!(
        sessions::end(&s.db, &caller, &current_id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(fixtures::session_works(&s, &strangers).await);

    sessions::end(&s.db, &caller, &other_row.id).await.unwrap();
    assert!(!fixtures::session_works(&s, &other).await);
    assert!(fixtures::session_works(&s, &this).await);

    let (second, _) = fixtures::login(&s, "pepe").await;
    let (third, _) = fixtures::login(&s, "pepe").await;
    assert_eq!(sessions::end_others(&s.db, &caller).await.unwrap(), 2);
    for gone in [second, third] {
        assert!(!fixtures::session_works(&s, &gone).await);
    }
    assert!(fixtures::session_works(&s, &this).await);
    assert!(
        fixtures::session_works(&s, &strangers).await,
        "other users keep theirs"
    );
    let log = actions(&s).await;
    assert!(
        log.contains(&"session.ended".to_owned())
            && log.contains(&"session.others_ended".to_owned()),
        "{log:?}"
    );
});

db_test!(logins_beyond_the_cap_end_the_oldest_session, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    let max = s.config.session.max_per_user as usize;
    let mut tokens = Vec::new();
    for _ in 0..max + 1 {
        tokens.push(fixtures::login(&s, "pepe").await.0);
        // Distinct creation times.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let open = session::Entity::find().count(&s.db).await.unwrap() as usize;
    assert_eq!(open, max);
    assert!(
        !fixtures::session_works(&s, &tokens[0]).await,
        "the oldest ended"
    );
    assert!(fixtures::session_works(&s, &tokens[max]).await);
});

db_test!(
    delays_grow_with_each_failure_and_expire_with_the_window,
    |s| {
        fixtures::user(&s, "pepe", Role::Autorizado).await;
        let limits = s.config.login.clone();
        let login = |password: &'static str, client: &'static str| {
            let (s, limits) = (s.clone(), limits.clone());
            async move {
                accounts::login(&s.db, &limits, &s.config.session, "pepe", password, client)
                    .await
                    .map(|_| ())
            }
        };
        for _ in 0..limits.free_failures {
            assert!(matches!(
                login("mal", "c1").await,
                Err(ServiceError::BadCredentials)
            ));
        }
        // 1 s, then 2 s, then 4 s: each wait is told, and passing it allows one more guess.
        for expected in [1, 2, 4] {
            match login("mal", "c1").await {
                Err(ServiceError::TooManyAttempts {
                    retry_after_seconds,
                }) => assert_eq!(retry_after_seconds, expected),
                other => panic!("{other:?}"),
            }
            age_failures(&s, expected).await;
            assert!(matches!(
                login("mal", "c1").await,
                Err(ServiceError::BadCredentials)
            ));
        }
        assert!(matches!(
            login(PASSWORD, "c1").await,
            Err(ServiceError::TooManyAttempts {
                retry_after_seconds: 8
            })
        ));
        let log = actions(&s).await;
        assert!(
            log.contains(&"auth.login_throttled".to_owned())
                && log.contains(&"auth.login_failed".to_owned())
        );
        // Once the window has passed, the failures are forgotten.
        age_failures(&s, limits.window_minutes * 60 + 1).await;
        assert!(login(PASSWORD, "c1").await.is_ok());
        assert!(actions(&s).await.contains(&"auth.login".to_owned()));
    }
);

db_test!(
    guesses_from_many_clients_keep_the_real_user_out_only_briefly,
    |s| {
        let limits = pepe_with_limits(&s, |l| {
            l.username_free_failures = 4;
            l.username_max_delay_seconds = 3;
        })
        .await;
        let clients = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"];
        let mut refused = 0;
        for c in clients {
            // Each attacker address stays within its own free failures.
            match accounts::login(&s.db, &limits, &s.config.session, "pepe", "adivina", c).await {
                Err(ServiceError::BadCredentials) => {}
                Err(ServiceError::TooManyAttempts {
                    retry_after_seconds,
                }) => {
                    assert!(retry_after_seconds <= limits.username_max_delay_seconds);
                    refused += 1;
                }
                other => panic!("{:?}", other.map(|_| ())),
            }
        }
        assert!(
            refused > 0,
            "the shared limit slows guesses spread over clients"
        );
        // The real user, on their own address, waits at most the short shared delay.
        match accounts::login(&s.db, &limits, &s.config.session, "pepe", PASSWORD, "home").await {
            Err(ServiceError::TooManyAttempts {
                retry_after_seconds,
            }) => assert!(retry_after_seconds <= 3),
            Ok(_) => {}
            Err(e) => panic!("{e:?}"),
        }
        age_failures(&s, limits.username_max_delay_seconds).await;
        assert!(
            accounts::login(&s.db, &limits, &s.config.session, "pepe", PASSWORD, "home")
                .await
                .is_ok()
        );
    }
);

db_test!(
    a_burst_of_concurrent_guesses_gets_at_most_the_free_password_checks,
    |s| {
        let limits = pepe_with_limits(&s, |l| {
            l.free_failures = 3;
        })
        .await;
        let guesses = (0..15).map(|i| {
            let (s, limits) = (s.clone(), limits.clone());
            tokio::spawn(async move {
                accounts::login(
                    &s.db,
                    &limits,
                    &s.config.session,
                    "pepe",
                    &format!("intento-{i}"),
                    "c1",
                )
                .await
                .map(|_| ())
            })
        });
        let results: Vec<_> = futures::future::join_all(guesses)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let checked = results
            .iter()
            .filter(|r| matches!(r, Err(ServiceError::BadCredentials)))
            .count();
        let waiting = results
            .iter()
            .filter(|r| matches!(r, Err(ServiceError::TooManyAttempts { .. })))
            .count();
        assert_eq!(checked + waiting, 15, "{results:?}");
        assert!(
            checked <= 3,
            "at most 3 passwords checked in the burst, {checked} were"
        );
        // Refused guesses leave no failure behind: exactly the checked ones count.
        assert_eq!(
            login_failure::Entity::find().count(&s.db).await.unwrap() as usize,
            checked
        );
    }
);

db_test!(
    the_contact_password_recheck_is_throttled_like_a_login,
    |s| {
        let a = fixtures::authorisation(&s, "1000001", Some("avisos@empresa.es"), true).await;
        let main = fixtures::member(&s, "pepe", &a, true).await;
        for i in 0..s.config.login.free_failures {
            let r =
                fixtures::update_contact(&s, &main, &format!("nuevo{i}@empresa.es"), true, "mala")
                    .await;
            assert!(
                matches!(r, Err(ServiceError::Invalid(ref e)) if e[0].field == "password"),
                "{r:?}"
            );
        }
        // Now even the right password has to wait: the address cannot be ground out.
        let r = fixtures::update_contact(&s, &main, "nuevo@empresa.es", true, PASSWORD).await;
        assert!(
            matches!(r, Err(ServiceError::TooManyAttempts { .. })),
            "{r:?}"
        );
        let log = actions(&s).await;
        assert_eq!(
            log.iter()
                .filter(|a| *a == "access.contact_password_failed")
                .count() as u64,
            s.config.login.free_failures + 1,
            "{log:?}"
        );
        // After the wait the right password works.
        age_failures(&s, 2).await;
        let changed = fixtures::update_contact(&s, &main, "nuevo@empresa.es", true, PASSWORD)
            .await
            .unwrap();
        assert_eq!(changed.email, "nuevo@empresa.es");
    }
);
