//! The case's detail screen (guide §4.2.1).

use casia_domain::dto::{CaseDetail, MessageKind};
use casia_domain::{Action, Msg, Role, State, Substate};
use leptos::prelude::*;

use super::{WithCase, case_resource};
use crate::components::Guarded;
use crate::components::case_view::{CaseFields, CaseRecords, back_in_history};
use crate::components::deadline::CaseDeadlines;
use crate::context::{t, use_lang};

#[component]
pub fn CaseDetailPage() -> impl IntoView {
    let detail = case_resource();
    view! {
        <Guarded roles=&[Role::Autorizado] children=move |_| view! {
            <WithCase detail children=move |d| view! { <CaseDetailView detail=d/> }/>
        }/>
    }
}

#[component]
fn CaseDetailView(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let d = detail;
    let base = format!("/casia/casos/{}", d.number_display);
    let can = |a: Action| d.user_may(a);
    let last_request = d.last_request();
    let attention = match d.substate {
        Substate::SolicitadaInformacion => Some(Msg::AvisoSolicitadaInformacion),
        Substate::SolicitadaReclasificacion => Some(Msg::AvisoSolicitadaReclasificacion),
        _ => None,
    };
    let rejection = d
        .messages
        .iter()
        .rev()
        .find(|m| m.kind == MessageKind::CancellationRejection)
        .map(|m| m.body.clone());
    view! {
        <div class="panel">
            <h1>{t(Msg::DetalleCaso)}" "<span class="num">{d.number_display.clone()}</span></h1>
            {attention.map(|m| view! {
                <div class="alert alert-warning" role="status" data-testid="attention">
                    <p><strong>{t(m)}</strong></p>
                    {last_request.clone().map(|r| view! { <p class="prewrap">{r}</p> })}
                </div>
            })}
            {d.status.cancellation_pending.then(|| view! {
                <div class="alert alert-info" role="status" data-testid="cancellation-pending">{t(Msg::AnulacionPendiente)}</div>
            })}
            {(d.state == State::Abierto && !d.status.cancellation_pending).then(|| rejection.clone()).flatten().map(|r| view! {
                <div class="alert alert-info" role="status">
                    <p><strong>{t(Msg::AnulacionRechazada)}</strong></p>
                    <p class="prewrap">{r}</p>
                </div>
            })}
            {d.resolution.clone().map(|r| view! {
                <div class="alert alert-success" data-testid="resolution">
                    <h2>{t(Msg::Resolucion)}</h2>
                    <p class="prewrap">{r}</p>
                    {d.resolved_at.clone().map(|at| view! { <p class="small muted">{at}</p> })}
                </div>
            })}
            <h2 class="section-title">{t(Msg::InformacionCaso)}</h2>
            <CaseFields detail=d.clone()/>
            <CaseDeadlines deadline=d.deadlines.clone() processor=false/>
            <CaseRecords detail=d.clone()/>
            {d.rating.clone().map(|r| view! {
                <h2 class="section-title">{t(Msg::Valoracion)}</h2>
                <p data-testid="rating">{move || format!("{}: {} / 5", Msg::Puntuacion.text(lang.get()), r.score)}</p>
                {(!r.observations.is_empty()).then(|| view! { <p class="prewrap">{r.observations.clone()}</p> })}
            })}
            <div class="actions">
                <a class="button button-secondary" href="/casia/casos" on:click=back_in_history>{t(Msg::Atras)}</a>
                {can(Action::ModifyInformation).then(|| view! { <a class="button" href=format!("{base}/modificar")>{t(Msg::ModificarInformacion)}</a> })}
                {can(Action::RequestCancellation).then(|| view! { <a class="button button-secondary" href=format!("{base}/anular")>{t(Msg::SolicitarAnulacion)}</a> })}
                <a class="button button-secondary" href=format!("{base}/historico")>{t(Msg::ConsultaHistorico)}</a>
                {can(Action::Rate).then(|| view! { <a class="button" href=format!("{base}/valorar")>{t(Msg::Valoracion)}</a> })}
            </div>
        </div>
    }
}
