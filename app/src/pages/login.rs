//! `Acceso`: personal account sign-in (the RED system's authentication in the guide, §2).

use casia_domain::Msg;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::auth::Login;
use crate::components::forms::has_problem;
use crate::components::{ErrorBanner, FieldMessage};
use crate::context::{t, use_page};

#[component]
pub fn LoginPage() -> impl IntoView {
    let page = use_page();
    let query = use_query_map();
    let login = ServerAction::<Login>::new();
    let error = Signal::derive(move || login.value().get().and_then(|r| r.err()));
    let field_errors = Signal::derive(move || {
        error
            .get()
            .map(|e| e.field_errors().to_vec())
            .unwrap_or_default()
    });
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let notice = move || {
        query.with(|q| {
            if q.get("caducada").is_some() {
                Some(Msg::SessionExpired)
            } else if q.get("salida").is_some() {
                Some(Msg::LoggedOut)
            } else {
                None
            }
        })
    };

    view! {
        <Transition fallback=|| ()>
            {move || page.current().and_then(|c| c.ok()).and_then(|c| c.session).map(|_| view! { <Redirect path="/"/> })}
        </Transition>
        <div class="panel narrow">
            <h1>{t(Msg::LoginTitle)}</h1>
            <p class="lead">{t(Msg::LoginIntro)}</p>
            {move || notice().map(|m| view! { <div class="alert alert-info" role="status">{t(m)}</div> })}
            <ErrorBanner error=error/>
            <ActionForm action=login attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="username">{t(Msg::Username)}</label>
                    <input id="username" name="username" type="text" autocomplete="username" required autofocus
                        aria-describedby="err-username" aria-invalid=move || has_problem(&field_errors.get(), "username").to_string()/>
                    <FieldMessage field="username" errors=field_errors/>
                </div>
                <div class="field">
                    <label for="password">{t(Msg::Password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        aria-describedby="err-password" aria-invalid=move || has_problem(&field_errors.get(), "password").to_string()/>
                    <FieldMessage field="password" errors=field_errors/>
                </div>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || login.pending().get()>
                        {t(Msg::LoginButton)}
                    </button>
                </div>
            </ActionForm>
            <p class="muted small"><a href="/verificacion">{t(Msg::VerificacionDocumentos)}</a></p>
        </div>
    }
}
