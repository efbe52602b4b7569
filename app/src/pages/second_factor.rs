//! `Verificación en dos pasos`: enrolling a second factor (TOTP app: QR code or manual key,
//! then a code to confirm; ten recovery codes shown once), renewing the recovery codes and
//! turning it off (`/cuenta/segundo-factor`); and the login's second step
//! (`/acceso/segundo-factor`).

use casia_domain::second_factor::{Enrolment, SecondFactorGate, SecondFactorStatus};
use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::auth::Logout;
use crate::components::forms::{has_problem, on_answer, use_hydrated};
use crate::components::{ErrorBanner, FieldMessage, Guarded, Loaded};
use crate::context::{t, use_lang, use_page};
use crate::error::AppError;

#[server(endpoint = "get_second_factor")]
pub async fn get_second_factor() -> Result<SecondFactorStatus, AppError> {
    use crate::server::{fail, require_signed_in, services};
    let c = require_signed_in().await?;
    let s = services();
    casia_services::second_factor::status(&s.db, &c, s.config.auth.staff_mfa)
        .await
        .map_err(fail)
}

#[server(endpoint = "start_second_factor")]
pub async fn start_second_factor() -> Result<Enrolment, AppError> {
    use crate::server::{fail, require_signed_in, services};
    let c = require_signed_in().await?;
    casia_services::second_factor::start_enrolment(&services().db, &c)
        .await
        .map_err(fail)
}

/// Confirms the enrolment; answers the recovery codes (the only time they are shown).
#[server(endpoint = "confirm_second_factor")]
pub async fn confirm_second_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::{fail, require_signed_in, services};
    let c = require_signed_in().await?;
    let s = services();
    casia_services::second_factor::confirm_enrolment(&s.db, &s.config.auth, &c, &code)
        .await
        .map_err(fail)
}

#[server(endpoint = "renew_recovery_codes")]
pub async fn renew_recovery_codes(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::{fail, require_signed_in, services};
    let c = require_signed_in().await?;
    let s = services();
    casia_services::second_factor::renew_recovery_codes(&s.db, &s.config.auth, &c, &code)
        .await
        .map_err(fail)
}

#[server(endpoint = "disable_second_factor")]
pub async fn disable_second_factor(password: String, code: String) -> Result<(), AppError> {
    use crate::server::{fail, require_signed_in, services};
    let c = require_signed_in().await?;
    let s = services();
    casia_services::second_factor::disable(&s.db, &s.config.auth, &c, &password, &code)
        .await
        .map_err(fail)
}

/// The login's second step: the one server function (with logout) a session waiting for its
/// code may call.
#[server(endpoint = "verify_second_factor")]
pub async fn verify_second_factor(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{fail, services, session_caller};
    let c = session_caller().await?;
    let s = services();
    if let Some(token) =
        casia_services::second_factor::verify_login(&s.db, &s.config.auth, &c, &code)
            .await
            .map_err(fail)?
    {
        crate::server::set_session_cookie(&token);
    }
    let target = if c.role == Role::Autorizado && c.authorisation.is_none() {
        "/autorizaciones".to_owned()
    } else {
        crate::auth::safe_next(next.as_deref().unwrap_or("/"))
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// The page's state, outside the guard: refreshing the header may render the guarded view
/// again, and recovery codes shown once must survive it.
#[derive(Clone, Copy)]
struct PageState {
    status: Resource<Result<SecondFactorStatus, AppError>>,
    /// The recovery codes just given (after confirming or renewing).
    new_codes: RwSignal<Option<Vec<String>>>,
    notice: RwSignal<Option<Msg>>,
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let state = PageState {
        status: Resource::new(|| (), |_| get_second_factor()),
        new_codes: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    view! {
        <Guarded roles=Role::ALL picker=true enrolment=true children=move |_| view! { <SecondFactorView state/> }/>
    }
}

#[component]
fn SecondFactorView(state: PageState) -> impl IntoView {
    let PageState {
        status,
        new_codes,
        notice,
    } = state;
    view! {
        <div class="panel">
            <h1>{t(Msg::SegundoFactor)}</h1>
            <p class="lead">{t(Msg::SegundoFactorIntro)}</p>
            {move || notice.get().map(|m| view! { <div class="alert alert-success" role="status" data-testid="mfa-notice">{t(m)}</div> })}
            {move || new_codes.get().map(|codes| view! { <RecoveryCodes codes/> })}
            <Loaded resource=status children=move |st| match (st.enrolled_at.clone(), st.pending.clone()) {
                        (Some(since), _) => view! { <Enrolled since codes_left=st.recovery_codes_left state/> }.into_any(),
                        (None, Some(enrolment)) => view! { <Confirm enrolment state/> }.into_any(),
                        (None, None) => view! { <Start required=st.required state/> }.into_any(),
                    }
                />
        </div>
    }
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <section class="alert alert-warning" role="status" data-testid="recovery-codes">
            <h2>{t(Msg::CodigosRecuperacion)}</h2>
            <p><strong>{t(Msg::CodigosRecuperacionGuardelos)}</strong></p>
            <ol class="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code data-testid="recovery-code">{c}</code></li> }).collect_view()}
            </ol>
        </section>
    }
}

/// Not enrolled: one button starts an enrolment (a new secret, not yet in force).
#[component]
fn Start(required: bool, state: PageState) -> impl IntoView {
    let hydrated = use_hydrated();
    let failure = RwSignal::new(None::<AppError>);
    let action = ServerAction::<StartSecondFactor>::new();
    on_answer(action, move |answer| match answer {
        Ok(_) => {
            state.notice.set(None);
            state.status.refetch();
        }
        Err(e) => failure.set(Some(e)),
    });
    let start = move |_| {
        action.dispatch(StartSecondFactor {});
    };
    view! {
        {required.then(|| view! { <div class="alert alert-info" role="status" data-testid="mfa-required">{t(Msg::SegundoFactorObligatorio)}</div> })}
        <p data-testid="mfa-off">{t(Msg::SegundoFactorInactivo)}</p>
        <ErrorBanner error=Signal::derive(move || failure.get())/>
        <div class="actions">
            <button type="button" class="button" on:click=start disabled=move || !hydrated.get()>{t(Msg::ActivarSegundoFactor)}</button>
        </div>
    }
}

/// The QR code, the key to type by hand, and the first code to confirm it.
#[component]
fn Confirm(enrolment: Enrolment, state: PageState) -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let code = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<AppError>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let confirm = ServerAction::<ConfirmSecondFactor>::new();
    on_answer(confirm, move |answer| match answer {
        Ok(codes) => {
            state.new_codes.set(Some(codes));
            state.notice.set(Some(Msg::SegundoFactorActivado));
            state.status.refetch();
            // The page context is not refetched here: that rebuilds the guarded view
            // mid-way (its gate passes through Loading). Staff who had to enrol are let
            // in by the next page's own context, loaded at every navigation.
        }
        Err(AppError::Invalid(e)) => errors.set(e),
        Err(e) => failure.set(Some(e)),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        errors.set(Vec::new());
        confirm.dispatch(ConfirmSecondFactor {
            code: code.get_untracked(),
        });
    };
    view! {
        <p>{t(Msg::EscaneeQr)}</p>
        <div class="qr" role="img" aria-label=move || Msg::CodigoQrAlt.text(lang.get()) inner_html=enrolment.qr_svg.clone()></div>
        <p class="small">{t(Msg::ClaveManual)}</p>
        <p><code class="manual-key" data-testid="manual-key">{enrolment.manual_key.clone()}</code></p>
        <ErrorBanner error=Signal::derive(move || failure.get())/>
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="mfa-code">{t(Msg::IntroduzcaCodigo)}</label>
                <CodeInput id="mfa-code" code errors/>
                <FieldMessage field="code" errors=errors/>
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || !hydrated.get()>{t(Msg::ConfirmarActivacion)}</button>
            </div>
        </form>
    }
}

#[component]
fn CodeInput(
    id: &'static str,
    code: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    view! {
        <input id=id name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required
            aria-invalid=move || has_problem(&errors.get(), "code").to_string()
            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
    }
}

/// Enrolled: the date, the codes left, new recovery codes, and turning it off.
#[component]
fn Enrolled(since: String, codes_left: u32, state: PageState) -> impl IntoView {
    let hydrated = use_hydrated();
    let renew_code = RwSignal::new(String::new());
    let renew_errors = RwSignal::new(Vec::<FieldError>::new());
    let renew_failure = RwSignal::new(None::<AppError>);
    let renewal = ServerAction::<RenewRecoveryCodes>::new();
    on_answer(renewal, move |answer| match answer {
        Ok(codes) => {
            renew_code.set(String::new());
            state.notice.set(None);
            state.new_codes.set(Some(codes));
            state.status.refetch();
        }
        Err(AppError::Invalid(e)) => renew_errors.set(e),
        Err(e) => renew_failure.set(Some(e)),
    });
    let renew = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        renew_errors.set(Vec::new());
        renew_failure.set(None);
        renewal.dispatch(RenewRecoveryCodes {
            code: renew_code.get_untracked(),
        });
    };
    let password = RwSignal::new(String::new());
    let off_code = RwSignal::new(String::new());
    let off_errors = RwSignal::new(Vec::<FieldError>::new());
    let off_failure = RwSignal::new(None::<AppError>);
    let disabling = ServerAction::<DisableSecondFactor>::new();
    on_answer(disabling, move |answer| match answer {
        Ok(()) => {
            state.new_codes.set(None);
            state.notice.set(Some(Msg::SegundoFactorDesactivado));
            state.status.refetch();
        }
        Err(AppError::Invalid(e)) => off_errors.set(e),
        Err(e) => off_failure.set(Some(e)),
    });
    let disable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        off_errors.set(Vec::new());
        off_failure.set(None);
        disabling.dispatch(DisableSecondFactor {
            password: password.get_untracked(),
            code: off_code.get_untracked(),
        });
    };
    view! {
        <p data-testid="mfa-on">{t(Msg::SegundoFactorActivo)}" "<strong>{since}</strong></p>
        <p>{t(Msg::CodigosRecuperacionRestantes)}" "<strong data-testid="codes-left">{codes_left}</strong></p>

        <h2>{t(Msg::RenovarCodigos)}</h2>
        <p class="small muted">{t(Msg::RenovarCodigosExplica)}</p>
        <ErrorBanner error=Signal::derive(move || renew_failure.get())/>
        <form class="form" on:submit=renew novalidate>
            <div class="field">
                <label for="renew-code">{t(Msg::CodigoVerificacion)}</label>
                <CodeInput id="renew-code" code=renew_code errors=renew_errors/>
                <FieldMessage field="code" errors=renew_errors/>
            </div>
            <div class="actions">
                <button type="submit" class="button button-secondary" disabled=move || !hydrated.get()>{t(Msg::RenovarCodigos)}</button>
            </div>
        </form>

        <h2>{t(Msg::DesactivarSegundoFactor)}</h2>
        <p class="small muted">{t(Msg::DesactivarSegundoFactorExplica)}</p>
        <ErrorBanner error=Signal::derive(move || off_failure.get())/>
        <form class="form" on:submit=disable novalidate>
            <div class="field">
                <label for="off-password">{t(Msg::Password)}</label>
                <input id="off-password" type="password" autocomplete="current-password" required
                    aria-invalid=move || has_problem(&off_errors.get(), "password").to_string()
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <FieldMessage field="password" errors=off_errors/>
            </div>
            <div class="field">
                <label for="off-code">{t(Msg::CodigoORecuperacion)}</label>
                <CodeInput id="off-code" code=off_code errors=off_errors/>
                <FieldMessage field="code" errors=off_errors/>
            </div>
            <div class="actions">
                <button type="submit" class="button button-danger" disabled=move || !hydrated.get()>{t(Msg::DesactivarSegundoFactor)}</button>
            </div>
        </form>
    }
}

/// `/acceso/segundo-factor`: the code after a right password. Works without JavaScript too
/// (a plain form post that redirects).
#[component]
pub fn SecondFactorStepPage() -> impl IntoView {
    let page = use_page();
    let query = use_query_map();
    let verify = ServerAction::<VerifySecondFactor>::new();
    let logout = ServerAction::<Logout>::new();
    let failure = Signal::derive(move || verify.value().get().and_then(|r| r.err()));
    let errors = Signal::derive(move || {
        failure
            .get()
            .map(|e| e.field_errors().to_vec())
            .unwrap_or_default()
    });
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    view! {
        // Not waiting for a code: signed in already goes on, not signed in goes to the login.
        <Transition fallback=|| ()>
            {move || page.current().and_then(|c| c.ok()).and_then(|c| match (c.second_factor, c.session) {
                (SecondFactorGate::Pending, _) => None,
                (_, Some(_)) => Some(view! { <Redirect path="/"/> }.into_any()),
                (_, None) => Some(view! { <Redirect path="/acceso"/> }.into_any()),
            })}
        </Transition>
        <div class="panel narrow">
            <h1>{t(Msg::SegundoFactor)}</h1>
            <p class="lead">{t(Msg::SegundoPasoIntro)}</p>
            <ErrorBanner error=failure/>
            <ActionForm action=verify attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="code">{t(Msg::CodigoORecuperacion)}</label>
                    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus
                        aria-invalid=move || has_problem(&errors.get(), "code").to_string()/>
                    <FieldMessage field="code" errors=errors/>
                </div>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || verify.pending().get()>{t(Msg::Continuar)}</button>
                </div>
            </ActionForm>
            <ActionForm action=logout attr:class="inline-form">
                <button type="submit" class="link-button">{t(Msg::Salir)}</button>
            </ActionForm>
        </div>
    }
}
