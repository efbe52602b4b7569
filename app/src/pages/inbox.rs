//! `Buzón`: every notice of the authorisation, newest first; read per person; and
//! `Consulta/Modificación de datos de contacto` (the main user changes it, others only look).

use casia_domain::dto::{ContactData, NoticeView};
use casia_domain::validation::check_contact;
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;

use crate::components::forms::has_problem;
use crate::components::{ErrorBanner, FieldMessage, Guarded};
use crate::context::{t, use_lang, use_page};
use crate::error::AppError;

pub const INBOX_PAGE: u64 = 30;

#[server(endpoint = "get_inbox")]
pub async fn get_inbox(before: Option<i64>) -> Result<Vec<NoticeView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::notices::inbox(&services().db, &c, c.lang, before, INBOX_PAGE)
        .await
        .map_err(fail)
}

#[server(endpoint = "mark_notice_read")]
pub async fn mark_notice_read(id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::notices::mark_read(&services().db, &c, id)
        .await
        .map_err(fail)
}

#[server(endpoint = "mark_all_notices_read")]
pub async fn mark_all_notices_read() -> Result<u64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::notices::mark_all_read(&services().db, &c)
        .await
        .map_err(fail)
}

/// What the inbox learnt since it loaded. Owned by the page, outside the guard: refreshing
/// the header's counter may render the guarded view again, and this must survive it.
#[derive(Clone, Copy)]
struct InboxState {
    notices: Resource<Result<Vec<NoticeView>, AppError>>,
    /// Marked read in this visit.
    read_now: RwSignal<Vec<i64>>,
    /// Pages loaded with "Mostrar más".
    extra: RwSignal<Vec<NoticeView>>,
    more_available: RwSignal<bool>,
    failure: RwSignal<Option<AppError>>,
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let state = InboxState {
        notices: Resource::new(|| (), |_| get_inbox(None)),
        read_now: RwSignal::new(Vec::new()),
        extra: RwSignal::new(Vec::new()),
        more_available: RwSignal::new(false),
        failure: RwSignal::new(None),
    };
    view! { <Guarded roles=&[Role::Autorizado] children=move |_| view! { <InboxView state/> }/> }
}

#[component]
fn InboxView(state: InboxState) -> impl IntoView {
    let lang = use_lang();
    let page = use_page();
    let InboxState {
        notices,
        read_now,
        extra,
        more_available,
        failure,
    } = state;
    Effect::new(move |_| {
        if let Some(Ok(n)) = notices.get() {
            more_available.set(n.len() as u64 == INBOX_PAGE);
        }
    });
    let mark = move |id: i64| {
        leptos::task::spawn_local(async move {
            match mark_notice_read(id).await {
                Ok(()) => {
                    failure.set(None);
                    read_now.update(|r| r.push(id));
                    // The header's counter.
                    page.context.refetch();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let mark_all = move |_| {
        leptos::task::spawn_local(async move {
            match mark_all_notices_read().await {
                Ok(_) => {
                    failure.set(None);
                    notices.refetch();
                    extra.set(Vec::new());
                    page.context.refetch();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let load_more = move |_| {
        let last = extra.get_untracked().last().map(|n| n.id).or_else(|| {
            notices
                .get_untracked()
                .and_then(|r| r.ok())
                .and_then(|n| n.last().map(|n| n.id))
        });
        leptos::task::spawn_local(async move {
            if let Ok(page) = get_inbox(last).await {
                more_available.set(page.len() as u64 == INBOX_PAGE);
                extra.update(|e| e.extend(page));
            }
        });
    };
    let item = move |n: NoticeView| {
        let id = n.id;
        let unread = move || !n.read && !read_now.get().contains(&id);
        let case = n.case_number.clone();
        view! {
            <li class="notice" class:notice-unread=unread data-testid="notice">
                <div class="notice-head">
                    <strong>{n.subject.clone()}</strong>
                    <span class="small muted">{n.created_at.clone()}</span>
                </div>
                <p class="prewrap">{n.body.clone()}</p>
                <div class="actions">
                    {case.map(|c| view! { <a class="button button-small" href=format!("/casia/casos/{c}")>{t(Msg::VerCaso)}</a> })}
                    <Show when=unread>
                        <button type="button" class="button button-secondary button-small" on:click=move |_| mark(id)>{t(Msg::MarcarLeido)}</button>
                    </Show>
                </div>
            </li>
        }
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::Buzon)}</h1>
                <button type="button" class="button button-secondary" on:click=mark_all>{t(Msg::MarcarTodosLeidos)}</button>
            </div>
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
                {move || notices.get().map(|r| match r {
                    Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p data-testid="inbox-empty">{t(Msg::BuzonVacio)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="notice-list">
                            {list.into_iter().map(item).collect_view()}
                            <For each=move || extra.get() key=|n| n.id let:n>{item(n)}</For>
                        </ul>
                        <Show when=move || more_available.get()>
                            <div class="actions"><button type="button" class="button button-secondary" on:click=load_more>{t(Msg::MostrarMas)}</button></div>
                        </Show>
                    }.into_any(),
                })}
            </Suspense>
        </div>
    }
}

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
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || contact.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(c) => view! { <ContactForm data=c/> }.into_any(),
            })}
        </Suspense>
    }
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
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_errors.set(Vec::new());
        failure.set(None);
        saved.set(None);
        if check_contact(&email.get_untracked(), consent.get_untracked()).is_err() {
            return;
        }
        leptos::task::spawn_local(async move {
            match update_contact(
                email.get_untracked(),
                consent.get_untracked(),
                password.get_untracked(),
            )
            .await
            {
                Ok(c) => {
                    password.set(String::new());
                    saved.set(Some(c));
                }
                Err(AppError::Invalid(errs)) => server_errors.set(errs),
                Err(e) => failure.set(Some(e)),
            }
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
                    <form class="form" on:submit=submit.clone() novalidate>
                        <div class="field">
                            <label for="email">{t(Msg::CorreoElectronico)}</label>
                            <input id="email" type="email" autocomplete="email"
                                aria-invalid=move || has_problem(&errors.get(), "email").to_string()
                                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                            <FieldMessage field="email" errors=errors/>
                        </div>
                        <label class="check">
                            <input type="checkbox" prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev))/>
                            {t(Msg::ConsentimientoAvisosTexto)}
                        </label>
                        <Show when=ec.clone()>
                            <div class="field">
                                <label for="password">{t(Msg::ContrasenaConfirmar)}</label>
                                <input id="password" type="password" autocomplete="current-password"
                                    aria-invalid=move || has_problem(&errors.get(), "password").to_string()
                                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                                <FieldMessage field="password" errors=errors/>
                            </div>
                        </Show>
                        <div class="actions"><button type="submit" class="button" disabled=move || !hydrated.get()>{t(Msg::Save)}</button></div>
                    </form>
                }.into_any()
            }}
        </div>
    }
}
