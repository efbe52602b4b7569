//! Guide §3: with several authorisations the user picks one by its number; with one this
//! page is skipped (the login chooses it).

use casia_domain::{Msg, Role};
use leptos::prelude::*;

use crate::auth::{ChooseAuthorisation, my_authorisations};
use crate::components::{ErrorBanner, Guarded, Loaded};
use crate::context::t;
use crate::error::AppError;

#[component]
pub fn PickerPage() -> impl IntoView {
    // Resources live at the page's top level: a guard may re-render its content.
    let list = Resource::new(|| (), |_| my_authorisations());
    view! {
        <Guarded roles=&[Role::Autorizado] picker=true children=move |_| view! { <PickerList list/> }/>
    }
}

#[component]
fn PickerList(
    list: Resource<Result<Vec<casia_domain::dto::AuthorisationView>, AppError>>,
) -> impl IntoView {
    let choose = ServerAction::<ChooseAuthorisation>::new();
    let error = Signal::derive(move || choose.value().get().and_then(|r| r.err()));
    view! {
        <div class="panel">
            <h1>{t(Msg::PickerTitle)}</h1>
            <p class="lead">{t(Msg::PickerIntro)}</p>
            <ErrorBanner error=error/>
            <Loaded resource=list children=move |r| match r {
                    items if items.is_empty() => view! { <div class="alert alert-info">{t(Msg::NoAuthorisation)}</div> }.into_any(),
                    items => view! {
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t(Msg::NumAutorizacion)}</th>
                                    <th scope="col">{t(Msg::RazonSocial)}</th>
                                    <th scope="col">{t(Msg::Nif)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {items.into_iter().map(|a| view! {
                                    <tr>
                                        <td>
                                            <ActionForm action=choose attr:class="inline-form">
                                                <input type="hidden" name="authorisation_id" value=a.id/>
                                                <button type="submit" class="link-button strong" data-testid="pick-authorisation">
                                                    {a.number.clone()}
                                                </button>
                                            </ActionForm>
                                            {a.is_main_user.then(|| view! { <span class="tag">{t(Msg::MainUser)}</span> })}
                                        </td>
                                        <td>{a.company_name.clone()}</td>
                                        <td>{a.nif.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }/>
        </div>
    }
}
