//! The session and language cookies: read from the `Cookie` header and written as
//! `Set-Cookie`, both through the `cookie` crate.

use casia_domain::Lang;
use casia_services::config::Config;
use cookie::{Cookie, SameSite};
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::{request_parts, services};

/// The session cookie over plain HTTP (the local demo).
pub const SESSION_COOKIE: &str = "casia_session";
/// The session cookie when the public URL is https. The `__Host-` prefix makes browsers refuse
/// it unless it is `Secure`, has `Path=/` and no `Domain`: a sibling subdomain can neither set
/// nor overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-casia_session";
pub const LANG_COOKIE: &str = "casia_lang";

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

/// The session token of the current request, if it carries one.
pub fn session_token() -> Option<String> {
    let parts = request_parts().ok()?;
    session_token_of(&parts.headers, &services().config)
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

/// The cookie that ends the session in the browser: the same attributes, empty and expired.
fn session_removal(config: &Config) -> Cookie<'static> {
    let mut cookie = session_cookie(config, String::new());
    cookie.make_removal();
    cookie
}

fn lang_cookie(config: &Config, lang: Lang) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(config.uses_https())
        .max_age(cookie::time::Duration::days(365))
        .build()
}

pub fn set_session_cookie(token: &str) {
    set_cookie(session_cookie(&services().config, token.to_owned()));
}

pub fn clear_session_cookie() {
    set_cookie(session_removal(&services().config));
}

pub fn set_lang_cookie(lang: Lang) {
    set_cookie(lang_cookie(&services().config, lang));
}

/// The language this request's cookie names, if any.
pub fn cookie_lang() -> Option<Lang> {
    let parts = request_parts().ok()?;
    cookie(&parts.headers, LANG_COOKIE).and_then(|c| Lang::from_code(&c))
}

/// A language chosen while signed out (on the login page): the next login keeps it and
/// remembers it for the account. A browser-session cookie, so it never outlives the visit.
pub const LANG_CHOSEN_COOKIE: &str = "casia_lang_elegido";

fn lang_chosen_cookie(config: &Config, lang: Lang) -> Cookie<'static> {
    Cookie::build((LANG_CHOSEN_COOKIE, lang.code()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.uses_https())
        .build()
}

pub fn set_lang_chosen(lang: Lang) {
    set_cookie(lang_chosen_cookie(&services().config, lang));
}

/// The language chosen before this login, if one was (and forgets the choice).
pub fn take_lang_chosen() -> Option<Lang> {
    let parts = request_parts().ok()?;
    let lang = cookie(&parts.headers, LANG_CHOSEN_COOKIE).and_then(|c| Lang::from_code(&c))?;
    let mut removal = lang_chosen_cookie(&services().config, lang);
    removal.make_removal();
    set_cookie(removal);
    Some(lang)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn https() -> Config {
        Config {
            public_url: "https://casia.example".into(),
            ..Config::default()
        }
    }

    fn plain_http() -> Config {
        Config {
            public_url: "http://127.0.0.1:3000".into(),
            ..Config::default()
        }
    }

    /// The `Cookie` header a browser sends back for a `Set-Cookie` we wrote.
    fn sent_back(set_cookie: &Cookie<'_>) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        let pair = format!("{}={}", set_cookie.name(), set_cookie.value());
        h.insert(COOKIE, HeaderValue::from_str(&pair).unwrap());
        h
    }

    #[test]
    fn cookies_are_read_by_name_only() {
        let mut h = http::HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("casia_lang=en; __Host-casia_session=abc; casia_session=old"),
        );
        let (https, http_) = (https(), plain_http());
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

    #[test]
    fn the_session_cookie_round_trips_and_its_removal_is_empty() {
        for config in [https(), plain_http()] {
            let written = session_cookie(&config, "t0k3n".into());
            // What we write parses back with the same attributes.
            let parsed = Cookie::parse(written.to_string()).unwrap();
            assert_eq!(parsed.name(), session_cookie_name(&config));
            assert_eq!(parsed.value(), "t0k3n");
            assert_eq!(parsed.path(), Some("/"));
            assert_eq!(parsed.http_only(), Some(true));
            assert_eq!(parsed.same_site(), Some(SameSite::Lax));
            assert_eq!(parsed.secure().unwrap_or(false), config.uses_https());
            assert_eq!(parsed.domain(), None);
            // And the browser's answer is read as the session token.
            assert_eq!(
                session_token_of(&sent_back(&written), &config).as_deref(),
                Some("t0k3n")
            );
            // The removal keeps name and attributes (a `__Host-` cookie needs them to be
            // replaced), is empty, expires at once, and an empty token is no token.
            let removal = session_removal(&config);
            let text = removal.to_string();
            assert!(
                text.starts_with(&format!("{}=;", session_cookie_name(&config))),
                "{text}"
            );
            assert!(
                text.contains("Max-Age=0") && text.contains("Path=/"),
                "{text}"
            );
            assert_eq!(session_token_of(&sent_back(&removal), &config), None);
        }
    }

    #[test]
    fn the_language_cookie_lasts_a_year_and_round_trips() {
        let written = lang_cookie(&https(), Lang::En);
        let text = written.to_string();
        assert!(
            text.starts_with("casia_lang=en;")
                && text.contains("Max-Age=31536000")
                && text.contains("Secure")
                && !text.contains("HttpOnly"),
            "{text}"
        );
        assert_eq!(
            cookie(&sent_back(&written), LANG_COOKIE).as_deref(),
            Some("en")
        );
        assert!(
            !lang_cookie(&plain_http(), Lang::Es)
                .to_string()
                .contains("Secure")
        );
    }
}
