//! Plazos on the pages: a deadline with its status, for the queues and both case pages.

use casia_domain::Msg;
use casia_domain::deadlines::DeadlineStatus;
use casia_domain::dto::DeadlineView;
use casia_domain::i18n::deadline_status_name;
use leptos::prelude::*;

use crate::context::{t, use_lang};

fn status_class(s: DeadlineStatus) -> &'static str {
    match s {
        DeadlineStatus::EnPlazo => "state-pill deadline-ok",
        DeadlineStatus::ProximoAVencer => "state-pill state-attention",
        DeadlineStatus::Vencido => "state-pill deadline-late",
        DeadlineStatus::Suspendido => "state-pill state-cerrado",
    }
}

/// `En plazo` / `Próximo a vencer` / `Vencido` / `Plazo suspendido`.
#[component]
pub fn DeadlineStatusPill(status: Option<DeadlineStatus>) -> impl IntoView {
    let lang = use_lang();
    status.map(|s| {
        view! {
            <span class=status_class(s) data-testid="deadline-status" data-status=s.code()>
                {move || deadline_status_name(s, lang.get())}
            </span>
        }
    })
}

/// The queue's cell: the date and its status.
#[component]
pub fn DeadlineCell(deadline: DeadlineView) -> impl IntoView {
    view! {
        <span class="num" data-testid="deadline-date">{deadline.resolution_deadline.display()}</span>
        " "
        <DeadlineStatusPill status=deadline.status/>
    }
}

/// The case's deadlines. Processors also see the suspended and remaining business days.
#[component]
pub fn CaseDeadlines(deadline: DeadlineView, processor: bool) -> impl IntoView {
    let d = deadline;
    let open = d.status.is_some();
    view! {
        <dl class="dl-grid deadlines" data-testid="case-deadlines">
            <div>
                <dt>{t(Msg::FechaLimiteResolucion)}</dt>
                <dd><span class="num" data-testid="resolution-deadline">{d.resolution_deadline.display()}</span>" "<DeadlineStatusPill status=d.status/></dd>
            </div>
            {d.answer_deadline.map(|a| view! {
                <div>
                    <dt>{t(Msg::FechaLimiteAportar)}</dt>
                    <dd><span class="num" data-testid="answer-deadline">{a.display()}</span>" "<DeadlineStatusPill status=d.answer_status/></dd>
                </div>
            })}
            {(processor && open).then(|| view! {
                <div><dt>{t(Msg::DiasRestantes)}</dt><dd class="num" data-testid="days-left">{d.days_left}</dd></div>
                <div><dt>{t(Msg::DiasSuspendidos)}</dt><dd class="num" data-testid="suspended-days">{d.suspended_days}</dd></div>
            })}
        </dl>
    }
}
