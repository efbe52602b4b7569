//! `Buscar en los casos` in `Gestión de Casos`, beside the guide's two options: words searched
//! in the authorisation's cases (never in the administration's internal notes), ranked, with
//! the matching fragment. The words live in the URL (`/casia/casos?texto=…`).

use casia_domain::dto::{CaseRow, TextHit, UserTextResults};
use casia_domain::i18n::case_type_name;
use casia_domain::{FieldError, FieldProblem, Msg};
use leptos::Params;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query};
use leptos_router::params::Params;

use crate::components::Loaded;
use crate::components::case_cells::{CaseOpenedCells, HeaderRow, StateCell};
use crate::components::forms::typed_or_answered;
use crate::components::fragment::Fragment;
use crate::components::input_field::InputField;
use crate::components::more_rows::{MoreRows, PagedTable, first_page};
use crate::context::{t, use_lang};
use crate::error::AppError;
use crate::url::{non_empty, with_query};

#[server(endpoint = "search_my_case_texts")]
pub async fn search_my_case_texts(
    text: String,
    cursor: Option<String>,
) -> Result<UserTextResults, AppError> {
    use crate::server::{fail, require, services};
    use casia_domain::Role;
    let c = require(&[Role::Autorizado]).await?;
    casia_services::cases::full_text::search_for_user(&services().db, &c, &text, cursor.as_deref())
        .await
        .map_err(fail)
}

#[derive(Params, Clone, Debug, Default, PartialEq)]
struct TextUrl {
    texto: Option<String>,
}

/// The results table's columns.
const HIT_COLUMNS: &[Msg] = &[
    Msg::NumeroCaso,
    Msg::FechaHoraAlta,
    Msg::TipoCaso,
    Msg::Titulo,
    Msg::Coincidencia,
    Msg::Estado,
];

#[component]
pub fn UserTextSearch() -> impl IntoView {
    let navigate = use_navigate();
    let url = use_query::<TextUrl>();
    let searched =
        Memo::new(move |_| url.with(|u| u.as_ref().ok().and_then(|u| non_empty(u.texto.clone()))));
    let results = first_page(searched, search_my_case_texts);
    let text = RwSignal::new(searched.get_untracked().unwrap_or_default());
    let typed_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = typed_or_answered(typed_errors, results);
    let more = MoreRows::of_search(searched, results, search_my_case_texts, |p| {
        (p.hits, p.next)
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let words = text.get_untracked();
        if words.trim().is_empty() {
            typed_errors.set(vec![FieldError::new("text", FieldProblem::Required)]);
            return;
        }
        typed_errors.set(Vec::new());
        navigate(
            &with_query("/casia/casos", [("texto", Some(words.as_str()))]),
            Default::default(),
        );
    };
    view! {
        <h2 class="section-title">{t(Msg::BuscarEnCasos)}</h2>
        <p id="texto-ayuda">{t(Msg::TextSearchHint)}</p>
        <form class="form inline-search" role="search" on:submit=submit novalidate>
            <InputField id="texto" label=Msg::PalabrasBuscar field="text" kind="search" required=true
                maxlength="200" hint="texto-ayuda" value=text errors/>
            <div class="actions"><button type="submit" class="button" data-testid="buscar-texto">{t(Msg::Buscar)}</button></div>
        </form>
        <Loaded resource=results keep=true children=move |r| match r {
            None => ().into_any(),
            Some(res) if res.hits.is_empty() => view! {
                <div aria-live="polite"><p data-testid="no-text-results">{t(Msg::SinResultados)}</p></div>
            }.into_any(),
            Some(res) => view! {
                <div aria-live="polite">
                    <h3>{t(Msg::Resultados)}</h3>
                    <PagedTable testid="text-results" first=res.hits more key=|h| h.row.number
                        row=|h| view! { <HitRow hit=h/> }>
                        <HeaderRow columns=HIT_COLUMNS/>
                    </PagedTable>
                </div>
            }.into_any(),
        }/>
    }
}

#[component]
fn HitRow(hit: TextHit<CaseRow>) -> impl IntoView {
    let lang = use_lang();
    let TextHit { row, fragment } = hit;
    let ty = row.case_type;
    view! {
        <tr>
            <CaseOpenedCells number_display=row.number_display opened_at=row.opened_at/>
            <td data-label=move || Msg::TipoCaso.text(lang.get())>{move || case_type_name(ty, lang.get())}" · "{row.subject}</td>
            <td data-label=move || Msg::Titulo.text(lang.get())>{row.title}</td>
            <td data-label=move || Msg::Coincidencia.text(lang.get())><Fragment parts=fragment/></td>
            <StateCell state=row.state substate=row.substate/>
        </tr>
    }
}
