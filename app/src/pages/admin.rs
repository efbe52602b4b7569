//! Administration: the taxonomy, document types, accounts and authorisations. Nothing that
//! cases use is ever deleted: it is deactivated (no longer offered) instead.

use casia_domain::dto::{
    AccountView, AdminDocumentType, AdminListPage, AdminNode, AuthorisationAdminView, NewAccount,
    NewAuthorisationInput, NodeInput, Taxonomy,
};
use casia_domain::i18n::{case_type_name, role_name};
use casia_domain::model::CaseType;
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::codec::Json;

use crate::components::{ErrorBanner, FieldMessage, Guarded};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "admin_taxonomy")]
pub async fn admin_taxonomy() -> Result<Taxonomy, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::taxonomy(&services().db, &c)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_node")]
pub async fn get_admin_node(id: i64) -> Result<AdminNode, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::node(&services().db, &c, id)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_add_node", input = Json)]
pub async fn admin_add_node(
    case_type: String,
    parent_id: Option<i64>,
    input: NodeInput,
) -> Result<i64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::add_node(&services().db, &c, &case_type, parent_id, input)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_update_node", input = Json)]
pub async fn admin_update_node(id: i64, input: NodeInput) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::update_node(&services().db, &c, id, input)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_node_active")]
pub async fn admin_set_node_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_node_active(&services().db, &c, id, active)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_delete_node")]
pub async fn admin_delete_node(id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::delete_node(&services().db, &c, id)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_document_types")]
pub async fn admin_document_types() -> Result<Vec<AdminDocumentType>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::document_types_admin(&services().db, &c)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_add_document_type")]
pub async fn admin_add_document_type(name_es: String, name_en: String) -> Result<i64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::add_document_type(&services().db, &c, &name_es, &name_en)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_update_document_type")]
pub async fn admin_update_document_type(
    id: i64,
    name_es: String,
    name_en: String,
    active: bool,
) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::update_document_type(&services().db, &c, id, &name_es, &name_en, active)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_accounts")]
pub async fn admin_accounts(
    filter: String,
    page: u64,
) -> Result<AdminListPage<AccountView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::accounts(&services().db, &c, &filter, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_create_account", input = Json)]
pub async fn admin_create_account(input: NewAccount) -> Result<i64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::create_account(&services().db, &c, input)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_account_active")]
pub async fn admin_set_account_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_account_active(&services().db, &c, id, active)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_reset_password")]
pub async fn admin_reset_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::reset_password(&services().db, &c, id, &password)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_authorisations")]
pub async fn admin_authorisations(
    filter: String,
    page: u64,
) -> Result<AdminListPage<AuthorisationAdminView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::authorisations(&services().db, &c, &filter, page)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_authorisation_active")]
pub async fn admin_set_authorisation_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_authorisation_active(&services().db, &c, id, active)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_create_authorisation", input = Json)]
pub async fn admin_create_authorisation(input: NewAuthorisationInput) -> Result<i64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::create_authorisation(&services().db, &c, input)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_add_member")]
pub async fn admin_add_member(
    authorisation_id: i64,
    username: String,
    main: bool,
) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::add_member(&services().db, &c, authorisation_id, &username, main)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_remove_member")]
pub async fn admin_remove_member(authorisation_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::remove_member(&services().db, &c, authorisation_id, user_id)
        .await
        .map_err(fail)
}

#[server(endpoint = "admin_set_main_user")]
pub async fn admin_set_main_user(authorisation_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Administrador]).await?;
    casia_services::admin::set_main_user(&services().db, &c, authorisation_id, user_id)
        .await
        .map_err(fail)
}

const SECTIONS: &[(&str, Msg)] = &[
    ("taxonomia", Msg::Taxonomia),
    ("documentos", Msg::TiposDocumento),
    ("cuentas", Msg::Cuentas),
    ("autorizaciones", Msg::Autorizaciones),
    ("auditoria", Msg::RegistroAuditoria),
];

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let section = Memo::new(move |_| {
        query
            .with(|q| q.get("seccion"))
            .unwrap_or_else(|| "taxonomia".into())
    });
    let taxonomy = Resource::new(|| (), |_| admin_taxonomy());
    let types = Resource::new(|| (), |_| admin_document_types());
    view! {
        <Guarded roles=&[Role::Administrador] children=move |_| view! {
            <div class="panel">
                <h1>{t(Msg::AdminTitle)}</h1>
                <nav class="tabs" aria-label=t(Msg::AdminTitle)>
                    {SECTIONS.iter().map(|(code, label)| {
                        let code = *code;
                        view! { <a href=format!("/administracion?seccion={code}") aria-current=move || (section.get() == code).then_some("page")>{t(*label)}</a> }
                    }).collect_view()}
                </nav>
                {move || match section.get().as_str() {
                    "documentos" => view! { <DocumentTypesAdmin types/> }.into_any(),
                    "cuentas" => view! { <AccountsAdmin/> }.into_any(),
                    "autorizaciones" => view! { <AuthorisationsAdmin/> }.into_any(),
                    "auditoria" => view! { <crate::pages::admin_audit::AuditAdmin/> }.into_any(),
                    _ => view! { <TaxonomyAdmin taxonomy/> }.into_any(),
                }}
            </div>
        }/>
    }
}

/// A result message after an administrative change.
fn outcome_banner(ok: RwSignal<bool>, failure: RwSignal<Option<AppError>>) -> impl IntoView {
    view! {
        {move || ok.get().then(|| view! { <div class="alert alert-success" role="status" data-testid="admin-saved">{t(Msg::DatosGuardados)}</div> })}
        <ErrorBanner error=Signal::derive(move || failure.get())/>
    }
}

/// Runs an administrative change, then reloads `resource`.
fn act<T: 'static>(
    fut: impl std::future::Future<Output = Result<T, AppError>> + 'static,
    ok: RwSignal<bool>,
    failure: RwSignal<Option<AppError>>,
    errors: RwSignal<Vec<FieldError>>,
    after: impl FnOnce() + 'static,
) {
    ok.set(false);
    failure.set(None);
    errors.set(Vec::new());
    leptos::task::spawn_local(async move {
        match fut.await {
            Ok(_) => {
                ok.set(true);
                after();
            }
            Err(AppError::Invalid(e)) => errors.set(e),
            Err(e) => failure.set(Some(e)),
        }
    });
}

#[component]
fn TaxonomyAdmin(taxonomy: Resource<Result<Taxonomy, AppError>>) -> impl IntoView {
    let lang = use_lang();
    let selected = RwSignal::new(None::<i64>);
    let adding_root = RwSignal::new(None::<CaseType>);
    let node = Resource::new(
        move || selected.get(),
        |id| async move {
            match id {
                Some(id) => get_admin_node(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let tree = move || taxonomy.get().and_then(|r| r.ok()).unwrap_or_default();
    let row = move |n: casia_domain::dto::TaxonomyNode| {
        let id = n.id;
        view! {
            <button type="button" class="link-button tree-node" class:inactive=!n.active aria-pressed=move || (selected.get() == Some(id)).to_string()
                on:click=move |_| { selected.set(Some(id)); adding_root.set(None); }>
                {n.name.clone()}
            </button>
            {(!n.active).then(|| view! { <span class="tag tag-muted">{t(Msg::Inactivo)}</span> })}
            {n.in_use.then(|| view! { <span class="tag">{t(Msg::EnUso)}</span> })}
        }
    };
    view! {
        <div class="admin-split">
            <div class="tree" data-testid="taxonomy-tree">
                <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
                    {move || {
                        let tx = tree();
                        CaseType::ALL.iter().map(|ty| {
                            let ty = *ty;
                            let subjects: Vec<_> = tx.nodes.iter().filter(|n| n.depth == 1 && n.case_type == ty).cloned().collect();
                            let tx = tx.clone();
                            view! {
                                <details open=ty == CaseType::Consulta>
                                    <summary><strong>{move || case_type_name(ty, lang.get())}</strong></summary>
                                    <ul>
                                        {subjects.into_iter().map(|s| {
                                            let cats: Vec<_> = tx.nodes.iter().filter(|n| n.parent_id == Some(s.id)).cloned().collect();
                                            let tx = tx.clone();
                                            view! {
                                                <li>{row(s.clone())}
                                                    <ul>
                                                        {cats.into_iter().map(|c| {
                                                            let subs: Vec<_> = tx.nodes.iter().filter(|n| n.parent_id == Some(c.id)).cloned().collect();
                                                            view! {
                                                                <li>{row(c.clone())}
                                                                    <ul>{subs.into_iter().map(|sc| view! { <li>{row(sc)}</li> }).collect_view()}</ul>
                                                                </li>
                                                            }
                                                        }).collect_view()}
                                                    </ul>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    <button type="button" class="button button-secondary button-small" on:click=move |_| { adding_root.set(Some(ty)); selected.set(None); }>
                                        {t(Msg::AnadirMateria)}
                                    </button>
                                </details>
                            }
                        }).collect_view()
                    }}
                </Suspense>
            </div>
            <div class="editor">
                {move || adding_root.get().map(|ty| view! {
                    <h2>{t(Msg::AnadirMateria)}" · "{move || case_type_name(ty, lang.get())}</h2>
                    <NodeForm existing=None case_type=ty parent=None taxonomy selected/>
                })}
                <Suspense fallback=|| ()>
                    {move || node.get().map(|r| match r {
                        Err(e) => view! { <div class="alert alert-error">{e.message(lang.get())}</div> }.into_any(),
                        Ok(None) => if adding_root.get().is_none() { view! { <p class="muted">{t(Msg::EligeNodo)}</p> }.into_any() } else { ().into_any() },
                        Ok(Some(n)) => {
                            let in_use = tree().node(n.id).is_some_and(|x| x.in_use);
                            let has_children = tree().nodes.iter().any(|x| x.parent_id == Some(n.id));
                            view! { <NodeEditor node=n in_use has_children taxonomy selected/> }.into_any()
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}

#[component]
fn NodeEditor(
    node: AdminNode,
    in_use: bool,
    has_children: bool,
    taxonomy: Resource<Result<Taxonomy, AppError>>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let lang = use_lang();
    let ok = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let id = node.id;
    let active = node.active;
    let child_label = match node.depth {
        1 => Some(Msg::AnadirCategoria),
        2 => Some(Msg::AnadirSubcategoria),
        _ => None,
    };
    let case_type = node.case_type;
    view! {
        <h2>{t(Msg::EditarNodo)}</h2>
        {outcome_banner(ok, failure)}
        <NodeForm existing=Some(node) case_type parent=None taxonomy selected/>
        <div class="actions">
            <button type="button" class="button button-secondary" on:click=move |_| act(admin_set_node_active(id, !active), ok, failure, errors, move || taxonomy.refetch())>
                {t(if active { Msg::Desactivar } else { Msg::Activar })}
            </button>
            <button type="button" class="button button-danger" disabled=in_use || has_children title=move || if in_use { Msg::EnUsoNoEliminar.text(lang.get()) } else { "" }
                on:click=move |_| act(admin_delete_node(id), ok, failure, errors, move || { selected.set(None); taxonomy.refetch(); })>
                {t(Msg::Eliminar)}
            </button>
        </div>
        <FieldMessage field="id" errors=Signal::derive(move || errors.get())/>
        {child_label.map(|label| view! {
            <h3>{t(label)}</h3>
            <NodeForm existing=None case_type parent=Some(id) taxonomy selected/>
        })}
    }
}

/// Adds a node (no `existing`) or edits one.
#[component]
fn NodeForm(
    existing: Option<AdminNode>,
    case_type: CaseType,
    parent: Option<i64>,
    taxonomy: Resource<Result<Taxonomy, AppError>>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let editing = existing.as_ref().map(|n| n.id);
    let depth = existing
        .as_ref()
        .map(|n| n.depth)
        .unwrap_or(if parent.is_some() { 0 } else { 1 });
    let name_es = RwSignal::new(
        existing
            .as_ref()
            .map(|n| n.name_es.clone())
            .unwrap_or_default(),
    );
    let name_en = RwSignal::new(
        existing
            .as_ref()
            .map(|n| n.name_en.clone())
            .unwrap_or_default(),
    );
    let help_es = RwSignal::new(
        existing
            .as_ref()
            .map(|n| n.help_es.clone())
            .unwrap_or_default(),
    );
    let help_en = RwSignal::new(
        existing
            .as_ref()
            .map(|n| n.help_en.clone())
            .unwrap_or_default(),
    );
    let technical = RwSignal::new(existing.as_ref().is_some_and(|n| n.technical));
    let ok = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let prefix = format!("n{}-{}", editing.unwrap_or(0), parent.unwrap_or(0));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NodeInput {
            name_es: name_es.get_untracked(),
            name_en: name_en.get_untracked(),
            help_es: help_es.get_untracked(),
            help_en: help_en.get_untracked(),
            technical: technical.get_untracked(),
        };
        match editing {
            Some(id) => act(
                admin_update_node(id, input),
                ok,
                failure,
                errors,
                move || taxonomy.refetch(),
            ),
            None => {
                let done = move || {
                    name_es.set(String::new());
                    name_en.set(String::new());
                    help_es.set(String::new());
                    help_en.set(String::new());
                    taxonomy.refetch();
                };
                act(
                    admin_add_node(case_type.code().to_owned(), parent, input),
                    ok,
                    failure,
                    errors,
                    done,
                )
            }
        }
        let _ = selected;
    };
    let field = move |id: String,
                      label: Msg,
                      sig: RwSignal<String>,
                      name: &'static str,
                      area: bool| {
        view! {
            <div class="field">
                <label for=id.clone()>{t(label)}</label>
                {if area {
                    view! { <textarea id=id rows="3" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))></textarea> }.into_any()
                } else {
                    view! { <input id=id type="text" maxlength="70" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/> }.into_any()
                }}
                <FieldMessage field=name errors=Signal::derive(move || errors.get())/>
            </div>
        }
    };
    // Technical only applies to Error/Incidencia categories.
    let show_technical = case_type == CaseType::Incidencia
        && (depth == 2 || (editing.is_none() && parent.is_some()));
    view! {
        {outcome_banner(ok, failure)}
        <form class="form" on:submit=submit novalidate>
            <div class="form-grid">
                {field(format!("{prefix}-es"), Msg::NombreEs, name_es, "name_es", false)}
                {field(format!("{prefix}-en"), Msg::NombreEn, name_en, "name_en", false)}
                {field(format!("{prefix}-hes"), Msg::AyudaEs, help_es, "help_es", true)}
                {field(format!("{prefix}-hen"), Msg::AyudaEn, help_en, "help_en", true)}
            </div>
            {show_technical.then(|| view! {
                <label class="check"><input type="checkbox" prop:checked=move || technical.get() on:change=move |ev| technical.set(event_target_checked(&ev))/>{t(Msg::Tecnica)}</label>
            })}
            <div class="actions"><button type="submit" class="button">{t(if editing.is_some() { Msg::Save } else { Msg::Anadir })}</button></div>
        </form>
    }
}

#[component]
fn DocumentTypesAdmin(types: Resource<Result<Vec<AdminDocumentType>, AppError>>) -> impl IntoView {
    let lang = use_lang();
    let ok = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let new_es = RwSignal::new(String::new());
    let new_en = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        act(
            admin_add_document_type(new_es.get_untracked(), new_en.get_untracked()),
            ok,
            failure,
            errors,
            move || {
                new_es.set(String::new());
                new_en.set(String::new());
                types.refetch();
            },
        );
    };
    view! {
        {outcome_banner(ok, failure)}
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || types.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error">{e.message(lang.get())}</div> }.into_any(),
                Ok(list) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="document-types">
                            <thead><tr><th scope="col">{t(Msg::NombreEs)}</th><th scope="col">{t(Msg::NombreEn)}</th><th scope="col">{t(Msg::Activo)}</th><th scope="col"></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| {
                                    let es = RwSignal::new(d.name_es.clone());
                                    let en = RwSignal::new(d.name_en.clone());
                                    let active = RwSignal::new(d.active);
                                    let id = d.id;
                                    view! {
                                        <tr>
                                            <td><input type="text" aria-label=move || Msg::NombreEs.text(lang.get()) prop:value=move || es.get() on:input=move |ev| es.set(event_target_value(&ev))/></td>
                                            <td><input type="text" aria-label=move || Msg::NombreEn.text(lang.get()) prop:value=move || en.get() on:input=move |ev| en.set(event_target_value(&ev))/></td>
                                            <td><input type="checkbox" aria-label=move || Msg::Activo.text(lang.get()) prop:checked=move || active.get() on:change=move |ev| active.set(event_target_checked(&ev))/></td>
                                            <td><button type="button" class="button button-small" on:click=move |_| act(admin_update_document_type(id, es.get_untracked(), en.get_untracked(), active.get_untracked()), ok, failure, errors, move || types.refetch())>{t(Msg::Save)}</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Suspense>
        <h2>{t(Msg::AnadirTipoDocumento)}</h2>
        <form class="form" on:submit=add novalidate>
            <div class="form-grid">
                <div class="field"><label for="dt-es">{t(Msg::NombreEs)}</label><input id="dt-es" type="text" prop:value=move || new_es.get() on:input=move |ev| new_es.set(event_target_value(&ev))/><FieldMessage field="name_es" errors=Signal::derive(move || errors.get())/></div>
                <div class="field"><label for="dt-en">{t(Msg::NombreEn)}</label><input id="dt-en" type="text" prop:value=move || new_en.get() on:input=move |ev| new_en.set(event_target_value(&ev))/><FieldMessage field="name_en" errors=Signal::derive(move || errors.get())/></div>
            </div>
            <div class="actions"><button type="submit" class="button">{t(Msg::Anadir)}</button></div>
        </form>
    }
}

/// The filter box of a paged list; `applied` changes (and the list goes back to its first
/// page) when the form is sent.
#[component]
fn ListFilter(
    id: &'static str,
    label: Msg,
    applied: RwSignal<String>,
    page: RwSignal<u64>,
) -> impl IntoView {
    let typed = RwSignal::new(applied.get_untracked());
    view! {
        <form class="form inline-search" data-testid="list-filter" on:submit=move |ev| {
            ev.prevent_default();
            applied.set(typed.get_untracked().trim().to_owned());
            page.set(0);
        } novalidate>
            <div class="field">
                <label for=id>{t(label)}</label>
                <input id=id type="search" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            </div>
            <div class="actions"><button type="submit" class="button button-secondary button-small">{t(Msg::Filtrar)}</button></div>
        </form>
    }
}

/// "Anterior" / "Siguiente" under a paged list.
#[component]
fn Pager(page: RwSignal<u64>, #[prop(into)] has_next: Signal<bool>) -> impl IntoView {
    view! {
        <nav class="actions pager" aria-label="paginación">
            <button type="button" class="button button-secondary button-small" disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{t(Msg::Anterior)}</button>
            <span class="small muted num">{move || page.get() + 1}</span>
            <button type="button" class="button button-secondary button-small" disabled=move || !has_next.get()
                on:click=move |_| page.update(|p| *p += 1)>{t(Msg::Siguiente)}</button>
        </nav>
    }
}

#[component]
fn AccountsAdmin() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(0u64);
    let accounts: Resource<Result<AdminListPage<AccountView>, AppError>> = Resource::new(
        move || (filter.get(), page.get()),
        |(f, p)| admin_accounts(f, p),
    );
    let has_next = Signal::derive(move || {
        accounts
            .get()
            .and_then(|r| r.ok())
            .is_some_and(|p| p.has_next)
    });
    let lang = use_lang();
    let ok = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let username = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("autorizado".to_owned());
    let password = RwSignal::new(String::new());
    let reset_for = RwSignal::new(None::<i64>);
    let new_password = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewAccount {
            username: username.get_untracked(),
            full_name: full_name.get_untracked(),
            email: email.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        act(
            admin_create_account(input),
            ok,
            failure,
            errors,
            move || {
                // Show the new account: the list narrows to it.
                filter.set(username.get_untracked().trim().to_owned());
                page.set(0);
                username.set(String::new());
                full_name.set(String::new());
                email.set(String::new());
                password.set(String::new());
                accounts.refetch();
            },
        );
    };
    let errs = Signal::derive(move || errors.get());
    view! {
        {outcome_banner(ok, failure)}
        <ListFilter id="accounts-filter" label=Msg::FiltroCuentas applied=filter page/>
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || accounts.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error">{e.message(lang.get())}</div> }.into_any(),
                Ok(listed) if listed.items.is_empty() => view! { <p class="muted">{t(Msg::SinCoincidencias)}</p> }.into_any(),
                Ok(AdminListPage { items: list, .. }) => view! {
                    <div class="table-wrap">
                        <table class="table stack" data-testid="accounts">
                            <thead><tr>
                                <th scope="col">{t(Msg::Username)}</th><th scope="col">{t(Msg::Nombre)}</th><th scope="col">{t(Msg::Perfil)}</th>
                                <th scope="col">{t(Msg::Autorizaciones)}</th><th scope="col">{t(Msg::Activo)}</th><th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| {
                                    let id = a.id;
                                    let active = a.active;
                                    let r = a.role;
                                    view! {
                                        <tr>
                                            <td>{a.username.clone()}</td>
                                            <td>{a.full_name.clone()}</td>
                                            <td>{move || role_name(r, lang.get())}</td>
                                            <td>{a.authorisations.join(", ")}</td>
                                            <td>{move || if active { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}</td>
                                            <td class="actions">
                                                <button type="button" class="button button-secondary button-small" on:click=move |_| act(admin_set_account_active(id, !active), ok, failure, errors, move || accounts.refetch())>
                                                    {t(if active { Msg::Desactivar } else { Msg::Activar })}
                                                </button>
                                                <button type="button" class="button button-secondary button-small" on:click=move |_| reset_for.set(Some(id))>{t(Msg::RestablecerContrasena)}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Suspense>
        <Pager page has_next/>
        {move || reset_for.get().map(|id| view! {
            <form class="form action-form" on:submit=move |ev| {
                ev.prevent_default();
                act(admin_reset_password(id, new_password.get_untracked()), ok, failure, errors, move || { reset_for.set(None); new_password.set(String::new()); });
            } novalidate>
                <div class="field">
                    <label for="new-password">{t(Msg::NuevaContrasena)}</label>
                    <input id="new-password" type="password" autocomplete="new-password" prop:value=move || new_password.get() on:input=move |ev| new_password.set(event_target_value(&ev))/>
                    <FieldMessage field="password" errors=errs/>
                </div>
                <div class="actions"><button type="submit" class="button">{t(Msg::Save)}</button></div>
            </form>
        })}
        <h2>{t(Msg::CrearCuenta)}</h2>
        <form class="form" on:submit=create novalidate>
            <div class="form-grid">
                <div class="field"><label for="u-name">{t(Msg::Username)}</label><input id="u-name" type="text" autocomplete="off" prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/><FieldMessage field="username" errors=errs/></div>
                <div class="field"><label for="u-full">{t(Msg::Nombre)}</label><input id="u-full" type="text" prop:value=move || full_name.get() on:input=move |ev| full_name.set(event_target_value(&ev))/><FieldMessage field="full_name" errors=errs/></div>
                <div class="field"><label for="u-email">{t(Msg::CorreoElectronico)}</label><input id="u-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/><FieldMessage field="email" errors=errs/></div>
                <div class="field"><label for="u-role">{t(Msg::Perfil)}</label>
                    <select id="u-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {Role::ALL.iter().map(|r| { let r = *r; view! { <option value=r.code() selected=move || role.get() == r.code()>{move || role_name(r, lang.get())}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field"><label for="u-pass">{t(Msg::Password)}</label><input id="u-pass" type="password" autocomplete="new-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/><FieldMessage field="password" errors=errs/></div>
            </div>
            <div class="actions"><button type="submit" class="button">{t(Msg::CrearCuenta)}</button></div>
        </form>
    }
}

#[component]
fn AuthorisationsAdmin() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(0u64);
    let auths: Resource<Result<AdminListPage<AuthorisationAdminView>, AppError>> = Resource::new(
        move || (filter.get(), page.get()),
        |(f, p)| admin_authorisations(f, p),
    );
    let has_next =
        Signal::derive(move || auths.get().and_then(|r| r.ok()).is_some_and(|p| p.has_next));
    let lang = use_lang();
    let ok = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::derive(move || errors.get());
    let number = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let nif = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewAuthorisationInput {
            number: number.get_untracked(),
            company_name: company.get_untracked(),
            nif: nif.get_untracked(),
            contact_email: email.get_untracked(),
            consent: consent.get_untracked(),
        };
        act(
            admin_create_authorisation(input),
            ok,
            failure,
            errors,
            move || {
                // Show the new authorisation: the list narrows to it.
                filter.set(number.get_untracked().trim().to_owned());
                page.set(0);
                number.set(String::new());
                company.set(String::new());
                nif.set(String::new());
                email.set(String::new());
                auths.refetch();
            },
        );
    };
    view! {
        {outcome_banner(ok, failure)}
        <ListFilter id="authorisations-filter" label=Msg::FiltroAutorizaciones applied=filter page/>
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || auths.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error">{e.message(lang.get())}</div> }.into_any(),
                Ok(listed) if listed.items.is_empty() => view! { <p class="muted">{t(Msg::SinCoincidencias)}</p> }.into_any(),
                Ok(AdminListPage { items: list, .. }) => list.into_iter().map(|a| {
                    let aid = a.id;
                    let active = a.active;
                    let new_member = RwSignal::new(String::new());
                    let as_main = RwSignal::new(false);
                    view! {
                        <section class="admin-card" data-testid="authorisation">
                            <h3>{a.number.clone()}" · "{a.company_name.clone()}" · "{a.nif.clone()}</h3>
                            <p class="small muted">
                                {t(Msg::CorreoElectronico)}": "{a.contact_email.clone().unwrap_or_else(|| "—".into())}
                                " · "{t(Msg::ConsentimientoAvisos)}": "{move || if a.consent { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}
                                " · "{t(Msg::Activo)}": "<span data-testid="authorisation-active">{move || if active { Msg::Yes.text(lang.get()) } else { Msg::No.text(lang.get()) }}</span>
                                " "
                                <button type="button" class="button button-secondary button-small" on:click=move |_| act(admin_set_authorisation_active(aid, !active), ok, failure, errors, move || auths.refetch())>
                                    {t(if active { Msg::Desactivar } else { Msg::Activar })}
                                </button>
                            </p>
                            <ul>
                                {a.members.into_iter().map(|m| {
                                    let uid = m.user_id;
                                    view! {
                                        <li>
                                            {m.full_name.clone()}" ("{m.username.clone()}")"
                                            {m.main.then(|| view! { <span class="tag">{t(Msg::MainUser)}</span> })}
                                            {(!m.main).then(|| view! {
                                                <button type="button" class="link-button" on:click=move |_| act(admin_set_main_user(aid, uid), ok, failure, errors, move || auths.refetch())>{t(Msg::HacerPrincipal)}</button>
                                                " · "
                                                <button type="button" class="link-button" on:click=move |_| act(admin_remove_member(aid, uid), ok, failure, errors, move || auths.refetch())>{t(Msg::QuitarDocumento)}</button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <form class="form inline-search" on:submit=move |ev| {
                                ev.prevent_default();
                                act(admin_add_member(aid, new_member.get_untracked(), as_main.get_untracked()), ok, failure, errors, move || auths.refetch());
                            } novalidate>
                                <div class="field">
                                    <label for=format!("m-{aid}")>{t(Msg::AnadirMiembro)}</label>
                                    <input id=format!("m-{aid}") type="text" placeholder=move || Msg::Username.text(lang.get()) prop:value=move || new_member.get() on:input=move |ev| new_member.set(event_target_value(&ev))/>
                                </div>
                                <label class="check"><input type="checkbox" prop:checked=move || as_main.get() on:change=move |ev| as_main.set(event_target_checked(&ev))/>{t(Msg::MainUser)}</label>
                                <div class="actions"><button type="submit" class="button button-small">{t(Msg::Anadir)}</button></div>
                            </form>
                        </section>
                    }
                }).collect_view().into_any(),
            })}
        </Suspense>
        <Pager page has_next/>
        <FieldMessage field="username" errors=errs/>
        <FieldMessage field="user_id" errors=errs/>
        <h2>{t(Msg::CrearAutorizacion)}</h2>
        <form class="form" on:submit=create novalidate>
            <div class="form-grid">
                <div class="field"><label for="a-num">{t(Msg::NumAutorizacion)}</label><input id="a-num" type="text" inputmode="numeric" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/><FieldMessage field="number" errors=errs/></div>
                <div class="field"><label for="a-name">{t(Msg::RazonSocial)}</label><input id="a-name" type="text" prop:value=move || company.get() on:input=move |ev| company.set(event_target_value(&ev))/><FieldMessage field="company_name" errors=errs/></div>
                <div class="field"><label for="a-nif">{t(Msg::Nif)}</label><input id="a-nif" type="text" prop:value=move || nif.get() on:input=move |ev| nif.set(event_target_value(&ev))/><FieldMessage field="nif" errors=errs/></div>
                <div class="field"><label for="a-email">{t(Msg::CorreoElectronico)}</label><input id="a-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/><FieldMessage field="email" errors=errs/></div>
            </div>
            <label class="check"><input type="checkbox" prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev))/>{t(Msg::ConsentimientoAvisosTexto)}</label>
            <div class="actions"><button type="submit" class="button">{t(Msg::CrearAutorizacion)}</button></div>
        </form>
    }
}
