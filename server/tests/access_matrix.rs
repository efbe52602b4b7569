//! The access matrix: every server function (from server_fn's own registry) and every plain
//! route (from `app::api::route_list`, the router's own list) has a row saying what each
//! caller gets. An endpoint without a row fails the test, naming it; so does a row whose
//! outcome differs from the real router's answer, on SQLite and PostgreSQL.

mod common;

use casia_services::db_test;
use common::{Client, EVERYONE, Fixture, Who};
use reqwest::Method;

/// What a caller gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Served: 2xx, or a redirect.
    Ok,
    /// Past the access checks (the business rules may still refuse: 409, 422…), never
    /// 401/403/404 nor 5xx.
    Allowed,
    Status(u16),
}
use Expect::{Allowed as A, Ok as OK};
const U: Expect = Expect::Status(401);
const F: Expect = Expect::Status(403);
const NF: Expect = Expect::Status(404);

/// How the endpoint is called (`{name}` placeholders are the fixture's ids).
#[derive(Clone, Copy, Debug)]
enum Call {
    /// `POST /api/<function>` with a url-encoded body (server_fn's default encoding).
    Form(&'static str),
    /// `POST /api/<function>` with a JSON body (`input = Json` functions).
    Json(&'static str),
    /// Like `Form`, with a fresh session of the same caller (login and logout end the
    /// session they are called with).
    FreshForm(&'static str),
    Get(&'static str),
    /// POST with a small PDF as the raw body.
    PostPdf(&'static str),
    Delete(&'static str),
}
use Call::{Delete, FreshForm, Get, Json, PostPdf};

/// Row key: a server function's endpoint name, or "METHOD /route" for a plain route.
/// Columns: anonymous, owner's autorizado, another authorisation's autorizado, tramitador,
/// supervisor, administrador. Rows run in this order.
#[rustfmt::skip]
const MATRIX: &[(&str, Call, [Expect; 6])] = &[
    ("login", FreshForm("username=autorizado1&password=casia-demo&next=/"), [OK, OK, OK, OK, OK, OK]),
    ("logout", FreshForm(""), [OK, OK, OK, OK, OK, OK]),
    ("context", Call::Form("path=/"), [OK, OK, OK, OK, OK, OK]),
    ("set_language", Call::Form("lang=es&back=/"), [OK, OK, OK, OK, OK, OK]),
    ("verify_cea", Call::Form("cea=ABCD1234EFGH"), [OK, OK, OK, OK, OK, OK]),
    ("my_authorisations", Call::Form(""), [U, OK, OK, F, F, F]),
    ("choose_authorisation", Call::Form("authorisation_id={owner_authorisation}"), [U, OK, NF, F, F, F]),
    ("new_case_options", Call::Form(""), [U, OK, OK, F, F, F]),
    ("open_case", Json(r#"{"form": {"case_type": "tramite", "subject_id": {subject}, "category_id": {category}, "subcategory_id": {subcategory}, "affects_current_period": false, "title": "Otra", "description": "Otra más.", "documents": [], "idempotency_key": "matrix"}}"#), [U, OK, OK, F, F, F]),
    ("case_opened", Call::Form("number={case}"), [U, OK, NF, F, F, F]),
    ("search_options", Call::Form(""), [U, OK, OK, F, F, F]),
    ("search_cases", Call::Form("form[state]=todos&form[from]=2026-11-01&form[to]=2026-11-30"), [U, OK, OK, F, F, F]),
    ("case_detail", Call::Form("number={case}"), [U, OK, NF, F, F, F]),
    ("case_history", Call::Form("number={case}"), [U, OK, NF, F, F, F]),
    ("request_cancellation", Call::Form("number={case}&reason=Ya+no+hace+falta&version=-1"), [U, A, NF, F, F, F]),
    ("rate_case", Call::Form("number={case}&score=5&observations="), [U, A, NF, F, F, F]),
    ("modify_information", Json(r#"{"number": "{case}", "form": {"information": "Más datos", "documents": [], "reclassification": null, "version": -1, "idempotency_key": "matrix"}}"#), [U, A, NF, F, F, F]),
    ("get_inbox", Call::Form(""), [U, OK, OK, F, F, F]),
    ("mark_notice_read", Call::Form("id={notice}"), [U, OK, NF, F, F, F]),
    ("mark_all_notices_read", Call::Form(""), [U, OK, OK, F, F, F]),
    ("get_contact", Call::Form(""), [U, OK, OK, F, F, F]),
    ("update_contact", Call::Form("email=&consent=false&password="), [U, OK, F, F, F, F]),
    ("get_queue", Call::Form("query[queue]=unassigned"), [U, F, F, OK, OK, F]),
    ("get_workspace_taxonomy", Call::Form(""), [U, F, F, OK, OK, F]),
    ("get_processor_options", Call::Form(""), [U, F, F, OK, OK, F]),
    ("get_processor_case", Call::Form("number={case}"), [U, F, F, OK, OK, F]),
    ("processor_act", Json(r#"{"number": "{case}", "input": {"action": "note", "version": -1, "text": "Nota", "target_user_id": null, "documents": []}}"#), [U, F, F, A, A, F]),
    ("search_case_texts", Call::Form("search[text]=baja"), [U, F, F, OK, OK, F]),
    ("search_my_case_texts", Call::Form("text=baja"), [U, OK, OK, F, F, F]),
    ("get_assignable_staff", Call::Form(""), [U, F, F, OK, OK, F]),
    // A case number no case has: answered per case (not found), after the access checks.
    ("bulk_queue_action", Json(r#"{"input": {"action": "take", "cases": [{"number": 1, "version": 0}], "target_user_id": null, "text": ""}}"#), [U, F, F, OK, OK, F]),
    ("get_dashboard", Call::Form(""), [U, F, F, F, OK, F]),
    ("admin_taxonomy", Call::Form(""), [U, F, F, F, F, OK]),
    ("admin_node", Call::Form("id={subject}"), [U, F, F, F, F, OK]),
    ("admin_add_node", Json(r#"{"case_type": "tramite", "parent_id": null, "input": {"name_es": "Nueva", "name_en": "New", "help_es": "", "help_en": "", "technical": false}}"#), [U, F, F, F, F, OK]),
    ("admin_update_node", Json(r#"{"id": {spare_node}, "input": {"name_es": "Renombrada", "name_en": "Renamed", "help_es": "", "help_en": "", "technical": false}}"#), [U, F, F, F, F, OK]),
    ("admin_set_node_active", Call::Form("id={spare_node}&active=true"), [U, F, F, F, F, OK]),
    ("admin_delete_node", Call::Form("id={spare_node}"), [U, F, F, F, F, OK]),
    ("admin_document_types", Call::Form(""), [U, F, F, F, F, OK]),
    ("admin_add_document_type", Call::Form("name_es=Tipo+nuevo&name_en=New+type"), [U, F, F, F, F, OK]),
    ("admin_update_document_type", Call::Form("id={doc_type}&name_es=Contrato&name_en=Contract&active=true"), [U, F, F, F, F, OK]),
    ("admin_accounts", Call::Form("filter=&page=0"), [U, F, F, F, F, OK]),
    ("admin_create_account", Json(r#"{"input": {"username": "nueva", "full_name": "Nueva Cuenta", "email": "", "role": "tramitador", "password": "Girasol-Tranvía-Ópalo-47"}}"#), [U, F, F, F, F, OK]),
    ("admin_set_account_active", Call::Form("id={spare_user}&active=true"), [U, F, F, F, F, OK]),
    ("admin_reset_password", Call::Form("id={spare_user}&password=Girasol-Tranv%C3%ADa-%C3%93palo-48"), [U, F, F, F, F, OK]),
    ("admin_authorisations", Call::Form("filter=&page=0"), [U, F, F, F, F, OK]),
    ("admin_set_authorisation_active", Call::Form("id={other_authorisation}&active=true"), [U, F, F, F, F, OK]),
    ("admin_create_authorisation", Json(r#"{"input": {"number": "7654321", "company_name": "Nueva Gestoría, S.L.", "nif": "B11111111", "contact_email": "", "consent": false}}"#), [U, F, F, F, F, OK]),
    ("admin_add_member", Call::Form("authorisation_id={other_authorisation}&username=suplente&main=false"), [U, F, F, F, F, OK]),
    ("admin_remove_member", Call::Form("authorisation_id={other_authorisation}&user_id={spare_user}"), [U, F, F, F, F, OK]),
    ("admin_set_main_user", Call::Form("authorisation_id={other_authorisation}&user_id={main_user}"), [U, F, F, F, F, OK]),
    ("admin_audit_log", Call::Form("filter[action]=admin.account_created"), [U, F, F, F, F, OK]),
    ("admin_plazos", Call::Form(""), [U, F, F, F, F, OK]),
    ("admin_change_plazos", Json(r#"{"form": {"change": {"SetTarget": {"case_type": "consulta", "node_id": null, "business_days": "5"}}, "apply_to_open": false}}"#), [U, F, F, F, F, OK]),
    ("get_second_factor", Call::Form(""), [U, OK, OK, OK, OK, OK]),
    ("start_second_factor", Call::Form(""), [U, OK, OK, OK, OK, OK]),
    ("confirm_second_factor", Call::Form("code=000000"), [U, A, A, A, A, A]),
    // Without a second factor there are no codes to renew nor a factor to disable.
    ("renew_recovery_codes", Call::Form("code=000000"), [U, NF, NF, NF, NF, NF]),
    ("disable_second_factor", Call::Form("password=x&code=000000"), [U, NF, NF, NF, NF, NF]),
    // Only a session waiting for its second step may verify a code.
    ("verify_second_factor", Call::Form("code=000000"), [U, F, F, F, F, F]),
    ("account_overview", Call::Form(""), [U, OK, OK, OK, OK, OK]),
    // A wrong current password: refused by the rule, after the access checks.
    ("change_password", Call::Form("current_password=no-es-la-clave&new_password=otra-clave-muy-larga-y-rara&repeat_password=otra-clave-muy-larga-y-rara"), [U, A, A, A, A, A]),
    // Only the caller's own sessions can be named: any other id is not found.
    ("end_session", Call::Form("id=no-es-una-sesion"), [U, NF, NF, NF, NF, NF]),
    ("end_other_sessions", Call::Form(""), [U, OK, OK, OK, OK, OK]),
    ("GET /healthz", Get("/healthz"), [OK, OK, OK, OK, OK, OK]),
    ("GET /readyz", Get("/readyz"), [OK, OK, OK, OK, OK, OK]),
    ("POST /api/uploads", PostPdf("/api/uploads?name=anexo.pdf"), [U, OK, OK, OK, OK, F]),
    ("GET /api/documentos/{id}", Get("/api/documentos/{document}"), [U, OK, NF, OK, OK, F]),
    ("GET /api/documentos/{id}/vista", Get("/api/documentos/{document}/vista"), [U, OK, NF, OK, OK, F]),
    ("GET /api/justificantes/{id}", Get("/api/justificantes/{receipt}"), [U, OK, NF, OK, OK, F]),
    ("GET /api/casos.csv", Get("/api/casos.csv?estado=todos&desde=2026-11-01&hasta=2026-11-30"), [U, OK, OK, F, F, F]),
    ("GET /api/tramitacion/bandeja.csv", Get("/api/tramitacion/bandeja.csv?bandeja=abiertos"), [U, F, F, OK, OK, F]),
    ("GET /api/tramitacion/buscar.csv", Get("/api/tramitacion/buscar.csv?texto=baja"), [U, F, F, OK, OK, F]),
    ("GET /api/administracion/auditoria.csv", Get("/api/administracion/auditoria.csv"), [U, F, F, F, F, OK]),
    // Live updates: users of an authorisation and processors; the stream's first bytes are
    // enough (the test does not wait for events).
    ("GET /api/eventos", Get("/api/eventos"), [U, OK, OK, OK, OK, F]),
    ("POST /api/verificacion/fichero", PostPdf("/api/verificacion/fichero"), [OK, OK, OK, OK, OK, OK]),
    ("list_api_tokens", Call::Form(""), [U, OK, OK, F, F, F]),
    ("revoke_api_token", Call::Form("id=999999"), [U, NF, NF, F, F, F]),
    // The integration API: a Bearer token or nothing. A session cookie is no credential
    // there, whoever holds it (the token tests are in tests/api.rs).
    ("GET /api/v1/openapi.json", Get("/api/v1/openapi.json"), [OK, OK, OK, OK, OK, OK]),
    ("GET /api/v1/reference", Get("/api/v1/reference"), [OK, OK, OK, OK, OK, OK]),
    ("GET /api/v1/taxonomy", Get("/api/v1/taxonomy"), [U, U, U, U, U, U]),
    ("GET /api/v1/document-types", Get("/api/v1/document-types"), [U, U, U, U, U, U]),
    ("POST /api/v1/uploads", PostPdf("/api/v1/uploads?name=anexo.pdf"), [U, U, U, U, U, U]),
    ("GET /api/v1/cases", Get("/api/v1/cases?state=todos&from=2026-11-01&to=2026-11-30"), [U, U, U, U, U, U]),
    ("POST /api/v1/cases", PostPdf("/api/v1/cases"), [U, U, U, U, U, U]),
    ("GET /api/v1/cases/{number}", Get("/api/v1/cases/{case}"), [U, U, U, U, U, U]),
    ("GET /api/v1/cases/{number}/history", Get("/api/v1/cases/{case}/history"), [U, U, U, U, U, U]),
    ("POST /api/v1/cases/{number}/information", PostPdf("/api/v1/cases/{case}/information"), [U, U, U, U, U, U]),
    ("POST /api/v1/cases/{number}/cancellation", PostPdf("/api/v1/cases/{case}/cancellation"), [U, U, U, U, U, U]),
    ("POST /api/v1/cases/{number}/rating", PostPdf("/api/v1/cases/{case}/rating"), [U, U, U, U, U, U]),
    ("GET /api/v1/cases/{number}/receipts", Get("/api/v1/cases/{case}/receipts"), [U, U, U, U, U, U]),
    ("GET /api/v1/receipts/{id}", Get("/api/v1/receipts/{receipt}"), [U, U, U, U, U, U]),
    ("GET /api/v1/notices", Get("/api/v1/notices"), [U, U, U, U, U, U]),
    ("POST /api/v1/notices/{id}/read", PostPdf("/api/v1/notices/{notice}/read"), [U, U, U, U, U, U]),
    ("POST /api/v1/notices/read", PostPdf("/api/v1/notices/read"), [U, U, U, U, U, U]),
    ("GET /api/v1/webhooks", Get("/api/v1/webhooks"), [U, U, U, U, U, U]),
    ("POST /api/v1/webhooks", PostPdf("/api/v1/webhooks"), [U, U, U, U, U, U]),
    ("DELETE /api/v1/webhooks/{id}", Delete("/api/v1/webhooks/1"), [U, U, U, U, U, U]),
    ("GET /api/v1/webhooks/{id}/deliveries", Get("/api/v1/webhooks/1/deliveries"), [U, U, U, U, U, U]),
];

/// The row key of every endpoint the router serves, from the registries themselves.
fn every_endpoint() -> Vec<String> {
    let functions = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned());
    let routes = app::api::route_list()
        .into_iter()
        .map(|(method, path)| format!("{method} {path}"));
    let mut all: Vec<String> = functions.chain(routes).collect();
    all.sort();
    all
}

#[test]
fn every_server_function_and_route_has_a_row() {
    // Linking the router registers the server functions.
    let _ = casia_server::web::router;
    let endpoints = every_endpoint();
    assert!(
        endpoints.len() >= 52,
        "the registries look empty: {endpoints:?}"
    );
    let rows: Vec<&str> = MATRIX.iter().map(|(key, _, _)| *key).collect();
    let missing: Vec<&String> = endpoints
        .iter()
        .filter(|e| !rows.contains(&e.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in the access matrix (add one to MATRIX): {missing:?}"
    );
    let stale: Vec<&&str> = rows
        .iter()
        .filter(|r| !endpoints.iter().any(|e| e == *r))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for endpoints the router does not serve: {stale:?}"
    );
    let mut seen = std::collections::HashSet::new();
    let doubled: Vec<&&str> = rows.iter().filter(|r| !seen.insert(**r)).collect();
    assert!(doubled.is_empty(), "endpoints with two rows: {doubled:?}");
}

async fn send(f: &Fixture, client: &Client, key: &str, call: Call) -> reqwest::Response {
    let function = format!("/api/{key}");
    let r = match call {
        Call::Form(body) | FreshForm(body) => client
            .request(Method::POST, &function)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(f.fill(body)),
        Json(body) => {
            let filled = f.fill(body);
            let json: serde_json::Value = serde_json::from_str(&filled)
                .unwrap_or_else(|e| panic!("{key}: bad JSON in the row ({e}): {filled}"));
            client.request(Method::POST, &function).json(&json)
        }
        Get(path) => client.request(Method::GET, &f.fill(path)),
        PostPdf(path) => client
            .request(Method::POST, &f.fill(path))
            .body(common::PDF.to_vec()),
        Delete(path) => client.request(Method::DELETE, &f.fill(path)),
    };
    r.send().await.unwrap()
}

fn meets(expect: Expect, status: u16) -> bool {
    match expect {
        Expect::Ok => (200..400).contains(&status),
        Expect::Allowed => status < 500 && ![401, 403, 404].contains(&status),
        Expect::Status(s) => s == status,
    }
}

db_test!(every_endpoint_answers_each_caller_as_the_matrix_says, |s| {
    let f = common::fixture(&s).await;
    let mut wrong = Vec::new();
    for (key, call, expected) in MATRIX {
        for (who, expect) in EVERYONE.into_iter().zip(expected) {
            let client = match (call, who.username()) {
                (FreshForm(_), Some(username)) => {
                    Client::login(&f.http, &f.server.base, username).await
                }
                _ => f.client(who).clone(),
            };
            let r = send(&f, &client, key, *call).await;
            let status = r.status().as_u16();
            if !meets(*expect, status) {
                let body = r.text().await.unwrap_or_default();
                wrong.push(format!(
                    "{key} as {who:?}: expected {expect:?}, got {status} {}",
                    body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
});

db_test!(a_client_mistake_is_a_4xx_with_the_field_named, |s| {
    let f = common::fixture(&s).await;
    let owner = f.client(Who::Owner);
    // A number that cannot be a case is a case that is not theirs: 404, not a 500.
    let r = owner.post_form("/api/case_detail", "number=abc").await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("NotFound"));
    // Arguments that do not decode: 400, with the client-safe error.
    let r = owner.post_form("/api/mark_notice_read", "id=abc").await;
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!("BadRequest")
    );
    let r = owner.post_form("/api/case_detail", "").await;
    assert_eq!(r.status().as_u16(), 400, "a missing argument");
    let r = owner
        .request(Method::POST, "/api/open_case")
        .header("content-type", "application/json")
        .body("{\"form\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "broken JSON");
    // Text PostgreSQL cannot store (NUL) is the client's mistake on both databases.
    let r = f
        .client(Who::Anonymous)
        .post_form("/api/login", "username=a%00b&password=x&next=")
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    // An empty CEA: 422 naming the field `cea`, for anyone (the page is public).
    for who in EVERYONE {
        let r = f.client(who).post_form("/api/verify_cea", "cea=+").await;
        assert_eq!(r.status().as_u16(), 422, "{who:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["Invalid"][0]["field"], "cea", "{body}");
    }
});
