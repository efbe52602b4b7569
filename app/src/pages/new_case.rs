//! `Nuevo Caso` (guide §4.1) and `Alta Confirmada` (§4.1.2).

use casia_domain::dto::{CaseOpened, DocumentTypeView, NewCaseForm, Taxonomy};
use casia_domain::validation::{DESCRIPTION_MAX, TITLE_MAX, check_new_case};
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::components::classification::{Classification, ClassificationPicker};
use crate::components::documents::{Documents, DocumentsInput};
use crate::components::forms::has_problem;
use crate::components::{ErrorBanner, FieldMessage, Guarded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseOptions {
    pub taxonomy: Taxonomy,
    pub document_types: Vec<DocumentTypeView>,
    pub max_upload_bytes: u64,
}

#[server(endpoint = "new_case_options")]
pub async fn get_new_case_options() -> Result<NewCaseOptions, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    c.user_scope().map_err(fail)?;
    let s = services();
    Ok(NewCaseOptions {
        taxonomy: casia_services::taxonomy::load(&s.db, c.lang)
            .await
            .map_err(fail)?,
        document_types: casia_services::taxonomy::document_types(&s.db, c.lang)
            .await
            .map_err(fail)?,
        max_upload_bytes: s.config.uploads.max_bytes,
    })
}

#[server(endpoint = "open_case", input = Json)]
pub async fn open_case(form: NewCaseForm) -> Result<CaseOpened, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::cases::open::open_case(&services(), &c, form)
        .await
        .map_err(fail)
}

/// What the confirmation page shows (the caller's own authorisation's case only).
#[server(endpoint = "case_opened")]
pub async fn get_case_opened(number: String) -> Result<CaseOpened, AppError> {
    use crate::server::{fail, require_case, services};
    use casia_domain::dto::ReceiptKind;
    let (c, n) = require_case(&[Role::Autorizado], &number).await?;
    let d = casia_services::cases::query::detail_for_user(&services().db, &c, n)
        .await
        .map_err(fail)?;
    Ok(CaseOpened {
        number: d.number,
        number_display: d.number_display,
        opened_at: d.opened_at,
        receipt: d
            .receipts
            .into_iter()
            .find(|r| r.kind == ReceiptKind::Solicitud),
    })
}

/// A fresh key per form: a double click or a resend opens one case.
pub fn new_idempotency_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        if let Some(uuid) = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .map(|c| c.random_uuid())
        {
            return uuid;
        }
        format!(
            "{:x}-{:x}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e15) as u64
        )
    }
    // Only ever called from the browser.
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[component]
pub fn NewCasePage() -> impl IntoView {
    // Resources live at the page's top level: a guard may re-render its content.
    let options = Resource::new(|| (), |_| get_new_case_options());
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! { <NewCaseLoader options/> }/>
    }
}

#[component]
fn NewCaseLoader(options: Resource<Result<NewCaseOptions, AppError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || options.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(opts) => view! { <NewCaseFields options=opts/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn NewCaseFields(options: NewCaseOptions) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let taxonomy = Signal::derive({
        let tx = options.taxonomy.clone();
        move || tx.clone()
    });
    let types = Signal::derive({
        let tys = options.document_types.clone();
        move || tys.clone()
    });
    let classification = Classification::new();
    let affects = RwSignal::new(None::<bool>);
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let documents = Documents::new();
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let key = StoredValue::new(String::new());
    let hydrated = crate::components::forms::use_hydrated();

    let form = move || NewCaseForm {
        case_type: classification.case_type.get(),
        subject_id: classification.subject.get(),
        category_id: classification.category.get(),
        subcategory_id: classification.subcategory.get(),
        affects_current_period: affects.get(),
        title: title.get(),
        description: description.get(),
        documents: documents.to_attach(),
        idempotency_key: key.get_value(),
    };
    // The same rules as the server, as the person types (shown once they tried to send).
    let client_errors = Memo::new(move |_| {
        let f = form();
        let facts = taxonomy
            .with(|tx| tx.facts(&f.case_type, f.subject_id, f.category_id, f.subcategory_id));
        check_new_case(&f, facts).err().unwrap_or_default()
    });
    let errors = Signal::derive(move || {
        let mut shown = if submitted.get() {
            client_errors.get()
        } else {
            Vec::new()
        };
        for e in server_errors.get() {
            if !shown.iter().any(|s| s.field == e.field) {
                shown.push(e);
            }
        }
        shown
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_errors.set(Vec::new());
        failure.set(None);
        if documents.any_uploading() {
            failure.set(Some(AppError::Upload(
                casia_domain::dto::UploadProblem::Incomplete,
            )));
            return;
        }
        if !client_errors.get_untracked().is_empty() {
            focus_first_error();
            return;
        }
        if key.get_value().is_empty() {
            key.set_value(new_idempotency_key());
        }
        let f = form();
        let navigate = navigate.clone();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = open_case(f).await;
            pending.set(false);
            match result {
                Ok(opened) => navigate(
                    &format!("/casia/casos/{}/alta", opened.number_display),
                    Default::default(),
                ),
                Err(AppError::Invalid(errs)) => {
                    server_errors.set(errs);
                    focus_first_error();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };

    let title_count = move || title.with(|t| t.chars().count());
    let description_count = move || description.with(|d| d.chars().count());
    view! {
        <div class="panel">
            <h1>{t(Msg::NuevoCaso)}</h1>
            <p class="muted">{t(Msg::RequiredLegend)}</p>
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <form class="form" on:submit=submit novalidate>
                <fieldset class="form-body" disabled=move || !hydrated.get()>
                <h2 class="section-title">{t(Msg::InformacionCaso)}</h2>
                <ClassificationPicker choice=classification taxonomy=taxonomy errors=errors/>
                <fieldset class="field">
                    <legend>{t(Msg::AfectaPeriodo)}<span class="req" aria-hidden="true">"(*)"</span></legend>
                    <div class="radio-row" aria-invalid=move || has_problem(&errors.get(), "affects_current_period").to_string()>
                        <label><input type="radio" name="affects_current_period" value="true" prop:checked=move || affects.get() == Some(true) on:change=move |_| affects.set(Some(true))/>{t(Msg::Yes)}</label>
                        <label><input type="radio" name="affects_current_period" value="false" prop:checked=move || affects.get() == Some(false) on:change=move |_| affects.set(Some(false))/>{t(Msg::No)}</label>
                    </div>
                    <FieldMessage field="affects_current_period" errors=errors/>
                </fieldset>
                <div class="field">
                    <label for="title">{t(Msg::Titulo)}<span class="req" aria-hidden="true">"(*)"</span></label>
                    <input
                        id="title"
                        name="title"
                        aria-required="true"
                        type="text"
                        maxlength=TITLE_MAX
                        aria-invalid=move || has_problem(&errors.get(), "title").to_string()
                        aria-describedby="err-title title-count"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <p class="counter" id="title-count">{title_count}" / "{TITLE_MAX}</p>
                    <FieldMessage field="title" errors=errors/>
                </div>
                <div class="field">
                    <label for="description">{t(Msg::Descripcion)}<span class="req" aria-hidden="true">"(*)"</span></label>
                    <textarea
                        id="description"
                        name="description"
                        aria-required="true"
                        rows="7"
                        aria-invalid=move || has_problem(&errors.get(), "description").to_string()
                        aria-describedby="err-description description-count"
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))
                    ></textarea>
                    <p class="counter" id="description-count">{description_count}" / "{DESCRIPTION_MAX}</p>
                    <FieldMessage field="description" errors=errors/>
                </div>
                <DocumentsInput documents=documents types=types errors=errors max_bytes=options.max_upload_bytes/>
                <div class="actions">
                    <a class="button button-secondary" href="/casia">{t(Msg::Atras)}</a>
                    <button type="submit" class="button" disabled=move || pending.get() || documents.any_uploading()>
                        {move || if pending.get() { Msg::Sending.text(lang.get()) } else { Msg::FinalizarAlta.text(lang.get()) }}
                    </button>
                </div>
                </fieldset>
            </form>
        </div>
    }
}

/// Moves focus to the first field with a message, so keyboard and screen-reader users land
/// where the problem is.
pub fn focus_first_error() {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async {
        // After the messages render.
        gloo_timers_delay().await;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[aria-invalid='true']").ok().flatten())
        {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

#[cfg(feature = "hydrate")]
async fn gloo_timers_delay() {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = tx.send(());
    });
    if let Some(w) = web_sys::window() {
        use wasm_bindgen::JsCast;
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 30);
    }
    let _ = rx.await;
}

/// `Alta Confirmada` (guide §4.1.2).
#[component]
pub fn CaseOpenedPage() -> impl IntoView {
    let params = use_params_map();
    let opened = Resource::new(
        move || params.with(|p| p.get("numero").unwrap_or_default()),
        get_case_opened,
    );
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! { <CaseOpenedView opened/> }/>
    }
}

#[component]
fn CaseOpenedView(opened: Resource<Result<CaseOpened, AppError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || opened.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(c) => view! {
                    <div class="panel">
                        <h1>{t(Msg::AltaConfirmada)}</h1>
                        <div class="alert alert-success" role="status">
                            <p><strong>{t(Msg::NumeroCasoAsignado)}": "</strong><span class="case-number" data-testid="numero-caso">{c.number_display.clone()}</span></p>
                            <p class="small">{t(Msg::FechaHoraAlta)}": "{c.opened_at.clone()}</p>
                        </div>
                        <p>{t(Msg::AltaConfirmadaTexto)}</p>
                        {c.receipt.clone().map(|r| view! {
                            <div class="receipt-box">
                                <h2>{t(Msg::JustificanteSolicitud)}</h2>
                                <p>{t(Msg::JustificanteExplicacion)}</p>
                                <p><strong>"CEA: "</strong><code data-testid="cea">{r.cea.clone()}</code></p>
                                <a class="button" href=format!("/api/justificantes/{}", r.id) download="" data-testid="descargar-justificante">
                                    {t(Msg::DescargarJustificante)}
                                </a>
                            </div>
                        })}
                        <div class="actions">
                            <a class="button" href="/casia/nuevo">{t(Msg::NuevoCaso)}</a>
                            <a class="button button-secondary" href="/casia/casos">{t(Msg::GestionCasos)}</a>
                            <a class="link-button" href=format!("/casia/casos/{}", c.number_display)>{t(Msg::VerCaso)}</a>
                        </div>
                    </div>
                }.into_any(),
            })}
        </Suspense>
    }
}
