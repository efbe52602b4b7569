//! Errors on their way out: the status (and `Retry-After`) of a server function's or a
//! server-rendered page's answer follows the `AppError` it carries.

use casia_services::ServiceError;
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

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
    use axum::response::Response;
    use casia_domain::Lang;

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
