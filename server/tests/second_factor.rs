//! The second factor over HTTP, on SQLite and PostgreSQL: with `auth.staff_mfa = required`
//! staff without one reach only its enrolment; once enrolled, signing in takes a code.
//! Every request carries the public origin, as a browser on the site does.

mod common;

use casia_services::config::StaffMfa;
use casia_services::second_factor::code_at;
use casia_services::{Services, db_test};
use common::{Browser, assert_ok_or_redirect, location, serve};
use reqwest::StatusCode;
use serde_json::Value;

/// Signs in asking for the queues, as the staff's login link does.
async fn login(http: &Browser, username: &str) -> reqwest::Response {
    http.login_to(
        username,
        casia_services::demo::DEMO_PASSWORD,
        "/tramitacion",
    )
    .await
}

async fn queue(http: &Browser) -> reqwest::Response {
    http.call_form("get_queue", &[("query[queue]", "unassigned")])
        .await
}

/// The second step of signing in: a code from the app (or a recovery code).
async fn verify(http: &Browser, code: &str, next: &str) -> reqwest::Response {
    http.call_form("verify_second_factor", &[("code", code), ("next", next)])
        .await
}

/// Confirms an enrolment with the code of now for `secret`.
async fn confirm(http: &Browser, secret: &str) -> reqwest::Response {
    let code = code_at(secret, now()).unwrap();
    http.call_form("confirm_second_factor", &[("code", code)])
        .await
}

/// The demo data served with the staff's second factor `mfa`.
async fn demo_site(s: &Services, mfa: StaffMfa) -> (Services, String) {
    casia_services::demo::load(s).await.unwrap();
    let s = casia_services::testing::with_staff_mfa(s, mfa);
    let base = serve(s.clone()).await.base;
    (s, base)
}

fn now() -> chrono::DateTime<chrono::Utc> {
    casia_services::clock::now()
}

db_test!(
    while_required_staff_without_a_second_factor_can_only_enrol_and_then_sign_in_with_a_code,
    |s| {
        let (_, base) = demo_site(&s, StaffMfa::Required).await;

        let processor = Browser::new(&base);
        let r = login(&processor, "tramitador1").await;
        assert_ok_or_redirect(&r);
        // The queues answer 403 with the reason, and the pages send them to enrolment.
        let r = queue(&processor).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("SecondFactorRequired"));
        let page = processor
            .get(format!("{base}/tramitacion"))
            .header("accept", "text/html")
            .header("origin", &base)
            .send()
            .await
            .unwrap();
        assert!(page.status().is_redirection(), "{}", page.status());
        assert_eq!(location(&page), "/cuenta/segundo-factor");
        // Authorised users are not held back by the staff rule.
        let user = Browser::new(&base);
        login(&user, "autorizado2").await;
        assert_eq!(
            user.call("my_authorisations").await.status(),
            StatusCode::OK
        );

        // The enrolment page and its functions are open to them.
        let page = processor.page("/cuenta/segundo-factor").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Verificación en dos pasos")
        );
        let r = processor.call("start_second_factor").await;
        assert_eq!(r.status(), StatusCode::OK);
        let enrolment: Value = r.json().await.unwrap();
        assert!(enrolment["qr_svg"].as_str().unwrap().starts_with("<svg"));
        let secret = enrolment["manual_key"].as_str().unwrap().replace(' ', "");
        let r = processor
            .call_form("confirm_second_factor", &[("code", "000000")])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("WrongCode"));
        let r = confirm(&processor, &secret).await;
        assert_eq!(r.status(), StatusCode::OK);
        let codes: Vec<String> = r.json().await.unwrap();
        assert_eq!(codes.len(), 10);
        // Enrolled in this session: the queues open.
        assert_eq!(queue(&processor).await.status(), StatusCode::OK);

        // The next login takes the password and then a code; until then nothing opens.
        let again = Browser::new(&base);
        let r = login(&again, "tramitador1").await;
        assert!(
            location(&r).starts_with("/acceso/segundo-factor?next="),
            "{}",
            location(&r)
        );
        let r = queue(&again).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("SecondFactorPending"));
        assert_eq!(
            again.call("get_second_factor").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let page = again.page("/tramitacion").await;
        assert!(page.status().is_redirection(), "{}", page.status());
        assert!(
            location(&page).starts_with("/acceso/segundo-factor"),
            "{}",
            location(&page)
        );
        // The code that confirmed the enrolment cannot be used again; the next step's can.
        let r = verify(&again, &code_at(&secret, now()).unwrap(), "/tramitacion").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let next_code = code_at(&secret, now() + chrono::Duration::seconds(30)).unwrap();
        let r = verify(&again, next_code.as_str(), "/tramitacion").await;
        assert_ok_or_redirect(&r);
        assert_eq!(location(&r), "/tramitacion");
        assert_eq!(queue(&again).await.status(), StatusCode::OK);

        // A recovery code works once at the second step.
        let third = Browser::new(&base);
        login(&third, "tramitador1").await;
        let r = verify(&third, codes[0].as_str(), "").await;
        assert_ok_or_redirect(&r);
        assert_eq!(queue(&third).await.status(), StatusCode::OK);
        let fourth = Browser::new(&base);
        login(&fourth, "tramitador1").await;
        let r = verify(&fourth, codes[0].as_str(), "").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(queue(&fourth).await.status(), StatusCode::UNAUTHORIZED);
    }
);

db_test!(
    while_optional_staff_get_in_with_a_password_and_wrong_codes_are_throttled,
    |s| {
        let (s, base) = demo_site(&s, StaffMfa::Optional).await;
        let processor = Browser::new(&base);
        login(&processor, "tramitador2").await;
        assert_eq!(queue(&processor).await.status(), StatusCode::OK);

        // Enrolled voluntarily, the code is needed all the same, and guesses are limited.
        let enrolment: Value = processor
            .call("start_second_factor")
            .await
            .json()
            .await
            .unwrap();
        let secret = enrolment["manual_key"].as_str().unwrap().replace(' ', "");
        let r = confirm(&processor, &secret).await;
        assert_eq!(r.status(), StatusCode::OK);
        let pending = Browser::new(&base);
        login(&pending, "tramitador2").await;
        assert_eq!(queue(&pending).await.status(), StatusCode::UNAUTHORIZED);
        for _ in 0..s.config.auth.code_max_failures {
            let r = verify(&pending, "123456", "").await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let right = code_at(&secret, now() + chrono::Duration::seconds(30)).unwrap();
        let r = verify(&pending, right.as_str(), "").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text().await.unwrap().contains("TooManyAttempts"));
        assert_eq!(queue(&pending).await.status(), StatusCode::UNAUTHORIZED);
    }
);
