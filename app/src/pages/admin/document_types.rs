//! `Tipos de documento`.

use casia_domain::Msg;
#[cfg(feature = "ssr")]
use casia_domain::Role;
use casia_domain::dto::AdminDocumentType;
use leptos::prelude::*;

use super::Outcome;
use crate::components::{FieldMessage, Loaded};
use crate::context::{t, use_lang};
use crate::error::AppError;

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

#[component]
pub fn DocumentTypesAdmin(
    types: Resource<Result<Vec<AdminDocumentType>, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let outcome = Outcome::new();
    let errors = outcome.errors();
    let new_es = RwSignal::new(String::new());
    let new_en = RwSignal::new(String::new());
    let adding = outcome.change::<AdminAddDocumentType>(move || {
        new_es.set(String::new());
        new_en.set(String::new());
        types.refetch();
    });
    let update = outcome.change::<AdminUpdateDocumentType>(move || types.refetch());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.send(
            adding,
            AdminAddDocumentType {
                name_es: new_es.get_untracked(),
                name_en: new_en.get_untracked(),
            },
        );
    };
    view! {
        {outcome.banner()}
        <Loaded resource=types children=move |list| view! {
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
                                            <td><button type="button" class="button button-small" on:click=move |_| outcome.send(update, AdminUpdateDocumentType { id, name_es: es.get_untracked(), name_en: en.get_untracked(), active: active.get_untracked() })>{t(Msg::Save)}</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            />
        <h2>{t(Msg::AnadirTipoDocumento)}</h2>
        <form class="form" on:submit=add novalidate>
            <div class="form-grid">
                <div class="field"><label for="dt-es">{t(Msg::NombreEs)}</label><input id="dt-es" type="text" prop:value=move || new_es.get() on:input=move |ev| new_es.set(event_target_value(&ev))/><FieldMessage field="name_es" errors=errors/></div>
                <div class="field"><label for="dt-en">{t(Msg::NombreEn)}</label><input id="dt-en" type="text" prop:value=move || new_en.get() on:input=move |ev| new_en.set(event_target_value(&ev))/><FieldMessage field="name_en" errors=errors/></div>
            </div>
            <div class="actions"><button type="submit" class="button">{t(Msg::Anadir)}</button></div>
        </form>
    }
}
