//! `Consulta Histórico` (guide §4.2.3).

use casia_domain::Role;
use casia_domain::dto::CaseHistory;
use leptos::prelude::*;

use super::number_param;
use crate::components::case_view::HistoryTable;
use crate::components::{Guarded, Loaded};
use crate::error::AppError;

#[server(endpoint = "case_history")]
pub async fn get_case_history(number: String) -> Result<CaseHistory, AppError> {
    use crate::server::{fail, require_case, services};
    let (c, n) = require_case(&[Role::Autorizado], &number).await?;
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
    view! {
        <Loaded resource=history children=move |h| view! { <HistoryTable history=h back=format!("/casia/casos/{}", number.get_untracked())/> }/>
    }
}
