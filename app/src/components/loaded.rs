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
    view! { <div class="alert alert-error" role="alert">{move || error.message(lang.get())}</div> }
}
