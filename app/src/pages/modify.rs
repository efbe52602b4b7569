//! `Modificar Información` (guide §4.2.1): add information and/or documents to an open case;
//! while `Solicitada Reclasificación`, also change the classification.

use casia_domain::dto::{CaseDetail, ModificationDone, ModifyInformationForm, Reclassification};
use casia_domain::i18n::substate_name;
use casia_domain::validation::{MESSAGE_MAX, Problems, check_classification, check_documents};
use casia_domain::{Action, FieldError, FieldProblem, Msg, Role, Substate};
use leptos::prelude::*;
use server_fn::codec::Json;

use super::case::{WithCase, case_resource};
use super::new_case::{
    NewCaseOptions, focus_first_error, get_new_case_options, new_idempotency_key,
};
use crate::components::case_view::receipt_kind_name;
use crate::components::classification::{Classification, ClassificationPicker};
use crate::components::documents::{Documents, DocumentsInput};
use crate::components::forms::has_problem;
use crate::components::{ErrorBanner, FieldMessage, Guarded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "modify_information", input = Json)]
pub async fn modify_information(
    number: String,
    form: ModifyInformationForm,
) -> Result<ModificationDone, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::user_actions::modify_information(&services(), &c, n, form)
        .await
        .map_err(fail)
}

#[component]
pub fn ModifyPage() -> impl IntoView {
    let case = case_resource();
    let options = Resource::new(|| (), |_| get_new_case_options());
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail=case children=move |d| view! { <ModifyLoader detail=d options/> }/>
        }/>
    }
}

#[component]
fn ModifyLoader(
    detail: CaseDetail,
    options: Resource<Result<NewCaseOptions, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || {
                let detail = detail.clone();
                options.get().map(move |r| match r {
                    Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                    Ok(opts) => view! { <ModifyForm detail=detail options=opts/> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn ModifyForm(detail: CaseDetail, options: NewCaseOptions) -> impl IntoView {
    let lang = use_lang();
    let allowed = detail.allowed.contains(&Action::ModifyInformation);
    let reclassify = detail.allowed.contains(&Action::Reclassify);
    let taxonomy = Signal::derive({
        let tx = options.taxonomy.clone();
        move || tx.clone()
    });
    let types = Signal::derive({
        let tys = options.document_types.clone();
        move || tys.clone()
    });
    let information = RwSignal::new(String::new());
    let documents = Documents::new();
    let classification = Classification::new();
    classification.set(
        detail.case_type,
        detail.subject_id,
        detail.category_id,
        detail.subcategory_id,
    );
    let change_classification = RwSignal::new(reclassify);
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<ModificationDone>);
    let pending = RwSignal::new(false);
    let key = StoredValue::new(String::new());
    let hydrated = crate::components::forms::use_hydrated();
    let number = detail.number_display.clone();
    let version = detail.version;

    let form = move || ModifyInformationForm {
        information: information.get(),
        documents: documents.to_attach(),
        reclassification: change_classification.get().then(|| Reclassification {
            case_type: classification.case_type.get(),
            subject_id: classification.subject.get(),
            category_id: classification.category.get(),
            subcategory_id: classification.subcategory.get(),
        }),
        version,
        idempotency_key: key.get_value(),
    };
    let client_errors = Memo::new(move |_| {
        let f = form();
        let mut p = Problems::default();
        p.optional_text("information", &f.information, MESSAGE_MAX);
        check_documents(&mut p, &f.documents);
        if let Some(r) = &f.reclassification {
            let facts = taxonomy
                .with(|tx| tx.facts(&r.case_type, r.subject_id, r.category_id, r.subcategory_id));
            check_classification(
                &mut p,
                &r.case_type,
                r.subject_id,
                r.category_id,
                r.subcategory_id,
                facts,
            );
        }
        if f.information.trim().is_empty() && f.documents.is_empty() && f.reclassification.is_none()
        {
            p.add("information", FieldProblem::NothingToAdd);
        }
        p.into_vec()
    });
    let errors = Signal::derive(move || {
        let mut shown = if submitted.get() {
            client_errors.get()
        } else {
            Vec::new()
        };
        shown.extend(server_errors.get());
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
        let number = number.clone();
        pending.set(true);
        leptos::task::spawn_local(async move {
            match modify_information(number, f).await {
                Ok(d) => done.set(Some(d)),
                Err(AppError::Invalid(errs)) => {
                    server_errors.set(errs);
                    focus_first_error();
                }
                Err(e) => failure.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let back = format!("/casia/casos/{}", detail.number_display);
    let request = detail
        .messages
        .iter()
        .rev()
        .find(|m| {
            matches!(
                m.kind,
                casia_domain::dto::MessageKind::InformationRequest
                    | casia_domain::dto::MessageKind::ReclassificationRequest
            )
        })
        .map(|m| m.body.clone())
        .filter(|_| {
            matches!(
                detail.substate,
                Substate::SolicitadaInformacion | Substate::SolicitadaReclasificacion
            )
        });
    let substate = detail.substate;
    view! {
        <div class="panel">
            <h1>{t(Msg::ModificarInformacion)}" "<span class="num">{detail.number_display.clone()}</span></h1>
            <p class="muted">{t(Msg::Subestado)}": "{move || substate_name(substate, lang.get())}</p>
            {request.map(|r| view! {
                <div class="alert alert-warning" role="status">
                    <p><strong>{t(Msg::PeticionTramitador)}</strong></p>
                    <p class="prewrap">{r}</p>
                </div>
            })}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            {move || done.get().map(|d| {
                let sub = d.substate;
                view! {
                    <div class="alert alert-success" role="status" data-testid="modify-done">
                        <p>{t(Msg::InformacionAnadida)}" "{move || format!("{}: {}", Msg::Subestado.text(lang.get()), substate_name(sub, lang.get()))}</p>
                        {d.receipt.map(|r| {
                            let kind = r.kind;
                            view! {
                                <p>
                                    <a href=format!("/api/justificantes/{}", r.id) target="_blank" rel="noopener" data-testid="receipt-link">
                                        {move || receipt_kind_name(kind, lang.get())}
                                    </a>
                                    " · CEA "<code>{r.cea}</code>
                                </p>
                            }
                        })}
                    </div>
                }
            })}
            <Show when=move || done.get().is_none()>
                {if !allowed {
                    view! { <div class="alert alert-warning" role="status">{t(Msg::ModificacionNoPosible)}</div> }.into_any()
                } else {
                    view! {
                        <form class="form" on:submit=submit.clone() novalidate>
                            <fieldset class="form-body" disabled=move || !hydrated.get()>
                            <div class="field">
                                <label for="information">{t(Msg::InformacionAdicional)}</label>
                                <textarea
                                    id="information"
                                    rows="6"
                                    aria-invalid=move || has_problem(&errors.get(), "information").to_string()
                                    aria-describedby="err-information"
                                    prop:value=move || information.get()
                                    on:input=move |ev| information.set(event_target_value(&ev))
                                ></textarea>
                                <FieldMessage field="information" errors=errors/>
                            </div>
                            {reclassify.then(|| view! {
                                <fieldset>
                                    <legend class="section-title">{t(Msg::Reclasificacion)}</legend>
                                    <p class="hint">{t(Msg::ReclasificacionExplica)}</p>
                                    <ClassificationPicker choice=classification taxonomy=taxonomy errors=errors/>
                                </fieldset>
                            })}
                            <DocumentsInput documents=documents types=types errors=errors max_bytes=options.max_upload_bytes/>
                            <div class="actions">
                                <button type="submit" class="button" disabled=move || pending.get() || documents.any_uploading()>{t(Msg::Send)}</button>
                            </div>
                            </fieldset>
                        </form>
                    }.into_any()
                }}
            </Show>
            <div class="actions"><a class="button button-secondary" href=back>{move || Msg::VolverAlCaso.text(lang.get())}</a></div>
        </div>
    }
}
