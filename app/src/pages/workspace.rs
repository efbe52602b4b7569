//! The processors' queues (README "Processors and supervisors"): unassigned, mine, escalated,
//! waiting for the user, pending cancellation decisions and every open case; filters and order
//! in the URL; cases that affect the current filing period first.

use casia_domain::dto::Taxonomy;
use casia_domain::i18n::{case_type_name, state_name, substate_name};
use casia_domain::model::CaseType;
use casia_domain::{Msg, Role, State};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

use crate::components::Guarded;
use crate::components::classification::TypeAndSubjectFilters;
use crate::components::guard::urlencode;
use crate::context::{t, use_lang};
use crate::error::AppError;

/// Mirrors `casia_services::cases::processor::{QueuePage, QueueFilter}` for the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRowView {
    pub number_display: String,
    pub opened_at: String,
    pub authorisation: String,
    pub case_type: CaseType,
    pub subject: String,
    pub title: String,
    pub state: State,
    pub substate: casia_domain::Substate,
    pub substate_at: String,
    pub assigned_to: Option<String>,
    pub affects_current_period: bool,
    pub cancellation_pending: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub rows: Vec<QueueRowView>,
    pub next: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueQuery {
    pub queue: String,
    pub case_type: Option<String>,
    pub subject_id: Option<i64>,
    pub authorisation: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
}

#[server(endpoint = "get_queue")]
pub async fn get_queue(query: QueueQuery, cursor: Option<String>) -> Result<QueueView, AppError> {
    use crate::server::{fail, require, services};
    use casia_services::cases::processor::{Queue, QueueFilter, queue};
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    let q = Queue::from_code(&query.queue).unwrap_or(Queue::Unassigned);
    let filter = QueueFilter {
        case_type: query.case_type,
        subject_id: query.subject_id,
        authorisation: query.authorisation,
        from: query.from,
        to: query.to,
        sort: query.sort,
    };
    let page = queue(&services().db, &c, q, &filter, cursor.as_deref())
        .await
        .map_err(fail)?;
    Ok(QueueView {
        rows: page
            .rows
            .into_iter()
            .map(|r| QueueRowView {
                number_display: r.row.number_display,
                opened_at: r.row.opened_at,
                authorisation: r.authorisation_number,
                case_type: r.row.case_type,
                subject: r.row.subject,
                title: r.row.title,
                state: r.row.state,
                substate: r.row.substate,
                substate_at: r.row.substate_at,
                assigned_to: r.assigned_to,
                affects_current_period: r.row.affects_current_period,
                cancellation_pending: r.row.cancellation_pending,
            })
            .collect(),
        next: page.next,
    })
}

#[server(endpoint = "get_workspace_taxonomy")]
pub async fn get_workspace_taxonomy() -> Result<Taxonomy, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    casia_services::taxonomy::load(&services().db, c.lang)
        .await
        .map_err(fail)
}

pub const QUEUES: &[(&str, Msg)] = &[
    ("sin_asignar", Msg::QueueUnassigned),
    ("mios", Msg::QueueMine),
    ("escalados", Msg::QueueEscalated),
    ("esperando", Msg::QueueWaiting),
    ("anulaciones", Msg::QueueCancellations),
    ("abiertos", Msg::QueueAllOpen),
];

fn query_from_url(q: &leptos_router::params::ParamsMap) -> QueueQuery {
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
    QueueQuery {
        queue: get("bandeja").unwrap_or_else(|| "sin_asignar".into()),
        case_type: get("tipo"),
        subject_id: get("materia").and_then(|v| v.parse().ok()),
        authorisation: get("autorizacion"),
        from: get("desde"),
        to: get("hasta"),
        sort: get("orden"),
    }
}

fn to_url(q: &QueueQuery) -> String {
    let mut parts = vec![format!("bandeja={}", urlencode(&q.queue))];
    for (k, v) in [
        ("tipo", q.case_type.clone()),
        ("materia", q.subject_id.map(|v| v.to_string())),
        ("autorizacion", q.authorisation.clone()),
        ("desde", q.from.clone()),
        ("hasta", q.to.clone()),
        ("orden", q.sort.clone()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencode(&v)));
        }
    }
    format!("/tramitacion?{}", parts.join("&"))
}

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| query.with(query_from_url));
    let page = Resource::new(move || current.get(), |q| get_queue(q, None));
    let taxonomy = Resource::new(|| (), |_| get_workspace_taxonomy());
    view! {
        <Guarded roles=&[Role::Tramitador, Role::Supervisor] children=move |session| {
            let supervisor = session.user.role == Role::Supervisor;
            view! { <Queues current page taxonomy supervisor/> }
        }/>
    }
}

#[component]
fn Queues(
    current: Memo<QueueQuery>,
    page: Resource<Result<QueueView, AppError>>,
    taxonomy: Resource<Result<Taxonomy, AppError>>,
    supervisor: bool,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let initial = current.get_untracked();
    let case_type = RwSignal::new(initial.case_type.clone().unwrap_or_default());
    let subject = RwSignal::new(
        initial
            .subject_id
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let authorisation = RwSignal::new(initial.authorisation.clone().unwrap_or_default());
    let from = RwSignal::new(initial.from.clone().unwrap_or_default());
    let to = RwSignal::new(initial.to.clone().unwrap_or_default());
    let sort = RwSignal::new(initial.sort.clone().unwrap_or_default());
    let extra = RwSignal::new(Vec::<QueueRowView>::new());
    let next = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(p)) = page.get() {
            extra.set(Vec::new());
            next.set(p.next.clone());
        }
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = QueueQuery {
            queue: current.get_untracked().queue,
            case_type: Some(case_type.get_untracked()),
            subject_id: subject.get_untracked().parse().ok(),
            authorisation: Some(authorisation.get_untracked()),
            from: Some(from.get_untracked()),
            to: Some(to.get_untracked()),
            sort: Some(sort.get_untracked()),
        };
        navigate(&to_url(&q), Default::default());
    };
    let more = move |_| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        let q = current.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(p) = get_queue(q, Some(cursor)).await {
                extra.update(|rows| rows.extend(p.rows));
                next.set(p.next);
            }
        });
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::WorkspaceTitle)}</h1>
                {supervisor.then(|| view! { <a class="button button-secondary" href="/tramitacion/panel">{t(Msg::Dashboard)}</a> })}
            </div>
            <nav class="tabs" aria-label=move || Msg::Bandejas.text(lang.get())>
                {QUEUES.iter().map(|(code, label)| {
                    let code = *code;
                    let label = *label;
                    let href = move || to_url(&QueueQuery { queue: code.to_owned(), ..current.get() });
                    view! {
                        <a href=href aria-current=move || (current.get().queue == code).then_some("page")>{t(label)}</a>
                    }
                }).collect_view()}
            </nav>
            <form class="form filters" on:submit=apply novalidate>
                <div class="form-grid">
                    <TypeAndSubjectFilters case_type subject id_prefix="f-"
                        taxonomy=Signal::derive(move || taxonomy.get().and_then(|r| r.ok()))/>
                    <div class="field">
                        <label for="f-autorizacion">{t(Msg::NumAutorizacion)}</label>
                        <input id="f-autorizacion" type="text" inputmode="numeric" prop:value=move || authorisation.get() on:input=move |ev| authorisation.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="f-desde">{t(Msg::FechaAltaDesde)}</label>
                        <input id="f-desde" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="f-hasta">{t(Msg::FechaAltaHasta)}</label>
                        <input id="f-hasta" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="f-orden">{t(Msg::Orden)}</label>
                        <select id="f-orden" on:change=move |ev| sort.set(event_target_value(&ev))>
                            <option value="" selected=move || sort.get().is_empty()>{t(Msg::OrdenAntiguos)}</option>
                            <option value="newest" selected=move || sort.get() == "newest">{t(Msg::OrdenRecientes)}</option>
                        </select>
                    </div>
                </div>
                <div class="actions"><button type="submit" class="button">{t(Msg::Filtrar)}</button></div>
            </form>
        </div>
        <Transition fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || page.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(p) if p.rows.is_empty() => view! { <div class="panel"><p data-testid="queue-empty">{t(Msg::BandejaVacia)}</p></div> }.into_any(),
                Ok(p) => view! {
                    <div class="panel">
                        <div class="table-wrap">
                            <table class="table stack" data-testid="queue">
                                <thead><tr>
                                    <th scope="col">{t(Msg::NumeroCaso)}</th>
                                    <th scope="col">{t(Msg::FechaHoraAlta)}</th>
                                    <th scope="col">{t(Msg::NumAutorizacion)}</th>
                                    <th scope="col">{t(Msg::TipoCaso)}</th>
                                    <th scope="col">{t(Msg::Titulo)}</th>
                                    <th scope="col">{t(Msg::Estado)}</th>
                                    <th scope="col">{t(Msg::AsignadoA)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.rows.into_iter().map(|r| view! { <QueueRow row=r/> }).collect_view()}
                                    <For each=move || extra.get() key=|r| r.number_display.clone() let:r>
                                        <QueueRow row=r/>
                                    </For>
                                </tbody>
                            </table>
                        </div>
                        <Show when=move || next.get().is_some()>
                            <div class="actions"><button type="button" class="button button-secondary" on:click=more>{t(Msg::MostrarMas)}</button></div>
                        </Show>
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn QueueRow(row: QueueRowView) -> impl IntoView {
    let lang = use_lang();
    let (ty, st, sub) = (row.case_type, row.state, row.substate);
    view! {
        <tr>
            <td data-label=move || Msg::NumeroCaso.text(lang.get())>
                <a class="num strong" href=format!("/tramitacion/casos/{}", row.number_display)>{row.number_display.clone()}</a>
                {row.affects_current_period.then(|| view! { <span class="state-pill state-attention" title=move || Msg::AfectaPeriodo.text(lang.get())>{t(Msg::PeriodoEnCurso)}</span> })}
            </td>
            <td class="num" data-label=move || Msg::FechaHoraAlta.text(lang.get())>{row.opened_at.clone()}</td>
            <td class="num" data-label=move || Msg::NumAutorizacion.text(lang.get())>{row.authorisation.clone()}</td>
            <td data-label=move || Msg::TipoCaso.text(lang.get())>{move || case_type_name(ty, lang.get())}" · "{row.subject.clone()}</td>
            <td data-label=move || Msg::Titulo.text(lang.get())>{row.title.clone()}</td>
            <td data-label=move || Msg::Estado.text(lang.get())>
                <span class="state-pill">{move || format!("{} / {}", state_name(st, lang.get()), substate_name(sub, lang.get()))}</span>
                {row.cancellation_pending.then(|| view! { <span class="state-pill state-attention">{t(Msg::AnulacionSolicitada)}</span> })}
            </td>
            <td data-label=move || Msg::AsignadoA.text(lang.get())>{row.assigned_to.clone().unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}
