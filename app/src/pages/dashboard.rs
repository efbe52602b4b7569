//! The supervisor dashboard (README "Processors and supervisors"): open cases by substate, age
//! of the backlog, time to resolution, ratings, openings per day, and the deadlines (on-time
//! rate by month, cases at risk now, median business days to resolve). Charts are SVG drawn here,
//! each with a table equivalent for screen readers.

use casia_domain::dto::Dashboard;
use casia_domain::i18n::{decimal, substate_name};
use casia_domain::{Lang, Msg, Role};
use leptos::prelude::*;

use crate::components::{Guarded, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "get_dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Supervisor]).await?;
    casia_services::cases::processor::dashboard(&services().db, &c)
        .await
        .map_err(fail)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Guarded roles=&[Role::Supervisor] children=move |_| view! { <DashboardView data/> }/>
    }
}

fn age_label(code: &str, lang: Lang) -> &'static str {
    let (es, en) = match code {
        "lt1d" => ("< 1 día", "< 1 day"),
        "d1_3" => ("1–3 días", "1–3 days"),
        "d3_7" => ("3–7 días", "3–7 days"),
        "d7_30" => ("7–30 días", "7–30 days"),
        _ => ("> 30 días", "> 30 days"),
    };
    if lang == Lang::Es { es } else { en }
}

/// A horizontal bar chart with its data table (visually hidden) for assistive technology.
#[component]
fn BarChart(
    title: Msg,
    bars: Vec<(String, i64)>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    // Drawn at roughly its displayed size, so the text stays readable.
    let row_h = 26.0;
    // Wide enough for the longest label ("Solicitada Reclasificación") at 14 px.
    let longest = bars
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * 8.0 + 12.0).clamp(90.0, 260.0);
    let bar_w = 190.0;
    let height = row_h * bars.len() as f64 + 8.0;
    let view_box = format!("0 0 {} {height}", label_w + bar_w + 60.0);
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption><strong>{t(title)}</strong></figcaption>
            <svg viewBox=view_box role="img" aria-hidden="true" focusable="false">
                {bars.iter().enumerate().map(|(i, (label, value))| {
                    let y = 4.0 + i as f64 * row_h;
                    let w = (*value as f64 / max * bar_w).max(if *value > 0 { 2.0 } else { 0.0 });
                    view! {
                        <text x=label_w - 8.0 y=y + 18.0 text-anchor="end" font-size="14" fill="#414b55">{label.clone()}</text>
                        <rect x=label_w y=y + 4.0 width=w height=row_h - 10.0 rx="3" fill="#1a4f86"></rect>
                        <text x=label_w + w + 6.0 y=y + 18.0 font-size="14" fill="#1d2329">{value.to_string()}</text>
                    }
                }).collect_view()}
            </svg>
            <table class="visually-hidden">
                <caption>{t(title)}</caption>
                <tbody>
                    {bars.into_iter().map(|(l, v)| view! { <tr><th scope="row">{l}</th><td>{v}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

#[component]
fn DashboardView(data: Resource<Result<Dashboard, AppError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Loaded resource=data children=move |d| {
                    let l = lang.get();
                    let open_total: i64 = d.open_by_substate.iter().map(|(_, n)| n).sum();
                    let by_substate: Vec<(String, i64)> = d.open_by_substate.iter().map(|(s, n)| (substate_name(*s, l).to_owned(), *n)).collect();
                    let ages: Vec<(String, i64)> = d.backlog_age.iter().map(|(c, n)| (age_label(c, l).to_owned(), *n)).collect();
                    let ratings: Vec<(String, i64)> = d.ratings.iter().map(|(s, n)| (format!("{s} ★"), *n)).collect();
                    let per_day = d.opened_per_day.clone();
                    let hours = d.mean_hours_to_resolution.map(|h| if h < 48.0 { format!("{} h", decimal(h, 1, l)) } else { format!("{} d", decimal(h / 24.0, 1, l)) }).unwrap_or_else(|| "—".into());
                    let mean_rating = d.mean_rating.map(|r| decimal(r, 2, l)).unwrap_or_else(|| "—".into());
                    let f = d.deadlines.clone();
                    let median = f.median_business_days_to_resolve.map(|m| decimal(m, 1, l)).unwrap_or_else(|| "—".into());
                    // Plazos: the share of each month's resolved cases that met their deadline.
                    let on_time: Vec<(String, i64)> = f.on_time_by_month.iter().map(|(m, all, ok)| (format!("{m} ({all})"), if *all > 0 { ok * 100 / all } else { 0 })).collect();
                    view! {
                        <div class="panel">
                            <div class="panel-head">
                                <h1>{t(Msg::Dashboard)}</h1>
                                <a class="button button-secondary" href="/tramitacion">{t(Msg::WorkspaceTitle)}</a>
                            </div>
                            <div class="kpis">
                                <div class="kpi"><strong data-testid="kpi-open">{open_total}</strong>{t(Msg::CasosAbiertos)}</div>
                                <div class="kpi"><strong>{d.pending_cancellations}</strong>{t(Msg::AnulacionesPendientes)}</div>
                                <div class="kpi"><strong>{d.resolved_last_30_days}</strong>{t(Msg::Resueltos30Dias)}</div>
                                <div class="kpi"><strong data-testid="kpi-hours">{hours}</strong>{t(Msg::TiempoMedioResolucion)}</div>
                                <div class="kpi"><strong data-testid="kpi-rating">{mean_rating}</strong>{t(Msg::ValoracionMedia)}</div>
                                <div class="kpi"><strong data-testid="kpi-at-risk">{f.at_risk_now}</strong>{t(Msg::EnRiesgo)}</div>
                                <div class="kpi"><strong>{median}</strong>{t(Msg::MedianaDiasResolver)}</div>
                            </div>
                            <div class="charts">
                                <BarChart title=Msg::AbiertosPorSubestado bars=by_substate testid="chart-substates"/>
                                <BarChart title=Msg::AntiguedadPendientes bars=ages/>
                                <BarChart title=Msg::DistribucionValoraciones bars=ratings/>
                                <BarChart title=Msg::AltasPorDia bars=per_day/>
                                <BarChart title=Msg::TasaEnPlazo bars=on_time testid="chart-on-time"/>
                            </div>
                        </div>
                    }.into_any()
                }
            />
    }
}
