//! The root sends each role to its start page; guide §4's action selection for authorised users.

use casia_domain::{Msg, Role};
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::{FailedPage, Guarded};
use crate::context::{t, use_page};

#[component]
pub fn RootRedirect() -> impl IntoView {
    let page = use_page();
    view! {
        <Transition fallback=|| ()>
            {move || page.current().map(|c| {
                let context = match c {
                    Ok(context) => Some(context),
                    Err(e) => return view! { <FailedPage error=e/> }.into_any(),
                };
                let code_pending = context.as_ref().is_some_and(|c| c.second_factor == casia_domain::second_factor::SecondFactorGate::Pending);
                let target = match context.and_then(|c| c.session) {
                    None if code_pending => "/acceso/segundo-factor",
                    None => "/acceso",
                    Some(s) if s.needs_authorisation() => "/autorizaciones",
                    Some(s) => match s.user.role {
                        Role::Autorizado => "/casia",
                        Role::Tramitador | Role::Supervisor => "/tramitacion",
                        Role::Administrador => "/administracion",
                    },
                };
                view! { <Redirect path=target/> }.into_any()
            })}
        </Transition>
    }
}

/// Guide §4: "Nuevo Caso" or "Gestión de Casos" (plus the inbox and contact data).
#[component]
pub fn ActionSelectionPage() -> impl IntoView {
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |session| {
            let main_user = session.authorisation.as_ref().is_some_and(|a| a.is_main_user);
            view! {
                <div class="panel">
                    <h1>{t(Msg::ActionTitle)}</h1>
                    <div class="tiles">
                        <a class="tile tile-primary" href="/casia/nuevo">
                            <span class="tile-title">{t(Msg::NuevoCaso)}</span>
                            <span class="tile-text">{t(Msg::NuevoCasoHelp)}</span>
                        </a>
                        <a class="tile tile-primary" href="/casia/casos">
                            <span class="tile-title">{t(Msg::GestionCasos)}</span>
                            <span class="tile-text">{t(Msg::GestionCasosHelp)}</span>
                        </a>
                        <a class="tile" href="/casia/buzon">
                            <span class="tile-title">{t(Msg::Buzon)}</span>
                            <span class="tile-text">{t(Msg::BuzonHelp)}</span>
                        </a>
                        <a class="tile" href="/casia/contacto">
                            <span class="tile-title">{t(Msg::DatosContacto)}</span>
                            <span class="tile-text">{t(Msg::DatosContactoHelp)}</span>
                            {main_user.then(|| view! { <span class="tag">{t(Msg::MainUser)}</span> })}
                        </a>
                    </div>
                </div>
            }
        }/>
    }
}
