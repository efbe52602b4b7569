//! `Buscar en los casos` for processors and supervisors (`/tramitacion/buscar`): words, ranked
//! results with the matching fragment, in every case or one queue, with the queue filters.
//! Everything lives in the URL, like the queues.

use casia_domain::dto::{
    CaseTextSearch, ProcessorTextResults, QueueFilter, QueueRow, Taxonomy, TextHit,
};
use casia_domain::validation::check_queue_filter;
use casia_domain::{FieldError, FieldProblem, Msg, Role};
use leptos::Params;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query};
use leptos_router::params::Params;

use crate::components::classification::TypeAndSubjectFilters;
use crate::components::document_form::focus_first_error;
use crate::components::forms::has_problem;
use crate::components::{FieldMessage, Guarded, Loaded};
use crate::context::t;
use crate::error::AppError;
use crate::pages::workspace::{QUEUES, QueueHead, QueueLine, get_workspace_taxonomy};
use crate::url::{non_empty, with_query};

pub const PATH: &str = "/tramitacion/buscar";

#[server(endpoint = "search_case_texts")]
pub async fn search_case_texts(
    search: CaseTextSearch,
    cursor: Option<String>,
) -> Result<ProcessorTextResults, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    casia_services::cases::full_text::search_for_processor(
        &services().db,
        &c,
        &search,
        cursor.as_deref(),
    )
    .await
    .map_err(fail)
}

/// The search as the URL carries it (the queue's names, plus `texto`).
#[derive(Params, Clone, Debug, Default, PartialEq)]
pub(crate) struct SearchUrl {
    texto: Option<String>,
    bandeja: Option<String>,
    tipo: Option<String>,
    materia: Option<String>,
    autorizacion: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
}

impl SearchUrl {
    /// None until the URL has words.
    fn search(&self) -> Option<CaseTextSearch> {
        non_empty(self.texto.clone()).map(|text| CaseTextSearch {
            text,
            queue: non_empty(self.bandeja.clone()),
            filter: QueueFilter {
                case_type: non_empty(self.tipo.clone()),
                subject_id: self.materia.as_deref().and_then(|v| v.parse().ok()),
                authorisation: non_empty(self.autorizacion.clone()),
                from: non_empty(self.desde.clone()),
                to: non_empty(self.hasta.clone()),
                sort: None,
            },
        })
    }
}

/// The address of a search (also the CSV export's parameters).
pub(crate) fn search_url(path: &str, s: &CaseTextSearch) -> String {
    let f = &s.filter;
    let subject = f.subject_id.map(|v| v.to_string());
    with_query(
        path,
        [
            ("texto", Some(s.text.as_str())),
            ("bandeja", s.queue.as_deref()),
            ("tipo", f.case_type.as_deref()),
            ("materia", subject.as_deref()),
            ("autorizacion", f.authorisation.as_deref()),
            ("desde", f.from.as_deref()),
            ("hasta", f.to.as_deref()),
        ],
    )
}

#[component]
pub fn CaseSearchPage() -> impl IntoView {
    let url = use_query::<SearchUrl>();
    let searched = Memo::new(move |_| url.with(|u| u.as_ref().ok().and_then(SearchUrl::search)));
    let results = Resource::new(
        move || searched.get(),
        |s| async move {
            match s {
                Some(s) => search_case_texts(s, None).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let taxonomy = Resource::new(|| (), |_| get_workspace_taxonomy());
    view! {
        <Guarded roles=&[Role::Tramitador, Role::Supervisor] children=move |_| {
            view! { <SearchScreen searched results taxonomy/> }
        }/>
    }
}

#[component]
fn SearchScreen(
    searched: Memo<Option<CaseTextSearch>>,
    results: Resource<Result<Option<ProcessorTextResults>, AppError>>,
    taxonomy: Resource<Result<Taxonomy, AppError>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let initial = searched.get_untracked().unwrap_or_default();
    let text = RwSignal::new(initial.text.clone());
    let queue = RwSignal::new(initial.queue.clone().unwrap_or_default());
    let f = initial.filter;
    let case_type = RwSignal::new(f.case_type.unwrap_or_default());
    let subject = RwSignal::new(f.subject_id.map(|v| v.to_string()).unwrap_or_default());
    let authorisation = RwSignal::new(f.authorisation.unwrap_or_default());
    let from = RwSignal::new(f.from.unwrap_or_default());
    let to = RwSignal::new(f.to.unwrap_or_default());
    let typed_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = Signal::derive(move || {
        let typed = typed_errors.get();
        if !typed.is_empty() {
            return typed;
        }
        match results.get() {
            Some(Err(AppError::Invalid(e))) => e,
            _ => Vec::new(),
        }
    });
    let extra = RwSignal::new(Vec::<TextHit<QueueRow>>::new());
    let next = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(Some(r))) = results.get() {
            extra.set(Vec::new());
            next.set(r.next.clone());
        }
    });
    let form = move || CaseTextSearch {
        text: text.get_untracked(),
        queue: Some(queue.get_untracked()),
        filter: QueueFilter {
            case_type: Some(case_type.get_untracked()),
            subject_id: subject.get_untracked().parse().ok(),
            authorisation: Some(authorisation.get_untracked()),
            from: Some(from.get_untracked()),
            to: Some(to.get_untracked()),
            sort: None,
        },
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = form();
        let mut problems = check_queue_filter(&s.filter).err().unwrap_or_default();
        if s.text.trim().is_empty() {
            problems.insert(0, FieldError::new("text", FieldProblem::Required));
        }
        if !problems.is_empty() {
            typed_errors.set(problems);
            focus_first_error();
            return;
        }
        typed_errors.set(Vec::new());
        navigate(&search_url(PATH, &s), Default::default());
    };
    let more = move |_| {
        let (Some(s), Some(cursor)) = (searched.get_untracked(), next.get_untracked()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(p) = search_case_texts(s, Some(cursor)).await {
                extra.update(|hits| hits.extend(p.hits));
                next.set(p.next);
            }
        });
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::BuscarEnCasos)}</h1>
                <a class="button button-secondary" href="/tramitacion">{t(Msg::WorkspaceTitle)}</a>
            </div>
            <p class="lead" id="texto-ayuda">{t(Msg::StaffTextSearchHint)}</p>
            <form class="form filters" role="search" on:submit=submit novalidate>
                <div class="form-grid">
                    <div class="field field-wide">
                        <label for="texto">{t(Msg::PalabrasBuscar)}<span class="req" aria-hidden="true">"(*)"</span></label>
                        <input id="texto" type="search" maxlength="200" aria-describedby="texto-ayuda err-text"
                            aria-invalid=move || has_problem(&errors.get(), "text").to_string()
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        <FieldMessage field="text" errors/>
                    </div>
                    <div class="field">
                        <label for="s-bandeja">{t(Msg::BuscarEn)}</label>
                        <select id="s-bandeja" on:change=move |ev| queue.set(event_target_value(&ev))>
                            <option value="" selected=move || queue.get().is_empty()>{t(Msg::TodosLosCasos)}</option>
                            {QUEUES.iter().map(|&(q, label)| view! {
                                <option value=q.code() selected=move || queue.get() == q.code()>{t(label)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <TypeAndSubjectFilters case_type subject id_prefix="s-"
                        taxonomy=Signal::derive(move || taxonomy.get().and_then(|r| r.ok()))/>
                    <div class="field">
                        <label for="s-autorizacion">{t(Msg::NumAutorizacion)}</label>
                        <input id="s-autorizacion" type="text" inputmode="numeric" aria-describedby="err-authorisation"
                            aria-invalid=move || has_problem(&errors.get(), "authorisation").to_string()
                            prop:value=move || authorisation.get() on:input=move |ev| authorisation.set(event_target_value(&ev))/>
                        <FieldMessage field="authorisation" errors/>
                    </div>
                    <div class="field">
                        <label for="s-desde">{t(Msg::FechaAltaDesde)}</label>
                        <input id="s-desde" type="date" aria-describedby="err-from"
                            aria-invalid=move || has_problem(&errors.get(), "from").to_string()
                            prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                        <FieldMessage field="from" errors/>
                    </div>
                    <div class="field">
                        <label for="s-hasta">{t(Msg::FechaAltaHasta)}</label>
                        <input id="s-hasta" type="date" aria-describedby="err-to"
                            aria-invalid=move || has_problem(&errors.get(), "to").to_string()
                            prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                        <FieldMessage field="to" errors/>
                    </div>
                </div>
                <div class="actions"><button type="submit" class="button">{t(Msg::Buscar)}</button></div>
            </form>
        </div>
        <Loaded resource=results keep=true children=move |r| match r {
            None => ().into_any(),
            Some(res) if res.hits.is_empty() => view! {
                <div class="panel" aria-live="polite"><p data-testid="no-results">{t(Msg::SinResultados)}</p></div>
            }.into_any(),
            Some(res) => view! {
                <div class="panel" aria-live="polite">
                    <div class="panel-head">
                        <h2>{t(Msg::Resultados)}</h2>
                        <a class="button button-secondary" data-testid="export-csv" download
                            href=move || searched.get().map(|s| search_url(crate::url::SEARCH_CSV, &s))>{t(Msg::ExportarCsv)}</a>
                    </div>
                    <div class="table-wrap">
                        <table class="table stack" data-testid="text-results">
                            <thead><QueueHead fragment=true/></thead>
                            <tbody>
                                {res.hits.into_iter().map(|h| view! { <QueueLine line=h.row fragment=h.fragment/> }).collect_view()}
                                <For each=move || extra.get() key=|h| h.row.row.number let:h>
                                    <QueueLine line=h.row fragment=h.fragment/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || next.get().is_some()>
                        <div class="actions"><button type="button" class="button button-secondary" on:click=more>{t(Msg::MostrarMas)}</button></div>
                    </Show>
                </div>
            }.into_any(),
        }/>
    }
}
