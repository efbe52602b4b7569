//! Cross-site request forgery: a request that changes anything (every method but GET, HEAD and
//! OPTIONS: every server function, `login` included, and every non-GET route) is served only
//! when the browser shows it comes from Casia's own pages, at the configured public origin.
//! The public URL decides, not the `Host` header: behind a reverse proxy people use
//! `https://casia.example` while the server listens on 127.0.0.1.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use app::error::AppError;
use casia_domain::Lang;

/// `scheme://host[:port]` of `public_url`, as browsers write it in `Origin`.
#[derive(Clone, Debug)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    pub fn of(public_url: &str) -> Result<PublicOrigin, String> {
        let url =
            url::Url::parse(public_url).map_err(|e| format!("public_url {public_url}: {e}"))?;
        match url.origin() {
            origin @ url::Origin::Tuple(..) => Ok(PublicOrigin(origin.ascii_serialization())),
            url::Origin::Opaque(_) => {
                Err(format!("public_url {public_url}: not an http(s) address"))
            }
        }
    }

    /// Whether `url` (an `Origin` or a `Referer`) is on this origin. Default ports and the
    /// host's case do not matter; `null` and anything unparsable never match.
    fn covers(&self, url: &str) -> bool {
        url::Url::parse(url).is_ok_and(|u| u.origin().ascii_serialization() == self.0)
    }
}

/// Why a request was refused (for the log), or `Ok` to serve it.
pub fn check(
    method: &Method,
    headers: &HeaderMap,
    origin: &PublicOrigin,
) -> Result<(), &'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    // Modern browsers say outright where the request comes from.
    if let Some(site) = text("sec-fetch-site")
        && site != "same-origin"
    {
        return Err("Sec-Fetch-Site is not same-origin");
    }
    if let Some(o) = text(header::ORIGIN.as_str()) {
        return if origin.covers(o) {
            Ok(())
        } else {
            Err("Origin is not the public origin")
        };
    }
    if let Some(r) = text(header::REFERER.as_str()) {
        return if origin.covers(r) {
            Ok(())
        } else {
            Err("Referer is not on the public origin")
        };
    }
    Err("no Origin or Referer")
}

/// Requests the check does not apply to: the token API (`/api/v1/…`) called with
/// `Authorization: Bearer` and no cookie. It cannot be forged cross-site, because a browser
/// never adds that header by itself, and the API authenticates by that header alone (a
/// session cookie never counts there). A request carrying any `Cookie` stays checked.
fn exempt(req: &Request) -> bool {
    let headers = req.headers();
    req.uri().path().starts_with("/api/v1/")
        && !headers.contains_key(header::COOKIE)
        && headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
}

/// The layer (see `web::router`).
pub async fn guard(State(origin): State<PublicOrigin>, req: Request, next: Next) -> Response {
    if exempt(&req) {
        return next.run(req).await;
    }
    match check(req.method(), req.headers(), &origin) {
        Ok(()) => next.run(req).await,
        Err(reason) => {
            tracing::warn!(method = %req.method(), path = req.uri().path(), reason, "cross-site request refused");
            refusal(&req)
        }
    }
}

/// 403 with the same `AppError` the pages already show for server functions; a short page in
/// both languages for a browser that submitted a plain form.
fn refusal(req: &Request) -> Response {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if req.uri().path().starts_with("/api/") && !wants_html {
        return (StatusCode::FORBIDDEN, Json(AppError::CrossSite)).into_response();
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Casia</title></head><body>\
         <h1>Petición rechazada</h1><p>{}</p><p lang=\"en\">{}</p><p><a href=\"/\">Casia</a></p></body></html>",
        AppError::cross_site_text(Lang::Es),
        AppError::cross_site_text(Lang::En),
    );
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_the_public_origin_may_change_anything() {
        let o = PublicOrigin::of("https://casia.example").unwrap();
        let post = Method::POST;
        assert!(check(&post, &headers(&[("origin", "https://casia.example")]), &o).is_ok());
        assert!(
            check(
                &post,
                &headers(&[("origin", "https://CASIA.example:443")]),
                &o
            )
            .is_ok()
        );
        assert!(check(&post, &headers(&[("origin", "https://evil.example")]), &o).is_err());
        assert!(
            check(&post, &headers(&[("origin", "http://casia.example")]), &o).is_err(),
            "another scheme"
        );
        assert!(
            check(
                &post,
                &headers(&[("origin", "https://casia.example:8443")]),
                &o
            )
            .is_err(),
            "another port"
        );
        assert!(check(&post, &headers(&[("origin", "null")]), &o).is_err());
        assert!(check(&post, &headers(&[]), &o).is_err());
        assert!(
            check(
                &post,
                &headers(&[("referer", "https://casia.example/casia/nuevo?x=1")]),
                &o
            )
            .is_ok()
        );
        assert!(
            check(
                &post,
                &headers(&[("referer", "https://casia.example.evil.example/")]),
                &o
            )
            .is_err()
        );
        // The browser's own word comes first, whatever Origin says.
        let h = headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://casia.example"),
        ]);
        assert!(check(&post, &h, &o).is_err());
        let h = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://casia.example"),
        ]);
        assert!(check(&post, &h, &o).is_ok());
        // Reading is never refused; every other method is checked.
        assert!(
            check(
                &Method::GET,
                &headers(&[("origin", "https://evil.example")]),
                &o
            )
            .is_ok()
        );
        assert!(check(&Method::DELETE, &headers(&[]), &o).is_err());
        assert!(
            check(
                &Method::PUT,
                &headers(&[("origin", "https://evil.example")]),
                &o
            )
            .is_err()
        );
    }

    fn request(path: &str, pairs: &[(&'static str, &'static str)]) -> Request {
        let mut r = Request::builder().method(Method::POST).uri(path);
        for (k, v) in pairs {
            r = r.header(*k, *v);
        }
        r.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn only_a_bearer_call_of_the_token_api_without_cookies_skips_the_check() {
        let bearer = ("authorization", "Bearer casia_x");
        assert!(exempt(&request("/api/v1/cases", &[bearer])));
        assert!(exempt(&request(
            "/api/v1/cases",
            &[("authorization", "bearer casia_x")]
        )));
        // A cookie along: the browser may have added it; checked as any other request.
        assert!(!exempt(&request(
            "/api/v1/cases",
            &[bearer, ("cookie", "casia_sesion=x")]
        )));
        assert!(!exempt(&request("/api/v1/cases", &[])), "no token");
        assert!(!exempt(&request(
            "/api/v1/cases",
            &[("authorization", "Basic eDp5")]
        )));
        assert!(
            !exempt(&request("/api/open_case", &[bearer])),
            "not the token API"
        );
        assert!(!exempt(&request("/api/uploads", &[bearer])));
    }

    #[test]
    fn the_public_origin_is_scheme_host_and_port() {
        assert_eq!(
            PublicOrigin::of("http://127.0.0.1:3000").unwrap().0,
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            PublicOrigin::of("https://casia.example:443/base")
                .unwrap()
                .0,
            "https://casia.example"
        );
        assert!(PublicOrigin::of("casia.example").is_err());
    }
}
