//! `Solicitar Anulación` (guide §4.2.2).

use casia_domain::dto::CaseDetail;
use casia_domain::{Action, Msg, Role, Substate};
use leptos::prelude::*;

use super::{WithCase, case_resource};
use crate::components::{ErrorBanner, Guarded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "request_cancellation")]
pub async fn request_cancellation(
    number: String,
    reason: String,
    version: i32,
) -> Result<Substate, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::user_actions::request_cancellation(&services(), &c, n, &reason, version)
        .await
        .map_err(fail)
}

/// `Solicitar Anulación` (guide §4.2.2).
#[component]
pub fn CancelPage() -> impl IntoView {
    let detail = case_resource();
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail children=move |d| view! { <CancelView detail=d/> }/>
        }/>
    }
}

#[component]
fn CancelView(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Substate>);
    let failure = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let number = detail.number_display.clone();
    let version = detail.version;
    let immediate = detail.substate == Substate::Presentado;
    let allowed = detail.allowed.contains(&Action::RequestCancellation);
    let back = format!("/casia/casos/{}", detail.number_display);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = number.clone();
        pending.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match request_cancellation(number, reason.get_untracked(), version).await {
                Ok(s) => outcome.set(Some(s)),
                Err(e) => failure.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="panel">
            <h1>{t(Msg::SolicitarAnulacion)}" "<span class="num">{detail.number_display.clone()}</span></h1>
            {move || match outcome.get() {
                Some(Substate::Anulado) => view! {
                    <div class="alert alert-success" role="status" data-testid="cancel-outcome">{t(Msg::AnuladoAutomaticamente)}</div>
                }.into_any(),
                Some(_) => view! {
                    <div class="alert alert-success" role="status" data-testid="cancel-outcome">{t(Msg::AnulacionRegistrada)}</div>
                }.into_any(),
                None => ().into_any(),
            }}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <Show when=move || outcome.get().is_none()>
                {if !allowed {
                    view! { <div class="alert alert-warning" role="status">{t(Msg::AnulacionNoPosible)}</div> }.into_any()
                } else {
                    view! {
                        <p>{t(if immediate { Msg::AnulacionExplicaInmediata } else { Msg::AnulacionExplicaPendiente })}</p>
                        <form class="form" on:submit=submit.clone() novalidate>
                            <div class="field">
                                <label for="reason">{t(Msg::MotivoOpcional)}</label>
                                <textarea id="reason" rows="4" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                            </div>
                            <div class="actions">
                                <button type="submit" class="button button-danger" disabled=move || pending.get()>{t(Msg::ConfirmarAnulacion)}</button>
                            </div>
                        </form>
                    }.into_any()
                }}
            </Show>
            <div class="actions"><a class="button button-secondary" href=back>{move || Msg::VolverAlCaso.text(lang.get())}</a></div>
        </div>
    }
}
