//! The second factor over HTTP, on SQLite and PostgreSQL: with `auth.staff_mfa = required`
//! staff without one reach only its enrolment; once enrolled, signing in takes a code.
//! Every request carries the public origin, as a browser on the site does.

use app::server::AppState;
use casia_services::config::StaffMfa;
use casia_services::second_factor::code_at;
use casia_services::{Services, db_test};
use reqwest::StatusCode;
use serde_json::Value;

async fn serve(s: Services) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The address the tests use is the public one: the origin the CSRF layer expects.
    let mut s = s;
    s.config = std::sync::Arc::new(casia_services::Config {
        public_url: format!("http://{addr}"),
        ..(*s.config).clone()
    });
    let state = AppState {
        leptos_options: casia_server::web::leptos_options(&s.config, addr),
        services: s,
    };
    let http = state.services.config.http.clone();
    let router = casia_server::web::router(state);
    tokio::spawn(async move {
        casia_server::web::serve_on(listener, router, &http, std::future::pending()).await
    });
    format!("http://{addr}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A POST to a server function, from the site's own pages.
fn post(http: &reqwest::Client, base: &str, function: &str) -> reqwest::RequestBuilder {
    http.post(format!("{base}/api/{function}"))
        .header("origin", base)
}

async fn login(base: &str, http: &reqwest::Client, username: &str) -> reqwest::Response {
    post(http, base, "login")
        .form(&[
            ("username", username),
            ("password", casia_services::demo::DEMO_PASSWORD),
            ("next", "/tramitacion"),
        ])
        .send()
        .await
        .unwrap()
}

async fn queue(base: &str, http: &reqwest::Client) -> reqwest::Response {
    post(http, base, "get_queue")
        .form(&[("query[queue]", "unassigned")])
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn now() -> chrono::DateTime<chrono::Utc> {
    casia_services::clock::now()
}

db_test!(
    while_required_staff_without_a_second_factor_can_only_enrol_and_then_sign_in_with_a_code,
    |s| {
        casia_services::demo::load(&s).await.unwrap();
        let s = casia_services::testing::with_staff_mfa(&s, StaffMfa::Required);
        let base = serve(s.clone()).await;

        let processor = client();
        let r = login(&base, &processor, "tramitador1").await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        // The queues answer 403 with the reason, and the pages send them to enrolment.
        let r = queue(&base, &processor).await;
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
        let user = client();
        login(&base, &user, "autorizado2").await;
        assert_eq!(
            post(&user, &base, "my_authorisations")
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );

        // The enrolment page and its functions are open to them.
        let page = processor
            .get(format!("{base}/cuenta/segundo-factor"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Verificación en dos pasos")
        );
        let r = post(&processor, &base, "start_second_factor")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let enrolment: Value = r.json().await.unwrap();
        assert!(enrolment["qr_svg"].as_str().unwrap().starts_with("<svg"));
        let secret = enrolment["manual_key"].as_str().unwrap().replace(' ', "");
        let r = post(&processor, &base, "confirm_second_factor")
            .form(&[("code", "000000")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("WrongCode"));
        let r = post(&processor, &base, "confirm_second_factor")
            .form(&[("code", code_at(&secret, now()).unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let codes: Vec<String> = r.json().await.unwrap();
        assert_eq!(codes.len(), 10);
        // Enrolled in this session: the queues open.
        assert_eq!(queue(&base, &processor).await.status(), StatusCode::OK);

        // The next login takes the password and then a code; until then nothing opens.
        let again = client();
        let r = login(&base, &again, "tramitador1").await;
        assert!(
            location(&r).starts_with("/acceso/segundo-factor?next="),
            "{}",
            location(&r)
        );
        let r = queue(&base, &again).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("SecondFactorPending"));
        assert_eq!(
            post(&again, &base, "get_second_factor")
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let page = again
            .get(format!("{base}/tramitacion"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(page.status().is_redirection(), "{}", page.status());
        assert!(
            location(&page).starts_with("/acceso/segundo-factor"),
            "{}",
            location(&page)
        );
        // The code that confirmed the enrolment cannot be used again; the next step's can.
        let r = post(&again, &base, "verify_second_factor")
            .form(&[
                ("code", code_at(&secret, now()).unwrap().as_str()),
                ("next", "/tramitacion"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let next_code = code_at(&secret, now() + chrono::Duration::seconds(30)).unwrap();
        let r = post(&again, &base, "verify_second_factor")
            .form(&[("code", next_code.as_str()), ("next", "/tramitacion")])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        assert_eq!(location(&r), "/tramitacion");
        assert_eq!(queue(&base, &again).await.status(), StatusCode::OK);

        // A recovery code works once at the second step.
        let third = client();
        login(&base, &third, "tramitador1").await;
        let r = post(&third, &base, "verify_second_factor")
            .form(&[("code", codes[0].as_str()), ("next", "")])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        assert_eq!(queue(&base, &third).await.status(), StatusCode::OK);
        let fourth = client();
        login(&base, &fourth, "tramitador1").await;
        let r = post(&fourth, &base, "verify_second_factor")
            .form(&[("code", codes[0].as_str()), ("next", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            queue(&base, &fourth).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
);

db_test!(
    while_optional_staff_get_in_with_a_password_and_wrong_codes_are_throttled,
    |s| {
        casia_services::demo::load(&s).await.unwrap();
        let s = casia_services::testing::with_staff_mfa(&s, StaffMfa::Optional);
        let base = serve(s.clone()).await;
        let processor = client();
        login(&base, &processor, "tramitador2").await;
        assert_eq!(queue(&base, &processor).await.status(), StatusCode::OK);

        // Enrolled voluntarily, the code is needed all the same, and guesses are limited.
        let enrolment: Value = post(&processor, &base, "start_second_factor")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let secret = enrolment["manual_key"].as_str().unwrap().replace(' ', "");
        let r = post(&processor, &base, "confirm_second_factor")
            .form(&[("code", code_at(&secret, now()).unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let pending = client();
        login(&base, &pending, "tramitador2").await;
        assert_eq!(
            queue(&base, &pending).await.status(),
            StatusCode::UNAUTHORIZED
        );
        for _ in 0..s.config.auth.code_max_failures {
            let r = post(&pending, &base, "verify_second_factor")
                .form(&[("code", "123456"), ("next", "")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let right = code_at(&secret, now() + chrono::Duration::seconds(30)).unwrap();
        let r = post(&pending, &base, "verify_second_factor")
            .form(&[("code", right.as_str()), ("next", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text().await.unwrap().contains("TooManyAttempts"));
        assert_eq!(
            queue(&base, &pending).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
);
