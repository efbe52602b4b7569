//! Server functions of signing in and out, choosing the authorisation and the language.

use casia_domain::dto::AuthorisationView;
use leptos::prelude::*;

use crate::error::AppError;

/// Only same-site paths are followed after login (no open redirect). Control characters and
/// spaces are refused too: browsers drop tabs and newlines from a URL, so `/\t/evil.example`
/// would become `//evil.example`.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && !next.starts_with("/acceso")
    {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{
        client_address, fail, services, session_token, set_lang_cookie, set_session_cookie,
    };
    use casia_services::accounts;
    let s = services();
    let logged = accounts::login(
        &s.db,
        &s.config.login,
        &s.config.session,
        &username,
        &password,
        &client_address(),
    )
    .await
    .map_err(fail)?;
    // A new session id at every login; the one the browser brought (if any) ends.
    if let Some(old) = session_token() {
        accounts::logout(&s.db, &old).await.map_err(fail)?;
    }
    casia_services::sessions::set_device(&s.db, &logged.token, &crate::server::user_agent())
        .await
        .map_err(fail)?;
    set_session_cookie(&logged.token);
    // A language chosen on the login page wins over the stored one, and is stored.
    let lang = match crate::server::take_lang_chosen() {
        Some(chosen) => {
            accounts::set_user_language(&s.db, logged.user.id, chosen)
                .await
                .map_err(fail)?;
            chosen
        }
        None => casia_domain::Lang::from_code(&logged.user.lang).unwrap_or_default(),
    };
    set_lang_cookie(lang);
    let target = if logged.password_change_required {
        // An administrator reset the password: choose a new one before anything else.
        "/cuenta".to_owned()
    } else if logged.needs_authorisation {
        "/autorizaciones".to_owned()
    } else {
        safe_next(next.as_deref().unwrap_or("/"))
    };
    // With a second factor the password alone opens nothing: the code comes next.
    if casia_services::second_factor::is_enrolled(&s.db, logged.user.id)
        .await
        .map_err(fail)?
    {
        leptos_axum::redirect(&crate::url::with_query(
            "/acceso/segundo-factor",
            [("next", Some(target.as_str()))],
        ));
        return Ok(());
    }
    leptos_axum::redirect(&target);
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{clear_session_cookie, fail, services, session_token};
    if let Some(token) = session_token() {
        casia_services::accounts::logout(&services().db, &token)
            .await
            .map_err(fail)?;
    }
    clear_session_cookie();
    leptos_axum::redirect("/acceso?salida=1");
    Ok(())
}

#[server(endpoint = "my_authorisations")]
pub async fn my_authorisations() -> Result<Vec<AuthorisationView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[casia_domain::Role::Autorizado]).await?;
    let list = casia_services::accounts::user_authorisations(&services().db, c.user.id)
        .await
        .map_err(fail)?;
    Ok(list
        .iter()
        .map(|a| casia_services::accounts::authorisation_view(a, a.main_user_id == Some(c.user.id)))
        .collect())
}

#[server(endpoint = "choose_authorisation")]
pub async fn choose_authorisation(authorisation_id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[casia_domain::Role::Autorizado]).await?;
    casia_services::accounts::choose_authorisation(&services().db, &c, authorisation_id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/casia");
    Ok(())
}

/// Switches the interface language (remembered in a cookie and, when signed in, the account).
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String, back: Option<String>) -> Result<(), AppError> {
    use crate::server::{caller, fail, services, set_lang_cookie};
    let lang = casia_domain::Lang::from_code(&lang).unwrap_or_default();
    set_lang_cookie(lang);
    match caller().await {
        Ok(c) => casia_services::accounts::set_language(&services().db, &c, lang)
            .await
            .map_err(fail)?,
        // Signed out (the login page): the next login keeps this choice.
        Err(_) => crate::server::set_lang_chosen(lang),
    }
    crate::server::set_page_status(http::StatusCode::OK);
    leptos_axum::redirect(&safe_next(back.as_deref().unwrap_or("/")));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/casia/casos"), "/casia/casos");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next("/acceso"), "/");
        assert_eq!(safe_next(""), "/");
        // Browsers strip these, turning the path into a scheme-relative URL.
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\r\n/evil.example"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
        assert_eq!(
            safe_next("/casia/casos?estado=abierto&desde=2026-11-01"),
            "/casia/casos?estado=abierto&desde=2026-11-01"
        );
    }
}
