//! `/cuenta` ("Mi cuenta"), for every role: change one's own password (the current one is
//! checked and throttled like a login; the other sessions end) and see and end one's own
//! sessions. After an administrator's reset it is the only page open until the change.

use casia_domain::dto::{MyAccount, OwnSessionView};
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;

use crate::components::forms::{has_problem, on_answer, successes, use_hydrated};
use crate::components::{ErrorBanner, FieldMessage, Guarded, Loaded};
use crate::context::t;
use crate::error::AppError;

const EVERY_ROLE: &[Role] = &[
    Role::Autorizado,
    Role::Tramitador,
    Role::Supervisor,
    Role::Administrador,
];

// These use `caller()`, not `require()`: any signed-in role, and still open while a password
// change is pending (that is what the page is for). Each acts on the caller's own account.

#[server(endpoint = "account_overview")]
pub async fn account_overview() -> Result<MyAccount, AppError> {
    use crate::server::{caller, fail, services};
    let c = caller().await?;
    let sessions = casia_services::sessions::list(&services().db, &c)
        .await
        .map_err(fail)?;
    Ok(MyAccount {
        username: c.user.username.clone(),
        full_name: c.user.full_name.clone(),
        password_change_required: c.password_change_required,
        sessions,
    })
}

/// Returns how many other sessions ended.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    repeat_password: String,
) -> Result<u64, AppError> {
    use crate::server::{caller, fail, services};
    let c = caller().await?;
    let s = services();
    casia_services::passwords::change_password(
        &s.db,
        &s.config.login,
        &c,
        &current_password,
        &new_password,
        &repeat_password,
    )
    .await
    .map_err(fail)
}

#[server(endpoint = "end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use crate::server::{caller, fail, services};
    let c = caller().await?;
    casia_services::sessions::end(&services().db, &c, &id)
        .await
        .map_err(fail)
}

/// Returns how many sessions ended.
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::server::{caller, fail, services};
    let c = caller().await?;
    casia_services::sessions::end_others(&services().db, &c)
        .await
        .map_err(fail)
}

#[component]
pub fn AccountPage() -> impl IntoView {
    // The changes live here, outside the guard, with the resource they reload: the other
    // sessions are gone and a forced change is no longer pending after a new password; the
    // list of sessions changes after ending one (or failing to: it may be gone already).
    let actions = AccountActions {
        change: ServerAction::new(),
        end_one: ServerAction::new(),
        end_all: ServerAction::new(),
    };
    let change_ok = successes(actions.change);
    let account = Resource::new(
        move || {
            (
                change_ok.get(),
                actions.end_one.version().get(),
                actions.end_all.version().get(),
            )
        },
        |_| account_overview(),
    );
    view! { <Guarded roles=EVERY_ROLE account=true children=move |_| view! { <AccountView account actions/> }/> }
}

#[derive(Clone, Copy)]
struct AccountActions {
    change: ServerAction<ChangePassword>,
    end_one: ServerAction<EndSession>,
    end_all: ServerAction<EndOtherSessions>,
}

#[component]
fn AccountView(
    account: Resource<Result<MyAccount, AppError>>,
    actions: AccountActions,
) -> impl IntoView {
    view! {
        <div class="panel">
            <h1>{t(Msg::MiCuenta)}</h1>
            <Loaded resource=account children=move |a| view! {
                        {a.password_change_required.then(|| view! {
                            <div class="alert alert-info" role="status" data-testid="password-change-required">
                                {t(Msg::CambioContrasenaObligatorio)}
                            </div>
                        })}
                        <dl class="dl-grid">
                            <div><dt>{t(Msg::Username)}</dt><dd>{a.username.clone()}</dd></div>
                            <div><dt>{t(Msg::Nombre)}</dt><dd>{a.full_name.clone()}</dd></div>
                        </dl>
                    }.into_any()
                />
        </div>
        <ChangePasswordForm change=actions.change/>
        <SessionsPanel account actions/>
    }
}

#[component]
fn ChangePasswordForm(change: ServerAction<ChangePassword>) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let changed = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = change.pending();
    let hydrated = use_hydrated();
    let errors = Signal::derive(move || server_errors.get());
    // The page context is not refetched: that would rebuild this guarded view and drop the
    // confirmation; the next page loads its own context anyway.
    on_answer(change, move |answer| match answer {
        Ok(_) => {
            for field in [current, new, repeat] {
                field.set(String::new());
            }
            changed.set(true);
        }
        Err(AppError::Invalid(errs)) => server_errors.set(errs),
        Err(e) => failure.set(Some(e)),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        server_errors.set(Vec::new());
        failure.set(None);
        changed.set(false);
        change.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
            repeat_password: repeat.get_untracked(),
        });
    };
    let field = move |id: &'static str,
                      label: Msg,
                      value: RwSignal<String>,
                      autocomplete: &'static str| {
        view! {
            <div class="field">
                <label for=id>{t(label)}</label>
                <input id=id name=id type="password" autocomplete=autocomplete maxlength="128"
                    aria-invalid=move || has_problem(&errors.get(), id).to_string()
                    aria-describedby=format!("err-{id}")
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <FieldMessage field=id errors=errors/>
            </div>
        }
    };
    view! {
        <div class="panel">
            <h2>{t(Msg::CambiarContrasena)}</h2>
            {move || changed.get().then(|| view! {
                <div class="alert alert-success" role="status" data-testid="password-changed">{t(Msg::ContrasenaCambiada)}</div>
            })}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <form class="form" on:submit=submit novalidate data-testid="change-password">
                {field("current_password", Msg::ContrasenaActual, current, "current-password")}
                {field("new_password", Msg::NuevaContrasena, new, "new-password")}
                <p class="hint">{t(Msg::PoliticaContrasena)}</p>
                {field("repeat_password", Msg::RepetirContrasena, repeat, "new-password")}
                <div class="actions">
                    <button type="submit" class="button" disabled=move || !hydrated.get() || pending.get()>{t(Msg::CambiarContrasena)}</button>
                </div>
            </form>
        </div>
    }
}

#[component]
fn SessionsPanel(
    account: Resource<Result<MyAccount, AppError>>,
    actions: AccountActions,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let notice = RwSignal::new(None::<Msg>);
    let failure = RwSignal::new(None::<AppError>);
    let AccountActions {
        end_one: end_session,
        end_all: end_others,
        ..
    } = actions;
    on_answer(end_session, move |answer| match answer {
        Ok(()) => notice.set(Some(Msg::SesionCerrada)),
        Err(e) => failure.set(Some(e)),
    });
    on_answer(end_others, move |answer| match answer {
        Ok(_) => notice.set(Some(Msg::OtrasSesionesCerradas)),
        Err(e) => failure.set(Some(e)),
    });
    let end_one = move |id: String| {
        notice.set(None);
        failure.set(None);
        end_session.dispatch(EndSession { id });
    };
    let end_all = move |_| {
        notice.set(None);
        failure.set(None);
        end_others.dispatch(EndOtherSessions {});
    };
    let row = move |s: OwnSessionView| {
        let id = s.id.clone();
        let device = if s.device.is_empty() {
            None
        } else {
            Some(s.device.clone())
        };
        view! {
            <tr data-testid="session-row" class:current=s.current>
                <td>
                    {match device {
                        Some(d) => d.into_any(),
                        None => view! { {t(Msg::DispositivoDesconocido)} }.into_any(),
                    }}
                    {s.current.then(|| view! { <span class="tag" data-testid="this-session">{t(Msg::EstaSesion)}</span> })}
                </td>
                <td>{if s.client.is_empty() { "—".to_owned() } else { s.client.clone() }}</td>
                <td>{s.started.clone()}</td>
                <td>{s.last_used.clone()}</td>
                <td>
                    {(!s.current).then(|| {
                        let id = id.clone();
                        view! {
                            <button type="button" class="button button-secondary" data-testid="end-session"
                                disabled=move || !hydrated.get() on:click=move |_| end_one(id.clone())>
                                {t(Msg::CerrarEstaSesion)}
                            </button>
                        }
                    })}
                </td>
            </tr>
        }
    };
    view! {
        <div class="panel">
            <h2>{t(Msg::SesionesActivas)}</h2>
            {move || notice.get().map(|m| view! { <div class="alert alert-success" role="status" data-testid="sessions-notice">{t(m)}</div> })}
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <Loaded resource=account children=move |a| {
                        let others = a.sessions.iter().any(|s| !s.current);
                        view! {
                            <div class="table-wrap">
                                <table class="table stack" data-testid="sessions">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t(Msg::Dispositivo)}</th>
                                            <th scope="col">{t(Msg::DireccionCliente)}</th>
                                            <th scope="col">{t(Msg::Iniciada)}</th>
                                            <th scope="col">{t(Msg::UltimoUso)}</th>
                                            <th scope="col"><span class="visually-hidden">{t(Msg::CerrarEstaSesion)}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>{a.sessions.into_iter().map(row).collect_view()}</tbody>
                                </table>
                            </div>
                            {if others {
                                view! {
                                    <div class="actions">
                                        <button type="button" class="button button-secondary" data-testid="end-other-sessions"
                                            disabled=move || !hydrated.get() on:click=end_all>
                                            {t(Msg::CerrarTodasLasDemas)}
                                        </button>
                                    </div>
                                }.into_any()
                            } else {
                                view! { <p class="hint" data-testid="no-other-sessions">{t(Msg::SinOtrasSesiones)}</p> }.into_any()
                            }}
                        }.into_any()
                    }
                />
        </div>
    }
}
