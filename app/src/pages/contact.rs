//! `Consulta/Modificación de datos de contacto`: the main user changes it, others only look.

use casia_domain::dto::ContactData;
use casia_domain::validation::check_contact;
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;

use crate::components::forms::on_answer;
use crate::components::input_field::InputField;
use crate::components::{ErrorBanner, Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "get_contact")]
pub async fn get_contact() -> Result<ContactData, AppError> {
    use crate::server::{fail, require};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::authorisations::get_contact(&c)
        .await
        .map_err(fail)
}

#[server(endpoint = "update_contact")]
pub async fn update_contact(
    email: String,
    consent: bool,
    password: String,
) -> Result<ContactData, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let s = services();
    casia_services::authorisations::update_contact(
        &s.db,
        &s.config.login,
        &c,
        &email,
        consent,
        &password,
    )
    .await
    .map_err(fail)
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let contact = Resource::new(|| (), |_| get_contact());
    view! { <Guarded roles=&[Role::Autorizado] children=move |_| view! { <ContactView contact/> }/> }
}

#[component]
fn ContactView(contact: Resource<Result<ContactData, AppError>>) -> impl IntoView {
    view! { <Loaded resource=contact children=move |c| view! { <ContactForm data=c/> }/> }
}

#[component]
fn ContactForm(data: ContactData) -> impl IntoView {
    let lang = use_lang();
    let original_email = data.email.clone();
    let email = RwSignal::new(data.email.clone());
    let consent = RwSignal::new(data.consent);
    let password = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<ContactData>);
    let failure = RwSignal::new(None::<AppError>);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let submitted = RwSignal::new(false);
    let hydrated = crate::components::forms::use_hydrated();
    let email_changes = {
        let original = original_email.clone();
        move || email.get().trim() != original.trim()
    };
    let errors = Signal::derive(move || {
        let mut e = if submitted.get() {
            check_contact(&email.get(), consent.get())
                .err()
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        e.extend(server_errors.get());
        e
    });
    let ec = email_changes.clone();
    let update = ServerAction::<UpdateContact>::new();
    on_answer(update, move |answer| match answer {
        Ok(c) => {
            password.set(String::new());
            saved.set(Some(c));
        }
        Err(AppError::Invalid(errs)) => server_errors.set(errs),
        Err(e) => failure.set(Some(e)),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_errors.set(Vec::new());
        failure.set(None);
        saved.set(None);
        if check_contact(&email.get_untracked(), consent.get_untracked()).is_err() {
            return;
        }
        update.dispatch(UpdateContact {
            email: email.get_untracked(),
            consent: consent.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let editable = data.editable;
    view! {
        <div class="panel">
            <h1>{t(Msg::DatosContacto)}</h1>
            <dl class="dl-grid">
                <div><dt>{t(Msg::NumAutorizacion)}</dt><dd>{data.authorisation.number.clone()}</dd></div>
                <div><dt>{t(Msg::RazonSocial)}</dt><dd>{data.authorisation.company_name.clone()}</dd></div>
                <div><dt>{t(Msg::UltimaModificacion)}</dt><dd>{data.updated_at.clone().unwrap_or_else(|| "—".into())}</dd></div>
            </dl>
            {move || saved.get().map(|_| view! { <div class="alert alert-success" role="status" data-testid="contact-saved">{t(Msg::DatosGuardados)}</div> })}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            {if !editable {
                view! {
                    <div class="alert alert-info" role="status">{t(Msg::SoloUsuarioPrincipal)}</div>
                    <dl class="dl-grid">
                        <div><dt>{t(Msg::CorreoElectronico)}</dt><dd data-testid="contact-email">{if data.email.is_empty() { "—".to_owned() } else { data.email.clone() }}</dd></div>
                        <div><dt>{t(Msg::ConsentimientoAvisos)}</dt><dd>{move || if data.consent { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}</dd></div>
                    </dl>
                }.into_any()
            } else {
                view! {
                    <form class="form" on:submit=submit novalidate>
                        <InputField id="email" label=Msg::CorreoElectronico field="email" kind="email" autocomplete="email"
                            value=email errors/>
                        <label class="check">
                            <input type="checkbox" prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev))/>
                            {t(Msg::ConsentimientoAvisosTexto)}
                        </label>
                        <Show when=ec.clone()>
                            <InputField id="password" label=Msg::ContrasenaConfirmar field="password" kind="password"
                                autocomplete="current-password" value=password errors/>
                        </Show>
                        <div class="actions"><button type="submit" class="button" disabled=move || !hydrated.get()>{t(Msg::Save)}</button></div>
                    </form>
                }.into_any()
            }}
        </div>
    }
}
