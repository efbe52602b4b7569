//! Server-side glue for server functions and HTTP handlers: the shared state, the caller
//! behind a request (from the session cookie) and the role check every function starts with.

use axum::extract::FromRef;
use casia_services::Services;
use http::HeaderValue;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

mod caller;
mod client;
mod cookies;
mod respond;

pub use caller::{
    RequestCaller, SignedIn, caller, require, require_case, require_signed_in, session_caller,
};
pub use client::{client_address, client_address_of, client_ip, user_agent};
pub use cookies::{
    LANG_COOKIE, SECURE_SESSION_COOKIE, SESSION_COOKIE, clear_session_cookie, cookie, cookie_lang,
    session_cookie_name, session_token, session_token_of, set_lang_chosen, set_lang_cookie,
    set_session_cookie, take_lang_chosen, visitor_lang,
};
pub use respond::{fail, status_follows_the_error};

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

fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

/// The Content-Security-Policy of a page: scripts only from this site or inline with this
/// response's nonce (the hydration script, resource data), WebAssembly compiled by them, and
/// nothing inline or from elsewhere otherwise (the app has no inline styles).
pub fn page_policy(nonce: Option<&str>) -> String {
    let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Puts the page's policy (with the nonce the hydration scripts carry) on the response.
pub fn set_page_policy() {
    if let Some(res) = use_context::<ResponseOptions>() {
        let nonce = leptos::nonce::use_nonce();
        if let Ok(v) = HeaderValue::from_str(&page_policy(nonce.as_deref())) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// The `x-request-id` of the request being answered (set on every request by the server).
pub fn request_id() -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Sets a status on the page being rendered (404 and 403 pages).
pub fn set_page_status(status: http::StatusCode) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status);
    }
}
