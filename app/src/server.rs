//! Server-side glue for server functions and HTTP handlers: the shared state, the caller
//! behind a request (from the session cookie) and the role check every function starts with.

use axum::extract::FromRef;
use casia_domain::{Lang, Role};
use casia_services::accounts::{self, Caller};
use casia_services::config::{Config, TrustedProxies, canonical};
use casia_services::{ServiceError, Services};
use cookie::{Cookie, SameSite};
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::net::IpAddr;

use crate::error::AppError;

/// The session cookie over plain HTTP (the local demo).
pub const SESSION_COOKIE: &str = "casia_session";
/// The session cookie when the public URL is https. The `__Host-` prefix makes browsers refuse
/// it unless it is `Secure`, has `Path=/` and no `Domain`: a sibling subdomain can neither set
/// nor overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-casia_session";
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
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The name of the session cookie for this deployment (see `SECURE_SESSION_COOKIE`).
pub fn session_cookie_name(config: &Config) -> &'static str {
    if config.uses_https() {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session token a request carries: the one reader of the session cookie, for server
/// functions and plain routes alike. Over https a cookie without the prefix is ignored.
pub fn session_token_of(headers: &http::HeaderMap, config: &Config) -> Option<String> {
    cookie(headers, session_cookie_name(config)).filter(|t| !t.is_empty())
}

fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

/// The session token of the current request, if it carries one.
pub fn session_token() -> Option<String> {
    let parts = request_parts().ok()?;
    session_token_of(&parts.headers, &services().config)
}

/// The caller of the current request, looked up once. Provided fresh for every request (see
/// the router): a server-rendered page asks for it in its context and in its data, at the
/// same time; the second asker waits for the first look-up instead of repeating it.
#[derive(Clone, Default)]
pub struct RequestCaller(std::sync::Arc<tokio::sync::OnceCell<Caller>>);

/// Who is calling. Fails with `NotSignedIn`/`SessionExpired` (and the matching status), and
/// with `SecondFactorPending` while the session waits for the login's second step: until
/// then it opens nothing but that step and logout.
pub async fn caller() -> Result<Caller, AppError> {
    let c = session_caller().await?;
    if c.second_factor == accounts::SecondFactorState::Pending {
        return Err(fail(ServiceError::SecondFactorPending));
    }
    Ok(c)
}

/// Who is calling, whether or not the login's second step has passed: for that step only.
pub async fn session_caller() -> Result<Caller, AppError> {
    let look_up = || async {
        let Some(token) = session_token() else {
            return Err(fail(ServiceError::NotSignedIn));
        };
        let s = services();
        let mut caller = accounts::caller_from_token(&s.db, &s.config.session, &token)
            .await
            .map_err(|e| {
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

/// Anyone signed in (past the login's second step), whatever their role and second factor:
/// for the second factor's own enrolment page, the one page staff without it may reach.
pub async fn require_signed_in() -> Result<Caller, AppError> {
    caller().await
}

/// The request's `User-Agent`, for the sessions list (never trusted for anything else).
pub fn user_agent() -> String {
    request_parts()
        .ok()
        .and_then(|p| {
            p.headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// Maps a service error to the client-safe error and sets the response status to match
/// (for server-rendered pages; server functions' answers get theirs from
/// `status_follows_the_error` whichever way the error was raised).
pub fn fail(e: ServiceError) -> AppError {
    let err = AppError::from(e);
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(err.status());
        if let Some(seconds) = err.retry_after_seconds() {
            res.insert_header(http::header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
    err
}

fn set_cookie(cookie: Cookie<'_>) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&cookie.to_string()),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

/// `HttpOnly`, `Path=/`, no `Domain`, and `Secure` exactly when people reach us over https.
fn session_cookie(config: &Config, value: String) -> Cookie<'static> {
    Cookie::build((session_cookie_name(config), value))
        .path("/")
        .http_only(true)
        // Lax: sent on top-level navigation (links in emails) but not on cross-site POSTs
        // (which the CSRF layer refuses anyway).
        .same_site(SameSite::Lax)
        .secure(config.uses_https())
        .build()
}

pub fn set_session_cookie(token: &str) {
    set_cookie(session_cookie(&services().config, token.to_owned()));
}

pub fn clear_session_cookie() {
    let mut cookie = session_cookie(&services().config, String::new());
    cookie.make_removal();
    set_cookie(cookie);
}

pub fn set_lang_cookie(lang: Lang) {
    let secure = services().config.uses_https();
    set_cookie(
        Cookie::build((LANG_COOKIE, lang.code()))
            .path("/")
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(cookie::time::Duration::days(365))
            .build(),
    );
}

/// Language of a visitor who is not signed in: cookie, then the browser's preference.
pub fn visitor_lang() -> Lang {
    let Ok(parts) = request_parts() else {
        return Lang::Es;
    };
    if let Some(lang) = cookie(&parts.headers, LANG_COOKIE).and_then(|c| Lang::from_code(&c)) {
        return lang;
    }
    let accept = parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Es
    }
}

/// The client address of the current request (rate limits, audit trail).
pub fn client_address() -> String {
    request_parts()
        .map(|p| client_address_of(&p.headers, &p.extensions))
        .unwrap_or_else(|_| "unknown".into())
}

/// The client address of a request: the one place that decides it, for server functions and
/// plain routes alike. The TCP peer, unless it is one of `http.trusted_proxies` (the router
/// puts them in the request's extensions); then the proxies' `X-Forwarded-For` says who it is.
pub fn client_address_of(headers: &http::HeaderMap, extensions: &http::Extensions) -> String {
    let Some(peer) = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    let none = TrustedProxies::default();
    client_ip(
        peer,
        headers,
        extensions.get::<TrustedProxies>().unwrap_or(&none),
    )
    .to_string()
}

/// The right-most `X-Forwarded-For` hop that is not one of our proxies: every hop to its right
/// was appended by a proxy we run; anything to its left the client may have written itself.
pub fn client_ip(peer: IpAddr, headers: &http::HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.contains(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.into_iter().rev() {
        // A hop that is not an address: stop at the last proxy we know.
        let Some(ip) = parse_hop(hop) else {
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            return ip;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let ip = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))?;
    Some(canonical(ip))
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

/// Sets a status on the page being rendered (404 and 403 pages).
pub fn set_page_status(status: http::StatusCode) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status);
    }
}

/// The largest error answer a server function gives (an `AppError` as JSON is far smaller).
const ERROR_BODY_MAX: usize = 64 * 1024;

/// A layer's function over every server function's answer: an error answer gets the status
/// of the `AppError` it carries, however the function raised it (`?`, `fail`, or server_fn
/// itself when the arguments do not decode). server_fn answers every error with 500 and only
/// `fail` used to correct it. Redirects of plain HTML forms (with `Location`) are left alone.
pub async fn status_follows_the_error(
    response: axum::response::Response,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let is_error = response
        .headers()
        .contains_key(server_fn::error::SERVER_FN_ERROR_HEADER);
    if !is_error || response.headers().contains_key(http::header::LOCATION) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, ERROR_BODY_MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "unreadable server function error");
            return (
                http::StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(AppError::Internal),
            )
                .into_response();
        }
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(err) => parts.status = err.status(),
        Err(_) => {
            tracing::error!(body = %String::from_utf8_lossy(&bytes), "server function error that is not an AppError")
        }
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let spoofed = forwarded(&["1.2.3.4"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &spoofed, &proxies),
            ip("203.0.113.9")
        );
        // Nobody trusted at all (the default): the header means nothing.
        assert_eq!(
            client_ip(ip("10.0.0.1"), &spoofed, &TrustedProxies::default()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn behind_a_proxy_the_right_most_hop_it_did_not_add_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.1, 10.0.1.0/24").unwrap();
        // The client wrote "6.6.6.6" itself; our proxy appended what it saw.
        let h = forwarded(&["6.6.6.6, 198.51.100.7"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // Two of our proxies in a chain, in two headers.
        let h = forwarded(&["6.6.6.6, 198.51.100.7", "10.0.1.5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // Ports are not part of the address.
        let h = forwarded(&["198.51.100.7:51000"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // A proxy that forwarded nothing: the proxy is all we know.
        assert_eq!(
            client_ip(ip("10.0.0.1"), &http::HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
        // Garbage in the chain stops at the last proxy we trust.
        let h = forwarded(&["198.51.100.7, unknown, 10.0.1.5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("10.0.1.5"));
        // Every hop is ours: the left-most is the client (an internal caller).
        let h = forwarded(&["10.0.1.9, 10.0.1.5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("10.0.1.9"));
    }

    #[test]
    fn ipv6_peers_and_hops() {
        let proxies = TrustedProxies::parse("fd00::/8, 127.0.0.1").unwrap();
        let h = forwarded(&["2001:db8::bad, [2001:db8::1]:443"]);
        assert_eq!(client_ip(ip("fd00::2"), &h, &proxies), ip("2001:db8::1"));
        let h = forwarded(&["2001:db8::7"]);
        assert_eq!(
            client_ip(ip("fd12:3456::1"), &h, &proxies),
            ip("2001:db8::7")
        );
        // An IPv4 proxy seen through a dual-stack socket is still that proxy.
        let h = forwarded(&["198.51.100.7"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &proxies),
            ip("198.51.100.7")
        );
        // An untrusted IPv6 peer keeps its own address, mapped or not.
        assert_eq!(
            client_ip(ip("2001:db8::66"), &h, &proxies),
            ip("2001:db8::66")
        );
        assert_eq!(
            client_ip(ip("::ffff:203.0.113.9"), &h, &proxies),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_router_s_extensions_decide_the_address() {
        let mut ext = http::Extensions::new();
        let h = forwarded(&["198.51.100.7"]);
        assert_eq!(client_address_of(&h, &ext), "unknown");
        ext.insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            4000,
        ))));
        assert_eq!(client_address_of(&h, &ext), "127.0.0.1");
        ext.insert(TrustedProxies::parse("127.0.0.1").unwrap());
        assert_eq!(client_address_of(&h, &ext), "198.51.100.7");
    }

    #[test]
    fn cookies_are_read_by_name_only() {
        let mut h = http::HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("casia_lang=en; __Host-casia_session=abc; casia_session=old"),
        );
        let https = Config {
            public_url: "https://casia.example".into(),
            ..Config::default()
        };
        let http_ = Config {
            public_url: "http://127.0.0.1:3000".into(),
            ..Config::default()
        };
        assert_eq!(session_token_of(&h, &https).as_deref(), Some("abc"));
        assert_eq!(session_token_of(&h, &http_).as_deref(), Some("old"));
        assert_eq!(cookie(&h, LANG_COOKIE).as_deref(), Some("en"));
        let c = session_cookie(&https, "tok".into()).to_string();
        assert!(
            c.starts_with("__Host-casia_session=tok")
                && c.contains("Secure")
                && c.contains("HttpOnly"),
            "{c}"
        );
        assert!(
            c.contains("Path=/") && c.contains("SameSite=Lax") && !c.contains("Domain"),
            "{c}"
        );
        let c = session_cookie(&http_, "tok".into()).to_string();
        assert!(
            c.starts_with("casia_session=tok") && !c.contains("Secure"),
            "{c}"
        );
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;
    use axum::response::Response;

    fn server_fn_error(status: http::StatusCode, body: &str) -> Response {
        let mut r = Response::new(axum::body::Body::from(body.to_owned()));
        *r.status_mut() = status;
        r.headers_mut().insert(
            server_fn::error::SERVER_FN_ERROR_HEADER,
            HeaderValue::from_static("/api/case_detail"),
        );
        r
    }

    #[tokio::test]
    async fn an_error_answer_gets_the_status_of_the_error_it_carries() {
        for (body, status) in [
            ("\"NotFound\"", 404),
            ("\"BadRequest\"", 400),
            ("{\"Invalid\":[]}", 422),
            ("\"Internal\"", 500),
            ("\"NotSignedIn\"", 401),
        ] {
            let r = status_follows_the_error(server_fn_error(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                body,
            ))
            .await;
            assert_eq!(r.status().as_u16(), status, "{body}");
            let bytes = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
            assert_eq!(bytes, body.as_bytes(), "the body is kept");
        }
        // A status set by the function that disagrees with its error is corrected too.
        let r = status_follows_the_error(server_fn_error(
            http::StatusCode::UNAUTHORIZED,
            "\"Forbidden\"",
        ))
        .await;
        assert_eq!(r.status().as_u16(), 403);
    }

    #[tokio::test]
    async fn successes_and_form_redirects_are_left_alone() {
        let ok = Response::new(axum::body::Body::from("\"NotFound\""));
        assert_eq!(status_follows_the_error(ok).await.status().as_u16(), 200);
        let mut redirect = server_fn_error(http::StatusCode::FOUND, "\"NotFound\"");
        redirect.headers_mut().insert(
            http::header::LOCATION,
            HeaderValue::from_static("/casia?error"),
        );
        assert_eq!(
            status_follows_the_error(redirect).await.status().as_u16(),
            302
        );
    }

    #[test]
    fn arguments_that_do_not_decode_are_a_bad_request() {
        use server_fn::error::{FromServerFnError, ServerFnErrorErr};
        for e in [
            ServerFnErrorErr::Args("number: invalid digit".into()),
            ServerFnErrorErr::Deserialization("expected value".into()),
            ServerFnErrorErr::MissingArg("number".into()),
        ] {
            let err = AppError::from_server_fn_error(e);
            assert_eq!(err, AppError::BadRequest);
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST);
            assert_eq!(err.message(Lang::Es), "La solicitud no es válida");
        }
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::ServerError("x".into())),
            AppError::Internal
        );
    }
}
