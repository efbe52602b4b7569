//! The case as the authorised user sees it (guide §4.2.1 screen), with `Consulta Histórico`
//! (§4.2.3), `Solicitar Anulación` (§4.2.2) and `Valoración` (§4.2.4). The buttons shown are
//! those the lifecycle allows; the server checks again on every action.

use casia_domain::dto::{CaseDetail, CaseHistory, MessageKind};
use casia_domain::i18n::{case_type_name, channel_name, state_name, substate_name};
use casia_domain::validation::RATING_OBSERVATIONS_MAX;
use casia_domain::{Action, FieldError, Lang, Msg, Role, State, Substate};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::{ErrorBanner, FieldMessage, Guarded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "case_detail")]
pub async fn get_case_detail(number: String) -> Result<CaseDetail, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::query::detail_for_user(&services().db, &c, n)
        .await
        .map_err(fail)
}

#[server(endpoint = "case_history")]
pub async fn get_case_history(number: String) -> Result<CaseHistory, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::query::history_for_user(&services().db, &c, n)
        .await
        .map_err(fail)
}

#[server(endpoint = "request_cancellation")]
pub async fn request_cancellation(
    number: String,
    reason: String,
    version: i32,
) -> Result<Substate, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::user_actions::request_cancellation(&services(), &c, n, &reason, version)
        .await
        .map_err(fail)
}

#[server(endpoint = "rate_case")]
pub async fn rate_case(
    number: String,
    score: Option<i64>,
    observations: String,
) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::user_actions::rate(&services(), &c, n, score, &observations)
        .await
        .map_err(fail)
}

/// The `:numero` of the current route.
pub fn number_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("numero").unwrap_or_default()))
}

/// The case of the current route. Created at the page's top level (a guard may re-render
/// its content, and a resource must outlive that).
pub fn case_resource() -> Resource<Result<CaseDetail, AppError>> {
    let number = number_param();
    Resource::new(move || number.get(), get_case_detail)
}

/// Renders `children` with the loaded case (or the error).
#[component]
pub fn WithCase<F, IV>(detail: Resource<Result<CaseDetail, AppError>>, children: F) -> impl IntoView
where
    F: Fn(CaseDetail) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let lang = use_lang();
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || {
                let children = children.clone();
                detail.get().map(move |r| match r {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::server::set_page_status(e.status());
                        view! {
                            <div class="panel">
                                <div class="alert alert-error" role="alert">{e.message(lang.get())}</div>
                                <a class="button button-secondary" href="/casia/casos">{t(Msg::GestionCasos)}</a>
                            </div>
                        }.into_any()
                    }
                    Ok(d) => children(d).into_any(),
                })
            }}
        </Suspense>
    }
}

fn yes_no(v: bool, lang: Lang) -> &'static str {
    if v {
        Msg::Yes.text(lang)
    } else {
        Msg::No.text(lang)
    }
}

pub fn message_kind_name(k: MessageKind, lang: Lang) -> &'static str {
    let m = match k {
        MessageKind::UserInformation => Msg::MsgUserInformation,
        MessageKind::InformationRequest => Msg::MsgInformationRequest,
        MessageKind::ReclassificationRequest => Msg::MsgReclassificationRequest,
        MessageKind::CancellationRequest => Msg::MsgCancellationRequest,
        MessageKind::CancellationRejection => Msg::MsgCancellationRejection,
        MessageKind::Resolution => Msg::MsgResolution,
    };
    m.text(lang)
}

/// The fields of the guide's detail screen, shared with the processor's view.
#[component]
pub fn CaseFields(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let d = detail;
    let (st, sub, ty, ch) = (d.state, d.substate, d.case_type, d.channel);
    view! {
        <dl class="dl-grid" data-testid="case-fields">
            <div><dt>{t(Msg::Autorizado)}</dt><dd>{d.opened_by.clone()}</dd></div>
            <div><dt>{t(Msg::NumeroCaso)}</dt><dd class="num" data-testid="detail-number">{d.number_display.clone()}</dd></div>
            <div><dt>{t(Msg::FechaHoraAlta)}</dt><dd class="num">{d.opened_at.clone()}</dd></div>
            <div><dt>{t(Msg::CanalEntrada)}</dt><dd>{move || channel_name(ch, lang.get())}</dd></div>
            <div><dt>{t(Msg::Estado)}</dt><dd data-testid="detail-state">{move || state_name(st, lang.get())}</dd></div>
            <div><dt>{t(Msg::Subestado)}</dt><dd data-testid="detail-substate">{move || substate_name(sub, lang.get())}</dd></div>
            <div><dt>{t(Msg::FechaHoraSubestado)}</dt><dd class="num">{d.substate_at.clone()}</dd></div>
            <div><dt>{t(Msg::TipoCaso)}</dt><dd>{move || case_type_name(ty, lang.get())}</dd></div>
            <div><dt>{t(Msg::Materia)}</dt><dd>{d.subject.clone()}</dd></div>
            <div><dt>{t(Msg::Categoria)}</dt><dd>{d.category.clone()}</dd></div>
            <div><dt>{t(Msg::Subcategoria)}</dt><dd>{d.subcategory.clone().unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{t(Msg::AfectaPeriodo)}</dt><dd>{move || yes_no(d.affects_current_period, lang.get())}</dd></div>
            <div class="wide"><dt>{t(Msg::Titulo)}</dt><dd>{d.title.clone()}</dd></div>
            <div class="wide"><dt>{t(Msg::Descripcion)}</dt><dd class="prewrap">{d.description.clone()}</dd></div>
        </dl>
    }
}

/// Documents, receipts and the conversation, shared with the processor's view.
#[component]
pub fn CaseRecords(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let d = detail;
    view! {
        {d.capped.then(|| view! { <p class="alert alert-info" role="status" data-testid="records-capped">{t(Msg::ListaRecortada)}</p> })}
        {(!d.messages.is_empty()).then(|| view! {
            <h2 class="section-title">{t(Msg::Comunicaciones)}</h2>
            <div class="table-wrap">
                <table class="table stack" data-testid="messages">
                    <thead><tr>
                        <th scope="col">{t(Msg::FechaHora)}</th>
                        <th scope="col">{t(Msg::Tipo)}</th>
                        <th scope="col">{t(Msg::Autor)}</th>
                        <th scope="col">{t(Msg::Texto)}</th>
                    </tr></thead>
                    <tbody>
                        {d.messages.clone().into_iter().map(|m| {
                            let kind = m.kind;
                            view! {
                                <tr>
                                    <td class="num" data-label=move || Msg::FechaHora.text(lang.get())>{m.at}</td>
                                    <td data-label=move || Msg::Tipo.text(lang.get())>{move || message_kind_name(kind, lang.get())}</td>
                                    <td data-label=move || Msg::Autor.text(lang.get())>{m.author}</td>
                                    <td class="prewrap" data-label=move || Msg::Texto.text(lang.get())>{m.body}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <h2 class="section-title">{t(Msg::Documentacion)}</h2>
        {if d.documents.is_empty() {
            view! { <p class="muted">{t(Msg::SinDocumentos)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack" data-testid="documents">
                        <thead><tr>
                            <th scope="col">{t(Msg::FechaHoraAnexado)}</th>
                            <th scope="col">{t(Msg::Tipo)}</th>
                            <th scope="col">{t(Msg::Titulo)}</th>
                            <th scope="col">{t(Msg::Documento)}</th>
                        </tr></thead>
                        <tbody>
                            {d.documents.clone().into_iter().map(|doc| view! {
                                <tr>
                                    <td class="num" data-label=move || Msg::FechaHoraAnexado.text(lang.get())>{doc.attached_at}</td>
                                    <td data-label=move || Msg::Tipo.text(lang.get())>{doc.type_name}{doc.from_processor.then(|| view! { <span class="tag">"TGSS"</span> })}</td>
                                    <td data-label=move || Msg::Titulo.text(lang.get())>{doc.title}</td>
                                    <td data-label=move || Msg::Documento.text(lang.get())>
                                        <a href=format!("/api/documentos/{}", doc.id) download="">{doc.file_name}</a>
                                        <span class="muted small">" ("{casia_domain::dto::human_size(doc.size)}")"</span>
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {(!d.receipts.is_empty()).then(|| view! {
            <h2 class="section-title">{t(Msg::Justificantes)}</h2>
            <ul class="receipts" data-testid="receipts">
                {d.receipts.clone().into_iter().map(|r| {
                    let kind = r.kind;
                    view! {
                        <li>
                            <a href=format!("/api/justificantes/{}", r.id) target="_blank" rel="noopener">
                                {move || receipt_kind_name(kind, lang.get())}
                            </a>
                            " · "{r.issued_at}" · CEA "<code>{r.cea}</code>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

pub fn receipt_kind_name(k: casia_domain::dto::ReceiptKind, lang: Lang) -> &'static str {
    match k {
        casia_domain::dto::ReceiptKind::Solicitud => Msg::JustificanteSolicitud.text(lang),
        casia_domain::dto::ReceiptKind::Complementaria => {
            Msg::JustificanteComplementaria.text(lang)
        }
    }
}

#[component]
pub fn CaseDetailPage() -> impl IntoView {
    let detail = case_resource();
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail children=move |d| view! { <CaseDetailView detail=d/> }/>
        }/>
    }
}

#[component]
fn CaseDetailView(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let d = detail;
    let base = format!("/casia/casos/{}", d.number_display);
    let allowed = d.allowed.clone();
    let can = move |a: Action| allowed.contains(&a);
    let last_request = d
        .messages
        .iter()
        .rev()
        .find(|m| {
            matches!(
                m.kind,
                MessageKind::InformationRequest | MessageKind::ReclassificationRequest
            )
        })
        .map(|m| m.body.clone());
    let attention = match d.substate {
        Substate::SolicitadaInformacion => Some(Msg::AvisoSolicitadaInformacion),
        Substate::SolicitadaReclasificacion => Some(Msg::AvisoSolicitadaReclasificacion),
        _ => None,
    };
    let rejection = d
        .messages
        .iter()
        .rev()
        .find(|m| m.kind == MessageKind::CancellationRejection)
        .map(|m| m.body.clone());
    view! {
        <div class="panel">
            <h1>{t(Msg::DetalleCaso)}" "<span class="num">{d.number_display.clone()}</span></h1>
            {attention.map(|m| view! {
                <div class="alert alert-warning" role="status" data-testid="attention">
                    <p><strong>{t(m)}</strong></p>
                    {last_request.clone().map(|r| view! { <p class="prewrap">{r}</p> })}
                </div>
            })}
            {d.status.cancellation_pending.then(|| view! {
                <div class="alert alert-info" role="status" data-testid="cancellation-pending">{t(Msg::AnulacionPendiente)}</div>
            })}
            {(d.state == State::Abierto && !d.status.cancellation_pending).then(|| rejection.clone()).flatten().map(|r| view! {
                <div class="alert alert-info" role="status">
                    <p><strong>{t(Msg::AnulacionRechazada)}</strong></p>
                    <p class="prewrap">{r}</p>
                </div>
            })}
            {d.resolution.clone().map(|r| view! {
                <div class="alert alert-success" data-testid="resolution">
                    <h2>{t(Msg::Resolucion)}</h2>
                    <p class="prewrap">{r}</p>
                    {d.resolved_at.clone().map(|at| view! { <p class="small muted">{at}</p> })}
                </div>
            })}
            <h2 class="section-title">{t(Msg::InformacionCaso)}</h2>
            <CaseFields detail=d.clone()/>
            <CaseRecords detail=d.clone()/>
            {d.rating.clone().map(|r| view! {
                <h2 class="section-title">{t(Msg::Valoracion)}</h2>
                <p data-testid="rating">{move || format!("{}: {} / 5", Msg::Puntuacion.text(lang.get()), r.score)}</p>
                {(!r.observations.is_empty()).then(|| view! { <p class="prewrap">{r.observations.clone()}</p> })}
            })}
            <div class="actions">
                <a class="button button-secondary" href="/casia/casos" on:click=back_in_history>{t(Msg::Atras)}</a>
                {can(Action::ModifyInformation).then(|| view! { <a class="button" href=format!("{base}/modificar")>{t(Msg::ModificarInformacion)}</a> })}
                {can(Action::RequestCancellation).then(|| view! { <a class="button button-secondary" href=format!("{base}/anular")>{t(Msg::SolicitarAnulacion)}</a> })}
                <a class="button button-secondary" href=format!("{base}/historico")>{t(Msg::ConsultaHistorico)}</a>
                {can(Action::Rate).then(|| view! { <a class="button" href=format!("{base}/valorar")>{t(Msg::Valoracion)}</a> })}
            </div>
        </div>
    }
}

/// `Atrás` returns to the previous page (a search keeps its filters) when there is one.
pub fn back_in_history(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window()
        && let Ok(h) = w.history()
        && h.length().unwrap_or(0) > 1
    {
        ev.prevent_default();
        let _ = h.back();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// `Consulta Histórico` (guide §4.2.3): oldest first.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let number = number_param();
    let history = Resource::new(move || number.get(), get_case_history);
    view! { <Guarded roles=&[Role::Autorizado] children=move |_| view! { <HistoryView history number/> }/> }
}

#[component]
fn HistoryView(
    history: Resource<Result<CaseHistory, AppError>>,
    number: Memo<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || history.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(h) => view! { <HistoryTable history=h back=format!("/casia/casos/{}", number.get_untracked())/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn HistoryTable(history: CaseHistory, back: String) -> impl IntoView {
    let lang = use_lang();
    let with_actor = history.rows.iter().any(|r| r.actor.is_some());
    view! {
        <div class="panel">
            <h1>{t(Msg::DetalleHistoricos)}</h1>
            <dl class="dl-grid">
                <div><dt>{t(Msg::NumeroCaso)}</dt><dd class="num">{history.number_display.clone()}</dd></div>
                <div><dt>{t(Msg::FechaHoraAlta)}</dt><dd class="num">{history.opened_at.clone()}</dd></div>
            </dl>
            {history.capped.then(|| view! { <p class="alert alert-info" role="status" data-testid="records-capped">{t(Msg::ListaRecortada)}</p> })}
            <div class="table-wrap">
                <table class="table stack" data-testid="history">
                    <caption class="visually-hidden">{t(Msg::HistoricoCaption)}</caption>
                    <thead><tr>
                        <th scope="col">{t(Msg::Estado)}</th>
                        <th scope="col">{t(Msg::Subestado)}</th>
                        <th scope="col">{t(Msg::FechaHoraEstado)}</th>
                        <th scope="col">{t(Msg::Observaciones)}</th>
                        {with_actor.then(|| view! { <th scope="col">{t(Msg::Autor)}</th> })}
                    </tr></thead>
                    <tbody>
                        {history.rows.into_iter().map(|r| {
                            let (st, sub) = (r.state, r.substate);
                            let obs = if r.observations.is_empty() { action_note(&r.action, lang.get_untracked()).to_owned() } else { r.observations.clone() };
                            view! {
                                <tr>
                                    <td data-label=move || Msg::Estado.text(lang.get())>{move || state_name(st, lang.get())}</td>
                                    <td data-label=move || Msg::Subestado.text(lang.get())>{move || substate_name(sub, lang.get())}</td>
                                    <td class="num" data-label=move || Msg::FechaHoraEstado.text(lang.get())>{r.at}</td>
                                    <td class="prewrap" data-label=move || Msg::Observaciones.text(lang.get())>{obs}</td>
                                    {with_actor.then(|| view! { <td data-label=move || Msg::Autor.text(lang.get())>{r.actor.clone().unwrap_or_default()}</td> })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="actions"><a class="button button-secondary" href=back>{t(Msg::Atras)}</a></div>
        </div>
    }
}

/// A short description for history rows without observations.
fn action_note(action: &str, lang: Lang) -> &'static str {
    match action {
        "open" => Msg::NotaAlta.text(lang),
        "modify_information" => Msg::NotaInformacionAportada.text(lang),
        "reclassify" => Msg::NotaReclasificado.text(lang),
        "request_cancellation" => Msg::NotaSolicitudAnulacion.text(lang),
        "approve_cancellation" => Msg::NotaAnulacionAprobada.text(lang),
        _ => "",
    }
}

/// `Solicitar Anulación` (guide §4.2.2).
#[component]
pub fn CancelPage() -> impl IntoView {
    let detail = case_resource();
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail children=move |d| view! { <CancelView detail=d/> }/>
        }/>
    }
}

#[component]
fn CancelView(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Substate>);
    let failure = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let number = detail.number_display.clone();
    let version = detail.version;
    let immediate = detail.substate == Substate::Presentado;
    let allowed = detail.allowed.contains(&Action::RequestCancellation);
    let back = format!("/casia/casos/{}", detail.number_display);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = number.clone();
        pending.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match request_cancellation(number, reason.get_untracked(), version).await {
                Ok(s) => outcome.set(Some(s)),
                Err(e) => failure.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="panel">
            <h1>{t(Msg::SolicitarAnulacion)}" "<span class="num">{detail.number_display.clone()}</span></h1>
            {move || match outcome.get() {
                Some(Substate::Anulado) => view! {
                    <div class="alert alert-success" role="status" data-testid="cancel-outcome">{t(Msg::AnuladoAutomaticamente)}</div>
                }.into_any(),
                Some(_) => view! {
                    <div class="alert alert-success" role="status" data-testid="cancel-outcome">{t(Msg::AnulacionRegistrada)}</div>
                }.into_any(),
                None => ().into_any(),
            }}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <Show when=move || outcome.get().is_none()>
                {if !allowed {
                    view! { <div class="alert alert-warning" role="status">{t(Msg::AnulacionNoPosible)}</div> }.into_any()
                } else {
                    view! {
                        <p>{t(if immediate { Msg::AnulacionExplicaInmediata } else { Msg::AnulacionExplicaPendiente })}</p>
                        <form class="form" on:submit=submit.clone() novalidate>
                            <div class="field">
                                <label for="reason">{t(Msg::MotivoOpcional)}</label>
                                <textarea id="reason" rows="4" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                            </div>
                            <div class="actions">
                                <button type="submit" class="button button-danger" disabled=move || pending.get()>{t(Msg::ConfirmarAnulacion)}</button>
                            </div>
                        </form>
                    }.into_any()
                }}
            </Show>
            <div class="actions"><a class="button button-secondary" href=back>{move || Msg::VolverAlCaso.text(lang.get())}</a></div>
        </div>
    }
}

/// `Valoración` (guide §4.2.4): 1 (minimum) to 5 (maximum) and observations.
#[component]
pub fn RatingPage() -> impl IntoView {
    let detail = case_resource();
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail children=move |d| view! { <RatingView detail=d/> }/>
        }/>
    }
}

#[component]
fn RatingView(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let score = RwSignal::new(None::<i64>);
    let observations = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let submitted = RwSignal::new(false);
    let errors = Signal::derive(move || {
        if submitted.get() {
            casia_domain::validation::check_rating(score.get(), &observations.get())
                .err()
                .unwrap_or_default()
        } else {
            Vec::<FieldError>::new()
        }
    });
    let number = detail.number_display.clone();
    let back = format!("/casia/casos/{}", detail.number_display);
    let allowed = detail.allowed.contains(&Action::Rate);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if !errors.get_untracked().is_empty() {
            return;
        }
        let number = number.clone();
        leptos::task::spawn_local(async move {
            match rate_case(number, score.get_untracked(), observations.get_untracked()).await {
                Ok(()) => done.set(true),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="panel">
            <h1>{t(Msg::Valoracion)}" "<span class="num">{detail.number_display.clone()}</span></h1>
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            {move || done.get().then(|| view! { <div class="alert alert-success" role="status" data-testid="rating-done">{t(Msg::GraciasValoracion)}</div> })}
            <Show when=move || !done.get()>
                {if !allowed {
                    view! { <div class="alert alert-warning" role="status">{t(Msg::ValoracionNoPosible)}</div> }.into_any()
                } else {
                    view! {
                        <p>{t(Msg::ValoracionExplica)}</p>
                        <form class="form" on:submit=submit.clone() novalidate>
                            <fieldset class="field">
                                <legend>{t(Msg::Puntuacion)}<span class="req" aria-hidden="true">"(*)"</span></legend>
                                <div class="radio-row rating-row">
                                    {(1..=5).map(|n| view! {
                                        <label><input type="radio" name="score" value=n prop:checked=move || score.get() == Some(n) on:change=move |_| score.set(Some(n))/>{n}</label>
                                    }).collect_view()}
                                </div>
                                <FieldMessage field="score" errors=errors/>
                            </fieldset>
                            <div class="field">
                                <label for="observations">{t(Msg::Observaciones)}</label>
                                <textarea id="observations" rows="4" maxlength=RATING_OBSERVATIONS_MAX prop:value=move || observations.get() on:input=move |ev| observations.set(event_target_value(&ev))></textarea>
                                <FieldMessage field="observations" errors=errors/>
                            </div>
                            <div class="actions"><button type="submit" class="button">{t(Msg::EnviarValoracion)}</button></div>
                        </form>
                    }.into_any()
                }}
            </Show>
            <div class="actions"><a class="button button-secondary" href=back>{move || Msg::VolverAlCaso.text(lang.get())}</a></div>
        </div>
    }
}
