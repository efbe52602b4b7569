//! A search result's fragment: the matching words in `<mark>`. Every part is a text node,
//! so whatever the case's text contains is shown, never run.

use casia_domain::dto::FragmentPart;
use leptos::prelude::*;

#[component]
pub fn Fragment(parts: Vec<FragmentPart>) -> impl IntoView {
    view! {
        <span class="fragment" data-testid="fragment">
            {parts.into_iter().map(|p| if p.hit {
                view! { <mark>{p.text}</mark> }.into_any()
            } else {
                p.text.into_any()
            }).collect_view()}
        </span>
    }
}
