//! The page context: who is signed in, for which authorisation, in which language. Loaded
//! with every navigation so the header (Fecha y Hora Actual, unread notices) stays current.

use casia_domain::dates::CalendarDate;
use casia_domain::dto::SessionView;
use casia_domain::second_factor::SecondFactorGate;
use casia_domain::{Lang, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageContext {
    /// The path this context was loaded for: a guard only decides on its own page's context,
    /// never on the previous page's while the new one loads.
    pub path: String,
    pub session: Option<SessionView>,
    pub lang: Lang,
    pub now: String,
    pub today: CalendarDate,
    /// The request carried a session that has just expired.
    pub expired: bool,
    /// Whether the second factor stands in the way (`session` is empty while the login's
    /// second step is pending: the page learns nothing more).
    pub second_factor: SecondFactorGate,
}

#[server(endpoint = "context")]
pub async fn get_page_context(path: String) -> Result<PageContext, AppError> {
    use crate::server::{caller, services, visitor_lang};
    use casia_services::clock;
    let at = clock::now();
    let now = clock::display(at);
    let today = clock::today_in_spain(at);
    match caller().await {
        Ok(c) => {
            let s = services();
            let second_factor = match c.second_factor_gate(s.config.auth.staff_mfa) {
                Err(casia_services::ServiceError::SecondFactorRequired) => {
                    SecondFactorGate::EnrolmentRequired
                }
                _ => SecondFactorGate::Passed,
            };
            let authorisation_count = if c.role == casia_domain::Role::Autorizado {
                casia_services::accounts::authorisation_count(&s.db, c.user.id)
                    .await
                    .map_err(crate::server::fail)? as usize
            } else {
                0
            };
            let unread_notices = match &c.authorisation {
                Some(a) => casia_services::notices::unread_count(&s.db, a.id, c.user.id)
                    .await
                    .map_err(crate::server::fail)?,
                None => 0,
            };
            // The page's frame (header, footer, `<html lang>`) is drawn from the cookie
            // before this context arrives: keep the cookie on the account's language.
            if crate::server::cookie_lang() != Some(c.lang) {
                crate::server::set_lang_cookie(c.lang);
            }
            Ok(PageContext {
                path,
                session: Some(SessionView {
                    user: casia_services::accounts::user_view(&c.user),
                    authorisation: c.authorisation_view(),
                    authorisation_count,
                    lang: c.lang,
                    unread_notices,
                    now: now.clone(),
                    today,
                    password_change_required: c.password_change_required,
                }),
                lang: c.lang,
                now,
                today,
                expired: false,
                second_factor,
            })
        }
        // Only a missing or ended session means "not signed in"; anything else (the database
        // down) is an error the page shows as such, never the login page.
        Err(
            e @ (AppError::NotSignedIn | AppError::SessionExpired | AppError::SecondFactorPending),
        ) => {
            // Not signed in is a normal answer here, not an error status.
            crate::server::set_page_status(http::StatusCode::OK);
            let second_factor = if e == AppError::SecondFactorPending {
                SecondFactorGate::Pending
            } else {
                SecondFactorGate::Passed
            };
            Ok(PageContext {
                path,
                session: None,
                lang: visitor_lang(),
                now,
                today,
                expired: e == AppError::SessionExpired,
                second_factor,
            })
        }
        Err(e) => Err(e),
    }
}

/// Shared by every page through context.
#[derive(Clone, Copy)]
pub struct Page {
    pub context: Resource<Result<PageContext, AppError>>,
    pub lang: Signal<Lang>,
    pathname: Memo<String>,
}

impl Page {
    /// The context loaded for the page being shown, or `None` while it loads (the previous
    /// page's context must not drive this page's redirects).
    pub fn current(&self) -> Option<Result<PageContext, AppError>> {
        let path = self.pathname.get_untracked();
        self.context
            .get()
            .filter(|c| c.as_ref().map_or(true, |c| c.path == path))
    }
}

/// Creates the page context (once, under the router).
pub fn provide_page() -> Page {
    let location = use_location();
    let context = Resource::new(move || location.pathname.get(), get_page_context);
    // A memo: it notifies only when the language really changes, not at every navigation
    // (the outgoing page's labels must not re-render while it is being replaced).
    //
    // On the server, what is outside a `<Suspense>` (the header, the footer, `<html lang>`)
    // is written before the context has loaded: it uses the request's language (the cookie,
    // kept on the account's), or it would stay Spanish after hydration for an English page.
    #[cfg(feature = "ssr")]
    let before_context = crate::server::visitor_lang();
    #[cfg(not(feature = "ssr"))]
    let before_context = Lang::default();
    let lang_memo = Memo::new(move |_| {
        context
            .get()
            .and_then(|r| r.ok())
            .map(|c| c.lang)
            .unwrap_or(before_context)
    });
    let lang = Signal::from(lang_memo);
    let pathname = Memo::new(move |_| location.pathname.get());
    let page = Page {
        context,
        lang,
        pathname,
    };
    provide_context(page);
    page
}

pub fn use_page() -> Page {
    expect_context::<Page>()
}

pub fn use_lang() -> Signal<Lang> {
    use_page().lang
}

/// A label that follows the language: `{t(Msg::NuevoCaso)}`.
pub fn t(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || msg.text(lang.get())
}
