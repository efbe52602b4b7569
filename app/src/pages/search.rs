//! `Gestión de Casos` (guide §4.2): Opción 1 by case number, Opción 2 by state and a date
//! range within one calendar month plus optional filters. The filters live in the URL, so a
//! search can be bookmarked and the browser's back button returns to it.

use casia_domain::dto::{CaseRow, SearchForm, SearchResults, Taxonomy};
use casia_domain::i18n::{case_type_name, field_problem_text, state_name, substate_name};
use casia_domain::model::case_number;
use casia_domain::validation::check_search;
use casia_domain::{FieldProblem, Msg, Role, State, Substate};
use leptos::Params;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query};
use leptos_router::params::Params;
use serde::{Deserialize, Serialize};

use crate::components::case_cells::{CaseOpenedCells, HeaderRow, StateCell};
use crate::components::classification::TypeAndSubjectFilters;
use crate::components::input_field::InputField;
use crate::components::more_rows::{MoreRows, PagedTable, first_page};
use crate::components::{FieldMessage, Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;
use crate::url::{non_empty, with_query};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// `Usuario de Alta` choices: the authorisation's members.
    pub users: Vec<(i64, String)>,
    pub taxonomy: Taxonomy,
}

#[server(endpoint = "search_options")]
pub async fn get_search_options() -> Result<SearchOptions, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let s = services();
    Ok(SearchOptions {
        users: casia_services::cases::query::authorisation_users(&s.db, &c)
            .await
            .map_err(fail)?,
        taxonomy: casia_services::taxonomy::load(&s.db, c.lang)
            .await
            .map_err(fail)?,
    })
}

#[server(endpoint = "search_cases")]
pub async fn search_cases(
    form: SearchForm,
    cursor: Option<String>,
) -> Result<SearchResults, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::cases::query::search(&services().db, &c, &form, cursor.as_deref())
        .await
        .map_err(fail)
}

/// The search as the URL carries it (Spanish names, as people may share them), so a search
/// can be bookmarked and the back button returns to it.
#[derive(Params, Clone, Debug, Default, PartialEq)]
struct SearchUrl {
    estado: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
    subestado: Option<String>,
    tipo: Option<String>,
    materia: Option<String>,
    usuario: Option<String>,
}

impl SearchUrl {
    /// The search the URL asks for: none until it names a state.
    fn search(&self) -> Option<SearchForm> {
        self.estado.clone().map(|state| SearchForm {
            state,
            from: self.desde.clone().unwrap_or_default(),
            to: self.hasta.clone().unwrap_or_default(),
            substate: self.subestado.clone(),
            case_type: self.tipo.clone(),
            subject_id: self.materia.as_deref().and_then(|v| v.parse().ok()),
            opened_by: self.usuario.as_deref().and_then(|v| v.parse().ok()),
        })
    }
}

/// The address of a search (filters left empty are left out).
fn search_url(f: &SearchForm) -> String {
    let subject = f.subject_id.map(|v| v.to_string());
    let opened_by = f.opened_by.map(|v| v.to_string());
    with_query(
        "/casia/casos",
        [
            ("estado", Some(f.state.as_str())),
            ("desde", Some(f.from.as_str())),
            ("hasta", Some(f.to.as_str())),
            ("subestado", f.substate.as_deref()),
            ("tipo", f.case_type.as_deref()),
            ("materia", subject.as_deref()),
            ("usuario", opened_by.as_deref()),
        ],
    )
}

/// The results table's columns.
const RESULT_COLUMNS: &[Msg] = &[
    Msg::NumeroCaso,
    Msg::FechaHoraAlta,
    Msg::TipoCaso,
    Msg::Materia,
    Msg::Titulo,
    Msg::Estado,
    Msg::UsuarioAlta,
];

#[component]
pub fn SearchPage() -> impl IntoView {
    // Resources live at the page's top level: a guard may re-render its content.
    let url = use_query::<SearchUrl>();
    let options = Resource::new(|| (), |_| get_search_options());
    // Results follow the URL.
    let searched = Memo::new(move |_| url.with(|u| u.as_ref().ok().and_then(SearchUrl::search)));
    let results = first_page(searched, search_cases);
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |session| {
            let today = session.today;
            view! {
                <SearchScreen
                    default_from=today.first_of_month().iso()
                    default_to=today.last_of_month().iso()
                    options
                    searched
                    results
                />
            }
        }/>
    }
}

#[component]
fn SearchScreen(
    default_from: String,
    default_to: String,
    options: Resource<Result<SearchOptions, AppError>>,
    searched: Memo<Option<SearchForm>>,
    results: Resource<Result<Option<SearchResults>, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();

    // The form starts from the URL (a bookmarked search) or the current month.
    let url = use_query::<SearchUrl>();
    let state = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let substate = RwSignal::new(String::new());
    let case_type = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let opened_by = RwSignal::new(String::new());
    // The form shows the URL's search, also after the browser's back and forward buttons
    // (they change the URL without reloading the page).
    let show_url = move |u: SearchUrl| {
        state.set(non_empty(u.estado).unwrap_or_else(|| "abierto".into()));
        from.set(non_empty(u.desde).unwrap_or_else(|| default_from.clone()));
        to.set(non_empty(u.hasta).unwrap_or_else(|| default_to.clone()));
        substate.set(non_empty(u.subestado).unwrap_or_default());
        case_type.set(non_empty(u.tipo).unwrap_or_default());
        subject.set(non_empty(u.materia).unwrap_or_default());
        opened_by.set(non_empty(u.usuario).unwrap_or_default());
    };
    show_url(url.get_untracked().unwrap_or_default());
    Effect::watch(
        move || url.get().unwrap_or_default(),
        move |u, _, _| show_url(u.clone()),
        false,
    );
    let number = RwSignal::new(String::new());
    let number_error = RwSignal::new(None::<FieldProblem>);
    let hydrated = crate::components::forms::use_hydrated();

    let form = move || SearchForm {
        state: state.get(),
        from: from.get(),
        to: to.get(),
        substate: Some(substate.get()).filter(|s| !s.is_empty()),
        case_type: Some(case_type.get()).filter(|s| !s.is_empty()),
        subject_id: subject.get().parse().ok(),
        opened_by: opened_by.get().parse().ok(),
    };
    // One shared rule, checked as the person types and again on the server.
    let errors = Memo::new(move |_| check_search(&form()).err().unwrap_or_default());
    let errors_signal = Signal::derive(move || errors.get());

    let more = MoreRows::of_search(searched, results, search_cases, |p| (p.rows, p.next));

    let nav = navigate.clone();
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if errors.get_untracked().is_empty() {
            nav(&search_url(&form()), Default::default());
        }
    };
    let go_to_number = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = number.get_untracked();
        if text.trim().is_empty() {
            number_error.set(Some(FieldProblem::Required));
        } else if let Some(n) = case_number::parse(&text) {
            number_error.set(None);
            navigate(
                &format!("/casia/casos/{}", case_number::format(n)),
                Default::default(),
            );
        } else {
            number_error.set(Some(FieldProblem::InvalidCaseNumber));
        }
    };

    let substate_choices = move || Substate::for_state(State::from_code(&state.get()));
    view! {
        <div class="panel">
            <h1>{t(Msg::GestionCasos)}</h1>
            <p class="lead">{t(Msg::SearchIntro)}</p>

            <h2 class="section-title">{t(Msg::Opcion1)}</h2>
            <form class="form inline-search" on:submit=go_to_number novalidate>
                <div class="field">
                    <label for="numero">{t(Msg::NumeroCaso)}<span class="req" aria-hidden="true">"(*)"</span></label>
                    <input
                        id="numero"
                        type="text"
                        inputmode="numeric"
                        placeholder="2026-0000123"
                        aria-invalid=move || number_error.get().is_some().to_string()
                        aria-describedby="err-numero"
                        prop:value=move || number.get()
                        on:input=move |ev| { number.set(event_target_value(&ev)); number_error.set(None); }
                    />
                    {move || number_error.get().map(|p| view! { <p class="field-error" id="err-numero">{field_problem_text(&p, lang.get())}</p> })}
                </div>
                <div class="actions"><button type="submit" class="button" disabled=move || !hydrated.get()>{t(Msg::Consultar)}</button></div>
            </form>

            <h2 class="section-title">{t(Msg::Opcion2)}</h2>
            <form class="form" on:submit=search novalidate>
                <div class="form-grid">
                    <div class="field">
                        <label for="estado">{t(Msg::Estado)}<span class="req" aria-hidden="true">"(*)"</span></label>
                        <select id="estado" on:change=move |ev| {
                            state.set(event_target_value(&ev));
                            // Substate choices follow the state.
                            let still_valid = Substate::from_code(&substate.get_untracked())
                                .is_some_and(|s| State::from_code(&state.get_untracked()).is_none_or(|st| s.state() == st));
                            if !still_valid { substate.set(String::new()); }
                        }>
                            <option value="abierto" selected=move || state.get() == "abierto">{move || state_name(State::Abierto, lang.get())}</option>
                            <option value="cerrado" selected=move || state.get() == "cerrado">{move || state_name(State::Cerrado, lang.get())}</option>
                            <option value="todos" selected=move || state.get() == "todos">{t(Msg::Todos)}</option>
                        </select>
                    </div>
                    <InputField id="desde" label=Msg::FechaAltaDesde field="from" kind="date" required=true
                        value=from errors=errors_signal/>
                    <InputField id="hasta" label=Msg::FechaAltaHasta field="to" kind="date" required=true
                        value=to errors=errors_signal/>
                    <div class="field">
                        <label for="subestado">{t(Msg::Subestado)}</label>
                        <select id="subestado" on:change=move |ev| substate.set(event_target_value(&ev))>
                            <option value="" selected=move || substate.get().is_empty()>{t(Msg::Todos)}</option>
                            {move || substate_choices().into_iter().map(|s| view! {
                                <option value=s.code() selected=move || substate.get() == s.code()>{move || substate_name(s, lang.get())}</option>
                            }).collect_view()}
                        </select>
                        <FieldMessage field="substate" errors=errors_signal/>
                    </div>
                    <TypeAndSubjectFilters case_type subject id_prefix=""
                        taxonomy=Signal::derive(move || options.get().and_then(|r| r.ok()).map(|o| o.taxonomy))/>
                    <div class="field">
                        <label for="usuario">{t(Msg::UsuarioAlta)}</label>
                        <select id="usuario" on:change=move |ev| opened_by.set(event_target_value(&ev))>
                            <option value="" selected=move || opened_by.get().is_empty()>{t(Msg::Todos)}</option>
                            <Suspense fallback=|| ()>
                                {move || options.get().and_then(|r| r.ok()).map(|o| o.users.into_iter().map(|(id, name)| {
                                    let v = id.to_string();
                                    let v2 = v.clone();
                                    view! { <option value=v selected=move || opened_by.get() == v2>{name}</option> }
                                }).collect_view())}
                            </Suspense>
                        </select>
                    </div>
                </div>
                <div class="actions">
                    <a class="button button-secondary" href="/casia">{t(Msg::Atras)}</a>
                    <button type="submit" class="button" disabled=move || !hydrated.get() || !errors.get().is_empty() data-testid="buscar">{t(Msg::Buscar)}</button>
                </div>
            </form>

            <crate::pages::search_text::UserTextSearch/>
        </div>

        <Loaded resource=results keep=true children=move |r| match r {
                None => ().into_any(),
                Some(res) => view! {
                    <div class="panel" aria-live="polite">
                        <div class="panel-head">
                            <h2>{t(Msg::Resultados)}</h2>
                            <a class="button button-secondary" data-testid="export-csv" download
                                href=move || searched.get().map(|f| crate::url::on_path(crate::url::CASES_CSV, &search_url(&f)))>{t(Msg::ExportarCsv)}</a>
                        </div>
                        {if res.rows.is_empty() {
                            view! { <p data-testid="no-results">{t(Msg::SinResultados)}</p> }.into_any()
                        } else {
                            view! {
                                <PagedTable testid="results" first=res.rows more key=|r| r.number
                                    row=|r| view! { <ResultRow row=r/> }>
                                    <HeaderRow columns=RESULT_COLUMNS/>
                                </PagedTable>
                            }.into_any()
                        }}
                    </div>
                }.into_any(),
            }/>
    }
}

#[component]
fn ResultRow(row: CaseRow) -> impl IntoView {
    let lang = use_lang();
    let ty = row.case_type;
    view! {
        <tr>
            <CaseOpenedCells number_display=row.number_display opened_at=row.opened_at/>
            <td data-label=move || Msg::TipoCaso.text(lang.get())>{move || case_type_name(ty, lang.get())}</td>
            <td data-label=move || Msg::Materia.text(lang.get())>{row.subject}</td>
            <td data-label=move || Msg::Titulo.text(lang.get())>{row.title}</td>
            <StateCell state=row.state substate=row.substate/>
            <td data-label=move || Msg::UsuarioAlta.text(lang.get())>{row.opened_by}</td>
        </tr>
    }
}
