//! Server-side glue for server functions and HTTP handlers: the shared state, the caller
//! behind a request (from the session cookie) and the role check every function starts with.

use axum::extract::FromRef;
use casia_domain::{Lang, Role};
use casia_services::accounts::{self, Caller};
use casia_services::{ServiceError, Services};
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

pub const SESSION_COOKIE: &str = "casia_session";
pub const LANG_COOKIE: &str = "casia_lang";

/// The router's state, also provided as context to server functions.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}

pub fn services() -> Services {
    expect_context::<AppState>().services
}

/// Reads one cookie from request headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

/// The session token of the current request, if it carries one.
pub fn session_token() -> Option<String> {
    request_parts().ok().and_then(|p| cookie(&p.headers, SESSION_COOKIE)).filter(|t| !t.is_empty())
}

/// The caller of the current request, looked up once. Provided fresh for every request (see
/// the router): a server-rendered page asks for it in its context and in its data, at the
/// same time; the second asker waits for the first look-up instead of repeating it.
#[derive(Clone, Default)]
pub struct RequestCaller(std::sync::Arc<tokio::sync::OnceCell<Caller>>);

/// Who is calling. Fails with `NotSignedIn`/`SessionExpired` (and the matching status).
pub async fn caller() -> Result<Caller, AppError> {
    let look_up = || async {
        let Some(token) = session_token() else {
            return Err(fail(ServiceError::NotSignedIn));
        };
        let s = services();
        let mut caller = accounts::caller_from_token(&s.db, &s.config.session, &token).await.map_err(|e| {
            if matches!(e, ServiceError::SessionExpired | ServiceError::NotSignedIn) {
                clear_session_cookie();
            }
            fail(e)
        })?;
        caller.client = client_address();
        Ok(caller)
    };
    match use_context::<RequestCaller>() {
        Some(cache) => cache.0.get_or_try_init(look_up).await.cloned(),
        None => look_up().await,
    }
}

/// The caller, if they hold one of `roles`; a clear 403 otherwise, whatever the UI showed.
pub async fn require(roles: &[Role]) -> Result<Caller, AppError> {
    let c = caller().await?;
    c.require_role(roles).map_err(fail)?;
    // After an administrator's reset only the account page is open (it uses `caller()`).
    if c.password_change_required {
        return Err(fail(ServiceError::PasswordChangeRequired));
    }
    Ok(c)
}

/// The request's `User-Agent`, for the sessions list (never trusted for anything else).
pub fn user_agent() -> String {
    request_parts()
        .ok()
        .and_then(|p| p.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_default()
}

/// Maps a service error to the client-safe error and sets the response status to match.
pub fn fail(e: ServiceError) -> AppError {
    let err = AppError::from(e);
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(err.status());
    }
    err
}

fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&value)) {
        res.append_header(SET_COOKIE, v);
    }
}

pub fn set_session_cookie(token: &str) {
    let s = services();
    let secure = if s.config.session.secure_cookie { "; Secure" } else { "" };
    // Lax: sent on top-level navigation (links in emails) but not on cross-site POSTs.
    set_cookie(format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"));
}

pub fn clear_session_cookie() {
    set_cookie(format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
}

pub fn set_lang_cookie(lang: Lang) {
    set_cookie(format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code()));
}

/// Language of a visitor who is not signed in: cookie, then the browser's preference.
pub fn visitor_lang() -> Lang {
    let Ok(parts) = request_parts() else { return Lang::Es };
    if let Some(lang) = cookie(&parts.headers, LANG_COOKIE).and_then(|c| Lang::from_code(&c)) {
        return lang;
    }
    let accept = parts.headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Es }
}

/// The client address of the current request (rate limits, audit trail).
pub fn client_address() -> String {
    request_parts().map(|p| client_address_of(&p.headers, &p.extensions)).unwrap_or_else(|_| "unknown".into())
}

/// The client address of a request: the one place that decides it, for server functions and
/// plain routes alike.
pub fn client_address_of(_headers: &http::HeaderMap, extensions: &http::Extensions) -> String {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Sets a status on the page being rendered (404 and 403 pages).
pub fn set_page_status(status: http::StatusCode) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status);
    }
}
