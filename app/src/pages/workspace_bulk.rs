//! Bulk actions in the queues: pick cases with their checkboxes (each labelled with its case
//! number, so keyboards and screen readers can use them), then take, assign or escalate them
//! all. Each case is done on its own, at the version the queue showed; the answer lists every
//! case as done, or not done and why.

use casia_domain::dto::{BulkCase, BulkInput};
use casia_domain::i18n::action_name;
use casia_domain::model::case_number;
use casia_domain::{Action, Msg};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::context::{t, use_lang};
use crate::error::AppError;

/// One case's answer: done when `error` is none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub number: i64,
    pub error: Option<AppError>,
}

#[server(endpoint = "bulk_queue_action", input = Json)]
pub async fn bulk_queue_action(input: BulkInput) -> Result<Vec<BulkOutcome>, AppError> {
    use crate::server::{fail, require, services};
    use casia_domain::Role;
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    let results = casia_services::cases::processor::bulk_act(&services(), &c, &input)
        .await
        .map_err(fail)?;
    Ok(results
        .into_iter()
        .map(|(number, r)| BulkOutcome {
            number,
            error: r.err().map(AppError::from),
        })
        .collect())
}

#[server(endpoint = "get_assignable_staff")]
pub async fn get_assignable_staff() -> Result<Vec<(i64, String)>, AppError> {
    use crate::server::{fail, require, services};
    use casia_domain::Role;
    let c = require(&[Role::Tramitador, Role::Supervisor]).await?;
    casia_services::cases::processor::assignable_staff(&services().db, &c)
        .await
        .map_err(fail)
}

const BULK_ACTIONS: [Action; 3] = [Action::Take, Action::Assign, Action::Escalate];

/// The checkbox of a queue row.
#[component]
pub fn PickCase(picked: RwSignal<Vec<BulkCase>>, case: BulkCase) -> impl IntoView {
    let lang = use_lang();
    let number = case.number;
    let label = move || {
        format!(
            "{} {}",
            Msg::SeleccionarCaso.text(lang.get()),
            case_number::format(number)
        )
    };
    view! {
        <input type="checkbox" class="pick" data-testid="pick-case" aria-label=label
            prop:checked=move || picked.with(|p| p.iter().any(|c| c.number == number))
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                picked.update(|p| {
                    p.retain(|c| c.number != number);
                    if on { p.push(case.clone()); }
                });
            }/>
    }
}

/// The "every case shown" checkbox of the queue's header.
#[component]
pub fn PickAll(picked: RwSignal<Vec<BulkCase>>, shown: Signal<Vec<BulkCase>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <input type="checkbox" class="pick" data-testid="pick-all"
            aria-label=move || Msg::SeleccionarPagina.text(lang.get())
            prop:checked=move || { let s = shown.get(); !s.is_empty() && picked.with(|p| p.len() == s.len()) }
            on:change=move |ev| picked.set(if event_target_checked(&ev) { shown.get_untracked() } else { Vec::new() })/>
    }
}

/// The action bar over the queue, and each case's answer after it ran. `done` runs after an
/// action (the queue reloads).
#[component]
pub fn BulkBar(picked: RwSignal<Vec<BulkCase>>, done: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let action = RwSignal::new(Action::Take.code().to_owned());
    let target = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let staff = Resource::new(|| (), |_| get_assignable_staff());
    let outcomes = RwSignal::new(None::<Result<Vec<BulkOutcome>, AppError>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = BulkInput {
            action: action.get_untracked(),
            cases: picked.get_untracked(),
            target_user_id: target.get_untracked().parse().ok(),
            text: reason.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = bulk_queue_action(input).await;
            if r.is_ok() {
                picked.set(Vec::new());
                done.run(());
            }
            outcomes.set(Some(r));
            busy.set(false);
        });
    };
    view! {
        <form class="form inline-search bulk" on:submit=submit aria-labelledby="bulk-title" data-testid="bulk-bar">
            <h2 id="bulk-title" class="visually-hidden">{t(Msg::AccionSeleccionados)}</h2>
            <p class="muted" aria-live="polite">{t(Msg::CasosSeleccionados)}": "<span data-testid="picked-count">{move || picked.with(Vec::len)}</span></p>
            <div class="field">
                <label for="bulk-accion">{t(Msg::AccionSeleccionados)}</label>
                <select id="bulk-accion" on:change=move |ev| action.set(event_target_value(&ev))>
                    {BULK_ACTIONS.into_iter().map(|a| view! {
                        <option value=a.code() selected=move || action.get() == a.code()>{move || action_name(a, lang.get())}</option>
                    }).collect_view()}
                </select>
            </div>
            <Show when=move || action.get() == Action::Assign.code()>
                <div class="field">
                    <label for="bulk-tramitador">{t(Msg::Tramitador)}</label>
                    <select id="bulk-tramitador" on:change=move |ev| target.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        <Suspense fallback=|| ()>
                            {move || staff.get().and_then(|r| r.ok()).map(|list| list.into_iter().map(|(id, name)| {
                                let v = id.to_string();
                                view! { <option value=v.clone() selected=move || target.get() == v>{name}</option> }
                            }).collect_view())}
                        </Suspense>
                    </select>
                </div>
            </Show>
            <Show when=move || action.get() == Action::Escalate.code()>
                <div class="field">
                    <label for="bulk-motivo">{t(Msg::MotivoOpcional)}</label>
                    <input id="bulk-motivo" type="text" maxlength="4000"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                </div>
            </Show>
            <div class="actions">
                <button type="submit" class="button" data-testid="bulk-apply"
                    disabled=move || busy.get() || picked.with(Vec::is_empty)>{t(Msg::Aplicar)}</button>
            </div>
        </form>
        {move || outcomes.get().map(|r| match r {
            Err(e) => view! { <p class="alert alert-error" role="alert">{e.message(lang.get())}</p> }.into_any(),
            Ok(list) => view! {
                <div role="status" data-testid="bulk-results">
                    <h3>{t(Msg::ResultadoAccionMasiva)}</h3>
                    <ul class="bulk-results">
                        {list.into_iter().map(|o| {
                            let n = case_number::format(o.number);
                            match o.error {
                                None => view! { <li class="ok"><span class="num">{n}</span>": "{t(Msg::Realizado)}</li> }.into_any(),
                                Some(e) => view! {
                                    <li class="refused"><span class="num">{n}</span>": "{t(Msg::NoRealizado)}" — "{move || e.message(lang.get())}</li>
                                }.into_any(),
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }.into_any(),
        })}
    }
}
