//! `Cuentas`: the people who sign in.

use casia_domain::dto::{AccountView, AdminListPage, NewAccount};
use casia_domain::i18n::role_name;
use casia_domain::{Msg, Role};
use leptos::prelude::*;
use server_fn::codec::Json;

use super::{ListFilter, Outcome, Pager};
use crate::components::forms::successes;
use crate::components::{FieldMessage, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "admin_accounts")]
pub async fn admin_accounts(
    filter: String,
    page: u64,
) -> Result<AdminListPage<AccountView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::accounts(&services().db, &c, &filter, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_create_account", input = Json)]
pub async fn admin_create_account(input: NewAccount) -> Result<i64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::create_account(&services().db, &c, input)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_account_active")]
pub async fn admin_set_account_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_account_active(&services().db, &c, id, active)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_reset_password")]
pub async fn admin_reset_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::reset_password(&services().db, &c, id, &password)
        .await
        .map_err(fail)
}

#[component]
pub fn AccountsAdmin() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(0u64);
    let lang = use_lang();
    let outcome = Outcome::new();
    let username = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("autorizado".to_owned());
    let password = RwSignal::new(String::new());
    let reset_for = RwSignal::new(None::<i64>);
    let new_password = RwSignal::new(String::new());
    let creation = outcome.change::<AdminCreateAccount>(move || {
        // Show the new account: the list narrows to it.
        filter.set(username.get_untracked().trim().to_owned());
        page.set(0);
        username.set(String::new());
        full_name.set(String::new());
        email.set(String::new());
        password.set(String::new());
    });
    let set_active = outcome.change::<AdminSetAccountActive>(|| ());
    let reset = outcome.change::<AdminResetPassword>(move || {
        reset_for.set(None);
        new_password.set(String::new());
    });
    // The list reloads after an account is created or (de)activated.
    let (created, toggled) = (successes(creation), successes(set_active));
    let accounts: Resource<Result<AdminListPage<AccountView>, AppError>> = Resource::new(
        move || (filter.get(), page.get(), created.get(), toggled.get()),
        |(f, p, _, _)| admin_accounts(f, p),
    );
    let has_next = Signal::derive(move || {
        accounts
            .get()
            .and_then(|r| r.ok())
            .is_some_and(|p| p.has_next)
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewAccount {
            username: username.get_untracked(),
            full_name: full_name.get_untracked(),
            email: email.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        outcome.send(creation, AdminCreateAccount { input });
    };
    let errs = outcome.errors();
    view! {
        {outcome.banner()}
        <div role="alert" data-testid="accounts-refused"><FieldMessage field="active" errors=errs/></div>
        <ListFilter id="accounts-filter" label=Msg::FiltroCuentas applied=filter page/>
        <Loaded resource=accounts children=move |r| match r {
                listed if listed.items.is_empty() => view! { <p class="muted">{t(Msg::SinCoincidencias)}</p> }.into_any(),
                AdminListPage { items: list, .. } => view! {
                    <div class="table-wrap">
                        <table class="table stack" data-testid="accounts">
                            <thead><tr>
                                <th scope="col">{t(Msg::Username)}</th><th scope="col">{t(Msg::Nombre)}</th><th scope="col">{t(Msg::Perfil)}</th>
                                <th scope="col">{t(Msg::Autorizaciones)}</th><th scope="col">{t(Msg::Activo)}</th><th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| {
                                    let id = a.id;
                                    let active = a.active;
                                    let r = a.role;
                                    view! {
                                        <tr>
                                            <td>{a.username.clone()}</td>
                                            <td>{a.full_name.clone()}</td>
                                            <td>{move || role_name(r, lang.get())}</td>
                                            <td>{a.authorisations.join(", ")}</td>
                                            <td>{move || if active { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}</td>
                                            <td class="actions">
                                                <button type="button" class="button button-secondary button-small" on:click=move |_| outcome.send(set_active, AdminSetAccountActive { id, active: !active })>
                                                    {t(if active { Msg::Desactivar } else { Msg::Activar })}
                                                </button>
                                                <button type="button" class="button button-secondary button-small" on:click=move |_| reset_for.set(Some(id))>{t(Msg::RestablecerContrasena)}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }/>
        <Pager page has_next/>
        {move || reset_for.get().map(|id| view! {
            <form class="form action-form" on:submit=move |ev| {
                ev.prevent_default();
                outcome.send(reset, AdminResetPassword { id, password: new_password.get_untracked() });
            } novalidate>
                <div class="field">
                    <label for="new-password">{t(Msg::NuevaContrasena)}</label>
                    <input id="new-password" type="password" autocomplete="new-password" prop:value=move || new_password.get() on:input=move |ev| new_password.set(event_target_value(&ev))/>
                    <FieldMessage field="password" errors=errs/>
                </div>
                <div class="actions"><button type="submit" class="button">{t(Msg::Save)}</button></div>
            </form>
        })}
        <h2>{t(Msg::CrearCuenta)}</h2>
        <form class="form" on:submit=create novalidate>
            <div class="form-grid">
                <div class="field"><label for="u-name">{t(Msg::Username)}</label><input id="u-name" type="text" autocomplete="off" prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/><FieldMessage field="username" errors=errs/></div>
                <div class="field"><label for="u-full">{t(Msg::Nombre)}</label><input id="u-full" type="text" prop:value=move || full_name.get() on:input=move |ev| full_name.set(event_target_value(&ev))/><FieldMessage field="full_name" errors=errs/></div>
                <div class="field"><label for="u-email">{t(Msg::CorreoElectronico)}</label><input id="u-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/><FieldMessage field="email" errors=errs/></div>
                <div class="field"><label for="u-role">{t(Msg::Perfil)}</label>
                    <select id="u-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {Role::ALL.iter().map(|r| { let r = *r; view! { <option value=r.code() selected=move || role.get() == r.code()>{move || role_name(r, lang.get())}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field"><label for="u-pass">{t(Msg::Password)}</label><input id="u-pass" type="password" autocomplete="new-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/><FieldMessage field="password" errors=errs/></div>
            </div>
            <div class="actions"><button type="submit" class="button">{t(Msg::CrearCuenta)}</button></div>
        </form>
    }
}
