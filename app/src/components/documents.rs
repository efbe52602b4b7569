//! `Anexar Información` (guide §4.1.1): one or many documents, each with a type, a title and
//! a file. Files upload as soon as they are chosen, with a progress bar; the form then sends
//! only their tokens.

use casia_domain::dto::{
    DocumentToAttach, DocumentTypeView, UploadedFile, accept_attribute, human_size,
};
use casia_domain::{FieldError, Msg};
use leptos::prelude::*;

use crate::components::FieldMessage;
use crate::components::forms::has_problem;
use crate::context::{t, use_lang};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq)]
pub enum UploadState {
    Empty,
    Uploading { percent: u32 },
    Done(UploadedFile),
    Failed(AppError),
}

/// One document row; its fields are signals so each updates on its own.
#[derive(Clone, Copy)]
pub struct DocumentRow {
    pub key: u32,
    pub document_type_id: RwSignal<Option<i64>>,
    pub title: RwSignal<String>,
    pub upload: RwSignal<UploadState>,
    /// The row was there at the last try to send: its problems are shown. A row added after
    /// a failed send is not marked until the next try.
    pub checked: RwSignal<bool>,
}

impl DocumentRow {
    pub fn new(key: u32) -> Self {
        DocumentRow {
            key,
            document_type_id: RwSignal::new(None),
            title: RwSignal::new(String::new()),
            upload: RwSignal::new(UploadState::Empty),
            checked: RwSignal::new(false),
        }
    }

    pub fn to_attach(&self) -> DocumentToAttach {
        DocumentToAttach {
            document_type_id: self.document_type_id.get(),
            title: self.title.get(),
            upload_token: match self.upload.get() {
                UploadState::Done(f) => f.token,
                _ => String::new(),
            },
        }
    }

    pub fn uploading(&self) -> bool {
        matches!(self.upload.get(), UploadState::Uploading { .. })
    }
}

/// The list of rows a form attaches.
#[derive(Clone, Copy)]
pub struct Documents {
    pub rows: RwSignal<Vec<DocumentRow>>,
    next_key: StoredValue<u32>,
}

impl Documents {
    pub fn new() -> Self {
        Documents {
            rows: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
        }
    }

    pub fn add(&self) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        self.rows.update(|rows| rows.push(DocumentRow::new(key)));
    }

    pub fn remove(&self, key: u32) {
        self.rows.update(|rows| rows.retain(|r| r.key != key));
    }

    pub fn clear(&self) {
        self.rows.set(Vec::new());
    }

    pub fn to_attach(&self) -> Vec<DocumentToAttach> {
        self.rows.get().iter().map(|r| r.to_attach()).collect()
    }

    pub fn any_uploading(&self) -> bool {
        self.rows.get().iter().any(|r| r.uploading())
    }

    /// A try to send: every row's problems are shown from now on.
    pub fn mark_checked(&self) {
        for r in self.rows.get_untracked() {
            r.checked.set(true);
        }
    }

    /// Whether the problem of `field` (`documents.<index>.…`) belongs to a row added since the
    /// last try to send.
    pub fn is_unchecked(&self, field: &str) -> bool {
        field
            .strip_prefix("documents.")
            .and_then(|rest| rest.split('.').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| self.rows.with(|rows| rows.get(i).map(|r| !r.checked.get())))
            .unwrap_or(false)
    }
}

impl Default for Documents {
    fn default() -> Self {
        Self::new()
    }
}

/// Sends `file` to `/api/uploads`, reporting progress (0–100).
#[cfg(feature = "hydrate")]
pub async fn upload_file(
    file: web_sys::File,
    on_progress: impl Fn(u32) + 'static,
) -> Result<UploadedFile, AppError> {
    use futures::channel::oneshot;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| AppError::Network)?;
    let url = format!(
        "/api/uploads?name={}",
        js_sys::encode_uri_component(&file.name())
    );
    xhr.open_with_async("POST", &url, true)
        .map_err(|_| AppError::Network)?;
    let (tx, rx) = oneshot::channel::<Result<UploadedFile, AppError>>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));

    let progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            if ev.length_computable() && ev.total() > 0.0 {
                on_progress(((ev.loaded() / ev.total()) * 100.0).round().min(100.0) as u32);
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = {
        let xhr = xhr.clone();
        let tx = tx.clone();
        Closure::<dyn Fn()>::new(move || {
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            let result = if xhr.status().unwrap_or(0) == 200 {
                serde_json::from_str::<UploadedFile>(&text).map_err(|_| AppError::Internal)
            } else {
                Err(serde_json::from_str::<AppError>(&text).unwrap_or(AppError::Internal))
            };
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(result);
            }
        })
    };
    let failed = {
        let tx = tx.clone();
        Closure::<dyn Fn()>::new(move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(Err(AppError::Network));
            }
        })
    };
    xhr.set_onload(Some(done.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(failed.as_ref().unchecked_ref()));
    xhr.send_with_opt_blob(Some(&file))
        .map_err(|_| AppError::Network)?;
    let result = rx.await.unwrap_or(Err(AppError::Network));
    // The closures must live until the request ended.
    drop((progress, done, failed));
    result
}

/// The rows of documents with their inputs; `errors` carries field problems named
/// `documents.<index>.<field>` (as the shared validation names them).
#[component]
pub fn DocumentsInput(
    documents: Documents,
    #[prop(into)] types: Signal<Vec<DocumentTypeView>>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    max_bytes: u64,
) -> impl IntoView {
    let lang = use_lang();
    let accept = accept_attribute();
    view! {
        <fieldset class="documents">
            <legend class="section-title">{t(Msg::AnexarInformacion)}</legend>
            <p class="hint">{move || format!("{} {}", Msg::DocumentsHint.text(lang.get()), human_size(max_bytes as i64))}</p>
            <FieldMessage field="documents" errors=errors/>
            <For each={move || documents.rows.get().into_iter().enumerate().collect::<Vec<_>>()} key={|item: &(usize, DocumentRow)| (item.0, item.1.key)} let:item>
                {
                    let (index, row) = item;
                    let accept = accept.clone();
                    let type_field = format!("documents.{index}.document_type_id");
                    let title_field = format!("documents.{index}.title");
                    let file_field = format!("documents.{index}.file");
                    let type_id = format!("doc-type-{}", row.key);
                    let title_id = format!("doc-title-{}", row.key);
                    let file_id = format!("doc-file-{}", row.key);
                    let (tf, tif, ff) = (type_field.clone(), title_field.clone(), file_field.clone());
                    view! {
                        <div class="doc-row" data-testid="document-row">
                            <div class="field">
                                <label for=type_id.clone()>{t(Msg::Tipo)}<span class="req" aria-hidden="true">"(*)"</span></label>
                                <select
                                    id=type_id
                                    aria-required="true"
                                    aria-invalid=move || has_problem(&errors.get(), &tf).to_string()
                                    on:change=move |ev| row.document_type_id.set(event_target_value(&ev).parse().ok())
                                >
                                    <option value="" selected=move || row.document_type_id.get().is_none()>{t(Msg::Seleccione)}</option>
                                    {move || types.get().into_iter().filter(|t| t.active).map(|ty| {
                                        let id = ty.id;
                                        view! { <option value=id.to_string() selected=move || row.document_type_id.get() == Some(id)>{ty.name}</option> }
                                    }).collect_view()}
                                </select>
                                <FieldMessage field=type_field errors=errors/>
                            </div>
                            <div class="field">
                                <label for=title_id.clone()>{t(Msg::Titulo)}<span class="req" aria-hidden="true">"(*)"</span></label>
                                <input
                                    id=title_id
                                    aria-required="true"
                                    type="text"
                                    maxlength="150"
                                    placeholder=move || Msg::DocumentTitlePlaceholder.text(lang.get())
                                    aria-invalid=move || has_problem(&errors.get(), &tif).to_string()
                                    prop:value=move || row.title.get()
                                    on:input=move |ev| row.title.set(event_target_value(&ev))
                                />
                                <FieldMessage field=title_field errors=errors/>
                            </div>
                            <div class="field">
                                <label for=file_id.clone()>{t(Msg::Documento)}<span class="req" aria-hidden="true">"(*)"</span></label>
                                <input
                                    id=file_id
                                    aria-required="true"
                                    type="file"
                                    accept=accept
                                    aria-invalid=move || (has_problem(&errors.get(), &ff) || matches!(row.upload.get(), UploadState::Failed(_))).to_string()
                                    on:change=move |ev| {
                                        #[cfg(feature = "hydrate")]
                                        {
                                            use wasm_bindgen::JsCast;
                                            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
                                            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
                                            if file.size() > max_bytes as f64 {
                                                row.upload.set(UploadState::Failed(AppError::Upload(casia_domain::dto::UploadProblem::TooLarge { max_bytes })));
                                                return;
                                            }
                                            if row.title.get_untracked().trim().is_empty() {
                                                // A sensible default title: the file name without extension.
                                                let name = file.name();
                                                let stem = name.rsplit_once('.').map(|(s, _)| s.to_owned()).unwrap_or(name);
                                                row.title.set(stem.chars().take(150).collect());
                                            }
                                            row.upload.set(UploadState::Uploading { percent: 0 });
                                            leptos::task::spawn_local(async move {
                                                let result = upload_file(file, move |p| row.upload.set(UploadState::Uploading { percent: p })).await;
                                                row.upload.set(match result {
                                                    Ok(f) => UploadState::Done(f),
                                                    Err(e) => UploadState::Failed(e),
                                                });
                                            });
                                        }
                                        #[cfg(not(feature = "hydrate"))]
                                        let _ = ev;
                                    }
                                />
                                {move || match row.upload.get() {
                                    UploadState::Empty => ().into_any(),
                                    UploadState::Uploading { percent } => view! {
                                        <progress max="100" value=percent aria-label=move || Msg::Uploading.text(lang.get())>{percent}"%"</progress>
                                        <span class="upload-status" role="status">{move || Msg::Uploading.text(lang.get())}" "{percent}"%"</span>
                                    }.into_any(),
                                    UploadState::Done(f) => view! {
                                        <span class="upload-status upload-ok" role="status" data-testid="upload-done">
                                            "✓ "{f.file_name.clone()}" ("{human_size(f.size)}")"
                                        </span>
                                    }.into_any(),
                                    UploadState::Failed(e) => view! {
                                        <p class="field-error" role="alert">{e.message(lang.get())}</p>
                                    }.into_any(),
                                }}
                                // A failed upload already says what is wrong with the file.
                                {move || (!matches!(row.upload.get(), UploadState::Failed(_))).then(|| view! {
                                    <FieldMessage field=file_field.clone() errors=errors/>
                                })}
                            </div>
                            <div class="field">
                                <span class="label visually-hidden">{t(Msg::QuitarDocumento)}</span>
                                <button type="button" class="button button-secondary button-small" on:click=move |_| documents.remove(row.key)>
                                    {t(Msg::QuitarDocumento)}
                                </button>
                            </div>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button-secondary" on:click=move |_| documents.add()>
                {t(Msg::AnadirDocumento)}
            </button>
        </fieldset>
    }
}
