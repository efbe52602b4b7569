//! The real router over HTTP, on SQLite and PostgreSQL: every server function checks the
//! session and the role itself, whatever a page shows.

use app::server::AppState;
use casia_services::db_test;
use casia_services::Services;
use reqwest::StatusCode;

/// Serves the app on a random local port; returns its base URL.
async fn serve(s: Services) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState { leptos_options: casia_server::web::leptos_options(&s.config, addr), services: s };
    let router = casia_server::web::router(state);
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    format!("http://{addr}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn login(base: &str, http: &reqwest::Client, username: &str) -> reqwest::Response {
    http.post(format!("{base}/api/login"))
        .form(&[("username", username), ("password", casia_services::demo::DEMO_PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap()
}

db_test!(server_functions_refuse_without_a_session_and_with_the_wrong_role, |s| {
    casia_services::demo::load(&s).await.unwrap();
    let base = serve(s.clone()).await;

    let anonymous = client();
    let r = anonymous.post(format!("{base}/api/my_authorisations")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("NotSignedIn"));

    let processor = client();
    assert!(login(&base, &processor, "tramitador1").await.status().is_success());
    let r = processor.post(format!("{base}/api/my_authorisations")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Forbidden"));
    // Pages too: a processor asking for the authorised user's screen gets a 403 page.
    let page = processor.get(format!("{base}/casia")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);

    let user = client();
    let r = login(&base, &user, "autorizado1").await;
    assert!(r.status().is_success());
    let r = user.post(format!("{base}/api/my_authorisations")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: serde_json::Value = r.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
});

db_test!(login_sets_an_http_only_cookie_and_rotates_it, |s| {
    casia_services::demo::load(&s).await.unwrap();
    let base = serve(s.clone()).await;
    let http = client();
    let first = login(&base, &http, "autorizado2").await;
    let cookie = first.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with("casia_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let second = login(&base, &http, "autorizado2").await;
    let cookie2 = second.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with("casia_session=")).unwrap();
    assert_ne!(cookie, cookie2, "a new session id at every login");
    // The previous session no longer works.
    let old_token = cookie.split(';').next().unwrap().trim_start_matches("casia_session=").to_owned();
    let r = reqwest::Client::new()
        .post(format!("{base}/api/my_authorisations"))
        .header("cookie", format!("casia_session={old_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
});

db_test!(login_attempts_are_rate_limited, |s| {
    casia_services::demo::load(&s).await.unwrap();
    let base = serve(s.clone()).await;
    let http = client();
    for _ in 0..s.config.login.max_failures {
        let r = http
            .post(format!("{base}/api/login"))
            .form(&[("username", "autorizado2"), ("password", "mala"), ("next", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login(&base, &http, "autorizado2").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("TooManyAttempts"));
});

db_test!(health_answers_when_the_database_does, |s| {
    let base = serve(s.clone()).await;
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
});
