//! The real router over HTTP, on SQLite and PostgreSQL: every server function checks the
//! session and the role itself, whatever a page shows.

mod common;

use casia_services::Services;
use casia_services::db_test;
use common::{
    Browser, assert_ok_or_redirect, authorisation_numbered, cookie_named, find_user, serve,
    serve_demo,
};
use reqwest::StatusCode;

db_test!(
    server_functions_refuse_without_a_session_and_with_the_wrong_role,
    |s| {
        let base = serve_demo(&s).await;

        let anonymous = Browser::new(&base);
        let r = anonymous.call("my_authorisations").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("NotSignedIn"));

        let processor = Browser::new(&base);
        assert!(processor.login("tramitador1").await.status().is_success());
        let r = processor.call("my_authorisations").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("Forbidden"));
        // Pages too: a processor asking for the authorised user's screen gets a 403 page.
        let page = processor.page("/casia").await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN);

        let user = Browser::new(&base);
        let r = user.login("autorizado1").await;
        assert!(r.status().is_success());
        let r = user.call("my_authorisations").await;
        assert_eq!(r.status(), StatusCode::OK);
        let list: serde_json::Value = r.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 2);
    }
);

db_test!(login_sets_an_http_only_cookie_and_rotates_it, |s| {
    let base = serve_demo(&s).await;
    let http = Browser::new(&base);
    let first = http.login("autorizado2").await;
    let cookie = cookie_named(&first, "casia_session").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let second = http.login("autorizado2").await;
    let cookie2 = cookie_named(&second, "casia_session").unwrap();
    assert_ne!(cookie, cookie2, "a new session id at every login");
    // The previous session no longer works.
    let old_token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("casia_session=")
        .to_owned();
    let r = reqwest::Client::new()
        .post(format!("{base}/api/my_authorisations"))
        .header("origin", &base)
        .header("cookie", format!("casia_session={old_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
});

db_test!(login_attempts_are_slowed_down_not_locked, |s| {
    let base = serve_demo(&s).await;
    let http = Browser::new(&base);
    for _ in 0..s.config.login.free_failures {
        let r = http.login_to("autorizado2", "mala", "").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The next attempt must wait, and is told how long in seconds.
    let r = http.login("autorizado2").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = r.json().await.unwrap();
    let wait = body["TooManyAttempts"]["retry_after_seconds"]
        .as_i64()
        .unwrap();
    assert_eq!(wait, 1, "{body}");
    // After the wait the right password works: no lock.
    tokio::time::sleep(std::time::Duration::from_millis(wait as u64 * 1000 + 100)).await;
    assert!(http.login("autorizado2").await.status().is_success());
});

db_test!(health_answers_when_the_database_does, |s| {
    let base = serve(s.clone()).await.base;
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
});

db_test!(every_answer_carries_the_security_headers, |s| {
    let base = serve(s.clone()).await.base;
    for path in ["/acceso", "/healthz", "/api/my_authorisations"] {
        let r = Browser::new(&base).fetch(path).await;
        let h = r.headers();
        for (name, value) in [
            ("x-frame-options", "DENY"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "same-origin"),
        ] {
            let got = h.get(name).map(|v| v.to_str().unwrap());
            assert_eq!(got, Some(value), "{path}: {name}");
        }
        assert!(
            h.get("content-security-policy")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
    }
});

db_test!(after_login_only_local_paths_are_followed, |s| {
    let base = serve_demo(&s).await;
    for (next, expected) in [
        ("/casia/casos?estado=abierto", "/casia/casos?estado=abierto"),
        ("//evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("https://evil.example/", "/"),
    ] {
        let r = Browser::new(&base)
            .login_to("autorizado2", casia_services::demo::DEMO_PASSWORD, next)
            .await;
        assert_eq!(
            r.headers().get("location").map(|v| v.to_str().unwrap()),
            Some(expected),
            "next = {next:?}"
        );
    }
});

db_test!(guesses_sent_all_at_once_are_limited_too, |s| {
    let base = serve_demo(&s).await;
    let free = s.config.login.free_failures as usize;
    // Three times the free failures, all in flight together (each password check takes a while).
    let guesses = (0..free * 3).map(|i| {
        let base = base.clone();
        async move {
            Browser::new(&base)
                .call_form(
                    "login",
                    &[
                        ("username", "autorizado2".to_owned()),
                        ("password", format!("intento-{i}")),
                        ("next", String::new()),
                    ],
                )
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + refused, free * 3, "{statuses:?}");
    assert!(
        checked <= free,
        "only {free} passwords may be tried at once, {checked} were"
    );
    // Guesses one after another use up what the burst left, and not one more...
    let mut later = 0;
    let wait = loop {
        let r = Browser::new(&base)
            .login_to("autorizado2", "otra", "")
            .await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let body: serde_json::Value = r.json().await.unwrap();
            break body["TooManyAttempts"]["retry_after_seconds"]
                .as_i64()
                .unwrap();
        }
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        later += 1;
        assert!(later <= free, "the delay never came");
    };
    assert_eq!(
        checked + later,
        free,
        "{free} password checks without delay, in all"
    );
    // ...then a short wait (not a lock), after which even the right password works.
    assert_eq!(wait, 1);
    assert_eq!(
        Browser::new(&base).login("autorizado2").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(
        Browser::new(&base)
            .login("autorizado2")
            .await
            .status()
            .is_success()
    );
});

db_test!(
    after_an_administrators_reset_only_the_account_page_is_open,
    |s| {
        let base = serve_demo(&s).await;
        let admin = Browser::new(&base);
        admin.login("admin").await;
        let target = find_user(&s, "autorizado2").await.unwrap();
        let temporary = "clave temporal del administrador";
        let r = admin
            .call_form(
                "admin_reset_password",
                &[
                    ("id", target.id.to_string()),
                    ("password", temporary.to_owned()),
                ],
            )
            .await;
        assert!(r.status().is_success(), "{}", r.status());

        let user = Browser::new(&base);
        let r = user
            .login_to("autorizado2", temporary, "/casia/casos")
            .await;
        assert_eq!(
            r.headers().get("location").map(|v| v.to_str().unwrap()),
            Some("/cuenta"),
            "straight to the account page"
        );
        // Every other server function refuses, saying why; pages send to /cuenta.
        let r = user.call("my_authorisations").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("PasswordChangeRequired"));
        let page = user.page("/casia").await;
        let location = page
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(location.as_deref(), Some("/cuenta"), "{}", page.status());
        assert_eq!(user.fetch("/cuenta").await.status(), StatusCode::OK);
        let overview: serde_json::Value = user.call("account_overview").await.json().await.unwrap();
        assert_eq!(overview["password_change_required"], true);

        let r = user
            .call_form(
                "change_password",
                &[
                    ("current_password", temporary),
                    ("new_password", "mi propia frase secreta"),
                    ("repeat_password", "mi propia frase secreta"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            user.call("my_authorisations").await.status(),
            StatusCode::OK
        );
    }
);

db_test!(a_person_sees_their_sessions_and_ends_another_one, |s| {
    let base = serve_demo(&s).await;
    // tramitador2 signs in from a laptop, then from a phone.
    let sign_in = async |agent: &str| {
        let browser = Browser::new(&base);
        let r = browser
            .api("login")
            .header("user-agent", agent)
            .form(&[
                ("username", "tramitador2"),
                ("password", casia_services::demo::DEMO_PASSWORD),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        (browser, r.status())
    };
    let (laptop, status) = sign_in("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36").await;
    assert!(status.is_success());
    let (phone, _) = sign_in("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1").await;
    // Someone else's session is never listed.
    Browser::new(&base).login("tramitador1").await;

    let overview: serde_json::Value = laptop.call("account_overview").await.json().await.unwrap();
    let sessions = overview["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{overview}");
    let mine = sessions.iter().find(|s| s["current"] == true).unwrap();
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(mine["device"], "Chrome · Linux");
    assert_eq!(other["device"], "Safari · iOS");
    assert_eq!(other["client"], "127.0.0.1");

    // A made-up id ends nothing.
    let r = laptop
        .call_form("end_session", &[("id", "0123456789abcdef0123456789abcdef")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = laptop
        .call_form("end_session", &[("id", other["id"].as_str().unwrap())])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        phone.call("account_overview").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        laptop.call("account_overview").await.status(),
        StatusCode::OK
    );
    // Nobody signed in: nothing to see.
    assert_eq!(
        Browser::new(&base).call("account_overview").await.status(),
        StatusCode::UNAUTHORIZED
    );
});

db_test!(
    uploads_and_downloads_check_the_session_the_role_and_the_authorisation,
    |s| {
        use casia_services::entity::document;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        casia_services::demo::load(&s).await.unwrap();
        // A small upload limit: the file over it then fits in the socket's buffers, so the client
        // has sent it all before the server answers from the declared length and closes (with
        // 20 MiB the client could still be writing and see a broken pipe instead of the answer).
        let mut s = s;
        let mut config = (*s.config).clone();
        config.uploads.max_bytes = 64 * 1024;
        s.config = std::sync::Arc::new(config);
        let base = serve(s.clone()).await.base;
        let pdf = common::PDF.to_vec();
        let upload = async |http: Browser, body: Vec<u8>| {
            http.call_body("uploads?name=contrato.pdf", body).await
        };

        // No session, or a role that attaches nothing: refused before anything is stored.
        assert_eq!(
            upload(Browser::new(&base), pdf.clone()).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let admin = Browser::new(&base);
        admin.login("admin").await;
        assert_eq!(
            upload(admin.clone(), pdf.clone()).await.status(),
            StatusCode::FORBIDDEN
        );
        let refused = casia_services::entity::audit_log::Entity::find()
            .filter(casia_services::entity::audit_log::Column::Action.eq("access.forbidden"))
            .one(&s.db)
            .await
            .unwrap()
            .expect("the refusal is in the audit trail");
        assert_eq!(
            (
                refused.action.code(),
                refused.actor_username.as_str(),
                refused.target_id.as_deref()
            ),
            ("access.forbidden", "admin", Some("/api/uploads"))
        );

        // autorizado2 (one authorisation, 0654321) uploads and opens a Trámite with the file.
        let owner = Browser::new(&base);
        owner.login("autorizado2").await;
        let r = upload(owner.clone(), pdf.clone()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let uploaded: serde_json::Value = r.json().await.unwrap();
        let tree = casia_services::taxonomy::load(&s.db, casia_domain::Lang::Es)
            .await
            .unwrap();
        let subject = tree.subjects(casia_domain::CaseType::Tramite)[0].id;
        let category = tree.children(subject)[0].id;
        let subcategory = tree.children(category).first().map(|n| n.id);
        let doc_type = casia_services::taxonomy::document_types(&s.db, casia_domain::Lang::Es)
            .await
            .unwrap()[0]
            .id;
        let form = serde_json::json!({ "form": {
            "case_type": "tramite", "subject_id": subject, "category_id": category, "subcategory_id": subcategory,
            "affects_current_period": false, "title": "Alta fuera de plazo", "description": "Con el contrato.",
            "documents": [{ "document_type_id": doc_type, "title": "Contrato", "upload_token": uploaded["token"] }],
            "idempotency_key": "http-test-1",
        }});
        let r = owner.call_json("open_case", &form).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let doc = document::Entity::find().one(&s.db).await.unwrap().unwrap();

        // The owner's authorisation downloads it, byte for byte, as an attachment.
        let r = owner.fetch(&format!("/api/documentos/{}", doc.id)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(header(&r, "content-disposition").starts_with("attachment"));
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);

        // autorizado1 acting for the other authorisation: not found, like a number that does not exist.
        let other = Browser::new(&base);
        other.login("autorizado1").await;
        let gestoria = authorisation_numbered(&s, "0123456").await;
        let r = other
            .call_form(
                "choose_authorisation",
                &[("authorisation_id", gestoria.id.to_string())],
            )
            .await;
        assert_ok_or_redirect(&r);
        let receipt = casia_services::entity::receipt::Entity::find()
            .one(&s.db)
            .await
            .unwrap()
            .unwrap();
        let document = format!("/api/documentos/{}", doc.id);
        let receipt = format!("/api/justificantes/{}", receipt.id);
        // Nobody signed in: no file. A processor may read every case's documents.
        let anonymous = Browser::new(&base);
        let processor = Browser::new(&base);
        processor.login("tramitador1").await;
        for (who, browser, path, expected) in [
            ("other", &other, &document, StatusCode::NOT_FOUND),
            ("other", &other, &receipt, StatusCode::NOT_FOUND),
            ("owner", &owner, &receipt, StatusCode::OK),
            ("anonymous", &anonymous, &document, StatusCode::UNAUTHORIZED),
            ("processor", &processor, &document, StatusCode::OK),
        ] {
            assert_eq!(browser.fetch(path).await.status(), expected, "{who} {path}");
        }

        // A file over the limit is refused from its declared length, with the reason.
        let too_big = vec![b'%'; s.config.uploads.max_bytes as usize + 1];
        let r = upload(owner.clone(), too_big).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("TooLarge"));
    }
);

db_test!(
    the_audit_csv_holds_the_filtered_rows_and_only_administrators_get_it,
    |s| {
        use casia_services::entity::audit_log;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let base = serve_demo(&s).await;
        let csv = format!("{base}/api/administracion/auditoria.csv");

        // Anonymous: 401. A processor: 403, and the refusal is in the trail.
        let r = Browser::new(&base)
            .get(&csv)
            .header("origin", &base)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let processor = Browser::signed_in(&base, "tramitador1").await;
        assert_eq!(
            processor.get(&csv).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        // A server function refused by role is recorded too, with the endpoint and the address.
        assert_eq!(
            processor
                .call_form("admin_accounts", &[("filter", ""), ("page", "0")])
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        let refused = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("access.forbidden"))
            .all(&s.db)
            .await
            .unwrap();
        let targets: Vec<_> = refused
            .iter()
            .map(|e| {
                (
                    e.actor_username.as_str(),
                    e.target_id.as_deref().unwrap_or(""),
                    e.client.as_str(),
                )
            })
            .collect();
        assert_eq!(
            targets,
            [
                (
                    "tramitador1",
                    "/api/administracion/auditoria.csv",
                    "127.0.0.1"
                ),
                ("tramitador1", "/api/admin_accounts", "127.0.0.1")
            ]
        );

        // The administrator creates an account, then exports that action only.
        let admin = Browser::signed_in(&base, "admin").await;
        let account = serde_json::json!({ "input": {
            "username": "auditada", "full_name": "Cuenta Auditada", "email": "", "role": "tramitador", "password": "Girasol-Tranvía-Ópalo-49",
        }});
        let r = admin.call_json("admin_create_account", &account).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let id: i64 = r.json().await.unwrap();
        let r = admin
            .get(format!("{csv}?accion=admin.account_created"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()["content-disposition"],
            "attachment; filename=\"auditoria.csv\""
        );
        assert_eq!(r.headers()["cache-control"], "no-store");
        let text = csv_text(r).await;
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines[0],
            "Fecha y hora;Usuario;Rol;Dirección;Acción;Resultado;Objeto;Detalles;Código de acción"
        );
        assert_eq!(lines.len(), 2, "only the filtered row: {text}");
        assert!(
            lines[1].contains(&format!(
                ";admin;Administrador;127.0.0.1;Cuenta creada;Correcto;account {id};"
            )),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].ends_with(";admin.account_created") && lines[1].contains("auditada"),
            "{}",
            lines[1]
        );
        assert!(
            !text.contains("Girasol-Tranvía-Ópalo-49"),
            "never the password"
        );

        // The same export without a filter has every row, the refusals included; a bad date is a 422 naming it.
        let all = admin.get(&csv).send().await.unwrap().text().await.unwrap();
        assert!(all.contains("access.forbidden") && all.contains("admin.account_created"));
        let r = admin.get(format!("{csv}?desde=ayer")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("\"from\""));
    }
);

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header")
}

db_test!(
    verification_by_code_is_limited_per_client_and_a_blank_code_names_its_field,
    |s| {
        let base = serve(s.clone()).await.base;
        let http = Browser::new(&base);
        let blank = http.call_form("verify_cea", &[("cea", "  ")]).await;
        assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = blank.json().await.unwrap();
        assert_eq!(body["Invalid"][0]["field"], "cea", "{body}");
        // The blank try counted; the rest of the minute's allowance answers normally.
        for _ in 1..s.config.verification.per_minute {
            let r = http
                .call_form("verify_cea", &[("cea", "0000-0000-0000-0000-0000")])
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.text().await.unwrap().contains("Unknown"));
        }
        let r = http
            .call_form("verify_cea", &[("cea", "0000-0000-0000-0000-0000")])
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after(&r) >= 1);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["TooManyRequests"]["limit"], "Verification", "{body}");
        // The file route shares the allowance.
        let r = http
            .call_body("verificacion/fichero", b"%PDF-1.4 nada".to_vec())
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
);

db_test!(
    verification_by_file_answers_a_bomb_at_once_and_is_limited_per_client,
    |s| {
        const BOMB: &[u8] = include_bytes!("../../services/tests/fixtures/bomb-64x255.pdf");
        let base = serve(s.clone()).await.base;
        let http = Browser::new(&base);
        let started = std::time::Instant::now();
        let r = http.call_body("verificacion/fichero", BOMB.to_vec()).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.text().await.unwrap(), "\"NotAReceipt\"");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
        // The server still answers everything else meanwhile.
        assert_eq!(http.fetch("/healthz").await.status(), StatusCode::OK);
        for _ in 1..s.config.verification.per_minute {
            let r = http
                .call_body("verificacion/fichero", vec![0x5a; 4096])
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let r = http
            .call_body("verificacion/fichero", vec![0x5a; 4096])
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after(&r) >= 1);
        assert!(r.text().await.unwrap().contains("TooManyRequests"));
    }
);

db_test!(
    uploads_over_the_hourly_quota_get_429_with_retry_after,
    |s| {
        casia_services::demo::load(&s).await.unwrap();
        let mut config = (*s.config).clone();
        config.uploads.max_files_per_hour = 2;
        let limits = std::sync::Arc::new(casia_services::rate_limit::Limits::from_config(&config));
        let s = Services {
            config: std::sync::Arc::new(config),
            limits,
            ..s.clone()
        };
        let base = serve(s.clone()).await.base;
        let http = Browser::new(&base);
        http.login("autorizado2").await;
        let pdf = common::PDF.to_vec();
        for i in 0..2 {
            let r = http
                .call_body(&format!("uploads?name=f{i}.pdf"), pdf.clone())
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let r = http.call_body("uploads?name=f2.pdf", pdf.clone()).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after(&r) > 3000);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            body["TooManyRequests"]["limit"]["UploadFiles"]["max"], 2,
            "{body}"
        );
    }
);

/// The frame of a page (`<html lang>`, the header's subtitle, the footer, the language
/// switch) as the server sends it.
async fn frame_of(browser: &Browser) -> (String, bool, bool, String) {
    let html = browser.page("/verificacion").await.text().await.unwrap();
    let attr = |after: &str, name: &str| {
        html.split(after)
            .nth(1)
            .and_then(|h| h.split(name).nth(1))
            .and_then(|h| h.split('"').next())
            .unwrap_or_default()
            .to_owned()
    };
    (
        attr("<html", "lang=\""),
        html.contains("Authorised User Support"),
        html.contains("open-source support service for RED authorised users"),
        attr("name=\"lang\"", "value=\""),
    )
}

/// Presses the language switch; the choice comes back as the language cookie.
async fn set_language(browser: &Browser, lang: &str) {
    let r = browser
        .call_form("set_language", &[("lang", lang), ("back", "/")])
        .await;
    assert_eq!(
        cookie_named(&r, "casia_lang").map(|c| c.starts_with(&format!("casia_lang={lang}"))),
        Some(true)
    );
}

db_test!(
    the_language_switch_changes_the_whole_page_and_a_login_keeps_the_choice,
    |s| {
        let base = serve_demo(&s).await;
        let english = ("en".to_owned(), true, true, "es".to_owned());
        let spanish = ("es".to_owned(), false, false, "en".to_owned());
        // An empty login says the fields are required (not "wrong username or password").
        let r = Browser::new(&base).login_to("", "", "").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = r.json().await.unwrap();
        let fields: Vec<&str> = body["Invalid"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["username", "password"], "{body}");
        assert_eq!(body["Invalid"][0]["problem"], "Required", "{body}");

        // Signed in in Spanish, switched to English: the whole frame follows, reload after
        // reload, and the switch offers Spanish.
        let ana = Browser::signed_in(&base, "autorizado1").await;
        assert_eq!(frame_of(&ana).await, spanish);
        set_language(&ana, "en").await;
        for _ in 0..2 {
            assert_eq!(frame_of(&ana).await, english);
        }
        set_language(&ana, "es").await;
        assert_eq!(frame_of(&ana).await, spanish);

        // English chosen on the login page is kept at login and remembered for the account.
        let visitor = Browser::new(&base);
        set_language(&visitor, "en").await;
        assert_eq!(frame_of(&visitor).await.0, "en");
        assert_ok_or_redirect(&visitor.login("autorizado1").await);
        assert_eq!(frame_of(&visitor).await, english);
        // A new browser signing in to the same account gets English from the account.
        let elsewhere = Browser::signed_in(&base, "autorizado1").await;
        assert_eq!(frame_of(&elsewhere).await.0, "en");
    }
);

/// A CSV answer's text after the BOM, once it is a 200 `text/csv`.
async fn csv_text(r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header(&r, "content-type").starts_with("text/csv"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 with BOM, for Excel");
    String::from_utf8(bytes[3..].to_vec()).unwrap()
}

/// The answer's header `name` as text.
fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()[name].to_str().unwrap()
}

/// A CSV answer's rows (after the BOM), each split at `;` (the test's cells have no quotes).
async fn csv_rows(r: reqwest::Response) -> Vec<Vec<String>> {
    csv_text(r)
        .await
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect()
}

db_test!(
    csv_exports_hold_what_the_screen_lists_and_nothing_more,
    |s| {
        use common::{Who, fixture};
        let f = fixture(&s).await;
        let case = f.fill("{case}");
        let other_case = f.fill("{other_case}");
        let today = casia_services::clock::today_in_spain(casia_services::clock::now());
        // Opción 2 of this month: the owner's authorisation only.
        let month = format!(
            "/api/casos.csv?estado=todos&desde={}&hasta={}",
            today.first_of_month().iso(),
            today.last_of_month().iso()
        );
        let rows = csv_rows(f.client(Who::Owner).get(&month).await).await;
        assert_eq!(rows[0][0], "Número de Caso");
        assert_eq!(rows[0].len(), 9);
        let numbers: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert!(numbers.contains(&case.as_str()), "{numbers:?}");
        assert!(!numbers.contains(&other_case.as_str()), "{numbers:?}");
        let mine = rows.iter().find(|r| r[0] == case).unwrap();
        assert_eq!(mine[4], "Alta fuera de plazo");
        // Local time, as the screen shows it: DD/MM/YYYY HH:MM:SS.
        assert_eq!(mine[1].len(), 19, "{mine:?}");
        assert_eq!(&mine[1][2..3], "/");
        // A bad filter is a 422 naming its field, before any row.
        let r = f
            .client(Who::Owner)
            .get("/api/casos.csv?estado=todos&desde=2026-01-01&hasta=2026-03-31")
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // A processor's search: both authorisations' cases, with the authorisation's number.
        let rows = csv_rows(
            f.client(Who::Tramitador)
                .get("/api/tramitacion/buscar.csv?texto=plazos+fuera")
                .await,
        )
        .await;
        assert_eq!(rows[0][2], "Nº Autorización");
        let found: Vec<(&str, &str)> = rows[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[2].as_str()))
            .collect();
        assert!(found.contains(&(case.as_str(), "0654321")), "{found:?}");
        assert!(
            found.contains(&(other_case.as_str(), "0123456")),
            "{found:?}"
        );
        // The queue, filtered to one authorisation.
        let rows = csv_rows(
            f.client(Who::Supervisor)
                .get("/api/tramitacion/bandeja.csv?bandeja=sin_asignar&autorizacion=0654321")
                .await,
        )
        .await;
        assert!(rows[1..].iter().all(|r| r[2] == "0654321"), "{rows:?}");
        assert!(rows[1..].iter().any(|r| r[0] == case), "{rows:?}");
        // An authorised user cannot export a processor's list.
        let r = f
            .client(Who::Owner)
            .get("/api/tramitacion/buscar.csv?texto=plazo")
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    previews_are_inline_and_sandboxed_downloads_stay_attachments,
    |s| {
        use common::{Who, fixture};
        let f = fixture(&s).await;
        let owner = f.client(Who::Owner);
        let r = owner.get(&f.fill("/api/documentos/{document}/vista")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(header(&r, "content-disposition").starts_with("inline;"));
        assert_eq!(r.headers()["content-security-policy"], "sandbox");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let r = owner.get(&f.fill("/api/documentos/{document}")).await;
        assert!(header(&r, "content-disposition").starts_with("attachment;"));
        // Another authorisation's user: not found, as for the download.
        let r = f
            .client(Who::Other)
            .get(&f.fill("/api/documentos/{document}/vista"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);
