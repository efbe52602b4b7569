//! The second factor: enrolment and confirmation, the login's second step, codes used once,
//! recovery codes, re-authentication to turn it off, the throttle, the staff policy.

use casia_domain::{FieldProblem, Role};
use casia_services::accounts::{self, Caller, SecondFactorState};
use casia_services::config::StaffMfa;
use casia_services::entity::{audit_log, recovery_code, second_factor};
use casia_services::error::ServiceError;
use casia_services::second_factor as mfa;
use casia_services::{Services, db_test};
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::{self, PASSWORD};

fn wrong_field(r: Result<impl std::fmt::Debug, ServiceError>, field: &str, problem: FieldProblem) {
    match r {
        Err(ServiceError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(
                (errors[0].field.as_str(), &errors[0].problem),
                (field, &problem)
            );
        }
        other => panic!("expected {field}: {problem:?}, got {other:?}"),
    }
}

/// The code the person's app shows now, and the one it shows in the next 30-second step
/// (accepted: one step of drift either way).
fn code_now(secret: &str) -> String {
    mfa::code_at(secret, casia_services::clock::now()).unwrap()
}

fn code_next(secret: &str) -> String {
    mfa::code_at(secret, casia_services::clock::now() + Duration::seconds(30)).unwrap()
}

/// Enrols `caller` as the page does; returns the secret (read from the manual key) and the
/// recovery codes.
async fn enrol(s: &Services, caller: &Caller) -> (String, Vec<String>) {
    let enrolment = mfa::start_enrolment(&s.db, caller).await.unwrap();
    let secret = enrolment.manual_key.replace(' ', "");
    let codes = mfa::confirm_enrolment(&s.db, &s.config.auth, caller, &code_now(&secret))
        .await
        .unwrap();
    (secret, codes)
}

/// A fresh login's session, as a request carrying its cookie would see it.
async fn signed_in(s: &Services, username: &str) -> Caller {
    fixtures::login(s, username).await.1
}

async fn audit_count(s: &Services, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(&s.db)
        .await
        .unwrap()
}

db_test!(
    enrolment_is_confirmed_by_a_code_and_gives_ten_recovery_codes_once,
    |s| {
        fixtures::user(&s, "tram", Role::Tramitador).await;
        let (token, processor) = fixtures::login(&s, "tram").await;
        assert_eq!(processor.second_factor, SecondFactorState::NotEnrolled);
        // Required for staff: only enrolment is open; optional: they get in.
        assert!(matches!(
            processor.second_factor_gate(StaffMfa::Required),
            Err(ServiceError::SecondFactorRequired)
        ));
        assert!(processor.second_factor_gate(StaffMfa::Optional).is_ok());

        let enrolment = mfa::start_enrolment(&s.db, &processor).await.unwrap();
        assert!(
            enrolment
                .otpauth_uri
                .starts_with("otpauth://totp/Casia:tram?"),
            "{}",
            enrolment.otpauth_uri
        );
        assert!(enrolment.qr_svg.starts_with("<svg"));
        let secret = enrolment.manual_key.replace(' ', "");
        // Not in force before it is confirmed.
        assert!(!mfa::is_enrolled(&s.db, processor.user.id).await.unwrap());
        let status = mfa::status(&s.db, &processor, StaffMfa::Required)
            .await
            .unwrap();
        assert!(status.enrolled_at.is_none() && status.required);
        assert_eq!(
            status.pending.unwrap().manual_key,
            enrolment.manual_key,
            "the page shows the same key again after a reload"
        );

        wrong_field(
            mfa::confirm_enrolment(&s.db, &s.config.auth, &processor, "000000").await,
            "code",
            FieldProblem::WrongCode,
        );
        wrong_field(
            mfa::confirm_enrolment(&s.db, &s.config.auth, &processor, " ").await,
            "code",
            FieldProblem::Required,
        );
        let codes = mfa::confirm_enrolment(&s.db, &s.config.auth, &processor, &code_now(&secret))
            .await
            .unwrap();
        assert_eq!(codes.len(), 10);
        assert!(mfa::is_enrolled(&s.db, processor.user.id).await.unwrap());

        // The session that confirmed it is verified: the gate is open even while required.
        let same_session = accounts::caller_from_token(&s.db, &s.config.session, &token)
            .await
            .unwrap();
        assert_eq!(same_session.second_factor, SecondFactorState::Verified);
        assert!(same_session.second_factor_gate(StaffMfa::Required).is_ok());
        let status = mfa::status(&s.db, &processor, StaffMfa::Required)
            .await
            .unwrap();
        assert!(status.enrolled_at.is_some() && status.pending.is_none());
        assert_eq!(status.recovery_codes_left, 10);
        // Only hashes are stored: no code appears in the table.
        let stored: Vec<String> = recovery_code::Entity::find()
            .all(&s.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.code_hash)
            .collect();
        assert_eq!(stored.len(), 10);
        for code in &codes {
            assert!(!stored.iter().any(|h| h.contains(&code.replace('-', ""))));
        }
        // Confirmed twice? There is nothing left to confirm, and no second enrolment over it.
        assert!(matches!(
            mfa::confirm_enrolment(&s.db, &s.config.auth, &processor, &code_next(&secret)).await,
            Err(ServiceError::NotFound)
        ));
        wrong_field(
            mfa::start_enrolment(&s.db, &processor).await,
            "second_factor",
            FieldProblem::AlreadyExists,
        );

        assert_eq!(audit_count(&s, "mfa.enrolled").await, 1);
        assert_eq!(audit_count(&s, "mfa.failed").await, 1);
        // Never the secret nor a code in the audit trail.
        for row in audit_log::Entity::find().all(&s.db).await.unwrap() {
            let text = format!("{row:?}");
            assert!(
                !text.contains(&secret) && !codes.iter().any(|c| text.contains(c.as_str())),
                "{text}"
            );
        }
    }
);

db_test!(
    a_new_login_waits_for_a_code_and_a_used_code_is_refused,
    |s| {
        let caller = fixtures::staff(&s, "sup", Role::Supervisor).await;
        let (secret, _) = enrol(&s, &caller).await;

        // The next login: the password alone opens nothing.
        let (token, pending) = fixtures::login(&s, "sup").await;
        assert_eq!(pending.second_factor, SecondFactorState::Pending);
        assert!(matches!(
            pending.second_factor_gate(StaffMfa::Optional),
            Err(ServiceError::SecondFactorPending)
        ));
        wrong_field(
            mfa::verify_login(&s.db, &s.config.auth, &pending, "123").await,
            "code",
            FieldProblem::WrongCode,
        );
        // The code that confirmed the enrolment was used: the same code again is refused.
        wrong_field(
            mfa::verify_login(&s.db, &s.config.auth, &pending, &code_now(&secret)).await,
            "code",
            FieldProblem::WrongCode,
        );
        let new_token = mfa::verify_login(&s.db, &s.config.auth, &pending, &code_next(&secret))
            .await
            .unwrap()
            .expect("a new session");
        // The token that waited for the code ends: a new session starts at the last step (V7.2.4).
        assert_ne!(new_token, token);
        assert!(matches!(
            accounts::caller_from_token(&s.db, &s.config.session, &token).await,
            Err(ServiceError::NotSignedIn)
        ));
        let verified = accounts::caller_from_token(&s.db, &s.config.session, &new_token)
            .await
            .unwrap();
        assert_eq!(verified.second_factor, SecondFactorState::Verified);
        assert!(verified.second_factor_gate(StaffMfa::Required).is_ok());

        // A replay of that code in another pending session is refused too.
        let (_, other) = fixtures::login(&s, "sup").await;
        wrong_field(
            mfa::verify_login(&s.db, &s.config.auth, &other, &code_next(&secret)).await,
            "code",
            FieldProblem::WrongCode,
        );
        assert_eq!(audit_count(&s, "mfa.verified").await, 1);
    }
);

db_test!(a_recovery_code_works_once, |s| {
    let user = fixtures::staff(&s, "admin1", Role::Administrador).await;
    let (_, codes) = enrol(&s, &user).await;
    let pending = signed_in(&s, "admin1").await;
    // Typed in lower case without dashes: still the code.
    mfa::verify_login(
        &s.db,
        &s.config.auth,
        &pending,
        &codes[3].replace('-', "").to_lowercase(),
    )
    .await
    .unwrap();
    let again = signed_in(&s, "admin1").await;
    wrong_field(
        mfa::verify_login(&s.db, &s.config.auth, &again, &codes[3]).await,
        "code",
        FieldProblem::WrongCode,
    );
    mfa::verify_login(&s.db, &s.config.auth, &again, &codes[4])
        .await
        .unwrap();
    assert_eq!(
        mfa::status(&s.db, &user, StaffMfa::Required)
            .await
            .unwrap()
            .recovery_codes_left,
        8
    );
    assert_eq!(audit_count(&s, "mfa.recovery_code_used").await, 2);
});

db_test!(
    renewing_recovery_codes_needs_a_current_code_and_ends_the_old_ones,
    |s| {
        let a = fixtures::authorisation(&s, "1000002", None, false).await;
        // Authorised users enrol voluntarily.
        let user = fixtures::member(&s, "ana", &a, true).await;
        assert!(
            user.second_factor_gate(StaffMfa::Required).is_ok(),
            "not required for authorised users"
        );
        let (secret, old) = enrol(&s, &user).await;
        // A recovery code is not a "current code" here.
        wrong_field(
            mfa::renew_recovery_codes(&s.db, &s.config.auth, &user, &old[0]).await,
            "code",
            FieldProblem::WrongCode,
        );
        let new = mfa::renew_recovery_codes(&s.db, &s.config.auth, &user, &code_next(&secret))
            .await
            .unwrap();
        assert_eq!(new.len(), 10);
        assert!(new.iter().all(|c| !old.contains(c)));
        let pending = signed_in(&s, "ana").await;
        wrong_field(
            mfa::verify_login(&s.db, &s.config.auth, &pending, &old[0]).await,
            "code",
            FieldProblem::WrongCode,
        );
        mfa::verify_login(&s.db, &s.config.auth, &pending, &new[0])
            .await
            .unwrap();
        assert_eq!(audit_count(&s, "mfa.recovery_codes_renewed").await, 1);
    }
);

db_test!(turning_it_off_needs_the_password_and_a_code, |s| {
    let user = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let (secret, codes) = enrol(&s, &user).await;
    wrong_field(
        mfa::disable(
            &s.db,
            &s.config.auth,
            &user,
            "otra-clave-mala",
            &code_next(&secret),
        )
        .await,
        "password",
        FieldProblem::WrongPassword,
    );
    wrong_field(
        mfa::disable(&s.db, &s.config.auth, &user, "", &code_next(&secret)).await,
        "password",
        FieldProblem::Required,
    );
    wrong_field(
        mfa::disable(&s.db, &s.config.auth, &user, PASSWORD, "000000").await,
        "code",
        FieldProblem::WrongCode,
    );
    assert!(
        mfa::is_enrolled(&s.db, user.user.id).await.unwrap(),
        "still on after the refusals"
    );
    mfa::disable(&s.db, &s.config.auth, &user, PASSWORD, &codes[0])
        .await
        .unwrap();
    assert!(!mfa::is_enrolled(&s.db, user.user.id).await.unwrap());
    assert_eq!(second_factor::Entity::find().count(&s.db).await.unwrap(), 0);
    assert_eq!(recovery_code::Entity::find().count(&s.db).await.unwrap(), 0);
    // Signing in again takes the password alone; while required, staff may only enrol again.
    let again = signed_in(&s, "tram").await;
    assert_eq!(again.second_factor, SecondFactorState::NotEnrolled);
    assert!(matches!(
        again.second_factor_gate(StaffMfa::Required),
        Err(ServiceError::SecondFactorRequired)
    ));
    assert_eq!(audit_count(&s, "mfa.disabled").await, 1);
});

db_test!(wrong_codes_are_throttled_per_user_even_all_at_once, |s| {
    let user = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let (secret, _) = enrol(&s, &user).await;
    let pending = signed_in(&s, "tram").await;
    let max = s.config.auth.code_max_failures as usize;
    // Three times the limit, in flight together.
    let guesses = (0..max * 3).map(|i| {
        let (s, pending) = (s.clone(), pending.clone());
        async move {
            mfa::verify_login(
                &s.db,
                &s.config.auth,
                &pending,
                &format!("{:06}", 100_000 + i),
            )
            .await
        }
    });
    let results = futures::future::join_all(guesses).await;
    let checked = results
        .iter()
        .filter(|r| matches!(r, Err(ServiceError::Invalid(_))))
        .count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(ServiceError::TooManyAttempts { .. })))
        .count();
    assert_eq!(checked + refused, max * 3);
    assert!(
        checked <= max,
        "only {max} codes may be tried in the window, {checked} were"
    );
    // Codes one after another use up what the burst left, and not one more.
    let mut later = 0;
    loop {
        match mfa::verify_login(&s.db, &s.config.auth, &pending, "999999").await {
            Err(ServiceError::TooManyAttempts { .. }) => break,
            Err(ServiceError::Invalid(_)) => later += 1,
            other => panic!("unexpected {other:?}"),
        }
        assert!(later <= max, "the limit never came");
    }
    assert_eq!(
        checked + later,
        max,
        "{max} code checks in the window, in all"
    );
    // Now even the right code is refused, with the time to wait.
    match mfa::verify_login(&s.db, &s.config.auth, &pending, &code_next(&secret)).await {
        Err(ServiceError::TooManyAttempts {
            retry_after_seconds,
        }) => assert_eq!(retry_after_seconds, s.config.auth.code_window_minutes * 60),
        other => panic!("expected the throttle, got {other:?}"),
    }
    // Another user is not affected.
    let other = fixtures::staff(&s, "tram2", Role::Tramitador).await;
    let (other_secret, _) = enrol(&s, &other).await;
    let other_pending = signed_in(&s, "tram2").await;
    mfa::verify_login(
        &s.db,
        &s.config.auth,
        &other_pending,
        &code_next(&other_secret),
    )
    .await
    .unwrap();
    assert!(audit_count(&s, "mfa.throttled").await >= (max * 2 + 2) as u64);
});
