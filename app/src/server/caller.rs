//! The caller behind a request, looked up once per request from the session cookie, and the
//! checks every server function and plain route starts with: signed in, past the second
//! factor, the right role, and (for a case's pages) a case number that can exist.

use axum::extract::FromRequestParts;
use casia_domain::Role;
use casia_domain::model::case_number;
use casia_services::accounts::{self, Caller, SecondFactorState};
use casia_services::{ServiceError, Services};
use http::request::Parts;
use leptos::prelude::*;

use super::{AppState, clear_session_cookie, client_address_of, fail, request_parts, services};
use crate::error::AppError;

/// The caller of the current request, looked up once. Provided fresh for every request (see
/// the router; plain routes keep theirs in the request's extensions): a server-rendered page
/// asks for it in its context and in its data, at the same time; the second asker waits for
/// the first look-up instead of repeating it.
#[derive(Clone, Default)]
pub struct RequestCaller(std::sync::Arc<tokio::sync::OnceCell<Caller>>);

impl RequestCaller {
    /// The caller of the request with these headers (cached after the first success).
    async fn get(
        &self,
        services: &Services,
        headers: &http::HeaderMap,
        extensions: &http::Extensions,
    ) -> Result<Caller, ServiceError> {
        self.0
            .get_or_try_init(|| look_up(services, headers, extensions))
            .await
            .cloned()
    }
}

/// The session behind the request's cookie, with the request's client address (audit trail).
async fn look_up(
    services: &Services,
    headers: &http::HeaderMap,
    extensions: &http::Extensions,
) -> Result<Caller, ServiceError> {
    let token =
        super::session_token_of(headers, &services.config).ok_or(ServiceError::NotSignedIn)?;
    let mut caller =
        accounts::caller_from_token(&services.db, &services.config.session, &token).await?;
    caller.client = client_address_of(headers, extensions);
    Ok(caller)
}

/// Who is calling. Fails with `NotSignedIn`/`SessionExpired` (and the matching status), and
/// with `SecondFactorPending` while the session waits for the login's second step: until
/// then it opens nothing but that step and logout.
pub async fn caller() -> Result<Caller, AppError> {
    let c = session_caller().await?;
    if c.second_factor == SecondFactorState::Pending {
        return Err(fail(ServiceError::SecondFactorPending));
    }
    Ok(c)
}

/// Who is calling, whether or not the login's second step has passed: for that step only.
pub async fn session_caller() -> Result<Caller, AppError> {
    let Ok(parts) = request_parts() else {
        return Err(fail(ServiceError::NotSignedIn));
    };
    let s = services();
    let cache = use_context::<RequestCaller>().unwrap_or_default();
    cache
        .get(&s, &parts.headers, &parts.extensions)
        .await
        .map_err(|e| {
            // A cookie the session store no longer knows is cleared (none to clear otherwise).
            let stale = matches!(e, ServiceError::SessionExpired | ServiceError::NotSignedIn)
                && super::session_token_of(&parts.headers, &s.config).is_some();
            if stale {
                clear_session_cookie();
            }
            fail(e)
        })
}

/// The caller, if they hold one of `roles`; a clear 403 otherwise, whatever the UI showed.
/// Staff without a second factor, while `auth.staff_mfa = required`, get a clear 403 here:
/// they may only enrol one (`require_signed_in`). Role refusals go to the audit trail
/// (`access.forbidden`, the endpoint as target).
pub async fn require(roles: &[Role]) -> Result<Caller, AppError> {
    let c = caller().await?;
    c.second_factor_gate(services().config.auth.staff_mfa)
        .map_err(fail)?;
    if c.require_role(roles).is_err() {
        let endpoint = request_parts()
            .map(|p| p.uri.path().to_owned())
            .unwrap_or_default();
        let required: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        let details = serde_json::json!({ "required": required });
        return Err(fail(
            casia_services::audit::forbidden(&services().db, &c, "endpoint", endpoint, details)
                .await,
        ));
    }
    // After an administrator's reset only the account page is open (it uses `caller()`).
    if c.password_change_required {
        return Err(fail(ServiceError::PasswordChangeRequired));
    }
    Ok(c)
}

/// `require(roles)` for a case's page: the caller and the case number they asked for. A
/// number that cannot exist is the same `NotFound` as a case out of the caller's scope (which
/// the service call that follows decides), so neither reveals anything.
pub async fn require_case(roles: &[Role], number: &str) -> Result<(Caller, i64), AppError> {
    let c = require(roles).await?;
    let n = case_number_of(number)?;
    Ok((c, n))
}

/// A case number from a URL or form: `NotFound` when it is not one.
fn case_number_of(text: &str) -> Result<i64, AppError> {
    case_number::parse(text).ok_or(AppError::NotFound)
}

/// Anyone signed in (past the login's second step), whatever their role and second factor:
/// for the second factor's own enrolment page, the one page staff without it may reach.
pub async fn require_signed_in() -> Result<Caller, AppError> {
    caller().await
}

/// The signed-in caller of a plain route, an axum extractor: past the second factor and not
/// held at a password change, as for every server function (`require`); each route checks the
/// roles it serves itself. Refused with the `AppError` as the answer (status and JSON).
pub struct SignedIn(pub Caller);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let s = &state.services;
        let cache = parts
            .extensions
            .get_or_insert_default::<RequestCaller>()
            .clone();
        let caller = cache.get(s, &parts.headers, &parts.extensions).await?;
        // The same second-factor gate as every server function's.
        caller.second_factor_gate(s.config.auth.staff_mfa)?;
        // As in `require`: after an administrator's reset only `/cuenta` is open.
        if caller.password_change_required {
            return Err(ServiceError::PasswordChangeRequired.into());
        }
        Ok(SignedIn(caller))
    }
}
