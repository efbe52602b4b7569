//! The cells a user's case shows in a results table (Opción 2, `Buscar en los casos`).

use casia_domain::i18n::{state_name, substate_name};
use casia_domain::{Msg, State, Substate};
use leptos::prelude::*;

use crate::context::{t, use_lang};

/// A table's header row: one column per label.
#[component]
pub fn HeaderRow(columns: &'static [Msg]) -> impl IntoView {
    view! {
        <tr>{columns.iter().map(|&label| view! { <th scope="col">{t(label)}</th> }).collect_view()}</tr>
    }
}

/// The case's number, linking to it, and when it was opened.
#[component]
pub fn CaseOpenedCells(number_display: String, opened_at: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <td data-label=move || Msg::NumeroCaso.text(lang.get())>
            <a href=format!("/casia/casos/{number_display}") class="num strong">{number_display.clone()}</a>
        </td>
        <td data-label=move || Msg::FechaHoraAlta.text(lang.get()) class="num">{opened_at}</td>
    }
}

/// The case's state and substate as a pill (marked once closed).
#[component]
pub fn StateCell(state: State, substate: Substate) -> impl IntoView {
    let lang = use_lang();
    let closed = state == State::Cerrado;
    view! {
        <td data-label=move || Msg::Estado.text(lang.get())>
            <span class="state-pill" class:state-cerrado=closed>
                {move || format!("{} / {}", state_name(state, lang.get()), substate_name(substate, lang.get()))}
            </span>
        </td>
    }
}
