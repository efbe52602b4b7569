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
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Autorizado], &number).await?;
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
    let cancel = ServerAction::<RequestCancellation>::new();
    let pending = cancel.pending();
    let outcome = Signal::derive(move || cancel.value().get().and_then(|r| r.ok()));
    // The last attempt's error, gone while a new one is on its way.
    let failure = Signal::derive(move || {
        (!pending.get())
            .then(|| cancel.value().get().and_then(|r| r.err()))
            .flatten()
    });
    let number = StoredValue::new(detail.number_display.clone());
    let version = detail.version;
    let immediate = detail.substate == Substate::Presentado;
    let allowed = detail.user_may(Action::RequestCancellation);
    let back = format!("/casia/casos/{}", detail.number_display);
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
            <ErrorBanner error=failure/>
            <Show when=move || outcome.get().is_none()>
                {if !allowed {
                    view! { <div class="alert alert-warning" role="status">{t(Msg::AnulacionNoPosible)}</div> }.into_any()
                } else {
                    view! {
                        <p>{t(if immediate { Msg::AnulacionExplicaInmediata } else { Msg::AnulacionExplicaPendiente })}</p>
                        <ActionForm action=cancel attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="number" value=number.get_value()/>
                            <input type="hidden" name="version" value=version/>
                            <div class="field">
                                <label for="reason">{t(Msg::MotivoOpcional)}</label>
                                <textarea id="reason" name="reason" rows="4"></textarea>
                            </div>
                            <div class="actions">
                                <button type="submit" class="button button-danger" disabled=move || pending.get()>{t(Msg::ConfirmarAnulacion)}</button>
                            </div>
                        </ActionForm>
                    }.into_any()
                }}
            </Show>
            <div class="actions"><a class="button button-secondary" href=back>{move || Msg::VolverAlCaso.text(lang.get())}</a></div>
        </div>
    }
}
