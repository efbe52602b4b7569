//! The case as the authorised user sees it: one module per screen (guide §4.2.1 detail,
//! §4.2.3 `Consulta Histórico`, §4.2.2 `Solicitar Anulación`, §4.2.4 `Valoración`). The
//! buttons shown are those the lifecycle allows; the server checks again on every action.

pub mod cancel;
pub mod detail;
pub mod history;
pub mod rating;

use casia_domain::Msg;
#[cfg(feature = "ssr")]
use casia_domain::Role;
use casia_domain::dto::CaseDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::Loaded;
use crate::error::AppError;

#[server(endpoint = "case_detail")]
pub async fn get_case_detail(number: String) -> Result<CaseDetail, AppError> {
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Autorizado], &number).await?;
    casia_services::cases::query::detail_for_user(&services().db, &c, n)
        .await
        .map_err(fail)
}

/// The `:numero` of the current route.
pub fn number_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("numero").unwrap_or_default()))
}

/// The case of the current route. Created at the page's top level (a guard may re-render
/// its content, and a resource must outlive that).
pub fn case_resource() -> Resource<Result<CaseDetail, AppError>> {
    let number = number_param();
    Resource::new(move || number.get(), get_case_detail)
}

/// Renders `children` with the loaded case (or the error).
#[component]
pub fn WithCase<F, IV>(detail: Resource<Result<CaseDetail, AppError>>, children: F) -> impl IntoView
where
    F: Fn(CaseDetail) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    view! { <Loaded resource=detail children=children back=("/casia/casos", Msg::GestionCasos)/> }
}
