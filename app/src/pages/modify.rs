//! `Modificar Información` (guide §4.2.1): add information and/or documents to an open case;
//! while `Solicitada Reclasificación`, also change the classification.

use casia_domain::dto::{CaseDetail, ModificationDone, ModifyInformationForm, Reclassification};
use casia_domain::i18n::substate_name;
use casia_domain::validation::check_modification;
use casia_domain::{Action, Msg, Role, Substate};
use leptos::prelude::*;
use server_fn::codec::Json;

use super::case::{WithCase, case_resource};
use super::new_case::{NewCaseOptions, get_new_case_options};
use crate::components::case_view::receipt_kind_name;
use crate::components::classification::{Classification, ClassificationPicker};
use crate::components::document_form::use_document_form;
use crate::components::documents::DocumentsInput;
use crate::components::forms::ErrorSummary;
use crate::components::forms::on_answer;
use crate::components::input_field::TextAreaField;
use crate::components::{ErrorBanner, Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "modify_information", input = Json)]
pub async fn modify_information(
    number: String,
    form: ModifyInformationForm,
) -> Result<ModificationDone, AppError> {
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Autorizado], &number).await?;
    casia_services::cases::user_actions::modify_information(&services(), &c, n, form)
        .await
        .map_err(fail)
}

#[component]
pub fn ModifyPage() -> impl IntoView {
    let case = case_resource();
    let options = Resource::new(|| (), |_| get_new_case_options());
    // Kept across a reload of the case: what was typed, and whether the last send found
    // the case changed (then the case is reloaded and shown as it is now).
    let kept = Kept {
        information: RwSignal::new(String::new()),
        conflict: RwSignal::new(false),
        case,
    };
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail=case children=move |d| view! { <ModifyLoader detail=d options kept/> }/>
        }/>
    }
}

#[derive(Clone, Copy)]
struct Kept {
    information: RwSignal<String>,
    conflict: RwSignal<bool>,
    case: Resource<Result<CaseDetail, AppError>>,
}

#[component]
fn ModifyLoader(
    detail: CaseDetail,
    options: Resource<Result<NewCaseOptions, AppError>>,
    kept: Kept,
) -> impl IntoView {
    view! { <Loaded resource=options children=move |opts| view! { <ModifyForm detail=detail.clone() options=opts kept/> }/> }
}

#[component]
fn ModifyForm(detail: CaseDetail, options: NewCaseOptions, kept: Kept) -> impl IntoView {
    let lang = use_lang();
    let allowed = detail.user_may(Action::ModifyInformation);
    let reclassify = detail.user_may(Action::Reclassify);
    let (taxonomy, types) = options.signals();
    let information = kept.information;
    let sending = use_document_form();
    let documents = sending.documents;
    let hydrated = sending.hydrated;
    let classification = Classification::new();
    classification.set(
        detail.case_type,
        detail.subject_id,
        detail.category_id,
        detail.subcategory_id,
    );
    let change_classification = RwSignal::new(reclassify);
    let modify = ServerAction::<ModifyInformation>::new();
    let pending = modify.pending();
    let done = Signal::derive(move || modify.value().get().and_then(|r| r.ok()));
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
        idempotency_key: sending.key(),
    };
    let current = Reclassification::of(
        detail.case_type,
        detail.subject_id,
        detail.category_id,
        detail.subcategory_id,
    );
    let client_errors = Memo::new(move |_| {
        check_modification(&form(), &current, |r| {
            taxonomy
                .with(|tx| tx.facts(&r.case_type, r.subject_id, r.category_id, r.subcategory_id))
        })
        .into_vec()
    });
    let errors = sending.errors(client_errors);
    on_answer(modify, move |answer| match answer {
        Ok(_) => kept.conflict.set(false),
        Err(AppError::Conflict) => {
            kept.conflict.set(true);
            kept.case.refetch();
        }
        Err(e) => sending.failed(e),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.ready(client_errors) {
            kept.conflict.set(false);
            modify.dispatch(ModifyInformation {
                number: number.clone(),
                form: form(),
            });
        }
    };
    let back = format!("/casia/casos/{}", detail.number_display);
    let request = detail.last_request().filter(|_| {
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
            {move || kept.conflict.get().then(|| view! {
                <div class="alert alert-error" role="alert" data-testid="error-banner">{t(Msg::CasoActualizado)}</div>
            })}
            <ErrorBanner error=sending.failure/>
            <ErrorSummary errors/>
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
                            <TextAreaField id="information" label=Msg::InformacionAdicional value=information errors rows="6"/>
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
