//! The HTTP edge over the real router and serve loop, on SQLite and PostgreSQL: cross-site
//! requests refused, the session cookie and HSTS over https, the page's Content-Security-Policy
//! with its nonce, caching, body limits and the slow-client timeout.

use std::sync::Arc;
use std::time::Duration;

mod common;

use casia_services::entity::user;
use casia_services::{Config, Services, db_test};
use common::{
    Browser, assert_ok_or_redirect, cookie_named, find_user, login_form, serve_keeping_public_url,
    set_cookies,
};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The same services with another configuration (public URL, timeouts).
fn with_config(s: &Services, change: impl FnOnce(&mut Config)) -> Services {
    let mut config = (*s.config).clone();
    change(&mut config);
    Services {
        config: Arc::new(config),
        ..s.clone()
    }
}

/// Not a browser at all: no cookies kept, no Origin unless the test adds one.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn account_exists(s: &Services, username: &str) -> bool {
    find_user(s, username).await.is_some()
}

const LOCAL: &str = "http://127.0.0.1:3000";

db_test!(cross_site_writes_are_refused_and_change_nothing, |s| {
    casia_services::demo::load(&s).await.unwrap();
    let base = serve_keeping_public_url(s.clone()).await.base;
    assert_eq!(s.config.public_url, LOCAL, "the test servers' public URL");
    let admin = Browser::on(&base, LOCAL);
    let r = admin.login("admin").await;
    let session = cookie_named(&r, "casia_session").expect("signed in");
    let token = session.split(';').next().unwrap().to_owned();
    let account = |username: &str| {
        serde_json::json!({ "input": {
            "username": username, "full_name": "Puerta Trasera", "email": "", "role": "administrador", "password": "Girasol-Tranvía-Ópalo-47",
        }})
        .to_string()
    };

    // The admin's own cookie, sent by a page of another site: JSON as text/plain (no preflight),
    // as application/json, and a form.
    for content_type in ["text/plain", "application/json"] {
        let r = bare()
            .post(format!("{base}/api/admin_create_account"))
            .header("cookie", &token)
            .header("origin", "https://evil.example")
            .header("content-type", content_type)
            .body(account("puerta"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{content_type}");
        assert_eq!(
            r.headers()["content-type"],
            "application/json",
            "{content_type}"
        );
        assert_eq!(
            r.json::<app::error::AppError>().await.unwrap(),
            app::error::AppError::CrossSite,
            "the pages show why"
        );
    }
    let victim = find_user(&s, "autorizado2").await.unwrap();
    let r = bare()
        .post(format!("{base}/api/admin_set_account_active"))
        .header("cookie", &token)
        .header("origin", "https://evil.example")
        .form(&[("id", victim.id.to_string()), ("active", "false".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // No Origin and no Referer: refused too (nothing shows where it comes from).
    let r = bare()
        .post(format!("{base}/api/admin_create_account"))
        .header("cookie", &token)
        .body(account("puerta"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The browser says cross-site: refused, whatever Origin claims.
    let r = admin
        .api("admin_create_account")
        .header("sec-fetch-site", "cross-site")
        .body(account("puerta"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        !account_exists(&s, "puerta").await,
        "no account was created"
    );
    let still = user::Entity::find_by_id(victim.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert!(still.active, "no account was deactivated");

    // From Casia's own pages the same calls work: by Origin, or by Referer alone.
    let r = admin
        .api("admin_create_account")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/json")
        .body(account("legitima"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert!(account_exists(&s, "legitima").await);
    let r = bare()
        .post(format!("{base}/api/admin_create_account"))
        .header("cookie", &token)
        .header("referer", format!("{LOCAL}/administracion"))
        .body(account("por_referer"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert!(account_exists(&s, "por_referer").await);
});

db_test!(login_from_another_site_is_refused, |s| {
    casia_services::demo::load(&s).await.unwrap();
    let base = serve_keeping_public_url(s.clone()).await.base;
    // Login CSRF: a form on another site signing the victim in to the attacker's account.
    let r = Browser::on(&base, "https://evil.example")
        .login("autorizado2")
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(&r).is_empty(), "no session was handed out");
    // A browser submitting the form without scripts gets a page, in both languages.
    let r = Browser::on(&base, "null")
        .api("login")
        .header("accept", "text/html,application/xhtml+xml")
        .form(&login_form(
            "autorizado2",
            casia_services::demo::DEMO_PASSWORD,
            "",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Petición rechazada") && page.contains("was refused"),
        "{page}"
    );
    // Reading stays open to links from anywhere (emails, bookmarks).
    let r = Browser::on(&base, "https://evil.example")
        .fetch("/acceso")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // And the same login from Casia's page works.
    let r = Browser::on(&base, LOCAL).login("autorizado2").await;
    assert!(
        set_cookies(&r)
            .iter()
            .any(|c| c.starts_with("casia_session=")),
        "{:?}",
        r.status()
    );
});

db_test!(behind_an_https_proxy_the_public_url_decides, |s| {
    casia_services::demo::load(&s).await.unwrap();
    let s = with_config(&s, |c| c.public_url = "https://casia.example".into());
    // The server listens on 127.0.0.1; people use https://casia.example.
    let base = serve_keeping_public_url(s.clone()).await.base;
    let r = Browser::on(&base, "https://casia.example")
        .login("autorizado2")
        .await;
    assert_ok_or_redirect(&r);
    assert_eq!(
        r.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let cookie = cookie_named(&r, "__Host-casia_session").expect("a __Host- cookie");
    for part in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(
            cookie.split(';').any(|p| p.trim() == part),
            "{part} in {cookie}"
        );
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain"), "{cookie}");
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-casia_session=")
        .to_owned();

    // The browser sends the cookie back (over https; here by hand): signed in.
    let call = |cookie: String, origin: String| {
        let base = base.clone();
        async move {
            bare()
                .post(format!("{base}/api/my_authorisations"))
                .header("cookie", cookie)
                .header("origin", origin)
                .send()
                .await
                .unwrap()
        }
    };
    let r = call(
        format!("__Host-casia_session={token}"),
        "https://casia.example".into(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The same token under the unprefixed name (which a sibling subdomain could plant) is ignored.
    let r = call(
        format!("casia_session={token}"),
        "https://casia.example".into(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The address the server listens on is not the public origin.
    let r = call(format!("__Host-casia_session={token}"), base.clone()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = bare().get(format!("{base}/acceso")).send().await.unwrap();
    assert!(
        r.headers().contains_key("strict-transport-security"),
        "HSTS on pages too"
    );
});

db_test!(
    over_plain_http_the_cookie_is_not_secure_and_there_is_no_hsts,
    |s| {
        casia_services::demo::load(&s).await.unwrap();
        let base = serve_keeping_public_url(s.clone()).await.base;
        let r = Browser::on(&base, LOCAL).login("autorizado2").await;
        let cookie = cookie_named(&r, "casia_session").expect("the plain cookie");
        assert!(
            !cookie.contains("Secure") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        assert!(!r.headers().contains_key("strict-transport-security"));
    }
);

/// The nonce of a page's policy, checking the rest of the policy on the way.
fn nonce_of(policy: &str) -> String {
    for directive in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .expect("script-src");
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    let start = script_src.find("'nonce-").expect("a nonce") + "'nonce-".len();
    script_src[start..].split('\'').next().unwrap().to_owned()
}

db_test!(
    pages_allow_only_their_own_nonced_scripts_and_are_not_cached,
    |s| {
        let base = serve_keeping_public_url(s.clone()).await.base;
        let mut nonces = Vec::new();
        for path in ["/acceso", "/acceso", "/no-existe"] {
            let r = bare().get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
            let nonce = nonce_of(r.headers()["content-security-policy"].to_str().unwrap());
            let html = r.text().await.unwrap();
            let scripts: Vec<&str> = html
                .split("<script")
                .skip(1)
                .map(|tag| tag.split('>').next().unwrap())
                .collect();
            assert!(!scripts.is_empty(), "{path}: the hydration script");
            for tag in scripts {
                assert!(
                    tag.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: <script{tag}> without this response's nonce"
                );
            }
            nonces.push(nonce);
        }
        assert_ne!(nonces[0], nonces[1], "a fresh nonce for every page");
        // Server-function answers are not cached either; compiled assets may be.
        let r = Browser::on(&base, LOCAL).call("my_authorisations").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let r = bare()
            .get(format!("{base}/pkg/casia.css"))
            .send()
            .await
            .unwrap();
        assert_ne!(
            r.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store")
        );
    }
);

db_test!(server_functions_take_at_most_two_mebibytes, |s| {
    let base = serve_keeping_public_url(s.clone()).await.base;
    let big = "x".repeat(casia_server::web::SERVER_FN_MAX_BODY + 1);
    let r = Browser::on(&base, LOCAL)
        .call_form(
            "login",
            &[("username", big.as_str()), ("password", "p"), ("next", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
});

db_test!(
    a_client_that_stalls_while_sending_headers_is_disconnected,
    |s| {
        let s = with_config(&s, |c| c.http.header_read_timeout_seconds = 1);
        let base = serve_keeping_public_url(s.clone()).await.base;
        let addr = base.trim_start_matches("http://").to_owned();

        // Half a request, then silence; and a client that sends nothing at all.
        for opening in [
            &b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow"[..],
            &b""[..],
        ] {
            let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
            conn.write_all(opening).await.unwrap();
            let started = std::time::Instant::now();
            let mut answer = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer)).await;
            assert!(read.is_ok(), "the connection stayed open for 10 s");
            let waited = started.elapsed();
            assert!(
                waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
                "{waited:?}"
            );
            assert!(
                !String::from_utf8_lossy(&answer).contains("200 OK"),
                "{}",
                String::from_utf8_lossy(&answer)
            );
        }
        // A client that sends its request at once is served.
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer))
            .await
            .unwrap()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200 OK"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
);

/// Sends `head` and the start of a body that never ends; returns the answer's status line and
/// how long it took to come.
async fn stall_body(addr: &str, path: &str) -> (String, Duration) {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {LOCAL}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername=a"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut answer))
        .await
        .expect("no answer in 10 s")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    (text, started.elapsed())
}

db_test!(a_body_that_stops_arriving_is_given_up, |s| {
    // The whole request has a deadline…
    let slow_request = with_config(&s, |c| c.http.request_timeout_seconds = 1);
    let base = serve_keeping_public_url(slow_request).await.base;
    let (status, waited) = stall_body(base.trim_start_matches("http://"), "/api/login").await;
    assert_eq!(status, "HTTP/1.1 408 Request Timeout");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // …and so has each silence while a body arrives, on the plain routes too.
    let slow_body = with_config(&s, |c| c.http.body_timeout_seconds = 1);
    let base = serve_keeping_public_url(slow_body).await.base;
    let (status, waited) = stall_body(
        base.trim_start_matches("http://"),
        "/api/verificacion/fichero",
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 4"), "{status}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
});
