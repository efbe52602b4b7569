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

/// The problems to show: those the page found in what was typed, else those of the server's
/// answer (e.g. to a search that came in the URL).
pub fn typed_or_answered<T>(
    typed: RwSignal<Vec<FieldError>>,
    answer: Resource<Result<T, AppError>>,
) -> Signal<Vec<FieldError>>
where
    T: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        let typed = typed.get();
        if !typed.is_empty() {
            return typed;
        }
        match answer.get() {
            Some(Err(AppError::Invalid(e))) => e,
            _ => Vec::new(),
        }
    })
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

/// Runs `f` with each answer of `action` as it arrives (in the browser), once per answer:
/// not for an answer given before this was set up (a view rebuilt after a reload does not see
/// the old answer again), and what `f` reads is not tracked. For what an answer does beyond
/// showing itself: navigating, clearing a form, keeping a message.
pub fn on_answer<S>(action: ServerAction<S>, f: impl Fn(Result<S::Output, S::Error>) + 'static)
where
    S: server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            if let Some(answer) = action.value().get_untracked() {
                untrack(|| f(answer));
            }
        },
        false,
    );
}

/// How many times `action` went through. As a resource's source, the resource reloads after
/// each change that succeeded, and not after a refused one (what is on screen, typed values
/// included, stays).
pub fn successes<S>(action: ServerAction<S>) -> Memo<usize>
where
    S: server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    Memo::new(move |last: Option<&usize>| {
        let version = action.version().get();
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            version
        } else {
            last.copied().unwrap_or(0)
        }
    })
}

/// Above a form whose send was refused: how many fields need attention and a link to each
/// (`role=alert`, announced when it appears). A link moves the focus to its field; the text is
/// the field's label, read from the page, and the problem.
#[component]
pub fn ErrorSummary(#[prop(into)] errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        let errors = errors.get();
        (!errors.is_empty()).then(|| {
            let items = errors
                .into_iter()
                .map(|e| {
                    let id = format!("err-{}", e.field.replace('.', "-"));
                    let label = field_label(&id);
                    let text = field_problem_text(&e.problem, lang.get());
                    let target = id.clone();
                    view! {
                        <li>
                            <a href=format!("#{id}") on:click=move |ev| {
                                if focus_field(&target) {
                                    ev.prevent_default();
                                }
                            }>
                                {label.map(|l| format!("{l}: "))}{text}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="alert alert-error error-summary" role="alert" data-testid="error-summary">
                    <p><strong>{move || casia_domain::Msg::ErrValidation.text(lang.get())}</strong></p>
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

/// The control a field message belongs to: the one it describes, else the first control of
/// its `.field` box.
#[cfg(feature = "hydrate")]
fn control_of(message_id: &str) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    if let Ok(Some(el)) = document.query_selector(&format!("[aria-describedby~='{message_id}']")) {
        return Some(el);
    }
    let message = document.get_element_by_id(message_id)?;
    let field = message.closest(".field").ok()??;
    field.query_selector("input, select, textarea").ok()?
}

/// The visible label of the field whose message has `message_id` (browser only).
fn field_label(message_id: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let control = control_of(message_id)?;
        let from_label = control
            .dyn_ref::<web_sys::HtmlInputElement>()
            .and_then(|i| i.labels())
            .or_else(|| {
                control
                    .dyn_ref::<web_sys::HtmlSelectElement>()
                    .map(|s| s.labels())
            })
            .or_else(|| {
                control
                    .dyn_ref::<web_sys::HtmlTextAreaElement>()
                    .map(|t| t.labels())
            })
            .and_then(|list| list.get(0))
            .and_then(|l| l.text_content());
        let text = from_label.or_else(|| {
            control
                .closest("fieldset")
                .ok()
                .flatten()
                .and_then(|f| f.query_selector("legend").ok().flatten())
                .and_then(|l| l.text_content())
        })?;
        let text = text.replace("(*)", "");
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message_id;
        None
    }
}

/// Moves the focus to the field of a message; whether there was one.
fn focus_field(message_id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) =
            control_of(message_id).and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok())
        {
            return el.focus().is_ok();
        }
    }
    let _ = message_id;
    false
}
