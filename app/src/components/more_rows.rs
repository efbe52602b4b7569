//! Lists shown a page at a time (keyset cursors): the first page as a resource, the rows
//! loaded after it, and the `Mostrar más` button that loads the next.

use std::future::Future;

use casia_domain::Msg;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::context::t;
use crate::error::AppError;

/// The first page of `fetch` for the search `searched` holds, loaded again as it changes;
/// `None` while there is no search.
pub fn first_page<Q, P, F, Fut>(
    searched: Memo<Option<Q>>,
    fetch: F,
) -> Resource<Result<Option<P>, AppError>>
where
    Q: Clone + PartialEq + Send + Sync + 'static,
    P: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(Q, Option<String>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<P, AppError>> + Send + 'static,
{
    Resource::new(
        move || searched.get(),
        move |search| async move {
            match search {
                Some(search) => fetch(search, None).await.map(Some),
                None => Ok(None),
            }
        },
    )
}

/// The rows after the first page, the cursor of the page after them (none: no more), and
/// what loads it.
pub struct MoreRows<T: Send + Sync + 'static> {
    pub extra: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    /// Loads the next page in the background and adds its rows.
    pub load_next: Callback<()>,
}

// Derived `Clone`/`Copy` would ask the same of `T`; the fields are handles.
impl<T: Send + Sync + 'static> Clone for MoreRows<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for MoreRows<T> {}

impl<T: Send + Sync + 'static> MoreRows<T> {
    /// Starts over each time a first page arrives: `first_next` gives its next cursor, or
    /// `None` while there is no first page. `fetch(cursor)` loads a later page: `None` when
    /// there is nothing to load, else its rows and the cursor after them (`None` when the
    /// load failed: the button stays for another try).
    pub fn new<F, Fut>(first_next: impl Fn() -> Option<Option<String>> + 'static, fetch: F) -> Self
    where
        F: Fn(String) -> Option<Fut> + Send + Sync + 'static,
        Fut: Future<Output = Option<(Vec<T>, Option<String>)>> + 'static,
    {
        let extra = RwSignal::new(Vec::new());
        let next = RwSignal::new(None);
        Effect::new(move |_| {
            if let Some(first) = first_next() {
                extra.set(Vec::new());
                next.set(first);
            }
        });
        let load_next = Callback::new(move |()| {
            let Some(page) = next.get_untracked().and_then(&fetch) else {
                return;
            };
            leptos::task::spawn_local(async move {
                if let Some((rows, after)) = page.await {
                    extra.update(|extra| extra.extend(rows));
                    next.set(after);
                }
            });
        });
        MoreRows {
            extra,
            next,
            load_next,
        }
    }

    /// For a search's pages (see [`first_page`]): `fetch(search, cursor)` loads one, `rows`
    /// splits it into its rows and the next cursor.
    pub fn of_search<Q, P, F, Fut>(
        searched: Memo<Option<Q>>,
        first: Resource<Result<Option<P>, AppError>>,
        fetch: F,
        rows: fn(P) -> (Vec<T>, Option<String>),
    ) -> Self
    where
        Q: Clone + PartialEq + Send + Sync + 'static,
        P: Clone + Send + Sync + 'static,
        F: Fn(Q, Option<String>) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<P, AppError>> + 'static,
    {
        Self::new(
            move || match first.get() {
                Some(Ok(Some(page))) => Some(rows(page).1),
                _ => None,
            },
            move |cursor| {
                let search = searched.get_untracked()?;
                Some(async move { fetch(search, Some(cursor)).await.ok().map(rows) })
            },
        )
    }
}

/// `Mostrar más`, while there is a next page.
#[component]
pub fn ShowMore<T: Send + Sync + 'static>(more: MoreRows<T>) -> impl IntoView {
    view! {
        <Show when=move || more.next.get().is_some()>
            <div class="actions"><button type="button" class="button button-secondary" on:click=move |_| more.load_next.run(())>{t(Msg::MostrarMas)}</button></div>
        </Show>
    }
}

/// A table shown a page at a time: the header row (`children`), the first page's rows, those
/// loaded after them, and `Mostrar más` below.
#[component]
pub fn PagedTable<T, R, IV>(
    testid: &'static str,
    first: Vec<T>,
    more: MoreRows<T>,
    /// A row's key: its case's number.
    key: fn(&T) -> i64,
    row: R,
    children: Children,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    R: Fn(T) -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let first = first.into_iter().map(row.clone()).collect_view();
    view! {
        <div class="table-wrap">
            <table class="table stack" data-testid=testid>
                <thead>{children()}</thead>
                <tbody>
                    {first}
                    <For each=move || more.extra.get() key children=row/>
                </tbody>
            </table>
        </div>
        <ShowMore more/>
    }
}
