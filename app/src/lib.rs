#![recursion_limit = "512"]
//! Casia's pages and server functions. Compiled twice: with `ssr` into the server (server
//! functions run there, pages are rendered there first) and with `hydrate` into the browser.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod api_audit;
#[cfg(feature = "ssr")]
pub mod api_csv;
#[cfg(feature = "ssr")]
pub mod api_live;
#[cfg(feature = "ssr")]
pub mod api_v1;
pub mod auth;
pub mod components;
pub mod context;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod title;
pub mod url;

use casia_domain::Msg;
use leptos::prelude::*;
use leptos_meta::{Html, Meta, MetaTags, Stylesheet, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::components::{Header, StatusPage};
use crate::context::{provide_page, t};
use crate::pages::account::AccountPage;
use crate::pages::admin::AdminPage;
use crate::pages::case::cancel::CancelPage;
use crate::pages::case::detail::CaseDetailPage;
use crate::pages::case::history::HistoryPage;
use crate::pages::case::rating::RatingPage;
use crate::pages::case_search::CaseSearchPage;
use crate::pages::contact::ContactPage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::home::{ActionSelectionPage, RootRedirect};
use crate::pages::inbox::InboxPage;
use crate::pages::login::LoginPage;
use crate::pages::modify::ModifyPage;
use crate::pages::new_case::{CaseOpenedPage, NewCasePage};
use crate::pages::picker::PickerPage;
use crate::pages::processor_case::ProcessorCasePage;
use crate::pages::search::SearchPage;
use crate::pages::second_factor::{SecondFactorPage, SecondFactorStepPage};
use crate::pages::tokens::TokensPage;
use crate::pages::verify::VerifyPage;
use crate::pages::workspace::WorkspacePage;

/// The HTML document around the app (server side). Its scripts carry this response's nonce
/// (leptos_axum makes a fresh one per page), which the Content-Security-Policy names.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/casia.css"/>
        <Meta name="description" content="Casia: atención y soporte al autorizado RED"/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// Pages wait for their data on the server before the first byte is sent (`Async`): redirects
/// and status codes then work, and every page is complete without JavaScript.
#[component]
fn Layout() -> impl IntoView {
    let page = provide_page();
    let lang = page.lang;
    view! {
        <Html attr:lang=move || lang.get().code()/>
        <title::PageIdentity/>
        <Header/>
        <div class="hydration-notice alert alert-warning" role="alert" data-testid="hydration-notice">{t(Msg::AppNoCargada)}</div>
        <main id="contenido" class="main" tabindex="-1">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=RootRedirect ssr=SsrMode::Async/>
                <Route path=path!("/acceso") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/acceso/segundo-factor") view=SecondFactorStepPage ssr=SsrMode::Async/>
                <Route path=path!("/cuenta/segundo-factor") view=SecondFactorPage ssr=SsrMode::Async/>
                <Route path=path!("/cuenta/tokens") view={Lazy::<TokensRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/autorizaciones") view=PickerPage ssr=SsrMode::Async/>
                <Route path=path!("/casia") view=ActionSelectionPage ssr=SsrMode::Async/>
                <Route path=path!("/casia/nuevo") view={Lazy::<NewCaseRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos") view={Lazy::<SearchRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos/:numero") view={Lazy::<CaseDetailRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos/:numero/alta") view={Lazy::<CaseOpenedRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos/:numero/historico") view={Lazy::<HistoryRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos/:numero/modificar") view={Lazy::<ModifyRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos/:numero/anular") view={Lazy::<CancelRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/casos/:numero/valorar") view={Lazy::<RatingRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/buzon") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/casia/contacto") view={Lazy::<ContactRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/verificacion") view={Lazy::<VerifyRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tramitacion") view={Lazy::<WorkspaceRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tramitacion/buscar") view={Lazy::<CaseSearchRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tramitacion/casos/:numero") view={Lazy::<ProcessorCaseRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tramitacion/panel") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/administracion") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/cuenta") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </main>
        <footer class="footer"><p>{t(Msg::Footer)}</p></footer>
    }
}

/// A route whose code is loaded on demand (`cargo leptos build --split`): the first page a
/// person opens downloads only the code it needs.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(NewCaseRoute, NewCasePage);
lazy_page!(SearchRoute, SearchPage);
lazy_page!(CaseDetailRoute, CaseDetailPage);
lazy_page!(CaseOpenedRoute, CaseOpenedPage);
lazy_page!(HistoryRoute, HistoryPage);
lazy_page!(ModifyRoute, ModifyPage);
lazy_page!(CancelRoute, CancelPage);
lazy_page!(RatingRoute, RatingPage);
lazy_page!(InboxRoute, InboxPage);
lazy_page!(TokensRoute, TokensPage);
lazy_page!(ContactRoute, ContactPage);
lazy_page!(VerifyRoute, VerifyPage);
lazy_page!(WorkspaceRoute, WorkspacePage);
lazy_page!(CaseSearchRoute, CaseSearchPage);
lazy_page!(ProcessorCaseRoute, ProcessorCasePage);
lazy_page!(DashboardRoute, DashboardPage);
lazy_page!(AdminRoute, AdminPage);
lazy_page!(AccountRoute, AccountPage);

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::set_page_status(http::StatusCode::NOT_FOUND);
    view! { <StatusPage title=Msg::NotFoundTitle text=Some(Msg::NotFoundText) error=None/> }
}
