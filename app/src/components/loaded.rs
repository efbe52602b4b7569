//! Waiting for a page's data: the loading text while it comes, then the content or the error.

use casia_domain::Msg;
use leptos::prelude::*;

use crate::context::{t, use_lang};
use crate::error::AppError;

/// Renders `children` with the value of `resource` once it has loaded; the loading text
/// meanwhile; the error as an alert if it failed. `keep` keeps the previous content on screen
/// while the resource reloads (a `Transition`, for lists that change with a filter); without
/// it, a `Suspense`. `back` turns a failure into the page's answer: its HTTP status on the
/// server, and a link (`href`, label) under the alert.
#[component]
pub fn Loaded<T, F, IV>(
    resource: Resource<Result<T, AppError>>,
    children: F,
    #[prop(optional)] keep: bool,
    #[prop(optional)] back: Option<(&'static str, Msg)>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let children = std::sync::Arc::new(children);
    let content = move || {
        let children = children.clone();
        resource.get().map(move |r| match r {
            Ok(value) => children(value).into_any(),
            Err(e) => match back {
                None => view! { <ErrorAlert error=e/> }.into_any(),
                Some((href, label)) => {
                    #[cfg(feature = "ssr")]
                    crate::server::set_page_status(e.status());
                    view! {
                        <div class="panel">
                            <ErrorAlert error=e/>
                            <a class="button button-secondary" href=href>{t(label)}</a>
                        </div>
                    }
                    .into_any()
                }
            },
        })
    };
    let fallback = move || view! { <p class="loading">{t(Msg::Loading)}</p> };
    if keep {
        view! { <Transition fallback>{content}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback>{content}</Suspense> }.into_any()
    }
}

/// A failure that replaces what could not be shown (`role=alert`).
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let lang = use_lang();
    let internal = error == AppError::Internal;
    view! {
        <div class="alert alert-error" role="alert">
            {move || error.message(lang.get())}
            {internal.then(|| view! { <IncidentReference/> })}
        </div>
    }
}

/// Under a service error rendered on the server: its request's id, which the server's logs
/// carry, to quote to the help desk. The browser gets the same value with the page (hydration
/// sees what was rendered); an error met in the browser later has none to show.
#[component]
pub fn IncidentReference() -> impl IntoView {
    let reference = SharedValue::new(request_id).into_inner();
    reference.map(|id| {
        view! {
            <p class="error-reference" data-testid="error-reference">
                {t(Msg::ErrReference)}" "<code>{id}</code>
            </p>
        }
    })
}

#[cfg(feature = "ssr")]
fn request_id() -> Option<String> {
    crate::server::request_id()
}

#[cfg(not(feature = "ssr"))]
fn request_id() -> Option<String> {
    None
}
