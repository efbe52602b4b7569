//! `Registro de auditoría`: the administrators' view of the audit trail, a section of
//! `/administracion`. Filters live in the URL (bookmarks, the back button); pages go back in
//! time with a keyset cursor; "Exportar CSV" downloads the same filter as a file.

use casia_domain::audit::{ACTION_CODES, AuditFilter, AuditPage, AuditRow, OUTCOME_CODES};
use casia_domain::i18n::{audit_action_name, audit_outcome_name, role_name};
use casia_domain::{Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::components::FieldMessage;
use crate::components::guard::urlencode;
use crate::context::{t, use_lang};
use crate::error::AppError;

/// One page of the audit log, newest first. Administrators only (checked here and again by
/// the service).
#[server(endpoint = "admin_audit_log")]
pub async fn admin_audit_log(
    filter: AuditFilter,
    cursor: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::audit::search(&services().db, &c, &filter, cursor.as_deref())
        .await
        .map_err(fail)
}

/// The URL parameters (Spanish, like the other pages'), shared with the CSV route.
pub const PARAMS: [&str; 5] = ["usuario", "accion", "resultado", "desde", "hasta"];

fn filter_from_url(q: &ParamsMap) -> (AuditFilter, Option<String>) {
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
    let filter = AuditFilter {
        username: get(PARAMS[0]),
        action: get(PARAMS[1]),
        outcome: get(PARAMS[2]),
        from: get(PARAMS[3]),
        to: get(PARAMS[4]),
    };
    (filter, get("antes"))
}

/// `usuario=…&accion=…` for the filters that are set.
pub fn filter_query(f: &AuditFilter) -> String {
    [&f.username, &f.action, &f.outcome, &f.from, &f.to]
        .into_iter()
        .zip(PARAMS)
        .filter_map(|(v, k)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}", urlencode(v.trim())))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn page_url(f: &AuditFilter, cursor: Option<&str>) -> String {
    let mut url = "/administracion?seccion=auditoria".to_owned();
    let q = filter_query(f);
    if !q.is_empty() {
        url.push('&');
        url.push_str(&q);
    }
    if let Some(c) = cursor {
        url.push_str(&format!("&antes={}", urlencode(c)));
    }
    url
}

fn csv_url(f: &AuditFilter) -> String {
    let q = filter_query(f);
    if q.is_empty() {
        "/api/administracion/auditoria.csv".into()
    } else {
        format!("/api/administracion/auditoria.csv?{q}")
    }
}

#[component]
pub fn AuditAdmin() -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let query = use_query_map();
    let current = Memo::new(move |_| query.with(filter_from_url));
    let page = Resource::new(
        move || current.get(),
        |(filter, cursor)| admin_audit_log(filter, cursor),
    );
    let initial = current.get_untracked().0;
    let username = RwSignal::new(initial.username.unwrap_or_default());
    let action = RwSignal::new(initial.action.unwrap_or_default());
    let outcome = RwSignal::new(initial.outcome.unwrap_or_default());
    let from = RwSignal::new(initial.from.unwrap_or_default());
    let to = RwSignal::new(initial.to.unwrap_or_default());
    let errors = Signal::derive(move || match page.get() {
        Some(Err(e)) => e.field_errors().to_vec(),
        _ => Vec::new(),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filter = AuditFilter {
            username: Some(username.get_untracked()),
            action: Some(action.get_untracked()),
            outcome: Some(outcome.get_untracked()),
            from: Some(from.get_untracked()),
            to: Some(to.get_untracked()),
        };
        navigate(&page_url(&filter, None), Default::default());
    };
    view! {
        <h2>{t(Msg::RegistroAuditoria)}</h2>
        <form class="form filters" on:submit=submit novalidate data-testid="audit-filters">
            <div class="form-grid">
                <div class="field">
                    <label for="au-usuario">{t(Msg::AuditUsuario)}</label>
                    <input id="au-usuario" type="text" autocomplete="off" prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
                    <FieldMessage field="username" errors/>
                </div>
                <div class="field">
                    <label for="au-accion">{t(Msg::AuditAccion)}</label>
                    <select id="au-accion" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="" selected=move || action.get().is_empty()>{t(Msg::Todos)}</option>
                        {ACTION_CODES.iter().map(|code| {
                            let code = *code;
                            view! { <option value=code selected=move || action.get() == code>{move || audit_action_name(code, lang.get())}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage field="action" errors/>
                </div>
                <div class="field">
                    <label for="au-resultado">{t(Msg::AuditResultado)}</label>
                    <select id="au-resultado" on:change=move |ev| outcome.set(event_target_value(&ev))>
                        <option value="" selected=move || outcome.get().is_empty()>{t(Msg::Todos)}</option>
                        {OUTCOME_CODES.iter().map(|code| {
                            let code = *code;
                            view! { <option value=code selected=move || outcome.get() == code>{move || audit_outcome_name(code, lang.get())}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage field="outcome" errors/>
                </div>
                <div class="field">
                    <label for="au-desde">{t(Msg::AuditFechaDesde)}</label>
                    <input id="au-desde" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                    <FieldMessage field="from" errors/>
                </div>
                <div class="field">
                    <label for="au-hasta">{t(Msg::AuditFechaHasta)}</label>
                    <input id="au-hasta" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                    <FieldMessage field="to" errors/>
                </div>
            </div>
            <div class="actions">
                <button type="submit" class="button">{t(Msg::Filtrar)}</button>
                // The filters applied (those in the URL), not what is typed but not yet sent.
                <a class="button button-secondary" href=move || csv_url(&current.get().0) download="auditoria.csv" rel="external" data-testid="audit-csv">{t(Msg::ExportarCsv)}</a>
            </div>
        </form>
        <Transition fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || page.get().map(|r| match r {
                Err(AppError::Invalid(_)) => view! { <div class="alert alert-error" role="alert">{t(Msg::ErrValidation)}</div> }.into_any(),
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(p) if p.rows.is_empty() => view! { <p data-testid="audit-empty">{t(Msg::AuditVacio)}</p> }.into_any(),
                Ok(p) => {
                    let (filter, cursor) = current.get_untracked();
                    let older = p.next.as_deref().map(|next| page_url(&filter, Some(next)));
                    let newest = cursor.is_some().then(|| page_url(&filter, None));
                    view! {
                        <div class="table-wrap">
                            <table class="table stack" data-testid="audit-log">
                                <thead><tr>
                                    <th scope="col">{t(Msg::AuditFechaHora)}</th>
                                    <th scope="col">{t(Msg::AuditUsuario)}</th>
                                    <th scope="col">{t(Msg::AuditRol)}</th>
                                    <th scope="col">{t(Msg::AuditDireccion)}</th>
                                    <th scope="col">{t(Msg::AuditAccion)}</th>
                                    <th scope="col">{t(Msg::AuditResultado)}</th>
                                    <th scope="col">{t(Msg::AuditObjeto)}</th>
                                    <th scope="col">{t(Msg::AuditDetalles)}</th>
                                </tr></thead>
                                <tbody>{p.rows.into_iter().map(|row| view! { <AuditRowView row/> }).collect_view()}</tbody>
                            </table>
                        </div>
                        <nav class="actions" aria-label=move || Msg::RegistroAuditoria.text(lang.get())>
                            {newest.map(|href| view! { <a class="button button-secondary" href=href>{t(Msg::AuditMasRecientes)}</a> })}
                            {older.map(|href| view! { <a class="button button-secondary" href=href data-testid="audit-older">{t(Msg::AuditMasAntiguos)}</a> })}
                        </nav>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditRowView(row: AuditRow) -> impl IntoView {
    let lang = use_lang();
    let role = row.role.as_deref().and_then(Role::from_code);
    let action = row.action.clone();
    let outcome = row.outcome.clone();
    view! {
        <tr data-action=row.action.clone()>
            <td class="num" data-label=move || Msg::AuditFechaHora.text(lang.get())>{row.at.clone()}</td>
            <td data-label=move || Msg::AuditUsuario.text(lang.get())>{row.username.clone()}</td>
            <td data-label=move || Msg::AuditRol.text(lang.get())>{move || role.map(|r| role_name(r, lang.get())).unwrap_or("—")}</td>
            <td class="num" data-label=move || Msg::AuditDireccion.text(lang.get())>{row.client.clone()}</td>
            <td data-label=move || Msg::AuditAccion.text(lang.get())>{move || audit_action_name(&action, lang.get())}</td>
            <td data-label=move || Msg::AuditResultado.text(lang.get())>{move || audit_outcome_name(&outcome, lang.get())}</td>
            <td data-label=move || Msg::AuditObjeto.text(lang.get())>{row.target.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="small" data-label=move || Msg::AuditDetalles.text(lang.get())><code class="audit-details">{row.details.clone().unwrap_or_default()}</code></td>
        </tr>
    }
}
