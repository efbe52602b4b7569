//! `Taxonomía`: subjects, categories and subcategories per case type.

use casia_domain::Msg;
#[cfg(feature = "ssr")]
use casia_domain::Role;
use casia_domain::dto::{AdminNode, NodeInput, Taxonomy};
use casia_domain::i18n::case_type_name;
use casia_domain::model::CaseType;
use leptos::prelude::*;
use server_fn::codec::Json;

use super::Outcome;
use crate::components::{ErrorAlert, ErrorBanner, FieldMessage};
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

#[component]
pub fn TaxonomyAdmin(taxonomy: Resource<Result<Taxonomy, AppError>>) -> impl IntoView {
    let lang = use_lang();
    let selected = RwSignal::new(None::<i64>);
    let adding_root = RwSignal::new(None::<CaseType>);
    // The branches the administrator opened stay open when the tree reloads after a save.
    let opened = RwSignal::new(vec![CaseType::Consulta]);
    // The last change in the editor went through (kept while the tree and editor reload).
    let saved = RwSignal::new(false);
    Effect::watch(
        move || (selected.get(), adding_root.get()),
        move |_, _, _| saved.set(false),
        false,
    );
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
                                <details open=move || opened.with(|o| o.contains(&ty)) on:toggle=move |ev| {
                                    let open = event_target::<web_sys::Element>(&ev).has_attribute("open");
                                    opened.update(|o| {
                                        o.retain(|t| *t != ty);
                                        if open { o.push(ty) }
                                    });
                                }>
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
                {move || saved.get().then(|| view! { <div class="alert alert-success" role="status" data-testid="admin-saved">{t(Msg::DatosGuardados)}</div> })}
                {move || adding_root.get().map(|ty| view! {
                    <h2>{t(Msg::AnadirMateria)}" · "{move || case_type_name(ty, lang.get())}</h2>
                    <NodeForm existing=None case_type=ty parent=None taxonomy saved/>
                })}
                <Suspense fallback=|| ()>
                    {move || node.get().map(|r| match r {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(None) => if adding_root.get().is_none() { view! { <p class="muted">{t(Msg::EligeNodo)}</p> }.into_any() } else { ().into_any() },
                        Ok(Some(n)) => {
                            let in_use = tree().node(n.id).is_some_and(|x| x.in_use);
                            let has_children = tree().nodes.iter().any(|x| x.parent_id == Some(n.id));
                            view! { <NodeEditor node=n in_use has_children taxonomy selected saved/> }.into_any()
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
    saved: RwSignal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let outcome = Outcome::new();
    let set_active = outcome.change::<AdminSetNodeActive>(move || {
        saved.set(true);
        taxonomy.refetch();
    });
    let delete = outcome.change::<AdminDeleteNode>(move || {
        selected.set(None);
        saved.set(true);
        taxonomy.refetch();
    });
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
        <ErrorBanner error=outcome.failure/>
        <NodeForm existing=Some(node) case_type parent=None taxonomy saved/>
        <div class="actions">
            <button type="button" class="button button-secondary" on:click=move |_| { saved.set(false); outcome.send(set_active, AdminSetNodeActive { id, active: !active }) }>
                {t(if active { Msg::Desactivar } else { Msg::Activar })}
            </button>
            <button type="button" class="button button-danger" disabled=in_use || has_children title=move || if in_use { Msg::EnUsoNoEliminar.text(lang.get()) } else { "" }
                on:click=move |_| { saved.set(false); outcome.send(delete, AdminDeleteNode { id }) }>
                {t(Msg::Eliminar)}
            </button>
        </div>
        <FieldMessage field="id" errors=outcome.errors()/>
        {child_label.map(|label| view! {
            <h3>{t(label)}</h3>
            <NodeForm existing=None case_type parent=Some(id) taxonomy saved/>
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
    saved: RwSignal<bool>,
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
    let outcome = Outcome::new();
    let errors = outcome.errors();
    let update = outcome.change::<AdminUpdateNode>(move || {
        saved.set(true);
        taxonomy.refetch();
    });
    let add = outcome.change::<AdminAddNode>(move || {
        saved.set(true);
        name_es.set(String::new());
        name_en.set(String::new());
        help_es.set(String::new());
        help_en.set(String::new());
        taxonomy.refetch();
    });
    let prefix = format!("n{}-{}", editing.unwrap_or(0), parent.unwrap_or(0));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let input = NodeInput {
            name_es: name_es.get_untracked(),
            name_en: name_en.get_untracked(),
            help_es: help_es.get_untracked(),
            help_en: help_en.get_untracked(),
            technical: technical.get_untracked(),
        };
        match editing {
            Some(id) => outcome.send(update, AdminUpdateNode { id, input }),
            None => outcome.send(
                add,
                AdminAddNode {
                    case_type: case_type.code().to_owned(),
                    parent_id: parent,
                    input,
                },
            ),
        }
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
                <FieldMessage field=name errors=errors/>
            </div>
        }
    };
    // Technical only applies to Error/Incidencia categories.
    let show_technical = case_type == CaseType::Incidencia
        && (depth == 2 || (editing.is_none() && parent.is_some()));
    view! {
        <ErrorBanner error=outcome.failure/>
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
