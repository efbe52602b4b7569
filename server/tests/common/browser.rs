//! A browser-like client of the app: keeps cookies, does not follow redirects, and says where
//! it comes from (`Origin`, as browsers do on POSTs; the CSRF check wants it).

use std::ops::Deref;

use reqwest::{RequestBuilder, Response};
use serde::Serialize;

/// The form the login page sends.
pub fn login_form(username: &str, password: &str, next: &str) -> [(&'static str, String); 3] {
    [
        ("username", username.to_owned()),
        ("password", password.to_owned()),
        ("next", next.to_owned()),
    ]
}

/// A browser on a page of `origin` talking to the app at `base`. It derefs to its
/// `reqwest::Client` for the requests a test writes out in full.
#[derive(Clone)]
pub struct Browser {
    http: reqwest::Client,
    pub base: String,
}

impl Browser {
    /// A browser on the app's own pages (`Origin: base`).
    pub fn new(base: &str) -> Self {
        Self::on(base, base)
    }

    /// A browser on a page of `origin` (another site, or the public URL behind a proxy).
    pub fn on(base: &str, origin: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, origin.parse().unwrap());
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Browser {
            http,
            base: base.to_owned(),
        }
    }

    /// A browser already signed in as `username` (demo password).
    pub async fn signed_in(base: &str, username: &str) -> Self {
        let browser = Self::new(base);
        assert_ok_or_redirect(&browser.login(username).await);
        browser
    }

    /// A POST to `/api/{path}` (a server function or a plain route, with its query).
    pub fn api(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}/api/{path}", self.base))
    }

    /// A server function called without arguments.
    pub async fn call(&self, path: &str) -> Response {
        self.api(path).send().await.unwrap()
    }

    /// A server function called with a form.
    pub async fn call_form<T: Serialize + ?Sized>(&self, path: &str, form: &T) -> Response {
        self.api(path).form(form).send().await.unwrap()
    }

    /// A server function called with JSON.
    pub async fn call_json<T: Serialize + ?Sized>(&self, path: &str, json: &T) -> Response {
        self.api(path).json(json).send().await.unwrap()
    }

    /// A plain route sent a body as it is (uploads, files to verify).
    pub async fn call_body(&self, path: &str, body: impl Into<reqwest::Body>) -> Response {
        self.api(path).body(body).send().await.unwrap()
    }

    /// A GET of `path` (a page, a download).
    pub async fn fetch(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// A GET of a page, as a browser navigating asks for it.
    pub async fn page(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    /// Signs in with the demo password, staying where the app sends.
    pub async fn login(&self, username: &str) -> Response {
        self.login_to(username, casia_services::demo::DEMO_PASSWORD, "")
            .await
    }

    /// Signs in with `password`, asking to go to `next` afterwards.
    pub async fn login_to(&self, username: &str, password: &str, next: &str) -> Response {
        self.call_form("login", &login_form(username, password, next))
            .await
    }
}

impl Deref for Browser {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.http
    }
}

/// Where a redirect sends (empty when it is none).
pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The cookies an answer sets.
pub fn set_cookies(r: &Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The cookie an answer sets under `name` (with its attributes).
pub fn cookie_named(r: &Response, name: &str) -> Option<String> {
    set_cookies(r)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// The answer is a success or a redirect (a form's answer without scripts).
#[track_caller]
pub fn assert_ok_or_redirect(r: &Response) {
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
}
