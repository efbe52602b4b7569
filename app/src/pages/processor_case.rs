//! The case as processors see it: everything the user sees, plus internal notes, the history
//! with who acted, and the actions the lifecycle allows this processor. A stale page is told
//! that the case changed (nothing is overwritten).

use casia_domain::dto::{DocumentTypeView, ProcessorCase, ProcessorInput};
use casia_domain::i18n::{action_done, action_name, substate_name};
use casia_domain::{Action, FieldError, Msg, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use super::case::number_param;
use crate::components::case_view::{CaseFields, CaseRecords, HistoryTable, back_in_history};
use crate::components::deadline::CaseDeadlines;
use crate::components::documents::{Documents, DocumentsInput};
use crate::components::forms::{ErrorSummary, has_problem, on_answer, successes};
use crate::components::{ErrorBanner, FieldMessage, Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "get_processor_case")]
pub async fn get_processor_case(number: String) -> Result<ProcessorCase, AppError> {
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Tramitador, Role::Supervisor], &number).await?;
    casia_services::cases::processor::case_for_processor(&services().db, &c, n)
        .await
        .map_err(fail)
}

#[server(endpoint = "processor_act", input = Json)]
pub async fn processor_act(number: String, input: ProcessorInput) -> Result<(), AppError> {
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Tramitador, Role::Supervisor], &number).await?;
    casia_services::cases::processor::act(&services(), &c, n, input)
        .await
        .map_err(fail)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorOptions {
    pub document_types: Vec<DocumentTypeView>,
    pub max_upload_bytes: u64,
}

#[server(endpoint = "get_processor_options")]
pub async fn get_processor_options() -> Result<ProcessorOptions, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    let s = services();
    Ok(ProcessorOptions {
        document_types: casia_services::taxonomy::document_types(&s.db, c.lang)
            .await
            .map_err(fail)?,
        max_upload_bytes: s.config.uploads.max_bytes,
    })
}

#[component]
pub fn ProcessorCasePage() -> impl IntoView {
    let number = number_param();
    // The lifecycle's actions and the internal notes; the case reloads after each that went
    // through.
    let (act, note) = (ServerAction::new(), ServerAction::new());
    let (acted, noted) = (successes(act), successes(note));
    let case = Resource::new(
        move || (number.get(), acted.get(), noted.get()),
        |(number, _, _)| get_processor_case(number),
    );
    let options = Resource::new(|| (), |_| get_processor_options());
    let screen = Screen {
        case,
        options,
        number,
        act,
        note,
        done: RwSignal::new(None),
        failure: RwSignal::new(None),
    };
    view! {
        <Guarded roles=&[Role::Tramitador, Role::Supervisor] children=move |_| view! { <ProcessorCaseView screen/> }/>
    }
}

/// What the screen's parts share: the case and the options loaded, and the actions with the
/// outcome of the last one (kept across the reload of the case that follows it).
#[derive(Clone, Copy)]
struct Screen {
    case: Resource<Result<ProcessorCase, AppError>>,
    options: Resource<Result<ProcessorOptions, AppError>>,
    number: Memo<String>,
    act: ServerAction<ProcessorAct>,
    note: ServerAction<ProcessorAct>,
    done: RwSignal<Option<Action>>,
    failure: RwSignal<Option<AppError>>,
}

#[component]
fn ProcessorCaseView(screen: Screen) -> impl IntoView {
    let lang = use_lang();
    let Screen {
        case, number, note, ..
    } = screen;
    view! {
        <Loaded resource=case keep=true back=("/tramitacion", Msg::WorkspaceTitle) children=move |pc| {
                    let d = pc.detail.clone();
                    let sub = d.substate;
                    let a = pc.authorisation.clone();
                    view! {
                        <div class="panel">
                            <div class="panel-head">
                                <h1>{t(Msg::DetalleCaso)}" "<span class="num" data-testid="processor-number">{d.number_display.clone()}</span></h1>
                                <a class="button button-secondary" href="/tramitacion" on:click=back_in_history>{t(Msg::Atras)}</a>
                            </div>
                            <dl class="dl-grid">
                                <div><dt>{t(Msg::RazonSocial)}</dt><dd>{a.company_name.clone()}</dd></div>
                                <div><dt>{t(Msg::NumAutorizacion)}</dt><dd class="num">{a.number.clone()}</dd></div>
                                <div><dt>{t(Msg::Nif)}</dt><dd>{a.nif.clone()}</dd></div>
                                <div>
                                    <dt>{t(Msg::AsignadoA)}</dt>
                                    <dd data-testid="assigned-to">{pc.assigned_to.clone().map(|(_, n)| n).unwrap_or_else(|| "—".into())}</dd>
                                </div>
                                <div><dt>{t(Msg::Subestado)}</dt><dd data-testid="processor-substate">{move || substate_name(sub, lang.get())}</dd></div>
                            </dl>
                            <CaseDeadlines deadline=d.deadlines.clone() processor=true/>
                            {d.status.cancellation_pending.then(|| view! {
                                <div class="alert alert-warning" role="status">{t(Msg::AnulacionPendienteTramitador)}</div>
                            })}
                            {d.resolution.clone().map(|r| view! {
                                <div class="alert alert-success"><h2>{t(Msg::Resolucion)}</h2><p class="prewrap">{r}</p></div>
                            })}
                        </div>
                        <ActionsPanel pc=pc.clone() screen/>
                        <div class="panel">
                            <h2 class="section-title">{t(Msg::InformacionCaso)}</h2>
                            <CaseFields detail=d.clone()/>
                            <CaseRecords detail=d.clone()/>
                            {d.rating.clone().map(|r| view! {
                                <h2 class="section-title">{t(Msg::Valoracion)}</h2>
                                <p>{move || format!("{}: {} / 5", Msg::Puntuacion.text(lang.get()), r.score)}</p>
                                {(!r.observations.is_empty()).then(|| view! { <p class="prewrap">{r.observations.clone()}</p> })}
                            })}
                        </div>
                        <NotesPanel pc=pc.clone() note number/>
                        <HistoryTable history=pc.history.clone()/>
                    }.into_any()
                }
            />
    }
}

/// The buttons the lifecycle allows, each opening its form when it needs a text.
#[component]
fn ActionsPanel(pc: ProcessorCase, screen: Screen) -> impl IntoView {
    let lang = use_lang();
    let Screen {
        case,
        options,
        number,
        act,
        done,
        failure,
        ..
    } = screen;
    let allowed: Vec<Action> = pc
        .allowed
        .iter()
        .copied()
        .filter(|a| *a != Action::AddInternalNote)
        .collect();
    let version = pc.detail.version;
    let open = RwSignal::new(None::<Action>);
    let text = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let documents = Documents::new();
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = act.pending();
    // The action on its way (its name goes in the confirmation).
    let sent = StoredValue::new(None::<Action>);
    on_answer(act, move |answer| match answer {
        Ok(()) => {
            done.set(sent.get_value());
            open.set(None);
            text.set(String::new());
            documents.clear();
        }
        Err(AppError::Invalid(errs)) => field_errors.set(errs),
        // Another change came first: the page shows the case as it is now, with the message
        // (kept at the page's level across the reload).
        Err(AppError::Conflict) => {
            failure.set(Some(AppError::Conflict));
            case.refetch();
        }
        Err(e) => failure.set(Some(e)),
    });
    let assignable = pc.assignable.clone();
    let current_assignee = pc.assigned_to.as_ref().map(|(id, _)| *id);

    let run = move |action: Action| {
        failure.set(None);
        done.set(None);
        field_errors.set(Vec::new());
        if documents.any_uploading() {
            failure.set(Some(AppError::Upload(
                casia_domain::dto::UploadProblem::Incomplete,
            )));
            return;
        }
        let input = ProcessorInput {
            action: action.code().to_owned(),
            version,
            text: text.get_untracked(),
            target_user_id: target.get_untracked().parse().ok(),
            documents: documents.to_attach(),
        };
        sent.set_value(Some(action));
        act.dispatch(ProcessorAct {
            number: number.get_untracked(),
            input,
        });
    };
    let needs_form = |a: Action| {
        a.requires_text()
            || matches!(
                a,
                Action::Assign
                    | Action::Escalate
                    | Action::ApproveCancellation
                    | Action::GrantMoreTime
            )
    };
    view! {
        <div class="panel" data-testid="actions">
            <h2 class="section-title">{t(Msg::Acciones)}</h2>
            {move || done.get().map(|a| view! { <div class="alert alert-success" role="status" data-testid="action-done">{move || action_done(a, lang.get())}</div> })}
            {move || failure.get().map(|e| view! {
                <div class="alert alert-error" role="alert" data-testid="action-error">
                    <p>{conflict_message(&e, lang.get())}</p>
                </div>
            })}
            {if allowed.is_empty() {
                view! { <p class="muted">{t(Msg::SinAcciones)}</p> }.into_any()
            } else {
                view! {
                    <div class="actions">
                        {allowed.iter().map(|a| {
                            let a = *a;
                            let danger = matches!(a, Action::RejectCancellation);
                            view! {
                                <button
                                    type="button"
                                    class="button"
                                    class:button-secondary=move || open.get() != Some(a) && needs_form(a)
                                    class:button-danger=danger
                                    disabled=move || pending.get()
                                    aria-expanded=move || needs_form(a).then(|| (open.get() == Some(a)).to_string())
                                    on:click=move |_| if needs_form(a) { open.set(Some(a)); text.set(initial_text(a, lang.get_untracked())); } else { run(a) }
                                >
                                    {move || action_name(a, lang.get())}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            }}
            {move || open.get().map(|a| {
                let assignable = assignable.clone();
                let text_label = match a {
                    Action::RequestInformation | Action::RequestReclassification => Msg::MensajeAlUsuario,
                    Action::Resolve | Action::CloseForWithdrawal => Msg::TextoResolucion,
                    Action::RejectCancellation => Msg::MotivosRechazo,
                    Action::Escalate => Msg::MotivoEscalado,
                    _ => Msg::Observaciones,
                };
                let required = a.requires_text();
                let with_documents = matches!(a, Action::Resolve | Action::RequestInformation | Action::RequestReclassification);
                view! {
                    <form class="form action-form" data-testid="action-form" on:submit=move |ev| { ev.prevent_default(); run(a); } novalidate>
                        <h3>{move || action_name(a, lang.get())}</h3>
                        <ErrorSummary errors=Signal::derive(move || field_errors.get())/>
                        {(a == Action::Assign).then(|| view! {
                            <div class="field">
                                <label for="target">{t(Msg::Tramitador)}<span class="req" aria-hidden="true">"(*)"</span></label>
                                <select id="target" aria-required="true" aria-describedby="err-target_user_id"
                                    aria-invalid=move || has_problem(&field_errors.get(), "target_user_id").to_string()
                                    on:change=move |ev| target.set(event_target_value(&ev))>
                                    <option value="">{t(Msg::Seleccione)}</option>
                                    {assignable.into_iter().filter(|(id, _)| Some(*id) != current_assignee).map(|(id, name)| view! {
                                        <option value=id.to_string()>{name}</option>
                                    }).collect_view()}
                                </select>
                                <FieldMessage field="target_user_id" errors=Signal::derive(move || field_errors.get())/>
                            </div>
                        })}
                        {(a != Action::Assign).then(|| view! {
                            <div class="field">
                                <label for="action-text">{t(text_label)}{required.then(|| view! { <span class="req" aria-hidden="true">"(*)"</span> })}</label>
                                {(a == Action::Escalate).then(|| view! { <p class="hint">{t(Msg::NotaInternaHint)}</p> })}
                                <textarea
                                    id="action-text"
                                    rows="5"
                                    aria-required=required.to_string()
                                    aria-invalid=move || has_problem(&field_errors.get(), "text").to_string()
                                    aria-describedby="err-text"
                                    prop:value=move || text.get()
                                    on:input=move |ev| text.set(event_target_value(&ev))
                                ></textarea>
                                <FieldMessage field="text" errors=Signal::derive(move || field_errors.get())/>
                            </div>
                        })}
                        {with_documents.then(|| view! {
                            <Suspense fallback=|| ()>
                                {move || options.get().and_then(|r| r.ok()).map(|o| {
                                    let types = o.document_types.clone();
                                    view! { <DocumentsInput documents=documents types=Signal::derive(move || types.clone()) errors=Signal::derive(move || field_errors.get()) max_bytes=o.max_upload_bytes/> }
                                })}
                            </Suspense>
                        })}
                        <div class="actions">
                            <button type="submit" class="button" disabled=move || pending.get() data-testid="confirm-action">{t(Msg::Confirmar)}</button>
                            <button type="button" class="button button-secondary" on:click=move |_| open.set(None)>{t(Msg::Cancel)}</button>
                        </div>
                    </form>
                }
            })}
        </div>
    }
}

/// What an action's text starts as: the standard withdrawal resolution (art. 68.1, editable),
/// otherwise empty.
fn initial_text(a: Action, lang: casia_domain::Lang) -> String {
    match a {
        Action::CloseForWithdrawal => Msg::TextoDesistimiento.t(lang),
        _ => String::new(),
    }
}

/// Internal notes: never shown to the authorised user, never in notices.
#[component]
fn NotesPanel(
    pc: ProcessorCase,
    note: ServerAction<ProcessorAct>,
    number: Memo<String>,
) -> impl IntoView {
    let lang = use_lang();
    let body = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<AppError>);
    let version = pc.detail.version;
    on_answer(note, move |answer| match answer {
        Ok(()) => body.set(String::new()),
        Err(e) => failure.set(Some(e)),
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ProcessorInput {
            action: Action::AddInternalNote.code().to_owned(),
            version,
            text: body.get_untracked(),
            ..Default::default()
        };
        note.dispatch(ProcessorAct {
            number: number.get_untracked(),
            input,
        });
    };
    view! {
        <div class="panel notes">
            <h2 class="section-title">{t(Msg::NotasInternas)}</h2>
            <p class="hint">{t(Msg::NotasInternasHint)}</p>
            {if pc.notes.is_empty() {
                view! { <p class="muted">{t(Msg::SinNotas)}</p> }.into_any()
            } else {
                view! {
                    <ul class="note-list" data-testid="notes">
                        {pc.notes.into_iter().map(|n| view! {
                            <li><p class="small muted">{n.at}" · "{n.author}</p><p class="prewrap">{n.body}</p></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <form class="form" on:submit=add novalidate>
                <div class="field">
                    <label for="note">{t(Msg::NuevaNota)}</label>
                    <textarea id="note" rows="3" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                </div>
                <div class="actions"><button type="submit" class="button button-secondary">{move || Msg::AnadirNota.text(lang.get())}</button></div>
            </form>
        </div>
    }
}

/// The message of a refused change; a conflict says the page now shows the case as it is.
pub fn conflict_message(e: &AppError, lang: casia_domain::Lang) -> String {
    match e {
        AppError::Conflict => Msg::CasoActualizado.text(lang).to_owned(),
        e => e.message(lang),
    }
}
