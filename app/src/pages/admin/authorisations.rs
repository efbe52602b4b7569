//! `Autorizaciones`: the RED authorisations and their members.

use casia_domain::Msg;
#[cfg(feature = "ssr")]
use casia_domain::Role;
use casia_domain::dto::{AdminListPage, AuthorisationAdminView, NewAuthorisationInput};
use leptos::prelude::*;
use server_fn::codec::Json;

use super::{ListFilter, Outcome, Pager};
use crate::components::forms::{has_problem, successes};
use crate::components::{FieldMessage, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "admin_authorisations")]
pub async fn admin_authorisations(
    filter: String,
    page: u64,
) -> Result<AdminListPage<AuthorisationAdminView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::authorisations(&services().db, &c, &filter, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_authorisation_active")]
pub async fn admin_set_authorisation_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_authorisation_active(&services().db, &c, id, active)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_create_authorisation", input = Json)]
pub async fn admin_create_authorisation(input: NewAuthorisationInput) -> Result<i64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::create_authorisation(&services().db, &c, input)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_add_member")]
pub async fn admin_add_member(
    authorisation_id: i64,
    username: String,
    main: bool,
) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::add_member(&services().db, &c, authorisation_id, &username, main)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_remove_member")]
pub async fn admin_remove_member(authorisation_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::remove_member(&services().db, &c, authorisation_id, user_id)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_main_user")]
pub async fn admin_set_main_user(authorisation_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_main_user(&services().db, &c, authorisation_id, user_id)
        .await
        .map_err(fail)
}

#[component]
pub fn AuthorisationsAdmin() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(0u64);
    let lang = use_lang();
    let outcome = Outcome::new();
    let errs = outcome.errors();
    let number = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let nif = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    // The card whose "Añadir usuario" was sent last, where its answer shows.
    let adding_to = RwSignal::new(None::<i64>);
    let creation = outcome.change::<AdminCreateAuthorisation>(move || {
        // Show the new authorisation: the list narrows to it.
        filter.set(number.get_untracked().trim().to_owned());
        page.set(0);
        number.set(String::new());
        company.set(String::new());
        nif.set(String::new());
        email.set(String::new());
    });
    let set_active = outcome.change::<AdminSetAuthorisationActive>(|| ());
    let set_main = outcome.change::<AdminSetMainUser>(|| ());
    let remove = outcome.change::<AdminRemoveMember>(|| ());
    let add = outcome.change::<AdminAddMember>(|| ());
    // The list reloads after each change that went through.
    let changed = [
        successes(creation),
        successes(set_active),
        successes(set_main),
        successes(remove),
        successes(add),
    ];
    let auths: Resource<Result<AdminListPage<AuthorisationAdminView>, AppError>> = Resource::new(
        move || (filter.get(), page.get(), changed.map(|c| c.get())),
        |(f, p, _)| admin_authorisations(f, p),
    );
    let has_next =
        Signal::derive(move || auths.get().and_then(|r| r.ok()).is_some_and(|p| p.has_next));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewAuthorisationInput {
            number: number.get_untracked(),
            company_name: company.get_untracked(),
            nif: nif.get_untracked(),
            contact_email: email.get_untracked(),
            consent: consent.get_untracked(),
        };
        outcome.send(creation, AdminCreateAuthorisation { input });
    };
    view! {
        {outcome.banner()}
        <div role="alert"><FieldMessage field="user_id" errors=errs/></div>
        <ListFilter id="authorisations-filter" label=Msg::FiltroAutorizaciones applied=filter page/>
        <Loaded resource=auths children=move |r| match r {
                listed if listed.items.is_empty() => view! { <p class="muted">{t(Msg::SinCoincidencias)}</p> }.into_any(),
                AdminListPage { items: list, .. } => list.into_iter().map(|a| {
                    let aid = a.id;
                    let active = a.active;
                    let new_member = RwSignal::new(String::new());
                    let as_main = RwSignal::new(false);
                    view! {
                        <section class="admin-card" data-testid="authorisation">
                            <h3>{a.number.clone()}" · "{a.company_name.clone()}" · "{a.nif.clone()}</h3>
                            <p class="small muted">
                                {t(Msg::CorreoElectronico)}": "{a.contact_email.clone().unwrap_or_else(|| "—".into())}
                                " · "{t(Msg::ConsentimientoAvisos)}": "{move || if a.consent { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}
                                " · "{t(Msg::Activo)}": "<span data-testid="authorisation-active">{move || if active { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}</span>
                                " "
                                <button type="button" class="button button-secondary button-small" on:click=move |_| outcome.send(set_active, AdminSetAuthorisationActive { id: aid, active: !active })>
                                    {t(if active { Msg::Desactivar } else { Msg::Activar })}
                                </button>
                            </p>
                            <ul>
                                {a.members.into_iter().map(|m| {
                                    let uid = m.user_id;
                                    view! {
                                        <li>
                                            {m.full_name.clone()}" ("{m.username.clone()}")"
                                            {m.main.then(|| view! { <span class="tag">{t(Msg::MainUser)}</span> })}
                                            {(!m.main).then(|| view! {
                                                <button type="button" class="link-button" on:click=move |_| outcome.send(set_main, AdminSetMainUser { authorisation_id: aid, user_id: uid })>{t(Msg::HacerPrincipal)}</button>
                                                " · "
                                                <button type="button" class="link-button" on:click=move |_| outcome.send(remove, AdminRemoveMember { authorisation_id: aid, user_id: uid })>{t(Msg::QuitarDocumento)}</button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <form class="form inline-search" on:submit=move |ev| {
                                ev.prevent_default();
                                adding_to.set(Some(aid));
                                outcome.send(add, AdminAddMember { authorisation_id: aid, username: new_member.get_untracked(), main: as_main.get_untracked() });
                            } novalidate>
                                <div class="field">
                                    <label for=format!("m-{aid}")>{t(Msg::UsuarioNuevoMiembro)}</label>
                                    <input id=format!("m-{aid}") type="text" autocomplete="off"
                                        aria-invalid=move || (adding_to.get() == Some(aid) && has_problem(&errs.get(), "username")).to_string()
                                        aria-describedby="err-username"
                                        prop:value=move || new_member.get() on:input=move |ev| new_member.set(event_target_value(&ev))/>
                                    // The answer shows under the card it was sent from.
                                    {move || (adding_to.get() == Some(aid)).then(|| view! { <FieldMessage field="username" errors=errs/> })}
                                </div>
                                <label class="check"><input type="checkbox" prop:checked=move || as_main.get() on:change=move |ev| as_main.set(event_target_checked(&ev))/>{t(Msg::MainUser)}</label>
                                <div class="actions"><button type="submit" class="button button-small">{t(Msg::AnadirMiembro)}</button></div>
                            </form>
                        </section>
                    }
                }).collect_view().into_any(),
            }/>
        <Pager page has_next/>
        <h2>{t(Msg::CrearAutorizacion)}</h2>
        <form class="form" on:submit=create novalidate>
            <div class="form-grid">
                <div class="field"><label for="a-num">{t(Msg::NumAutorizacion)}</label><input id="a-num" type="text" inputmode="numeric" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/><FieldMessage field="number" errors=errs/></div>
                <div class="field"><label for="a-name">{t(Msg::RazonSocial)}</label><input id="a-name" type="text" prop:value=move || company.get() on:input=move |ev| company.set(event_target_value(&ev))/><FieldMessage field="company_name" errors=errs/></div>
                <div class="field"><label for="a-nif">{t(Msg::Nif)}</label><input id="a-nif" type="text" prop:value=move || nif.get() on:input=move |ev| nif.set(event_target_value(&ev))/><FieldMessage field="nif" errors=errs/></div>
                <div class="field"><label for="a-email">{t(Msg::CorreoElectronico)}</label><input id="a-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/><FieldMessage field="email" errors=errs/></div>
            </div>
            <label class="check"><input type="checkbox" prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev))/>{t(Msg::ConsentimientoAvisosTexto)}</label>
            <div class="actions"><button type="submit" class="button">{t(Msg::CrearAutorizacion)}</button></div>
        </form>
    }
}
