//! The sending side of a form that attaches documents (`Nuevo Caso`, `Modificar
//! Información`): the rows of documents, the check before sending, the server's answer to
//! the fields, the failure banner and the idempotency key.

use casia_domain::FieldError;
use leptos::prelude::*;

use crate::components::documents::Documents;
use crate::error::AppError;

/// State of one attaching form. Everything is a signal: it is `Copy`, and what the person
/// typed stays as it is when a send fails.
#[derive(Clone, Copy)]
pub struct DocumentForm {
    pub documents: Documents,
    /// The person tried to send: the client's checks are shown from then on.
    submitted: RwSignal<bool>,
    server_errors: RwSignal<Vec<FieldError>>,
    pub failure: RwSignal<Option<AppError>>,
    key: StoredValue<String>,
    pub hydrated: ReadSignal<bool>,
}

pub fn use_document_form() -> DocumentForm {
    DocumentForm {
        documents: Documents::new(),
        submitted: RwSignal::new(false),
        server_errors: RwSignal::new(Vec::new()),
        failure: RwSignal::new(None),
        key: StoredValue::new(String::new()),
        hydrated: crate::components::forms::use_hydrated(),
    }
}

impl DocumentForm {
    /// The form's idempotency key: empty until the first send, then the same for every
    /// resend (a double click or a resend does the change once).
    pub fn key(&self) -> String {
        self.key.get_value()
    }

    /// The problems shown: the client's `checks` (once the person tried to send), then the
    /// server's for fields the client has nothing to say about.
    pub fn errors(self, checks: Memo<Vec<FieldError>>) -> Signal<Vec<FieldError>> {
        Signal::derive(move || {
            let mut shown = if self.submitted.get() {
                checks.get()
            } else {
                Vec::new()
            };
            shown.retain(|e| !self.documents.is_unchecked(&e.field));
            for e in self.server_errors.get() {
                if !shown.iter().any(|s| s.field == e.field) {
                    shown.push(e);
                }
            }
            shown
        })
    }

    /// On submit: clears the last attempt's messages and says whether to send. Not while a
    /// file is still uploading, nor with a problem the client sees already (the focus moves
    /// to it). The first send fixes the idempotency key.
    pub fn ready(&self, checks: Memo<Vec<FieldError>>) -> bool {
        self.submitted.set(true);
        self.documents.mark_checked();
        self.server_errors.set(Vec::new());
        self.failure.set(None);
        if self.documents.any_uploading() {
            self.failure.set(Some(AppError::Upload(
                casia_domain::dto::UploadProblem::Incomplete,
            )));
            return false;
        }
        if !checks.get_untracked().is_empty() {
            focus_first_error();
            return false;
        }
        if self.key.get_value().is_empty() {
            self.key.set_value(new_idempotency_key());
        }
        true
    }

    /// A send that failed: field problems next to their fields (focus on the first), anything
    /// else in the banner.
    pub fn failed(&self, e: AppError) {
        match e {
            AppError::Invalid(errs) => {
                self.server_errors.set(errs);
                focus_first_error();
            }
            e => self.failure.set(Some(e)),
        }
    }
}

/// A fresh key per form: a double click or a resend opens one case.
pub fn new_idempotency_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        if let Some(uuid) = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .map(|c| c.random_uuid())
        {
            return uuid;
        }
        format!(
            "{:x}-{:x}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e15) as u64
        )
    }
    // Only ever called from the browser.
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Moves focus to the first field with a message, so keyboard and screen-reader users land
/// where the problem is.
pub fn focus_first_error() {
    // After the messages render.
    #[cfg(feature = "hydrate")]
    set_timeout(
        || {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector("[aria-invalid='true']").ok().flatten())
            {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        },
        std::time::Duration::from_millis(30),
    );
}
