//! `Plazos`: holidays by year and calendar (national and regional), the regional calendar of
//! each authorisation, and the resolution targets per case type with overrides per subject,
//! category or subcategory. Open cases keep their deadline unless "apply to open cases" is
//! ticked, as the page says.

#[cfg(feature = "ssr")]
use casia_domain::Role;
use casia_domain::dto::{PlazosAdmin, PlazosChange, PlazosChangeForm, PlazosSaved, Taxonomy};
use casia_domain::i18n::case_type_name;
use casia_domain::{CaseType, Msg};
use leptos::prelude::*;
use server_fn::codec::Json;

use super::Outcome;
use crate::components::{FieldMessage, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "admin_plazos")]
pub async fn admin_plazos(
    calendar_id: Option<i64>,
    year: Option<i32>,
) -> Result<PlazosAdmin, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::plazos_admin(&services().db, &c, calendar_id, year)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_change_plazos", input = Json)]
pub async fn admin_change_plazos(form: PlazosChangeForm) -> Result<PlazosSaved, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::change_plazos(&services().db, &c, &form)
        .await
        .map_err(fail)
}

#[component]
pub fn PlazosAdminSection(taxonomy: Resource<Result<Taxonomy, AppError>>) -> impl IntoView {
    let lang = use_lang();
    let outcome = Outcome::new();
    let errors = outcome.errors();
    let calendar = RwSignal::new(None::<i64>);
    let year = RwSignal::new(None::<i32>);
    let data = Resource::new(
        move || (calendar.get(), year.get()),
        |(c, y)| admin_plazos(c, y),
    );
    let apply = RwSignal::new(false);
    let recomputed = RwSignal::new(None::<u64>);
    let changing = outcome.change::<AdminChangePlazos>(move || data.refetch());
    // How many open cases the last change recomputed (0 unless asked for).
    Effect::new(move |_| {
        if let Some(Ok(saved)) = changing.value().get() {
            recomputed.set(Some(saved.recomputed));
        }
    });
    let send = move |change: PlazosChange| {
        let form = PlazosChangeForm {
            change,
            apply_to_open: apply.get_untracked(),
        };
        outcome.send(changing, AdminChangePlazos { form });
    };
    let day = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let new_type = RwSignal::new(CaseType::Consulta.code().to_owned());
    let new_node = RwSignal::new(String::new());
    let new_days = RwSignal::new(String::new());
    view! {
        {outcome.banner()}
        {move || recomputed.get().map(|n| view! { <p class="alert alert-info" role="status" data-testid="recomputed">{move || format!("{}: {n}", Msg::CasosRecalculados.text(lang.get()))}</p> })}
        <div class="field checkbox">
            <label><input type="checkbox" data-testid="apply-to-open" prop:checked=move || apply.get() on:change=move |ev| apply.set(event_target_checked(&ev))/>" "{t(Msg::AplicarAbiertos)}</label>
            <p class="hint" data-testid="apply-hint">{t(Msg::AvisoAplicarAbiertos)}</p>
        </div>
        <Loaded resource=data keep=true children=move |p| {
            let cal_id = p.calendar_id;
            let calendars = p.calendars.clone();
            let regional: Vec<_> = p.calendars.iter().filter(|c| c.code != "nacional").cloned().collect();
            view! {
                <h2>{t(Msg::Festivos)}</h2>
                <form class="form inline-search" on:submit=move |ev| ev.prevent_default() novalidate>
                    <div class="field">
                        <label for="pl-calendar">{t(Msg::Calendario)}</label>
                        <select id="pl-calendar" on:change=move |ev| calendar.set(event_target_value(&ev).parse().ok())>
                            {calendars.iter().map(|c| view! { <option value=c.id.to_string() selected=c.id == cal_id>{c.name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="pl-year">{t(Msg::Anio)}</label>
                        <input id="pl-year" type="number" min="2000" max="2100" prop:value=p.year.to_string() on:change=move |ev| year.set(event_target_value(&ev).parse().ok())/>
                    </div>
                </form>
                <PlazosTable testid="holidays" headers=vec![Msg::Fecha, Msg::Denominacion, Msg::Acciones]>
                            {p.holidays.iter().map(|h| {
                                let id = h.id;
                                view! {
                                    <tr>
                                        <td class="num">{h.day.display()}</td>
                                        <td>{h.name.clone()}</td>
                                        <td><button type="button" class="button button-secondary button-small" on:click=move |_| send(PlazosChange::RemoveHoliday { id })>{t(Msg::QuitarFestivo)}</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                </PlazosTable>
                <form class="form" on:submit=move |ev| {
                    ev.prevent_default();
                    send(PlazosChange::AddHoliday { calendar_id: cal_id, day: day.get_untracked(), name: name.get_untracked() });
                } novalidate>
                    <div class="form-grid">
                        <div class="field"><label for="pl-day">{t(Msg::Fecha)}</label><input id="pl-day" type="date" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev))/><FieldMessage field="day" errors=errors/></div>
                        <div class="field"><label for="pl-name">{t(Msg::Denominacion)}</label><input id="pl-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/><FieldMessage field="name" errors=errors/></div>
                    </div>
                    <div class="actions"><button type="submit" class="button">{t(Msg::AnadirFestivo)}</button></div>
                </form>

                <h2>{t(Msg::CalendarioRegional)}</h2>
                <PlazosTable testid="authorisation-calendars" headers=vec![Msg::NumAutorizacion, Msg::RazonSocial, Msg::CalendarioRegional]>
                            {p.authorisations.iter().map(|(id, number, company, current)| {
                                let (id, current) = (*id, *current);
                                let regional = regional.clone();
                                view! {
                                    <tr>
                                        <td class="num">{number.clone()}</td>
                                        <td>{company.clone()}</td>
                                        <td>
                                            <select aria-label=move || Msg::CalendarioRegional.text(lang.get()) on:change=move |ev| {
                                                let calendar_id = event_target_value(&ev).parse().ok();
                                                send(PlazosChange::AssignCalendar { authorisation_id: id, calendar_id });
                                            }>
                                                <option value="" selected=current.is_none()>{t(Msg::SinCalendarioRegional)}</option>
                                                {regional.into_iter().map(|c| view! { <option value=c.id.to_string() selected=current == Some(c.id)>{c.name}</option> }).collect_view()}
                                            </select>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                </PlazosTable>

                <h2>{t(Msg::ObjetivosResolucion)}</h2>
                <PlazosTable testid="targets" headers=vec![Msg::TipoCaso, Msg::DiasHabiles, Msg::Acciones]>
                            {p.targets.iter().map(|row| {
                                let days = RwSignal::new(row.business_days.to_string());
                                let (id, ty, node_id) = (row.id, row.case_type, row.node_id);
                                let label = row.node.clone();
                                view! {
                                    <tr>
                                        <td>{move || case_type_name(ty, lang.get())}{(!label.is_empty()).then(|| format!(" › {label}"))}</td>
                                        <td><input type="number" min="1" max="365" aria-label=move || Msg::DiasHabiles.text(lang.get()) prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/></td>
                                        <td class="actions">
                                            <button type="button" class="button button-small" on:click=move |_| send(PlazosChange::SetTarget { case_type: ty.code().into(), node_id, business_days: days.get_untracked() })>{t(Msg::Save)}</button>
                                            {node_id.is_some().then(|| view! { <button type="button" class="button button-secondary button-small" on:click=move |_| send(PlazosChange::RemoveTarget { id })>{t(Msg::QuitarFestivo)}</button> })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                </PlazosTable>
            }.into_any()
        }/>
        <h3>{t(Msg::ExcepcionClasificacion)}</h3>
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            send(PlazosChange::SetTarget { case_type: new_type.get_untracked(), node_id: new_node.get_untracked().parse().ok(), business_days: new_days.get_untracked() });
        } novalidate>
            <div class="form-grid">
                <div class="field">
                    <label for="pl-type">{t(Msg::TipoCaso)}</label>
                    <select id="pl-type" on:change=move |ev| { new_type.set(event_target_value(&ev)); new_node.set(String::new()); }>
                        {CaseType::ALL.iter().map(|ty| { let ty = *ty; view! { <option value=ty.code()>{move || case_type_name(ty, lang.get())}</option> } }).collect_view()}
                    </select>
                    <FieldMessage field="case_type" errors=errors/>
                </div>
                <div class="field">
                    <label for="pl-node">{t(Msg::Materia)}" / "{t(Msg::Categoria)}" / "{t(Msg::Subcategoria)}</label>
                    <select id="pl-node" on:change=move |ev| new_node.set(event_target_value(&ev))>
                        <option value="">{t(Msg::ObjetivoTipo)}</option>
                        {move || {
                            let ty = CaseType::from_code(&new_type.get()).unwrap_or(CaseType::Consulta);
                            taxonomy.get().and_then(|r| r.ok()).map(|tree| node_paths(&tree, ty).into_iter()
                                .map(|(id, path)| view! { <option value=id.to_string()>{path}</option> })
                                .collect_view())
                        }}
                    </select>
                    <FieldMessage field="node_id" errors=errors/>
                </div>
                <div class="field">
                    <label for="pl-days">{t(Msg::DiasHabiles)}</label>
                    <input id="pl-days" type="number" min="1" max="365" prop:value=move || new_days.get() on:input=move |ev| new_days.set(event_target_value(&ev))/>
                    <FieldMessage field="business_days" errors=errors/>
                </div>
            </div>
            <div class="actions"><button type="submit" class="button">{t(Msg::Save)}</button></div>
        </form>
    }
}

/// A table of the section: its column headings and rows.
#[component]
fn PlazosTable(testid: &'static str, headers: Vec<Msg>, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <thead><tr>{headers.into_iter().map(|h| view! { <th scope="col">{t(h)}</th> }).collect_view()}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// Every active subject, category and subcategory of a case type, as `Materia › Categoría`
/// paths in the tree's order.
fn node_paths(tree: &Taxonomy, ty: CaseType) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for subject in tree.subjects(ty) {
        out.push((subject.id, subject.name.clone()));
        for category in tree.children(subject.id) {
            let path = format!("{} › {}", subject.name, category.name);
            out.push((category.id, path.clone()));
            for sub in tree.children(category.id) {
                out.push((sub.id, format!("{path} › {}", sub.name)));
            }
        }
    }
    out
}
