//! `Nuevo Caso` (guide §4.1) and `Alta Confirmada` (§4.1.2).

use casia_domain::dto::{CaseOpened, DocumentTypeView, NewCaseForm, Taxonomy};
use casia_domain::validation::{DESCRIPTION_MAX, TITLE_MAX, check_new_case};
use casia_domain::{Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::components::classification::{Classification, ClassificationPicker};
use crate::components::document_form::use_document_form;
use crate::components::documents::DocumentsInput;
use crate::components::forms::ErrorSummary;
use crate::components::forms::{has_problem, on_answer};
use crate::components::input_field::TextAreaField;
use crate::components::{ErrorBanner, FieldMessage, Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseOptions {
    pub taxonomy: Taxonomy,
    pub document_types: Vec<DocumentTypeView>,
    pub max_upload_bytes: u64,
}

impl NewCaseOptions {
    /// The tree and the document types, as the pickers take them.
    pub fn signals(&self) -> (Signal<Taxonomy>, Signal<Vec<DocumentTypeView>>) {
        let (taxonomy, types) = (self.taxonomy.clone(), self.document_types.clone());
        (
            Signal::derive(move || taxonomy.clone()),
            Signal::derive(move || types.clone()),
        )
    }
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
    view! { <Loaded resource=options children=move |opts| view! { <NewCaseFields options=opts/> }/> }
}

#[component]
fn NewCaseFields(options: NewCaseOptions) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let (taxonomy, types) = options.signals();
    let classification = Classification::new();
    let affects = RwSignal::new(None::<bool>);
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let sending = use_document_form();
    let documents = sending.documents;
    let hydrated = sending.hydrated;
    let open = ServerAction::<OpenCase>::new();
    let pending = open.pending();

    let form = move || NewCaseForm {
        case_type: classification.case_type.get(),
        subject_id: classification.subject.get(),
        category_id: classification.category.get(),
        subcategory_id: classification.subcategory.get(),
        affects_current_period: affects.get(),
        title: title.get(),
        description: description.get(),
        documents: documents.to_attach(),
        idempotency_key: sending.key(),
    };
    // The same rules as the server, as the person types (shown once they tried to send).
    let client_errors = Memo::new(move |_| {
        let f = form();
        let facts = taxonomy
            .with(|tx| tx.facts(&f.case_type, f.subject_id, f.category_id, f.subcategory_id));
        check_new_case(&f, facts).err().unwrap_or_default()
    });
    let errors = sending.errors(client_errors);
    on_answer(open, move |answer| match answer {
        Ok(opened) => navigate(
            &format!("/casia/casos/{}/alta", opened.number_display),
            Default::default(),
        ),
        Err(e) => sending.failed(e),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.ready(client_errors) {
            open.dispatch(OpenCase { form: form() });
        }
    };

    let title_count = move || title.with(|t| t.chars().count());
    view! {
        <div class="panel">
            <h1>{t(Msg::NuevoCaso)}</h1>
            <p class="muted">{t(Msg::RequiredLegend)}</p>
            <ErrorBanner error=sending.failure/>
            <ErrorSummary errors/>
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
                <TextAreaField id="description" label=Msg::Descripcion value=description errors rows="7" required=true
                    max=DESCRIPTION_MAX/>
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
    view! {
        <Loaded resource=opened children=move |c| view! {
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
        }/>
    }
}
