//! One labelled text input with its field message: the box most forms repeat.

use casia_domain::{FieldError, Msg};
use leptos::prelude::*;

use super::FieldMessage;
use super::forms::has_problem;
use crate::context::t;

/// `<div class="field">` with a label, an input bound to `value`, and the message of the
/// problem `field` has in `errors` (the input is `aria-invalid` then, and points at it).
#[component]
pub fn InputField(
    #[prop(into)] id: String,
    label: Msg,
    /// The field's name in `errors`.
    field: &'static str,
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    /// Marked `(*)`.
    #[prop(optional)]
    required: bool,
    /// Spans the whole row of the form's grid.
    #[prop(optional)]
    wide: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The id of a hint the input is also described by (before its message).
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let described_by = match hint {
        Some(hint) => format!("{hint} err-{field}"),
        None => format!("err-{field}"),
    };
    view! {
        <div class=if wide { "field field-wide" } else { "field" }>
            <label for=id.clone()>{t(label)}{required.then(|| view! { <span class="req" aria-hidden="true">"(*)"</span> })}</label>
            <input id=id type=kind inputmode=inputmode maxlength=maxlength autocomplete=autocomplete aria-describedby=described_by
                aria-invalid=move || has_problem(&errors.get(), field).to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <FieldMessage field errors/>
        </div>
    }
}

/// `<div class="field">` with a label, a textarea bound to `value` (its id is also the
/// field's name in `errors`), the field's message and, with `max`, a count of the characters
/// typed.
#[component]
pub fn TextAreaField(
    id: &'static str,
    label: Msg,
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    rows: &'static str,
    /// Marked `(*)` and `aria-required`.
    #[prop(optional)]
    required: bool,
    #[prop(optional)] max: Option<usize>,
) -> impl IntoView {
    let described_by = match max {
        Some(_) => format!("err-{id} {id}-count"),
        None => format!("err-{id}"),
    };
    let count = move || value.with(|v| v.chars().count());
    view! {
        <div class="field">
            <label for=id>{t(label)}{required.then(|| view! { <span class="req" aria-hidden="true">"(*)"</span> })}</label>
            <textarea id=id name=id aria-required=required.then_some("true") rows=rows
                aria-invalid=move || has_problem(&errors.get(), id).to_string()
                aria-describedby=described_by
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            {max.map(|max| view! { <p class="counter" id=format!("{id}-count")>{count}" / "{max}</p> })}
            <FieldMessage field=id errors/>
        </div>
    }
}
