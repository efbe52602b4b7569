//! `Valoración` (guide §4.2.4).

use casia_domain::dto::CaseDetail;
use casia_domain::validation::RATING_OBSERVATIONS_MAX;
use casia_domain::{Action, FieldError, Msg, Role};
use leptos::prelude::*;

use super::{WithCase, case_resource};
use crate::components::forms::on_answer;
use crate::components::{ErrorBanner, FieldMessage, Guarded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "rate_case")]
pub async fn rate_case(
    number: String,
    score: Option<i64>,
    observations: String,
) -> Result<(), AppError> {
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Autorizado], &number).await?;
    casia_services::cases::user_actions::rate(&services(), &c, n, score, &observations)
        .await
        .map_err(fail)
}

/// `Valoración` (guide §4.2.4): 1 (minimum) to 5 (maximum) and observations.
#[component]
pub fn RatingPage() -> impl IntoView {
    let detail = case_resource();
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail children=move |d| view! { <RatingView detail=d/> }/>
        }/>
    }
}

#[component]
fn RatingView(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let score = RwSignal::new(None::<i64>);
    let observations = RwSignal::new(String::new());
    let rate = ServerAction::<RateCase>::new();
    // Once thanked, the page stays thanked: an answer to a second click (a double click
    // sends before the button is disabled) is not shown beside it.
    let done = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let pending = rate.pending();
    on_answer(rate, move |answer| match answer {
        Ok(()) => {
            done.set(true);
            failure.set(None);
        }
        Err(e) if !done.get_untracked() => failure.set(Some(e)),
        Err(_) => {}
    });
    let submitted = RwSignal::new(false);
    let errors = Signal::derive(move || {
        if submitted.get() {
            casia_domain::validation::check_rating(score.get(), &observations.get())
                .err()
                .unwrap_or_default()
        } else {
            Vec::<FieldError>::new()
        }
    });
    let number = detail.number_display.clone();
    let back = format!("/casia/casos/{}", detail.number_display);
    let allowed = detail.allowed.contains(&Action::Rate);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if !errors.get_untracked().is_empty() || pending.get_untracked() || done.get_untracked() {
            return;
        }
        failure.set(None);
        rate.dispatch(RateCase {
            number: number.clone(),
            score: score.get_untracked(),
            observations: observations.get_untracked(),
        });
    };
    view! {
        <div class="panel">
            <h1>{t(Msg::Valoracion)}" "<span class="num">{detail.number_display.clone()}</span></h1>
            <ErrorBanner error=failure/>
            {move || done.get().then(|| view! { <div class="alert alert-success" role="status" data-testid="rating-done">{t(Msg::GraciasValoracion)}</div> })}
            <Show when=move || !done.get()>
                {if !allowed {
                    view! { <div class="alert alert-warning" role="status">{t(Msg::ValoracionNoPosible)}</div> }.into_any()
                } else {
                    view! {
                        <p>{t(Msg::ValoracionExplica)}</p>
                        <form class="form" on:submit=submit.clone() novalidate>
                            <fieldset class="field">
                                <legend>{t(Msg::Puntuacion)}<span class="req" aria-hidden="true">"(*)"</span></legend>
                                <div class="radio-row rating-row">
                                    {(1..=5).map(|n| view! {
                                        <label><input type="radio" name="score" value=n prop:checked=move || score.get() == Some(n) on:change=move |_| score.set(Some(n))/>{n}</label>
                                    }).collect_view()}
                                </div>
                                <FieldMessage field="score" errors=errors/>
                            </fieldset>
                            <div class="field">
                                <label for="observations">{t(Msg::Observaciones)}</label>
                                <textarea id="observations" rows="4" maxlength=RATING_OBSERVATIONS_MAX prop:value=move || observations.get() on:input=move |ev| observations.set(event_target_value(&ev))></textarea>
                                <FieldMessage field="observations" errors=errors/>
                            </div>
                            <div class="actions"><button type="submit" class="button" disabled=move || pending.get()>{t(Msg::EnviarValoracion)}</button></div>
                        </form>
                    }.into_any()
                }}
            </Show>
            <div class="actions"><a class="button button-secondary" href=back>{move || Msg::VolverAlCaso.text(lang.get())}</a></div>
        </div>
    }
}
