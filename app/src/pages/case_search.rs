//! `Buscar en los casos` for processors and supervisors (`/tramitacion/buscar`): words, ranked
//! results with the matching fragment, in every case or one queue, with the queue filters.
//! Everything lives in the URL, like the queues.

use casia_domain::dto::{
    CaseTextSearch, ProcessorTextResults, QueueFilter, QueueRow, Taxonomy, TextHit,
};
use casia_domain::validation::check_queue_filter;
use casia_domain::{FieldError, FieldProblem, Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query};

use crate::components::document_form::focus_first_error;
use crate::components::forms::typed_or_answered;
use crate::components::input_field::InputField;
use crate::components::more_rows::{MoreRows, PagedTable, first_page};
use crate::components::queue_filters::{FilterInputs, QueueFilterFields};
use crate::components::{Guarded, Loaded};
use crate::context::t;
use crate::error::AppError;
use crate::pages::workspace::{
    QUEUES, QueueHead, QueueLine, QueueUrl, filter_params, get_workspace_taxonomy,
};
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

/// The search a queue's URL with words (`texto`) asks for: none until it has words. It is
/// never sorted: the best match comes first.
fn search_in(url: &QueueUrl) -> Option<CaseTextSearch> {
    non_empty(url.texto.clone()).map(|text| CaseTextSearch {
        text,
        queue: non_empty(url.bandeja.clone()),
        filter: QueueFilter {
            sort: None,
            ..url.filter()
        },
    })
}

/// The address of a search (also the CSV export's parameters).
pub(crate) fn search_url(path: &str, s: &CaseTextSearch) -> String {
    let subject = s.filter.subject_id.map(|v| v.to_string());
    let words = [
        ("texto", Some(s.text.as_str())),
        ("bandeja", s.queue.as_deref()),
    ];
    let params = words.into_iter().chain(filter_params(&s.filter, &subject));
    with_query(path, params)
}

#[component]
pub fn CaseSearchPage() -> impl IntoView {
    let url = use_query::<QueueUrl>();
    let searched = Memo::new(move |_| url.with(|u| u.as_ref().ok().and_then(search_in)));
    let results = first_page(searched, search_case_texts);
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
    let filters = FilterInputs::new(initial.filter);
    let typed_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = typed_or_answered(typed_errors, results);
    let more = MoreRows::of_search(searched, results, search_case_texts, |p| (p.hits, p.next));
    let form = move || CaseTextSearch {
        text: text.get_untracked(),
        queue: Some(queue.get_untracked()),
        filter: filters.filter(None),
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
    let hit_line = |h: TextHit<QueueRow>| view! { <QueueLine line=h.row fragment=h.fragment/> };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::BuscarEnCasos)}</h1>
                <a class="button button-secondary" href="/tramitacion">{t(Msg::WorkspaceTitle)}</a>
            </div>
            <p class="lead" id="texto-ayuda">{t(Msg::StaffTextSearchHint)}</p>
            <form class="form filters" role="search" on:submit=submit novalidate>
                <div class="form-grid">
                    <InputField id="texto" label=Msg::PalabrasBuscar field="text" kind="search" required=true wide=true
                        maxlength="200" hint="texto-ayuda" value=text errors/>
                    <div class="field">
                        <label for="s-bandeja">{t(Msg::BuscarEn)}</label>
                        <select id="s-bandeja" on:change=move |ev| queue.set(event_target_value(&ev))>
                            <option value="" selected=move || queue.get().is_empty()>{t(Msg::TodosLosCasos)}</option>
                            {QUEUES.iter().map(|&(q, label)| view! {
                                <option value=q.code() selected=move || queue.get() == q.code()>{t(label)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <QueueFilterFields inputs=filters id_prefix="s-" errors
                        taxonomy=Signal::derive(move || taxonomy.get().and_then(|r| r.ok()))/>
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
                    <PagedTable testid="text-results" first=res.hits more key=|h| h.row.row.number row=hit_line>
                        <QueueHead fragment=true/>
                    </PagedTable>
                </div>
            }.into_any(),
        }/>
    }
}
