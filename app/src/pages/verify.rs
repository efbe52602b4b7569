//! `Verificación de Documentos`: a public page that checks a receipt by its CEA or by the
//! PDF file itself, and shows only what the receipt holds.

use casia_domain::Msg;
use casia_domain::dto::{Verification, human_size};
use leptos::prelude::*;

use crate::components::case_view::receipt_kind_name;
use crate::components::forms::{has_problem, on_answer};
use crate::components::{ErrorAlert, FieldMessage};
use crate::context::{t, use_lang};
use crate::error::AppError;

#[server(endpoint = "verify_cea")]
pub async fn verify_cea(cea: String) -> Result<Verification, AppError> {
    use crate::server::{client_address, fail, services};
    // Public: no session or role; each client address has a limited number of checks.
    casia_services::cases::receipts::verify_cea_for(&services(), &client_address(), &cea)
        .await
        .map_err(fail)
}

/// Sends the chosen file to `/api/verificacion/fichero`.
#[cfg(feature = "hydrate")]
async fn verify_file(file: web_sys::File) -> Result<Verification, AppError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&file);
    let window = web_sys::window().ok_or(AppError::Network)?;
    let promise = window.fetch_with_str_and_init("/api/verificacion/fichero", &init);
    let response = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| AppError::Network)?;
    let response: web_sys::Response =
        wasm_bindgen::JsCast::dyn_into(response).map_err(|_| AppError::Network)?;
    let text =
        wasm_bindgen_futures::JsFuture::from(response.text().map_err(|_| AppError::Network)?)
            .await
            .map_err(|_| AppError::Network)?
            .as_string()
            .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| AppError::Internal)
    } else {
        Err(serde_json::from_str(&text).unwrap_or(AppError::Internal))
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let lang = use_lang();
    let cea = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Verification>);
    let failure = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    // Problems of the code field, shown next to it (the banner then only points at it).
    let field_errors = Signal::derive(move || {
        failure
            .get()
            .map(|e| e.field_errors().to_vec())
            .unwrap_or_default()
    });
    let check = ServerAction::<VerifyCea>::new();
    on_answer(check, move |answer| {
        match answer {
            Ok(v) => result.set(Some(v)),
            Err(e) => failure.set(Some(e)),
        }
        pending.set(false);
    });
    let by_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        result.set(None);
        pending.set(true);
        check.dispatch(VerifyCea {
            cea: cea.get_untracked(),
        });
    };
    let by_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            failure.set(None);
            result.set(None);
            pending.set(true);
            leptos::task::spawn_local(async move {
                match verify_file(file).await {
                    Ok(v) => result.set(Some(v)),
                    Err(e) => failure.set(Some(e)),
                }
                pending.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="panel">
            <h1>{t(Msg::VerificacionDocumentos)}</h1>
            <p class="lead">{t(Msg::VerificacionIntro)}</p>
            <div class="form-grid">
                <form class="form" on:submit=by_code novalidate>
                    <div class="field">
                        <label for="cea">{t(Msg::CodigoCea)}</label>
                        <input id="cea" type="text" autocomplete="off" spellcheck="false" placeholder="XXXX-XXXX-XXXX-XXXX-XXXX"
                            aria-invalid=move || has_problem(&field_errors.get(), "cea").to_string()
                            aria-describedby="err-cea"
                            prop:value=move || cea.get() on:input=move |ev| cea.set(event_target_value(&ev))/>
                        <FieldMessage field="cea" errors=field_errors/>
                    </div>
                    <div class="actions"><button type="submit" class="button" disabled=move || pending.get()>{t(Msg::Verificar)}</button></div>
                </form>
                <div class="field">
                    <label for="receipt-file">{t(Msg::VerificarFichero)}</label>
                    <input id="receipt-file" type="file" accept=".pdf,application/pdf" on:change=by_file/>
                    <p class="hint">{t(Msg::VerificarFicheroHint)}</p>
                </div>
            </div>
        </div>
        {move || failure.get().map(|e| view! { <ErrorAlert error=e/> })}
        {move || result.get().map(|v| match v {
            Verification::Authentic(r) => {
                let kind = r.kind;
                view! {
                    <div class="panel" data-testid="verification-result">
                        <div class="alert alert-success" role="status"><strong>{t(Msg::DocumentoAutentico)}</strong></div>
                        <dl class="dl-grid">
                            <div><dt>{t(Msg::Documento)}</dt><dd>{move || receipt_kind_name(kind, lang.get())}</dd></div>
                            <div><dt>{t(Msg::NumeroCaso)}</dt><dd class="num" data-testid="verified-number">{r.case_number.clone()}</dd></div>
                            <div><dt>{t(Msg::FechaHoraAlta)}</dt><dd class="num">{r.case_opened_at.clone()}</dd></div>
                            <div><dt>{t(Msg::FechaEmision)}</dt><dd class="num">{r.issued_at.clone()}</dd></div>
                            {r.classification.clone().map(|c| view! { <div><dt>{t(Msg::ClasificacionEnJustificante)}</dt><dd>{c}</dd></div> })}
                            <div><dt>"CEA"</dt><dd><code>{r.cea.clone()}</code></dd></div>
                        </dl>
                        <h2 class="section-title">{t(Msg::DocumentosAnexados)}</h2>
                        {if r.documents.is_empty() {
                            view! { <p class="muted">{t(Msg::SinDocumentos)}</p> }.into_any()
                        } else {
                            view! {
                                <ul data-testid="verified-documents">
                                    {r.documents.into_iter().map(|d| view! {
                                        <li>{d.type_name}" — "{d.title}" ("{d.file_name}", "{human_size(d.size)}")"</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                }.into_any()
            }
            Verification::Unknown => view! { <div class="alert alert-error" role="alert" data-testid="verification-result">{t(Msg::CeaDesconocido)}</div> }.into_any(),
            Verification::Altered => view! { <div class="alert alert-error" role="alert" data-testid="verification-result">{t(Msg::FicheroAlterado)}</div> }.into_any(),
            Verification::NotAReceipt => view! { <div class="alert alert-error" role="alert" data-testid="verification-result">{t(Msg::NoEsJustificante)}</div> }.into_any(),
        })}
    }
}
