//! `Buzón`: every notice of the authorisation, newest first; read per person.

use casia_domain::dto::NoticeView;
use casia_domain::{Msg, Role};
use leptos::prelude::*;

use crate::components::{ErrorBanner, Guarded};
use crate::context::{t, use_lang, use_page};
use crate::error::AppError;

pub const INBOX_PAGE: u64 = 30;

#[server(endpoint = "get_inbox")]
pub async fn get_inbox(before: Option<i64>) -> Result<Vec<NoticeView>, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::notices::inbox(&services().db, &c, c.lang, before, INBOX_PAGE)
        .await
        .map_err(fail)
}

#[server(endpoint = "mark_notice_read")]
pub async fn mark_notice_read(id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::notices::mark_read(&services().db, &c, id)
        .await
        .map_err(fail)
}

#[server(endpoint = "mark_all_notices_read")]
pub async fn mark_all_notices_read() -> Result<u64, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::notices::mark_all_read(&services().db, &c)
        .await
        .map_err(fail)
}

/// What the inbox learnt since it loaded. Owned by the page, outside the guard: refreshing
/// the header's counter may render the guarded view again, and this must survive it.
#[derive(Clone, Copy)]
struct InboxState {
    notices: Resource<Result<Vec<NoticeView>, AppError>>,
    /// Marked read in this visit.
    read_now: RwSignal<Vec<i64>>,
    /// Pages loaded with "Mostrar más".
    extra: RwSignal<Vec<NoticeView>>,
    more_available: RwSignal<bool>,
    failure: RwSignal<Option<AppError>>,
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let state = InboxState {
        notices: Resource::new(|| (), |_| get_inbox(None)),
        read_now: RwSignal::new(Vec::new()),
        extra: RwSignal::new(Vec::new()),
        more_available: RwSignal::new(false),
        failure: RwSignal::new(None),
    };
    view! { <Guarded roles=&[Role::Autorizado] children=move |_| view! { <InboxView state/> }/> }
}

#[component]
fn InboxView(state: InboxState) -> impl IntoView {
    let lang = use_lang();
    let page = use_page();
    let InboxState {
        notices,
        read_now,
        extra,
        more_available,
        failure,
    } = state;
    Effect::new(move |_| {
        if let Some(Ok(n)) = notices.get() {
            more_available.set(n.len() as u64 == INBOX_PAGE);
        }
    });
    let mark = move |id: i64| {
        leptos::task::spawn_local(async move {
            match mark_notice_read(id).await {
                Ok(()) => {
                    failure.set(None);
                    read_now.update(|r| r.push(id));
                    // The header's counter.
                    page.context.refetch();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let mark_all = move |_| {
        leptos::task::spawn_local(async move {
            match mark_all_notices_read().await {
                Ok(_) => {
                    failure.set(None);
                    notices.refetch();
                    extra.set(Vec::new());
                    page.context.refetch();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let load_more = move |_| {
        let last = extra.get_untracked().last().map(|n| n.id).or_else(|| {
            notices
                .get_untracked()
                .and_then(|r| r.ok())
                .and_then(|n| n.last().map(|n| n.id))
        });
        leptos::task::spawn_local(async move {
            if let Ok(page) = get_inbox(last).await {
                more_available.set(page.len() as u64 == INBOX_PAGE);
                extra.update(|e| e.extend(page));
            }
        });
    };
    let item = move |n: NoticeView| {
        let id = n.id;
        let unread = move || !n.read && !read_now.get().contains(&id);
        let case = n.case_number.clone();
        view! {
            <li class="notice" class:notice-unread=unread data-testid="notice">
                <div class="notice-head">
                    <strong>{n.subject.clone()}</strong>
                    <span class="small muted">{n.created_at.clone()}</span>
                </div>
                <p class="prewrap">{n.body.clone()}</p>
                <div class="actions">
                    {case.map(|c| view! { <a class="button button-small" href=format!("/casia/casos/{c}")>{t(Msg::VerCaso)}</a> })}
                    <Show when=unread>
                        <button type="button" class="button button-secondary button-small" on:click=move |_| mark(id)>{t(Msg::MarcarLeido)}</button>
                    </Show>
                </div>
            </li>
        }
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::Buzon)}</h1>
                <button type="button" class="button button-secondary" on:click=mark_all>{t(Msg::MarcarTodosLeidos)}</button>
            </div>
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
                {move || notices.get().map(|r| match r {
                    Err(e) => view! { <div class="alert alert-error" role="alert">{e.message(lang.get())}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p data-testid="inbox-empty">{t(Msg::BuzonVacio)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="notice-list">
                            {list.into_iter().map(item).collect_view()}
                            <For each=move || extra.get() key=|n| n.id let:n>{item(n)}</For>
                        </ul>
                        <Show when=move || more_available.get()>
                            <div class="actions"><button type="button" class="button button-secondary" on:click=load_more>{t(Msg::MostrarMas)}</button></div>
                        </Show>
                    }.into_any(),
                })}
            </Suspense>
        </div>
    }
}
