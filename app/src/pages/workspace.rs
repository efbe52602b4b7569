//! The processors' queues (README "Processors and supervisors"): unassigned, mine, escalated,
//! waiting for the user, pending cancellation decisions, every open case and the expired
//! answers (`Plazo de subsanación vencido`); filters and order in the URL; cases that affect the
//! current filing period first, then by resolution deadline (Plazos).

use casia_domain::dto::{
    BulkCase, CaseTextSearch, FragmentPart, QueueFilter, QueuePage, QueueQuery, QueueRow, Taxonomy,
};
use casia_domain::i18n::{case_type_name, state_name, substate_name};
use casia_domain::model::Queue;
use casia_domain::validation::check_queue_filter;
use casia_domain::{FieldError, Msg, Role};
use leptos::Params;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query};
use leptos_router::params::Params;

use crate::components::deadline::DeadlineCell;
use crate::components::document_form::focus_first_error;
use crate::components::forms::typed_or_answered;
use crate::components::fragment::Fragment;
use crate::components::more_rows::{MoreRows, PagedTable};
use crate::components::queue_filters::{FilterInputs, QueueFilterFields};
use crate::components::{Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;
use crate::pages::workspace_bulk::{BulkBar, PickAll, PickCase};
use crate::url::{non_empty, with_query};

#[server(endpoint = "get_queue")]
pub async fn get_queue(query: QueueQuery, cursor: Option<String>) -> Result<QueuePage, AppError> {
    use crate::server::{fail, require, services};
    use casia_services::cases::processor::queue;
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    queue(
        &services().db,
        &c,
        query.queue,
        &query.filter,
        cursor.as_deref(),
    )
    .await
    .map_err(fail)
}

#[server(endpoint = "get_workspace_taxonomy")]
pub async fn get_workspace_taxonomy() -> Result<Taxonomy, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    casia_services::taxonomy::load(&services().db, c.lang)
        .await
        .map_err(fail)
}

pub(crate) const QUEUES: &[(Queue, Msg)] = &[
    (Queue::Unassigned, Msg::QueueUnassigned),
    (Queue::Mine, Msg::QueueMine),
    (Queue::Escalated, Msg::QueueEscalated),
    (Queue::WaitingForUser, Msg::QueueWaiting),
    (Queue::PendingCancellation, Msg::QueueCancellations),
    (Queue::AllOpen, Msg::QueueAllOpen),
    (Queue::AnswerExpired, Msg::QueueAnswerExpired),
];

/// The queue and its filters as the URL carries them (`/tramitacion?bandeja=mios&tipo=…`);
/// the processors' search (`case_search`) adds its words, `texto`.
#[derive(Params, Clone, Debug, Default, PartialEq)]
pub(crate) struct QueueUrl {
    pub(crate) texto: Option<String>,
    pub(crate) bandeja: Option<String>,
    tipo: Option<String>,
    materia: Option<String>,
    autorizacion: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
    orden: Option<String>,
}

impl QueueUrl {
    /// The filters the URL names (one given empty is not given).
    pub(crate) fn filter(&self) -> QueueFilter {
        QueueFilter {
            case_type: non_empty(self.tipo.clone()),
            subject_id: self.materia.as_deref().and_then(|v| v.parse().ok()),
            authorisation: non_empty(self.autorizacion.clone()),
            from: non_empty(self.desde.clone()),
            to: non_empty(self.hasta.clone()),
            sort: non_empty(self.orden.clone()),
        }
    }
}

impl From<QueueUrl> for QueueQuery {
    /// `sin_asignar` unless the URL names another queue.
    fn from(url: QueueUrl) -> Self {
        QueueQuery {
            queue: url
                .bandeja
                .as_deref()
                .and_then(Queue::from_code)
                .unwrap_or(Queue::Unassigned),
            filter: url.filter(),
        }
    }
}

/// The filters (but the order) as a queue's or a search's address names them; `subject` is
/// the filter's subject id as text.
pub(crate) fn filter_params<'a>(
    f: &'a QueueFilter,
    subject: &'a Option<String>,
) -> [(&'a str, Option<&'a str>); 5] {
    [
        ("tipo", f.case_type.as_deref()),
        ("materia", subject.as_deref()),
        ("autorizacion", f.authorisation.as_deref()),
        ("desde", f.from.as_deref()),
        ("hasta", f.to.as_deref()),
    ]
}

/// The page's address for a queue and filters (filters left empty are left out).
fn queue_url(q: &QueueQuery) -> String {
    let f = &q.filter;
    let subject = f.subject_id.map(|v| v.to_string());
    let queue = [("bandeja", Some(q.queue.code()))];
    let params = queue
        .into_iter()
        .chain(filter_params(f, &subject))
        .chain([("orden", f.sort.as_deref())]);
    with_query("/tramitacion", params)
}

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let url = use_query::<QueueUrl>();
    let current = Memo::new(move |_| QueueQuery::from(url.get().unwrap_or_default()));
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
    page: Resource<Result<QueuePage, AppError>>,
    taxonomy: Resource<Result<Taxonomy, AppError>>,
    supervisor: bool,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let initial = current.get_untracked().filter;
    let sort = RwSignal::new(initial.sort.clone().unwrap_or_default());
    let filters = FilterInputs::new(initial);
    // Problems of the filters: the client's check on "Filtrar", or the server's answer to
    // filters that came in the URL.
    let typed_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = typed_or_answered(typed_errors, page);
    let more = MoreRows::new(
        move || match page.get() {
            Some(Ok(p)) => Some(p.next),
            _ => None,
        },
        move |cursor| {
            let q = current.get_untracked();
            Some(async move {
                get_queue(q, Some(cursor))
                    .await
                    .ok()
                    .map(|p| (p.rows, p.next))
            })
        },
    );
    // Bulk actions: the cases picked, and every case shown (to pick them all).
    let picked = RwSignal::new(Vec::<BulkCase>::new());
    let shown = Signal::derive(move || {
        let mut rows = page
            .get()
            .and_then(|r| r.ok())
            .map(|p| p.rows)
            .unwrap_or_default();
        rows.extend(more.extra.get());
        rows.iter()
            .map(|r| BulkCase {
                number: r.row.number,
                version: r.version,
            })
            .collect::<Vec<_>>()
    });
    let reload = Callback::new(move |_| page.refetch());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = QueueQuery {
            queue: current.get_untracked().queue,
            filter: filters.filter(Some(sort.get_untracked())),
        };
        if let Err(e) = check_queue_filter(&q.filter) {
            typed_errors.set(e);
            focus_first_error();
            return;
        }
        typed_errors.set(Vec::new());
        navigate(&queue_url(&q), Default::default());
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::WorkspaceTitle)}</h1>
                <a class="button button-secondary" data-testid="export-csv" download
                    href=move || crate::url::on_path(crate::url::QUEUE_CSV, &queue_url(&current.get()))>{t(Msg::ExportarCsv)}</a>
                {supervisor.then(|| view! { <a class="button button-secondary" href="/tramitacion/panel">{t(Msg::Dashboard)}</a> })}
            </div>
            <WorkspaceSearch current/>
            <nav class="tabs" aria-label=move || Msg::Bandejas.text(lang.get())>
                {QUEUES.iter().map(|&(queue, label)| {
                    let href = move || queue_url(&QueueQuery { queue, ..current.get() });
                    view! {
                        <a href=href aria-current=move || (current.get().queue == queue).then_some("page")>{t(label)}</a>
                    }
                }).collect_view()}
            </nav>
            <form class="form filters" on:submit=apply novalidate>
                <div class="form-grid">
                    <QueueFilterFields inputs=filters id_prefix="f-" errors
                        taxonomy=Signal::derive(move || taxonomy.get().and_then(|r| r.ok()))/>
                    <div class="field">
                        <label for="f-orden">{t(Msg::Orden)}</label>
                        <select id="f-orden" on:change=move |ev| sort.set(event_target_value(&ev))>
                            <option value="" selected=move || sort.get().is_empty()>{t(Msg::OrdenPlazo)}</option>
                            <option value="oldest" selected=move || sort.get() == "oldest">{t(Msg::OrdenAntiguos)}</option>
                            <option value="newest" selected=move || sort.get() == "newest">{t(Msg::OrdenRecientes)}</option>
                        </select>
                    </div>
                </div>
                <div class="actions"><button type="submit" class="button">{t(Msg::Filtrar)}</button></div>
            </form>
        </div>
        <Loaded resource=page keep=true children=move |r| match r {
                p if p.rows.is_empty() => view! { <div class="panel"><p data-testid="queue-empty">{t(Msg::BandejaVacia)}</p></div> }.into_any(),
                p => view! {
                    <div class="panel">
                        <BulkBar picked done=reload/>
                        <PagedTable testid="queue" first=p.rows more key=|r| r.row.number
                            row=move |r| view! { <QueueLine line=r picked/> }>
                            <QueueHead pick=(picked, shown)/>
                        </PagedTable>
                    </div>
                }.into_any(),
            }/>
    }
}

/// `Buscar en los casos` from a queue: the words, searched within this queue and its filters
/// (the search page can widen it to every case).
#[component]
fn WorkspaceSearch(current: Memo<QueueQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let text = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = current.get_untracked();
        let s = CaseTextSearch {
            text: text.get_untracked(),
            queue: Some(q.queue.code().to_owned()),
            filter: QueueFilter {
                sort: None,
                ..q.filter
            },
        };
        navigate(
            &crate::pages::case_search::search_url(crate::pages::case_search::PATH, &s),
            Default::default(),
        );
    };
    view! {
        <form class="form inline-search" role="search" on:submit=submit>
            <div class="field">
                <label for="w-texto">{t(Msg::BuscarEnCasos)}</label>
                <input id="w-texto" type="search" maxlength="200"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            </div>
            <div class="actions"><button type="submit" class="button button-secondary">{t(Msg::Buscar)}</button></div>
        </form>
    }
}

/// The picked cases and those shown (`workspace_bulk`).
pub(crate) type Picking = (RwSignal<Vec<BulkCase>>, Signal<Vec<BulkCase>>);

/// The queue table's header row; with a `Coincidencia` column for search results.
#[component]
pub(crate) fn QueueHead(
    #[prop(optional)] fragment: bool,
    /// With a column of checkboxes for bulk actions: the picked cases and those shown.
    #[prop(optional)]
    pick: Option<Picking>,
) -> impl IntoView {
    view! {
        <tr>
            {pick.map(|(picked, shown)| view! { <th scope="col" class="pick-col"><PickAll picked shown/></th> })}
            <th scope="col">{t(Msg::NumeroCaso)}</th>
            <th scope="col">{t(Msg::FechaHoraAlta)}</th>
            <th scope="col">{t(Msg::NumAutorizacion)}</th>
            <th scope="col">{t(Msg::TipoCaso)}</th>
            <th scope="col">{t(Msg::Titulo)}</th>
            {fragment.then(|| view! { <th scope="col">{t(Msg::Coincidencia)}</th> })}
            <th scope="col">{t(Msg::Estado)}</th>
            <th scope="col">{t(Msg::FechaLimiteResolucion)}</th>
            <th scope="col">{t(Msg::AsignadoA)}</th>
        </tr>
    }
}

/// A case of a queue (or of a search, with its matching fragment).
#[component]
pub(crate) fn QueueLine(
    line: QueueRow,
    #[prop(optional)] fragment: Option<Vec<FragmentPart>>,
    /// The bulk actions' picked cases, when the queue offers them.
    #[prop(optional)]
    picked: Option<RwSignal<Vec<BulkCase>>>,
) -> impl IntoView {
    let lang = use_lang();
    let QueueRow {
        row,
        authorisation_number,
        assigned_to,
        deadline,
        version,
    } = line;
    let (ty, st, sub) = (row.case_type, row.state, row.substate);
    let case = BulkCase {
        number: row.number,
        version,
    };
    view! {
        <tr>
            {picked.map(|picked| view! { <td class="pick-col"><PickCase picked case/></td> })}
            <td data-label=move || Msg::NumeroCaso.text(lang.get())>
                <a class="num strong" data-testid="case-number" href=format!("/tramitacion/casos/{}", row.number_display)>{row.number_display.clone()}</a>
                {row.affects_current_period.then(|| view! { <span class="state-pill state-attention" title=move || Msg::AfectaPeriodo.text(lang.get())>{t(Msg::PeriodoEnCurso)}</span> })}
            </td>
            <td class="num" data-label=move || Msg::FechaHoraAlta.text(lang.get())>{row.opened_at.clone()}</td>
            <td class="num" data-label=move || Msg::NumAutorizacion.text(lang.get())>{authorisation_number}</td>
            <td data-label=move || Msg::TipoCaso.text(lang.get())>{move || case_type_name(ty, lang.get())}" · "{row.subject.clone()}</td>
            <td data-label=move || Msg::Titulo.text(lang.get())>{row.title.clone()}</td>
            {fragment.map(|parts| view! { <td data-label=move || Msg::Coincidencia.text(lang.get())><Fragment parts/></td> })}
            <td data-label=move || Msg::Estado.text(lang.get())>
                <span class="state-pill">{move || format!("{} / {}", state_name(st, lang.get()), substate_name(sub, lang.get()))}</span>
                {row.cancellation_pending.then(|| view! { <span class="state-pill state-attention">{t(Msg::AnulacionSolicitada)}</span> })}
            </td>
            <td data-label=move || Msg::FechaLimiteResolucion.text(lang.get())><DeadlineCell deadline/></td>
            <td data-label=move || Msg::AsignadoA.text(lang.get())>{assigned_to.unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}
