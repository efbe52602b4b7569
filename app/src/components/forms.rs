//! Messages next to form fields and above forms.

use casia_domain::FieldError;
use casia_domain::i18n::field_problem_text;
use casia_domain::validation::problem_for;
use leptos::prelude::*;

use crate::context::use_lang;
use crate::error::AppError;

/// The message for one field, if it has a problem; `id` lets the input point at it with
/// `aria-describedby`.
#[component]
pub fn FieldMessage(
    #[prop(into)] field: String,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("err-{}", field.replace('.', "-"));
    move || {
        problem_for(&errors.get(), &field).map(|p| {
            view! {
                <p class="field-error" id=id.clone() data-field=field.clone()>{field_problem_text(p, lang.get())}</p>
            }
        })
    }
}

/// The error of the last attempt, as a banner (`role=alert` so screen readers announce it).
#[component]
pub fn ErrorBanner(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        {move || error.get().map(|e| view! {
            <div class="alert alert-error" role="alert" data-testid="error-banner">{e.message(lang.get())}</div>
        })}
    }
}

/// Whether a field currently has a problem (for `aria-invalid` and styling).
pub fn has_problem(errors: &[FieldError], field: &str) -> bool {
    problem_for(errors, field).is_some()
}

/// False until this page is interactive in the browser (always false on the server).
/// Forms that need the browser code are disabled until then: typing before hydration would
/// be overwritten by it, and a native submit would reload the page and lose the input.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
