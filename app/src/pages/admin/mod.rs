//! Administration: the taxonomy, document types, accounts, authorisations, deadlines (Plazos)
//! and the audit log,
//! one module per section. Nothing that cases use is ever deleted: it is deactivated (no
//! longer offered) instead.

pub mod accounts;
pub mod audit;
pub mod authorisations;
pub mod document_types;
pub mod plazos;
pub mod taxonomy;

use casia_domain::{FieldError, Msg, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use self::accounts::AccountsAdmin;
use self::audit::AuditAdmin;
use self::authorisations::AuthorisationsAdmin;
use self::document_types::{DocumentTypesAdmin, admin_document_types};
use self::plazos::PlazosAdminSection;
use self::taxonomy::{TaxonomyAdmin, admin_taxonomy};
use crate::components::forms::on_answer;
use crate::components::{ErrorBanner, Guarded};
use crate::context::t;
use crate::error::AppError;

const SECTIONS: &[(&str, Msg)] = &[
    ("taxonomia", Msg::Taxonomia),
    ("documentos", Msg::TiposDocumento),
    ("cuentas", Msg::Cuentas),
    ("autorizaciones", Msg::Autorizaciones),
    ("plazos", Msg::Plazos),
    ("auditoria", Msg::RegistroAuditoria),
];

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let section = Memo::new(move |_| {
        query
            .with(|q| q.get("seccion"))
            .unwrap_or_else(|| "taxonomia".into())
    });
    let taxonomy = Resource::new(|| (), |_| admin_taxonomy());
    let types = Resource::new(|| (), |_| admin_document_types());
    view! {
        <Guarded roles=&[Role::Administrador] children=move |_| view! {
            <div class="panel">
                <h1>{t(Msg::AdminTitle)}</h1>
                <nav class="tabs" aria-label=t(Msg::AdminTitle)>
                    {SECTIONS.iter().map(|(code, label)| {
                        let code = *code;
                        view! { <a href=format!("/administracion?seccion={code}") aria-current=move || (section.get() == code).then_some("page")>{t(*label)}</a> }
                    }).collect_view()}
                </nav>
                {move || match section.get().as_str() {
                    "documentos" => view! { <DocumentTypesAdmin types/> }.into_any(),
                    "cuentas" => view! { <AccountsAdmin/> }.into_any(),
                    "autorizaciones" => view! { <AuthorisationsAdmin/> }.into_any(),
                    "auditoria" => view! { <AuditAdmin/> }.into_any(),
                    "plazos" => view! { <PlazosAdminSection taxonomy/> }.into_any(),
                    _ => view! { <TaxonomyAdmin taxonomy/> }.into_any(),
                }}
            </div>
        }/>
    }
}

/// What the section's last change came to: saved, refused field by field, or failed.
#[derive(Clone, Copy)]
struct Outcome {
    ok: RwSignal<bool>,
    failure: RwSignal<Option<AppError>>,
    errors: RwSignal<Vec<FieldError>>,
}

impl Outcome {
    fn new() -> Self {
        Outcome {
            ok: RwSignal::new(false),
            failure: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
        }
    }

    fn errors(self) -> Signal<Vec<FieldError>> {
        Signal::derive(move || self.errors.get())
    }

    /// One kind of change, shown in this outcome; `after` runs after each that went through.
    fn change<S>(self, after: impl Fn() + 'static) -> ServerAction<S>
    where
        S: server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let action = ServerAction::<S>::new();
        on_answer(action, move |answer| match answer {
            Ok(_) => {
                self.ok.set(true);
                after();
            }
            Err(AppError::Invalid(e)) => self.errors.set(e),
            Err(e) => self.failure.set(Some(e)),
        });
        action
    }

    /// Sends a change: the last one's messages go.
    fn send<S>(self, action: ServerAction<S>, input: S)
    where
        S: server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
    {
        self.ok.set(false);
        self.failure.set(None);
        self.errors.set(Vec::new());
        action.dispatch(input);
    }

    /// The result message above the section.
    fn banner(self) -> impl IntoView {
        view! {
            {move || self.ok.get().then(|| view! { <div class="alert alert-success" role="status" data-testid="admin-saved">{t(Msg::DatosGuardados)}</div> })}
            <ErrorBanner error=self.failure/>
        }
    }
}

/// The filter box of a paged list; `applied` changes (and the list goes back to its first
/// page) when the form is sent.
#[component]
fn ListFilter(
    id: &'static str,
    label: Msg,
    applied: RwSignal<String>,
    page: RwSignal<u64>,
) -> impl IntoView {
    let typed = RwSignal::new(applied.get_untracked());
    view! {
        <form class="form inline-search" data-testid="list-filter" on:submit=move |ev| {
            ev.prevent_default();
            applied.set(typed.get_untracked().trim().to_owned());
            page.set(0);
        } novalidate>
            <div class="field">
                <label for=id>{t(label)}</label>
                <input id=id type="search" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            </div>
            <div class="actions"><button type="submit" class="button button-secondary button-small">{t(Msg::Filtrar)}</button></div>
        </form>
    }
}

/// "Anterior" / "Siguiente" under a paged list.
#[component]
fn Pager(page: RwSignal<u64>, #[prop(into)] has_next: Signal<bool>) -> impl IntoView {
    view! {
        <nav class="actions pager" aria-label="paginación">
            <button type="button" class="button button-secondary button-small" disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{t(Msg::Anterior)}</button>
            <span class="small muted num">{move || page.get() + 1}</span>
            <button type="button" class="button button-secondary button-small" disabled=move || !has_next.get()
                on:click=move |_| page.update(|p| *p += 1)>{t(Msg::Siguiente)}</button>
        </nav>
    }
}
