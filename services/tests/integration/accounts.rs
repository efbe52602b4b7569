//! Login, wrong password, rate limit, session expiry, the authorisation picker, roles.

use casia_domain::{FieldProblem, Role};
use casia_services::accounts::{self, session_id};
use casia_services::entity::session;
use casia_services::error::ServiceError;
use chrono::Duration;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::fixtures::{self, PASSWORD};
use casia_services::db_test;

db_test!(login_succeeds_and_the_cookie_finds_the_session, |s| {
    fixtures::user(&s, "Ana.Gestora", Role::Autorizado).await;
    // Usernames are case-insensitive and trimmed.
    let logged = fixtures::attempt(&s, " ana.gestora ", PASSWORD, "c1")
        .await
        .unwrap();
    let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
        .await
        .unwrap();
    assert_eq!(caller.user.username, "ana.gestora");
    assert_eq!(caller.role, Role::Autorizado);
    // The database holds only the token's hash.
    assert!(
        session::Entity::find_by_id(logged.token.clone())
            .one(&s.db)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        session::Entity::find_by_id(session_id(&logged.token))
            .one(&s.db)
            .await
            .unwrap()
            .is_some()
    );
});

db_test!(wrong_password_and_unknown_user_get_the_same_answer, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    let wrong = fixtures::attempt(&s, "pepe", "otra-clave", "c1").await;
    assert!(matches!(wrong, Err(ServiceError::BadCredentials)));
    let unknown = fixtures::attempt(&s, "nadie", PASSWORD, "c1").await;
    assert!(matches!(unknown, Err(ServiceError::BadCredentials)));
});

db_test!(
    repeated_failures_make_the_next_attempt_wait_instead_of_locking,
    |s| {
        fixtures::user(&s, "pepe", Role::Autorizado).await;
        let free = s.config.login.free_failures;
        for _ in 0..free {
            let r = fixtures::attempt(&s, "pepe", "mal", "c1").await;
            assert!(matches!(r, Err(ServiceError::BadCredentials)));
        }
        // From the same client even the right password must wait now, and is told how long.
        let waiting = fixtures::attempt(&s, "pepe", PASSWORD, "c1").await;
        match waiting {
            Err(ServiceError::TooManyAttempts {
                retry_after_seconds,
            }) => assert_eq!(retry_after_seconds, 1),
            other => panic!("expected a wait, got {:?}", other.map(|l| l.user.username)),
        }
        // The real user on another client is not held up, and another account is not affected.
        assert!(fixtures::attempt(&s, "pepe", PASSWORD, "c2").await.is_ok());
        fixtures::user(&s, "otra", Role::Autorizado).await;
        assert!(fixtures::attempt(&s, "otra", PASSWORD, "c1").await.is_ok());
    }
);

db_test!(a_successful_login_clears_earlier_failures, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    for _ in 0..s.config.login.free_failures - 1 {
        let _ = fixtures::attempt(&s, "pepe", "mal", "c1").await;
    }
    fixtures::attempt(&s, "pepe", PASSWORD, "c1").await.unwrap();
    // A full set of free failures again, each answered at once.
    for _ in 0..s.config.login.free_failures {
        let again = fixtures::attempt(&s, "pepe", "mal", "c1").await;
        assert!(matches!(again, Err(ServiceError::BadCredentials)));
    }
});

db_test!(idle_and_absolute_expiry_end_the_session, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    let (token, _) = fixtures::login(&s, "pepe").await;
    let id = session_id(&token);
    let row = session::Entity::find_by_id(id.clone())
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();

    // Idle for longer than allowed.
    let mut idle: session::ActiveModel = row.clone().into();
    idle.last_seen_at =
        Set(row.last_seen_at - Duration::minutes(s.config.session.idle_minutes + 1));
    idle.update(&s.db).await.unwrap();
    let r = accounts::caller_from_token(&s.db, &s.config.session, &token).await;
    assert!(matches!(r, Err(ServiceError::SessionExpired)));
    // Expired sessions are deleted, not kept around.
    assert!(
        session::Entity::find_by_id(id)
            .one(&s.db)
            .await
            .unwrap()
            .is_none()
    );
    let r = accounts::caller_from_token(&s.db, &s.config.session, &token).await;
    assert!(matches!(r, Err(ServiceError::NotSignedIn)));

    // Used recently but past the absolute limit.
    let (token, _) = fixtures::login(&s, "pepe").await;
    let row = session::Entity::find_by_id(session_id(&token))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    let mut old: session::ActiveModel = row.clone().into();
    old.expires_at = Set(row.created_at - Duration::seconds(1));
    old.update(&s.db).await.unwrap();
    let r = accounts::caller_from_token(&s.db, &s.config.session, &token).await;
    assert!(matches!(r, Err(ServiceError::SessionExpired)));
});

db_test!(logout_ends_the_session_and_login_issues_a_new_one, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    let (first, _) = fixtures::login(&s, "pepe").await;
    let (second, _) = fixtures::login(&s, "pepe").await;
    assert_ne!(first, second);
    accounts::logout(&s.db, &first).await.unwrap();
    assert!(matches!(
        accounts::caller_from_token(&s.db, &s.config.session, &first).await,
        Err(ServiceError::NotSignedIn)
    ));
    assert!(fixtures::session_works(&s, &second).await);
});

db_test!(one_authorisation_skips_the_picker_several_show_it, |s| {
    let a1 = fixtures::authorisation(&s, "1000001", None, false).await;
    let a2 = fixtures::authorisation(&s, "1000002", None, false).await;

    let single = fixtures::member(&s, "solo", &a1, true).await;
    assert_eq!(single.authorisation.as_ref().map(|a| a.id), Some(a1.id));
    assert!(single.is_main_user);

    let multi = fixtures::user(&s, "multi", Role::Autorizado).await;
    casia_services::authorisations::add_member(&s.db, a1.id, multi.id, false)
        .await
        .unwrap();
    casia_services::authorisations::add_member(&s.db, a2.id, multi.id, false)
        .await
        .unwrap();
    let logged = fixtures::attempt(&s, "multi", PASSWORD, "c").await.unwrap();
    assert!(logged.needs_authorisation);
    let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
        .await
        .unwrap();
    assert!(caller.authorisation.is_none());
    assert!(matches!(
        caller.user_scope(),
        Err(ServiceError::PickAuthorisation)
    ));

    let list = accounts::user_authorisations(&s.db, multi.id)
        .await
        .unwrap();
    assert_eq!(
        list.iter().map(|a| a.number.as_str()).collect::<Vec<_>>(),
        ["1000001", "1000002"]
    );

    accounts::choose_authorisation(&s.db, &caller, a2.id)
        .await
        .unwrap();
    let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
        .await
        .unwrap();
    assert_eq!(caller.authorisation.as_ref().map(|a| a.id), Some(a2.id));
    assert!(!caller.is_main_user);
    assert_eq!(caller.user_scope().unwrap().authorisation_id, a2.id);
});

db_test!(
    an_authorisation_the_user_does_not_belong_to_cannot_be_chosen,
    |s| {
        let mine = fixtures::authorisation(&s, "1000001", None, false).await;
        let other = fixtures::authorisation(&s, "1000002", None, false).await;
        let caller = fixtures::member(&s, "pepe", &mine, false).await;
        let r = accounts::choose_authorisation(&s.db, &caller, other.id).await;
        assert!(matches!(r, Err(ServiceError::NotFound)));
    }
);

db_test!(roles_are_checked_on_the_server, |s| {
    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    let user = fixtures::member(&s, "pepe", &a, false).await;
    let processor = fixtures::staff(&s, "tram", Role::Tramitador).await;
    assert!(user.require_role(&[Role::Autorizado]).is_ok());
    assert!(matches!(
        user.require_role(&[Role::Tramitador, Role::Supervisor]),
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        processor.user_scope(),
        Err(ServiceError::Forbidden)
    ));
    // A processor cannot pick an authorisation to act as a user.
    assert!(matches!(
        accounts::choose_authorisation(&s.db, &processor, a.id).await,
        Err(ServiceError::Forbidden)
    ));
});

db_test!(removing_a_member_takes_effect_on_the_next_request, |s| {
    use casia_services::entity::authorisation_member;
    let a = fixtures::authorisation(&s, "1000001", None, false).await;
    fixtures::member(&s, "pepe", &a, false).await;
    let (token, caller) = fixtures::login(&s, "pepe").await;
    assert!(caller.authorisation.is_some());
    authorisation_member::Entity::delete_by_id((a.id, caller.user.id))
        .exec(&s.db)
        .await
        .unwrap();
    let caller = accounts::caller_from_token(&s.db, &s.config.session, &token)
        .await
        .unwrap();
    assert!(caller.authorisation.is_none());
});

db_test!(weak_passwords_and_duplicate_usernames_are_refused, |s| {
    fixtures::user(&s, "pepe", Role::Autorizado).await;
    let dup = accounts::create_user(
        &s.db,
        accounts::NewUser {
            username: "PEPE",
            full_name: "Otro",
            email: None,
            password: PASSWORD,
            role: Role::Autorizado,
            lang: casia_domain::Lang::Es,
        },
    )
    .await;
    match dup {
        Err(ServiceError::Invalid(e)) => assert_eq!(e[0].problem, FieldProblem::AlreadyExists),
        other => panic!("{other:?}"),
    }
    let problem_with = |password: &'static str| {
        let s = s.clone();
        async move {
            let r = accounts::create_user(
                &s.db,
                accounts::NewUser {
                    username: "nuevo",
                    full_name: "Nuevo Usuario",
                    email: None,
                    password,
                    role: Role::Autorizado,
                    lang: casia_domain::Lang::Es,
                },
            )
            .await;
            match r {
                Err(ServiceError::Invalid(e)) => Some((e[0].field.clone(), e[0].problem.clone())),
                Ok(_) => None,
                Err(other) => panic!("{other:?}"),
            }
        }
    };
    let password = "password".to_owned();
    assert_eq!(
        problem_with("corta").await,
        Some((password.clone(), FieldProblem::TooShort { min: 12 }))
    );
    assert_eq!(
        problem_with("password1234").await,
        Some((password.clone(), FieldProblem::WeakPassword))
    );
    assert_eq!(
        problem_with("soy-nuevo-aqui-2026").await,
        Some((password.clone(), FieldProblem::PasswordContainsUsername))
    );
    assert_eq!(
        problem_with(Box::leak("ñ".repeat(129).into_boxed_str())).await,
        Some((password, FieldProblem::TooLong { max: 128 }))
    );
    // Any Unicode, counted in characters: 12 of them are enough when they are not guessable.
    assert_eq!(problem_with("ñandú cigüeña").await, None);
});

db_test!(demo_data_loads_once, |s| {
    assert!(casia_services::demo::load(&s).await.unwrap());
    assert!(!casia_services::demo::load(&s).await.unwrap());
    let logged = fixtures::attempt(&s, "autorizado1", "casia-demo", "c")
        .await
        .unwrap();
    assert!(
        logged.needs_authorisation,
        "autorizado1 belongs to two authorisations"
    );
    let logged = fixtures::attempt(&s, "autorizado2", "casia-demo", "c")
        .await
        .unwrap();
    assert!(!logged.needs_authorisation, "autorizado2 belongs to one");
});
