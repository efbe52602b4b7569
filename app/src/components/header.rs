//! The top bar and the identification band of the guide's screens:
//! Razón Social, Nº Autorización, NIF, Nombre, Fecha y Hora Actual.

use casia_domain::i18n::role_name;
use casia_domain::{Msg, Role};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::auth::{Logout, SetLanguage};
use crate::context::{t, use_page};

#[component]
pub fn Header() -> impl IntoView {
    let page = use_page();
    let lang = page.lang;
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let set_language = ServerAction::<SetLanguage>::new();
    // After switching language the whole page is rendered again in the new one.
    Effect::new(move |_| {
        if let Some(Ok(())) = set_language.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });

    let context = move || page.context.get().and_then(|r| r.ok());
    let home = move || match context().and_then(|c| c.session).map(|s| s.user.role) {
        Some(Role::Autorizado) => "/casia",
        Some(Role::Tramitador | Role::Supervisor) => "/tramitacion",
        Some(Role::Administrador) => "/administracion",
        None => "/acceso",
    };

    view! {
        <a class="skip-link" href="#contenido">{t(Msg::SkipToContent)}</a>
        <header class="topbar">
            <div class="topbar-inner">
                <a class="brand" href=home>
                    <span class="brand-mark" aria-hidden="true">"C"</span>
                    <span class="brand-text">
                        <strong>"Casia"</strong>
                        <span>{t(Msg::ServiceShort)}</span>
                    </span>
                </a>
                <nav class="topbar-actions" aria-label=t(Msg::MainNavigation)>
                    <ActionForm action=set_language attr:class="inline-form">
                        <input type="hidden" name="lang" value=move || lang.get().other().code()/>
                        <input type="hidden" name="back" value=move || location.pathname.get()/>
                        <button type="submit" class="link-button" lang=move || lang.get().other().code()>
                            {t(Msg::SwitchToOther)}
                        </button>
                    </ActionForm>
                    <Transition fallback=|| ()>
                        {move || context().and_then(|c| c.session).map(|s| {
                            let unread = s.unread_notices;
                            let is_user = s.user.role == Role::Autorizado && s.authorisation.is_some();
                            let role = s.user.role;
                            view! {
                                {role.is_processor().then(|| view! { <A href="/tramitacion" attr:class="nav-link">{t(Msg::Bandejas)}</A> })}
                                {(role == Role::Supervisor).then(|| view! { <A href="/tramitacion/panel" attr:class="nav-link">{t(Msg::Dashboard)}</A> })}
                                <Show when=move || is_user>
                                    <A href="/casia/buzon" attr:class="inbox-link">
                                        {t(Msg::Buzon)}
                                        <span class="badge" class:badge-zero=move || unread == 0 data-testid="unread-count">
                                            {unread}
                                        </span>
                                        <span class="visually-hidden">{t(Msg::UnreadNotices)}</span>
                                    </A>
                                </Show>
                                <Show when=move || is_user>
                                    <A href="/cuenta/tokens" attr:class="nav-link" attr:data-testid="tokens-link">{t(Msg::TokensAcceso)}</A>
                                </Show>
                                <A href="/cuenta/segundo-factor" attr:class="nav-link">{t(Msg::SegundoFactor)}</A>
                                <A href="/cuenta" attr:class="nav-link" attr:data-testid="my-account">{t(Msg::MiCuenta)}</A>
                                <ActionForm action=logout attr:class="inline-form">
                                    <button type="submit" class="button button-secondary">{t(Msg::Salir)}</button>
                                </ActionForm>
                            }
                        })}
                    </Transition>
                </nav>
            </div>
        </header>
        <Transition fallback=|| ()>
            {move || context().map(|c| {
                let session = c.session.clone();
                view! {
                    <section class="idband" aria-label=move || Msg::ServiceName.text(lang.get())>
                        <div class="idband-title">{t(Msg::ServiceName)}</div>
                        <dl class="idband-fields">
                            {session.clone().and_then(|s| s.authorisation).map(|a| view! {
                                <div><dt>{t(Msg::RazonSocial)}</dt><dd data-testid="razon-social">{a.company_name}</dd></div>
                                <div><dt>{t(Msg::NumAutorizacion)}</dt><dd data-testid="num-autorizacion">{a.number}</dd></div>
                                <div class="idband-minor"><dt>{t(Msg::Nif)}</dt><dd>{a.nif}</dd></div>
                            })}
                            {session.clone().map(|s| {
                                let role = s.user.role;
                                view! {
                                    <div>
                                        <dt>{t(Msg::Nombre)}</dt>
                                        <dd data-testid="nombre">
                                            {s.user.full_name}
                                            <span class="role-tag">{move || role_name(role, lang.get())}</span>
                                        </dd>
                                    </div>
                                }
                            })}
                            <div class="idband-minor"><dt>{t(Msg::FechaHoraActual)}</dt><dd>{c.now.clone()}</dd></div>
                        </dl>
                        {session.filter(|s| s.authorisation_count > 1 && s.authorisation.is_some()).map(|_| view! {
                            <A href="/autorizaciones" attr:class="idband-change">{t(Msg::ChangeAuthorisation)}</A>
                        })}
                    </section>
                }
            })}
        </Transition>
    }
}
