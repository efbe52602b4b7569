//! `Tipos de documento`.

use casia_domain::dto::AdminDocumentType;
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;

use super::{act, outcome_banner};
use crate::components::FieldMessage;
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
