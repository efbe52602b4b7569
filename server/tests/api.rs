//! The integration API over HTTP, on SQLite and PostgreSQL: tokens and scopes, revocation and
//! membership, the journey of a case, another authorisation's case, the lifecycle's
//! refusals, idempotency, validation problems, the rate limit, notices and signed webhooks.

mod common;

use std::sync::{Arc, Mutex};

use casia_domain::model::ApiScope;
use casia_services::api_tokens::{self, NewToken};
use casia_services::entity;
use casia_services::entity::{authorisation, user};
use casia_services::{Services, db_test};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};

/// laboral: autorizado2 (main user), autorizado1 (member).
const LABORAL: &str = "0654321";
/// gestoría: autorizado1 (main user).
const GESTORIA: &str = "0123456";

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

async fn token(s: &Services, username: &str, authorisation: &str, scopes: &[ApiScope]) -> String {
    api_tokens::create(
        &s.db,
        NewToken {
            username,
            authorisation_number: authorisation,
            name: "Nóminas",
            scopes: scopes.to_vec(),
            expires_days: None,
        },
    )
    .await
    .unwrap()
    .token
}

const ALL: &[ApiScope] = ApiScope::ALL;

/// The `key` of each object in the array `list`.
fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap())
        .collect()
}

/// Demo data served; the owner's API (autorizado2 in laboral) with every scope.
async fn start(s: &Services) -> (String, Api) {
    let base = common::serve_demo(s).await;
    let api = Api {
        http: common::http_client(),
        base: base.clone(),
        token: token(s, "autorizado2", LABORAL, ALL).await,
    };
    (base, api)
}

fn api_as(base: &str, token: String) -> Api {
    Api {
        http: common::http_client(),
        base: base.to_owned(),
        token,
    }
}

/// A Trámite's Subcategoría (or a Categoría without any) and a document type.
async fn classification(api: &Api) -> (Value, i64) {
    let node = tramite_under(api, 0).await;
    let types: Value = api.get_json("/api/v1/document-types").await;
    (node, types[0]["id"].as_i64().unwrap())
}

/// A Trámite classification under the second Materia.
async fn other_classification(api: &Api) -> Value {
    tramite_under(api, 1).await
}

/// The first Trámite Subcategoría (or Categoría without any) under the `subject`-th Materia.
async fn tramite_under(api: &Api, subject: usize) -> Value {
    let tree: Value = api.get_json("/api/v1/taxonomy").await;
    let tramite = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["case_type"] == "tramite")
        .unwrap();
    let category = &tramite["subjects"][subject]["children"][0];
    match category["children"].as_array().and_then(|c| c.first()) {
        Some(sub) => json!({ "subcategory_id": sub["id"] }),
        None => json!({ "category_id": category["id"] }),
    }
}

/// Saves a user or an authorisation (de)activated behind the API's back.
async fn set_active<A>(
    s: &Services,
    mut row: A,
    column: <A::Entity as EntityTrait>::Column,
    on: bool,
) where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    row.set(column, on.into());
    row.update(&s.db).await.unwrap();
}

/// `Valoración` of case `number`.
async fn rate(api: &Api, number: &str, body: &Value) -> reqwest::Response {
    api.post(&format!("/api/v1/cases/{number}/rating"), body)
        .await
}

async fn upload(api: &Api, name: &str) -> String {
    let r = api
        .request(Method::POST, &format!("/api/v1/uploads?name={name}"))
        .body(common::PDF.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn open_case(api: &Api, key: Option<&str>, documents: Value) -> reqwest::Response {
    let (node, _) = classification(api).await;
    let mut body = json!({
        "affects_current_period": false,
        "title": "Alta fuera de plazo",
        "description": "Enviada desde el programa de nóminas.",
        "documents": documents,
    });
    for (k, v) in node.as_object().unwrap() {
        body[k] = v.clone();
    }
    let mut r = api.request(Method::POST, "/api/v1/cases").json(&body);
    if let Some(key) = key {
        r = r.header("Idempotency-Key", key);
    }
    r.send().await.unwrap()
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    let got = r.status().as_u16();
    let media = r.headers()["content-type"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(media, "application/problem+json");
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:casia:problem:")
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    body
}

fn this_month() -> (String, String) {
    let today = chrono::Utc::now().with_timezone(&chrono_tz_madrid());
    let first = today.format("%Y-%m-01").to_string();
    (first, today.format("%Y-%m-%d").to_string())
}

fn chrono_tz_madrid() -> chrono::FixedOffset {
    // Within the month either way: the search compares Spain's calendar days, and today in
    // Spain is today in UTC ±1 day only around midnight of the first.
    chrono::FixedOffset::east_opt(3600).unwrap()
}

db_test!(tokens_need_their_scope_and_stop_working_at_once, |s| {
    let (base, owner) = start(&s).await;
    let opened: Value = open_case(&owner, None, json!([]))
        .await
        .json()
        .await
        .unwrap();
    let number = opened["number"].as_str().unwrap().to_owned();
    let read_only = api_as(
        &base,
        token(&s, "autorizado2", LABORAL, &[ApiScope::CasesRead]).await,
    );
    let path = format!("/api/v1/cases/{number}");
    assert_eq!(read_only.get(&path).await.status(), StatusCode::OK);
    let p = problem(open_case(&read_only, None, json!([])).await, 403).await;
    assert_eq!(p["type"], "urn:casia:problem:insufficient-scope");
    assert!(p["title"].as_str().unwrap().contains("cases:write"), "{p}");
    let p = problem(read_only.get("/api/v1/notices").await, 403).await;
    assert_eq!(p["type"], "urn:casia:problem:insufficient-scope");

    // Without a token, with a wrong one: 401, saying how to authenticate.
    let anonymous = common::http_client();
    let r = anonymous.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(
        r.headers()["www-authenticate"].to_str().unwrap(),
        "Bearer realm=\"casia\""
    );
    problem(r, 401).await;
    let wrong = api_as(&base, "casia_no-es-un-token".into());
    let p = problem(wrong.get(&path).await, 401).await;
    assert_eq!(p["type"], "urn:casia:problem:unauthenticated");
    // A signed-in browser's cookie is never an API credential.
    let browser = common::Client::login(&anonymous, &base, "autorizado2").await;
    problem(
        browser.request(Method::GET, &path).send().await.unwrap(),
        401,
    )
    .await;
    let r = browser
        .request(Method::POST, "/api/v1/cases")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(r, 401).await;
    // A cookie along with the token: the CSRF check applies again (no Origin: refused).
    let r = owner
        .request(Method::POST, "/api/v1/cases")
        .header("cookie", "casia_sesion=x")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Revoked: the next request fails.
    let listed = api_tokens::list(
        &s.db,
        &api_tokens::caller_from_bearer(&s.db, &read_only.token, "test".into())
            .await
            .unwrap()
            .caller,
    )
    .await
    .unwrap();
    let id = listed
        .tokens
        .iter()
        .find(|t| t.scopes == [ApiScope::CasesRead])
        .unwrap()
        .id;
    let owner_caller = api_tokens::caller_from_bearer(&s.db, &owner.token, "test".into())
        .await
        .unwrap()
        .caller;
    api_tokens::revoke(&s.db, &owner_caller, id).await.unwrap();
    problem(read_only.get(&path).await, 401).await;

    // Expired.
    let expiring = api_as(&base, token(&s, "autorizado2", LABORAL, ALL).await);
    assert_eq!(expiring.get(&path).await.status(), StatusCode::OK);
    entity::api_token::Entity::update_many()
        .col_expr(
            entity::api_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(
            entity::api_token::Column::TokenHash
                .eq(casia_services::accounts::session_id(&expiring.token)),
        )
        .exec(&s.db)
        .await
        .unwrap();
    problem(expiring.get(&path).await, 401).await;

    // autorizado1 removed from laboral: their laboral token fails at once.
    let member = api_as(&base, token(&s, "autorizado1", LABORAL, ALL).await);
    assert_eq!(member.get(&path).await.status(), StatusCode::OK);
    let a1 = common::find_user(&s, "autorizado1").await.unwrap();
    let laboral = common::authorisation_numbered(&s, LABORAL).await;
    entity::authorisation_member::Entity::delete_many()
        .filter(entity::authorisation_member::Column::UserId.eq(a1.id))
        .filter(entity::authorisation_member::Column::AuthorisationId.eq(laboral.id))
        .exec(&s.db)
        .await
        .unwrap();
    problem(member.get(&path).await, 401).await;

    // The user deactivated; then the authorisation deactivated.
    let fresh = api_as(&base, token(&s, "autorizado2", LABORAL, ALL).await);
    assert_eq!(fresh.get(&path).await.status(), StatusCode::OK);
    let a2 = common::find_user(&s, "autorizado2").await.unwrap();
    set_active(
        &s,
        a2.clone().into_active_model(),
        user::Column::Active,
        false,
    )
    .await;
    problem(fresh.get(&path).await, 401).await;
    set_active(&s, a2.into_active_model(), user::Column::Active, true).await;
    assert_eq!(fresh.get(&path).await.status(), StatusCode::OK);
    set_active(
        &s,
        laboral.into_active_model(),
        authorisation::Column::Active,
        false,
    )
    .await;
    problem(fresh.get(&path).await, 401).await;

    // The CLI's rules: an unknown scope list cannot reach here; a staff member cannot hold one.
    let refused = api_tokens::create(
        &s.db,
        NewToken {
            username: "tramitador1",
            authorisation_number: LABORAL,
            name: "x",
            scopes: vec![ApiScope::CasesRead],
            expires_days: None,
        },
    )
    .await;
    assert!(refused.is_err());
});

db_test!(
    a_case_is_uploaded_opened_found_completed_and_cancelled,
    |s| {
        let (_base, api) = start(&s).await;
        let (_, doc_type) = classification(&api).await;
        let upload_id = upload(&api, "contrato.pdf").await;
        let docs =
            json!([{ "upload_id": upload_id, "document_type_id": doc_type, "title": "Contrato" }]);
        let r = open_case(&api, Some("nomina-2026-11-7"), docs.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let case: Value = r.json().await.unwrap();
        let number = case["number"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/api/v1/cases/{number}"));
        assert_eq!(case["state"], "abierto");
        assert_eq!(case["substate"], "presentado");
        assert_eq!(case["case_type"], "tramite");
        chrono::DateTime::parse_from_rfc3339(case["opened_at"].as_str().unwrap()).unwrap();

        // The same key again: the same case, not a second one.
        let again: Value = open_case(&api, Some("nomina-2026-11-7"), docs)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["number"], case["number"]);
        let (from, to) = this_month();
        let found: Value = api
            .get_json(&format!("/api/v1/cases?state=abierto&from={from}&to={to}"))
            .await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["items"][0]["number"], case["number"]);

        // Paging: three more cases, two per page, the total on every page.
        for _ in 0..3 {
            assert_eq!(
                open_case(&api, None, json!([])).await.status(),
                StatusCode::CREATED
            );
        }
        let first: Value = api
            .get_json(&format!(
                "/api/v1/cases?state=todos&from={from}&to={to}&limit=2"
            ))
            .await;
        assert_eq!(
            (
                first["total"].as_u64(),
                first["items"].as_array().unwrap().len()
            ),
            (Some(4), 2)
        );
        let cursor = first["next_cursor"].as_str().unwrap();
        let second: Value = api
            .get_json(&format!(
                "/api/v1/cases?state=todos&from={from}&to={to}&limit=2&cursor={cursor}"
            ))
            .await;
        assert_eq!(second["items"].as_array().unwrap().len(), 2);
        assert!(second["next_cursor"].is_null());
        assert_ne!(first["items"][0]["number"], second["items"][0]["number"]);

        // The receipt of the Trámite, and its PDF.
        let receipts: Value = api
            .get_json(&format!("/api/v1/cases/{number}/receipts"))
            .await;
        assert_eq!(receipts[0]["kind"], "solicitud", "{receipts}");
        let pdf = api
            .get(&format!("/api/v1/receipts/{}", receipts[0]["id"]))
            .await;
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

        // More information, idempotent too.
        let info = json!({ "information": "Se adjunta la nómina de noviembre." });
        let add = |key: &'static str| {
            api.request(Method::POST, &format!("/api/v1/cases/{number}/information"))
                .header("Idempotency-Key", key)
                .json(&info)
                .send()
        };
        let r = add("info-1").await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let added: Value = r.json().await.unwrap();
        assert_eq!(added["case"]["substate"], "presentado");
        assert_eq!(add("info-1").await.unwrap().status(), StatusCode::OK);
        let history: Value = api
            .get_json(&format!("/api/v1/cases/{number}/history"))
            .await;
        let actions: Vec<&str> = strings(&history["entries"], "action");
        assert_eq!(
            actions,
            ["open", "modify_information"],
            "one addition for one key"
        );
        chrono::DateTime::parse_from_rfc3339(history["entries"][0]["at"].as_str().unwrap())
            .unwrap();

        // A stale version is a conflict; then cancellation (not taken yet: at once).
        let r = api
            .post(
                &format!("/api/v1/cases/{number}/cancellation"),
                &json!({ "reason": "Duplicado", "version": 0 }),
            )
            .await;
        assert_eq!(problem(r, 409).await["type"], "urn:casia:problem:conflict");
        let r = api
            .post(
                &format!("/api/v1/cases/{number}/cancellation"),
                &json!({ "reason": "Duplicado" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let cancelled: Value = r.json().await.unwrap();
        assert_eq!(
            (cancelled["state"].as_str(), cancelled["substate"].as_str()),
            (Some("cerrado"), Some("anulado"))
        );

        // The lifecycle's refusals, each a 409 naming the reason.
        let refused = |r: reqwest::Response, refusal: &'static str| async move {
            let p = problem(r, 409).await;
            assert_eq!(p["type"], "urn:casia:problem:refused");
            assert_eq!(p["refusal"], refusal, "{p}");
        };
        refused(
            api.post(&format!("/api/v1/cases/{number}/cancellation"), &json!({}))
                .await,
            "CaseClosed",
        )
        .await;
        refused(
            api.post(&format!("/api/v1/cases/{number}/information"), &info)
                .await,
            "CaseClosed",
        )
        .await;
        let open_one = found_open(&api, &from, &to).await;
        refused(
            rate(&api, &open_one, &json!({ "score": 4 })).await,
            "CaseNotClosed",
        )
        .await;
        let r = rate(
            &api,
            &number,
            &json!({ "score": 5, "observations": "Rápido" }),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let rated: Value = r.json().await.unwrap();
        assert_eq!(rated["rating"], 5);
        refused(
            rate(&api, &number, &json!({ "score": 5 })).await,
            "AlreadyRated",
        )
        .await;
        // A reclassification while none is requested (to another Materia).
        let node = other_classification(&api).await;
        refused(
            api.post(
                &format!("/api/v1/cases/{open_one}/information"),
                &json!({ "information": "x", "reclassification": node }),
            )
            .await,
            "WrongSubstate",
        )
        .await;
    }
);

async fn found_open(api: &Api, from: &str, to: &str) -> String {
    let page: Value = api
        .get_json(&format!("/api/v1/cases?state=abierto&from={from}&to={to}"))
        .await;
    page["items"][0]["number"].as_str().unwrap().to_owned()
}

db_test!(
    information_carries_the_new_classification_when_asked_for,
    |s| {
        let (base, api) = start(&s).await;
        let case: Value = open_case(&api, None, json!([])).await.json().await.unwrap();
        let number = case["number"].as_str().unwrap().to_owned();
        // A processor takes the case and asks for it to be reclassified (the page's own server
        // function, over HTTP with a session).
        let processor = common::Client::login(&common::http_client(), &base, "tramitador1").await;
        for (action, text) in [
            ("take", ""),
            ("request_reclassification", "Corresponde a otra materia."),
        ] {
            let now: Value = api.get_json(&format!("/api/v1/cases/{number}")).await;
            let r = processor
                .post_json(
                    "/api/processor_act",
                    &json!({ "number": number, "input": {
                    "action": action, "version": now["version"], "text": text,
                    "target_user_id": null, "documents": [] } }),
                )
                .await;
            assert!(r.status().is_success(), "{action}: {}", r.status());
        }
        let asked: Value = api.get_json(&format!("/api/v1/cases/{number}")).await;
        assert_eq!(asked["substate"], "solicitada_reclasificacion");

        // The classification it already has is not an answer: 422 naming the field, nothing changed.
        let same = match (
            case["subcategory_id"].as_i64(),
            case["category_id"].as_i64(),
        ) {
            (Some(sub), _) => json!({ "subcategory_id": sub }),
            (None, Some(category)) => json!({ "category_id": category }),
            _ => unreachable!("a case has a Categoría"),
        };
        let p = problem(
            api.post(
                &format!("/api/v1/cases/{number}/information"),
                &json!({ "information": "Es la misma.", "reclassification": same }),
            )
            .await,
            422,
        )
        .await;
        let named = if same.get("subcategory_id").is_some() {
            "subcategory_id"
        } else {
            "category_id"
        };
        assert_eq!(p["errors"][0]["field"], named, "{p}");
        assert_eq!(p["errors"][0]["problem"], "ClassificationUnchanged", "{p}");
        let still: Value = api.get_json(&format!("/api/v1/cases/{number}")).await;
        assert_eq!(still["version"], asked["version"]);

        // Another Materia: accepted, the case goes back to its processor under the new Materia.
        let node = other_classification(&api).await;
        let r = api
            .post(
                &format!("/api/v1/cases/{number}/information"),
                &json!({ "information": "Reclasificado.", "reclassification": node }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let after: Value = api.get_json(&format!("/api/v1/cases/{number}")).await;
        assert_eq!(after["substate"], "asignado");
        assert_ne!(after["subject_id"], case["subject_id"], "{after}");
        let history: Value = api
            .get_json(&format!("/api/v1/cases/{number}/history"))
            .await;
        assert!(
            history["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "reclassify"),
            "{history}"
        );
    }
);

db_test!(another_authorisations_case_is_not_found, |s| {
    let (base, owner) = start(&s).await;
    let theirs = api_as(&base, token(&s, "autorizado1", GESTORIA, ALL).await);
    let case: Value = open_case(&theirs, None, json!([]))
        .await
        .json()
        .await
        .unwrap();
    let number = case["number"].as_str().unwrap();
    let receipts_before: Value = theirs
        .get_json(&format!("/api/v1/cases/{number}/receipts"))
        .await;
    assert!(receipts_before.as_array().is_some());
    for r in [
        owner.get(&format!("/api/v1/cases/{number}")).await,
        owner.get(&format!("/api/v1/cases/{number}/history")).await,
        owner.get(&format!("/api/v1/cases/{number}/receipts")).await,
        owner
            .post(
                &format!("/api/v1/cases/{number}/information"),
                &json!({ "information": "x" }),
            )
            .await,
        owner
            .post(&format!("/api/v1/cases/{number}/cancellation"), &json!({}))
            .await,
        owner
            .post(
                &format!("/api/v1/cases/{number}/rating"),
                &json!({ "score": 1 }),
            )
            .await,
        owner.get("/api/v1/cases/no-es-un-numero").await,
        owner.get("/api/v1/receipts/999999").await,
    ] {
        assert_eq!(problem(r, 404).await["type"], "urn:casia:problem:not-found");
    }
    // Untouched.
    let still: Value = theirs.get_json(&format!("/api/v1/cases/{number}")).await;
    assert_eq!(still["substate"], "presentado");
    // Their search does not show the owner's cases and vice versa.
    let (from, to) = this_month();
    let mine: Value = owner
        .get_json(&format!("/api/v1/cases?state=todos&from={from}&to={to}"))
        .await;
    assert_eq!(mine["total"], 0);
});

db_test!(bad_requests_are_problems_naming_the_field, |s| {
    let (_base, api) = start(&s).await;
    // Empty fields: the domain's own validation, by the API's names.
    let r = api
        .post("/api/v1/cases", &json!({ "title": "", "description": "" }))
        .await;
    let p = problem(r, 422).await;
    assert_eq!(p["type"], "urn:casia:problem:validation");
    let fields: Vec<&str> = strings(&p["errors"], "field");
    assert!(
        fields.contains(&"title") && fields.contains(&"description"),
        "{p}"
    );
    assert!(
        fields.contains(&"category_id") || fields.contains(&"subcategory_id"),
        "{p}"
    );
    assert!(!p["errors"][0]["message"].as_str().unwrap().is_empty());
    // A value of the wrong type names its path.
    let r = api
        .post("/api/v1/cases", &json!({ "subcategory_id": "siete" }))
        .await;
    let p = problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "subcategory_id", "{p}");
    let r = api
        .post(
            "/api/v1/cases",
            &json!({ "documents": [{ "document_type_id": "x" }] }),
        )
        .await;
    assert_eq!(
        problem(r, 422).await["errors"][0]["field"],
        "documents.0.document_type_id"
    );
    // A document type that does not exist; an upload that does not exist.
    let r = open_case(
        &api,
        None,
        json!([{ "upload_id": "nada", "document_type_id": 999999, "title": "x" }]),
    )
    .await;
    assert_eq!(
        problem(r, 422).await["errors"][0]["field"],
        "documents.0.document_type_id"
    );
    let (_, doc_type) = classification(&api).await;
    let r = open_case(
        &api,
        None,
        json!([{ "upload_id": "nada", "document_type_id": doc_type, "title": "x" }]),
    )
    .await;
    assert_eq!(
        problem(r, 422).await["type"],
        "urn:casia:problem:upload-refused"
    );
    // Not JSON at all; not declared as JSON.
    let r = api
        .request(Method::POST, "/api/v1/cases")
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(r, 400).await["type"],
        "urn:casia:problem:bad-request"
    );
    let r = api
        .request(Method::POST, "/api/v1/cases")
        .body("x")
        .send()
        .await
        .unwrap();
    problem(r, 415).await;
    // Search: the state is required, the dates within one month.
    let p = problem(api.get("/api/v1/cases").await, 422).await;
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "state"),
        "{p}"
    );
    let p = problem(
        api.get("/api/v1/cases?state=todos&from=2026-10-01&to=2026-11-30")
            .await,
        422,
    )
    .await;
    assert!(!p["errors"].as_array().unwrap().is_empty(), "{p}");
    let r = api.get("/api/v1/cases?state=todos&limit=muchos").await;
    problem(r, 400).await;
    // A rating out of range; an empty upload.
    let number = open_case(&api, None, json!([]))
        .await
        .json::<Value>()
        .await
        .unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = problem(rate(&api, &number, &json!({ "score": 9 })).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "score");
    let r = api
        .request(Method::POST, "/api/v1/uploads?name=vacio.pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(r, 422).await["type"],
        "urn:casia:problem:upload-refused"
    );
    // The title in the caller's language: autorizado2 reads English now.
    let u = common::find_user(&s, "autorizado2").await.unwrap();
    let mut am = u.into_active_model();
    am.lang = Set("en".into());
    am.update(&s.db).await.unwrap();
    let p = problem(api.get("/api/v1/cases/2020-0000001").await, 404).await;
    assert_eq!(
        p["title"],
        casia_domain::Msg::ErrNotFound.t(casia_domain::Lang::En)
    );
});

db_test!(each_token_has_its_own_rate_limit, |s| {
    let mut config = (*s.config).clone();
    config.api.requests_per_minute = 3;
    let limits = Arc::new(casia_services::rate_limit::Limits::from_config(&config));
    let s = Services {
        config: Arc::new(config),
        limits,
        ..s.clone()
    };
    let (base, api) = start(&s).await;
    for _ in 0..3 {
        assert_eq!(
            api.get("/api/v1/document-types").await.status(),
            StatusCode::OK
        );
    }
    let r = api.get("/api/v1/document-types").await;
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let p = problem(r, 429).await;
    assert_eq!(p["type"], "urn:casia:problem:rate-limited");
    assert_eq!(p["retry_after"], wait);
    // Another token is not held back.
    let other = api_as(&base, token(&s, "autorizado1", GESTORIA, ALL).await);
    assert_eq!(
        other.get("/api/v1/document-types").await.status(),
        StatusCode::OK
    );
});

db_test!(the_inbox_is_paged_and_marked_read_per_user, |s| {
    let (base, api) = start(&s).await;
    for _ in 0..3 {
        open_case(&api, None, json!([])).await;
    }
    let page: Value = api.get_json("/api/v1/notices?limit=2").await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["kind"], "case_opened");
    assert_eq!(items[0]["read"], false);
    let before = page["next_before"].as_i64().unwrap();
    let rest: Value = api
        .get_json(&format!("/api/v1/notices?before={before}"))
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    let id = items[0]["id"].as_i64().unwrap();
    let r = api
        .post(&format!("/api/v1/notices/{id}/read"), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let page: Value = api.get_json("/api/v1/notices").await;
    assert_eq!(page["items"][2]["read"], false);
    assert_eq!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["read"] == true)
            .count(),
        1
    );
    // Read for autorizado2 only: autorizado1 (also in laboral) has not read it.
    let colleague = api_as(&base, token(&s, "autorizado1", LABORAL, ALL).await);
    let theirs: Value = colleague.get_json("/api/v1/notices").await;
    assert!(
        theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["read"] == false)
    );
    // Another authorisation's notice is not found.
    let gestoria = api_as(&base, token(&s, "autorizado1", GESTORIA, ALL).await);
    problem(
        gestoria
            .post(&format!("/api/v1/notices/{id}/read"), &json!({}))
            .await,
        404,
    )
    .await;
    let marked: Value = api
        .post("/api/v1/notices/read", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(marked["marked"], 2);
});

/// What the receiving server saw: (event, delivery, signature, body).
type Seen = Arc<Mutex<Vec<(String, String, String, Vec<u8>)>>>;

/// A webhook receiver on a local port that answers 500 to the first delivery, then 200.
async fn receiver() -> (String, Seen) {
    use axum::http::HeaderMap;
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let text = |k: &str| {
                    headers
                        .get(k)
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default()
                };
                let mut seen = kept.lock().unwrap();
                seen.push((
                    text("x-casia-event"),
                    text("x-casia-delivery"),
                    text("x-casia-signature"),
                    body.to_vec(),
                ));
                if seen.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

db_test!(webhooks_are_signed_retried_after_a_500_and_logged, |s| {
    let (url, seen) = receiver().await;
    // Without the operator's permission a local receiver is refused.
    let (_base, strict) = start(&s).await;
    let r = strict
        .post(
            "/api/v1/webhooks",
            &json!({ "url": url, "events": ["case_opened"] }),
        )
        .await;
    assert_eq!(problem(r, 422).await["errors"][0]["field"], "url");
    let r = strict
        .post(
            "/api/v1/webhooks",
            &json!({ "url": "https://127.0.0.1/hook", "events": ["case_opened"] }),
        )
        .await;
    assert_eq!(
        problem(r, 422).await["errors"][0]["problem"],
        "PrivateAddress"
    );

    let mut config = (*s.config).clone();
    config.api.webhooks.allow_private_targets = true;
    config.api.webhooks.backoff_seconds = 1;
    let s = Services {
        config: Arc::new(config),
        ..s.clone()
    };
    let base = common::serve(s.clone()).await.base;
    let api = api_as(&base, strict.token.clone());
    let r = api
        .post(
            "/api/v1/webhooks",
            &json!({ "url": url, "events": ["case_opened", "cancelled_automatically"] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let hook: Value = r.json().await.unwrap();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let deliveries = format!("/api/v1/webhooks/{}/deliveries", hook["id"]);
    let listed: Value = api.get_json("/api/v1/webhooks").await;
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once"
    );
    // Another authorisation sees none of it.
    let other = api_as(&base, token(&s, "autorizado1", GESTORIA, ALL).await);
    let theirs: Value = other.get_json("/api/v1/webhooks").await;
    assert_eq!(theirs, json!([]));
    problem(other.get(&deliveries).await, 404).await;

    let case: Value = open_case(&api, None, json!([])).await.json().await.unwrap();
    // The delivery was written with the case; nothing sent yet.
    let log: Value = api.get_json(&deliveries).await;
    assert_eq!(
        (log[0]["status"].as_str(), log[0]["attempts"].as_i64()),
        (Some("pending"), Some(0))
    );

    let client = casia_services::webhooks::worker::http_client(&s).unwrap();
    let round = casia_services::webhooks::worker::deliver_due(&s, &client)
        .await
        .unwrap();
    assert_eq!((round.claimed, round.retrying), (1, 1));
    let log: Value = api.get_json(&deliveries).await;
    assert_eq!(
        (log[0]["status"].as_str(), log[0]["last_status"].as_i64()),
        (Some("pending"), Some(500))
    );
    // Not due again before its backoff.
    let early = casia_services::webhooks::worker::deliver_due(&s, &client)
        .await
        .unwrap();
    assert_eq!(early.claimed, 0);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let round = casia_services::webhooks::worker::deliver_due(&s, &client)
        .await
        .unwrap();
    assert_eq!(round.delivered, 1);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "the 500, then the retry");
    for (event, delivery, signature, body) in &seen {
        assert_eq!(event, "case_opened");
        assert_eq!(delivery, &log[0]["id"].to_string());
        assert_eq!(signature, &format!("sha256={}", hmac_hex(&secret, body)));
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(event["case"]["number"], case["number"]);
        assert_eq!(event["authorisation"], LABORAL);
    }
    assert_eq!(seen[0].3, seen[1].3, "the same body each time");
    let log: Value = api.get_json(&deliveries).await;
    assert_eq!(
        (log[0]["status"].as_str(), log[0]["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );
    // Removed: its log with it.
    let r = api
        .request(Method::DELETE, &format!("/api/v1/webhooks/{}", hook["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(api.get(&deliveries).await, 404).await;
});

db_test!(
    the_openapi_document_describes_every_route_and_is_public,
    |s| {
        let base = common::serve_demo(&s).await;
        let http = common::http_client();
        let r = http
            .get(format!("{base}/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for (method, path) in app::api::route_list() {
            if !path.starts_with("/api/v1/")
                || path == "/api/v1/openapi.json"
                || path == "/api/v1/reference"
            {
                continue;
            }
            let op = &doc["paths"][path][method.as_str().to_lowercase()];
            assert!(op.is_object(), "{method} {path} is not in the document");
            assert!(op["responses"]["401"].is_object(), "{method} {path}");
        }
        let page = http
            .get(format!("{base}/api/v1/reference"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Referencia de la API de Casia"));
        assert!(html.contains("<code>/api/v1/cases/{number}/cancellation</code>"));
    }
);
