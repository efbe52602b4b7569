//! Shared by the HTTP tests that walk every endpoint (access matrix, fuzz): the real router
//! on a local port, a client that sends the public origin on every request, demo-like data
//! with two authorisations, and the counts of the main tables.
#![allow(dead_code, unused_imports)]

mod browser;
pub use browser::{
    Browser, assert_ok_or_redirect, cookie_named, location, login_form, set_cookies,
};

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use app::server::AppState;
use casia_domain::{Lang, Role};
use casia_services::Services;
use casia_services::accounts::{NewUser, create_demo_user};
use casia_services::authorisations::add_member;
use casia_services::entity;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub const PASSWORD: &str = casia_services::demo::DEMO_PASSWORD;

/// Panics anywhere in the process (the server's tasks included) since the hook was set.
static PANICS: AtomicUsize = AtomicUsize::new(0);

pub fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

pub fn panics() -> usize {
    PANICS.load(Ordering::SeqCst)
}

pub struct Server {
    pub base: String,
    pub task: tokio::task::JoinHandle<()>,
}

/// Serves the app with `casia serve`'s loop on a random local port, which is then its public
/// URL (the origin every request of `Client` and `Browser` carries).
pub async fn serve(mut s: Services) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    s.config = std::sync::Arc::new(casia_services::Config {
        public_url: format!("http://{addr}"),
        ..(*s.config).clone()
    });
    serve_on(listener, s)
}

/// The demo data, served as `serve` does; returns the base URL.
pub async fn serve_demo(s: &Services) -> String {
    casia_services::demo::load(s).await.unwrap();
    serve(s.clone()).await.base
}

/// Serves the app on a random local port keeping the configured public URL (the test
/// servers' `http://127.0.0.1:3000`, or a proxy's), which is then not the address it listens on.
pub async fn serve_keeping_public_url(s: Services) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_on(listener, s)
}

fn serve_on(listener: tokio::net::TcpListener, s: Services) -> Server {
    let addr = listener.local_addr().unwrap();
    let http = s.config.http.clone();
    let state = AppState {
        leptos_options: casia_server::web::leptos_options(&s.config, addr),
        services: s,
    };
    let router = casia_server::web::router(state);
    let task = tokio::spawn(async move {
        casia_server::web::serve_on(listener, router, &http, std::future::pending()).await
    });
    Server {
        base: format!("http://{addr}"),
        task,
    }
}

/// The account called `username`, if there is one.
pub async fn find_user(s: &Services, username: &str) -> Option<entity::user::Model> {
    entity::user::Entity::find()
        .filter(entity::user::Column::Username.eq(username))
        .one(&s.db)
        .await
        .unwrap()
}

/// The authorisation with this number.
pub async fn authorisation_numbered(s: &Services, number: &str) -> entity::authorisation::Model {
    entity::authorisation::Entity::find()
        .filter(entity::authorisation::Column::Number.eq(number))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap()
}

/// Who calls: the six columns of the access matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    /// Autorizado of the authorisation that owns the case, document, receipt and notice.
    Owner,
    /// Autorizado of another authorisation.
    Other,
    Tramitador,
    Supervisor,
    Administrador,
}

pub const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::Owner,
    Who::Other,
    Who::Tramitador,
    Who::Supervisor,
    Who::Administrador,
];

impl Who {
    pub fn username(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Owner => Some("autorizado2"),
            Who::Other => Some("ajeno"),
            Who::Tramitador => Some("tramitador1"),
            Who::Supervisor => Some("supervisor1"),
            Who::Administrador => Some("admin"),
        }
    }
}

/// An HTTP client with one session (or none), sent by hand so that a login answered to a
/// malformed request can never change who this client is. Every request carries the public
/// origin (the CSRF check refuses others).
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub session: Option<String>,
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

impl Client {
    pub fn anonymous(http: &reqwest::Client, base: &str) -> Self {
        Client {
            http: http.clone(),
            base: base.to_owned(),
            session: None,
        }
    }

    pub fn request(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
    ) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}{path_and_query}", self.base))
            .header("origin", &self.base);
        if let Some(token) = &self.session {
            r = r.header("cookie", format!("{}={token}", app::server::SESSION_COOKIE));
        }
        r
    }

    pub async fn login(http: &reqwest::Client, base: &str, username: &str) -> Self {
        let anonymous = Client::anonymous(http, base);
        let r = anonymous
            .request(reqwest::Method::POST, "/api/login")
            .form(&login_form(username, PASSWORD, ""))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_redirection() || r.status().is_success(),
            "login {username}: {}",
            r.status()
        );
        let token = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.strip_prefix(&format!("{}=", app::server::SESSION_COOKIE))
                    .map(|rest| rest.split(';').next().unwrap().to_owned())
            })
            .expect("a session cookie");
        Client {
            http: http.clone(),
            base: base.to_owned(),
            session: Some(token),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form(&self, path: &str, form: &str) -> reqwest::Response {
        self.request(reqwest::Method::POST, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, json: &serde_json::Value) -> reqwest::Response {
        self.request(reqwest::Method::POST, path)
            .json(json)
            .send()
            .await
            .unwrap()
    }
}

/// A minimal PDF the upload check accepts.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// Demo-like data: laboral (`0654321`, autorizado2) and gestoría (`0123456`, `ajeno` only),
/// a case in each, a Trámite with a document and its receipt in laboral, notices, a spare
/// account and a spare taxonomy node. `ids` holds what the matrix's requests refer to.
pub struct Fixture {
    pub server: Server,
    pub http: reqwest::Client,
    pub clients: HashMap<Who, Client>,
    pub ids: HashMap<&'static str, String>,
}

impl Fixture {
    pub fn client(&self, who: Who) -> &Client {
        &self.clients[&who]
    }

    /// `{name}` placeholders replaced by the fixture's ids.
    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (k, v) in &self.ids {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }
}

pub async fn fixture(s: &Services) -> Fixture {
    casia_services::demo::load(s).await.unwrap();
    let db = &s.db;
    let gestoria = authorisation_numbered(s, "0123456").await;
    let laboral = authorisation_numbered(s, "0654321").await;
    let new_user = |username: &'static str, role: Role| async move {
        // Demo-like accounts with the demo password (the policy applies to real ones).
        create_demo_user(
            db,
            NewUser {
                username,
                full_name: "Cuenta de prueba",
                email: None,
                password: PASSWORD,
                role,
                lang: Lang::Es,
            },
        )
        .await
        .unwrap()
    };
    let ajeno = new_user("ajeno", Role::Autorizado).await;
    add_member(db, gestoria.id, ajeno.id, false).await.unwrap();
    let spare = new_user("suplente", Role::Autorizado).await;
    let autorizado1 = find_user(s, "autorizado1").await.unwrap();

    let server = serve(s.clone()).await;
    let http = http_client();
    let mut clients = HashMap::new();
    clients.insert(Who::Anonymous, Client::anonymous(&http, &server.base));
    for who in EVERYONE.into_iter().skip(1) {
        clients.insert(
            who,
            Client::login(&http, &server.base, who.username().unwrap()).await,
        );
    }

    let tree = casia_services::taxonomy::load(db, Lang::Es).await.unwrap();
    let subject = tree.subjects(casia_domain::CaseType::Tramite)[0].id;
    let category = tree.children(subject)[0].id;
    let subcategory = tree.children(category).first().map(|n| n.id);
    let doc_type = casia_services::taxonomy::document_types(db, Lang::Es)
        .await
        .unwrap()[0]
        .id;

    // The owner's Trámite, with a document (and so a receipt).
    let owner = &clients[&Who::Owner];
    let r = owner
        .request(reqwest::Method::POST, "/api/uploads?name=contrato.pdf")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let uploaded: serde_json::Value = r.json().await.unwrap();
    let open = |documents: serde_json::Value, key: &str| {
        serde_json::json!({ "form": {
            "case_type": "tramite", "subject_id": subject, "category_id": category, "subcategory_id": subcategory,
            "affects_current_period": false, "title": "Alta fuera de plazo", "description": "Con el contrato.",
            "documents": documents, "idempotency_key": key,
        }})
    };
    let docs = serde_json::json!([{ "document_type_id": doc_type, "title": "Contrato", "upload_token": uploaded["token"] }]);
    let r = owner
        .post_json("/api/open_case", &open(docs, "fixture-owner"))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let owner_case: serde_json::Value = r.json().await.unwrap();
    // The other authorisation's case.
    let r = clients[&Who::Other]
        .post_json(
            "/api/open_case",
            &open(serde_json::json!([]), "fixture-other"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let other_case: serde_json::Value = r.json().await.unwrap();

    let document = entity::document::Entity::find()
        .one(db)
        .await
        .unwrap()
        .expect("the fixture's document");
    let receipt = entity::receipt::Entity::find()
        .one(db)
        .await
        .unwrap()
        .expect("the fixture's receipt");
    let notice = entity::notice::Entity::find()
        .filter(entity::notice::Column::AuthorisationId.eq(laboral.id))
        .one(db)
        .await
        .unwrap()
        .expect("a notice of the owner's authorisation");

    // A node nothing uses, for the administrator's delete.
    let r = clients[&Who::Administrador]
        .post_json(
            "/api/admin_add_node",
            &serde_json::json!({ "case_type": "tramite", "parent_id": null,
                "input": { "name_es": "Provisional", "name_en": "Temporary", "help_es": "", "help_en": "", "technical": false } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let spare_node: i64 = r.json().await.unwrap();

    let ids = [
        (
            "case",
            owner_case["number_display"].as_str().unwrap().to_owned(),
        ),
        (
            "other_case",
            other_case["number_display"].as_str().unwrap().to_owned(),
        ),
        ("document", document.id.to_string()),
        ("receipt", receipt.id.to_string()),
        ("notice", notice.id.to_string()),
        ("owner_authorisation", laboral.id.to_string()),
        ("other_authorisation", gestoria.id.to_string()),
        ("spare_user", spare.id.to_string()),
        ("main_user", autorizado1.id.to_string()),
        ("subject", subject.to_string()),
        ("category", category.to_string()),
        (
            "subcategory",
            subcategory.map_or("null".to_owned(), |id| id.to_string()),
        ),
        ("doc_type", doc_type.to_string()),
        ("spare_node", spare_node.to_string()),
    ]
    .into_iter()
    .collect();
    Fixture {
        server,
        http,
        clients,
        ids,
    }
}

/// Rows in the main tables: a malformed request must change none of them.
pub async fn table_counts(s: &Services) -> Vec<(&'static str, u64)> {
    macro_rules! counts {
        ($($name:literal => $table:ident),* $(,)?) => {
            vec![$(($name, entity::$table::Entity::find().count(&s.db).await.unwrap())),*]
        };
    }
    counts![
        "cases" => case,
        "case_history" => case_history,
        "case_messages" => case_message,
        "case_notes" => case_note,
        "documents" => document,
        "document_types" => document_type,
        "receipts" => receipt,
        "uploads" => upload,
        "users" => user,
        "authorisations" => authorisation,
        "authorisation_members" => authorisation_member,
        "notices" => notice,
        "notice_reads" => notice_read,
        "sessions" => session,
        "submissions" => submission,
        "holidays" => holiday,
        "deadline_targets" => deadline_target,
        "taxonomy_nodes" => taxonomy_node,
        "second_factors" => second_factor,
        "recovery_codes" => recovery_code,
    ]
}
