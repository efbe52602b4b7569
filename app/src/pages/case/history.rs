//! `Consulta Histórico` (guide §4.2.3).

use casia_domain::dto::CaseHistory;
use casia_domain::{Msg, Role};
use leptos::prelude::*;

use super::number_param;
use crate::components::Guarded;
use crate::components::case_view::HistoryTable;
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "case_history")]
pub async fn get_case_history(number: String) -> Result<CaseHistory, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    let n = casia_domain::model::case_number::parse(&number).ok_or(AppError::NotFound)?;
    casia_services::cases::query::history_for_user(&services().db, &c, n)
        .await
        .map_err(fail)
}

/// `Consulta Histórico` (guide §4.2.3): oldest first.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let number = number_param();
    let history = Resource::new(move || number.get(), get_case_history);
    view! { <Guarded roles=&[Role::Autorizado] children=move |_| view! { <HistoryView history number/> }/> }
}

#[component]
fn HistoryView(
    history: Resource<Result<CaseHistory, AppError>>,
    number: Memo<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || history.get().map(|r| match r {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                Ok(h) => view! { <HistoryTable history=h back=format!("/casia/casos/{}", number.get_untracked())/> }.into_any(),
            })}
        </Suspense>
    }
}
