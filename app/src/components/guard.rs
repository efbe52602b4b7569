//! Page guards. They decide what to render; the server functions behind each page check the
//! session and the role again on their own (hiding a page is not access control).

use casia_domain::dto::SessionView;
use casia_domain::second_factor::SecondFactorGate;
use casia_domain::{Msg, Role};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::context::{t, use_page};
use crate::url::with_query;

/// What the guard decided. The page is rebuilt only when this changes: refreshing the
/// header's context (unread count, clock) must not reset a half-filled form.
#[derive(Clone, Debug, PartialEq)]
enum Gate {
    Loading,
    Login {
        expired: bool,
    },
    Picker,
    /// The login's second step is pending.
    SecondStep,
    /// Staff must enrol a second factor first.
    Enrol,
    /// An administrator reset the password: only `/cuenta` until it is changed.
    ChangePassword,
    Forbidden,
    Failed(crate::error::AppError),
    Allow {
        user_id: i64,
        role: Role,
        authorisation: Option<i64>,
    },
}

/// Renders `children` for a signed-in person with one of `roles`. Sends others to the login
/// page (coming back afterwards), a session waiting for its second step to that step, staff
/// who must enrol a second factor to its enrolment, authorised users without a chosen
/// authorisation to the picker, and shows a 403 page to other roles.
#[component]
pub fn Guarded<F, IV>(
    roles: &'static [Role],
    /// The authorisation picker itself: shown before an authorisation is chosen.
    #[prop(optional)]
    picker: bool,
    /// The second factor's enrolment page: shown to staff who must still enrol one.
    #[prop(optional)]
    enrolment: bool,
    /// The account page (`/cuenta`): open with a pending password change, and before an
    /// authorisation is chosen.
    #[prop(optional)]
    account: bool,
    children: F,
) -> impl IntoView
where
    F: Fn(SessionView) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let page = use_page();
    let location = use_location();
    let session = StoredValue::new(None::<SessionView>);
    let gate = Memo::new(move |_| match page.current() {
        None => Gate::Loading,
        Some(Err(e)) => Gate::Failed(e),
        Some(Ok(ctx)) => match ctx.session {
            None if ctx.second_factor == SecondFactorGate::Pending => Gate::SecondStep,
            None => Gate::Login {
                expired: ctx.expired,
            },
            Some(_) if ctx.second_factor == SecondFactorGate::EnrolmentRequired && !enrolment => {
                Gate::Enrol
            }
            Some(s) if !roles.contains(&s.user.role) => Gate::Forbidden,
            Some(s) if s.password_change_required && !account => Gate::ChangePassword,
            Some(s) if s.needs_authorisation() && !picker && !account => Gate::Picker,
            Some(s) => {
                let gate = Gate::Allow {
                    user_id: s.user.id,
                    role: s.user.role,
                    authorisation: s.authorisation.as_ref().map(|a| a.id),
                };
                session.set_value(Some(s));
                gate
            }
        },
    });
    let children = std::sync::Arc::new(children);
    view! {
        <Transition fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || {
                // Read inside the Transition so that server rendering waits for the context,
                // but untracked: a refetch (the header's unread count after "Marcar como
                // leído") must not rebuild the page. Only a change of `gate` does.
                let _ = page.context.get_untracked();
                let children = children.clone();
                // The page may be on its way out (navigation): then render nothing.
                let Some(gate) = gate.try_get() else { return ().into_any() };
                match gate {
                    Gate::Loading => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
                    Gate::Failed(e) => view! { <FailedPage error=e/> }.into_any(),
                    Gate::Login { expired } => {
                        let next = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                        let path = with_query("/acceso", [("next", Some(next.as_str())), ("caducada", expired.then_some("1"))]);
                        view! { <Redirect path=path/> }.into_any()
                    }
                    Gate::Forbidden => {
                        #[cfg(feature = "ssr")]
                        crate::server::set_page_status(http::StatusCode::FORBIDDEN);
                        view! { <StatusPage title=Msg::ForbiddenTitle text=Some(Msg::ErrForbidden) error=None/> }.into_any()
                    }
                    Gate::Picker => view! { <Redirect path="/autorizaciones"/> }.into_any(),
                    Gate::SecondStep => {
                        let next = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                        let path = with_query("/acceso/segundo-factor", [("next", Some(next.as_str()))]);
                        view! { <Redirect path=path/> }.into_any()
                    }
                    Gate::Enrol => view! { <Redirect path="/cuenta/segundo-factor"/> }.into_any(),
                    Gate::ChangePassword => view! { <Redirect path="/cuenta"/> }.into_any(),
                    Gate::Allow { .. } => match session.try_get_value().flatten() {
                        Some(s) => children(s).into_any(),
                        None => ().into_any(),
                    },
                }
            }}
        </Transition>
    }
}

/// The page could not learn who is signed in (the database down): a 500 page saying so.
#[component]
pub fn FailedPage(error: crate::error::AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::set_page_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    view! { <StatusPage title=Msg::ErrInternal text=None error=Some(error)/> }
}

/// A whole-page message (403, 404, unexpected error).
#[component]
pub fn StatusPage(
    title: Msg,
    text: Option<Msg>,
    error: Option<crate::error::AppError>,
) -> impl IntoView {
    let lang = use_page().lang;
    view! {
        <crate::title::StatusTitle title/>
        <div class="panel status-page" role="alert">
            <h1>{t(title)}</h1>
            {text.map(|m| view! { <p>{t(m)}</p> })}
            {error.map(|e| {
                let internal = e == crate::error::AppError::Internal;
                view! {
                    <p>{move || e.message(lang.get())}</p>
                    {internal.then(|| view! { <crate::components::loaded::IncidentReference/> })}
                }
            })}
            <p><a href="/" class="button">{t(Msg::GoHome)}</a></p>
        </div>
    }
}
