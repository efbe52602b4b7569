//! The case as the authorised user sees it: one module per screen (guide §4.2.1 detail,
//! §4.2.3 `Consulta Histórico`, §4.2.2 `Solicitar Anulación`, §4.2.4 `Valoración`). The
//! buttons shown are those the lifecycle allows; the server checks again on every action.

pub mod cancel;
pub mod detail;
pub mod history;
pub mod rating;

use casia_domain::dto::CaseDetail;
use casia_domain::{Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "case_detail")]
pub async fn get_case_detail(number: String) -> Result<CaseDetail, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
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
    let lang = use_lang();
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || {
                let children = children.clone();
                detail.get().map(move |r| match r {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::server::set_page_status(e.status());
                        view! {
                            <div class="panel">
                                <div class="alert alert-error" role="alert">{e.message(lang.get())}</div>
                                <a class="button button-secondary" href="/casia/casos">{t(Msg::GestionCasos)}</a>
                            </div>
                        }.into_any()
                    }
                    Ok(d) => children(d).into_any(),
                })
            }}
        </Suspense>
    }
}
